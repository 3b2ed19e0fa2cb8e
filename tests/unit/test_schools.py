"""The Schools page's logic: how a search is understood (lib.schools), the search and
profile queries (lib.db) on the demo extract, and the profile's figures against the
indicator engine."""
from __future__ import annotations

import math

import duckdb
import pandas as pd
import pytest

from lib import db, schools
from lib.aggregate import SEARCH_KEY_SQL, SEARCH_LOCAL_KEY_SQL
from lib.indicators import compute
from lib.quality import readable
from lib.schools import SchoolQuery


@pytest.fixture(scope="module")
def year(demo_con) -> int:
    return int(demo_con.execute("SELECT max(year) FROM reporting").fetchone()[0])


def search(con, year: int, text: str = "", **filters) -> schools.SearchResult:
    query = SchoolQuery(year=year, text=text, **filters)
    words = [w for w in schools.terms(text) if schools.needs_alternatives(w)]
    close = db.similar_words(con, words, schools.FUZZY_SIMILARITY, schools.FUZZY_WORDS)
    return db.search_schools(con, query, schools.plan(text, close), schools.MAX_RESULTS)


def a_school(con, where: str = "TRUE") -> dict:
    frame = con.execute(f"SELECT * FROM schools WHERE {where} ORDER BY school_id LIMIT 1").df()
    return frame.iloc[0].to_dict()


# --------------------------------------------------------------------------- folding


@pytest.mark.parametrize("text, folded", [
    ("Ban Houay-Lao  PRIMARY", "ban houay lao primary"),
    ("École Nº5, Thầy", "ecole nº5 thay"),
    ("ໂຮງຮຽນປະຖົມ ບ້ານຫ້ວຍລາວ", "ໂຮງຮຽນປະຖົມ ບ້ານຫ້ວຍລາວ"),  # Lao marks kept as typed
    ("0101-0003", "0101 0003"),
    ("  ", ""),
])
def test_fold(text, folded):
    assert schools.fold(text) == folded


@pytest.mark.parametrize("name", ["Thầy Bún-Chả  École Nº5 Ñandú", "Ban Nong-Sai (Tai)",
                                  "ĐàLạt  Øre", "ໂຮງຮຽນ ບ້ານ-ໂຄກ"])
def test_the_query_is_folded_as_the_build_folds_the_names(name):
    """Python folds a query the way the build's SQL folds names, or nothing would match."""
    con = duckdb.connect()
    key, local = con.execute(
        f"SELECT {SEARCH_KEY_SQL} AS key, {SEARCH_LOCAL_KEY_SQL} AS key_local "
        "FROM (SELECT ? AS name_en, ? AS name_local, 'X-1' AS school_id)",
        [name, name]).fetchone()
    folded = "".join(schools.fold(name).split())
    if schools.is_latin_word(folded):
        assert key == folded + "|x1"
    else:
        assert local == folded


def test_plan_keeps_close_words_that_differ():
    plan = schools.plan("Hoaylao school", {"hoaylao": ["houaylao", "hoaylaotai"]})
    assert [term.text for term in plan.terms] == ["hoaylao", "school"]
    assert plan.terms[0].alternatives == ("houaylao",)  # "hoaylaotai" holds it already
    assert plan.fuzzy and plan.code == "hoaylaoschool"
    assert schools.plan("").empty


def test_a_facility_must_be_known():
    with pytest.raises(ValueError, match="unknown facility"):
        SchoolQuery(year=2023, facility="pool")


# --------------------------------------------------------------------------- search


def test_the_build_writes_the_search_tables(demo_con):
    n = demo_con.execute("SELECT count(*) FROM schools").fetchone()[0]
    assert demo_con.execute("SELECT count(*) FROM school_search").fetchone()[0] == n
    assert demo_con.execute("SELECT count(*) FROM school_words").fetchone()[0] > 10
    assert demo_con.execute("SELECT count(*) FROM school_totals").fetchone()[0] > 0


def test_a_code_finds_its_school_first(demo_con, year):
    school = a_school(demo_con)
    for typed in (school["school_id"], school["school_id"].replace("-", " "),
                  school["school_id"].replace("-", "")):
        result = search(demo_con, year, typed)
        assert result.rows["school_id"].iloc[0] == school["school_id"], typed


