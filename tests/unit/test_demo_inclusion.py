"""The demo's inclusive data (lib.demo.inclusion): pupils by ethnicity and home language add
up to the enrolment, the composition follows the provinces, the population by ethnicity
adds up to the population, the functioning counts are consistent, and the groups have
Lao names. Uses the session's small demo package (scale 0.1, 2021–2023) and its extract.
"""
from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from lib.demo.inclusion import ETHNIC_GROUPS, GROUP_NAMES, LANGUAGES
from lib.indicators.engine import compute
from lib.vocabulary import ANY_DOMAIN, CFM_CUT_OFF

NORTH_HMONG = ("07", "09", "18")        # Houaphanh, Xiengkhouang, Xaysomboun
MEKONG = ("01", "12", "13", "16")       # Vientiane Capital, Khammouane, Savannakhet, Champasack
SOUTH = ("14", "15", "17")              # Salavan, Sekong, Attapeu
LAO_SCRIPT = r"[\u0E80-\u0EFF]"


@pytest.fixture(scope="module")
def con(demo_package):
    """The package's tables, read by duckdb."""
    connection = duckdb.connect()
    for name in ("enrolment", "enrolment_groups", "population_groups", "functioning"):
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM "
                           f"read_parquet('{demo_package / (name + '.parquet')}')")
    connection.execute("CREATE VIEW population AS SELECT * FROM "
                       f"read_csv('{demo_package / 'population.csv'}', "
                       "types={'district_code': 'VARCHAR'})")
    yield connection
    connection.close()


def test_the_manifest_lists_the_tables_and_their_rows(demo_package):
    manifest = json.loads((demo_package / "manifest.json").read_text(encoding="utf-8"))
    inclusion = manifest["inclusion"]
    assert inclusion["tables"] == ["enrolment_groups", "functioning", "group_names",
                                   "population_groups"]
    for name, rows in inclusion["rows"].items():
        assert len(pd.read_parquet(demo_package / f"{name}.parquet")) == rows
    assert {d["dimension"] for d in manifest["dirt"]["groups_partial"]} == {
        "ethnicity", "home_language"}


def test_groups_add_up_exactly_to_each_reporting_cell(con):
    bad = con.execute("""
        WITH e AS (SELECT year, school_id, grade, sex, sum(enrolled) AS pupils
                   FROM enrolment GROUP BY ALL),
             g AS (SELECT year, school_id, grade, sex, dimension, sum(enrolled) AS grouped
                   FROM enrolment_groups GROUP BY ALL),
             reporting AS (SELECT DISTINCT year, school_id, dimension FROM enrolment_groups)
        SELECT r.dimension, e.year, e.school_id, e.grade, e.sex, e.pupils, g.grouped
        FROM reporting r JOIN e USING (year, school_id)
        LEFT JOIN g USING (year, school_id, grade, sex, dimension)
        WHERE e.pupils > 0 AND coalesce(g.grouped, -1) <> e.pupils""").fetchall()
    assert bad == []
    assert con.execute("SELECT count(*) FROM enrolment_groups WHERE enrolled <= 0"
                       ).fetchone()[0] == 0
    groups = dict(con.execute("SELECT dimension, list(DISTINCT \"group\") FROM "
                              "enrolment_groups GROUP BY ALL").fetchall())
    assert set(groups["ethnicity"]) <= set(ETHNIC_GROUPS)
    assert set(groups["home_language"]) <= set(LANGUAGES)


def test_some_schools_do_not_report_a_dimension(con):
    share = dict(con.execute("""
        WITH s AS (SELECT DISTINCT year, school_id FROM enrolment),
             g AS (SELECT DISTINCT year, school_id, dimension FROM enrolment_groups)
        SELECT d.dimension, 1 - count(g.school_id) / count(*)
        FROM s CROSS JOIN (SELECT DISTINCT dimension FROM g) d
        LEFT JOIN g USING (year, school_id, dimension) GROUP BY ALL""").fetchall())
    assert 0.005 < share["ethnicity"] < 0.07
    assert 0.03 < share["home_language"] < 0.15
    assert share["home_language"] > share["ethnicity"]


def test_shares_follow_the_provinces(demo_con):
    hmong = compute(demo_con, "group_share_ethnicity_hmong_mien_primary", "province",
                    2023).set_index("unit_code")["value"]
    assert hmong[list(NORTH_HMONG)].min() > 15.0
    assert hmong[list(MEKONG)].max() < 10.0
    assert hmong[list(NORTH_HMONG)].min() > 3 * hmong[list(MEKONG)].max()
    mon_khmer = compute(demo_con, "group_share_ethnicity_mon_khmer_primary", "province",
                        2023).set_index("unit_code")["value"]
    assert mon_khmer[list(SOUTH)].min() > 40.0
    lao_tai = compute(demo_con, "group_share_ethnicity_lao_tai_primary", "national", 2023)
    assert 52.0 < lao_tai["value"].iloc[0] < 68.0
    total = sum(compute(demo_con, f"group_share_ethnicity_{g}_primary", "province", 2023)
                .set_index("unit_code")["value"].fillna(0.0) for g in ETHNIC_GROUPS)
    assert np.allclose(total, 100.0, atol=1e-9)


