"""The charts of the Equity page, built with Altair from :mod:`lib.equity_view`, and the
words of its inequality measures.

Chart builders (``*_chart``) are plain functions of frames and words, so the unit tests
validate their specs; :mod:`ui.sections.equity` draws them with their notes and downloads.
Colours are colour-blind safe (Okabe–Ito; PuOr, the map's diverging palette, for parity).
Small denominators are drawn faded and marked ⚠; areas without a value say "no data".
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from lib import equity_view
from lib.equity_view import PARITY_HIGH, PARITY_LOW, Ranked, Reading
from lib.i18n import format_number, t
from lib.indicators import Indicator, split_flags
from ui import values
from ui.chart_export import FONT, GROUP_COLOURS, OKABE_ITO


BEHIND, AHEAD = "#e66101", "#5e3c99"  # PuOr's ends: the first group behind, or the second
WORSE, BETTER, NEUTRAL = "#D55E00", "#0072B2", "#56B4E9"
REFERENCE, TARGET = "#222222", "#009E73"
FLAG_MARK = " ⚠"
ROW_PX = 20
FADED = 0.35


def unit_of(indicator: Indicator, measure: str) -> str:
    return "index" if measure == equity_view.INDEX else indicator.unit


def axis_title(indicator: Indicator, unit: str, lang: str) -> str:
    """An axis title with its unit: "Gross enrolment ratio (%)"."""
    return t(f"chart.axis.{unit}", lang, name=indicator.name(lang))


def parity_words(indicator: Indicator, lang: str) -> str:
    """Which colour says which group is behind, for this indicator's direction."""
    return t(f"parity.direction.{equity_view.parity_direction(indicator.higher_is_better)}",
             lang)


def _labels(rows: pd.DataFrame, unit: str, lang: str) -> pd.DataFrame:
    out = rows.copy()
    out["label"] = [values.format_value(v, unit, lang) for v in out["value"]]
    out["area"] = [str(n) + (FLAG_MARK if f else "") for n, f in
                   zip(out["unit_name"], out["flagged"])]
    out["flag_text"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                        for f in out["flags"]]
    return out


# --------------------------------------------------------------------------- ranking


def ranking_chart(ranked: Ranked, unit: str, *, title: str, subtitle: str, x_title: str,
                  higher_is_better: bool | None, lang: str) -> alt.LayerChart:
    """A bar per area, in rank order, from the national value to the area's value (so each
    bar is the gap), the value written at its end; a parity index's bars start at 1 (left
    of 1 the first group is behind) over the 0.97–1.03 band. The national value (dashed)
    and a target (green) are lines. No value: "no data" written, no bar."""
    data = _labels(ranked.rows, unit, lang)
    parity = ranked.measure == equity_view.INDEX
    nat = ranked.national
    if parity:
        low, high = (AHEAD, BEHIND) if higher_is_better is False else (BEHIND, AHEAD)
        colours = {"below": low, "parity": "#9e9e9e", "above": high}
        data["colour"] = [colours.get(b, "#ffffff") for b in data["band"]]
        base = 1.0
    else:
        worse = [(v < nat) == bool(higher_is_better) if nat is not None and
                 higher_is_better is not None and np.isfinite(v) else None
                 for v in data["value"]]
        data["colour"] = [NEUTRAL if w is None else WORSE if w else BETTER for w in worse]
        base = nat if nat is not None else 0.0
    data["base"] = base
    data["opacity"] = [FADED if s else 0.9 for s in data["small"]]
    data["no_data"] = [t("format.no_data", lang) if not np.isfinite(v) else ""
                       for v in data["value"]]
    data["side"] = ["right" if np.isfinite(v) and v >= base else "left" for v in data["value"]]
    order = list(data["area"])
    height = ROW_PX * max(len(data), 1)
    y = alt.Y("area:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=200, ticks=False, domain=False, labelOverlap=False,
                            labelFontSize=11))
    finite = [float(v) for v in data["value"] if np.isfinite(v)]
    refs = [v for v in (nat, ranked.target, base) if v is not None]
    low, high = min([*finite, *refs]), max([*finite, *refs])
    pad = (high - low) * 0.15 or 0.1
    domain = [low - pad, high + pad]
    scale = alt.Scale(domain=domain, nice=False, zero=False)
    x = alt.X("value:Q", title=x_title, scale=scale, axis=alt.Axis(grid=True,
                                                                    gridOpacity=0.4))
    tooltip = [alt.Tooltip("unit_name:N", title=t("chart.area", lang)),
               alt.Tooltip("label:N", title=t("chart.value", lang)),
               alt.Tooltip("rank:Q", title=t("chart.rank", lang)),
               alt.Tooltip("flag_text:N", title=t("chart.flags", lang))]
    chart = alt.Chart()  # the rows come from the layer above: converted once, not per mark
    layers: list[alt.Chart] = []
    if parity:
        layers.append(alt.Chart(pd.DataFrame({"lo": [PARITY_LOW], "hi": [PARITY_HIGH]}))
                      .mark_rect(color="#e0e0e0", opacity=0.7)
                      .encode(x=alt.X("lo:Q", scale=scale), x2=alt.X2("hi")))
    layers.append(chart.mark_bar(height=ROW_PX * 0.7, cornerRadius=1).encode(
        y=y, x=x, x2=alt.X2("base"), color=alt.Color("colour:N", scale=None),
        opacity=alt.Opacity("opacity:Q", scale=None),
        stroke=alt.StrokeValue(None, condition={"test": "datum.small", "value": REFERENCE}),
        strokeDash=alt.StrokeDashValue([2, 2]), tooltip=tooltip))
    for side, align, dx in (("right", "left", 3), ("left", "right", -3)):
        layers.append(chart.transform_filter(f"datum.side == '{side}'").mark_text(
            align=align, dx=dx, fontSize=10, color="#444444").encode(
            y=y, x=alt.X("value:Q", scale=scale), text=alt.Text("label:N"), tooltip=tooltip))
    layers.append(chart.mark_text(align="left", dx=4, fontSize=11, color="#555555",
                                  fontStyle="italic").encode(
        y=y, x=alt.X("base:Q", scale=scale), text=alt.Text("no_data:N")))
    rules = []
    if nat is not None:
        rules.append((nat, t("chart.national", lang, value=values.format_value(nat, unit, lang)),
                      REFERENCE, [5, 3], -6, "bottom"))
    if ranked.target is not None:
        rules.append((ranked.target, t("chart.target", lang, value=values.format_value(
            ranked.target, unit, lang)), TARGET, [1, 0], height + 6, "top"))
    for value, text, colour, dash, text_y, baseline in rules:
        frame = pd.DataFrame({"v": [value], "text": [text]})
        layers.append(alt.Chart(frame).mark_rule(color=colour, strokeWidth=2,
                                                 strokeDash=dash).encode(
            x=alt.X("v:Q", scale=scale)))
        layers.append(alt.Chart(frame).mark_text(
            color=colour, fontWeight="bold", fontSize=11, align="center", y=text_y,
            baseline=baseline).encode(x=alt.X("v:Q", scale=scale), text=alt.Text("text:N")))
    return alt.layer(
        *layers, data=data,
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start", font=FONT,
                              subtitleColor="#555555", offset=24),
        height=height, width="container", config=alt.Config(
            view=alt.ViewConfig(stroke=None),
            axis=alt.AxisConfig(labelFont=FONT, titleFont=FONT)))


