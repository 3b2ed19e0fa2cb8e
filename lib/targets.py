"""National targets from the package's optional ``targets`` table (contract §2): a value
of an indicator to reach by a year, from a plan (``source``)."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

COLUMNS = ["indicator", "year", "value", "source"]


@dataclass(frozen=True)
class Target:
    indicator: str
    year: int
    value: float
    source: str


def read(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every target of the extract (no rows when it has no ``targets`` table)."""
    present = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'targets'"
                          ).fetchone()[0]
    if not present:
        return pd.DataFrame(columns=COLUMNS)
    return con.execute("SELECT indicator, CAST(year AS INTEGER) AS year, "
                       "CAST(value AS DOUBLE) AS value, coalesce(source, '') AS source "
                       "FROM targets ORDER BY indicator, year").df()


def for_indicator(targets: pd.DataFrame, indicator_id: str, year: int) -> Target | None:
    """The target of ``indicator_id`` that applies in ``year``: the first one due in or
    after that year, else the last one (already due)."""
    rows = targets[targets["indicator"] == indicator_id].sort_values("year")
    if rows.empty:
        return None
    ahead = rows[rows["year"] >= int(year)]
    row = (ahead if not ahead.empty else rows.tail(1)).iloc[0]
    return Target(str(row["indicator"]), int(row["year"]), float(row["value"]),
                  str(row["source"] or ""))
