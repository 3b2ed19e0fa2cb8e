"""Match the polygons of a package's ``boundaries/`` folder to its admin units, never
silently in the wrong place.

A polygon lands under an area only by evidence, and every step says what it used:

1. **Which level a file holds** is read from its content: the share of its features whose
   codes or names are those of each admin level (a name like ``adm1`` is a mere hint, since
   standards number levels differently). ``country.toml`` may declare it per file
   (``[[boundary_files]]``). Every layer read is listed with its level and why, its feature
   count, its name and code properties, its coordinate system and its match counts
   (:class:`FileReport`); a skipped or empty file is named with the reason.
2. **A code is a code**: a property is taken as the area code only when its values look like
   codes (not a measure such as a length or an area, not a running feature number) and agree
   with the package's codes, and with the features' names where they can be compared. A
   package ``crosswalk`` (area code -> polygon code or name) settles what no rule can.
3. **Parents by overlap**: a polygon's parent is the polygon of the level above that it
   overlaps most by area; a polygon well inside another parent than its code says is an
   error naming both.
4. **Names within the parent**, one-to-one, tolerant of spelling, affixes and word order
   (:mod:`geo.names`), with the package's ``aliases``.
5. Several polygons of one area (a split area) are merged; every unmatched, duplicate or
   doubtful polygon, and every area left without a polygon, is reported.

Pure: no database, no Streamlit.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundary_files import (CRS, FORMAT_NAMES, PACKAGE_FOLDER, VECTOR_SUFFIXES, Source,
                                read_boundary_sources, repair_polygons)
from geo.names import (LOW_CONFIDENCE, MIN_NAME_SCORE, Form, assign_greedy, exact_keys,
                       form_similarity, forms, is_missing, name_similarity, normalise_name,
                       similarity_matrix)
from lib.country import BoundaryFileRule as FileRule
from lib.i18n import DEFAULT_LANG, country_words, lower_word
from lib.problems import PackageError, Problem, worded

__all__ = [
    "BoundaryMatch", "FileReport", "FileRule", "FORMAT_NAMES", "ISO_CODE_ALIASES",
    "LOW_CONFIDENCE", "PACKAGE_FOLDER", "VECTOR_SUFFIXES", "load_boundaries",
    "match_boundaries", "name_similarity", "normalise_name", "read_boundary_sources",
    "repair_polygons",
]

ISO_CODE_ALIASES: dict[str, str] = {
    # Retired or library-specific ISO 3166-2 codes -> current code. Files made from older
    # libraries keep the old code long after the standard changed.
    "LA-XN": "LA-XS",  # Xaisomboun: re-created 2013, LA-XS since 2015-11-27
}

LEVEL_SHARE = 0.5
"""A layer holds a level when at least this share of its features carry that level's codes
or names."""
CODE_SHARE = 0.5
"""A property is a code property when at least this share of the features resolve to
distinct codes of the level."""
NAME_AGREEMENT = 0.6
"""...and, where names can be compared, at least this share of them agree with the code."""
PARENT_SHARE_REPORTED = 0.9
"""A polygon lying less than this share inside its parent's polygon is reported."""
ELSEWHERE_OWN, ELSEWHERE_OTHER = 0.25, 0.5
"""A coded polygon with less than ELSEWHERE_OWN of its area in its own parent and at least
ELSEWHERE_OTHER in another is an error: its code or the parent's polygon is wrong."""
MIN_PARENT_SHARE = 0.1
"""A parent overlapping a polygon less than this is not a candidate for its name search."""
MERGE_OVERLAP = 0.1
"""Two polygons of one area overlapping less than this (of the smaller) are parts of it;
more, and the second is a duplicate."""

_OUTPUT_COLUMNS = ["code", "level", "source_file", "source_name", "method", "score",
                   "parent_share"]

_ID_NAME = re.compile(
    r"^(fid|ogc_fid|objectid(_\d+)?|object_id|gid|id(_\d+)?|index|idx|rowid|row_id|uid|oid)$",
    re.IGNORECASE)
_CODE_WORDS = frozenset({"code", "pcode", "iso", "hasc", "cod", "codigo"})
_MEASURE_WORDS = frozenset({
    "len", "leng", "length", "perim", "perimeter", "area", "km", "km2", "sqkm", "m", "m2",
    "ha", "hectares", "acres", "pop", "population", "density", "count", "total", "sum",
})
_LEVEL_NUMBER_IN_NAME = (
    re.compile(r"(?<![a-z0-9])(?:adm|admin|level|lvl)[_\- ]?(\d)(?![0-9])", re.IGNORECASE),
    re.compile(r"(?<![a-z0-9])gadm\d*_[a-z]{3}_(\d)(?![0-9])", re.IGNORECASE),  # gadm41_LAO_2
)


def _words(field_name: str) -> str:
    """An admin level word for an error in English, mid-sentence ("provinces"): the country
    words in use (:func:`lib.i18n.country_words`, set by the build)."""
    return lower_word(country_words().fields(DEFAULT_LANG).get(field_name, field_name))


def _level_words(level: int, plural: bool = False) -> str:
    return _words(f"level{level}_plural" if plural else f"level{level}")


def level_hint(name: str) -> int | None:
    """The admin number a file or layer name states (``adm2``, ``gadm41_LAO_2``): a hint
    for the report only, since standards number levels differently."""
    found = {int(m) for pattern in _LEVEL_NUMBER_IN_NAME for m in pattern.findall(name)}
    return found.pop() if len(found) == 1 else None


# --------------------------------------------------------------------------------------
# What the package says: rules, aliases, crosswalk
# --------------------------------------------------------------------------------------