# --------------------------------------------------------------------------- groups


def groups_chart(rows: pd.DataFrame, unit: str, group_names: dict[str, str], *,
                 title: str, subtitle: str, x_title: str, lang: str) -> alt.LayerChart:
    """Each area's groups side by side: one row per area, a dot per group (colour and
    shape), a thin line joining them so the spread reads at a glance."""
    data = rows.copy()
    data["group_name"] = data["group"].map(group_names)
    data["label"] = [values.format_value(v, unit, lang) for v in data["value"]]
    data["opacity"] = [FADED if s else 1.0 for s in data["small"]]
    order = list(dict.fromkeys(data["unit_name"]))
    names = list(group_names.values())
    y = alt.Y("unit_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=200))
    x = alt.X("value:Q", title=x_title, scale=alt.Scale(zero=False))
    known = data[np.isfinite(data["value"])]
    span = known.groupby("unit_name", sort=False)["value"].agg(["min", "max"]).reset_index()
    line = alt.Chart(span).mark_rule(color="#bbbbbb", strokeWidth=2).encode(
        y=y, x=alt.X("min:Q"), x2=alt.X2("max"))
    dots = alt.Chart(known).mark_point(size=70, filled=True).encode(
        y=y, x=x,
        color=alt.Color("group_name:N", title=None,
                        scale=alt.Scale(domain=names, range=list(GROUP_COLOURS[:len(names)])),
                        legend=alt.Legend(orient="top")),
        shape=alt.Shape("group_name:N", scale=alt.Scale(domain=names), legend=None),
        opacity=alt.Opacity("opacity:Q", scale=None),
        tooltip=[alt.Tooltip("unit_name:N", title=t("chart.area", lang)),
                 alt.Tooltip("group_name:N", title=t("chart.group", lang)),
                 alt.Tooltip("label:N", title=t("chart.value", lang))])
    return alt.layer(
        line, dots, title=alt.TitleParams(title, subtitle=subtitle, anchor="start", font=FONT,
                                          subtitleColor="#555555"),
        height=ROW_PX * max(len(order), 1), width="container",
        config=alt.Config(view=alt.ViewConfig(stroke=None)))


# --------------------------------------------------------------------------- inequality


def reading_text(item: Reading, unit: str, areas: str, lang: str) -> str:
    """One measure's reading in plain words."""
    value = values.format_value(item.value, unit, lang)
    percent = format_number(item.percent, lang, 0) if item.percent is not None else ""
    fraction = t(f"equity.fraction.{item.fraction}", lang) if item.fraction else ""
    return t(f"equity.reading.{item.key}", lang, area=item.area, value=value,
             ratio=format_number(item.value, lang, 2), percent=percent, fraction=fraction,
             areas=areas)


def measure_value(item: Reading, unit: str, lang: str) -> str:
    """A measure's value as written: in the indicator's unit for the lowest and the
    highest, as a plain number for the others; Theil, often tiny, with three significant
    digits (0.000215), so that its parts visibly add up to it."""
    if item.measure in ("min", "max"):
        return values.format_value(item.value, unit, lang)
    digits = {"max_min_ratio": 2, "cv": 3, "gini": 3}.get(item.measure, 4)
    if item.measure.startswith("theil") and np.isfinite(item.value) and item.value > 0:
        digits = max(digits, 2 - math.floor(math.log10(item.value)))
    return format_number(item.value, lang, digits)


# --------------------------------------------------------------------------- scatter


def scatter_chart(points: pd.DataFrame, *, x_title: str, y_title: str, size_title: str,
                  colour: str, colour_title: str, national_x: float | None,
                  national_y: float | None, title: str, subtitle: str, x_unit: str,
                  y_unit: str, lang: str) -> alt.LayerChart:
    """A point per district: x and y two indicators, size the population, colour the
    province or the priority flag; dashed lines at the national values. Districts with a
    small denominator are hollow."""
    data = points.copy()
    data["x_label"] = [values.format_value(v, x_unit, lang) for v in data["x"]]
    data["y_label"] = [values.format_value(v, y_unit, lang) for v in data["y"]]
    data["size_label"] = [format_number(v, lang) for v in data["size"]]
    data["priority_label"] = [t("equity.scatter.priority_yes" if p else
                                "equity.scatter.priority_no", lang) for p in data["priority"]]
    data["flag_text"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                         for f in data["flags"]]
    field = "province" if colour == "province" else "priority_label"
    pick = alt.selection_point(fields=[field], bind="legend")
    if colour == "province":
        scale = alt.Scale(scheme="tableau20")
    else:
        names = [t("equity.scatter.priority_yes", lang), t("equity.scatter.priority_no", lang)]
        scale = alt.Scale(domain=names, range=[OKABE_ITO[5], OKABE_ITO[0]])
    has_size = bool(np.isfinite(data["size"]).any())
    encoding = dict(
        x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
        y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color(f"{field}:N", title=colour_title, scale=scale,
                        legend=alt.Legend(orient="right", columns=1, symbolLimit=30)),
        opacity=alt.OpacityValue(0.12, condition={"param": pick.name, "value": 0.85}),
        tooltip=[alt.Tooltip("unit_name:N", title=t("chart.district", lang)),
                 alt.Tooltip("province:N", title=t("chart.province", lang)),
                 alt.Tooltip("x_label:N", title=x_title),
                 alt.Tooltip("y_label:N", title=y_title),
                 alt.Tooltip("size_label:N", title=size_title),
                 alt.Tooltip("priority_label:N", title=t("equity.scatter.priority", lang)),
                 alt.Tooltip("flag_text:N", title=t("chart.flags", lang))])
    if has_size:
        encoding["size"] = alt.Size("size:Q", title=size_title,
                                    scale=alt.Scale(range=[20, 600], zero=False),
                                    legend=alt.Legend(orient="right", format=",.0f"))
    filled = data[~data["small"]]
    hollow = data[data["small"]]
    layers = [alt.Chart(filled).mark_circle(stroke="#ffffff", strokeWidth=0.5)
              .encode(**encoding).add_params(pick)]
    if not hollow.empty:
        layers.append(alt.Chart(hollow).mark_point(filled=False, strokeWidth=1.5)
                      .encode(**encoding))
    refs = []
    if national_x is not None:
        refs.append(alt.Chart(pd.DataFrame({"x": [national_x]})).mark_rule(
            color=REFERENCE, strokeDash=[5, 3]).encode(x=alt.X("x:Q")))
    if national_y is not None:
        refs.append(alt.Chart(pd.DataFrame({"y": [national_y]})).mark_rule(
            color=REFERENCE, strokeDash=[5, 3]).encode(y=alt.Y("y:Q")))
    return alt.layer(
        *refs, *layers, title=alt.TitleParams(title, subtitle=subtitle, anchor="start",
                                              font=FONT, subtitleColor="#555555"),
        height=460, width="container", config=alt.Config(view=alt.ViewConfig(stroke=None)))
