"""The Map page in headless Chromium: every district drawn, the legend, a click drills down,
the schools layer, a hostile school name shown as text, and no request leaves the machine.

Runs against the demo (real boundaries from ../shared/geo when present) with one school
renamed ``<img src=x onerror=alert(1)>`` (fixture ``hostile_school``).
"""
from __future__ import annotations

import re

import pytest

from lib import db
from lib.i18n import t
from tests.e2e.conftest import HOSTILE_NAME
from tests.e2e.test_browser import ARTIFACTS, real_errors, screenshot

MAP = "iframe[title='streamlit_folium.st_folium']"
TIMEOUT = 60_000


@pytest.fixture(scope="module")
def units(hostile_school):
    with db.connect_current(hostile_school[0]) as con:
        return db.admin_units(con)


def open_map(tab, url: str):
    """Open the Map page and wait until its areas are drawn; returns the map's frame."""
    from playwright.sync_api import expect

    page = tab.page
    page.goto(url)
    expect(page.get_by_role("heading", name=t("map.title"))).to_be_visible(timeout=TIMEOUT)
    return wait_for_areas(tab)


def wait_for_areas(tab):
    from playwright.sync_api import expect

    page = tab.page
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT)
    frame = page.frame_locator(MAP).first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=TIMEOUT)
    return frame


def clean(tab) -> None:
    assert not tab.foreign_requests(), tab.foreign_requests()
    assert not real_errors(tab), real_errors(tab)


def test_the_district_map_draws_every_district_and_its_legend(map_app_url, tab, units):
    from playwright.sync_api import expect

    frame = open_map(tab, map_app_url + "/map?admin=district")
    n_districts = int((units["level"] == 2).sum())
    expect(frame.locator("path.leaflet-interactive")).to_have_count(n_districts)
    legend = frame.locator(".emis-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text(t("map.legend.no_data"))
    assert legend.locator(".emis-legend-row").count() >= 4  # classes and "no data"
    screenshot(tab, "map-districts")
    clean(tab)


def overlapping(boxes: list[dict]) -> list[tuple[int, int]]:
    """The pairs of boxes (Playwright's x, y, width, height) that overlap."""
    def over(a: dict, b: dict) -> bool:
        return (a["x"] < b["x"] + b["width"] - 0.5 and b["x"] < a["x"] + a["width"] - 0.5
                and a["y"] < b["y"] + b["height"] - 0.5 and b["y"] < a["y"] + a["height"] - 0.5)
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if over(boxes[i], boxes[j])]


def click_an_area(tab, frame, scroll: bool = True) -> None:
    """A real mouse click on an area, at a point where that area is on top (and in view;
    ``scroll``: the map is first scrolled into view)."""
    page = tab.page
    handle = page.query_selector(MAP)
    inner = handle.content_frame()
    if scroll:
        handle.scroll_into_view_if_needed()
    origin = handle.bounding_box()  # boxes are in the page's coordinates
    paths = inner.query_selector_all("path.leaflet-interactive")
    for path in sorted(paths, key=lambda p: -(p.bounding_box() or {}).get("width", 0))[:10]:
        box = path.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        on_top = inner.evaluate("([x, y, el]) => document.elementFromPoint(x, y) === el",
                                [x - origin["x"], y - origin["y"], path])
        if on_top and 0 < y < page.viewport_size["height"]:
            page.mouse.click(x, y)
            return
    pytest.fail("no area could be clicked where it is on top")


def test_a_click_on_a_province_shows_its_districts_and_back(map_app_url, tab, units):
    from playwright.sync_api import expect

    page = tab.page
    frame = open_map(tab, map_app_url + "/map?admin=province")
    expect(frame.locator("path.leaflet-interactive")).to_have_count(
        int((units["level"] == 1).sum()))
    click_an_area(tab, frame)
    page.wait_for_function("() => /[?&]area=/.test(location.search)", timeout=TIMEOUT)
    province = re.search(r"[?&]area=([^&]+)", page.url).group(1)
    children = units.loc[units["parent_code"] == province]
    assert len(children) > 0, province
    frame = wait_for_areas(tab)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(len(children))
    name = units.loc[units["code"] == province, "name_en"].iloc[0]
    # the sidebar follows the drill-down
    expect(page.get_by_test_id("stSidebar").get_by_role("combobox", name="Province")
           ).to_have_value(name)
    screenshot(tab, "map-drilled")
    page.get_by_role("button", name=t("map.back.country")).click()
    page.wait_for_function("() => !/[?&]area=/.test(location.search)", timeout=TIMEOUT)
    frame = wait_for_areas(tab)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(
        int((units["level"] == 1).sum()))
    clean(tab)


def test_the_first_click_drills_down_with_the_map_partly_below_the_fold(map_app_url, tab):
    """As a policy maker opens the map at 1400×900: no scrolling first. Leaflet's focus on
    the press used to scroll the page before the release, losing the click."""
    page = tab.page
    open_map(tab, map_app_url + "/map?admin=province")
    box = page.query_selector(MAP).bounding_box()
    assert box["y"] + box["height"] > page.viewport_size["height"], "partly below the fold"
    click_an_area(tab, None, scroll=False)
    page.wait_for_function("() => /[?&]area=/.test(location.search)", timeout=TIMEOUT)
    wait_for_areas(tab)
    clean(tab)


