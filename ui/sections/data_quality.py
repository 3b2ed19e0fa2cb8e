"""The Data quality page's sections: reporting, locations, consistency, every warning.

Everything comes from the build (its warnings and the reporting table), for the area of
the shared sidebar; schools and areas link to their profiles.
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from geo import mapping
from geo.classify import NO_DATA_COLOUR
from lib import data_quality as dq
from lib.areas import namer
from lib.country import admin_level_name
from lib.i18n import format_number, format_percent, format_school_year, has, t
from ui import extract, indicator_map, maps, nav, tables
from ui.filters import Filters
from ui.markdown import escape

MAP_HEIGHT = 560
KIND_FILTER, YEAR_FILTER, TEXT_FILTER = "dq_kinds", "dq_year", "dq_text"


def kind_name(kind: str, lang: str) -> str:
    return t(f"problem_kind.{kind}", lang) if has(f"problem_kind.{kind}", lang) else kind


def _where(chosen: Filters, lang: str) -> str:
    if chosen.area:
        return extract.area_names(lang).get(chosen.area, chosen.area)
    return extract.country_name(lang)


def linked_table(frame: pd.DataFrame, columns: dict[str, str], *, lang: str,
                 links: dict[str, str] = {}, counts: tuple[str, ...] = (),
                 school_years: tuple[str, ...] = (), numbers: dict[str, str] = {},
                 key: str, max_rows: int = 10) -> None:
    """:func:`ui.tables.table` with link columns (column -> a regex that picks the text
    shown from the URL), for tables whose rows lead to a school or an area."""
    shown = frame.loc[:, [c for c in columns if c in frame.columns]].copy()
    for col in school_years:
        shown[col] = [format_school_year(int(y), lang) if pd.notna(y) else ""
                      for y in shown[col]]
    config: dict[str, object] = {col: st.column_config.Column(label)
                                 for col, label in columns.items()}
    for col in counts:
        if col in columns:
            config[col] = st.column_config.NumberColumn(columns[col], format="localized")
    for col, fmt in numbers.items():
        if col in columns:
            config[col] = st.column_config.NumberColumn(columns[col], format=fmt)
    for col, pattern in links.items():
        if col in columns:
            config[col] = st.column_config.LinkColumn(columns[col], display_text=pattern)
    height = "auto" if len(shown) <= max_rows else tables.HEADER_PX + tables.ROW_PX * max_rows
    st.dataframe(shown, hide_index=True, column_config=config, height=height,
                 placeholder=t("format.empty_cell", lang), key=key)


SCHOOL_LINK = r"school=([^&]+)$"
AREA_LINK = r"area=([^&]+)$"


# --------------------------------------------------------------------------- reporting


def reporting(chosen: Filters) -> None:
    lang = chosen.lang
    year = int(chosen.year)
    school_year = format_school_year(year, lang)
    st.header(t("data_quality.reporting.heading", lang), divider="gray")
    counts = extract.reporting_counts()
    by_district = dq.completeness(counts, year, chosen.area, extract.area_lines())
    total = dq.totals(by_district)
    cards = st.columns(4)
    cards[0].metric(t("data_quality.reporting.open", lang, year=school_year),
                    format_number(total.open, lang), border=True)
    cards[1].metric(t("data_quality.reporting.reported", lang),
                    format_number(total.reported, lang), border=True)
    cards[2].metric(t("data_quality.reporting.not_reported", lang),
                    format_number(total.not_reported, lang), border=True)
    cards[3].metric(t("data_quality.reporting.completeness", lang),
                    format_percent(total.completeness, lang, 2)
                    if math.isfinite(total.completeness) else t("format.no_data", lang),
                    border=True)
    st.caption(t("data_quality.reporting.intro", lang))
    names = extract.area_names(lang)
    _completeness_map(chosen, counts, lang)
    st.markdown(t("data_quality.reporting.by_district", lang, year=school_year))
    shown = dq.completeness_table(by_district, names, nav.area_link_prefix(lang))
    linked_table(shown, {c: t(f"data_quality.reporting.column.{c}", lang)
                         for c in shown.columns}, lang=lang,
                 links={"district_link": AREA_LINK},
                 counts=("open", "reported", "not_reported"),
                 numbers={"completeness": "%.2f%%"}, key="dq_by_district")
    with st.expander(t("data_quality.reporting.over_years", lang)):
        wide = dq.completeness_by_year(counts, chosen.area, extract.area_lines())
        year_columns = [c for c in wide.columns if c not in ("district_code", "province_code")]
        wide.insert(0, "district", dq.area_names(wide["district_code"], names))
        linked_table(wide, {"district": t("data_quality.reporting.column.district", lang),
                            "district_code": t("data_quality.reporting.column.code", lang),
                            **{c: format_school_year(int(c), lang) for c in year_columns}},
                     lang=lang, numbers={c: "%.2f" for c in year_columns},
                     key="dq_over_years")
        tables.download_csv(tables.csv_file(wide), t("data_quality.reporting.file_years", lang),
                            lang=lang, key="dq_years_csv")
    problems = extract.problems_named(lang)
    missing = dq.problems_of(problems, kinds=[dq.REPORTING_KIND], year=year, area=chosen.area,
                             lines=extract.area_lines())
    st.subheader(t("data_quality.reporting.missing", lang, n=format_number(len(missing), lang),
                   year=school_year))
    _warning_list(missing, lang, key="dq_non_reporting",
                  file_name=t("data_quality.reporting.file_missing", lang, year=year),
                  empty=t("data_quality.reporting.all_reported", lang), shown_columns=BRIEF)


def _completeness_map(chosen: Filters, counts: pd.DataFrame, lang: str) -> None:
    """The areas of the finest level coloured by completeness: those within the chosen
    area (the chosen one among its neighbours), else the country's."""
    country = extract.country()
    view = indicator_map.view_of(chosen, country.admin_ids[-1])
    geometries = extract.boundaries(view.admin_number, view.detail, view.within or None)
    by_district = dq.completeness(counts, int(chosen.year), view.within,
                                  extract.area_lines())
    classes = dq.completeness_classes(by_district["completeness"].to_numpy())
    names = extract.area_names(lang)
    areas = [mapping.Area(
        code=code, name=names.get(code, code),
        value=(format_percent(value, lang, 2) if math.isfinite(value)
               else t("data_quality.reporting.no_schools", lang)),
        k=int(k), numerator=format_number(reported, lang),
        denominator=format_number(opened, lang))
        for code, value, k, reported, opened in zip(
            by_district["district_code"], by_district["completeness"], classes.k,
            by_district["reported"], by_district["open"])]
    rows = tuple(mapping.LegendRow(classes.colours[i],
                                   t(f"data_quality.reporting.class.{dq.COMPLETENESS_CLASSES[i]}",
                                     lang), format_number(classes.counts[i], lang))
                 for i in range(classes.classes.k))
    rows += (mapping.LegendRow(NO_DATA_COLOUR, t("data_quality.reporting.no_schools", lang),
                               format_number(classes.no_data, lang)),)
    legend = mapping.Legend(t("data_quality.reporting.legend", lang), rows,
                            t("data_quality.reporting.legend_note", lang,
                              year=format_school_year(int(chosen.year), lang)))
    spec = mapping.MapSpec(
        features=mapping.area_features(geometries, areas), colours=classes.colours,
        words=mapping.TipLabels(value=t("data_quality.reporting.completeness", lang),
                                numerator=t("data_quality.reporting.reported", lang),
                                denominator=t("data_quality.reporting.open_short", lang)),
        legend=legend, bounds=maps.bounds(geometries), selected=view.selected,
        no_data=NO_DATA_COLOUR)
    maps.draw(spec, key="dq_map", height=MAP_HEIGHT)


