"""What a choropleth shows: one value per area, its class and colour, the legend's counts.

Pure: no Streamlit. The engine's rows (:func:`lib.indicators.compute`) of every area of an
admin level are classified together, so that a province drilled into keeps the classes and
colours of the whole country; the areas shown (all, or one province's districts) are then
counted in those classes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.classify import (DIVERGING, PARITY_BREAKS, PARITY_CENTRE, SEQUENTIAL, Classes,
                          assign, class_counts, classify, diverging_colours,
                          sequential_colours)
from lib import export
from lib.indicators import Indicator
from lib.vocabulary import PARITY, TOTAL

COLUMNS = ["unit_code", "unit_name", "year", "group", "value", "numerator", "denominator",
           "flags"]


@dataclass(frozen=True)
class Choropleth:
    """The areas shown, each with its class (``k``, -1 for no data), and the classes."""

    areas: pd.DataFrame  # COLUMNS + k
    classes: Classes
    colours: tuple[str, ...]  # one per class
    counts: tuple[int, ...]  # areas shown per class
    no_data: int  # areas shown without a value
    parity: bool

    def class_bounds(self, k: int) -> tuple[float, float]:
        return self.classes.bounds(k)


def is_parity(group: str) -> bool:
    return group == PARITY


def palettes(group: str, change: bool = False) -> tuple[str, ...]:
    """The colour-blind-safe palettes that fit the value shown, the default first."""
    return DIVERGING if is_parity(group) or change else SEQUENTIAL


def default_breaks(group: str) -> tuple[float, ...]:
    """Break points offered for custom classes: the parity bands for a parity index."""
    return PARITY_BREAKS if is_parity(group) else ()


def group_rows(frame: pd.DataFrame, group: str = TOTAL) -> pd.DataFrame:
    """The engine's rows of one group (T, a split's group, or parity), one per area."""
    rows = frame.loc[frame["group"] == group, COLUMNS]
    return rows.drop_duplicates("unit_code").reset_index(drop=True)


NO_COMPARABLE = "no_comparable_value"  # a change map's flag: a year without a value
CHANGE_CENTRE = 0.0


def change_rows(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """One group's rows of two years (:func:`group_rows`), as a change map shows them:
    ``value`` the change from ``before`` to ``now`` (NaN, flagged
    :data:`NO_COMPARABLE`, where either year has no value), ``value_now`` and
    ``value_before`` beside it; the rows of ``now`` in their order, the year of ``now``."""
    then = before.set_index("unit_code")["value"]
    out = now.copy()
    out["value_now"] = pd.to_numeric(now["value"], errors="coerce")
    out["value_before"] = pd.to_numeric(now["unit_code"].map(then), errors="coerce")
    out["value"] = out["value_now"] - out["value_before"]
    missing = out["value"].isna().to_numpy()
    flags = out["flags"].fillna("").astype(str)
    out["flags"] = [";".join(x for x in (f, NO_COMPARABLE) if x) if miss else f
                    for f, miss in zip(flags, missing)]
    return out.reset_index(drop=True)


def change_breaks(values: np.ndarray) -> tuple[float, ...]:
    """Breaks for a change map's quantiles, the same on both sides of no change: the size
    of a third and of three quarters of the changes, below and above 0, so that the middle
    class is "about the same" and falls and rises never share a class. Empty when the
    changes are all (nearly) none."""
    size = np.abs(values[np.isfinite(values)])
    if size.size == 0:
        return ()
    small, large = (float(x) for x in np.percentile(size, [33, 75]))
    if large <= 0:
        return ()
    small = small if 0 < small < large else large / 2
    return (-large, -small, small, large)


def build(rows: pd.DataFrame, indicator: Indicator, *, group: str = TOTAL,
          shown: Sequence[str] | None = None, scheme: str = "quantiles", k: int = 5,
          breaks: Sequence[float] = (), palette: str | None = None,
          change: bool = False) -> Choropleth:
    """Classify every area of ``rows`` (one group's rows of all areas of a level), then
    keep the areas whose codes are in ``shown`` (all when None), in ``shown``'s order.

    Colours: a parity index gets a diverging palette centred on 1, its low end (orange in
    PuOr) on the side where the first group is behind (above 1 when lower is better); a
    ``change`` (rows of :func:`change_rows`) one centred on no change, its low end on the
    side that got worse, its quantiles those of the size of the change on both sides
    (:func:`change_breaks`); any other value a sequential one whose darkest end is the
    indicator's worse end.
    """
    parity = is_parity(group)
    values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64")
    symmetric = change_breaks(values) if change and scheme == "quantiles" else ()
    classes = classify(values, "custom", breaks=symmetric) if symmetric else \
        classify(values, scheme, k, breaks)
    options = palettes(group, change)
    palette = palette if palette in options else options[0]
    if parity or change:  # the worse side takes the palette's low end
        colours = diverging_colours(classes, CHANGE_CENTRE if change else PARITY_CENTRE,
                                    palette, low_above=indicator.higher_is_better is False)
    else:
        colours = sequential_colours(classes.k, indicator.higher_is_better, palette)
    areas = rows.copy()
    areas["k"] = assign(values, classes)
    if shown is not None:
        order = {code: i for i, code in enumerate(shown)}
        areas = areas[areas["unit_code"].isin(order)]
        areas = areas.iloc[np.argsort([order[c] for c in areas["unit_code"]], kind="stable")]
        areas = areas.reset_index(drop=True)
    counts, no_data = class_counts(areas["k"].to_numpy(), classes.k)
    return Choropleth(areas, classes, tuple(colours), tuple(counts), no_data, parity)


def table(choropleth: Choropleth) -> pd.DataFrame:
    """The values shown, for the table under the map and its CSV: the engine's columns,
    then the class (1-based, empty for no data) and its bounds."""
    extra = [c for c in ("value_now", "value_before") if c in choropleth.areas]
    out = choropleth.areas[COLUMNS + extra].copy()
    k = choropleth.areas["k"].to_numpy()
    bounds = [choropleth.classes.bounds(int(i)) if i >= 0 else (np.nan, np.nan) for i in k]
    out["class"] = pd.array([int(i) + 1 if i >= 0 else None for i in k], dtype="Int64")
    out["class_from"] = [lo if np.isfinite(lo) else np.nan for lo, _ in bounds]
    out["class_to"] = [hi if np.isfinite(hi) else np.nan for _, hi in bounds]
    return out


def csv_bytes(choropleth: Choropleth) -> bytes:
    """:func:`table` as a CSV file to download (:func:`lib.export.csv_bytes`)."""
    return export.csv_bytes(table(choropleth))
