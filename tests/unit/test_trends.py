"""The data behind each chart of the Trends page (lib/trends.py), checked against the
indicator engine on the demo extract, and every chart's Vega-Lite spec validated."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib import areas, db, trends
from lib.indicators import compute, compute_years, registry_for
from lib.trends import Area


@pytest.fixture(scope="module")
def fetch(demo_con):
    def engine(indicator_id, level, year, by, area):
        return compute(demo_con, indicator_id, level, year, by=by, area=area)
    return engine


@pytest.fixture(scope="module")
def fetch_years(demo_con):
    def engine(indicator_id, level, years, by, area):
        return compute_years(demo_con, indicator_id, level, years, by=by, area=area)
    return engine


@pytest.fixture(scope="module")
def years(demo_con) -> list[int]:
    return sorted(db.extract_info(demo_con).years)


@pytest.fixture(scope="module")
def places(demo_con) -> list[Area]:
    units = db.admin_units(demo_con)
    names = trends.area_labels(units, areas.area_names(units, "en"))
    district = units[units["level"] == 2].iloc[0]
    country = db.country(demo_con)
    return trends.areas(units, country.admin_ids, country.iso3, country.name,
                        (district["parent_code"], district["code"]), [], names)


def test_areas_are_the_country_then_the_sidebar_then_the_compared(demo_con, places):
    assert [a.level for a in places] == ["national", "province", "district"]
    units = db.admin_units(demo_con)
    names = trends.area_labels(units, areas.area_names(units, "en"))
    other = units[units["level"] == 1].iloc[-1]["code"]
    more = trends.areas(units, ("province", "district"), "LAO", "Lao", (),
                        [other, other, "nope"], names)
    assert [a.code for a in more] == ["LAO", other], "once each, unknown codes dropped"
    assert trends.focus(places, places[2].code) == places[2]
    assert trends.focus(more, "") == more[0]
    district = places[2]
    assert district.name.endswith(", " + places[1].name)


def test_the_national_line_equals_the_engines_national_value(fetch, fetch_years, years,
                                                             places):
    rows = trends.series(fetch_years, "ger_primary", years, places, "sex")
    assert set(rows["group"]) == {"T", "F", "M", "parity"}
    national = rows[(rows["area_level"] == "national") & (rows["group"] == "T")]
    assert list(national["year"]) == years
    for year, value in zip(national["year"], national["value"]):
        engine = fetch("ger_primary", "national", year, None, None)
        assert value == pytest.approx(float(engine["value"].iloc[0]))
    district = rows[(rows["area_code"] == places[2].code) & (rows["group"] == "parity")]
    for year, value in zip(district["year"], district["value"]):
        engine = fetch("ger_primary", "district", year, "sex", None)
        expected = engine[(engine["unit_code"] == places[2].code)
                          & (engine["group"] == "parity")]["value"].iloc[0]
        assert value == pytest.approx(expected, nan_ok=True)
    assert list(dict.fromkeys(rows["area_code"])) == [a.code for a in places]


def test_flows_of_the_last_year_are_no_data_not_zero(fetch_years, years, places):
    rows = trends.series(fetch_years, "repetition_g1", years, places[:1])
    last = rows[rows["year"] == years[-1]]
    assert last["value"].isna().all()
    assert "incomplete_years" in last["flags"].iloc[0]


def test_year_on_year_changes_and_their_direction():
    frame = pd.DataFrame({"area_code": ["a"] * 4 + ["b"] * 2,
                          "area_name": ["A"] * 4 + ["B"] * 2,
                          "year": [2020, 2021, 2022, 2024, 2020, 2021],
                          "value": [10.0, 12.0, 11.0, 13.0, np.nan, 5.0],
                          "flags": ""})
    out = trends.changes(frame, higher_is_better=True)
    assert list(out["change"].fillna(-99)) == [-99, 2.0, -1.0, -99, -99, -99]
    assert list(out["direction"]) == ["none", "better", "worse", "none", "none", "none"]
    lower = trends.changes(frame, higher_is_better=False)
    assert list(lower["direction"][:3]) == ["none", "worse", "better"]
    assert list(trends.changes(frame, None)["direction"][1:3]) == ["up", "down"]
    assert trends.direction(0.04, True, digits=1) == "same"
    assert trends.direction(0.02, None, digits=2, parity=True, before=0.95) == "better"
    assert trends.direction(0.02, None, digits=2, parity=True, before=1.01) == "worse"


def test_province_panels_carry_the_national_value(fetch, fetch_years, years, demo_con):
    rows = trends.province_panels(fetch_years, "ptr_primary", years, "province")
    n_provinces = len(db.admin_units(demo_con, level=1))
    assert len(rows) == n_provinces * len(years)
    for year in years:
        engine = float(fetch("ptr_primary", "national", year, None, None)["value"].iloc[0])
        assert rows.loc[rows["year"] == year, "national"].tolist() == pytest.approx(
            [engine] * n_provinces)


def test_flow_year_needs_the_next_year():
    assert trends.flow_year([2021, 2022, 2023], 2023) == 2022
    assert trends.flow_year([2021, 2022, 2023], 2022) == 2022
    assert trends.flow_year([2021, 2023], 2023) is None


def test_flows_add_up_and_the_cohort_ends_at_the_engines_survival(fetch, demo_con, years,
                                                                  places):
    registry = registry_for(demo_con)
    year = trends.flow_year(years, years[-1])
    assert trends.flow_grades(registry, "primary") == [1, 2, 3, 4, 5]
    for area in places[:2]:
        flows = trends.flows(fetch, registry, "primary", year, area)
        wide = flows.pivot(index="grade", columns="kind", values="value")
        total = wide["repetition"] + wide["promotion"] + wide["dropout"]
        assert total.to_numpy() == pytest.approx(np.full(len(wide), 100.0))
        cohort = trends.cohort(flows)
        assert cohort["survival"].iloc[0] == 100.0
        assert list(cohort["survival"]) == sorted(cohort["survival"], reverse=True) or \
            flows["flags"].str.contains("inconsistent_flow").any()
        engine = fetch("survival_last_primary", area.level, year, None, None)
        if area.level != "national":
            engine = engine[engine["unit_code"] == area.code]
        assert cohort["survival"].iloc[-1] == pytest.approx(float(engine["value"].iloc[0]))


def test_a_missing_rate_stops_the_cohort():
    flows = pd.DataFrame({"grade": [1, 1, 2, 2, 3], "kind": ["repetition", "promotion"] * 2
                          + ["repetition"], "value": [10.0, 80.0, np.nan, 85.0, 5.0]})
    cohort = trends.cohort(flows)
    assert cohort["survival"].iloc[1] == pytest.approx(100 * 0.8 / 0.9)
    assert math.isnan(cohort["survival"].iloc[2])


def test_every_trend_chart_is_a_valid_vega_lite_spec(fetch, fetch_years, demo_con, years, places):
    from ui.sections import trend_charts

    rows = trends.series(fetch_years, "ger_primary", years, places, "sex")
    totals = trends.group_rows(rows, "T")
    names = list(dict.fromkeys(totals["area_name"]))
    common = dict(title="t", subtitle="s", year=years[-1], lang="en")
    trend_charts.lines_chart(totals, colour_field="area_name", colour_title="Area",
                             domain=names, colours=trend_charts.area_colours(names),
                             unit="%", y_title="y", **common).to_dict(validate=True)
    split = rows[rows["group"].isin(["F", "M"])]
    trend_charts.lines_chart(split, colour_field="group", colour_title="Group",
                             domain=["F", "M"], colours=["#E69F00", "#0072B2"], unit="%",
                             y_title="y", facet="area_name", **common).to_dict(validate=True)
    trend_charts.parity_chart(trends.group_rows(rows, "parity"), domain=names,
                              colours=trend_charts.area_colours(names), **common
                              ).to_dict(validate=True)
    trend_charts.panels_chart(trends.province_panels(fetch_years, "ger_primary", years, "province"),
                              unit="%", title="t", subtitle="s",
                              national_name="Lao", lang="en").to_dict(validate=True)
    registry = registry_for(demo_con)
    flows = trends.flows(fetch, registry, "primary", years[0], places[0])
    names = {"promotion": "P", "repetition": "R", "dropout": "D"}
    trend_charts.flows_chart(flows, title="t", subtitle="s", names=names, grade_label="g",
                             lang="en").to_dict(validate=True)
    trend_charts.survival_chart(trends.cohort(flows), title="t", subtitle="s",
                                grade_label="g", lang="en").to_dict(validate=True)


def test_a_group_an_area_does_not_have_is_left_out_not_counted_missing(fetch_years, demo_con,
                                                                        years, places):
    from lib import districts

    flags = districts.attributes(demo_con).set_index("code")["priority"]
    priority = next(code for code, flag in flags.items() if flag)
    area = Area("district", priority, "P")
    rows = trends.series(fetch_years, "ger_primary", years, [places[0], area], "priority")
    kept = trends.without_empty_groups(rows)
    mine = kept[kept["area_code"] == priority]
    assert set(mine["group"]) == {"T", "priority"}, "no 'other' line, no parity"
    national = kept[kept["area_code"] == places[0].code]
    assert {"T", "priority", "other", "parity"} <= set(national["group"])
