"""Districts of the demo: remoteness, priority flag, poverty, and their population by age and sex."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.demo.common import stream
from lib.reference import lao_districts, lao_provinces

# About fifty educationally disadvantaged districts, in the northern uplands and the
# south-eastern uplands (lao_facts.md section 6). Fixed, so the flag does not move with the
# seed. Synthetic: the official list was not found.
PRIORITY_DISTRICTS: tuple[str, ...] = (
    # Phongsaly
    "0202", "0203", "0204", "0205", "0206", "0207",
    # Luang Namtha
    "0303", "0304", "0305",
    # Oudomxay
    "0402", "0403", "0404", "0405", "0406", "0407",
    # Luang Prabang uplands
    "0603", "0605", "0606", "0607", "0608", "0610", "0611", "0612",
    # Houaphanh
    "0702", "0703", "0704", "0705", "0706", "0707", "0708", "0709", "0710",
    # eastern Khammouane
    "1202", "1205", "1206", "1207",
    # eastern Savannakhet
    "1304", "1305", "1306", "1312", "1313",
    # Saravane uplands
    "1402", "1403", "1407", "1408",
    # Sekong
    "1502", "1503", "1504",
    # Attapeu
    "1701", "1704", "1705",
)
PRIORITY_PROVINCES = frozenset(code[:2] for code in PRIORITY_DISTRICTS)

# Urban core of Vientiane Capital.
CORE_URBAN_DISTRICTS = frozenset({"0101", "0102", "0103", "0104"})

POP_YEAR = 2015
GROWTH = 0.0145          # a year, 2005-15 census growth
MAX_AGE = 24


def age_share(ages: np.ndarray) -> np.ndarray:
    """Share of the whole population at each single age: a young pyramid (about 32% under 15)."""
    return 0.0232 * np.exp(-0.011 * np.asarray(ages, dtype=np.float64))


def female_share(ages: np.ndarray) -> np.ndarray:
    """More boys than girls are born; the gap narrows with age."""
    return 0.4880 + 0.0004 * np.asarray(ages, dtype=np.float64)


@dataclass
class Areas:
    """The districts (one row each, index = district number 0..n-1) and their provinces."""

    districts: pd.DataFrame   # code, province, name_en, name_local, pop_2015, rho, priority,
    #                           poverty_rate, coverage, capital, core_urban, province_index
    provinces: pd.DataFrame   # code, name_en, capital_lat, capital_lon, capital_district_code
    scale: float

    @property
    def n(self) -> int:
        return len(self.districts)

    def population(self, year: int) -> np.ndarray:
        """Population of (district, sex F/M, age 0..MAX_AGE) in a year, as whole numbers.

        The same numbers are written to population.csv, so the rates the build computes use
        exactly what the simulation used.
        """
        ages = np.arange(MAX_AGE + 1)
        total = self.districts["pop_2015"].to_numpy(np.float64) * self.scale
        growth = (1.0 + GROWTH) ** (year - POP_YEAR)
        by_age = total[:, None] * age_share(ages)[None, :] * growth
        fem = female_share(ages)[None, :]
        out = np.stack([by_age * fem, by_age * (1.0 - fem)], axis=1)
        return np.rint(out).astype(np.int64)


def build_areas(seed: int, scale: float) -> Areas:
    """Districts with a remoteness score (0 = city centre, 1 = remote upland) and facts."""
    rng = stream(seed, "areas")
    prov = lao_provinces()
    dist = lao_districts().rename(columns={"parent_code": "province"})
    dist = dist.sort_values("code", kind="stable").reset_index(drop=True)
    capital_codes = set(prov["capital_district_code"])
    n = len(dist)
    code = dist["code"].to_numpy()
    priority = np.isin(code, PRIORITY_DISTRICTS).astype(np.int64)
    capital = np.isin(code, list(capital_codes))
    core = np.isin(code, list(CORE_URBAN_DISTRICTS))
    in_capital_province = dist["province"].to_numpy() == "01"

    # Remoteness: the urban core lowest, provincial capitals next, priority districts highest.
    rho = np.where(priority == 1, rng.uniform(0.65, 1.0, n), rng.uniform(0.3, 0.62, n))
    rho = np.where(capital & (priority == 0), rng.uniform(0.15, 0.32, n), rho)
    rho = np.where(in_capital_province, rng.uniform(0.12, 0.3, n), rho)
    rho = np.where(core, rng.uniform(0.0, 0.06, n), rho)

    # Split each province's 2015 census population among its districts: the capital district
    # is the largest, remote districts are smaller.
    weight = rng.lognormal(0.0, 0.3, n) * np.where(capital, 2.2, 1.0) * (1.15 - 0.35 * rho)
    weight = np.where(core, weight * 1.8, weight)
    pop_prov = prov.set_index("code")["pop_2015"]
    share = weight / pd.Series(weight).groupby(dist["province"].to_numpy()).transform("sum").to_numpy()
    pop = share * pop_prov.reindex(dist["province"]).to_numpy(np.float64)

    poverty = np.clip(6.0 + 55.0 * rho + rng.normal(0.0, 4.0, n), 1.0, 80.0)
    # Enrolment coverage of the official population: projections undercount, and capitals
    # draw pupils from neighbouring districts, so schools enrol a little more than the
    # published population (as in the Lao data, where GIR exceeds 100%).
    coverage = (np.where(core, 1.05, np.where(capital, 1.07, np.where(priority == 1, 1.14, 1.09)))
                + rng.uniform(-0.02, 0.02, n))

    province_codes = sorted(prov["code"])
    frame = pd.DataFrame({
        "code": code,
        "province": dist["province"].to_numpy(),
        "province_index": np.searchsorted(province_codes, dist["province"].to_numpy()),
        "name_en": dist["name_en"].to_numpy(),
        "name_local": dist["name_local"].to_numpy(),
        "pop_2015": pop,
        "rho": rho,
        "priority": priority,
        "poverty_rate": np.round(poverty, 1),
        "coverage": coverage,
        "capital": capital,
        "core_urban": core,
    })
    provinces = prov.sort_values("code").reset_index(drop=True)
    return Areas(districts=frame, provinces=provinces, scale=float(scale))


def population_table(areas: Areas, years: range) -> pd.DataFrame:
    """population.csv: year, district_code, sex, age (0..24), population."""
    ages = np.arange(MAX_AGE + 1)
    frames = []
    codes = areas.districts["code"].to_numpy()
    for year in years:
        pop = areas.population(year)                       # (d, 2, a)
        d, s, a = np.meshgrid(np.arange(areas.n), np.arange(2), ages, indexing="ij")
        frames.append(pd.DataFrame({
            "year": year,
            "district_code": codes[d.ravel()],
            "sex": np.array(["F", "M"])[s.ravel()],
            "age": a.ravel(),
            "population": pop.ravel(),
        }))
    return pd.concat(frames, ignore_index=True)


def district_attributes(areas: Areas) -> pd.DataFrame:
    d = areas.districts
    return pd.DataFrame({"district_code": d["code"], "priority": d["priority"],
                         "poverty_rate": d["poverty_rate"]})
