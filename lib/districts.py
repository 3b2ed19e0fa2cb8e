"""What the extract says about each district beyond its name: its province and whether it
is a priority district (the ``district_attributes`` table; false when absent)."""
from __future__ import annotations

import duckdb
import pandas as pd


def attributes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Columns code, province_code, priority (bool), one row per district, by code."""
    return con.execute("SELECT district_code AS code, province_code, "
                       "coalesce(priority, false) AS priority FROM agg_districts "
                       "ORDER BY district_code").df()