def _applies(rule: FileRule, source: Source) -> bool:
    """Whether a ``[[boundary_files]]`` rule concerns this layer: its path under
    ``boundaries/`` or its file name matches the rule's pattern (and its layer the rule's)."""
    path = source.file.removeprefix(f"{PACKAGE_FOLDER}/").lower()
    pattern = rule.pattern.lower()
    hit = fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.rsplit("/", 1)[-1], pattern)
    return hit and (not rule.layer or fnmatch.fnmatch(source.layer.lower(),
                                                      rule.layer.lower()))


@dataclass(frozen=True)
class Crosswalk:
    """Area code -> the polygon's code or name as the boundary file has it (``crosswalk``
    table), keyed by the casefolded polygon value; ``used`` collects the values some
    polygon had."""

    code_of: Mapping[str, str] = field(default_factory=dict)
    written: Mapping[str, str] = field(default_factory=dict)  # as the table writes it
    used: set[str] = field(default_factory=set)

    @staticmethod
    def of(frame: pd.DataFrame | None) -> "Crosswalk":
        if frame is None or not len(frame):
            return Crosswalk()
        pairs = [(_text(v), _text(c)) for c, v in zip(frame["code"], frame["polygon"])
                 if _text(v)]
        return Crosswalk({v.casefold(): c for v, c in pairs}, {v.casefold(): v for v, _ in pairs})

    def code_for(self, values: set[str], level_codes: pd.Index) -> str | None:
        """The area a polygon with these (casefolded) property values is, if the crosswalk
        names it at this level."""
        for value in values:
            code = self.code_of.get(value)
            if code is not None and code in level_codes:
                self.used.add(value)
                return code
        return None


# --------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------

def _text(value: object) -> str:
    """A property value as clean text: NA -> "", 501.0 -> "501"."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code_keys(units: pd.DataFrame) -> dict[str, str]:
    """Every spelling of a unit's code (upper case) -> the unit code."""
    keys: dict[str, str] = {}
    for code, iso in zip(units["code"], units["iso_code"]):
        keys[code.upper()] = code
        if iso:
            keys[iso.upper()] = code
    for old, new in ISO_CODE_ALIASES.items():
        if new in keys and old not in keys:
            keys[old] = keys[new]
    return keys


_PCODE = re.compile(r"^([A-Z]{2,3})[-_. ]?([0-9][0-9A-Z]*)$")


def _lookup_code(value: str, keys: dict[str, str], width: int) -> tuple[str | None, bool]:
    """(the unit code a property value stands for, whether it was written exactly so)."""
    v = value.upper()
    if not v:
        return None, False
    if v in keys:
        return keys[v], True
    m = _PCODE.match(v)
    if m and m.group(2) in keys:  # HDX P-code: ISO2 prefix + national code
        return keys[m.group(2)], True
    if v.isdigit() and len(v) < width and v.zfill(width) in keys:  # leading zero lost
        return keys[v.zfill(width)], False
    if v.isdigit() and v != v.lstrip("0") and v.lstrip("0") in keys:  # … by the units' codes
        return keys[v.lstrip("0")], False
    return None, False


