"""Read-only access to the DuckDB extract that the app serves.

The extract is written by :mod:`lib.build`; nothing here writes. Functions take an open
connection so callers (the app caches one per extract build id) decide its lifetime.
"""
from __future__ import annotations

import json
import re
import threading
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from lib.aggregate import in_area_sql
from lib.country import Country, parse_country
from lib.tables import AT_CUT_OFF, TABLE
from lib.vocabulary import FACILITY, FACILITY_ITEMS, facility_flags_sql

DEFAULT_EXTRACT = Path(__file__).resolve().parent.parent / "data" / "emis.duckdb"


class ExtractMissing(Exception):
    """There is no extract at the given path (build one first)."""


def connect(path: Path | str = DEFAULT_EXTRACT) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if not path.is_file():
        raise ExtractMissing(f"No extract at {path}. Build one with "
                             f"`python -m lib build --source DIR --db {path}` or run `make demo`.")
    return duckdb.connect(str(path), read_only=True)


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM meta").fetchall())


def build_id(path: Path | str = DEFAULT_EXTRACT) -> str:
    """Identifies one build of the extract: changes whenever the file is rebuilt."""
    stat = Path(path).stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def country(con: duckdb.DuckDBPyConnection) -> Country:
    return parse_country(meta(con)["country_toml"])


@dataclass(frozen=True)
class ExtractInfo:
    """What the About page and the banner need to know about the extract."""

    build_id: str
    built_at: str  # ISO 8601, UTC
    source_dir: str
    package_source: str
    licence: str
    attribution: str
    synthetic: bool
    boundaries_schematic: bool
    boundary_files: list[str]
    country_name: str
    country_name_local: str
    iso3: str
    years: list[int]
    areas_by_level: tuple[int, ...]  # how many areas each admin level has, level 1 first
    n_schools: int | None  # None: a package of area totals, without a school register
    pupils_by_year: dict[int, int] = field(default_factory=dict)
    teachers_by_year: dict[int, int] = field(default_factory=dict)
    schools_by_year: dict[int, int] = field(default_factory=dict)  # schools reporting
    n_errors: int = 0
    n_warnings: int = 0
    optional_tables: dict[str, bool] = field(default_factory=dict)
    build_seconds: float = 0.0


def extract_info(con: duckdb.DuckDBPyConnection) -> ExtractInfo:
    m = meta(con)
    ctry = parse_country(m["country_toml"])

    def by_year(sql: str) -> dict[int, int]:
        return {int(y): int(n) for y, n in con.execute(sql).fetchall()}

    counts = dict(con.execute("SELECT level, count(*) FROM admin_units GROUP BY level"
                              ).fetchall())
    n_warn = con.execute("SELECT count(*) FROM problems WHERE severity = 'warning'").fetchone()[0]
    optional = json.loads(m.get("optional_tables", "{}"))
    register = optional.get("schools", True)  # False: a package of area totals
    return ExtractInfo(
        build_id=m["build_id"],
        built_at=m["built_at"],
        source_dir=m["source_dir"],
        package_source=ctry.package.source,
        licence=ctry.package.licence,
        attribution=ctry.package.attribution,
        synthetic=ctry.synthetic,
        boundaries_schematic=ctry.package.boundaries_schematic,
        boundary_files=json.loads(m.get("boundary_files", "[]")),
        country_name=ctry.name,
        country_name_local=ctry.name_local,
        iso3=ctry.iso3,
        years=json.loads(m["years"]),
        areas_by_level=tuple(int(counts.get(n, 0))
                             for n in range(1, len(ctry.admin_levels) + 1)),
        n_schools=(int(con.execute("SELECT count(*) FROM schools").fetchone()[0])
                   if register else None),
        pupils_by_year=by_year(
            "SELECT year, sum(enrolled) FROM agg_enrolment GROUP BY year ORDER BY year"),
        teachers_by_year=by_year(
            "SELECT year, sum(count) FROM teachers GROUP BY year ORDER BY year"),
        schools_by_year=by_year(
            "SELECT year, count(*) FROM reporting GROUP BY year ORDER BY year") if register
        else {},
        n_warnings=int(n_warn),
        optional_tables=optional,
        build_seconds=float(m.get("build_seconds", 0) or 0),
    )


