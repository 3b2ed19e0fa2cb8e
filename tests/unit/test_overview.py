"""The Overview's logic (lib/overview.py) and the catalogue search (lib/catalogue.py)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib import areas, catalogue, db, overview
from lib.indicators import THEMES, compute, registry_for


def frame(values: dict[str, float | None], group: str = "T", flags: dict | None = None
          ) -> pd.DataFrame:
    """Engine-shaped rows: one area per value."""
    codes = list(values)
    return pd.DataFrame({
        "unit_code": codes, "unit_name": [f"Area {c}" for c in codes], "year": 2023,
        "group": group,
        "value": [math.nan if v is None else v for v in values.values()],
        "numerator": math.nan, "denominator": math.nan,
        "flags": [(flags or {}).get(c, "") for c in codes]})


# --------------------------------------------------------------------------- rankings


def test_largest_gaps_are_below_the_reference_when_higher_is_better():
    areas = frame({"01": 90.0, "02": 110.0, "03": 70.0, "04": 99.0, "05": 100.0,
                   "06": 80.0, "07": 60.0, "08": None, "09": 95.0, "10": 85.0})
    ranked = overview.largest_gaps(areas, 100.0, higher_is_better=True)
    assert list(ranked.rows["unit_code"]) == ["07", "03", "06", "10", "01"]
    assert (ranked.rows["value"] < 100.0).all()
    assert list(ranked.rows["gap"]) == sorted(ranked.rows["gap"], reverse=True)
    assert list(ranked.rows["gap"]) == [40.0, 30.0, 20.0, 15.0, 10.0]
    assert (ranked.reference, ranked.compared, ranked.no_data) == (100.0, 9, 1)


def test_largest_gaps_are_above_the_reference_when_lower_is_better():
    ptr = frame({"01": 30.0, "02": 45.0, "03": 20.0, "04": 41.0})
    ranked = overview.largest_gaps(ptr, 35.0, higher_is_better=False)
    assert list(ranked.rows["unit_code"]) == ["02", "04"]  # only the worse side
    assert list(ranked.rows["gap"]) == [10.0, 6.0]


def test_no_area_on_the_worse_side_and_no_reference():
    areas = frame({"01": 101.0, "02": 100.0})
    assert overview.largest_gaps(areas, 100.0, True).rows.empty  # at the reference: no gap
    none = overview.largest_gaps(areas, None, True)
    assert none.rows.empty and none.reference is None


def test_ties_are_broken_by_code_and_flags_travel_with_the_row():
    areas = frame({"02": 50.0, "01": 50.0, "03": 70.0}, flags={"02": "small_denominator"})
    ranked = overview.largest_gaps(areas, 80.0, True)
    assert list(ranked.rows["unit_code"]) == ["01", "02", "03"]
    assert list(ranked.rows["flags"]) == ["", "small_denominator", ""]


def test_lowest_parity_is_the_five_lowest_indices():
    parity = frame({"01": 0.99, "02": 0.80, "03": 1.10, "04": 0.95, "05": None,
                    "06": 0.85, "07": 0.97, "08": 1.00}, group="parity")
    totals = frame({"01": 100.0, "02": 1.0})  # other groups are ignored
    ranked = overview.lowest_parity(pd.concat([totals, parity]), 0.98)
    assert list(ranked.rows["unit_code"]) == ["02", "06", "04", "07", "01"]
    assert list(ranked.rows["value"]) == sorted(ranked.rows["value"])
    assert ranked.rows["gap"].round(2).tolist() == [0.18, 0.13, 0.03, 0.01, -0.01]
    assert (ranked.compared, ranked.no_data) == (7, 1)


# --------------------------------------------------------------------------- KPIs


@pytest.mark.parametrize("kpi, good", [
    (overview.Kpi("ger", "ger_x", "%", True, 90.0, previous=85.0), True),
    (overview.Kpi("ger", "ger_x", "%", True, 80.0, previous=85.0), False),
    (overview.Kpi("ptr", "ptr_x", "ratio", False, 30.0, previous=35.0), True),
    (overview.Kpi("ptr", "ptr_x", "ratio", False, 40.0, previous=35.0), False),
    (overview.Kpi("pupils", "enrolment_x", "count", None, 10.0, previous=5.0), None),
    (overview.Kpi("ger", "ger_x", "%", True, 85.0, previous=85.0), None),
    (overview.Kpi("ger", "ger_x", "%", True, 85.0, previous=None), None),
    (overview.Kpi("gpi", "ger_x", "index", None, 0.95, previous=0.90), True),
    (overview.Kpi("gpi", "ger_x", "index", None, 1.02, previous=0.97), True),
    (overview.Kpi("gpi", "ger_x", "index", None, 1.10, previous=1.02), False),
    (overview.Kpi("gpi", "ger_x", "index", None, 1.03, previous=0.97), None),
])
def test_change_is_good_follows_the_direction(kpi, good):
    assert kpi.change_is_good is good


def test_no_change_without_a_previous_value_and_no_data_is_none():
    assert overview.Kpi("ger", "ger_x", "%", True, None, previous=80.0).change is None
    assert overview.previous_year([2021, 2022, 2023], 2021) is None
    assert overview.previous_year([2021, 2022, 2023], 2023) == 2022
    assert overview.previous_year([2021, 2023], 2023) is None


# --------------------------------------------------------------------------- on an extract


@pytest.fixture(scope="module")
def extract(demo_extract):
    con = db.connect_current(demo_extract)
    yield con
    con.close()


def fetcher(con):
    def fetch(indicator_id, level, year, by, area):
        return compute(con, indicator_id, level, year, by=by, area=area)
    return fetch


def places(con) -> dict[str, overview.Place]:
    units = db.admin_units(con)
    country = db.country(con)
    district = units[units["level"] == 2].iloc[0]
    name = areas.area_names(units, "en")
    return {
        "national": overview.place(units, "", country.admin_ids, country.name, country.iso3,
                                   name),
        "province": overview.place(units, district["parent_code"], country.admin_ids,
                                   country.name, country.iso3, name),
        "district": overview.place(units, district["code"], country.admin_ids,
                                   country.name, country.iso3, name),
    }


@pytest.mark.parametrize("where", ["national", "province", "district"])
def test_kpis_are_the_engines_values(extract, where):
    years = db.extract_info(extract).years
    year, previous = max(years), max(years) - 1
    place = places(extract)[where]
    figures = {k.key: k for k in overview.kpis(fetcher(extract), registry_for(extract),
                                               "primary", year, place, previous)}
    assert list(figures) == [spec.key for spec in overview.KPIS]
    code = None if where == "national" else place.code

    def engine(indicator_id, group="T", in_year=year, level=where, by=None):
        rows = compute(extract, indicator_id, level, in_year, by=by)
        if code is not None and level == where:
            rows = rows[rows["unit_code"] == code]
        return float(rows.loc[rows["group"] == group, "value"].iloc[0])

    assert figures["schools"].value == engine("schools_primary")
    assert figures["pupils"].value == engine("enrolment_primary")
    assert figures["pupils"].female == engine("enrolment_primary", "F", by="sex")
    assert figures["pupils"].male == engine("enrolment_primary", "M", by="sex")
    assert figures["teachers"].value == engine("teachers_primary")
    assert figures["ger"].value == pytest.approx(engine("ger_primary"))
    assert figures["ner"].value == pytest.approx(engine("ner_primary"))
    assert figures["ptr"].value == pytest.approx(engine("ptr_primary"))
    assert figures["gpi"].value == pytest.approx(engine("ger_primary", "parity", by="sex"))
    assert figures["ger"].previous == pytest.approx(engine("ger_primary", in_year=previous))
    if where == "national":
        assert all(k.national is None for k in figures.values())
    else:
        assert figures["ger"].national == pytest.approx(
            engine("ger_primary", level="national"))
        assert figures["schools"].national_share == pytest.approx(
            100 * figures["schools"].value / engine("schools_primary", level="national"))


def test_gaps_on_the_extract(extract):
    year = max(db.extract_info(extract).years)
    registry = registry_for(extract)
    fetch = fetcher(extract)
    every = places(extract)
    national_ger = float(compute(extract, "ger_primary", "national", year)["value"].iloc[0])

    country = overview.gaps(fetch, registry, "primary", year, every["national"], "ger_primary")
    assert country.sub_level == "province"
    rows = country.largest.rows
    assert 0 < len(rows) <= overview.GAP_COUNT
    assert country.largest.reference == pytest.approx(national_ger)
    assert (rows["value"] < national_ger).all()
    assert list(rows["value"]) == sorted(rows["value"])  # the furthest below first
    provinces = set(db.admin_units(extract, level=1)["code"])
    assert set(rows["unit_code"]) <= provinces
    parity = country.parity.rows
    assert list(parity["value"]) == sorted(parity["value"])
    all_parity = compute(extract, "ger_primary", "province", year, by="sex")
    lowest = sorted(all_parity.loc[all_parity["group"] == "parity", "value"].dropna())[:5]
    assert list(parity["value"]) == pytest.approx(lowest)

    ptr = overview.gaps(fetch, registry, "primary", year, every["province"], "ptr_primary")
    national_ptr = float(compute(extract, "ptr_primary", "national", year)["value"].iloc[0])
    assert ptr.sub_level == "district"
    assert (ptr.largest.rows["value"] > national_ptr).all()  # lower is better: above is worse
    units = db.admin_units(extract, level=2)
    inside = set(units.loc[units["parent_code"] == every["province"].code, "code"])
    assert set(ptr.largest.rows["unit_code"]) <= inside
    assert set(ptr.parity.rows["unit_code"]) <= inside

    assert overview.gaps(fetch, registry, "primary", year, every["district"],
                         "ger_primary") is None


def test_indicators_that_can_be_ranked(extract):
    registry = registry_for(extract)
    options = overview.gap_indicators(registry, "primary")
    assert "ger_primary" in options and "ptr_primary" in options
    assert "enrolment_primary" not in options  # a count has no bad direction
    assert "ger_lower_secondary" not in options
    assert overview.default_gap_indicator(registry, "lower_secondary",
                                          "dropout_primary") == "dropout_lower_secondary"
    assert overview.default_gap_indicator(registry, "primary",
                                          "enrolment_primary") == "ger_primary"
    assert overview.default_gap_indicator(registry, "primary", None) == "ger_primary"


# --------------------------------------------------------------------------- catalogue


def test_catalogue_search_and_themes(extract):
    registry = registry_for(extract)
    everything = catalogue.grouped(registry)
    assert sum(map(len, everything.values())) == len(registry)
    assert list(everything) == [theme for theme in THEMES if theme in everything]

    found = catalogue.grouped(registry, "GROSS enrolment")
    ids = [ind.id for items in found.values() for ind in items]
    assert "ger_primary" in ids and "ner_primary" not in ids
    assert [ind.id for ind in catalogue.grouped(registry, "ptr_primary")["teachers"]] == [
        "ptr_primary"]
    assert catalogue.grouped(registry, "dropout", themes=["access"]) == {}
    # words of the definition count too
    assert catalogue.matches(registry.get("oosr_primary"), "population of")
    assert not catalogue.grouped(registry, "no such words anywhere")
