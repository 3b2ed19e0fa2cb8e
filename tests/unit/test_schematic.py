"""Schematic demo boundaries, and placing points in them."""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Polygon, box

from geo.sample import district_of_points, points_in_polygon
from geo.schematic import schematic_boundaries
from geo.simplify import simplify_levels

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


@pytest.fixture(scope="module")
def lao_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    prov = pd.read_csv(REFERENCE / "lao_provinces.csv", dtype={"province_code": str})
    dist = pd.read_csv(REFERENCE / "lao_districts.csv", dtype=str)
    provinces = prov.rename(columns={"province_code": "code"})[
        ["code", "name_en", "capital_lat", "capital_lon"]]
    districts = dist.rename(columns={"district_code": "code", "province_code": "parent_code",
                                     "district_en": "name_en"})[["code", "parent_code", "name_en"]]
    return provinces, districts


@pytest.fixture(scope="module")
def schematic(lao_tables):
    return schematic_boundaries(*lao_tables, seed=0)


def test_columns_crs_and_validity(schematic, lao_tables):
    provinces, districts = schematic
    for frame, table in zip(schematic, lao_tables):
        assert list(frame.columns) == ["code", "name_en", "geometry"]
        assert frame.crs.to_epsg() == 4326
        assert list(frame["code"]) == list(table["code"])
        geoms = frame.geometry.values
        assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
        assert (shapely.area(geoms) > 0).all()
        assert set(shapely.get_type_id(geoms)) <= {3, 6}


def test_capitals_inside_their_province(schematic, lao_tables):
    provinces, _ = schematic
    table = lao_tables[0]
    capitals = shapely.points(table["capital_lon"], table["capital_lat"])
    assert shapely.contains(provinces.geometry.values, capitals).all()


def test_districts_tile_their_province(schematic, lao_tables):
    provinces, districts = schematic
    parent = lao_tables[1]["parent_code"].to_numpy()
    for code, province in zip(provinces["code"], provinces.geometry):
        parts = districts.geometry.values[parent == code]
        union = shapely.union_all(parts)
        assert shapely.symmetric_difference(union, province).area < 1e-9 * province.area
        assert shapely.area(parts).sum() == pytest.approx(province.area, rel=1e-9)  # no overlap


def test_first_district_sits_at_the_capital(schematic, lao_tables):
    _, districts = schematic
    provinces_table, districts_table = lao_tables
    first = districts_table.groupby("parent_code")["code"].first()
    capitals = provinces_table.set_index("code")
    geoms = districts.set_index("code").geometry
    for province, district in first.items():
        point = shapely.Point(capitals.at[province, "capital_lon"],
                              capitals.at[province, "capital_lat"])
        assert geoms[district].contains(point)


def test_neighbours_share_borders_at_both_levels(schematic):
    for frame in schematic:
        geoms = frame.geometry.values
        assert shapely.coverage_is_valid(geoms)  # edge-matched: no overlaps, same vertices
        union = shapely.union_all(geoms)
        assert union.geom_type == "Polygon" and len(union.interiors) == 0
    # Every province borders at least one other along a line, not at a corner.
    provinces = schematic[0].geometry.values
    boundaries = shapely.boundary(provinces)
    for i in range(len(provinces)):
        others = np.delete(np.arange(len(provinces)), i)
        shared = shapely.length(shapely.intersection(boundaries[i], boundaries[others]))
        assert shared.max() > 0.01


def test_schematic_survives_simplification(schematic):
    provinces, districts = schematic
    units = pd.concat([provinces.assign(level=1), districts.assign(level=2)], ignore_index=True)
    out = simplify_levels(gpd.GeoDataFrame(units, geometry="geometry", crs=4326))
    assert shapely.is_valid(out.geometry.values).all()
    for detail in out["detail"].unique():
        level2 = out[(out["detail"] == detail) & (out["level"] == 2)]
        assert len(level2) == len(districts)
        assert shapely.coverage_is_valid(level2.geometry.values)


def test_deterministic_for_a_seed(schematic, lao_tables):
    again = schematic_boundaries(*lao_tables, seed=0)
    other = schematic_boundaries(*lao_tables, seed=1)
    for a, b in zip(schematic, again):
        assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    assert not schematic[1].geometry.geom_equals_exact(other[1].geometry, tolerance=0).all()


