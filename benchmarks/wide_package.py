"""Time the build of a package whose enrolment is a WIDE census file read through mapping.toml.

    .venv/bin/python -m benchmarks.wide_package [--scale 1.53] [--year 2024] [--keep DIR]

Writes a synthetic demo package for one year (about 17,000 schools at scale 1.53), turns
its long enrolment into one wide CSV (a row per school; a column per grade and sex, grades
10-12 split into two tracks, repeaters per grade and sex, an ungraded special-education
column per sex) with a mapping.toml, deletes the long enrolment, then times
``python -m lib build`` on it (and, for comparison, on the long package) in fresh processes.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SHARED_GEO = REPO.parent / "shared" / "geo"
TRACK_GRADES = (10, 11, 12)  # upper secondary: split into a science and an arts track
WIDE_FILE = "census_wide.csv"

MAPPING = """\
[[wide]]
file = "{file}"
table = "enrolment"
[wide.columns]
school_id = "SCHOOL_CODE"
[wide.values]
year = {year}
[[wide.measures]]
pattern = "G{{grade}}_{{sex}}"
value = "enrolled"
[[wide.measures]]
pattern = "G{{grade}}_{{track}}_{{sex}}"
value = "enrolled"
[[wide.measures]]
pattern = "REP_G{{grade}}_{{sex}}"
value = "repeaters"
[[wide.measures]]
pattern = "REP_G{{grade}}_{{track}}_{{sex}}"
value = "repeaters"
[[wide.measures]]
pattern = "SPED_{{sex}}"
value = "enrolled"
set = {{ grade = "ungraded" }}
"""


def make_wide_package(long_package: Path, wide_package: Path, year: int) -> dict[str, int]:
    """Copy ``long_package`` to ``wide_package`` with its enrolment made wide; counts."""
    shutil.copytree(long_package, wide_package)
    enrolment = next(wide_package.glob("enrolment.*"))
    con = duckdb.connect()
    reader = "read_parquet" if enrolment.suffix == ".parquet" else "read_csv"
    con.execute(f"CREATE TABLE e AS SELECT school_id, grade, sex, sum(enrolled) AS enrolled, "
                f"sum(coalesce(repeaters, 0)) AS repeaters FROM {reader}(?) WHERE year = ? "
                "GROUP BY ALL", [str(enrolment), year])
    # The cells: (school, column name, value); tracks split 60/40, SPED for one school in 7.
    tracks = ", ".join(str(g) for g in TRACK_GRADES)
    con.execute(f"""
        CREATE TABLE cells AS
        SELECT school_id, 'G' || grade || '_' || sex AS col, enrolled AS v FROM e
            WHERE grade NOT IN ({tracks})
        UNION ALL SELECT school_id, 'REP_G' || grade || '_' || sex, repeaters FROM e
            WHERE grade NOT IN ({tracks})
        UNION ALL SELECT school_id, 'G' || grade || '_SCI_' || sex, round(enrolled * 0.6) FROM e
            WHERE grade IN ({tracks})
        UNION ALL SELECT school_id, 'G' || grade || '_ART_' || sex,
                         enrolled - round(enrolled * 0.6) FROM e WHERE grade IN ({tracks})
        UNION ALL SELECT school_id, 'REP_G' || grade || '_SCI_' || sex, round(repeaters * 0.6)
            FROM e WHERE grade IN ({tracks})
        UNION ALL SELECT school_id, 'REP_G' || grade || '_ART_' || sex,
                         repeaters - round(repeaters * 0.6) FROM e WHERE grade IN ({tracks})
        UNION ALL SELECT school_id, 'SPED_' || sex, 1 + hash(school_id || sex) % 3
            FROM (SELECT DISTINCT school_id FROM e WHERE hash(school_id) % 7 = 0),
                 (VALUES ('F'), ('M')) s(sex)
    """)
    columns = [c for (c,) in con.execute(
        "SELECT col FROM (SELECT DISTINCT col FROM cells) ORDER BY "
        "starts_with(col, 'SPED'), starts_with(col, 'REP'), "
        "TRY_CAST(regexp_extract(col, 'G(\\d+)', 1) AS INTEGER), col").fetchall()]
    values = ", ".join(f"CAST(max(v) FILTER (WHERE col = '{c}') AS BIGINT) AS \"{c}\""
                       for c in columns)
    out = wide_package / WIDE_FILE
    con.execute(f"COPY (SELECT school_id AS SCHOOL_CODE, {values} FROM cells GROUP BY ALL "
                f"ORDER BY school_id) TO '{str(out).replace(chr(39), chr(39) * 2)}' "
                "(HEADER, DELIMITER ',')")
    counts = {
        "wide rows (schools)": con.execute("SELECT count(*) FROM read_csv(?)",
                                           [str(out)]).fetchone()[0],
        "wide columns": len(columns) + 1,
        "filled cells": con.execute("SELECT count(*) FROM cells").fetchone()[0],
        "enrolment rows, long package (with ages)": con.execute(
            f"SELECT count(*) FROM {reader}(?) WHERE year = ?", [str(enrolment), year]
        ).fetchone()[0],
    }
    con.close()
    enrolment.unlink()
    (wide_package / "mapping.toml").write_text(MAPPING.format(file=WIDE_FILE, year=year),
                                               encoding="utf-8")
    return counts


def _build(package: Path, db: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lib", "build", "--source", str(package), "--db",
                    str(db)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wide_package")
    parser.add_argument("--scale", type=float, default=1.53)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--keep", type=Path, default=None,
                        help="write the packages and extracts here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emis-wide-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        long_package, wide_package = work / "long", work / "wide"
        demo = [sys.executable, "-m", "lib", "demo", "--out", str(long_package), "--scale",
                str(args.scale), "--years", f"{args.year}-{args.year}"]
        if SHARED_GEO.is_dir():
            demo += ["--boundaries", str(SHARED_GEO)]
        subprocess.run(demo, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        counts = make_wide_package(long_package, wide_package, args.year)
        wide_s = _build(wide_package, work / "wide.duckdb")
        long_s = _build(long_package, work / "long.duckdb")
        con = duckdb.connect(str(work / "wide.duckdb"), read_only=True)
        counts["enrolment rows, extract from the wide file"] = con.execute(
            "SELECT count(*) FROM enrolment").fetchone()[0]
        counts["schools reporting"] = con.execute(
            "SELECT count(DISTINCT school_id) FROM enrolment").fetchone()[0]
        con.close()
    rows = [("build, wide enrolment via mapping.toml", f"{wide_s:.1f} s"),
            ("build, same package with long enrolment", f"{long_s:.1f} s"),
            *((name, f"{n:,}") for name, n in counts.items())]
    width = max(len(name) for name, _ in rows)
    print(f"scale {args.scale:g}, year {args.year}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value:>12}")


if __name__ == "__main__":
    main()
