"""Censuses as ministries hold them: without teachers, locality, ownership or ages, with
learners in no grade, with one year. Each shape builds, and what it cannot support is
switched off with the reason, never computed from a stand-in or shown as 0.

Every package is the tiny hand-made one (tests/fixtures/tiny_package.py) with one thing
taken away or added; the expected values are worked out from its tables by hand.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pandas as pd
import pytest

from lib import data_quality as dq
from lib.build import build_extract
from lib.db import connect, extract_info, problems
from lib.indicators import IndicatorError, compute, context, preferred_indicator, registry_for
from tests.fixtures.tiny_package import (SCHOOL_DISTRICT, as_area_totals, errors_with_appended,
                                        write_tiny_package)


def _rewrite(path: Path, drop: tuple[str, ...] = (), change=None) -> None:
    """Rewrite a CSV of the package without the columns ``drop``; ``change(row)`` may edit
    each row (a dict) in place."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    columns = [c for c in rows[0] if c not in drop]
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if change:
            change(row)
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``built(edit)``: a connection to the tiny package changed by ``edit(folder)``, built
    once per module."""
    connections = {}

    def build(edit):
        if edit not in connections:
            package = write_tiny_package(tmp_path_factory.mktemp(edit.__name__) / "package")
            edit(package)
            db = package.parent / "emis.duckdb"
            build_extract(package, db)
            connections[edit] = connect(db)
        return connections[edit]

    yield build
    for con in connections.values():
        con.close()


def _national(con, indicator: str, year: int, by: str | None = None) -> pd.DataFrame:
    return compute(con, indicator, "national", year, by=by)


def _total(con, indicator: str, year: int) -> float:
    frame = _national(con, indicator, year)
    return float(frame.loc[frame["group"] == "T", "value"].iloc[0])


# --------------------------------------------------------------------------- no teachers


def _without_teachers(package: Path) -> None:
    (package / "teachers.csv").unlink()


def test_a_census_without_teachers_builds_and_says_what_it_lacks(built):
    con = built(_without_teachers)
    registry = registry_for(con)
    for family in ("teachers", "ptr", "pqtr", "qualified_teachers", "trained_teachers"):
        assert f"{family}_primary" not in registry
        assert "teachers table" in str(registry.switched_off[f"{family}_primary"])
    with pytest.raises(IndicatorError, match="switched off: it needs the teachers table"):
        compute(con, "ptr_primary", "national", 2022)
    # Pupils still count: S1 42, S2 67, S3 11 pupils in 2022 (all grades).
    assert extract_info(con).pupils_by_year == {2022: 120, 2023: 122}
    kinds = set(problems(con)["kind"])
    assert "ptr_implausible" not in kinds  # no "0 teachers" warning for every school
    assert "missing_optional_table" in kinds
    # A school's teachers are unknown, not 0.
    assert con.execute("SELECT count(*) FROM school_totals WHERE teachers IS NOT NULL"
                       ).fetchone() == (0,)
    # The page opens on what the extract has: GER, not the missing PTR.
    options = [i.id for i in registry.for_level("primary")]
    assert preferred_indicator(options, "primary") == "ger_primary"


# --------------------------------------------------------------------------- no locality, ownership, coordinates, ages


def _strip_school_and_age_columns(package: Path) -> None:
    _rewrite(package / "schools.csv", drop=("locality", "ownership", "latitude", "longitude"))
    _rewrite(package / "enrolment.csv", drop=("age",),
             change=lambda row: row.update(age=""))


def test_splits_without_their_column_are_refused_with_the_reason(built):
    con = built(_strip_school_and_age_columns)
    registry = registry_for(con)
    assert "needs values in schools.locality" in str(registry.splits_off["locality"])
    assert "needs values in schools.ownership" in str(registry.splits_off["ownership"])
    assert registry.get("ptr_primary").splits == ("priority",)
    with pytest.raises(IndicatorError, match="cannot be split by locality: it needs values "
                                             "in schools.locality"):
        compute(con, "ptr_primary", "province", 2022, by="locality")
    warned = problems(con)
    missing = warned[warned["kind"] == "missing_optional_column"]
    assert set(missing["column"]) == {"locality", "ownership", "age", "latitude", "longitude"}
    # No coordinates at all: said once per column, not once per school, and no layer.
    assert "no_coordinates" not in set(warned["kind"])
    assert not context(con).has_values("schools", "latitude")
    assert context(con).has_values("schools")


def test_rates_of_single_ages_are_switched_off_without_ages(built):
    con = built(_strip_school_and_age_columns)
    registry = registry_for(con)
    for indicator in ("ner_primary", "aner_primary", "nir_g1", "oosr_primary"):
        assert indicator not in registry
        assert "needs values in enrolment.age" in str(registry.switched_off[indicator])
    # GER needs no age: grades 1-2 in 2022 = S1 42 + S2 53 + S3 11 pupils (S2's grade 3 is
    # lower secondary) over ages 6-7, 2 sexes x 3 districts x (16 + 17) = 198 children.
    assert _total(con, "ger_primary", 2022) == pytest.approx(100 * 106 / 198)


def _blank_2023_ages(package: Path) -> None:
    _rewrite(package / "enrolment.csv",
             change=lambda row: row.update(age="") if row["year"] == "2023" else None)


def test_a_rate_without_any_known_age_is_no_data_not_zero(built):
    con = built(_blank_2023_ages)
    # 2022: of grades 1-2, ages 6-7: S1 10+12+9, S2 20+15 (one row has no age), S3 5+6 = 77
    # pupils over 198 children.
    assert _total(con, "ner_primary", 2022) == pytest.approx(100 * 77 / 198)
    assert math.isnan(_total(con, "ner_primary", 2023))
    assert math.isnan(_total(con, "oosr_primary", 2023))


# --------------------------------------------------------------------------- learners in no grade


def _add_ungraded(package: Path) -> None:
    with (package / "enrolment.csv").open("a", encoding="utf-8") as f:
        f.write("2022,S1,ungraded,F,,3,\n2022,S2,Ungraded,M,9,4,\n")


def test_ungraded_learners_count_in_totals_and_in_no_grade(built):
    con = built(_add_ungraded)
    registry = registry_for(con)
    assert _total(con, "enrolment_ungraded", 2022) == 7
    assert math.isnan(_total(con, "enrolment_ungraded", 2023)) or \
        _total(con, "enrolment_ungraded", 2023) == 0
    assert _total(con, "enrolment_primary", 2022) == 106  # as without them
    assert extract_info(con).pupils_by_year[2022] == 127  # 120 + 7
    assert "enrolment_ungraded" in registry and registry.get("enrolment_ungraded").is_count


def test_a_grade_that_is_neither_a_grade_nor_ungraded_is_an_error(tmp_path):
    problems = errors_with_appended(tmp_path, "enrolment.csv", "2022,S1,special,F,,3,\n")
    messages = [str(p) for p in problems]
    assert any("enrolment.csv row 22 column grade" in m and "'special'" in m
               and "'ungraded'" in m for m in messages), messages


# --------------------------------------------------------------------------- one year


def test_flows_need_two_consecutive_years(built):
    def keep_2023(package: Path) -> None:
        for name in ("enrolment.csv", "teachers.csv", "population.csv"):
            path = package / name
            lines = path.read_text(encoding="utf-8").splitlines()
            path.write_text("\n".join([lines[0]] + [r for r in lines[1:]
                                                    if r.startswith("2023")]) + "\n",
                            encoding="utf-8")

    registry = registry_for(built(keep_2023))
    assert "repetition_g1" not in registry
    assert "no two consecutive school years" in str(registry.switched_off["repetition_g1"])
    assert "gir_g1" in registry  # intake needs one year


# --------------------------------------------------------------------------- grouped warnings


def test_a_check_that_fires_many_times_is_one_line_with_its_count_and_examples():
    frame = pd.DataFrame({
        "kind": ["no_coordinates"] * 5 + ["enrolment_jump"],
        "message": [f"school S{i} has no coordinates" for i in range(5)] + ["jump at S9"]})
    summary = dq.by_check(frame, str.upper)
    assert list(summary["kind"]) == ["no_coordinates", "enrolment_jump"]
    assert list(summary["n"]) == [5, 1]
    assert summary["examples"].iloc[0] == ("school S0 has no coordinates\n"
                                           "school S1 has no coordinates\n"
                                           "school S2 has no coordinates\n… (+2)")
    assert summary["check"].iloc[1] == "ENROLMENT_JUMP"


# --------------------------------------------------------------------------- population in age groups


def _population_by_groups(groups: tuple[str, ...] = ("0-4", "5-9", "10-14", "15-19", "20-24"),
                          ) -> str:
    """The tiny package's children by five-year group: 10 + age at each single age, so a
    group of ages a..a+4 holds 5 x 10 + 5a + 10 (Sprague gives a straight line back)."""
    rows = ["year,district_code,sex,age_group,population"]
    for year in (2022, 2023):
        for district in ("0101", "0102", "0201"):
            for sex in "FM":
                for group in groups:
                    lower = int(group.split("-")[0])
                    rows.append(f"{year},{district},{sex},{group},{60 + 5 * lower}")
    return "\n".join(rows) + "\n"


def test_population_in_age_groups_is_split_into_single_ages(built):
    def grouped(package: Path) -> None:
        (package / "population.csv").write_text(_population_by_groups(), encoding="utf-8")

    con = built(grouped)
    ages = dict(con.execute("SELECT age, population FROM population WHERE year = 2022 AND "
                            "district_code = '0101' AND sex = 'F' ORDER BY age").fetchall())
    assert sorted(ages) == list(range(25))
    assert all(ages[a] == pytest.approx(10 + a) for a in ages)
    # The same rates as from single ages: 106 pupils of grades 1-2 over 198 children 6-7.
    assert _total(con, "ger_primary", 2022) == pytest.approx(100 * 106 / 198)
    warned = problems(con)
    note = warned[warned["kind"] == "population_age_groups"]["message"].iloc[0]
    assert "12 series" in note and "Sprague multipliers" in note


def test_age_groups_that_cannot_be_read_or_leave_a_gap_are_errors(tmp_path):
    from lib.problems import PackageError

    package = write_tiny_package(tmp_path / "package")
    text = _population_by_groups(("0-4", "5-9", "15-19"))
    (package / "population.csv").write_text(text + "2022,0101,F,five to nine,3\n",
                                            encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    messages = [str(p) for p in caught.value.problems]
    assert any("population.csv row 38 column age_group" in m and "'five to nine'" in m
               for m in messages), messages
    (package / "population.csv").write_text(text, encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    messages = [str(p) for p in caught.value.problems]
    assert any("no age group covers ages 10-14" in m and "0101" in m for m in messages), \
        messages


# --------------------------------------------------------------------------- area totals (no school register)

def test_a_package_of_area_totals_gives_every_area_indicator(built):
    con = built(as_area_totals)
    # The same as from the schools: grades 1-2 in 2022 = 106 pupils over 198 children ...
    assert _total(con, "ger_primary", 2022) == pytest.approx(100 * 106 / 198)
    # ... and 6 primary teachers (S1 2, S2 3, S3 1); Alpha (0101) has 42 pupils, 2 teachers.
    assert _total(con, "ptr_primary", 2022) == pytest.approx(106 / 6)
    by_district = compute(con, "ptr_primary", "district", 2022)
    assert by_district.set_index("unit_code")["value"]["0101"] == pytest.approx(21.0)
    registry = registry_for(con)
    assert "schools table" in str(registry.switched_off["schools_primary"])
    assert "school" not in registry.get("ger_primary").admin_levels
    with pytest.raises(IndicatorError, match="not at school level"):
        compute(con, "ptr_primary", "school", 2022)
    info = extract_info(con)
    assert info.n_schools is None and info.schools_by_year == {}
    assert info.pupils_by_year == {2022: 120, 2023: 122}


def test_area_totals_that_name_schools_need_the_schools_table(tmp_path):
    from lib.problems import PackageError

    package = write_tiny_package(tmp_path / "package")
    (package / "schools.csv").unlink()
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("ERROR: enrolment.csv column school_id: the enrolment table "
                            "names schools (school_id), and the package has no schools table")
               for m in messages), messages


# --------------------------------------------------------------------------- defaults with data


def _population_of_2022_only(package: Path) -> None:
    path = package / "population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("2023")) + "\n",
                    encoding="utf-8")


def test_a_page_opens_on_an_indicator_with_data_in_its_year(built):
    con = built(_population_of_2022_only)
    ctx = context(con)
    options = [i.id for i in ctx.registry.for_level("primary")]

    def with_data(year):
        return lambda indicator_id: ctx.has_data(ctx.registry.get(indicator_id), year)

    assert preferred_indicator(options, "primary", has_data=with_data(2022)) == "ger_primary"
    # No population in 2023: the page opens on the pupil-teacher ratio, not an empty GER.
    assert preferred_indicator(options, "primary", has_data=with_data(2023)) == "ptr_primary"
    # Flows need the next year: 2023 is the last.
    assert not ctx.has_data(ctx.registry.get("repetition_g1"), 2023)
    assert ctx.has_data(ctx.registry.get("repetition_g1"), 2022)


def test_a_wide_population_by_age_group_builds_through_the_mapping(built):
    def wide_population(package: Path) -> None:
        groups = ("0-4", "5-9", "10-14", "15-19", "20-24")
        header = ["year", "district"] + [f"P_{g}_{s}" for g in groups for s in "FM"]
        rows = [",".join(header)]
        for year in (2022, 2023):
            for district in ("0101", "0102", "0201"):
                cells = [str(60 + 5 * int(g.split("-")[0])) for g in groups for _ in "FM"]
                rows.append(",".join([str(year), district, *cells]))
        (package / "population.csv").unlink()
        (package / "population_wide.csv").write_text("\n".join(rows) + "\n",
                                                     encoding="utf-8")
        (package / "mapping.toml").write_text(
            '[[wide]]\nfile = "population_wide.csv"\ntable = "population"\n'
            '[wide.columns]\nyear = "year"\ndistrict_code = "district"\n'
            '[[wide.measures]]\npattern = "P_{age_group}_{sex}"\nvalue = "population"\n',
            encoding="utf-8")

    con = built(wide_population)
    # The same children as the single ages of the tiny package: 198 aged 6-7 in 2022.
    assert _total(con, "ger_primary", 2022) == pytest.approx(100 * 106 / 198)


# --------------------------------------------------------------------------- rows of one kind


def test_a_template_filled_as_area_totals_builds(built):
    """The template writes school_id and district_code and a schools table: a yearbook
    fills only district_code and leaves the schools table empty."""
    def filled_by_district(package: Path) -> None:
        as_area_totals(package)
        for name in ("enrolment.csv", "teachers.csv"):
            _rewrite(package / name, change=lambda row: row.update(school_id=""))
            frame = pd.read_csv(package / name, dtype=str, keep_default_na=False)
            frame.insert(1, "school_id", "")
            frame.to_csv(package / name, index=False)
        (package / "schools.csv").write_text("school_id,name_en,district_code,levels\n",
                                             encoding="utf-8")

    con = built(filled_by_district)
    assert _total(con, "ptr_primary", 2022) == pytest.approx(106 / 6)
    assert extract_info(con).n_schools is None


def test_a_district_beside_the_school_never_splits_its_rows(tmp_path):
    """With a register, the schools say where they are: a district_code column in the
    enrolment is left out, so two rows of one school differing only by it are duplicates
    (else that school's pupils would count twice)."""
    from lib.problems import PackageError

    package = write_tiny_package(tmp_path / "package")
    frame = pd.read_csv(package / "enrolment.csv", dtype=str, keep_default_na=False)
    frame["district_code"] = frame["school_id"].map(SCHOOL_DISTRICT)
    twice = frame.iloc[[0]].assign(district_code="")
    pd.concat([frame, twice]).to_csv(package / "enrolment.csv", index=False)
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    assert [str(p) for p in caught.value.problems] == [
        "ERROR: enrolment.csv row 22 column year, school_id, grade, sex, age: the same year, "
        "school_id, grade, sex, age as row 2"]


def test_enrolment_naming_neither_schools_nor_areas_is_an_error_not_a_crash(tmp_path):
    from lib.problems import PackageError

    package = write_tiny_package(tmp_path / "package")
    path = package / "enrolment.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("school_id", "school_code", 1),
                    encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    assert "the required column 'school_id' is missing" in str(caught.value)


def test_one_series_by_age_group_leaves_the_single_ages_as_they_are(built):
    def one_grouped_series(package: Path) -> None:
        path = package / "population.csv"
        rows = path.read_text(encoding="utf-8").splitlines()
        header = rows[0].replace(",age,", ",age,age_group,")
        kept = [r.replace(f",{r.split(',')[3]},", f",{r.split(',')[3]},,", 1) for r in rows[1:]
                if not (r.startswith("2022,0101,F,"))]
        grouped = [f"2022,0101,F,,{g},{60 + 5 * int(g.split('-')[0])}"
                   for g in ("0-4", "5-9", "10-14", "15-19", "20-24")]
        path.write_text("\n".join([header, *kept, *grouped]) + "\n", encoding="utf-8")

    con = built(one_grouped_series)
    ages = dict(con.execute("SELECT age, population FROM population WHERE year = 2022 AND "
                            "district_code = '0102' AND sex = 'M' ORDER BY age").fetchall())
    assert ages == {a: 10 + a for a in range(5, 10)}  # single ages, untouched
    assert _total(con, "ger_primary", 2022) == pytest.approx(100 * 106 / 198)
