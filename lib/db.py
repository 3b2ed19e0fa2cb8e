"""Read-only access to the DuckDB extract that the app serves.

The extract is written by :mod:`lib.build`; nothing here writes. Functions take an open
connection so callers (the app caches one per extract build id) decide its lifetime.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from lib.country import Country, parse_country

DEFAULT_EXTRACT = Path(__file__).resolve().parent.parent / "data" / "emis.duckdb"


class ExtractMissing(Exception):
    """There is no extract at the given path (build one first)."""


def connect(path: Path | str = DEFAULT_EXTRACT) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.is_file():
        raise ExtractMissing(f"No extract at {path}. Build one with "
                             f"`python -m lib build --source DIR --db {path}` or run `make demo`.")
    return duckdb.connect(str(path), read_only=True)


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def build_id(path: Path | str = DEFAULT_EXTRACT) -> str:
    """Identifies one build of the extract: changes whenever the file is rebuilt."""
    stat = Path(path).stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def country(con: duckdb.DuckDBPyConnection) -> Country:
    return parse_country(meta(con)["country_toml"])


@dataclass(frozen=True)
class ExtractInfo:
    """What the About page and the banner need to know about the extract."""

    build_id: str
    built_at: str  # ISO 8601, UTC
    source_dir: str
    package_source: str
    licence: str
    attribution: str
    synthetic: bool
    boundaries_schematic: bool
    boundary_files: list[str]
    country_name: str
    country_name_local: str
    iso3: str
    years: list[int]
    n_provinces: int
    n_districts: int
    n_schools: int
    pupils_by_year: dict[int, int] = field(default_factory=dict)
    teachers_by_year: dict[int, int] = field(default_factory=dict)
    schools_by_year: dict[int, int] = field(default_factory=dict)  # schools reporting
    n_errors: int = 0
    n_warnings: int = 0
    optional_tables: dict[str, bool] = field(default_factory=dict)
    build_seconds: float = 0.0


def extract_info(con: duckdb.DuckDBPyConnection) -> ExtractInfo:
    m = meta(con)
    ctry = parse_country(m["country_toml"])

    def by_year(sql: str) -> dict[int, int]:
        return {int(y): int(n) for y, n in con.execute(sql).fetchall()}

    n_prov, n_dist = con.execute(
        "SELECT count(*) FILTER (level = 1), count(*) FILTER (level = 2) FROM admin_units"
    ).fetchone()
    n_warn = con.execute("SELECT count(*) FROM problems WHERE severity = 'warning'").fetchone()[0]
    return ExtractInfo(
        build_id=m["build_id"],
        built_at=m["built_at"],
        source_dir=m["source_dir"],
        package_source=ctry.package.source,
        licence=ctry.package.licence,
        attribution=ctry.package.attribution,
        synthetic=ctry.synthetic,
        boundaries_schematic=ctry.package.boundaries_schematic,
        boundary_files=json.loads(m.get("boundary_files", "[]")),
        country_name=ctry.name,
        country_name_local=ctry.name_local,
        iso3=ctry.iso3,
        years=json.loads(m["years"]),
        n_provinces=int(n_prov),
        n_districts=int(n_dist),
        n_schools=int(con.execute("SELECT count(*) FROM schools").fetchone()[0]),
        pupils_by_year=by_year(
            "SELECT year, sum(enrolled) FROM agg_enrolment GROUP BY year ORDER BY year"),
        teachers_by_year=by_year(
            "SELECT year, sum(count) FROM agg_teachers GROUP BY year ORDER BY year"),
        schools_by_year=by_year(
            "SELECT year, count(*) FROM reporting GROUP BY year ORDER BY year"),
        n_warnings=int(n_warn),
        optional_tables=json.loads(m.get("optional_tables", "{}")),
        build_seconds=float(m.get("build_seconds", 0) or 0),
    )


def problems(con: duckdb.DuckDBPyConnection, severity: str | None = None) -> pd.DataFrame:
    """The build's problems (warnings; errors never reach an extract)."""
    if severity is None:
        return con.execute("SELECT * FROM problems ORDER BY seq").df()
    return con.execute("SELECT * FROM problems WHERE severity = ? ORDER BY seq",
                       [severity]).df()


