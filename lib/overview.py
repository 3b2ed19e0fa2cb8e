"""What the Overview page shows, computed from the indicator engine: key figures of one area
with their change from the previous year, and where the gaps are largest one level down.

Pure: no streamlit. Every value comes from the engine through ``fetch``, called as
``fetch(indicator_id, admin_level, year, by, area)`` like the engine's ``compute``, so the
app passes its cached engine calls and a test passes the engine itself. Key figures ask for
every area of a level (rather than one area), so that one cached answer serves every
area of that level the user looks at next.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lib.indicators.flags import split_flags
from lib.indicators.registry import IndicatorError, Registry, preferred_indicator
from lib.vocabulary import AREA, NATIONAL, PARITY, TOTAL

Fetch = Callable[[str, str, int, "str | None", "str | None"], pd.DataFrame]

GAP_COUNT = 5


@dataclass(frozen=True)
class KpiSpec:
    """One key figure: the indicator family (its id is ``<family>_<level>``), the split that
    gives its extra values, and the engine group that holds its value."""

    key: str
    family: str
    by: str | None = None
    group: str = TOTAL
    unit: str | None = None  # None: the indicator's own unit

    def indicator_id(self, level_id: str) -> str:
        return f"{self.family}_{level_id}"


# The key figures, in the order the page shows them.
KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("schools", "schools"),
    KpiSpec("pupils", "enrolment", by="sex"),
    KpiSpec("teachers", "teachers"),
    # SDG 4.1.4: the children of the level's official ages not in school, girls and boys.
    KpiSpec("out_of_school", "out_of_school", by="sex"),
    KpiSpec("ger", "ger", by="sex"),
    KpiSpec("ner", "ner"),
    KpiSpec("ptr", "ptr"),
    # The UIS adjusted gender parity index of the GER: girls over boys, 1 is parity.
    KpiSpec("gpi", "ger", by="sex", group=PARITY, unit="index"),
)


@dataclass(frozen=True)
class Place:
    """The area looked at: the whole country, or an area of any admin level."""

    admin_level: str  # national, or the admin level id of the area ("province")
    code: str  # admin code; the country's ISO3 code for the whole country
    name: str
    parent_code: str = ""  # the area one level up ("" for level 1 and the country)
    parent_name: str = ""
    parent_level: str = ""  # its admin level id
    sub_level: str | None = None  # the admin level one down, whose areas are ranked


def place(units: pd.DataFrame, area: str, admin_ids: Sequence[str], country_name: str,
          iso3: str, names: Mapping[str, str]) -> Place:
    """The place chosen by its admin code (``area``; "" for the whole country).
    ``admin_ids``: the profile's admin level ids, largest first; ``names``: admin code ->
    name in the interface language (:func:`lib.areas.area_names`)."""
    parents = dict(zip(units["code"], units["parent_code"]))
    level_of = dict(zip(units["code"], units["level"]))
    if not area or area not in names or area not in level_of:
        return Place(NATIONAL, iso3, country_name, sub_level=admin_ids[0] if admin_ids else None)
    number = int(level_of[area])
    parent = str(parents.get(area) or "") if number > 1 else ""
    return Place(admin_ids[number - 1], area, names[area], parent, names.get(parent, ""),
                 admin_ids[number - 2] if parent else "",
                 admin_ids[number] if number < len(admin_ids) else None)


def previous_year(years: Iterable[int], year: int) -> int | None:
    """The school year before ``year`` if the extract has it (a change needs both)."""
    return year - 1 if (year - 1) in set(years) else None


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class Kpi:
    """One key figure of one area and year, with what the page needs to show it."""

    key: str
    indicator_id: str
    unit: str  # %, ratio, count or index (a parity index)
    higher_is_better: bool | None
    value: float | None  # None: no data
    flags: tuple[str, ...] = ()
    previous: float | None = None  # the previous school year's value, if any
    female: float | None = None
    male: float | None = None
    national: float | None = None  # the country's value, for an area's profile
    parent: float | None = None  # the value of the area one level up (below level 1)
    unavailable: str = ""  # why the extract cannot give this figure ("" when it can)

    @property
    def national_share(self) -> float | None:
        """A count as a percentage of the national count (for an area's profile)."""
        if self.unit != "count" or self.value is None or not self.national:
            return None
        return 100.0 * self.value / self.national

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def change_is_good(self) -> bool | None:
        """Whether the change from the previous year is an improvement; None when there is
        no change, or no direction (counts)."""
        change = self.change
        if change is None or change == 0:
            return None
        if self.unit == "index":  # parity: closer to 1 is better, whichever side
            before, now = abs(self.previous - 1.0), abs(self.value - 1.0)  # type: ignore
            return None if now == before else now < before
        if self.higher_is_better is None:
            return None
        return (change > 0) == self.higher_is_better


def _row(frame: pd.DataFrame, code: str | None, group: str) -> pd.Series | None:
    """The first row of ``group`` (of area ``code``; None: any) in an engine frame."""
    found = np.asarray(frame["group"].to_numpy() == group, dtype=bool)
    if code is not None:
        found &= np.asarray(frame["unit_code"].to_numpy() == code, dtype=bool)
    at = np.flatnonzero(found)
    return frame.iloc[int(at[0])] if len(at) else None


def value_of(frame: pd.DataFrame | None, code: str | None, group: str = TOTAL
             ) -> float | None:
    """The value of ``group`` of area ``code`` (None: the frame's first unit, as for the
    country) in an engine frame; None where it has none."""
    if frame is None:
        return None
    row = _row(frame, code, group)
    return None if row is None else _number(row["value"])


def kpis(fetch: Fetch, registry: Registry, level_id: str, year: int, where: Place,
         previous: int | None, lang: str = "en") -> list[Kpi]:
    """The key figures of ``where`` for education level ``level_id`` in ``year``, with the
    value of the ``previous`` year (None: no change shown) and, for an area, the national
    value (and below level 1 that of the area one level up). A figure the
    extract cannot give says why, in ``lang``."""
    code = None if where.admin_level == NATIONAL else where.code
    out: list[Kpi] = []
    for spec in KPIS:
        indicator_id = spec.indicator_id(level_id)
        if indicator_id not in registry:
            why = registry.switched_off.get(indicator_id)
            out.append(Kpi(spec.key, indicator_id, spec.unit or "count", None, None,
                           unavailable=why.words(lang) if why else indicator_id))
            continue
        indicator = registry.get(indicator_id)

        def frame(level: str, in_year: int | None) -> pd.DataFrame | None:
            if in_year is None:
                return None
            return fetch(indicator_id, level, in_year, spec.by, None)

        now = frame(where.admin_level, year)
        row = _row(now, code, spec.group)
        out.append(Kpi(
            key=spec.key, indicator_id=indicator_id, unit=spec.unit or indicator.unit,
            higher_is_better=None if spec.unit == "index" else indicator.higher_is_better,
            value=None if row is None else _number(row["value"]),
            flags=tuple(split_flags(row["flags"])) if row is not None else (),
            previous=value_of(frame(where.admin_level, previous), code, spec.group),
            female=value_of(now, code, "F") if spec.by == "sex" and spec.group == TOTAL else None,
            male=value_of(now, code, "M") if spec.by == "sex" and spec.group == TOTAL else None,
            national=(None if where.admin_level == NATIONAL
                      else value_of(frame(NATIONAL, year), None, spec.group)),
            parent=(value_of(frame(where.parent_level, year), where.parent_code, spec.group)
                    if where.parent_code else None),
        ))
    return out


# --------------------------------------------------------------------------- gaps


def gap_indicators(registry: Registry, level_id: str) -> list[str]:
    """Indicators whose gaps can be ranked for a level: they have a direction and are
    computed for areas."""
    return [ind.id for ind in registry.for_level(level_id)
            if ind.higher_is_better is not None and AREA in ind.admin_levels]


def default_gap_indicator(registry: Registry, level_id: str, current: str | None = None,
                          has_data: Callable[[str], bool] | None = None) -> str | None:
    """The indicator to rank when ``current`` is not one of the level's: the same family at
    this level (dropout of primary -> dropout of lower secondary), else the one a page
    opens on (:func:`lib.indicators.registry.preferred_indicator`)."""
    options = gap_indicators(registry, level_id)
    if current in options:
        return current
    if current in registry:
        ind = registry.get(current)
        for candidate in options:
            other = registry.get(candidate)
            if other.family == ind.family and other.grade is None and other.params.get(
                    "item") == ind.params.get("item"):
                return candidate
    return preferred_indicator(options, level_id, has_data=has_data)


@dataclass(frozen=True)
class Ranking:
    """The areas of a ranking (unit_code, unit_name, value, gap, flags), the reference they
    are compared with, how many areas had a value and how many had none."""

    rows: pd.DataFrame
    reference: float | None
    compared: int
    no_data: int


_RANKING_COLUMNS = ["unit_code", "unit_name", "value", "gap", "flags"]


def _areas(frame: pd.DataFrame, group: str) -> tuple[pd.DataFrame, int]:
    rows = frame.loc[frame["group"] == group, ["unit_code", "unit_name", "value", "flags"]]
    values = pd.to_numeric(rows["value"], errors="coerce")
    known = rows.assign(value=values)[values.notna()]
    return known, int(values.isna().sum())


def largest_gaps(frame: pd.DataFrame, reference: float | None, higher_is_better: bool,
                 n: int = GAP_COUNT) -> Ranking:
    """The ``n`` areas of ``frame`` (the engine's rows, group T) furthest from
    ``reference`` in the bad direction (below it when higher is better, above it when
    lower is better), the furthest first. Areas on the good side, at the reference or
    without a value are not ranked; ``gap`` is how far each is on the bad side."""
    known, no_data = _areas(frame, TOTAL)
    if reference is None or (isinstance(reference, float) and math.isnan(reference)):
        return Ranking(pd.DataFrame(columns=_RANKING_COLUMNS), None, len(known), no_data)
    sign = 1.0 if higher_is_better else -1.0
    known = known.assign(gap=sign * (reference - known["value"]))
    behind = known[known["gap"] > 0].sort_values(["gap", "unit_code"],
                                                 ascending=[False, True], kind="stable")
    return Ranking(behind.head(n)[_RANKING_COLUMNS].reset_index(drop=True), reference,
                   len(known), no_data)


def lowest_parity(frame: pd.DataFrame, reference: float | None,
                  n: int = GAP_COUNT) -> Ranking:
    """The ``n`` areas of ``frame`` (the engine's rows split by sex) with the lowest
    parity index (girls furthest behind boys), the lowest first; ``gap`` is the distance
    below the ``reference`` (the national index; negative when above it)."""
    known, no_data = _areas(frame, PARITY)
    ref = _number(reference)
    known = known.assign(gap=(ref - known["value"]) if ref is not None else float("nan"))
    lowest = known.sort_values(["value", "unit_code"], kind="stable")
    return Ranking(lowest.head(n)[_RANKING_COLUMNS].reset_index(drop=True), ref,
                   len(known), no_data)


@dataclass(frozen=True)
class Gaps:
    """Both rankings of the Overview for one place, level, year and indicator."""

    indicator_id: str
    sub_level: str
    largest: Ranking
    parity_indicator_id: str | None
    parity: Ranking | None


def gaps(fetch: Fetch, registry: Registry, level_id: str, year: int, where: Place,
         indicator_id: str) -> Gaps | None:
    """The areas one level down from ``where`` furthest behind the national value of
    ``indicator_id``, and those with the lowest gender parity of the level's GER. None for
    an area of the finest level (nothing below it to rank)."""
    sub = where.sub_level
    if sub is None:
        return None
    inside = None if where.admin_level == NATIONAL else where.code
    indicator = registry.get(indicator_id)
    if indicator.higher_is_better is None:
        raise IndicatorError(f"{indicator_id} has no direction: its gaps cannot be ranked")

    parity_id = f"ger_{level_id}"
    # The GER split by sex also holds its totals: one engine call serves both rankings.
    by = "sex" if indicator_id == parity_id else None
    areas = fetch(indicator_id, sub, year, by, inside)
    national = value_of(fetch(indicator_id, NATIONAL, year, by, None), None, TOTAL)
    largest = largest_gaps(areas, national, bool(indicator.higher_is_better))

    parity = None
    if parity_id in registry:
        split = fetch(parity_id, sub, year, "sex", inside)
        parity = lowest_parity(split, value_of(fetch(parity_id, NATIONAL, year, "sex", None),
                                               None, PARITY))
    return Gaps(indicator_id, sub, largest, parity_id if parity is not None else None, parity)


def flagged(flags: object) -> bool:
    """Whether an engine ``flags`` string holds any flag."""
    return bool(split_flags(flags if isinstance(flags, str) else ""))


def flag_names(rows: Sequence[str]) -> list[str]:
    """The distinct flags of several engine ``flags`` strings, in first-seen order."""
    seen: list[str] = []
    for text in rows:
        for name in split_flags(text if isinstance(text, str) else ""):
            if name not in seen:
                seen.append(name)
    return seen
