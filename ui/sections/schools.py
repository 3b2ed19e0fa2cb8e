"""The Schools page's search: the form, the results, and which school's profile is open
(the profile itself: :mod:`ui.sections.school_profile`).

The area comes from the shared sidebar; the other filters are the page's own (session
only). A result opens its profile by choosing its row, by the "Open a profile" box, or by
its link (``/schools?school=<id>``, which also works from a map popup).
"""
from __future__ import annotations

import streamlit as st

from lib import schools
from lib.areas import namer
from lib.country import admin_level_name
from lib.i18n import format_number, format_school_year, plural, t
from lib.schools import SchoolQuery, SearchResult
from lib.vocabulary import FACILITY_ITEMS, LOCALITIES, OWNERSHIPS
from ui import access, extract, nav, tables, url_state
from ui.filters import Filters
from ui.markdown import escape

TEXT, LEVELS, OWNERSHIP, LOCALITY = "schools_text", "schools_levels", "schools_own", "schools_loc"
COMPLETE, MULTIGRADE, FACILITY, PTR = ("schools_complete", "schools_multigrade",
                                       "schools_facility", "schools_ptr")
RESULTS, PICK = "schools_results", "schools_pick"
PTR_LIMIT = 120  # the slider's top: at it, no upper limit
ANY, YES, NO = "any", "yes", "no"
# Result columns left out when the package has no values for them: column -> (table, column
# of the package; None: the table itself).
EMPTY_UNLESS = {"ownership": ("schools", "ownership"), "locality": ("schools", "locality"),
                "complete": ("schools", "complete"), "multigrade": ("schools", "multigrade"),
                "teachers": ("teachers", None), "ptr": ("teachers", None)}
_SAVED = "_schools_form"  # the form's values, kept while a profile is open
DEFAULTS = {TEXT: "", LEVELS: [], OWNERSHIP: [], LOCALITY: [], COMPLETE: ANY,
            MULTIGRADE: ANY, FACILITY: "", PTR: (0, PTR_LIMIT)}
SCHOOL = "school"  # URL parameter of architecture.md
_OPEN = "schools_open"  # session: the school whose profile is open
_FOLLOWED = "_schools_level_followed"  # session: the sidebar level the level filter follows


# --------------------------------------------------------------------------- which school


def open_school(school_id: str | None) -> None:
    """Open ``school_id``'s profile (None: back to the search); call from a callback."""
    st.session_state[_OPEN] = school_id or None


def chosen_school(lang: str) -> str | None:
    """The school whose profile to show: a link's (``?school=``), else the one opened in
    this session; an unknown id falls back to the search with a notice."""
    raw = url_state.incoming(SCHOOL)
    if raw is not None:
        st.session_state[_OPEN] = raw
    school_id = st.session_state.get(_OPEN)
    if school_id and not extract.school_in_scope(str(school_id)):
        url_state.refused(str(school_id))
        access.log("refused", f"school {school_id}")
        school_id = st.session_state[_OPEN] = None
    elif school_id and not extract.school_exists(str(school_id)):
        url_state.notice("schools.param.school", str(school_id), t("schools.param.fallback",
                                                                   lang))
        school_id = st.session_state[_OPEN] = None
    url_state.write(SCHOOL, school_id or None)
    return school_id or None


# --------------------------------------------------------------------------- search


def no_register(lang: str) -> None:
    """A package of area totals: no school to find, and where its figures are."""
    st.title(t("schools.title", lang))
    st.info(t("schools.no_register", lang), icon=":material/info:")


def search(chosen: Filters) -> None:
    """The search page: its title, the form and the results."""
    lang = chosen.lang
    st.title(t("schools.title", lang))
    st.caption(t("schools.intro", lang))
    query = form(chosen)
    results(run(query), query, chosen)


def _follow_sidebar_level(level: str) -> None:
    """The education level filter starts at the sidebar's level and follows it when it
    changes; clearing it widens the search to every level."""
    if st.session_state.get(_FOLLOWED) != level:
        st.session_state[_FOLLOWED] = level
        st.session_state[LEVELS] = [level]
        st.session_state.get(_SAVED, {})[LEVELS] = [level]


