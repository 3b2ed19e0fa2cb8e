"""Wide census files turned into the contract's long tables by the package's ``mapping.toml``.

Ministries keep their census as wide spreadsheets: a row per school (or district), a column
per grade and sex (``G1_M, G1_F, …, REP_G1_M, …``). A ``[[wide]]`` entry of ``mapping.toml``
says which contract table such a file gives rows of and how its column names read:

```toml
[[wide]]
file = "census_2023.xlsx"          # a file of the package: CSV, Parquet or Excel
sheet = "Enrolment"                # Excel only (default: the sheet named like the table)
table = "enrolment"                # the contract table it gives rows of
[wide.columns]                     # contract column = the file's column, copied on every row
school_id = "SCHOOL_CODE"
[wide.values]                      # contract column = one value for every row
year = 2023
[wide.words]                       # what the words of the column names mean (optional)
sex = { B = "M", G = "F" }
[[wide.measures]]                  # a family of columns: one cell gives one value
pattern = "G{grade}_{sex}"         # {name}: a part of the column name
value = "enrolled"                 # the contract column that receives the cell
[[wide.measures]]
pattern = "G{grade}_{track}_{sex}" # {track} is no column of enrolment: summed over
value = "enrolled"
[[wide.measures]]
pattern = "SPED_{sex}"
value = "enrolled"
set = { grade = "ungraded" }       # contract columns with one value for this family
```

Placeholders match a whole part of a column name, case-insensitively: ``{grade}`` and
``{age}`` digits (or a word of ``words``), ``{age_group}`` an age group (5-9, 65+), any
other placeholder letters and digits without ``_`` (or a word of ``words``). Cells of several measures with the same keys (enrolled and
repeaters) make one long row; a placeholder that is not a column of the table is summed over;
an empty cell gives no row, a 0 gives a row of 0.

:func:`read_mapping` checks the mapping against the headers of its files (every error names
``mapping.toml``, the entry and the pattern); :func:`load_wide` reshapes the files in DuckDB
(UNPIVOT, then GROUP BY) into ``raw_<table>``, its cells kept as text so that the checks of
:mod:`lib.validate` judge them like any table's, and ``raw_<table>__source``, which names the
wide file's row and column of every long row's values for the messages.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import duckdb
import pandas as pd

from lib.problems import Problem
from lib.table_files import (MAX_LINE_BYTES, Refused, check_width, csv_header, line_too_long,
                             overlong_line, reason, unreadable)
from lib.tables import TABLE, Table

MAPPING_FILE = "mapping.toml"
SOURCE_SUFFIX = "__source"  # raw_<table>__source: where each long row's values come from
WIDE_SUFFIXES = (".csv", ".parquet", ".xlsx")
UNUSED_SHOWN = 5  # the unused-columns warning names this many
NUMBER_PLACEHOLDERS = ("grade", "age")  # match digits (or words of `words`)
# {level} matches an id of the profile, whose words may be joined by _ (lower_secondary);
# so do the ids of a dimension, a group (lao_tai), a functional domain (self_care) and an
# answer of the functioning module (a_lot)
ID_PLACEHOLDERS = ("level", "dimension", "group", "domain", "degree")
ID_TEXT = r"[^\W_]+(?:_[^\W_]+)*"
# {age_group} matches an age group as column names write it: 5-9, 5–9, 65+, 7
AGE_GROUP_TEXT = r"\d+(?:\s*[-\u2013]\s*\d+|\+)?"
MAX_MATCHED_HEADER = 200  # a longer column name is no census column: never matched

ENTRY_KEYS = ("file", "sheet", "table", "columns", "values", "words", "measures")
MEASURE_KEYS = ("pattern", "value", "set")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class Cell:
    """A column of the wide file matched by a measure: what each of its cells becomes."""

    header: str  # the column's name in the file
    position: int  # 0-based column position in the file
    measure: int  # index of the measure in its entry
    value: str  # contract column receiving the cell
    keys: Mapping[str, str]  # contract key column -> value read from the column's name
    fixed: Mapping[str, str] = field(default_factory=dict)  # key column -> its measure's `set`

    @property
    def all_keys(self) -> dict[str, str]:
        return {**self.fixed, **self.keys}


@dataclass(frozen=True)
class Entry:
    """One checked ``[[wide]]`` entry of mapping.toml."""

    number: int  # 1-based position among the [[wide]] entries
    file: str  # as written in mapping.toml
    path: Path
    sheet: str | None  # the Excel sheet read (None for CSV and Parquet)
    table: str
    headers: tuple[str, ...]  # the file's column names, trimmed
    columns: Mapping[str, int]  # contract column -> position of the file column copied
    values: Mapping[str, str]  # contract column -> constant
    cells: tuple[Cell, ...] = field(default=())

    @property
    def label(self) -> str:
        return entry_label(self.file, self.table)

    @property
    def where(self) -> str:
        """The file as messages name it (with its sheet)."""
        return f"{self.file} (sheet {self.sheet})" if self.sheet else self.file

    @property
    def first_data_row(self) -> int:
        return 1 if self.path.suffix.lower() == ".parquet" else 2

    def given_columns(self) -> list[str]:
        """The contract columns this entry gives, in the contract's order."""
        given = set(self.columns) | set(self.values)
        for cell in self.cells:
            given |= set(cell.all_keys) | {cell.value}
        return [c.name for c in TABLE[self.table].columns if c.name in given]


