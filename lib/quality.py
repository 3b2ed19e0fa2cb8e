"""School quality assessment: a framework of standards, criteria and items given as data,
the ratings schools give themselves and those external assessors give them, and how they
roll up to a school's result.

The package's ``quality_framework`` names each standard, criterion and item (with weights
and a roll-up rule), ``quality_scale`` the ratings (points: higher is better),
``quality_levels`` the levels or support categories a school's result places it in, and
``quality_assessment`` the ratings. :func:`create_results` rolls them up at build time:

* an item's score is its rating's points on 0–100 (the lowest rating 0, the highest 100);
* a criterion's score is its items' weighted mean, or with rule ``all`` the lowest item's
  score; a standard's the same over its criteria; the school's score the weighted mean of
  its standards'. A part is *met* when its score reaches its ``pass_score`` (100 when not
  given: every item at the top rating);
* a school's level is the highest rank whose conditions hold (a score of at least
  ``min_score``; every standard of ``standards_met`` met);
* a school that rated only some items has the scores of what it rated (a criterion it did
  not rate at all is left out of its standard's score);
* a school's *official* result in a year is the external assessment where there is one,
  else its self-assessment. The official standard results are written as the flat
  ``quality`` table (year, school, standard, score, met), which the indicators of the
  standards read, so a package giving that flat table (no framework) still works: it is a
  framework of standards only, each met or not.

Also the reads the Quality page and the school profile make (parameterised SQL over the
extract's tables), and :func:`check_against_census`, the build's cross-checks of ratings
with the census. Pure: no Streamlit.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from lib.i18n import DEFAULT_LANG, format_school_year, local_name
from lib.problems import ProblemLog
from lib.vocabulary import EXTERNAL, PUPIL_TEACHER_RATIO, QUALITY_FACILITY_CHECKS, SELF

# The tables the build writes from an assessment.
RESULTS, SCHOOL_RESULTS = "quality_results", "quality_schools"
# The reporting schools of each assessed year with what the page compares them by.
SCHOOL_FACTS = "quality_school_facts"
SCORE_EPSILON = 1e-9  # a score equal to a threshold reaches it, whatever the rounding
PREFIX_STANDARD, PREFIX_LEVEL = "standard", "level"


def readable(identifier: str) -> str:
    """An id made readable ("school_management" → "School management")."""
    text = re.sub(r"[_\s]+", " ", str(identifier)).strip()
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------ the framework's words
@dataclass(frozen=True)
class Named:
    """A standard, criterion, item, rating or level: its id and its names."""

    id: str
    name_en: str
    name_local: str | None = None

    def name(self, lang: str) -> str:
        return local_name(self.name_en, self.name_local, lang)


@dataclass(frozen=True)
class QualityLevel(Named):
    rank: int = 1
    min_score: float | None = None
    standards_met: tuple[str, ...] = ()
    support_days: int | None = None


@dataclass(frozen=True)
class Framework:
    """What the extract's framework names, in order: standards, criteria (by standard),
    items (by criterion), ratings (best first) and levels (lowest rank first)."""

    standards: tuple[Named, ...] = ()
    criteria: dict[str, tuple[Named, ...]] = field(default_factory=dict)
    items: dict[tuple[str, str], tuple[Named, ...]] = field(default_factory=dict)
    ratings: tuple[Named, ...] = ()
    levels: tuple[QualityLevel, ...] = ()

    def standard(self, standard_id: str) -> Named:
        return next((s for s in self.standards if s.id == standard_id),
                    Named(standard_id, readable(standard_id)))

    def level(self, level_id: str) -> QualityLevel:
        return next((lv for lv in self.levels if lv.id == level_id),
                    QualityLevel(level_id, readable(level_id)))

    def item(self, item_id: str) -> Named:
        for items in self.items.values():
            for item in items:
                if item.id == item_id:
                    return item
        return Named(item_id, readable(item_id))

    def rating(self, rating_id: str) -> Named:
        return next((r for r in self.ratings if r.id == rating_id),
                    Named(rating_id, readable(rating_id)))

    def standard_order(self, ids: pd.Series) -> pd.Series:
        """Sort key: standard ids in the framework's order (a ``sort_values`` key)."""
        position = {s.id: i for i, s in enumerate(self.standards)}
        return ids.map(lambda s: position.get(s, len(position)))

    @property
    def has_items(self) -> bool:
        return bool(self.items)


