"""Population by age group split into single ages (lib/age_groups.py): spreadsheet age
groups are read strictly, Sprague multipliers reproduce what they must (constants, cubics)
and keep every group's total, and a series that cannot be split is named, not raised."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lib.age_groups import (EVEN, METHOD, METHOD_SENTENCE, OPEN, PANEL_TARGET, SINGLE,
                            SPRAGUE, SPRAGUE_PANELS, AgeGroup, parse_age_group, series_fault,
                            single_ages_table, split_to_single_ages)


def five_year_groups(counts, start=0):
    return [(start + 5 * i, start + 5 * i + 4, count) for i, count in enumerate(counts)]


def assert_totals_kept(groups, split):
    for lower, upper, count in groups:
        if upper is None:
            continue
        total = sum(split.ages[age] for age in range(lower, upper + 1))
        assert math.isclose(total, count, rel_tol=1e-9, abs_tol=1e-9), (lower, upper)


# --- reading age groups ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("5-9", (5, 9)), ("5–9", (5, 9)), ("5—9", (5, 9)), ("05 - 09", (5, 9)),
    ("5 to 9", (5, 9)), ("10-14 years", (10, 14)), (" 10-14 Years ", (10, 14)),
    ("10-14years", (10, 14)), ("1-4 yrs", (1, 4)),
    ("0-4", (0, 4)), ("65+", (65, None)), ("65 +", (65, None)),
    ("65 and over", (65, None)), ("65 years and over", (65, None)),
    ("80 or more", (80, None)), ("7", (7, 7)), ("7 years", (7, 7)), ("7.0", (7, 7)),
    ("<1", (0, 0)), ("< 1", (0, 0)), ("under 1", (0, 0)), ("Under 1 year", (0, 0)),
    ("<5", (0, 4)), ("120", (120, 120)),
])
def test_age_groups_are_read_as_spreadsheets_write_them(text, expected):
    assert parse_age_group(text) == expected


@pytest.mark.parametrize("text", [
    "abc", "5-", "-5", "9-5", "5--9", "5-9-14", "", "   ", "5 9", "+65", "65++", "<0",
    "under", "5 to", "121", "100-130", "5.5", "5-9.5", "09-May", None, True, "nan",
    "5-9 yearsx", "ayears 5",
])
def test_what_is_not_an_age_group_is_none(text):
    assert parse_age_group(text) is None


# --- the published multipliers ---------------------------------------------------------------

def test_each_panel_keeps_group_totals_and_splits_a_constant_evenly():
    for name, panel in SPRAGUE_PANELS.items():
        assert panel.shape == (5, 5)
        # a group's five ages take all of it and nothing of its neighbours
        expected = [1.0 if column == PANEL_TARGET[name] else 0.0 for column in range(5)]
        assert panel.sum(axis=0) == pytest.approx(expected, abs=1e-12), name
        # a constant population gives each age a fifth of a group
        assert panel.sum(axis=1) == pytest.approx([0.2] * 5, abs=1e-12), name


def test_the_last_panels_mirror_the_first_ones():
    panels = SPRAGUE_PANELS
    assert np.array_equal(panels["last"], panels["first"][::-1, ::-1])
    assert np.array_equal(panels["next_to_last"], panels["second"][::-1, ::-1])
    assert np.array_equal(panels["middle"], panels["middle"][::-1, ::-1])
    assert panels["first"][0, 0] == 0.3616 and panels["middle"][2, 2] == 0.2544


def test_the_method_is_named_for_warnings():
    assert "Sprague" in METHOD and "Sprague" in METHOD_SENTENCE
    assert METHOD_SENTENCE.count(". ") == 0 and METHOD_SENTENCE.endswith(".")


# --- Sprague ---------------------------------------------------------------------------------

def test_five_equal_groups_give_equal_single_ages():
    split = split_to_single_ages(five_year_groups([500] * 5))
    assert dict(split.ages) == {age: 100.0 for age in range(25)}
    assert [m.method for m in split.methods] == [SPRAGUE] * 5


def test_a_linear_population_comes_back_exactly():
    # ages 10 … 44 hold 2 * age + 1 people; group 10-14 holds 21+23+25+27+29 = 125, …
    groups = five_year_groups([125, 175, 225, 275, 325, 375, 425], start=10)
    split = split_to_single_ages(groups)
    assert [split.ages[age] for age in range(10, 45)] == pytest.approx(
        [2 * age + 1 for age in range(10, 45)], abs=1e-9)


def test_a_cubic_population_comes_back_exactly():
    """Sprague's fifth-difference formula reproduces a cumulative population of degree four:
    single ages on a cubic come back exactly, in the middle panel and at both ends."""
    def people(age):
        return 2_000 + 40 * age - 3 * age**2 + 0.06 * age**3

    groups = [(lower, lower + 4, sum(people(a) for a in range(lower, lower + 5)))
              for lower in range(0, 50, 5)]
    split = split_to_single_ages(groups)
    assert {m.method for m in split.methods} == {SPRAGUE}
    assert not any(m.clamped for m in split.methods)
    for age in range(50):
        assert split.ages[age] == pytest.approx(people(age), rel=1e-12), age


def test_totals_are_kept_for_uneven_groups():
    groups = five_year_groups([9_811, 8_702, 8_120, 7_034, 6_555, 5_101, 4_877, 3_002])
    split = split_to_single_ages(groups)
    assert_totals_kept(groups, split)
    assert sorted(split.ages) == list(range(40))


def test_negative_single_ages_are_set_to_zero_and_the_group_keeps_its_total():
    # Group 5-9 is the run's second: its ages are the second panel applied to 1000, 10, 10,
    # 10: 1000 * 0.0336 + 10 * (0.2272 - 0.0752 + 0.0144) = 35.264, then 9.92, -5.92,
    # -13.84 and -15.424 (they sum to 10). The negatives become 0 and 35.264 and 9.92 are
    # scaled by 10 / 45.184 so the group still holds 10.
    groups = five_year_groups([1_000, 10, 10, 10, 10])
    split = split_to_single_ages(groups)
    assert [split.ages[age] for age in range(5, 10)] == pytest.approx(
        [35.264 * 10 / 45.184, 9.92 * 10 / 45.184, 0, 0, 0], rel=1e-12)
    assert all(value >= 0 for value in split.ages.values())
    assert_totals_kept(groups, split)
    clamped = {m.group.lower: m.clamped for m in split.methods}
    assert clamped[5] and not clamped[0]


def test_a_group_of_zero_stays_zero_even_beside_large_ones():
    groups = five_year_groups([1_000, 0, 0, 0, 0])
    split = split_to_single_ages(groups)
    assert [split.ages[age] for age in range(5, 25)] == [0.0] * 20
    assert_totals_kept(groups, split)


# --- other groups ----------------------------------------------------------------------------

def test_single_ages_pass_through_and_other_widths_are_spread_evenly():
    groups = [(0, 0, 31.0), (1, 1, 29.0), (2, 2, 28.5), (3, 5, 300), (6, 11, 600),
              (12, 14, 90)]
    split = split_to_single_ages(groups)
    assert dict(split.ages) == {0: 31.0, 1: 29.0, 2: 28.5, 3: 100.0, 4: 100.0, 5: 100.0,
                                **{age: 100.0 for age in range(6, 12)},
                                12: 30.0, 13: 30.0, 14: 30.0}
    assert [m.method for m in split.methods] == [SINGLE, SINGLE, SINGLE, EVEN, EVEN, EVEN]


def test_fewer_than_five_five_year_groups_are_spread_evenly():
    split = split_to_single_ages(five_year_groups([500, 1_000, 250, 50], start=5))
    assert [split.ages[age] for age in range(5, 25)] == (
        [100.0] * 5 + [200.0] * 5 + [50.0] * 5 + [10.0] * 5)
    assert {m.method for m in split.methods} == {EVEN}


def test_only_runs_of_five_year_groups_use_sprague():
    # <1, 1-4, then five five-year groups: the first two are not five-year groups
    groups = [(0, 0, 90), (1, 3, 270), (4, 4, 88), *five_year_groups([500] * 5, start=5)]
    split = split_to_single_ages(groups)
    assert [m.method for m in split.methods] == [SINGLE, EVEN, SINGLE] + [SPRAGUE] * 5
    assert [split.ages[age] for age in range(5, 30)] == [100.0] * 25
    assert split.ages[2] == 90.0


def test_the_open_ended_group_is_not_split_nor_used_as_a_neighbour():
    groups = [*five_year_groups([500] * 5), (25, None, 7_000)]
    split = split_to_single_ages(groups)
    # a neighbour of 7,000 would have tilted ages 15-24; they stay at 100
    assert dict(split.ages) == {age: 100.0 for age in range(25)}
    assert split.open_group == AgeGroup(25, None, 7_000)
    assert split.methods[-1].method == OPEN and len(split.methods) == 6


def test_groups_may_come_in_any_order_and_start_at_any_age():
    groups = five_year_groups([500] * 5, start=6)[::-1]
    split = split_to_single_ages(groups)
    assert sorted(split.ages) == list(range(6, 31))
    assert [m.group.lower for m in split.methods] == [6, 11, 16, 21, 26]


@pytest.mark.parametrize("groups, reason", [
    ([(0, 4, 10), (3, 9, 10)], "age groups 0-4 and 3-9 overlap"),
    ([(0, 4, 10), (0, 4, 10)], "age groups 0-4 and 0-4 overlap"),
    ([(0, 4, 10), (10, 14, 10)], "no age group covers ages 5-9 (between 0-4 and 10-14)"),
    ([(0, 4, 10), (6, 9, 10)], "no age group covers ages 5 (between 0-4 and 6-9)"),
    ([(0, 4, 10), (5, None, 10), (10, 14, 10)],
     "the open-ended age group 5+ is followed by age group 10-14"),
    ([(0, 4, math.nan)], "age group 0-4 has no population"),
    ([(0, 4, -3)], "age group 0-4 has a negative population (-3)"),
    ([(5, 4, 1)], "age group 5-4 ends before it starts"),
])
def test_a_series_that_cannot_be_split_says_why(groups, reason):
    assert series_fault(groups) == reason
    with pytest.raises(ValueError, match=reason.replace("(", r"\(").replace(")", r"\)")
                       .replace("+", r"\+")):
        split_to_single_ages(groups)


def test_an_empty_series_gives_no_ages():
    assert series_fault([]) is None
    assert dict(split_to_single_ages([]).ages) == {}


# --- the population table --------------------------------------------------------------------

def test_a_table_is_split_series_by_series_and_faults_are_named():
    good = [(2023, "0101", "F", lower, upper, count)
            for lower, upper, count in five_year_groups([500] * 5)]
    good += [(2023, "0101", "F", 25, None, 4_000)]
    small = [(2023, "0101", "M", 0, 4, 50), (2023, "0101", "M", 5, 9, 100)]
    gap = [(2024, "0102", "F", 0, 4, 50), (2024, "0102", "F", 10, 14, 100)]
    frame = pd.DataFrame(good + small + gap, columns=[
        "year", "district_code", "sex", "age_lower", "age_upper", "population"])
    frame["age_upper"] = frame["age_upper"].astype("Int64")

    table = single_ages_table(frame)

    population = table.population
    assert list(population.columns) == ["year", "district_code", "sex", "age", "population"]
    women = population[population.sex == "F"]
    assert list(women.age) == list(range(25)) and set(women.population) == {100.0}
    men = population[population.sex == "M"]
    assert list(men.population) == [10.0] * 5 + [20.0] * 5
    assert (2024, "0102", "F") not in set(zip(population.year, population.district_code,
                                              population.sex))
    (fault,) = table.faults
    assert fault.key == (2024, "0102", "F")
    assert fault.reason == "no age group covers ages 5-9 (between 0-4 and 10-14)"
    assert "2024" in str(fault) and "0102" in str(fault)
    methods = table.methods
    assert list(methods[methods.sex == "F"].method) == [SPRAGUE] * 5 + [OPEN]
    assert methods[methods.sex == "F"].age_upper.isna().tolist() == [False] * 5 + [True]
    assert set(methods[methods.sex == "M"].method) == {EVEN}


def test_a_table_with_broken_numbers_reports_instead_of_raising():
    frame = pd.DataFrame({
        "year": [2023, 2023, 2023, 2023], "district_code": ["01", "01", "02", "03"],
        "sex": ["F", "F", "F", "F"], "age_lower": [0, 5, None, 2.5],
        "age_upper": [4, 9, 4, 4], "population": [10.0, None, 10.0, 10.0]})
    table = single_ages_table(frame)
    assert table.population.empty
    assert [(f.key[1], f.reason) for f in table.faults] == [
        ("01", "age group 5-9 has no population"),
        ("02", "an age group's lower age is empty, not a whole number"),
        ("03", "an age group's lower age is '2.5', not a whole number"),
    ]


def test_an_empty_table_gives_empty_frames():
    frame = pd.DataFrame(columns=["year", "district_code", "sex", "age_lower", "age_upper",
                                  "population"])
    table = single_ages_table(frame)
    assert table.population.empty and table.methods.empty and table.faults == ()