def test_minority_girls_leave_earlier(con):
    share = con.execute("""
        SELECT grade >= 10 AS upper,
               sum(enrolled) FILTER (WHERE "group" IN ('hmong_mien', 'mon_khmer',
                                                       'chinese_tibetan')) / sum(enrolled)
        FROM enrolment_groups
        WHERE dimension = 'ethnicity' AND sex = 'F' AND grade BETWEEN 1 AND 12
        GROUP BY ALL ORDER BY upper""").fetchall()
    (_, primary_and_lower), (_, upper) = share
    assert upper < primary_and_lower


def test_population_by_ethnicity_adds_up_to_the_population(con, demo_con):
    bad = con.execute("""
        WITH g AS (SELECT year, district_code, sex, age, sum(population) AS grouped
                   FROM population_groups GROUP BY ALL)
        SELECT p.year, p.district_code, p.sex, p.age, p.population, g.grouped
        FROM population p LEFT JOIN g USING (year, district_code, sex, age)
        WHERE p.year IN (SELECT DISTINCT year FROM enrolment_groups)
          AND abs(coalesce(g.grouped, 0) - p.population) > 1e-6""").fetchall()
    assert bad == []
    primary = compute(demo_con, "representation_ethnicity_hmong_mien_primary", "national",
                      2023)["value"].iloc[0]
    upper = compute(demo_con, "representation_ethnicity_hmong_mien_upper_secondary",
                    "national", 2023)["value"].iloc[0]
    assert 0.9 < primary < 1.1
    assert upper < primary


def test_functioning_is_consistent(con, demo_con):
    cut = ", ".join(f"'{d}'" for d in CFM_CUT_OFF)
    cells = con.execute(f"""
        WITH f AS (
            SELECT year, school_id, grade, sex,
                   sum(pupils) FILTER (WHERE domain = '{ANY_DOMAIN}') AS answered,
                   coalesce(sum(pupils) FILTER (WHERE domain = '{ANY_DOMAIN}'
                                                AND degree IN ({cut})), 0) AS any_cut
            FROM functioning GROUP BY ALL),
             d AS (SELECT year, school_id, grade, sex, domain, sum(pupils) AS at_cut
                   FROM functioning WHERE domain <> '{ANY_DOMAIN}' AND degree IN ({cut})
                   GROUP BY ALL),
             ds AS (SELECT year, school_id, grade, sex, sum(at_cut) AS total,
                           max(at_cut) AS most FROM d GROUP BY ALL),
             e AS (SELECT year, school_id, grade, sex, sum(enrolled) AS pupils
                   FROM enrolment GROUP BY ALL)
        SELECT f.answered, f.any_cut, coalesce(ds.total, 0) AS total,
               coalesce(ds.most, 0) AS most, e.pupils
        FROM f LEFT JOIN ds USING (year, school_id, grade, sex)
        LEFT JOIN e USING (year, school_id, grade, sex)""").df()
    assert len(cells) > 0
    assert (cells["any_cut"] <= cells["pupils"]).all()
    assert (cells["answered"] == cells["pupils"]).all()   # any: each pupil once
    assert (cells["any_cut"] <= cells["total"]).all()
    assert (cells["any_cut"] >= cells["most"]).all()
    assert con.execute("SELECT min(year), min(pupils) FROM functioning").fetchone() == (2022, 1)
    rate = compute(demo_con, "functional_difficulty_primary", "national", 2023)["value"].iloc[0]
    assert 0.8 < rate < 3.0
    by_domain = compute(demo_con, "functional_difficulty_primary", "national", 2023,
                        by="domain").set_index("group")["value"]
    assert by_domain["learning"] > by_domain["self_care"]
    assert by_domain.drop("T").sum() >= by_domain["T"]
    schools = compute(demo_con, "schools_with_difficulty", "national", 2023)["value"].iloc[0]
    assert 20.0 < schools < 95.0


def test_group_names_in_english_and_lao(demo_package, con):
    names = pd.read_csv(demo_package / "group_names.csv", dtype=str, keep_default_na=False)
    assert list(names.columns) == ["dimension", "group", "name_en", "name_local"]
    assert [tuple(r) for r in names.itertuples(index=False)] == list(GROUP_NAMES)
    assert names.iloc[0].tolist()[:2] == ["ethnicity", ""]
    assert names["name_local"].str.contains(LAO_SCRIPT).all()
    assert names["name_en"].str.len().gt(0).all()
    used = set(con.execute('SELECT DISTINCT dimension, "group" FROM enrolment_groups'
                           ).fetchall())
    named = {(d, g) for d, g in zip(names["dimension"], names["group"]) if g}
    assert used <= named
    assert {(d, "") for d, _ in used} <= set(zip(names["dimension"], names["group"]))
