"""Finding and loading the tables of a data package into DuckDB, untouched.

Each table may be CSV (UTF-8, comma, header row), Parquet or Excel. Tables are loaded as
they are, every CSV value as text, into ``raw_<table>`` so that the checks of
:mod:`lib.validate` can name the spreadsheet row of every bad value (``rowid`` keeps the
file's order).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from lib.problems import Problem

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")

REQUIRED_TABLES = ("admin_units", "schools", "enrolment", "teachers")
OPTIONAL_TABLES = ("facilities", "population", "district_attributes", "quality", "targets")
ALL_TABLES = REQUIRED_TABLES + OPTIONAL_TABLES


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def first_data_row(self) -> int:
        """Spreadsheet row number of the first record: the header is row 1 in CSV and Excel."""
        return 1 if self.path.suffix == ".parquet" else 2


def find_tables(source: Path) -> tuple[dict[str, TableFile], list[Problem]]:
    """The package's table files, and errors for required tables missing or given twice."""
    found: dict[str, TableFile] = {}
    problems: list[Problem] = []
    for table in ALL_TABLES:
        candidates = [source / f"{table}{suffix}" for suffix in TABLE_SUFFIXES
                      if (source / f"{table}{suffix}").is_file()]
        if len(candidates) > 1:
            names = ", ".join(p.name for p in candidates)
            problems.append(Problem(
                "error", "ambiguous_file",
                f"the table '{table}' is given more than once ({names}); keep one file",
                file=candidates[0].name))
        elif candidates:
            found[table] = TableFile(table, candidates[0])
        elif table in REQUIRED_TABLES:
            problems.append(Problem(
                "error", "missing_file",
                f"the required table '{table}' is missing: add {table}.csv, {table}.parquet "
                f"or {table}.xlsx", file=f"{table}.csv"))
    return found, problems


def _read_excel(path: Path) -> pd.DataFrame:
    frame = pd.read_excel(path, sheet_name=0, dtype=str, keep_default_na=False,
                          engine="openpyxl")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame.replace({"": None})


def load_raw(con: duckdb.DuckDBPyConnection, table: TableFile) -> Problem | None:
    """Load one table file into ``raw_<table>``; a Problem when the file cannot be read."""
    target = f"raw_{table.table}"
    path = str(table.path)
    try:
        if table.path.suffix == ".csv":
            con.execute(
                f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_csv(?, header = true, "
                "all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
                "strict_mode = true, null_padding = false, encoding = 'utf-8')", [path])
        elif table.path.suffix == ".parquet":
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_parquet(?)",
                        [path])
        else:
            frame = _read_excel(table.path)
            con.register("excel_frame", frame)
            try:
                con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM excel_frame")
            finally:
                con.unregister("excel_frame")
    except (duckdb.Error, OSError, ValueError, KeyError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Problem("error", "unreadable_file",
                       f"cannot be read as a {table.path.suffix[1:].upper()} table: {reason}",
                       file=table.name)
    return None


def raw_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE raw_{table}").fetchall()]
