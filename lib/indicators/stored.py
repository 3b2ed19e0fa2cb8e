"""Engine frames computed at build time and stored in the extract.

A profile report reads some two hundred frames (every indicator of its sections, for the
area's level and the country, by sex, locality, priority and the package's dimensions);
computing them takes the engine two to three seconds, every time a process starts. The
build computes those frames, and the Quality page's frames of areas, once, every year at once
(:func:`lib.report.frames_to_store`), and stores them in one table (:func:`write`); the engine
then answers a request for one of them (every area of a level, no ``area`` filter) by reading
its rows, names put back in the language asked for. What is stored is exactly what the engine
computes (a test compares every stored frame with a fresh computation); a request for anything
else is computed as before.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

TABLE = "engine_frames"
Key = tuple[str, str, "str | None"]  # indicator id, level, split (None: no split)


def write(con: duckdb.DuckDBPyConnection, frames: Iterable[tuple[Key, pd.DataFrame]]) -> int:
    """Store each frame (every year of it, as :func:`lib.indicators.compute_years` gives it)
    in the extract being built on ``con``. Returns the number of rows stored."""
    from lib.indicators.context import forget
    from lib.package import create_table_from_frame

    parts = [frame.drop(columns="unit_name").assign(
        indicator_id=indicator_id, level=level, split=by or "", seq=range(len(frame)))
        for (indicator_id, level, by), frame in frames]
    if not parts:
        return 0
    rows = pd.concat(parts, ignore_index=True)
    # In the order reads ask for them: a read of one frame skips the other row groups.
    create_table_from_frame(con, TABLE, rows, """
        CAST(indicator_id AS VARCHAR) AS indicator_id, CAST(level AS VARCHAR) AS level,
        CAST(split AS VARCHAR) AS split, CAST(year AS INTEGER) AS year,
        CAST(seq AS INTEGER) AS seq, CAST(unit_code AS VARCHAR) AS unit_code,
        CAST("group" AS VARCHAR) AS "group", CAST(value AS DOUBLE) AS value,
        CAST(numerator AS DOUBLE) AS numerator, CAST(denominator AS DOUBLE) AS denominator,
        CAST(flags AS VARCHAR) AS flags""", "indicator_id, level, split, seq")
    forget(con)  # the context read before the table was there
    return len(rows)


_READ = 'year, unit_code, "group", value, numerator, denominator, flags'


def read(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str,
         years: Sequence[int], by: str | None, names: Mapping[str, str]) -> pd.DataFrame:
    """The stored frame of ``indicator_id`` at ``level`` (split ``by``) for ``years``, as
    :func:`lib.indicators.compute_years` gives it, with the unit names of ``names`` (code ->
    name in the language asked for). Only for a frame the build stored (the extract's
    context lists them: ``ExtractContext.stored``)."""
    in_years = ", ".join("?" for _ in years)
    columns = _columns(con.execute(
        f"SELECT {_READ} FROM {TABLE} WHERE indicator_id = ? AND level = ? AND split = ? "
        f"AND year IN ({in_years}) ORDER BY seq",
        [indicator_id, level, by or "", *map(int, years)]).fetchnumpy())
    return _frame(columns, slice(None), names)


class Year:
    """Every frame stored for one year, read in one query: what a batch of reports reads
    (a frame at a time, :func:`read` costs a query each)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, year: int):
        self._spans: dict[tuple[str, str, str], slice] = {}
        self._columns: dict[str, np.ndarray] = {}
        if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                           "current_database() AND table_name = ?", [TABLE]).fetchone()[0]:
            return
        found = _columns(con.execute(
            f"SELECT indicator_id, level, split, {_READ} FROM {TABLE} WHERE year = ? "
            "ORDER BY indicator_id, level, split, seq", [int(year)]).fetchnumpy())
        keys = [found.pop(c) for c in ("indicator_id", "level", "split")]
        self._columns = found
        n = len(found["year"])
        if not n:
            return
        starts = np.zeros(n, dtype=bool)
        starts[0] = True
        for column in keys:
            starts[1:] |= column[1:] != column[:-1]
        first = np.flatnonzero(starts).tolist()
        for start, stop in zip(first, first[1:] + [n]):
            self._spans[(keys[0][start], keys[1][start], keys[2][start])] = slice(start, stop)

    def get(self, indicator_id: str, level: str, by: str | None, names: Mapping[str, str]
            ) -> pd.DataFrame | None:
        """The stored frame (None: not stored), as :func:`read` gives it."""
        rows = self._spans.get((indicator_id, level, by or ""))
        return None if rows is None else _frame(self._columns, rows, names)


def _columns(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A query's columns as plain arrays: numbers NaN where NULL, texts as objects."""
    columns = {}
    for key, values in arrays.items():
        if isinstance(values, np.ma.MaskedArray):
            values = (values.astype("float64").filled(np.nan) if values.dtype.kind == "f"
                      else values.data)
        columns[key] = (np.asarray(values, dtype=object) if values.dtype.kind in "OUS"
                        else values)
    return columns


def _frame(columns: Mapping[str, np.ndarray], rows: slice, names: Mapping[str, str]
           ) -> pd.DataFrame:
    """The engine's frame (lib.indicators.COLUMNS, in its order) of ``rows``."""
    codes = columns["unit_code"][rows]
    return pd.DataFrame({
        "unit_code": codes,
        "unit_name": np.array([names.get(code, code) for code in codes], dtype=object),
        "year": np.asarray(columns["year"][rows], dtype="int64"),
        "group": columns["group"][rows],
        "value": np.asarray(columns["value"][rows], dtype="float64"),
        "numerator": np.asarray(columns["numerator"][rows], dtype="float64"),
        "denominator": np.asarray(columns["denominator"][rows], dtype="float64"),
        "flags": columns["flags"][rows],
    })
