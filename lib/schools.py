"""One school: how a search is understood, and what its profile shows.

Pure: no Streamlit, no SQL (the queries are in :mod:`lib.db`). A search is folded the way
the build folds the names (:data:`lib.aggregate.SEARCH_KEY_SQL`): case, accents, spaces and
punctuation do not matter in English names or ids, the local script is matched as typed
(only spaces and punctuation dropped), and words of English names may be misspelt
(:func:`plan`, with close words of the names found by :func:`lib.db.similar_words`).
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.country import Country
from lib.tables import TABLE
from lib.vocabulary import ANY_DOMAIN, FACILITY_ITEMS, JMP_LADDER, NATIONAL

# What a school profile shows of the facilities table: the services on the JMP ladder and
# the yes/no items, as the table declares them. A search asks for the facility items of
# lib.vocabulary, counted as the facility_* indicators count them.
JMP_SERVICES: tuple[str, ...] = tuple(c.name for c in TABLE["facilities"].columns
                                      if c.choices == JMP_LADDER)
YES_NO_FACILITIES: tuple[str, ...] = tuple(c.name for c in TABLE["facilities"].columns
                                           if c.kind == "flag")

MAX_RESULTS = 500  # rows a search returns; the total is counted anyway
FUZZY_MIN_LENGTH = 3  # shorter words are matched literally only
FUZZY_SIMILARITY = 0.85  # Jaro–Winkler similarity of a close word of the names
FUZZY_WORDS = 6  # close words tried per word of the search
MAX_TERMS = 8  # words of a search that are used


def _is_latin(ch: str) -> bool:
    return ch < "\u0250"


def fold(text: str) -> str:
    """``text`` as the search key holds it, spaces kept between words: lower case; accents
    of Latin letters dropped (``École`` → ``ecole``); other scripts kept as typed, with their
    marks; punctuation as spaces."""
    out: list[str] = []
    base_latin = True
    for ch in unicodedata.normalize("NFD", str(text).lower()):
        if unicodedata.category(ch) == "Mn":
            if base_latin:
                continue  # an accent of a Latin letter
        else:
            base_latin = _is_latin(ch)
        out.append(ch)
    folded = unicodedata.normalize("NFC", "".join(out))
    # Letters, marks and digits make words (\p{L}, \p{M}, \p{N} in the build's SQL).
    spaced = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in folded)
    return " ".join(spaced.split())


def terms(text: str) -> list[str]:
    """The words of a search, folded, longest first, without repeats (at most
    :data:`MAX_TERMS`)."""
    words = list(dict.fromkeys(w for w in fold(text).split() if w))
    return sorted(words, key=len, reverse=True)[:MAX_TERMS]


def is_latin_word(word: str) -> bool:
    return all(_is_latin(ch) for ch in word)


@dataclass(frozen=True)
class Term:
    """One word of a search: found literally, or as one of its close words."""

    text: str
    alternatives: tuple[str, ...] = ()  # close words of the names (fuzzy matches)


@dataclass(frozen=True)
class SearchPlan:
    terms: tuple[Term, ...]
    code: str  # the search as a school id may be typed, folded ("" for none)

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def fuzzy(self) -> bool:
        return any(term.alternatives for term in self.terms)


def needs_alternatives(word: str) -> bool:
    """Whether close words are looked up for ``word`` (English words long enough)."""
    return len(word) >= FUZZY_MIN_LENGTH and is_latin_word(word) and not word.isdigit()


def plan(text: str, close_words: Mapping[str, Sequence[str]] | None = None) -> SearchPlan:
    """How to search for ``text``: each folded word must occur in a school's key, literally
    or as one of its ``close_words`` (word -> close words of the names)."""
    close_words = close_words or {}
    found = []
    for word in terms(text):
        alternatives = tuple(w for w in close_words.get(word, ()) if word not in w)
        found.append(Term(word, alternatives[:FUZZY_WORDS]))
    code = "".join(fold(text).split())
    return SearchPlan(tuple(found), code)


@dataclass(frozen=True)
class SchoolQuery:
    """A search of the Schools page: text and filters. Empty filters filter nothing."""

    year: int
    text: str = ""
    area: str = ""  # an admin code of any level, "" for the whole country
    scope: tuple[str, ...] | None = None  # the searcher's areas (lib.access), None: all
    levels: tuple[str, ...] = ()  # offers any of these levels
    ownership: tuple[str, ...] = ()
    locality: tuple[str, ...] = ()
    complete: bool | None = None
    multigrade: bool | None = None
    facility: str = ""  # one of FACILITY_ITEMS, had in ``year``
    ptr_min: float | None = None  # pupils per teacher in ``year``, all levels
    ptr_max: float | None = None

    def __post_init__(self) -> None:
        if self.facility and self.facility not in FACILITY_ITEMS:
            raise ValueError(f"unknown facility {self.facility!r}; one of "
                             f"{', '.join(FACILITY_ITEMS)}")

    @property
    def filtered(self) -> bool:
        return bool(self.area or self.levels or self.ownership or self.locality
                    or self.complete is not None or self.multigrade is not None
                    or self.facility or self.ptr_min is not None or self.ptr_max is not None)


@dataclass(frozen=True)
class SearchResult:
    rows: pd.DataFrame  # at most MAX_RESULTS, best first
    total: int  # every school that matches
    fuzzy: bool  # close words were used

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


# --------------------------------------------------------------------------- profile


def level_grades(country: Country, levels: Sequence[str]) -> dict[str, tuple[int, ...]]:
    """The grades of each of ``levels`` that the country has."""
    known = set(country.level_ids)
    return {lv: tuple(country.level(lv).grades) for lv in levels if lv in known}


def levels_of(text: object) -> list[str]:
    """The level ids of a school's ``levels`` text (``pre_primary;primary``)."""
    if not isinstance(text, str):
        return []
    return [p.strip() for p in text.split(";") if p.strip()]