def _column_words(column: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", str(column))}


def _column_kind(column: str, values: pd.Series) -> str:
    """``code`` (named as one), ``measure`` (a length, an area, a count; or decimals),
    ``id`` (numbers the features), else ``other``."""
    words = _column_words(column)
    if words & _CODE_WORDS:
        return "code"
    if words & _MEASURE_WORDS:
        return "measure"
    if _ID_NAME.match(str(column)):
        return "id"
    present = values.dropna()
    if present.astype(str).str.fullmatch(r"0\d+").any():
        return "other"  # zero-padded: written as codes are, not as running numbers
    numbers = pd.to_numeric(present, errors="coerce")
    if len(numbers) and numbers.notna().all():
        if (numbers % 1 != 0).any():
            return "measure"
        ints = np.sort(numbers.to_numpy(dtype="int64"))
        if len(ints) > 3 and (np.array_equal(ints, np.arange(1, len(ints) + 1))
                              or np.array_equal(ints, np.arange(len(ints)))):
            return "id"  # 1..n: a running number, whatever the column is called
    return "other"


# --------------------------------------------------------------------------------------
# Reading one layer's properties against one level
# --------------------------------------------------------------------------------------

@dataclass
class _Columns:
    """One layer's properties, read once: each column's texts and name forms."""

    frame: pd.DataFrame  # properties only
    texts: dict[str, list[str]]
    forms: dict[str, list[list[Form]]]
    kinds: dict[str, str]

    @staticmethod
    def of(frame: gpd.GeoDataFrame) -> "_Columns":
        props = pd.DataFrame(frame.drop(columns=["geometry", "source_file"], errors="ignore"))
        props = props.dropna(axis=1, how="all")
        texts = {str(c): [_text(v) for v in props[c]] for c in props.columns}
        kinds = {str(c): _column_kind(str(c), props[c]) for c in props.columns}
        wordy = {c: vs for c, vs in texts.items()
                 if any(v and not re.fullmatch(r"[-+.0-9eE]+", v) for v in vs)}
        return _Columns(props, texts, {c: [forms([v]) for v in vs] for c, vs in wordy.items()},
                        kinds)


@dataclass
class _Reading:
    """What one layer's properties say against one level's units."""

    level: int
    code_column: str | None
    codes: list[str | None]
    name_columns: list[str]
    names: list[str]
    forms: list[list[Form]]
    code_share: float
    name_share: float
    parent_column: str | None = None
    parent_codes: list[str | None] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return max(self.code_share, self.name_share)


def _name_columns(cols: _Columns, unit_forms: list[list[Form]], forced: str
                  ) -> tuple[list[str], float, list[bool]]:
    """The properties holding the features' names (best first), the share of features
    whose name is one of the level's, and which features' are."""
    n = len(cols.frame)
    norms, keys = exact_keys(unit_forms)
    scored = []
    for column, column_forms in cols.forms.items():
        if forced and column != forced:
            continue
        present = [v for v in cols.texts[column] if v]
        hits = [any(f[0] in norms or f[1] in keys for f in fs) for fs in column_forms]
        distinct = len(set(present)) / len(present) if present else 0.0
        share = sum(hits) / n if n else 0.0
        hint = column.lower() in ("shapename", "name", "name_en", "name_local") or \
            bool(_column_words(column) & {"name", "nam", "nom", "nombre", "en"})
        # A parent-name column repeats: names are mostly distinct.
        scored.append((share, distinct >= 0.5 or len(present) <= 2, hint, column, hits))
    good = [s for s in scored if s[1] and (s[0] > 0 or forced)]
    good.sort(key=lambda s: (s[0], s[2]), reverse=True)
    if good:
        top = good[0][0]
        chosen = [s for s in good if s[0] >= max(0.3, 0.5 * top) or s is good[0]]
        hits = [any(s[4][i] for s in chosen) for i in range(n)]
        return [s[3] for s in chosen], (sum(hits) / n if n else 0.0), hits
    fallback = sorted((s for s in scored if s[1]), key=lambda s: s[2], reverse=True)
    return ([fallback[0][3]] if fallback else []), 0.0, [False] * n


def _code_column(cols: _Columns, keys: dict[str, str], width: int, forced: str,
                 names: list[list[Form]], labels: Sequence[str], named: list[bool],
                 units: pd.DataFrame, *, one_to_one: bool = True,
                 exclude: Sequence[str] = ()
                 ) -> tuple[str | None, list[str | None], list[str]]:
    """The property holding the level's codes (the forced one when present), each
    feature's code, and why other code-like properties were not taken. ``names``: each
    feature's name forms, ``labels`` its name as written, ``named`` whether its name is one
    of the level's."""
    n = len(cols.frame)
    notes: list[str] = []
    if forced and forced in cols.texts:
        return forced, [_lookup_code(v, keys, width)[0] for v in cols.texts[forced]], notes
    checkable = sum(named) >= max(1, 0.3 * n)  # names that are this level's: codes can be checked
    best: tuple[int, bool, str | None, list[str | None]] = (0, False, None, [None] * n)
    for column, values in cols.texts.items():
        if column in exclude:
            continue
        kind = cols.kinds[column]
        looked = [_lookup_code(v, keys, width) for v in values]
        codes = [c for c, _ in looked]
        found = [c for c in codes if c is not None]
        if len(found) < max(1, CODE_SHARE * n):
            continue
        if one_to_one and len(set(found)) < 0.8 * len(found):
            continue  # repeats: a parent code or a category, not this level's code
        if kind == "measure":
            notes.append(f"'{column}' holds a measure (a length, an area, a count), not "
                         "codes: not used")
            continue
        exact = sum(1 for c, e in looked if c is not None and e) >= 0.8 * len(found)
        if checkable and one_to_one:
            agree, compared, example = 0, 0, ""
            for i, code in enumerate(codes):
                if code is None or not names[i]:
                    continue
                compared += 1
                if form_similarity(names[i], units.at[code, "forms"])[0] >= MIN_NAME_SCORE:
                    agree += 1
                elif not example:
                    example = f"'{labels[i]}' would be {_label(units, code)}"
            if compared and agree < NAME_AGREEMENT * compared:
                notes.append(f"'{column}' has code-like values that disagree with the names "
                             f"({agree} of {compared} agree; e.g. {example}): not used")
                continue
        elif kind == "id" or not exact:
            why = "numbers the features" if kind == "id" else \
                "matches codes only with digits added or dropped"
            notes.append(f"'{column}' {why}, and no names confirm it as codes: not used")
            continue
        rank = (len(found), kind == "code")
        if rank > best[:2]:
            best = (len(found), kind == "code", column, codes)
    return best[2], best[3], notes


def _read(cols: _Columns, level: int, units: pd.DataFrame, rule: FileRule | None,
          code_property: str) -> _Reading:
    """One layer's names and codes read against the units of ``level``."""
    level_units = units[units["level"] == level]
    unit_forms = list(level_units["forms"])
    n = len(cols.frame)
    forced_name = rule.name if rule and rule.name in cols.forms else ""
    name_cols, name_share, named = _name_columns(cols, unit_forms, forced_name)
    names = [next((cols.texts[c][i] for c in name_cols if cols.texts[c][i]), "")
             for i in range(n)]
    feature_forms = [[f for c in name_cols for f in cols.forms[c][i]] for i in range(n)]
    keys, width = _code_keys(level_units), max(map(len, level_units["code"]), default=0)
    forced = (rule.code if rule and rule.code else code_property) or ""
    code_col, codes, notes = _code_column(cols, keys, width, forced, feature_forms, names,
                                          named, units)
    if forced and forced in cols.texts and code_col == forced:
        found = sum(c is not None for c in codes)
        if found < CODE_SHARE * n:
            notes.append(f"the code property '{forced}' gives codes of this level for only "
                         f"{found} of {n} features")
    found = [c for c in codes if c is not None]
    code_share = len(set(found)) / n if n else 0.0
    reading = _Reading(level, code_col, codes, name_cols, names, feature_forms, code_share,
                       name_share, notes=notes)
    parents = units[units["level"] == level - 1]
    if len(parents):
        parent_col, parent_codes, _ = _code_column(
            cols, _code_keys(parents), max(map(len, parents["code"]), default=0), "",
            feature_forms, names, [False] * n, units, one_to_one=False,
            exclude=[c for c in (code_col,) if c])
        reading.parent_column, reading.parent_codes = parent_col, parent_codes
    return reading


# --------------------------------------------------------------------------------------
# Which level a layer holds
# --------------------------------------------------------------------------------------

@dataclass
class FileReport:
    """One layer read: what it holds, why, and how its features matched."""

    file: str
    layer: str
    format: str
    crs: str
    features: int
    level: int | None = None
    why: str = ""
    code_property: str = ""
    name_property: str = ""
    matched: int = 0
    skipped: str = ""  # why the layer is not used ("" when used)


def _decide_level(source: Source, cols: _Columns, units: pd.DataFrame,
                  rules: Sequence[FileRule], code_property: str
                  ) -> tuple[_Reading | None, FileReport]:
    report = FileReport(source.file, source.layer, source.format, source.crs, source.features)
    rule = next((r for r in rules if _applies(r, source)), None)
    if rule is not None and rule.level is None:
        report.skipped = f"country.toml says to skip it ([[boundary_files]] '{rule.pattern}')"
        return None, report
    levels = sorted(int(v) for v in units["level"].unique())
    if rule is not None:
        reading = _read(cols, rule.level, units, rule, code_property)
        report.level, report.why = rule.level, (f"declared in country.toml "
                                                f"([[boundary_files]] '{rule.pattern}')")
        return reading, _fill(report, reading)
    readings = [_read(cols, level, units, None, code_property) for level in levels]
    n = source.features

    def closeness(r: _Reading) -> float:
        count = int((units["level"] == r.level).sum())
        return -abs(n - count) / max(count, 1)

    ranked = sorted(readings, key=lambda r: (round(r.score, 1), closeness(r)), reverse=True)
    best = ranked[0]
    hint = level_hint(f"{source.file} {source.layer}")
    if best.score < LEVEL_SHARE:
        what = f"{best.score:.0%} of its features carry {_level_words(best.level)} codes or names"
        report.skipped = (f"its features match no admin level (at best {what}); if it holds "
                          "one, declare it in country.toml under [[boundary_files]]")
        return None, report
    evidence = (f"codes in '{best.code_column}' match {best.code_share:.0%} of its features"
                if best.code_share >= best.name_share else
                f"names in '{best.name_columns[0]}' match {best.name_share:.0%} of its features")
    report.level = best.level
    report.why = f"{evidence} to {_level_words(best.level, plural=True)}"
    if hint is not None and hint != best.level:
        report.why += f" (its name says level {hint}; its content decides)"
    return best, _fill(report, best)


def _fill(report: FileReport, reading: _Reading) -> FileReport:
    report.code_property = reading.code_column or ""
    report.name_property = ", ".join(reading.name_columns)
    if reading.notes:
        report.why += "; " + "; ".join(reading.notes)
    return report


# --------------------------------------------------------------------------------------
# Matching one level
# --------------------------------------------------------------------------------------

@dataclass
class _Features:
    """One level's features, from every layer of that level, while they are matched."""

    frame: gpd.GeoDataFrame
    report_row: list[int]  # the layer's FileReport
    name: list[str]
    forms: list[list[Form]]
    code: list[str | None]
    method: list[str]
    score: list[float]
    parent_given: list[str | None]
    values: list[set[str]]  # casefolded texts of distinct-valued properties (crosswalk)


def _features(parts: list[tuple[int, gpd.GeoDataFrame, _Columns, _Reading]]) -> _Features:
    frames, rows, names, fs, codes, method, score, parents, values = ([] for _ in range(9))
    for report_row, frame, cols, reading in parts:
        n = len(frame)
        frames.append(frame[["source_file", "geometry"]])
        rows += [report_row] * n
        names += reading.names
        fs += reading.forms
        codes += reading.codes
        method += ["code" if c else "" for c in reading.codes]
        score += [1.0 if c else 0.0 for c in reading.codes]
        parents += reading.parent_codes or [None] * n
        distinct = [c for c, vs in cols.texts.items()
                    if len(set(v for v in vs if v)) >= 0.9 * max(1, sum(bool(v) for v in vs))]
        values += [{cols.texts[c][i].casefold() for c in distinct if cols.texts[c][i]}
                   for i in range(n)]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                             crs=CRS)
    return _Features(frame, rows, names, fs, codes, method, score, parents, values)