def _restore() -> None:
    """Seed the form's widgets: Streamlit forgets a widget's value on a run that does not
    draw it (a profile), so the values are kept aside and given back."""
    saved = st.session_state.get(_SAVED, {})
    for key, default in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = saved.get(key, default)


def _save() -> None:
    st.session_state[_SAVED] = {key: st.session_state.get(key, default)
                                for key, default in DEFAULTS.items()}


def _tristate(key: str, label: str, lang: str) -> bool | None:
    choice = st.segmented_control(label, [ANY, YES, NO], key=key, wrap=True,
                                  format_func=lambda o: t(f"schools.filter.{o}", lang))
    return None if choice in (None, ANY) else choice == YES


def form(chosen: Filters) -> SchoolQuery:
    """The search box and the filters; the query they make for the chosen year and area."""
    lang = chosen.lang
    country = extract.country()
    _follow_sidebar_level(chosen.level)
    _restore()
    example_name, example_code = extract.example_school(lang)  # from the data, not Lao PDR
    text = st.text_input(t("schools.search.label", lang), key=TEXT, max_chars=120,
                         placeholder=t("schools.search.placeholder", lang,
                                       name=example_name, code=example_code),
                         help=t("schools.search.help", lang), icon=":material/search:")
    has = extract.has_values  # a filter with nothing to filter is left out
    ownership, locality, complete, multigrade, facility = [], [], None, None, ""
    low, high = 0, PTR_LIMIT
    with st.expander(t("schools.filter.heading", lang), expanded=True):
        top = iter(st.columns(3))
        levels = next(top).multiselect(
            t("schools.filter.levels", lang), country.level_ids, key=LEVELS,
            format_func=lambda lv: extract.level_name(lv, lang),
            placeholder=t("schools.filter.all", lang))
        if has("schools", "ownership"):
            ownership = next(top).multiselect(
                t("schools.filter.ownership", lang), list(OWNERSHIPS), key=OWNERSHIP,
                format_func=lambda o: t(f"schools.value.{o}", lang),
                placeholder=t("schools.filter.all", lang))
        if has("schools", "locality"):
            locality = next(top).multiselect(
                t("schools.filter.locality", lang), list(LOCALITIES), key=LOCALITY,
                format_func=lambda o: t(f"schools.value.{o}", lang),
                placeholder=t("schools.filter.all", lang))
        bottom = iter(st.columns([2, 2, 3, 4]))
        if has("schools", "complete"):
            with next(bottom):
                complete = _tristate(COMPLETE, t("schools.filter.complete", lang), lang)
        if has("schools", "multigrade"):
            with next(bottom):
                multigrade = _tristate(MULTIGRADE, t("schools.filter.multigrade", lang), lang)
        if has("facilities"):
            facility = next(bottom).selectbox(
                t("schools.filter.facility", lang), ["", *FACILITY_ITEMS], key=FACILITY,
                format_func=lambda f: t(f"schools.facility.{f}", lang) if f
                else t("schools.filter.no_facility", lang),
                help=t("schools.filter.facility_help", lang))
        if has("teachers"):
            low, high = next(bottom).slider(
                t("schools.filter.ptr", lang), 0, PTR_LIMIT, key=PTR,
                help=t("schools.filter.ptr_help", lang, limit=PTR_LIMIT))
    _save()
    return SchoolQuery(
        year=int(chosen.year), text=text.strip(), area=chosen.area, levels=tuple(levels),
        ownership=tuple(ownership), locality=tuple(locality), complete=complete,
        multigrade=multigrade, facility=facility,
        ptr_min=float(low) if low > 0 else None,
        ptr_max=float(high) if high < PTR_LIMIT else None)


