"""Population by age group, split into single ages.

Population yearbooks rarely give single ages: they give children by age group (0-4, 5-9,
10-14, ..., 65+). Population-based rates (net enrolment, for instance) need the population
of single ages (6-10, 11-14, ...), so the build splits each series of groups (one year,
district and sex) into single ages:

* runs of at least five consecutive five-year groups are split with **Sprague multipliers**,
  the fifth-difference osculatory interpolation of the UN Population Division and of the US
  Census Bureau's PAS workbook SPRGUE (Shryock and Siegel, *The Methods and Materials of
  Demography*; Siegel and Swanson 2004, p. 727). Each group's single ages are a weighted sum
  of that group and its neighbours (two on each side in the middle of a run, the first or
  last four groups near its ends: the five panels of :data:`SPRAGUE_PANELS`); every group
  keeps its total, and a population whose single ages follow a polynomial of degree up to
  three comes back exactly;
* Sprague can give negative single ages where groups are small or uneven: those are set to
  0 and the other ages of the same group are scaled so that the group keeps its total (the
  usual practice);
* a group of one age is kept as it is;
* any other closed group (3-5, 6-11, or five-year groups in a run shorter than five) is
  spread evenly over its ages, and the method says so;
* an open-ended last group (65+) is not split: its width is unknown, so it is neither spread
  nor used as a neighbour of the groups before it (the run's last panel is used for them
  instead). It is returned apart (:attr:`SingleAges.open_group`) and left out of the
  single-age table; ages of school interest are well below it.

Pure: standard library, numpy and pandas only; no database, no Streamlit.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

METHOD = "Sprague multipliers (fifth-difference osculatory interpolation)"
METHOD_SENTENCE = (
    "Population given by five-year age groups was split into single ages with Sprague "
    "multipliers (fifth-difference osculatory interpolation, as used by the UN Population "
    "Division), keeping every group's total; other groups were spread evenly over their ages, "
    "and open-ended groups such as 65+ were left out.")

MAX_AGE = 120  # the oldest single age the population table accepts
SPRAGUE_WIDTH = 5  # Sprague multipliers split five-year groups …
SPRAGUE_MIN_GROUPS = 5  # … in runs of at least this many

# How a group became single ages (GroupMethod.method).
SPRAGUE = "sprague"  # Sprague multipliers
EVEN = "even"  # spread evenly over its ages: Sprague could not apply
SINGLE = "single"  # a group of one age, kept as it is
OPEN = "open"  # open-ended (65+): not split, left out
METHOD_WORDS = MappingProxyType({
    SPRAGUE: "split with Sprague multipliers",
    EVEN: "spread evenly over its ages (not part of five or more five-year groups in a row)",
    SINGLE: "a single age, kept as it is",
    OPEN: "open-ended: not split, left out of the single ages",
})

# Sprague multipliers (Shryock and Siegel; PAS SPRGUE). A panel's row i gives the share of
# the i-th single age of the target group in each of five consecutive groups (columns): the
# first two panels read the run's first five groups (the fifth weighs 0) for its first and
# second group; the middle panel reads groups g-2 … g+2 for group g; the last two panels
# read the run's last five groups (the first weighs 0) for its next-to-last and last group.
_FIRST = ((0.3616, -0.2768, 0.1488, -0.0336, 0.0),
          (0.2640, -0.0960, 0.0400, -0.0080, 0.0),
          (0.1840, 0.0400, -0.0320, 0.0080, 0.0),
          (0.1200, 0.1360, -0.0720, 0.0160, 0.0),
          (0.0704, 0.1968, -0.0848, 0.0176, 0.0))
_SECOND = ((0.0336, 0.2272, -0.0752, 0.0144, 0.0),
           (0.0080, 0.2320, -0.0480, 0.0080, 0.0),
           (-0.0080, 0.2160, -0.0080, 0.0000, 0.0),
           (-0.0160, 0.1840, 0.0400, -0.0080, 0.0),
           (-0.0176, 0.1408, 0.0912, -0.0144, 0.0))
_MIDDLE = ((-0.0128, 0.0848, 0.1504, -0.0240, 0.0016),
           (-0.0016, 0.0144, 0.2224, -0.0416, 0.0064),
           (0.0064, -0.0336, 0.2544, -0.0336, 0.0064),
           (0.0064, -0.0416, 0.2224, 0.0144, -0.0016),
           (0.0016, -0.0240, 0.1504, 0.0848, -0.0128))
_NEXT_TO_LAST = ((0.0, -0.0144, 0.0912, 0.1408, -0.0176),
                 (0.0, -0.0080, 0.0400, 0.1840, -0.0160),
                 (0.0, 0.0000, -0.0080, 0.2160, -0.0080),
                 (0.0, 0.0080, -0.0480, 0.2320, 0.0080),
                 (0.0, 0.0144, -0.0752, 0.2272, 0.0336))
_LAST = ((0.0, 0.0176, -0.0848, 0.1968, 0.0704),
         (0.0, 0.0160, -0.0720, 0.1360, 0.1200),
         (0.0, 0.0080, -0.0320, 0.0400, 0.1840),
         (0.0, -0.0080, 0.0400, -0.0960, 0.2640),
         (0.0, -0.0336, 0.1488, -0.2768, 0.3616))
def _read_only(panel: tuple[tuple[float, ...], ...]) -> np.ndarray:
    array = np.array(panel)
    array.flags.writeable = False
    return array


SPRAGUE_PANELS = MappingProxyType({
    name: _read_only(panel) for name, panel in (
        ("first", _FIRST), ("second", _SECOND), ("middle", _MIDDLE),
        ("next_to_last", _NEXT_TO_LAST), ("last", _LAST))})
# The same multipliers in ten-thousandths, whole numbers: a product with a whole count is
# exact, so that five groups of 500 give single ages of exactly 100.
_PANELS_IN_TEN_THOUSANDTHS = MappingProxyType({
    name: np.rint(panel * 10_000) for name, panel in SPRAGUE_PANELS.items()})
# Where the target group sits among the five columns of each panel.
PANEL_TARGET = MappingProxyType({"first": 0, "second": 1, "middle": 2, "next_to_last": 3,
                                 "last": 4})


# --- reading an age group -------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212]")  # hyphens, en and em dashes, minus sign
_UNITS = re.compile(r"(?<![a-z])(?:years?|yrs?)(?:\s+old)?(?![a-z])")
_AGE = r"(\d{1,3})(?:\.0+)?"  # "7.0": a whole number a spreadsheet wrote as a decimal
_RANGE = re.compile(rf"^{_AGE}\s*(?:-|to)\s*{_AGE}$")
_SINGLE = re.compile(rf"^{_AGE}$")
_OPEN = re.compile(rf"^{_AGE}\s*(?:\+|plus|and (?:over|above|older)|or (?:over|more|older))$")
_UNDER = re.compile(rf"^(?:<|under|less than|below)\s*{_AGE}$")


def parse_age_group(text: object) -> tuple[int, int | None] | None:
    """The (lower, upper) ages of an age group as spreadsheets write it, both included; upper
    None for an open-ended group: "5-9", "5–9", "05 - 09", "5 to 9", "10-14 years" ->
    (5, 9) …; "65+", "65 and over" -> (65, None); "7" -> (7, 7); "<1", "under 1" -> (0, 0).
    None when the text is not an age group (the caller reports the row): "abc", "5-", "9-5",
    or ages above MAX_AGE."""
    if text is None or isinstance(text, bool):
        return None
    words = _DASHES.sub("-", str(text).strip().lower())
    words = " ".join(_UNITS.sub(" ", words).split())
    if match := _RANGE.match(words):
        lower, upper = int(match[1]), int(match[2])
    elif match := _SINGLE.match(words):
        lower = upper = int(match[1])
    elif match := _OPEN.match(words):
        lower, upper = int(match[1]), None
    elif match := _UNDER.match(words):
        lower, upper = 0, int(match[1]) - 1
    else:
        return None
    if upper is not None and not 0 <= lower <= upper <= MAX_AGE:
        return None
    return (lower, upper) if lower <= MAX_AGE else None


def group_label(lower: int, upper: int | None) -> str:
    """An age group as a message writes it: "5-9", "7", "65+"."""
    if upper is None:
        return f"{lower}+"
    return str(lower) if lower == upper else f"{lower}-{upper}"


# --- splitting one series -------------------------------------------------------------------

@dataclass(frozen=True)
class AgeGroup:
    """One age group of a series: ages lower … upper (upper None: open-ended) and its count."""

    lower: int
    upper: int | None
    count: float

    @property
    def is_open(self) -> bool:
        return self.upper is None

    @property
    def width(self) -> int | None:
        return None if self.upper is None else self.upper - self.lower + 1

    @property
    def label(self) -> str:
        return group_label(self.lower, self.upper)


@dataclass(frozen=True)
class GroupMethod:
    """How one group became single ages: ``method`` is SPRAGUE, EVEN, SINGLE or OPEN;
    ``clamped`` when Sprague gave negative ages that were set to 0 (and the others scaled)."""

    group: AgeGroup
    method: str
    clamped: bool = False


@dataclass(frozen=True)
class SingleAges:
    """A series split into single ages: ``ages`` maps each age to its count (open-ended
    groups excluded), ``methods`` says how each group was split (in age order) and
    ``open_group`` is the open-ended last group, not split, or None."""

    ages: Mapping[int, float]
    methods: tuple[GroupMethod, ...]
    open_group: AgeGroup | None = None


def _as_groups(groups: Iterable[AgeGroup | Sequence]) -> list[AgeGroup]:
    return [g if isinstance(g, AgeGroup) else AgeGroup(*g) for g in groups]


def _in_age_order(groups: list[AgeGroup]) -> list[AgeGroup]:
    return sorted(groups, key=lambda g: (g.lower, math.inf if g.upper is None else g.upper))


def _group_fault(group: AgeGroup) -> str | None:
    """Why one group cannot be split, or None."""
    if not isinstance(group.lower, (int, np.integer)) or group.lower < 0:
        return f"age group {group.label} does not start at a whole age of 0 or more"
    if group.upper is not None and (not isinstance(group.upper, (int, np.integer))
                                    or group.upper < group.lower):
        return f"age group {group.label} ends before it starts"
    if not isinstance(group.count, (int, float, np.number)) or not math.isfinite(group.count):
        return f"age group {group.label} has no population"
    if group.count < 0:
        return f"age group {group.label} has a negative population ({group.count:g})"
    return None


def series_fault(groups: Iterable[AgeGroup | Sequence]) -> str | None:
    """Why a series of (lower, upper or None, count) groups cannot be split into single ages,
    in plain words, or None when it can: its groups must follow one another without overlap
    or gap (in any order), with at most one open-ended group, the last."""
    given = _as_groups(groups)
    for group in given:
        if fault := _group_fault(group):
            return fault
    ordered = _in_age_order(given)
    for before, after in zip(ordered, ordered[1:]):
        if before.is_open:
            return (f"the open-ended age group {before.label} is followed by "
                    f"age group {after.label}")
        if after.lower <= before.upper:
            return f"age groups {before.label} and {after.label} overlap"
        if after.lower > before.upper + 1:
            return (f"no age group covers ages {group_label(before.upper + 1, after.lower - 1)} "
                    f"(between {before.label} and {after.label})")
    return None


def _runs(closed: list[AgeGroup]) -> list[list[AgeGroup]]:
    """The closed groups cut into runs of consecutive five-year groups and single others."""
    runs: list[list[AgeGroup]] = []
    for group in closed:
        if group.width == SPRAGUE_WIDTH and runs and runs[-1][-1].width == SPRAGUE_WIDTH:
            runs[-1].append(group)
        else:
            runs.append([group])
    return runs


def _panel_for(index: int, groups: int) -> tuple[str, int]:
    """The Sprague panel for the index-th group of a run, and its window's first group."""
    if index < 2:
        return ("first", "second")[index], 0
    if index >= groups - 2:
        return ("next_to_last", "last")[index - groups + 2], groups - 5
    return "middle", index - 2


