"""The engine frames the build stores for the reports (lib.indicators.stored), on hand-made
packages of other shapes (the inclusive one with ethnicity and home language, three admin
levels, one admin level, quality standards): stored only when asked for, exactly what the
engine computes (every frame, year and language), read by the engine, and enough for a
report of the country and of an area of every level to be made without computing
anything."""
from __future__ import annotations

import pandas as pd
import pypdfium2 as pdfium
import pytest

from lib import db, report
from lib.build import build_extract
from lib.indicators import compute, compute_years, context, engine, stored
from tests.fixtures.admin_levels import write_one_level_package, write_three_level_package
from tests.fixtures.inclusive_package import write_inclusive_package
from tests.fixtures.quality_package import write_quality_package
from tests.fixtures.tiny_package import write_tiny_package

PACKAGES = {"inclusive": write_inclusive_package, "three_levels": write_three_level_package,
            "one_level": write_one_level_package, "quality": write_quality_package}


@pytest.fixture(scope="module", params=list(PACKAGES))
def built(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"stored-{request.param}")
    package = PACKAGES[request.param](folder / "package")
    return build_extract(package, folder / "emis.duckdb", report_frames=True).db, request.param


def _keys(con) -> list[tuple[str, str, str]]:
    return con.execute(f"SELECT DISTINCT indicator_id, level, split FROM {stored.TABLE} "
                       "ORDER BY ALL").fetchall()


def test_frames_are_stored_only_when_asked_for(built):
    with_frames, name = built
    con = db.connect_current(with_frames)
    try:
        keys = set(_keys(con))
        assert stored.TABLE in context(con).tables and context(con).stored == keys
        admin_ids = context(con).country.admin_ids
        asked = {(i, level, by or "") for i, level, by in report.frames_asked(con)}
    finally:
        con.close()
    # every frame stored is one a report asks for; what is left out the engine refuses
    assert keys <= asked
    assert ("enrolment_primary", "national", "sex") in keys
    assert {level for _, level, _ in keys} == {"national", *admin_ids}
    if name == "inclusive":
        assert ("ger_primary", "district", "ethnicity") in keys
        assert ("enrolment_primary", "national", "home_language") in keys


def test_a_build_stores_none_unless_asked(tmp_path):
    built = build_extract(write_tiny_package(tmp_path / "package"), tmp_path / "emis.duckdb")
    con = db.connect_current(built.db)
    try:
        assert stored.TABLE not in context(con).tables and not context(con).stored
        assert stored.Year(con, context(con).years[-1]).get(
            "enrolment_primary", "national", "sex", {}) is None
    finally:
        con.close()


def test_every_stored_frame_is_what_the_engine_computes(built):
    con = db.connect_current(built[0])
    try:
        found = context(con)
        year = found.years[-1]  # every year is compared through compute_years
        stored_year = stored.Year(con, year)
        for i, (indicator_id, level, split) in enumerate(_keys(con)):
            by = split or None
            # the names of the units in the other language: one frame in ten
            for lang in ("en", "lo") if i % 10 == 0 else ("en",):
                pd.testing.assert_frame_equal(
                    compute_years(con, indicator_id, level, None, by=by, lang=lang),
                    compute_years(con, indicator_id, level, None, by=by, lang=lang,
                                  stored=False))
            names = found.unit_names(level == "national", "en")
            alone = compute(con, indicator_id, level, year, by=by, stored=False)
            pd.testing.assert_frame_equal(compute(con, indicator_id, level, year, by=by), alone)
            pd.testing.assert_frame_equal(stored_year.get(indicator_id, level, by, names), alone)
    finally:
        con.close()


def test_the_engine_reads_them_and_computes_the_rest(built, monkeypatch):
    con = db.connect_current(built[0])
    calls = []
    real = engine._compute
    monkeypatch.setattr(engine, "_compute",
                        lambda c, req, *a, **k: calls.append(req.indicator.id) or real(
                            c, req, *a, **k))
    try:
        found = context(con)
        year, finest = found.years[-1], found.country.admin_ids[-1]
        first_area = found.areas.loc[found.areas["level"] == 1, "code"].min()
        read = compute(con, "enrolment_primary", finest, year, by="sex")
        assert not calls and read["group"].tolist()[:3] == ["T", "F", "M"]
        # within an area, or at school level: computed, as before
        compute(con, "enrolment_primary", finest, year, area=first_area)
        compute(con, "enrolment_primary", "school", year)
        assert calls == ["enrolment_primary", "enrolment_primary"]
    finally:
        con.close()


def test_a_report_reads_only_stored_frames(built, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the report computed a frame the build should have stored")

    con = db.connect_current(built[0])
    try:
        reports = report.ExtractReports(con)
        year = reports.info.years[-1]
        monkeypatch.setattr(engine, "_compute", refuse)
        units = reports.units
        codes = [None] + [units.loc[units["level"] == n, "code"].min()
                          for n in sorted(set(units["level"]))]
        for code in codes:
            pdf = reports.area_pdf(code, year, "en")
            assert len(pdfium.PdfDocument(pdf)) >= 1
    finally:
        con.close()
