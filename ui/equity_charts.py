"""The charts and tables of the Equity page, built with Altair from :mod:`lib.equity_view`.

Chart builders (``*_chart``) are plain functions of frames and words, so the unit tests
validate their specs; the ``show_*`` functions draw them with their downloads.
Colours are colour-blind safe (Okabe–Ito; PuOr, the map's diverging palette, for parity).
Small denominators are drawn faded and marked ⚠; areas without a value say "no data".
"""
from __future__ import annotations

import math
from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from geo.classify import DIVERGING, PARITY_BREAKS
from lib import choropleth, equity_view, export, schools_layer
from lib.equity_view import PARITY_HIGH, PARITY_LOW, Ranked, Reading
from lib.i18n import format_number, t
from lib.indicators import Indicator, IndicatorError, split_flags
from ui import extract, indicator_map, maps, tables, url_state, values
from ui.chart_export import FONT, GROUP_COLOURS, OKABE_ITO, built, show
from ui.markdown import escape
from ui.filters import Filters


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


def with_distinct_names(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``rows`` with each ``unit_name`` told apart from its namesakes by its province
    (:func:`lib.equity_view.distinct_names`): a chart draws one band per name."""
    units = extract.admin_units()
    local = extract.area_names(lang)
    parents = {code: local.get(parent, "") for code, parent in
               zip(units["code"], units["parent_code"]) if isinstance(parent, str) and parent}
    return rows.assign(unit_name=equity_view.distinct_names(
        list(rows["unit_code"]), list(rows["unit_name"]), parents))


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


def show_ranking(ranked: Ranked, indicator: Indicator, *, title: str, subtitle: str,
                 lang: str, file_name: str) -> None:
    unit = unit_of(indicator, ranked.measure)
    ranked = replace(ranked, rows=with_distinct_names(ranked.rows, lang))
    chart = built(ranking_chart, ranked=ranked, unit=unit, title=title, subtitle=subtitle,
                  x_title=axis_title(indicator, unit, lang),
                  higher_is_better=indicator.higher_is_better, lang=lang)
    data = ranked.rows.drop(columns=["flagged"]).assign(
        national=ranked.national, target=ranked.target)
    tall = len(ranked.rows) > 30
    with st.container(height=620 if tall else "content", border=False):
        show(chart, data, file_name=file_name, lang=lang, key="equity_ranking")
    notes = [t("equity.ranking.colours_parity", lang, direction=parity_words(
        indicator, lang)) if ranked.measure == equity_view.INDEX
        else t("equity.ranking.colours", lang)]
    if ranked.rows["small"].any():
        notes.append(t("chart.small_note", lang))
    if ranked.no_data:
        notes.append(t("chart.no_data_note", lang, n=ranked.no_data))
    st.caption(" ".join(notes))


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


def show_groups(rows: pd.DataFrame, indicator: Indicator, dimension: str, *, title: str,
                subtitle: str, lang: str, file_name: str) -> None:
    names = {g: t(f"equity.group.{g}", lang) for g in equity_view.groups(dimension)}
    rows = with_distinct_names(rows, lang)
    chart = built(groups_chart, rows=rows, unit=indicator.unit, group_names=names,
                  title=title, subtitle=subtitle,
                  x_title=axis_title(indicator, indicator.unit, lang), lang=lang)
    with st.container(height=620 if rows["unit_code"].nunique() > 30 else "content",
                      border=False):
        show(chart, rows, file_name=file_name, lang=lang, key="equity_groups")
    missing = int(rows["value"].isna().sum())
    notes = [t("equity.groups.note", lang)]
    if missing:
        notes.append(t("equity.groups.missing", lang, n=missing))
    if rows["small"].any():
        notes.append(t("chart.small_note", lang))
    st.caption(" ".join(notes))


# --------------------------------------------------------------------------- map


def parity_map(chosen: Filters, indicator_id: str, dimension: str, admin: str,
               file_name: str) -> None:
    """The parity index per area on the Map page's choropleth: diverging around 1 (PuOr),
    classes cut at 0.90, 0.97, 1.03 and 1.10, so the middle class is parity."""
    choice = indicator_map.MapChoice(indicator_id, admin, dimension, choropleth.PARITY,
                                     "custom", len(PARITY_BREAKS) + 1, PARITY_BREAKS,
                                     DIVERGING[0], False, False,
                                     schools_layer.DEFAULT_ATTRIBUTE)
    view = indicator_map.view_of(chosen, admin)
    try:
        built = indicator_map.build(chosen, choice, view, interactive=False)
    except IndicatorError as error:
        indicator_map.show_error(error, chosen.lang)
        return
    maps.draw(built.spec, key="equity_map", height=600, interactive=False)
    tables.download_csv(choropleth.csv_bytes(built.choropleth), f"{file_name}.csv",
                        lang=chosen.lang, label_key="chart.download_csv", key="equity_map_csv")


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


def show_inequality(items: list[Reading], indicator: Indicator, *, areas: str,
                    weight: str, lang: str, file_name: str) -> None:
    """Each measure, its value and its reading, one line each."""
    texts = [reading_text(item, indicator.unit, areas, lang) for item in items]
    lines = [t("equity.inequality.line", lang,
               measure=t(f"equity.measure.{item.measure}", lang),
               value=escape(measure_value(item, indicator.unit, lang)), reading=escape(text))
             for item, text in zip(items, texts)]
    with st.container(border=True):
        st.markdown("\n".join(f"- {line}" for line in lines))
    st.caption(t("equity.inequality.weights", lang, areas=areas,
                 weight=t(f"equity.weight.{weight}", lang)))
    tables.download_csv(export.csv_bytes(equity_view.readings_frame(items, texts)),
                        f"{file_name}.csv", lang=lang, label_key="chart.download_csv",
                        key="equity_inequality_csv")


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


# --------------------------------------------------------------------------- bottom N


def show_bottom(rows: pd.DataFrame, indicator: Indicator, unit: str, dimension: str, *,
                lang: str, file_name: str) -> None:
    shown = with_distinct_names(rows, lang)
    columns = {"rank": t("chart.rank", lang), "unit_name": t("chart.area", lang),
               "value": t("equity.bottom.value", lang, unit=t(f"chart.unit.{unit}", lang)),
               "gap": t("equity.bottom.gap", lang)}
    for col in [c for c in shown.columns if c in equity_view.groups(dimension)
                or c == equity_view.PARITY]:
        columns[col] = t(f"equity.group.{col}", lang)
    shown["value"] = [values.format_value(v, unit, lang) for v in shown["value"]]
    shown["gap"] = [values.format_change(g, unit, lang) or t("format.no_data", lang)
                    for g in shown["gap"]]
    for col in [c for c in columns if c in equity_view.groups(dimension)]:
        shown[col] = [values.format_value(v, indicator.unit, lang) for v in shown[col]]
    if equity_view.PARITY in shown:
        shown[equity_view.PARITY] = [values.format_value(v, "index", lang)
                                     for v in shown[equity_view.PARITY]]
    shown["flags"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                      for f in shown["flags"]]
    columns["flags"] = t("chart.flags", lang)
    tables.table(shown, columns, lang=lang, max_rows=15, integers=("rank",),
                 key="equity_bottom")
    tables.download_csv(export.csv_bytes(rows), f"{file_name}.csv",
                        lang=lang, label_key="chart.download_csv", key="equity_bottom_csv")




# --------------------------------------------------------------------------- controls

VERSUS = "vs"  # URL: the scatter's other indicator


def choose_versus(options: list[str], default: str, *, registry, lang: str) -> str:
    """The indicator on the scatter's horizontal axis, held in the URL as ``vs``."""
    def name(indicator_id: str) -> str:
        return f"{registry.get(indicator_id).name(lang)} ({indicator_id})"

    url_state.choose(VERSUS, options, default, parse=str, label_key="equity.param.vs",
                     describe=name)
    chosen = st.selectbox(t("equity.scatter.versus", lang), options,
                          key=url_state.widget_key(VERSUS), format_func=name,
                          help=t("equity.scatter.versus_help", lang))
    url_state.keep(VERSUS, chosen)
    return chosen


def show_scatter(points: pd.DataFrame, left_out: int, x_ind: Indicator, y_ind: Indicator,
                 *, colour: str, size_title: str, national_x: float | None,
                 national_y: float | None, title: str, subtitle: str, lang: str,
                 file_name: str) -> None:
    if points.empty:
        st.info(t("equity.scatter.empty", lang), icon=":material/database_off:")
        return
    chart = built(
        scatter_chart, points=points, x_title=axis_title(x_ind, x_ind.unit, lang),
        y_title=axis_title(y_ind, y_ind.unit, lang), size_title=size_title, colour=colour,
        colour_title=t(f"equity.scatter.colour.{colour}", lang), national_x=national_x,
        national_y=national_y, title=title, subtitle=subtitle, x_unit=x_ind.unit,
        y_unit=y_ind.unit, lang=lang)
    show(chart, points.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="equity_scatter")
    notes = [t("equity.scatter.note", lang)]
    if points["small"].any():
        notes.append(t("equity.scatter.small", lang))
    if left_out:
        notes.append(t("equity.scatter.left_out", lang, n=left_out))
    st.caption(" ".join(notes))
