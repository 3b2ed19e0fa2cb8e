"""The Quality page and a school's scorecard through AppTest: on the demo (a Lao-FQS-shaped
framework) every figure drawn is the engine's or lib.quality's, in English and Lao, from a
shared link; on the hand-made package the worked values show; a package with the old flat
quality table still gets its standards; a census without an assessment says so."""
from __future__ import annotations

import pytest

from lib import db, quality
from lib.build import build_extract
from lib.i18n import format_number, t
from lib.indicators import compute
from tests.app.pages import chart_rows, open_page, url_notices
from tests.fixtures.quality_package import FLAT_QUALITY, write_quality_package
from ui.sections.quality import DETAIL_TABS

TIMEOUT = 90


def _year(con) -> int:
    return max(db.extract_info(con).years)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_demo_quality_page_draws_the_engines_values(con, lang):
    year = _year(con)
    at = open_page("pages/quality.py", timeout=TIMEOUT, lang=lang, year=str(year))
    assert not url_notices(at)
    framework = quality.framework(con)
    lowest = framework.levels[0]
    assert at.selectbox(key="url_quality_level").value == lowest.id
    assert dict(at.query_params)["quality_level"] == lowest.id
    cover = quality.coverage(con, year, None)
    shown = metrics(at)
    assert shown[t("quality.kpi.self_assessed", lang)] == format_number(
        cover["self_assessed"], lang)
    assert shown[t("quality.kpi.verified", lang)] == format_number(cover["verified"], lang)
    counts = quality.level_counts(con, None)
    counts = counts[counts["year"] == year].set_index("level")["schools"]
    for level in framework.levels:
        assert shown[level.name(lang)] == format_number(int(counts.get(level.id, 0)), lang)
    # the bars: each province's share of schools at each level, as the engine gives it
    names = {code: name for code, name in zip(*zip(*db.admin_units(con, 1)[
        ["code", "name_en" if lang == "en" else "name_local"]].itertuples(index=False)))}
    expected = {}
    for level in framework.levels:
        engine = compute(con, f"quality_level_{level.id}", "province", year)
        expected.update({(names[r.unit_code], level.name(lang)): r.value
                         for r in engine.itertuples() if r.group == "T"})
    drawn = {(row["area"], row["level"]): row["value"] for row in chart_rows(at, 0)}
    assert drawn == pytest.approx(expected)
    # the heat map: each province's share of schools meeting each standard
    heat = {(row["area"], row["standard"]): row["value"] for row in chart_rows(at, 1)}
    standard = framework.standards[0]
    engine = compute(con, f"quality_met_{standard.id}", "province", year)
    assert {k: v for k, v in heat.items() if k[1] == standard.name(lang)} == pytest.approx(
        {(names[r.unit_code], standard.name(lang)): r.value for r in engine.itertuples()
         if r.group == "T"})
    assert t("quality.levels.heading", lang) in [h.value for h in at.subheader]
    tabs = [tab.label for tab in at.tabs]
    assert tabs[0] == t("quality.support.heading", lang)  # open first: the schools to visit
    assert t("quality.external.heading", lang) in tabs


def test_a_shared_link_opens_a_province_and_a_level(con):
    year = _year(con)
    framework = quality.framework(con)
    level = framework.levels[1].id
    at = open_page("pages/quality.py", timeout=TIMEOUT, year=str(year), area="01",
                   quality_level=level)
    assert not url_notices(at)
    assert at.selectbox(key="url_quality_level").value == level
    districts = set(db.admin_units(con, 2).query("parent_code == '01'")["code"])
    support = quality.schools_to_support(con, year, sorted(districts))
    assert set(support["district_code"]) <= districts
    drawn = {row["area"] for row in chart_rows(at, 0)}  # the province's districts only
    assert len(drawn) == len(districts) and "Chanthabouly" in drawn
    # a level that does not exist falls back to the lowest, with a notice
    at = open_page("pages/quality.py", timeout=TIMEOUT, year=str(year),
                   quality_level="<b>gold</b>")
    assert url_notices(at) and at.selectbox(key="url_quality_level").value == \
        framework.levels[0].id


def test_a_schools_scorecard(con):
    year = _year(con)
    school = con.execute("SELECT school_id FROM quality_schools WHERE year = ? AND "
                         "assessor = 'external' ORDER BY school_id LIMIT 1", [year]).fetchone()[0]
    at = open_page("pages/schools.py", timeout=TIMEOUT, school=school, year=str(year))
    path = next(df.value for df in at.dataframe if "result" in df.value.columns)
    card = quality.scorecard(con, school)
    assert len(path) == len(card.schools)
    official = card.schools[card.schools["official"] & (card.schools["year"] == year)].iloc[0]
    framework = quality.framework(con)
    assert framework.level(official.level).name("en") in set(path["level_name"])


