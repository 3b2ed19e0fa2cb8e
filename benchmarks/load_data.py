"""The Load data page against its budgets, in a real browser: a dry run of the demo package
(≤ 60 s, its stages shown while it runs), its publish (≤ 60 s), and an upload of more than
100 MB of census files.

    .venv/bin/python -m benchmarks.load_data [--package DIR] [--db PATH]

Without ``--package``/``--db``, generates and builds the demo (scale 1, 2015–2024) in a
temporary folder. Served on this machine without sign-in, so the local user may load data.
Three runs, each timed from the button's click to its answer on the page:

1. the demo package as a folder on the server: check (dry run and differences), publish;
2. the same census uploaded from the browser as CSV files — enrolment, teachers and
   functioning, written from the package's tables (over 100 MB together) — the other tables,
   country.toml and the boundaries taken from the served package: upload, check, publish.

The stages the status box shows during the dry run are counted: a long step never sits
silent.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks import print_table
from benchmarks.build import REPO, SHARED_GEO
from benchmarks.map import CHROMIUM_ARGS, streamlit_server

TIMEOUT_MS = 300_000
UPLOADED_TABLES = ("enrolment", "teachers", "functioning")


def _demo(work: Path) -> tuple[Path, Path]:
    package, db = work / "packages" / "demo", work / "data" / "emis.duckdb"
    demo = [sys.executable, "-m", "lib", "demo", "--out", str(package)]
    if SHARED_GEO.is_dir():
        demo += ["--boundaries", str(SHARED_GEO)]
    subprocess.run(demo, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "lib", "build", "--source", str(package), "--db",
                    str(db)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return package, db


def _census_csv(package: Path, out: Path) -> list[Path]:
    """The package's tables that an annual census gives, as CSV files."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    files = []
    for table in UPLOADED_TABLES:
        source = next(package.glob(f"{table}.*"))
        target = out / f"{table}.csv"
        reader = "read_parquet" if source.suffix == ".parquet" else "read_csv"
        con.execute(f"COPY (SELECT * FROM {reader}(?)) TO '{target}' (HEADER)", [str(source)])
        files.append(target)
    con.close()
    return files


def _check_and_publish(page, base: str, choose) -> dict[str, float]:
    """Open the page, choose what to load (``choose(page)``), check and publish; seconds of
    each step and the stages seen while the check ran."""
    page.goto(f"{base}/load-data")
    page.get_by_text("2. Upload and check").wait_for(timeout=TIMEOUT_MS)
    figures = {"upload": choose(page)}
    started = time.perf_counter()
    page.get_by_role("button", name="Check (dry run)").click()
    status = page.get_by_test_id("stExpander").first
    stages: set[str] = set()
    while not page.get_by_text("3. Problems found").count():
        if time.perf_counter() - started > TIMEOUT_MS / 1000:
            raise TimeoutError("the check did not finish")
        if status.count():
            stages.update(line for line in status.inner_text().splitlines() if line.strip())
        time.sleep(0.5)
    figures["check"] = time.perf_counter() - started
    figures["stages"] = len(stages)
    page.get_by_text("4. What would change").wait_for(timeout=TIMEOUT_MS)
    started = time.perf_counter()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("every page now shows the new data").wait_for(timeout=TIMEOUT_MS)
    figures["publish"] = time.perf_counter() - started
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_data")
    parser.add_argument("--package", type=Path, default=None)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="emis-bench-load-data-") as tmp:
        work = Path(tmp)
        if args.package and args.db:
            package, db = args.package, work / "data" / "emis.duckdb"
            db.parent.mkdir(parents=True)
            shutil.copyfile(args.db, db)
        else:
            package, db = _demo(work)
        uploads = _census_csv(package, work / "upload")
        upload_mb = sum(p.stat().st_size for p in uploads) / 1e6
        os.environ["EMIS_PACKAGES"] = str(package.parent)
        rows = []
        with streamlit_server(db) as (base, _), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def folder(page) -> float:
                page.get_by_text("A package folder on the server").click()
                page.get_by_test_id("stSelectbox").filter(has_text="Package folder").click()
                page.get_by_role("option", name=package.name).click()
                return 0.0

            def files(page) -> float:
                started = time.perf_counter()
                page.locator("input[type=file]").set_input_files([str(f) for f in uploads])
                for f in uploads:
                    page.get_by_text(f.name).wait_for(timeout=TIMEOUT_MS)
                page.get_by_role("button", name="Check (dry run)").wait_for(timeout=TIMEOUT_MS)
                return time.perf_counter() - started

            for label, choose in (("demo package folder", folder),
                                  (f"upload of {upload_mb:.0f} MB of CSV", files)):
                figures = _check_and_publish(page, base, choose)
                if figures["upload"]:
                    rows.append((f"{label}: upload", f"{figures['upload']:.1f} s", "works"))
                rows.append((f"{label}: dry run + differences", f"{figures['check']:.1f} s",
                             "≤ 60 s"))
                rows.append((f"{label}: stages shown while checking",
                             f"{figures['stages']:.0f}", "progress visible"))
                rows.append((f"{label}: publish", f"{figures['publish']:.1f} s", "≤ 60 s"))
            browser.close()
    print_table(rows)


if __name__ == "__main__":
    main()
