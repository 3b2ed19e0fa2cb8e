"""Properties of the engine: an area's value is its parts' summed numerator over their summed
denominator, and the three flow rates of a grade add up to 100."""
from __future__ import annotations

import math
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.build import build_extract
from lib.db import connect
from lib.indicators import build_registry, compute
from lib.country import parse_country
from tests.fixtures import indicator_package as fixture

COUNTRY = parse_country(fixture.COUNTRY_TOML)
RATES = [ind for ind in build_registry(COUNTRY, ["inputs", "learning"],
                                      quality=fixture.QUALITY_WORDS)
         if not ind.is_count and ind.family != "survival_last"]
PROVINCE_OF = {"0101": "01", "0102": "01", "0201": "02"}


@pytest.fixture(scope="module")
def fx_con(indicator_con):
    return indicator_con


def _assert_sums(districts: pd.DataFrame, upper: pd.DataFrame, key, factor: float) -> None:
    """Each upper unit's value = factor × Σ numerators / Σ denominators of its districts."""
    parts = districts[districts["group"] != "parity"].assign(upper=districts["unit_code"].map(key))
    sums = parts.groupby(["upper", "group"])[["numerator", "denominator"]].sum()
    for r in upper[upper["group"] != "parity"].itertuples():
        num, den = sums.loc[(r.unit_code, r.group)]
        assert r.numerator == pytest.approx(num) and r.denominator == pytest.approx(den)
        if den > 0:
            assert r.value == pytest.approx(factor * num / den), (r.unit_code, r.group)
        else:
            assert math.isnan(r.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(RATES), st.sampled_from(fixture.YEARS), st.data())
def test_province_is_the_ratio_of_its_districts_sums(fx_con, ind, year, data):
    by = data.draw(st.sampled_from((None,) + ind.splits))
    factor = 1.0 if ind.unit == "ratio" else 100.0
    districts = compute(fx_con, ind.id, "district", year, by=by)
    provinces = compute(fx_con, ind.id, "province", year, by=by)
    national = compute(fx_con, ind.id, "national", year, by=by)
    if ind.flow and year == fixture.YEARS[-1]:
        assert provinces["value"].isna().all()
        return
    _assert_sums(districts, provinces, PROVINCE_OF, factor)
    _assert_sums(districts, national, lambda code: "FXL", factor)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([g for g in COUNTRY.grades if g not in (0, 5)]),
       st.sampled_from(["national", "province", "district", "school"]),
       st.sampled_from([None, "sex", "locality", "ownership", "priority"]))
def test_flow_rates_add_up_to_100(fx_con, grade, level, by):
    values = [compute(fx_con, f"{kind}_g{grade}", level, 2022, by=by)
              for kind in ("repetition", "promotion", "dropout")]
    rows = values[0][values[0]["group"] != "parity"].index
    total = sum(v.loc[rows, "value"] for v in values)
    has = values[0].loc[rows, "denominator"] > 0
    assert (total[has] - 100).abs().max() < 1e-9


# --------------------------------------------------------------------------- random packages


def _random_package(folder: Path, seed: int) -> Path:
    """The fixture's register with random enrolment, teachers and population."""
    rng = random.Random(seed)
    fixture.write_indicator_package(folder)
    lines = ["year,school_id,grade,sex,age,enrolled,repeaters"]
    offers = {"A1": range(1, 6), "A2": range(0, 3), "B1": range(1, 4), "C1": range(1, 6),
              "C2": range(1, 3)}
    for year in fixture.YEARS:
        for school, grades in offers.items():
            if year not in fixture.REPORTS[school]:
                continue
            for grade in grades:
                for sex in "FM":
                    for age in {grade + 5, grade + 6, None}:
                        if rng.random() < 0.3:
                            continue
                        enrolled = rng.randint(0, 40)
                        lines.append(f"{year},{school},{grade},{sex},"
                                     f"{'' if age is None else age},{enrolled},"
                                     f"{rng.randint(0, enrolled)}")
    (folder / "enrolment.csv").write_text("\n".join(lines) + "\n")
    pop = ["year,district_code,sex,age,population"]
    for year in fixture.YEARS:
        for district in fixture.POPULATION_BASE:
            for sex in "FM":
                for age in fixture.POPULATION_AGES:
                    pop.append(f"{year},{district},{sex},{age},{rng.randint(0, 60)}")
    (folder / "population.csv").write_text("\n".join(pop) + "\n")
    return folder


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000))
def test_random_packages_aggregate_by_sums(tmp_path_factory, seed):
    folder = _random_package(tmp_path_factory.mktemp("random") / "package", seed)
    db = folder.parent / "e.duckdb"
    build_extract(folder, db)
    with connect(db) as con:
        for ind_id, by in (("ger_primary", "sex"), ("ner_primary", "priority"),
                           ("repetition_g1", "locality"), ("ptr_primary", "ownership"),
                           ("dropout_primary", None), ("female_share_secondary", None)):
            unit = "ratio" if ind_id.startswith("ptr") else "%"
            districts = compute(con, ind_id, "district", 2022, by=by)
            provinces = compute(con, ind_id, "province", 2022, by=by)
            _assert_sums(districts, provinces, PROVINCE_OF, 1.0 if unit == "ratio" else 100.0)
