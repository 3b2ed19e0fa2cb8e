"""The About page's sections: what the extract holds, where it came from, its licences and
optional tables, how to load your own data, and what the build found."""
from __future__ import annotations

import streamlit as st

from lib import provenance
from lib.areas import level_word
from lib.db import ExtractInfo
from lib.i18n import (format_datetime_utc, format_number, format_school_year,
                      format_school_years, has, t)
from lib.vocabulary import SMALL_COUNT_THRESHOLD
from ui import extract, tables
from ui.markdown import escape


def show(lang: str) -> None:
    info = extract.info()
    status(info, lang)
    key_figures(info, lang)
    facts_and_years(info, lang)
    licence_and_tables(info, lang)
    own_data(lang)
    access(lang)
    validation(info, lang)


def status(info: ExtractInfo, lang: str) -> None:
    """Synthetic or real data, schematic or real boundaries."""
    if info.synthetic:
        st.warning(t("about.synthetic_yes", lang), icon=":material/science:")
    else:
        st.success(t("about.synthetic_no", lang), icon=":material/verified:")
    if info.boundaries_schematic:
        st.info(t("about.boundaries_schematic", lang), icon=":material/draw:")
    else:
        st.info(t("about.boundaries_real", lang), icon=":material/map:")


def key_figures(info: ExtractInfo, lang: str) -> None:
    """Key figures of the latest school year, with the trend over the years as a sparkline."""
    latest = provenance.latest_year(info)
    st.subheader(t("about.figures.heading", lang, year=format_school_year(latest, lang))
                 if latest is not None else t("about.figures.heading_no_year", lang))
    figures = st.columns(4)
    figures[0].metric(t("about.figures.schools", lang), format_number(info.n_schools, lang),
                      border=True, height="stretch")
    for column, name, counts in ((figures[1], "reporting", info.schools_by_year),
                                 (figures[2], "pupils", info.pupils_by_year),
                                 (figures[3], "teachers", info.teachers_by_year)):
        column.metric(t(f"about.figures.{name}", lang),
                      format_number(counts.get(latest) if latest is not None else None, lang),
                      chart_data=list(counts.values()), chart_type="area", border=True,
                      height="stretch")


def facts_and_years(info: ExtractInfo, lang: str) -> None:
    """The extract's facts, and its counts year by year."""
    not_stated = t("format.not_stated", lang)
    country = extract.country()
    by_year = provenance.counts_by_year(info)
    facts, years = st.columns([3, 2], gap="large")
    with facts:
        st.subheader(t("about.extract.heading", lang))
        st.markdown("\n".join("- " + line for line in (
            t("about.extract.built", lang, when=format_datetime_utc(info.built_at, lang),
              seconds=format_number(info.build_seconds, lang, digits=1)),
            t("about.extract.package", lang, source=escape(info.package_source or not_stated)),
            t("about.extract.source_dir", lang, path=escape(info.source_dir or not_stated)),
            t("about.extract.country", lang, name=escape(info.country_name),
              local=escape(info.country_name_local), iso3=escape(info.iso3)),
            t("about.extract.years", lang, span=format_school_years(info.years, lang),
              n=len(info.years)),
            t("about.extract.areas", lang, counts=", ".join(
                f"{format_number(n, lang)} {level_word(country, level_id, lang, plural=True)}"
                for level_id, n in zip(country.admin_ids, info.areas_by_level))),
        )))
    with years:
        st.subheader(t("about.by_year.heading", lang))
        if by_year.empty:
            st.info(t("about.by_year.empty", lang))
        else:
            tables.table(by_year, {col: t(f"about.by_year.{col}", lang)
                                   for col in by_year.columns},
                         lang=lang, school_years=["year"],
                         counts=["schools", "pupils", "teachers"])