def has(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the extract has ``table`` with rows (a table of the contract the package did
    not give exists without rows)."""
    if not con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND table_name = ?", [table]).fetchone()[0]:
        return False
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0])


def framework(con: duckdb.DuckDBPyConnection) -> Framework:
    """The extract's framework (empty without one): from the package's tables, or the
    standards of a flat ``quality`` table."""
    if not has(con, "quality_framework"):
        if not has(con, "quality"):
            return Framework()
        return Framework(standards=tuple(Named(s, readable(s)) for (s,) in con.execute(
            "SELECT DISTINCT standard FROM quality ORDER BY 1").fetchall()))
    rows = con.execute("""
        SELECT standard, criterion, item, name_en, name_local FROM quality_framework
        ORDER BY rowid""").fetchall()
    standards = [Named(s, en, lo) for s, c, i, en, lo in rows if c is None and i is None]
    criteria: dict[str, list[Named]] = {}
    items: dict[tuple[str, str], list[Named]] = {}
    for s, c, i, en, lo in rows:
        if c is not None and i is None:
            criteria.setdefault(s, []).append(Named(c, en, lo))
        elif i is not None:
            items.setdefault((s, c), []).append(Named(i, en, lo))
    ratings: tuple[Named, ...] = ()
    if has(con, "quality_scale"):
        ratings = tuple(Named(r, en, lo) for r, en, lo in con.execute(
            "SELECT rating, name_en, name_local FROM quality_scale ORDER BY points DESC, rating"
        ).fetchall())
    levels: tuple[QualityLevel, ...] = ()
    if has(con, "quality_levels"):
        levels = tuple(
            QualityLevel(lv, en, lo, rank=int(rank), min_score=minimum,
                         standards_met=standards_of(needed),
                         support_days=None if days is None else int(days))
            for lv, en, lo, rank, minimum, needed, days in con.execute(
                "SELECT level, name_en, name_local, rank, min_score, standards_met, "
                "support_days FROM quality_levels ORDER BY rank").fetchall())
    return Framework(tuple(standards), {k: tuple(v) for k, v in criteria.items()},
                     {k: tuple(v) for k, v in items.items()}, ratings, levels)


def standards_of(text: str | None) -> tuple[str, ...]:
    """The standard ids a level's ``standards_met`` lists (spaces, commas or ;)."""
    return tuple(s for s in re.split(r"[\s,;]+", (text or "").strip().lower()) if s)


# ------------------------------------------------------------------ the roll-up (build)
def create_results(con: duckdb.DuckDBPyConnection) -> None:
    """Roll the typed ``quality_assessment`` up (module docstring): the tables
    ``quality_results`` (a standard's or criterion's score per school, year and assessor),
    ``quality_schools`` (the school's score and level) and the official flat ``quality``."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE quality_item_scores AS
        WITH bounds AS (SELECT min(points) AS lo, max(points) AS hi FROM quality_scale)
        SELECT a.year, a.school_id, a.assessor, f.standard, f.criterion, a.item,
               100.0 * (s.points - b.lo) / nullif(b.hi - b.lo, 0) AS score,
               coalesce(f.weight, 1.0) AS weight
        FROM quality_assessment a
        JOIN quality_framework f ON f.item = a.item
        JOIN quality_scale s ON s.rating = a.rating
        CROSS JOIN bounds b""")
    rolled = """
        CASE WHEN coalesce(p.rule, 'mean') = 'all' THEN min(x.score)
             ELSE coalesce(sum(x.score * x.weight) / nullif(sum(x.weight), 0), avg(x.score))
        END"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE quality_criterion_scores AS
        SELECT x.year, x.school_id, x.assessor, x.standard, x.criterion,
               {rolled} AS score, coalesce(p.pass_score, 100.0) AS pass_score,
               coalesce(p.weight, 1.0) AS weight
        FROM quality_item_scores x
        JOIN quality_framework p ON p.standard = x.standard AND p.criterion = x.criterion
                                AND p.item IS NULL
        GROUP BY x.year, x.school_id, x.assessor, x.standard, x.criterion, p.rule,
                 p.pass_score, p.weight""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE quality_standard_scores AS
        SELECT x.year, x.school_id, x.assessor, x.standard,
               {rolled} AS score, coalesce(p.pass_score, 100.0) AS pass_score,
               coalesce(p.weight, 1.0) AS weight
        FROM quality_criterion_scores x
        JOIN quality_framework p ON p.standard = x.standard AND p.criterion IS NULL
                                AND p.item IS NULL
        GROUP BY x.year, x.school_id, x.assessor, x.standard, p.rule, p.pass_score,
                 p.weight""")
    con.execute(f"""
        CREATE TABLE {RESULTS} AS
        SELECT r.*, {_official("r")} AS official FROM (
            SELECT year, school_id, assessor, standard, NULL::VARCHAR AS criterion, score,
                   score >= pass_score - {SCORE_EPSILON} AS met
            FROM quality_standard_scores
            UNION ALL
            SELECT year, school_id, assessor, standard, criterion, score,
                   score >= pass_score - {SCORE_EPSILON}
            FROM quality_criterion_scores) r
        ORDER BY year, school_id, assessor, standard, criterion NULLS FIRST""")
    scores = """scores AS (
            SELECT year, school_id, assessor,
                   coalesce(sum(score * weight) / nullif(sum(weight), 0), avg(score)) AS score
            FROM quality_standard_scores GROUP BY ALL)"""
    if has(con, "quality_levels"):
        # A level is reached when its score and every standard it names are: the highest
        # rank reached is the school's level (rank 1 has no condition).
        ctes = f"""{scores},
        required AS (
            SELECT level, standard FROM (
                SELECT level, unnest(regexp_split_to_array(
                    trim(lower(coalesce(standards_met, ''))), '[\\s,;]+')) AS standard
                FROM quality_levels) WHERE standard <> ''),
        reached AS (
            SELECT s.year, s.school_id, s.assessor, arg_max(l.level, l.rank) AS level,
                   max(l.rank) AS rank
            FROM scores s CROSS JOIN quality_levels l
            WHERE (l.min_score IS NULL OR s.score >= l.min_score - {SCORE_EPSILON})
              AND NOT EXISTS (
                SELECT 1 FROM required q WHERE q.level = l.level AND NOT EXISTS (
                    SELECT 1 FROM {RESULTS} m WHERE m.year = s.year
                    AND m.school_id = s.school_id AND m.assessor = s.assessor
                    AND m.criterion IS NULL AND m.standard = q.standard AND m.met))
            GROUP BY ALL)"""
        levels = "r.level, r.rank"
        join = "LEFT JOIN reached r USING (year, school_id, assessor)"
    else:
        ctes, levels, join = scores, "NULL::VARCHAR AS level, NULL::INTEGER AS rank", ""
    con.execute(f"""
        CREATE TABLE {SCHOOL_RESULTS} AS
        WITH {ctes}
        SELECT s.year, s.school_id, s.assessor, s.score, {levels}, {_official("s")} AS official
        FROM scores s {join}
        ORDER BY s.year, s.school_id, s.assessor""")
    con.execute(f"""
        CREATE OR REPLACE TABLE quality AS
        SELECT year, school_id, standard, CAST(round(score, 1) AS DOUBLE) AS score, met
        FROM {RESULTS} WHERE official AND criterion IS NULL
        ORDER BY year, school_id, standard""")
    for temp in ("quality_item_scores", "quality_criterion_scores", "quality_standard_scores"):
        con.execute(f"DROP TABLE {temp}")


