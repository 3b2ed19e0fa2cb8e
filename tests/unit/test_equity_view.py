"""The data behind each chart of the Equity page (lib/equity_view.py), checked against the
indicator engine on the demo extract, and every chart's Vega-Lite spec validated."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib import areas, db, districts, equity_view, targets
from lib.equity_view import INDEX, VALUE
from lib.indicators import compute, preferred_indicator, registry_for
from lib.indicators.disparity import disparity


@pytest.fixture(scope="module")
def year(demo_con) -> int:
    return max(db.extract_info(demo_con).years)


def frame_and_national(con, indicator_id, year, by, level="district", area=None):
    return (compute(con, indicator_id, level, year, by=by, area=area),
            compute(con, indicator_id, "national", year, by=by))


# --------------------------------------------------------------------------- choices


def test_indicators_are_rates_with_a_dimension(demo_con):
    registry = registry_for(demo_con)
    options = equity_view.indicators(registry, "primary")
    assert "ger_primary" in options and "ptr_primary" in options
    assert not any(registry.get(i).is_count for i in options)
    # the demo gives the population by ethnicity: the GER splits by it
    assert equity_view.dimensions(registry.get("ger_primary")) == ["sex", "priority",
                                                                   "ethnicity"]
    assert equity_view.dimensions(registry.get("ptr_primary")) == ["locality", "priority",
                                                                   "ownership"]
    assert preferred_indicator(options, "primary", "nope") == "ger_primary"
    assert preferred_indicator(options, "primary", "ptr_primary") == "ptr_primary"


@pytest.mark.parametrize("value, band", [(0.5, "below"), (0.9699, "below"), (0.97, "parity"),
                                         (1.0, "parity"), (1.03, "parity"),
                                         (1.0301, "above"), (float("nan"), "no_data"),
                                         (None, "no_data")])
def test_parity_bands(value, band):
    assert equity_view.parity_band(value) == band


# --------------------------------------------------------------------------- ranking


@pytest.mark.parametrize("indicator_id", ["ger_primary", "ptr_primary"])
def test_the_ranking_is_sorted_worst_first_with_the_engines_national_value(demo_con, year,
                                                                           indicator_id):
    frame, national = frame_and_national(demo_con, indicator_id, year, None)
    better = registry_for(demo_con).get(indicator_id).higher_is_better
    ranked = equity_view.ranking(frame, national, measure=VALUE, higher_is_better=better,
                                 target=99.0)
    known = ranked.rows[ranked.rows["value"].notna()]
    values = known["value"].to_numpy()
    assert list(values) == sorted(values, reverse=not better)
    assert list(known["rank"]) == list(range(1, len(known) + 1))
    assert ranked.rows["value"].iloc[len(known):].isna().all(), "no data comes last"
    assert ranked.national == pytest.approx(float(national["value"].iloc[0]))
    assert ranked.target == 99.0
    assert set(ranked.rows["unit_code"]) == set(frame["unit_code"])
    engine = frame.set_index("unit_code")["value"]
    for code, value in zip(known["unit_code"], known["value"]):
        assert value == pytest.approx(engine[code])


def test_the_parity_ranking_is_lowest_first_and_has_bands_and_no_target(demo_con, year):
    frame, national = frame_and_national(demo_con, "ger_primary", year, "sex")
    ranked = equity_view.ranking(frame, national, measure=INDEX, higher_is_better=True,
                                 target=110.0)
    known = ranked.rows[ranked.rows["value"].notna()]
    assert list(known["value"]) == sorted(known["value"])
    assert ranked.target is None, "a target is a value, not a parity index"
    parity = national.loc[national["group"] == "parity", "value"].iloc[0]
    assert ranked.national == pytest.approx(parity)
    assert set(known["band"]) <= {"below", "parity", "above"}


def test_when_lower_is_better_a_parity_above_1_puts_the_first_group_behind(demo_con, year):
    """Rural schools with fewer pupils per teacher (index below 1) are better off: the
    ranking puts the highest index first, and orange (behind) goes above 1, on the map
    and on the bars alike."""
    from lib import choropleth
    from ui.sections import equity_charts

    frame, national = frame_and_national(demo_con, "ptr_primary", year, "locality", "province")
    ranked = equity_view.ranking(frame, national, measure=INDEX, higher_is_better=False)
    known = ranked.rows[ranked.rows["value"].notna()]
    assert list(known["value"]) == sorted(known["value"], reverse=True)
    assert equity_view.parity_direction(False) == "lower"
    assert equity_view.parity_direction(True) == "higher"
    assert equity_view.parity_direction(None) == "none"
    ptr = registry_for(demo_con).get("ptr_primary")
    rows = choropleth.group_rows(frame, "parity")
    ch = choropleth.build(rows, ptr, group="parity", scheme="custom", k=5,
                          breaks=(0.90, 0.97, 1.03, 1.10))
    ger = registry_for(demo_con).get("ger_primary")
    mirrored = choropleth.build(rows, ger, group="parity", scheme="custom", k=5,
                                breaks=(0.90, 0.97, 1.03, 1.10))
    assert ch.colours == tuple(reversed(mirrored.colours)), "the sides swap, parity stays"
    assert ch.colours[-1] == equity_charts.BEHIND and mirrored.colours[0] == \
        equity_charts.BEHIND
    spec = equity_charts.ranking_chart(ranked, "index", title="t", subtitle="s",
                                       x_title="x", higher_is_better=False,
                                       lang="en").to_dict()
    bars = next(v for v in spec["datasets"].values() if v and "band" in v[0])
    for bar in bars:
        if bar["band"] == "above":
            assert bar["colour"] == equity_charts.BEHIND
        elif bar["band"] == "below":
            assert bar["colour"] == equity_charts.AHEAD


def test_no_data_is_kept_as_no_data_never_zero():
    frame = pd.DataFrame({"unit_code": ["a", "b", "c"], "unit_name": ["A", "B", "C"],
                          "year": 2023, "group": "T", "value": [50.0, np.nan, 40.0],
                          "numerator": np.nan, "denominator": np.nan,
                          "flags": ["", "no_population", "small_denominator"]})
    national = frame.iloc[0:1].assign(value=45.0)
    ranked = equity_view.ranking(frame, national, measure=VALUE, higher_is_better=True)
    assert list(ranked.rows["unit_code"]) == ["c", "a", "b"]
    assert math.isnan(ranked.rows["value"].iloc[-1]) and ranked.no_data == 1
    assert list(ranked.rows["small"]) == [True, False, False]
    assert list(ranked.rows["flagged"]) == [True, False, True]
    bottom = equity_view.bottom(ranked, 5)
    assert list(bottom["unit_code"]) == ["c", "a"], "areas without a value are not ranked"
    assert list(bottom["gap"]) == [-5.0, 5.0]


# --------------------------------------------------------------------------- groups


def test_parity_table_matches_the_engine(demo_con, year):
    frame = compute(demo_con, "ger_primary", "district", year, by="sex")
    table = equity_view.parity_table(frame)
    assert len(table) == frame["unit_code"].nunique()
    engine = frame.set_index(["unit_code", "group"])["value"]
    for row in table.itertuples(index=False):
        assert row.F == pytest.approx(engine[(row.unit_code, "F")], nan_ok=True)
        assert row.parity == pytest.approx(engine[(row.unit_code, "parity")], nan_ok=True)
        assert row.band == equity_view.parity_band(row.parity)


def test_ownership_groups_side_by_side(demo_con, year):
    frame = compute(demo_con, "ptr_primary", "province", year, by="ownership")
    rows = equity_view.side_by_side(frame)
    assert set(rows["group"]) <= {"public", "private", "community"}
    assert len(rows) == 3 * frame["unit_code"].nunique(), "a missing group stays, as NaN"
    totals = frame[frame["group"] == "T"].set_index("unit_code")["value"]
    order = list(dict.fromkeys(rows["unit_code"]))
    assert list(totals[order].dropna()) == sorted(totals.dropna(), reverse=True)


# --------------------------------------------------------------------------- inequality


@pytest.mark.parametrize("share, words", [(0.0, "none"), (0.01, "almost_none"),
                                          (0.27, "a_quarter"), (0.5, "half"),
                                          (0.65, "two_thirds"), (0.73, "three_quarters"),
                                          (0.99, "almost_all"), (1.0, "all"),
                                          (float("nan"), "unknown")])
def test_fraction_words(share, words):
    assert equity_view.fraction_words(share) == words


def test_readings_add_up_and_name_the_extremes(demo_con, year):
    found = disparity(demo_con, "ger_primary", "district", year)
    frame = compute(demo_con, "ger_primary", "district", year)
    items = {r.measure: r for r in equity_view.readings(found, frame)}
    q = found.inequality
    assert items["min"].value == q.min and items["max"].value == q.max
    lowest = frame.loc[frame["value"].idxmin(), "unit_name"]
    assert items["min"].area == lowest
    assert items["gini"].percent == pytest.approx(200 * q.gini)
    between, within = items["theil_between"], items["theil_within"]
    assert between.value + within.value == pytest.approx(q.theil_t)
    assert between.percent + within.percent == pytest.approx(100.0)
    assert within.fraction == equity_view.fraction_words(within.percent / 100)
    provinces = disparity(demo_con, "ger_primary", "province", year)
    measures = [r.measure for r in equity_view.readings(
        provinces, compute(demo_con, "ger_primary", "province", year))]
    assert "theil_within" not in measures, "provinces have no within-province part"
    theil = next(r for r in equity_view.readings(provinces, compute(
        demo_con, "ger_primary", "province", year)) if r.measure == "theil_t")
    assert theil.key == "theil", "no talk of a split that is not shown"
    assert items["theil_t"].key == "theil_split"


def test_a_tiny_theil_keeps_three_significant_digits():
    from ui.sections.equity_charts import measure_value

    def value(measure, v):
        return measure_value(equity_view.Reading(measure, v, "theil"), "%", "en")

    assert value("theil_t", 0.000215) == "0.000215"
    assert value("theil_between", 0.0000712) == "0.0000712"
    assert value("theil_t", 0.0345) == "0.0345"
    assert value("gini", 0.0345) == "0.035"


def test_weights_follow_the_contract(demo_con):
    registry = registry_for(demo_con)
    assert equity_view.weight_kind(registry.get("ger_primary")) == "population"
    assert equity_view.weight_kind(registry.get("repetition_g1")) == "enrolment"
    assert equity_view.weight_kind(registry.get("ptr_primary")) == "pupils"
    assert equity_view.weight_kind(registry.get("multigrade_schools_primary")) == "schools"


# --------------------------------------------------------------------------- scatter


def test_scatter_points_are_the_engines_values(demo_con, year):
    x = compute(demo_con, "ptr_primary", "district", year)
    y = compute(demo_con, "ger_primary", "district", year)
    attrs = districts.attributes(demo_con)
    units = db.admin_units(demo_con)
    names = areas.area_names(units, "en")
    points, left_out = equity_view.scatter(x, y, attrs, names, size=y,
                                           size_field="denominator")
    assert len(points) + left_out == x["unit_code"].nunique()
    xs, ys = x.set_index("unit_code"), y.set_index("unit_code")
    for p in points.itertuples(index=False):
        assert p.x == pytest.approx(xs.at[p.unit_code, "value"])
        assert p.y == pytest.approx(ys.at[p.unit_code, "value"])
        assert p.size == pytest.approx(ys.at[p.unit_code, "denominator"])
    parent = dict(zip(attrs["code"], attrs["province_code"]))
    assert list(points["province"]) == [names[parent[c]] for c in points["unit_code"]]
    assert points["priority"].dtype == bool
    assert equity_view.versus_default(["ger_primary", "ptr_primary"], "ger_primary",
                                      "primary") == "ptr_primary"
    assert equity_view.size_indicator(registry_for(demo_con), "primary") == (
        "ger_primary", "denominator", "population")


# --------------------------------------------------------------------------- targets


def test_targets_apply_from_the_first_due(demo_con):
    table = targets.read(demo_con)
    assert {"indicator", "year", "value", "source"} <= set(table.columns)
    plan = pd.DataFrame({"indicator": ["x", "x"], "year": [2025, 2030],
                         "value": [90.0, 95.0], "source": ["plan", "plan"]})
    assert targets.for_indicator(plan, "x", 2023).value == 90.0
    assert targets.for_indicator(plan, "x", 2026).value == 95.0
    assert targets.for_indicator(plan, "x", 2031).year == 2030
    assert targets.for_indicator(plan, "y", 2023) is None


# --------------------------------------------------------------------------- charts


def test_every_equity_chart_is_a_valid_vega_lite_spec(demo_con, year):
    from ui import chart_export
    from ui.sections import equity_charts

    registry = registry_for(demo_con)
    ger = registry.get("ger_primary")
    frame, national = frame_and_national(demo_con, "ger_primary", year, "sex")
    for measure in (VALUE, INDEX):
        ranked = equity_view.ranking(frame, national, measure=measure, higher_is_better=True,
                                     target=105.0)
        chart = equity_charts.ranking_chart(ranked, equity_charts.unit_of(ger, measure),
                                            title="t", subtitle="s", x_title="x",
                                            higher_is_better=True, lang="en")
        chart.to_dict(validate=True)
    own = compute(demo_con, "ptr_primary", "district", year, by="ownership")
    equity_charts.groups_chart(equity_view.side_by_side(own), "ratio",
                               {"public": "Public", "private": "Private",
                                "community": "Community"}, title="t", subtitle="s",
                               x_title="x", lang="en").to_dict(validate=True)
    x = compute(demo_con, "ptr_primary", "district", year)
    points, _ = equity_view.scatter(x, frame, districts.attributes(demo_con), {}, size=frame,
                                    size_field="denominator")
    for colour in ("priority", "province"):
        spec = chart_export.spec(equity_charts.scatter_chart(
            points, x_title="x", y_title="y", size_title="s", colour=colour,
            colour_title="c", national_x=20.0, national_y=100.0, title="t", subtitle="s",
            x_unit="ratio", y_unit="%", lang="en").properties())
        assert spec["layer"], "reference lines and points"
        equity_charts.scatter_chart(
            points, x_title="x", y_title="y", size_title="s", colour=colour,
            colour_title="c", national_x=20.0, national_y=100.0, title="t", subtitle="s",
            x_unit="ratio", y_unit="%", lang="en").to_dict(validate=True)
