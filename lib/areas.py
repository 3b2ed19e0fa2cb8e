"""Admin areas and the country named in the interface language, one way everywhere.

Plain functions of the extract's ``admin_units`` rows and the country profile:
``ui.extract`` caches :func:`area_names` per extract build and language, and every page
takes its names from there.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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


def ancestors(units: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Admin code -> the codes of the area's line, largest level first and the area itself
    last (``("01", "0101", "010105")``), for every area of ``units`` (rows of
    ``admin_units``: code, level, parent_code). A parent that is missing or loops ends the
    line (validation refuses both)."""
    parent_of = {str(c): (str(p) if isinstance(p, str) and p else "")
                 for c, p in zip(units["code"], units["parent_code"])}
    out: dict[str, tuple[str, ...]] = {}
    for code in parent_of:
        line, up = [code], parent_of[code]
        while up and up in parent_of and up not in line:
            line.append(up)
            up = parent_of[up]
        out[code] = tuple(reversed(line))
    return out


def areas_in(lines: Mapping[str, tuple[str, ...]], level: int,
             within: str | None = None) -> list[str]:
    """The codes of the areas of admin level ``level``, all or those lying in ``within``
    (an area of the same or a larger level), in code order; ``lines``: :func:`ancestors`."""
    depth = len(lines.get(within, ())) if within else 0
    return sorted(code for code, line in lines.items()
                  if len(line) == level and (not within or (depth <= level
                                                            and line[depth - 1] == within)))


def lineage(units: pd.DataFrame) -> pd.DataFrame:
    """One row per area of the finest level and per area it lies in (itself included):
    district_code (the finest area), level, code. What the build stores as
    ``area_lineage``, so that any area is the sum of the finest areas in it."""
    finest = int(units["level"].max()) if len(units) else 0
    level_of = dict(zip(units["code"].astype(str), units["level"].astype(int)))
    rows = [(leaf, level_of.get(code, 0), code)
            for leaf, line in ancestors(units).items() if level_of[leaf] == finest
            for code in line]
    return pd.DataFrame(rows, columns=["district_code", "level", "code"]).astype(
        {"district_code": str, "level": "int32", "code": str})


def map_levels(polygon_levels: Sequence[int], depth: int) -> tuple[int, ...]:
    """The admin levels a map can colour inside an area of level ``depth`` (0: the whole
    country): the levels with polygons below it; for an area of the finest level with
    polygons (or below it), that level alone (the area among its neighbours)."""
    below = tuple(n for n in polygon_levels if n > depth)
    return below or (max(n for n in polygon_levels if n <= depth),)


def default_map_level(polygon_levels: Sequence[int], depth: int) -> int:
    """The level a map opens on: inside an area, the first level below it (its sub-areas);
    for the whole country the second level with polygons, if any (districts rather than
    provinces: where the differences are)."""
    levels = map_levels(polygon_levels, depth)
    return levels[1] if depth == 0 and len(levels) > 1 else levels[0]


def level_word(country: Country, level: str, lang: str, *, plural: bool = False) -> str:
    """What the reader calls the engine level ``level`` (national, an admin level id of the
    profile, school), lower-case mid-sentence: "country", "provinces", "schools"."""
    from lib.country import admin_level_name, admin_level_plural
    from lib.i18n import lower_word, t

    if level in country.admin_ids:
        name = (admin_level_plural if plural else admin_level_name)(
            country, country.admin_number(level), lang)
        return lower_word(name)
    return t(f"admin_level.{'plural.' if plural else ''}{level}", lang)


def country_name(country: Country, lang: str) -> str:
    """The country's name in ``lang``."""
    return local_name(country.name, country.name_local, lang)
