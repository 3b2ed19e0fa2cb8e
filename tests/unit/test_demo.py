"""The synthetic demo package: determinism, magnitudes, coordinates and planted dirt.

Most tests use a small package (scale 0.1, three years); one test measures the national
figures of a full-size package (scale 1).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.sample import district_of_points
from lib.country import load_country, parse_country
from lib.demo import generate_package
from lib.demo.areas import PRIORITY_PROVINCES
from lib.demo.dirt import (age_flags, jump_flags, non_reporting_flags, ptr_flags,
                           pupils_by_school_year, teachers_by_school_year)
from lib.reference import LAO_COUNTRY_TOML
from tests.conftest import shared_geo_or_skip

SMALL = dict(seed=7, scale=0.1, years=(2022, 2024))
PACKAGE_FILES = {"country.toml", "admin_units.csv", "boundaries", "schools.csv",
                 "enrolment.parquet", "teachers.parquet", "facilities.csv", "population.csv",
                 "district_attributes.csv", "targets.csv", "manifest.json",
                 "enrolment_groups.parquet", "population_groups.parquet", "group_names.csv",
                 "functioning.parquet", "quality_framework.csv", "quality_scale.csv",
                 "quality_levels.csv", "quality_assessment.parquet"}


def _quiet(_: str) -> None:
    pass


def _read(package: Path) -> dict[str, pd.DataFrame]:
    text = {"school_id": str, "district_code": str, "code": str, "parent_code": str}
    return {
        "schools": pd.read_csv(package / "schools.csv", dtype=text),
        "enrolment": pd.read_parquet(package / "enrolment.parquet"),
        "teachers": pd.read_parquet(package / "teachers.parquet"),
        "facilities": pd.read_csv(package / "facilities.csv", dtype=text),
        "quality": pd.read_parquet(package / "quality_assessment.parquet"),
        "population": pd.read_csv(package / "population.csv", dtype=text),
        "districts": pd.read_csv(package / "district_attributes.csv", dtype=str),
        "admin": pd.read_csv(package / "admin_units.csv", dtype=str, keep_default_na=False),
    }


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo_small") / "package"
    messages: list[str] = []
    manifest = generate_package(out, progress=messages.append, **SMALL)
    manifest["_messages"] = messages
    return out, manifest, _read(out)


@pytest.fixture(scope="session")
def national(tmp_path_factory) -> tuple[Path, dict, dict[str, pd.DataFrame]]:
    out = tmp_path_factory.mktemp("demo_national") / "package"
    manifest = generate_package(out, seed=2024, scale=1.0, years=(2019, 2021), progress=_quiet)
    return out, manifest, _read(out)


# ----------------------------------------------------------------------------- determinism

def test_same_seed_same_bytes_and_another_seed_differs(tmp_path):
    args = dict(scale=0.05, years=(2023, 2024), progress=_quiet)
    generate_package(tmp_path / "a", seed=11, **args)
    generate_package(tmp_path / "b", seed=11, **args)
    generate_package(tmp_path / "c", seed=12, **args)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert {p.split("/")[0] for p in a} == PACKAGE_FILES
    for name in ("schools.csv", "enrolment.parquet", "teachers.parquet", "facilities.csv"):
        assert a[name] != c[name], name


def test_rerun_replaces_the_package_and_keeps_other_files(tmp_path):
    out = tmp_path / "pkg"
    generate_package(out, seed=1, scale=0.05, years=(2023, 2024), progress=_quiet)
    (out / "notes.txt").write_text("mine")
    (out / "teachers.csv").write_text("stale")          # a table of an older package
    first = json.loads((out / "manifest.json").read_text())
    generate_package(out, seed=2, scale=0.05, years=(2024, 2024), progress=_quiet)
    assert (out / "notes.txt").read_text() == "mine"
    assert not (out / "teachers.csv").exists()
    second = json.loads((out / "manifest.json").read_text())
    assert (first["seed"], second["seed"]) == (1, 2)
    assert set(pd.read_parquet(out / "enrolment.parquet")["year"]) == {2024}


def test_refuses_a_users_folder_and_bad_arguments(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.docx").write_text("precious")
    with pytest.raises(ValueError, match="manifest.json"):
        generate_package(folder, scale=0.05, years=(2024, 2024), progress=_quiet)
    assert [p.name for p in folder.iterdir()] == ["thesis.docx"]
    with pytest.raises(ValueError):
        generate_package(tmp_path / "x", scale=0, progress=_quiet)
    with pytest.raises(ValueError):
        generate_package(tmp_path / "x", scale=0.05, years=(2024, 2020), progress=_quiet)
    with pytest.raises(ValueError, match="boundaries"):
        generate_package(tmp_path / "x", scale=0.05, years=(2024, 2024),
                         boundaries=tmp_path / "nowhere", progress=_quiet)


# ----------------------------------------------------------------------------- contents

def test_manifest_describes_the_files(small):
    out, manifest, t = small
    text = (out / "manifest.json").read_text(encoding="utf-8")
    on_disk = json.loads(text)
    assert text == json.dumps(on_disk, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert on_disk == {k: v for k, v in manifest.items() if k != "_messages"}
    assert manifest["generator"] == "lib.demo" and manifest["synthetic"] is True
    assert (manifest["seed"], manifest["scale"], manifest["years"]) == (7, 0.1, [2022, 2024])
    assert manifest["boundaries"] == "schematic"
    counts = manifest["counts"]
    assert counts["provinces"] == 18 and counts["districts"] == 148
    assert counts["schools"] == len(t["schools"])
    assert counts["enrolment_rows"] == len(t["enrolment"])
    assert counts["pupils"] == {str(y): int(v) for y, v in
                                t["enrolment"].groupby("year")["enrolled"].sum().items()}
    assert counts["teachers"] == {str(y): int(v) for y, v in
                                  t["teachers"].groupby("year")["count"].sum().items()}
    levels = t["schools"]["levels"].str.split(";").explode().value_counts().to_dict()
    assert counts["schools_offering"] == levels
    assert any(m.startswith("generating enrolment 2023 (2/3") for m in manifest["_messages"])


def test_country_profile_of_a_schematic_package(small):
    out, _, _ = small
    country = load_country(out)
    assert country.synthetic
    assert country.package.boundaries_schematic is True
    assert country.package.attribution == ""
    assert country.levels == parse_country(LAO_COUNTRY_TOML.read_text(encoding="utf-8")).levels
    assert sorted(p.name for p in (out / "boundaries").iterdir()) == ["adm1.geojson",
                                                                      "adm2.geojson"]
    adm2 = gpd.read_file(out / "boundaries" / "adm2.geojson")
    assert list(adm2.columns) == ["code", "name_en", "geometry"] and len(adm2) == 148


def test_tables_follow_the_contract(small):
    _, _, t = small
    s, e, te = t["schools"], t["enrolment"], t["teachers"]
    assert list(s.columns) == ["school_id", "name_en", "name_local", "district_code", "latitude",
                               "longitude", "ownership", "locality", "levels", "complete",
                               "multigrade", "distance_to_road_km", "opened_year", "closed_year"]
    assert s["school_id"].is_unique
    assert set(s["district_code"]) <= set(t["admin"].loc[t["admin"]["level"] == "2", "code"])
    assert set(s["ownership"]) == {"public", "private", "community"}
    assert set(s["locality"]) == {"urban", "rural"}
    assert s["name_en"].str.match(r"^Ban [A-Z][a-z]+( \w+)? .*(School|Kindergarten)$").all()
    assert s["name_local"].str.contains("ໂຮງຮຽນ").all()
    assert (s["closed_year"].dropna() > s.loc[s["closed_year"].notna(), "opened_year"]).all()
    assert list(e.columns) == ["year", "school_id", "grade", "sex", "age", "enrolled", "repeaters"]
    assert not e.duplicated(["year", "school_id", "grade", "sex", "age"]).any()
    assert (e["enrolled"] > 0).all() and (e["repeaters"] >= 0).all()
    assert (e["repeaters"] <= e["enrolled"]).all()
    assert set(e["sex"]) == {"F", "M"} and set(e["grade"]) == set(range(13))
    unknown = e.loc[e["age"].isna(), "enrolled"].sum() / e["enrolled"].sum()
    assert 0.002 < unknown < 0.03
    assert set(e["school_id"]) <= set(s["school_id"])
    assert list(te.columns) == ["year", "school_id", "level", "sex", "qualified", "trained", "count"]
    assert (te["count"] > 0).all()
    assert not te.duplicated(["year", "school_id", "level", "sex", "qualified", "trained"]).any()
    f = t["facilities"]
    for col in ("drinking_water", "sanitation", "handwashing"):
        assert set(f[col]) <= {"basic", "limited", "none"}
    for col in ("electricity", "internet", "computers", "adapted_infrastructure",
                "single_sex_toilets"):
        assert set(f[col]) <= {0, 1}
    assert (f["classrooms"] >= 1).all()
    p = t["population"].astype({"age": int, "population": int, "year": int})
    assert set(p["age"]) == set(range(25))
    full = p.groupby(["year", "district_code"]).size()
    assert len(full) == 3 * 148 and (full == 50).all()   # no district-year without population
    assert (p["population"] > 0).all()


def test_every_reporting_school_has_teachers_for_its_levels_and_facilities(small):
    _, _, t = small
    s = t["schools"].set_index("school_id")
    reported = t["enrolment"][["year", "school_id"]].drop_duplicates()
    te = t["teachers"].groupby(["year", "school_id"])["level"].agg(lambda v: set(v))
    for year, sid in reported.itertuples(index=False):
        assert te[(year, sid)] == set(s.at[sid, "levels"].split(";")), (year, sid)
    keys = set(map(tuple, reported.to_numpy()))
    assert set(map(tuple, t["facilities"][["year", "school_id"]].to_numpy())) == keys
    # Most reporting schools assess their quality (tests/unit/test_demo_quality.py).
    assert set(map(tuple, t["quality"][["year", "school_id"]].astype({"year": int})
                   .drop_duplicates().to_numpy())) <= keys
    assert set(map(tuple, t["teachers"][["year", "school_id"]].drop_duplicates()
                   .to_numpy())) == keys


def test_school_counts_follow_the_scale(small, national):
    _, m_small, _ = small
    _, m_full, _ = national
    full = m_full["counts"]["schools_offering"]
    assert 8500 <= full["primary"] <= 9500
    assert 1500 <= full["lower_secondary"] + full["upper_secondary"] - 0 <= 2600
    assert 1800 <= full["pre_primary"] <= 2400
    for level, n in m_small["counts"]["schools_offering"].items():
        # Small packages keep one complete secondary school per province: more upper secondary.
        assert n == pytest.approx(0.1 * full[level], rel=0.35 if level == "upper_secondary" else 0.2), level


def test_about_two_percent_without_coordinates(small):
    _, manifest, t = small
    s = t["schools"]
    missing = s.loc[s["latitude"].isna() & s["longitude"].isna(), "school_id"]
    assert sorted(missing) == manifest["dirt"]["no_coordinates"]
    assert 0.015 <= len(missing) / len(s) <= 0.025


def test_priority_districts(small):
    _, manifest, t = small
    d = t["districts"]
    flagged = sorted(d.loc[d["priority"] == "1", "district_code"])
    assert flagged == manifest["priority_districts"]
    assert 40 <= len(flagged) <= 66
    assert {code[:2] for code in flagged} <= set(PRIORITY_PROVINCES)
    assert {code[:2] for code in flagged} >= {"02", "07", "14", "15", "17"}
    assert {"1305", "1306", "1312", "1206", "1207"} <= set(flagged)
    poverty = d.astype({"poverty_rate": float}).groupby("priority")["poverty_rate"].mean()
    assert poverty["1"] > poverty["0"] + 10


def test_priority_districts_are_worse_off(small):
    _, _, t = small
    s = t["schools"].merge(t["districts"], on="district_code")
    primary = s[s["levels"].str.split(";").apply(lambda v: "primary" in v)]
    by = primary.groupby("priority")
    assert by["complete"].mean()["1"] < by["complete"].mean()["0"] - 0.1
    assert by["multigrade"].mean()["1"] > by["multigrade"].mean()["0"] + 0.15
    assert by["distance_to_road_km"].median()["1"] > 2 * by["distance_to_road_km"].median()["0"]
    te = t["teachers"].merge(s[["school_id", "priority"]], on="school_id")
    te = te[te["level"] == "primary"]
    qualified = (te["count"] * te["qualified"]).groupby(te["priority"]).sum() / \
        te.groupby("priority")["count"].sum()
    assert qualified["1"] < qualified["0"] - 0.05


# ----------------------------------------------------------------------------- places

def test_every_school_in_its_district_except_the_planted(small):
    out, manifest, t = small
    s = t["schools"]
    districts = gpd.read_file(out / "boundaries" / "adm2.geojson")
    _check_locations(s, districts, manifest)


def _check_locations(s: pd.DataFrame, districts: gpd.GeoDataFrame, manifest: dict) -> None:
    minx, miny, maxx, maxy = districts.total_bounds
    lon, lat = s["longitude"].to_numpy(float), s["latitude"].to_numpy(float)
    has = np.isfinite(lon) & np.isfinite(lat)
    in_box = has & (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    assert sorted(s.loc[has & ~in_box, "school_id"]) == manifest["dirt"]["coordinates_outside_country"]
    assert len(manifest["dirt"]["coordinates_outside_country"]) == 3
    found = district_of_points(lon, lat, districts)
    elsewhere = in_box & (found != s["district_code"].to_numpy())
    assert sorted(s.loc[elsewhere, "school_id"]) == manifest["dirt"]["outside_district"]
    assert len(manifest["dirt"]["outside_district"]) == 5
    assert (found[elsewhere] != "").all()             # inside the country, in another district


def test_real_boundaries_are_copied_and_used(tmp_path):
    geo = shared_geo_or_skip()
    from geo.boundaries import load_boundaries
    out = tmp_path / "pkg"
    manifest = generate_package(out, seed=3, scale=0.05, years=(2024, 2024), boundaries=geo,
                                progress=_quiet)
    assert manifest["boundaries"] == geo.resolve().name
    copied = sorted(p.name for p in (out / "boundaries").iterdir())
    assert copied == sorted(p.name for p in geo.glob("*.geojson"))
    for name in copied:
        assert (out / "boundaries" / name).read_bytes() == (geo / name).read_bytes()
    country = load_country(out)
    assert country.package.boundaries_schematic is False
    assert country.package.attribution == "Boundaries: geoBoundaries (CC BY 4.0)"
    assert country.synthetic
    admin = pd.read_csv(out / "admin_units.csv", dtype=str, keep_default_na=False)
    units = load_boundaries(out / "boundaries", admin).units
    districts = units[units["level"] == 2][["code", "geometry"]].reset_index(drop=True)
    schools = pd.read_csv(out / "schools.csv", dtype={"school_id": str, "district_code": str})
    _check_locations(schools, districts, manifest)
    # Regenerating from the package's own boundary folder keeps the files.
    before = _digests(out / "boundaries")
    generate_package(out, seed=3, scale=0.05, years=(2024, 2024), boundaries=out / "boundaries",
                     progress=_quiet)
    assert _digests(out / "boundaries") == before


# ----------------------------------------------------------------------------- dirt

def test_build_rules_find_exactly_the_planted_dirt(small):
    _, manifest, t = small
    dirt = manifest["dirt"]
    e, te, s = t["enrolment"], t["teachers"], t["schools"]
    pupils = pupils_by_school_year(e)

    def pairs(items):
        return {(d["school_id"], d["year"]) for d in items}

    assert ptr_flags(pupils, teachers_by_school_year(te)) == pairs(dirt["ptr_implausible"])
    assert jump_flags(pupils) == pairs(dirt["enrolment_jump"])
    assert {y for _, y in pairs(dirt["enrolment_jump"])} == {2024}
    country = load_country(small[0])
    assert age_flags(e, country) == pairs(dirt["age_grade_mismatch"])
    for kind in ("ptr_implausible", "enrolment_jump", "age_grade_mismatch"):
        assert len(dirt[kind]) == 3, kind
    silent = non_reporting_flags(s.astype({"closed_year": "Int64"}), e, range(2022, 2025))
    assert {y: sorted(v) for y, v in silent.items()} == \
        {int(y): v for y, v in dirt["non_reporting"].items()}
    assert all(1 <= len(v) <= 10 for v in dirt["non_reporting"].values())
    # Non-reporting schools are open, still in the register, and have no other rows.
    for year, ids in dirt["non_reporting"].items():
        y = int(year)
        rows = s[s["school_id"].isin(ids)]
        assert len(rows) == len(ids)
        assert (rows["opened_year"] <= y).all()
        assert (rows["closed_year"].isna() | (rows["closed_year"] > y)).all()
        for table in ("teachers", "facilities", "quality"):
            other = t[table]
            assert not ((other["year"].astype(int) == y) & other["school_id"].isin(ids)).any()


def test_chunked_generation_for_large_scales(tmp_path, monkeypatch):
    """Big scales simulate a few provinces at a time; force that path on a small package."""
    import lib.demo.flows as flows
    import lib.demo.package as package

    original = flows.plan_chunks
    seen = []

    def small_chunks(register, areas, max_schools=100_000):
        chunks = original(register, areas, max_schools=150)
        seen.append(len(chunks))
        return chunks

    monkeypatch.setattr(package, "plan_chunks", small_chunks)
    messages: list[str] = []
    out = tmp_path / "pkg"
    manifest = generate_package(out, seed=5, scale=0.1, years=(2023, 2024),
                                progress=messages.append)
    assert seen and seen[0] > 3
    assert any("provinces" in m for m in messages)
    e = pd.read_parquet(out / "enrolment.parquet")
    assert not e.duplicated(["year", "school_id", "grade", "sex", "age"]).any()
    assert len(e) == manifest["counts"]["enrolment_rows"]
    assert jump_flags(pupils_by_school_year(e)) == {
        (d["school_id"], d["year"]) for d in manifest["dirt"]["enrolment_jump"]}


# ----------------------------------------------------------------------------- magnitudes

def _share(num: float, den: float) -> float:
    return 100.0 * num / den


def test_national_figures_at_scale_one(national):
    _, manifest, t = national
    e, te, pop, s = t["enrolment"], t["teachers"], t["population"], t["schools"]
    pop = pop.astype({"year": int, "age": int, "population": int})
    prio = dict(zip(t["districts"]["district_code"], t["districts"]["priority"]))
    e = e.assign(district=e["school_id"].map(dict(zip(s["school_id"], s["district_code"]))))
    e["priority"] = e["district"].map(prio)
    pop["priority"] = pop["district_code"].map(prio)
    y = 2020
    ey, py = e[e["year"] == y], pop[pop["year"] == y]
    primary = ey[ey["grade"].between(1, 5)]
    p_6_10 = py.loc[py["age"].between(6, 10), "population"].sum()
    ger = _share(primary["enrolled"].sum(), p_6_10)
    ner = _share(primary.loc[primary["age"].between(6, 10), "enrolled"].sum(), p_6_10)
    assert 95 <= ger <= 120
    assert 85 <= ner <= 100
    assert 700_000 <= primary["enrolled"].sum() <= 850_000

    pri_p = primary[primary["priority"] == "1"]
    pp = py[py["priority"] == "1"]
    ner_p = _share(pri_p.loc[pri_p["age"].between(6, 10), "enrolled"].sum(),
                   pp.loc[pp["age"].between(6, 10), "population"].sum())
    assert 78 <= ner_p <= 95 and ner_p < ner - 5

    teachers = te.loc[(te["year"] == y) & (te["level"] == "primary"), "count"].sum()
    assert 15 <= primary["enrolled"].sum() / teachers <= 30
    assert 47 <= _share(primary.loc[primary["sex"] == "F", "enrolled"].sum(),
                        primary["enrolled"].sum()) <= 49
    for grades in ((6, 9), (10, 12)):
        sec = ey[ey["grade"].between(*grades)]
        assert 45 <= _share(sec.loc[sec["sex"] == "F", "enrolled"].sum(),
                            sec["enrolled"].sum()) <= 49
    ls = _share(ey.loc[ey["grade"].between(6, 9), "enrolled"].sum(),
                py.loc[py["age"].between(11, 14), "population"].sum())
    us = _share(ey.loc[ey["grade"].between(10, 12), "enrolled"].sum(),
                py.loc[py["age"].between(15, 17), "population"].sum())
    assert 65 <= ls <= 85 and 40 <= us <= 60
    at5 = _share(ey.loc[ey["age"] == 5, "enrolled"].sum(), py.loc[py["age"] == 5, "population"].sum())
    assert 30 <= at5 <= 95

    # Flows 2020 -> 2021 over schools reporting both years.
    nxt = e[e["year"] == y + 1]
    both = set(ey["school_id"]) & set(nxt["school_id"])
    now = ey[ey["school_id"].isin(both)].groupby("grade")["enrolled"].sum()
    later = nxt[nxt["school_id"].isin(both)]
    enrolled = later.groupby("grade")["enrolled"].sum()
    repeaters = later.groupby("grade")["repeaters"].sum()
    rep = {g: repeaters[g] / now[g] for g in range(1, 6)}
    promo = {g: (enrolled[g + 1] - repeaters[g + 1]) / now[g] for g in range(1, 6)}
    assert 0.08 <= rep[1] <= 0.20
    assert all(0.03 <= rep[g] <= 0.08 for g in range(2, 6))
    survival = np.prod([promo[k] / (1 - rep[k]) for k in range(1, 5)])
    assert 0.75 <= survival <= 0.92
    assert 0.80 <= promo[5] <= 0.95          # transition to lower secondary

    pupils = pupils_by_school_year(e)
    ratio = (pupils / teachers_by_school_year(te)).dropna()
    planted = {(d["school_id"], d["year"]) for d in manifest["dirt"]["ptr_implausible"]}
    clean = ratio[[k not in planted for k in ratio.index]]
    assert clean.between(3, 45).all()
    assert 15 <= clean.median() <= 25

    schools = s[s["levels"].str.split(";").apply(lambda v: "primary" in v)]
    assert 0.12 <= 1 - schools["complete"].mean() <= 0.22
    assert 0.2 <= schools["multigrade"].mean() <= 0.35
