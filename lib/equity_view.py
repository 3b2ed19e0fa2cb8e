"""What the Equity page shows, from the indicator engine: who is left behind and by how much.

Pure: no streamlit. Every function takes the engine's rows (:func:`lib.indicators.compute`,
columns unit_code, unit_name, year, group, value, numerator, denominator, flags) and returns
the frame one chart or table draws, so that a test can check each against the engine.

- the parity index per area (group ``parity``: the UIS adjusted index of the first group
  over the second, 0.97–1.03 read as parity), or for ownership, which has no parity, the
  groups' values side by side;
- a ranking of the areas with the national value and a target;
- the inequality between areas (:mod:`lib.equity`) with a reading in plain words;
- two indicators across districts (a scatter), and the areas furthest behind.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from lib.equity import Disparity
from lib.indicators.flags import SMALL_DENOMINATOR, split_flags
from lib.indicators.registry import Indicator, Registry
from lib.vocabulary import AREA, PARITY, PARITY_SPLITS, SPLIT, SPLITS_PARITY_FIRST, TOTAL

DIMENSIONS: tuple[str, ...] = SPLITS_PARITY_FIRST  # the built-in ones; then the package's
PARITY_LOW, PARITY_HIGH = 0.97, 1.03  # read as parity (SDG 4.5.1 metadata)
VALUE, INDEX = "value", "parity"  # what a ranking ranks
BOTTOM_DEFAULT = 10

# Bands of a parity index, from the first group furthest behind to the second.
BANDS = ("no_data", "below", "parity", "above")


# --------------------------------------------------------------------------- choices


def indicators(registry: Registry, level_id: str) -> list[str]:
    """Indicators of a level whose gaps the page can show: rates and ratios (counts have no
    inequality), computed for areas, with at least one dimension."""
    return [ind.id for ind in registry.for_level(level_id)
            if not ind.is_count and AREA in ind.admin_levels
            and dimensions(ind)]


def dimensions(indicator: Indicator) -> list[str]:
    """The equity dimensions (splits) the indicator allows, in the page's order: the
    built-in ones (those with a parity index first), then the package's (ethnicity…)."""
    return [d for d in DIMENSIONS if d in indicator.splits] + [
        d for d in indicator.splits if d not in SPLIT]


def has_parity(dimension: str) -> bool:
    return dimension in PARITY_SPLITS


def groups(frame: pd.DataFrame) -> tuple[str, ...]:
    """The groups of the engine's rows of one split, in its order (not the total, not the
    parity index)."""
    return tuple(g for g in dict.fromkeys(frame["group"]) if g not in (TOTAL, PARITY))


def _of_district(dimension: str) -> bool:
    """Each area of the finest level is in one group (priority)."""
    return dimension in SPLIT and SPLIT[dimension].of_district


def parity_direction(higher_is_better: bool | None) -> str:
    """How a parity index reads for an indicator: ``higher`` (higher is better: below 1 the
    first group is behind), ``lower`` (lower is better, as a pupil–teacher or dropout rate:
    above 1 the first group is behind) or ``none`` (no direction: nobody is behind)."""
    return "none" if higher_is_better is None else "higher" if higher_is_better else "lower"


def parity_band(value: float | None) -> str:
    """``below`` (under 0.97), ``parity`` (0.97–1.03), ``above`` or ``no_data``. Which
    side is behind depends on the indicator (:func:`parity_direction`)."""
    if value is None or not np.isfinite(value):
        return "no_data"
    if value < PARITY_LOW:
        return "below"
    if value > PARITY_HIGH:
        return "above"
    return "parity"


def _small(flags: Iterable[object]) -> list[bool]:
    return [SMALL_DENOMINATOR in split_flags(f if isinstance(f, str) else "") for f in flags]


def _flagged(flags: Iterable[object]) -> list[bool]:
    return [bool(split_flags(f if isinstance(f, str) else "")) for f in flags]


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def national_value(national: pd.DataFrame, group: str = TOTAL) -> float | None:
    """The country's value of one group in the engine's national rows."""
    rows = national.loc[national["group"] == group, "value"]
    return None if rows.empty else _number(rows.iloc[0])


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Ranked:
    """Areas in rank order, the furthest behind first, then the areas without a value.

    ``rows``: unit_code, unit_name, value (NaN: no data), flags, small (small
    denominator), flagged (any flag), band (parity bands, for a parity index), rank (1 for
    the furthest behind, empty for no data)."""

    rows: pd.DataFrame
    measure: str  # value or parity
    national: float | None
    target: float | None
    no_data: int


