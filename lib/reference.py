"""The project's own reference tables for Lao PDR (codes, names, capitals), shipped in data/.

Used by the demo generator; a real package brings its own `admin_units`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"
LAO_COUNTRY_TOML = REFERENCE_DIR / "lao_country.toml"


def _alt_names(*values: object) -> str:
    names: list[str] = []
    for value in values:
        if isinstance(value, str):
            names.extend(part.strip() for part in value.split(";") if part.strip())
    return ";".join(dict.fromkeys(names))


def lao_provinces() -> pd.DataFrame:
    """Provinces with code, names, ISO code, capital and 2015 census population."""
    raw = pd.read_csv(REFERENCE_DIR / "lao_provinces.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "code": raw["province_code"],
        "name_en": raw["name_en"],
        "name_local": raw["name_lo"],
        "iso_code": raw["iso_3166_2"],
        "alt_names": [_alt_names(a, b) for a, b in zip(raw["iso_name_lao_cnt_1965"],
                                                       raw["local_variants"])],
        "capital": raw["capital"],
        "capital_district_code": raw["capital_district_code"],
        "capital_lat": raw["capital_lat"].astype(float),
        "capital_lon": raw["capital_lon"].astype(float),
        "pop_2015": raw["pop_2015_census"].astype(int),
    })


def lao_districts() -> pd.DataFrame:
    """Districts with code, parent province code and names."""
    raw = pd.read_csv(REFERENCE_DIR / "lao_districts.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({
        "code": raw["district_code"],
        "parent_code": raw["province_code"],
        "name_en": raw["district_en"],
        "name_local": raw["district_lo"],
        "alt_names": [_alt_names(a) for a in raw["alt_spellings"]],
    })


def lao_admin_units() -> pd.DataFrame:
    """The `admin_units` table of the data contract, for Lao PDR (18 provinces, 148 districts)."""
    prov = lao_provinces()
    dist = lao_districts()
    provinces = pd.DataFrame({
        "code": prov["code"], "level": 1, "parent_code": "", "name_en": prov["name_en"],
        "name_local": prov["name_local"], "iso_code": prov["iso_code"],
        "alt_names": prov["alt_names"]})
    districts = pd.DataFrame({
        "code": dist["code"], "level": 2, "parent_code": dist["parent_code"],
        "name_en": dist["name_en"], "name_local": dist["name_local"], "iso_code": "",
        "alt_names": dist["alt_names"]})
    return pd.concat([provinces, districts], ignore_index=True)