def problem_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Warnings counted by kind, in the order of the checks."""
    return con.execute(
        "SELECT kind, any_value(severity) AS severity, count(*) AS n, min(seq) AS first "
        "FROM problems GROUP BY kind ORDER BY first").df().drop(columns="first")


def admin_units(con: duckdb.DuckDBPyConnection, level: int | None = None) -> pd.DataFrame:
    if level is None:
        return con.execute("SELECT * FROM admin_units ORDER BY code").df()
    return con.execute("SELECT * FROM admin_units WHERE level = ? ORDER BY code", [level]).df()


ATTACHED_NAME = "emis"


def connect_current(path: Path | str = DEFAULT_EXTRACT) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the extract as the file is *now*.

    ``duckdb.connect(path)`` reuses one database instance per path within a process: while
    any connection to it is open, a later ``connect`` after a rebuild (the new file moved
    into place) still serves the old file. Attaching the file to a fresh in-memory database
    always reads the file that is in place. Use :func:`cursor` for a connection per thread.
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractMissing(f"No extract at {path}. Build one with "
                             f"`python -m lib build --source DIR --db {path}` or run `make demo`.")
    con = duckdb.connect(":memory:")
    quoted = str(path.resolve()).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {ATTACHED_NAME} (READ_ONLY)")
    con.execute(f"USE {ATTACHED_NAME}")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new connection to the same database as ``con`` (one per thread: connections are
    not safe to share between threads), reading the extract by unqualified table names."""
    cur = con.cursor()
    if cur.execute("SELECT count(*) FROM duckdb_databases() WHERE database_name = ?",
                   [ATTACHED_NAME]).fetchone()[0]:
        cur.execute(f"USE {ATTACHED_NAME}")
    return cur


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [name]).fetchone()[0])


def boundaries(con: duckdb.DuckDBPyConnection, level: int, detail: str,
               parent: str | None = None) -> pd.DataFrame:
    """Polygons of one admin level at one detail (full, high, medium, low) as WKB:
    columns code, geometry; only the children of ``parent`` when given."""
    return con.execute(
        "SELECT b.code, b.geometry FROM boundaries b JOIN admin_units u ON u.code = b.code "
        "WHERE b.level = ? AND b.detail = ? AND (CAST(? AS VARCHAR) IS NULL "
        "OR u.parent_code = ?) ORDER BY b.code",
        [level, detail, parent, parent]).df()


def school_points(con: duckdb.DuckDBPyConnection, level_id: str, grades: list[int],
                  year: int, province: str | None = None) -> pd.DataFrame:
    """The schools offering an education level that are open in ``year`` (optionally in
    one province), for the map: where they are, what they are, their pupils and teachers
    of that level in ``year``, and their facilities that year (NULL when they did not
    report them, or when the extract has no facilities table).

    Columns: school_id, name_en, name_local, district_code, province_code, latitude,
    longitude, has_location, ownership, locality, complete, multigrade, pupils, teachers,
    electricity, internet, computers, water, sanitation, handwashing.
    """
    facilities = ("SELECT school_id, electricity, internet, computers, "
                  "drinking_water = 'basic' AS water, "
                  "sanitation = 'basic' AND single_sex_toilets AS sanitation, "
                  "handwashing = 'basic' AS handwashing FROM facilities WHERE year = $year"
                  if has_table(con, "facilities") else
                  "SELECT NULL::VARCHAR AS school_id, NULL::BOOLEAN AS electricity, "
                  "NULL::BOOLEAN AS internet, NULL::BOOLEAN AS computers, "
                  "NULL::BOOLEAN AS water, NULL::BOOLEAN AS sanitation, "
                  "NULL::BOOLEAN AS handwashing WHERE false")
    return con.execute(f"""
        WITH offering AS (SELECT DISTINCT school_id FROM school_levels WHERE level = $level),
        pupils AS (SELECT school_id, sum(enrolled) AS pupils FROM enrolment
                   WHERE year = $year AND list_contains($grades, grade) GROUP BY school_id),
        staff AS (SELECT school_id, sum(count) AS teachers FROM teachers
                  WHERE year = $year AND level = $level GROUP BY school_id),
        fac AS ({facilities})
        SELECT s.school_id, s.name_en, s.name_local, s.district_code, s.province_code,
               s.latitude, s.longitude, coalesce(s.has_location, false) AS has_location,
               s.ownership, s.locality, s.complete, s.multigrade,
               p.pupils, t.teachers, f.electricity, f.internet, f.computers, f.water,
               f.sanitation, f.handwashing
        FROM schools s JOIN offering o USING (school_id)
        LEFT JOIN pupils p USING (school_id) LEFT JOIN staff t USING (school_id)
        LEFT JOIN fac f USING (school_id)
        WHERE (s.opened_year IS NULL OR s.opened_year <= $year)
          AND (s.closed_year IS NULL OR s.closed_year > $year)
          AND ($province IS NULL OR s.province_code = $province)
        ORDER BY s.school_id""",
        {"level": level_id, "grades": [int(g) for g in grades], "year": int(year),
         "province": province}).df()