def test_small_country_and_a_province_with_one_district():
    provinces = pd.DataFrame({"code": ["A", "B"], "name_en": ["Alpha", "Beta"],
                              "capital_lat": [10.0, 10.0], "capital_lon": [100.0, 101.0]})
    districts = pd.DataFrame({"code": ["A1", "B1", "B2", "B3"], "parent_code": ["A", "B", "B", "B"],
                              "name_en": ["a1", "b1", "b2", "b3"]})
    prov, dist = schematic_boundaries(provinces, districts, seed=3)
    assert dist.set_index("code").geometry["A1"].equals(prov.set_index("code").geometry["A"])
    assert shapely.is_valid(dist.geometry.values).all()
    assert not shapely.is_empty(dist.geometry.values).any()


def test_unknown_parent_is_refused():
    provinces = pd.DataFrame({"code": ["A"], "name_en": ["Alpha"], "capital_lat": [10.0],
                              "capital_lon": [100.0]})
    districts = pd.DataFrame({"code": ["Z1"], "parent_code": ["Z"], "name_en": ["z"]})
    with pytest.raises(ValueError, match="unknown provinces"):
        schematic_boundaries(provinces, districts)


# --- points --------------------------------------------------------------------------------

L_SHAPE = Polygon([(0, 0), (2, 0), (2, 0.2), (0.2, 0.2), (0.2, 2), (0, 2)])


@pytest.mark.parametrize("centre", [None, (1.0, 0.1), (1.0, 1.0), (50.0, 50.0)])
def test_points_in_polygon_always_inside(centre):
    rng = np.random.default_rng(7)
    xy = points_in_polygon(L_SHAPE, 5_000, rng, centre=centre, spread=0.3)
    assert xy.shape == (5_000, 2)
    assert shapely.contains_xy(L_SHAPE, xy[:, 0], xy[:, 1]).all()


def test_points_cluster_around_the_centre():
    rng = np.random.default_rng(1)
    xy = points_in_polygon(box(0, 0, 10, 10), 20_000, rng, centre=(3.0, 4.0), spread=0.5)
    np.testing.assert_allclose(xy.mean(axis=0), [3.0, 4.0], atol=0.05)
    assert xy.std(axis=0) == pytest.approx([0.5, 0.5], rel=0.1)


def test_points_reproducible_and_many():
    a = points_in_polygon(L_SHAPE, 100_000, np.random.default_rng(3), centre=(0.1, 1.0))
    b = points_in_polygon(L_SHAPE, 100_000, np.random.default_rng(3), centre=(0.1, 1.0))
    np.testing.assert_array_equal(a, b)
    assert points_in_polygon(L_SHAPE, 0, np.random.default_rng(3)).shape == (0, 2)


def test_points_in_a_sliver_fall_back_to_a_point():
    sliver = Polygon([(0, 0), (1, 0), (1, 1e-12)])  # almost no area
    xy = points_in_polygon(sliver, 3, np.random.default_rng(0))
    assert xy.shape == (3, 2)
    with pytest.raises(ValueError):
        points_in_polygon(Polygon(), 3, np.random.default_rng(0))


def test_district_of_points():
    districts = gpd.GeoDataFrame({"code": ["0101", "0102"]},
                                 geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)
    lon = np.array([0.5, 1.5, 5.0, np.nan, 1.0, 0.5])
    lat = np.array([0.5, 0.5, 5.0, 0.5, 0.5, np.nan])
    found = district_of_points(lon, lat, districts)
    assert found.dtype == object
    assert list(found) == ["0101", "0102", "", "", "0101", ""]  # a shared border: the first
    assert len(district_of_points(np.array([]), np.array([]), districts)) == 0


def test_district_of_many_points_agrees_with_a_spatial_join(schematic):
    _, districts = schematic
    rng = np.random.default_rng(5)
    minx, miny, maxx, maxy = districts.total_bounds
    n = 300_000
    lon, lat = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
    found = district_of_points(lon, lat, districts)
    sample = slice(0, 5_000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon[sample], lat[sample]), crs=4326)
    joined = gpd.sjoin(points, districts, predicate="within", how="left")
    joined = joined[~joined.index.duplicated()]
    assert list(joined["code"].fillna("")) == list(found[sample])
    assert (found != "").mean() > 0.3
