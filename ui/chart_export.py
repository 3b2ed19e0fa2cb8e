"""An Altair chart drawn with its ways out: Streamlit's chart toolbar (on hover) saves it
as PNG and shows its data; buttons download the data it draws as CSV and Excel, and the
chart as SVG.

The PNG is made in the browser from the chart Streamlit already drew (Vega's
``toImageURL``, bundled with Streamlit): nothing is fetched from the network. Streamlit
1.67 switches vega-embed's own "…" menu off (and ignores a spec's ``usermeta`` embed
options): the SVG is drawn on the server by vl-convert from the same spec, when clicked.

Altair's checks are left to the tests: building a chart the default way costs 40–80 ms,
most of it spent validating, deep-copying and converting data row by row, and a page that
meets a new indicator builds three to five charts. So the app turns Altair's debug mode off
(each new chart object would be validated on creation), takes specs without validation, and
converts frames to rows column by column (:func:`frame_values`). The unit tests validate
every chart builder's spec instead.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from altair.utils.schemapi import disable_debug_mode

from ui.tables import csv_file, download_csv

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")  # colour-blind-safe categorical colours (Okabe & Ito 2008)
# A split's groups in their order: girls, rural, priority districts, public schools first;
# the same on every page. Okabe–Ito, then Tol's muted colours for the many groups of a
# package's dimension or the functional domains.
GROUP_COLOURS = ("#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                 "#F0E442", "#332288", "#882255", "#44AA99", "#999933", "#AA4499",
                 "#117733", "#888888")
FONT = "Source Sans Pro, sans-serif"


def frame_values(data: object) -> dict:
    """A frame's rows as Vega-Lite inline values, column by column: numbers as Python
    numbers, NaN and NA as null (JSON has no NaN), other values as they are. Altair's
    default conversion checks every cell and costs about ten times as much."""
    if not isinstance(data, pd.DataFrame):
        return alt.data.default_data_transformer(data)
    columns = {}
    for name, column in data.items():
        values = column.to_numpy()
        if values.dtype.kind == "f":
            values = np.where(np.isfinite(values), values.astype(object), None)
        elif values.dtype.kind not in "iub":
            values = np.array([None if v is None or v is pd.NA or
                               (isinstance(v, float) and v != v) else
                               v.item() if isinstance(v, np.generic) else v
                               for v in values], dtype=object)
        columns[str(name)] = values.tolist()
    names = list(columns)
    return {"values": [dict(zip(names, row)) for row in zip(*columns.values())]}


alt.data_transformers.register("frame_values", frame_values)
alt.data_transformers.enable("frame_values")
disable_debug_mode()


def spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec (not validated: see the module's note). A chart's
    ``height`` is its plotting area's: it fits the container's width only (Streamlit's
    default, ``fit``, squeezes the plot to make room for titles, legends and axes)."""
    out = chart.to_dict(validate=False)
    if "facet" not in out:
        out.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return out


@st.cache_data(max_entries=512, show_spinner=False)  # a spec with its data: 10-100 KB
def _built(_builder: Callable[..., alt.TopLevelMixin], name: str, kwargs: dict) -> dict:
    return spec(_builder(**kwargs))


def built(builder: Callable[..., alt.TopLevelMixin], **kwargs: Any) -> dict:
    """``builder(**kwargs)``'s spec, cached on its inputs: building an Altair chart costs
    20–60 ms, so a rerun that changes another chart reuses this one."""
    return _built(builder, f"{builder.__module__}.{builder.__qualname__}", kwargs)


def file_stem(*parts: object) -> str:
    """A safe file name from its parts: ``equity_ger_primary_2024_district``."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", "_".join(str(p) for p in parts if p not in
                                                      (None, "")))


def show(chart: alt.TopLevelMixin | dict, data: pd.DataFrame, *, file_name: str, lang: str,
         key: str, height: int | str = "content") -> None:
    """The chart (an Altair chart or its spec, see :func:`built`), then a CSV download of
    ``data`` (the rows it draws, machine column names, values at full precision)."""
    drawn = chart if isinstance(chart, dict) else spec(chart)
    st.vega_lite_chart(drawn, width="stretch", height=height, key=f"{key}_chart")
    download_csv(csv_file(data), f"{file_name}.csv", lang=lang,
                 label_key="chart.download_csv", key=f"{key}_csv", chart=drawn)
