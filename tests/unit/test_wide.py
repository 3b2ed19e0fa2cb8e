"""Wide census files read through mapping.toml (lib/wide.py): the long rows worked out by
hand, every mapping error naming mapping.toml, the entry and the pattern, a bad cell named
by the wide file's row and column, hostile column names, the `template --wide` example and
an end-to-end build."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from lib.build import build_extract, validate_package
from lib.package import find_tables, load_raw
from lib.problems import PackageError
from lib.template import write_template
from tests.fixtures.tiny_package import write_tiny_package

CENSUS = """\
SCHOOL_CODE,NAME,G1_M,G1_F,G2_M,G2_F,G3_SCI_M,G3_ART_M,REP_G1_M,REP_G1_F,SPED_F
S1,Alpha,12,10,11,,,,2,1,
S2,Bravo,18,20,0,15,10,4,3,4,2
S3,Charlie,,5,6,,,,,,
"""

MAPPING = """\
[[wide]]
file = "census.csv"
table = "enrolment"
[wide.columns]
school_id = "SCHOOL_CODE"
[wide.values]
year = 2022
[[wide.measures]]
pattern = "G{grade}_{sex}"
value = "enrolled"
[[wide.measures]]
pattern = "G{grade}_{track}_{sex}"
value = "enrolled"
[[wide.measures]]
pattern = "REP_G{grade}_{sex}"
value = "repeaters"
[[wide.measures]]
pattern = "SPED_{sex}"
value = "enrolled"
set = { grade = "ungraded" }
"""

COLUMNS = ("year", "school_id", "grade", "sex", "enrolled", "repeaters")


def _package(folder: Path, census: str = CENSUS, mapping: str = MAPPING,
             name: str = "census.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(census, encoding="utf-8")
    (folder / "mapping.toml").write_text(mapping, encoding="utf-8")
    return folder


def _mapping_problems(folder: Path) -> list:
    _, problems = find_tables(folder)
    return [p for p in problems if p.file == "mapping.toml" or "[[wide]]" in p.message]


def _reshape(folder: Path) -> tuple[list[tuple], duckdb.DuckDBPyConnection]:
    tables, problems = find_tables(folder)
    assert not [p for p in problems if p.severity == "error" and p.file == "mapping.toml"]
    con = duckdb.connect()
    assert load_raw(con, tables["enrolment"]) is None
    columns = [r[0] for r in con.execute("DESCRIBE raw_enrolment").fetchall()]
    rows = con.execute("SELECT * FROM raw_enrolment ORDER BY rowid").fetchall()
    return [tuple(dict(zip(columns, r)).get(c) for c in COLUMNS) for r in rows], con


def test_reshape_by_hand(tmp_path):
    rows, con = _reshape(_package(tmp_path))
    assert rows == [
        ("2022", "S1", "1", "M", "12", "2"),  # repeaters merged into the enrolled row
        ("2022", "S1", "1", "F", "10", "1"),
        ("2022", "S1", "2", "M", "11", None),  # S1's G2_F is empty: no row
        ("2022", "S2", "1", "M", "18", "3"),
        ("2022", "S2", "1", "F", "20", "4"),
        ("2022", "S2", "2", "M", "0", None),  # a 0 is a row of 0
        ("2022", "S2", "2", "F", "15", None),
        ("2022", "S2", "3", "M", "14", None),  # tracks SCI 10 + ART 4 summed
        ("2022", "S2", "ungraded", "F", "2", None),  # SPED: grade set by the measure
        ("2022", "S3", "1", "F", "5", None),
        ("2022", "S3", "2", "M", "6", None),
    ]
    # every long row knows its wide row and columns
    source = con.execute("SELECT file, row, school_id, grade, enrolled, repeaters, year FROM "
                         "raw_enrolment__source ORDER BY rid").fetchall()
    assert source[0] == ("census.csv", 2, "SCHOOL_CODE", "G1_M", "G1_M", "REP_G1_M", None)
    assert source[7][:5] == ("census.csv", 3, "SCHOOL_CODE", "G3_SCI_M", "G3_SCI_M+G3_ART_M")


def test_unused_columns_are_one_warning(tmp_path):
    problems = _mapping_problems(_package(tmp_path))
    assert [(p.severity, p.kind) for p in problems] == [("warning", "unused_columns")]
    assert "1 column of census.csv" in problems[0].message and "NAME" in problems[0].message


def test_words_and_case_insensitive_patterns(tmp_path):
    census = "code,p0_b,P0_G,p1_B,Total\nX1,3,4,5,12\n"
    mapping = MAPPING.replace('"SCHOOL_CODE"', '"CODE"').split("[[wide.measures]]")[0] + """\
