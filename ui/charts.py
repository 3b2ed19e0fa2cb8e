"""Charts that pages share, as Vega-Lite specs (Vega-Lite ships with Streamlit: nothing is
fetched from the network)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.i18n import t
from lib.overview import Ranking, flag_names, flagged
from ui.values import flag_help, flag_labels, format_value

BAR = "#c4553a"  # the worse side; flagged bars are drawn paler
REFERENCE = "#31333f"
FLAG_MARK = " ⚠"
ROW_PX = 34


def ranking(result: Ranking, unit: str, *, lang: str, title: str, none: str, no_data: str,
            key: str | None = None) -> None:
    """Areas as bars that start at the reference (the national value) and end at the
    area's value, so each bar is the gap; the value is written at the end of the bar.
    Flagged values are paler and marked ⚠, with the flags explained underneath. ``none``
    is said when no area is on the worse side, ``no_data`` when no area has a value."""
    st.markdown(f"**{title}**")
    rows = result.rows
    if result.compared == 0 or result.reference is None:
        st.info(no_data, icon=":material/database_off:")
        return
    if rows.empty:
        st.success(none, icon=":material/check_circle:")
        _no_data_note(result, lang)
        return
    reference = float(result.reference)
    marks = [bool(flagged(f)) for f in rows["flags"]]
    data = pd.DataFrame({
        "area": [str(name) + (FLAG_MARK if mark else "") for name, mark
                 in zip(rows["unit_name"], marks)],
        "value": rows["value"].astype(float).to_numpy(),
        "reference": reference,
        "label": [format_value(v, unit, lang) for v in rows["value"]],
        "flagged": marks,
        "note": [", ".join(flag_labels(flag_names([f]), lang)) for f in rows["flags"]],
    })
    ref_label = t("overview.gaps.reference", lang, value=format_value(reference, unit, lang))
    st.vega_lite_chart(data, _gap_spec(data, reference, ref_label, lang), key=key)
    flags = flag_names(list(rows["flags"]))
    if flags:
        st.caption(t("overview.gaps.flag_note", lang,
                     flags=", ".join(flag_labels(flags, lang))), help=flag_help(flags, lang))
    _no_data_note(result, lang)


def _gap_spec(data: pd.DataFrame, reference: float, reference_label: str,
              lang: str) -> dict:
    """Vega-Lite: a bar from the reference to each value, the value written at the bar's
    end, a dashed line at the reference with its label on top. Written as a plain spec:
    building it with Altair and validating it cost about 50 ms per chart and rerun."""
    low = min(float(data["value"].min()), reference)
    high = max(float(data["value"].max()), reference)
    pad = (high - low) * 0.3 or abs(reference) * 0.1 or 1.0
    domain = [low - (pad if data["value"].min() < reference else pad * 0.2),
              high + (pad if data["value"].max() > reference else pad * 0.2)]
    y = {"field": "area", "type": "nominal", "sort": list(data["area"]), "title": None,
         "axis": {"labelLimit": 180, "ticks": False, "domain": False, "labelFontSize": 12}}
    x = {"field": "value", "type": "quantitative", "title": None,
         "scale": {"domain": domain, "zero": False, "nice": False},
         "axis": {"grid": False, "labels": False, "ticks": False, "domain": False}}
    tooltip = [{"field": "area", "title": t("overview.gaps.area", lang)},
               {"field": "label", "title": t("overview.gaps.value", lang)},
               {"field": "note", "title": t("overview.gaps.flags", lang)}]

    def label(side: str, align: str, dx: int) -> dict:
        return {"transform": [{"filter": f"datum.value {side} {reference!r}"}],
                "mark": {"type": "text", "align": align, "dx": dx, "color": REFERENCE,
                         "fontSize": 12},
                "encoding": {"y": y, "x": x, "text": {"field": "label"}}}

    return {
        "height": ROW_PX * len(data) + 10,
        "padding": {"top": 22, "left": 4, "right": 4, "bottom": 4},
        "config": {"view": {"stroke": None}},
        "layer": [
            {"mark": {"type": "bar", "color": BAR, "cornerRadius": 2,
                      "height": ROW_PX * 0.6},
             "encoding": {"y": y, "x": x, "x2": {"field": "reference"}, "tooltip": tooltip,
                          "opacity": {"condition": {"test": "datum.flagged", "value": 0.45},
                                      "value": 0.9}}},
            label("<", "right", -5),
            label(">=", "left", 5),
            {"data": {"values": [{"value": reference, "text": reference_label}]},
             "layer": [
                 {"mark": {"type": "rule", "color": REFERENCE, "strokeDash": [4, 3],
                           "strokeWidth": 1.5}, "encoding": {"x": x}},
                 {"mark": {"type": "text", "align": "center", "baseline": "bottom", "dy": -4,
                           "color": REFERENCE, "fontWeight": "bold", "fontSize": 12},
                  "encoding": {"x": x, "y": {"value": 0}, "text": {"field": "text"}}}]},
        ],
    }


def _no_data_note(result: Ranking, lang: str) -> None:
    if result.no_data:
        st.caption(t("overview.gaps.no_data_some", lang, n=result.no_data))