def licence_and_tables(info: ExtractInfo, lang: str) -> None:
    """The data's licence and attributions, the boundary files, and which optional tables
    the package had."""
    licence, optional = st.columns([3, 2], gap="large")
    with licence:
        st.subheader(t("about.licence.heading", lang))
        st.markdown(t("about.licence.licence", lang, licence=escape(info.licence))
                    if info.licence else t("about.licence.licence_missing", lang))
        if info.attribution:
            st.markdown(t("about.licence.attribution", lang, text=escape(info.attribution)))
        if provenance.needs_geoboundaries_credit(info):
            st.markdown(t("about.licence.geoboundaries", lang))
        files = provenance.boundary_file_names(info)
        st.markdown(t("about.licence.boundary_files", lang) if files
                    else t("about.licence.no_boundary_files", lang))
        for name in files:
            st.badge(escape(name), icon=":material/description:", color="gray")
    with optional:
        st.subheader(t("about.tables.heading", lang))
        st.caption(t("about.tables.intro", lang))
        for name, present in provenance.optional_tables(info):
            key = f"about.tables.name.{name}"
            label = t(key, lang) if has(key, lang) else escape(name)
            st.badge(t("about.tables.present" if present else "about.tables.absent", lang,
                       name=label),
                     icon=":material/check_circle:" if present else ":material/remove:",
                     color="green" if present else "gray")
        if not info.optional_tables:
            st.caption(t("about.tables.none", lang))


def own_data(lang: str) -> None:
    """How to load a census of one's own, command by command."""
    st.subheader(t("about.own_data.heading", lang))
    st.markdown(t("about.own_data.intro", lang))
    st.markdown(t("about.own_data.step_template", lang))
    st.code(t("about.own_data.command_template", lang), language="bash")
    st.markdown(t("about.own_data.step_validate", lang))
    st.code(t("about.own_data.command_validate", lang), language="bash")
    st.markdown(t("about.own_data.step_build", lang))
    st.code(t("about.own_data.command_build", lang, db=extract.display_path()),
            language="bash")
    st.markdown(t("about.own_data.step_reload", lang))


def access(lang: str) -> None:
    """Who can see what: without sign-in, everyone who can open the app sees every value;
    with it, the roles and the public view's rules; how to write a table to publish."""
    st.subheader(t("about.access.heading", lang))
    threshold = SMALL_COUNT_THRESHOLD
    if extract.sign_in_configured():
        rules = extract.policy().rules
        threshold = rules.threshold
        st.markdown(t("about.access.signed", lang, threshold=threshold,
                      pupils=rules.min_denominator.get("pupils", 0),
                      teachers=rules.min_denominator.get("teachers", 0)))
    else:
        st.markdown(t("about.access.no_sign_in", lang))
    st.markdown(t("about.access.publish", lang, threshold=threshold))
    country, years = extract.country(), extract.info().years
    st.code(t("about.access.command", lang, db=extract.display_path(),
              indicator=f"enrolment_{country.entry_level}", level=country.admin_ids[-1],
              year=max(years) if years else ""), language="bash")


# The warnings listed on the page; the CSV below them has all (the Data quality page filters
# them by area and check).
WARNINGS_SHOWN = 1_000


def validation(info: ExtractInfo, lang: str) -> None:
    """What the build's checks found: a summary by kind, every warning, the CSV."""
    st.subheader(t("about.validation.heading", lang))
    st.caption(t("about.validation.intro", lang))
    summary = extract.problem_summary(lang)
    if summary.empty:
        st.success(t("about.validation.none", lang), icon=":material/task_alt:")
        return
    columns = {name: t(f"about.validation.column.{name}", lang)
               for name in ("kind", "severity", "n")}
    st.markdown(t("about.validation.summary", lang, n=format_number(info.n_warnings, lang)))
    tables.table(summary, columns, lang=lang, counts=["n"], width="content")
    problems = extract.problems(lang)
    if len(problems) > WARNINGS_SHOWN:  # a national census: tens of thousands, megabytes
        st.markdown(t("about.validation.first", lang, shown=format_number(WARNINGS_SHOWN, lang),
                      n=format_number(len(problems), lang)))
        problems = problems.head(WARNINGS_SHOWN)
    else:
        st.markdown(t("about.validation.all", lang))
    tables.table(problems, {name: t(f"about.validation.column.{name}", lang) for name in (
        "seq", "kind", "file", "row", "column", "message", "unit_code", "school_id", "year")},
        lang=lang, school_years=["year"], integers=["seq", "row"])
    tables.download_csv(extract.problems_csv(), t("about.validation.file_name", lang),
                        lang=lang, label_key="about.validation.download")
