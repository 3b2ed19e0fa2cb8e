"""The Content-Security-Policy of the README's proxy example (issue 11, item 9) lets every
page work in Chromium: each page (in Lao too, with its web font), the map and its schools
layer (the map component's own frame), a school's profile and its map, a chart saved as PNG
and a table as CSV, with no violation reported.

The policy is read from the README and put on every document the app serves, as the proxy
would.
"""
from __future__ import annotations

import time

import pytest

from lib.i18n import t
from tests.e2e import test_equity_trends as trends_tests
from tests.e2e.conftest import CHROMIUM_ARGS
from tests.e2e.test_map import MAP, wait_for_areas
from tests.e2e.test_pages import TIMEOUT_MS, settle
from tests.unit.test_deployment_notes import readme_csp

PAGES = ["/", "/?lang=lo", "/indicators", "/equity", "/trends", "/schools", "/data-quality",
         "/about"]
# A document that the test answers itself (route.fulfill) counts, for Chromium's Local
# Network Access checks, as coming from the internet, which may then not open a WebSocket to
# 127.0.0.1; served by a proxy on the same host, it would not. The checks are off here.
LOCAL_NETWORK = "--disable-features=LocalNetworkAccessChecks"


def violations(tab) -> list[str]:
    return [text for text, _ in tab.console_errors
            if "Content Security Policy" in text or "Refused to" in text]


@pytest.fixture(scope="module")
def browser(playwright, chromium):
    """This module's Chromium (for the ``tab`` fixture), without Local Network Access checks."""
    browser = playwright.chromium.launch(executable_path=chromium,
                                         args=CHROMIUM_ARGS + [LOCAL_NETWORK])
    yield browser
    browser.close()


def fetch(route, attempts: int = 4):
    """The document as the server answers it, asked again when a loaded machine drops the
    connection (ECONNRESET), as a proxy would, rather than leaving the page without it."""
    from playwright.sync_api import Error

    for attempt in range(attempts):
        try:
            return route.fetch()
        except Error as error:
            if "ECONNRESET" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


@pytest.fixture
def policed(tab):
    """The tab, every document it loads served with the README's policy."""
    csp = readme_csp()

    def with_policy(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        answer = fetch(route)
        route.fulfill(response=answer,
                      headers={**answer.headers, "content-security-policy": csp})

    context = tab.page.context
    context.route("**/*", with_policy)
    yield tab
    # A document still being fetched when the test ends must not fail the next test's setup
    # ("Request context disposed"): the handler's late errors are ignored, then the tab closes.
    context.unroute_all(behavior="ignoreErrors")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_works_under_the_policy(app_url, policed, path):
    from playwright.sync_api import expect

    answer = policed.page.goto(app_url + path)
    assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
    expect(policed.page.locator("h1").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(policed)
    assert not violations(policed), violations(policed)


def test_the_map_and_its_schools_work_under_the_policy(app_url, policed):
    from playwright.sync_api import expect

    page = policed.page
    page.goto(f"{app_url}/map")
    wait_for_areas(policed)
    page.get_by_test_id("stCheckbox").filter(has_text=t("map.schools.toggle")).click()
    frame = wait_for_areas(policed)
    expect(frame.locator(".marker-cluster").first).to_be_visible(timeout=TIMEOUT_MS)
    inner = page.query_selector(MAP).content_frame()
    assert inner.evaluate("() => !!window.map")
    assert not violations(policed), violations(policed)
    # The policy reaches the map's own frame, and what it refuses there is seen: a string
    # evaluated as script ('unsafe-eval' is not allowed) is refused and reported.
    with page.expect_console_message(lambda msg: "unsafe-eval" in msg.text,
                                     timeout=TIMEOUT_MS):
        inner.evaluate("() => setTimeout('window.evaluated = true', 0)")
    assert inner.evaluate("() => window.evaluated") is None
    assert violations(policed)


def test_a_school_profile_and_its_map_work_under_the_policy(app_url, policed, demo_con):
    from playwright.sync_api import expect

    school = demo_con.execute("SELECT school_id FROM schools WHERE latitude IS NOT NULL "
                              "ORDER BY school_id LIMIT 1").fetchone()[0]
    policed.page.goto(f"{app_url}/schools?school={school}")
    frame = wait_for_areas(policed)
    expect(frame.locator(".leaflet-marker-icon, path.leaflet-interactive").first
           ).to_be_attached(timeout=TIMEOUT_MS)
    assert not violations(policed), violations(policed)


def test_a_chart_saves_as_png_under_the_policy(app_url, policed):
    trends_tests.test_a_chart_saves_as_png_and_its_data_as_csv(app_url, policed)
    assert not violations(policed), violations(policed)
