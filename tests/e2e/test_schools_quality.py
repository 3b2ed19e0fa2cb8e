"""Schools and Data quality in a real browser, on the demo with a hostile school name:
search a school and open its profile from the results and from a map popup's link; the
Data quality page lists the dirt the demo generator planted (its manifest.json)."""
from __future__ import annotations

import json
import re

import pytest

from lib.i18n import format_number, format_school_year, t
from tests.e2e.conftest import HOSTILE_NAME
from tests.e2e.test_browser import real_errors, screenshot

WAIT = 60_000


def settle(page) -> None:
    from playwright.sync_api import expect

    page.wait_for_timeout(300)  # let a rerun start before waiting for it to end
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=WAIT)


def no_script_ran(tab) -> None:
    """The hostile name drew no image and opened no dialog, anywhere on the page."""
    page = tab.page
    assert page.locator("img[src='x']").count() == 0
    for frame in page.frames:
        assert frame.locator("img[src='x']").count() == 0
    assert not tab.dialogs, tab.dialogs


@pytest.fixture
def hostile_tab(tab):
    tab.dialogs = []
    tab.page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    return tab


def expect_profile(page, school_id: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=HOSTILE_NAME)).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(t("schools.profile.identity"), exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMarkdownContainer").filter(
        has_text=f"{t('schools.profile.field.code')}: {school_id}").first).to_be_visible()
    settle(page)
    # drawn: both charts and the location map
    for chart in page.get_by_test_id("stVegaLiteChart").all():
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=WAIT)
    expect(page.frame_locator("iframe[title*='st_folium']").first.locator(
        ".leaflet-container")).to_be_visible(timeout=WAIT)