def _ratio(numerator: float, denominator: float, scale: float = 1.0) -> float:
    return numerator / denominator * scale if denominator else math.nan


@dataclass(frozen=True)
class SchoolFigures:
    """One school's teaching figures in one year, by level (as the indicators count them)."""

    year: int
    by_level: pd.DataFrame  # level, pupils, teachers, qualified, trained, ptr, pqtr,
    #                         qualified_pct, trained_pct
    pupils: float  # all levels
    classrooms: float  # NaN when not reported
    pcr: float  # pupils per classroom in use, NaN without classrooms


def figures(enrolment: pd.DataFrame, teachers: pd.DataFrame | None,
            facilities: pd.DataFrame, grades: Mapping[str, Sequence[int]],
            year: int) -> SchoolFigures:
    """The school's pupils, teachers and ratios in ``year``; ``grades``: level -> grades
    (from :func:`level_grades`). The same definitions as the indicators ``ptr_<L>``,
    ``pqtr_<L>``, ``qualified_teachers_<L>``, ``trained_teachers_<L>`` and ``pcr``.
    ``teachers`` None: the package has no teachers, whose figures are then unknown (NaN),
    not 0."""
    enrol = enrolment[enrolment["year"] == year]
    staff = None if teachers is None else teachers[teachers["year"] == year]
    rows = []
    for level, level_grades_ in grades.items():
        pupils = float(enrol.loc[enrol["grade"].isin(level_grades_), "enrolled"].sum(
            skipna=False))
        if staff is None:
            count = qualified = trained = math.nan
        else:
            mine = staff[staff["level"] == level]
            count = float(mine["count"].sum(skipna=False))
            qualified = float(mine.loc[mine["qualified"].astype(bool), "count"].sum(
                skipna=False))
            trained = float(mine.loc[mine["trained"].astype(bool), "count"].sum(skipna=False))
        rows.append({"level": level, "pupils": pupils, "teachers": count,
                     "qualified": qualified, "trained": trained,
                     "ptr": _ratio(pupils, count), "pqtr": _ratio(pupils, qualified),
                     "qualified_pct": _ratio(qualified, count, 100.0),
                     "trained_pct": _ratio(trained, count, 100.0)})
    by_level = pd.DataFrame(rows, columns=["level", "pupils", "teachers", "qualified",
                                           "trained", "ptr", "pqtr", "qualified_pct",
                                           "trained_pct"])
    pupils = float(enrol["enrolled"].sum(skipna=False))
    fac = facilities[facilities["year"] == year] if not facilities.empty else facilities
    classrooms = (float(fac["classrooms"].iloc[0])
                  if not fac.empty and pd.notna(fac["classrooms"].iloc[0]) else math.nan)
    pcr = (_ratio(pupils, classrooms) if math.isfinite(classrooms) and classrooms > 0
           and pupils > 0 else math.nan)
    return SchoolFigures(year, by_level, pupils, classrooms, pcr)


# (measure key, indicator family, unit) of the comparison table, per level then the school
LEVEL_MEASURES: tuple[tuple[str, str, str], ...] = (
    ("ptr", "ptr", "ratio"),
    ("qualified_pct", "qualified_teachers", "%"), ("trained_pct", "trained_teachers", "%"))
SCHOOL_MEASURES: tuple[tuple[str, str, str], ...] = (("pcr", "pcr", "ratio"),)


def comparison_requests(levels: Sequence[str]) -> list[tuple[str, str, str, str]]:
    """(row key, indicator id, unit, level) of every row of the comparison table."""
    out = []
    for level in levels:
        for measure, family, unit in LEVEL_MEASURES:
            out.append((f"{measure}:{level}", f"{family}_{level}", unit, level))
    for measure, family, unit in SCHOOL_MEASURES:
        out.append((measure, family, unit, ""))
    return out