def _official(alias: str) -> str:
    """SQL: the row of ``alias`` is its school's official result of the year (external, or
    self where no external assessment was made)."""
    return f"""({alias}.assessor = '{EXTERNAL}' OR NOT EXISTS (
        SELECT 1 FROM quality_assessment o WHERE o.year = {alias}.year
        AND o.school_id = {alias}.school_id AND o.assessor = '{EXTERNAL}'))"""


def create_school_facts(con: duckdb.DuckDBPyConnection) -> None:
    """``quality_school_facts``: each reporting school of each assessed year, whether it
    assessed itself and was assessed externally, with its district, locality, priority
    flag, pupils and teachers (the Quality page's coverage and comparison read it, not the
    census tables). After the schools' priority flags and the reporting table are made."""
    con.execute(f"""
        CREATE OR REPLACE TABLE {SCHOOL_FACTS} AS
        WITH years AS (SELECT DISTINCT year FROM {SCHOOL_RESULTS}),
             a AS (SELECT year, school_id, bool_or(assessor = '{SELF}') AS self_assessed,
                          bool_or(assessor = '{EXTERNAL}') AS verified
                   FROM {SCHOOL_RESULTS} GROUP BY ALL),
             p AS (SELECT year, school_id, sum(enrolled) AS pupils FROM enrolment
                   WHERE year IN (SELECT year FROM years) GROUP BY ALL),
             t AS (SELECT year, school_id, sum(count) AS teachers FROM teachers
                   WHERE year IN (SELECT year FROM years) GROUP BY ALL)
        SELECT r.year, r.school_id, s.district_code,
               coalesce(a.self_assessed, false) AS self_assessed,
               coalesce(a.verified, false) AS verified,
               s.locality, s.priority, p.pupils, t.teachers
        FROM reporting r JOIN schools s USING (school_id)
        LEFT JOIN a USING (year, school_id) LEFT JOIN p USING (year, school_id)
        LEFT JOIN t USING (year, school_id)
        WHERE r.year IN (SELECT year FROM years)
        ORDER BY r.year, s.district_code, r.school_id""")