def _label(units: pd.DataFrame, code: str) -> str:
    """"Et (0708, Houaphanh)" for a district, "Houaphanh (07)" for a province."""
    row = units.loc[code]
    parent = row["parent_code"]
    if parent and parent in units.index:
        return f"{row['name_en']} ({code}, {units.at[parent, 'name_en']})"
    return f"{row['name_en']} ({code})"


def _overlaps(geoms: np.ndarray, parents: gpd.GeoDataFrame) -> list[list[tuple[str, float]]]:
    """Each polygon's parents by the share of its area inside them, largest first (shares
    of at least 1 %). Separately simplified files do not nest: shares, not containment."""
    out: list[list[tuple[str, float]]] = [[] for _ in range(len(geoms))]
    if len(geoms) == 0 or len(parents) == 0:
        return out
    parent_geoms = parents.geometry.values
    codes = parents["code"].to_numpy(dtype=object)
    child, parent = shapely.STRtree(parent_geoms).query(geoms, predicate="intersects")
    if len(child) == 0:
        return out
    inter = shapely.area(shapely.intersection(geoms[child], parent_geoms[parent]))
    area = shapely.area(geoms[child])
    share = np.divide(inter, area, out=np.zeros_like(inter), where=area > 0)
    for c, p, s in zip(child, parent, share):
        if s >= 0.01:
            out[c].append((codes[p], float(s)))
    for ranked in out:
        ranked.sort(key=lambda item: -item[1])
    return out