@pytest.mark.parametrize("width, height", [(1440, 900), (390, 844)], ids=["desktop", "phone"])
def test_the_whole_country_is_inside_the_map_at_any_width(map_app_url, browser, width,
                                                          height, units):
    """Every area inside the map's box, on a desktop and on a phone held upright; on the
    phone the legend folds to its title (a tap opens it) instead of covering the map."""
    from playwright.sync_api import expect

    from tests.e2e.conftest import Tab

    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        tab = Tab(context.new_page())
        frame = open_map(tab, map_app_url + "/map?admin=province")
        expect(frame.locator("path.leaflet-interactive")).to_have_count(
            int((units["level"] == 1).sum()))
        inner = tab.page.query_selector(MAP).content_frame()
        box = inner.evaluate("""() => {
            const map = document.querySelector('.leaflet-container').getBoundingClientRect();
            const areas = [...document.querySelectorAll('path.leaflet-interactive')]
                .map(p => p.getBoundingClientRect());
            return {map: [map.left, map.top, map.right, map.bottom],
                    areas: [Math.min(...areas.map(a => a.left)),
                            Math.min(...areas.map(a => a.top)),
                            Math.max(...areas.map(a => a.right)),
                            Math.max(...areas.map(a => a.bottom))]};
        }""")
        (left, top, right, bottom), (a_left, a_top, a_right, a_bottom) = box["map"], \
            box["areas"]
        assert left - 1 <= a_left and a_right <= right + 1, box
        assert top - 1 <= a_top and a_bottom <= bottom + 1, box
        legend = frame.locator(".emis-legend").first
        if width < 600:
            expect(legend).to_have_class(re.compile(r"emis-folded"))
            folded = legend.bounding_box()["height"]
            legend.locator(".emis-legend-title").click()
            expect(legend).not_to_have_class(re.compile(r"emis-folded"))
            assert legend.bounding_box()["height"] > 2 * folded
        else:
            expect(legend).not_to_have_class(re.compile(r"emis-folded"))
        tab.page.screenshot(path=str(ARTIFACTS / f"map-{width}.png"))
    finally:
        context.close()


def test_schools_layer_and_a_hostile_name_stays_text(map_app_url, tab, hostile_school):
    from playwright.sync_api import expect

    page = tab.page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    school = hostile_school[1]
    open_map(tab, f"{map_app_url}/map?area={school['district_code']}")
    page.get_by_test_id("stCheckbox").filter(has_text=t("map.schools.toggle")).click()
    frame = wait_for_areas(tab)
    expect(frame.locator(".marker-cluster").first).to_be_visible(timeout=TIMEOUT)
    # A cluster shows its schools' mix (a donut), not a grey disc.
    donut = frame.locator(".marker-cluster div").first.get_attribute("style") or ""
    assert "conic-gradient(#" in donut, donut
    expect(frame.locator(".emis-legend").filter(
        has_text=t("map.schools.legend", attribute=t("map.schools.attr.ownership")))
    ).to_be_visible()
    screenshot(tab, "map-schools")
    # Open the hostile school's popup as a click on its marker does.
    inner = page.query_selector(MAP).content_frame()
    found = inner.evaluate("""([lat, lon]) => new Promise((done) => {
        const map = window.map;
        const cluster = Object.values(map._layers).find((l) => l.getVisibleParent);
        const marker = cluster.getLayers().find((m) =>
            Math.abs(m.getLatLng().lat - lat) < 1e-4 && Math.abs(m.getLatLng().lng - lon) < 1e-4);
        if (!marker) { done(false); return; }
        cluster.zoomToShowLayer(marker, () => {
            marker.fire('click', {latlng: marker.getLatLng()}, true); done(true); });
    })""", [float(school["latitude"]), float(school["longitude"])])
    assert found, "the hostile school's marker is on the map"
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(HOSTILE_NAME)  # shown as the characters it is
    expect(popup).to_contain_text(school["school_id"])
    assert popup.locator("img").count() == 0
    assert inner.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    screenshot(tab, "map-hostile-popup")
    assert not dialogs, dialogs
    clean(tab)


def test_the_downloaded_map_opens_with_no_network(map_app_url, tab, browser, units, tmp_path):
    from playwright.sync_api import expect

    page = tab.page
    open_map(tab, map_app_url + "/map?admin=district")
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name=t("map.download.html")).click()
    path = tmp_path / "map.html"
    download.value.save_as(path)
    offline = browser.new_context(offline=True)
    try:
        requests = []
        offline.route("**/*", lambda route: (requests.append(route.request.url),
                                             route.continue_() if route.request.url
                                             .startswith("file:") else route.abort()))
        standalone = offline.new_page()
        standalone.goto(path.as_uri())
        expect(standalone.locator("path.leaflet-interactive")).to_have_count(
            int((units["level"] == 2).sum()), timeout=TIMEOUT)
        legend = standalone.locator(".emis-legend:not(.emis-heading)")
        expect(legend).to_be_visible()
        # It says what it shows, where, when and from which data, even pasted in a report.
        heading = standalone.locator(".emis-heading")
        expect(heading).to_contain_text("Gross enrolment ratio")
        expect(heading).to_contain_text("Districts of Lao PDR, school year ")
        expect(heading).to_contain_text(t("banner.synthetic").replace("**", ""))
        expect(standalone.locator(".emis-label").first).to_be_attached()  # labels on ...
        boxes = [b for b in (label.bounding_box() for label in
                             standalone.locator(".emis-label div").all()) if b]
        # ... where they fit: not one over another, so not all 148 at the country's zoom.
        assert 10 < len(boxes) < int((units["level"] == 2).sum())
        assert not overlapping(boxes)
        standalone.screenshot(path=str(tmp_path.parent / "downloaded-map.png"))
        assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    finally:
        offline.close()
    clean(tab)