# ------------------------------------------------------------------ checks (build)
def check_against_census(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                         file: str = "quality_assessment") -> None:
    """Warn where an item a framework ties to a census fact (``census_check``) is rated at
    the top of the scale while the census says otherwise: a facility the facilities table
    says the school has none of ("none" on the JMP ladder, or 0), or a pupil–teacher ratio
    above the item's ``census_limit``. One warning per school, year, assessor and item."""
    checked = con.execute("""
        SELECT item, name_en, census_check, census_limit FROM quality_framework
        WHERE item IS NOT NULL AND census_check IS NOT NULL""").fetchall() \
        if _has_column(con, "quality_framework", "census_check") else []
    if not checked:
        return
    top = "(SELECT max(points) FROM quality_scale)"
    rated_top = f"""SELECT a.year, a.school_id, a.assessor, a.rating, s.district_code
        FROM quality_assessment a JOIN quality_scale r ON r.rating = a.rating
        JOIN schools s ON s.school_id = a.school_id
        WHERE a.item = $item AND r.points = {top}"""
    for item, name, fact, limit in checked:
        if fact in QUALITY_FACILITY_CHECKS and has(con, "facilities"):
            ladder = con.execute(
                "SELECT data_type FROM duckdb_columns() WHERE database_name = current_database() "
                "AND table_name = 'facilities' AND column_name = ?", [fact]).fetchone()
            if ladder is None:
                continue
            none = f"f.{fact} = 'none'" if ladder[0] == "VARCHAR" else f"NOT f.{fact}"
            where_rows = con.execute(f"""
                SELECT t.year, t.school_id, t.assessor, t.rating, t.district_code
                FROM ({rated_top}) t JOIN facilities f USING (year, school_id)
                WHERE {none} ORDER BY t.year, t.school_id, t.assessor""",
                {"item": item}).fetchall()
            for year, school, assessor, rating, district in where_rows:
                log.warn("quality_contradicts_census",
                         {"school": school, "year": format_school_year(int(year), DEFAULT_LANG),
                          "item": name, "item_id": item,
                          "rating": rating, "assessor": assessor, "fact": fact},
                         template="quality_facility_contradiction", file=file,
                         school_id=school, unit_code=district, year=int(year))
        elif fact == PUPIL_TEACHER_RATIO and limit is not None and has(con, "teachers"):
            for year, school, assessor, rating, district, pupils, teachers in con.execute(f"""
                    WITH p AS (SELECT year, school_id, sum(enrolled) AS pupils
                               FROM enrolment GROUP BY ALL),
                         t AS (SELECT year, school_id, sum(count) AS teachers
                               FROM teachers GROUP BY ALL)
                    SELECT r.year, r.school_id, r.assessor, r.rating, r.district_code,
                           p.pupils, t.teachers
                    FROM ({rated_top}) r JOIN p USING (year, school_id)
                    JOIN t USING (year, school_id)
                    WHERE t.teachers > 0 AND p.pupils > $limit * t.teachers
                    ORDER BY r.year, r.school_id, r.assessor""",
                    {"item": item, "limit": float(limit)}).fetchall():
                log.warn("quality_contradicts_census",
                         {"school": school, "year": format_school_year(int(year), DEFAULT_LANG),
                          "item": name, "item_id": item,
                          "rating": rating, "assessor": assessor, "pupils": int(pupils),
                          "teachers": int(teachers),
                          "ratio": round(float(pupils) / float(teachers), 1),
                          "limit": float(limit)},
                         template="quality_ptr_contradiction", file=file,
                         school_id=school, unit_code=district, year=int(year))


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND table_name = ? AND column_name = ?", [table, column]).fetchone()[0])


