"""Small numbers kept out of what is published (the public view of issue 18).

An engine frame (:func:`lib.indicators.compute`: one row per area or school, year and
group) is protected by :func:`protect`:

* **primary suppression**: a count from 1 to :attr:`Rules.threshold` (a count indicator's
  value, a rate's numerator or denominator) is not shown; a rate whose denominator is below
  its small-denominator threshold (lib.indicators.flags, by what it counts: 30 pupils, 5
  teachers…) is not shown; 0 is shown (it discloses no one);
* **complementary suppression**: where the groups of a split add up to the total (girls and
  boys, the groups of a dimension), a group hidden alone could be recomputed as the total
  minus the others; the smallest other group is then hidden too, within each area and year;
  likewise across the areas (or schools) of one parent whose total is published, within
  each year and group (given ``parents``); both passes repeat until neither hides more;
  a parity index is hidden when either group's value is;
* a hidden cell keeps its row, with ``value`` (and the counts) empty and the flag
  ``suppressed``, so pages draw it as "no data" with the legend's mark, never as 0.

Pure: no database, no Streamlit.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.indicators import flags as fl
from lib.indicators.registry import Indicator
from lib.vocabulary import PARITY, SMALL_COUNT_THRESHOLD, TOTAL

SUPPRESSED = fl.SUPPRESSED
MARK = "c"  # how a table shows a hidden cell (as the UK's statistics do)
COUNTS = ("numerator", "denominator")


@dataclass(frozen=True)
class Rules:
    """What is too small to publish."""

    threshold: int = SMALL_COUNT_THRESHOLD  # counts from 1 to this are hidden
    # rates whose denominator is below these are hidden, by what the denominator counts
    min_denominator: dict[str, int] = field(
        default_factory=lambda: dict(fl.SMALL_DENOMINATOR_BELOW))

    def small(self, counts: pd.Series) -> pd.Series:
        """Counts from 1 to the threshold (an empty count is not small: it is unknown)."""
        values = pd.to_numeric(counts, errors="coerce")
        return (values >= 1) & (values <= self.threshold)


def protect(frame: pd.DataFrame, indicator: Indicator, rules: Rules = Rules(),
            parents: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with its small numbers hidden (module docstring); the same rows, in the
    same order. ``parents`` (unit code -> the area it lies in, whose totals are published
    too: a district's province, a school's district, "" for the country): a unit hidden
    alone among the units of its parent is not left to be recomputed as the parent's total
    minus the others."""
    if frame.empty:
        return frame.copy()
    out = frame.copy()
    groups = out["group"].astype(str) if "group" in out else pd.Series(TOTAL, index=out.index)
    parity = groups == PARITY
    if indicator.is_count:
        hidden = rules.small(out["value"]) & ~parity
    else:
        below = rules.min_denominator.get(indicator.denominator_kind or "pupils",
                                          rules.threshold + 1)
        denominator = pd.to_numeric(out.get("denominator"), errors="coerce") \
            if "denominator" in out else pd.Series(np.nan, index=out.index)
        hidden = ((denominator > 0) & (denominator < below)) & ~parity
        for column in COUNTS:
            if column in out:
                hidden |= rules.small(out[column]) & ~parity
    counts = _cell_count(out, indicator).to_numpy(dtype=float)
    parts = ((groups != TOTAL) & (groups != PARITY)).to_numpy()
    # The sets of cells that add up to a published total: the groups of one area and year;
    # the areas (or schools) of one parent, year and group.
    sets = [_set_numbers(out, _keys(out), parts)]
    if parents is not None and "unit_code" in out:
        by_parent = out.assign(_parent=out["unit_code"].astype(str).map(
            lambda code: parents.get(code, "")))
        sets.append(_set_numbers(by_parent, [c for c in ("year", "group") if c in out]
                                 + ["_parent"], ~parity.to_numpy()))
    cells = hidden.to_numpy(dtype=bool)
    while True:  # until no pass hides more: one may give another a lone hidden cell
        before = int(cells.sum())
        for numbers in sets:
            cells = _complementary(numbers, cells, counts)
        if int(cells.sum()) == before:
            break
    hidden = pd.Series(cells, index=out.index)
    hidden |= parity & _parity_of_hidden(out, groups, hidden)
    out.loc[hidden, "value"] = np.nan
    for column in COUNTS:
        if column in out:
            out.loc[hidden, column] = np.nan
    if "flags" in out:
        out.loc[hidden, "flags"] = [fl.join_flags([*fl.split_flags(f or ""), SUPPRESSED])
                                    for f in out.loc[hidden, "flags"]]
    return out