def test_search_then_open_a_profile_from_the_results(map_app_url, hostile_tab,
                                                     hostile_school):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    _, row = hostile_school
    page = hostile_tab.page
    page.goto(map_app_url + "/schools")
    expect(page.get_by_role("heading", name=t("schools.title"))).to_be_visible(timeout=WAIT)
    settle(page)
    box = page.get_by_role("textbox", name=t("schools.search.label"))
    box.fill(row["school_id"])
    box.press("Enter")
    settle(page)
    expect(page.get_by_text(re.compile(r"\d+ schools? found"))).to_be_visible(timeout=WAIT)
    screenshot(hostile_tab, "schools-search")
    picker = page.get_by_test_id("stSelectbox").filter(has_text=t("schools.results.pick"))
    option = page.get_by_role("option", name=re.compile(re.escape(row["school_id"]))).first
    for attempt in range(3):  # on a loaded machine the search's rerun may start late
        picker.click()
        try:
            option.click(timeout=WAIT // 3)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            settle(page)
    else:
        raise AssertionError(f"{row['school_id']} never came among the results to pick")
    expect_profile(page, row["school_id"])
    assert f"school={row['school_id']}" in page.url
    screenshot(hostile_tab, "schools-profile")
    no_script_ran(hostile_tab)
    page.get_by_role("button", name=t("schools.profile.back")).click()
    expect(page.get_by_role("heading", name=t("schools.title"))).to_be_visible(timeout=WAIT)
    expect(box).to_have_value(row["school_id"])
    assert not hostile_tab.foreign_requests(), hostile_tab.foreign_requests()
    assert not real_errors(hostile_tab), real_errors(hostile_tab)


HAS_SCHOOLS = """(() => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let n = 0;
  map.eachLayer(l => { if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) n++; });
  return n > 0;
})()"""
OPEN_POPUP = """(schoolId) => {
  const map = Object.values(window).find(v => v instanceof L.Map);
  let cluster = null;
  map.eachLayer(l => { if (l instanceof L.MarkerClusterGroup) cluster = l; });
  if (!cluster) return 'no schools layer';
  for (const marker of cluster.getLayers()) {
    map.setView(marker.getLatLng(), 15, {animate: false});
    cluster.fire('click', {layer: marker, latlng: marker.getLatLng()});
    const popups = [...document.querySelectorAll('.emis-popup')];
    if (popups.some(p => p.textContent.includes(schoolId))) return 'open';
  }
  return 'not found';
}"""


def drawn_schools(frame) -> bool:
    """Whether ``frame`` is the map with its schools layer (a frame being replaced by a
    rerun is not)."""
    from playwright.sync_api import Error

    if "streamlit_folium" not in (frame.url or ""):
        return False
    try:
        return bool(frame.evaluate("typeof L !== 'undefined' && "
                                   "Object.values(window).some(v => v instanceof L.Map)")
                    and frame.evaluate(HAS_SCHOOLS))
    except Error:  # detached or navigating
        return False


def test_a_map_popup_links_to_the_profile(map_app_url, hostile_tab, hostile_school):
    from playwright.sync_api import expect

    _, row = hostile_school
    page = hostile_tab.page
    page.goto(f"{map_app_url}/map?area={row['district_code']}")
    settle(page)
    page.get_by_test_id("stCheckbox").filter(has_text=t("map.schools.toggle")).click()
    settle(page)
    frame = None
    for _ in range(150):
        frame = next((f for f in page.frames if drawn_schools(f)), None)
        if frame is not None:
            break
        page.wait_for_timeout(200)  # polling for the map's schools layer to be drawn
    assert frame is not None, "no map drawn"
    assert frame.evaluate(OPEN_POPUP, row["school_id"]) == "open"
    popup = frame.locator(".emis-popup").filter(has_text=row["school_id"]).last
    link = popup.locator("a")
    expect(link).to_be_visible(timeout=WAIT)
    assert HOSTILE_NAME in popup.locator("b").inner_text()  # the name as text
    with page.context.expect_page() as opened:
        link.click()
    profile = opened.value
    profile.on("dialog", lambda d: (hostile_tab.dialogs.append(d.message), d.dismiss()))
    expect_profile(profile, row["school_id"])
    assert profile.locator("img[src='x']").count() == 0
    no_script_ran(hostile_tab)
    assert not hostile_tab.foreign_requests(), hostile_tab.foreign_requests()


def metric(page, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has_text=label).first
    return card.get_by_test_id("stMetricValue").inner_text().strip()


def test_data_quality_lists_the_planted_dirt(map_app_url, hostile_tab, demo_package):
    from playwright.sync_api import expect

    manifest = json.loads((demo_package / "manifest.json").read_text())
    dirt = manifest["dirt"]
    page = hostile_tab.page
    page.goto(map_app_url + "/data-quality")
    expect(page.get_by_role("heading", name=t("data_quality.title"))).to_be_visible(
        timeout=WAIT)
    settle(page)
    expect(page.get_by_role("heading", name=t("data_quality.all.heading"))).to_be_visible(
        timeout=WAIT)
    assert metric(page, t("data_quality.location.no_coordinates")) == format_number(
        len(dirt["no_coordinates"]))
    assert metric(page, t("data_quality.location.outside_district")) == format_number(
        len(dirt["outside_district"]))
    latest = max(int(y) for y in dirt["non_reporting"])
    missing = dirt["non_reporting"][str(latest)]
    assert metric(page, t("data_quality.reporting.not_reported")) == format_number(
        len(missing))
    expect(page.get_by_role("heading", name=t(
        "data_quality.reporting.missing", n=format_number(len(missing)),
        year=format_school_year(latest)))).to_be_visible()
    # the tabs name their counts too
    expect(page.get_by_role("tab", name=t(
        "data_quality.location.tab", name=t("data_quality.location.outside_district"),
        n=format_number(len(dirt["outside_district"]))))).to_be_visible()
    screenshot(hostile_tab, "data-quality")
    no_script_ran(hostile_tab)
    assert not hostile_tab.foreign_requests(), hostile_tab.foreign_requests()
    assert not real_errors(hostile_tab), real_errors(hostile_tab)
