"""The Data quality page through AppTest: the counts of the demo's planted dirt, the area
and year filters, and the warnings' own filters."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_number, t
from tests.app.pages import ok

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


def run_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    ok(at.run())  # first: st.navigation registers the page's path, data-quality
    at.switch_page("pages/data-quality.py")
    at.query_params.update(query)
    return ok(at.run())


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def manifest(demo_extract, demo_package, monkeypatch) -> dict:
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    return json.loads((demo_package / "manifest.json").read_text())


def test_the_planted_dirt_is_counted(manifest):
    at = run_page()
    assert [e.value for e in at.title] == [t("data_quality.title")]
    latest = max(int(y) for y in manifest["years"]) if "years" in manifest else None
    shown = metrics(at)
    dirt = manifest["dirt"]
    for kind in ("no_coordinates", "coordinates_outside_country", "outside_district"):
        assert shown[t(f"data_quality.location.{kind}")] == format_number(len(dirt[kind]))
    assert shown[t("data_quality.location.shared_point")] == "0"
    year = max(int(y) for y in dirt["non_reporting"]) if latest is None else latest
    assert shown[t("data_quality.reporting.not_reported")] == format_number(
        len(dirt["non_reporting"].get(str(year), [])))
    for kind in ("enrolment_jump", "ptr_implausible", "age_grade_mismatch"):
        assert shown[t(f"problem_kind.{kind}")] == format_number(len(dirt[kind]))
    assert any(t("data_quality.consistency.repeaters") == s.value for s in at.success)
    assert at.get("download_button")


def test_year_area_and_warning_filters(manifest, demo_extract):
    at = run_page()
    dirt = manifest["dirt"]["non_reporting"]
    for year, planted in dirt.items():
        next(s for s in at.selectbox if s.label == t("filters.year")).set_value(int(year)).run()
        ok(at)
        assert metrics(at)[t("data_quality.reporting.not_reported")] == format_number(
            len(planted))
    # one province: only its schools without coordinates
    province = manifest["dirt"]["no_coordinates"][0][:2]
    at = run_page(area=province)
    expected = sum(1 for s in manifest["dirt"]["no_coordinates"] if s.startswith(province))
    assert metrics(at)[t("data_quality.location.no_coordinates")] == format_number(expected)
    # the warnings' own filter: one check
    with db.connect_current(demo_extract) as con:
        n = con.execute("SELECT count(*) FROM problems WHERE kind = 'no_coordinates' "
                        "AND unit_code LIKE ? || '%'", [province]).fetchone()[0]
    next(m for m in at.multiselect if m.label == t("data_quality.all.kinds")).select(
        "no_coordinates").run()
    ok(at)
    assert any(m.value == t("data_quality.all.count", n=format_number(n))
               for m in at.markdown)


def test_the_warnings_read_in_lao_and_are_searched_in_lao(manifest):
    at = run_page(lang="lo")
    listed = [frame.value for frame in at.dataframe if "message" in frame.value]
    messages = [m for frame in listed for m in frame["message"]]
    assert messages, "the page lists warnings"
    assert all(re.search(r"[\u0E80-\u0EFF]", m) for m in messages), "every message in Lao"
    school = manifest["dirt"]["no_coordinates"][0]
    assert any(school in m and "ພິກັດ" in m for m in messages)
    box = next(b for b in at.text_input if b.label == t("data_quality.all.text", "lo"))
    box.input("ພິກັດ").run()
    ok(at)
    n = len(manifest["dirt"]["no_coordinates"])  # "ພິກັດ": coordinates, in these only
    assert any(m.value == t("data_quality.all.count", "lo", n=format_number(n, "lo"))
               for m in at.markdown), "the search reads the Lao words"


def test_every_boundary_file_read_is_listed(manifest, demo_extract):
    """The Boundary files section: each layer read, the level it holds and how many of its
    polygons found their area (all of them, in the demo)."""
    at = run_page()
    assert t("data_quality.boundaries.heading") in [h.value for h in at.header]
    table = next(d.value for d in at.dataframe
                 if {"file", "level", "features", "matched", "why"} <= set(d.value.columns))
    con = db.connect(demo_extract)
    report = db.boundary_report(con)
    matched = con.execute("SELECT count(*) FROM boundary_matches").fetchone()[0]
    assert list(table["file"]) == list(report["file"])
    assert set(table["level"]) == {"Province", "District"}
    assert table["matched"].sum() == matched == 18 + 148
    assert (table["matched"] == table["features"]).all()
    assert table["why"].str.contains("match").all()
    # Every area has its polygon: no coverage warning.
    assert not [w for w in at.warning if "no polygon" in w.value]