def _share_in(ranked: list[tuple[str, float]], code: str | None) -> float:
    return next((s for c, s in ranked if c == code), 0.0)


@dataclass
class _Level:
    """The result of one level."""

    out: gpd.GeoDataFrame
    taken: dict[str, list[int]]
    problems: list[Problem]
    matched_by_row: dict[int, int]


def _match_level(feats: _Features, level: int, units: pd.DataFrame,
                 parents: gpd.GeoDataFrame | None, parent_level: int | None,
                 crosswalk: Crosswalk) -> _Level:
    level_units = units[units["level"] == level]
    geoms = feats.frame.geometry.values
    areas = shapely.area(geoms)
    alive = ~shapely.is_empty(geoms) & (areas > 0)
    problems = [worded("warning", "boundary_empty",
                       {"level": level, "name": feats.name[i] or f"#{i + 1}"},
                       file=feats.frame.at[i, "source_file"]) for i in np.flatnonzero(~alive)]
    ancestor = _ancestors(units, level, parent_level)
    for i in range(len(geoms)):
        if not alive[i]:
            feats.code[i] = None
            continue
        hit = crosswalk.code_for(feats.values[i], level_units.index)
        if hit is not None:
            feats.code[i], feats.method[i], feats.score[i] = hit, "crosswalk", 1.0
    ranked = _overlaps(geoms, parents) if parents is not None else [[] for _ in geoms]

    # A coded polygon well inside another parent than its code's: the code or the parent
    # polygon is wrong; placing it either way would be a guess.
    drawn_parents = set(parents["code"]) if parents is not None else set()
    for i in np.flatnonzero(alive):
        code = feats.code[i]
        if code is None or not ranked[i] or ancestor.get(code) not in drawn_parents:
            continue
        own = _share_in(ranked[i], ancestor[code])
        other, other_share = ranked[i][0]
        if own < ELSEWHERE_OWN and other != ancestor[code] and other_share >= ELSEWHERE_OTHER:
            problems.append(worded(
                "error", "boundary_code_elsewhere",
                {"level": level, "parent_level": parent_level, "name": feats.name[i] or
                 f"#{i + 1}", "area": _label(units, code),
                 "parent": _label(units, ancestor[code]), "found": _label(units, other),
                 "share": other_share},
                file=feats.frame.at[i, "source_file"], unit_code=code))
            feats.code[i] = None

    taken = _settle_coded(feats, alive, areas, units, problems, level)
    pending = [i for i in np.flatnonzero(alive) if feats.code[i] is None]
    best: dict[int, tuple[str, float]] = {}
    _match_by_name(feats, pending, level_units, ancestor, ranked, taken, areas, best,
                   parents is not None)
    problems += _report(feats, alive, taken, best, units, level, parent_level, ranked)
    return _assemble(feats, taken, level, parent_level, units, ancestor, ranked, problems)


def _ancestors(units: pd.DataFrame, level: int, parent_level: int | None) -> dict[str, str]:
    """Each unit of ``level`` -> its ancestor at ``parent_level`` (through the levels
    between)."""
    if parent_level is None:
        return {}
    parent_of = dict(zip(units["code"], units["parent_code"]))
    out = {}
    for code in units.loc[units["level"] == level, "code"]:
        up = code
        for _ in range(level - parent_level):
            up = parent_of.get(up, "")
        if up:
            out[code] = up
    return out


def _settle_coded(feats: _Features, alive: np.ndarray, areas: np.ndarray,
                  units: pd.DataFrame, problems: list[Problem], level: int
                  ) -> dict[str, list[int]]:
    """Several polygons with one code: parts of the area when they barely overlap and their
    names agree as well; else the one whose name agrees best (then the largest) is kept and
    the others reported."""
    by_code: dict[str, list[int]] = {}
    for i in np.flatnonzero(alive):
        if feats.code[i] is not None:
            by_code.setdefault(feats.code[i], []).append(int(i))
    geoms = feats.frame.geometry.values
    for code, rows in by_code.items():
        if len(rows) < 2:
            continue
        unit_forms = units.at[code, "forms"]
        agree = {i: form_similarity(feats.forms[i], unit_forms)[0] if feats.forms[i] else 1.0
                 for i in rows}
        ranked = sorted(rows, key=lambda i: (agree[i], areas[i]), reverse=True)
        kept = [ranked[0]]
        for i in ranked[1:]:
            if agree[i] >= min(LOW_CONFIDENCE, agree[ranked[0]]) and _apart(geoms, kept, i):
                kept.append(i)
                continue
            problems.append(worded(
                "warning", "boundary_duplicate",
                {"level": level, "name": feats.name[i] or f"#{i + 1}",
                 "area": _label(units, code), "kept": feats.name[ranked[0]]},
                file=feats.frame.at[i, "source_file"], unit_code=code))
            feats.code[i], feats.method[i], feats.score[i] = None, "duplicate", 0.0
        by_code[code] = kept
    return by_code


def _apart(geoms: np.ndarray, kept: list[int], i: int) -> bool:
    """Whether polygon ``i`` barely overlaps the polygons ``kept`` (parts of one area)."""
    inter = shapely.area(shapely.intersection(geoms[i], shapely.union_all(geoms[kept])))
    smaller = min(shapely.area(geoms[i]), float(np.min(shapely.area(geoms[kept]))))
    return inter < MERGE_OVERLAP * smaller


