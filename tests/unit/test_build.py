"""The build on a tiny hand-made package: tables, aggregates, warnings, atomicity."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from lib import build as build_module
from lib.build import build_extract
from lib.db import connect, extract_info, problems
from tests.fixtures.tiny_package import write_tiny_package


@pytest.fixture(scope="module")
def tiny_extract(tmp_path_factory) -> Path:
    package = write_tiny_package(tmp_path_factory.mktemp("tiny") / "package")
    db = package.parent / "emis.duckdb"
    build_extract(package, db)
    return db


def test_clean_package_builds_without_warnings(tiny_extract):
    con = connect(tiny_extract)
    found = problems(con)
    assert set(found.kind) == {"missing_optional_table"}
    assert list(found.file) == ["facilities", "quality", "targets"]
    info = extract_info(con)
    assert (info.areas_by_level, info.n_schools) == ((2, 3), 3)
    assert info.years == [2022, 2023]
    assert info.pupils_by_year == {2022: 120, 2023: 122}
    assert info.teachers_by_year == {2022: 7, 2023: 7}
    assert info.schools_by_year == {2022: 3, 2023: 3}
    assert info.synthetic is False and info.package_source == "Hand-made test package"


def test_typed_tables_keep_values_and_extra_columns(tiny_extract):
    con = connect(tiny_extract)
    s2 = con.execute("SELECT complete, multigrade, distance_to_road_km, province_code, priority, "
                     "has_location, outside_district FROM schools WHERE school_id = 'S2'"
                     ).fetchone()
    assert s2 == (True, True, 4.0, "01", True, True, False)
    assert con.execute("SELECT poverty_rate FROM district_attributes WHERE district_code = "
                       "'0201'").fetchone() == (42.0,)  # an extra numeric column stays numeric
    unknown_age = con.execute("SELECT enrolled FROM enrolment WHERE age IS NULL").fetchall()
    assert unknown_age == [(18,)]


def test_district_aggregates_add_up(tiny_extract):
    con = connect(tiny_extract)
    by_district = dict(con.execute("SELECT district_code, sum(enrolled) FROM agg_enrolment "
                                   "WHERE year = 2022 GROUP BY ALL").fetchall())
    assert by_district == {"0101": 42, "0102": 67, "0201": 11}
    # Flows 2022 -> 2023, grade 1 of S1: 22 enrolled, 2 repeat in 2023, 19 new in grade 2.
    row = con.execute("SELECT sum(enrolled), sum(repeaters_next), sum(entrants_next_grade) "
                      "FROM agg_flow WHERE year = 2022 AND district_code = '0101' AND grade = 1"
                      ).fetchone()
    assert row == (22, 2, 17)
    schools = con.execute("SELECT level, sum(schools), sum(complete), sum(multigrade) FROM "
                          "agg_schools WHERE year = 2023 GROUP BY level ORDER BY level").fetchall()
    assert schools == [("lower_secondary", 1, 1, 1), ("primary", 3, 2, 1)]


def test_boundaries_stored_at_several_details(tiny_extract):
    con = connect(tiny_extract)
    details = con.execute("SELECT detail, count(*) FROM boundaries GROUP BY detail").fetchall()
    assert len(details) >= 3 and all(n == 5 for _, n in details)


def _warnings_of(package: Path, tmp_path: Path) -> dict[str, list[str]]:
    db = tmp_path / "w.duckdb"
    build_extract(package, db)
    found: dict[str, list[str]] = {}
    for row in problems(connect(db)).itertuples():
        concerned = row.school_id if isinstance(row.school_id, str) else row.unit_code
        found.setdefault(row.kind, []).append(concerned)
    return found


def test_warnings_for_dirty_data(tmp_path):
    package = write_tiny_package(tmp_path / "package")
    schools = package / "schools.csv"
    text = schools.read_text()
    text = text.replace("0101,15.5,100.5", "0101,,")  # no coordinates
    text = text.replace("0102,15.5,101.5", "0102,101.5,15.5")  # swapped
    text = text.replace("0201,15.5,102.5", "0201,15.5,100.2")  # in Alpha, not Charlie
    schools.write_text(text)
    enrolment = package / "enrolment.csv"
    text = enrolment.read_text()
    text = "\n".join(line for line in text.splitlines() if not line.startswith("2023,S3"))
    text = text.replace("2023,S2,1,F,6,21,3", "2023,S2,1,F,6,121,3")  # jump
    text = text.replace("2023,S1,2,M,7,10,1", "2023,S1,2,M,19,10,1")  # age far from grade
    enrolment.write_text(text + "\n")
    teachers = package / "teachers.csv"
    teachers.write_text(teachers.read_text().replace("2022,S1,primary,F,1,1,2",
                                                     "2022,S1,primary,F,1,1,30"))
    population = package / "population.csv"
    population.write_text("\n".join(line for line in population.read_text().splitlines()
                                    if ",0102," not in line or not line.startswith("2023"))
                          + "\n")
    found = _warnings_of(package, tmp_path)
    del found["missing_optional_table"]
    assert found == {
        "no_coordinates": ["S1"],
        "coordinates_outside_country": ["S2"],
        "outside_district": ["S3"],
        "non_reporting": ["S3"],
        "ptr_implausible": ["S1"],
        "enrolment_jump": ["S2"],
        "age_grade_mismatch": ["S1"],
        "no_population": ["0102"],
    }


def test_codes_that_lost_their_leading_zeros_still_find_their_polygons(tmp_path):
    """A spreadsheet turned 0101 into 101 in every table but the boundaries: the polygons
    are still matched by code."""
    package = write_tiny_package(tmp_path / "package")
    for name in ("admin_units", "schools", "population", "district_attributes"):
        path = package / f"{name}.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        fixed = [lines[0]] + [",".join(cell.lstrip("0") if cell.isdigit() and
                                       cell.startswith("0") else cell
                                       for cell in line.split(",")) for line in lines[1:]]
        path.write_text("\n".join(fixed) + "\n", encoding="utf-8")
    db = tmp_path / "e.duckdb"
    build_extract(package, db)
    con = connect(db)
    assert sorted(c for (c,) in con.execute("SELECT code FROM admin_units").fetchall()) == [
        "1", "101", "102", "2", "201"]
    assert {m for (m,) in con.execute("SELECT DISTINCT method FROM boundary_matches")
            .fetchall()} == \
        {"code"}


def test_codes_of_different_widths_are_flagged_as_lost_zeros():
    from lib.package import TableFile
    from lib.problems import ProblemLog
    from lib.validate import _check_code_widths

    con = duckdb.connect()
    con.execute("CREATE TABLE raw_admin_units AS SELECT * FROM (VALUES "
                "('1', '1'), ('18', '1'), ('101', '2'), ('1801', '2'), ('0102', '2')) "
                "t(code, level)")
    log = ProblemLog()
    _check_code_widths(con, TableFile("admin_units", Path("admin_units.csv")), log)
    assert [(w.kind, w.file) for w in log.warnings] == [
        ("codes_without_leading_zeros", "admin_units.csv")] * 2
    assert "1 to 2 digits (1, 18)" in log.warnings[0].message


def test_population_without_some_ages_is_announced(tmp_path):
    """Rates divide by the population of single ages 5 (a year before entry) to 8 here:
    a district without age 8 would show a lower secondary GER too high."""
    package = write_tiny_package(tmp_path / "package")
    path = package / "population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [lines[0]] + [line for line in lines[1:]
                         if not (line.split(",")[1] == "0101" and line.split(",")[3] == "8")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    db = tmp_path / "e.duckdb"
    build_extract(package, db)
    found = problems(connect(db))
    found = found[found["kind"] == "population_ages"]
    assert list(found["unit_code"]) == ["0101", "0101"], "one per year, for that district"
    assert "lacks ages 8" in found["message"].iloc[0] and "ages 5–8" in \
        found["message"].iloc[0]
    # every district without ages 7–8: one warning per year for the package
    lines = [lines[0]] + [line for line in lines[1:] if line.split(",")[3] not in ("7", "8")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_extract(package, db)
    found = problems(connect(db))
    found = found[found["kind"] == "population_ages"]
    assert len(found) == 2 and found["unit_code"].isna().all()
    assert found["message"].iloc[0].startswith("the population of 3 level-2 areas in 2022 lacks "
                                               "ages 7–8")


def test_missing_optional_tables_are_announced(tmp_path):
    package = write_tiny_package(tmp_path / "package")
    (package / "population.csv").unlink()
    db = tmp_path / "w.duckdb"
    build_extract(package, db)
    found = problems(connect(db))
    assert list(found.file) == ["facilities", "population", "quality", "targets"]
    assert "no population table: the indicators that need it are switched off" in \
        list(found.message)


def test_interrupted_build_keeps_the_old_extract(tmp_path, monkeypatch):
    package = write_tiny_package(tmp_path / "package")
    db = tmp_path / "emis.duckdb"
    build_extract(package, db)
    before = db.read_bytes()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "create_aggregates", explode)
    with pytest.raises(RuntimeError):
        build_extract(package, db)
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emis.duckdb", "package"]


def test_parquet_tables_are_read(tmp_path):
    package = write_tiny_package(tmp_path / "package")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{package / 'enrolment.csv'}')) TO "
                f"'{package / 'enrolment.parquet'}' (FORMAT parquet)")
    (package / "enrolment.csv").unlink()
    db = tmp_path / "p.duckdb"
    build_extract(package, db)
    assert extract_info(connect(db)).pupils_by_year == {2022: 120, 2023: 122}


def test_meta_records_the_build(tiny_extract):
    con = connect(tiny_extract)
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert json.loads(meta["years"]) == [2022, 2023]
    assert json.loads(meta["boundary_files"]) == ["boundaries/adm1.geojson",
                                                  "boundaries/adm2.geojson"]
    assert "Testland" in meta["country_toml"]


def test_real_world_spellings_of_a_package(tmp_path):
    """Semicolons, headers in other case with spaces, a column called rowid, extra columns
    named like computed ones, header-only optional tables and duplicate levels."""
    package = write_tiny_package(tmp_path / "package")
    enrolment = package / "enrolment.csv"
    lines = enrolment.read_text().splitlines()
    lines[0] = "Year ; School_ID;Grade;SEX;age;enrolled;repeaters"
    enrolment.write_text("\n".join(line.replace(",", ";") if i else line
                                   for i, line in enumerate(lines)) + "\n")
    schools = package / "schools.csv"
    text = schools.read_text().replace("closed_year\n", "closed_year,rowid,priority\n")
    text = text.replace("2000,\n", "2000,,x,9\n").replace("2010,\n", "2010,,y,9\n")
    text = text.replace("public,urban,primary,", "public,urban,primary;Primary,")
    schools.write_text(text)
    (package / "facilities.csv").write_text("year,school_id,classrooms\n")
    db = tmp_path / "emis.duckdb"
    build_extract(package, db)
    con = connect(db)
    assert extract_info(con).pupils_by_year == {2022: 120, 2023: 122}
    found = problems(con)
    assert list(found.loc[found.kind == "column_set_aside", "column"]) == ["priority"]
    assert "facilities" in list(found.loc[found.kind == "missing_optional_table", "file"])
    priority = dict(con.execute("SELECT school_id, priority FROM schools").fetchall())
    assert priority == {"S1": False, "S2": True, "S3": True}  # from district_attributes
    assert con.execute("SELECT rowid_ FROM schools WHERE school_id = 'S1'").fetchone() == ("x",)
    primary = con.execute("SELECT sum(schools) FROM agg_schools WHERE year = 2022 AND "
                          "level = 'primary'").fetchone()[0]
    assert primary == 3  # "primary;Primary" counts the school once


def test_zipped_shapefile_boundaries(tmp_path):
    import zipfile

    import geopandas as gpd

    package = write_tiny_package(tmp_path / "package")
    districts = gpd.read_file(package / "boundaries" / "adm2.geojson")
    (package / "boundaries" / "adm2.geojson").unlink()
    shapefile = tmp_path / "shp"
    shapefile.mkdir()
    districts.to_file(shapefile / "districts.shp")
    with zipfile.ZipFile(package / "boundaries" / "country_adm2_shp.zip", "w") as archive:
        for part in shapefile.iterdir():
            archive.write(part, part.name)
    db = tmp_path / "z.duckdb"
    build_extract(package, db)
    con = connect(db)
    assert con.execute("SELECT count(*) FROM boundaries WHERE level = 2 AND detail = 'full'"
                       ).fetchone() == (3,)
