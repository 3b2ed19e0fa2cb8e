"""Who may see what (lib.access): the access file and its refusals, grants from ID-token
claims, the areas of a scope, the rows of engine frames a viewer is given, and the audit
log; on the hand-made indicator package (provinces 01 North: districts 0101 with schools
A1, A2 and 0102 with B1; 02 South: district 0201 with C1, C2)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from lib import audit
from lib.access import (ADMIN, ANALYST, OWNER, PUBLIC, AccessFileError, Policy, Viewer,
                        load_policy, shown, visible_areas, within_scope)
from lib.areas import ancestors
from lib.db import admin_units, school_areas
from lib.disclosure import SUPPRESSED
from lib.indicators import compute
from lib.indicators.context import context

ACCESS = """\
[public]
threshold = 3
min_denominator = { pupils = 10 }

[[grant]]
claim = "email"
equals = "North.Analyst@moe.example"
role = "analyst"
areas = ["01"]

[[grant]]
claim = "groups"
equals = "admins"
role = "admin"

[[grant]]
claim = "email"
equals = "alpha@moe.example"
role = "analyst"
areas = ["0101"]
"""


@pytest.fixture(scope="module")
def lines(indicator_con):
    return ancestors(admin_units(indicator_con))


def write(tmp_path, text: str):
    path = tmp_path / "access.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_grants_from_claims_first_match_wins(tmp_path):
    policy = load_policy(write(tmp_path, ACCESS), ["01", "02", "0101", "0102", "0201"])
    assert policy.rules.threshold == 3 and policy.rules.min_denominator["pupils"] == 10
    north = policy.viewer({"sub": "u1", "email": "north.analyst@moe.example", "name": "Noy"})
    assert (north.role, north.areas, north.name, north.signed_in) == (ANALYST, ("01",),
                                                                       "Noy", True)
    assert north.exact
    admin = policy.viewer({"sub": "u2", "groups": ["teachers", "admins"]})
    assert (admin.role, admin.areas, admin.name) == (ADMIN, None, "u2")
    stranger = policy.viewer({"sub": "u3", "email": "someone@else.example"})
    assert (stranger.role, stranger.signed_in, stranger.exact) == (PUBLIC, True, False)
    nobody = policy.viewer(None)
    assert (nobody.role, nobody.signed_in, nobody.rules.threshold) == (PUBLIC, False, 3)
    assert OWNER.exact and OWNER.areas is None and not OWNER.signed_in


def test_no_access_file_is_the_public_view_for_everyone(tmp_path):
    policy = load_policy(tmp_path / "absent.toml")
    assert policy == Policy()
    assert policy.viewer({"sub": "x", "email": "a@b"}).role == PUBLIC


@pytest.mark.parametrize("text, words", [
    ("[public]\nthreshold = -1\n", "threshold must be a whole number"),
    ("[public]\nthreshold = 5\nlimit = 3\n", "unknown key 'limit'"),
    ("[public]\nmin_denominator = { goats = 3 }\n", "'goats' is not one of"),
    ("[[grant]]\nclaim = \"email\"\nequals = \"a@b\"\nrole = \"superuser\"\n",
     "grant 1: role 'superuser' is not one of public, analyst, admin"),
    ("[[grant]]\nclaim = \"email\"\nrole = \"analyst\"\n", "grant 1 needs equals"),
    ("[[grant]]\nclaim = \"email\"\nequals = \"a@b\"\nrole = \"analyst\"\nareas = [\"09\"]\n",
     "grant 1: area '09' is not an admin code of this extract"),
    ("[[grant]]\nclaim = \"email\"\nequals = \"a@b\"\nrole = \"analyst\"\nareas = []\n",
     "areas must be a list of admin codes"),
    ("[users]\nx = 1\n", "unknown section 'users'"),
    ("[public\n", "not a TOML file"),
])
def test_an_access_file_that_cannot_be_used_is_refused_with_its_entry(tmp_path, text,
                                                                      words):
    with pytest.raises(AccessFileError) as err:
        load_policy(write(tmp_path, text), ["01", "02", "0101", "0102", "0201"])
    assert "access.toml" in str(err.value) and words in str(err.value)


def test_a_scope_sees_its_areas_below_and_above_and_nothing_else(lines):
    north = Viewer(role=ANALYST, areas=("01",))
    assert visible_areas(north, lines) == {"01", "0101", "0102"}
    alpha = Viewer(role=ANALYST, areas=("0101",))
    assert visible_areas(alpha, lines) == {"01", "0101"}  # its province as an aggregate
    assert within_scope(alpha, lines, "0101") and not within_scope(alpha, lines, "0102")
    assert not within_scope(alpha, lines, "01"), "an aggregate above is not within"
    assert visible_areas(OWNER, lines) is None


def test_rows_outside_the_scope_never_reach_the_viewer(indicator_con, lines):
    registry = context(indicator_con).registry
    ger = registry.get("ger_primary")
    alpha = Viewer(role=ANALYST, areas=("0101",))
    districts = compute(indicator_con, "ger_primary", "district", 2023, by="sex")
    mine = shown(districts, ger, "district", "sex", alpha, lines)
    assert set(mine["unit_code"]) == {"0101"}
    assert mine.equals(districts[districts["unit_code"] == "0101"].reset_index(drop=True)), \
        "an analyst sees exact values in scope"
    provinces = compute(indicator_con, "ger_primary", "province", 2023)
    assert set(shown(provinces, ger, "province", None, alpha, lines)["unit_code"]) == {"01"}
    national = compute(indicator_con, "ger_primary", "national", 2023)
    assert shown(national, ger, "national", None, alpha, lines).equals(national)
    pupils = registry.get("enrolment_primary")
    schools = compute(indicator_con, "enrolment_primary", "school", 2023)
    seen = shown(schools, pupils, "school", None, alpha, lines, school_areas(indicator_con))
    assert set(seen["unit_code"]) == {"A1", "A2"}


def test_the_public_gets_small_numbers_hidden_and_no_school_breakdown(indicator_con, lines):
    registry = context(indicator_con).registry
    pupils = registry.get("enrolment_primary")
    public = Viewer(rules=Policy().rules)
    schools = compute(indicator_con, "enrolment_primary", "school", 2023)
    out = shown(schools, pupils, "school", None, public, lines)
    for before, after in zip(schools.itertuples(), out.itertuples()):
        if 1 <= before.value <= 5:
            assert math.isnan(after.value) and SUPPRESSED in after.flags
        else:
            assert after.value == before.value
    by_sex = compute(indicator_con, "enrolment_primary", "school", 2023, by="sex")
    hidden = shown(by_sex, pupils, "school", "sex", public, lines)
    assert hidden["value"].isna().all() and len(hidden) == len(by_sex), \
        "a school's pupils by sex are not public, whatever the counts"
    share = registry.get("female_share_primary")
    girls = compute(indicator_con, "female_share_primary", "school", 2023)
    assert shown(girls, share, "school", None, public, lines)["value"].isna().all()
    district = compute(indicator_con, "enrolment_primary", "district", 2023, by="sex")
    shown_district = shown(district, pupils, "district", "sex", public, lines)
    counts = shown_district[shown_district["group"] != "parity"]  # an index, not a count
    assert not counts["value"].between(1, 5).any()


def test_the_audit_log_keeps_one_line_per_event(tmp_path):
    log = tmp_path / "audit.log"
    audit.record("sign_in", "u1", ANALYST, ("01",), to=log)
    audit.record("download", "u1", ANALYST, ("01",), "ger-2023.csv", to=log)
    audit.record("sign_out", "u1", ANALYST, ("01",), to=log)
    events = audit.read(log)
    assert [e["event"] for e in events] == ["sign_in", "download", "sign_out"]
    assert events[1]["what"] == "ger-2023.csv" and events[1]["areas"] == ["01"]
    assert events[0]["time"].endswith("+00:00")
    with pytest.raises(ValueError):
        audit.record("peek", "u1", ANALYST, None, to=log)


def test_the_readmes_access_file_is_one_the_app_accepts(tmp_path):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("Who sees what comes from the access file"):]
    example = section[section.index("```toml") + len("```toml"):section.index("```\n", 10)]
    policy = load_policy(write(tmp_path, example), ["01"])
    assert [g.role for g in policy.grants] == [ANALYST, ADMIN]
    assert policy.viewer({"groups": ["vientiane-capital-analysts"]}).areas == ("01",)


@pytest.mark.parametrize("level", ["province", "district", "school"])
def test_no_hidden_cell_is_its_parents_total_minus_the_cells_shown(indicator_con, lines,
                                                                    level):
    """In the public view, within an area and year no group is hidden alone among its
    groups, and within a parent (the country, a province, a district), year and group no
    area or school is hidden alone among the parent's: the published totals minus the
    cells shown never give a hidden cell back."""
    registry = context(indicator_con).registry
    public = Viewer(rules=Policy().rules)
    areas_of = school_areas(indicator_con)
    parent = {code: (line[-2] if len(line) > 1 else "") for code, line in lines.items()}
    for indicator in {ind.family: ind for ind in reversed(list(registry))}.values():
        if level not in indicator.admin_levels and not (
                level != "school" and "area" in indicator.admin_levels):
            continue
        for by in (None, *indicator.splits):
            out = shown(compute(indicator_con, indicator.id, level, 2022, by=by), indicator,
                        level, by, public, lines, areas_of)
            out = out[out["group"] != "parity"]
            out = out.assign(
                gone=out["flags"].fillna("").str.contains(SUPPRESSED),
                count=pd.to_numeric(out["value" if indicator.is_count else "numerator"],
                                    errors="coerce").fillna(0),
                parent=[(areas_of if level == "school" else parent).get(str(c), "")
                        for c in out["unit_code"]])
            for keys in (["year", "unit_code"], ["year", "group", "parent"]):
                cells = out if keys[-1] == "parent" else out[out["group"] != "T"]
                for _, rows in cells.groupby(keys):
                    assert not (rows["gone"].sum() == 1 and
                                (~rows["gone"] & (rows["count"] > 0)).any()), (
                        indicator.id, level, by, keys)


def test_a_schools_public_pupils_hide_a_small_grade_with_its_complement():
    """Year 2023: grades 1-3 (primary) have 2, 20 and 30 pupils, grade 4 (secondary) 40:
    grade 1 is hidden, and grade 2, the smallest other primary grade (the primary total on
    the map minus grade 3 would give it back). 2022: nothing small, all shown."""
    from lib.access import public_enrolment
    from lib.disclosure import Rules

    rows = pd.DataFrame({"year": [2023] * 8 + [2022] * 2,
                         "grade": [1, 1, 2, 2, 3, 3, 4, 4, 1, 1],
                         "sex": ["F", "M"] * 5,
                         "enrolled": [1, 1, 10, 10, 15, 15, 20, 20, 8, 9],
                         "repeaters": [0, 0, 1, 0, 2, 1, 0, 0, 1, 1]})
    out = public_enrolment(rows, {1: "primary", 2: "primary", 3: "primary",
                                  4: "secondary"}, Rules())
    shown = {(r.year, r.grade): r.enrolled for r in out.itertuples()}
    assert set(out["sex"]) == {"T"} and out["repeaters"].isna().all()
    assert math.isnan(shown[(2023, 1)]) and math.isnan(shown[(2023, 2)])
    assert shown[(2023, 3)] == 30 and shown[(2023, 4)] == 40 and shown[(2022, 1)] == 17
