"""Names that look like links, formulas or markup, in a real browser: the pages that show
names and package texts in Markdown (a school's profile, an area's Overview, Data quality,
About) show them as the characters they are; nothing in them can be clicked, and no script
or image from them runs (fixture ``hostile_names``)."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import serve
from tests.e2e.test_schools_quality import settle

WAIT = 60_000


@pytest.fixture(scope="module")
def hostile_url(chromium, hostile_names):
    with serve(hostile_names[0], "streamlit-hostile.log") as base:
        yield base


def links_to_data(page) -> list[str]:
    """Every link of the page and its frames whose address came from the data."""
    found = []
    for frame in page.frames:
        found += [a.get_attribute("href") for a in frame.locator("a[href]").all()
                  if "evil.example" in (a.get_attribute("href") or "")]
    return found


def paths(codes: dict[str, list[str]]) -> list[tuple[str, bool]]:
    """Pages to open, and whether a name from the data shows there outside a table (Data
    quality lists the schools in tables, whose cells are drawn on a canvas)."""
    return [(f"/schools?school={code}", True) for code in codes["school"][7:10]] + [
        (f"/?area={codes['province'][0]}", True), (f"/?area={codes['district'][7]}", True),
        ("/about", True), ("/data-quality", False)]


def test_links_in_names_are_text(hostile_url, hostile_names, tab):
    from playwright.sync_api import expect

    page = tab.page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for path, shown in paths(hostile_names[1]):
        page.goto(hostile_url + path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=WAIT)
        settle(page)
        if shown:  # the name, as text
            expect(page.get_by_text("evil.example").filter(visible=True).first
                   ).to_be_visible(timeout=WAIT)
        assert links_to_data(page) == [], path
        assert page.locator("img[src='x']").count() == 0, path
    assert not dialogs and not tab.foreign_requests(), (dialogs, tab.foreign_requests())
