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
