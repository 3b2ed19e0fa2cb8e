"""Inclusive data: the package's own dimensions (ethnicity, home language…) as splits and
shares, the population by group (representation), the Child Functioning Module and the
checks of all three, on the hand-made package of tests/fixtures/inclusive_package.py whose
docstring works out every value asserted here."""
from __future__ import annotations

import math

import duckdb
import pytest
from pytest import approx

from lib.build import build_extract
from lib.indicators import IndicatorError, compute
from lib.indicators.context import context
from lib.problems import PackageError
from tests.fixtures.inclusive_package import ENROLMENT_GROUPS, FUNCTIONING, write_inclusive_package

ETHNIC_GROUPS = ("lao_tai", "mon_khmer", "hmong_mien")


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inclusive")
    build_extract(write_inclusive_package(folder / "package"), folder / "x.duckdb")
    return folder / "x.duckdb"


@pytest.fixture
def con(extract):
    connection = duckdb.connect(str(extract), read_only=True)
    yield connection
    connection.close()


def value(frame, unit=None, group="T"):
    rows = frame[frame["group"] == group]
    if unit is not None:
        rows = rows[rows["unit_code"] == unit]
    assert len(rows) == 1, (unit, group)
    return rows.iloc[0]


def flags(row) -> set[str]:
    return set(filter(None, row["flags"].split(";")))


# --------------------------------------------------------------------------- dimensions


def test_each_dimension_of_the_data_is_a_split_with_its_groups_in_order(con):
    registry = context(con).registry
    assert registry.dimensions == ("ethnicity", "home_language")  # named first, then the rest
    assert registry.split("ethnicity").groups == ETHNIC_GROUPS  # group_names' order
    assert registry.split("home_language").groups == ("lao", "hmong")  # largest first
    assert "ethnicity" in registry.get("enrolment_primary").splits
    assert "home_language" in registry.get("female_share_primary").splits
    # GER divides by the population: by the dimensions the population is given by only.
    ger = registry.get("ger_primary")
    assert "ethnicity" in ger.splits and "home_language" not in ger.splits
    assert "ethnicity" not in registry.get("ptr_primary").splits  # teachers have no group


def test_shares_of_the_groups_add_up_to_100_in_every_area(con):
    expected = {"lao_tai": 66 / 109, "mon_khmer": 26 / 109, "hmong_mien": 17 / 109}
    for group, share in expected.items():
        national = compute(con, f"group_share_ethnicity_{group}_primary", "national", 2023)
        assert value(national)["value"] == approx(100 * share)
        assert value(national)["denominator"] == 109 and flags(value(national)) == set()
    for level in ("province", "district", "school"):
        shares = [compute(con, f"group_share_ethnicity_{g}_primary", level, 2023)
                  for g in ETHNIC_GROUPS]
        totals = sum(frame.set_index("unit_code")["value"] for frame in shares)
        assert totals.to_numpy() == approx(100.0), level
    district = compute(con, "group_share_ethnicity_hmong_mien_primary", "district", 2023)
    assert value(district, "0101")["value"] == approx(100 * 6 / 42)
    assert value(district, "0102")["value"] == 0.0  # reported, and none: a real 0
    assert value(district, "0201")["value"] == 100.0


def test_a_dimension_only_some_schools_report_is_flagged_never_read_as_zero(con):
    national = value(compute(con, "group_share_home_language_lao_primary", "national", 2023))
    assert national["value"] == approx(100 * 38 / 42) and national["denominator"] == 42
    assert "groups_mismatch" in flags(national)  # 42 of 109 pupils have a language given
    district = compute(con, "group_share_home_language_lao_primary", "district", 2023)
    assert flags(value(district, "0101")) == set()  # S1 reports all its pupils
    assert math.isnan(value(district, "0102")["value"])  # S2 does not report: no value
    counts = compute(con, "enrolment_primary", "province", 2023, by="home_language")
    north, south = (value(counts, "01", g) for g in ("T", "lao")), value(counts, "02", "lao")
    assert [r["value"] for r in north] == [42, 38]
    assert all("groups_mismatch" in flags(r) for r in north)  # 42 of North's 98 pupils
    assert math.isnan(south["value"])  # South's one school does not report it


def test_counts_and_girls_share_by_a_dimension(con):
    counts = compute(con, "enrolment_primary", "province", 2023, by="ethnicity")
    assert [value(counts, "01", g)["value"] for g in ("T", *ETHNIC_GROUPS)] == [98, 66, 26, 6]
    assert [value(counts, "02", g)["value"] for g in ("T", *ETHNIC_GROUPS)] == [11, 0, 0, 11]
    assert "parity" not in set(counts["group"])  # a dimension has no parity index
    girls = compute(con, "female_share_primary", "national", 2023, by="ethnicity")
    assert value(girls, group="lao_tai")["value"] == approx(100 * 27 / 66)
    assert value(girls, group="mon_khmer")["value"] == 100.0
    assert value(girls, group="hmong_mien")["value"] == approx(100 * 10 / 17)
    assert value(girls)["value"] == approx(100 * 63 / 109)  # the total as without a split
    ger = compute(con, "ger_primary", "national", 2023, by="ethnicity")
    assert value(ger, group="hmong_mien")["value"] == approx(100 * 17 / 68)