def entry_label(file: object, table: object) -> str:
    return f"[[wide]] {file or '?'} → {table or '?'}"


def value_columns(spec: Table) -> list[str]:
    """The columns a measure may fill: the numeric columns that are not part of the key."""
    return [c.name for c in spec.columns if c.name not in spec.key and c.kind in ("int", "float")]


def _error(message: str, kind: str = "invalid_mapping") -> Problem:
    return Problem("error", kind, message, file=MAPPING_FILE)


def _close(word: str, choices: list[str]) -> str:
    """' (did you mean X?)' when a choice is close to ``word``."""
    near = difflib.get_close_matches(word, choices, n=3, cutoff=0.6)
    if not near:
        lowered = {c.lower(): c for c in choices}
        near = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered),
                                                              n=3, cutoff=0.6)]
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def _listed(names: list[str], shown: int = UNUSED_SHOWN) -> str:
    head = ", ".join(names[:shown])
    return head + (f" and {len(names) - shown:,} more" if len(names) > shown else "")


# --- patterns ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Pattern:
    text: str
    placeholders: tuple[str, ...]
    regex: re.Pattern


def _compile(pattern: str, words: Mapping[str, Mapping[str, str]]) -> _Pattern | str:
    """The pattern as an anchored, case-insensitive regular expression; a reason when it is
    malformed."""
    parts, names, at, run = [], [], 0, 0
    for match in re.finditer(r"\{([^{}]*)\}", pattern):
        literal = pattern[at:match.start()]
        if "{" in literal or "}" in literal:
            return "it has a '{' or '}' without its pair"
        run = run + 1 if names and not literal else 1
        if run >= 3:
            return ("it has three placeholders in a row with no text between them: separate "
                    "them, e.g. {grade}_{track}_{sex}")
        name = match.group(1).strip().lower()
        if not _NAME.fullmatch(name):
            return (f"the placeholder {{{match.group(1)}}} is not a name (letters, digits and _, "
                    "e.g. {grade})")
        if name in names:
            return f"the placeholder {{{name}}} appears twice"
        names.append(name)
        mapped = sorted(words.get(name, {}), key=len, reverse=True)
        alternatives = [re.escape(w) for w in mapped]
        alternatives.append(r"\d+" if name in NUMBER_PLACEHOLDERS else
                            AGE_GROUP_TEXT if name == "age_group" else
                            ID_TEXT if name in ID_PLACEHOLDERS else r"[^\W_]+")
        parts += [re.escape(literal), f"(?P<p{len(names) - 1}>{'|'.join(alternatives)})"]
        at = match.end()
    tail = pattern[at:]
    if "{" in tail or "}" in tail:
        return "it has a '{' or '}' without its pair"
    parts.append(re.escape(tail))
    return _Pattern(pattern, tuple(names),
                    re.compile("".join(parts), re.IGNORECASE | re.UNICODE))