def run(query: SchoolQuery) -> SearchResult:
    """The search, cached per extract build: close words first, then the schools."""
    words = [w for w in schools.terms(query.text) if schools.needs_alternatives(w)]
    close = extract.similar_words(words, schools.FUZZY_SIMILARITY,
                                  schools.FUZZY_WORDS) if words else {}
    plan = schools.plan(query.text, close)
    return extract.search_schools(query, plan, schools.MAX_RESULTS)


def _open_picked(ids: list[str]) -> None:
    state = st.session_state.get(RESULTS)
    rows = state.selection.rows if state is not None else []
    if rows and rows[0] < len(ids):
        open_school(ids[rows[0]])


def _open_chosen() -> None:
    picked = st.session_state.get(PICK)
    if picked:
        open_school(picked)


def results(result: SearchResult, query: SchoolQuery, chosen: Filters) -> None:
    """How many matched, the table (choose a row to open its profile), the box to open a
    profile by name, and the download."""
    lang = chosen.lang
    country = extract.country()
    year = format_school_year(query.year, lang)
    names = extract.area_names(lang)
    where = names.get(query.area, query.area) if query.area else extract.country_name(lang)
    if result.total == 0:
        st.info(t("schools.results.none", lang, where=escape(where)),
                icon=":material/search_off:")
        return
    count = plural("schools.results.count", lang, result.total,
                   n=format_number(result.total, lang), where=escape(where))
    if result.truncated:
        count += " " + t("schools.results.first", lang,
                         n=format_number(len(result.rows), lang))
    if result.fuzzy:
        count += " " + t("schools.results.fuzzy", lang)
    st.markdown(count)
    words = {key: t(f"schools.value.{key}", lang) for key in
             (*OWNERSHIPS, *LOCALITIES, "yes", "no")}
    level_names = {lv.id: extract.level_name(lv.id, lang) for lv in country.levels}
    shown = schools.results_table(result.rows, namer(lang), names,
                                  words, level_names, nav.school_link_prefix(lang))
    ids = shown["school_id"].tolist()
    labels = {col: t(f"schools.results.column.{col}", lang) for col in shown.columns}
    labels["district"] = admin_level_name(country, country.finest_admin, lang)
    labels["province"] = admin_level_name(country, 1, lang)
    labels["ptr"] = t("schools.results.column.ptr", lang, year=year)
    widths = {"name": "medium", "district": None, "levels": None}
    config = {col: st.column_config.TextColumn(label, width=widths.get(col, "small"))
              for col, label in labels.items()}
    config["province"] = None  # the district says where; the CSV has the province too
    for col in ("pupils", "teachers"):
        config[col] = st.column_config.NumberColumn(labels[col], format="localized",
                                                    width="small")
    config["ptr"] = st.column_config.NumberColumn(labels["ptr"], format="%.1f", width="small")
    config["profile"] = st.column_config.LinkColumn(
        labels["profile"], display_text=t("schools.results.open", lang), width="small")
    for col, (table, column) in EMPTY_UNLESS.items():  # a column of blanks is left out
        if not extract.has_values(table, column):
            config[col] = None
    height = "auto" if len(shown) <= 12 else tables.HEADER_PX + tables.ROW_PX * 12
    st.dataframe(shown, hide_index=True, column_config=config, height=height,
                 placeholder=t("format.empty_cell", lang), key=RESULTS,
                 on_select=lambda: _open_picked(ids), selection_mode="single-row")
    st.caption(t("schools.results.hint", lang, year=year))
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    options = dict(zip(ids, shown["name"]))
    left.selectbox(t("schools.results.pick", lang), ids, index=None, key=PICK,
                   format_func=lambda i: f"{options.get(i, i)} · {i}",
                   placeholder=t("schools.results.pick_placeholder", lang),
                   on_change=_open_chosen)
    with right:
        tables.download_csv(db_csv(result), t("schools.results.file_name", lang), lang=lang,
                            label_key="schools.results.download", key="schools_csv")


def db_csv(result: SearchResult) -> bytes:
    """The results as CSV with machine column names (UTF-8)."""
    return tables.csv_file(result.rows.drop(columns=["literal"]))

