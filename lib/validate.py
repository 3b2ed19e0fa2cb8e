"""Checks that stop a build: structure, types, ranges, duplicates and references.

Each table of the package is declared once, in :data:`lib.tables.TABLES`. The checks run as SQL
over the raw tables loaded by :mod:`lib.package`, so they stay fast on millions of rows, and
every bad value is reported with its file, spreadsheet row and column.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb
import numpy as np

from lib.age_groups import parse_age_group
from lib.country import Country
from lib.i18n import DEFAULT_LANG, country_words, lower_word, t
from lib.package import TableFile, find_tables, load_raw, raw_columns, row_count
from lib.problems import ProblemLog
from lib.tables import (AREA_KEY, SCHOOL_KEY, TABLE, TABLES, Column, Table, tables_for,
                        tables_with, year_column)
from lib.vocabulary import (ANY_DOMAIN, CFM_DEGREES, CFM_FREQUENCIES, CFM_HOW_OFTEN_DOMAINS,
                            DIMENSION_ID, PUPIL_TEACHER_RATIO, SEXES)

ROWS_LISTED_PER_CHECK = 50  # beyond this, one line says how many more rows share the problem
VALUE_SHOWN_CHARS = 40  # a message quotes at most this much of a value
STRAY_YEAR_SHARE = 0.1  # an enrolment year with fewer schools than this share of the others'
STRAY_APART_SHARE = 0.5  # … or, two years or more from the others, fewer than this share

TRUE_WORDS = ("1", "1.0", "true", "t", "yes", "y")
FALSE_WORDS = ("0", "0.0", "false", "f", "no", "n")


def quote(identifier: str) -> str:
    """A column name from a file, quoted for SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def _text(column: str) -> str:
    return f"NULLIF(trim(CAST({quote(column)} AS VARCHAR)), '')"


def _number(column: str) -> str:
    """The column's text as a number: NULL when it is not one; it may be infinite or NaN."""
    return f"TRY_CAST({_text(column)} AS DOUBLE)"


def _checked_number(col: Column) -> str:
    """The column's number when it passes the column's own checks (finite, within its
    range), else NULL: what checks across rows and tables compare, so that a bad value is
    reported once, by its own check, and never overflows a cast."""
    number = _number(col.name)
    conditions = [f"isfinite({number})"]
    if col.minimum is not None:
        conditions.append(f"{number} >= {col.minimum}")
    if col.maximum is not None:
        conditions.append(f"{number} <= {col.maximum}")
    return f"CASE WHEN {' AND '.join(conditions)} THEN {number} END"


def _is_numeric(col: Column) -> bool:
    return col.kind in ("int", "float") or (col.kind == "choice" and col.sql_type == "INTEGER")


def _key_expression(col: Column) -> str:
    """A key column's value as rows are compared for duplicates: numbers by value ("2022.0"
    and "2022" are one year) without a cast that could overflow, other text as typed."""
    return _number(col.name) if _is_numeric(col) else typed_expression(col)


def _excerpt(value_sql: str) -> str:
    """SQL quoting a value in a message: at most VALUE_SHOWN_CHARS characters of it, NUL
    characters written as \\0."""
    shown = f"replace({value_sql}, chr(0), '\\0')"
    return (f"CASE WHEN length({value_sql}) > {VALUE_SHOWN_CHARS} THEN "
            f"left({shown}, {VALUE_SHOWN_CHARS}) || '…' ELSE {shown} END")


def _bound(value: float) -> str:
    """A column's limit in a message: 2100, 0.5, 1,000,000,000,000."""
    return f"{value:,.0f}" if value >= 1e4 and float(value).is_integer() else f"{value:g}"


def _sql_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _is_int(col: Column) -> bool:
    return col.kind == "int" or col.sql_type == "INTEGER"


def typed_expression(col: Column) -> str:
    """SQL turning the raw column into its clean, typed value (after the checks passed)."""
    text = _text(col.name)
    if col.kind == "int":
        return f"CAST(round(TRY_CAST({text} AS DOUBLE)) AS {col.sql_type or 'INTEGER'})"
    if col.kind == "float":
        return f"TRY_CAST({text} AS DOUBLE)"
    if col.kind == "flag":
        return (f"CASE WHEN lower({text}) IN {_sql_list(TRUE_WORDS)} THEN true "
                f"WHEN lower({text}) IN {_sql_list(FALSE_WORDS)} THEN false END")
    if col.kind == "choice":
        if col.sql_type == "INTEGER":
            return f"CAST(round(TRY_CAST({text} AS DOUBLE)) AS INTEGER)"
        if col.choices == SEXES:
            return f"upper({text})"
        return f"lower({text})"
    if col.kind == "level_list":
        return f"lower(replace({text}, ' ', ''))"
    if col.kind == "id":
        return f"lower({text})"
    return text


