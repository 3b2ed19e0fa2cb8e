"""Shared fixtures: a small demo extract built through the real command line."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_GEO = REPO.parent / "shared" / "geo"


def shared_geo_or_skip() -> Path:
    """The real Lao boundaries beside the project, or skip the test saying why."""
    if not (SHARED_GEO / "geoBoundaries-LAO-ADM2.geojson").is_file():
        pytest.skip(f"real boundaries not found at {SHARED_GEO} (../shared/geo)")
    return SHARED_GEO


@pytest.fixture(scope="session")
def demo_package(tmp_path_factory) -> Path:
    """A small synthetic package (real boundaries when they are beside the project)."""
    from lib.cli import main

    out = tmp_path_factory.mktemp("demo") / "package"
    args = ["demo", "--out", str(out), "--scale", "0.1", "--years", "2021-2023"]
    if SHARED_GEO.is_dir():
        args += ["--boundaries", str(SHARED_GEO)]
    assert main(args) == 0
    return out


@pytest.fixture(scope="session")
def demo_extract(demo_package, tmp_path_factory) -> Path:
    """The extract built from ``demo_package``."""
    from lib.cli import main

    db = tmp_path_factory.mktemp("extract") / "emis.duckdb"
    assert main(["build", "--source", str(demo_package), "--db", str(db)]) == 0
    return db


@pytest.fixture(scope="session")
def demo_con(demo_extract):
    """A connection to ``demo_extract``, shared by the tests that read it."""
    from lib import db

    connection = db.connect_current(demo_extract)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def indicator_con(tmp_path_factory):
    """A connection to the extract of the hand-made indicator package
    (tests/fixtures/indicator_package.py), shared by the tests that only read it."""
    from lib.build import build_extract
    from lib.db import connect
    from tests.fixtures.indicator_package import write_indicator_package

    package = write_indicator_package(tmp_path_factory.mktemp("indicators") / "package")
    build_extract(package, package.parent / "emis.duckdb")
    connection = connect(package.parent / "emis.duckdb")
    yield connection
    connection.close()


# Names a hostile (or careless) package may hold: spreadsheet formulas, links, markup.
HOSTILE_TEXTS = ("=1+1", '=HYPERLINK("http://evil.example/x","click")', "=cmd|' /C calc'!A0",
                 "+1+1 Sisattanak", "-1+1 Chanthabouly", "@SUM(A1:A9) Xaythany",
                 "\t=2+2 Hadxaifong", "Visit http://evil.example/x now",
                 "www.evil.example school", "boss@evil.example school",
                 "<img src=x onerror=alert(1)>")


@pytest.fixture(scope="session")
def hostile_names(demo_package, tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """An extract of the demo whose names are :data:`HOSTILE_TEXTS`: provinces (matched to
    their polygons by ISO code), districts (matched by the real name, kept as an alternative
    name) and schools, in English and in the local language. Returns the extract and the
    renamed codes: ``{"province": [...], "district": [...], "school": [...]}``. The
    package's attribution holds links too."""
    import re
    import shutil

    import pandas as pd

    from lib.cli import main

    package = tmp_path_factory.mktemp("hostile_names") / "package"
    shutil.copytree(demo_package, package)
    texts = list(HOSTILE_TEXTS)
    units = pd.read_csv(package / "admin_units.csv", dtype=str, keep_default_na=False)
    provinces = units.index[units["level"] == "1"][:4]
    districts = units.index[units["level"] == "2"][:len(texts)]
    units.loc[districts, "alt_names"] = units.loc[districts, "name_en"]
    for rows in (provinces, districts):
        for i, row in enumerate(rows):
            units.loc[row, ["name_en", "name_local"]] = texts[i % len(texts)]
    units.to_csv(package / "admin_units.csv", index=False)
    schools = pd.read_csv(package / "schools.csv", dtype=str, keep_default_na=False)
    renamed = schools.index[schools["latitude"] != ""][:len(texts)]
    for i, row in enumerate(renamed):
        schools.loc[row, ["name_en", "name_local"]] = texts[i]
    schools.to_csv(package / "schools.csv", index=False)
    profile = package / "country.toml"
    profile.write_text(re.sub(r'(?m)^attribution = .*$', 'attribution = "Data: '
                              'http://evil.example/data, www.evil.example, boss@evil.example"',
                              profile.read_text(encoding="utf-8")), encoding="utf-8")
    extract = package.parent / "emis.duckdb"
    assert main(["build", "--source", str(package), "--db", str(extract),
                 "--no-report-frames"]) == 0  # not about reports
    return extract, {"province": units.loc[provinces, "code"].tolist(),
                     "district": units.loc[districts, "code"].tolist(),
                     "school": schools.loc[renamed, "school_id"].tolist()}


def pytest_collection_modifyitems(items) -> None:
    """Under pytest-xdist (``make test``), the browser tests run in one process: they share
    its browser and app servers, and the other process runs the rest (with any browser test
    given a group of its own, as the cluster's, which starts its own servers)."""
    for item in items:
        if "e2e" in item.path.parts and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def demo_words(demo_extract):
    """The demo's names of its admin levels (:func:`lib.country.country_words`)."""
    from lib import db
    from lib.country import country_words

    with db.connect_current(demo_extract) as con:
        return country_words(db.country(con))


@pytest.fixture
def demo_country_words(demo_words):
    """Texts of the catalogue (``t(...)``) name the admin levels as the app does for the demo
    (``app.py`` sets them at the start of each run); page and browser tests use it."""
    from lib.i18n import country_words_in_use

    with country_words_in_use(demo_words):
        yield demo_words