def _words(raw: object, where: str, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """``{placeholder: {word (lower case): meaning}}`` from a TOML table of tables."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(_error(f"{where}: words must be a table, e.g. sex = {{ B = \"M\", "
                               "G = \"F\" }"))
        return {}
    found = {}
    for name, table in raw.items():
        if not isinstance(table, dict) or not all(
                isinstance(v, (str, int)) and not isinstance(v, bool) for v in table.values()):
            problems.append(_error(f"{where}: the words of {{{name}}} must be a table of "
                                   f"word = meaning, e.g. {name} = {{ B = \"M\" }}"))
            continue
        found[name.strip().lower()] = {str(k).strip().lower(): str(v) for k, v in table.items()}
    return found


def _scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float)):
        return str(value)
    if hasattr(value, "isoformat"):  # a TOML date
        return value.isoformat()
    return None


# --- reading the files ------------------------------------------------------------------

class _Unreadable(Exception):
    pass


def _excel_sheet(path: Path, sheet: str | None, table: str) -> tuple[str, list[list]]:
    """The rows of the sheet (all of them, or only the header when read for a check), with
    the sheet's name: ``sheet``, else the one named like the table, else the first."""
    from openpyxl import load_workbook


    book = load_workbook(path, read_only=True, data_only=True)
    try:
        names = [str(n) for n in book.sheetnames]
        if sheet is not None:
            chosen = next((n for n in names if n == sheet), None) or next(
                (n for n in names if n.strip().lower() == sheet.strip().lower()), None)
            if chosen is None:
                raise _Unreadable(f"it has no sheet '{sheet}' (its sheets: {', '.join(names)})")
        else:
            chosen = next((n for n in names if n.strip().lower() == table), names[0])
        ws = book[chosen]
        check_width(ws.max_column or 0)
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        book.close()
    return chosen, rows


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    return text if text.strip() else None


def read_header(path: Path, sheet: str | None, table: str) -> tuple[list[str], str | None]:
    """The file's column names (trimmed) and the Excel sheet read; raise _Unreadable."""

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            if overlong := overlong_line(path):
                raise _Unreadable(line_too_long(overlong))
            _, names = csv_header(path)
            check_width(len(names))
            return [str(n).strip() for n in names], None
        if suffix == ".parquet":
            con = duckdb.connect()
            try:
                names = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                                   [str(path)]).fetchall()]
            finally:
                con.close()
            check_width(len(names))
            return [str(n).strip() for n in names], None
        chosen, rows = _excel_sheet(path, sheet, table)
        header = rows[0] if rows else []
        return [("" if v is None else str(v)).strip() for v in header], chosen
    except _Unreadable:
        raise
    except Refused as exc:
        raise _Unreadable(str(exc)) from exc
    except Exception as exc:  # any reader failure is the file's fault, said in words
        raise _Unreadable(f"cannot be read as a {suffix[1:].upper()} table: "
                          f"{reason(exc, path)}") from exc


def _load_file(con: duckdb.DuckDBPyConnection, entry: Entry, target: str) -> None:
    """The wide file as table ``target``, in the file's order (its rowid names the
    spreadsheet row): its columns named c0, c1, … by position (the file's own names never
    enter SQL as names), every value as text."""

    names = [f"c{i}" for i in range(len(entry.headers))]
    suffix = entry.path.suffix.lower()
    if suffix == ".csv":
        delimiter, header = csv_header(entry.path)
        if len(header) != len(names):
            raise _Unreadable("its header changed while the package was read")
        con.execute(
            f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM read_csv(?, "
            "auto_detect = false, header = true, columns = ?, delim = ?, "
            "quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            "encoding = 'utf-8', max_line_size = ?)",
            [str(entry.path), {n: "VARCHAR" for n in names}, delimiter, MAX_LINE_BYTES])
    elif suffix == ".parquet":
        actual = [r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)",
                                            [str(entry.path)]).fetchall()]
        if len(actual) != len(names):
            raise _Unreadable("its columns changed while the package was read")
        selects = ", ".join(f"CAST({_quote(a)} AS VARCHAR) AS {n}" for a, n in zip(actual, names))
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {selects} "
                    "FROM read_parquet(?)", [str(entry.path)])
    else:
        _, rows = _excel_sheet(entry.path, entry.sheet, entry.table)
        body = [[_cell_text(v) for v in r[:len(names)]] + [None] * (len(names) - len(r))
                for r in rows[1:]]
        frame = pd.DataFrame(body, columns=names, dtype=object)
        with con.cursor() as cursor:
            cursor.register("wide_frame", frame)
            casts = ", ".join(f"CAST({n} AS VARCHAR) AS {n}" for n in names)
            cursor.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT {casts} "
                           "FROM wide_frame")
            cursor.unregister("wide_frame")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- checking the mapping ---------------------------------------------------------------