# --------------------------------------------------------------------------- lists


BRIEF = ("year", "school", "school_link", "area", "area_link", "message")


@st.cache_data(max_entries=16, show_spinner=False)  # a list of warnings: up to a few MB
def _listed_warnings(found: pd.DataFrame, lang: str, build: str | None
                     ) -> tuple[pd.DataFrame, bytes]:
    """The warnings as the page lists them (names and links) and their CSV file, made
    once for every rerun and session that shows the same list: for tens of thousands of
    warnings they cost most of a rerun (``build``: the extract's, in the key)."""
    shown = dq.warnings_table(found, lambda k: kind_name(k, lang), namer(lang),
                              extract.area_names(lang),
                              nav.school_link_prefix(lang), nav.area_link_prefix(lang))
    return shown, tables.csv_file(found)


@st.cache_data(max_entries=16, show_spinner=False)
def _listed_schools(found: pd.DataFrame, lang: str, build: str | None
                    ) -> tuple[pd.DataFrame, bytes]:
    """The schools of a location check as listed, and their CSV file (as
    :func:`_listed_warnings`)."""
    shown = dq.schools_table(found, namer(lang), extract.area_names(lang),
                             nav.school_link_prefix(lang))
    return shown, tables.csv_file(found)


def _warning_list(found: pd.DataFrame, lang: str, *, key: str, file_name: str,
                  empty: str, shown_columns: tuple[str, ...] | None = None) -> None:
    """Warnings as a table (every column, or ``shown_columns``) and their download."""
    if found.empty:
        st.success(empty, icon=":material/task_alt:")
        return
    country = extract.country()
    shown, csv = _listed_warnings(found, lang, extract.build_id())
    columns = {"kind": t("data_quality.column.kind", lang),
               "year": t("data_quality.column.year", lang),
               "school": t("data_quality.column.school", lang),
               "school_link": t("data_quality.column.school_id", lang),
               "area": t("data_quality.column.area", lang,
                         admin=admin_level_name(country, country.finest_admin, lang)),
               "area_link": t("data_quality.column.area_code", lang),
               "message": t("data_quality.column.message", lang),
               "file": t("data_quality.column.file", lang),
               "row": t("data_quality.column.row", lang),
               "column": t("data_quality.column.column", lang)}
    if shown_columns is not None:
        columns = {c: label for c, label in columns.items() if c in shown_columns}
    linked_table(shown, columns, lang=lang, school_years=("year",),
                 links={"school_link": SCHOOL_LINK, "area_link": AREA_LINK},
                 numbers={"row": "%d"}, key=key)
    tables.download_csv(csv, file_name, lang=lang, key=f"{key}_csv")