@pytest.fixture(scope="module")
def quality_extract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality_page")
    build_extract(write_quality_package(folder / "package"), folder / "x.duckdb")
    return folder / "x.duckdb"


def test_the_worked_package_shows_its_values(quality_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(quality_extract))
    at = open_page("pages/quality.py", timeout=TIMEOUT, year="2023")
    shown = metrics(at)
    assert shown["Self-assessed schools"] == "2" and shown["Externally assessed schools"] == "1"
    assert shown["Needs support"] == "1" and shown["Good"] == "1" and shown["Developing"] == "0"
    assert shown[t("quality.kpi.support_days")] == "12"  # 10 + 2
    support = next(df.value for df in at.dataframe if "level_name" in df.value.columns)
    assert list(support["name"]) == ["Alpha school", "Bravo school"]  # needs support first
    assert not any("item_name" in df.value.columns for df in at.dataframe)  # a closed tab
    at.session_state[DETAIL_TABS] = t("quality.progress.heading")
    shown = metrics(at.run())
    up, same, down = (shown[t(f"quality.progress.{k}")] for k in ("up", "same", "down"))
    assert (up, same, down) == ("1", "0", "1")
    at.session_state[DETAIL_TABS] = t("quality.issues.heading", rating="Major issue")
    issues = next(df.value for df in at.run().dataframe if "item_name" in df.value.columns)
    assert list(issues["item_name"]) == ["The plan followed"]
    at = open_page("pages/schools.py", timeout=TIMEOUT, school="S1", year="2023")
    comments = next(df.value for df in at.dataframe if "comment" in df.value.columns)
    # the assessor's comment is data: shown as text, never as HTML
    assert "No <b>meeting</b> since March" in set(comments["comment"])


def test_the_old_flat_table_and_no_assessment(tmp_path, monkeypatch):
    package = write_quality_package(tmp_path / "package", **{
        "quality_framework.csv": "", "quality_scale.csv": "", "quality_levels.csv": "",
        "quality_assessment.csv": "", "quality.csv": FLAT_QUALITY})
    build_extract(package, tmp_path / "flat.duckdb")
    monkeypatch.setenv("EMIS_DB", str(tmp_path / "flat.duckdb"))
    at = open_page("pages/quality.py", timeout=TIMEOUT, year="2023")
    heat = {(row["area"], row["standard"]): row["value"] for row in chart_rows(at, 0)}
    assert heat == {("North", "Fundamental quality standards"): 50.0,
                    ("South", "Fundamental quality standards"): 100.0}
    assert t("quality.flat_only") in [c.value for c in at.caption]
    at = open_page("pages/schools.py", timeout=TIMEOUT, school="S2", year="2023")
    standards = next(df.value for df in at.dataframe if "standard" in df.value.columns
                     and "2023" in df.value.columns)
    assert list(standards["2023"]) == ["40.0 ✗"]
    package = write_quality_package(tmp_path / "none", **{
        "quality_framework.csv": "", "quality_scale.csv": "", "quality_levels.csv": "",
        "quality_assessment.csv": ""})
    build_extract(package, tmp_path / "none.duckdb")
    monkeypatch.setenv("EMIS_DB", str(tmp_path / "none.duckdb"))
    at = open_page("pages/quality.py", timeout=TIMEOUT, year="2023")
    assert [i.value for i in at.info] == [t("quality.none")]


def test_every_level_area_and_year_draws(con):
    """The page's own choice (the level on the map) in every assessed year, for the whole
    country, a province and one of its districts: no exception, the level kept."""
    years = sorted(int(y) for (y,) in con.execute(
        "SELECT DISTINCT year FROM quality_schools").fetchall())
    levels = [lv.id for lv in quality.framework(con).levels]
    district = db.admin_units(con, 2).query("parent_code == '01'")["code"].iloc[0]
    at = open_page("pages/quality.py", timeout=TIMEOUT, year=str(years[0]))
    for year in years:
        at.selectbox(key="url_year").set_value(year).run()
        for area1, area2 in (("", ""), ("01", ""), ("01", district)):
            at.selectbox(key="url_area1").set_value(area1).run()
            if area2:
                at.selectbox(key="url_area2").set_value(area2).run()
            for i, level in enumerate(levels):
                if not area2:  # below the finest level there is no map
                    at.selectbox(key="url_quality_level").select_index(i).run()
                    assert at.selectbox(key="url_quality_level").value == level
                assert not at.exception, (year, area1, area2, level,
                                          [e.value for e in at.exception])
            assert at.get("subheader")  # the page's sections, not an error
