"""Reading one table file of a package (CSV, Parquet or Excel) safely: bounds on its size
and width checked before it is read, and a reader's failure said in a data officer's
words. :mod:`lib.package` loads a table's own file with it, :mod:`lib.wide` the wide files
of ``mapping.toml``.
"""
from __future__ import annotations

import codecs
import csv
import re
from pathlib import Path

import pandas as pd

from lib.problems import Problem, short_detail

# Bounds on what a table file may hold, so that no file stalls or bloats the build: a
# table has a few dozen columns, a line a few hundred characters.
MAX_COLUMNS = 1_000
MAX_LINE_BYTES = 2_000_000
SCAN_CHUNK_BYTES = 1 << 20  # read at a time to look for overlong lines; below MAX_LINE_BYTES


def read_excel(path: Path, table: str) -> pd.DataFrame:
    """The sheet named like the table (case and spaces aside) if there is one, else the
    first sheet; its width is checked (from the sheet's stated dimensions) before it is
    read."""
    wanted = table.strip().lower()
    with pd.ExcelFile(path, engine="openpyxl") as book:
        names = [str(n) for n in book.sheet_names]
        sheet = next((n for n in names if n.strip().lower() == wanted), names[0])
        check_width(book.book[sheet].max_column or 0)
        frame = pd.read_excel(book, sheet_name=sheet, dtype=str, keep_default_na=False)
    return frame.replace({"": None})


class Refused(Exception):
    """A table file refused before it is read, with the reason in plain words."""


def csv_header(path: Path) -> tuple[str, list[str]]:
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


def overlong_line(path: Path) -> int | None:
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


def line_too_long(line: int) -> str:
    if line == 1:
        return (f"its first line (the header) is longer than {MAX_LINE_BYTES:,} bytes: does "
                "the file lack its line breaks?")
    return (f"row {line:,} is longer than {MAX_LINE_BYTES:,} bytes: no value of a table is "
            "that long (a line break missing, or a cell pasted by mistake?)")


def check_width(n_columns: int) -> None:
    if n_columns > MAX_COLUMNS:
        raise Refused(f"it has {n_columns:,} columns, more than the {MAX_COLUMNS:,} a table "
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
        return line_too_long(int(line.group(1)))
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


def reason(exc: Exception, path: Path) -> str:
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


def unreadable(exc: Exception, path: Path, file: str) -> Problem:
    """The error of a file a reader failed on (any failure is the file's fault), in words."""
    return Problem("error", "unreadable_file",
                   f"cannot be read as a {path.suffix[1:].upper()} table: {reason(exc, path)}",
                   file=file)
