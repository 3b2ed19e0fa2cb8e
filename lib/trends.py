"""What the Trends page shows, from the indicator engine: one indicator over the years, its
parity over time, one panel per province, the change from year to year, and the flow rates
by grade with the reconstructed cohort.

Pure: no streamlit. Values come through ``fetch(indicator_id, admin_level, year, by,
area)``, called like the engine's ``compute`` (:data:`lib.overview.Fetch`), and series
through ``fetch_years(indicator_id, admin_level, years, by, area)``, called like
``compute_years`` (:data:`FetchYears`): the app passes its cached engine calls, a test the
engine itself. Every call asks for all areas of a level (``area`` None), so that one cached
answer serves every area the user picks next.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lib.indicators.flags import SMALL_DENOMINATOR, split_flags
from lib.indicators.registry import Registry
from lib.overview import Fetch
from lib.vocabulary import AREA, NATIONAL, SPLITS_PARITY_FIRST, TOTAL

SERIES_COLUMNS = ["year", "area_code", "area_name", "area_level", "group", "value", "flags",
                  "small", "flagged"]
FLOW_KINDS = ("repetition", "promotion", "dropout")
FetchYears = Callable[[str, str, Sequence[int], "str | None", "str | None"], pd.DataFrame]


@dataclass(frozen=True)
class Area:
    """An area whose series is drawn: the whole country or an area of any admin level."""

    level: str  # national, or the area's admin level id
    code: str  # admin code; the ISO3 code for the country
    name: str


def _flag_marks(flags: Iterable[object]) -> tuple[list[bool], list[bool]]:
    lists = [split_flags(f if isinstance(f, str) else "") for f in flags]
    return [SMALL_DENOMINATOR in f for f in lists], [bool(f) for f in lists]


def series(fetch_years: FetchYears, indicator_id: str, years: Sequence[int],
           areas: Sequence[Area], by: str | None = None) -> pd.DataFrame:
    """The indicator in every year for every area (the country's first), long:
    year, area_code, area_name, area_level, group (T, the split's groups, parity), value
    (NaN: no data), flags, small (small denominator), flagged (any flag)."""
    parts = []
    for level in dict.fromkeys(a.level for a in areas):
        frame = fetch_years(indicator_id, level, sorted(years), by, None)
        for area in (a for a in areas if a.level == level):
            rows = frame if level == NATIONAL else frame[frame["unit_code"] == area.code]
            parts.append(pd.DataFrame({
                "year": rows["year"].to_numpy(dtype="int64"), "area_code": area.code,
                "area_name": area.name, "area_level": level,
                "group": rows["group"].to_numpy(),
                "value": pd.to_numeric(rows["value"], errors="coerce").to_numpy(
                    dtype="float64"),
                "flags": rows["flags"].fillna("").to_numpy(dtype=object)}))
    if not parts:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["small"], out["flagged"] = _flag_marks(out["flags"])
    order = {a.code: i for i, a in enumerate(areas)}
    out = out.sort_values(["year"], kind="stable")
    out = out.iloc[np.argsort(out["area_code"].map(order).to_numpy(), kind="stable")]
    return out[SERIES_COLUMNS].reset_index(drop=True)


def without_empty_groups(rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` of :func:`series` without an area's group (or parity) that has no value in
    any year: a priority district has no "other districts" pupils, so neither that line
    nor a parity index. Totals are kept, empty or not (no data is shown as such)."""
    value = rows["value"].astype("float64")
    has_value = value.notna() & np.isfinite(value)
    some = has_value.groupby([rows["area_code"], rows["group"]]).transform("any")
    return rows[some | (rows["group"] == TOTAL)].reset_index(drop=True)


def group_rows(frame: pd.DataFrame, group: str) -> pd.DataFrame:
    return frame[frame["group"] == group].reset_index(drop=True)


def flags_of(rows: pd.DataFrame) -> list[str]:
    """Every flag that ``rows`` of :func:`series` carry, each once, in order of appearance:
    why a group or parity index that :func:`without_empty_groups` left out has no value."""
    return list(dict.fromkeys(flag for flags in rows["flags"]
                              for flag in split_flags(flags if isinstance(flags, str) else "")))


def province_panels(fetch_years: FetchYears, indicator_id: str, years: Sequence[int],
                    level: str) -> pd.DataFrame:
    """Every area of admin level ``level`` (the profile's first: provinces) in every year, with the national value of that year beside it (the
    reference line of each panel): year, unit_code, unit_name, value, national, flags,
    small, flagged."""
    if not len(years):
        return pd.DataFrame(columns=["year", "unit_code", "unit_name", "value", "national",
                                     "flags", "small", "flagged"])
    frame = fetch_years(indicator_id, level, sorted(years), None, None)
    national = fetch_years(indicator_id, NATIONAL, sorted(years), None, None)
    totals = national[national["group"] == TOTAL]
    nat = dict(zip(totals["year"].astype("int64"),
                   pd.to_numeric(totals["value"], errors="coerce").astype("float64")))
    rows = frame[frame["group"] == TOTAL]
    year = rows["year"].to_numpy(dtype="int64")
    out = pd.DataFrame({
        "year": year, "unit_code": rows["unit_code"].to_numpy(),
        "unit_name": rows["unit_name"].to_numpy(),
        "value": pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64"),
        "national": np.array([nat.get(int(y), math.nan) for y in year], dtype="float64"),
        "flags": rows["flags"].fillna("").to_numpy(dtype=object)})
    out = out.sort_values(["unit_code", "year"], kind="stable")
    out["small"], out["flagged"] = _flag_marks(out["flags"])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- change


def direction(change: float | None, higher_is_better: bool | None, digits: int = 1,
              parity: bool = False, before: float | None = None) -> str:
    """How a change reads: ``better``, ``worse``, ``same`` (too small to show at ``digits``
    decimals), ``up``/``down`` (no direction), or ``none`` (no change to read). A parity
    index is better when it comes closer to 1."""
    if change is None or not np.isfinite(change):
        return "none"
    if round(abs(change), digits) == 0:
        return "same"
    if parity and before is not None and np.isfinite(before):
        now = before + change
        return "better" if abs(now - 1.0) < abs(before - 1.0) else "worse"
    if higher_is_better is None:
        return "up" if change > 0 else "down"
    return "better" if (change > 0) == higher_is_better else "worse"


def changes(frame: pd.DataFrame, higher_is_better: bool | None, digits: int = 1,
            parity: bool = False) -> pd.DataFrame:
    """Year-on-year change of each area's series (one group's rows of :func:`series`):
    area_code, area_name, year, value, previous, change, direction. A year whose previous
    year is missing (or has no value) has no change."""
    rows = frame.sort_values(["area_code", "year"], kind="stable").copy()
    prev_year = rows.groupby("area_code", sort=False)["year"].shift(1)
    prev_value = rows.groupby("area_code", sort=False)["value"].shift(1)
    consecutive = prev_year == rows["year"] - 1
    rows["previous"] = prev_value.where(consecutive).astype("float64")
    rows["change"] = rows["value"] - rows["previous"]
    rows["direction"] = [direction(c, higher_is_better, digits, parity, b)
                         for c, b in zip(rows["change"], rows["previous"])]
    order = {code: i for i, code in enumerate(dict.fromkeys(frame["area_code"]))}
    rows = rows.iloc[np.argsort(rows["area_code"].map(order).to_numpy(), kind="stable")]
    return rows[["area_code", "area_name", "year", "value", "previous", "change",
                 "direction", "flags"]].reset_index(drop=True)


# --------------------------------------------------------------------------- efficiency


def flow_year(years: Iterable[int], year: int) -> int | None:
    """The latest school year up to ``year`` whose flows can be computed (the next year is
    in the extract), or None."""
    have = set(int(y) for y in years)
    usable = [y for y in have if y <= year and y + 1 in have]
    return max(usable) if usable else None


def flow_grades(registry: Registry, level_id: str) -> list[int]:
    """The grades of a level that have flow rates (repetition at least)."""
    grades = []
    for ind in registry.for_level(level_id):
        if ind.family == "repetition_grade" and ind.grade is not None:
            grades.append(int(ind.grade))
    return sorted(grades)


def _area_row(frame: pd.DataFrame, area: Area) -> pd.Series | None:
    rows = frame[frame["group"] == TOTAL]
    if area.level != NATIONAL:
        rows = rows[rows["unit_code"] == area.code]
    return None if rows.empty else rows.iloc[0]


def flows(fetch: Fetch, registry: Registry, level_id: str, year: int, area: Area
          ) -> pd.DataFrame:
    """Repetition, promotion and dropout by grade of a level from ``year`` to the next,
    long: grade, kind, value (NaN: no data), flags, small, flagged. The last grade of the
    last level has repetition only (no promotion or dropout is collected)."""
    records = []
    for grade in flow_grades(registry, level_id):
        for kind in FLOW_KINDS:
            indicator_id = f"{kind}_g{grade}"
            if indicator_id not in registry:
                continue
            row = _area_row(fetch(indicator_id, area.level, year, None, None), area)
            value = float(row["value"]) if row is not None else math.nan
            flags = str(row["flags"] or "") if row is not None else ""
            records.append({"grade": grade, "kind": kind, "value": value, "flags": flags})
    out = pd.DataFrame(records, columns=["grade", "kind", "value", "flags"])
    out["value"] = pd.to_numeric(out["value"], errors="coerce").astype("float64")
    out["small"], out["flagged"] = _flag_marks(out["flags"])
    return out


def cohort(flow: pd.DataFrame) -> pd.DataFrame:
    """The reconstructed cohort (UIS, unlimited repetition): of 100 pupils entering the
    level's first grade, how many reach each grade, S_1 = 100 and
    S_(g+1) = S_g · p_g / (1 − r_g). Columns grade, survival (NaN from the first grade
    whose rates are missing on). Its value at the last grade is the engine's
    ``survival_last_<L>``."""
    wide = flow.pivot_table(index="grade", columns="kind", values="value", aggfunc="first",
                            dropna=False)
    grades = sorted(flow["grade"].unique().tolist())
    if not grades:
        return pd.DataFrame(columns=["grade", "survival"])
    survival = [100.0]
    for grade in grades[:-1]:
        p = wide.at[grade, "promotion"] if "promotion" in wide else math.nan
        r = wide.at[grade, "repetition"] if "repetition" in wide else math.nan
        stay = 1.0 - r / 100.0
        factor = (p / 100.0) / stay if np.isfinite(p) and np.isfinite(r) and stay > 0 \
            else math.nan
        survival.append(survival[-1] * factor)
    return pd.DataFrame({"grade": grades, "survival": np.asarray(survival, dtype="float64")})


# --------------------------------------------------------------------------- choices


def indicators(registry: Registry, level_id: str) -> list[str]:
    """Indicators of a level that have a value for the country and its areas."""
    return [ind.id for ind in registry.for_level(level_id)
            if {NATIONAL, AREA} <= set(ind.admin_levels)]


def splits(indicator) -> list[str]:
    """The splits a line can be drawn by ("" first: no split): the built-in ones, those
    with a parity index first, then the package's dimensions."""
    return [""] + [s for s in SPLITS_PARITY_FIRST if s in indicator.splits] + [
        s for s in indicator.splits if s not in SPLITS_PARITY_FIRST]


def area_labels(units: pd.DataFrame, names: Mapping[str, str]) -> dict[str, str]:
    """Admin code -> the name a reader recognises: an area of level 1 by its name, one below
    with the area it lies in ("Xay, Oudomxay"); ``names``: code -> name
    (:func:`lib.areas.area_names`)."""
    out = {}
    for code, level, parent in zip(units["code"], units["level"], units["parent_code"]):
        out[code] = names[code] if int(level) == 1 else f"{names[code]}, {names.get(parent, '')}"
    return out


def compare_options(units: pd.DataFrame) -> list[str]:
    """Areas that can be compared: level 1, then level 2…, by code."""
    ordered = units.sort_values(["level", "code"], kind="stable")
    return ordered["code"].astype(str).tolist()


def areas(units: pd.DataFrame, admin_ids: Sequence[str], country_code: str,
          country_name: str, line: Sequence[str], compare: Sequence[str],
          names: dict[str, str]) -> list[Area]:
    """The areas drawn: the country always, then the sidebar's area and those it lies in
    (``line``: their codes, level 1 first), then the areas compared (each once).
    ``admin_ids``: the profile's admin level ids, largest first."""
    level_of = dict(zip(units["code"].astype(str), units["level"].astype(int)))
    out = [Area(NATIONAL, country_code, country_name)]
    for code in [*line, *compare]:
        if code and code in level_of and all(a.code != code for a in out):
            out.append(Area(admin_ids[level_of[code] - 1], code, names.get(code, code)))
    return out


def focus(areas: Sequence[Area], chosen: str) -> Area:
    """The area the sidebar chose (``chosen``: its code) among ``areas``, else the country
    (the first)."""
    for area in areas:
        if chosen and area.code == chosen:
            return area
    return areas[0]
