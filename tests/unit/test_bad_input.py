"""One test per kind of bad input: a clear message naming file, row and column, no
traceback, and the extract that was there before left byte-for-byte unchanged."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lib.cli import main
from tests.fixtures.tiny_package import write_tiny_package


@pytest.fixture(scope="module")
def good_package(tmp_path_factory) -> Path:
    return write_tiny_package(tmp_path_factory.mktemp("good") / "package")


@pytest.fixture()
def setup(good_package, tmp_path):
    """A copy of the good package to break, and an extract already built from it."""
    package = tmp_path / "package"
    shutil.copytree(good_package, package)
    db = tmp_path / "emis.duckdb"
    assert main(["build", "--source", str(good_package), "--db", str(db)]) == 0
    return package, db, db.read_bytes()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fails_with(setup, capsys, *expected: str) -> str:
    package, db, before = setup
    code = main(["build", "--source", str(package), "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, f"{text!r} not in:\n{err}"
    assert db.read_bytes() == before, "a failed build changed the extract"
    assert [p.name for p in db.parent.iterdir() if p.name.startswith(".")] == [], \
        "a failed build left its work file behind"
    return err


def test_missing_required_file(setup, capsys):
    (setup[0] / "enrolment.csv").unlink()
    fails_with(setup, capsys, "enrolment.csv", "the required table 'enrolment' is missing")


def test_missing_required_column(setup, capsys):
    edit(setup[0] / "enrolment.csv", "year,school_id,grade,sex,", "year,school_id,grade,gender,")
    fails_with(setup, capsys, "enrolment.csv column sex", "the required column 'sex' is missing")


def test_unreadable_file(setup, capsys):
    (setup[0] / "schools.csv").write_bytes(b"school_id,name_en\n\xff\xfe\x00bad,\"unterminated\n")
    fails_with(setup, capsys, "schools.csv", "cannot be read as a CSV table")


def test_invalid_country_toml(setup, capsys):
    edit(setup[0] / "country.toml", 'iso3 = "TST"', 'iso3 = "TST')
    fails_with(setup, capsys, "country.toml", "not valid TOML")


def test_country_levels_not_continuous(setup, capsys):
    edit(setup[0] / "country.toml", "grades = [3]", "grades = [4]")
    fails_with(setup, capsys, "country.toml", "grades must continue from the previous level")


def test_wrong_type(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2022,S1,1,M,6,12,2", "2022,S1,1,M,6,twelve,2")
    fails_with(setup, capsys, "enrolment.csv row 3 column enrolled", "'twelve' is not a whole number")


def test_fractional_count(setup, capsys):
    edit(setup[0] / "teachers.csv", "2022,S1,primary,F,1,1,2", "2022,S1,primary,F,1,1,2.5")
    fails_with(setup, capsys, "teachers.csv row 2 column count", "'2.5' is not a whole number")


def test_negative_count(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2022,S1,2,F,7,9,0", "2022,S1,2,F,7,-9,0")
    fails_with(setup, capsys, "enrolment.csv row 4 column enrolled", "enrolled -9 is negative")


def test_repeaters_above_enrolled(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2022,S2,1,F,6,20,4", "2022,S2,1,F,6,20,40")
    fails_with(setup, capsys, "enrolment.csv row 6 column repeaters", "repeaters 40 > enrolled 20")


def test_unknown_sex_grade_and_level(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2023,S3,2,M,7,5,0", "2023,S3,9,X,7,5,0")
    edit(setup[0] / "teachers.csv", "2023,S3,primary,F", "2023,S3,university,F")
    err = fails_with(setup, capsys, "enrolment.csv row 21 column grade", "grade '9' is not one of 1, 2, 3",
                     "enrolment.csv row 21 column sex", "sex 'X' is not one of F, M",
                     "teachers.csv row 9 column level", "level 'university' is not one of")
    assert err.count("ERROR") == 3


def test_unknown_level_in_school_register(setup, capsys):
    edit(setup[0] / "schools.csv", "primary;lower_secondary", "primary;college")
    fails_with(setup, capsys, "schools.csv row 3 column levels", "'primary;college'")


def test_duplicate_school_id(setup, capsys):
    edit(setup[0] / "schools.csv", "S3,Charlie school", "S2,Charlie school")
    fails_with(setup, capsys, "schools.csv row 4 column school_id", "the same school_id as row 3")


def test_duplicate_enrolment_row(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2023,S3,2,M,7,5,0", "2023,S3,1,F,6,5,0")
    fails_with(setup, capsys, "enrolment.csv row 21",
               "the same year, school_id, grade, sex, age as row 20")


def test_reference_to_nothing(setup, capsys):
    edit(setup[0] / "schools.csv", "S3,Charlie school,Charlie school,0201",
         "S3,Charlie school,Charlie school,0299")
    edit(setup[0] / "enrolment.csv", "2023,S3,2,M,7,5,0", "2023,S9,2,M,7,5,0")
    edit(setup[0] / "admin_units.csv", "0201,2,02,", "0201,2,03,")
    fails_with(setup, capsys,
               "schools.csv row 4 column district_code",
               "'0299' is not the code of a level-2 area in admin_units",
               "enrolment.csv row 21 column school_id", "'S9' is not a school in schools",
               "admin_units.csv row 6 column parent_code",
               "'03' is not the code of a level-1 area in admin_units")


def test_missing_value(setup, capsys):
    edit(setup[0] / "schools.csv", ",private,rural,primary,0,0,12", ",private,rural,,0,0,12")
    fails_with(setup, capsys, "schools.csv row 4 column levels", "levels is empty")


def test_coordinates_not_numbers(setup, capsys):
    edit(setup[0] / "schools.csv", "0101,15.5,100.5", "0101,15°30'N,100.5")
    fails_with(setup, capsys, "schools.csv row 2 column latitude", "'15°30'N' is not a number")


def test_out_of_range_score(setup, capsys):
    (setup[0] / "quality.csv").write_text("year,school_id,standard,score,met\n"
                                          "2022,S1,fqs,101,1\n", encoding="utf-8")
    fails_with(setup, capsys, "quality.csv row 2 column score", "score 101 is above 100")


def test_year_without_census(setup, capsys):
    edit(setup[0] / "teachers.csv", "2023,S3,primary,F,1,1,1", "2031,S3,primary,F,1,1,1")
    fails_with(setup, capsys, "teachers.csv row 9 column year",
               "year 2031 has no enrolment rows (enrolment covers 2022–2023)")


def test_an_enrolment_year_typo_is_not_a_new_census_year(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2023,S3,2,M,7,5,0", "2032,S3,2,M,7,5,0")
    fails_with(setup, capsys, "enrolment.csv row 21 column year",
               "year 2032 has enrolment from only 1 school, against 3 in the other years: "
               "a typo?")


def test_missing_boundaries(setup, capsys):
    shutil.rmtree(setup[0] / "boundaries")
    fails_with(setup, capsys, "boundaries/", "the boundaries/ folder is missing")


def test_unreadable_boundary_file(setup, capsys):
    (setup[0] / "boundaries" / "adm2.geojson").write_text("{not json", encoding="utf-8")
    fails_with(setup, capsys, "boundaries/adm2.geojson")


def test_table_given_twice(setup, capsys):
    shutil.copy(setup[0] / "teachers.csv", setup[0] / "teachers.parquet")
    fails_with(setup, capsys, "the table 'teachers' is given more than once")


def test_excel_rows_are_named_like_a_spreadsheet(setup, capsys):
    package = setup[0]
    frame = pd.read_csv(package / "teachers.csv", dtype=str, keep_default_na=False)
    frame.loc[4, "count"] = "many"
    frame.to_excel(package / "teachers.xlsx", index=False)
    (package / "teachers.csv").unlink()
    fails_with(setup, capsys, "teachers.xlsx row 6 column count", "'many' is not a whole number")


def test_every_error_is_listed(setup, capsys):
    """Several independent faults are all reported in one run, not one at a time."""
    edit(setup[0] / "enrolment.csv", "2022,S1,1,M,6,12,2", "2022,S1,1,M,6,12,20")
    edit(setup[0] / "enrolment.csv", "2023,S1,1,F,6,11,1", "2023,S1,1,F,six,11,1")
    edit(setup[0] / "teachers.csv", "2022,S1,primary,F,1,1,2", "2022,S1,primary,F,yes,1,-2")
    err = fails_with(setup, capsys, "enrolment.csv row 3 column repeaters",
                     "enrolment.csv row 12 column age", "teachers.csv row 2 column count")
    assert err.count("ERROR") == 3  # 'yes' is a valid flag, so only three


def test_errors_of_every_stage_in_one_run(setup, capsys):
    """A type error does not hide a broken reference or an unreadable boundary file."""
    edit(setup[0] / "enrolment.csv", "2022,S1,1,M,6,12,2", "2022,S1,1,M,6,twelve,2")
    edit(setup[0] / "schools.csv", "S3,Charlie school,Charlie school,0201",
         "S3,Charlie school,Charlie school,0299")
    (setup[0] / "boundaries" / "adm2.geojson").write_text("{not json", encoding="utf-8")
    fails_with(setup, capsys, "enrolment.csv row 3 column enrolled",
               "schools.csv row 4 column district_code", "boundaries/adm2.geojson")


def test_duplicates_spelt_differently(setup, capsys):
    with (setup[0] / "enrolment.csv").open("a") as handle:
        handle.write("2022.0,S1,1.0,f,6,3,0\n")
    fails_with(setup, capsys, "enrolment.csv row 22",
               "the same year, school_id, grade, sex, age as row 2")


def test_school_without_any_level(setup, capsys):
    edit(setup[0] / "schools.csv", "private,rural,primary,0", "private,rural,;,0")
    fails_with(setup, capsys, "schools.csv row 4 column levels", "names no level")


def test_level_id_must_be_a_lower_case_slug(setup, capsys):
    edit(setup[0] / "country.toml", 'id = "primary"', 'id = "Primary School"')
    fails_with(setup, capsys, "country.toml", "must be lower-case letters")


def test_country_values_of_the_wrong_type(setup, capsys):
    edit(setup[0] / "country.toml", "grades = [1, 2]", 'grades = "12"')
    edit(setup[0] / "country.toml", 'languages = ["en"]', 'languages = "en"')
    fails_with(setup, capsys, "grades must be a list of whole numbers",
               "languages must be a list")


def test_package_entry_that_is_not_a_table(setup, capsys):
    text = (setup[0] / "country.toml").read_text().replace("[package]\n", "[extra]\n")
    (setup[0] / "country.toml").write_text('package = "ours"\n' + text)
    fails_with(setup, capsys, "package must be a [package] table")


def test_corrupt_excel_workbook(setup, capsys):
    (setup[0] / "teachers.csv").unlink()
    (setup[0] / "teachers.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    fails_with(setup, capsys, "teachers.xlsx", "not a readable Excel workbook")


def test_count_too_large(setup, capsys):
    edit(setup[0] / "teachers.csv", "2022,S1,primary,F,1,1,2", "2022,S1,primary,F,1,1,3000000000000")
    fails_with(setup, capsys, "teachers.csv row 2 column count", "is above")


def test_column_repeated_after_normalising_names(setup, capsys):
    edit(setup[0] / "enrolment.csv", "year,school_id,grade,sex,age,", "year,school_id,grade,Sex,SEX ,")
    fails_with(setup, capsys, "enrolment.csv row 1 column sex", "appears more than once")


def test_row_with_a_stray_separator(setup, capsys):
    edit(setup[0] / "enrolment.csv", "2022,S1,2,F,7,9,0", "2022,S1,2,F,7,9,0,5")
    fails_with(setup, capsys, "enrolment.csv", "row 4 has 8 values where the header has 7")


def test_file_not_in_utf8(setup, capsys):
    path = setup[0] / "schools.csv"
    path.write_bytes(path.read_text().replace("Alpha school", "École Alpha").encode("latin-1"))
    fails_with(setup, capsys, "schools.csv", "not UTF-8 text")


def test_validate_writes_nothing(good_package, tmp_path, capsys):
    before = sorted(p.name for p in good_package.rglob("*"))
    assert main(["validate", "--source", str(good_package)]) == 0
    assert "The package is valid: 3 schools, years 2022–2023" in capsys.readouterr().out
    assert sorted(p.name for p in good_package.rglob("*")) == before


def test_missing_package_folder(tmp_path, capsys):
    assert main(["validate", "--source", str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "Traceback" not in err


def test_required_table_without_rows(setup, capsys):
    (setup[0] / "schools.csv").write_text("school_id,name_en,district_code,latitude,longitude,"
                                          "levels\n")
    fails_with(setup, capsys, "schools.csv", "the table has a header but no rows")


def test_template_package_explains_what_is_missing(tmp_path, capsys):
    package = tmp_path / "new"
    assert main(["template", "--out", str(package)]) == 0
    assert main(["validate", "--source", str(package)]) == 1
    assert "enrolment.csv: the table has a header but no rows" in capsys.readouterr().err
