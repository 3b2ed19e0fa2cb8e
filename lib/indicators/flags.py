"""Flags that qualify an indicator value, and the thresholds that raise them (contract §3).

A flag never hides or changes a value: values are reported as computed and flags say why a
reader should be careful.
"""
from __future__ import annotations

from collections.abc import Iterable

SMALL_DENOMINATOR = "small_denominator"
OVER_100 = "over_100"
UNKNOWN_AGE = "unknown_age"
INCONSISTENT_FLOW = "inconsistent_flow"
INCOMPLETE_YEARS = "incomplete_years"
INCOMPLETE_REPORTING = "incomplete_reporting"
NO_POPULATION = "no_population"
GROUPS_MISMATCH = "groups_mismatch"
SUPPRESSED = "suppressed"  # hidden in a public view (lib.disclosure)

# The order in which flags are listed in a ``;``-separated string.
FLAGS: tuple[str, ...] = (SMALL_DENOMINATOR, OVER_100, UNKNOWN_AGE, INCONSISTENT_FLOW,
                          INCOMPLETE_YEARS, INCOMPLETE_REPORTING, NO_POPULATION,
                          GROUPS_MISMATCH, SUPPRESSED)

# Below these denominators a value is flagged small, by what the denominator counts.
SMALL_DENOMINATOR_BELOW: dict[str, int] = {
    "pupils": 30,
    "children": 50,
    "teachers": 5,
    "classrooms": 5,
    "schools": 5,
}

# Flag unknown_age when more than this share of the enrolment concerned has no age.
UNKNOWN_AGE_SHARE = 0.05
# Flag incomplete_reporting when fewer than this share of reporting schools reported.
REPORTING_SHARE = 0.90
# Flag groups_mismatch when a dimension's groups add up to more than this far from the
# enrolment (some schools do not report the dimension, or a group is counted twice).
GROUPS_TOLERANCE = 0.005

DESCRIPTIONS: dict[str, dict[str, str]] = {"en": {
    SMALL_DENOMINATOR: "small denominator (fewer than 30 pupils, 50 children, 5 teachers, "
                       "5 classrooms or 5 schools): the value is unstable",
    OVER_100: "a net rate above 100% (or a negative out-of-school rate): enrolment and "
              "population disagree; shown as computed, not capped",
    UNKNOWN_AGE: "more than 5% of the pupils concerned have no age; they are left out of "
                 "age-specific numerators",
    INCONSISTENT_FLOW: "a flow rate below 0 or above 100 (transfers, re-entrants, schools "
                       "opening or closing); shown as computed, not clipped",
    INCOMPLETE_YEARS: "no data for the next school year: flow rates need two years",
    INCOMPLETE_REPORTING: "fewer than 90% of reporting schools reported this item",
    NO_POPULATION: "no population for this area and year",
    GROUPS_MISMATCH: "the groups do not add up to the enrolment (some schools do not report "
                     "them, or report a pupil twice): the shares describe the pupils whose "
                     "group is reported",
    SUPPRESSED: "not published: a small number that could identify a pupil or a teacher, "
                "or one that would give such a number back",
}}


def join_flags(flags: list[str] | tuple[str, ...] | set[str]) -> str:
    """Flags as the contract's ``;``-separated string, in the canonical order."""
    present = set(flags)
    return ";".join(f for f in FLAGS if f in present)


def split_flags(text: str) -> list[str]:
    return [f for f in (text or "").split(";") if f]


def no_value_before_next_year(values: Iterable[object], flags: Iterable[object]) -> bool:
    """Whether no row has a value and some wait for the next school year (the flow rates of
    an extract's last year): the reader should pick an earlier year."""
    values = list(values)
    known = [v for v in values if isinstance(v, (int, float)) and v == v]
    return bool(values) and not known and any(
        INCOMPLETE_YEARS in split_flags(f if isinstance(f, str) else "") for f in flags)
