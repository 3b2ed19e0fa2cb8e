"""The demo's inclusive data in a real browser: Equity by ethnicity (in Lao) and by
functional domain, opened from links that the page keeps; the marks drawn, offline, without
console errors; screenshots go to tests/e2e/artifacts/."""
from __future__ import annotations

from lib.i18n import t
from tests.e2e.test_browser import screenshot
from tests.e2e.test_equity_trends import marks
from tests.e2e.test_pages import TIMEOUT_MS, offline_and_clean, settle


def test_equity_by_ethnicity_in_lao_from_a_link(app_url, tab):
    from playwright.sync_api import expect

    page = tab.page
    link = (f"{app_url}/equity?lang=lo&indicator=female_share_lower_secondary&by=ethnicity"
            "&admin=province")
    page.goto(link)
    expect(page.get_by_role("heading", name=t("equity.title", "lo"))).to_be_visible(
        timeout=TIMEOUT_MS)
    # the groups side by side: a dot per province and group; the button of the dimension
    expect(marks(tab, 0, "g.mark-symbol path").first).to_be_visible(timeout=TIMEOUT_MS)
    assert marks(tab, 0, "g.mark-symbol path").count() >= 18 * 3
    expect(page.get_by_role("radio", name="ຊົນເຜົ່າ", checked=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("ລາວ-ໄຕ").first).to_be_attached(timeout=TIMEOUT_MS)
    settle(tab)
    assert "by=ethnicity" in page.url and "lang=lo" in page.url
    screenshot(tab, "equity-ethnicity-lo")
    offline_and_clean(tab)
    page.reload()  # the link reopens the same view
    expect(marks(tab, 0, "g.mark-symbol path").first).to_be_visible(timeout=TIMEOUT_MS)
    assert "by=ethnicity" in page.url


def test_equity_by_functional_domain(app_url, tab):
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{app_url}/equity?indicator=functional_difficulty_primary&by=domain"
              "&admin=province")
    expect(page.get_by_role("heading", name=t("equity.title"))).to_be_visible(
        timeout=TIMEOUT_MS)
    expect(marks(tab, 0, "g.mark-symbol path").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("radio", name=t("split_picker.option.domain"), checked=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    settle(tab)
    assert "by=domain" in page.url
    screenshot(tab, "equity-functional-domain")
    offline_and_clean(tab)