LOCATION_COLUMNS = {  # what each location list shows besides the school and its areas
    "no_coordinates": (),
    "coordinates_outside_country": ("latitude", "longitude"),
    "outside_district": ("latitude", "longitude", "located_in"),
    "shared_point": ("point", "n", "latitude", "longitude"),
}


def _school_list(found: pd.DataFrame, lang: str, *, key: str, file_name: str,
                 empty: str, extra: tuple[str, ...] = ()) -> None:
    if found.empty:
        st.success(empty, icon=":material/task_alt:")
        return
    country = extract.country()
    shown, csv = _listed_schools(found, lang, extract.build_id())
    columns = {"point": t("data_quality.column.point", lang),
               "n": t("data_quality.column.n", lang),
               "school": t("data_quality.column.school", lang),
               "school_link": t("data_quality.column.school_id", lang),
               "district": admin_level_name(country, country.finest_admin, lang),
               "province": admin_level_name(country, 1, lang),
               "latitude": t("data_quality.column.latitude", lang),
               "longitude": t("data_quality.column.longitude", lang),
               "located_in": t("data_quality.column.located_in", lang)}
    base = ("school", "school_link", "district", "province")
    columns = {c: label for c, label in columns.items() if c in base or c in extra}
    linked_table(shown, columns, lang=lang, links={"school_link": SCHOOL_LINK},
                 numbers={"latitude": "%.5f", "longitude": "%.5f"}, key=key)
    tables.download_csv(csv, file_name, lang=lang, key=f"{key}_csv")


# --------------------------------------------------------------------------- location


def locations(chosen: Filters) -> None:
    lang = chosen.lang
    st.header(t("data_quality.location.heading", lang), divider="gray")
    st.caption(t("data_quality.location.intro", lang))
    issues = dq.in_area(extract.location_issues(), chosen.area, lines=extract.area_lines())
    shared = dq.in_area(extract.shared_points(), chosen.area, lines=extract.area_lines())
    groups = {kind: issues[issues["issue"] == kind] for kind in dq.LOCATION_KINDS}
    groups["shared_point"] = shared
    cards = st.columns(len(groups))
    for column, (kind, rows) in zip(cards, groups.items()):
        column.metric(t(f"data_quality.location.{kind}", lang), format_number(len(rows), lang),
                      border=True, help=t(f"data_quality.location.{kind}_help", lang))
    tabs = st.tabs([t("data_quality.location.tab", lang,
                      name=t(f"data_quality.location.{kind}", lang),
                      n=format_number(len(rows), lang)) for kind, rows in groups.items()])
    for tab, (kind, rows) in zip(tabs, groups.items()):
        with tab:
            _school_list(rows, lang, key=f"dq_{kind}", file_name=f"{kind}.csv",
                         empty=t("data_quality.location.none", lang),
                         extra=LOCATION_COLUMNS[kind])


# --------------------------------------------------------------------------- boundaries


BOUNDARY_KINDS = ("polygons_missing", "boundary_file_skipped", "unit_without_polygon",
                  "boundary_unmatched", "boundary_duplicate", "boundary_low_confidence",
                  "boundary_parent_share", "boundary_empty", "crosswalk")


