"""The shared sidebar: year, education level and the area (one list per admin level), each
defined once.

Drawn by ``app.py`` on every page; pages read the choice with :func:`current`. The values
live in the URL under the names of architecture.md: ``year`` (start year of the school
year), ``level`` (a level id of the country profile) and ``area`` (the admin code of the
smallest area chosen, at any level; absent for the whole country).
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from lib.country import Country, admin_level_name, admin_level_plural
from lib.i18n import format_school_year, lower_word, t
from ui import access, extract, url_state
from ui.url_state import AREA, INDICATOR, LANG, LEVEL, YEAR, widget_key

_CURRENT = "_filters"


def area_key(number: int) -> str:
    """The session-only name of admin level ``number``'s list (the URL holds `area`)."""
    return f"area{number}"


@dataclass(frozen=True)
class Filters:
    lang: str
    year: int | None  # None only when the extract has no year at all
    level: str
    line: tuple[str, ...] = ()  # the areas chosen, level 1 first; () for the whole country

    @property
    def area(self) -> str:
        """The area looked at: the smallest one chosen, else "" (the whole country)."""
        return self.line[-1] if self.line else ""

    @property
    def area_level(self) -> int:
        """The admin level number of :attr:`area` (0 for the whole country)."""
        return len(self.line)

    def above(self, number: int) -> str:
        """The chosen area of admin level ``number`` ("" when none is)."""
        return self.line[number - 1] if 0 < number <= len(self.line) else ""


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
        line = _area(country, lang)
    chosen = Filters(lang=lang, year=year, level=level, line=line)
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


def _area(country: Country, lang: str) -> tuple[str, ...]:
    """One list per admin level, each showing the areas within the one chosen above it;
    returns the codes chosen, level 1 first."""
    names = extract.area_names(lang, with_english=True)
    lines = extract.area_lines()
    count = len(country.admin_levels)
    raw = url_state.incoming(AREA)
    if raw is not None:
        line = lines.get(raw)
        if line is not None and not extract.may_see_area(raw):
            line = ()
            url_state.refused(raw)
            access.log("refused", f"area {raw}")
        elif line is None:
            line = ()
            url_state.notice("url.param.area", raw, t("filters.whole_country", lang))
    else:
        line = ()
        for number in range(1, count + 1):  # what the session chose, while it holds together
            code = url_state.remembered(area_key(number), "")
            if not code or lines.get(code, ())[:-1] != line:
                break
            line = lines[code]
    for number in range(1, count + 1):
        url_state.remember(area_key(number), line[number - 1] if number <= len(line) else "")

    chosen: list[str] = []
    for number in range(1, count + 1):
        enabled = len(chosen) == number - 1  # the list above has an area chosen
        options = extract.areas_within(number, chosen[-1] if chosen else None) \
            if enabled else []
        # Worded now, not in the lambda: the country's words are those of this run.
        every = t("filters.all_areas", lang,
                  areas=lower_word(admin_level_plural(country, number, lang)))
        code = st.selectbox(
            admin_level_name(country, number, lang), [""] + options,
            key=widget_key(area_key(number)), disabled=not enabled,
            format_func=lambda c, every=every: names[c] if c else every)
        url_state.hold(area_key(number), code or "")
        if code and enabled:
            chosen.append(code)
    url_state.write(AREA, chosen[-1] if chosen else None)
    return tuple(chosen)
