"""Page tests compare what a page shows with the catalogue's texts (``t(...)``): they name
the admin levels as the app does for the demo (``demo_country_words``, tests/conftest.py)."""
from __future__ import annotations

import pytest

from lib import db


@pytest.fixture
def con(demo_extract, monkeypatch):
    """A connection to the demo extract, which the pages read (``EMIS_DB``)."""
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    connection = db.connect_current(demo_extract)
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def _demo_country_words(demo_country_words):
    yield
