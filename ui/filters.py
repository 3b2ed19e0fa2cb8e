"""The shared sidebar: year, education level, province and district, each defined once.

Drawn by ``app.py`` on every page; pages read the choice with :func:`current`. The values
live in the URL under the names of architecture.md: ``year`` (start year of the school
year), ``level`` (a level id of the country profile) and ``area`` (the district's admin code
if one is chosen, else the province's, else absent for the whole country).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lib.country import Country, admin_level_name
from lib.i18n import format_school_year, t
from ui import extract, url_state
from ui.url_state import AREA, INDICATOR, LANG, LEVEL, YEAR, widget_key

PROVINCE, DISTRICT = "province", "district"  # session-only: the URL holds them as `area`
_CURRENT = "_filters"


@dataclass(frozen=True)
class Filters:
    lang: str
    year: int | None  # None only when the extract has no year at all
    level: str
    province: str  # admin code, "" for the whole country
    district: str  # admin code, "" for the whole province

    @property
    def area(self) -> str:
        """The area looked at: the district if chosen, else the province, else ""."""
        return self.district or self.province


def current() -> Filters:
    """The filters chosen in the sidebar on this run (``app.py`` draws it before the page).

    Every page calls this first, which also makes sure that the page runs under ``app.py``.
    """
    _ensure_router()
    return st.session_state[_CURRENT]


def _ensure_router() -> None:
    """Run again through ``app.py`` if Streamlit ran a page file without it.

    Because this app has a ``pages/`` folder, Streamlit starts out assuming the old folder-based
    navigation (its ``PagesManager.uses_pages_directory``) until the first ``st.navigation``
    call. A fresh server whose first request is ``/about`` therefore runs ``pages/about.py``
    alone, with no sidebar and no banner. Clearing that flag and rerunning sends the request
    through ``app.py``, whose ``st.navigation`` then picks the page.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a later Streamlit without the flag: nothing to repair
        return
    if getattr(PagesManager, "uses_pages_directory", False) or _CURRENT not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()


def sidebar(lang: str) -> Filters:
    country = extract.country()
    with st.sidebar:
        st.header(t("filters.title", lang), divider="gray")
        _language(lang)
        year = _year(extract.info().years, lang)
        level = _level(country, lang)
        province, district = _area(extract.admin_units(), country, lang)
    chosen = Filters(lang=lang, year=year, level=level, province=province, district=district)
    st.session_state[_CURRENT] = chosen
    return chosen


def _language(lang: str) -> None:
    available = extract.languages()  # English and the profile's languages with a catalogue
    if len(available) < 2:  # one language: nothing to choose
        return
    st.selectbox(t("filters.language", lang), available, key=widget_key(LANG),
                 format_func=lambda code: t(f"language.{code}", lang))


def _year(years: list[int], lang: str) -> int | None:
    options = sorted(years, reverse=True)
    if not options:
        return None

    def label(year: int) -> str:
        return format_school_year(year, lang)

    url_state.choose(YEAR, options, options[0], parse=int, label_key="url.param.year",
                     describe=label)
    year = st.selectbox(t("filters.year", lang), options, key=widget_key(YEAR),
                        format_func=label, help=t("filters.year_help", lang))
    url_state.keep(YEAR, year)
    return year


def _level(country: Country, lang: str) -> str:
    def label(level_id: str) -> str:
        return extract.level_name(level_id, lang)

    url_state.choose(LEVEL, country.level_ids, country.entry_level, parse=str,
                     label_key="url.param.level", describe=label)
    linked = _level_of_linked_indicator()
    if linked in country.level_ids:  # a link's indicator of one level sets the level
        url_state.remember(LEVEL, linked)
    level = st.selectbox(t("filters.level", lang), country.level_ids, key=widget_key(LEVEL),
                         format_func=label)
    url_state.keep(LEVEL, level)
    return level


def _level_of_linked_indicator() -> str | None:
    """The education level of the indicator a link just opened (``?indicator=ger_primary``),
    when it concerns exactly one level: the indicator's level wins over ``level``."""
    raw = url_state.incoming(INDICATOR)
    if raw is None or raw not in extract.registry():
        return None  # the page that reads the indicator says when it is not valid
    levels = extract.registry().get(raw).levels
    return levels[0] if len(levels) == 1 else None


def _area(units: pd.DataFrame, country: Country, lang: str) -> tuple[str, str]:
    names = extract.area_names(lang, with_english=True)
    provinces = units.loc[units["level"] == 1, "code"].tolist()
    districts = units.loc[units["level"] == 2]
    parent_of = dict(zip(districts["code"], districts["parent_code"]))

    raw = url_state.incoming(AREA)
    if raw is not None:
        if raw in parent_of:
            province, district = parent_of[raw], raw
        elif raw in provinces:
            province, district = raw, ""
        else:
            province, district = "", ""
            url_state.notice("url.param.area", raw, t("filters.whole_country", lang))
    else:
        province = url_state.remembered(PROVINCE, "")
        province = province if province in provinces else ""
        district = url_state.remembered(DISTRICT, "")
    if parent_of.get(district) != province:
        district = ""
    url_state.remember(PROVINCE, province)
    url_state.remember(DISTRICT, district)

    # Worded now, not in the lambdas: the country's words are those of this run.
    all_provinces, all_districts = (t("filters.all_provinces", lang),
                                    t("filters.all_districts", lang))
    province = st.selectbox(
        admin_level_name(country, 1, lang), [""] + provinces, key=widget_key(PROVINCE),
        format_func=lambda code: names[code] if code else all_provinces)
    in_province = [code for code, parent in parent_of.items() if parent == province]
    district = st.selectbox(
        admin_level_name(country, 2, lang), [""] + sorted(in_province),
        key=widget_key(DISTRICT), disabled=not province,
        format_func=lambda code: names[code] if code else all_districts)

    url_state.hold(PROVINCE, province)
    url_state.hold(DISTRICT, district)
    url_state.write(AREA, district or province or None)
    return province, district
