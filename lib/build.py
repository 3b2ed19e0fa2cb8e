"""Validate a data package and build it into one DuckDB extract, atomically.

The extract is written to a work file beside the target (``.<name>.building-<pid>``) and
moved into place only when complete: a failed build never changes the extract the app is
serving. A build stopped by an error, Ctrl-C or SIGTERM removes its work files; a build
killed outright (SIGKILL, a power cut) leaves them, and the next build removes them.
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import pandas as pd
import shapely

from geo.boundaries import BoundaryMatch, FileReport, check_readable, load_boundaries
from geo.simplify import simplify_levels
from lib import quality
from lib.age_groups import METHOD as AGE_GROUP_METHOD
from lib.age_groups import SERIES_KEY, parse_age_group, single_ages_table
from lib.aggregate import (add_school_context, create_aggregates, create_functioning_grades,
                           create_reporting)
from lib.country import Country, admin_level_name, country_words, load_country
from lib.i18n import country_words_in_use
from lib.package import create_table_from_frame, has_value
from lib.plausibility import (check_ages, check_counts, check_enrolment_jumps,
                              check_functioning, check_groups, check_locations,
                              check_population, check_pupil_teacher_ratio, check_reporting)
from lib.problems import PackageError, Problem, ProblemLog, worded
from lib.tables import AREA_KEY, OPTIONAL_TABLES, SCHOOL_KEY, TABLE, columns_needing_values
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
    n_schools: int | None  # None: a package of area totals, without a school register
    boundary_report: list[FileReport] = field(default_factory=list)  # every layer read

    @property
    def units(self) -> str:
        """What the package counts, for a summary line: "11,120 schools", or "no school
        register" for area totals."""
        return "no school register" if self.n_schools is None else f"{self.n_schools:,} schools"


def _quiet(_: str) -> None:
    pass


