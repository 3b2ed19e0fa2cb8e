"""The Trends page's sections: is it getting better, and is the gap closing? One indicator
over the years for the country and chosen areas, split on demand with its parity over time,
one panel per province, the change from year to year, and the flow rates by grade with the
cohort.

The charts are built by :mod:`ui.sections.trend_charts`; here they are drawn with their notes and
downloads.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

from lib import trends
from lib.areas import level_word
from lib.equity_view import has_parity
from lib.i18n import either, format_school_year, t
from lib.indicators import Indicator, IndicatorError, preferred_indicator, split_flags
from lib.vocabulary import PARITY, TOTAL
from ui import area_picker, chart_export, extract, indicator_picker, split_picker, tables, values
from ui.chart_export import GROUP_COLOURS, built, file_stem
from ui.filters import Filters
from ui.markdown import escape
from ui.sections.trend_charts import (DIRECTION_COLOURS, area_colours, flows_chart, lines_chart,
                             panels_chart, parity_chart, survival_chart)
from ui.values import DIGITS


def show(chosen: Filters) -> None:
    """The whole page below its title, for a chosen year."""
    lang = chosen.lang
    registry = extract.registry()
    country = extract.country()
    units = extract.admin_units()
    options = trends.indicators(registry, chosen.level)
    if not options:
        st.info(t("trends.no_indicator", lang))
        return
    if len(extract.info().years) < 2:  # one census: a value, not yet a trend
        st.info(t("trends.one_year", lang, year=format_school_year(chosen.year, lang)),
                icon=":material/info:")
    top = st.columns([5, 5], vertical_alignment="bottom")
    with top[0]:
        indicator_id = indicator_picker.choose(
            options, preferred_indicator(options, chosen.level, indicator_picker.remembered(),
                                         partial(extract.has_data, year=chosen.year)),
            registry=registry, lang=lang, label=t("trends.indicator", lang),
            help=t("trends.indicator_help", lang))
    indicator = registry.get(indicator_id)
    with top[1]:
        by = split_picker.choose(trends.splits(indicator), "", lang=lang,
                                 label_text=t("trends.split", lang),
                                 help=t("trends.split_help", lang))
    names = trends.area_labels(units, extract.area_names(lang))
    kinds = either([level_word(country, level, lang, plural=True)
                    for level in country.admin_ids], lang)
    compare = area_picker.choose(trends.compare_options(units), names=names.get, lang=lang,
                                 label=t("trends.compare", lang), kinds=kinds,
                                 help=t("trends.compare_help", lang, areas=kinds))
    country_name = extract.country_name(lang)
    areas = trends.areas(units, country.admin_ids, country.iso3, country_name, chosen.line,
                         compare, names)
    years = sorted(extract.info().years)
    span = t("format.year_range", lang, first=format_school_year(years[0], lang),
             last=format_school_year(years[-1], lang))
    fetch_years = partial(extract.indicator_years, lang=lang)
    try:
        over_the_years(chosen, indicator, by, areas, fetch_years, years, span)
        provinces(chosen, indicator, fetch_years, years, span, country_name)
    except IndicatorError as error:
        st.info(t("trends.unavailable", lang, reason=escape(str(error))))
    efficiency(chosen, years, trends.focus(areas, chosen.area))


def over_the_years(chosen: Filters, indicator, by: str, areas: list[trends.Area],
                   fetch_years, years: list[int], span: str) -> None:
    lang = chosen.lang
    where = ", ".join(a.name for a in areas)
    stem = file_stem("trends", indicator.id, by, "_".join(a.code for a in areas))
    every_group = trends.series(fetch_years, indicator.id, years, areas, by or None)
    rows = trends.without_empty_groups(every_group)
    title = (t("trends.lines.title_split", lang, name=indicator.name(lang),
               split=extract.split_words().word(by, lang)) if by
             else t("trends.lines.title", lang, name=indicator.name(lang)))
    show_lines(rows, indicator, by, title=title,
                            subtitle=t("trends.lines.subtitle", lang, span=span,
                                       where=where),
                            year=chosen.year, lang=lang, file_name=stem)
    if by and has_parity(by):
        parity_over_the_years(chosen, indicator, by, every_group, rows, span, stem)
    st.subheader(t("trends.changes.heading", lang))
    totals = trends.group_rows(rows, TOTAL)
    changes = trends.changes(totals, indicator.higher_is_better,
                             DIGITS.get(indicator.unit, 1))
    show_changes(changes, indicator.unit, lang=lang,
                              file_name=file_stem(stem, "changes"))
    st.caption(t("trends.changes.note" if indicator.higher_is_better is not None
                 else "trends.changes.note_no_direction", lang))


def parity_over_the_years(chosen: Filters, indicator, by: str, every_group, rows,
                          span: str, stem: str) -> None:
    """The split's parity index over the years, or why there is none: a parity index with
    no value in any year (e.g. a negative flow rate of one group) was left out of ``rows``,
    and ``every_group`` still holds its flags."""
    lang = chosen.lang
    title = t(f"trends.parity.title.{by}", lang, name=indicator.name(lang))
    parity = trends.group_rows(rows, PARITY)
    if parity.empty:
        reasons = values.flag_labels(trends.flags_of(
            trends.group_rows(every_group, PARITY)), lang)
        st.info(t("trends.parity.none", lang, title=title,
                  reasons=", ".join(reasons) or t("format.no_data", lang)),
                icon=":material/database_off:")
        return
    show_parity(parity, title=title,
                             subtitle=t("trends.parity.subtitle", lang, span=span),
                             year=chosen.year, lang=lang, file_name=file_stem(stem, "parity"))


def provinces(chosen: Filters, indicator, fetch_years, years: list[int], span: str,
              country_name: str) -> None:
    lang = chosen.lang
    st.subheader(t("trends.panels.heading", lang))
    rows = trends.province_panels(fetch_years, indicator.id, years,
                                  extract.country().admin_ids[0])
    show_panels(
        rows, indicator, title=t("trends.panels.title", lang, name=t(
            f"chart.axis.{indicator.unit}", lang, name=indicator.name(lang))),
        subtitle=t("trends.panels.subtitle", lang, span=span, country=country_name),
        national_name=country_name, lang=lang,
        file_name=file_stem("trends_provinces", indicator.id))


def efficiency(chosen: Filters, years: list[int], where: trends.Area) -> None:
    lang = chosen.lang
    registry = extract.registry()
    level_name = extract.level_name(chosen.level, lang)
    st.subheader(t("trends.flows.heading", lang, level=escape(level_name)))
    if not trends.flow_grades(registry, chosen.level):
        st.info(t("trends.flows.none", lang, level=escape(level_name)))
        return
    year = trends.flow_year(years, chosen.year)
    if year is None:
        st.info(t("trends.flows.no_year", lang), icon=":material/database_off:")
        return
    if year != chosen.year:
        st.caption(t("trends.flows.shifted", lang, chosen=format_school_year(chosen.year,
                                                                             lang),
                     year=format_school_year(year, lang)))
    span = t("trends.flows.span", lang, start=format_school_year(year, lang),
             end=format_school_year(year + 1, lang))
    flows = extract.flows(chosen.level, year, where, lang)
    stem = file_stem("trends_flows", chosen.level, year, where.code)
    left, right = st.columns(2, gap="medium")
    with left:
        show_flows(
            flows, title=t("trends.flows.title", lang, level=level_name),
            subtitle=t("trends.flows.subtitle", lang, span=span, where=where.name),
            lang=lang, file_name=stem)
    with right:
        show_cohort(
            trends.cohort(flows), title=t("trends.cohort.title", lang, level=level_name),
            subtitle=t("trends.cohort.subtitle", lang, span=span, where=where.name),
            lang=lang, file_name=file_stem(stem, "cohort"))
    st.caption(t("trends.flows.note", lang))


# --------------------------------------------------------------------------- drawing


def show_lines(rows: pd.DataFrame, indicator: Indicator, by: str, *, title: str,
               subtitle: str, year: int, lang: str, file_name: str) -> None:
    unit = indicator.unit
    y_title = t(f"chart.axis.{unit}", lang, name=indicator.name(lang))
    common = dict(unit=unit, y_title=y_title, title=title, subtitle=subtitle, year=year,
                  lang=lang)
    groups = [g for g in dict.fromkeys(rows["group"]) if g not in (TOTAL, PARITY)]
    if by and not groups:  # no group has a value in any year: the totals, said so
        st.caption(t("trends.lines.no_groups", lang))
    if groups:
        words = extract.split_words()
        shown = rows[rows["group"].isin(groups)].assign(
            group_name=lambda d: [words.group(by, g, lang) for g in d["group"]])
        names = [words.group(by, g, lang) for g in groups]
        chart = built(lines_chart, rows=shown, colour_field="group_name",
                      colour_title=t("chart.group", lang), domain=names,
                      colours=list(GROUP_COLOURS[:len(names)]), facet="area_name",
                      **common)
    else:
        shown = rows[rows["group"] == TOTAL]
        names = list(dict.fromkeys(shown["area_name"]))
        chart = built(lines_chart, rows=shown, colour_field="area_name",
                      colour_title=t("chart.area", lang), domain=names,
                      colours=area_colours(names), **common)
    chart_export.show(chart, shown.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="trends_lines")
    notes = []
    missing = shown[~np.isfinite(shown["value"].astype("float64"))]
    if not missing.empty:
        notes.append(t("trends.lines.missing", lang, n=len(missing)))
    if shown["small"].any():
        notes.append(t("trends.lines.small", lang))
    if notes:
        st.caption(" ".join(notes))


def show_parity(rows: pd.DataFrame, *, title: str, subtitle: str, year: int, lang: str,
                file_name: str) -> None:
    names = list(dict.fromkeys(rows["area_name"]))
    chart = built(parity_chart, rows=rows, domain=names, colours=area_colours(names),
                  title=title, subtitle=subtitle, year=year, lang=lang)
    chart_export.show(chart, rows.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="trends_parity")


def show_panels(rows: pd.DataFrame, indicator: Indicator, *, title: str, subtitle: str,
                national_name: str, lang: str, file_name: str) -> None:
    chart = built(panels_chart, rows=rows, unit=indicator.unit, title=title,
                  subtitle=subtitle, national_name=national_name, lang=lang)
    chart_export.show(chart, rows.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="trends_panels")


def show_changes(rows: pd.DataFrame, unit: str, *, lang: str, file_name: str) -> None:
    """Value, change and direction by area and year; the direction coloured green when
    better, red when worse (and written, not only coloured)."""
    shown = pd.DataFrame({
        "area": rows["area_name"],
        "year": [format_school_year(y, lang) for y in rows["year"]],
        "value": [values.format_value(v, unit, lang) for v in rows["value"]],
        "change": [values.format_change(c, unit, lang) or "–" for c in rows["change"]],
        "direction": [t(f"trends.direction.{d}", lang) for d in rows["direction"]],
        "flags": [", ".join(values.flag_labels(split_flags(f or ""), lang))
                  for f in rows["flags"]]})
    colours = {t(f"trends.direction.{d}", lang): c for d, c in DIRECTION_COLOURS.items()}
    styled = shown.style.map(lambda v: f"color: {colours[v]}; font-weight: 600"
                             if v in colours else "", subset=["direction"])
    labels = {"area": t("chart.area", lang), "year": t("chart.year", lang),
              "value": t("trends.changes.value", lang, unit=t(f"chart.unit.{unit}", lang)),
              "change": t("trends.changes.change", lang),
              "direction": t("trends.changes.direction", lang),
              "flags": t("chart.flags", lang)}
    st.dataframe(styled, hide_index=True, height=min(38 + 35 * len(shown), 420),
                 column_config={c: st.column_config.Column(label) for c, label
                                in labels.items()}, key="trends_changes")
    digits = values.DIGITS.get(unit, 1)
    tables.download_csv(tables.csv_file(rows, {"value": digits, "change": digits}),
                        f"{file_name}.csv", lang=lang, label_key="chart.download_csv",
                        key="trends_changes_csv")


def show_flows(rows: pd.DataFrame, *, title: str, subtitle: str, lang: str,
               file_name: str) -> None:
    names = {k: t(f"trends.flows.{k}", lang) for k in ("promotion", "repetition",
                                                       "dropout")}
    chart = built(flows_chart, rows=rows, title=title, subtitle=subtitle, names=names,
                  grade_label=t("trends.flows.grade_axis", lang), lang=lang)
    chart_export.show(chart, rows.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="trends_flows")


def show_cohort(rows: pd.DataFrame, *, title: str, subtitle: str, lang: str,
                file_name: str) -> None:
    chart = built(survival_chart, rows=rows, title=title, subtitle=subtitle,
                  grade_label=t("trends.flows.grade_axis", lang), lang=lang)
    chart_export.show(chart, rows, file_name=file_name, lang=lang, key="trends_cohort")
