"""School quality assessment: the framework as data, its roll-up to standards, schools and
levels, the indicators and the census cross-checks, on the hand-made package of
tests/fixtures/quality_package.py whose docstring works out every value asserted here; and
the old flat quality table, which still builds and shows."""
from __future__ import annotations

import duckdb
import pytest
from pytest import approx

from lib import quality
from lib.build import build_extract
from lib.indicators import compute
from lib.indicators.context import context
from lib.problems import PackageError
from tests.fixtures.quality_package import (FLAT_QUALITY, FRAMEWORK, LEVELS, assessment,
                                            write_quality_package)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quality")
    result = build_extract(write_quality_package(folder / "package"), folder / "x.duckdb")
    return folder / "x.duckdb", result


@pytest.fixture
def con(built):
    connection = duckdb.connect(str(built[0]), read_only=True)
    yield connection
    connection.close()


def school_result(con, year, school, assessor):
    return con.execute("SELECT score, level, official FROM quality_schools WHERE year = ? AND "
                       "school_id = ? AND assessor = ?", [year, school, assessor]).fetchone()


def standard_result(con, year, school, assessor, standard, criterion=None):
    return con.execute(
        "SELECT score, met FROM quality_results WHERE year = ? AND school_id = ? AND "
        "assessor = ? AND standard = ? AND criterion IS NOT DISTINCT FROM ?",
        [year, school, assessor, standard, criterion]).fetchone()


def test_ratings_roll_up_by_weights_and_rules(con):
    # S1's self-assessment of 2023: weighted means, the rule `all` (the lowest part)
    assert standard_result(con, 2023, "S1", "self", "inputs", "buildings") == (100.0, True)
    assert standard_result(con, 2023, "S1", "self", "inputs", "teachers") == (50.0, False)
    assert standard_result(con, 2023, "S1", "self", "inputs")[0] == approx(250 / 3)
    assert standard_result(con, 2023, "S1", "self", "management") == (75.0, True)
    score, level, official = school_result(con, 2023, "S1", "self")
    assert score == approx((250 / 3 + 3 * 75) / 4) and level == "good" and not official
    # its external assessment: inputs exactly at the pass score of 75 is met
    assert standard_result(con, 2023, "S1", "external", "inputs") == (approx(75.0), True)
    assert standard_result(con, 2023, "S1", "external", "management") == (25.0, False)
    assert school_result(con, 2023, "S1", "external") == (37.5, "needs_support", True)
    # S2: a high score, and the level's required standard met
    assert school_result(con, 2023, "S2", "self") == (93.75, "good", True)
    assert standard_result(con, 2023, "S2", "self", "inputs", "buildings") == (62.5, False)
    assert school_result(con, 2022, "S2", "self") == (50.0, "developing", True)
    assert school_result(con, 2022, "S3", "self") == (0.0, "needs_support", True)


def test_the_official_result_is_the_flat_quality_table(con):
    rows = con.execute("SELECT year, school_id, standard, score, met FROM quality "
                       "ORDER BY ALL").fetchall()
    assert rows == [(2022, "S1", "inputs", 100.0, True), (2022, "S1", "management", 100.0, True),
                    (2022, "S2", "inputs", 50.0, False), (2022, "S2", "management", 50.0, True),
                    (2022, "S3", "inputs", 0.0, False), (2022, "S3", "management", 0.0, False),
                    (2023, "S1", "inputs", 75.0, True), (2023, "S1", "management", 25.0, False),
                    (2023, "S2", "inputs", 75.0, True), (2023, "S2", "management", 100.0, True)]


def national(con, indicator, year, by=None):
    frame = compute(con, indicator, "national", year, by=by)
    return frame.set_index("group") if by else frame.iloc[0]


