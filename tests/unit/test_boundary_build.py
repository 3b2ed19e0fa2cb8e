"""The build's side of boundary matching, over the tiny hand-made package: the profile's
[[boundary_files]], the aliases and crosswalk tables, the report of every layer read (in the
extract and from `validate`), and areas left without a polygon counted with their pupils
(the warnings and the map's note)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.build import build_extract
from lib.cli import main as cli
from tests.app.pages import ok
from tests.fixtures.tiny_package import errors_with_appended, write_tiny_package

APP = Path(__file__).resolve().parents[2] / "app.py"


def _feature(code: str, name: str, x0: float, x1: float, **props) -> dict:
    return {"type": "Feature", "properties": {"code": code, "name": name, **props},
            "geometry": {"type": "Polygon", "coordinates": [
                [[x0, 15], [x1, 15], [x1, 16], [x0, 16], [x0, 15]]]}}


def _write(path: Path, *features: dict) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}),
                    encoding="utf-8")


def _as_a_ministry_gives_them(package: Path) -> None:
    """Boundaries without the package's codes: districts named otherwise (Bravo renamed,
    Charlie's polygon under a name only the crosswalk knows), a country outline, and a
    file of provinces whose content says nothing the profile declares it."""
    folder = package / "boundaries"
    for old in folder.iterdir():
        old.unlink()
    _write(folder / "adm0.geojson", _feature("TST", "Testland", 100, 103))
    # Names in a script the admin units do not use: only the profile can tell their level.
    _write(folder / "regions_export.geojson", _feature("N", "Nord", 100, 102),
           _feature("S", "Sud", 102, 103))
    _write(folder / "adm3.geojson",  # named adm3, holds the districts
           _feature("", "Muang Alpha", 100, 101, len_km=1),
           _feature("", "Bravo Old", 101, 102, len_km=2),
           _feature("", "Old Charlie Town", 102, 103, len_km=201))
    (package / "aliases.csv").write_text("code,name\n0102,Bravo Old\n", encoding="utf-8")
    (package / "crosswalk.csv").write_text(
        "code,polygon\n0201,Old Charlie Town\n01,N\n02,S\n", encoding="utf-8")
    with (package / "country.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[[boundary_files]]\nfile = "regions_*"\nlevel = 1\n')


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    folder = write_tiny_package(tmp_path_factory.mktemp("ministry") / "package")
    _as_a_ministry_gives_them(folder)
    return folder


def test_rules_aliases_and_crosswalk_place_every_polygon(package, tmp_path):
    result = build_extract(package, tmp_path / "emis.duckdb")
    con = db.connect(tmp_path / "emis.duckdb")
    matches = con.execute("SELECT code, method, source_name FROM boundary_matches "
                          "ORDER BY code").fetchall()
    assert matches == [("01", "crosswalk", "Nord"), ("0101", "name", "Muang Alpha"),
                       ("0102", "name", "Bravo Old"), ("02", "crosswalk", "Sud"),
                       ("0201", "crosswalk", "Old Charlie Town")]
    report = db.boundary_report(con).set_index("file")
    assert report.at["boundaries/regions_export.geojson", "level"] == 1
    assert report.at["boundaries/regions_export.geojson", "why"].startswith(
        "declared in country.toml")
    assert report.at["boundaries/adm3.geojson", "level"] == 2
    assert "(its name says level 3; its content decides)" in report.at[
        "boundaries/adm3.geojson", "why"]
    assert report.at["boundaries/adm3.geojson", "code_property"] == ""  # not len_km
    assert report.at["boundaries/adm0.geojson", "skipped"].startswith(
        "its features match no admin level")
    kinds = {p.kind for p in result.problems}
    assert "boundary_low_confidence" not in kinds and "polygons_missing" not in kinds
    assert "boundary_file_skipped" in kinds  # the outline, named


def test_validate_lists_every_file_read(package, capsys):
    assert cli(["validate", "--source", str(package)]) == 0
    out = capsys.readouterr().out
    assert "Boundary files read:" in out
    assert ("boundaries/adm3.geojson: 3 features (GeoJSON, EPSG:4326) -> level-2 areas: names "
            "in 'name' match 67% of its features to level-2 areas (its name says level 3; its "
            "content decides); names: name; 3 matched") in out
    assert ("boundaries/regions_export.geojson: 2 features (GeoJSON, EPSG:4326) -> level-1 "
            "areas: declared in country.toml ([[boundary_files]] 'regions_*'); names: name; "
            "2 matched") in out
    assert "boundaries/adm0.geojson: not used: its features match no admin level" in out


def test_a_bad_boundary_rule_is_an_error_naming_it(tmp_path):
    problems = errors_with_appended(
        tmp_path, "country.toml", '\n[[boundary_files]]\nfile = "adm1.geojson"\nlevel = "county"\n')
    assert [p.message for p in problems] == [
        "boundary_files[1] ('adm1.geojson'): level = 'county' is none of province, district, skip"]


# --------------------------------------------------------------------------- coverage


def _without_bravo(package: Path) -> None:
    text = (package / "boundaries" / "adm2.geojson").read_text(encoding="utf-8")
    features = [f for f in json.loads(text)["features"] if f["properties"]["code"] != "0102"]
    _write(package / "boundaries" / "adm2.geojson", *features)


@pytest.fixture(scope="module")
def without_bravo(tmp_path_factory) -> tuple[Path, list]:
    package = write_tiny_package(tmp_path_factory.mktemp("no_bravo") / "package")
    _without_bravo(package)
    extract = package.parent / "emis.duckdb"
    result = build_extract(package, extract)
    return extract, result.problems


def test_areas_without_a_polygon_are_counted_with_their_pupils(without_bravo):
    _, problems = without_bravo
    summary = [p for p in problems if p.kind == "polygons_missing"]
    # Bravo's school S2 had 21 + 19 + 16 + 13 = 69 of the 122 pupils of 2023.
    assert [p.message for p in summary] == [
        "1 level-2 area has no polygon; it holds 69 pupils (57% of the country's): it is in "
        "the tables, not on the maps"]
    assert [p.message for p in problems if p.kind == "unit_without_polygon"] == [
        "level-2 area Bravo (0102, North), with 69 pupils, has no polygon in the boundary "
        "files; it is listed under the map"]


def test_the_map_says_which_areas_it_cannot_draw(without_bravo, monkeypatch):
    extract, _ = without_bravo
    monkeypatch.setenv("EMIS_DB", str(extract))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.switch_page("pages/map.py")
    at.query_params.update({"admin": "district", "year": "2023", "indicator": "enrolment_primary"})
    ok(at.run())
    notes = [c.value for c in at.caption if "no polygon" in c.value]
    # Bravo's primary pupils in 2023: 21 + 19 + 16 (grade 3 is lower secondary).
    assert notes == ["1 level-2 area holding 69 pupils has no polygon: Bravo. It is in the "
                     "table, not on the map."]