def problems(con: duckdb.DuckDBPyConnection, severity: str | None = None) -> pd.DataFrame:
    """The build's problems (warnings; errors never reach an extract)."""
    if severity is None:
        return con.execute("SELECT * FROM problems ORDER BY seq").df()
    return con.execute("SELECT * FROM problems WHERE severity = ? ORDER BY seq",
                       [severity]).df()


def problem_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Warnings counted by kind, in the order of the checks."""
    return con.execute(
        "SELECT kind, any_value(severity) AS severity, count(*) AS n, min(seq) AS first "
        "FROM problems GROUP BY kind ORDER BY first").df().drop(columns="first")


def admin_units(con: duckdb.DuckDBPyConnection, level: int | None = None) -> pd.DataFrame:
    if level is None:
        return con.execute("SELECT * FROM admin_units ORDER BY code").df()
    return con.execute("SELECT * FROM admin_units WHERE level = ? ORDER BY code", [level]).df()


ATTACHED_NAME = "emis"


def connect_current(path: Path | str = DEFAULT_EXTRACT) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the extract as the file is *now*.

    ``duckdb.connect(path)`` reuses one database instance per path within a process: while
    any connection to it is open, a later ``connect`` after a rebuild (the new file moved
    into place) still serves the old file. Attaching the file to a fresh in-memory database
    always reads the file that is in place. Use :func:`cursor` for a connection per thread.
    """
    path = Path(path)
    if not path.is_file():
        raise ExtractMissing(f"No extract at {path}. Build one with "
                             f"`python -m lib build --source DIR --db {path}` or run `make demo`.")
    con = duckdb.connect(":memory:")
    quoted = str(path.resolve()).replace("'", "''")
    con.execute(f"ATTACH '{quoted}' AS {ATTACHED_NAME} (READ_ONLY)")
    con.execute(f"USE {ATTACHED_NAME}")
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A new connection to the same database as ``con`` (one per thread: connections are
    not safe to share between threads), reading the extract by unqualified table names."""
    cur = con.cursor()
    with _ATTACHED_LOCK:
        attached = _ATTACHED.get(con)
    if attached is None:
        attached = bool(cur.execute(
            "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?",
            [ATTACHED_NAME]).fetchone()[0])
        with _ATTACHED_LOCK:
            _ATTACHED[con] = attached
    if attached:
        cur.execute(f"USE {ATTACHED_NAME}")
    return cur


# Whether a connection has the extract attached (connect_current), asked once per connection.
_ATTACHED: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, bool] = \
    weakref.WeakKeyDictionary()
_ATTACHED_LOCK = threading.Lock()


# Tables of the extract added since its first version that this version cannot do without;
# an extract lacking one was built by an older version and must be rebuilt.
TABLES_SINCE_FIRST_VERSION = ("area_lineage",)


def outdated(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables this version reads that the extract lacks (empty: it is current)."""
    return [name for name in TABLES_SINCE_FIRST_VERSION if not has_table(con, name)]


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                            [name]).fetchone()[0])


BOUNDARY_REPORT_COLUMNS = ["file", "layer", "format", "crs", "features", "level", "why",
                           "code_property", "name_property", "matched", "skipped"]


