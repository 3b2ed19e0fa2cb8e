"""Coverage simplification: neighbours keep sharing their borders at every detail."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from geo.simplify import COORDINATE_DECIMALS, DETAIL_TOLERANCES, simplify_coverage, simplify_levels

REPO = Path(__file__).resolve().parents[2]
SHARED_GEO = REPO.parent / "shared" / "geo"


def wiggly_grid(n: int = 3, vertices: int = 400) -> gpd.GeoDataFrame:
    """An n x n coverage of districts whose inner borders are wavy lines with many vertices.

    Codes are "PPDD": the province is the column, so provinces are columns of districts.
    The waves are gentle (slope below 1), so each vertical border crosses each horizontal
    one exactly once and there are exactly n * n cells.
    """
    t = np.linspace(0, n, vertices)
    lines = [shapely.boundary(box(0, 0, n, n))]
    for k in range(1, n):
        wobble = 0.05 * np.sin(7 * t + k) + 0.02 * np.sin(31 * t)
        lines.append(LineString(np.column_stack([k + wobble, t])))  # vertical border
        lines.append(LineString(np.column_stack([t, k + wobble[::-1]])))  # horizontal border
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(lines))))
    centres = shapely.get_coordinates(shapely.point_on_surface(faces))
    col, row = np.floor(centres[:, 0]).astype(int), np.floor(centres[:, 1]).astype(int)
    codes = [f"{c + 1:02d}{r + 1:02d}" for c, r in zip(col, row)]
    frame = gpd.GeoDataFrame({"code": codes, "level": 2}, geometry=faces, crs="EPSG:4326")
    return frame.sort_values("code", ignore_index=True)


def with_provinces(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    provinces = districts.assign(code=districts["code"].str[:2]).dissolve("code").reset_index()
    provinces["level"] = 1
    both = pd.concat([provinces[["code", "level", "geometry"]], districts], ignore_index=True)
    both["name"] = "n" + both["code"]
    return gpd.GeoDataFrame(both, geometry="geometry", crs="EPSG:4326")


def touching_pairs(geoms: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of polygons sharing a stretch of border (not just a corner)."""
    pairs = set()
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            if shapely.length(shapely.intersection(shapely.boundary(geoms[i]),
                                                   shapely.boundary(geoms[j]))) > 1e-6:
                pairs.add((i, j))
    return pairs


def test_grid_fixture_is_a_coverage():
    grid = wiggly_grid()
    assert len(grid) == 9 and grid["code"].is_unique
    assert shapely.coverage_is_valid(grid.geometry.values)


def test_neighbours_still_touch_and_no_gaps_open():
    grid = wiggly_grid()
    before = grid.geometry.values
    after = simplify_coverage(grid, 0.05)
    assert isinstance(after, gpd.GeoSeries) and after.index.equals(grid.index)
    geoms = after.values
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert shapely.coverage_is_valid(geoms)
    assert touching_pairs(geoms) >= touching_pairs(before)
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # no gap between them
    assert shapely.area(geoms).sum() == pytest.approx(union.area, rel=1e-9)  # no overlap
    assert shapely.get_num_coordinates(geoms).sum() < shapely.get_num_coordinates(before).sum() / 5


def test_levels_every_code_at_every_detail():
    units = with_provinces(wiggly_grid())
    out = simplify_levels(units)
    assert set(out["detail"]) == set(DETAIL_TOLERANCES)
    assert len(out) == len(units) * len(DETAIL_TOLERANCES)
    for detail in DETAIL_TOLERANCES:
        part = out[out["detail"] == detail]
        expected = sorted(zip(units["code"], units["level"]))
        assert sorted(zip(part["code"], part["level"])) == expected
        for level in (1, 2):
            geoms = part.loc[part["level"] == level].geometry.values
            assert shapely.coverage_is_valid(geoms), (detail, level)
    geoms = out.geometry.values
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    assert set(shapely.get_type_id(geoms)) <= {3, 6}
    assert out.crs.to_epsg() == 4326
    assert (out["name"] == "n" + out["code"]).all()  # other columns are kept


def test_coordinates_rounded_and_size_shrinks_with_detail():
    units = with_provinces(wiggly_grid())
    out = simplify_levels(units)
    xy = shapely.get_coordinates(out.geometry.values)
    scaled = xy * 10 ** COORDINATE_DECIMALS
    np.testing.assert_allclose(scaled, np.round(scaled), atol=1e-6)
    sizes = {d: len(out[out["detail"] == d].to_json()) for d in DETAIL_TOLERANCES}
    ordered = sorted(DETAIL_TOLERANCES, key=DETAIL_TOLERANCES.get)
    assert [sizes[d] for d in ordered] == sorted(sizes.values(), reverse=True)
    assert sizes[ordered[-1]] < len(units.to_json())


def test_not_a_coverage_still_gives_valid_geometry():
    # Overlapping squares, a gap, a polygon far away: real files are rarely clean.
    geoms = [box(0, 0, 1.02, 1), box(1, 0, 2, 1), box(2.01, 0, 3, 1), box(10, 10, 10.5, 10.5)]
    units = gpd.GeoDataFrame({"code": list("abcd"), "level": 2}, geometry=geoms, crs=4326)
    for tolerance in (0.001, 0.05, 1.0):
        out = simplify_coverage(units, tolerance).values
        assert shapely.is_valid(out).all() and not shapely.is_empty(out).any()
        assert (shapely.area(out) > 0).all()


def test_tiny_polygon_survives_large_tolerance():
    island = shapely.Polygon([(5, 5), (5.001, 5), (5.0005, 5.001)])
    units = gpd.GeoDataFrame({"code": ["big", "tiny"]}, geometry=[box(0, 0, 1, 1), island],
                             crs=4326)
    out = simplify_levels(units)
    assert not shapely.is_empty(out.geometry.values).any()
    assert shapely.is_valid(out.geometry.values).all()
    assert (shapely.area(out.geometry.values) > 0).all()


def test_zero_tolerance_changes_nothing():
    grid = wiggly_grid()
    assert shapely.equals(simplify_coverage(grid, 0.0).values, grid.geometry.values).all()


def test_real_districts_fit_the_map_budget():
    path = SHARED_GEO / "geoBoundaries-LAO-ADM2.geojson"
    if not path.is_file():
        pytest.skip(f"real boundaries not found at {SHARED_GEO} (../shared/geo beside the repo)")
    districts = gpd.read_file(path)[["geometry"]]
    districts["code"] = [f"{i:04d}" for i in range(len(districts))]
    districts["level"] = 2
    out = simplify_levels(districts)
    sizes = {}
    for detail in DETAIL_TOLERANCES:
        part = out.loc[out["detail"] == detail, ["code", "geometry"]]
        assert len(part) == 148
        assert shapely.is_valid(part.geometry.values).all()
        assert shapely.coverage_is_valid(part.geometry.values)
        sizes[detail] = len(part.to_json(drop_id=True))
    assert sizes["medium"] < 200_000  # the 148-district choropleth budget is 250 KB
    assert sizes["low"] < sizes["medium"] < sizes["high"]
