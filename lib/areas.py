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
    English one (:func:`lib.i18n.name_with_english`), for a list the reader picks from.

    Names that several areas of one level share (Phonthong, Xaysetha) are told apart by
    their parent's name, "Phonthong (Luang Prabang)", and by code if that is not enough."""
    rows = list(zip(units["code"], units["name_en"], units["name_local"]))
    plain = {code: local_name(en, lo, lang) for code, en, lo in rows}
    names = {code: name_with_english(en, lo, lang) for code, en, lo in rows} \
        if with_english else plain
    parent_of = dict(zip(units["code"], units["parent_code"]))
    level_of = dict(zip(units["code"], units["level"]))
    shared = _shared(names, level_of)
    told = {code: _told_apart(names[code], plain.get(parent_of.get(code) or "", code),
                              with_english) for code in shared}
    still = _shared(told, level_of)
    told.update({code: _told_apart(names[code], code, with_english) for code in still})
    return {**names, **told}


def _told_apart(name: str, parent: str, with_english: bool) -> str:
    """"Phonthong (Luang Prabang)"; after a name already followed by its English one,
    "ໂພນທອງ (Phonthong) – ຫຼວງພະບາງ"."""
    return f"{name} – {parent}" if with_english else f"{name} ({parent})"


def _shared(names: dict[str, str], level_of: dict[str, object]) -> set[str]:
    """The codes whose name another area of the same level has."""
    seen: dict[tuple[object, str], list[str]] = {}
    for code, name in names.items():
        seen.setdefault((level_of.get(code), name.casefold()), []).append(code)
    return {code for codes in seen.values() if len(codes) > 1 for code in codes}


def country_name(country: Country, lang: str) -> str:
    """The country's name in ``lang``."""
    return local_name(country.name, country.name_local, lang)
