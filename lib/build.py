"""Validate a data package and build it into one DuckDB extract, atomically.

The extract is written to a temporary file beside the target and moved into place only
when complete: a failed build never changes the extract the app is serving.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import shapely

from lib.aggregate import add_school_context, create_aggregates, create_reporting
from lib.country import Country, load_country
from lib.package import OPTIONAL_TABLES
from lib.plausibility import (check_ages, check_enrolment_jumps, check_locations,
                              check_population, check_pupil_teacher_ratio, check_reporting)
from lib.problems import PackageError, Problem, ProblemLog
from lib.validate import check_tables, create_typed_tables

Progress = Callable[[str], None]
BOUNDARIES_DIR = "boundaries"


@dataclass(frozen=True)
class BuildResult:
    db: Path | None  # None for a validation that writes nothing
    country: Country
    problems: list[Problem]  # warnings (errors raise PackageError)
    seconds: float
    years: list[int]
    n_schools: int


def _quiet(_: str) -> None:
    pass


def _check_package(con: duckdb.DuckDBPyConnection, source: Path, progress: Progress,
                   code_property: str | None) -> tuple[Country, dict[str, bool], ProblemLog,
                                                        list[str]]:
    """Every check of the contract; raise PackageError when any error is found."""
    from geo.boundaries import load_boundaries
    from geo.simplify import simplify_levels

    if not source.is_dir():
        raise PackageError([Problem("error", "missing_file",
                                    f"the package folder {source} does not exist")])
    country = load_country(source)
    log = ProblemLog()
    progress("checking tables …")
    tables = check_tables(con, source, country, log)
    boundary_dir = source / BOUNDARIES_DIR
    if not boundary_dir.is_dir():
        log.error("missing_file", "the boundaries/ folder is missing: add province (level 1) "
                  "and district (level 2) boundary files", file=f"{BOUNDARIES_DIR}/")
    if log.errors:
        raise PackageError(log.errors)
    create_typed_tables(con, country, tables)
    optional = {name: name in tables for name in OPTIONAL_TABLES}
    for name, present in optional.items():
        if not present:
            log.warning("missing_optional_table", f"no {name} table: the indicators that need "
                        f"it are switched off", file=name)
    progress("matching boundaries …")
    admin = con.execute("SELECT * FROM admin_units ORDER BY code").df()
    try:
        match = load_boundaries(boundary_dir, admin, code_property)
    except PackageError as exc:
        raise PackageError(exc.problems) from None
    log.extend(match.problems)
    if match.units.empty:
        raise PackageError([Problem("error", "boundary_file", "no boundary polygon could be "
                                    "matched to the admin units", file=f"{BOUNDARIES_DIR}/")])
    progress("checking plausibility …")
    add_school_context(con, optional["district_attributes"])
    create_reporting(con)
    level1 = match.units[match.units["level"] == 1]
    bounds = tuple((level1 if not level1.empty else match.units).total_bounds)
    files = {name: table.name for name, table in tables.items()}
    check_locations(con, match.units[match.units["level"] == 2], bounds, log, files["schools"])
    check_reporting(con, log, files["enrolment"])
    check_pupil_teacher_ratio(con, log, files["teachers"])
    check_enrolment_jumps(con, log, files["enrolment"])
    check_ages(con, country, log, files["enrolment"])
    check_population(con, optional["population"], log, files.get("population", "population"))
    _store_boundaries(con, match.units, simplify_levels(match.units))
    return country, optional, log, match.files


def _store_boundaries(con: duckdb.DuckDBPyConnection, units, simplified) -> None:
    full = pd.DataFrame({
        "code": units["code"].astype(str), "level": units["level"].astype(int),
        "detail": "full", "geometry": shapely.to_wkb(units.geometry.values)})
    parts = [full, pd.DataFrame({
        "code": simplified["code"].astype(str), "level": simplified["level"].astype(int),
        "detail": simplified["detail"].astype(str),
        "geometry": shapely.to_wkb(simplified.geometry.values)})]
    frame = pd.concat(parts, ignore_index=True)
    con.register("boundary_frame", frame)
    con.execute("CREATE OR REPLACE TABLE boundaries AS SELECT code, level, detail, "
                "CAST(geometry AS BLOB) AS geometry FROM boundary_frame ORDER BY level, code, detail")
    con.unregister("boundary_frame")
    matches = pd.DataFrame(units.drop(columns="geometry"))
    con.register("match_frame", matches)
    con.execute("CREATE OR REPLACE TABLE boundary_matches AS SELECT * FROM match_frame "
                "ORDER BY level, code")
    con.unregister("match_frame")


def _store_problems(con: duckdb.DuckDBPyConnection, problems: list[Problem]) -> None:
    con.execute("""CREATE OR REPLACE TABLE problems (seq INTEGER, severity VARCHAR,
                   kind VARCHAR, file VARCHAR, "row" INTEGER, "column" VARCHAR,
                   message VARCHAR, unit_code VARCHAR, school_id VARCHAR, year INTEGER)""")
    rows = [(i, p.severity, p.kind, p.file, p.row, p.column, p.message, p.unit_code or None,
             p.school_id or None, p.year) for i, p in enumerate(problems, start=1)]
    if rows:
        con.executemany("INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _store_meta(con: duckdb.DuckDBPyConnection, source: Path, country: Country,
                optional: dict[str, bool], files: list[str], seconds: float) -> list[int]:
    years = [int(y) for (y,) in con.execute(
        "SELECT DISTINCT year FROM enrolment ORDER BY year").fetchall()]
    manifest_path = source / "manifest.json"
    meta = {
        "build_id": uuid.uuid4().hex,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source_dir": str(source.resolve()),
        "country_toml": country.toml_text,
        "years": json.dumps(years),
        "boundary_files": json.dumps(files),
        "optional_tables": json.dumps(optional),
        "build_seconds": f"{seconds:.1f}",
        "manifest": manifest_path.read_text(encoding="utf-8") if manifest_path.is_file() else "",
    }
    con.execute("CREATE OR REPLACE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    return years


def _drop_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                               "WHERE table_name LIKE 'raw_%'").fetchall():
        con.execute(f'DROP TABLE "{name}"')


def validate_package(source: Path, progress: Progress = _quiet,
                     code_property: str | None = None) -> BuildResult:
    """Run every check of ``build`` and write nothing; raise PackageError on errors."""
    started = time.perf_counter()
    source = Path(source)
    with tempfile.TemporaryDirectory(prefix="emis-validate-") as work:
        con = duckdb.connect(str(Path(work) / "validate.duckdb"))
        try:
            country, _, log, _ = _check_package(con, source, progress, code_property)
            years = [y for (y,) in con.execute(
                "SELECT DISTINCT year FROM enrolment ORDER BY year").fetchall()]
            n_schools = con.execute("SELECT count(*) FROM schools").fetchone()[0]
        finally:
            con.close()
    return BuildResult(None, country, log.warnings, time.perf_counter() - started, years,
                       int(n_schools))


def build_extract(source: Path, db: Path, progress: Progress = _quiet,
                  code_property: str | None = None) -> BuildResult:
    """Validate ``source`` and build the extract at ``db``; the old extract survives failure."""
    started = time.perf_counter()
    source, db = Path(source), Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    work = db.parent / f".{db.name}.building-{os.getpid()}"
    _remove(work)
    con = duckdb.connect(str(work))
    try:
        country, optional, log, files = _check_package(con, source, progress, code_property)
        progress("aggregating to districts and years …")
        _drop_work_tables(con)
        create_aggregates(con, optional)
        _store_problems(con, log.items)
        years = _store_meta(con, source, country, optional, files,
                            time.perf_counter() - started)
        n_schools = con.execute("SELECT count(*) FROM schools").fetchone()[0]
        con.execute("CHECKPOINT")
        con.close()
        os.replace(work, db)
    except BaseException:
        con.close()
        _remove(work)
        raise
    return BuildResult(db, country, log.warnings, time.perf_counter() - started, years,
                       int(n_schools))


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal"), Path(f"{path}.tmp")):
        if candidate.is_dir():
            import shutil
            shutil.rmtree(candidate, ignore_errors=True)
        elif candidate.exists():
            candidate.unlink()
