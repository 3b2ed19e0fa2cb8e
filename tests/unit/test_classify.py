"""Choropleth classes and colours (geo/classify.py) and what a map counts (lib/choropleth.py)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.classify import (DIVERGING, MAX_CLASSES, MIN_CLASSES, PARITY_BREAKS, SCHEMES,
                          SEQUENTIAL, Classes, assign, class_counts, classify,
                          diverging_colours, parse_breaks, qualitative_colours,
                          sequential_colours)
from lib import choropleth

VALUES = np.random.default_rng(7).gamma(4.0, 20.0, 148)  # 148 skewed district values


def luminance(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_quantiles_put_as_many_areas_in_each_class():
    classes = classify(VALUES, "quantiles", 5)
    counts, no_data = class_counts(assign(VALUES, classes), classes.k)
    assert classes.k == 5 and no_data == 0
    assert sum(counts) == 148 and max(counts) - min(counts) <= 1


def test_equal_intervals_split_the_range_evenly():
    classes = classify(VALUES, "equal_interval", 4)
    edges = np.array([classes.lower, *classes.uppers])
    assert np.allclose(np.diff(edges), (VALUES.max() - VALUES.min()) / 4)
    assert classes.uppers[-1] == pytest.approx(VALUES.max())


def test_natural_breaks_find_the_gaps_between_groups():
    groups = np.concatenate([np.full(20, 10.0), np.full(30, 50.0), np.full(25, 90.0),
                             np.linspace(9, 11, 5), np.linspace(49, 51, 5)])
    classes = classify(groups, "natural_breaks", 3)
    counts, _ = class_counts(assign(groups, classes), classes.k)
    assert counts == [25, 35, 25]


def test_many_values_use_sampled_natural_breaks_quickly():
    many = np.random.default_rng(1).normal(size=5000)
    classes = classify(many, "natural_breaks", 7)
    assert classes.k == 7 and classes.uppers[-1] == pytest.approx(many.max())


@pytest.mark.parametrize("scheme", [s for s in SCHEMES if s != "custom"])
@pytest.mark.parametrize("k", [1, 3, 7, 12])
def test_three_to_seven_classes(scheme, k):
    classes = classify(VALUES, scheme, k)
    assert classes.k == min(max(k, MIN_CLASSES), MAX_CLASSES)
    assert list(classes.uppers) == sorted(classes.uppers)
    assert classes.lower == pytest.approx(VALUES.min())


def test_few_distinct_values_give_fewer_classes_and_nothing_gives_none():
    assert classify([2.0, 2.0, 5.0, np.nan], "quantiles", 5).uppers == (2.0, 5.0)
    assert classify([np.nan, np.nan], "quantiles", 5).k == 0
    assert classify([], "natural_breaks").k == 0
    assert (assign([1.0, np.nan], classify([], "quantiles")) == -1).all()


def test_custom_breaks_have_open_ends():
    classes = classify([85.0, 95.0, 105.0, 120.0], "custom", breaks=[110, 90, 100, 100])
    assert classes.uppers == (90.0, 100.0, 110.0, math.inf)
    assert classes.lower == 85.0
    assert assign([85, 90, 90.5, 100, 110, 111, np.nan], classes).tolist() == \
        [0, 0, 1, 1, 2, 3, -1]
    above_all = classify([95.0, 99.0], "custom", breaks=[90, 100])
    assert above_all.lower == -math.inf  # the first class is empty: "up to 90"


@pytest.mark.parametrize("breaks", [[], [1.0], [1, 2, 3, 4, 5, 6, 7]])
def test_custom_breaks_need_two_to_six_points(breaks):
    with pytest.raises(ValueError, match="break points"):
        classify(VALUES, "custom", breaks=breaks)


def test_parse_breaks():
    assert parse_breaks("90, 100;110  80") == [80.0, 90.0, 100.0, 110.0]
    assert parse_breaks(" ") == []
    with pytest.raises(ValueError, match="abc"):
        parse_breaks("90, abc")
    with pytest.raises(ValueError):
        parse_breaks("1, inf")


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="quantiles"):
        classify(VALUES, "jenks")


def test_values_outside_the_classes_go_to_the_end_classes():
    classes = Classes("quantiles", 10.0, (20.0, 30.0, 40.0))
    assert assign([5.0, 10.0, 25.0, 40.0, 99.0], classes).tolist() == [0, 0, 1, 2, 2]


def test_legend_counts_include_no_data():
    counts, no_data = class_counts(np.array([0, 2, 2, -1, 1, -1]), 4)
    assert counts == [1, 1, 2, 0] and no_data == 2


@pytest.mark.parametrize("k", range(MIN_CLASSES, MAX_CLASSES + 1))
def test_sequential_palette_is_darkest_at_the_worse_end(k):
    better_up = sequential_colours(k, higher_is_better=True)
    better_down = sequential_colours(k, higher_is_better=False)
    no_direction = sequential_colours(k, higher_is_better=None)
    assert len(set(better_up)) == k
    # classes in ascending order of value: low values are worse when higher is better
    assert [luminance(c) for c in better_up] == sorted(luminance(c) for c in better_up)
    assert [luminance(c) for c in better_down] == sorted(
        (luminance(c) for c in better_down), reverse=True)
    assert better_down == no_direction == better_up[::-1]


def test_only_colour_blind_safe_palettes():
    assert "RdYlGn" not in SEQUENTIAL + DIVERGING and "Spectral" not in DIVERGING
    with pytest.raises(ValueError):
        sequential_colours(5, True, "RdYlGn")
    with pytest.raises(ValueError):
        diverging_colours(classify(VALUES), palette="Spectral")


def test_parity_palette_diverges_around_one():
    values = np.array([0.8, 0.92, 0.95, 1.0, 1.01, 1.05, 1.2, np.nan])
    classes = classify(values, "custom", breaks=PARITY_BREAKS)
    colours = diverging_colours(classes)
    assert len(colours) == classes.k == 5 and len(set(colours)) == 5
    middle = colours[2]  # 0.97-1.03 holds parity: the palette's neutral middle
    assert middle == diverging_colours(Classes("custom", 0.5, (1.5,)))[0]
    # further from 1 is deeper on each side
    assert luminance(colours[0]) < luminance(colours[1]) < luminance(middle)
    assert luminance(colours[4]) < luminance(colours[3]) < luminance(middle)


def test_parity_classes_all_on_one_side_still_differ():
    classes = Classes("quantiles", 0.5, (0.6, 0.7, 0.8, 0.9))
    colours = diverging_colours(classes)
    assert len(set(colours)) == 4
    assert [luminance(c) for c in colours] == sorted(luminance(c) for c in colours)


def test_school_colours():
    assert len(set(qualitative_colours(3))) == 3
    assert len(qualitative_colours(2)) == 2
    ordered = qualitative_colours(4, ordered=True)
    assert [luminance(c) for c in ordered] == sorted((luminance(c) for c in ordered),
                                                      reverse=True)


# --------------------------------------------------------------------------- lib.choropleth


class _Ind:  # the one attribute of an Indicator that colours read
    def __init__(self, higher_is_better):
        self.higher_is_better = higher_is_better


def rows(values: list[float]) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({"unit_code": [f"{i:04d}" for i in range(n)],
                         "unit_name": [f"Area {i}" for i in range(n)], "year": 2023,
                         "group": "T", "value": values, "numerator": np.arange(n) * 10.0,
                         "denominator": 100.0, "flags": ""})


def test_an_area_drilled_into_keeps_the_country_classes():
    frame = rows([10, 20, 30, 40, 50, 60, 70, 80, 90, np.nan])
    country = choropleth.build(frame, _Ind(True), scheme="quantiles", k=3)
    some = choropleth.build(frame, _Ind(True), scheme="quantiles", k=3,
                            shown=["0008", "0000", "0009"])
    assert some.classes == country.classes and some.colours == country.colours
    assert some.areas["unit_code"].tolist() == ["0008", "0000", "0009"]
    assert some.areas["k"].tolist() == [2, 0, -1]
    assert some.counts == (1, 0, 1) and some.no_data == 1
    assert sum(country.counts) + country.no_data == 10


def test_parity_gets_a_diverging_palette_and_the_table_has_class_bounds():
    frame = rows([0.85, 0.95, 1.0, 1.06, 1.2]).assign(group="parity")
    ch = choropleth.build(choropleth.group_rows(frame, "parity"), _Ind(True),
                          group="parity", scheme="custom", breaks=PARITY_BREAKS,
                          palette="YlOrRd")  # not diverging: the default is taken
    assert ch.parity and ch.colours == tuple(diverging_colours(ch.classes, 1.0, DIVERGING[0]))
    table = choropleth.table(ch)
    assert table["class"].tolist() == [1, 2, 3, 4, 5]
    assert math.isnan(table["class_to"].iloc[-1]) and table["class_from"].iloc[-1] == 1.10
    csv = choropleth.csv_bytes(ch).decode("utf-8-sig")
    assert csv.splitlines()[0] == ("unit_code,unit_name,year,group,value,numerator,"
                                   "denominator,flags,class,class_from,class_to")


def test_a_change_map_shows_the_change_and_says_where_it_cannot():
    now = rows([60.0, 75.0, np.nan, 50.0]).assign(flags=["", "small_denominator", "", ""])
    before = rows([55.0, 80.0, 40.0]).iloc[[2, 0, 1]]  # another order; area 0003 missing
    change = choropleth.change_rows(now, before)
    assert change["unit_code"].tolist() == ["0000", "0001", "0002", "0003"]
    assert change["value"].tolist()[:2] == [5.0, -5.0]
    assert change["value"].isna().tolist() == [False, False, True, True]
    assert change["value_now"].tolist()[:2] == [60.0, 75.0]
    assert change["value_before"].tolist()[:3] == [55.0, 80.0, 40.0]
    # Where either year has no value: no comparable value, said by a flag.
    assert change["flags"].tolist() == ["", "small_denominator", "no_comparable_value",
                                        "no_comparable_value"]
    ch = choropleth.build(change, _Ind(True), scheme="custom", breaks=(-2.0, 2.0),
                          change=True)
    assert ch.areas["k"].tolist() == [2, 0, -1, -1] and ch.no_data == 2
    # Diverging around no change; a fall (worse, when higher is better) on the low side.
    assert ch.colours == tuple(diverging_colours(ch.classes, 0.0, DIVERGING[0]))
    lower_better = choropleth.build(change, _Ind(False), scheme="custom",
                                    breaks=(-2.0, 2.0), change=True)
    assert lower_better.colours == tuple(reversed(ch.colours))
    assert choropleth.table(ch).columns.tolist()[-5:] == [
        "value_now", "value_before", "class", "class_from", "class_to"]


def test_a_change_maps_quantiles_never_mix_falls_and_rises():
    values = np.array([-6.0, -3.0, -1.0, -0.2, 0.1, 0.5, 1.0, 2.0, 4.0, 9.0, np.nan])
    small, large = np.percentile(np.abs(values[:-1]), [33, 75])
    assert choropleth.change_breaks(values) == (-large, -small, small, large)
    change = rows(list(values)).assign(value_now=0.0, value_before=0.0)
    ch = choropleth.build(change, _Ind(True), change=True)  # quantiles, the default
    for k in range(ch.classes.k):
        lo, hi = ch.classes.bounds(k)
        assert hi <= 0 or lo >= 0 or (lo < 0 < hi and -lo == pytest.approx(hi)), (lo, hi)
    assert choropleth.change_breaks(np.array([0.0, 0.0, np.nan])) == ()