def _match_by_name(feats: _Features, pending: list[int], level_units: pd.DataFrame,
                   ancestor: dict[str, str], ranked: list[list[tuple[str, float]]],
                   taken: dict[str, list[int]], areas: np.ndarray,
                   best: dict[int, tuple[str, float]], have_parents: bool) -> None:
    """Names within the parent found by overlap (then the next parent it overlaps, for
    outlines that do not line up); without parent polygons, within the parent a property
    gives, else among all units, where only a name that fits one unit best counts."""
    def parent_of(i: int, rank: int) -> str | None:
        if have_parents:
            near = [c for c, s in ranked[i] if s >= MIN_PARENT_SHARE]
            return near[rank] if rank < len(near) else None
        return feats.parent_given[i] if rank == 0 else None

    left = list(pending)
    for rank in (0, 1):
        groups: dict[str | None, list[int]] = {}
        for i in left:
            p = parent_of(i, rank)
            if rank == 0 or p is not None:
                groups.setdefault(p, []).append(i)
        for parent, rows in groups.items():
            known = parent is not None
            cands = level_units[[ancestor.get(c) == parent for c in level_units["code"]]] \
                if known else level_units
            found = _names_in(feats, rows, cands, taken, areas, parent_known=known,
                              last_pair=rank == 0)
            for i, pair in found.items():
                if i not in best or pair[1] > best[i][1]:
                    best[i] = pair
        left = [i for i in left if feats.code[i] is None]


def _names_in(feats: _Features, rows: list[int], cands: pd.DataFrame,
              taken: dict[str, list[int]], areas: np.ndarray, *, parent_known: bool,
              last_pair: bool) -> dict[int, tuple[str, float]]:
    """Match ``rows`` one-to-one to the not yet taken units of ``cands`` by name. Returns
    each row's best unit, taken or not, with its score (for the report). A second polygon
    whose name is certainly a taken unit's and that lies apart from it is a part of it."""
    codes = list(cands["code"])
    if not codes:
        return {}
    score, raw = similarity_matrix([feats.forms[i] for i in rows], list(cands["forms"]))
    best = {i: (codes[int(np.argmax(score[a]))], float(score[a].max()))
            for a, i in enumerate(rows)}
    free = np.array([c not in taken for c in codes], dtype=bool)
    fscore, fraw = score[:, free], raw[:, free]
    fcodes = [c for c, f in zip(codes, free) if f]
    if not parent_known:
        # No parent to narrow the search: a name shared by several units (Phonthong,
        # Viengkham) cannot be placed, so a polygon counts only when one unit fits it best.
        for a in range(len(rows)):
            if np.sum(score[a] >= score[a].max() - 1e-9) > 1:
                fscore[a] = 0.0
                best.pop(rows[a], None)
    pairs = assign_greedy(fscore, fraw, MIN_NAME_SCORE, areas[rows])
    for a, b in pairs:
        i = rows[a]
        feats.code[i], feats.method[i], feats.score[i] = fcodes[b], "name", float(fscore[a, b])
        taken[fcodes[b]] = [i]
    geoms = feats.frame.geometry.values
    for a, i in enumerate(rows):  # parts of an area already matched
        if feats.code[i] is not None or i not in best:
            continue
        code, value = best[i]
        if value >= LOW_CONFIDENCE and code in taken and _apart(geoms, taken[code], i) and \
                all(feats.method[j] in ("name", "code", "crosswalk") for j in taken[code]):
            feats.code[i], feats.method[i], feats.score[i] = code, "name", value
            taken[code].append(i)
    left_rows = [a for a in range(len(rows)) if feats.code[rows[a]] is None]
    left_cols = [b for b, c in enumerate(fcodes) if c not in taken]
    if parent_known and last_pair and len(left_rows) == 1 and len(left_cols) == 1:
        # The last polygon and the last unit of a parent must be each other, however unlike
        # their names (a renamed area); the score shows how doubtful that is.
        a, b = left_rows[0], left_cols[0]
        i = rows[a]
        feats.code[i], feats.method[i] = fcodes[b], "only_candidate"
        feats.score[i] = float(fscore[a, b])
        taken[fcodes[b]] = [i]
    return best


def _report(feats: _Features, alive: np.ndarray, taken: dict[str, list[int]],
            best: dict[int, tuple[str, float]], units: pd.DataFrame, level: int,
            parent_level: int | None, ranked: list[list[tuple[str, float]]]
            ) -> list[Problem]:
    """Warnings for unmatched, duplicate and doubtful polygons of one level."""
    problems = []
    for i in np.flatnonzero(alive):
        name = feats.name[i] or f"#{i + 1}"
        src = feats.frame.at[i, "source_file"]
        code = feats.code[i]
        if code is not None:
            if feats.method[i] in ("name", "only_candidate") and feats.score[i] < LOW_CONFIDENCE:
                problems.append(worded(
                    "warning", "boundary_low_confidence",
                    {"level": level, "name": name, "area": _label(units, code),
                     "score": float(feats.score[i])}, file=src, unit_code=code))
            continue
        if feats.method[i] == "duplicate":
            continue  # reported when settled
        dup = None
        if i in best and best[i][1] >= LOW_CONFIDENCE and best[i][0] in taken:
            dup = best[i][0]
        parent = ranked[i][0][0] if ranked[i] else feats.parent_given[i]
        if dup is not None:
            kept = feats.name[taken[dup][0]]
            problems.append(worded(
                "warning", "boundary_duplicate",
                {"level": level, "name": name, "area": _label(units, dup), "kept": kept},
                file=src, unit_code=dup))
        elif parent_level is not None and parent is None:
            problems.append(worded(
                "warning", "boundary_unmatched",
                {"level": level, "parent_level": parent_level, "name": name},
                template="boundary_outside_parents", file=src))
        else:
            inside = parent is not None and parent in units.index
            problems.append(worded(
                "warning", "boundary_unmatched",
                {"level": level, "name": name,
                 "parent": units.at[parent, "name_en"] if inside else ""},
                template="boundary_unmatched_in" if inside else "", file=src,
                unit_code=parent or ""))
    return problems


