"""The Equity and Trends pages opened from shared links in a real browser: the charts draw
their marks, offline, without console errors; screenshots go to tests/e2e/artifacts/."""
from __future__ import annotations

import pytest

from lib import db
from lib.i18n import t
from tests.e2e.test_pages import TIMEOUT_MS, offline_and_clean, settle
from tests.e2e.test_browser import screenshot


@pytest.fixture(scope="module")
def codes(demo_extract) -> tuple[str, str, str]:
    """A province, another province and a district of the second."""
    with db.connect_current(demo_extract) as con:
        units = db.admin_units(con)
    provinces = units[units["level"] == 1]["code"].tolist()
    district = units[units["parent_code"] == provinces[1]]["code"].iloc[0]
    return provinces[0], provinces[1], district


def marks(tab, chart: int, selector: str):
    return tab.page.get_by_test_id("stVegaLiteChart").nth(chart).locator(selector)


def test_equity_from_a_shared_link(app_url, tab, demo_extract):
    from playwright.sync_api import expect

    with db.connect_current(demo_extract) as con:
        n_districts = len(db.admin_units(con, level=2))

    page = tab.page
    page.goto(f"{app_url}/equity?indicator=ger_primary&by=sex&admin=district&vs=ptr_primary")
    expect(page.get_by_role("heading", name=t("equity.title"))).to_be_visible(
        timeout=TIMEOUT_MS)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2, timeout=TIMEOUT_MS)
    # the ranking: a bar per district; the scatter: a point per district
    expect(marks(tab, 0, "g.mark-rect path").first).to_be_visible(timeout=TIMEOUT_MS)
    assert marks(tab, 0, "g.mark-rect path").count() > 100
    expect(marks(tab, 1, "g.mark-symbol path").first).to_be_visible(timeout=TIMEOUT_MS)
    assert marks(tab, 1, "g.mark-symbol path").count() > 100
    # the parity map: every district drawn
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").first
    expect(frame.locator("path.leaflet-interactive")).to_have_count(n_districts,
                                                                 timeout=TIMEOUT_MS)
    settle(tab)
    assert "by=sex" in page.url and "indicator=ger_primary" in page.url
    screenshot(tab, "equity-ger-sex")
    offline_and_clean(tab)


def test_equity_ownership_for_a_province(app_url, tab, codes):
    from playwright.sync_api import expect

    province = codes[0]
    page = tab.page
    page.goto(f"{app_url}/equity?indicator=ptr_primary&by=ownership&area={province}")
    expect(page.get_by_role("heading", name=t("equity.title"))).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(3, timeout=TIMEOUT_MS)
    expect(marks(tab, 0, "g.mark-symbol path").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(tab)
    screenshot(tab, "equity-ptr-ownership-province")
    offline_and_clean(tab)


def test_trends_from_a_shared_link(app_url, tab, codes):
    from playwright.sync_api import expect

    province, other, district = codes
    page = tab.page
    page.goto(f"{app_url}/trends?indicator=ger_primary&by=sex&area={province}"
              f"&compare={other},{district}")
    expect(page.get_by_role("heading", name=t("trends.title"))).to_be_visible(
        timeout=TIMEOUT_MS)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(5, timeout=TIMEOUT_MS)
    # lines by sex, parity over time, one panel per province, flows, cohort
    expect(marks(tab, 0, "g.mark-line path").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(marks(tab, 1, "g.mark-line path").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(marks(tab, 3, "g.mark-rect path").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(marks(tab, 4, "g.mark-area path").first).to_be_visible(timeout=TIMEOUT_MS)
    settle(tab)
    assert f"compare={other}%2C{district}" in page.url or \
        f"compare={other},{district}" in page.url
    screenshot(tab, "trends-ger-sex-compare")
    offline_and_clean(tab)


def test_trends_panels_draw_every_province(app_url, tab, demo_extract):
    from playwright.sync_api import expect

    with db.connect_current(demo_extract) as con:
        n_provinces = len(db.admin_units(con, level=1))
    page = tab.page
    page.goto(f"{app_url}/trends?indicator=ptr_primary")
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(4, timeout=TIMEOUT_MS)
    panels = marks(tab, 1, "g.mark-line.role-mark path")
    expect(panels.first).to_be_visible(timeout=TIMEOUT_MS)
    assert panels.count() >= 2 * n_provinces, "a province line and a national line each"
    settle(tab)
    screenshot(tab, "trends-ptr")
    offline_and_clean(tab)


def test_a_chart_saves_as_png_and_its_data_as_csv(app_url, tab):
    """Streamlit's chart toolbar makes the PNG in the browser (nothing fetched); the button
    under the chart downloads the rows it draws."""
    import csv
    import io
    from pathlib import Path

    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{app_url}/trends?indicator=ger_primary")
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart.locator("g.mark-line path").first).to_be_visible(timeout=TIMEOUT_MS)
    chart.hover()
    with page.expect_download(timeout=TIMEOUT_MS) as png:
        page.get_by_role("button", name="Download as PNG").first.click()
    image = Path(png.value.path()).read_bytes()
    assert png.value.suggested_filename.endswith(".png")
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and len(image) > 5_000
    with page.expect_download(timeout=TIMEOUT_MS) as table:
        page.get_by_role("button", name=t("chart.download_csv")).first.click()
    assert table.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(table.value.path()).read_text("utf-8-sig"))))
    assert {"year", "value", "area_name"} <= set(rows[0])
    assert len(rows) == len({row["year"] for row in rows}) >= 2, "the country, each year"
    offline_and_clean(tab)
