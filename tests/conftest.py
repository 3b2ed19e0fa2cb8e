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