# ------------------------------------------------------------------ reads (the pages)
def _districts(districts: Sequence[str] | None, alias: str = "s") -> tuple[str, dict]:
    """SQL condition and parameters: the school lies in one of ``districts`` (codes of the
    finest admin level; None: anywhere)."""
    if districts is None:
        return "TRUE", {}
    return f"{alias}.district_code IN (SELECT unnest($districts))", {
        "districts": [str(d) for d in districts]}


def assessed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the extract has a rolled-up assessment (a framework with items), not only
    the flat results of standards."""
    return has(con, SCHOOL_RESULTS)


def level_counts(con: duckdb.DuckDBPyConnection, districts: Sequence[str] | None
                 ) -> pd.DataFrame:
    """year, level, rank, schools: the schools of each official level, every year."""
    where, params = _districts(districts)
    return con.execute(f"""
        SELECT q.year, q.level, q.rank, count(*) AS schools
        FROM {SCHOOL_RESULTS} q JOIN schools s USING (school_id)
        WHERE q.official AND q.level IS NOT NULL AND {where}
        GROUP BY ALL ORDER BY q.year, q.rank""", params).df()


def coverage(con: duckdb.DuckDBPyConnection, year: int, districts: Sequence[str] | None
             ) -> dict[str, int]:
    """reporting, self_assessed, verified (externally assessed), assessed (either) schools
    of a year."""
    where, params = _districts(districts)
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE s.self_assessed),
               count(*) FILTER (WHERE s.verified),
               count(*) FILTER (WHERE s.self_assessed OR s.verified)
        FROM {SCHOOL_FACTS} s WHERE s.year = $year AND {where}""",
        {"year": int(year), **params}).fetchone()
    return dict(zip(("reporting", "self_assessed", "verified", "assessed"),
                    (int(v or 0) for v in row)))