def test_names_match_whatever_the_case_spaces_and_spelling(demo_con, year):
    school = a_school(demo_con, "name_en LIKE 'Ban % Primary School'")
    village = school["name_en"].split()[1]  # e.g. Houaylao
    found = search(demo_con, year, village.upper()).rows["school_id"].tolist()
    assert school["school_id"] in found
    spaced = village[:3] + " " + village[3:]
    assert school["school_id"] in search(demo_con, year, spaced).rows["school_id"].tolist()
    misspelt = village[:2] + village[3:]  # one letter dropped
    result = search(demo_con, year, misspelt + " primary")
    assert result.fuzzy
    assert school["school_id"] in result.rows["school_id"].tolist() or result.truncated
    typo = search(demo_con, year, misspelt)
    first = schools.fold(typo.rows["name_en"].iloc[0])
    assert village.lower() in first.split(), "the closest spelling comes first, not A to Z"


def test_local_names_match_as_typed(demo_con, year):
    school = a_school(demo_con, "name_local IS NOT NULL AND name_local <> ''")
    typed = school["name_local"].split()[-1]
    found = search(demo_con, year, typed)
    assert school["school_id"] in found.rows["school_id"].tolist() or found.truncated
    assert all(typed.replace(" ", "") in lo.replace(" ", "") for lo in found.rows["name_local"])


def test_filters_narrow_the_search(demo_con, year):
    everything = search(demo_con, year)
    assert everything.total == demo_con.execute("SELECT count(*) FROM schools").fetchone()[0]
    assert len(everything.rows) == schools.MAX_RESULTS and everything.truncated
    rows = search(demo_con, year, area="01", ownership=("public",), locality=("rural",),
                  complete=True, multigrade=False, levels=("primary",)).rows
    assert len(rows) > 0
    assert set(rows["province_code"]) == {"01"} and set(rows["ownership"]) == {"public"}
    assert set(rows["locality"]) == {"rural"} and rows["complete"].all()
    assert not rows["multigrade"].any()
    assert all("primary" in schools.levels_of(v) for v in rows["levels"])
    ptr = search(demo_con, year, ptr_min=20, ptr_max=30).rows["ptr"]
    assert len(ptr) > 0 and ptr.between(20, 30).all()
    with_water = search(demo_con, year, facility="water", area="0101").rows["school_id"].tolist()
    basic = {sid for (sid,) in demo_con.execute(
        "SELECT school_id FROM facilities WHERE year = ? AND drinking_water = 'basic' "
        "AND school_id LIKE '0101-%'", [year]).fetchall()}
    assert set(with_water) == basic


def test_nothing_found_is_an_empty_result(demo_con, year):
    result = search(demo_con, year, "zzqqxxyy")
    assert result.total == 0 and result.rows.empty


def test_old_extracts_without_search_tables_are_searched_alike(demo_con, year, demo_extract,
                                                               tmp_path):
    """An extract built before the search tables existed folds the keys on the fly and
    finds the same schools."""
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    old.execute(f"ATTACH '{demo_extract}' AS demo (READ_ONLY)")
    for table in ("schools", "school_levels", "enrolment", "teachers", "facilities"):
        old.execute(f"CREATE TABLE {table} AS SELECT * FROM demo.{table}")
    old.execute("DETACH demo")
    assert db._search_keys(old).startswith("(SELECT")
    for text, filters in (("houaylao primery", {}), ("0101 0003", {}),
                          ("", {"area": "0101", "ptr_min": 20.0})):
        new_rows = search(demo_con, year, text, **filters)
        old_rows = search(old, year, text, **filters)
        assert old_rows.total == new_rows.total
        pd.testing.assert_frame_equal(old_rows.rows, new_rows.rows)
    old.close()


# --------------------------------------------------------------------------- profile


def test_profile_queries(demo_con):
    school = a_school(demo_con, "has_location")
    record = db.school(demo_con, school["school_id"])
    assert record["school_id"] == school["school_id"]
    assert record["district_name_en"] and record["province_name_en"]
    assert db.school(demo_con, "no-such-school") is None
    assert not db.school_exists(demo_con, "no-such-school")
    enrolment = db.school_enrolment(demo_con, school["school_id"])
    assert list(enrolment.columns) == ["year", "grade", "sex", "enrolled", "repeaters"]
    assert (enrolment["repeaters"] <= enrolment["enrolled"]).all()