def test_indicators_of_levels_standards_and_assessment(con):
    good = national(con, "quality_level_good", 2023)
    assert (good.value, good.numerator, good.denominator) == (50.0, 1, 2)
    assert "incomplete_reporting" in good["flags"]  # 2 of 3 reporting schools assessed
    assert national(con, "quality_level_needs_support", 2023).value == 50.0
    assert national(con, "quality_level_developing", 2023).value == 0.0
    for level in ("good", "developing", "needs_support"):
        assert national(con, f"quality_level_{level}", 2022).value == approx(100 / 3)
    assert national(con, "quality_met_inputs", 2023).value == 100.0
    assert national(con, "quality_met_management", 2023).value == 50.0
    assert national(con, "quality_assessed", 2023).value == approx(200 / 3)
    assert national(con, "quality_verified", 2023).value == approx(100 / 3)
    assert national(con, "quality_assessed", 2022).value == 100.0
    by_locality = national(con, "quality_level_good", 2023, by="locality")
    assert by_locality.loc["rural", "value"] == 100.0  # S2
    assert by_locality.loc["urban", "value"] == 0.0  # S1
    by_province = compute(con, "quality_level_good", "province", 2023).set_index("unit_code")
    assert by_province.loc["01", "value"] == 50.0
    assert by_province["value"].isna()["02"]  # S3 was not assessed: no value, not 0


def test_registry_names_standards_and_levels_in_each_language(con):
    registry = context(con).registry
    assert registry.get("quality_met_inputs").name("en") == "Schools meeting standard School inputs"
    assert "ປັດໃຈນຳເຂົ້າ" in registry.get("quality_met_inputs").name("lo")
    assert registry.get("quality_level_good").name("en") == "Schools at level Good"
    # the lowest level is the one to reduce, the highest the one to raise
    assert registry.get("quality_level_needs_support").higher_is_better is False
    assert registry.get("quality_level_good").higher_is_better is True
    assert registry.get("quality_level_developing").higher_is_better is None
    assert set(registry.get("quality_level_good").splits) >= {"locality", "ownership",
                                                             "priority"}


def test_framework_words(con):
    framework = quality.framework(con)
    assert [s.id for s in framework.standards] == ["inputs", "management"]
    assert [c.id for c in framework.criteria["inputs"]] == ["buildings", "teachers"]
    assert [i.id for i in framework.items[("inputs", "teachers")]] == ["ptr", "qualification"]
    assert [r.id for r in framework.ratings] == ["achieved", "minor_issue", "major_issue"]
    assert [lv.id for lv in framework.levels] == ["needs_support", "developing", "good"]
    assert framework.levels[2].standards_met == ("management",)
    assert framework.levels[0].support_days == 10
    assert framework.item("water").name("lo") == "ນ້ຳດື່ມ"


def test_census_contradictions_are_warned_per_school(built):
    warned = [p for p in built[1].problems if p.kind == "quality_contradicts_census"]
    assert sorted((p.school_id, p.year, p.template) for p in warned) == [
        ("S1", 2022, "quality_ptr_contradiction"), ("S1", 2023, "quality_ptr_contradiction"),
        ("S1", 2023, "quality_ptr_contradiction"), ("S2", 2023, "quality_facility_contradiction")]
    water = next(p for p in warned if p.school_id == "S2")
    assert "'Drinking water' achieved" in water.message and "no drinking_water" in water.message
    ptr = next(p for p in warned if p.school_id == "S1" and p.year == 2022)
    assert "42 pupils for 2 teachers, 21.0 pupils per teacher" in ptr.message


def test_the_old_flat_quality_table_still_builds(tmp_path):
    package = write_quality_package(tmp_path / "package", **{
        "quality_framework.csv": "", "quality_scale.csv": "", "quality_levels.csv": "",
        "quality_assessment.csv": "", "quality.csv": FLAT_QUALITY})
    build_extract(package, tmp_path / "x.duckdb")
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        met = national(con, "quality_met_fundamental_quality_standards", 2023)
        assert (met.numerator, met.denominator) == (2, 3)
        framework = quality.framework(con)
        assert [s.name("en") for s in framework.standards] == ["Fundamental quality standards"]
        assert framework.levels == () and not framework.has_items
        assert not any(i.family == "quality_level" for i in context(con).registry)


def errors_of(tmp_path, **replaced):
    package = write_quality_package(tmp_path / "package", **replaced)
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()
    return [(p.file, p.row, p.column, p.message) for p in caught.value.problems]


