"""Inequality of one indicator between areas, computed from an extract: the engine's
weighted values (:func:`lib.indicators.engine.compute_weighted`) measured by the pure
maths of :mod:`lib.equity`."""
from __future__ import annotations

import duckdb

from lib.equity import Disparity, inequality
from lib.indicators.context import context
from lib.indicators.engine import compute_weighted
from lib.indicators.registry import IndicatorError


def disparity(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str, year: int,
              area: str | None = None) -> Disparity:
    """Inequality between the areas of one admin level (of ``area``, if given) of one
    indicator, weighted as contract §3 says; below level 1, Theil T is split between and
    within the areas one level up. Counts are refused (IndicatorError)."""
    ctx = context(con)
    if level not in ctx.country.admin_ids:
        raise IndicatorError(f"disparity is measured between the areas of an admin level "
                             f"({', '.join(ctx.country.admin_ids)}), not at {level} level")
    ind = ctx.registry.get(indicator_id)
    if ind.is_count:
        raise IndicatorError(f"{ind.id} is a count: counts have no disparity (choose a rate "
                             "or a ratio)")
    frame = compute_weighted(con, ind.id, level, year, area=area)
    usable = frame["value"].notna() & (frame["weight"] > 0)
    kept = frame[usable]
    groups = None
    number = ctx.country.admin_number(level)
    if number > 1:
        groups = [ctx.parent_of(code, number - 1) for code in kept["unit_code"]]
    result = inequality(kept["value"].to_numpy(), kept["weight"].to_numpy(), groups)
    return Disparity(ind.id, level, int(year), result, int(usable.sum()),
                     tuple(frame.loc[~usable, "unit_code"]))