class Terminated(KeyboardInterrupt):
    """A build or validation stopped by SIGTERM: like Ctrl-C, it removes its work files."""

    exit_code = 128 + signal.SIGTERM


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated`, so that the work files are
    removed on the way out (only the main thread can handle signals).

    DuckDB turns the signal into its own "Query interrupted" error, and a reader may take
    it for a bad file: once SIGTERM has come, the block ends in :class:`Terminated`
    whatever it raised. A second SIGTERM while cleaning up is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def stop(signum: int, frame: object) -> None:
        received.append(signum)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated("stopped by SIGTERM")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except Terminated:
        raise
    except BaseException as exc:
        if received:
            raise Terminated("stopped by SIGTERM") from exc
        raise
    else:
        if received:
            raise Terminated("stopped by SIGTERM")
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class _Checked:
    """A package that passed every check, typed and enriched in the work database."""

    country: Country
    optional: dict[str, bool]
    log: ProblemLog
    boundaries: BoundaryMatch


def _check_package(con: duckdb.DuckDBPyConnection, source: Path, progress: Progress,
                   code_property: str | None) -> _Checked:
    """Every check of the contract; raise PackageError listing every error found."""
    if not source.is_dir():
        raise PackageError([Problem("error", "missing_file",
                                    f"the package folder {source} does not exist")])
    country = load_country(source)
    with country_words_in_use(country_words(country)):  # warnings name the country's levels
        return _check_loaded(con, source, country, progress, code_property)


def _check_loaded(con: duckdb.DuckDBPyConnection, source: Path, country: Country,
                  progress: Progress, code_property: str | None) -> _Checked:
    """:func:`_check_package` once the country profile is read."""
    log = ProblemLog()
    progress("checking tables …")
    tables = check_tables(con, source, country, log)
    boundary_dir = source / BOUNDARIES_DIR
    if not boundary_dir.is_dir():
        wanted = " and ".join(f"{admin_level_name(country, n, 'en').lower()} (level {n})"
                              for n in country.polygon_levels)
        log.error("missing_file", "the boundaries/ folder is missing: add the boundary files "
                  f"of the {wanted} polygons", file=f"{BOUNDARIES_DIR}/")
    if log.errors:
        if boundary_dir.is_dir():  # report unreadable boundary files in the same run
            log.extend(check_readable(boundary_dir))
        raise PackageError(log.errors, log.warnings)
    create_typed_tables(con, country, tables, log)
    register = "schools" in tables
    if not register:
        _areas_as_units(con, country, tables)
    if "population" in tables:
        _split_age_groups(con, log, tables["population"].name)
    if "quality_assessment" in tables:  # rolled up into `quality` (lib.quality)
        quality.create_results(con)
    optional = {name: name in tables or (name == "quality" and "quality_assessment" in tables)
                for name in OPTIONAL_TABLES}
    for name, present in optional.items():
        if not present and not TABLE[name].silent_when_absent:
            log.warn("missing_optional_table", {"table": name}, file=name)
    for name, column in columns_needing_values():
        if name in tables and not has_value(con, name, column):
            log.warn("missing_optional_column",
                     {"table": name, "column": column,
                      "needed": ", ".join(TABLE[name].column(column).needed_by)},
                     file=tables[name].name, column=column)
    progress("matching boundaries …")
    admin = con.execute("SELECT * FROM admin_units ORDER BY code").df()
    pupils = _pupils_by_unit(con, admin)
    match = load_boundaries(boundary_dir, admin, code_property,
                            rules=country.boundary_files,
                            aliases=_rows(con, tables, "aliases", "code, name"),
                            crosswalk=_rows(con, tables, "crosswalk", "code, polygon"),
                            polygon_levels=country.polygon_levels, pupils=pupils)
    log.extend(match.problems)
    if log.errors:
        raise PackageError(log.errors, log.warnings)
    log.extend(_coverage_summary(pupils, match,
                                 admin[admin["level"].isin(country.polygon_levels)]))
    progress("checking plausibility …")
    add_school_context(con, optional["district_attributes"])
    create_reporting(con)
    files = {name: table.name for name, table in tables.items()}
    if register:  # the checks of schools (a package of area totals has none)
        if con.execute("SELECT EXISTS (SELECT 1 FROM schools WHERE latitude IS NOT NULL "
                       "AND longitude IS NOT NULL)").fetchone()[0]:  # else said once above
            # Points are checked against the finest areas with polygons.
            finest = max(country.polygon_levels)
            check_locations(con, match.units[match.units["level"] == finest],
                            tuple(match.units.total_bounds), log, files["schools"],
                            level=finest)
        check_reporting(con, log, files["enrolment"])
        if optional["teachers"]:
            check_pupil_teacher_ratio(con, log, files["teachers"])
        check_enrolment_jumps(con, log, files["enrolment"])
        check_ages(con, country, log, files["enrolment"])
    if optional["enrolment_groups"]:
        check_groups(con, log, files["enrolment_groups"])
    if optional["functioning"]:
        create_functioning_grades(con, country)
        check_functioning(con, log, files["functioning"])
    if optional["quality_assessment"]:
        quality.create_school_facts(con)
        quality.check_against_census(con, log, files["quality_assessment"])
    check_population(con, country, optional["population"], log,
                     files.get("population", "population"))
    check_counts(con, files if register else {"population": files.get("population", "")},
                 log)
    return _Checked(country, optional, log, match)


def _rows(con: duckdb.DuckDBPyConnection, tables: dict, name: str, columns: str
          ) -> pd.DataFrame | None:
    """A small optional table's rows, when the package gave it."""
    return con.execute(f"SELECT {columns} FROM {name}").df() if name in tables else None


def _pupils_by_unit(con: duckdb.DuckDBPyConnection, admin: pd.DataFrame) -> dict[str, int]:
    """Pupils of the latest census year in every admin unit, at every level."""
    leaf = dict(con.execute("""
        SELECT s.district_code, sum(e.enrolled) FROM enrolment e JOIN schools s USING (school_id)
        WHERE e.year = (SELECT max(year) FROM enrolment) GROUP BY 1""").fetchall())
    parent_of = dict(zip(admin["code"], admin["parent_code"]))
    pupils: dict[str, int] = {}
    for code, count in leaf.items():
        seen = set()
        while code and code not in seen:  # up through every level
            seen.add(code)
            pupils[code] = pupils.get(code, 0) + int(count or 0)
            code = parent_of.get(code) or ""
    return pupils


def _coverage_summary(pupils: dict[str, int], match: BoundaryMatch, admin: pd.DataFrame
                      ) -> list[Problem]:
    """One warning per level with areas left without a polygon: how many, and the pupils
    they hold (the map says the same under it)."""
    drawn = set(match.units["code"])
    out = []
    for level, units in admin.groupby("level"):
        missing = [c for c in units["code"] if c not in drawn]
        if not missing:
            continue
        held = sum(pupils.get(c, 0) for c in missing)
        total = sum(pupils.get(c, 0) for c in units["code"])
        out.append(worded("warning", "polygons_missing",
                          {"level": int(level), "n": len(missing), "pupils": held,
                           "share": held / total if total else 0.0},
                          template="polygons_missing_one" if len(missing) == 1 else "",
                          file=f"{BOUNDARIES_DIR}/"))
    return out


def _areas_as_units(con: duckdb.DuckDBPyConnection, country: Country,
                    tables: dict) -> None:
    """A package of area totals (no schools table): each area of the finest level is the
    unit its rows sum over, where a school would be, so that every area-level indicator is
    computed as for a register of schools. The extract records that it has no register
    (``optional_tables``), and the registry switches off everything about schools
    themselves, the school level included."""
    levels = ";".join(country.level_ids)
    con.execute("""
        INSERT INTO schools (school_id, name_en, name_local, district_code, levels)
        SELECT code, name_en, name_local, code, ? FROM admin_units
        WHERE level = (SELECT max(level) FROM admin_units)""", [levels])
    for name in tables:
        if TABLE[name].has(AREA_KEY) and TABLE[name].has(SCHOOL_KEY):
            con.execute(f"UPDATE {name} SET {SCHOOL_KEY} = {AREA_KEY}")


def _split_age_groups(con: duckdb.DuckDBPyConnection, log: ProblemLog, file: str) -> None:
    """Population given by age group (5-9, 10-14, …) split into single ages, with a warning
    naming the method (:mod:`lib.age_groups`); a series whose groups overlap or leave a gap
    is an error naming it."""
    if not con.execute("SELECT EXISTS (SELECT 1 FROM population WHERE age IS NULL)"
                       ).fetchone()[0]:
        return
    # Only the series (year, area, sex) given by group are split; a series of single ages
    # stays as it is (its gaps are the population checks' warnings, not errors here).
    rows = con.execute("""
        SELECT year, district_code, sex, age, age_group, population FROM population
        WHERE (year, district_code, sex) IN (
            SELECT (year, district_code, sex) FROM population WHERE age IS NULL)""").df()
    bounds = [(int(age), int(age)) if pd.notna(age) else parse_age_group(group)
              for age, group in zip(rows["age"], rows["age_group"])]
    groups = pd.DataFrame({
        "year": rows["year"], "district_code": rows["district_code"], "sex": rows["sex"],
        "age_lower": [lower for lower, _ in bounds],
        "age_upper": pd.array([upper for _, upper in bounds], dtype="Int64"),
        "population": rows["population"]})
    split = single_ages_table(groups)
    for fault in split.faults:
        log.error("age_groups", f"{fault}: correct the age groups of this series", file=file)
    create_table_from_frame(con, "population_split", split.population, """
        CAST(year AS INTEGER) AS year, CAST(district_code AS VARCHAR) AS district_code,
        CAST(sex AS VARCHAR) AS sex, CAST(age AS INTEGER) AS age,
        CAST(NULL AS VARCHAR) AS age_group, CAST(population AS DOUBLE) AS population""")
    con.execute("""
        CREATE OR REPLACE TABLE population AS
        SELECT year, district_code, sex, age, age_group, population FROM population
        WHERE (year, district_code, sex) NOT IN (
            SELECT (year, district_code, sex) FROM population WHERE age IS NULL)
        UNION ALL SELECT * FROM population_split
        ORDER BY year, district_code, sex, age""")
    con.execute("DROP TABLE population_split")
    series = split.methods[list(SERIES_KEY)].drop_duplicates()
    log.warn("population_age_groups", {"series": len(series), "method": AGE_GROUP_METHOD},
             file=file, column="age_group")


def _store_boundaries(con: duckdb.DuckDBPyConnection, match: BoundaryMatch) -> None:
    """The matched polygons as WKB, in full and simplified at every level of detail; how
    each was matched; and what each boundary file layer held (``boundary_report``)."""
    units = match.units
    simplified = simplify_levels(units)
    full = pd.DataFrame({
        "code": units["code"].astype(str), "level": units["level"].astype(int),
        "detail": "full", "geometry": shapely.to_wkb(units.geometry.values)})
    parts = [full, pd.DataFrame({
        "code": simplified["code"].astype(str), "level": simplified["level"].astype(int),
        "detail": simplified["detail"].astype(str),
        "geometry": shapely.to_wkb(simplified.geometry.values)})]
    frame = pd.concat(parts, ignore_index=True)
    create_table_from_frame(con, "boundaries", frame,
                            "code, level, detail, CAST(geometry AS BLOB) AS geometry",
                            "level, code, detail")
    create_table_from_frame(con, "boundary_matches", pd.DataFrame(units.drop(columns="geometry")),
                            order_by="level, code")
    create_table_from_frame(con, "boundary_report", match.report_frame(), """
        CAST(file AS VARCHAR) AS file, CAST(layer AS VARCHAR) AS layer,
        CAST(format AS VARCHAR) AS format, CAST(crs AS VARCHAR) AS crs,
        CAST(features AS INTEGER) AS features, CAST(level AS INTEGER) AS level,
        CAST(why AS VARCHAR) AS why, CAST(code_property AS VARCHAR) AS code_property,
        CAST(name_property AS VARCHAR) AS name_property, CAST(matched AS INTEGER) AS matched,
        CAST(skipped AS VARCHAR) AS skipped""")


def _store_problems(con: duckdb.DuckDBPyConnection, problems: list[Problem]) -> None:
    frame = pd.DataFrame([p.as_record() for p in problems],
                         columns=[f.name for f in fields(Problem)])
    frame.insert(0, "seq", range(1, len(frame) + 1))
    for column in ("unit_code", "school_id"):
        frame[column] = frame[column].replace({"": None})
    create_table_from_frame(con, "problems", frame, """
        CAST(seq AS INTEGER) AS seq, CAST(severity AS VARCHAR) AS severity,
        CAST(kind AS VARCHAR) AS kind, CAST(file AS VARCHAR) AS file,
        CAST("row" AS INTEGER) AS "row", CAST("column" AS VARCHAR) AS "column",
        CAST(message AS VARCHAR) AS message, CAST(unit_code AS VARCHAR) AS unit_code,
        CAST(school_id AS VARCHAR) AS school_id, CAST(year AS INTEGER) AS year,
        CAST(template AS VARCHAR) AS template, CAST(params AS VARCHAR) AS params""", "seq")


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
    """Raw tables left by optional tables that were given without rows."""
    for (name,) in con.execute("SELECT table_name FROM duckdb_tables() "
                               "WHERE starts_with(table_name, 'raw_')").fetchall():
        con.execute(f'DROP TABLE "{name}"')


def validate_package(source: Path, progress: Progress = _quiet,
                     code_property: str | None = None) -> BuildResult:
    """Run every check of ``build`` and write nothing; raise PackageError on errors."""
    started = time.perf_counter()
    source = Path(source)
    with _stop_on_sigterm(), tempfile.TemporaryDirectory(prefix="emis-validate-") as work:
        con = duckdb.connect(str(Path(work) / "validate.duckdb"))
        try:
            checked = _check_package(con, source, progress, code_property)
            years = [y for (y,) in con.execute(
                "SELECT DISTINCT year FROM enrolment ORDER BY year").fetchall()]
            n_schools = _register_size(con, checked.optional)
        finally:
            con.close()
    return BuildResult(None, checked.country, checked.log.warnings,
                       time.perf_counter() - started, years, n_schools,
                       checked.boundaries.report)


def build_extract(source: Path, db: Path, progress: Progress = _quiet,
                  code_property: str | None = None, report_frames: bool = False
                  ) -> BuildResult:
    """Validate ``source`` and build the extract at ``db``; the old extract survives failure.

    ``report_frames``: also store the engine frames the profile reports read
    (:mod:`lib.indicators.stored`), as the command line and the Load data page do: the
    engine then reads them rather than computing them (an extract without them gives the
    same figures, computed)."""
    started = time.perf_counter()
    source, db = Path(source), Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_work_files(db)
    work = _work_file(db, os.getpid())
    _remove(work)
    con = None
    try:
        with _stop_on_sigterm():
            con = duckdb.connect(str(work))
            checked = _check_package(con, source, progress, code_property)
            progress("simplifying boundaries …")
            _store_boundaries(con, checked.boundaries)
            progress("aggregating to areas and years …")
            _drop_work_tables(con)
            create_aggregates(con, checked.optional)
            _store_problems(con, checked.log.items)
            years = _store_meta(con, source, checked.country, checked.optional,
                                checked.boundaries.files, time.perf_counter() - started)
            n_schools = _register_size(con, checked.optional)
            if report_frames:
                progress("computing the reports' and the Quality page's figures …")
                from lib.indicators import stored
                from lib.report import frames_to_store

                stored.write(con, frames_to_store(con))
            con.execute("CHECKPOINT")
            con.close()
        os.replace(work, db)
    except BaseException:
        if con is not None:
            con.close()
        _remove(work)
        raise
    return BuildResult(db, checked.country, checked.log.warnings,
                       time.perf_counter() - started, years, n_schools,
                       checked.boundaries.report)


def _register_size(con: duckdb.DuckDBPyConnection, optional: dict[str, bool]) -> int | None:
    """The schools of the register; None for a package of area totals."""
    if not optional["schools"]:
        return None
    return int(con.execute("SELECT count(*) FROM schools").fetchone()[0])


def _work_file(db: Path, pid: int) -> Path:
    return db.parent / f".{db.name}.building-{pid}"


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_stale_work_files(db: Path) -> None:
    """Remove the work files (and their ``.wal``) of builds of ``db`` whose process is gone;
    a build running beside this one keeps its own."""
    prefix = f".{db.name}.building-"
    pids = {name[len(prefix):].partition(".")[0]
            for name in (p.name for p in db.parent.glob(glob.escape(prefix) + "*"))}
    for pid in sorted(int(p) for p in pids if p.isdigit()):
        if pid != os.getpid() and not _is_running(pid):
            _remove(_work_file(db, pid))


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}.wal"), Path(f"{path}.tmp")):
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        elif candidate.exists():
            candidate.unlink()
