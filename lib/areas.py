"""Admin areas and the country named in the interface language, one way everywhere.

Plain functions of the extract's ``admin_units`` rows and the country profile:
``ui.extract`` caches :func:`area_names` per extract build and language, and every page
takes its names from there.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from lib.country import Country
from lib.i18n import local_name, name_with_english


def namer(lang: str) -> Callable[[str, str], str]:
    """``name_of(name_en, name_local)``: the name for ``lang`` (:func:`lib.i18n.local_name`),
    for the functions of ``lib`` that name rows themselves."""
    return lambda name_en, name_local: local_name(name_en, name_local, lang)


def area_names(units: pd.DataFrame, lang: str, *,
               with_english: bool = False) -> dict[str, str]:
    """Admin code -> the area's name in ``lang``, for every province and district of
    ``units`` (rows of ``admin_units``); ``with_english``: the local name followed by the
    English one (:func:`lib.i18n.name_with_english`), for a list the reader picks from."""
    name_of = name_with_english if with_english else local_name
    return {code: name_of(en, lo, lang) for code, en, lo
            in zip(units["code"], units["name_en"], units["name_local"])}


def country_name(country: Country, lang: str) -> str:
    """The country's name in ``lang``."""
    return local_name(country.name, country.name_local, lang)