def test_representation_index(con):
    district = compute(con, "representation_ethnicity_hmong_mien_primary", "district", 2023)
    alpha = value(district, "0101")
    assert alpha["numerator"] == approx(100 * 6 / 42) and alpha["denominator"] == 20.0
    assert alpha["value"] == approx((6 / 42) / 0.2)
    national = value(compute(con, "representation_ethnicity_hmong_mien_primary", "national",
                             2023))
    assert national["value"] == approx((17 / 109) / (68 / 248))
    by_sex = compute(con, "representation_ethnicity_lao_tai_primary", "national", 2023,
                     by="sex")
    # Girls: 27 of 63 Lao-Tai pupils; children: 70 of 124 girls aged 6–7 are Lao-Tai.
    assert value(by_sex, group="F")["value"] == approx((27 / 63) / (70 / 124))


def test_group_names_come_from_the_package_in_each_language(con):
    registry = context(con).registry
    share = registry.get("group_share_ethnicity_hmong_mien_primary")
    assert share.name("en") == "Hmong-Mien among pupils (ethnicity), Primary"
    assert "ມົ້ງ-ອິວມ້ຽນ" in share.name("lo") and "ຊົນເຜົ່າ" in share.name("lo")
    lao = registry.get("group_share_home_language_lao_primary")
    assert lao.name("en") == "Lao among pupils (home language), Primary"  # no names: ids


def test_an_unseen_dimension_is_a_split_without_code(tmp_path):
    refugees = ENROLMENT_GROUPS + "".join(
        f"2023,S{school},1,{sex},refugee_status,{group},{n}\n"
        for school, sex, group, n in ((1, "F", "refugee", 3), (1, "F", "host", 8),
                                      (1, "M", "host", 12), (2, "F", "host", 21),
                                      (2, "M", "refugee", 1), (2, "M", "host", 18),
                                      (3, "F", "host", 6)))
    package = write_inclusive_package(tmp_path / "package",
                                      **{"enrolment_groups.csv": refugees})
    build_extract(package, tmp_path / "x.duckdb")
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        registry = context(con).registry
        assert "refugee_status" in registry.dimensions
        assert "refugee_status" in registry.get("enrolment_primary").splits
        grade1 = compute(con, "enrolment_primary", "national", 2023, by="refugee_status")
        assert value(grade1, group="refugee")["value"] == 4
        share = compute(con, "group_share_refugee_status_refugee_primary", "district", 2023)
        assert value(share, "0101")["value"] == approx(100 * 3 / 23)
        assert "groups_mismatch" in flags(value(share, "0101"))  # grade 2 not reported
        assert registry.get("group_share_refugee_status_refugee_primary").name() == \
            "Refugee among pupils (refugee status), Primary"


# --------------------------------------------------------------------------- functioning


def test_functional_difficulty_counts_each_pupil_once(con):
    total = value(compute(con, "functional_difficulty_primary", "national", 2023))
    assert (total["numerator"], total["denominator"]) == (4, 98)  # S3 does not report
    assert total["value"] == approx(100 * 4 / 98)
    assert "incomplete_reporting" in flags(total)  # 98 of 109 pupils
    by_sex = compute(con, "functional_difficulty_primary", "national", 2023, by="sex")
    assert value(by_sex, group="F")["value"] == approx(100 * 2 / 57)
    assert value(by_sex, group="M")["value"] == approx(100 * 2 / 41)
    by_domain = compute(con, "functional_difficulty_primary", "national", 2023, by="domain")
    assert value(by_domain)["numerator"] == 4  # not the 5 domains added up
    for domain in ("seeing", "learning", "concentrating", "anxiety", "walking"):
        row = value(by_domain, group=domain)
        assert (row["numerator"], row["denominator"]) == (1, 98), domain
    assert value(by_domain, group="hearing")["value"] == 0.0  # 'some difficulty' only
    assert math.isnan(value(compute(con, "functional_difficulty_primary", "district", 2023),
                            "0201")["value"])  # no school there reports it


def test_schools_enrolling_pupils_with_a_difficulty(con):
    row = value(compute(con, "schools_with_difficulty", "national", 2023))
    assert (row["numerator"], row["denominator"], row["value"]) == (2, 2, 100.0)
    assert "incomplete_reporting" in flags(row)  # 2 of 3 reporting schools


