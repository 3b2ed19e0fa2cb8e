"""Finding and loading the tables of a data package into DuckDB, untouched.

Each table may be CSV (UTF-8, comma, header row), Parquet or Excel. Tables are loaded as
they are, every CSV value as text, into ``raw_<table>`` so that the checks of
:mod:`lib.validate` can name the spreadsheet row of every bad value (``rowid`` keeps the
file's order).
"""
from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from lib.problems import Problem, short_detail
from lib.tables import ALL_TABLES, TABLE

TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")


# Bounds on what a table file may hold, so that no file stalls or bloats the build: a
# table has a few dozen columns, a line a few hundred characters.
MAX_COLUMNS = 1_000
MAX_LINE_BYTES = 2_000_000
SCAN_CHUNK_BYTES = 1 << 20  # read at a time to look for overlong lines; below MAX_LINE_BYTES


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
        elif TABLE[table].required:
            problems.append(Problem(
                "error", "missing_file",
                f"the required table '{table}' is missing: add {table}.csv, {table}.parquet "
                f"or {table}.xlsx", file=f"{table}.csv"))
    return found, problems


def _read_excel(path: Path, table: str) -> pd.DataFrame:
    """The sheet named like the table if there is one, else the first sheet; its width is
    checked (from the sheet's stated dimensions) before it is read."""
    with pd.ExcelFile(path, engine="openpyxl") as book:
        names = [str(n) for n in book.sheet_names]
        sheet = next((n for n in names if n.strip().lower() == table), names[0])
        _check_width(book.book[sheet].max_column or 0)
        frame = pd.read_excel(book, sheet_name=sheet, dtype=str, keep_default_na=False)
    return frame.replace({"": None})


class _Refused(Exception):
    """A table file refused before it is read, with the reason in plain words."""


def _csv_header(path: Path) -> tuple[str, list[str]]:
    """The delimiter and the column names of a CSV file.

    Comma as the contract says, or the semicolon or tab a spreadsheet in another locale
    writes: whichever the header line holds most of. Reading the header here, rather than
    letting DuckDB sniff it, makes a row with too many values an error instead of a file
    read the wrong way. At most MAX_LINE_BYTES characters are read.
    """
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        first = handle.readline(MAX_LINE_BYTES)
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    names = next(csv.reader([first], delimiter=delimiter), []) if first.strip() else []
    return delimiter, names


def _overlong_line(path: Path) -> int | None:
    """The number of the first line longer than MAX_LINE_BYTES, or None; the file is read a
    chunk at a time. (DuckDB refuses such a line, but skips without a word one that
    outgrows its read buffer, taking the rows after it along.)"""
    run = 0  # bytes since the last line break
    line = 1
    after_cr = False
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK_BYTES):
            first = re.search(rb"[\r\n]", chunk)
            if run + (first.start() if first else len(chunk)) > MAX_LINE_BYTES:
                return line
            if first is None:
                run += len(chunk)
                continue
            # line breaks: \n, \r\n or a lone \r (a pair split between chunks counts once)
            line += (chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
                     - (after_cr and chunk.startswith(b"\n")))
            run = len(chunk) - 1 - max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            after_cr = chunk.endswith(b"\r")
    return None


def _line_too_long(line: int) -> str:
    if line == 1:
        return (f"its first line (the header) is longer than {MAX_LINE_BYTES:,} bytes: does "
                "the file lack its line breaks?")
    return (f"row {line:,} is longer than {MAX_LINE_BYTES:,} bytes: no value of a table is "
            "that long (a line break missing, or a cell pasted by mistake?)")


def _check_width(n_columns: int) -> None:
    if n_columns > MAX_COLUMNS:
        raise _Refused(f"it has {n_columns:,} columns, more than the {MAX_COLUMNS:,} a table "
                       "may have: delete the empty columns after the data")


def _csv_reason(text: str) -> str | None:
    """DuckDB's CSV error in a data officer's words, when it is about one row; never the
    row itself, which may be megabytes long."""
    line = re.search(r"CSV Error on Line: (\d+)", text)
    if not line:
        return None
    row = f"row {int(line.group(1)):,}"
    if counts := re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text):
        return (f"{row} has {counts.group(2)} values where the header "
                f"has {counts.group(1)} columns (a stray separator or quote?)")
    if "Maximum line size" in text:
        return _line_too_long(int(line.group(1)))
    if "unterminated quote" in text:
        return f"{row} opens a quote (\") that is never closed"
    return f"{row} cannot be read as CSV (check its quotes and separators)"


def _parquet_reason(text: str) -> str | None:
    if "magic bytes" in text or "too small to be a Parquet file" in text:
        return ("it is not a complete Parquet file (cut short, or not Parquet at all): export "
                "it again")
    return None


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _reason(exc: Exception, path: Path) -> str:
    suffix = path.suffix
    if suffix == ".csv" and not _is_utf8(path):
        return "it is not UTF-8 text; save it as \"CSV UTF-8\" and try again"
    text = str(exc).strip()
    if suffix == ".csv" and (plain := _csv_reason(text)):
        return plain
    if suffix == ".parquet" and (plain := _parquet_reason(text)):
        return plain
    detail = short_detail(text) or type(exc).__name__
    if suffix == ".xlsx":
        return f"it is not a readable Excel workbook (.xlsx) ({detail})"
    return detail


def clean_column_names(names: list[str]) -> list[str]:
    """Column names as the contract spells them: trimmed and in lower case.

    A column called ``rowid`` would hide DuckDB's row number, which names rows in messages;
    it is kept as ``rowid_``.
    """
    cleaned = [str(n).strip().lower() or f"column_{i + 1}" for i, n in enumerate(names)]
    return ["rowid_" if n == "rowid" else n for n in cleaned]


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
    target = f"raw_{table.table}"
    path = str(table.path)
    try:
        if table.path.suffix == ".csv":
            if overlong := _overlong_line(table.path):
                raise _Refused(_line_too_long(overlong))
            delimiter, names = _csv_header(table.path)
            if not names:
                return Problem("error", "unreadable_file", "the file is empty: it needs a "
                               "header row naming its columns", file=table.name)
            _check_width(len(names))
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
            _check_width(len(con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                         [path]).fetchall()))
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_parquet(?)",
                        [path])
        else:
            create_table_from_frame(con, target, _read_excel(table.path, table.table))
    except _Refused as exc:
        return Problem("error", "unreadable_file", str(exc), file=table.name)
    except Exception as exc:  # any reader failure is the file's fault, said in words
        return Problem("error", "unreadable_file",
                       f"cannot be read as a {table.path.suffix[1:].upper()} table: "
                       f"{_reason(exc, table.path)}", file=table.name)
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