def frequent_issues(con: duckdb.DuckDBPyConnection, year: int,
                    districts: Sequence[str] | None, limit: int = 10) -> pd.DataFrame:
    """The items most often given the lowest rating in the official results of a year:
    standard, criterion, item, assessed (schools rated on it), lowest (rated lowest),
    issues (rated below the top), lowest_share (%)."""
    where, params = _districts(districts)
    return con.execute(f"""
        WITH bounds AS (SELECT min(points) AS lo, max(points) AS hi FROM quality_scale)
        SELECT f.standard, f.criterion, a.item, count(*) AS assessed,
               count(*) FILTER (WHERE r.points = b.lo) AS lowest,
               count(*) FILTER (WHERE r.points < b.hi) AS issues,
               100.0 * count(*) FILTER (WHERE r.points = b.lo) / count(*) AS lowest_share
        FROM quality_assessment a
        JOIN {SCHOOL_RESULTS} q ON q.year = a.year AND q.school_id = a.school_id
                                AND q.assessor = a.assessor AND q.official
        JOIN quality_scale r ON r.rating = a.rating
        JOIN quality_framework f ON f.item = a.item
        JOIN schools s ON s.school_id = a.school_id
        CROSS JOIN bounds b
        WHERE a.year = $year AND {where}
        GROUP BY ALL HAVING count(*) FILTER (WHERE r.points = b.lo) > 0
        ORDER BY lowest DESC, issues DESC, a.item LIMIT $limit""",
        {"year": int(year), "limit": int(limit), **params}).df()


def movement(con: duckdb.DuckDBPyConnection, year: int, districts: Sequence[str] | None
             ) -> pd.DataFrame:
    """from_level, from_rank, to_level, to_rank, schools: the official level of the schools
    assessed in both the year before and ``year``."""
    where, params = _districts(districts)
    return con.execute(f"""
        SELECT p.level AS from_level, p.rank AS from_rank, c.level AS to_level,
               c.rank AS to_rank, count(*) AS schools
        FROM {SCHOOL_RESULTS} c
        JOIN {SCHOOL_RESULTS} p ON p.school_id = c.school_id AND p.year = c.year - 1
                                AND p.official AND p.rank IS NOT NULL
        JOIN schools s ON s.school_id = c.school_id
        WHERE c.year = $year AND c.official AND c.rank IS NOT NULL AND {where}
        GROUP BY ALL ORDER BY from_rank, to_rank""", {"year": int(year), **params}).df()


