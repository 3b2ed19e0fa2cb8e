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


def palettes(group: str) -> tuple[str, ...]:
    """The colour-blind-safe palettes that fit the value shown, the default first."""
    return DIVERGING if is_parity(group) else SEQUENTIAL


def default_breaks(group: str) -> tuple[float, ...]:
    """Break points offered for custom classes: the parity bands for a parity index."""
    return PARITY_BREAKS if is_parity(group) else ()


def group_rows(frame: pd.DataFrame, group: str = TOTAL) -> pd.DataFrame:
    """The engine's rows of one group (T, a split's group, or parity), one per area."""
    rows = frame.loc[frame["group"] == group, COLUMNS]
    return rows.drop_duplicates("unit_code").reset_index(drop=True)


def build(rows: pd.DataFrame, indicator: Indicator, *, group: str = TOTAL,
          shown: Sequence[str] | None = None, scheme: str = "quantiles", k: int = 5,
          breaks: Sequence[float] = (), palette: str | None = None) -> Choropleth:
    """Classify every area of ``rows`` (one group's rows of all areas of a level), then
    keep the areas whose codes are in ``shown`` (all when None), in ``shown``'s order.

    Colours: a parity index gets a diverging palette centred on 1, its low end (orange in
    PuOr) on the side where the first group is behind (above 1 when lower is better); any
    other value a sequential one whose darkest end is the indicator's worse end.
    """
    parity = is_parity(group)
    values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype="float64")
    classes = classify(values, scheme, k, breaks)
    options = palettes(group)
    palette = palette if palette in options else options[0]
    if parity:  # the side where the first group is behind takes the palette's low end
        colours = diverging_colours(classes, PARITY_CENTRE, palette,
                                    low_above=indicator.higher_is_better is False)
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
    out = choropleth.areas[COLUMNS].copy()
    k = choropleth.areas["k"].to_numpy()
    bounds = [choropleth.classes.bounds(int(i)) if i >= 0 else (np.nan, np.nan) for i in k]
    out["class"] = pd.array([int(i) + 1 if i >= 0 else None for i in k], dtype="Int64")
    out["class_from"] = [lo if np.isfinite(lo) else np.nan for lo, _ in bounds]
    out["class_to"] = [hi if np.isfinite(hi) else np.nan for _, hi in bounds]
    return out


def csv_bytes(choropleth: Choropleth) -> bytes:
    """:func:`table` as a CSV file to download (:func:`lib.export.csv_bytes`)."""
    return export.csv_bytes(table(choropleth))
