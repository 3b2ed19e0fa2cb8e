"""The Data quality page's logic (lib.data_quality) and queries (lib.db): on the demo
extract they must find exactly the dirt the demo generator planted (its manifest.json)."""
from __future__ import annotations

import json
import math

import duckdb
import numpy as np
import pandas as pd
import pytest

from lib import data_quality as dq
from lib import db, export


@pytest.fixture(scope="module")
def manifest(demo_package) -> dict:
    return json.loads((demo_package / "manifest.json").read_text())


def test_non_reporting_schools_are_the_planted_ones(demo_con, manifest):
    counts = db.reporting_counts(demo_con)
    problems = db.problems_named(demo_con)
    for year, planted in manifest["dirt"]["non_reporting"].items():
        by_district = dq.completeness(counts, int(year))
        assert dq.totals(by_district).not_reported == len(planted), year
        listed = dq.problems_of(problems, kinds=[dq.REPORTING_KIND], year=int(year))
        assert sorted(listed["school_id"]) == sorted(planted)
    districts = demo_con.execute("SELECT count(*) FROM admin_units WHERE level = 2").fetchone()[0]
    assert len(counts) == districts * counts["year"].nunique()


def test_location_issues_are_the_planted_ones(demo_con, manifest):
    issues = db.location_issues(demo_con)
    for kind in dq.LOCATION_KINDS:
        assert sorted(issues.loc[issues["issue"] == kind, "school_id"]) == \
            sorted(manifest["dirt"][kind]), kind
    outside = issues[issues["issue"] == "outside_district"]
    assert (outside["located_district"] != outside["district_code"]).all()


def test_consistency_warnings_are_the_planted_ones(demo_con, manifest):
    problems = db.problems_named(demo_con)
    for kind in ("enrolment_jump", "ptr_implausible", "age_grade_mismatch"):
        found = dq.problems_of(problems, kinds=[kind])
        assert sorted(zip(found["school_id"], found["year"])) == sorted(
            (d["school_id"], d["year"]) for d in manifest["dirt"][kind]), kind
    assert problems["school_name_en"].notna().sum() > 0
    named = problems.dropna(subset=["school_id"])
    assert named["district_code"].notna().all() and named["province_code"].notna().all()


def test_shared_points():
    con = duckdb.connect()
    con.execute("""CREATE TABLE schools AS SELECT * FROM (VALUES
        ('a', 'A', '', '0101', '01', 18.0, 102.0, true),
        ('b', 'B', '', '0102', '01', 18.0, 102.0, true),
        ('c', 'C', '', '0101', '01', 18.5, 102.0, true),
        ('d', 'D', '', '0101', '01', 18.5, 102.0, false),
        ('e', 'E', '', '0201', '02', 19.0, 103.0, true),
        ('f', 'F', '', '0201', '02', 19.0, 103.0, true),
        ('g', 'G', '', '0201', '02', 19.0, 103.0, true))
        AS t(school_id, name_en, name_local, district_code, province_code, latitude,
             longitude, has_location)""")
    shared = db.shared_points(con)
    assert shared["school_id"].tolist() == ["a", "b", "e", "f", "g"]  # d is not placed
    assert shared["point"].tolist() == [1, 1, 2, 2, 2]
    assert shared["n"].tolist() == [2, 2, 3, 3, 3]
    assert dq.in_area(shared, "0102")["school_id"].tolist() == ["b"]
    assert dq.in_area(shared, "02")["school_id"].tolist() == ["e", "f", "g"]


def test_completeness_by_district_and_year():
    counts = pd.DataFrame({"year": [2022, 2022, 2023, 2023],
                           "district_code": ["0101", "0201", "0101", "0201"],
                           "province_code": ["01", "02", "01", "02"],
                           "open": [10, 0, 8, 4], "reported": [9, 0, 8, 1]})
    year = dq.completeness(counts, 2022)
    assert year["completeness"].iloc[0] == pytest.approx(90.0)
    assert math.isnan(year["completeness"].iloc[1])  # no open school: no data, not 0
    assert year["not_reported"].tolist() == [1, 0]
    assert dq.totals(dq.completeness(counts, 2023)).completeness == pytest.approx(75.0)
    wide = dq.completeness_by_year(counts, "02")
    assert list(wide.columns) == ["district_code", "province_code", "2022", "2023"]
    assert wide["2023"].tolist() == [25.0]
    classes = dq.completeness_classes(np.array([80.0, 92.0, 97.0, 99.5, 100.0, np.nan]))
    assert classes.k.tolist() == [0, 1, 2, 3, 4, -1]
    assert classes.counts == (1, 1, 1, 1, 1) and classes.no_data == 1
    assert len(classes.colours) == len(dq.COMPLETENESS_CLASSES)


def test_problems_filters_and_tables():
    frame = pd.DataFrame({
        "seq": [1, 2, 3], "kind": ["no_coordinates", "non_reporting", "no_population"],
        "year": [None, 2023, 2022], "message": ["no coordinates", "did not report",
                                                "no population"],
        "school_id": ["A-1", "B-2", None], "unit_code": ["0101", "0201", "0201"],
        "school_name_en": ["<img src=x onerror=alert(1)>", "Bee", None],
        "school_name_local": ["", "", None], "district_code": ["0101", "0201", "0201"],
        "province_code": ["01", "02", "02"], "file": ["schools.csv"] * 3,
        "row": [None, None, None], "column": ["latitude", "", ""], "severity": ["warning"] * 3})
    assert dq.problems_of(frame, year=2023)["seq"].tolist() == [1, 2]  # no year is kept
    assert dq.problems_of(frame, area="02")["seq"].tolist() == [2, 3]
    assert dq.problems_of(frame, text="b-2")["seq"].tolist() == [2]
    assert dq.kind_counts(frame, ["non_reporting", "enrolment_jump"]) == {
        "non_reporting": 1, "enrolment_jump": 0}
    table = dq.warnings_table(frame, str.upper, lambda en, lo: en, {"0101": "Chan"},
                              "/schools?school=", "/?area=")
    assert table["school"].tolist() == ["<img src=x onerror=alert(1)>", "Bee", ""]
    assert table["school_link"].tolist()[:2] == ["/schools?school=A-1", "/schools?school=B-2"]
    assert pd.isna(table["school_link"].iloc[2])
    assert table["area"].tolist() == ["Chan", "0201", "0201"]
    assert table["area_link"].tolist()[0] == "/?area=0101"
    assert export.csv_bytes(frame).decode("utf-8-sig").startswith("seq,kind,year")