def _assemble(feats: _Features, taken: dict[str, list[int]], level: int,
              parent_level: int | None, units: pd.DataFrame, ancestor: dict[str, str],
              ranked: list[list[tuple[str, float]]], problems: list[Problem]) -> _Level:
    """One row per area: its polygons merged, with the share of it inside its parent."""
    geoms = feats.frame.geometry.values
    rows, matched_by_row = [], {}
    for code in sorted(taken):
        parts = sorted(taken[code])
        if not parts:
            continue
        for i in parts:
            matched_by_row[feats.report_row[i]] = matched_by_row.get(feats.report_row[i], 0) + 1
        geom = geoms[parts[0]] if len(parts) == 1 else shapely.make_valid(
            shapely.union_all(geoms[parts]))
        share = np.nan
        if ancestor.get(code) and any(ranked[i] for i in parts):
            area = sum(shapely.area(geoms[i]) for i in parts)
            share = sum(_share_in(ranked[i], ancestor[code]) * shapely.area(geoms[i])
                        for i in parts) / area if area else np.nan
        rows.append({
            "code": code, "level": level,
            "source_file": feats.frame.at[parts[0], "source_file"],
            "source_name": " + ".join(dict.fromkeys(feats.name[i] for i in parts if feats.name[i])),
            "method": feats.method[parts[0]],
            "score": round(min(feats.score[i] for i in parts), 4),
            "parent_share": round(float(share), 4) if share == share else np.nan,
            "geometry": geom})
        if share == share and share < PARENT_SHARE_REPORTED:
            problems.append(worded(
                "warning", "boundary_parent_share",
                {"level": level, "parent_level": parent_level,
                 "area": _label(units, code), "parent": _label(units, ancestor[code]),
                 "share": float(share)},
                file=feats.frame.at[parts[0], "source_file"], unit_code=code))
    columns = {c: [] for c in (*_OUTPUT_COLUMNS, "geometry")}
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns)
    out = gpd.GeoDataFrame(frame.drop(columns="geometry"),
                           geometry=gpd.GeoSeries(list(frame["geometry"]), crs=CRS), crs=CRS)
    return _Level(out, taken, problems, matched_by_row)


# --------------------------------------------------------------------------------------
# Everything
# --------------------------------------------------------------------------------------

@dataclass
class BoundaryMatch:
    """Polygons matched to admin units, with every problem found on the way and the report
    of every layer read."""

    units: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files some polygon was drawn from
    report: list[FileReport] = field(default_factory=list)

    def report_frame(self) -> pd.DataFrame:
        return pd.DataFrame([vars(r) for r in self.report],
                            columns=[f for f in FileReport.__dataclass_fields__])


def _prepare_units(admin_units: pd.DataFrame, aliases: pd.DataFrame | None) -> pd.DataFrame:
    def column(name: str) -> list[str]:
        return [_text(v) for v in admin_units[name]] if name in admin_units else \
            [""] * len(admin_units)

    u = pd.DataFrame({
        "code": column("code"),
        "level": pd.to_numeric(admin_units["level"]).astype(int).to_numpy(),
        "parent_code": column("parent_code"),
        "name_en": column("name_en"),
        "name_local": column("name_local"),
        "iso_code": [v.upper() for v in column("iso_code")],
        "alt_names": [[s.strip() for s in v.split(";") if s.strip()]
                      for v in column("alt_names")],
    })
    if aliases is not None and len(aliases):
        extra: dict[str, list[str]] = {}
        for code, name in zip(aliases["code"], aliases["name"]):
            extra.setdefault(_text(code), []).append(_text(name))
        u["alt_names"] = [alt + extra.get(code, []) for code, alt in
                          zip(u["code"], u["alt_names"])]
    u["forms"] = [forms([en, lo, *alt]) for en, lo, alt in
                  zip(u["name_en"], u["name_local"], u["alt_names"])]
    return u.set_index("code", drop=False)


