"""The pages over census shapes that lack something: a package of area totals (a yearbook:
enrolment and teachers by district, no school register), where every area page works and
the school pages say why they are empty; a register without coordinates."""
from __future__ import annotations

import pytest

from lib.build import build_extract
from lib.country import country_words, load_country
from lib.i18n import country_words_in_use, t
from tests.app.pages import open_page
from tests.fixtures.tiny_package import as_area_totals, write_tiny_package


@pytest.fixture(scope="module")
def area_extract(tmp_path_factory):
    package = write_tiny_package(tmp_path_factory.mktemp("areas") / "package")
    as_area_totals(package)
    db = package.parent / "emis.duckdb"
    build_extract(package, db)
    return db, country_words(load_country(package))


def test_school_pages_say_the_census_has_no_register(area_extract, monkeypatch):
    db, words = area_extract
    monkeypatch.setenv("EMIS_DB", str(db))
    with country_words_in_use(words):  # the texts as the app words them for this package
        _school_pages_say_why_they_are_empty()


def _school_pages_say_why_they_are_empty() -> None:
    schools = open_page("pages/schools.py", school="0101")  # an area code is no school
    assert [i.value for i in schools.info] == [t("schools.no_register")]
    assert not schools.dataframe
    quality = open_page("pages/data-quality.py")
    assert t("data_quality.no_register") in [i.value for i in quality.info]
    overview = open_page("pages/overview.py")
    captions = " ".join(c.value for c in overview.caption)
    assert "Not in this census: it needs the schools table" in captions
    assert "Not in this census" not in captions.replace(
        "Not in this census: it needs the schools table", "")  # teachers, GER, PTR are there


def test_a_register_without_coordinates_places_no_school(tmp_path, monkeypatch):
    import pandas as pd

    package = write_tiny_package(tmp_path / "package")
    schools = pd.read_csv(package / "schools.csv", dtype=str, keep_default_na=False)
    schools.drop(columns=["latitude", "longitude"]).to_csv(package / "schools.csv",
                                                           index=False)
    db = tmp_path / "emis.duckdb"
    build_extract(package, db)
    monkeypatch.setenv("EMIS_DB", str(db))
    with country_words_in_use(country_words(load_country(package))):
        quality = open_page("pages/data-quality.py")
        assert t("data_quality.no_coordinates") in [i.value for i in quality.info]
        labels = [m.label for m in quality.metric]
        assert t("data_quality.location.no_coordinates") not in labels
        the_map = open_page("pages/map.py")
        assert t("map.schools.toggle") not in [w.label for w in the_map.toggle]