def test_the_domain_split_is_only_for_functioning(con):
    with pytest.raises(IndicatorError, match="cannot be split by domain"):
        compute(con, "enrolment_primary", "national", 2023, by="domain")


# --------------------------------------------------------------------------- checks


def _errors(tmp_path, **replaced) -> list:
    package = write_inclusive_package(tmp_path / "package", **replaced)
    with pytest.raises(PackageError) as caught:
        build_extract(package, tmp_path / "x.duckdb")
    assert not (tmp_path / "x.duckdb").exists()  # no half-written extract
    return caught.value.problems


@pytest.mark.parametrize("dimension, says", [
    ("sex", "'sex' is a name the explorer uses itself"),
    ("Ethnic group", "'Ethnic group' is not an id"),
])
def test_a_dimension_id_that_cannot_be_a_split_is_refused(tmp_path, dimension, says):
    errors = _errors(tmp_path, **{"enrolment_groups.csv": ENROLMENT_GROUPS.replace(
        "2023,S3,1,F,ethnicity", f"2023,S3,1,F,{dimension}")})
    found = [p for p in errors if says in p.message]
    assert found and (found[0].file, found[0].column, found[0].row) == (
        "enrolment_groups.csv", "dimension", 13)


def test_functioning_answers_and_the_any_rows_are_checked(tmp_path):
    errors = _errors(tmp_path / "a", **{"functioning.csv": FUNCTIONING.replace(
        "anxiety,daily", "anxiety,a_lot")})
    assert any("anxiety is answered by how often" in p.message and p.row == 6
               for p in errors)
    no_any = "\n".join(line for line in FUNCTIONING.splitlines() if ",any," not in line)
    errors = _errors(tmp_path / "b", **{"functioning.csv": no_any + "\n"})
    assert any("no row has the domain 'any'" in p.message for p in errors)


def test_groups_that_do_not_add_up_and_impossible_functioning_are_warned(tmp_path):
    twice = ENROLMENT_GROUPS + "2023,S3,1,F,ethnicity,mon_khmer,6\n"  # S3's girls again
    above = FUNCTIONING + "2023,S2,2,F,seeing,cannot,40\n2023,S2,2,F,any,cannot,40\n"
    package = write_inclusive_package(tmp_path / "package", **{
        "enrolment_groups.csv": twice, "functioning.csv": above})
    build_extract(package, tmp_path / "x.duckdb")
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        problems = con.execute("SELECT kind, message FROM problems").df()
    messages = dict(zip(problems["kind"], problems["message"]))
    assert messages["groups_mismatch"] == (
        "school S3: its ethnicity groups count 17 pupils in 2023–24, its enrolment 11 in the "
        "same grades: a group counted twice, or pupils left out")
    assert "home_language is reported by 1 of the 3 reporting schools in 2023–24" in \
        messages["groups_partial"]
    assert messages["functioning_implausible"] == (
        "school S2: the functioning of 40 pupils is reported in 2023–24, for 16 pupils "
        "enrolled in the same grades")


def test_pupils_by_group_from_a_wide_spreadsheet(tmp_path):
    """A census that keeps a column per group and sex (ETH_lao_tai_F …) gives, through
    mapping.toml, the same pupils by group as the long table."""
    package = write_inclusive_package(tmp_path / "package")
    (package / "enrolment_groups.csv").unlink()
    (package / "ethnicity_2023.csv").write_text(
        "SCHOOL,GRADE,ETH_lao_tai_F,ETH_lao_tai_M,ETH_hmong_mien_F,ETH_hmong_mien_M,"
        "ETH_mon_khmer_F,ETH_mon_khmer_M\n"
        "S1,1,11,10,,2,,\nS1,2,5,10,4,,,\nS2,1,11,19,,,10,\nS2,2,,,,,16,\nS2,3,,13,,,,\n"
        "S3,1,,,6,,,\nS3,2,,,,5,,\n", encoding="utf-8")
    (package / "mapping.toml").write_text(
        '[[wide]]\nfile = "ethnicity_2023.csv"\ntable = "enrolment_groups"\n\n'
        '[wide.columns]\nschool_id = "SCHOOL"\ngrade = "GRADE"\n\n'
        '[wide.values]\nyear = 2023\ndimension = "ethnicity"\n\n'
        '[[wide.measures]]\npattern = "ETH_{group}_{sex}"\nvalue = "enrolled"\n',
        encoding="utf-8")
    build_extract(package, tmp_path / "x.duckdb")
    with duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True) as con:
        assert context(con).registry.dimensions == ("ethnicity",)
        for group, pupils in (("lao_tai", 66), ("mon_khmer", 26), ("hmong_mien", 17)):
            row = value(compute(con, f"group_share_ethnicity_{group}_primary", "national",
                                2023))
            assert (row["numerator"], row["denominator"]) == (pupils, 109), group
