"""What the engine needs to know about an open extract, read once per build and cached.

The cache is keyed on the extract's build id (stored in its ``meta`` table), so a rebuilt
extract is noticed without a restart and one connection or another to the same build share
one context.
"""
from __future__ import annotations

import json
import threading
import weakref
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import duckdb
import pandas as pd

from lib import quality
from lib.areas import ancestors, areas_in
from lib.country import Country, country_words, parse_country
from lib.groups import GroupNames
from lib.i18n import country_words_in_use
from lib.indicators.registry import Indicator, Registry, build_registry
from lib.package import has_value
from lib.tables import REQUIRED_TABLES, TABLES, columns_needing_values


@dataclass(frozen=True)
class ExtractContext:
    build_id: str
    country: Country
    registry: Registry
    years: tuple[int, ...]
    tables: frozenset[str]
    areas: pd.DataFrame  # code, level, parent_code, name_en, name_local: every admin unit
    # admin code -> the codes of its line, level 1 first and itself last (lib.areas.ancestors)
    lines: Mapping[str, tuple[str, ...]]
    given: frozenset[str] = frozenset()  # the package tables given (required and optional)
    empty_columns: frozenset[tuple[str, str]] = frozenset()  # (table, column) without values
    # the years each table given has rows in
    table_years: Mapping[str, frozenset[int]] = field(
        default_factory=lambda: MappingProxyType({}))
    group_names: GroupNames = field(default_factory=GroupNames)  # the package's dimensions
    quality: quality.Framework = field(default_factory=quality.Framework)  # its words
    # (indicator id, level, split or "") of the frames the build stored (lib.indicators.stored)
    stored: frozenset[tuple[str, str, str]] = frozenset()
    # (level, within) -> areas_at's answer: asked for by every area indicator computed
    _areas_at: dict = field(default_factory=dict, compare=False, repr=False)
    _unit_names: dict = field(default_factory=dict, compare=False, repr=False)  # unit_names'

    def unit_names(self, national: bool, lang: str) -> dict[str, str]:
        """The names the engine gives units in ``lang``: the country's (``national``) or
        every admin unit's (code -> name)."""
        key = (national, lang)
        found = self._unit_names.get(key)
        if found is None:
            if national:
                found = {self.country.iso3: (self.country.name if lang == "en"
                                             else self.country.name_local)}
            else:
                found = dict(zip(self.areas["code"].astype(str),
                                 self.areas["name_en" if lang == "en" else "name_local"]
                                 .astype(str)))
            self._unit_names[key] = found
        return found

    def has(self, table: str) -> bool:
        return table in self.tables

    def level_of(self, area: str) -> int:
        """The admin level number of the area ``area`` (0 for an unknown code)."""
        line = self.lines.get(area)
        return len(line) if line else 0

    def parent_of(self, area: str, level: int) -> str:
        """The code of the area at admin level ``level`` that ``area`` lies in ("" when
        ``area`` is of a larger level or unknown)."""
        line = self.lines.get(area, ())
        return line[level - 1] if 0 < level <= len(line) else ""

    def areas_at(self, level: int, within: str | None = None) -> pd.DataFrame:
        """The areas of admin level ``level`` (all, or those in the area ``within``), in
        code order (one frame per question, shared: do not change it)."""
        key = (level, within)
        found = self._areas_at.get(key)
        if found is None:
            codes = areas_in(self.lines, level, within)
            found = self.areas.set_index("code", drop=False).loc[codes].reset_index(drop=True)
            self._areas_at[key] = found
        return found

    def has_values(self, table: str, column: str | None = None) -> bool:
        """Whether the package gave ``table`` (a table of the contract) and, with
        ``column``, some value in that column (only the columns some indicator or split
        needs are tracked: :func:`lib.tables.columns_needing_values`)."""
        if table not in self.given:
            return False
        return column is None or (table, column) not in self.empty_columns

    def has_data(self, indicator: Indicator, year: int) -> bool:
        """Whether the tables the indicator reads have rows in ``year`` (and, for a flow,
        the census has the next year): what a page may open on. An area may still lack
        data; the country has some."""
        if indicator.flow and int(year) + 1 not in self.years:
            return False
        return all(int(year) in self.table_years[table]
                   for table in ("enrolment", *indicator.requires) if table in self.table_years)


_CACHE: dict[str, ExtractContext] = {}
_LOCK = threading.Lock()
_MAX_CACHED = 8


# A connection reads one file for as long as it is open (a rebuilt extract is a new file,
# seen by a new connection), so its build id is read once per connection.
_BUILD_IDS: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, str]" = \
    weakref.WeakKeyDictionary()


def _build_id(con: duckdb.DuckDBPyConnection) -> str:
    with _LOCK:
        found = _BUILD_IDS.get(con)
    if found is None:
        row = con.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()
        found = row[0] if row else ""
        if found:  # a connection to an extract (not one being written)
            with _LOCK:
                _BUILD_IDS[con] = found
    return found


