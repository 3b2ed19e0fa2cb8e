"""Planted dirt: the problems the build must find, and nothing else.

:func:`plan_dirt` chooses, before the simulation, which school-years will not report, which
get an implausible pupil-teacher ratio, an enrolment jump or an impossible age, and which
report no ages. The rule functions at the end restate the build's warning rules (data
contract, section 2) over plain tables; the generator checks its own output with them and
the tests use them too.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.country import Country
from lib.demo.common import stream
from lib.demo.register import Register, open_mask

N_PTR = 3
N_JUMP = 3
N_AGE = 3
UNKNOWN_AGE_SHARE = 0.01
JUMP_FACTOR = 5

# The build's thresholds.
PTR_HIGH = 100.0
PTR_LOW = 3.0
JUMP_SHARE = 0.5
JUMP_MIN = 20
AGE_BELOW = 2
AGE_ABOVE = 5


@dataclass
class DirtPlan:
    non_reporting: dict[int, np.ndarray]              # year -> register rows
    ptr: list[tuple[int, int]]                        # (row, year)
    jump: list[int]                                   # rows, in the last year
    age: list[tuple[int, int]]                        # (row, year)
    unknown_age: dict[int, np.ndarray] = field(default_factory=dict)   # year -> rows
    last: int = 0

    def ptr_in(self, year: int) -> list[int]:
        return [r for r, y in self.ptr if y == year]

    def age_in(self, year: int) -> list[int]:
        return [r for r, y in self.age if y == year]


def plan_dirt(register: Register, seed: int, scale: float, first: int, last: int) -> DirtPlan:
    rng = stream(seed, "dirt", 2)
    years = list(range(first, last + 1))
    open_by_year = {y: open_mask(register, y) for y in years}
    always = np.logical_and.reduce([open_by_year[y] for y in years])
    taken: set[tuple[int, int]] = set()          # (row, year) already dirty

    jump: list[int] = []
    if last > first:
        cand = np.flatnonzero(always)
        jump = sorted(int(i) for i in rng.choice(cand, size=min(N_JUMP, len(cand)), replace=False))
        taken |= {(r, y) for r in jump for y in (last - 1, last)}
    jump_set = set(jump)

    def pick_school_years(k: int) -> list[tuple[int, int]]:
        chosen: list[tuple[int, int]] = []
        for _ in range(1000 * k):
            if len(chosen) >= k:
                break
            y = int(rng.choice(years))
            rows = np.flatnonzero(open_by_year[y])
            if len(rows) == 0:
                continue
            r = int(rng.choice(rows))
            if (r, y) in taken or r in jump_set or any(r == c for c, _ in chosen):
                continue
            chosen.append((r, y))
            taken.add((r, y))
        return sorted(chosen, key=lambda ry: (ry[1], ry[0]))

    ptr = pick_school_years(N_PTR)
    age = pick_school_years(N_AGE)

    non_reporting: dict[int, np.ndarray] = {}
    for y in years:
        k = max(1, int(round(int(rng.integers(3, 11)) * scale)))
        rows = _free_rows(open_by_year[y], taken, y)
        chosen = np.sort(rng.choice(rows, size=min(k, len(rows)), replace=False))
        non_reporting[y] = chosen
        taken |= {(int(r), y) for r in chosen}

    unknown: dict[int, np.ndarray] = {}
    for y in years:
        rows = _free_rows(open_by_year[y], taken, y)
        k = int(round(UNKNOWN_AGE_SHARE * len(rows)))
        unknown[y] = np.sort(rng.choice(rows, size=min(k, len(rows)), replace=False))
    return DirtPlan(non_reporting, ptr, jump, age, unknown, last)


def _free_rows(open_: np.ndarray, taken: set[tuple[int, int]], year: int) -> np.ndarray:
    busy = np.array(sorted(r for r, y in taken if y == year), dtype=np.int64)
    mask = open_.copy()
    mask[busy] = False
    return np.flatnonzero(mask)


# --------------------------------------------------------------------------------------
# The build's warning rules, restated over plain tables
# --------------------------------------------------------------------------------------

def pupils_by_school_year(enrolment: pd.DataFrame) -> pd.Series:
    return enrolment.groupby(["school_id", "year"])["enrolled"].sum()


def teachers_by_school_year(teachers: pd.DataFrame) -> pd.Series:
    return teachers.groupby(["school_id", "year"])["count"].sum()


def ptr_flags(pupils: pd.Series, teachers: pd.Series) -> set[tuple[str, int]]:
    """School-years with pupils/teachers > 100 or < 3, or pupils but no teachers."""
    frame = pd.concat([pupils.rename("p"), teachers.rename("t")], axis=1).fillna(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = frame["p"] / frame["t"]
    bad = (frame["p"] > 0) & ((frame["t"] == 0) | (ratio > PTR_HIGH) | (ratio < PTR_LOW))
    return {(str(s), int(y)) for s, y in frame.index[bad.to_numpy()]}


def jump_flags(pupils: pd.Series) -> set[tuple[str, int]]:
    """School-years whose total moved by more than 50% and at least 20 pupils since the
    previous year, both reported."""
    frame = pupils.rename("p").reset_index().sort_values(["school_id", "year"])
    prev_p = frame.groupby("school_id")["p"].shift(1)
    prev_y = frame.groupby("school_id")["year"].shift(1)
    change = (frame["p"] - prev_p).abs()
    bad = (prev_y == frame["year"] - 1) & (change > JUMP_SHARE * prev_p) & (change >= JUMP_MIN)
    sel = frame[bad.to_numpy()]
    return {(str(s), int(y)) for s, y in zip(sel["school_id"], sel["year"])}


def age_bounds(country: Country) -> dict[int, tuple[int, int]]:
    """Allowed ages of each grade: youngest official age - 2 to oldest official age + 5."""
    out = {}
    for level in country.levels:
        for g in level.grades:
            lo, hi = level.official_ages(g)
            out[g] = (lo - AGE_BELOW, hi + AGE_ABOVE)
    return out


def age_flags(enrolment: pd.DataFrame, country: Country) -> set[tuple[str, int]]:
    bounds = age_bounds(country)
    lo = enrolment["grade"].map({g: b[0] for g, b in bounds.items()})
    hi = enrolment["grade"].map({g: b[1] for g, b in bounds.items()})
    age = enrolment["age"]
    bad = age.notna() & ((age < lo) | (age > hi))
    sel = enrolment[bad.to_numpy()]
    return {(str(s), int(y)) for s, y in zip(sel["school_id"], sel["year"])}


def non_reporting_flags(schools: pd.DataFrame, enrolment: pd.DataFrame,
                        years: range) -> dict[int, set[str]]:
    """Open schools without enrolment rows, per year."""
    reported = enrolment.groupby("year")["school_id"].unique()
    closed = schools["closed_year"]
    out = {}
    for y in years:
        open_ = (schools["opened_year"] <= y) & (closed.isna() | (y < closed))
        ids = set(schools.loc[open_.to_numpy(), "school_id"])
        out[y] = ids - set(reported.get(y, []))
    return out
