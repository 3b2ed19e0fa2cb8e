"""The app's own conversion of chart rows (ui.chart_export.frame_values) gives what Altair's
default conversion gives, and valid JSON: no NaN, numbers as Python numbers."""
from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd


def test_rows_are_converted_like_altair_does_it_but_column_by_column():
    from ui.chart_export import frame_values

    frame = pd.DataFrame({
        "value": [1.5, np.nan, np.inf, 2.0],
        "count": np.array([1, 2, 3, 4], dtype="int64"),
        "small": [True, False, False, True],
        "name": ["Vientiane", None, "ຫຼວງພະບາງ", "<b>x</b>"],
        "mixed": [np.float64(1.0), np.nan, "a", np.int64(7)],
        "text": pd.array(["a", None, "c", "d"], dtype="string"),
    })
    ours = frame_values(frame)["values"]
    assert ours == [
        {"value": 1.5, "count": 1, "small": True, "name": "Vientiane", "mixed": 1.0,
         "text": "a"},
        {"value": None, "count": 2, "small": False, "name": None, "mixed": None,
         "text": None},
        {"value": None, "count": 3, "small": False, "name": "ຫຼວງພະບາງ", "mixed": "a",
         "text": "c"},
        {"value": 2.0, "count": 4, "small": True, "name": "<b>x</b>", "mixed": 7,
         "text": "d"},
    ]
    assert all(type(row["count"]) is int and type(row["small"]) is bool for row in ours)
    json.dumps(ours, allow_nan=False)  # no NaN or infinity left
    numeric = frame[["value", "count", "small", "name"]]
    altairs = alt.utils.data.to_values(numeric.replace([np.inf], np.nan))["values"]
    assert frame_values(numeric.replace([np.inf], np.nan))["values"] == altairs


def test_a_chart_spec_carries_its_rows_once_as_a_named_dataset():
    from ui.chart_export import spec

    frame = pd.DataFrame({"x": [1.0, np.nan], "y": ["a", "b"]})
    base = alt.Chart()
    chart = alt.layer(base.mark_point().encode(x=alt.X("x:Q"), y=alt.Y("y:N")),
                      base.mark_text().encode(x=alt.X("x:Q"), text=alt.Text("y:N")),
                      data=frame)
    out = spec(chart)
    assert list(out["datasets"].values()) == [[{"x": 1.0, "y": "a"}, {"x": None, "y": "b"}]]
    chart.to_dict(validate=True)
