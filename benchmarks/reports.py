"""Profile reports against their budgets: one district report (≤ 3 s) and every district
of the demo (≤ 5 min, memory bounded), each made by the command line in a fresh process.

    .venv/bin/python -m benchmarks.reports [--db data/emis.duckdb] [--lang lo]

"in the app": the wait after "Make the report (PDF)" on the Overview of a district, in
Chromium, until the download is offered: for the server's first report (WeasyPrint and
vl-convert load then) and for the districts after it (median).

"one district" from the command line is the process's whole time (start, imports, opening the extract, reading
the engine's frames, charts, layout), the median of three runs after one untimed run that
compiles the bytecode (as any installation has it). The extract should be built by the
command line, which stores the frames reports read (lib.indicators.stored); the benchmark
says when it was not. The batch reads each frame once for all districts. Peak memory is
the largest resident size of a child process.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import print_table
from benchmarks.build import REPO

# The bytecode is written, as it is in any installation (some shells set this off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lib", "report", *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - started


def _in_the_app(db: str, districts: list[str], lang: str) -> list[float]:
    """Seconds from the click on "Make the report" to the download button, per district
    (the first is the server's first report)."""
    from benchmarks.map import _browser, streamlit_server
    from lib.i18n import t

    waits = []
    with streamlit_server(Path(db)) as (base, _), _browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 2000})
        for code in districts:
            page.goto(f"{base}/?area={code}&lang={lang}")
            make = page.get_by_role("button", name=t("report.make", lang))
            make.wait_for(timeout=120_000)
            page.wait_for_timeout(500)  # the page's reruns settle
            started = time.perf_counter()
            make.click()
            page.get_by_role("button", name=t("report.download", lang)).wait_for(
                timeout=120_000)
            waits.append(time.perf_counter() - started)
    return waits


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports")
    parser.add_argument("--db", default=str(REPO / "data" / "emis.duckdb"))
    parser.add_argument("--lang", default="lo")
    args = parser.parse_args()
    from lib import db
    from lib.indicators import context, stored

    con = db.connect(args.db)
    year = str(db.extract_info(con).years[-1])
    districts = db.admin_units(con, 2)["code"].tolist()
    has_frames = stored.TABLE in context(con).tables
    con.close()
    with tempfile.TemporaryDirectory(prefix="emis-bench-reports-") as out:
        common = ["--db", args.db, "--year", year, "--lang", args.lang, "--out", out]
        _run(["--area", districts[0], *common])  # compiles the bytecode
        one = statistics.median(_run(["--area", districts[0], *common]) for _ in range(3))
        every = _run(["--level", "district", "--all", *common])
        pages = len(list(Path(out).glob("*.pdf")))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    from benchmarks.map import _browser_missing

    missing = _browser_missing()
    app = [] if missing else _in_the_app(args.db, districts[:4], args.lang)
    print_table([
        ("in the app: the server's first report", f"{app[0]:.1f} s" if app else missing,
         "≤ 3 s"),
        ("in the app: a district report (median of 3)",
         f"{statistics.median(app[1:]):.1f} s" if app else missing, "≤ 3 s"),
        ("frames stored by the build", "yes" if has_frames else "no (build it with "
         "`python -m lib build`)", "yes"),
        ("one district report (fresh process, median of 3)", f"{one:.1f} s", "≤ 3 s"),
        (f"every district ({len(districts)} reports)", f"{every:.0f} s", "≤ 5 min"),
        ("per district in the batch", f"{every / len(districts):.2f} s", ""),
        ("reports written", f"{pages}", f"{len(districts)}"),
        ("peak memory of a report process", f"{peak:.2f} GB", "bounded"),
    ])


if __name__ == "__main__":
    main()