class _Checker:
    """Runs the checks of one table and logs what it finds."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: TableFile, log: ProblemLog):
        self.con = con
        self.table = table
        self.log = log
        self.raw = f"raw_{table.table}"
        # A table reshaped from wide files (lib.wide): its rows are named by the wide file's
        # row and column, kept in raw_<table>__source.
        self.source = f"{self.raw}__source" if table.entries else ""

    def located(self, rowids: list[int], column: str) -> dict[int, tuple[str, int | None, str]]:
        """rowid -> (file, row, column) where a reshaped table's row came from; a column
        given by a constant of mapping.toml is named there. Empty for an ordinary table."""
        if not self.source or not rowids:
            return {}
        known = {r[0] for r in self.con.execute(f"DESCRIBE {self.source}").fetchall()}
        named = quote(column) if column in known else "NULL"
        found = {}
        for rid, file, row, name in self.con.execute(
                f"SELECT rid, file, row, {named} FROM {self.source} "
                "WHERE rid IN (SELECT unnest(?))", [list(rowids)]).fetchall():
            found[rid] = ((file, int(row), name or column) if name or column not in known
                          else ("mapping.toml", None, column))
        return found

    def rows(self, kind: str, condition: str, column: str, describe,
             value_sql: str | None = None) -> None:
        """Log one error per raw row meeting ``condition``; ``describe(value)`` says why.

        ``value`` is the column's text, or what ``value_sql`` selects."""
        first = self.table.first_data_row
        total = self.con.execute(f"SELECT count(*) FROM {self.raw} WHERE {condition}").fetchone()[0]
        if not total:
            return
        value_sql = value_sql or _excerpt(f"CAST({quote(column)} AS VARCHAR)")
        listed = self.con.execute(
            f"SELECT rowid + {first} AS row, {value_sql} AS value, rowid "
            f"FROM {self.raw} WHERE {condition} ORDER BY rowid LIMIT {ROWS_LISTED_PER_CHECK}"
        ).fetchall()
        located = self.located([rowid for _, _, rowid in listed], column)
        for row, value, rowid in listed:
            file, row, where = located.get(rowid, (self.table.name, int(row), column))
            self.log.error(kind, describe(value), file=file, row=row, column=where)
        if total > len(listed):
            self.log.error(kind, f"and {total - len(listed):,} more rows with the same problem "
                                 f"in column {column}", file=self.table.name, column=column)

    def columns_with(self, columns: list[str], condition: Callable[[str], str]) -> list[str]:
        """The ``columns`` in which some value meets ``condition(column)``, found in one pass
        over the table turned into (column, value) rows: a check of many columns then looks
        row by row only where there is something to find. (One query with a condition per
        column takes seconds for a thousand columns; this takes milliseconds.)"""
        if not columns:
            return []
        values = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in columns)
        found = {name for (name,) in self.con.execute(
            f"SELECT DISTINCT name FROM (UNPIVOT (SELECT {values} FROM {self.raw}) "
            f"ON COLUMNS(*) INTO NAME name VALUE value) WHERE {condition('value')}").fetchall()}
        return [c for c in columns if c in found]


def _check_column(checker: _Checker, col: Column) -> None:
    text = _text(col.name)
    if not col.nullable:
        checker.rows("missing_value", f"{text} IS NULL", col.name,
                     lambda v, c=col.name: f"{c} is empty; a value is required")
    if _is_numeric(col):
        number = _number(col.name)
        finite = f"isfinite({number})"
        word = "a whole number" if _is_int(col) else "a number"
        if col.words:
            word += " or " + " or ".join(f"'{w}'" for w in col.words)
        checker.rows("wrong_type", f"{text} IS NOT NULL AND {number} IS NULL"
                     f"{_not_a_word(text, col)}", col.name,
                     lambda v, w=word: f"'{v}' is not {w}")
        _check_finite(checker, col.name, col.nullable)
        if _is_int(col):
            checker.rows("wrong_type", f"{finite} AND {number} <> floor({number})",
                         col.name, lambda v: f"'{v}' is not a whole number")
        if col.minimum is not None:
            negative = col.minimum == 0
            checker.rows("negative_count" if negative else "out_of_range",
                         f"{finite} AND {number} < {col.minimum}", col.name,
                         lambda v, c=col: (f"{c.name} {v} is negative" if c.minimum == 0 else
                                           f"{c.name} {v} is below {_bound(c.minimum)}"))
        if col.maximum is not None:
            checker.rows("out_of_range", f"{finite} AND {number} > {col.maximum}", col.name,
                         lambda v, c=col: f"{c.name} {v} is above {_bound(c.maximum)}")
    if col.kind == "choice":
        if col.sql_type == "INTEGER":  # whole numbers of any size: none may overflow the cast
            whole = f"CAST(TRY_CAST(round({_number(col.name)}) AS BIGINT) AS VARCHAR)"
            condition = (f"isfinite({_number(col.name)}) AND "
                         f"coalesce({whole} NOT IN {_sql_list(col.choices)}, true)")
        else:
            condition = (f"{text} IS NOT NULL AND lower({text}) NOT IN "
                         f"{_sql_list(tuple(c.lower() for c in col.choices))}")
        kind = {"sex": "unknown_sex", "grade": "unknown_grade", "level": "unknown_level"}.get(
            col.name, "unknown_value")
        checker.rows(kind, condition, col.name,
                     lambda v, c=col: f"{c.name} '{v}' is not one of "
                                      f"{', '.join(c.choices + c.words)}")
    if col.kind == "id":
        checker.rows("wrong_type", f"{text} IS NOT NULL AND NOT regexp_full_match(lower({text}), "
                     f"'{DIMENSION_ID}')", col.name,
                     lambda v, c=col.name: f"{c} '{v}' is not an id: write it in lowercase "
                                           "letters, digits and _ (e.g. home_language), "
                                           "starting with a letter")
    if col.reserved:
        checker.rows("reserved_name", f"lower({text}) IN {_sql_list(col.reserved)}",
                     col.name, lambda v, c=col.name: f"{c} '{v}' is a name the explorer uses "
                                                     "itself; call it something else (e.g. "
                                                     f"{str(v).lower()}_group)")
    if col.kind == "flag":
        words = _sql_list(TRUE_WORDS + FALSE_WORDS)
        checker.rows("wrong_type", f"{text} IS NOT NULL AND lower({text}) NOT IN {words}",
                     col.name, lambda v, c=col.name: f"{c} '{v}' must be 0 or 1")
    if col.kind == "level_list":
        condition = (f"{text} IS NOT NULL AND len(list_filter(string_split(lower(replace({text}, "
                     f"' ', '')), ';'), lambda x: x <> '' AND x NOT IN "
                     f"{_sql_list(col.choices)})) > 0")
        checker.rows("unknown_level", condition, col.name,
                     lambda v, c=col: f"levels '{v}' names a level that is not in country.toml "
                                      f"({', '.join(c.choices)})")
        empty = (f"{text} IS NOT NULL AND len(list_filter(string_split(replace({text}, ' ', ''), "
                 f"';'), lambda x: x <> '')) = 0")
        checker.rows("missing_value", empty, col.name,
                     lambda v: f"levels '{v}' names no level; list level ids separated by ';'")


