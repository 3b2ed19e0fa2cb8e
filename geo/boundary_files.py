"""Read every polygon layer of a package's ``boundaries/`` folder, whatever its format.

GeoJSON, TopoJSON (every object), GeoPackage (every layer), Shapefile (also zipped, every
shapefile of the archive), GeoParquet; any coordinate system, brought to longitude/latitude.
Each layer is a :class:`Source`; what it holds (its admin level) is decided later from its
content (:mod:`geo.boundaries`). A file that cannot be read is an error naming it; an empty
file or layer is kept as a source that says so, so that the report lists it.

Pure: no database, no Streamlit.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from lib.problems import PackageError, Problem, short_detail

PACKAGE_FOLDER = "boundaries"
"""Name of the boundary folder inside a data package; file names are reported under it."""

CRS = "EPSG:4326"
VECTOR_SUFFIXES = (".geojson", ".json", ".topojson", ".gpkg", ".shp", ".zip", ".parquet",
                   ".geoparquet")
FORMAT_NAMES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".topojson": "TopoJSON",
                ".gpkg": "GeoPackage", ".shp": "Shapefile", ".zip": "zipped Shapefile",
                ".parquet": "GeoParquet", ".geoparquet": "GeoParquet"}
_ZIPPED_SUFFIXES = (".shp", ".geojson", ".json", ".topojson", ".gpkg")
SNIFF_BYTES = 65_536
"""How much of a ``.json`` file is read to tell a GeoJSON from another JSON file."""


@dataclass
class Source:
    """One layer of one boundary file."""

    file: str  # boundaries/<path inside the folder>
    layer: str  # the layer's name ("" when the file has one layer)
    format: str
    frame: gpd.GeoDataFrame | None  # valid polygons in longitude/latitude, source_file set
    crs: str = ""  # as the file gave it ("EPSG:32648"), or what was assumed
    empty: bool = False  # the file or layer holds no feature

    @property
    def label(self) -> str:
        """``boundaries/lao.gpkg (layer adm2)``, or the file alone."""
        return f"{self.file} (layer {self.layer})" if self.layer else self.file

    @property
    def features(self) -> int:
        return 0 if self.frame is None else len(self.frame)


def repair_polygons(geoms: np.ndarray) -> np.ndarray:
    """Valid 2-D polygonal geometry for each input; empty polygon when nothing polygonal is left."""
    geoms = shapely.force_2d(np.asarray(geoms, dtype=object))
    missing = shapely.is_missing(geoms)
    geoms[missing] = shapely.Polygon()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure",
                                            keep_collapsed=False)
    odd = ~np.isin(shapely.get_type_id(geoms), (3, 6))  # not Polygon / MultiPolygon
    # Only the few repaired or odd features take this loop, never the whole layer.
    for i in np.flatnonzero(odd):
        parts = shapely.get_parts(shapely.get_parts(geoms[i]))
        polygons = parts[shapely.get_type_id(parts) == 3]
        polygons = polygons[~shapely.is_empty(polygons)]
        if len(polygons) == 0:
            geoms[i] = shapely.Polygon()
        elif len(polygons) == 1:
            geoms[i] = polygons[0]
        else:
            geoms[i] = shapely.make_valid(shapely.multipolygons(polygons))
    return geoms


def _to_wgs84(frame: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, str]:
    """The frame in longitude/latitude, and its coordinate system as given."""
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if min(minx, miny) < -180 or maxx > 180 or maxy > 90 or miny < -90:
            raise ValueError(
                "its coordinates are not longitude/latitude and it names no coordinate "
                "system (for a Shapefile, the .prj file is missing)"
            )
        return frame.set_crs(CRS), "none given (read as longitude/latitude)"
    epsg = frame.crs.to_epsg()
    given = f"EPSG:{epsg}" if epsg else frame.crs.name
    if epsg != 4326:
        return frame.to_crs(CRS), given
    return frame, given


def _looks_like_geojson(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    return any(word in head for word in (b'"FeatureCollection"', b'"Feature"', b'"coordinates"',
                                         b'"Topology"'))


def _reader_reason(exc: Exception, path: Path) -> str:
    """Why a boundary file cannot be read, in a data officer's words rather than the
    reader's (GDAL's driver hints, SQL, a whole path)."""
    text = str(exc)
    kind = FORMAT_NAMES.get(path.suffix.lower(), "boundary")
    if "not recognized as being in a supported file format" in text:
        return f"it is damaged, or not a {kind} file"
    if where := re.search(r"At line (\d+), character (\d+): (.+)", text):
        return (f"it is not valid {kind}: at line {int(where.group(1)):,}, character "
                f"{int(where.group(2)):,}, {short_detail(where.group(3)).lower()} "
                "(is the file cut short?)")
    if any(word in text for word in ("not a database", "magic bytes", "too small")):
        return f"it is damaged or not a {kind} file (cut short?): export it again"
    detail = short_detail(text.replace(str(path), path.name))
    return f"it cannot be read as a {kind} file ({detail or type(exc).__name__})"


def boundary_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p for p in directory.rglob("*")
        if p.is_file() and p.suffix.lower() in VECTOR_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def _datasets(path: Path) -> list[tuple[str, str]]:
    """(what GDAL opens, the name inside a zip or "") for each dataset of one file."""
    if path.suffix.lower() != ".zip":
        return [(str(path), "")]
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist()
                   if m.lower().endswith(_ZIPPED_SUFFIXES) and not m.startswith("__MACOSX")]
    return [(f"/vsizip/{path}/{member}", member) for member in sorted(members)]


def _read_file(path: Path, rel: str) -> list[Source]:
    """Every polygon layer of one file as sources (an empty one included)."""
    suffix = path.suffix.lower()
    kind = FORMAT_NAMES.get(suffix, "boundary")
    if path.stat().st_size == 0:
        return [Source(rel, "", kind, None, empty=True)]
    if suffix in (".parquet", ".geoparquet"):
        layers: list[tuple[str, str, str | None]] = [(str(path), "", None)]
    else:
        if suffix == ".json" and not _looks_like_geojson(path):
            return []  # e.g. geoBoundaries' ...-metaData.json beside the boundaries
        layers = []
        for dataset, member in _datasets(path):
            names = [str(name) for name, _ in pyogrio.list_layers(dataset)]
            for name in names:
                label = "/".join(x for x in (member, name if len(names) > 1 else "") if x)
                layers.append((dataset, label, name if len(names) > 1 else None))
    sources = []
    for dataset, label, layer in layers:
        if suffix in (".parquet", ".geoparquet"):
            frame = gpd.read_parquet(dataset)
        else:
            frame = gpd.read_file(dataset, layer=layer, engine="pyogrio")
        if len(frame) == 0:
            sources.append(Source(rel, label, kind, None, empty=True))
            continue
        frame, crs = _to_wgs84(frame)
        frame = frame.set_geometry(repair_polygons(frame.geometry.values), crs=CRS)
        frame["source_file"] = rel
        sources.append(Source(rel, label, kind, frame, crs))
    return sources


def read_boundary_sources(directory: Path) -> list[Source]:
    """Every layer of every boundary file of ``directory``.

    Raises :class:`PackageError` naming every file that cannot be read (or when there is
    no boundary file at all).
    """
    directory = Path(directory)
    files = boundary_files(directory)
    if not files:
        raise PackageError([Problem(
            "error", "boundary_file",
            "no boundary file found (GeoJSON, TopoJSON, GeoPackage, Shapefile or GeoParquet)",
            file=f"{PACKAGE_FOLDER}/")])
    problems: list[Problem] = []
    sources: list[Source] = []
    for path in files:
        rel = f"{PACKAGE_FOLDER}/{path.relative_to(directory).as_posix()}"
        try:
            sources += _read_file(path, rel)
        except Exception as exc:  # noqa: BLE001 - any reader failure is the file's problem
            problems.append(Problem("error", "boundary_file",
                                    f"cannot read this boundary file: "
                                    f"{_reader_reason(exc, path)}", file=rel))
    if problems:
        raise PackageError(problems)
    return sources
