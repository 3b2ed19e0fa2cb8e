"""Loading the census from the browser, as a data officer does it: upload a workbook with
planted errors, see them, download every problem and the failed rows; upload the corrected
workbook, see what would change, publish; the Overview shows the new figures without a
restart; roll back, and the old figures are back. On the tiny package (the app serves it
on this machine without sign-in: its local user may load data). Screenshots go to
tests/e2e/artifacts/."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from lib.build import build_extract
from lib.i18n import t
from tests.e2e.conftest import serve
from tests.e2e.test_browser import screenshot
from tests.e2e.test_pages import TIMEOUT_MS
from tests.fixtures.tiny_package import write_tiny_package

# Primary pupils of 2023 in the tiny package (the Overview's default): 109; the census adds
# 100 girls in grade 1 of school S1.
PUPILS_BEFORE, PUPILS_AFTER = "109", "209"


@pytest.fixture(scope="module")
def tiny_app(chromium, tmp_path_factory):
    folder = tmp_path_factory.mktemp("load-data")
    base = write_tiny_package(folder / "packages" / "base")
    db = folder / "data" / "emis.duckdb"
    build_extract(base, db)
    with serve(db, "streamlit-load-data.log",
               env={"EMIS_PACKAGES": str(folder / "packages"),
                    "EMIS_AUDIT": str(folder / "audit.log")}) as url:
        yield url, base, folder


def _census(base: Path, folder: Path, name: str, errors: bool) -> Path:
    """The 2023 census as one workbook (sheet "Enrolment"); with ``errors``, a sex 'X' on
    row 5 and 'many' pupils on row 9."""
    rows = pd.read_csv(base / "enrolment.csv", dtype=str, keep_default_na=False)
    rows.loc[(rows["year"] == "2023") & (rows["school_id"] == "S1") & (rows["grade"] == "1")
             & (rows["sex"] == "F"), "enrolled"] = "111"
    if errors:
        rows.loc[3, "sex"] = "X"
        rows.loc[7, "enrolled"] = "many"
    path = folder / name
    rows.to_excel(path, sheet_name="Enrolment", index=False)
    return path


def _upload_and_check(page, url: str, path: Path) -> None:
    page.goto(f"{url}/load-data")
    page.get_by_text(t("load.upload.heading")).wait_for(timeout=TIMEOUT_MS)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text(path.name).wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name=t("load.upload.check")).click()
    page.get_by_text(t("load.problems.heading")).wait_for(timeout=TIMEOUT_MS)


def _download(page, label: str) -> bytes:
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        page.get_by_role("button", name=label).click()
    return Path(download.value.path()).read_bytes()


def _pupils_on_overview(page, url: str) -> list[str]:
    page.goto(url)
    values = page.get_by_test_id("stMetricValue")
    values.first.wait_for(timeout=TIMEOUT_MS)
    return [v.inner_text() for v in values.all()]


def test_upload_fix_publish_and_roll_back(tiny_app, tab, tmp_path):
    url, base, _ = tiny_app
    page = tab.page
    broken = _census(base, tmp_path, "census-2023.xlsx", errors=True)
    _upload_and_check(page, url, broken)
    page.get_by_text("2 error(s)").first.wait_for(timeout=TIMEOUT_MS)
    screenshot(tab, "load-data-errors")
    assert page.get_by_role("button", name=t("load.publish.button")).count() == 0
    problems = list(csv.DictReader(io.StringIO(
        _download(page, t("load.problems.download_all")).decode("utf-8-sig"))))
    errors = {(p["file"], p["sheet"], p["row"], p["column"]) for p in problems
              if p["severity"] == "error"}
    assert errors == {("census-2023.xlsx", "Enrolment", "5", "sex"),
                      ("census-2023.xlsx", "Enrolment", "9", "enrolled")}
    failed = pd.read_excel(io.BytesIO(_download(page, t("load.problems.download_failed"))),
                           sheet_name="enrolment", dtype=str)
    assert failed["row"].tolist() == ["5", "9"]
    assert failed["sex"].tolist()[0] == "X" and failed["enrolled"].tolist()[1] == "many"

    (tmp_path / "fixed").mkdir()
    fixed = _census(base, tmp_path / "fixed", "census-2023.xlsx", errors=False)
    _upload_and_check(page, url, fixed)
    page.get_by_text(t("load.changes.heading")).wait_for(timeout=TIMEOUT_MS)
    summary = page.get_by_test_id("stMarkdown").filter(
        has_text=t("load.changes.summary.years", what="").strip())
    summary.first.wait_for(timeout=TIMEOUT_MS)
    assert "1 " + t("load.changes.year.replaced") in summary.first.inner_text()
    screenshot(tab, "load-data-changes")
    page.get_by_role("button", name=t("load.publish.button")).click()
    page.get_by_text("every page now shows the new data").wait_for(timeout=TIMEOUT_MS)
    screenshot(tab, "load-data-published")
    assert PUPILS_AFTER in _pupils_on_overview(page, url)  # no restart

    page.goto(f"{url}/load-data")
    page.get_by_role("button", name=t("load.history.rollback")).click()
    page.get_by_text("is served again").wait_for(timeout=TIMEOUT_MS)
    assert PUPILS_BEFORE in _pupils_on_overview(page, url)
