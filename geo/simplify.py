"""Simplify admin polygons for the map, level by level, as a coverage.

Simplifying each polygon on its own (``simplify(preserve_topology=True)``) moves the two
copies of a shared border differently and opens gaps between neighbours; simplifying a
whole level as a coverage (``shapely.coverage_simplify``) moves each shared border once.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import repair_polygons

__all__ = ["DETAIL_TOLERANCES", "COORDINATE_DECIMALS", "simplify_coverage", "simplify_levels"]

DETAIL_TOLERANCES: dict[str, float] = {"high": 0.002, "medium": 0.015, "low": 0.04}
"""Simplification tolerance in degrees per map detail (0.015 degrees is about 1.6 km, about
one screen pixel when a whole country of 1,000 km fills the map).

"high" is for one province drilled into, "medium" for the whole country's districts,
"low" for overviews. Measured on the 148 geoBoundaries districts of Lao PDR as GeoJSON with
5-decimal coordinates (code only): about 620 KB at "high" (one province's share is
about 40 KB), 145 KB at "medium" (budget: 250 KB), 70 KB at "low"."""

COORDINATE_DECIMALS = 5
"""Decimals kept in longitude/latitude: about 1 m, far below what a map shows."""


def _valid_polygonal(geoms: np.ndarray) -> np.ndarray:
    """True where a geometry is a valid, non-empty polygon or multipolygon with area."""
    return (
        shapely.is_valid(geoms)
        & ~shapely.is_empty(geoms)
        & np.isin(shapely.get_type_id(geoms), (3, 6))
        & (shapely.area(geoms) > 0)
    )


def _simplify_one_level(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Coverage-simplify one level's polygons; anything that comes out broken is redone alone."""
    out = geoms.copy()
    usable = _valid_polygonal(geoms)
    if tolerance <= 0 or not usable.any():
        return out
    coverage = geoms[usable]
    if not shapely.coverage_is_valid(coverage):
        # Real files overlap a little or leave slivers; cleaning makes the shared borders
        # identical so coverage_simplify can move each of them once.
        try:
            cleaned = shapely.coverage_clean(coverage, gap_width=tolerance)
            if _valid_polygonal(cleaned).all():
                coverage = cleaned
        except shapely.errors.GEOSException:
            pass
    try:
        simplified = shapely.coverage_simplify(coverage, tolerance)
    except shapely.errors.GEOSException:
        simplified = shapely.simplify(coverage, tolerance, preserve_topology=True)
    bad = ~_valid_polygonal(simplified)
    if bad.any():
        simplified[bad] = shapely.simplify(geoms[usable][bad], tolerance, preserve_topology=True)
        still_bad = ~_valid_polygonal(simplified)
        simplified[still_bad] = geoms[usable][still_bad]
    out[usable] = simplified
    return out


def simplify_coverage(units: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoSeries:
    """Simplified geometry of ``units``, each admin ``level`` simplified as one coverage.

    Neighbours keep sharing their borders. Input that is not a clean coverage is cleaned
    first; a polygon the simplification would break or empty is simplified on its own, and
    failing that kept as it was, so a non-empty input never comes back empty or invalid.
    Returns a GeoSeries aligned with ``units``.
    """
    geoms = np.asarray(units.geometry.values, dtype=object)
    out = geoms.copy()
    if "level" in units.columns:
        levels = units["level"].to_numpy()
        for level in pd.unique(levels):
            rows = np.flatnonzero(levels == level)
            out[rows] = _simplify_one_level(geoms[rows], tolerance)
    else:
        out = _simplify_one_level(geoms, tolerance)
    return gpd.GeoSeries(out, index=units.index, crs=units.crs)


def _round(geoms: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Coordinates rounded to :data:`COORDINATE_DECIMALS`.

    Plain rounding moves the two copies of a shared vertex identically, so the coverage
    survives (snap-rounding with set_precision nodes each polygon on its own). The rare
    polygon that rounding makes invalid is repaired, or rounded from ``fallback``.
    """
    rounded = shapely.transform(geoms, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    rounded = shapely.remove_repeated_points(rounded, 0.0)
    bad = ~_valid_polygonal(rounded)
    if bad.any():
        rounded[bad] = repair_polygons(rounded[bad])
        bad = ~_valid_polygonal(rounded)
    if bad.any():
        rounded[bad] = shapely.set_precision(fallback[bad], 10.0 ** -COORDINATE_DECIMALS)
        bad = ~_valid_polygonal(rounded)
        rounded[bad] = fallback[bad]
    return rounded


def simplify_levels(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per unit and detail of :data:`DETAIL_TOLERANCES` (column ``detail``).

    Each level is simplified as a coverage and coordinates are rounded to 5 decimals; all
    other columns of ``units`` are kept. Geometry is valid and non-empty wherever the input
    was.
    """
    crs = units.crs if units.crs is not None else "EPSG:4326"
    base = units.reset_index(drop=True)
    original = np.asarray(base.geometry.values, dtype=object)
    frames = []
    for detail, tolerance in DETAIL_TOLERANCES.items():
        simplified = np.asarray(simplify_coverage(base, tolerance).values, dtype=object)
        frame = base.drop(columns=base.geometry.name).assign(detail=detail)
        frames.append(gpd.GeoDataFrame(
            frame, geometry=gpd.GeoSeries(_round(simplified, original), crs=crs), crs=crs))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)
