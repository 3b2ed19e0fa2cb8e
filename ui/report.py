"""The "Download report (PDF)" of the Overview: the profile of the place looked at, made
by :mod:`lib.report` from the same cached engine calls as the page (so the public view's
rules apply to it as to the page), in the page's language and year."""
from __future__ import annotations

import re
from functools import partial

import streamlit as st

from lib import overview, report
from lib.i18n import t
from lib.vocabulary import NATIONAL
from ui import extract, tables

_HELD = "_report_pdf"  # session: (what it is of, the PDF) of the last report made
_ASKED = "_report_asked"


def _context(where: overview.Place, lang: str) -> report.Context:
    country, info, viewer = extract.country(), extract.info(), extract.viewer()
    admin, levels = report.admin_and_level_names(country, lang)
    warnings = 0
    if viewer.exact:  # the public view has no Data quality page to point to
        found = extract.problems()
        found = found[found["severity"] == "warning"]
        if where.admin_level != NATIONAL:
            number = country.admin_number(where.admin_level)
            inside = set(extract.areas_within(country.finest_admin, where.code)) | {
                where.code} if number < country.finest_admin else {where.code}
            found = found[found["unit_code"].isin(inside)]
        warnings = len(found)
    source = report.Source(extract.country_name(lang), info.package_source or info.source_dir,
                           info.built_at, info.synthetic, tuple(info.years),
                           None if viewer.exact else viewer.rules.threshold, warnings)
    return report.Context(partial(extract.indicator, lang=lang), extract.registry(),
                          country.admin_ids, admin, levels,
                          lambda level, parent: extract.boundaries(level, "low", parent),
                          extract.area_names(lang), source, lang,
                          split_words=extract.split_words(),
                          framework=extract.quality_framework())


def _ask() -> None:
    st.session_state[_ASKED] = True


def area_button(where: overview.Place, year: int, lang: str) -> None:
    """The report of the place the Overview shows."""
    name = f"{where.admin_level}-{where.code}-{year}-{lang}"
    _button(name, lang, lambda: report.area_report(_context(where, lang), where, int(year)))


def school_button(found: extract.SchoolRecords, year: int, lang: str) -> None:
    """The report of the school the profile shows (its records as this session sees
    them: the public's without pupils by sex and small counts)."""
    school = found.school
    data = report.SchoolData(school, found.enrolment, found.teachers, found.facilities,
                             len(found.problems) if extract.viewer().exact else 0,
                             found.quality)
    place = overview.Place(NATIONAL, extract.country().iso3, extract.country_name(lang))
    name = f"school-{school['school_id']}-{year}-{lang}"
    _button(name, lang, lambda: report.school_report(_context(place, lang), data, int(year)))


def _button(name: str, lang: str, make) -> None:
    """Make the report on a click, then offer it for download (a PDF takes a second or
    two: it is not made on every rerun)."""
    what = (extract.build_id(), name, extract.viewer().key())
    report.warm_up()  # once per server: the first report need not wait for the libraries
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    held = st.session_state.get(_HELD)
    if st.session_state.pop(_ASKED, False):
        with st.spinner(t("report.making", lang)):
            pdf = make()
        held = (what, pdf)
        st.session_state[_HELD] = held
    if held is not None and held[0] == what:
        st.download_button(t("report.download", lang), data=held[1], file_name=f"{name}.pdf",
                           mime="application/pdf", icon=":material/picture_as_pdf:",
                           type="primary", key="report_download",
                           on_click=tables.on_download(f"{name}.pdf"))
    else:
        st.button(t("report.make", lang), icon=":material/picture_as_pdf:", key="report_make",
                  on_click=_ask)