@functools.lru_cache(maxsize=64)
def _sprague_matrix(groups: int) -> np.ndarray:
    """The multipliers of a run of ``groups`` five-year groups, in ten-thousandths: row
    5 * g + i gives single age i of group g from the run's counts."""
    matrix = np.zeros((5 * groups, groups))
    for index in range(groups):
        panel, start = _panel_for(index, groups)
        matrix[5 * index:5 * index + 5, start:start + 5] = _PANELS_IN_TEN_THOUSANDTHS[panel]
    matrix.flags.writeable = False
    return matrix


def _clamped(ages: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Each group's (row's) negative single ages set to 0, its others scaled so that it keeps
    its total."""
    kept = np.where(ages < 0, 0.0, ages)
    positive = kept.sum(axis=1, keepdims=True)
    scale = np.divide(totals[:, None], positive, out=np.zeros_like(positive),
                      where=positive > 0)
    return kept * scale


def _sprague(run: list[AgeGroup]) -> list[tuple[GroupMethod, np.ndarray]]:
    counts = np.array([g.count for g in run], dtype=float)
    ages = (_sprague_matrix(len(run)) @ counts / 10_000).reshape(len(run), 5)
    negative = (ages < 0).any(axis=1)
    if negative.any():
        ages[negative] = _clamped(ages[negative], counts[negative])
    return [(GroupMethod(group, SPRAGUE, clamped=bool(clamped)), group_ages)
            for group, clamped, group_ages in zip(run, negative, ages)]


def _one_group(group: AgeGroup) -> tuple[GroupMethod, np.ndarray]:
    method = SINGLE if group.width == 1 else EVEN
    return GroupMethod(group, method), np.full(group.width, group.count / group.width)


def split_to_single_ages(groups: Iterable[AgeGroup | Sequence]) -> SingleAges:
    """One series of age groups (``AgeGroup`` or (lower, upper or None, count), in any order)
    split into single ages (see the module's docstring). Every closed group's single ages sum
    to its count. Raises ValueError with :func:`series_fault`'s words when the series cannot
    be split: check user data with :func:`series_fault` (or use :func:`single_ages_table`)."""
    given = _as_groups(groups)
    if fault := series_fault(given):
        raise ValueError(fault)
    ordered = _in_age_order(given)
    open_group = ordered[-1] if ordered and ordered[-1].is_open else None
    closed = ordered[:-1] if open_group else ordered
    split: list[tuple[GroupMethod, np.ndarray]] = []
    for run in _runs(closed):
        if len(run) >= SPRAGUE_MIN_GROUPS and run[0].width == SPRAGUE_WIDTH:
            split.extend(_sprague(run))
        else:
            split.extend(_one_group(group) for group in run)
    ages = {int(method.group.lower) + i: count
            for method, counts in split for i, count in enumerate(counts.tolist())}
    methods = tuple(method for method, _ in split)
    if open_group:
        methods += (GroupMethod(open_group, OPEN),)
    return SingleAges(MappingProxyType(ages), methods, open_group)


# --- splitting a population table -----------------------------------------------------------

SERIES_KEY = ("year", "district_code", "sex")  # one series of groups
GROUP_COLUMNS = (*SERIES_KEY, "age_lower", "age_upper", "population")
SINGLE_AGE_COLUMNS = (*SERIES_KEY, "age", "population")
METHOD_COLUMNS = (*SERIES_KEY, "age_lower", "age_upper", "method", "clamped")


@dataclass(frozen=True)
class SeriesFault:
    """A series (year, district, sex) left out because its groups cannot be split."""

    key: tuple  # its (year, district_code, sex)
    reason: str  # plain words, e.g. "age groups 5-9 and 8-12 overlap"

    def __str__(self) -> str:
        year, district, sex = self.key
        return f"population of {year}, area {district}, sex {sex}: {self.reason}"


@dataclass(frozen=True)
class SingleAgeTable:
    """:func:`single_ages_table`'s answer: ``population`` has the columns SINGLE_AGE_COLUMNS,
    ``methods`` says how each group was split (METHOD_COLUMNS; age_upper empty for an
    open-ended group), ``faults`` names the series left out and why."""

    population: pd.DataFrame
    methods: pd.DataFrame
    faults: tuple[SeriesFault, ...]


def _whole_age(value: object) -> object:
    """A table's age as an int when it is a whole number, else as it was (then a fault)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value) if isinstance(value, (int, float, np.number)) else math.nan
    return int(number) if number.is_integer() else value


def _series_groups(lowers: list, uppers: list, counts: list) -> list[AgeGroup] | str:
    """A series' rows (its ages and counts) as age groups, or why they are not."""
    groups = []
    for lower, upper, count in zip(lowers, uppers, counts):
        lower, upper = _whole_age(lower), _whole_age(upper)
        if not isinstance(lower, int):
            shown = "empty" if lower is None else f"'{lower}'"
            return f"an age group's lower age is {shown}, not a whole number"
        if upper is not None and not isinstance(upper, int):
            return f"age group starting at {lower} has upper age '{upper}', not a whole number"
        count = math.nan if count is None or count is pd.NA else float(count)
        groups.append(AgeGroup(lower, upper, count))
    return groups


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def single_ages_table(groups: pd.DataFrame) -> SingleAgeTable:
    """Population by age group (columns GROUP_COLUMNS; age_upper empty for an open-ended
    group) as population by single age: each series (year, district_code, sex) is split on
    its own with :func:`split_to_single_ages`. A series whose groups overlap, leave a gap or
    lack a number is left out and named in ``faults``; nothing is raised for user data."""
    missing = [c for c in GROUP_COLUMNS if c not in groups.columns]
    if missing:
        raise ValueError(f"population groups lack columns {', '.join(missing)}")
    single_rows, method_rows, faults = [], [], []
    lowers, uppers, counts = (groups[c].to_numpy(dtype=object)
                              for c in ("age_lower", "age_upper", "population"))
    series_rows = groups.groupby(list(SERIES_KEY), sort=True, dropna=False).indices
    for numpy_key, rows in series_rows.items():
        key = tuple(_plain(k) for k in numpy_key)
        series = _series_groups(lowers[rows], uppers[rows], counts[rows])
        reason = series if isinstance(series, str) else series_fault(series)
        if reason:
            faults.append(SeriesFault(key, reason))
            continue
        split = split_to_single_ages(series)
        single_rows.extend((*key, age, count) for age, count in split.ages.items())
        method_rows.extend((*key, m.group.lower, m.group.upper, m.method, m.clamped)
                           for m in split.methods)
    population = pd.DataFrame(single_rows, columns=list(SINGLE_AGE_COLUMNS))
    population = population.astype({"age": "int64", "population": "float64"})
    methods = pd.DataFrame(method_rows, columns=list(METHOD_COLUMNS))
    methods = methods.astype({"age_lower": "int64", "age_upper": "Int64", "clamped": "bool"})
    return SingleAgeTable(population, methods, tuple(faults))
