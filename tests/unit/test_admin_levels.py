"""One to four admin levels: the hand-made packages of tests/fixtures/admin_levels.py built,
and every level computed, filtered, compared and refused as its values say."""
from __future__ import annotations

import io
import math
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pytest import approx

from lib import db
from lib.build import build_extract
from lib.indicators import IndicatorError, compute
from lib.indicators.disparity import disparity
from lib.problems import PackageError
from tests.fixtures.admin_levels import (ADMIN_UNITS, CIRCUIT_OF, write_one_level_package,
                                         write_three_level_package)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tridia(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tridia")
    package = write_three_level_package(folder / "package")
    build_extract(package, folder / "tridia.duckdb")
    return folder / "tridia.duckdb"


@pytest.fixture
def con(tridia):
    connection = duckdb.connect(str(tridia), read_only=True)
    yield connection
    connection.close()


def values(frame, group: str = "T") -> dict[str, float]:
    rows = frame[frame["group"] == group]
    return dict(zip(rows["unit_code"], rows["value"]))


def test_every_level_is_the_sum_of_its_schools(con):
    assert values(compute(con, "enrolment_primary", "circuit", 2023)) == {
        "C111": 42, "C112": 56, "C121": 17, "C211": 11}
    assert values(compute(con, "enrolment_primary", "division", 2023)) == {
        "D11": 98, "D12": 17, "D21": 11}
    assert values(compute(con, "enrolment_primary", "region", 2023)) == {"R1": 115, "R2": 11}
    assert values(compute(con, "enrolment_primary", "national", 2023)) == {"TRI": 126}
    # the pupil-teacher ratio of a division: its pupils over its teachers (2 + 3)
    assert values(compute(con, "ptr_primary", "division", 2023))["D11"] == approx(98 / 5)
    assert values(compute(con, "ptr_primary", "national", 2023))["TRI"] == approx(126 / 7)


def test_population_sums_up_every_level(con):
    # each circuit has 16 + 17 children aged 6 and 7 of each sex: 66; Keel has two circuits
    ger = values(compute(con, "ger_primary", "division", 2023))
    assert ger["D11"] == approx(98 / 132 * 100)
    assert values(compute(con, "ger_primary", "region", 2023))["R1"] == approx(115 / 198 * 100)


def test_an_area_of_any_level_limits_the_units(con):
    assert values(compute(con, "enrolment_primary", "circuit", 2023, area="D11")) == {
        "C111": 42, "C112": 56}
    assert values(compute(con, "enrolment_primary", "circuit", 2023, area="R1")) == {
        "C111": 42, "C112": 56, "C121": 17}
    assert values(compute(con, "enrolment_primary", "division", 2023, area="R1")) == {
        "D11": 98, "D12": 17}
    schools = compute(con, "enrolment_primary", "school", 2023, area="D11")
    assert sorted(values(schools)) == ["S1", "S2"]
    with pytest.raises(IndicatorError, match="area 'C111' is a circuit: at division level"):
        compute(con, "enrolment_primary", "division", 2023, area="C111")
    with pytest.raises(IndicatorError,
                       match="unknown level 'district'; levels are national, region, "
                             "division, circuit, school"):
        compute(con, "enrolment_primary", "district", 2023)


def test_disparity_splits_theil_between_the_areas_one_level_up(con):
    found = disparity(con, "ptr_primary", "circuit", 2023)
    assert found.areas == 4
    between, within = found.inequality.theil_between, found.inequality.theil_within
    assert between + within == approx(found.inequality.theil_t)
    assert between > 0 and within > 0  # Keel's two circuits differ, and so do divisions
    top = disparity(con, "ptr_primary", "region", 2023)
    assert top.areas == 2 and top.inequality.theil_between is None


def test_the_build_draws_only_the_levels_with_polygons(con):
    levels = {level for (level,) in con.execute(
        "SELECT DISTINCT level FROM boundaries").fetchall()}
    assert levels == {1, 3}
    info = db.extract_info(con)
    assert info.areas_by_level == (2, 3, 4)
    problems = db.problems(con)
    assert not problems["message"].str.contains("no boundary file holds").any()
    # S4 lies in Delta's square, inside Lark and North: no school is outside its circuit
    assert not problems["kind"].isin(["outside_district"]).any()


def test_the_command_line_takes_the_profiles_level_ids(tridia):
    done = subprocess.run([sys.executable, "-m", "lib", "indicators", "--db", str(tridia),
                           "--indicator", "enrolment_primary", "--level", "division",
                           "--year", "2023"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == ["D11,Keel,2023,T,98,,,", "D12,Lark,2023,T,17,,,",
                                            "D21,Moss,2023,T,11,,,"]
    done = subprocess.run([sys.executable, "-m", "lib", "indicators", "--db", str(tridia),
                           "--indicator", "enrolment_primary", "--level", "province",
                           "--year", "2023"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "levels are national, region, division, circuit, school" in done.stderr


def _errors(package: Path, tmp_path: Path) -> str:
    with pytest.raises(PackageError) as info:
        build_extract(package, tmp_path / "bad.duckdb")
    return str(info.value)


def test_a_parent_of_the_wrong_level_is_refused_by_row(tmp_path):
    package = write_three_level_package(tmp_path / "package")
    units = package / "admin_units.csv"
    units.write_text(units.read_text().replace("C211,3,D21,", "C211,3,R2,"))
    said = _errors(package, tmp_path)
    assert "admin_units.csv row 10 column parent_code: parent_code 'R2' is not the code of " \
           "a division in admin_units" in said


def test_a_level_the_profile_does_not_declare_is_refused(tmp_path):
    package = write_three_level_package(tmp_path / "package")
    units = package / "admin_units.csv"
    units.write_text(units.read_text() + "V1,4,C111,Village,Village\n")
    said = _errors(package, tmp_path)
    assert "admin_units.csv row 11 column level: level '4' is not one of 1, 2, 3" in said


def test_schools_must_name_an_area_of_the_finest_level(tmp_path):
    package = write_three_level_package(tmp_path / "package")
    schools = package / "schools.csv"
    schools.write_text(schools.read_text().replace("S4,Delta school,Delta school,C121",
                                                   "S4,Delta school,Delta school,D12"))
    said = _errors(package, tmp_path)
    assert "schools.csv row 5 column district_code: district_code 'D12' is not the code of " \
           "a circuit in admin_units" in said


def test_a_country_of_one_level(tmp_path):
    package = write_one_level_package(tmp_path / "package")
    build_extract(package, tmp_path / "one.duckdb")
    with duckdb.connect(str(tmp_path / "one.duckdb"), read_only=True) as con:
        assert values(compute(con, "enrolment_primary", "region", 2023)) == {
            "R1": 115, "R2": 11}
        assert values(compute(con, "enrolment_primary", "school", 2023, area="R2")) == {
            "S3": 11}
        ger = values(compute(con, "ger_primary", "region", 2023))
        assert ger["R2"] == approx(11 / 66 * 100)
        assert not math.isnan(values(compute(con, "ptr_primary", "national", 2023))["TRI"])


def test_area_totals_of_the_finest_level_sum_up_every_level(tmp_path):
    """A yearbook of Tridia: enrolment and teachers by circuit, no school register."""
    import pandas as pd

    package = write_three_level_package(tmp_path / "package")
    for name in ("enrolment.csv", "teachers.csv"):
        frame = pd.read_csv(package / name, dtype=str, keep_default_na=False)
        frame.insert(1, "district_code", frame.pop("school_id").map(CIRCUIT_OF))
        frame.to_csv(package / name, index=False)
    (package / "schools.csv").unlink()
    build_extract(package, tmp_path / "totals.duckdb")
    with duckdb.connect(str(tmp_path / "totals.duckdb"), read_only=True) as con:
        assert values(compute(con, "enrolment_primary", "division", 2023)) == {
            "D11": 98, "D12": 17, "D21": 11}
        assert values(compute(con, "ptr_primary", "region", 2023))["R1"] == approx(115 / 6)
        with pytest.raises(IndicatorError, match="not at school level"):
            compute(con, "enrolment_primary", "school", 2023)


def test_only_the_largest_level_with_polygons(tmp_path):
    """Circuits without polygons either: schools are placed in their region, and maps can
    colour regions only."""
    from lib.areas import default_map_level, map_levels
    from lib.country import load_country

    package = write_three_level_package(tmp_path / "package")
    profile = package / "country.toml"
    text = profile.read_text()
    profile.write_text(text[::-1].replace("eurt = snogylop", "eslaf = snogylop", 1)[::-1])
    (package / "boundaries" / "circuits.geojson").unlink()
    country = load_country(package)
    assert country.polygon_levels == (1,)
    assert map_levels(country.polygon_levels, 0) == (1,)
    assert map_levels(country.polygon_levels, 3) == (1,)  # a circuit: its region, outlined
    assert default_map_level(country.polygon_levels, 0) == 1
    build_extract(package, tmp_path / "regions.duckdb")
    with duckdb.connect(str(tmp_path / "regions.duckdb"), read_only=True) as con:
        placed = dict(con.execute("SELECT school_id, located_district FROM schools").fetchall())
        assert placed == {"S1": "R1", "S2": "R1", "S3": "R2", "S4": "R1"}
        assert not con.execute("SELECT count(*) FROM schools WHERE outside_district"
                               ).fetchone()[0]


def test_lines_and_map_levels_are_worked_out_from_the_units():
    import pandas as pd

    from lib.areas import ancestors, default_map_level, lineage, map_levels

    units = pd.read_csv(io.StringIO(ADMIN_UNITS), dtype=str,
                        keep_default_na=False)
    units["level"] = units["level"].astype(int)
    lines = ancestors(units)
    assert lines["C121"] == ("R1", "D12", "C121") and lines["R2"] == ("R2",)
    table = lineage(units)
    assert len(table) == 4 * 3  # each circuit, with its division and region
    assert sorted(table.loc[table["code"] == "D11", "district_code"]) == ["C111", "C112"]
    polygons = (1, 3)
    assert [map_levels(polygons, depth) for depth in range(4)] == [(1, 3), (3,), (3,), (3,)]
    assert default_map_level(polygons, 0) == 3 and default_map_level(polygons, 1) == 3
    assert default_map_level((1, 2, 3, 4), 0) == 2 and default_map_level((1, 2, 3, 4), 2) == 3


def test_out_of_school_children_are_counted_at_every_level(con, tmp_path):
    """SDG 4.1.4's children: 16 + 17 children aged 6-7 of each sex in each circuit (66),
    less the pupils of those ages in grade 1 or above."""
    out = values(compute(con, "out_of_school_primary", "circuit", 2023))
    assert out == {"C111": 66 - 42, "C112": 66 - 56, "C121": 66 - 17, "C211": 66 - 11}
    assert values(compute(con, "out_of_school_primary", "division", 2023))["D11"] == 132 - 98
    assert values(compute(con, "out_of_school_primary", "national", 2023)) == {"TRI": 138}
    girls = values(compute(con, "out_of_school_primary", "circuit", 2023, by="sex"), "F")
    assert girls["C111"] == 33 - (11 + 9)
    rate = values(compute(con, "oosr_primary", "circuit", 2023))["C111"]
    assert rate == approx(24 / 66 * 100)  # the count over the population


def test_more_pupils_than_children_count_none_out_of_school_and_say_so(tmp_path):
    package = write_three_level_package(tmp_path / "package")
    population = package / "population.csv"
    lines = population.read_text().splitlines()
    population.write_text("\n".join(
        [lines[0]] + [line.rsplit(",", 1)[0] + ",1" if ",C112," in line else line
                      for line in lines[1:]]) + "\n")
    build_extract(package, tmp_path / "over.duckdb")
    with duckdb.connect(str(tmp_path / "over.duckdb"), read_only=True) as con:
        frame = compute(con, "out_of_school_primary", "circuit", 2023)
        row = frame[(frame["unit_code"] == "C112") & (frame["group"] == "T")].iloc[0]
        assert row["value"] == 0 and "over_100" in row["flags"]
        assert row["denominator"] == 4  # 1 child of each age 6 and 7 and each sex