def _not_a_word(text: str, col: Column) -> str:
    """SQL: ``AND`` the value is not one of the column's words (none: nothing)."""
    if not col.words:
        return ""
    return f" AND lower({text}) NOT IN {_sql_list(tuple(w.lower() for w in col.words))}"


def _not_finite(column: str) -> str:
    return f"NOT isfinite({_number(column)})"


def _check_finite(checker: _Checker, column: str, nullable: bool) -> None:
    """Infinite and not-a-number values (``inf``, ``-inf``, ``nan``, ``1e400``) of a
    numeric column: no count, rate or coordinate can be one."""
    empty = ", or leave the cell empty when the value is unknown" if nullable else ""
    checker.rows("not_finite", _not_finite(column), column,
                 lambda v: f"'{v}' is infinite or not a number; write the value in "
                           f"digits{empty}")


def _check_numeric_attributes(checker: _Checker, spec: Table, columns: list[str]) -> None:
    """The package's extra numeric columns hold finite numbers too (they may be empty)."""
    for column in checker.columns_with(_numeric_attributes(checker, spec, columns),
                                       _not_finite):
        _check_finite(checker, column, nullable=True)


def _check_nul_characters(checker: _Checker, columns: list[str]) -> None:
    """Values holding a NUL character (byte 0, left by broken exports; invisible in a
    spreadsheet, and it cuts text short in other programs): refused, never stripped."""
    def holds_nul(column: str) -> str:
        return f"contains(CAST({quote(column)} AS VARCHAR), chr(0))"

    for column in checker.columns_with(columns, holds_nul):
        checker.rows("nul_character", holds_nul(column), column, lambda v, c=column: (
            f"{c} '{v}' holds a NUL character (shown as \\0: an invisible control character "
            "a broken export leaves); remove it"))


def _check_duplicates(checker: _Checker, spec: Table, present: set[str]) -> None:
    """Rows repeating a key, compared as typed values ("2022.0" and "2022" are one year)."""
    key = [c for c in spec.columns if c.name in spec.key and c.name in present]
    if not key:
        return
    cols = ", ".join(_key_expression(c) for c in key)
    first = checker.table.first_data_row
    repeats = (f"SELECT rowid + {first} AS row, first_row FROM (SELECT rowid, "
               f"min(rowid) OVER (PARTITION BY {cols}) + {first} AS first_row, "
               f"count(*) OVER (PARTITION BY {cols}) AS n FROM {checker.raw}) WHERE n > 1 "
               f"AND rowid + {first} <> first_row")
    total = checker.con.execute(f"SELECT count(*) FROM ({repeats})").fetchone()[0]
    listed = checker.con.execute(f"{repeats} ORDER BY row LIMIT {ROWS_LISTED_PER_CHECK}"
                                 ).fetchall()
    what = ", ".join(c.name for c in key)
    located = checker.located([int(r) - first for pair in listed for r in pair], what)
    said = set()  # rows reshaped from one wide row repeat its message: said once
    for row, first_row in listed:
        file, row, _ = located.get(int(row) - first, (checker.table.name, int(row), what))
        first_file, first_row, _ = located.get(int(first_row) - first, (file, first_row, what))
        if (file, row, first_file, first_row) in said:
            continue
        said.add((file, row, first_file, first_row))
        of = f" of {first_file}" if first_file != file else ""
        checker.log.error("duplicate_key", f"the same {what} as row {int(first_row):,}{of}",
                          file=file, row=row, column=what)
    if total > len(listed):
        checker.log.error("duplicate_key", f"and {total - len(listed):,} more rows repeating a "
                          f"{what}", file=checker.table.name, column=what)