def test_school_figures_equal_the_engine_at_school_level(demo_con, year):
    """The profile computes one school's ratios itself (the engine's school level scans a
    whole district); they must equal the engine's."""
    from lib.indicators.context import context

    country = context(demo_con).country
    school = a_school(demo_con, f"levels = 'primary' AND school_id IN "
                           f"(SELECT school_id FROM reporting WHERE year = {year})")
    sid = school["school_id"]
    figures = schools.figures(db.school_enrolment(demo_con, sid), db.school_teachers(demo_con, sid),
                              db.school_facilities(demo_con, sid),
                              schools.level_grades(country, ["primary"]), year)
    row = figures.by_level.set_index("level").loc["primary"]
    for indicator, value in (("ptr_primary", row["ptr"]),
                             ("qualified_teachers_primary", row["qualified_pct"]),
                             ("trained_teachers_primary", row["trained_pct"]),
                             ("pcr", figures.pcr)):
        engine = compute(demo_con, indicator, "school", year, area=school["district_code"])
        expected = engine.loc[(engine["unit_code"] == sid) & (engine["group"] == "T"),
                              "value"].iloc[0]
        assert value == pytest.approx(expected, nan_ok=True), indicator


def test_comparison_table():
    figures = schools.SchoolFigures(2023, pd.DataFrame([{
        "level": "primary", "pupils": 100.0, "teachers": 4.0, "qualified": 2.0,
        "trained": 4.0, "ptr": 25.0, "pqtr": 50.0, "qualified_pct": 50.0,
        "trained_pct": 100.0}]), 100.0, 5.0, 20.0)
    areas = {"ptr_primary": {"district": 30.0, "province": 28.0, "national": 26.0}}
    table = schools.comparison(figures, areas, ["primary"],
                               schools.compared_levels(("province", "district")))
    assert table["key"].tolist() == ["ptr:primary", "qualified_pct:primary",
                                     "trained_pct:primary", "pcr"]
    first = table.iloc[0]
    assert (first["school"], first["district"], first["national"]) == (25.0, 30.0, 26.0)
    assert table.iloc[3]["school"] == 20.0 and math.isnan(table.iloc[3]["district"])


def test_facilities_of_the_year_or_the_latest_before():
    frame = pd.DataFrame([
        {"year": 2021, "classrooms": 4, "electricity": True, "internet": False,
         "computers": None, "adapted_infrastructure": False, "drinking_water": "basic",
         "sanitation": "limited", "handwashing": "none", "single_sex_toilets": True}])
    found = schools.facilities_in(frame, 2023)
    assert found.year == 2021
    assert found.ladder == {"drinking_water": "basic", "sanitation": "limited",
                            "handwashing": "none"}
    assert found.items["electricity"] is True and found.items["computers"] is None
    assert schools.facilities_in(frame, 2020).year is None


def test_enrolment_shapes_and_quality_table():
    enrolment = pd.DataFrame({"year": [2022, 2022, 2023, 2023], "grade": [1, 1, 1, 2],
                              "sex": ["F", "M", "F", "F"], "enrolled": [10.0, 12, 11, 9],
                              "repeaters": [1.0, 0, 0, 2]})
    by_year = schools.enrolment_by_year(enrolment)
    assert by_year.to_dict("list") == {"year": [2022, 2022, 2023], "sex": ["F", "M", "F"],
                                       "enrolled": [10.0, 12.0, 20.0]}
    assert schools.enrolment_by_grade(enrolment, 2023)["repeaters"].tolist() == [0.0, 2.0]
    wide = schools.enrolment_table(enrolment)
    assert list(wide.columns) == ["grade", "2022", "2023"]
    assert wide["2022"].tolist() == [22.0, 0.0]
    quality = pd.DataFrame({"year": [2022, 2023], "standard": ["a_b", "a_b"],
                            "score": [50.0, 70.0], "met": [False, True]})
    shown = schools.quality_table(quality, lambda s, m: f"{s:g}{'+' if m else '-'}")
    assert shown.to_dict("list") == {"standard": ["a_b"], "2023": ["70+"], "2022": ["50-"]}
    assert readable("learning_environment") == "Learning environment"


def test_results_table_keeps_names_as_text():
    hostile = "<img src=x onerror=alert(1)>"
    rows = pd.DataFrame([{"school_id": "A 1", "name_en": hostile, "name_local": "",
                          "district_code": "0101", "province_code": "01",
                          "ownership": "public", "locality": "rural",
                          "levels": "pre_primary;primary", "complete": True,
                          "multigrade": None, "pupils": 10, "teachers": 0, "ptr": None,
                          "literal": True}])
    table = schools.results_table(rows, lambda en, lo: en, {"0101": "Chan", "01": "VTE"},
                                  {"public": "Public", "rural": "Rural", "yes": "Y",
                                   "no": "N"}, {"primary": "Primary"}, "/schools?school=")
    row = table.iloc[0]
    assert row["name"] == hostile  # shown in a dataframe cell: text, never HTML
    assert row["levels"] == "pre_primary, Primary" and row["complete"] == "Y"
    assert row["multigrade"] == "" and row["profile"] == "/schools?school=A%201"