def _package_files(source: Path) -> list[str]:
    return sorted(p.name for p in source.iterdir() if p.is_file())


def _check_entry(source: Path, number: int, raw: object, problems: list[Problem]
                 ) -> Entry | None:
    """One [[wide]] entry checked against its file's header; None when it has errors."""
    if not isinstance(raw, dict):
        problems.append(_error(f"[[wide]] number {number} is not a table: write it as "
                               "[[wide]] followed by file = …, table = …"))
        return None
    file, table = raw.get("file"), raw.get("table")
    label = entry_label(file, table)
    before = len(problems)

    def error(message: str) -> None:
        problems.append(_error(f"{label}: {message}"))

    for key in raw:
        if key not in ENTRY_KEYS:
            error(f"unknown key '{key}'{_close(key, list(ENTRY_KEYS))}; an entry has "
                  f"{', '.join(ENTRY_KEYS)}")
    spec = TABLE.get(table) if isinstance(table, str) else None
    if not isinstance(table, str) or not table:
        error("table is missing: name the contract table the file gives rows of, e.g. "
              "table = \"enrolment\"")
    elif spec is None:
        error(f"'{table}' is not a table of the contract{_close(table, list(TABLE))}; "
              f"the tables are {', '.join(TABLE)}")
    path = None
    if not isinstance(file, str) or not file.strip():
        error("file is missing: name the wide file of the package, e.g. file = \"census.csv\"")
    elif "\x00" in file:
        error("the file name holds a NUL character; name a file of the package")
    else:
        path = source / file
        inside = source.resolve() in path.resolve().parents
        if not inside:
            error(f"the file '{file}' is not inside the package folder; name a file of the "
                  "package, e.g. file = \"census.csv\"")
            path = None
        elif path.suffix.lower() not in WIDE_SUFFIXES:
            error(f"the file '{file}' is not CSV, Parquet or Excel (.csv, .parquet, .xlsx)")
            path = None
        elif not path.is_file():
            problems.append(Problem(
                "error", "missing_file", f"{label}: the file '{file}' named in {MAPPING_FILE} "
                f"is not in the package folder{_close(file, _package_files(source))}",
                file=MAPPING_FILE))
            path = None
    sheet = raw.get("sheet")
    if sheet is not None:
        if not isinstance(sheet, str):
            error("sheet must be the name of a sheet, in quotes")
            sheet = None
        elif path is not None and path.suffix.lower() != ".xlsx":
            error(f"sheet is for Excel files only, and {file} is not one")
    words = _words(raw.get("words"), label, problems)
    if spec is None:
        return None
    contract = [c.name for c in spec.columns]
    values_allowed = value_columns(spec)

    def contract_column(name: str, what: str) -> bool:
        if name in contract:
            return True
        error(f"{what}: '{name}' is not a column of {table}{_close(name, contract)}; its "
              f"columns are {', '.join(contract)}")
        unknown.append(name)
        return False

    given: dict[str, str] = {}  # contract column -> where it is given (for doubles)
    unknown: list[str] = []  # names of [wide.columns] / [wide.values] that are no column

    def give(name: str, where: str) -> None:
        if name in given:
            error(f"the column {name} is given twice: by {given[name]} and by {where}")
        given[name] = where

    columns_raw = raw.get("columns", {})
    values_raw = raw.get("values", {})
    columns: dict[str, str] = {}
    values: dict[str, str] = {}
    if not isinstance(columns_raw, dict) or not all(isinstance(v, str)
                                                     for v in columns_raw.values()):
        error("[wide.columns] must hold lines like school_id = \"SCHOOL_CODE\" (the file's "
              "column in quotes)")
    else:
        for name, header in columns_raw.items():
            if contract_column(name, "[wide.columns]"):
                give(name, "[wide.columns]")
                columns[name] = header.strip()
    if not isinstance(values_raw, dict):
        error("[wide.values] must hold lines like year = 2023")
    else:
        for name, value in values_raw.items():
            if contract_column(name, "[wide.values]"):
                if (text := _scalar(value)) is None:
                    error(f"[wide.values]: {name} must be one value (a number or a text)")
                    continue
                give(name, "[wide.values]")
                values[name] = text
    measures_raw = raw.get("measures")
    if not isinstance(measures_raw, list) or not measures_raw:
        error("it has no [[wide.measures]]: add one per family of columns, e.g. pattern = "
              "\"G{grade}_{sex}\" and value = \"enrolled\"")
        measures_raw = []

    measures: list[tuple[_Pattern, str, dict[str, str], dict]] = []
    for m_number, measure in enumerate(measures_raw, start=1):
        if not isinstance(measure, dict):
            error(f"measure {m_number} is not a table")
            continue
        pattern, value = measure.get("pattern"), measure.get("value")
        what = f"the pattern '{pattern}'" if isinstance(pattern, str) else f"measure {m_number}"
        m_words = dict(words)
        for key, item in measure.items():
            if key in MEASURE_KEYS:
                continue
            if isinstance(item, dict):  # the words of one placeholder
                m_words.update(_words({key: item}, f"{label}: {what}", problems))
            else:
                error(f"{what}: unknown key '{key}'{_close(key, list(MEASURE_KEYS))}; a measure "
                      "has pattern, value, set and the words of its placeholders")
        if not isinstance(pattern, str) or not pattern.strip():
            error(f"measure {m_number} has no pattern, e.g. pattern = \"G{{grade}}_{{sex}}\"")
            continue
        compiled = _compile(pattern.strip(), m_words)
        if isinstance(compiled, str):
            error(f"{what} is not a valid pattern: {compiled}")
            continue
        for name in m_words:
            if name not in compiled.placeholders and name not in words:
                error(f"{what}: words are given for {{{name}}}, which the pattern does not have")
        if not isinstance(value, str) or not value:
            error(f"{what} has no value: name the column that receives its cells, e.g. "
                  f"value = \"{values_allowed[0] if values_allowed else 'count'}\"")
            continue
        if value not in values_allowed:
            if contract_column(value, f"{what}, value"):
                error(f"{what}: value = '{value}' cannot receive cells: a measure fills a "
                      f"count of {table} ({', '.join(values_allowed) or 'none'})")
            continue
        set_raw = measure.get("set", {})
        fixed: dict[str, str] = {}
        if not isinstance(set_raw, dict):
            error(f"{what}: set must be a table, e.g. set = {{ grade = \"ungraded\" }}")
            continue
        for name, item in set_raw.items():
            if contract_column(name, f"{what}, set"):
                if (text := _scalar(item)) is None:
                    error(f"{what}, set: {name} must be one value")
                    continue
                fixed[name] = text
        bad = False
        for name in list(fixed) + [p for p in compiled.placeholders if p in contract]:
            where = "its set" if name in fixed else f"its placeholder {{{name}}}"
            if name == value or name in values_allowed:
                error(f"{what}: {where} names the count column {name}; counts come from the "
                      "cells (value = …)")
                bad = True
            elif name in given:
                error(f"the column {name} is given twice: by {given[name]} and by {what} "
                      f"({where})")
                bad = True
            elif name in fixed and name in compiled.placeholders:
                error(f"{what}: {name} is both a placeholder and in its set")
                bad = True
        for col in spec.columns:  # every required key must be given for each measure
            if (not unknown and col.required and col.name not in values_allowed
                    and col.name not in given and col.name not in fixed
                    and col.name not in compiled.placeholders):
                error(f"{what} gives no {col.name}: add {{{col.name}}} to the pattern, "
                      f"{col.name} to its set (set = {{ {col.name} = … }}), or {col.name} "
                      "under [wide.columns] or [wide.values]")
                bad = True
        if not bad:
            measures.append((compiled, value, fixed, m_words))
    for name in values_allowed:
        col = spec.column(name)
        if col.required and name not in given and not any(m[1] == name for m in measures):
            if measures:  # else the measures' own errors say enough
                error(f"no measure gives {name}: add a [[wide.measures]] with value = "
                      f"\"{name}\"")
    for name in given:
        if name in values_allowed:
            error(f"{name} is a count and comes from the cells of a measure, not from "
                  "[wide.columns] or [wide.values]")
    if path is None or len(problems) > before:
        return None

    # The file's header: every pattern and column against it.
    try:
        headers, chosen = read_header(path, sheet, table)
    except _Unreadable as exc:
        problems.append(Problem("error", "unreadable_file", str(exc),
                                file=f"{file} (sheet {sheet})" if sheet else file))
        return None
    if not any(headers):
        problems.append(Problem("error", "unreadable_file", "the file is empty: it needs a "
                                "header row naming its columns", file=file))
        return None
    shown_file = f"{file} (sheet {chosen})" if chosen else file
    lowered = [h.lower() for h in headers]
    repeated = sorted({h for h, low in zip(headers, lowered) if h and lowered.count(low) > 1})
    if repeated:
        problems.append(Problem("error", "duplicate_column",
                                f"the column {', '.join(repeated)} appears more than once in "
                                f"the header ({label})", file=shown_file, row=1,
                                column=repeated[0]))
        return None
    positions: dict[str, int] = {}
    for name, header in columns.items():
        at = next((i for i, h in enumerate(headers) if h == header), None)
        if at is None:
            at = next((i for i, low in enumerate(lowered) if low == header.lower()), None)
        if at is None:
            error(f"[wide.columns]: {name} = \"{header}\", but {shown_file} has no column "
                  f"'{header}'{_close(header, [h for h in headers if h])}")
            continue
        positions[name] = at
    matched: dict[int, list[int]] = {}  # column position -> measures matching it
    cells: list[Cell] = []
    for index, (compiled, value, fixed, m_words) in enumerate(measures):
        hits = 0
        for position, header in enumerate(headers):
            found = (compiled.regex.fullmatch(header)
                     if header and len(header) <= MAX_MATCHED_HEADER else None)
            if not found:
                continue
            hits += 1
            matched.setdefault(position, []).append(index)
            keys = {}
            for i, name in enumerate(compiled.placeholders):
                if name in contract:
                    word = found.group(f"p{i}")
                    keys[name] = m_words.get(name, {}).get(word.lower(), word)
            cells.append(Cell(header, position, index, value, keys, fixed))
        if not hits:
            error(f"the pattern '{compiled.text}' matches no column of {shown_file} "
                  f"(its columns include {_listed([h for h in headers if h])})")
    for position, indexes in matched.items():
        if len(indexes) > 1:
            names = " and ".join(f"'{measures[i][0].text}'" for i in indexes)
            error(f"the column {headers[position]} of {shown_file} is matched by two patterns, "
                  f"{names}: make the patterns tell it apart")
        if position in positions.values():
            name = next(n for n, p in positions.items() if p == position)
            error(f"the column {headers[position]} is copied to {name} ([wide.columns]) and "
                  f"also matched by the pattern '{measures[indexes[0]][0].text}'")
    doubles = {p for p, indexes in matched.items() if len(indexes) > 1}
    _check_same_keys([c for c in cells if c.position not in doubles], measures, error)
    if len(problems) > before:
        return None
    used = set(matched) | set(positions.values())
    unused = [h or f"(column {i + 1}, no name)" for i, h in enumerate(headers) if i not in used]
    if unused:
        problems.append(Problem(
            "warning", "unused_columns",
            f"{label}: {len(unused):,} column{'s' if len(unused) != 1 else ''} of {shown_file} "
            f"{'are' if len(unused) != 1 else 'is'} used by no pattern or [wide.columns] line "
            f"and left out: {_listed(unused)}", file=MAPPING_FILE))
    return Entry(number, file, path, chosen, table, tuple(headers), positions, values,
                 tuple(cells))


