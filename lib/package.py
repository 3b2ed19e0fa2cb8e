"""Finding and loading the tables of a data package into DuckDB, untouched.

Each table may be CSV (UTF-8, comma, header row), Parquet or Excel: a file of its own
(``enrolment.csv``), or a sheet named like it in one workbook of the package (a sheet per
table, as the Load data page's template has them). Tables are loaded as
they are, every CSV value as text, into ``raw_<table>`` so that the checks of
:mod:`lib.validate` can name the spreadsheet row of every bad value (``rowid`` keeps the
file's order).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from lib.problems import Problem
from lib.table_files import (MAX_LINE_BYTES, Refused, check_width, clean_column_names,
                             csv_header, line_too_long, overlong_line, read_excel,
                             unreadable)
from lib.tables import ALL_TABLES, TABLE
from lib.wide import MAPPING_FILE, load_wide, read_mapping

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")


@dataclass(frozen=True)
class TableFile:
    table: str
    path: Path
    # The [[wide]] entries of mapping.toml that give the table (lib.wide), when it comes
    # from wide files rather than a file of its own.
    entries: tuple = field(default=(), compare=False)
    sheet: str = ""  # the table's sheet, when it is one sheet of a workbook of several tables

    @property
    def name(self) -> str:
        if self.entries:
            return ", ".join(dict.fromkeys(e.where for e in self.entries))
        if self.sheet:
            return f"{self.path.name}, sheet {self.sheet}"
        return self.path.name

    @property
    def first_data_row(self) -> int:
        """Spreadsheet row number of the first record: the header is row 1 in CSV and Excel."""
        return 1 if self.path.suffix == ".parquet" else 2


def find_tables(source: Path) -> tuple[dict[str, TableFile], list[Problem]]:
    """The package's table files, and errors for required tables missing or given twice.

    A table may instead come from wide files through ``mapping.toml`` (:mod:`lib.wide`),
    not both ways."""
    found: dict[str, TableFile] = {}
    mapped, problems, mentioned = read_mapping(source)
    wide_paths = {e.path.resolve() for entries in mapped.values() for e in entries}
    sheets, unreadable_books = _workbook_sheets(source, wide_paths)
    problems.extend(unreadable_books)
    for table in ALL_TABLES:
        candidates = [source / f"{table}{suffix}" for suffix in TABLE_SUFFIXES
                      if (source / f"{table}{suffix}").is_file()]
        if table in mentioned:
            wide_files = {e.path.resolve() for e in mapped.get(table, ())}
            own = [p for p in candidates if p.resolve() not in wide_files]
            if own:
                problems.append(Problem(
                    "error", "ambiguous_file",
                    f"the table '{table}' is given both by {own[0].name} and by {MAPPING_FILE} "
                    f"([[wide]] {' and '.join(mentioned[table])} → {table}); keep one: delete "
                    f"{own[0].name} or the [[wide]] entry", file=own[0].name))
            elif table in mapped:
                entries = mapped[table]
                found[table] = TableFile(table, entries[0].path, entries)
            continue
        candidates += [sheet for sheet in sheets.get(table, ())]
        if len(candidates) > 1:
            names = ", ".join(p.name for p in candidates)
            problems.append(Problem(
                "error", "ambiguous_file",
                f"the table '{table}' is given more than once ({names}); keep one file",
                file=candidates[0].name))
        elif candidates and isinstance(candidates[0], TableFile):
            found[table] = candidates[0]
        elif candidates:
            found[table] = TableFile(table, candidates[0])
        elif TABLE[table].required:
            problems.append(Problem(
                "error", "missing_file",
                f"the required table '{table}' is missing: add {table}.csv, {table}.parquet "
                f"or {table}.xlsx", file=f"{table}.csv"))
    return found, problems


def _workbook_sheets(source: Path, skip: set[Path]
                     ) -> tuple[dict[str, list[TableFile]], list[Problem]]:
    """The tables given as sheets of the package's other workbooks (not named like a table,
    not a wide file of mapping.toml): a sheet named like a table (case and spaces aside)
    is that table."""
    import openpyxl

    tables = set(ALL_TABLES)
    out: dict[str, list[TableFile]] = {}
    problems: list[Problem] = []
    for path in sorted(source.glob("*.xlsx")):
        if path.stem in tables or path.resolve() in skip or path.name.startswith("~$"):
            continue
        try:
            book = openpyxl.load_workbook(path, read_only=True)
            names = list(book.sheetnames)
            book.close()
        except Exception as exc:  # any reader failure is the file's fault, said in words
            problems.append(unreadable(exc, path, path.name))
            continue
        for name in names:
            if (table := name.strip().lower()) in tables:
                out.setdefault(table, []).append(TableFile(table, path, sheet=name))
    return out, problems


def _repeated_column(names: list[str], table: TableFile) -> Problem | None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if not repeated:
        return None
    return Problem("error", "duplicate_column",
                   f"the column {', '.join(repeated)} appears more than once in the header",
                   file=table.name, row=1 if table.first_data_row == 2 else None,
                   column=repeated[0])


def _normalise_headers(con: duckdb.DuckDBPyConnection, target: str, table: TableFile
                       ) -> Problem | None:
    names = [row[0] for row in con.execute(f"DESCRIBE {target}").fetchall()]
    wanted = clean_column_names(names)
    if problem := _repeated_column(wanted, table):
        return problem
    for old, new in zip(names, wanted):
        if old != new:
            con.execute(f"ALTER TABLE {target} RENAME COLUMN {_quote(old)} TO {_quote(new)}")
    return None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def load_raw(con: duckdb.DuckDBPyConnection, table: TableFile) -> Problem | None:
    """Load one table file into ``raw_<table>``; a Problem when the file cannot be read."""
    if table.entries:  # wide files reshaped by mapping.toml
        return load_wide(con, table.table, table.entries)
    target = f"raw_{table.table}"
    path = str(table.path)
    try:
        if table.path.suffix == ".csv":
            if overlong := overlong_line(table.path):
                raise Refused(line_too_long(overlong))
            delimiter, names = csv_header(table.path)
            if not names:
                return Problem("error", "unreadable_file", "the file is empty: it needs a "
                               "header row naming its columns", file=table.name)
            check_width(len(names))
            names = clean_column_names(names)
            if problem := _repeated_column(names, table):
                return problem
            con.execute(
                f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_csv(?, "
                "auto_detect = false, header = true, columns = ?, delim = ?, quote = '\"', "
                "escape = '\"', strict_mode = true, null_padding = false, encoding = 'utf-8', "
                "max_line_size = ?)",
                [path, {name: "VARCHAR" for name in names}, delimiter, MAX_LINE_BYTES])
        elif table.path.suffix == ".parquet":
            check_width(len(con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                         [path]).fetchall()))
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_parquet(?)",
                        [path])
        else:
            create_table_from_frame(con, target,
                                    read_excel(table.path, table.sheet or table.table))
    except Refused as exc:
        return Problem("error", "unreadable_file", str(exc), file=table.name)
    except Exception as exc:  # any reader failure is the file's fault, said in words
        return unreadable(exc, table.path, table.name)
    return _normalise_headers(con, target, table)


def create_table_from_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                            select: str = "*", order_by: str = "") -> None:
    """``CREATE OR REPLACE TABLE table AS SELECT select FROM frame [ORDER BY order_by]``.

    Runs on a cursor of its own, so a result that ``con`` has not read to the end is no
    obstacle to registering the frame.
    """
    order = f" ORDER BY {order_by}" if order_by else ""
    with con.cursor() as cursor:
        cursor.register("frame", frame)
        cursor.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {select} FROM frame{order}")


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM raw_{table}").fetchone()[0])


def raw_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE raw_{table}").fetchall()]


def has_value(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether a typed table's column (both named by the contract) holds a value."""
    return bool(con.execute(
        f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE "{column}" IS NOT NULL)').fetchone()[0])

