"""Trends: is it getting better, and is the gap closing? One indicator over the years for
the country and chosen areas, split on demand with its parity over time, one panel per
province, the change from year to year, and the flow rates by grade with the cohort."""
from __future__ import annotations

from functools import partial

import streamlit as st

from lib import trends
from lib.areas import namer
from lib.equity_view import has_parity
from lib.i18n import format_school_year, t
from lib.indicators import IndicatorError
from ui import (area_picker, extract, filters, indicator_picker, split_picker, trend_charts,
                values)
from ui.chart_export import file_stem
from ui.filters import Filters
from ui.markdown import escape
from ui.values import DIGITS


def parity_over_the_years(chosen: Filters, indicator, by: str, every_group, rows,
                          span: str, stem: str) -> None:
    """The split's parity index over the years, or why there is none: a parity index with
    no value in any year (e.g. a negative flow rate of one group) was left out of ``rows``,
    and ``every_group`` still holds its flags."""
    lang = chosen.lang
    title = t(f"trends.parity.title.{by}", lang, name=indicator.name(lang))
    parity = trends.group_rows(rows, trends.PARITY)
    if parity.empty:
        reasons = values.flag_labels(trends.flags_of(
            trends.group_rows(every_group, trends.PARITY)), lang)
        st.info(t("trends.parity.none", lang, title=title,
                  reasons=", ".join(reasons) or t("format.no_data", lang)),
                icon=":material/database_off:")
        return
    trend_charts.show_parity(parity, title=title,
                             subtitle=t("trends.parity.subtitle", lang, span=span),
                             year=chosen.year, lang=lang, file_name=file_stem(stem, "parity"))


def over_the_years(chosen: Filters, indicator, by: str, areas: list[trends.Area],
                   fetch_years, years: list[int], span: str) -> None:
    lang = chosen.lang
    where = ", ".join(a.name for a in areas)
    stem = file_stem("trends", indicator.id, by, "_".join(a.code for a in areas))
    every_group = trends.series(fetch_years, indicator.id, years, areas, by or None)
    rows = trends.without_empty_groups(every_group)
    title = (t("trends.lines.title_split", lang, name=indicator.name(lang),
               split=t(f"split_picker.option.{by}", lang).lower()) if by
             else t("trends.lines.title", lang, name=indicator.name(lang)))
    trend_charts.show_lines(rows, indicator, by, title=title,
                            subtitle=t("trends.lines.subtitle", lang, span=span,
                                       where=where),
                            year=chosen.year, lang=lang, file_name=stem)
    if by and has_parity(by):
        parity_over_the_years(chosen, indicator, by, every_group, rows, span, stem)
    st.subheader(t("trends.changes.heading", lang))
    totals = trends.group_rows(rows, trends.TOTAL)
    changes = trends.changes(totals, indicator.higher_is_better,
                             DIGITS.get(indicator.unit, 1))
    trend_charts.show_changes(changes, indicator.unit, lang=lang,
                              file_name=file_stem(stem, "changes"))
    st.caption(t("trends.changes.note" if indicator.higher_is_better is not None
                 else "trends.changes.note_no_direction", lang))


def provinces(chosen: Filters, indicator, fetch_years, years: list[int], span: str,
              country_name: str) -> None:
    lang = chosen.lang
    st.subheader(t("trends.panels.heading", lang))
    rows = trends.province_panels(fetch_years, indicator.id, years)
    trend_charts.show_panels(
        rows, indicator, title=t("trends.panels.title", lang, name=t(
            f"chart.axis.{indicator.unit}", lang, name=indicator.name(lang))),
        subtitle=t("trends.panels.subtitle", lang, span=span, country=country_name),
        national_name=country_name, lang=lang,
        file_name=file_stem("trends_provinces", indicator.id))


def efficiency(chosen: Filters, fetch, years: list[int], where: trends.Area) -> None:
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
    flows = trends.flows(fetch, registry, chosen.level, year, where)
    stem = file_stem("trends_flows", chosen.level, year, where.code)
    left, right = st.columns(2, gap="medium")
    with left:
        trend_charts.show_flows(
            flows, title=t("trends.flows.title", lang, level=level_name),
            subtitle=t("trends.flows.subtitle", lang, span=span, where=where.name),
            lang=lang, file_name=stem)
    with right:
        trend_charts.show_cohort(
            trends.cohort(flows), title=t("trends.cohort.title", lang, level=level_name),
            subtitle=t("trends.cohort.subtitle", lang, span=span, where=where.name),
            lang=lang, file_name=file_stem(stem, "cohort"))
    st.caption(t("trends.flows.note", lang))


def show(chosen: Filters) -> None:
    lang = chosen.lang
    registry = extract.registry()
    country = extract.country()
    units = extract.admin_units()
    options = trends.indicators(registry, chosen.level)
    if not options:
        st.info(t("trends.no_indicator", lang))
        return
    top = st.columns([5, 5], vertical_alignment="bottom")
    with top[0]:
        default = indicator_picker.remembered()
        indicator_id = indicator_picker.choose(
            options, default if default in options else
            (f"ger_{chosen.level}" if f"ger_{chosen.level}" in options else options[0]),
            registry=registry, lang=lang, label=t("trends.indicator", lang),
            help=t("trends.indicator_help", lang))
    indicator = registry.get(indicator_id)
    with top[1]:
        by = split_picker.choose(trends.splits(indicator), "", lang=lang,
                                 label_text=t("trends.split", lang),
                                 help=t("trends.split_help", lang))
    names = trends.area_names(units, namer(lang))
    compare = area_picker.choose(trends.compare_options(units), names=names.get, lang=lang,
                                 label=t("trends.compare", lang),
                                 help=t("trends.compare_help", lang))
    country_name = extract.country_name(lang)
    areas = trends.areas(units, country.iso3, country_name, chosen.province,
                         chosen.district, compare, names)
    years = sorted(extract.info().years)
    span = t("format.year_range", lang, first=format_school_year(years[0], lang),
             last=format_school_year(years[-1], lang))
    fetch_years = partial(extract.indicator_years, lang=lang)
    try:
        over_the_years(chosen, indicator, by, areas, fetch_years, years, span)
        provinces(chosen, indicator, fetch_years, years, span, country_name)
    except IndicatorError as error:
        st.info(t("trends.unavailable", lang, reason=escape(str(error))))
    efficiency(chosen, partial(extract.indicator, lang=lang), years,
               trends.focus(areas, chosen.province, chosen.district))


chosen = filters.current()
st.title(t("trends.title", chosen.lang))
st.caption(t("trends.intro", chosen.lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("trends.no_year", chosen.lang))
else:
    show(chosen)
