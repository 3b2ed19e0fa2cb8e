"""The profile report from the Overview, in a real browser: a district chosen by a link,
the report made and downloaded as a PDF in Lao, whose text names the district."""
from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium

from lib import db
from lib.i18n import t
from tests.e2e.test_browser import screenshot
from tests.e2e.test_pages import TIMEOUT_MS


def test_the_overview_downloads_a_district_report(app_url, demo_extract, tab):
    con = db.connect(demo_extract)
    district = db.admin_units(con, 2).sort_values("code").iloc[0]
    con.close()
    page = tab.page
    page.goto(f"{app_url}/?area={district['code']}&lang=lo")
    page.get_by_role("button", name=t("report.make", "lo")).click(timeout=TIMEOUT_MS)
    download_button = page.get_by_role("button", name=t("report.download", "lo"))
    download_button.wait_for(timeout=TIMEOUT_MS)
    screenshot(tab, "overview-report")
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        download_button.click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    doc = pdfium.PdfDocument(pdf)
    text = "".join(page.get_textpage().get_text_range() for page in doc)
    assert re.sub(r"\s", "", district["name_local"]) in re.sub(r"\s", "", text)
    assert len(doc) >= 2