[wide.words]
sex = { B = "M", G = "F" }
[[wide.measures]]
pattern = "P{grade}_{sex}"
value = "enrolled"
grade = { 0 = "1", 1 = "2" }
"""
    rows, _ = _reshape(_package(tmp_path, census, mapping))
    assert rows == [("2022", "X1", "1", "M", "3", None), ("2022", "X1", "1", "F", "4", None),
                    ("2022", "X1", "2", "M", "5", None)]


def _one_error(folder: Path) -> str:
    errors = [p for p in _mapping_problems(folder) if p.severity == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    assert errors[0].file == "mapping.toml"
    return errors[0].message


def test_pattern_matching_no_column(tmp_path):
    message = _one_error(_package(tmp_path, mapping=MAPPING.replace("SPED_{sex}",
                                                                    "SPE_{sex}")))
    assert message.startswith("[[wide]] census.csv → enrolment: the pattern 'SPE_{sex}' "
                              "matches no column of census.csv")


def test_column_matched_by_two_patterns(tmp_path):
    mapping = MAPPING + '[[wide.measures]]\npattern = "SPED_F"\nvalue = "enrolled"\n' \
                        'set = { grade = "ungraded", sex = "F" }\n'
    message = _one_error(_package(tmp_path, mapping=mapping))
    assert "[[wide]] census.csv → enrolment" in message
    assert "the column SPED_F of census.csv is matched by two patterns, 'SPED_{sex}' and " \
           "'SPED_F'" in message


def test_total_beside_its_parts_is_refused(tmp_path):
    census = CENSUS.replace("G3_SCI_M,", "G3_M,G3_SCI_M,").replace(",10,4,", ",14,10,4,") \
        .replace("S1,Alpha,12,10,11,,", "S1,Alpha,12,10,11,,,").replace(
            "S3,Charlie,,5,6,,", "S3,Charlie,,5,6,,,")
    message = _one_error(_package(tmp_path, census))
    assert ("the columns G3_M (pattern 'G{grade}_{sex}') and G3_SCI_M (pattern "
            "'G{grade}_{track}_{sex}') both give enrolled for grade 3, sex M") in message


def test_missing_source_column_suggests_close_names(tmp_path):
    message = _one_error(_package(tmp_path, mapping=MAPPING.replace('"SCHOOL_CODE"',
                                                                    '"SCHOOL_COD"')))
    assert "[[wide]] census.csv → enrolment: [wide.columns]: school_id = \"SCHOOL_COD\", but " \
           "census.csv has no column 'SCHOOL_COD' (did you mean SCHOOL_CODE?)" in message


def test_unknown_table_and_contract_column(tmp_path):
    message = _one_error(_package(tmp_path / "a", mapping=MAPPING.replace(
        'table = "enrolment"', 'table = "enrollment"')))
    assert "[[wide]] census.csv → enrollment: 'enrollment' is not a table of the contract " \
           "(did you mean enrolment or enrolment_groups?)" in message
    message = _one_error(_package(tmp_path / "b", mapping=MAPPING.replace(
        'value = "repeaters"', 'value = "repeater"')))
    assert "the pattern 'REP_G{grade}_{sex}', value: 'repeater' is not a column of enrolment " \
           "(did you mean repeaters?)" in message
    message = _one_error(_package(tmp_path / "c", mapping=MAPPING.replace(
        "year = 2022", "yaer = 2022")))
    assert "[wide.values]: 'yaer' is not a column of enrolment (did you mean year?)" in message


def test_invalid_toml_and_missing_file(tmp_path):
    message = _one_error(_package(tmp_path / "a", mapping=MAPPING.replace("table =", "table")))
    assert message.startswith("mapping.toml is not valid TOML:") and "line 3" in message
    problems = _mapping_problems(_package(tmp_path / "b", name="Census.CSV"))
    errors = [p for p in problems if p.severity == "error"]
    assert [p.kind for p in errors] == ["missing_file"]
    assert errors[0].message == ("[[wide]] census.csv → enrolment: the file 'census.csv' named "
                                 "in mapping.toml is not in the package folder (did you mean "
                                 "Census.CSV?)")


def test_required_key_missing_and_table_given_twice(tmp_path):
    message = _one_error(_package(tmp_path / "a", mapping=MAPPING.replace(
        'set = { grade = "ungraded" }', "")))
    assert "the pattern 'SPED_{sex}' gives no grade" in message
    folder = _package(tmp_path / "b")
    (folder / "enrolment.csv").write_text("year,school_id,grade,sex,enrolled\n", "utf-8")
    _, problems = find_tables(folder)
    both = [p for p in problems if p.kind == "ambiguous_file"]
    assert len(both) == 1 and both[0].message.startswith(
        "the table 'enrolment' is given both by enrolment.csv and by mapping.toml "
        "([[wide]] census.csv → enrolment)")


def test_hostile_column_names_are_data_not_sql(tmp_path):
    hostile = 'code"; DROP TABLE raw_enrolment; --'
    census = (f'"{hostile.replace(chr(34), chr(34) * 2)}",'
              "\"G1 'x'); DELETE FROM t; --_M\",G1_F,NOTE,NAME\nS1,7,8,,\n")
    mapping = f"""\