def _load(con: duckdb.DuckDBPyConnection, build_id: str) -> ExtractContext:
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    country = parse_country(meta["country_toml"])
    tables = frozenset(name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall())
    # An optional table was given when the build made its relations' district tables.
    optional = [t.name for t in TABLES if not t.required and t.relations
                and all(r.table in tables for r in t.relations)]
    years = tuple(int(y) for y in json.loads(meta.get("years", "[]")))
    standards: list[str] = []
    if "agg_quality" in tables:
        standards = [s for (s,) in con.execute(
            "SELECT DISTINCT standard FROM agg_quality ORDER BY standard").fetchall()]
    empty = frozenset(_empty_columns(con, tables))
    units = con.execute(
        "SELECT code, level, parent_code, name_en, coalesce(name_local, name_en) AS name_local "
        "FROM admin_units ORDER BY code").df()
    units["level"] = units["level"].astype(int)
    names = _group_names(con, tables)
    framework = quality.framework(con)
    dimensions = _dimensions(con, tables, names)
    by_population = [d for (d,) in con.execute(
        "SELECT DISTINCT dimension FROM agg_population_groups ORDER BY 1").fetchall()
    ] if "agg_population_groups" in tables else []
    return ExtractContext(
        build_id=build_id,
        country=country,
        registry=_registry(country, standards, optional, empty, years,
                           _has_ungraded(con, tables), dimensions, by_population, names,
                           framework),
        years=years,
        tables=tables,
        areas=units.reset_index(drop=True),
        lines=MappingProxyType(ancestors(units)),
        given=frozenset(REQUIRED_TABLES) | frozenset(optional) | frozenset(
            name for name, present in json.loads(meta.get("optional_tables", "{}")).items()
            if present),
        empty_columns=empty,
        table_years=MappingProxyType(_table_years(con, tables)),
        group_names=names,
        quality=framework,
        stored=frozenset(con.execute(  # lib.indicators.stored.TABLE
            "SELECT DISTINCT indicator_id, level, split FROM engine_frames").fetchall())
        if "engine_frames" in tables else frozenset(),
    )


def _group_names(con: duckdb.DuckDBPyConnection, tables: frozenset[str]) -> GroupNames:
    if "group_names" not in tables:
        return GroupNames()
    return GroupNames.from_rows(con.execute(
        'SELECT dimension, "group", name_en, name_local FROM group_names').fetchall())


def _dimensions(con: duckdb.DuckDBPyConnection, tables: frozenset[str], names: GroupNames
                ) -> dict[str, tuple[str, ...]]:
    """Each dimension of the pupils by group, with its groups (those of the pupils and of
    the population by the same dimension): in the order of group_names, then the largest
    groups first."""
    if "agg_groups" not in tables:
        return {}
    population = ("UNION ALL SELECT dimension, group_id, 0 FROM agg_population_groups "
                  "WHERE dimension IN (SELECT dimension FROM agg_groups)"
                  if "agg_population_groups" in tables else "")
    rows = con.execute(f"""
        SELECT dimension, group_id, sum(enrolled) AS pupils FROM (
            SELECT dimension, group_id, enrolled FROM agg_groups {population})
        GROUP BY ALL""").fetchall()
    order = {key: i for i, key in enumerate(names.names)}
    dimensions: dict[str, list[tuple[tuple[int, float, str], str]]] = {}
    for dimension, group, pupils in rows:
        rank = order.get((dimension, group), len(order))
        dimensions.setdefault(dimension, []).append(((rank, -float(pupils or 0), group), group))
    first = {d: order.get((d, ""), len(order)) for d in dimensions}
    return {d: tuple(g for _, g in sorted(dimensions[d]))
            for d in sorted(dimensions, key=lambda d: (first[d], d))}


def _table_years(con: duckdb.DuckDBPyConnection, tables: frozenset[str]
                 ) -> dict[str, frozenset[int]]:
    """The years each table given has rows in (read from its first relation's sums)."""
    out = {}
    for table in TABLES:
        if table.relations and table.relations[0].table in tables:
            out[table.name] = frozenset(int(y) for (y,) in con.execute(
                f"SELECT DISTINCT year FROM {table.relations[0].table}").fetchall())
    return out


def _registry(country: Country, standards: list[str], optional: list[str],
              empty: frozenset[tuple[str, str]], years: tuple[int, ...],
              ungraded: bool, dimensions: dict[str, tuple[str, ...]],
              by_population: list[str], names: GroupNames,
              framework: quality.Framework) -> Registry:
    """The extract's registry, its texts in the country's words (its admin levels' names,
    its grade names, its groups' names)."""
    with country_words_in_use(country_words(country)):
        return build_registry(country, standards, optional, empty_columns=empty,
                              years=years, ungraded=ungraded, dimensions=dimensions,
                              population_dimensions=by_population, group_names=names,
                              quality=framework)


def _empty_columns(con: duckdb.DuckDBPyConnection, tables: frozenset[str]
                   ) -> list[tuple[str, str]]:
    """The (table, column) pairs some indicator or split needs that hold no value (a table
    not given has none)."""
    empty = []
    for table, column in columns_needing_values():
        if table not in tables:
            empty.append((table, column))
            continue
        present = {name for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND table_name = ?", [table]).fetchall()}
        if column not in present or not has_value(con, table, column):
            empty.append((table, column))
    return empty


def _has_ungraded(con: duckdb.DuckDBPyConnection, tables: frozenset[str]) -> bool:
    """Whether some learners are enrolled in no grade."""
    return "agg_enrolment" in tables and bool(con.execute(
        "SELECT EXISTS (SELECT 1 FROM agg_enrolment WHERE grade IS NULL)").fetchone()[0])


def context(con: duckdb.DuckDBPyConnection) -> ExtractContext:
    """The cached context of the extract behind ``con``."""
    build_id = _build_id(con)
    with _LOCK:
        found = _CACHE.get(build_id)
    if found is not None:
        return found
    loaded = _load(con, build_id)
    with _LOCK:
        if len(_CACHE) >= _MAX_CACHED:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[build_id] = loaded
    return loaded


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the cached context of the extract behind ``con``: the build changed its tables
    after reading it."""
    build_id = _build_id(con)
    with _LOCK:
        _CACHE.pop(build_id, None)


def registry_for(con: duckdb.DuckDBPyConnection) -> Registry:
    """The registry of the extract behind ``con`` (its country, standards and tables)."""
    return context(con).registry
