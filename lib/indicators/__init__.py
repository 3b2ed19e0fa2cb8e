"""Indicators: the one registry (:mod:`.registry`) and the engine that computes them
(:mod:`.engine`) over an extract.

    from lib.indicators import compute, compute_years, registry_for
    compute(con, "ger_primary", "district", 2023, by="sex")
    compute_years(con, "ger_primary", "district", [2021, 2022, 2023])  # one query
"""
from __future__ import annotations

from lib.indicators.context import ExtractContext, context, registry_for
from lib.indicators.engine import COLUMNS, compute, compute_weighted, compute_years
from lib.indicators.flags import FLAGS, join_flags, split_flags
from lib.indicators.registry import (FAMILIES, THEMES, UNITS, Indicator, IndicatorError,
                                     Registry, UnknownIndicator, build_registry,
                                     preferred_indicator)

__all__ = [
    "COLUMNS", "FAMILIES", "FLAGS", "THEMES", "UNITS", "ExtractContext", "Indicator",
    "IndicatorError", "Registry", "UnknownIndicator", "build_registry", "compute",
    "compute_weighted", "compute_years", "context", "get_indicator", "indicator_ids",
    "join_flags", "preferred_indicator", "registry_for", "split_flags",
]


def indicator_ids(con) -> list[str]:
    """Every indicator id available in the extract behind ``con``."""
    return registry_for(con).ids()


def get_indicator(con, indicator_id: str) -> Indicator:
    """One indicator of the extract's registry; UnknownIndicator lists close matches."""
    return registry_for(con).get(indicator_id)