def _check_same_keys(cells: list[Cell], measures: list, error) -> None:
    """Two measures may not give the same count for the same keys: one of them would be a
    total of the others (G10_M beside G10_SCI_M, G10_ART_M), counted twice."""
    first: dict[tuple, Cell] = {}
    reported: set[tuple[int, int]] = set()
    for cell in cells:
        key = (cell.value, tuple(sorted(cell.all_keys.items())))
        other = first.setdefault(key, cell)
        if other.measure != cell.measure and (other.measure, cell.measure) not in reported:
            reported.add((other.measure, cell.measure))
            keys = ", ".join(f"{k} {v}" for k, v in sorted(cell.all_keys.items()))
            error(f"the columns {other.header} (pattern '{measures[other.measure][0].text}') "
                  f"and {cell.header} (pattern '{measures[cell.measure][0].text}') both give "
                  f"{cell.value} for {keys or 'the same row'}: is one of them a total of "
                  "others? Map each count once")


MAX_MAPPING_BYTES = 1_000_000  # a mapping is a few dozen lines


def read_mapping(source: Path) -> tuple[dict[str, tuple[Entry, ...]], list[Problem],
                                       dict[str, list[str]]]:
    """The package's ``mapping.toml``, checked against the headers of its files.

    Returns the tables it gives (only those whose every entry is right), every problem found
    (errors, and a warning per entry that leaves columns of its file unused), and the tables
    it names at all, with the files of their entries (so that a table whose entry is wrong
    is not also reported missing).
    """
    path = Path(source) / MAPPING_FILE
    if not path.is_file():
        return {}, [], {}
    try:
        if path.stat().st_size > MAX_MAPPING_BYTES:
            return {}, [_error(f"{MAPPING_FILE} is larger than {MAX_MAPPING_BYTES:,} bytes; a "
                               "mapping has a few dozen lines", kind="invalid_mapping")], {}
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return {}, [_error(f"{MAPPING_FILE} is not UTF-8 text; save it as UTF-8")], {}
    except tomllib.TOMLDecodeError as exc:
        return {}, [_error(f"{MAPPING_FILE} is not valid TOML: {exc}")], {}
    problems: list[Problem] = []
    for key in raw:
        if key != "wide":
            problems.append(_error(f"unknown key '{key}' in {MAPPING_FILE}{_close(key, ['wide'])}"
                                   "; it holds [[wide]] entries"))
    items = raw.get("wide", [])
    if not isinstance(items, list):
        problems.append(_error("write each entry as [[wide]] (two brackets): a mapping may "
                               "hold several"))
        items = []
    mentioned: dict[str, list[str]] = {}  # table -> the files of its entries
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("table"), str):
            mentioned.setdefault(item["table"], []).append(str(item.get("file", "?")))
    found: dict[str, list[Entry]] = {}
    failed: set[str] = set()
    for number, item in enumerate(items, start=1):
        entry = _check_entry(Path(source), number, item, problems)
        if entry is None:
            if isinstance(item, dict) and isinstance(item.get("table"), str):
                failed.add(item["table"])
        else:
            found.setdefault(entry.table, []).append(entry)
    mapped = {t: tuple(e) for t, e in found.items() if t not in failed}
    return mapped, problems, mentioned


