"""Page tests compare what a page shows with the catalogue's texts (``t(...)``): they name
the admin levels as the app does for the demo (``demo_country_words``, tests/conftest.py)."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _demo_country_words(demo_country_words):
    yield