def hide_in_sets(counts: pd.Series, sets: list[pd.Series], rules: Rules) -> pd.Series:
    """Which of ``counts`` to hide: those from 1 to the threshold, then, in each set of
    cells that add up to a published total (``sets``: each cell's set, any hashable; NaN:
    in none), the smallest other cell where one is hidden alone; repeated until stable."""
    values = pd.to_numeric(counts, errors="coerce").to_numpy(dtype=float)
    cells = rules.small(counts).to_numpy(dtype=bool)
    numbers = [np.where(pd.isna(s).to_numpy(), -1,
                        pd.factorize(s, use_na_sentinel=True)[0]).astype(np.int64)
               for s in sets]
    while True:
        before = int(cells.sum())
        for each in numbers:
            cells = _complementary(each, cells, values)
        if int(cells.sum()) == before:
            break
    return pd.Series(cells, index=counts.index)


def _cell_count(frame: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """The additive count of each row: a count's value, a rate's numerator."""
    column = "value" if indicator.is_count or "numerator" not in frame else "numerator"
    return pd.to_numeric(frame[column], errors="coerce")


def _keys(frame: pd.DataFrame) -> list[str]:
    return [c for c in ("year", "unit_code") if c in frame]


def _set_numbers(frame: pd.DataFrame, keys: list[str], member: np.ndarray) -> np.ndarray:
    """Each row's set (rows of ``member`` with the same ``keys``), numbered from 0; -1 for
    a row in no set."""
    numbers = np.full(len(frame), -1, dtype=np.int64)
    if not member.any():
        return numbers
    rows = frame[member]
    numbers[member] = (rows.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
                       if keys else 0)
    return numbers


def _complementary(sets: np.ndarray, hidden: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Hide the smallest other cell (the first of equals) of each set where one cell alone
    is hidden and another, not empty, is shown: the published total minus the cells shown
    would give the hidden one back. ``sets``: each row's set number (-1: none)."""
    hidden = hidden.copy()
    member = sets >= 0
    if not member.any():
        return hidden
    size = int(sets.max()) + 1
    gone = np.bincount(sets[member & hidden], minlength=size)
    candidate = member & ~hidden & (np.nan_to_num(counts, nan=0.0) > 0)
    lone = (gone == 1) & (np.bincount(sets[candidate], minlength=size) > 0)
    rows = np.flatnonzero(candidate & lone[np.where(member, sets, 0)])
    if rows.size:
        rows = rows[np.lexsort((counts[rows], sets[rows]))]  # by set, smallest first, stable
        first = np.r_[True, sets[rows][1:] != sets[rows][:-1]]
        hidden[rows[first]] = True
    return hidden


def _parity_of_hidden(frame: pd.DataFrame, groups: pd.Series, hidden: pd.Series) -> pd.Series:
    """The parity rows of the areas and years where some group is hidden."""
    keys = _keys(frame)
    parts = (groups != TOTAL) & (groups != PARITY)
    if not keys:
        return pd.Series(bool((hidden & parts).any()), index=frame.index)
    touched = frame.loc[hidden & parts, keys].drop_duplicates()
    marked = frame[keys].merge(touched.assign(_hit=True), on=keys, how="left")["_hit"]
    return pd.Series(marked.fillna(False).astype(bool).to_numpy(), index=frame.index)
