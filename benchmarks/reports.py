"""Profile reports against their budgets: one district report (≤ 3 s) and every district
of the demo (≤ 5 min, memory bounded), each made by the command line in a fresh process.

    .venv/bin/python -m benchmarks.reports [--db data/emis.duckdb] [--lang lo]

"one district" is the process's whole time (start, imports, opening the extract, the
engine's values, charts, layout); the batch computes each indicator frame once for all
districts. Peak memory is the largest resident size of a child process.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import print_table
from benchmarks.build import REPO


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lib", "report", *args], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reports")
    parser.add_argument("--db", default=str(REPO / "data" / "emis.duckdb"))
    parser.add_argument("--lang", default="lo")
    args = parser.parse_args()
    from lib import db

    con = db.connect(args.db)
    year = str(db.extract_info(con).years[-1])
    districts = db.admin_units(con, 2)["code"].tolist()
    con.close()
    with tempfile.TemporaryDirectory(prefix="emis-bench-reports-") as out:
        common = ["--db", args.db, "--year", year, "--lang", args.lang, "--out", out]
        one = _run(["--area", districts[0], *common])
        every = _run(["--level", "district", "--all", *common])
        pages = len(list(Path(out).glob("*.pdf")))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6
    print_table([
        ("one district report (fresh process)", f"{one:.1f} s", "≤ 3 s"),
        (f"every district ({len(districts)} reports)", f"{every:.0f} s", "≤ 5 min"),
        ("per district in the batch", f"{every / len(districts):.2f} s", ""),
        ("reports written", f"{pages}", f"{len(districts)}"),
        ("peak memory of a report process", f"{peak:.2f} GB", "bounded"),
    ])


if __name__ == "__main__":
    main()
