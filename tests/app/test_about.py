"""The router and the About page through Streamlit's AppTest (no browser)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_datetime_utc, format_number, format_school_year, t
from tests.app.pages import url_notices

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 60


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("pages/about.py")
    at.query_params.update(query)
    return at.run()


def texts(at: AppTest) -> str:
    """Everything the page wrote as Markdown, callouts, captions and code, as one text."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "warning",
                                  "info", "success", "error", "code")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def extract_info(demo_extract, monkeypatch) -> db.ExtractInfo:
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    with db.connect_current(demo_extract) as con:
        return db.extract_info(con)


def selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_about_shows_the_extract(extract_info):
    at = run_app()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.title] == [t("about.title")]
    shown = texts(at)

    assert format_datetime_utc(extract_info.built_at) in shown
    latest = max(extract_info.years)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("about.figures.schools")] == format_number(extract_info.n_schools)
    assert metrics[t("about.figures.pupils")] == format_number(
        extract_info.pupils_by_year[latest])
    assert metrics[t("about.figures.teachers")] == format_number(
        extract_info.teachers_by_year[latest])

    assert extract_info.synthetic, "the demo extract says it is synthetic"
    assert t("banner.synthetic") in shown
    assert t("about.synthetic_yes") in shown
    statement = ("about.boundaries_schematic" if extract_info.boundaries_schematic
                 else "about.boundaries_real")
    assert t(statement) in shown
    # no sign-in yet: the page says who can see what, and how to write a table to publish
    assert t("about.access.no_sign_in") in shown
    assert t("about.access.publish", threshold=5) in shown
    assert "--public" in shown


def test_about_lists_the_build_warnings(demo_extract, extract_info):
    at = run_app()
    with db.connect_current(demo_extract) as con:
        problems = db.problems(con)
    assert len(problems) == extract_info.n_warnings > 0, "the demo plants dirt"
    warnings_table = at.dataframe[-1].value
    assert len(warnings_table) == len(problems)
    assert list(warnings_table.columns)[:2] == ["seq", "kind"]
    assert at.get("download_button"), "a CSV download of the warnings"
    by_year = at.dataframe[0].value
    assert list(by_year["year"]) == [format_school_year(y) for y in sorted(extract_info.years)]


def test_a_long_list_of_warnings_shows_its_first_rows(demo_extract, extract_info,
                                                      monkeypatch):
    """A national census has tens of thousands of warnings: the page lists the first ones
    (megabytes less to send) and says the file has them all."""
    from ui.sections import about

    monkeypatch.setattr(about, "WARNINGS_SHOWN", 7)
    at = run_app()
    assert not at.exception, [e.value for e in at.exception]
    warnings_table = at.dataframe[-1].value
    assert list(warnings_table["seq"]) == list(range(1, 8))
    assert t("about.validation.first", shown="7",
             n=format_number(extract_info.n_warnings)) in texts(at)
    assert t("about.validation.all") not in texts(at)
    assert at.get("download_button"), "the file of them all"


def test_invalid_year_in_the_url_falls_back_with_a_notice(extract_info):
    at = run_app(year="1899")
    assert not at.exception
    latest = max(extract_info.years)
    notices = url_notices(at)
    assert len(notices) == 1, notices
    assert "1899" in notices[0] and format_school_year(latest) in notices[0]
    assert selectbox(at, t("filters.year")).value == latest
    assert at.query_params["year"] == str(latest)


@pytest.mark.parametrize("query", [{"level": "tertiary"}, {"area": "9999"}, {"lang": "xx"},
                                   {"year": "twenty"}, {"area": "![x](http://example.org/x)"}])
def test_other_invalid_values_fall_back(extract_info, query):
    at = run_app(**query)
    assert not at.exception
    notices = url_notices(at)
    assert len(notices) == 1, notices
    assert "](http" not in notices[0], "URL text is escaped, never Markdown"


def test_area_in_the_url_selects_province_and_district(demo_extract, extract_info):
    with db.connect_current(demo_extract) as con:
        district = db.admin_units(con, level=2).iloc[0]
        country = db.country(con)
    at = run_app(area=district["code"])
    assert not at.exception
    assert not url_notices(at)
    province_box = selectbox(at, country.admin_level_names[1]["en"])
    district_box = selectbox(at, country.admin_level_names[2]["en"])
    assert (province_box.value, district_box.value) == (district["parent_code"],
                                                        district["code"])
    assert at.query_params["area"] == district["code"]

    province_box.select("").run()  # back to the whole country
    assert selectbox(at, country.admin_level_names[2]["en"]).value == ""
    assert "area" not in at.query_params


def test_filters_stay_chosen_when_the_page_changes(extract_info):
    at = run_app()
    first = min(extract_info.years)
    selectbox(at, t("filters.year")).select(first).run()
    assert at.query_params["year"] == str(first)
    at.query_params.clear()  # what Streamlit does to the URL when the page changes
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert selectbox(at, t("filters.year")).value == first
    assert at.query_params["year"] == str(first)
    assert not url_notices(at)


def test_missing_extract_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(tmp_path / "none.duckdb"))
    at = run_app()
    assert not at.exception
    assert [e.value for e in at.error] == [t("missing.title")]
    code = "\n".join(c.value for c in at.code)
    assert "make demo" in code
    assert "python -m lib build --source DIR --db" in code


def test_a_rebuilt_extract_is_read_without_restart(tmp_path, monkeypatch):
    from lib.cli import main
    from tests.fixtures.tiny_package import write_tiny_package

    package = write_tiny_package(tmp_path / "package")
    extract = tmp_path / "emis.duckdb"
    assert main(["build", "--source", str(package), "--db", str(extract)]) == 0
    monkeypatch.setenv("EMIS_DB", str(extract))
    at = run_app()
    assert not at.exception
    assert "made test package" in texts(at)

    toml = package / "country.toml"
    toml.write_text(toml.read_text().replace("Hand-made test package", "Second delivery"))
    assert main(["build", "--source", str(package), "--db", str(extract)]) == 0
    at.run()
    assert not at.exception
    assert "Second delivery" in texts(at)