def compared_levels(admin_ids: Sequence[str]) -> tuple[str, ...]:
    """What a school is compared with: the areas it lies in, the smallest first, then the
    nation (engine levels: ``("district", "province", "national")``)."""
    return (*reversed(tuple(admin_ids)), NATIONAL)


def comparison(school: SchoolFigures, area_values: Mapping[str, Mapping[str, float]],
               levels: Sequence[str], compared: Sequence[str]) -> pd.DataFrame:
    """The school against the areas it lies in and the nation (``compared``:
    :func:`compared_levels`): one row per measure (key, measure, level, indicator, unit,
    school, then one column per compared level). ``area_values``: indicator id ->
    {compared level: value}."""
    by_level = school.by_level.set_index("level") if not school.by_level.empty else None
    rows = []
    for key, indicator_id, unit, level in comparison_requests(levels):
        measure = key.split(":", 1)[0]
        if level:
            value = (float(by_level.at[level, measure])
                     if by_level is not None and level in by_level.index else math.nan)
        else:
            value = getattr(school, measure)
        areas = area_values.get(indicator_id, {})
        rows.append({"key": key, "measure": measure, "level": level,
                     "indicator": indicator_id, "unit": unit, "school": value,
                     **{where: float(areas.get(where, math.nan)) for where in compared}})
    return pd.DataFrame(rows, columns=["key", "measure", "level", "indicator", "unit",
                                       "school", *compared])


def enrolment_by_year(enrolment: pd.DataFrame) -> pd.DataFrame:
    """Pupils per year and sex (year, sex, enrolled), every year the school reported (a
    total with a hidden part is unknown)."""
    if enrolment.empty:
        return pd.DataFrame(columns=["year", "sex", "enrolled"])
    out = enrolment.groupby(["year", "sex"], as_index=False)["enrolled"].agg(_sum_or_unknown)
    return out.sort_values(["year", "sex"]).reset_index(drop=True)


def enrolment_by_grade(enrolment: pd.DataFrame, year: int) -> pd.DataFrame:
    """Pupils and repeaters per grade and sex in ``year`` (grade, sex, enrolled,
    repeaters)."""
    enrol = enrolment[enrolment["year"] == year]
    if enrol.empty:
        return pd.DataFrame(columns=["grade", "sex", "enrolled", "repeaters"])
    out = enrol.groupby(["grade", "sex"], as_index=False)[["enrolled", "repeaters"]].agg(
        _sum_or_unknown)
    return out.sort_values(["grade", "sex"]).reset_index(drop=True)


def enrolment_table(enrolment: pd.DataFrame) -> pd.DataFrame:
    """Pupils by grade (rows) and year (columns), girls and boys summed, for the table and
    its download: grade, then one column per year."""
    if enrolment.empty:
        return pd.DataFrame(columns=["grade"])
    by_cell = enrolment.groupby(["grade", "year"])["enrolled"]
    wide = by_cell.agg(_sum_or_unknown).unstack("year")
    reported = by_cell.size().unstack("year")
    wide = wide.where(reported.notna(), 0)  # a grade a year did not report: 0 pupils
    wide.columns = [str(int(c)) for c in wide.columns]
    return wide.reset_index()


def _sum_or_unknown(values: pd.Series) -> float:
    """The sum, unknown (NaN) if any part is: a part hidden in the public view
    (lib.access) leaves the total unknown, never smaller than it is."""
    return float(values.sum(skipna=False))


