"""Every page of the real app renders in headless Chromium, offline and without errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib.i18n import t

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # where conftest puts the log too

# /about first: a fresh server must serve a page path as its very first request too.
PAGES = {"about": "/about"}  # "/" is the Overview: tests/e2e/test_pages.py
# Opened at a sub-path such as /about, Streamlit's frontend first looks for its server under
# that path (/about/_stcore/health, .../host-config), gets 404 and then finds it at the root.
BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")


def real_errors(tab) -> list[tuple[str, str]]:
    return [(text, url) for text, url in tab.console_errors
            if not ("404" in text and BASE_PATH_PROBE.search(url))]


def open_and_wait(tab, url: str) -> None:
    """Open ``url`` and wait until the page has drawn its last section and stopped running."""
    from playwright.sync_api import expect

    page = tab.page
    page.goto(url)
    expect(page.get_by_role("heading", name=t("about.title"))).to_be_visible(timeout=60_000)
    # The last element of the About page: the demo's warnings, for download (CSV, Excel).
    expect(page.get_by_test_id("stDownloadButton").last).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=60_000)


def screenshot(tab, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport."""
    page = tab.page
    height = page.evaluate(
        "Math.max(...[...document.querySelectorAll('section, div')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1400, "height": min(max(height, 900) + 40, 8000)})
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_without_errors(app_url, tab, name):
    from playwright.sync_api import expect

    open_and_wait(tab, app_url + PAGES[name])
    page = tab.page
    assert page.get_by_text(t("banner.synthetic").replace("**", ""), exact=False).count() >= 1
    # by school year, warnings by check, all warnings
    expect(page.get_by_test_id("stDataFrame")).to_have_count(3)
    screenshot(tab, name)
    assert not tab.foreign_requests(), tab.foreign_requests()
    assert not real_errors(tab), real_errors(tab)


def test_invalid_link_falls_back_with_a_notice(app_url, tab):
    open_and_wait(tab, app_url + "/about?year=1899")
    page = tab.page
    notice = page.get_by_test_id("stAlertContentWarning").filter(has_text="1899")
    assert notice.count() == 1
    assert "year=1899" not in page.url and re.search(r"year=\d{4}", page.url)
    assert not tab.foreign_requests(), tab.foreign_requests()
    assert not real_errors(tab), real_errors(tab)


@pytest.mark.parametrize("path", ["/data-quality", "/schools"])
def test_a_fresh_server_serves_any_page_path_first(chromium, demo_extract, browser, path):
    """Before its first st.navigation call Streamlit matches page files by name: the very
    first request of a new server must still reach the page it names."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import serve

    title = {"/data-quality": t("data_quality.title"), "/schools": t("schools.title")}[path]
    with serve(demo_extract, log_name="streamlit-fresh.log") as base:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.goto(base + path)
            expect(page.get_by_role("heading", name=title).first).to_be_visible(timeout=60_000)
        finally:
            context.close()