def _settle_unit_columns(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Whose rows a fact table holds, from the columns that name them: a column of
    ``school_id`` or ``district_code`` without a single value is as if absent (the template
    writes both); when rows name their school, the register says where it is, and a
    ``district_code`` beside it is left out (it must not split one school's rows)."""
    spec = TABLE[name]
    if name == "schools" or not (spec.has(SCHOOL_KEY) and spec.has(AREA_KEY)):
        return  # the register itself, or a table of one kind of rows
    for key in (SCHOOL_KEY, AREA_KEY):
        if key in raw_columns(con, name) and not con.execute(
                f"SELECT EXISTS (SELECT 1 FROM raw_{name} WHERE {_text(key)} IS NOT NULL)"
        ).fetchone()[0]:
            con.execute(f"ALTER TABLE raw_{name} DROP COLUMN {quote(key)}")
    if {SCHOOL_KEY, AREA_KEY} <= set(raw_columns(con, name)):
        con.execute(f"ALTER TABLE raw_{name} DROP COLUMN {quote(AREA_KEY)}")


def _names_schools(con: duckdb.DuckDBPyConnection, loaded: dict[str, TableFile]) -> bool:
    """Whether the enrolment (loaded before the schools) is by school: then the schools
    table is required (a package of area totals has none)."""
    return "enrolment" in loaded and SCHOOL_KEY in raw_columns(con, "enrolment")


def _check_units(con: duckdb.DuckDBPyConnection, tables: dict[str, TableFile],
                 log: ProblemLog) -> None:
    """Whose rows the fact tables are: schools of the register (``school_id``), or, in a
    package without a schools table, areas of level 2 (``district_code``: area totals, such
    as a yearbook's). Tables about schools themselves need the register."""
    register = "schools" in tables
    words = country_words().fields(DEFAULT_LANG)
    area2 = lower_word(words["level2"])
    for name, table in tables.items():
        spec = TABLE[name]
        columns = set(raw_columns(con, name))
        if not spec.has(SCHOOL_KEY) or name == "schools":
            continue
        if register and SCHOOL_KEY not in columns:
            log.error("missing_column", f"the required column '{SCHOOL_KEY}' is missing",
                      file=table.name, column=SCHOOL_KEY)
        elif not register and not spec.has(AREA_KEY):
            log.error("missing_file", f"the {name} table describes schools, and the package "
                      "has no schools table: add schools.csv, or leave this table out",
                      file=table.name)
        elif not register and SCHOOL_KEY in columns:
            log.error("missing_file", f"the {name} table names schools ({SCHOOL_KEY}), and "
                      f"the package has no schools table: add schools.csv, or give totals "
                      f"by {area2} ({AREA_KEY})", file=table.name, column=SCHOOL_KEY)
        elif not register and AREA_KEY not in columns:
            log.error("missing_column", f"the required column '{AREA_KEY}' is missing (the "
                      f"package has no schools table, so its rows are {area2} totals)",
                      file=table.name, column=AREA_KEY)
        elif not register:
            _Checker(con, table, log).rows(
                "missing_value", f"{_text(AREA_KEY)} IS NULL", AREA_KEY,
                lambda v: f"{AREA_KEY} is empty; a value is required")


def _admin_level_is(number: int) -> str:
    """SQL: the raw admin unit's level is ``number`` (as the file wrote it)."""
    return f"TRY_CAST(trim(CAST(level AS VARCHAR)) AS DOUBLE) = {int(number)}"


def _word(words: dict[str, str], number: int) -> str:
    """The lower-case name of admin level ``number`` in ``words`` (the country words)."""
    return lower_word(words.get(f"admin{number}") or t("filters.admin_level.level_n",
                                                           DEFAULT_LANG, n=number))


def _check_references(con: duckdb.DuckDBPyConnection, tables: dict[str, TableFile],
                      log: ProblemLog, finest: int) -> None:
    """Codes that point to nothing: parents one level up, schools, the finest areas (which
    schools, population and area totals name); level 1 has no parent."""
    def refers(table: str, column: str, target_sql: str, what: str,
               extra: str = "TRUE") -> None:
        if table not in tables or column not in raw_columns(con, table):
            return
        checker = _Checker(con, tables[table], log)
        text = _text(column)
        checker.rows("unknown_reference",
                     f"{text} IS NOT NULL AND ({extra}) AND {text} NOT IN ({target_sql})",
                     column, lambda v: f"{column} '{v}' is not {what}")

    def units_of(number: int) -> str:
        return ("SELECT trim(CAST(code AS VARCHAR)) FROM raw_admin_units WHERE "
                f"{_admin_level_is(number)}")

    schools = ("SELECT trim(CAST(school_id AS VARCHAR)) FROM raw_schools" if "schools" in tables
               else "SELECT NULL")  # a package of area totals: no school can be named
    words = country_words().fields(DEFAULT_LANG)  # the country's names of its levels
    checker = _Checker(con, tables["admin_units"], log)
    for number in range(1, finest + 1):
        if number == 1:
            checker.rows("unexpected_value", f"{_admin_level_is(1)} AND "
                         f"{_text('parent_code')} IS NOT NULL", "parent_code",
                         lambda v: f"a {_word(words, 1)} (level 1) has no parent: parent_code "
                                   f"'{v}' should be empty")
            continue
        upper, lower = _word(words, number - 1), _word(words, number)
        refers("admin_units", "parent_code", units_of(number - 1),
               f"the code of a {upper} in admin_units", extra=_admin_level_is(number))
        checker.rows("missing_value", f"{_admin_level_is(number)} AND "
                     f"{_text('parent_code')} IS NULL", "parent_code",
                     lambda v, lower=lower, upper=upper, number=number:
                     f"a {lower} (level {number}) needs the code of its {upper} in "
                     "parent_code")
    area2 = _word(words, finest)
    for table in tables_with("school_id", besides="schools"):
        refers(table, "school_id", schools, "a school in schools")
    for table in tables_with("district_code"):
        refers(table, "district_code", units_of(finest), f"the code of a {area2} in admin_units")


def _check_code_widths(con: duckdb.DuckDBPyConnection, table: TableFile,
                       log: ProblemLog) -> None:
    """Codes of one level all made of digits but of different lengths (1 … 18) have most
    likely lost their leading zeros to a spreadsheet: a warning, as codes are text."""
    code, level = _text("code"), _text("level")
    rows = con.execute(f"""
        SELECT {level} AS level, min(length({code})) AS shortest, max(length({code})),
               {_excerpt(f"arg_min({code}, length({code}))")},
               {_excerpt(f"arg_max({code}, length({code}))")}
        FROM raw_admin_units WHERE {code} IS NOT NULL GROUP BY ALL
        HAVING bool_and(regexp_full_match({code}, '[0-9]+'))
           AND min(length({code})) < max(length({code}))
        ORDER BY level""").fetchall()
    for level, shortest, longest, short_code, long_code in rows:
        log.warn("codes_without_leading_zeros",
                 {"level": level, "shortest": shortest, "longest": longest,
                  "short_code": short_code, "long_code": long_code},
                 file=table.name, column="code")


def _check_population_ages(checker: _Checker, present: set[str]) -> None:
    """Each population row has a single age or an age group that can be read."""
    if not present & {"age", "age_group"}:
        checker.log.error("missing_column", "the population needs an 'age' column (single "
                          "ages) or an 'age_group' column (5-9, 10-14, …)",
                          file=checker.table.name, column="age")
        return
    age = _text("age") if "age" in present else "NULL"
    if "age_group" not in present:
        checker.rows("missing_value", f"{age} IS NULL", "age",
                     lambda v: "age is empty; a value is required")
        return
    group = _text("age_group")
    checker.rows("missing_value", f"{age} IS NULL AND {group} IS NULL", "age_group",
                 lambda v: "the row has neither an age nor an age group")
    checker.rows("ambiguous_age", f"{age} IS NOT NULL AND {group} IS NOT NULL", "age_group",
                 lambda v: f"the row has both an age and an age group ('{v}'): give one")
    texts = [text for (text,) in checker.con.execute(
        f"SELECT DISTINCT {group} FROM {checker.raw} WHERE {group} IS NOT NULL").fetchall()]
    unreadable = tuple(text for text in texts if parse_age_group(text) is None)
    if unreadable:
        checker.rows("wrong_type", f"{group} IN {_sql_list(unreadable)}", "age_group",
                     lambda v: f"age group '{v}' cannot be read: write it as 5-9, 10-14, "
                               "65+ or a single age")


def _check_functioning_answers(checker: _Checker) -> None:
    """Anxiety and depression are answered by how often (daily, weekly…), the other
    domains by how much difficulty (some, a lot, cannot do at all); ``any`` takes either,
    and must be given: each pupil with a difficulty once, which the domains cannot tell."""
    domain, degree = f"lower({_text('domain')})", f"lower({_text('degree')})"
    if not checker.con.execute(f"SELECT EXISTS (SELECT 1 FROM {checker.raw} "
                               f"WHERE {domain} = '{ANY_DOMAIN}')").fetchone()[0]:
        checker.log.error(
            "missing_value", f"no row has the domain '{ANY_DOMAIN}': give, for each school, "
            f"grade and sex, the pupils with a difficulty in at least one domain (each pupil "
            f"once, with the highest degree), as rows of domain '{ANY_DOMAIN}'; the domains "
            "cannot be added up, as one pupil may have difficulties in several",
            file=checker.table.name, column="domain")
    often = _sql_list(CFM_HOW_OFTEN_DOMAINS)
    checker.rows("unknown_value", f"{domain} IN {often} AND {degree} IN {_sql_list(CFM_DEGREES)}",
                 "degree", lambda v: f"'{v[1]}' answers how much difficulty; {v[0]} is "
                                     f"answered by how often ({', '.join(CFM_FREQUENCIES)})",
                 value_sql=f"[{domain}, {degree}]")
    checker.rows("unknown_value", f"{domain} NOT IN {often} AND {domain} <> '{ANY_DOMAIN}' "
                                  f"AND {degree} IN {_sql_list(CFM_FREQUENCIES)}",
                 "degree", lambda v: f"'{v[1]}' answers how often; {v[0]} is answered by how "
                                     f"much difficulty ({', '.join(CFM_DEGREES)})",
                 value_sql=f"[{domain}, {degree}]")


def _check_repeaters(con: duckdb.DuckDBPyConnection, table: TableFile, log: ProblemLog) -> None:
    enrolled = _checked_number(TABLE["enrolment"].column("enrolled"))
    repeaters = _checked_number(TABLE["enrolment"].column("repeaters"))
    _Checker(con, table, log).rows(
        "repeaters_above_enrolled", f"{repeaters} > {enrolled}", "repeaters",
        lambda v: f"repeaters {v[0]:g} > enrolled {v[1]:g}",
        value_sql=f"[{repeaters}, {enrolled}]")


def _stray_years(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, float]]:
    """Enrolment years that look like typos: year -> (its schools, the median of the other
    years'). A year is stray when it has under a tenth of the schools of the other years, or
    lies two years or more from every other year with under half of them. (A register that
    grows, a first census that covered a fifth of the schools, stays a census year.)"""
    columns = raw_columns(con, "enrolment")
    unit = next((key for key in (SCHOOL_KEY, AREA_KEY) if key in columns), None)
    if unit is None:  # reported by _check_units
        return {}
    counts = dict(con.execute(
        f"SELECT {_checked_number(year_column())} AS y, count(DISTINCT {_text(unit)}) "
        f"FROM raw_enrolment WHERE y IS NOT NULL GROUP BY y").fetchall())
    stray = {}
    for year, n in counts.items():
        others = [m for y, m in counts.items() if y != year]
        if not others:
            continue
        median = float(np.median(others))
        apart = min(abs(year - y) for y in counts if y != year) >= 2
        if n < STRAY_YEAR_SHARE * median or (apart and n < STRAY_APART_SHARE * median):
            stray[int(year)] = (int(n), median)
    return stray


def _units_word(con: duckdb.DuckDBPyConnection, n: int) -> str:
    """What the enrolment counts: schools, or areas in a package of area totals."""
    unit = "school" if SCHOOL_KEY in raw_columns(con, "enrolment") else "area"
    return unit if n == 1 else unit + "s"


def _check_years(con: duckdb.DuckDBPyConnection, tables: dict[str, TableFile],
                 log: ProblemLog) -> None:
    """School tables must describe census years: the years that have enrolment, none of
    them a typo (:func:`_stray_years`)."""
    year = _checked_number(year_column())
    census = f"SELECT DISTINCT {year} AS y FROM raw_enrolment WHERE y IS NOT NULL"
    span = con.execute(f"SELECT min(y), max(y) FROM ({census})").fetchone()
    if span[0] is None:
        return
    for stray, (n, median) in sorted(_stray_years(con).items()):
        _Checker(con, tables["enrolment"], log).rows(
            "stray_year", f"{year} = {stray}", "year",
            lambda v, n=n, median=median: (
                f"year {v} has enrolment from only {n:,} {_units_word(con, n)}, "
                f"against {median:,.0f} in the other years: a typo? Correct the year, or "
                "leave that year's rows out"))
    for table in (t.name for t in TABLES if t.census_years):
        if table not in tables:
            continue
        checker = _Checker(con, tables[table], log)
        checker.rows("year_without_census", f"{year} IS NOT NULL AND {year} NOT IN ({census})",
                     "year", lambda v: f"year {v} has no enrolment rows (enrolment covers "
                                       f"{int(span[0])}–{int(span[1])})")


def check_tables(con: duckdb.DuckDBPyConnection, source: Path, country: Country,
                 log: ProblemLog) -> dict[str, TableFile]:
    """Load every table of the package and log every error; return the tables found."""
    tables, problems = find_tables(source)
    log.extend(problems)
    specs = tables_for(country)
    loaded: dict[str, TableFile] = {}
    for name, table in tables.items():
        problem = load_raw(con, table)
        if problem:
            log.add(problem)
            continue
        _settle_unit_columns(con, name)
        columns = raw_columns(con, name)
        present = set(columns)
        spec = specs[name]
        missing = [c.name for c in spec.columns if c.required and c.name not in present]
        for column in missing:
            log.error("missing_column", f"the required column '{column}' is missing",
                      file=table.name, column=column)
        if missing:
            continue
        if not row_count(con, name):
            if TABLE[name].required or (name == "schools" and _names_schools(con, loaded)):
                log.error("empty_table", "the table has a header but no rows", file=table.name)
            else:  # an optional table left empty (as `template` writes it) is not given
                continue
        loaded[name] = table
        checker = _Checker(con, table, log)
        _check_nul_characters(checker, columns)
        for col in spec.columns:
            if col.name in present:
                _check_column(checker, col)
        _check_numeric_attributes(checker, spec, columns)
        _check_duplicates(checker, spec, present)
        if name == "enrolment" and "repeaters" in present:
            _check_repeaters(con, table, log)
        if name == "population":
            _check_population_ages(checker, present)
        if name == "functioning":
            _check_functioning_answers(checker)
    if "admin_units" in loaded:
        _check_code_widths(con, loaded["admin_units"], log)
    if "enrolment" in loaded:
        _check_units(con, loaded, log)
    if "admin_units" in loaded:
        _check_references(con, loaded, log, len(country.admin_levels))
    if "enrolment" in loaded:
        _check_years(con, loaded, log)
    _check_quality(con, loaded, log)
    return loaded


QUALITY_TABLES = ("quality_framework", "quality_scale", "quality_levels", "quality_assessment")


def _check_quality(con: duckdb.DuckDBPyConnection, tables: dict[str, TableFile],
                   log: ProblemLog) -> None:
    """A quality framework that holds together (lib.quality): the tables an assessment
    needs, each item under a criterion under a standard, ids that point to something, a
    scale with a better and a worse rating, and a lowest level every school reaches."""
    given = [name for name in QUALITY_TABLES if name in tables]
    if not given:
        return
    for name in given:
        for needed in ("quality_framework", "quality_scale"):
            if needed not in tables and name in ("quality_assessment", "quality_levels"):
                log.error("missing_file", f"{name} needs the table {needed} (the framework's "
                          "standards, criteria and items, and its rating scale)",
                          file=tables[name].name)
    if "quality_assessment" in tables and "quality" in tables:
        log.error("unexpected_value", "give either the quality table (a result per "
                  "standard) or quality_assessment (ratings of a framework's items), not "
                  "both: the build writes quality from the assessment",
                  file=tables["quality"].name)
    if "quality_framework" in tables:
        _check_framework(_Checker(con, tables["quality_framework"], log))
    if "quality_scale" in tables:
        checker = _Checker(con, tables["quality_scale"], log)
        if con.execute(f"SELECT count(DISTINCT {_number('points')}) FROM {checker.raw}"
                       ).fetchone()[0] < 2:
            log.error("missing_value", "the rating scale needs at least two ratings with "
                      "different points (higher is better)", file=checker.table.name,
                      column="points")
    if "quality_levels" in tables:
        checker = _Checker(con, tables["quality_levels"], log)
        present = set(raw_columns(con, "quality_levels"))
        minimum, needed = (_text(c) if c in present else "NULL"
                           for c in ("min_score", "standards_met"))
        rank, lowest = _number("rank"), f"(SELECT min({_number('rank')}) FROM {checker.raw})"
        checker.rows("unexpected_value", f"{rank} = {lowest} AND ({minimum} IS NOT NULL OR "
                     f"{needed} IS NOT NULL)", "min_score",
                     lambda v: f"level '{v}' has the lowest rank, which every assessed school "
                               "reaches: leave its min_score and standards_met empty",
                     value_sql=_text("level"))
        checker.rows("duplicate_key", f"{rank} IN (SELECT {rank} FROM {checker.raw} "
                     f"GROUP BY ALL HAVING count(*) > 1)", "rank",
                     lambda v: f"rank {v} is given to more than one level")
        if "quality_framework" in tables and "standards_met" in present:
            standards = tuple(s for (s,) in con.execute(
                f"SELECT DISTINCT lower({_text('standard')}) FROM raw_quality_framework "
                f"WHERE {_text('criterion')} IS NULL AND {_text('item')} IS NULL "
                f"AND {_text('standard')} IS NOT NULL").fetchall()) or ("",)
            checker.rows("unknown_reference", f"""len(list_filter(regexp_split_to_array(
                trim(lower(coalesce({needed}, ''))), '[\\s,;]+'),
                lambda x: x <> '' AND x NOT IN {_sql_list(standards)})) > 0""", "standards_met",
                         lambda v: f"standards_met '{v}' names a standard that is not in "
                                   "quality_framework")
    if "quality_assessment" in tables:
        checker = _Checker(con, tables["quality_assessment"], log)
        for column, target, sql in (
                ("item", "an item of quality_framework",
                 f"SELECT lower({_text('item')}) FROM raw_quality_framework "
                 f"WHERE {_text('item')} IS NOT NULL" if "quality_framework" in tables
                 else ""),
                ("rating", "a rating of quality_scale",
                 f"SELECT lower({_text('rating')}) FROM raw_quality_scale"
                 if "quality_scale" in tables else "")):
            if sql:
                checker.rows("unknown_reference", f"{_text(column)} IS NOT NULL AND "
                             f"lower({_text(column)}) NOT IN ({sql})", column,
                             lambda v, c=column, t=target: f"{c} '{v}' is not {t}")


def _check_framework(checker: _Checker) -> None:
    """Each row names a standard, a criterion of a standard or an item of a criterion;
    the parts it belongs to are named, item ids are unique, every standard has items."""
    raw = checker.raw
    standard, criterion, item = (f"lower({_text(c)})" for c in ("standard", "criterion",
                                                                 "item"))
    checker.rows("missing_value", f"{item} IS NOT NULL AND {criterion} IS NULL", "criterion",
                 lambda v: f"item '{v}' needs its criterion", value_sql=item)
    standards = f"SELECT {standard} FROM {raw} WHERE {criterion} IS NULL AND {item} IS NULL"
    checker.rows("unknown_reference", f"{criterion} IS NOT NULL AND {standard} NOT IN "
                 f"({standards})", "standard",
                 lambda v: f"standard '{v}' has no row of its own naming it (a row with "
                           "empty criterion and item)")
    criteria = (f"SELECT [{standard}, {criterion}] FROM {raw} WHERE {criterion} IS NOT NULL "
                f"AND {item} IS NULL")
    checker.rows("unknown_reference", f"{item} IS NOT NULL AND {criterion} IS NOT NULL AND "
                 f"[{standard}, {criterion}] NOT IN ({criteria})", "criterion",
                 lambda v: f"criterion '{v}' has no row of its own naming it (a row with its "
                           "standard and an empty item)", value_sql=criterion)
    checker.rows("duplicate_key", f"{item} IN (SELECT {item} FROM {raw} WHERE {item} IS NOT "
                 "NULL GROUP BY ALL HAVING count(*) > 1)", "item",
                 lambda v: f"item '{v}' appears more than once: an item id names one item "
                           "of the whole framework", value_sql=item)
    checker.rows("missing_value", f"{criterion} IS NULL AND {item} IS NULL AND {standard} "
                 f"NOT IN (SELECT {standard} FROM {raw} WHERE {item} IS NOT NULL)", "standard",
                 lambda v: f"standard '{v}' has no items: its score cannot be computed",
                 value_sql=standard)
    if "census_check" in set(raw_columns(checker.con, checker.table.table)):
        check = f"lower({_text('census_check')})"
        checker.rows("unexpected_value", f"{check} IS NOT NULL AND {item} IS NULL",
                     "census_check", lambda v: f"census_check '{v}' is for an item's row")
        limit = (_text("census_limit")
                 if "census_limit" in set(raw_columns(checker.con, checker.table.table))
                 else "NULL")
        checker.rows("missing_value", f"{check} = '{PUPIL_TEACHER_RATIO}' AND {limit} IS NULL",
                     "census_limit", lambda v: "an item checked against the pupil-teacher "
                                               "ratio needs its norm in census_limit")


def _attributes(spec: Table, columns: list[str]) -> list[str]:
    """The package's extra columns of a table, beyond the contract's and those the build
    computes."""
    known = {c.name for c in spec.columns} | set(spec.computed)
    return [c for c in columns if c not in known]


def _numeric_attributes(checker: _Checker, spec: Table, columns: list[str]) -> list[str]:
    """The extra columns kept as numbers: every value of them is one."""
    extras = _attributes(spec, columns)
    text = set(checker.columns_with(
        extras, lambda c: f"{_text(c)} IS NOT NULL AND {_number(c)} IS NULL"))
    return [c for c in extras if c not in text]


def create_typed_tables(con: duckdb.DuckDBPyConnection, country: Country,
                        tables: dict[str, TableFile], log: ProblemLog) -> None:
    """Turn every checked raw table into its typed table.

    Extra columns are kept as attributes: as numbers when every value is one, else as text.
    A column named like one the build computes is set aside with a warning.
    """
    specs = tables_for(country)
    for name, table in tables.items():
        spec = specs[name]
        present = raw_columns(con, name)
        selects = []
        for col in spec.columns:
            if col.name in present:
                expr = typed_expression(col)
            else:
                expr = f"CAST(NULL AS {_sql_type(col)})"
            selects.append(f"{expr} AS {quote(col.name)}")
        for aside in (c for c in present if c in spec.computed):
            log.warn("column_set_aside", {"column": aside}, file=table.name, column=aside)
        numeric = _numeric_attributes(_Checker(con, table, log), spec, present)
        for extra in _attributes(spec, present):
            expr = _number(extra) if extra in numeric else _text(extra)
            selects.append(f"{expr} AS {quote(extra)}")
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {', '.join(selects)} "
                    f"FROM raw_{name} ORDER BY rowid")
        con.execute(f"DROP TABLE raw_{name}")
    for name in specs.keys() - tables.keys():
        # An optional table not given: its typed table exists without rows, so that every
        # query of the extract runs; the build records which tables were given.
        columns = ", ".join(f"CAST(NULL AS {_sql_type(c)}) AS {quote(c.name)}"
                            for c in specs[name].columns)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT {columns} WHERE false")


def _sql_type(col: Column) -> str:
    return col.sql_type or {"int": "INTEGER", "float": "DOUBLE",
                            "flag": "BOOLEAN"}.get(col.kind, "VARCHAR")