def source_table(table: str) -> str:
    """The work table naming the wide file's row and column of each long row of
    ``raw_<table>``: ``rid`` (the long row's rowid), ``file``, ``row`` and, per contract
    column, the wide column its value came from (NULL: a constant of mapping.toml)."""
    return f"raw_{table}{SOURCE_SUFFIX}"


def load_wide(con: duckdb.DuckDBPyConnection, table: str, entries: tuple[Entry, ...]
              ) -> Problem | None:
    """Reshape the entries' files into ``raw_<table>`` (contract columns, values as text)
    and :func:`source_table`; a Problem when a file cannot be read."""
    spec = TABLE[table]
    counts = value_columns(spec)
    given = [c.name for c in spec.columns
             if any(c.name in e.given_columns() for e in entries)]
    keys = [c for c in given if c not in counts]
    parts = []
    work = []
    try:
        for k, entry in enumerate(entries):
            wide, cells = f"wide_file_{k}", f"wide_map_{k}"
            work += [wide, cells]
            try:
                _load_file(con, entry, wide)
            except _Unreadable as exc:
                return Problem("error", "unreadable_file", str(exc), file=entry.where)
            except Exception as exc:  # any reader failure is the file's fault, said in words
                return unreadable(exc, entry.path, entry.where)
            parts.append(_cell_rows(con, entry, k, wide, cells, spec))
        cell_rows = " UNION ALL BY NAME ".join(f"({p})" for p in parts)
        selects = ["entry", "row", "any_value(m_file) AS file", "min(m_pos) AS first_pos"]
        for name in keys:
            selects += [f"k_{name} AS {_quote(name)}",
                        f"arg_min(s_{name}, m_pos) AS {_quote('s_' + name)}"]
        for name in (c for c in given if c in counts):
            selects += _count_aggregates(name)
        group = ", ".join(["entry", "row", *(f"k_{n}" for n in keys)])
        con.execute(f"CREATE OR REPLACE TABLE wide_long AS SELECT {', '.join(selects)} "
                    f"FROM ({cell_rows}) GROUP BY {group}")
        work.append("wide_long")
        order = "entry, row, first_pos"
        con.execute(f"CREATE OR REPLACE TABLE raw_{table} AS SELECT "
                    f"{', '.join(_quote(c) for c in given)} FROM wide_long ORDER BY {order}")
        sources = ", ".join(f"{_quote('s_' + c)} AS {_quote(c)}" for c in given)
        con.execute(f"CREATE OR REPLACE TABLE {source_table(table)} AS SELECT "
                    f"row_number() OVER (ORDER BY {order}) - 1 AS rid, file, row, {sources} "
                    f"FROM wide_long ORDER BY {order}")
    finally:
        for name in work:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return None