def boundary_report(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every boundary file layer the build read: its level and why, or why it was not
    used (:class:`geo.boundaries.FileReport`); empty for an extract built before the
    report existed."""
    if not has_table(con, "boundary_report"):
        return pd.DataFrame(columns=BOUNDARY_REPORT_COLUMNS)
    return con.execute(f"SELECT {', '.join(BOUNDARY_REPORT_COLUMNS)} FROM boundary_report").df()


def area_pupils(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, int]:
    """Pupils enrolled in ``year`` in every area of every level, by admin code."""
    rows = con.execute("""
        SELECT al.code, sum(e.enrolled) FROM agg_enrolment e
        JOIN area_lineage al USING (district_code) WHERE e.year = ?
        GROUP BY al.code""", [int(year)]).fetchall()
    return {code: int(n or 0) for code, n in rows}


def boundaries(con: duckdb.DuckDBPyConnection, level: int, detail: str,
               parent: str | None = None) -> pd.DataFrame:
    """Polygons of one admin level at one detail (full, high, medium, low) as WKB:
    columns code, geometry; only the areas lying in ``parent`` (an area of any larger
    level) when given."""
    return con.execute(
        "SELECT b.code, b.geometry FROM boundaries b "
        "WHERE b.level = $level AND b.detail = $detail AND ($parent IS NULL OR b.code IN ("
        "SELECT a.code FROM area_lineage a JOIN area_lineage w USING (district_code) "
        "WHERE a.level = $level AND w.code = $parent)) ORDER BY b.code",
        {"level": level, "detail": detail, "parent": parent}).df()


def school_points(con: duckdb.DuckDBPyConnection, level_id: str, grades: list[int],
                  year: int, area: str | None = None) -> pd.DataFrame:
    """The schools offering an education level that are open in ``year`` (optionally in
    one area of any level), for the map: where they are, what they are, their pupils and teachers
    of that level in ``year``, and their facilities that year (NULL when they did not
    report them, or when the extract has no facilities table).

    Columns: school_id, name_en, name_local, district_code, province_code, latitude,
    longitude, has_location, ownership, locality, complete, multigrade, pupils, teachers,
    and each facility item (:data:`lib.vocabulary.FACILITY_ITEMS`).
    """
    facilities = (f"SELECT school_id, {facility_flags_sql()} FROM facilities f "
                  "WHERE year = $year" if has_table(con, "facilities") else
                  "SELECT NULL::VARCHAR AS school_id, "
                  + ", ".join(f"NULL::BOOLEAN AS {item}" for item in FACILITY_ITEMS)
                  + " WHERE false")
    items = ", ".join(f"f.{item}" for item in FACILITY_ITEMS)
    return con.execute(f"""
        WITH offering AS (SELECT DISTINCT school_id FROM school_levels WHERE level = $level),
        pupils AS (SELECT school_id, sum(enrolled) AS pupils FROM enrolment
                   WHERE year = $year AND list_contains($grades, grade) GROUP BY school_id),
        staff AS (SELECT school_id, sum(count) AS teachers FROM teachers
                  WHERE year = $year AND level = $level GROUP BY school_id),
        fac AS ({facilities})
        SELECT s.school_id, s.name_en, s.name_local, s.district_code, s.province_code,
               s.latitude, s.longitude, coalesce(s.has_location, false) AS has_location,
               s.ownership, s.locality, s.complete, s.multigrade,
               p.pupils, t.teachers, {items}
        FROM schools s JOIN offering o USING (school_id)
        LEFT JOIN pupils p USING (school_id) LEFT JOIN staff t USING (school_id)
        LEFT JOIN fac f USING (school_id)
        WHERE (s.opened_year IS NULL OR s.opened_year <= $year)
          AND (s.closed_year IS NULL OR s.closed_year > $year)
          AND ($area IS NULL OR {in_area_sql("s.district_code")})
        ORDER BY s.school_id""",
        {"level": level_id, "grades": [int(g) for g in grades], "year": int(year),
         "area": area}).df()


# --------------------------------------------------------------------------- Schools page
# Search (lib.schools plans it) and one school's profile. Extracts built before the search
# tables existed (school_search, school_words, school_totals) are searched the same way,
# only slower: the keys are then folded on the fly.

def _search_keys(con: duckdb.DuckDBPyConnection) -> str:
    from lib.aggregate import SEARCH_KEY_SQL, SEARCH_LOCAL_KEY_SQL

    if has_table(con, "school_search"):
        return "school_search"
    return (f"(SELECT school_id, {SEARCH_KEY_SQL} AS key, {SEARCH_LOCAL_KEY_SQL} AS key_local "
            "FROM schools)")


def _school_totals(con: duckdb.DuckDBPyConnection) -> str:
    """pupils and teachers of each school in $year."""
    if has_table(con, "school_totals"):
        return "(SELECT school_id, pupils, teachers FROM school_totals WHERE year = $year)"
    return ("(SELECT school_id, coalesce(p.pupils, 0) AS pupils, "
            "coalesce(t.teachers, 0) AS teachers FROM "
            "(SELECT school_id, sum(enrolled) AS pupils FROM enrolment WHERE year = $year "
            "GROUP BY ALL) p FULL OUTER JOIN (SELECT school_id, sum(count) AS teachers "
            "FROM teachers WHERE year = $year GROUP BY ALL) t USING (school_id))")


def similar_words(con: duckdb.DuckDBPyConnection, words: list[str], min_similarity: float,
                  per_word: int) -> dict[str, list[str]]:
    """For each of ``words`` that is in no word of the English school names, the words of
    those names most like it (Jaro–Winkler similarity at least ``min_similarity``), best
    first; a word found as typed gets none."""
    if not words:
        return {}
    from lib.aggregate import SEARCH_WORDS_SQL

    vocabulary = "school_words" if has_table(con, "school_words") else f"({SEARCH_WORDS_SQL})"
    rows = con.execute(f"""
        WITH v AS (SELECT word FROM {vocabulary}),
        q AS (SELECT unnest($words) AS word),
        unknown AS (SELECT word FROM q WHERE NOT EXISTS (
                        SELECT 1 FROM v WHERE contains(v.word, q.word)))
        SELECT u.word AS asked, v.word, jaro_winkler_similarity(v.word, u.word) AS sim
        FROM unknown u, v
        WHERE jaro_winkler_similarity(v.word, u.word) >= $min
        QUALIFY row_number() OVER (PARTITION BY u.word ORDER BY sim DESC, v.word) <= $n
        ORDER BY asked, sim DESC, v.word""",
        {"words": list(words), "min": float(min_similarity), "n": int(per_word)}).fetchall()
    out: dict[str, list[str]] = {w: [] for w in words}
    for asked, word, _ in rows:
        out[asked].append(word)
    return out


SEARCH_COLUMNS = ["school_id", "name_en", "name_local", "district_code", "province_code",
                  "ownership", "locality", "levels", "complete", "multigrade", "pupils",
                  "teachers", "ptr", "literal"]


def search_schools(con: duckdb.DuckDBPyConnection, query, plan, limit: int):
    """The schools that match ``plan`` (a :class:`lib.schools.SearchPlan`) and the filters
    of ``query`` (a :class:`lib.schools.SchoolQuery`): an exact id first, then schools
    where every word was found as typed, then by close words, the closest first; by name
    within each.
    Returns a :class:`lib.schools.SearchResult` with :data:`SEARCH_COLUMNS` (pupils,
    teachers and pupils per teacher in the query's year)."""
    from lib.schools import SearchResult, is_latin_word

    params: dict[str, object] = {"year": int(query.year), "limit": int(limit)}
    literal, matched, distance = [], [], []
    for i, term in enumerate(plan.terms):
        column = "k.key" if is_latin_word(term.text) else "k.key_local"
        params[f"t{i}"] = term.text
        found = f"contains({column}, $t{i})"
        literal.append(found)
        options = [found]
        for j, word in enumerate(term.alternatives):  # the closest word first
            params[f"t{i}_{j}"] = word
            options.append(f"contains(k.key, $t{i}_{j})")
        matched.append("(" + " OR ".join(options) + ")")
        distance.append("CASE " + " ".join(f"WHEN {o} THEN {j}" for j, o in enumerate(options))
                        + " END")
    where = ["TRUE"]  # conditions on the register s and the year's totals t
    if query.area:
        params["area"] = query.area
        where.append(in_area_sql("s.district_code") if has_table(con, "area_lineage") else
                     "(s.district_code = $area OR s.province_code = $area)")  # an old extract
    if query.scope is not None:  # the searcher may see these areas only (lib.access)
        params["scope"] = list(query.scope)
        where.append("s.district_code IN (SELECT district_code FROM area_lineage "
                     "WHERE list_contains($scope, code))" if has_table(con, "area_lineage")
                     else "(list_contains($scope, s.district_code) OR "
                     "list_contains($scope, s.province_code))")
    if query.levels:
        params["levels"] = list(query.levels)
        where.append("s.school_id IN (SELECT school_id FROM school_levels "
                     "WHERE list_contains($levels, level))")
    if query.ownership:
        params["ownership"] = list(query.ownership)
        where.append("list_contains($ownership, s.ownership)")
    if query.locality:
        params["locality"] = list(query.locality)
        where.append("list_contains($locality, s.locality)")
    if query.complete is not None:
        params["complete"] = bool(query.complete)
        where.append("s.complete = $complete")
    if query.multigrade is not None:
        params["multigrade"] = bool(query.multigrade)
        where.append("s.multigrade = $multigrade")
    if query.facility:
        if not has_table(con, "facilities"):
            where.append("FALSE")
        else:
            where.append("s.school_id IN (SELECT f.school_id FROM facilities f "
                         f"WHERE f.year = $year AND {FACILITY[query.facility].sql})")
    ptr = query.ptr_min is not None or query.ptr_max is not None
    if query.ptr_min is not None:
        params["ptr_min"] = float(query.ptr_min)
        where.append("t.pupils >= $ptr_min * t.teachers")
    if query.ptr_max is not None:
        params["ptr_max"] = float(query.ptr_max)
        where.append("t.pupils <= $ptr_max * t.teachers")
    if ptr:
        where.append("t.teachers > 0")
    keys = _search_keys(con)
    if plan.terms:
        params["code"] = plan.code
        hits = (f"SELECT k.school_id, k.key, ({' AND '.join(literal)}) AS literal, "
                f"split_part(k.key, '|', 2) = $code AS exact, "
                f"{' + '.join(distance)} AS distance "
                f"FROM {keys} k WHERE {' AND '.join(matched)}")
    else:
        hits = (f"SELECT k.school_id, k.key, TRUE AS literal, FALSE AS exact, 0 AS distance "
                f"FROM {keys} k")
    totals = _school_totals(con)
    if len(where) > 1:  # filters on the register (and the year's totals)
        found = (f"SELECT h.* FROM hits h JOIN schools s USING (school_id) "
                 f"{f'JOIN {totals} t USING (school_id)' if ptr else ''} "
                 f"WHERE {' AND '.join(where)}")
    else:
        found = "SELECT * FROM hits"
    # Counted, and only the page of matches (ordered by the folded name, which the key
    # starts with) joined to the register and the year's totals: a search that matches a
    # million schools never joins a million rows. The keys are scanned once for a text
    # (materialised matches); without one, reading them twice is cheaper than keeping
    # them all.
    sql = f"""
        WITH hits AS {"MATERIALIZED" if plan.terms else "NOT MATERIALIZED"} ({hits}),
        found AS NOT MATERIALIZED ({found}),
        page AS (SELECT * FROM found ORDER BY exact DESC, literal DESC, distance, key,
                 school_id LIMIT $limit)
        SELECT s.school_id, s.name_en, s.name_local, s.district_code, s.province_code,
               s.ownership, s.locality, s.levels, s.complete, s.multigrade,
               t.pupils, t.teachers,
               CASE WHEN t.teachers > 0 THEN t.pupils / t.teachers END AS ptr,
               p.literal, p.exact, (SELECT count(*) FROM found) AS total
        FROM page p JOIN schools s USING (school_id)
        LEFT JOIN {totals} t USING (school_id)
        ORDER BY p.exact DESC, p.literal DESC, p.distance, p.key, p.school_id"""
    frame = con.execute(sql, {k: v for k, v in params.items()
                              if re.search(rf"\${k}\b", sql)}).df()
    total = int(frame["total"].iloc[0]) if not frame.empty else 0
    return SearchResult(frame[SEARCH_COLUMNS].reset_index(drop=True), total, plan.fuzzy)


def school_areas(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """School id -> the code of its area of the finest admin level (none without a
    register)."""
    if not has_table(con, "schools"):
        return {}
    return {str(school): str(area) for school, area in con.execute(
        "SELECT school_id, district_code FROM schools").fetchall()}


def school_exists(con: duckdb.DuckDBPyConnection, school_id: str) -> bool:
    return con.execute("SELECT count(*) FROM schools WHERE school_id = ?",
                       [str(school_id)]).fetchone()[0] > 0


def school(con: duckdb.DuckDBPyConnection, school_id: str) -> dict | None:
    """One school of the register with the names of its district and province (and of
    the district its point lies in), or None."""
    frame = con.execute("""
        SELECT s.*, d.name_en AS district_name_en, d.name_local AS district_name_local,
               p.name_en AS province_name_en, p.name_local AS province_name_local,
               ld.name_en AS located_name_en, ld.name_local AS located_name_local
        FROM schools s LEFT JOIN admin_units d ON d.code = s.district_code
        LEFT JOIN admin_units p ON p.code = s.province_code
        LEFT JOIN admin_units ld ON ld.code = s.located_district
        WHERE s.school_id = ?""", [str(school_id)]).df()
    if frame.empty:
        return None
    row = frame.iloc[0].to_dict()
    return {k: (None if v is pd.NA or (isinstance(v, float) and v != v) else v)
            for k, v in row.items()}


def first_school(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str] | None:
    """The first school of the register by code: (school_id, name_en, name_local), or None.
    The school search shows it as an example of what to type."""
    row = con.execute("SELECT school_id, name_en, name_local FROM schools "
                      "ORDER BY school_id LIMIT 1").fetchone()
    return None if row is None else tuple("" if v is None else str(v) for v in row)


def school_enrolment(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """Pupils of one school by year, grade and sex (ages summed): year, grade, sex,
    enrolled, repeaters."""
    return con.execute("""
        SELECT year, grade, sex, CAST(sum(enrolled) AS DOUBLE) AS enrolled,
               CAST(sum(coalesce(repeaters, 0)) AS DOUBLE) AS repeaters
        FROM enrolment WHERE school_id = ? GROUP BY ALL ORDER BY ALL""",
        [str(school_id)]).df()


def school_teachers(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """year, level, sex, qualified, trained, count of one school."""
    return con.execute("""
        SELECT year, level, sex, qualified, trained, CAST(sum(count) AS DOUBLE) AS count
        FROM teachers WHERE school_id = ? GROUP BY ALL ORDER BY ALL""",
        [str(school_id)]).df()


def school_facilities(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """One school's facilities, one row per year (no rows without a facilities table)."""
    if not has_table(con, "facilities"):
        return pd.DataFrame(columns=[c.name for c in TABLE["facilities"].columns])
    return con.execute("SELECT * FROM facilities WHERE school_id = ? ORDER BY year",
                       [str(school_id)]).df()


def school_groups(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """Pupils of one school by year, dimension, group and sex (grades summed): year,
    dimension, group, sex, enrolled (no rows without a table of pupils by group)."""
    if not has_table(con, "enrolment_groups"):
        return pd.DataFrame(columns=["year", "dimension", "group", "sex", "enrolled"])
    return con.execute("""
        SELECT year, dimension, "group", sex, CAST(sum(enrolled) AS DOUBLE) AS enrolled
        FROM enrolment_groups WHERE school_id = ? GROUP BY ALL ORDER BY ALL""",
        [str(school_id)]).df()


def school_functioning(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """Pupils of one school at the Child Functioning Module's cut-off, by year, domain
    (``any``: each pupil once) and sex: year, domain, sex, pupils (no rows without a
    functioning table; a year the school reports has its rows, zeros included)."""
    if not has_table(con, "functioning"):
        return pd.DataFrame(columns=["year", "domain", "sex", "pupils"])
    return con.execute(f"""
        SELECT year, domain, sex,
               CAST(sum(CASE WHEN {AT_CUT_OFF} THEN pupils ELSE 0 END) AS DOUBLE) AS pupils
        FROM functioning f WHERE school_id = ? GROUP BY ALL ORDER BY ALL""",
        [str(school_id)]).df()


def school_problems(con: duckdb.DuckDBPyConnection, school_id: str) -> pd.DataFrame:
    """The build's warnings about one school."""
    return con.execute("SELECT * FROM problems WHERE school_id = ? ORDER BY seq",
                       [str(school_id)]).df()


# --------------------------------------------------------------------------- Data quality


def reporting_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per census year and area of the finest level: schools open (in the register, opened
    and not yet closed) and how many of them reported (had enrolment rows). Every such area
    appears, also one without schools. Columns: year, district_code, province_code (its
    area of level 1), open, reported."""
    return con.execute("""
        WITH y AS (SELECT DISTINCT year FROM reporting),
        open AS (SELECT y.year, s.school_id, s.district_code FROM schools s CROSS JOIN y
                 WHERE (s.opened_year IS NULL OR s.opened_year <= y.year)
                   AND (s.closed_year IS NULL OR y.year < s.closed_year)),
        counts AS (SELECT o.year, o.district_code, count(*) AS open,
                          count(r.school_id) AS reported
                   FROM open o LEFT JOIN reporting r USING (year, school_id) GROUP BY ALL)
        SELECT y.year, d.district_code, d.province_code,
               coalesce(c.open, 0) AS open, coalesce(c.reported, 0) AS reported
        FROM agg_districts d CROSS JOIN y
        LEFT JOIN counts c ON c.district_code = d.district_code AND c.year = y.year
        ORDER BY y.year, d.district_code""").df()


def problems_named(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The build's warnings with the names of the school and area they concern: the
    columns of ``problems`` then school_name_en, school_name_local, district_code,
    province_code (the school's area of the finest level and of level 1; for a warning
    about an area, the area itself if of the finest level, and its area of level 1)."""
    return con.execute("""
        WITH top AS (SELECT DISTINCT w.code, t.code AS top FROM area_lineage w
                     JOIN area_lineage t ON t.district_code = w.district_code AND t.level = 1)
        SELECT p.*, s.name_en AS school_name_en, s.name_local AS school_name_local,
               coalesce(s.district_code, CASE WHEN u.level = (SELECT max(level)
                                                 FROM admin_units) THEN u.code END)
                   AS district_code,
               coalesce(s.province_code, top.top) AS province_code
        FROM problems p LEFT JOIN schools s USING (school_id)
        LEFT JOIN admin_units u ON u.code = p.unit_code
        LEFT JOIN top ON top.code = p.unit_code
        ORDER BY p.seq""").df()


def location_issues(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Schools that cannot be placed or lie outside their district: school_id, name_en,
    name_local, district_code, province_code, latitude, longitude, located_district and
    issue (no_coordinates, coordinates_outside_country or outside_district)."""
    return con.execute("""
        SELECT school_id, name_en, name_local, district_code, province_code, latitude,
               longitude, located_district,
               CASE WHEN latitude IS NULL OR longitude IS NULL OR isnan(latitude)
                         OR isnan(longitude) THEN 'no_coordinates'
                    WHEN NOT coalesce(has_location, false) THEN 'coordinates_outside_country'
                    ELSE 'outside_district' END AS issue
        FROM schools
        WHERE NOT coalesce(has_location, false) OR coalesce(outside_district, false)
        ORDER BY issue, school_id""").df()


def shared_points(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Schools placed at exactly the same point as another school (likely duplicates or
    copied coordinates): point (1, 2, … per point), n (schools at that point), school_id,
    name_en, name_local, district_code, province_code, latitude, longitude."""
    return con.execute("""
        WITH placed AS (SELECT * FROM schools WHERE coalesce(has_location, false)),
        points AS (SELECT latitude, longitude, count(*) AS n FROM placed
                   GROUP BY ALL HAVING count(*) >= 2)
        SELECT dense_rank() OVER (ORDER BY p.latitude, p.longitude) AS point, p.n,
               s.school_id, s.name_en, s.name_local, s.district_code, s.province_code,
               s.latitude, s.longitude
        FROM points p JOIN placed s USING (latitude, longitude)
        ORDER BY point, s.school_id""").df()
