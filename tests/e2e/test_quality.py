"""The quality assessment in a real browser: the Quality page opened from a shared link (a
province and a level, in Lao and in English) keeps its link, draws its bars, heat map and
map offline without console errors; a school's scorecard shows its levels and the
assessors' comments. Screenshots go to tests/e2e/artifacts/."""
from __future__ import annotations

import pytest

from lib import db, quality
from lib.i18n import format_school_year, t
from tests.e2e.test_browser import ARTIFACTS, screenshot
from tests.e2e.test_equity_trends import marks
from tests.e2e.test_pages import TIMEOUT_MS, offline_and_clean, settle


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_the_quality_page_from_a_shared_link(app_url, tab, demo_extract, lang):
    from playwright.sync_api import expect

    with db.connect_current(demo_extract) as con:
        framework = quality.framework(con)
        year = max(db.extract_info(con).years)
    level = framework.levels[1]
    page = tab.page
    page.goto(f"{app_url}/quality?lang={lang}&year={year}&area=01&quality_level={level.id}")
    expect(page.get_by_role("heading", name=t("quality.title", lang))).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_role("tab", name=t("quality.support.heading", lang))).to_be_visible(
        timeout=TIMEOUT_MS)
    settle(tab)  # the page's last run over: its charts are the final ones
    # the bars of the province's districts by level, and the heat map's cells
    for chart, least in ((0, 9 * 2), (1, 9 * len(framework.standards))):
        expect(marks(tab, chart, "g.mark-rect path").first).to_be_attached(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "([chart, least]) => document.querySelectorAll('[data-testid=stVegaLiteChart]')"
            "[chart]?.querySelectorAll('g.mark-rect path').length >= least", arg=[chart, least],
            timeout=TIMEOUT_MS)
    expect(page.get_by_text(level.name(lang)).first).to_be_visible(timeout=TIMEOUT_MS)
    assert f"quality_level={level.id}" in page.url and "area=01" in page.url
    screenshot(tab, f"quality-{lang}")
    offline_and_clean(tab)
    page.reload()  # the link reopens the same view
    expect(marks(tab, 0, "g.mark-rect path").first).to_be_attached(timeout=TIMEOUT_MS)
    assert f"quality_level={level.id}" in page.url


def test_a_scorecard_on_a_phone(app_url, tab, demo_extract):
    from playwright.sync_api import expect

    with db.connect_current(demo_extract) as con:
        year = max(db.extract_info(con).years)
        school = con.execute(
            "SELECT a.school_id FROM quality_assessment a JOIN quality_schools q USING "
            "(year, school_id, assessor) WHERE a.year = ? AND a.comment IS NOT NULL "
            "AND q.official ORDER BY a.school_id LIMIT 1", [year]).fetchone()[0]
    page = tab.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/schools?lang=lo&school={school}&year={year}")
    heading = page.get_by_role("heading", name=t("schools.profile.quality.heading", "lo"))
    expect(heading).to_be_attached(timeout=TIMEOUT_MS)
    heading.scroll_into_view_if_needed()
    # the tables (drawn on canvas) of its levels and standards, then its items with issues
    expect(page.get_by_text(t("schools.profile.quality.note", "lo"))).to_be_visible(
        timeout=TIMEOUT_MS)
    issues = t("schools.profile.quality.issues", "lo", year=format_school_year(year, "lo"))
    expect(page.get_by_text(issues)).to_be_attached(timeout=TIMEOUT_MS)
    settle(tab)
    page.get_by_text(issues).scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)  # the tables' canvas draws after the scroll
    page.screenshot(path=str(ARTIFACTS / "scorecard-phone-lo.png"))  # at the phone's width
    offline_and_clean(tab)
