"""Boundary files as they come in the field, each case small, hand-made and worked out.

Every test writes its files into ``tmp_path / "boundaries"`` (EPSG:4326 boxes) and reads
them with :func:`geo.boundaries.load_boundaries`, as the build does; the expected answer is
stated beside the geometry.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo.boundaries import BoundaryMatch, FileReport, load_boundaries

CRS = "EPSG:4326"
UNIT_COLUMNS = ["code", "level", "parent_code", "name_en", "name_local", "iso_code",
                "alt_names"]


# --- helpers -------------------------------------------------------------------------------

def units(*rows: tuple) -> pd.DataFrame:
    """admin_units from (code, level, parent_code, name_en[, alt_names])."""
    out = []
    for row in rows:
        code, level, parent, name, *rest = row
        out.append((code, level, parent, name, "", "", rest[0] if rest else ""))
    return pd.DataFrame(out, columns=UNIT_COLUMNS)


def frame(geoms: list, **props: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(dict(props), geometry=geoms, crs=CRS)


def folder_of(tmp_path: Path) -> Path:
    folder = tmp_path / "boundaries"
    folder.mkdir(exist_ok=True)
    return folder


def write(tmp_path: Path, name: str, data: gpd.GeoDataFrame) -> Path:
    path = folder_of(tmp_path) / name
    data.to_file(path)
    return path


def report_of(match: BoundaryMatch, file: str, layer: str = "") -> FileReport:
    rows = [r for r in match.report if r.file == f"boundaries/{file}" and r.layer == layer]
    assert len(rows) == 1, [(r.file, r.layer) for r in match.report]
    return rows[0]


def of_kind(match: BoundaryMatch, kind: str) -> list:
    return [p for p in match.problems if p.kind == kind]


def errors(match: BoundaryMatch) -> list:
    return [p for p in match.problems if p.severity == "error"]


def placed(match: BoundaryMatch, level: int | None = None) -> dict[str, str]:
    """Polygon name (source_name) -> the unit code it landed on."""
    rows = match.units if level is None else match.units[match.units["level"] == level]
    return dict(zip(rows["source_name"], rows["code"]))


def row_of(match: BoundaryMatch, code: str) -> pd.Series:
    rows = match.units[match.units["code"] == code]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- a small country used by several cases -------------------------------------------------
# Province Alpha (01) = [0,2]x[0,2], province Bravo (02) = [2,4]x[0,2].

PROVINCES = [("01", 1, "", "Alpha"), ("02", 1, "", "Bravo")]
DISTRICTS = [("0101", 2, "01", "Ashford"), ("0102", 2, "01", "Brampton"),
             ("0201", 2, "02", "Carlisle"), ("0202", 2, "02", "Dover")]


def two_level_units(*extra: tuple, districts=DISTRICTS) -> pd.DataFrame:
    return units(*PROVINCES, *districts, *extra)


def provinces() -> gpd.GeoDataFrame:
    return frame([box(0, 0, 2, 2), box(2, 0, 4, 2)], name=["Alpha", "Bravo"])


def four_districts(**props) -> gpd.GeoDataFrame:
    return frame([box(0, 0, 1, 2), box(1, 0, 2, 2), box(2, 0, 3, 2), box(3, 0, 4, 2)],
                 name=["Ashford", "Brampton", "Carlisle", "Dover"], **props)


# --- 1. a measure column is never the code ---------------------------------------------------
# Ten provinces whose codes run 01..87 with gaps. The file's length column holds whole
# kilometres (1..300): zero-padded, 8 of its 10 values are codes of the package, all
# distinct, and each would put its polygon on the wrong province.

MEASURE_CODES = ["01", "05", "12", "17", "23", "30", "41", "56", "64", "87"]
MEASURE_NAMES = ["Attapeu", "Bokeo", "Champasak", "Houaphanh", "Khammouane", "Luangnamtha",
                 "Oudomxay", "Phongsaly", "Salavan", "Sekong"]
LENGTHS = [5, 12, 87, 300, 17, 41, 150, 23, 30, 1]  # 5 -> "05" (Bokeo) for Attapeu, …


@pytest.mark.parametrize("measure", ["len_km", "Shape_Leng", "area_km2"])
@pytest.mark.parametrize("with_codes", [False, True], ids=["beside_names", "beside_codes"])
def test_measure_column_is_never_the_code(tmp_path, measure, with_codes):
    admin = units(*[(c, 1, "", n) for c, n in zip(MEASURE_CODES, MEASURE_NAMES)])
    assert all(str(v).zfill(2) != c for v, c in zip(LENGTHS, MEASURE_CODES))
    props = {"shapeName": MEASURE_NAMES, measure: LENGTHS}
    if with_codes:
        props["ADM1_PCODE"] = [f"XY{c}" for c in MEASURE_CODES]
    write(tmp_path, "adm1.geojson", frame([box(i, 0, i + 1, 1) for i in range(10)], **props))

    match = load_boundaries(folder_of(tmp_path), admin)

    report = report_of(match, "adm1.geojson")
    assert report.level == 1
    assert report.code_property == ("ADM1_PCODE" if with_codes else "")
    assert f"'{measure}'" in report.why and "not used" in report.why
    # Every polygon on the unit its name says.
    assert placed(match) == dict(zip(MEASURE_NAMES, MEASURE_CODES))
    assert set(match.units["method"]) == {"code" if with_codes else "name"}
    assert report.matched == 10
    assert match.problems == []


# --- 2. a GADM running number is not a code ----------------------------------------------------
# GADM numbers a country's provinces 1..n in alphabetical order (ID_1); the national codes
# 01..08 follow another order. Zero-padded, every ID_1 is a code of the package, each the
# code of another province than the feature's name.

GADM_BY_CODE = {"01": "Phongsaly", "02": "Luangnamtha", "03": "Oudomxay", "04": "Bokeo",
                "05": "Houaphanh", "06": "Khammouane", "07": "Champasak", "08": "Attapeu"}


def test_gadm_id_column_is_not_taken_for_codes(tmp_path):
    admin = units(*[(c, 1, "", n) for c, n in GADM_BY_CODE.items()])
    names = sorted(GADM_BY_CODE.values())  # GADM's order
    n = len(names)
    gadm = frame([box(i, 0, i + 1, 1) for i in range(n)],
                 GID_0=["XYZ"] * n, NAME_0=["Xyzland"] * n, ID_0=[1] * n,
                 GID_1=[f"XYZ.{i}_1" for i in range(1, n + 1)],
                 ID_1=list(range(1, n + 1)), NAME_1=names,
                 TYPE_1=["Khoueng"] * n, ENGTYPE_1=["Province"] * n)
    by_id = {name: f"{i:02d}" for i, name in enumerate(names, start=1)}
    assert all(GADM_BY_CODE[by_id[name]] != name for name in names)  # ID_1 is always wrong
    write(tmp_path, "gadm41_XYZ_1.geojson", gadm)

    match = load_boundaries(folder_of(tmp_path), admin)

    report = report_of(match, "gadm41_XYZ_1.geojson")
    assert report.level == 1
    assert report.code_property == ""
    assert report.name_property.split(", ")[0] == "NAME_1"
    assert "'ID_1'" in report.why and "not used" in report.why
    truth = {name: code for code, name in GADM_BY_CODE.items()}
    assert placed(match) == truth
    assert set(match.units["method"]) == {"name"}
    assert match.problems == []


# --- 3. file names do not decide the level ---------------------------------------------------
# Three levels: region (1) -> province (2) -> municipality (3). adm1.geojson holds the
# provinces, adm2.geojson the municipalities, adm3.geojson villages (barangays), which
# admin_units does not list. There is no file of regions.

THREE_LEVELS = [
    ("01", 1, "", "North Region"), ("02", 1, "", "South Region"),
    ("0101", 2, "01", "Abra"), ("0102", 2, "01", "Benguet"),
    ("0201", 2, "02", "Cebu"), ("0202", 2, "02", "Davao"),
    ("010101", 3, "0101", "Bangued"), ("010102", 3, "0101", "Tayum"),
    ("010201", 3, "0102", "La Trinidad"), ("010202", 3, "0102", "Itogon"),
    ("020101", 3, "0201", "Carcar"), ("020102", 3, "0201", "Danao"),
    ("020201", 3, "0202", "Digos"), ("020202", 3, "0202", "Mati"),
]
PROVINCE_BOXES = {"0101": (0, 0), "0102": (2, 0), "0201": (0, 2), "0202": (2, 2)}
VILLAGES = ["Poblacion", "San Roque", "Santo Nino", "Bagong Silang", "Maligaya", "Mabini",
            "Rizal", "Bonifacio", "Malvar", "Luna", "Aguinaldo", "Burgos", "Zamora",
            "Gomez", "Del Pilar", "Jacinto"]


def three_level_files(tmp_path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    admin = units(*THREE_LEVELS)
    names = dict(zip(admin["code"], admin["name_en"]))
    provs = [c for c in names if len(c) == 4]
    write(tmp_path, "adm1.geojson", frame(
        [box(x, y, x + 2, y + 2) for x, y in PROVINCE_BOXES.values()],
        shapeName=[names[c] for c in provs]))
    munis, geoms = [], []
    for prov, (x, y) in PROVINCE_BOXES.items():
        for k in range(2):  # west and east halves
            munis.append(f"{prov}0{k + 1}")
            geoms.append(box(x + k, y, x + k + 1, y + 2))
    write(tmp_path, "adm2.geojson", frame(
        geoms, shapeName=[names[c] for c in munis], ADM3_PCODE=[f"PH{c}" for c in munis],
        ADM2_PCODE=[f"PH{c[:4]}" for c in munis]))
    village_geoms = [box(x + i % 2 * 0.5, y + i // 2 * 1.0, x + i % 2 * 0.5 + 0.5,
                         y + i // 2 * 1.0 + 1.0)
                     for (x, y) in [(g.bounds[0], g.bounds[1]) for g in geoms[:4]]
                     for i in range(4)]
    write(tmp_path, "adm3.geojson", frame(
        village_geoms, shapeName=VILLAGES,
        ADM4_PCODE=[f"PH{m}{i:03d}" for m in munis[:4] for i in range(1, 5)]))
    truth = {names[c]: c for c in [*provs, *munis]}
    return admin, truth


def test_levels_come_from_content_not_file_names(tmp_path):
    admin, truth = three_level_files(tmp_path)

    match = load_boundaries(folder_of(tmp_path), admin, polygon_levels=[2, 3])

    provinces_file = report_of(match, "adm1.geojson")
    municipalities_file = report_of(match, "adm2.geojson")
    villages_file = report_of(match, "adm3.geojson")
    assert (provinces_file.level, municipalities_file.level) == (2, 3)
    assert "its name says level 1" in provinces_file.why
    assert "its name says level 2" in municipalities_file.why
    assert municipalities_file.code_property == "ADM3_PCODE"
    assert villages_file.level is None and villages_file.skipped
    assert villages_file.matched == 0
    skipped = of_kind(match, "boundary_file_skipped")
    assert [(p.severity, p.file) for p in skipped] == [("warning", "boundaries/adm3.geojson")]
    # Nothing lands wrong: each province and municipality on its own unit, no village.
    assert placed(match) == truth
    assert sorted(match.units["level"].unique()) == [2, 3]
    assert set(match.units.loc[match.units["level"] == 3, "parent_share"]) == {1.0}
    assert errors(match) == []
    assert match.problems == skipped

    # Without polygon_levels, the regions' missing file is the one error.
    match = load_boundaries(folder_of(tmp_path), admin)
    assert [(p.kind, "(level 1)" in p.message) for p in errors(match)] == [
        ("boundary_file", True)]
    assert placed(match) == truth


def test_country_outline_named_adm1_is_skipped_and_levels_shift(tmp_path):
    # adm1 = the country outline, adm2 = provinces, adm3 = districts; admin_units has
    # provinces (1) and districts (2).
    write(tmp_path, "xyz_adm1.geojson",
          frame([box(0, 0, 4, 2)], shapeName=["Xyzland"], shapeISO=["XYZ"]))
    write(tmp_path, "xyz_adm2.geojson", provinces())
    write(tmp_path, "xyz_adm3.geojson", four_districts())

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    outline = report_of(match, "xyz_adm1.geojson")
    assert outline.level is None and "match no admin level" in outline.skipped
    assert report_of(match, "xyz_adm2.geojson").level == 1
    assert report_of(match, "xyz_adm3.geojson").level == 2
    assert "its name says level 2" in report_of(match, "xyz_adm2.geojson").why
    assert placed(match, 1) == {"Alpha": "01", "Bravo": "02"}
    assert placed(match, 2) == {"Ashford": "0101", "Brampton": "0102", "Carlisle": "0201",
                                "Dover": "0202"}
    assert [(p.severity, p.kind, p.file) for p in match.problems] == [
        ("warning", "boundary_file_skipped", "boundaries/xyz_adm1.geojson")]


# --- 4. empty files ------------------------------------------------------------------------

def test_empty_files_are_skipped_with_a_warning(tmp_path):
    folder = folder_of(tmp_path)
    write(tmp_path, "provinces.geojson", provinces())
    (folder / "blank.geojson").write_bytes(b"")
    (folder / "blank.gpkg").write_bytes(b"")
    (folder / "nothing.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": []}))

    match = load_boundaries(folder, units(*PROVINCES))

    for name in ("blank.geojson", "blank.gpkg", "nothing.geojson"):
        report = report_of(match, name)
        assert report.skipped.startswith("empty"), report
        assert report.features == 0 and report.level is None and report.matched == 0
    skipped = of_kind(match, "boundary_file_skipped")
    assert sorted(p.file for p in skipped) == ["boundaries/blank.geojson",
                                               "boundaries/blank.gpkg",
                                               "boundaries/nothing.geojson"]
    assert all(p.severity == "warning" and "empty" in p.message for p in skipped)
    assert errors(match) == []
    assert placed(match) == {"Alpha": "01", "Bravo": "02"}
    assert match.files == ["boundaries/provinces.geojson"]


# --- 5. TopoJSON with two objects -------------------------------------------------------------

def _ring(*points) -> list:
    return [list(p) for p in points]


def test_topojson_with_provinces_and_districts(tmp_path):
    # No transform: arcs hold plain coordinates. The provinces share the arc x=2 (arc 0,
    # drawn upwards; Bravo walks it backwards as ~0 = -1); districts have their own rings.
    arcs = [
        _ring((2, 0), (2, 2)),
        _ring((2, 2), (0, 2), (0, 0), (2, 0)),
        _ring((2, 0), (4, 0), (4, 2), (2, 2)),
    ]
    district_geoms = []
    for k, name in enumerate(["Ashford", "Brampton", "Carlisle", "Dover"]):
        arcs.append(_ring((k, 0), (k + 1, 0), (k + 1, 2), (k, 2), (k, 0)))
        district_geoms.append({"type": "Polygon", "arcs": [[len(arcs) - 1]],
                               "properties": {"name": name, "pcode": DISTRICTS[k][0]}})
    topology = {
        "type": "Topology",
        "objects": {
            "provinces": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Alpha"}},
                {"type": "Polygon", "arcs": [[-1, 2]], "properties": {"name": "Bravo"}},
            ]},
            "districts": {"type": "GeometryCollection", "geometries": district_geoms},
        },
        "arcs": arcs,
    }
    (folder_of(tmp_path) / "xyz.topojson").write_text(json.dumps(topology))

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    rows = {r.layer: r for r in match.report}
    assert set(rows) == {"provinces", "districts"}
    assert all(r.file == "boundaries/xyz.topojson" and r.format == "TopoJSON"
               for r in rows.values())
    assert (rows["provinces"].level, rows["districts"].level) == (1, 2)
    assert (rows["provinces"].features, rows["districts"].features) == (2, 4)
    assert (rows["provinces"].matched, rows["districts"].matched) == (2, 4)
    assert rows["districts"].code_property == "pcode"
    assert placed(match, 1) == {"Alpha": "01", "Bravo": "02"}
    assert placed(match, 2) == {"Ashford": "0101", "Brampton": "0102", "Carlisle": "0201",
                                "Dover": "0202"}
    assert row_of(match, "01").geometry.area == pytest.approx(4.0)
    assert row_of(match, "02").geometry.area == pytest.approx(4.0)
    assert match.problems == []


# --- 6. a zipped shapefile, in a folder of the archive -----------------------------------------

def test_zipped_shapefile_in_a_subfolder(tmp_path):
    write(tmp_path, "provinces.geojson", provinces())
    work = tmp_path / "shp"
    work.mkdir()
    four_districts(DIST_CODE=[c for c, *_ in DISTRICTS]).to_file(
        work / "districts.shp", driver="ESRI Shapefile")
    parts = sorted(work.iterdir())
    assert {p.suffix for p in parts} >= {".shp", ".shx", ".dbf", ".prj"}
    with zipfile.ZipFile(folder_of(tmp_path) / "districts.zip", "w") as archive:
        for part in parts:
            archive.write(part, f"xyz_gis/{part.name}")

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    report = next(r for r in match.report if r.file == "boundaries/districts.zip")
    assert report.format == "zipped Shapefile"
    assert report.layer == "xyz_gis/districts.shp"
    assert (report.level, report.features, report.matched) == (2, 4, 4)
    assert report.crs == "EPSG:4326"
    assert report.code_property == "DIST_CODE"
    assert placed(match, 2) == {"Ashford": "0101", "Brampton": "0102", "Carlisle": "0201",
                                "Dover": "0202"}
    assert set(match.units.loc[match.units["level"] == 2, "method"]) == {"code"}
    assert "boundaries/districts.zip" in match.files
    assert match.problems == []


# --- 7. outlines that do not line up -----------------------------------------------------------

@pytest.mark.parametrize("geoms, names, code, share", [
    # Ashford (a district of Alpha) = [0.8,2.8]: 60 % in Alpha, 40 % in Bravo.
    ([box(0, 0, 0.8, 2), box(0.8, 0, 2.8, 2), box(2.8, 0, 3.4, 2), box(3.4, 0, 4, 2)],
     ["Brampton", "Ashford", "Carlisle", "Dover"], "0101", 0.6),
    # Carlisle (a district of Bravo) = [0.9,2.9]: 55 % in Alpha, 45 % in Bravo. Alpha's two
    # districts have their polygons, so the name is looked for in Bravo next.
    ([box(0.9, 0, 2.9, 2), box(0, 0, 0.45, 2), box(0.45, 0, 0.9, 2), box(2.9, 0, 4, 2)],
     ["Carlisle", "Ashford", "Brampton", "Dover"], "0201", 0.45),
], ids=["mostly_in_its_province", "found_in_the_second_province_it_overlaps"])
def test_outlines_that_do_not_line_up(tmp_path, geoms, names, code, share):
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", frame(geoms, name=names))

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    assert placed(match, 2) == {"Ashford": "0101", "Brampton": "0102", "Carlisle": "0201",
                                "Dover": "0202"}
    row = row_of(match, code)
    assert (row["method"], row["score"]) == ("name", 1.0)
    assert row["parent_share"] == pytest.approx(share, abs=1e-3)
    found = of_kind(match, "boundary_parent_share")
    assert [(p.severity, p.unit_code) for p in found] == [("warning", code)]
    assert f"{share:.0%}" in found[0].message
    assert match.problems == found  # no low-confidence or unmatched warning
    assert errors(match) == []


# --- 8. a code that says one province, a place in another ----------------------------------------

def test_code_of_a_district_of_another_province_is_an_error(tmp_path):
    # The polygon coded 0101 (Ashford, in Alpha) lies wholly inside Bravo.
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", frame(
        [box(0, 0, 2, 2), box(2, 0, 3, 2), box(3, 0, 4, 2), box(2.2, 0.2, 2.8, 1.8)],
        name=["Brampton", "Carlisle", "Dover", "Ashford"],
        code=["0102", "0201", "0202", "0101"]))

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    assert report_of(match, "adm2.geojson").code_property == "code"
    wrong = of_kind(match, "boundary_code_elsewhere")
    assert [(p.severity, p.unit_code, p.file) for p in wrong] == [
        ("error", "0101", "boundaries/adm2.geojson")]
    assert "Alpha" in wrong[0].message and "Bravo" in wrong[0].message
    assert "Ashford" in wrong[0].message
    # Not drawn anywhere: neither as Ashford nor as a district of Bravo.
    assert "0101" not in set(match.units["code"])
    assert placed(match, 2) == {"Brampton": "0102", "Carlisle": "0201", "Dover": "0202"}
    assert errors(match) == wrong


# --- 9. spellings of one name -------------------------------------------------------------------

VARIANT_UNITS = [
    ("01", 1, "", "Vientiane Capital"), ("02", 1, "", "Bokeo"), ("03", 1, "", "Agusan Norte"),
    ("0101", 2, "01", "Ozamis City"), ("0102", 2, "01", "Xay"),
    ("0201", 2, "02", "Pakse"), ("0202", 2, "02", "Kaysone Phomvihane"),
    ("0301", 2, "03", "Butuan"), ("0302", 2, "03", "Cabadbaran"),
]


def test_name_variants_match_without_low_confidence(tmp_path):
    write(tmp_path, "adm1.geojson", frame(
        [box(0, 0, 2, 2), box(2, 0, 4, 2), box(4, 0, 6, 2)],
        name=["Vientiane (Capital)", "Bokèo", "Norte Agusan"]))
    write(tmp_path, "adm2.geojson", frame(
        [box(0, 0, 1, 2), box(1, 0, 2, 2), box(2, 0, 3, 2), box(3, 0, 4, 2), box(4, 0, 5, 2),
         box(5, 0, 6, 2)],
        name=["City of Ozamiz", "Muang Xay", "Pakse District", "Khanthabouly", "Butuan",
              "Cabadbaran"]))
    # Kaysone Phomvihane was called Khanthabouly until 2005: the package says so.
    aliases = pd.DataFrame({"code": ["0202"], "name": ["Khanthabouly"]})

    match = load_boundaries(folder_of(tmp_path), units(*VARIANT_UNITS), aliases=aliases)

    assert placed(match) == {
        "Vientiane (Capital)": "01", "Bokèo": "02", "Norte Agusan": "03",
        "City of Ozamiz": "0101", "Muang Xay": "0102", "Pakse District": "0201",
        "Khanthabouly": "0202", "Butuan": "0301", "Cabadbaran": "0302"}
    assert set(match.units["method"]) == {"name"}
    assert of_kind(match, "boundary_low_confidence") == []
    assert match.problems == []


def test_vientiane_capital_beside_vientiane_province(tmp_path):
    # Laos has both. "Vientiane (Capital)" written in full is "Vientiane Capital" (exact);
    # without its note it is "Vientiane", as "Vientiane Province" is without its generic
    # word. The exact spelling must win: each polygon on its own province.
    admin = units(("01", 1, "", "Vientiane Capital"), ("02", 1, "", "Vientiane Province"))
    write(tmp_path, "adm1.geojson", frame(
        [box(0, 0, 1, 1), box(1, 0, 4, 1)], name=["Vientiane (Capital)", "Vientiane Province"]))

    match = load_boundaries(folder_of(tmp_path), admin)

    assert placed(match) == {"Vientiane (Capital)": "01", "Vientiane Province": "02"}
    assert set(match.units["method"]) == {"name"}
    assert match.problems == []


# --- 10. a crosswalk --------------------------------------------------------------------------

def test_crosswalk_settles_what_no_rule_can(tmp_path):
    # Newcastle's polygon is called "Old Town" in the file. Hillside's crosswalk row names a
    # polygon ("Ghost Hill") that no file has.
    admin = two_level_units(districts=[
        ("0101", 2, "01", "Ashford"), ("0102", 2, "01", "Newcastle"),
        ("0103", 2, "01", "Hillside"), ("0201", 2, "02", "Carlisle"),
        ("0202", 2, "02", "Dover")])
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", four_districts().assign(
        name=["Ashford", "Old Town", "Carlisle", "Dover"]))
    crosswalk = pd.DataFrame({"code": ["0102", "0103"], "polygon": ["Old Town", "Ghost Hill"]})

    match = load_boundaries(folder_of(tmp_path), admin, crosswalk=crosswalk)

    assert placed(match, 2) == {"Ashford": "0101", "Old Town": "0102", "Carlisle": "0201",
                                "Dover": "0202"}
    newcastle = row_of(match, "0102")
    assert (newcastle["method"], newcastle["score"]) == ("crosswalk", 1.0)
    assert newcastle["parent_share"] == pytest.approx(1.0)
    assert of_kind(match, "boundary_low_confidence") == []
    unused = of_kind(match, "crosswalk")
    assert [(p.severity, p.unit_code) for p in unused] == [("warning", "0103")]
    assert "'Ghost Hill'" in unused[0].message  # as the crosswalk writes it
    assert errors(match) == []
    assert sorted(p.kind for p in match.problems) == ["crosswalk", "unit_without_polygon"]


def test_a_stale_crosswalk_row_is_reported_even_when_its_area_matched_by_name(tmp_path):
    admin = two_level_units(districts=[
        ("0101", 2, "01", "Ashford"), ("0102", 2, "01", "Newcastle"),
        ("0201", 2, "02", "Carlisle"), ("0202", 2, "02", "Dover")])
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", four_districts().assign(
        name=["Ashford", "Newcastle", "Carlisle", "Dover"]))
    crosswalk = pd.DataFrame({"code": ["0102"], "polygon": ["Old Town"]})
    match = load_boundaries(folder_of(tmp_path), admin, crosswalk=crosswalk)
    assert row_of(match, "0102")["method"] == "name"
    assert [p.message for p in of_kind(match, "crosswalk")] == [
        "crosswalk: no polygon has the code or name 'Old Town' given for Newcastle "
        "(0102, Alpha)"]


# --- 11. an area in two parts, and a second polygon for one area ------------------------------

SPLIT_DISTRICTS = [
    ("0101", 2, "01", "Ashford"), ("0102", 2, "01", "Islandia"), ("0103", 2, "01", "Ceres"),
    ("0201", 2, "02", "Carlisle"), ("0202", 2, "02", "Dover"), ("0203", 2, "02", "Exeter")]


def split_districts() -> gpd.GeoDataFrame:
    # Islandia: two disjoint strips of Alpha, 0.5 each.
    return frame(
        [box(0, 0, 1, 1), box(1, 0, 2, 0.5), box(1, 1.5, 2, 2), box(0, 1, 1, 2),
         box(2, 0, 3, 2), box(3, 0, 4, 1), box(3, 1, 4, 2)],
        name=["Ashford", "Islandia", "Islandia", "Ceres", "Carlisle", "Dover", "Exeter"],
        code=["0101", "0102", "0102", "0103", "0201", "0202", "0203"])


@pytest.mark.parametrize("by", ["name", "code"])
def test_split_area_is_merged_into_one_row(tmp_path, by):
    districts = split_districts()
    if by == "name":
        districts = districts.drop(columns="code")
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", districts)

    match = load_boundaries(folder_of(tmp_path), two_level_units(districts=SPLIT_DISTRICTS))

    assert report_of(match, "adm2.geojson").code_property == ("code" if by == "code" else "")
    islandia = row_of(match, "0102")
    assert islandia["geometry"].area == pytest.approx(1.0)
    assert islandia["source_name"] == "Islandia"
    assert islandia["method"] == by
    assert islandia["parent_share"] == pytest.approx(1.0)
    assert len(match.units) == 2 + 6
    assert report_of(match, "adm2.geojson").matched == 7
    assert of_kind(match, "boundary_duplicate") == []
    assert match.problems == []


def test_overlapping_second_polygon_with_the_same_code_is_a_duplicate(tmp_path):
    districts = split_districts().drop(index=2)  # Islandia in one part
    zephyr = frame([box(1.05, 0.05, 1.95, 0.45)], name=["Zephyr"], code=["0102"])
    districts = gpd.GeoDataFrame(pd.concat([districts, zephyr], ignore_index=True), crs=CRS)
    write(tmp_path, "adm1.geojson", provinces())
    write(tmp_path, "adm2.geojson", districts)

    match = load_boundaries(folder_of(tmp_path), two_level_units(districts=SPLIT_DISTRICTS))

    assert report_of(match, "adm2.geojson").code_property == "code"
    islandia = row_of(match, "0102")
    assert islandia["source_name"] == "Islandia"
    assert islandia["geometry"].area == pytest.approx(0.5)
    dups = of_kind(match, "boundary_duplicate")
    assert [(p.severity, p.unit_code) for p in dups] == [("warning", "0102")]
    assert "Zephyr" in dups[0].message and "Islandia" in dups[0].message
    assert errors(match) == []


# --- 12. a level without any file ----------------------------------------------------------------

def test_level_without_a_file_is_an_error(tmp_path):
    write(tmp_path, "adm1.geojson", provinces())

    match = load_boundaries(folder_of(tmp_path), two_level_units())

    missing = errors(match)
    assert [p.kind for p in missing] == ["boundary_file"]
    assert "no boundary file holds" in missing[0].message
    assert "(level 2)" in missing[0].message
    assert placed(match) == {"Alpha": "01", "Bravo": "02"}
    # A package that wants polygons of provinces only is content with that.
    assert errors(load_boundaries(folder_of(tmp_path), two_level_units(),
                                  polygon_levels=[1])) == []