def ranking(frame: pd.DataFrame, national: pd.DataFrame, *, measure: str,
            higher_is_better: bool | None, target: float | None = None,
            group: str = TOTAL) -> Ranked:
    """Every area of ``frame`` ranked by its value (``measure`` value: of ``group``, the
    total by default, or one group of a split without a parity index, e.g. Hmong-Mien
    pupils) or its parity index (``measure`` parity). Values: the worse end first (lowest
    first when higher is better, highest first when lower is better or there is no
    direction). Parity: the first group furthest behind the second first: the lowest index,
    or the highest when lower is better."""
    group = PARITY if measure == INDEX else group
    rows = frame.loc[frame["group"] == group, ["unit_code", "unit_name", "value", "flags"]]
    rows = rows.drop_duplicates("unit_code").reset_index(drop=True)
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype("float64")
    known = rows[rows["value"].notna()]
    ascending = higher_is_better is not False if measure == INDEX else bool(higher_is_better)
    known = known.sort_values(["value", "unit_code"], ascending=[ascending, True],
                              kind="stable")
    missing = rows[rows["value"].isna()].sort_values("unit_code", kind="stable")
    out = pd.concat([known, missing], ignore_index=True)
    out["small"] = _small(out["flags"])
    out["flagged"] = _flagged(out["flags"])
    out["band"] = [parity_band(v) for v in out["value"]] if measure == INDEX else ""
    out["rank"] = pd.array(list(range(1, len(known) + 1)) + [None] * len(missing),
                           dtype="Int64")
    return Ranked(out, measure, national_value(national, group),
                  None if measure == INDEX else target, len(missing))


# --------------------------------------------------------------------------- groups


def side_by_side(frame: pd.DataFrame) -> pd.DataFrame:
    """Each area's value for every group of the split of ``frame`` (ownership: public,
    private, community), long: unit_code, unit_name, group, value, flags, small. Areas are in the
    order of their total value, highest first; a group an area lacks keeps its row with no
    value (NaN), so that "no data" is shown as such."""
    names = groups(frame)
    totals = frame[frame["group"] == TOTAL].set_index("unit_code")["value"]
    rows = frame[frame["group"].isin(names)].copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype("float64")
    rows["small"] = _small(rows["flags"])
    rows["total"] = rows["unit_code"].map(totals).astype("float64")
    rows["group_pos"] = rows["group"].map({g: i for i, g in enumerate(names)})
    rows = rows.sort_values(["total", "unit_code", "group_pos"], ascending=[False, True, True],
                            na_position="last", kind="stable")
    return rows[["unit_code", "unit_name", "group", "value", "flags", "small"]].reset_index(
        drop=True)


