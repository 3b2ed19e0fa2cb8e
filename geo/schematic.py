"""Schematic provinces and districts for the demo, when no real boundaries are given.

Provinces are the Voronoi cells of their capitals inside a rough country outline; each
province is cut into its districts by the Voronoi cells of seed points inside it (the first
district at the capital). The map is obviously schematic, yet every area sits where its
capital is, districts tile their province exactly and neighbours share borders.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.sample import points_in_polygon

__all__ = ["schematic_boundaries"]

_CRS = "EPSG:4326"
_CANDIDATES_PER_SEED = 30


def _outline(capitals: np.ndarray) -> shapely.Geometry:
    """A rough country: the concave hull of the capitals, padded by about half the usual
    distance between neighbouring capitals so border provinces get some land."""
    points = shapely.multipoints(capitals)
    if len(capitals) > 1:
        tree = shapely.STRtree(shapely.points(capitals))
        _, dist = tree.query_nearest(shapely.points(capitals), exclusive=True, return_distance=True)
        pad = float(np.median(dist)) * 0.75 if len(dist) else 0.5
    else:
        pad = 0.5
    pad = max(pad, 0.05)
    hull = shapely.concave_hull(points, ratio=0.5) if len(capitals) > 2 else points
    # A little rounding of the buffer keeps the outline's vertex count modest.
    return shapely.buffer(hull, pad, quad_segs=4)


def _voronoi_cells(seeds: np.ndarray, region: shapely.Geometry) -> np.ndarray:
    """Voronoi cell of each seed (same order), clipped to ``region``."""
    if len(seeds) == 1:
        return np.array([region], dtype=object)
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=region, ordered=True)
    cells = shapely.get_parts(diagram)
    return shapely.intersection(cells, region)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Drop the lines and points an intersection can leave along cell edges."""
    out = geoms.copy()
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(geoms), (3, 6))):
        parts = shapely.get_parts(shapely.get_parts(geoms[i]))
        polygons = parts[shapely.get_type_id(parts) == 3]
        out[i] = polygons[0] if len(polygons) == 1 else shapely.multipolygons(polygons)
    return out


def _spread_seeds(region: shapely.Geometry, first: np.ndarray, n: int,
                  rng: np.random.Generator) -> np.ndarray:
    """``n`` seed points in ``region``: ``first``, then each next one the candidate farthest
    from those already chosen, so districts come out of similar size."""
    seeds = [np.asarray(first, dtype=float)]
    if n > 1:
        candidates = points_in_polygon(region, _CANDIDATES_PER_SEED * n, rng)
        nearest = np.linalg.norm(candidates - seeds[0], axis=1)
        for _ in range(n - 1):
            k = int(np.argmax(nearest))
            seeds.append(candidates[k])
            nearest = np.minimum(nearest, np.linalg.norm(candidates - candidates[k], axis=1))
    return np.vstack(seeds)


def _edge_matched(geoms: np.ndarray) -> np.ndarray:
    """The same polygons with identical vertices along every shared border.

    Districts of neighbouring provinces meet along the province border, but each side has
    its own vertices there, and coverage simplification would then move the two sides
    apart. Noding all borders together and rebuilding each polygon from the faces gives
    both sides the same vertices without moving anything.
    """
    noded = shapely.union_all(shapely.boundary(geoms))
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    face_idx, geom_idx = shapely.STRtree(geoms).query(
        shapely.point_on_surface(faces), predicate="within")
    out = geoms.copy()
    for g in np.unique(geom_idx):
        merged = shapely.coverage_union_all(faces[face_idx[geom_idx == g]])
        if shapely.is_valid(merged) and not shapely.is_empty(merged):
            out[g] = merged
    return _polygonal(out)


def _distinct(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Nudge repeated points apart: Voronoi merges identical seeds into one cell."""
    points = points.copy()
    _, first_index, inverse = np.unique(points, axis=0, return_index=True, return_inverse=True)
    repeated = first_index[inverse.ravel()] != np.arange(len(points))
    points[repeated] += rng.normal(scale=1e-3, size=(int(repeated.sum()), 2))
    return points


def schematic_boundaries(
    provinces: pd.DataFrame, districts: pd.DataFrame, seed: int = 0,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Schematic (province polygons, district polygons), each ``[code, name_en, geometry]``.

    ``provinces``: ``code``, ``name_en``, ``capital_lat``, ``capital_lon``;
    ``districts``: ``code``, ``parent_code``, ``name_en``. Deterministic for a ``seed``.
    Each capital lies inside its province; a province's districts tile it exactly, and the
    district layer is an edge-matched coverage, so it simplifies without gaps.
    """
    rng = np.random.default_rng(seed)
    if provinces[["capital_lon", "capital_lat"]].isna().any().any():
        no_capital = provinces[["capital_lon", "capital_lat"]].isna().any(axis=1)
        missing = provinces.loc[no_capital, "code"]
        raise ValueError(f"provinces without capital coordinates: {', '.join(map(str, missing))}")
    prov_codes = provinces["code"].astype(str).to_numpy()
    unknown = set(districts["parent_code"].astype(str)) - set(prov_codes)
    if unknown:
        raise ValueError(f"districts refer to unknown provinces: {', '.join(sorted(unknown))}")

    capitals = _distinct(provinces[["capital_lon", "capital_lat"]].to_numpy(dtype=float), rng)
    outline = _outline(capitals)
    province_geoms = _polygonal(_voronoi_cells(capitals, outline))

    district_geoms = np.empty(len(districts), dtype=object)
    parent = districts["parent_code"].astype(str).to_numpy()
    # One small loop per province (tens, not thousands); each does vectorised work.
    for k, code in enumerate(prov_codes):
        rows = np.flatnonzero(parent == code)
        if len(rows) == 0:
            continue
        seeds = _spread_seeds(province_geoms[k], capitals[k], len(rows), rng)
        district_geoms[rows] = _polygonal(_voronoi_cells(seeds, province_geoms[k]))

    if len(districts) and not shapely.coverage_is_valid(district_geoms):
        district_geoms = _edge_matched(district_geoms)

    province_frame = gpd.GeoDataFrame(
        {"code": prov_codes, "name_en": provinces["name_en"].to_numpy()},
        geometry=gpd.GeoSeries(province_geoms, crs=_CRS), crs=_CRS)
    district_frame = gpd.GeoDataFrame(
        {"code": districts["code"].astype(str).to_numpy(),
         "name_en": districts["name_en"].to_numpy()},
        geometry=gpd.GeoSeries(district_geoms, crs=_CRS), crs=_CRS)
    return province_frame, district_frame
