"""compute_years: several years of an indicator in one query, exactly as compute gives each
year (values, numerators, denominators and flags, parity rows, the flow rates' last year).

The hand-worked values of tests/unit/test_indicators.py and the properties of
tests/unit/test_indicator_properties.py are the reference for compute itself; here every
registered indicator, level and split is checked year by year against compute.
"""
from __future__ import annotations


import pandas as pd
import pytest

from lib.build import build_extract
from lib.db import connect
from lib.indicators import (COLUMNS, IndicatorError, compute, compute_weighted, compute_years,
                            registry_for)
from tests.fixtures import indicator_package as fixture

LEVELS = ("national", "province", "district")


@pytest.fixture(scope="module")
def fx_con(tmp_path_factory):
    package = fixture.write_indicator_package(tmp_path_factory.mktemp("years") / "package")
    db = package.parent / "e.duckdb"
    build_extract(package, db)
    con = connect(db)
    yield con
    con.close()


def _years(con) -> list[int]:
    from lib.indicators.context import context
    return list(context(con).years)


def _per_year(con, ind_id, level, years, by=None, area=None) -> pd.DataFrame:
    frames = [compute(con, ind_id, level, y, by=by, area=area) for y in years]
    return pd.concat(frames, ignore_index=True)


def assert_same(got: pd.DataFrame, expected: pd.DataFrame, what) -> None:
    assert list(got.columns) == COLUMNS, what
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_exact=False,
                                  rtol=1e-12, atol=0, obj=str(what))


def _check_all_levels_and_splits(con, ind_id: str, levels=LEVELS) -> int:
    ind = registry_for(con).get(ind_id)
    years = _years(con)
    checked = 0
    for level in levels:
        if level not in ind.admin_levels:
            continue
        unsplit = None
        for by in (None,) + tuple(ind.splits):
            got = compute_years(con, ind_id, level, years, by=by)
            expected = _per_year(con, ind_id, level, years, by=by)
            assert_same(got, expected, (ind_id, level, by))
            assert sorted(set(got["year"])) == years, (ind_id, level, by)
            if by is None:
                unsplit = got
            elif by not in registry_for(con).dimensions:
                # a split's totals are the unsplit rows (the Equity page reuses them)
                assert_same(got[got["group"] == "T"], unsplit, (ind_id, level, by, "T"))
            else:  # by a dimension: the pupils of the groups, equal where they add up
                totals = got[got["group"] == "T"].reset_index(drop=True)
                whole = ~totals["flags"].str.contains("groups_mismatch")
                assert_same(totals[whole].reset_index(drop=True),
                            unsplit[whole].reset_index(drop=True), (ind_id, level, by, "T"))
            checked += 1
    return checked


# --------------------------------------------------------------------------- every indicator


def _fixture_ids() -> list[str]:
    from lib.country import parse_country
    from lib.indicators import build_registry
    country = parse_country(fixture.COUNTRY_TOML)
    return build_registry(country, ["inputs", "learning"]).ids()


@pytest.mark.parametrize("ind_id", _fixture_ids())
def test_fixture_every_indicator_level_and_split(fx_con, ind_id):
    assert ind_id in registry_for(fx_con)
    assert _check_all_levels_and_splits(fx_con, ind_id) > 0


def test_demo_indicators_of_every_family(demo_con):
    """Every id is checked on the fixture; on the demo, one id of each family (each id
    would take minutes of the test run)."""
    registry = registry_for(demo_con)
    ids = list({family: next(iter(members)) for family, members in
                registry.families().items()}.values())
    assert len(ids) > 20
    for ind_id in ids:
        assert _check_all_levels_and_splits(demo_con, ind_id) > 0


SCHOOL_IDS = ["enrolment_primary", "teachers_secondary", "schools_primary", "repetition_g1",
              "promotion_g3", "dropout_primary", "survival_last_primary", "transition_primary",
              "ptr_primary", "pcr", "facility_electricity_primary", "quality_met_inputs",
              "incomplete_schools_primary", "female_share_secondary"]


@pytest.mark.parametrize("ind_id", SCHOOL_IDS)
def test_fixture_school_level(fx_con, ind_id):
    _check_all_levels_and_splits(fx_con, ind_id, levels=("school",))


def test_demo_school_level(demo_con):
    ids = [i for i in ("enrolment_primary", "repetition_primary", "survival_last_primary",
                       "facility_water_primary", "ptr_lower_secondary", "pcr")
           if i in registry_for(demo_con)]
    assert len(ids) >= 4
    for ind_id in ids:
        _check_all_levels_and_splits(demo_con, ind_id, levels=("school",))


# --------------------------------------------------------------------------- arguments


@pytest.mark.parametrize("ind_id, level, by, area", [
    ("ger_primary", "district", "sex", "01"),
    ("repetition_g1", "district", "locality", "0201"),
    ("facility_water_primary", "school", "ownership", "01"),
    ("survival_last_primary", "province", "priority", "02"),
    ("ptr_primary", "school", None, "0201"),
])
def test_area(fx_con, ind_id, level, by, area):
    years = _years(fx_con)
    got = compute_years(fx_con, ind_id, level, years, by=by, area=area)
    assert_same(got, _per_year(fx_con, ind_id, level, years, by=by, area=area),
                (ind_id, level, by, area))


def test_default_years_subsets_and_order(fx_con):
    years = _years(fx_con)
    everything = compute_years(fx_con, "repetition_g1", "district", by="sex")
    assert_same(everything, _per_year(fx_con, "repetition_g1", "district", years, by="sex"),
                "default")
    # Any subset, in any order and repeated, comes back once per year, sorted by year.
    got = compute_years(fx_con, "repetition_g1", "district", [2023, 2021, 2023], by="sex")
    assert_same(got, _per_year(fx_con, "repetition_g1", "district", [2021, 2023], by="sex"),
                "subset")
    # A flow rate's year without the next year is computed as compute does it: no value.
    last = compute_years(fx_con, "repetition_g1", "district", [2023])
    assert last["value"].isna().all() and last["flags"].str.contains("incomplete_years").all()
    assert_same(compute_years(fx_con, "ger_primary", "national", (2022,), lang="lo"),
                compute(fx_con, "ger_primary", "national", 2022, lang="lo"), "lang")
    empty = compute_years(fx_con, "ger_primary", "district", [])
    assert list(empty.columns) == COLUMNS and empty.empty


def test_refusals_are_those_of_compute(fx_con):
    with pytest.raises(IndicatorError, match="years in this extract: 2021, 2022, 2023"):
        compute_years(fx_con, "ger_primary", "national", [2022, 2019])
    with pytest.raises(IndicatorError, match="possible splits: sex, priority"):
        compute_years(fx_con, "ger_primary", "district", by="locality")
    with pytest.raises(IndicatorError, match="not at school level"):
        compute_years(fx_con, "ner_primary", "school")
    with pytest.raises(IndicatorError, match="unknown area"):
        compute_years(fx_con, "ger_primary", "district", area="0101' OR '1'='1")


def test_compute_weighted_still_has_its_weights(fx_con):
    frame = compute_weighted(fx_con, "ger_primary", "district", 2022, by="sex")
    assert list(frame.columns) == COLUMNS + ["weight"]
    plain = compute(fx_con, "ger_primary", "district", 2022, by="sex")
    assert_same(frame[COLUMNS], plain, "weighted")
    rates = frame[frame["group"] != "parity"]
    assert (rates["weight"] == rates["denominator"]).all()
    assert frame.loc[frame["group"] == "parity", "weight"].isna().all()
