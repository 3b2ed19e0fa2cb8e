"""The Overview and the Indicators page in a real browser: they draw, offline, without
console errors; screenshots go to tests/e2e/artifacts/."""
from __future__ import annotations

import pytest

from lib import db
from lib.i18n import t
from lib.overview import KPIS
from tests.e2e.test_browser import real_errors, screenshot

TIMEOUT_MS = 60_000


def settle(tab) -> None:
    """Wait until the script has finished its run."""
    from playwright.sync_api import expect

    expect(tab.page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT_MS)


def offline_and_clean(tab) -> None:
    assert not tab.foreign_requests(), tab.foreign_requests()
    assert not real_errors(tab), real_errors(tab)


@pytest.fixture(scope="module")
def country_name(demo_extract) -> str:
    with db.connect_current(demo_extract) as con:
        return db.country(con).name


@pytest.fixture(scope="module")
def a_province(demo_extract) -> tuple[str, str]:
    with db.connect_current(demo_extract) as con:
        province = db.admin_units(con, level=1).iloc[0]
    return province["code"], province["name_en"]


def test_overview_at_the_root(app_url, tab, country_name):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(app_url + "/")
    expect(page.get_by_role("heading", name=t("overview.title_national",
                                              country=country_name))).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stMetric")).to_have_count(len(KPIS), timeout=TIMEOUT_MS)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2, timeout=TIMEOUT_MS)
    for i in range(2):  # drawn, not just placed
        expect(charts.nth(i).locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(tab)
    screenshot(tab, "overview")
    offline_and_clean(tab)


def test_overview_of_a_province(app_url, tab, a_province):
    from playwright.sync_api import expect

    code, name = a_province
    page = tab.page
    page.goto(f"{app_url}/?area={code}")
    expect(page.get_by_role("heading", name=t("overview.title_area", admin="Province",
                                              name=name))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=TIMEOUT_MS)
    settle(tab)
    screenshot(tab, "overview-province")
    offline_and_clean(tab)


@pytest.mark.parametrize("query, name", [("", "indicators"),
                                         ("?indicator=ger_primary", "indicators-ger_primary")])
def test_indicators_catalogue(app_url, tab, query, name):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{app_url}/indicators{query}")
    expect(page.get_by_role("heading", name=t("indicators.title"), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_role("tab").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stExpander").first).to_be_visible(timeout=TIMEOUT_MS)
    if query:
        expect(page.get_by_role("heading", name="ger_primary")).to_be_visible(
            timeout=TIMEOUT_MS)
    settle(tab)
    screenshot(tab, name)
    offline_and_clean(tab)