[[wide]]
file = "census.csv"
table = "enrolment"
[wide.columns]
school_id = '{hostile}'
[wide.values]
year = "2022'); DROP TABLE x; --"
[[wide.measures]]
pattern = "G1 'x'); DELETE FROM t; --_{{sex}}"
value = "enrolled"
set = {{ grade = 1 }}
[[wide.measures]]
pattern = "G{{grade}}_{{sex}}"
value = "enrolled"
"""
    rows, con = _reshape(_package(tmp_path, census, mapping))
    assert rows == [("2022'); DROP TABLE x; --", "S1", "1", "M", "7", None),
                    ("2022'); DROP TABLE x; --", "S1", "1", "F", "8", None)]
    assert con.execute("SELECT school_id, enrolled FROM raw_enrolment__source ORDER BY rid"
                       ).fetchall() == [(hostile, "G1 'x'); DELETE FROM t; --_M"),
                                        (hostile, "G1_F")]


def _tiny_wide(folder: Path) -> Path:
    """The tiny package with its enrolment (ages summed) as two wide files, one a year."""
    package = write_tiny_package(folder)
    (package / "enrolment.csv").unlink()
    header = "CODE,NAME,G1_F,G1_M,G2_F,G2_M,G3_M,REP_G1_F,REP_G1_M,REP_G2_F,REP_G2_M,REP_G3_M\n"
    (package / "census_2022.csv").write_text(header + """\
S1,Alpha,10,12,9,11,,1,2,0,1,
S2,Bravo,20,18,15,,14,4,3,1,,0
S3,Charlie,5,,,6,,0,,,0,
""", encoding="utf-8")
    (package / "census_2023.csv").write_text(header + """\
S1,Alpha,11,12,9,10,,1,1,1,1,
S2,Bravo,21,19,16,,13,3,2,2,,1
S3,Charlie,6,,,5,,0,,,0,
""", encoding="utf-8")
    entry = """\
