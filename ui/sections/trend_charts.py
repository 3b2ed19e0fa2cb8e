"""The charts of the Trends page, built with Altair from :mod:`lib.trends`.

Chart builders (``*_chart``) are plain functions of frames and words (the unit tests
validate their specs); :mod:`ui.sections.trends` draws them with their notes and
downloads. Lines break where a year has no value (never drawn as zero); points with a small
denominator are hollow.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from lib.equity_view import PARITY_HIGH, PARITY_LOW
from lib.i18n import format_school_year, t
from lib.indicators import split_flags
from ui import values
from ui.chart_export import FONT, OKABE_ITO

NATIONAL_COLOUR = "#000000"
AREA_COLOURS = OKABE_ITO[:7]  # after the national black
FLOW_COLOURS = {"promotion": "#0072B2", "repetition": "#E69F00", "dropout": "#D55E00"}
BREAK = "break-paths-show-domains"  # a missing year breaks the line
HEIGHT = 320
DIRECTION_COLOURS = {"better": "#1a7f37", "worse": "#cf222e"}


def _title(title: str, subtitle: str) -> alt.TitleParams:
    return alt.TitleParams(title, subtitle=subtitle, anchor="start", font=FONT,
                           subtitleColor="#555555")


def _prepare(rows: pd.DataFrame, unit: str, lang: str) -> pd.DataFrame:
    data = rows.copy()
    data["school_year"] = [format_school_year(y, lang) for y in data["year"]]
    data["label"] = [values.format_value(v, unit, lang) for v in data["value"]]
    data["flag_text"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                         for f in data["flags"]]
    data["value"] = data["value"].astype("float64").where(np.isfinite(data["value"]), None)
    return data


def _year_axis(lang: str, years: list[int]) -> alt.X:
    labels = {str(y): format_school_year(y, lang) for y in years}
    expr = " : ".join(f"datum.value == {y} ? '{labels[str(y)]}'" for y in years) + " : ''"
    return alt.X("year:Q", title=t("chart.year", lang),
                 scale=alt.Scale(domain=[min(years), max(years)], nice=False, zero=False),
                 axis=alt.Axis(values=years, labelExpr=expr, labelAngle=-40, grid=False))


def lines_chart(rows: pd.DataFrame, *, colour_field: str, colour_title: str,
                domain: list[str], colours: list[str], unit: str, y_title: str,
                title: str, subtitle: str, year: int, lang: str,
                facet: str | None = None, facet_title: str = "") -> alt.TopLevelMixin:
    """Lines over the years, a point per year (hollow when the denominator is small), the
    chosen year marked; one colour per ``colour_field`` value; panels by ``facet``."""
    data = _prepare(rows, unit, lang)
    years = sorted(int(y) for y in data["year"].unique())
    x = _year_axis(lang, years)
    y = alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False))
    colour = alt.Color(f"{colour_field}:N", title=colour_title,
                       scale=alt.Scale(domain=domain, range=colours),
                       legend=alt.Legend(orient="top", labelLimit=260))
    tooltip = [alt.Tooltip(f"{colour_field}:N", title=colour_title),
               alt.Tooltip("school_year:N", title=t("chart.year", lang)),
               alt.Tooltip("label:N", title=t("chart.value", lang)),
               alt.Tooltip("flag_text:N", title=t("chart.flags", lang))]
    base = alt.Chart()
    line = base.mark_line(strokeWidth=2.2, invalid=BREAK).encode(
        x=x, y=y, color=colour, detail=alt.Detail(f"{colour_field}:N"))
    points = base.mark_point(size=45, strokeWidth=1.8).encode(
        x=x, y=y, color=colour, shape=alt.Shape(f"{colour_field}:N", legend=None,
                                                scale=alt.Scale(domain=domain)),
        fill=alt.Fill(f"{colour_field}:N", scale=alt.Scale(domain=domain, range=colours),
                      legend=None, condition={"test": "datum.small", "value": "#ffffff"}),
        tooltip=tooltip).transform_filter("datum.value != null")
    if facet:
        marker = base.mark_rule(color="#999999", strokeDash=[2, 3]).encode(
            x=alt.datum(year))
        return alt.layer(marker, line, points, data=data, width=260, height=200).facet(
            facet=alt.Facet(f"{facet}:N", title=facet_title or None,
                            sort=list(dict.fromkeys(data[facet]))),
            columns=3, title=_title(title, subtitle))
    marker = alt.Chart(pd.DataFrame({"year": [year]})).mark_rule(
        color="#999999", strokeDash=[2, 3]).encode(x=alt.X("year:Q"))
    return alt.layer(marker, alt.layer(line, points, data=data),
                     title=_title(title, subtitle), height=HEIGHT, width="container")


def parity_chart(rows: pd.DataFrame, *, domain: list[str], colours: list[str], title: str,
                 subtitle: str, year: int, lang: str) -> alt.LayerChart:
    """The parity index over the years for each area, over the 0.97–1.03 parity band."""
    band = alt.Chart(pd.DataFrame({"lo": [PARITY_LOW], "hi": [PARITY_HIGH]})).mark_rect(
        color="#e0e0e0", opacity=0.7).encode(y=alt.Y("lo:Q", scale=alt.Scale(zero=False)),
                                              y2=alt.Y2("hi"))
    one = alt.Chart(pd.DataFrame({"v": [1.0]})).mark_rule(color="#777777").encode(
        y=alt.Y("v:Q", scale=alt.Scale(zero=False)))
    chart = lines_chart(rows, colour_field="area_name", colour_title=t("chart.area", lang),
                        domain=domain, colours=colours, unit="index",
                        y_title=t("chart.axis.index", lang), title=title, subtitle=subtitle,
                        year=year, lang=lang)
    return alt.layer(band, one, *chart.layer, title=_title(title, subtitle), height=260,
                     width="container")


def panels_chart(rows: pd.DataFrame, *, unit: str, title: str, subtitle: str,
                 national_name: str, lang: str) -> alt.FacetChart:
    """One small panel per province: its line, the national line (grey, dashed) for
    reference; the same scale in every panel so that panels compare."""
    data = _prepare(rows, unit, lang)
    data["national_label"] = [values.format_value(v, unit, lang) for v in data["national"]]
    years = sorted(int(y) for y in data["year"].unique())
    x = alt.X("year:Q", title=None, scale=alt.Scale(domain=[min(years), max(years)],
                                                     nice=False, zero=False),
              axis=alt.Axis(values=[years[0], years[-1]], labelExpr=(
                  f"datum.value == {years[0]} ? '{format_school_year(years[0], lang)}' : "
                  f"'{format_school_year(years[-1], lang)}'"), grid=False))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("unit_name:N", title=t("chart.province", lang)),
               alt.Tooltip("school_year:N", title=t("chart.year", lang)),
               alt.Tooltip("label:N", title=t("chart.value", lang)),
               alt.Tooltip("national_label:N", title=national_name),
               alt.Tooltip("flag_text:N", title=t("chart.flags", lang))]
    national = alt.Chart().mark_line(color="#9e9e9e", strokeDash=[4, 3],
                                     strokeWidth=1.5).encode(x=x, y=alt.Y("national:Q"))
    line = alt.Chart().mark_line(color=OKABE_ITO[0], strokeWidth=2, invalid=BREAK).encode(
        x=x, y=y)
    points = alt.Chart().mark_point(size=20, filled=True, color=OKABE_ITO[0]).encode(
        x=x, y=y, opacity=alt.OpacityValue(1.0, condition={"test": "datum.small", "value": 0.3}),
        tooltip=tooltip).transform_filter("datum.value != null")
    return alt.layer(national, line, points, data=data, width=140, height=110).facet(
        facet=alt.Facet("unit_name:N", title=None, sort=list(dict.fromkeys(
            data["unit_name"])), header=alt.Header(labelFontSize=12, labelFont=FONT)),
        columns=5, title=_title(title, subtitle),
        resolve=alt.Resolve(axis=alt.AxisResolveMap(x="independent")))


def flows_chart(rows: pd.DataFrame, *, title: str, subtitle: str, names: dict[str, str],
                grade_label: str, lang: str) -> alt.LayerChart:
    """Promotion, repetition and dropout of each grade stacked to 100%, each part
    labelled; a grade without rates says "no data"."""
    data = rows.copy()
    data["kind_name"] = data["kind"].map(names)
    data["label"] = [values.format_value(v, "%", lang) for v in data["value"]]
    data["grade_name"] = [t("trends.flows.grade", lang, grade=g) for g in data["grade"]]
    data["order"] = data["kind"].map({"promotion": 0, "repetition": 1, "dropout": 2})
    known = data[np.isfinite(data["value"])]
    grades = list(dict.fromkeys(data["grade_name"]))
    missing = data.groupby("grade_name", sort=False)["value"].apply(
        lambda v: bool((~np.isfinite(v)).all())).reset_index(name="none")
    missing = missing[missing["none"]].assign(text=t("format.no_data", lang), v=0.0)
    kinds = list(names.values())
    x = alt.X("grade_name:N", sort=grades, title=grade_label, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=t("trends.flows.axis", lang), stack="zero",
              scale=alt.Scale(domain=[0, 100], nice=False))  # the three rates add up to 100
    bars = alt.Chart(known).mark_bar().encode(
        x=x, y=y, order=alt.Order("order:Q"),
        color=alt.Color("kind_name:N", title=None, sort=kinds,
                        scale=alt.Scale(domain=kinds, range=[FLOW_COLOURS[k] for k in
                                                             names]),
                        legend=alt.Legend(orient="top")),
        opacity=alt.OpacityValue(0.95, condition={"test": "datum.small", "value": 0.4}),
        tooltip=[alt.Tooltip("grade_name:N", title=grade_label),
                 alt.Tooltip("kind_name:N", title=t("chart.group", lang)),
                 alt.Tooltip("label:N", title=t("chart.value", lang))])
    text = alt.Chart(known).mark_text(color="#ffffff", fontSize=11, dy=0).encode(
        x=x, y=alt.Y("value:Q", stack="zero", bandPosition=0.5), order=alt.Order("order:Q"),
        text=alt.Text("label:N"), detail=alt.Detail("kind_name:N")).transform_filter(
        "datum.value >= 6")
    layers = [bars, text]
    if not missing.empty:
        layers.append(alt.Chart(missing).mark_text(fontStyle="italic", color="#555555",
                                                   baseline="bottom").encode(
            x=x, y=alt.Y("v:Q"), text=alt.Text("text:N")))
    return alt.layer(*layers, title=_title(title, subtitle), height=300, width="container")


def survival_chart(rows: pd.DataFrame, *, title: str, subtitle: str, grade_label: str,
                   lang: str) -> alt.LayerChart:
    """Of 100 pupils entering the first grade, how many reach each grade."""
    data = rows.copy()
    data["grade_name"] = [t("trends.flows.grade", lang, grade=g) for g in data["grade"]]
    data["label"] = [values.format_value(v, "%", lang) for v in data["survival"]]
    data["survival"] = data["survival"].astype("float64").where(
        np.isfinite(data["survival"]), None)
    grades = list(data["grade_name"])
    x = alt.X("grade_name:N", sort=grades, title=grade_label, axis=alt.Axis(labelAngle=0))
    y = alt.Y("survival:Q", title=t("trends.cohort.axis", lang),
              scale=alt.Scale(domain=[0, 100]))
    base = alt.Chart()  # the rows come from the layer: converted once, not per mark
    area = base.mark_area(opacity=0.25, color=OKABE_ITO[0], invalid=BREAK).encode(x=x, y=y)
    line = base.mark_line(color=OKABE_ITO[0], strokeWidth=2.5, invalid=BREAK,
                          point=alt.OverlayMarkDef(size=60, filled=True)).encode(
        x=x, y=y, tooltip=[alt.Tooltip("grade_name:N", title=grade_label),
                           alt.Tooltip("label:N", title=t("chart.value", lang))])
    text = base.mark_text(dy=-12, fontSize=12, color="#222222").encode(
        x=x, y=y, text=alt.Text("label:N")).transform_filter("datum.survival != null")
    return alt.layer(area, line, text, data=data, title=_title(title, subtitle), height=300,
                     width="container")


# --------------------------------------------------------------------------- colours


def area_colours(names: list[str]) -> list[str]:
    """The national line black, then the colour-blind-safe colours in order."""
    return [NATIONAL_COLOUR] + [AREA_COLOURS[i % len(AREA_COLOURS)]
                                for i in range(len(names) - 1)]