def match_sources(admin_units: pd.DataFrame, sources: Sequence[Source], *,
                  code_property: str | None = None, rules: Sequence[FileRule] = (),
                  aliases: pd.DataFrame | None = None,
                  crosswalk: pd.DataFrame | None = None,
                  polygon_levels: Sequence[int] | None = None,
                  pupils: Mapping[str, int] | None = None) -> BoundaryMatch:
    """Decide each layer's level, then match level by level, parents first.

    ``polygon_levels``: the levels that must have polygons (every level of the units by
    default); a level without any file among them is an error naming it. ``pupils``: each
    area's pupils, said of an area left without a polygon.
    """
    units = _prepare_units(admin_units, aliases)
    levels = sorted(int(v) for v in units["level"].unique())
    wanted = list(polygon_levels) if polygon_levels is not None else levels
    problems: list[Problem] = []
    report: list[FileReport] = []
    by_level: dict[int, list[tuple[int, gpd.GeoDataFrame, _Columns, _Reading]]] = {}
    for source in sources:
        if source.frame is None:
            report.append(FileReport(source.file, source.layer, source.format, source.crs, 0,
                                     skipped="empty: it holds no feature"))
        else:
            cols = _Columns.of(source.frame)
            reading, row = _decide_level(source, cols, units, rules, code_property or "")
            report.append(row)
            if reading is not None:
                by_level.setdefault(reading.level, []).append(
                    (len(report) - 1, source.frame.reset_index(drop=True), cols, reading))
        last = report[-1]
        if last.skipped:
            problems.append(worded("warning", "boundary_file_skipped",
                                   {"layer": f" (layer {source.layer})" if source.layer else "",
                                    "reason": last.skipped}, file=source.file))

    cross = Crosswalk.of(crosswalk)
    matched: list[gpd.GeoDataFrame] = []
    polygons: dict[int, gpd.GeoDataFrame] = {}
    for level in levels:
        parts = by_level.get(level, [])
        parent_level = max((lv for lv in polygons if lv < level), default=None)
        if not parts:
            if level in wanted:
                problems.append(Problem(
                    "error", "boundary_file",
                    f"no boundary file holds {_level_words(level, plural=True)} (level "
                    f"{level}): {_files_read(report)}", file=f"{PACKAGE_FOLDER}/"))
            continue
        feats = _features(parts)
        result = _match_level(feats, level, units,
                              polygons.get(parent_level) if parent_level else None,
                              parent_level, cross)
        problems += result.problems
        for row, count in result.matched_by_row.items():
            report[row].matched = count
        if len(result.out):
            matched.append(result.out)
            polygons[level] = result.out[["code", "geometry"]]
        else:
            files = ", ".join(dict.fromkeys(report[row].file for row, *_ in parts))
            problems.append(Problem(
                "error", "boundary_file",
                f"no polygon of {files} could be matched to a {_level_words(level)} of "
                "admin_units: check its names or codes, or give a crosswalk",
                file=f"{PACKAGE_FOLDER}/"))
        where = report[parts[0][0]].file if len({report[r].file for r, *_ in parts}) == 1 \
            else f"{PACKAGE_FOLDER}/"
        problems += [_without_polygon(units, level, code, pupils, where)
                     for code in units.loc[units["level"] == level, "code"]
                     if code not in result.taken or not result.taken[code]]
    problems += _unused_crosswalk(cross, units)

    columns = {c: [] for c in _OUTPUT_COLUMNS}
    result_frame = pd.concat(matched, ignore_index=True) if matched else pd.DataFrame(columns)
    out = gpd.GeoDataFrame(
        result_frame.drop(columns="geometry", errors="ignore"),
        geometry=gpd.GeoSeries(result_frame["geometry"] if "geometry" in result_frame else [],
                               crs=CRS), crs=CRS)
    out = out.astype({"code": str, "level": int, "source_file": str, "source_name": str,
                      "method": str, "score": float, "parent_share": float})
    out = out.sort_values(["level", "code"], ignore_index=True)
    files = list(dict.fromkeys(r.file for r in report if r.matched))
    return BoundaryMatch(units=out[[*_OUTPUT_COLUMNS, "geometry"]], problems=problems,
                         files=files, report=report)


def _without_polygon(units: pd.DataFrame, level: int, code: str,
                     pupils: Mapping[str, int] | None, where: str) -> Problem:
    params: dict[str, object] = {"level": level, "area": _label(units, code)}
    if pupils is not None:
        params["pupils"] = int(pupils.get(code, 0))
    return worded("warning", "unit_without_polygon", params, file=where, unit_code=code,
                  template="unit_without_polygon_pupils" if pupils is not None else "")


def _files_read(report: list[FileReport]) -> str:
    if not report:
        return "no file was read"
    parts = []
    for r in report:
        what = f"skipped: {r.skipped}" if r.skipped else \
            f"{_level_words(r.level, plural=True)}" if r.level else "?"
        parts.append(f"{r.file}{f' (layer {r.layer})' if r.layer else ''}: {what}")
    return "the files read are " + "; ".join(parts)


def _unused_crosswalk(cross: Crosswalk, units: pd.DataFrame) -> list[Problem]:
    """A crosswalk row naming an unknown area, or a polygon no file has, is reported."""
    problems = []
    for value, code in cross.code_of.items():
        if code not in units.index:
            problems.append(Problem("warning", "crosswalk",
                                    f"crosswalk: area code '{code}' is not in admin_units",
                                    file="crosswalk", unit_code=code))
        elif value not in cross.used:
            problems.append(Problem("warning", "crosswalk",
                                    f"crosswalk: no polygon has the code or name "
                                    f"'{cross.written[value]}' given for {_label(units, code)}",
                                    file="crosswalk", unit_code=code))
    return problems


def match_boundaries(admin_units: pd.DataFrame,
                     layers: Mapping[int, tuple[gpd.GeoDataFrame, list[str]]],
                     code_property: str | None = None, **options) -> BoundaryMatch:
    """Match polygons whose level is known (``{level: (features, files)}``): each level's
    frame is one layer declared of that level."""
    sources, rules = [], []
    for level, (frame, files) in sorted(layers.items()):
        name = files[0] if files else f"{PACKAGE_FOLDER}/level{level}"
        frame = frame.copy()
        if "source_file" not in frame.columns:
            frame["source_file"] = name
        sources.append(Source(name, "", "GeoJSON", frame.reset_index(drop=True), CRS))
        rules.append(FileRule(name.removeprefix(f"{PACKAGE_FOLDER}/"), level))
    return match_sources(admin_units, sources, code_property=code_property, rules=rules,
                         **options)


def load_boundaries(directory: Path, admin_units: pd.DataFrame,
                    code_property: str | None = None, **options) -> BoundaryMatch:
    """Read the boundary folder of a package and match it to ``admin_units``."""
    sources = read_boundary_sources(Path(directory))
    return match_sources(admin_units, sources, code_property=code_property, **options)


def check_readable(directory: Path) -> list[Problem]:
    """The errors of the boundary folder's files alone (unreadable files)."""
    try:
        read_boundary_sources(Path(directory))
    except PackageError as exc:
        return list(exc.problems)
    return []
