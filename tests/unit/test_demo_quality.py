"""The demo's school quality self-assessment (lib.demo.quality): the framework, scale and
levels follow the package format, only reporting schools are assessed, the district
verifies a subset, the planted contradictions really contradict the census (and nothing
else does), the official categories roll up as the manifest says, category 1 schools
improve most, and the same seed gives the same files. Uses the session's small demo
package (scale 0.1, 2021–2023).
"""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from lib.demo import generate_package
from lib.demo.areas import build_areas
from lib.demo.quality import (N_WATER_CONTRADICTIONS, PTR_CONTRADICTION, QUALITY_TABLES,
                              write_quality)
from lib.demo.register import build_register

ID = re.compile(r"^[a-z0-9_]+$")
LAO_ONLY = re.compile(r"^[\u0E80-\u0EFF0-9 .,:\-]+$")      # Lao script (no Thai letters)
CENSUS_CHECKS = {"electricity", "internet", "computers", "adapted_infrastructure",
                 "drinking_water", "sanitation", "handwashing", "single_sex_toilets",
                 "pupil_teacher_ratio"}
YEARS = (2021, 2023)      # the session package (tests/conftest.py)


def _text(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def q(demo_package) -> dict:
    """The package's quality tables, census facts and manifest."""
    p = demo_package
    enrolment = pd.read_parquet(p / "enrolment.parquet")
    teachers = pd.read_parquet(p / "teachers.parquet")
    pupils = enrolment.groupby(["year", "school_id"])["enrolled"].sum()
    staff = teachers.groupby(["year", "school_id"])["count"].sum()
    census = pd.DataFrame({"pupils": pupils, "teachers": staff}).fillna(0)
    census["ptr"] = census["pupils"] / census["teachers"]
    facilities = pd.read_csv(p / "facilities.csv", dtype={"school_id": str})
    census = census.join(facilities.set_index(["year", "school_id"])[
        ["drinking_water", "sanitation"]])
    return {
        "framework": _text(p / "quality_framework.csv"),
        "scale": _text(p / "quality_scale.csv"),
        "levels": _text(p / "quality_levels.csv"),
        "assessment": pd.read_parquet(p / "quality_assessment.parquet"),
        "census": census,
        "manifest": json.loads((p / "manifest.json").read_text(encoding="utf-8")),
    }


# ----------------------------------------------------------------------------- the format

def test_the_framework_is_valid(q):
    f = q["framework"]
    assert list(f.columns) == ["standard", "criterion", "item", "name_en", "name_local",
                               "weight", "rule", "pass_score", "census_check", "census_limit"]
    for col in ("standard", "criterion", "item"):
        ids = f.loc[f[col] != "", col]
        assert ids.str.match(ID).all(), col
    assert not f.duplicated(["standard", "criterion", "item"]).any()
    standards = f[f["criterion"] == ""]
    criteria = f[(f["criterion"] != "") & (f["item"] == "")]
    items = f[f["item"] != ""]
    assert (standards["item"] == "").all()
    assert items["item"].is_unique
    # Every item's criterion and standard are named by their own rows.
    named = set(zip(criteria["standard"], criteria["criterion"]))
    assert set(zip(items["standard"], items["criterion"])) <= named
    assert set(criteria["standard"]) | set(items["standard"]) <= set(standards["standard"])
    assert list(standards["standard"]) == ["inputs", "teaching", "management", "community",
                                           "outcomes"]
    assert 18 <= len(items) <= 22
    weight = f["weight"].astype(float)
    assert (weight >= 0).all() and (weight != 1).any()
    assert float(standards.set_index("standard").at["outcomes", "weight"]) == 2
    assert set(f["rule"]) <= {"", "mean", "all"}
    assert (items["rule"] == "").all() and (items["pass_score"] == "").all()
    assert standards.set_index("standard").at["inputs", "rule"] == "mean"
    assert (criteria["rule"] == "all").sum() == 1
    assert (standards["pass_score"].astype(float) == 75).all()
    score = f.loc[f["pass_score"] != "", "pass_score"].astype(float)
    assert score.between(0, 100).all()
    assert (f.loc[f["item"] == "", "census_check"] == "").all()
    checks = items.set_index("item")["census_check"]
    assert set(checks[checks != ""]) <= CENSUS_CHECKS
    assert checks[["drinking_water", "latrines", "pupil_teacher_ratio"]].tolist() == [
        "drinking_water", "sanitation", "pupil_teacher_ratio"]
    limits = f[f["census_limit"] != ""]
    assert limits["item"].tolist() == ["pupil_teacher_ratio"]
    assert float(limits["census_limit"].iloc[0]) == 45
    assert (f["name_en"] != "").all()
    assert f["name_local"].str.match(LAO_ONLY).all()


def test_scale_and_levels(q):
    s, lv = q["scale"], q["levels"]
    assert list(s.columns) == ["rating", "points", "name_en", "name_local"]
    assert dict(zip(s["rating"], s["points"].astype(float))) == {
        "achieved": 2, "minor_issue": 1, "major_issue": 0}
    assert s["name_local"].str.match(LAO_ONLY).all()
    assert list(lv.columns) == ["level", "rank", "min_score", "name_en", "name_local",
                                "support_days"]
    assert lv["level"].tolist() == ["category_1", "category_2", "category_3"]
    assert lv["rank"].astype(int).tolist() == [1, 2, 3]
    assert lv["min_score"].tolist() == ["", "50", "75"]          # rank 1: no condition
    assert lv["support_days"].astype(int).tolist() == [10, 6, 2]
    assert lv["name_local"].str.match(LAO_ONLY).all()


def test_manifest_lists_the_tables(demo_package, q):
    m = q["manifest"]["quality"]
    assert m["tables"] == sorted(QUALITY_TABLES)
    for name in QUALITY_TABLES:
        suffix = ".parquet" if name == "quality_assessment" else ".csv"
        assert (demo_package / f"{name}{suffix}").is_file()
    assert not (demo_package / "quality.csv").exists()     # not both formats
    a = q["assessment"]
    assert m["rows"] == len(a) and m["years"] == list(range(YEARS[0], YEARS[1] + 1))
    by_year = a.groupby(["year", "assessor"])["school_id"].nunique().unstack()
    assert m["schools_assessed"] == {str(y): int(v) for y, v in by_year["self"].items()}
    assert m["externally_verified"] == {str(y): int(v) for y, v in by_year["external"].items()}


# ----------------------------------------------------------------------------- who rates

def test_only_reporting_schools_assess_and_the_district_verifies_some(q):
    a, census = q["assessment"], q["census"]
    assert list(a.columns) == ["year", "school_id", "assessor", "item", "rating", "comment"]
    assert not a.duplicated(["year", "school_id", "assessor", "item"]).any()
    assert set(a["year"]) == set(range(YEARS[0], YEARS[1] + 1))
    assert set(a["assessor"]) == {"self", "external"}
    assert set(a["item"]) == set(q["framework"].loc[q["framework"]["item"] != "", "item"])
    assert set(a["rating"]) == set(q["scale"]["rating"])
    # Every assessment rates every item.
    assert (a.groupby(["year", "school_id", "assessor"]).size() == a["item"].nunique()).all()
    reporting = census[census["pupils"] > 0]
    rated = a[["year", "school_id", "assessor"]].drop_duplicates()
    self_ = set(map(tuple, rated.loc[rated["assessor"] == "self", ["year", "school_id"]]
                    .to_numpy()))
    external = set(map(tuple, rated.loc[rated["assessor"] == "external",
                                        ["year", "school_id"]].to_numpy()))
    assert self_ <= set(reporting.index)
    assert external <= self_
    for year in range(YEARS[0], YEARS[1] + 1):
        n_rep = (reporting.index.get_level_values("year") == year).sum()
        n_self = sum(1 for y, _ in self_ if y == year)
        n_ext = sum(1 for y, _ in external if y == year)
        assert 0.88 <= n_self / n_rep <= 0.97, year
        assert 0.14 <= n_ext / n_self <= 0.32, year


def test_self_assessments_are_optimistic_and_comments_only_on_issues(q):
    a = q["assessment"]
    points = a["rating"].map({"achieved": 2, "minor_issue": 1, "major_issue": 0})
    wide = a.assign(p=points).pivot_table(index=["year", "school_id", "item"],
                                          columns="assessor", values="p").dropna()
    gap = (wide["self"] - wide["external"]).mean()
    assert 0.15 <= gap <= 0.45
    assert a.loc[a["rating"] == "achieved", "comment"].isna().all()
    issues = a[a["rating"] != "achieved"]
    assert 0.4 <= issues["comment"].notna().mean() <= 0.6
    assert issues["comment"].dropna().str.len().between(5, 60).all()


# ----------------------------------------------------------------------------- planted dirt

def test_planted_contradictions_contradict_the_census_and_nothing_else_does(q):
    a, census = q["assessment"], q["census"]
    planted = q["manifest"]["dirt"]["quality_contradicts_census"]
    assert planted == sorted(planted, key=lambda d: (d["year"], d["school_id"], d["item"]))
    assert all(set(d) == {"school_id", "year", "item"} for d in planted)
    water = [d for d in planted if d["item"] == "drinking_water"]
    assert len(water) == N_WATER_CONTRADICTIONS
    assert {d["item"] for d in planted} <= {"drinking_water", "pupil_teacher_ratio"}
    ext = set(map(tuple, a.loc[a["assessor"] == "external", ["year", "school_id"]]
                  .drop_duplicates().to_numpy()))
    rating = a.set_index(["year", "school_id", "assessor", "item"])["rating"]
    for d in planted:
        key = (d["year"], d["school_id"])
        assert rating[key + ("self", d["item"])] == "achieved", d
        assert key not in ext, d                 # the official result contradicts too
        if d["item"] == "drinking_water":
            assert census.at[key, "drinking_water"] == "none", d
        else:
            assert census.at[key, "ptr"] > PTR_CONTRADICTION, d

    # Every rating that contradicts the census is a planted one.
    checks = {"drinking_water": ("drinking_water", "none"), "latrines": ("sanitation", "none")}
    found = set()
    achieved = a[a["rating"] == "achieved"].join(census, on=["year", "school_id"])
    for item, (column, value) in checks.items():
        bad = achieved[(achieved["item"] == item) & (achieved[column] == value)]
        found |= {(int(y), s, who, item) for y, s, who in
                  bad[["year", "school_id", "assessor"]].to_numpy()}
    bad = achieved[(achieved["item"] == "pupil_teacher_ratio") & (achieved["ptr"] > 45)]
    found |= {(int(y), s, who, "pupil_teacher_ratio") for y, s, who in
              bad[["year", "school_id", "assessor"]].to_numpy()}
    assert found == {(d["year"], d["school_id"], "self", d["item"]) for d in planted}

    # The water and latrine items mostly follow the facilities ladder.
    for item, (column, _) in checks.items():
        rows = a[(a["item"] == item) & (a["assessor"] == "external")].join(
            census, on=["year", "school_id"])
        agree = {"basic": "achieved", "limited": "minor_issue", "none": "major_issue"}
        assert (rows["rating"] == rows[column].map(agree)).mean() > 0.75, item


# ----------------------------------------------------------------------------- roll-up

def _official_scores(q) -> pd.DataFrame:
    """year, school_id, score, level: the spec's roll-up of the official results."""
    f, a = q["framework"], q["assessment"]
    points = q["scale"].set_index("rating")["points"].astype(float)
    lo, hi = points.min(), points.max()
    verified = a.loc[a["assessor"] == "external", ["year", "school_id"]].drop_duplicates()
    verified["verified"] = True
    a = a.merge(verified, on=["year", "school_id"], how="left")
    official = a[(a["assessor"] == "external") | a["verified"].isna()].copy()
    official["score"] = 100 * (official["rating"].map(points) - lo) / (hi - lo)
    f = f.assign(weight=f["weight"].astype(float))
    items = f[f["item"] != ""]
    criteria = f[(f["criterion"] != "") & (f["item"] == "")]
    standards = f[f["criterion"] == ""]

    def roll(rows, parents, keys):
        rows = rows.assign(wx=rows["score"] * rows["weight"])
        g = rows.groupby(["year", "school_id", *keys])
        out = (g["wx"].sum() / g["weight"].sum()).rename("mean").to_frame()
        out["min"] = g["score"].min()
        out = out.reset_index().merge(parents[[*keys, "rule", "weight"]], on=keys)
        out["score"] = np.where(out["rule"] == "all", out["min"], out["mean"])
        return out

    rows = official.merge(items[["standard", "criterion", "item", "weight"]], on="item")
    crit = roll(rows, criteria, ["standard", "criterion"])
    std = roll(crit, standards, ["standard"])
    std["wx"] = std["score"] * std["weight"]
    g = std.groupby(["year", "school_id"])
    school = (g["wx"].sum() / g["weight"].sum()).round(6).rename("score").reset_index()
    levels = q["levels"]
    school["level"] = "category_1"
    for level, min_score in zip(levels["level"], levels["min_score"]):
        if min_score:
            school.loc[school["score"] >= float(min_score), "level"] = level
    return school


def test_categories_roll_up_as_the_manifest_says_and_category_1_improves_most(q,
                                                                             demo_package):
    school = _official_scores(q)
    shares = (100 * school.groupby("year")["level"].value_counts(normalize=True)).round(1)
    manifest = q["manifest"]["quality"]["category_share"]
    for (year, level), value in shares.items():
        assert manifest[str(year)][level] == pytest.approx(value, abs=0.05)
    first = manifest[str(YEARS[0])]
    assert 10 <= first["category_1"] <= 40 and 20 <= first["category_3"] <= 50
    assert manifest[str(YEARS[1])]["category_1"] < first["category_1"]
    # Schools of category 1 (supported the next year) improve more than the others.
    wide = school.pivot(index="school_id", columns="year", values="score")
    level = school.pivot(index="school_id", columns="year", values="level")
    for y in range(YEARS[0], YEARS[1]):
        both = wide[y].notna() & wide[y + 1].notna()
        change = (wide[y + 1] - wide[y])[both].groupby(level[y][both]).mean()
        assert change["category_1"] > change["category_2"] > change["category_3"], y
        assert change["category_1"] > 3
    # Town schools do better than schools in priority districts.
    s = pd.read_csv(demo_package / "schools.csv", dtype={"school_id": str,
                                                          "district_code": str})
    d = pd.read_csv(demo_package / "district_attributes.csv", dtype={"district_code": str})
    s = s.merge(d[["district_code", "priority"]], on="district_code")
    x = school.merge(s[["school_id", "locality", "priority"]], on="school_id")
    by_place = x.groupby("locality")["score"].mean()
    by_priority = x.groupby("priority")["score"].mean()
    assert by_place["urban"] > by_place["rural"] + 5
    assert by_priority[1] < by_priority[0] - 5


# ----------------------------------------------------------------------------- determinism

def test_same_seed_same_files(demo_package, tmp_path):
    """write_quality run again on the package's census gives its files byte for byte;
    another seed gives other ratings."""
    manifest = json.loads((demo_package / "manifest.json").read_text(encoding="utf-8"))
    seed, scale = manifest["seed"], manifest["scale"]
    first, last = manifest["years"]
    register = build_register(build_areas(seed, scale), seed, scale, first, last)
    outputs = {}
    for name, s in (("same", seed), ("other", seed + 1)):
        out = tmp_path / name
        out.mkdir()
        for f in ("enrolment.parquet", "teachers.parquet", "facilities.csv"):
            shutil.copy(demo_package / f, out / f)
        facts = write_quality(out, register, s, first, last, progress=lambda _: None)
        outputs[name] = (out, facts)
    out, facts = outputs["same"]
    for f in ("quality_framework.csv", "quality_scale.csv", "quality_levels.csv",
              "quality_assessment.parquet"):
        assert (out / f).read_bytes() == (demo_package / f).read_bytes(), f
    assert facts["contradictions"] == manifest["dirt"]["quality_contradicts_census"]
    other = outputs["other"][0] / "quality_assessment.parquet"
    assert other.read_bytes() != (demo_package / "quality_assessment.parquet").read_bytes()


def test_a_one_year_package_and_an_old_flat_quality_file(tmp_path):
    """A rerun removes the flat quality.csv of an older demo; one year: one year assessed."""
    out = tmp_path / "pkg"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    (out / "quality.csv").write_text("year,school_id,standard,score,met\n")
    manifest = generate_package(out, seed=3, scale=0.05, years=(2024, 2024),
                                progress=lambda _: None)
    assert not (out / "quality.csv").exists()
    assert manifest["quality"]["years"] == [2024]
    a = pd.read_parquet(out / "quality_assessment.parquet")
    assert set(a["year"]) == {2024}
    planted = manifest["dirt"]["quality_contradicts_census"]
    assert sum(d["item"] == "drinking_water" for d in planted) == N_WATER_CONTRADICTIONS
    # Of the planted implausible PTRs, those above 60 (big schools with one teacher; here
    # one) are rated achieved by their self-assessment.
    pupils = pd.read_parquet(out / "enrolment.parquet").groupby("school_id")["enrolled"].sum()
    staff = pd.read_parquet(out / "teachers.parquet").groupby("school_id")["count"].sum()
    above = [d["school_id"] for d in manifest["dirt"]["ptr_implausible"]
             if pupils[d["school_id"]] / staff[d["school_id"]] > PTR_CONTRADICTION]
    high = [d["school_id"] for d in planted if d["item"] == "pupil_teacher_ratio"]
    assert high == above and len(high) == 1