def self_and_external(con: duckdb.DuckDBPyConnection, year: int,
                      districts: Sequence[str] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The schools assessed by themselves and externally in a year: by standard
    (standard, schools, self_met %, external_met %, gap in points) and by school level
    (comparison "higher" / "same" / "lower": the self-assessment's level against the
    external one, schools)."""
    where, params = _districts(districts)
    params = {"year": int(year), **params}
    standards = con.execute(f"""
        SELECT x.standard, count(*) AS schools,
               100.0 * avg(CAST(o.met AS INTEGER)) AS self_met,
               100.0 * avg(CAST(x.met AS INTEGER)) AS external_met,
               avg(o.score - x.score) AS gap
        FROM {RESULTS} x JOIN {RESULTS} o ON o.year = x.year AND o.school_id = x.school_id
            AND o.standard = x.standard AND o.criterion IS NULL AND o.assessor = '{SELF}'
        JOIN schools s ON s.school_id = x.school_id
        WHERE x.year = $year AND x.assessor = '{EXTERNAL}' AND x.criterion IS NULL
          AND {where}
        GROUP BY ALL ORDER BY x.standard""", params).df()
    levels = con.execute(f"""
        SELECT CASE WHEN o.rank > x.rank THEN 'higher' WHEN o.rank < x.rank THEN 'lower'
                    ELSE 'same' END AS comparison, count(*) AS schools
        FROM {SCHOOL_RESULTS} x JOIN {SCHOOL_RESULTS} o ON o.year = x.year
            AND o.school_id = x.school_id AND o.assessor = '{SELF}'
        JOIN schools s ON s.school_id = x.school_id
        WHERE x.year = $year AND x.assessor = '{EXTERNAL}' AND x.rank IS NOT NULL
          AND o.rank IS NOT NULL AND {where}
        GROUP BY ALL""", params).df()
    return standards, levels


def assessed_and_not(con: duckdb.DuckDBPyConnection, year: int,
                     districts: Sequence[str] | None) -> pd.DataFrame:
    """The reporting schools of a year that assessed themselves and those that did not,
    side by side: assessed (bool), schools, rural (%), priority (% in priority areas),
    pupils (mean per school), ptr (pupils per teacher, where teachers are given)."""
    where, params = _districts(districts)
    return con.execute(f"""
        SELECT s.self_assessed AS assessed, count(*) AS schools,
               100.0 * avg(CASE WHEN s.locality = 'rural' THEN 1.0
                                WHEN s.locality IS NOT NULL THEN 0.0 END) AS rural,
               100.0 * avg(CAST(s.priority AS DOUBLE)) AS priority,
               avg(s.pupils) AS pupils,
               sum(s.pupils) FILTER (WHERE s.teachers > 0)
                 / nullif(sum(s.teachers) FILTER (WHERE s.teachers > 0), 0) AS ptr
        FROM {SCHOOL_FACTS} s WHERE s.year = $year AND {where}
        GROUP BY ALL ORDER BY assessed DESC""", {"year": int(year), **params}).df()


def schools_to_support(con: duckdb.DuckDBPyConnection, year: int,
                       districts: Sequence[str] | None, limit: int = 500) -> pd.DataFrame:
    """The officially assessed schools of a year, most in need of support first (lowest
    level, then lowest score): school_id, name_en, name_local, district_code, level, rank,
    score, assessor, support_days."""
    where, params = _districts(districts)
    days = ("l.support_days" if _has_column(con, "quality_levels", "support_days")
            else "NULL::INTEGER")
    return con.execute(f"""
        SELECT s.school_id, s.name_en, s.name_local, s.district_code, q.level, q.rank,
               q.score, q.assessor, {days} AS support_days
        FROM {SCHOOL_RESULTS} q JOIN schools s USING (school_id)
        LEFT JOIN quality_levels l ON l.level = q.level
        WHERE q.year = $year AND q.official AND {where}
        ORDER BY q.rank NULLS LAST, q.score, s.school_id LIMIT $limit""",
        {"year": int(year), "limit": int(limit), **params}).df()


# ------------------------------------------------------------------ one school's scorecard
@dataclass(frozen=True)
class Scorecard:
    """One school's results: ``schools`` (year, assessor, score, level, rank, official),
    ``standards`` (year, assessor, standard, criterion, score, met, official) and
    ``ratings`` below the top (year, assessor, standard, criterion, item, rating, comment)."""

    schools: pd.DataFrame
    standards: pd.DataFrame
    ratings: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.standards.empty


def scorecard(con: duckdb.DuckDBPyConnection, school_id: str) -> Scorecard:
    """The quality results of one school, every year (empty without an assessment; a flat
    quality table gives its standards only)."""
    school = {"school": str(school_id)}
    if not assessed(con):
        standards = con.execute("""
            SELECT year, NULL::VARCHAR AS assessor, standard, NULL::VARCHAR AS criterion,
                   score, met, true AS official
            FROM quality WHERE school_id = $school ORDER BY year DESC, standard""",
            school).df() if has(con, "quality") else pd.DataFrame(
            columns=["year", "assessor", "standard", "criterion", "score", "met", "official"])
        return Scorecard(pd.DataFrame(columns=["year", "assessor", "score", "level", "rank",
                                               "official"]), standards,
                         pd.DataFrame(columns=["year", "assessor", "standard", "criterion",
                                               "item", "rating", "comment"]))
    schools = con.execute(f"""
        SELECT year, assessor, score, level, rank, official FROM {SCHOOL_RESULTS}
        WHERE school_id = $school ORDER BY year DESC, official DESC, assessor""", school).df()
    standards = con.execute(f"""
        SELECT year, assessor, standard, criterion, score, met, official FROM {RESULTS}
        WHERE school_id = $school ORDER BY year DESC, official DESC, assessor""", school).df()
    ratings = con.execute("""
        SELECT a.year, a.assessor, f.standard, f.criterion, a.item, a.rating, a.comment
        FROM quality_assessment a JOIN quality_framework f ON f.item = a.item
        JOIN quality_scale r ON r.rating = a.rating
        WHERE a.school_id = $school AND r.points < (SELECT max(points) FROM quality_scale)
        ORDER BY a.year DESC, a.assessor, r.points, f.standard, a.item""", school).df()
    return Scorecard(schools, standards, ratings)