def test_a_framework_that_does_not_hold_together_is_refused(tmp_path):
    framework = (FRAMEWORK
                 + "inputs,,orphan,An item without criterion,,,,,,\n"
                 + "inputs,books,textbooks,Textbooks,,,,,,\n"
                 + "inputs,teachers,water,Water again,,,,,,\n"
                 + "community,,,Community,,,,,,\n"
                 + "inputs,teachers,ratio2,Ratio,,,,,pupil_teacher_ratio,\n")
    found = errors_of(tmp_path, **{"quality_framework.csv": framework})
    messages = [m for *_, m in found]
    assert "item 'orphan' needs its criterion" in messages
    assert "criterion 'books' has no row of its own naming it (a row with its standard and " \
           "an empty item)" in messages
    assert any("item 'water' appears more than once" in m for m in messages)
    assert "standard 'community' has no items: its score cannot be computed" in messages
    assert ("quality_framework.csv", 17, "census_limit",
            "an item checked against the pupil-teacher ratio needs its norm in census_limit"
            ) in found


def test_ratings_and_items_must_exist_and_one_kind_of_quality_table(tmp_path):
    text = assessment() + "2023,S3,self,library,achieved,\n2023,S3,self,water,perfect,\n"
    found = errors_of(tmp_path, **{"quality_assessment.csv": text, "quality.csv": FLAT_QUALITY})
    messages = [m for *_, m in found]
    assert "item 'library' is not an item of quality_framework" in messages
    assert "rating 'perfect' is not a rating of quality_scale" in messages
    assert any(m.startswith("give either the quality table") for m in messages)


def test_levels_and_scale_are_checked(tmp_path):
    levels = LEVELS.replace("needs_support,1,,,", "needs_support,1,10,,") + \
        "excellent,3,90,culture,Excellent,,\n"
    found = errors_of(tmp_path, **{"quality_levels.csv": levels,
                                   "quality_scale.csv": "rating,points,name_en\nok,1,OK\n"})
    messages = [m for *_, m in found]
    assert ("level 'needs_support' has the lowest rank, which every assessed school reaches: "
            "leave its min_score and standards_met empty") in messages
    assert "rank 3 is given to more than one level" in messages
    assert "standards_met 'culture' names a standard that is not in quality_framework" in messages
    assert ("the rating scale needs at least two ratings with different points (higher is "
            "better)") in messages


def test_an_assessment_needs_its_framework_and_scale(tmp_path):
    found = errors_of(tmp_path, **{"quality_framework.csv": "", "quality_scale.csv": "",
                                   "quality_levels.csv": ""})
    assert sum("quality_assessment needs the table" in m for *_, m in found) == 2


def test_every_quality_chart_is_a_valid_vega_lite_spec(con):
    """The Quality page's charts, built from this package's figures, against Vega-Lite's
    schema (the app skips Altair's checks: see ui/chart_export.py)."""
    import pandas as pd

    from ui import chart_export
    from ui.sections import quality as section

    words = quality.framework(con)
    names = {level.id: level.name("en") for level in words.levels}
    counts = quality.level_counts(con, None)
    assert not counts.empty
    section.years_chart(counts, names, "en").to_dict(validate=True)
    rows = pd.DataFrame({"area": ["A", "A", "B", "B"], "level": [names[words.levels[0].id],
                                                                  names[words.levels[-1].id]] * 2,
                         "rank": [words.levels[0].rank, words.levels[-1].rank] * 2,
                         "value": [25.0, 75.0, 60.0, 40.0], "schools": [1, 3, 3, 2],
                         "label": ["25%", "75%", "60%", "40%"]})
    chart = section.levels_chart(rows, list(names.values()), words.levels[0].rank, "en")
    chart.to_dict(validate=True)
    assert chart_export.spec(chart)["encoding"]["y"]["sort"] == ["B", "A"], \
        "the area with the most schools at the lowest level first"
    heat = pd.DataFrame({"area": ["A", "B"], "standard": [words.standards[0].name("en")] * 2,
                         "value": [80.0, 20.0], "label": ["80%", "20%"], "schools": [5, 5]})
    section.heat_map(heat, [s.name("en") for s in words.standards], "en").to_dict(validate=True)