def boundaries(chosen: Filters) -> None:
    """Every boundary file layer read, what it held and how its polygons matched; the areas
    left without a polygon."""
    lang = chosen.lang
    st.header(t("data_quality.boundaries.heading", lang), divider="gray")
    st.caption(t("data_quality.boundaries.intro", lang))
    report = extract.boundary_report()
    if len(report):
        country = extract.country()
        shown = report.assign(
            file=[f"{f} ({layer})" if layer else f for f, layer in
                  zip(report["file"], report["layer"])],
            level=[admin_level_name(country, int(lv), lang) if pd.notna(lv) else
                   t("data_quality.boundaries.not_used", lang) for lv in report["level"]],
            why=[s if s else w for s, w in zip(report["skipped"], report["why"])],
            code_property=report["code_property"].replace({"": None}),
            name_property=report["name_property"].replace({"": None}))
        columns = {key: t(f"data_quality.boundaries.column.{key}", lang) for key in
                   ("file", "level", "features", "matched", "why", "code_property",
                    "name_property", "crs")}
        linked_table(shown, columns, lang=lang, counts=("features", "matched"),
                     key="dq_boundary_files")
    problems = dq.problems_of(extract.problems_named(lang), kinds=["polygons_missing"])
    for message in problems["message"]:
        st.warning(message, icon=":material/map:")


# --------------------------------------------------------------------------- consistency


def consistency(chosen: Filters) -> None:
    lang = chosen.lang
    st.header(t("data_quality.consistency.heading", lang), divider="gray")
    st.caption(t("data_quality.consistency.intro", lang))
    st.success(t("data_quality.consistency.repeaters", lang), icon=":material/task_alt:")
    kinds = [kind for kind in dq.CONSISTENCY_KINDS  # area totals: no check of schools
             if extract.has_values("schools") or kind not in dq.SCHOOL_CONSISTENCY_KINDS]
    problems = dq.problems_of(extract.problems_named(lang), kinds=kinds, area=chosen.area,
                              lines=extract.area_lines())
    counted = dq.kind_counts(problems, kinds)
    items = list(counted.items())
    for start in range(0, len(items), dq.CARDS_PER_ROW):
        for column, (kind, n) in zip(st.columns(dq.CARDS_PER_ROW),
                                     items[start:start + dq.CARDS_PER_ROW]):
            column.metric(kind_name(kind, lang), format_number(n, lang), border=True,
                          help=t(f"data_quality.consistency.{kind}_help", lang))
    tabs = st.tabs([t("data_quality.location.tab", lang, name=kind_name(kind, lang),
                      n=format_number(n, lang)) for kind, n in counted.items()])
    for tab, kind in zip(tabs, counted):
        with tab:
            _warning_list(problems[problems["kind"] == kind], lang, key=f"dq_{kind}",
                          file_name=f"{kind}.csv",
                          empty=t("data_quality.consistency.none", lang), shown_columns=BRIEF)


# --------------------------------------------------------------------------- all warnings


def _by_check(problems: pd.DataFrame, lang: str) -> None:
    """Each check once, with its count and first examples: a check that fired thousands of
    times does not hide the two that matter."""
    summary = dq.by_check(problems, lambda k: kind_name(k, lang))
    if summary.empty:
        return
    st.dataframe(summary.drop(columns="kind"), hide_index=True, width="stretch",
                 key="dq_by_check", column_config={
                     "check": st.column_config.TextColumn(t("data_quality.column.kind", lang)),
                     "n": st.column_config.NumberColumn(t("data_quality.all.n", lang),
                                                        format="%d"),
                     "examples": st.column_config.TextColumn(
                         t("data_quality.all.examples", lang), width="large")})


def all_warnings(chosen: Filters) -> None:
    lang = chosen.lang
    st.header(t("data_quality.all.heading", lang), divider="gray")
    problems = dq.problems_of(extract.problems_named(lang), area=chosen.area,
                              lines=extract.area_lines())
    st.caption(t("data_quality.all.intro", lang, n=format_number(len(problems), lang),
                 where=escape(_where(chosen, lang))))
    _by_check(problems, lang)
    kinds = list(dict.fromkeys(problems["kind"]))
    years = sorted({int(y) for y in problems["year"].dropna()}, reverse=True)
    row = st.columns([4, 2, 3])
    picked = row[0].multiselect(
        t("data_quality.all.kinds", lang), kinds, key=KIND_FILTER,
        format_func=lambda k: kind_name(k, lang), placeholder=t("data_quality.all.any", lang))
    # 0, not None, for any year: a select box shows None as nothing chosen yet.
    year = row[1].selectbox(t("data_quality.all.year", lang), [0, *years], key=YEAR_FILTER,
                            format_func=lambda y: format_school_year(y, lang) if y
                            else t("data_quality.all.any_year", lang)) or None
    text = row[2].text_input(t("data_quality.all.text", lang), key=TEXT_FILTER,
                             placeholder=t("data_quality.all.text_placeholder", lang))
    found = dq.problems_of(problems, kinds=picked, year=year, text=text)
    st.markdown(t("data_quality.all.count", lang, n=format_number(len(found), lang)))
    _warning_list(found, lang, key="dq_all", file_name=t("data_quality.all.file_name", lang),
                  empty=t("data_quality.all.none", lang))