def _cell_rows(con: duckdb.DuckDBPyConnection, entry: Entry, k: int, wide: str, cells: str,
               spec: Table) -> str:
    """SELECT of the entry's non-empty cells, one row each: the wide row, the cell's text,
    its column, the count it gives and the keys its column name gives; the entry's
    constants and the columns it copies ride along."""
    counts = value_columns(spec)
    keys = [c for c in entry.given_columns() if c not in counts]
    whole = {c.name: c.kind == "int" for c in spec.columns}
    frame = pd.DataFrame({
        "m_col": [f"c{c.position}" for c in entry.cells],
        "m_pos": [c.position for c in entry.cells],
        "m_src": [c.header for c in entry.cells],
        "m_target": [c.value for c in entry.cells],
        "m_whole": [whole[c.value] for c in entry.cells],
        "m_file": [entry.where] * len(entry.cells),
        **{f"k_{n}": [c.all_keys.get(n, entry.values.get(n)) for c in entry.cells]
           for n in keys if n not in entry.columns},
        **{f"s_{n}": [c.header if n in c.keys else
                      entry.headers[entry.columns[n]] if n in entry.columns else None
                      for c in entry.cells] for n in keys},
    }, dtype=object)
    frame["m_pos"] = frame["m_pos"].astype("int64")
    frame["m_whole"] = frame["m_whole"].astype(bool)
    with con.cursor() as cursor:
        cursor.register("wide_cells", frame)
        cursor.execute(f"CREATE OR REPLACE TABLE {cells} AS SELECT * REPLACE ("
                       + ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in frame.columns
                                   if c not in ("m_pos", "m_whole"))
                       + ") FROM wide_cells")
        cursor.unregister("wide_cells")
    matched = sorted({c.position for c in entry.cells})
    copies = ", ".join(f"c{p} AS k_{n}" for n, p in entry.columns.items())
    inner = ", ".join([f"rowid + {entry.first_data_row} AS row", *([copies] if copies else []),
                       *(f"c{p}" for p in matched)])
    number = "TRY_CAST(trim(u.cell) AS DOUBLE)"
    good = (f"coalesce(isfinite({number}) AND {number} >= 0 AND (NOT m.m_whole OR "
            f"{number} = floor({number})), false)")
    return (f"SELECT {k} AS entry, u.* EXCLUDE (m_col), m.* EXCLUDE (m_col), "
            f"{number} AS x, {good} AS good "
            f"FROM (UNPIVOT (SELECT {inner} FROM {wide}) ON {', '.join(f'c{p}' for p in matched)} "
            f"INTO NAME m_col VALUE cell) u JOIN {cells} m USING (m_col) "
            "WHERE trim(u.cell) <> ''")