def parity_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per area: the value of each group of a parity dimension, the parity index
    and its band. Columns unit_code, unit_name, T, <first group>, <second group>, parity,
    band, flags."""
    first, second = groups(frame)[:2]
    names = frame.drop_duplicates("unit_code").set_index("unit_code")["unit_name"]
    wide = frame.pivot_table(index="unit_code", columns="group", values="value",
                             aggfunc="first", dropna=False)
    wide = wide.reindex(index=names.index, columns=[TOTAL, first, second, PARITY])
    wide.insert(0, "unit_name", names)
    wide = wide.reset_index()
    flags = frame[frame["group"] == PARITY].set_index("unit_code")["flags"]
    wide["band"] = [parity_band(v) for v in wide[PARITY]]
    wide["flags"] = wide["unit_code"].map(flags).fillna("")
    wide.columns.name = None
    return wide


# --------------------------------------------------------------------------- inequality

# Named fractions for "… of the inequality lies within provinces", nearest first.
FRACTIONS: tuple[tuple[float, str], ...] = (
    (0.0, "none"), (0.1, "a_tenth"), (0.2, "a_fifth"), (0.25, "a_quarter"),
    (1 / 3, "a_third"), (0.4, "two_fifths"), (0.5, "half"), (0.6, "three_fifths"),
    (2 / 3, "two_thirds"), (0.75, "three_quarters"), (0.8, "four_fifths"),
    (0.9, "nine_tenths"), (1.0, "all"))


def fraction_words(share: float) -> str:
    """The plain fraction nearest to ``share`` (0–1): ``two_thirds`` for 0.65; ``almost_none``
    and ``almost_all`` near the ends rather than none or all."""
    if not np.isfinite(share):
        return "unknown"
    if share < 0.03:
        return "almost_none" if share > 0 else "none"
    if share > 0.97:
        return "almost_all" if share < 1 else "all"
    return min(FRACTIONS, key=lambda item: abs(item[0] - share))[1]


@dataclass(frozen=True)
class Reading:
    """One measure of inequality and what it says: ``key`` names the sentence, the other
    fields fill it."""

    measure: str
    value: float
    key: str
    area: str = ""  # the area at the minimum or maximum
    percent: float | None = None  # the measure as a percentage, where that reads better
    fraction: str = ""  # a share of the total Theil, in words (``two_thirds``)


def weight_kind(indicator: Indicator) -> str:
    """What each area weighs in the inequality measures (contract §3), as a word key:
    population, enrolment, pupils, schools or teachers."""
    if indicator.population_based:
        return "population"
    if indicator.flow or indicator.denominator_kind == "pupils":
        return "enrolment"
    if indicator.weight == "numerator":
        return "pupils"
    return indicator.denominator_kind or "enrolment"


def readings(disparity: Disparity, frame: pd.DataFrame) -> list[Reading]:
    """The inequality summary, measure by measure, each with its plain reading.
    ``frame``: the engine's rows of the same areas (their T rows name the lowest and the
    highest)."""
    q = disparity.inequality
    rows = frame[frame["group"] == TOTAL]
    known = rows.assign(value=pd.to_numeric(rows["value"], errors="coerce"))
    known = known[known["value"].notna()].reset_index(drop=True)
    lowest = known.loc[known["value"].idxmin(), "unit_name"] if not known.empty else ""
    highest = known.loc[known["value"].idxmax(), "unit_name"] if not known.empty else ""
    out = [
        Reading("min", q.min, "min", area=str(lowest)),
        Reading("max", q.max, "max", area=str(highest)),
        Reading("max_min_ratio", q.max_min_ratio,
                "ratio" if np.isfinite(q.max_min_ratio) else "ratio_undefined"),
        Reading("cv", q.cv, "cv" if np.isfinite(q.cv) else "undefined",
                percent=100.0 * q.cv if np.isfinite(q.cv) else None),
        # The weighted mean absolute difference between two areas is 2 G μ.
        Reading("gini", q.gini, "gini" if np.isfinite(q.gini) else "undefined",
                percent=200.0 * q.gini if np.isfinite(q.gini) else None),
        Reading("theil_t", q.theil_t, "undefined" if not np.isfinite(q.theil_t) else
                "theil_split" if q.theil_between is not None else "theil"),
    ]
    if q.theil_between is not None:
        total = q.theil_t
        for measure, part in (("theil_between", q.theil_between),
                              ("theil_within", q.theil_within)):
            share = part / total if np.isfinite(total) and total > 0 and part is not None \
                else math.nan
            key = measure.split("_")[1] if np.isfinite(share) else "undefined"
            out.append(Reading(measure, float(part) if part is not None else math.nan, key,
                               percent=100.0 * share if np.isfinite(share) else None,
                               fraction=fraction_words(share)))
    return out


def readings_frame(items: Sequence[Reading], texts: Sequence[str]) -> pd.DataFrame:
    """The summary as a table and its CSV: measure, value, reading."""
    return pd.DataFrame({"measure": [r.measure for r in items],
                         "value": [r.value for r in items], "reading": list(texts)})


# --------------------------------------------------------------------------- scatter


def scatter(x: pd.DataFrame, y: pd.DataFrame, districts: pd.DataFrame,
            area_names: Mapping[str, str], size: pd.DataFrame | None = None,
            size_field: str = "value") -> tuple[pd.DataFrame, int]:
    """Two indicators across districts: unit_code, unit_name, province, priority, x, y,
    size, flags, flagged, small; and how many districts lack x or y (left out).

    ``x``, ``y``: the engine's district rows (group T); ``size``: the engine's rows whose
    ``size_field`` sizes each point (``denominator`` of a GER: the school-age population);
    ``districts``: code, province_code, priority (bool) (:func:`lib.districts.attributes`);
    ``area_names``: admin code -> name (:func:`lib.areas.area_names`)."""
    def column(frame: pd.DataFrame, field: str = "value") -> pd.DataFrame:
        rows = frame.loc[frame["group"] == TOTAL, ["unit_code", "unit_name", "flags"]]
        rows = rows.assign(value=frame.loc[frame["group"] == TOTAL, field])
        return rows.drop_duplicates("unit_code").set_index("unit_code")

    xs, ys = column(x), column(y)
    out = pd.DataFrame({"unit_code": xs.index, "unit_name": xs["unit_name"].to_numpy()})
    out["x"] = pd.to_numeric(xs["value"], errors="coerce").to_numpy(dtype="float64")
    out["y"] = pd.to_numeric(out["unit_code"].map(ys["value"]), errors="coerce").astype(
        "float64")
    if size is not None:
        sizes = column(size, size_field)
        out["size"] = pd.to_numeric(out["unit_code"].map(sizes["value"]),
                                    errors="coerce").astype("float64")
    else:
        out["size"] = np.nan
    info = districts.set_index("code")
    parents = out["unit_code"].map(info["province_code"])
    out["province"] = [area_names.get(p, "") if isinstance(p, str) else ""
                       for p in parents]
    out["priority"] = out["unit_code"].map(info["priority"]).fillna(False).astype(bool)
    flags = [";".join(f for f in (a, b) if isinstance(f, str) and f)
             for a, b in zip(xs["flags"], out["unit_code"].map(ys["flags"]))]
    out["flags"] = [";".join(dict.fromkeys(split_flags(f))) for f in flags]
    out["flagged"] = _flagged(out["flags"])
    out["small"] = _small(out["flags"])
    both = out["x"].notna() & out["y"].notna()
    return out[both].reset_index(drop=True), int((~both).sum())


# --------------------------------------------------------------------------- bottom N


def bottom(ranked: Ranked, n: int = BOTTOM_DEFAULT, split: pd.DataFrame | None = None
           ) -> pd.DataFrame:
    """The ``n`` areas furthest behind (the ranking's first ``n`` with a value), with their
    gap to the national value and, given a parity ``split`` (:func:`parity_table`), each
    group's value and the parity index. Columns: rank, unit_code, unit_name, value, gap,
    [groups…, parity], flags."""
    rows = ranked.rows[ranked.rows["rank"].notna()].head(max(int(n), 0)).copy()
    out = rows[["rank", "unit_code", "unit_name", "value"]].copy()
    out["gap"] = (out["value"] - ranked.national) if ranked.national is not None else np.nan
    if split is not None and ranked.measure == VALUE:
        extra = split.set_index("unit_code").drop(columns=["unit_name", TOTAL, "band",
                                                           "flags"], errors="ignore")
        for col in extra.columns:
            out[col] = out["unit_code"].map(extra[col]).astype("float64")
    out["flags"] = rows["flags"].to_numpy()
    return out.reset_index(drop=True)


def size_indicator(registry: Registry, level_id: str) -> tuple[str, str, str] | None:
    """What sizes a district on the scatter: the school-age population of the level (the
    denominator of its GER) when the extract has population, else its enrolment. Returns
    (indicator id, engine column, kind ``population`` or ``pupils``), or None."""
    if f"ger_{level_id}" in registry:
        return f"ger_{level_id}", "denominator", "population"
    if f"enrolment_{level_id}" in registry:
        return f"enrolment_{level_id}", "value", "pupils"
    return None


def versus_default(options: Sequence[str], indicator_id: str, level_id: str) -> str:
    """The scatter's other indicator: the level's PTR, else its GER, else the first other."""
    for candidate in (f"ptr_{level_id}", f"ger_{level_id}"):
        if candidate in options and candidate != indicator_id:
            return candidate
    others = [o for o in options if o != indicator_id]
    return others[0] if others else indicator_id


def level_for(dimension: str, admin: str, admin_ids: Sequence[str], within: str) -> str:
    """The admin level whose areas are compared: ``admin`` (the level chosen above the
    map). An area of the finest level is either a priority area or not, so the priority gap
    exists for larger areas (and the country), not for the finest: for the whole country it
    is compared one level up. ``admin_ids``: the profile's levels, largest first;
    ``within``: the area chosen ("" for the whole country)."""
    if not within and _of_district(dimension) and admin == admin_ids[-1] and \
            len(admin_ids) > 1:
        return admin_ids[-2]
    return admin


def parity_possible(dimension: str, level: str, finest: str) -> bool:
    """Whether each area of ``level`` can have a parity index in ``dimension`` (``finest``:
    the finest admin level's id)."""
    return has_parity(dimension) and not (_of_district(dimension) and level == finest)