[[wide]]
file = "census_{year}.csv"
table = "enrolment"
columns = {{ school_id = "CODE" }}
values = {{ year = {year} }}
[[wide.measures]]
pattern = "G{{grade}}_{{sex}}"
value = "enrolled"
[[wide.measures]]
pattern = "REP_G{{grade}}_{{sex}}"
value = "repeaters"
"""
    (package / "mapping.toml").write_text(entry.format(year=2022) + entry.format(year=2023),
                                          encoding="utf-8")
    return package


def test_bad_cells_are_named_by_wide_row_and_column(tmp_path):
    package = _tiny_wide(tmp_path / "package")
    path = package / "census_2023.csv"
    path.write_text(path.read_text().replace("S2,Bravo,21,", "S2,Bravo,x,")
                    .replace("S3,Charlie,6,,,5,,0", "S3,Charlie,6,,,5,,7"), encoding="utf-8")
    path = package / "census_2022.csv"
    path.write_text(path.read_text() + "S3,Charlie again,1,,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        validate_package(package)
    said = [str(p) for p in caught.value.problems]
    assert "ERROR: census_2023.csv row 3 column G1_F: 'x' is not a whole number" in said
    assert "ERROR: census_2023.csv row 4 column REP_G1_F: repeaters 7 > enrolled 6" in said
    assert ("ERROR: census_2022.csv row 5 column year, school_id, grade, sex: the same year, "
            "school_id, grade, sex as row 4") in said


def test_wide_package_builds_like_the_long_one(tmp_path):
    long_db, wide_db = tmp_path / "long.duckdb", tmp_path / "wide.duckdb"
    build_extract(write_tiny_package(tmp_path / "long"), long_db)
    result = build_extract(_tiny_wide(tmp_path / "wide"), wide_db)
    assert result.years == [2022, 2023] and result.n_schools == 3
    query = ("SELECT year, school_id, grade, sex, sum(enrolled), sum(coalesce(repeaters, 0)) "
             "FROM enrolment GROUP BY ALL ORDER BY ALL")
    sums = [duckdb.connect(str(db), read_only=True).execute(query).fetchall()
            for db in (long_db, wide_db)]
    assert sums[0] == sums[1] and len(sums[1]) == 20
    con = duckdb.connect(str(wide_db), read_only=True)
    assert dict(con.execute("SELECT district_code, sum(enrolled) FROM agg_enrolment WHERE "
                            "year = 2022 GROUP BY ALL").fetchall()) == {
        "0101": 42, "0102": 67, "0201": 11}
    leftovers = con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE "
                            "'raw_%' OR table_name LIKE 'wide_%'").fetchall()
    assert leftovers == []


def test_template_wide_example_reshapes(tmp_path):
    out = tmp_path / "template"
    write_template(out, wide=True)
    assert not (out / "enrolment.csv").exists()
    rows, _ = _reshape(out)
    assert rows == [
        ("2023", "1001", "1", "M", "31", "3"), ("2023", "1001", "1", "F", "28", "2"),
        ("2023", "1001", "2", "M", "27", None), ("2023", "1001", "2", "F", "30", None),
        ("2023", "1002", "10", "M", "37", None), ("2023", "1002", "10", "F", "39", None),
        ("2023", "1003", "1", "M", "40", "5"), ("2023", "1003", "1", "F", "42", "4"),
        ("2023", "1003", "2", "M", "38", None), ("2023", "1003", "2", "F", "0", None),
        ("2023", "1003", "10", "M", "22", None), ("2023", "1003", "10", "F", "23", None),
        ("2023", "1003", "ungraded", "M", "3", None), ("2023", "1003", "ungraded", "F", "2", None),
    ]
    # With admin units, schools and boundaries filled in, the example validates.
    tiny = write_tiny_package(tmp_path / "tiny")
    for name in ("admin_units.csv", "schools.csv"):
        text = (tiny / name).read_text()
        for old, new in (("S1,", "1001,"), ("S2,", "1002,"), ("S3,", "1003,")):
            text = text.replace(old, new)
        (out / name).write_text(text, encoding="utf-8")
    shutil.rmtree(out / "boundaries")
    shutil.copytree(tiny / "boundaries", out / "boundaries")
    assert validate_package(out).years == [2023]


@pytest.mark.parametrize("kind", ["xlsx", "parquet"])
def test_excel_sheet_and_parquet_files(tmp_path, kind):
    import pandas as pd

    frame = pd.read_csv(__import__("io").StringIO(CENSUS), dtype=str)
    if kind == "xlsx":
        with pd.ExcelWriter(tmp_path / "census.xlsx") as book:
            pd.DataFrame({"a": [1]}).to_excel(book, sheet_name="Notes", index=False)
            frame.to_excel(book, sheet_name="Enrolment", index=False)
        mapping = MAPPING.replace('"census.csv"', '"census.xlsx"\nsheet = "Enrolment"')
    else:
        frame.to_parquet(tmp_path / "census.parquet")
        mapping = MAPPING.replace('"census.csv"', '"census.parquet"')
    (tmp_path / "mapping.toml").write_text(mapping, encoding="utf-8")
    rows, con = _reshape(tmp_path)
    assert len(rows) == 11 and rows[7] == ("2022", "S2", "3", "M", "14", None)
    file, row = con.execute("SELECT file, row FROM raw_enrolment__source WHERE rid = 7"
                            ).fetchone()
    assert (file, row) == (("census.xlsx (sheet Enrolment)", 3) if kind == "xlsx" else
                           ("census.parquet", 2))


def test_a_bad_cell_among_summed_tracks_is_kept_with_its_column(tmp_path):
    census = CENSUS.replace("S2,Bravo,18,20,0,15,10,4,", "S2,Bravo,18,20,0,15,10,x,")
    rows, con = _reshape(_package(tmp_path, census))
    assert rows[7] == ("2022", "S2", "3", "M", "x", None)  # not summed: judged as typed
    assert con.execute("SELECT enrolled FROM raw_enrolment__source WHERE rid = 7"
                       ).fetchone() == ("G3_ART_M",)


def test_three_placeholders_in_a_row_are_refused(tmp_path):
    message = _one_error(_package(tmp_path, mapping=MAPPING.replace(
        "G{grade}_{track}_{sex}", "G{grade}{track}{sex}")))
    assert "the pattern 'G{grade}{track}{sex}' is not a valid pattern: it has three " \
           "placeholders in a row" in message
