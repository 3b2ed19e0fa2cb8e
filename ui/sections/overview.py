"""The Overview page's sections: the heading of the place looked at, its key figures with
their change, and where the gaps are largest one admin level down (two rankings and a small
map).
"""
from __future__ import annotations

from functools import partial

import streamlit as st

from lib import overview
from lib.areas import level_word
from lib.country import Country, admin_level_name
from lib.i18n import format_school_year, t
from lib.indicators import Registry
from lib.vocabulary import NATIONAL
from ui import charts, extract, indicator_map, indicator_picker, kpi, report
from ui.filters import Filters
from ui.markdown import escape

KPI_ROWS = [["schools", "pupils", "teachers", "out_of_school"], ["ger", "ner", "ptr", "gpi"]]


def show(chosen: Filters) -> None:
    """The whole page, for a chosen year: the country's profile or an area's."""
    lang = chosen.lang
    country, registry = extract.country(), extract.registry()
    fetch = partial(extract.indicator, lang=lang)
    where = overview.place(extract.admin_units(), chosen.area, country.admin_ids,
                           extract.country_name(lang), country.iso3, extract.area_names(lang))
    year = format_school_year(chosen.year, lang)
    previous = overview.previous_year(extract.info().years, chosen.year)

    heading(where, country, extract.level_name(chosen.level, lang), year, lang)
    report.area_button(where, chosen.year, lang)
    kpi.cards(overview.kpis(fetch, registry, chosen.level, chosen.year, where, previous, lang),
              KPI_ROWS, lang=lang, previous_year=previous, parent_name=where.parent_name,
              descriptions={ind.id: ind.text("description", lang) for ind in registry})
    st.caption(t("overview.change_from", lang, year=format_school_year(previous, lang))
               if previous is not None else t("overview.no_previous", lang))
    largest_gaps(where, chosen, registry, fetch, year)


def heading(where: overview.Place, country: Country, level_name: str, year: str,
            lang: str) -> None:
    country_name = escape(extract.country_name(lang))
    level_name = escape(level_name)
    if where.admin_level == NATIONAL:
        st.title(t("overview.title_national", lang, country=country_name))
        st.caption(t("overview.caption", lang, level=level_name, year=year))
        return
    admin = admin_level_name(country, country.admin_number(where.admin_level), lang)
    st.title(t("overview.title_area", lang, admin=escape(admin), name=escape(where.name)))
    if where.parent_name:
        province = escape(where.parent_name)
        st.caption(t("overview.caption_district", lang, level=level_name, year=year,
                     admin=escape(admin), province=province) + " "
                   + t("overview.compared_district", lang, province=province,
                       country=country_name))
    else:
        st.caption(t("overview.caption", lang, level=level_name, year=year) + " "
                   + t("overview.compared", lang, country=country_name))


def largest_gaps(where: overview.Place, chosen: Filters, registry: Registry,
                 fetch: overview.Fetch, year: str) -> None:
    """The two rankings one admin level down (an area of the finest level has none)."""
    lang = chosen.lang
    if where.sub_level is None:
        st.caption(t("overview.gaps.district", lang))
        return
    st.subheader(t("overview.gaps.heading", lang))
    country = extract.country()
    areas = level_word(country, where.sub_level, lang, plural=True)
    st.caption(t("overview.gaps.intro", lang, areas=areas) if where.admin_level == NATIONAL
               else t("overview.gaps.intro_province", lang, areas=areas,
                      name=escape(where.name)))
    indicator_id = indicator_picker.choose(
        overview.gap_indicators(registry, chosen.level),
        overview.default_gap_indicator(registry, chosen.level, indicator_picker.remembered(),
                                       partial(extract.has_data, year=chosen.year)),
        registry=registry, lang=lang, label=t("overview.gaps.indicator", lang),
        help=t("overview.gaps.indicator_help", lang))
    indicator = registry.get(indicator_id)
    ranked = overview.gaps(fetch, registry, chosen.level, chosen.year, where, indicator_id)
    no_data = t("overview.gaps.no_data", lang, year=year)
    left, right = st.columns(2, gap="large")
    with left:
        side = "overview.gaps.below" if indicator.higher_is_better else "overview.gaps.above"
        charts.ranking(ranked.largest, indicator.unit, lang=lang, title=t(side, lang),
                       none=t("overview.gaps.none_behind", lang,
                              area=level_word(country, where.sub_level, lang)),
                       no_data=no_data, key="overview_largest")
    with right:
        if ranked.parity is not None:
            charts.ranking(ranked.parity, "index", lang=lang,
                           title=t("overview.gaps.parity", lang), none="", no_data=no_data,
                           key="overview_parity")
            st.caption(t("overview.gaps.parity_note", lang))
    st.markdown("**" + t("overview.map_title", lang, indicator=escape(indicator.name(lang)),
                         area=level_word(country, where.sub_level, lang), year=year) + "**")
    indicator_map.small_map(chosen, indicator_id, key="overview_map")