def _count_aggregates(name: str) -> list[str]:
    """A count from its cells: the cell's text when there is one (so a bad value is judged
    as typed); the sum when several cells (of a summed placeholder) are all good counts; else
    the first bad cell. Beside it, the column(s) it came from."""
    where = f"m_target = {_literal(name)}"
    n = f"count(*) FILTER (WHERE {where})"
    all_good = f"bool_and(good) FILTER (WHERE {where})"
    total = f"sum(x) FILTER (WHERE {where})"
    shown = (f"CASE WHEN {total} = floor({total}) AND abs({total}) < 1e15 THEN "
             f"CAST(CAST({total} AS BIGINT) AS VARCHAR) ELSE CAST({total} AS VARCHAR) END")
    value = (f"CASE WHEN {n} = 1 THEN min(cell) FILTER (WHERE {where}) "
             f"WHEN {all_good} THEN {shown} "
             f"ELSE arg_min(cell, m_pos) FILTER (WHERE {where} AND NOT good) END")
    source = (f"CASE WHEN {n} = 1 THEN min(m_src) FILTER (WHERE {where}) "
              f"WHEN {all_good} THEN string_agg(m_src, '+' ORDER BY m_pos) FILTER (WHERE {where}) "
              f"WHEN {n} > 1 THEN arg_min(m_src, m_pos) FILTER (WHERE {where} AND NOT good) "
              "ELSE arg_min(m_src, m_pos) END")  # no cell: the row's other count names it
    return [f"{value} AS {_quote(name)}", f"{source} AS {_quote('s_' + name)}"]