def groups_in(groups: pd.DataFrame, year: int) -> pd.DataFrame:
    """One school's pupils by group in ``year`` (from :func:`lib.db.school_groups`):
    dimension, group, F, M, total and share (% of the pupils of the dimension), the groups
    of each dimension largest first."""
    rows = groups[groups["year"] == year]
    columns = ["dimension", "group", "F", "M", "total", "share"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    wide = rows.pivot_table(index=["dimension", "group"], columns="sex", values="enrolled",
                            aggfunc="sum", fill_value=0).reindex(columns=["F", "M"],
                                                                 fill_value=0)
    wide.columns.name = None
    wide = wide.reset_index()
    wide["total"] = wide["F"] + wide["M"]
    wide["share"] = 100 * wide["total"] / wide.groupby("dimension")["total"].transform("sum")
    return wide.sort_values(["dimension", "total", "group"], ascending=[True, False, True],
                            kind="stable")[columns].reset_index(drop=True)


def functioning_in(functioning: pd.DataFrame, year: int) -> pd.DataFrame:
    """One school's pupils at the cut-off in ``year`` (from
    :func:`lib.db.school_functioning`): domain, F, M, total; ``any`` (each pupil once)
    first, then the domains with a pupil, most first. Empty when the school did not report
    functioning that year."""
    rows = functioning[functioning["year"] == year]
    if rows.empty:
        return pd.DataFrame(columns=["domain", "F", "M", "total"])
    wide = rows.pivot_table(index="domain", columns="sex", values="pupils", aggfunc="sum",
                            fill_value=0).reindex(columns=["F", "M"], fill_value=0)
    wide.columns.name = None
    wide = wide.reset_index()
    wide["total"] = wide["F"] + wide["M"]
    wide["first"] = wide["domain"] != ANY_DOMAIN
    wide = wide[(wide["total"] > 0) | ~wide["first"]]
    return wide.sort_values(["first", "total", "domain"], ascending=[True, False, True],
                            kind="stable").drop(columns="first").reset_index(drop=True)


def latest_at_most(years: Sequence[int], year: int) -> int | None:
    """The latest of ``years`` not after ``year`` (the year a profile shows)."""
    before = [int(y) for y in years if int(y) <= int(year)]
    return max(before) if before else None


@dataclass(frozen=True)
class Facilities:
    """A school's facilities in one year: the JMP ladder of water, sanitation and
    handwashing, and the yes/no items."""

    year: int | None  # None: not reported in any year up to the one asked for
    ladder: dict[str, str] = field(default_factory=dict)  # service -> basic|limited|none|""
    items: dict[str, bool | None] = field(default_factory=dict)
    classrooms: float = math.nan


def facilities_in(frame: pd.DataFrame, year: int) -> Facilities:
    """The facilities the school reported for ``year``, else for its latest earlier year."""
    if frame.empty:
        return Facilities(None)
    shown = latest_at_most(frame["year"].tolist(), year)
    if shown is None:
        return Facilities(None)
    row = frame[frame["year"] == shown].iloc[0]
    ladder = {s: (str(row[s]) if isinstance(row[s], str) and row[s] in JMP_LADDER else "")
              for s in JMP_SERVICES}
    items = {i: (None if pd.isna(row[i]) else bool(row[i])) for i in YES_NO_FACILITIES}
    classrooms = float(row["classrooms"]) if pd.notna(row["classrooms"]) else math.nan
    return Facilities(shown, ladder, items, classrooms)


def quality_table(frame: pd.DataFrame, cell: Callable[[float, object], str]) -> pd.DataFrame:
    """Quality-standard results by standard (rows) and year (columns, latest first, as
    text): standard, then one column per year whose cell is ``cell(score, met)``."""
    if frame.empty:
        return pd.DataFrame(columns=["standard"])
    years = sorted({int(y) for y in frame["year"]}, reverse=True)
    out = pd.DataFrame({"standard": sorted(frame["standard"].unique())})
    for year in years:
        rows = frame[frame["year"] == year].set_index("standard")
        out[str(year)] = [cell(rows.at[s, "score"], rows.at[s, "met"]) if s in rows.index
                          else "" for s in out["standard"]]
    return out


def bool_or_none(value: object) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return bool(value)


def finite(value: object) -> bool:
    try:
        return bool(np.isfinite(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def results_table(rows: pd.DataFrame, name: Callable[[str, str], str],
                  area_names: Mapping[str, str], words: Mapping[str, str],
                  level_names: Mapping[str, str], link_prefix: str) -> pd.DataFrame:
    """The search results as the table shows them: name (in the interface language),
    school_id, district, province, ownership, locality, levels, complete, multigrade,
    pupils, teachers, ptr, profile (a link). ``words`` names the values (public, rural,
    yes, no …); ``level_names`` the levels."""
    from urllib.parse import quote

    def word(value: object) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return ""
        key = ("yes" if value else "no") if isinstance(value, (bool, np.bool_)) else str(value)
        return words.get(key, key)

    return pd.DataFrame({
        "name": [name(en, lo) for en, lo in zip(rows["name_en"], rows["name_local"])],
        "school_id": rows["school_id"].astype(str),
        "district": [area_names.get(c, c) for c in rows["district_code"]],
        "province": [area_names.get(c, c) for c in rows["province_code"]],
        "ownership": [word(v) for v in rows["ownership"]],
        "locality": [word(v) for v in rows["locality"]],
        "levels": [", ".join(level_names.get(lv, lv) for lv in levels_of(v))
                   for v in rows["levels"]],
        "complete": [word(v) for v in rows["complete"]],
        "multigrade": [word(v) for v in rows["multigrade"]],
        "pupils": pd.to_numeric(rows["pupils"], errors="coerce").astype("Float64"),
        "teachers": pd.to_numeric(rows["teachers"], errors="coerce").astype("Float64"),
        "ptr": pd.to_numeric(rows["ptr"], errors="coerce").round(1).astype("Float64"),
        "profile": [link_prefix + quote(str(i), safe="") for i in rows["school_id"]],
    })
