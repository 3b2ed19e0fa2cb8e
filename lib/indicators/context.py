"""What the engine needs to know about an open extract, read once per build and cached.

The cache is keyed on the extract's build id (stored in its ``meta`` table), so a rebuilt
extract is noticed without a restart and one connection or another to the same build share
one context.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import duckdb
import pandas as pd

from lib.country import Country, parse_country
from lib.indicators.registry import Registry, build_registry
from lib.tables import TABLES


@dataclass(frozen=True)
class ExtractContext:
    build_id: str
    country: Country
    registry: Registry
    years: tuple[int, ...]
    tables: frozenset[str]
    provinces: pd.DataFrame  # code, name_en, name_local
    districts: pd.DataFrame  # code, parent_code, name_en, name_local
    parent: Mapping[str, str]  # district code -> province code

    def has(self, table: str) -> bool:
        return table in self.tables


_CACHE: dict[str, ExtractContext] = {}
_LOCK = threading.Lock()
_MAX_CACHED = 8


def _build_id(con: duckdb.DuckDBPyConnection) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = 'build_id'").fetchone()
    return row[0] if row else ""


def _load(con: duckdb.DuckDBPyConnection, build_id: str) -> ExtractContext:
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    country = parse_country(meta["country_toml"])
    tables = frozenset(name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
    ).fetchall())
    # An optional table was given when the build made its relations' district tables.
    optional = [t.name for t in TABLES if not t.required and t.relations
                and all(r.table in tables for r in t.relations)]
    standards: list[str] = []
    if "agg_quality" in tables:
        standards = [s for (s,) in con.execute(
            "SELECT DISTINCT standard FROM agg_quality ORDER BY standard").fetchall()]
    units = con.execute(
        "SELECT code, level, parent_code, name_en, coalesce(name_local, name_en) AS name_local "
        "FROM admin_units ORDER BY code").df()
    provinces = units[units["level"] == 1][["code", "name_en", "name_local"]]
    districts = units[units["level"] == 2][["code", "parent_code", "name_en", "name_local"]]
    return ExtractContext(
        build_id=build_id,
        country=country,
        registry=build_registry(country, standards, optional),
        years=tuple(int(y) for y in json.loads(meta.get("years", "[]"))),
        tables=tables,
        provinces=provinces.reset_index(drop=True),
        districts=districts.reset_index(drop=True),
        parent=MappingProxyType(dict(zip(districts["code"], districts["parent_code"]))),
    )


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


def registry_for(con: duckdb.DuckDBPyConnection) -> Registry:
    """The registry of the extract behind ``con`` (its country, standards and tables)."""
    return context(con).registry
