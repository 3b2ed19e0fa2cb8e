"""Inequality of one indicator between areas, computed from an extract: the engine's
weighted values (:func:`lib.indicators.engine.compute_weighted`) measured by the pure
maths of :mod:`lib.equity`."""
from __future__ import annotations

import duckdb

from lib.equity import Disparity, inequality
from lib.indicators.context import context
from lib.indicators.engine import compute_weighted
from lib.indicators.registry import IndicatorError
from lib.vocabulary import DISTRICT, PROVINCE


def disparity(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str, year: int,
              area: str | None = None) -> Disparity:
    """Inequality between the provinces or districts (of ``area``, if given) of one
    indicator, weighted as contract §3 says; at district level Theil T is split between
    and within provinces. Counts are refused (IndicatorError)."""
    if level not in (PROVINCE, DISTRICT):
        raise IndicatorError(f"disparity is measured between the areas of the {PROVINCE} or "
                             f"{DISTRICT} level, not at {level} level")
    ctx = context(con)
    ind = ctx.registry.get(indicator_id)
    if ind.is_count:
        raise IndicatorError(f"{ind.id} is a count: counts have no disparity (choose a rate "
                             "or a ratio)")
    frame = compute_weighted(con, ind.id, level, year, area=area)
    usable = frame["value"].notna() & (frame["weight"] > 0)
    kept = frame[usable]
    groups = None
    if level == DISTRICT:
        groups = [ctx.parent.get(code, "") for code in kept["unit_code"]]
    result = inequality(kept["value"].to_numpy(), kept["weight"].to_numpy(), groups)
    return Disparity(ind.id, level, int(year), result, int(usable.sum()),
                     tuple(frame.loc[~usable, "unit_code"]))
