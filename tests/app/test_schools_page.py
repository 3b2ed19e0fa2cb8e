"""The Schools page through AppTest: search with filters, a profile opened from the
results and by URL, the way back, an unknown school, and a hostile school name."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_number, plural, t
from tests.app.pages import ok
from tests.e2e.conftest import HOSTILE_NAME, hostile_school  # noqa: F401 (a fixture)
from ui.markdown import escape

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


def run_page(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("pages/schools.py")
    at.query_params.update(query)
    return ok(at.run())


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("title", "subheader", "markdown", "caption",
                                               "warning", "info", "success")
                     for e in getattr(at, kind))


def widget(at: AppTest, kind: str, label: str):
    return next(w for w in getattr(at, kind) if w.label == label)


def results(at: AppTest):
    return at.dataframe[0].value


@pytest.fixture
def extract(demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    con = db.connect_current(demo_extract)
    yield con
    con.close()


def test_search_by_name_and_filters(extract):
    school_id, name = extract.execute(
        "SELECT school_id, name_en FROM schools WHERE ownership = 'public' "
        "AND name_en LIKE 'Ban % Primary School' ORDER BY school_id LIMIT 1").fetchone()
    at = run_page()
    assert [e.value for e in at.title] == [t("schools.title")]
    # The list follows the sidebar's education level (primary, the entry level).
    n = extract.execute("SELECT count(*) FROM school_levels WHERE level = 'primary'"
                        ).fetchone()[0]
    assert widget(at, "multiselect", t("schools.filter.levels")).value == ["primary"]
    assert plural("schools.results.count", "en", n, n=format_number(n),
                  where="Lao PDR").split(" found")[0] in texts(at)
    widget(at, "text_input", t("schools.search.label")).set_value(name.lower()).run()
    ok(at)
    found = results(at)
    assert school_id in found["school_id"].tolist()
    widget(at, "multiselect", t("schools.filter.ownership")).select("private").run()
    ok(at)
    assert school_id not in results(at)["school_id"].tolist() if len(at.dataframe) else True
    widget(at, "multiselect", t("schools.filter.ownership")).unselect("private").run()
    widget(at, "multiselect", t("schools.filter.ownership")).select("public").run()
    ok(at)
    shown = results(at)
    assert set(shown["ownership"]) == {t("schools.value.public")}
    assert at.get("download_button"), "the results can be downloaded"


def test_the_level_filter_follows_the_sidebar_and_can_be_widened(extract):
    def count(level: str | None) -> int:
        sql = "SELECT count(*) FROM schools" if level is None else \
            "SELECT count(*) FROM school_levels WHERE level = ?"
        return extract.execute(sql, [level] if level else []).fetchone()[0]

    def shown(n: int) -> bool:
        return plural("schools.results.count", "en", n, n=format_number(n),
                      where="Lao PDR").split(" found")[0] in texts(at)

    at = run_page()
    widget(at, "selectbox", t("filters.level")).set_value("lower_secondary").run()
    ok(at)
    assert widget(at, "multiselect", t("schools.filter.levels")).value == ["lower_secondary"]
    assert shown(count("lower_secondary"))
    widget(at, "multiselect", t("schools.filter.levels")).unselect("lower_secondary").run()
    ok(at)
    assert shown(count(None))  # every level


def test_nothing_found_says_so(extract):
    at = run_page()
    widget(at, "text_input", t("schools.search.label")).set_value("zzqqxxyy").run()
    ok(at)
    prefix = t("schools.results.none", where="|").split("|")[0]
    assert any(i.value.startswith(prefix) for i in at.info)
    assert not at.dataframe


def test_a_result_opens_its_profile_and_back(extract):
    at = run_page()
    widget(at, "text_input", t("schools.search.label")).set_value("0101").run()
    first = results(at)["school_id"].iloc[0]
    name = extract.execute("SELECT name_en FROM schools WHERE school_id = ?",
                           [first]).fetchone()[0]
    widget(at, "selectbox", t("schools.results.pick")).set_value(first).run()
    ok(at)
    assert [e.value for e in at.title] == [escape(name)]
    assert at.query_params["school"] in (first, [first])
    for heading in ("identity", "location"):
        assert t(f"schools.profile.{heading}") in [s.value for s in at.subheader]
    next(b for b in at.button if b.label == t("schools.profile.back")).click().run()
    ok(at)
    assert [e.value for e in at.title] == [t("schools.title")]
    assert "school" not in at.query_params
    # the search is still there
    assert widget(at, "text_input", t("schools.search.label")).value == "0101"


def test_profile_by_url(extract, demo_package):
    manifest = json.loads((demo_package / "manifest.json").read_text())
    school_id = manifest["dirt"]["no_coordinates"][0]
    record = db.school(extract, school_id)
    at = run_page(school=school_id)
    assert [e.value for e in at.title] == [escape(record["name_en"])]
    shown = texts(at)
    assert escape(school_id) in shown and escape(record["district_name_en"]) in shown
    assert t("problem_kind.no_coordinates") in shown  # its data-quality warning
    assert t("schools.profile.not_placed") in shown
    subheaders = [s.value for s in at.subheader]
    for heading in ("pupils.heading", "teachers.heading", "facilities.heading",
                    "quality.heading"):
        assert t(f"schools.profile.{heading}") in subheaders
    assert len(at.get("vega_lite_chart")) == 2  # pupils over years, by grade
    labels = [m.label for m in at.metric]
    assert t("schools.profile.teachers.teachers") in labels
    # changing the year keeps the profile
    widget(at, "selectbox", t("filters.year")).set_value(
        min(db.extract_info(extract).years)).run()
    ok(at)
    assert [e.value for e in at.title] == [escape(record["name_en"])]


def test_an_unknown_school_falls_back_to_the_search(extract):
    at = run_page(school="no-such-school")
    assert [e.value for e in at.title] == [t("schools.title")]
    assert any("no-such-school" in w.value.replace("\\", "") for w in at.warning)
    assert "school" not in at.query_params


def test_a_hostile_name_is_shown_as_text(hostile_school, monkeypatch):  # noqa: F811
    extract, row = hostile_school
    monkeypatch.setenv("EMIS_DB", str(extract))
    at = run_page(school=row["school_id"])
    assert [e.value for e in at.title] == [escape(HOSTILE_NAME)]
    assert not re.search(r"(?<!\\)<img", texts(at))  # every "<" of the name escaped
    at = run_page()
    widget(at, "text_input", t("schools.search.label")).set_value(row["school_id"]).run()
    ok(at)
    assert results(at)["name"].iloc[0] == HOSTILE_NAME  # a dataframe cell: text
