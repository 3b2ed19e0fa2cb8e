"""The demo through the real build: warnings are exactly the dirt its manifest lists, and
real boundaries match every province and district to its code."""
from __future__ import annotations

import json
from collections import defaultdict

from lib.db import connect, problems

SCHOOL_KINDS = ("no_coordinates", "coordinates_outside_country", "outside_district")
SCHOOL_YEAR_KINDS = ("ptr_implausible", "enrolment_jump", "age_grade_mismatch")


def test_build_warnings_are_exactly_the_planted_dirt(demo_package, demo_extract):
    dirt = json.loads((demo_package / "manifest.json").read_text())["dirt"]
    found = problems(connect(demo_extract))
    # Not planted but true of the real boundary files: a few districts, simplified apart
    # from their province, lie 85-89 % inside it, which the build reports.
    shares = found[found["kind"] == "boundary_parent_share"]
    assert (shares["message"].str.contains(r"lies only 8\d% inside")).all()
    found = found[found["kind"] != "boundary_parent_share"]
    assert set(found["kind"]) <= set(dirt), "the build warned about something not planted"
    by_kind: dict[str, set] = defaultdict(set)
    for row in found.itertuples():
        if row.kind in SCHOOL_KINDS:
            by_kind[row.kind].add(row.school_id)
        elif row.kind in SCHOOL_YEAR_KINDS:
            by_kind[row.kind].add((row.school_id, int(row.year)))
        elif row.kind == "non_reporting":
            by_kind[row.kind].add((str(int(row.year)), row.school_id))
        elif row.kind == "groups_partial":
            by_kind[row.kind].add((json.loads(row.params)["dimension"], int(row.year)))
        elif row.kind == "quality_contradicts_census":
            by_kind[row.kind].add((row.school_id, int(row.year),
                                   json.loads(row.params)["item_id"]))
        else:
            by_kind[row.kind].add(row.unit_code)
    for kind in SCHOOL_KINDS:
        assert by_kind[kind] == set(dirt[kind]), kind
    for kind in SCHOOL_YEAR_KINDS:
        assert by_kind[kind] == {(d["school_id"], d["year"]) for d in dirt[kind]}, kind
    planted = {(year, school) for year, ids in dirt["non_reporting"].items() for school in ids}
    assert by_kind["non_reporting"] == planted
    assert by_kind["groups_partial"] == {(d["dimension"], d["year"])
                                         for d in dirt["groups_partial"]}
    assert by_kind["quality_contradicts_census"] == {
        (d["school_id"], d["year"], d["item"]) for d in dirt["quality_contradicts_census"]}
    assert len(found) == sum(len(by_kind[k]) for k in by_kind), "a planted item warned twice"


def test_every_area_has_its_polygon(demo_extract):
    con = connect(demo_extract)
    matched = con.execute("SELECT level, count(DISTINCT code) FROM boundaries "
                          "WHERE detail = 'full' GROUP BY level ORDER BY level").fetchall()
    assert matched == [(1, 18), (2, 148)]
