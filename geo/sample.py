"""Random points inside polygons, and the polygon holding each of many points.

Used by the demo to place schools in their districts, and by the build to check that a
school lies in its district.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["points_in_polygon", "district_of_points"]

_MAX_ROUNDS = 8
_MAX_DRAW = 4_000_000  # candidate points per round: bounds memory for thin polygons
_CHUNK = 250_000  # points per STRtree query: bounds memory for millions of schools


def _rejection_sample(geometry, need: int, draw, rate: float) -> list[np.ndarray]:
    """Points of ``draw(size)`` that fall inside ``geometry``, up to ``need`` of them.

    Each round draws enough for the remaining need at the acceptance ``rate`` seen so far;
    it gives up (returning fewer) when the rate falls below 2%, since the caller then has a
    better way to place the rest.
    """
    found: list[np.ndarray] = []
    for _ in range(_MAX_ROUNDS):
        size = min(int(need / max(rate, 0.02) * 1.2) + 16, _MAX_DRAW)
        xy = draw(size)
        inside = xy[shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])][:need]
        found.append(inside)
        need -= len(inside)
        rate = max(len(inside), 1) / size if need else rate
        if need == 0 or len(inside) < 0.02 * size:
            break
    return found


def points_in_polygon(
    geometry,
    n: int,
    rng: np.random.Generator,
    centre: tuple[float, float] | None = None,
    spread: float = 0.05,
) -> np.ndarray:
    """``n`` random (lon, lat) points strictly inside ``geometry``, as an ``(n, 2)`` array.

    With ``centre`` (lon, lat) the points are normally distributed around it with standard
    deviation ``spread`` degrees, like schools around a district town; points falling outside
    are redrawn. When the centre lies at the edge or outside, too few would ever land inside,
    so the rest are drawn uniformly over the polygon, and as a last resort placed at its
    representative point. Always returns ``n`` points inside.
    """
    if n <= 0:
        return np.empty((0, 2))
    if geometry is None or shapely.is_empty(geometry) or shapely.area(geometry) <= 0:
        raise ValueError("cannot place points in an empty polygon")
    shapely.prepare(geometry)
    found: list[np.ndarray] = []
    if centre is not None:
        scale = max(spread, 1e-9)
        found += _rejection_sample(
            geometry, n, lambda size: rng.normal(loc=centre, scale=scale, size=(size, 2)), 1.0)
    need = n - sum(len(f) for f in found)
    if need > 0:
        minx, miny, maxx, maxy = shapely.bounds(geometry)
        share = shapely.area(geometry) / max((maxx - minx) * (maxy - miny), 1e-18)
        found += _rejection_sample(
            geometry, need,
            lambda size: np.column_stack([rng.uniform(minx, maxx, size),
                                          rng.uniform(miny, maxy, size)]), share)
        need = n - sum(len(f) for f in found)
    if need > 0:
        point = shapely.point_on_surface(geometry)
        found.append(np.tile([point.x, point.y], (need, 1)))
    return np.concatenate(found)[:n]


def district_of_points(lon: np.ndarray, lat: np.ndarray, districts: gpd.GeoDataFrame) -> np.ndarray:
    """Code of the district polygon holding each point (object array), "" for none or NaN.

    A point on a border shared by two districts goes to the first of them in ``districts``.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    result = np.full(lon.shape, "", dtype=object)
    if lon.size == 0 or len(districts) == 0:
        return result
    geoms = np.asarray(districts.geometry.values, dtype=object)
    codes = districts["code"].astype(str).to_numpy(dtype=object)
    tree = shapely.STRtree(geoms)
    finite = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    for start in range(0, len(finite), _CHUNK):
        rows = finite[start:start + _CHUNK]
        points = shapely.points(lon[rows], lat[rows])
        point_idx, geom_idx = tree.query(points, predicate="intersects")
        if point_idx.size == 0:
            continue
        # Several hits only on shared borders: keep the lowest district index per point.
        order = np.lexsort((geom_idx, point_idx))
        point_idx, geom_idx = point_idx[order], geom_idx[order]
        first = np.r_[True, point_idx[1:] != point_idx[:-1]]
        result[rows[point_idx[first]]] = codes[geom_idx[first]]
    return result
