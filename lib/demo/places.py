"""Where the demo's schools are: district polygons (real or schematic) and school coordinates.

Schools cluster around a few towns of their district (the district capital first); every
clean school lies inside its own district's polygon and no other. The planted location
dirt (no coordinates, latitude and longitude swapped, a school in a neighbouring district)
is chosen here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lib.demo.areas import Areas
from lib.demo.common import stream
from lib.demo.register import Register

SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml")
COORD_DECIMALS = 5
N_SWAPPED = 3
N_OUTSIDE = 5
NO_COORDINATES_SHARE = 0.02


@dataclass
class Boundaries:
    provinces: gpd.GeoDataFrame           # code, geometry
    districts: gpd.GeoDataFrame           # code, geometry (only districts with a polygon)
    source: str                           # "schematic" or the folder name
    attribution: str
    # Real boundary files to copy, as (path inside the folder, bytes): read before the old
    # package is removed, in case they come from it.
    files: list[tuple[Path, bytes]] = field(default_factory=list)


def boundary_files(directory: Path) -> list[Path]:
    """The spatial files of a boundary folder (with shapefile sidecars), sorted."""
    from geo.boundaries import VECTOR_SUFFIXES
    directory = Path(directory)
    found = []
    for p in sorted(directory.rglob("*")):
        rel = p.relative_to(directory)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        suffix = p.suffix.lower()
        if suffix in VECTOR_SUFFIXES or (
                suffix in SHAPEFILE_SIDECARS and p.with_suffix(".shp").exists()):
            found.append(p)
    return found


def load_district_polygons(boundaries: Path | None, areas: Areas, admin_units: pd.DataFrame,
                           seed: int) -> Boundaries:
    if boundaries is None:
        from geo.schematic import schematic_boundaries
        prov = areas.provinces[["code", "name_en", "capital_lat", "capital_lon"]]
        dist = areas.districts[["code", "province", "name_en"]].rename(
            columns={"province": "parent_code"})
        prov_gdf, dist_gdf = schematic_boundaries(prov, dist, seed)
        return Boundaries(prov_gdf, dist_gdf, "schematic", "")
    from geo.boundaries import load_boundaries
    directory = Path(boundaries)
    if not directory.is_dir():
        raise ValueError(f"boundaries folder not found: {directory}")
    files = boundary_files(directory)
    if not files:
        raise ValueError(f"no boundary files (GeoJSON, GeoPackage, Shapefile, GeoParquet) in "
                         f"{directory}")
    match = load_boundaries(directory, admin_units)
    units = match.units
    units = units[units.geometry.notna() & ~units.geometry.is_empty]
    prov = units[units["level"] == 1][["code", "geometry"]].reset_index(drop=True)
    dist = units[units["level"] == 2][["code", "geometry"]].reset_index(drop=True)
    if len(dist) == 0:
        raise ValueError(f"no district polygons could be matched in {directory}")
    names = " ".join(p.name.lower() for p in files)
    if "geoboundaries" in names:
        attribution = "Boundaries: geoBoundaries (CC BY 4.0)"
    else:
        attribution = f"Boundaries: {directory.resolve().name}"
    contents = [(p.relative_to(directory), p.read_bytes()) for p in files]
    return Boundaries(prov, dist, directory.resolve().name, attribution, contents)


def copy_boundary_files(b: Boundaries, target: Path) -> None:
    """Write the real boundary files unchanged (the build matches them by name)."""
    for rel, data in b.files:
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)


def write_schematic(b: Boundaries, target: Path, areas: Areas) -> None:
    """boundaries/adm1.geojson and adm2.geojson with properties code and name_en."""
    target.mkdir(parents=True, exist_ok=True)
    names = dict(zip(areas.provinces["code"], areas.provinces["name_en"]))
    names.update(zip(areas.districts["code"], areas.districts["name_en"]))
    for frame, name in ((b.provinces, "adm1.geojson"), (b.districts, "adm2.geojson")):
        out = gpd.GeoDataFrame({"code": frame["code"].astype(str).to_numpy(),
                                "name_en": [names.get(c, "") for c in frame["code"]]},
                               geometry=frame.geometry.values, crs="EPSG:4326")
        (target / name).write_text(out.to_json(drop_id=True, to_wgs84=True) + "\n",
                                   encoding="utf-8")


@dataclass
class Locations:
    longitude: np.ndarray     # NaN where empty
    latitude: np.ndarray
    no_coordinates: list[int]
    swapped: list[int]
    outside: list[int]


def _hits(lon: np.ndarray, lat: np.ndarray, tree: shapely.STRtree, n_geoms: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """For each point, the number of polygons holding it and the (lowest) index of one."""
    count = np.zeros(len(lon), dtype=np.int64)
    which = np.full(len(lon), -1, dtype=np.int64)
    for start in range(0, len(lon), 250_000):
        sl = slice(start, start + 250_000)
        pts = shapely.points(lon[sl], lat[sl])
        p_idx, g_idx = tree.query(pts, predicate="intersects")
        count[sl] = np.bincount(p_idx, minlength=len(pts))
        sub = np.full(len(pts), n_geoms, dtype=np.int64)
        np.minimum.at(sub, p_idx, g_idx)
        which[sl] = np.where(sub < n_geoms, sub, -1)
    return count, which


def place_schools(register: Register, areas: Areas, b: Boundaries, seed: int,
                  progress=None) -> Locations:
    rng = stream(seed, "places")
    f = register.frame
    n = len(f)
    codes = areas.districts["code"].to_numpy()
    dist_codes = b.districts["code"].astype(str).to_numpy()
    geoms = np.asarray(b.districts.geometry.values, dtype=object)
    poly_of = {c: i for i, c in enumerate(dist_codes)}
    prov_geoms = {str(c): g for c, g in zip(b.provinces["code"], b.provinces.geometry.values)}
    tree = shapely.STRtree(geoms)
    district = f["district"].to_numpy()
    urban = f["urban"].to_numpy()
    town = f["town"].to_numpy()
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    capital_of = dict(zip(areas.provinces["capital_district_code"],
                          zip(areas.provinces["capital_lon"], areas.provinces["capital_lat"])))
    order = np.argsort(district, kind="stable")
    bounds = np.searchsorted(district[order], np.arange(areas.n + 1))
    from geo.sample import points_in_polygon
    for d in range(areas.n):
        rows = order[bounds[d]:bounds[d + 1]]
        if len(rows) == 0:
            continue
        code = codes[d]
        g = geoms[poly_of[code]] if code in poly_of else prov_geoms.get(code[:2])
        if g is None:
            continue        # no polygon at all: these schools have no place (not planted)
        capital = capital_of.get(code)
        if capital is not None and shapely.contains_xy(g, *capital):
            centre0 = np.array(capital, dtype=float)
        else:
            p = shapely.point_on_surface(g)
            centre0 = np.array([p.x, p.y])
        k = int(register.n_towns[d])
        towns = np.vstack([centre0, points_in_polygon(g, k - 1, rng)]) if k > 1 else centre0[None]
        size = float(np.sqrt(shapely.area(g)))
        for t in range(k):
            for is_urban in (True, False):
                sel = rows[(town[rows] == t) & (urban[rows] == is_urban)]
                if len(sel) == 0:
                    continue
                spread = min(0.04 * size, 0.02) if is_urban else 0.18 * size
                xy = points_in_polygon(g, len(sel), rng, centre=tuple(towns[t]), spread=spread)
                lon[sel], lat[sel] = xy[:, 0], xy[:, 1]
    lon = np.round(lon, COORD_DECIMALS)
    lat = np.round(lat, COORD_DECIMALS)

    # Every clean school in its own district's polygon and in no other.
    own = np.array([poly_of.get(c, -1) for c in codes])[district]
    placed = np.isfinite(lon) & (own >= 0)
    for _ in range(20):
        count, which = _hits(lon, lat, tree, len(geoms))
        bad = np.flatnonzero(placed & ((count != 1) | (which != own)))
        if len(bad) == 0:
            break
        for i in bad:
            xy = points_in_polygon(geoms[own[i]], 1, rng)
            lon[i], lat[i] = np.round(xy[0], COORD_DECIMALS)
    else:
        raise RuntimeError("could not place some schools inside their own district only")

    # Planted dirt: no coordinates, swapped coordinates, a neighbouring district.
    drng = stream(seed, "dirt", 1)
    candidates = np.flatnonzero(placed)
    n_missing = max(1, int(round(NO_COORDINATES_SHARE * n)))
    missing = np.sort(drng.choice(n, size=min(n_missing, n), replace=False))
    rest = np.setdiff1d(candidates, missing)
    swapped = np.sort(drng.choice(rest, size=min(N_SWAPPED, len(rest)), replace=False))
    rest = np.setdiff1d(rest, swapped)
    outside: list[int] = []
    touching = shapely.STRtree(geoms)
    for i in drng.permutation(rest):
        if len(outside) >= N_OUTSIDE:
            break
        near = touching.query(geoms[own[i]], predicate="touches")
        near = near[near != own[i]]
        if len(near) == 0:
            near = touching.query(geoms[own[i]], predicate="intersects")
            near = near[near != own[i]]
        if len(near) == 0:
            continue
        target = int(drng.choice(near))
        for _ in range(20):
            xy = np.round(points_in_polygon(geoms[target], 1, drng), COORD_DECIMALS)
            count, which = _hits(xy[:, 0], xy[:, 1], tree, len(geoms))
            if count[0] == 1 and which[0] == target:
                lon[i], lat[i] = xy[0]
                outside.append(int(i))
                break
    lon[missing] = np.nan
    lat[missing] = np.nan
    lon[swapped], lat[swapped] = lat[swapped].copy(), lon[swapped].copy()
    return Locations(lon, lat, [int(i) for i in missing], [int(i) for i in swapped],
                     sorted(outside))
