"""Checks that warn without stopping a build: reporting, implausible values, locations.

They run on the typed tables of a package that passed :mod:`lib.validate`; what they find
is stored in the extract for the Data quality page. The thresholds are named here once.
"""
from __future__ import annotations

import duckdb
import geopandas as gpd
import numpy as np

from lib.country import Country
from lib.package import create_table_from_frame
from lib.problems import ProblemLog
from lib.vocabulary import ANY_DOMAIN, CFM_CUT_OFF

PTR_MAX = 100  # pupils per teacher above this is implausible for a school
PTR_MIN = 3
JUMP_SHARE = 0.5  # enrolment change from one reported year to the next, as a share …
JUMP_MIN_PUPILS = 20  # … and at least this many pupils, so tiny schools are not flagged
AGE_BELOW_OFFICIAL = 2  # ages further than this below the grade's official age are implausible
AGE_ABOVE_OFFICIAL = 5  # … or further than this above it
BOUNDS_MARGIN_DEG = 0.05  # coordinates this far outside the country's box are outside it
# Counts beyond what any school or district has (the largest schools have a few tens of
# thousands of pupils): typing accidents that would swamp every rate they enter.
SCHOOL_COUNT_LIMITS = (  # (table, count column, template, most one school has in a year)
    ("enrolment", "enrolled", "implausible_pupils", 50_000),
    ("teachers", "count", "implausible_teachers", 2_000),
    ("facilities", "classrooms", "implausible_classrooms", 1_000),
)
DISTRICT_COHORT_MAX = 1_000_000  # children of one district, sex and single age


def check_reporting(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                    file: str = "enrolment") -> None:
    """Open schools without enrolment rows in a census year ("non-reporting")."""
    rows = con.execute("""
        SELECT s.school_id, y.year, s.district_code
        FROM schools s CROSS JOIN (SELECT DISTINCT year FROM enrolment) y
        WHERE (s.opened_year IS NULL OR s.opened_year <= y.year)
          AND (s.closed_year IS NULL OR y.year < s.closed_year)
          AND NOT EXISTS (SELECT 1 FROM reporting r
                          WHERE r.school_id = s.school_id AND r.year = y.year)
        ORDER BY y.year, s.school_id""").fetchall()
    for school_id, year, district in rows:
        log.warn("non_reporting",
                 {"school": school_id, "school_year": f"{year}–{str(year + 1)[-2:]}"},
                 file=file, school_id=school_id, unit_code=district, year=int(year))


def check_pupil_teacher_ratio(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                              file: str = "teachers") -> None:
    rows = con.execute(f"""
        WITH p AS (SELECT year, school_id, sum(enrolled) AS pupils FROM enrolment
                   GROUP BY ALL),
             t AS (SELECT year, school_id, sum(count) AS teachers FROM teachers GROUP BY ALL)
        SELECT p.year, p.school_id, s.district_code, p.pupils, coalesce(t.teachers, 0)
        FROM p LEFT JOIN t USING (year, school_id) JOIN schools s USING (school_id)
        WHERE p.pupils > 0 AND (coalesce(t.teachers, 0) = 0
              OR p.pupils / t.teachers > {PTR_MAX} OR p.pupils / t.teachers < {PTR_MIN})
        ORDER BY p.year, p.school_id""").fetchall()
    for year, school_id, district, pupils, teachers in rows:
        params = {"school": school_id, "pupils": int(pupils), "year": int(year)}
        if teachers == 0:
            template = "ptr_no_teachers"
        else:
            template = "ptr_implausible"
            params.update(teachers=int(teachers), ratio=round(pupils / teachers, 1),
                          low=PTR_MIN, high=PTR_MAX)
        log.warn("ptr_implausible", params, template=template, file=file,
                 school_id=school_id, unit_code=district, year=int(year))


def check_enrolment_jumps(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                          file: str = "enrolment") -> None:
    rows = con.execute(f"""
        WITH p AS (SELECT school_id, year, sum(enrolled) AS pupils FROM enrolment
                   GROUP BY ALL),
             pairs AS (SELECT cur.school_id, cur.year, prev.pupils AS before,
                              cur.pupils AS after
                       FROM p cur JOIN p prev ON prev.school_id = cur.school_id
                                             AND prev.year = cur.year - 1)
        SELECT pairs.*, s.district_code FROM pairs JOIN schools s USING (school_id)
        WHERE abs(after - before) > {JUMP_SHARE} * before
          AND abs(after - before) >= {JUMP_MIN_PUPILS}
        ORDER BY year, school_id""").fetchall()
    for school_id, year, before, after, district in rows:
        change = (after - before) / before * 100 if before else float("inf")
        log.warn("enrolment_jump",
                 {"school": school_id, "before": int(before), "previous": int(year) - 1,
                  "after": int(after), "year": int(year), "change": change},
                 file=file, school_id=school_id, unit_code=district, year=int(year))


def check_ages(con: duckdb.DuckDBPyConnection, country: Country, log: ProblemLog,
               file: str = "enrolment") -> None:
    """Pupils whose age is far from the official age of their grade."""
    bounds = [(g, *country.official_ages(g)) for g in country.grades]
    con.execute("CREATE OR REPLACE TEMP TABLE grade_ages (grade INTEGER, lo INTEGER, "
                "hi INTEGER)")
    con.executemany("INSERT INTO grade_ages VALUES (?, ?, ?)", bounds)
    rows = con.execute(f"""
        SELECT e.year, e.school_id, s.district_code, sum(e.enrolled) AS pupils,
               min(e.age) AS youngest, max(e.age) AS oldest,
               string_agg(DISTINCT CAST(e.grade AS VARCHAR), ', ' ORDER BY CAST(e.grade AS VARCHAR)) AS grades
        FROM enrolment e JOIN grade_ages g USING (grade) JOIN schools s USING (school_id)
        WHERE e.enrolled > 0 AND (e.age < g.lo - {AGE_BELOW_OFFICIAL}
                                  OR e.age > g.hi + {AGE_ABOVE_OFFICIAL})
        GROUP BY ALL ORDER BY e.year, e.school_id""").fetchall()
    for year, school_id, district, pupils, youngest, oldest, grades in rows:
        ages = f"{youngest}" if youngest == oldest else f"{youngest}–{oldest}"
        log.warn("age_grade_mismatch",
                 {"school": school_id, "ages": ages, "grades": grades, "year": int(year),
                  "pupils": int(pupils)},
                 file=file, school_id=school_id, unit_code=district, year=int(year))


def check_counts(con: duckdb.DuckDBPyConnection, files: dict[str, str], log: ProblemLog
                 ) -> None:
    """Counts beyond plausible bounds: a school's pupils, teachers or classrooms in a year,
    a district's children of one sex and age (``files``: the file of each table given)."""
    for table, column, template, limit in SCHOOL_COUNT_LIMITS:
        if table not in files:
            continue
        rows = con.execute(f"""
            SELECT t.year, t.school_id, s.district_code, sum(t.{column}) AS n
            FROM {table} t JOIN schools s USING (school_id)
            GROUP BY ALL HAVING sum(t.{column}) > $limit
            ORDER BY t.year, t.school_id""", {"limit": limit}).fetchall()
        for year, school_id, district, n in rows:
            log.warn("implausible_count", {"school": school_id, "count": int(n),
                                           "year": int(year), "limit": limit},
                     template=template, file=files[table], column=column,
                     school_id=school_id, unit_code=district, year=int(year))
    if "population" not in files:
        return
    rows = con.execute("""
        SELECT year, district_code, sex, age, population FROM population
        WHERE population > $limit ORDER BY year, district_code, sex, age""",
                       {"limit": DISTRICT_COHORT_MAX}).fetchall()
    for year, code, sex, age, population in rows:
        log.warn("implausible_count", {"code": code, "year": int(year), "sex": sex,
                                       "age": int(age), "count": float(population),
                                       "limit": DISTRICT_COHORT_MAX},
                 template="implausible_population", file=files["population"],
                 column="population", unit_code=code, year=int(year))


def _school_year(year: int) -> str:
    return f"{year}–{str(year + 1)[-2:]}"


def check_groups(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                 file: str = "enrolment_groups") -> None:
    """Pupils by group that do not add up to the enrolment of the same school, grade and
    sex (a group counted twice, or pupils left out), and dimensions that only some of the
    reporting schools report (their areas' shares describe the schools that do)."""
    rows = con.execute("""
        WITH g AS (SELECT year, school_id, dimension, grade, sex, sum(enrolled) AS grouped
                   FROM enrolment_groups GROUP BY ALL),
             e AS (SELECT year, school_id, grade, sex, sum(enrolled) AS pupils
                   FROM enrolment GROUP BY ALL)
        SELECT g.year, g.school_id, s.district_code, g.dimension, sum(g.grouped) AS grouped,
               sum(coalesce(e.pupils, 0)) AS pupils
        FROM g LEFT JOIN e ON e.year = g.year AND e.school_id = g.school_id
                          AND e.grade IS NOT DISTINCT FROM g.grade AND e.sex = g.sex
        JOIN schools s ON s.school_id = g.school_id
        GROUP BY ALL HAVING sum(g.grouped) <> sum(coalesce(e.pupils, 0))
        ORDER BY g.year, g.school_id, g.dimension""").fetchall()
    for year, school_id, district, dimension, grouped, pupils in rows:
        log.warn("groups_mismatch", {"school": school_id, "dimension": dimension,
                                     "grouped": int(grouped), "pupils": int(pupils),
                                     "year": _school_year(int(year))},
                 file=file, school_id=school_id, unit_code=district, year=int(year))
    partial = con.execute("""
        SELECT r.year, d.dimension, count(DISTINCT g.school_id) AS reporting,
               count(DISTINCT r.school_id) AS schools
        FROM reporting r CROSS JOIN (SELECT DISTINCT dimension FROM enrolment_groups) d
        LEFT JOIN (SELECT DISTINCT year, school_id, dimension FROM enrolment_groups) g
               ON g.year = r.year AND g.school_id = r.school_id AND g.dimension = d.dimension
        WHERE r.year IN (SELECT year FROM enrolment_groups WHERE dimension = d.dimension)
        GROUP BY ALL HAVING count(DISTINCT g.school_id) < count(DISTINCT r.school_id)
        ORDER BY r.year, d.dimension""").fetchall()
    for year, dimension, reporting, schools in partial:
        log.warn("groups_partial", {"dimension": dimension, "reporting": int(reporting),
                                    "schools": int(schools), "year": _school_year(int(year))},
                 file=file, year=int(year))


def check_functioning(con: duckdb.DuckDBPyConnection, log: ProblemLog,
                      file: str = "functioning") -> None:
    """Answers that cannot all be right: more pupils answered for than enrolled (in a grade
    and sex), or more pupils at the cut-off in one domain than in any domain."""
    cut_off = ", ".join(f"'{d}'" for d in CFM_CUT_OFF)
    rows = con.execute(f"""
        WITH f AS (SELECT year, school_id, grade, sex, domain,
                          sum(pupils) AS answered,
                          sum(CASE WHEN degree IN ({cut_off}) THEN pupils ELSE 0 END) AS at_cut
                   FROM functioning GROUP BY ALL),
             cells AS (
                SELECT year, school_id, grade, sex,
                       max(CASE WHEN domain = '{ANY_DOMAIN}' THEN answered ELSE 0 END) AS answered,
                       max(CASE WHEN domain = '{ANY_DOMAIN}' THEN at_cut ELSE 0 END) AS any_cut,
                       max(CASE WHEN domain <> '{ANY_DOMAIN}' THEN at_cut ELSE 0 END) AS domain_cut
                FROM f GROUP BY ALL),
             e AS (SELECT year, school_id, grade, sex, sum(enrolled) AS pupils
                   FROM enrolment GROUP BY ALL)
        SELECT c.year, c.school_id, s.district_code,
               sum(c.answered) FILTER (WHERE c.answered > coalesce(e.pupils, 0)) AS over,
               sum(coalesce(e.pupils, 0)) FILTER (WHERE c.answered > coalesce(e.pupils, 0)),
               count(*) FILTER (WHERE c.domain_cut > c.any_cut) AS above_any
        FROM cells c LEFT JOIN e ON e.year = c.year AND e.school_id = c.school_id
                                AND e.grade IS NOT DISTINCT FROM c.grade AND e.sex = c.sex
        JOIN schools s ON s.school_id = c.school_id
        GROUP BY ALL
        HAVING count(*) FILTER (WHERE c.answered > coalesce(e.pupils, 0)
                                   OR c.domain_cut > c.any_cut) > 0
        ORDER BY c.year, c.school_id""").fetchall()
    for year, school_id, district, over, pupils, above_any in rows:
        where = dict(file=file, school_id=school_id, unit_code=district, year=int(year))
        params = {"school": school_id, "year": _school_year(int(year))}
        if over:
            log.warn("functioning_implausible", {**params, "answered": int(over),
                                                 "pupils": int(pupils or 0)},
                     template="functioning_above_enrolment", **where)
        if above_any:
            log.warn("functioning_implausible", {**params, "cells": int(above_any)},
                     template="functioning_domain_above_any", **where)


def age_spans(ages: list[int]) -> str:
    """Ages as spans: ``11–14, 17``."""
    spans: list[list[int]] = []
    for age in sorted(ages):
        if spans and age == spans[-1][1] + 1:
            spans[-1][1] = age
        else:
            spans.append([age, age])
    return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in spans)


def needed_ages(country: Country) -> list[int]:
    """The single ages population-based rates divide by: every level's official ages, and
    the year before the entry age (participation one year before primary)."""
    ages = {country.level(country.entry_level).official_age_min - 1}
    for level in country.levels:
        ages |= set(range(level.official_age_min, level.official_age_max + 1))
    return sorted(ages)


def check_population(con: duckdb.DuckDBPyConnection, country: Country, has_population: bool,
                     log: ProblemLog, file: str = "population") -> None:
    """Districts and years without population, and population without some of the single
    ages (and both sexes) that the rates divide by: their rates would be too high."""
    if not has_population:
        return
    rows = con.execute("""
        SELECT a.code, a.name_en, y.year FROM admin_units a
        CROSS JOIN (SELECT DISTINCT year FROM enrolment) y
        WHERE a.level = (SELECT max(level) FROM admin_units) AND NOT EXISTS (
            SELECT 1 FROM population p WHERE p.district_code = a.code AND p.year = y.year)
        ORDER BY y.year, a.code""").fetchall()
    for code, name, year in rows:
        log.warn("no_population", {"name": name, "code": code, "year": int(year)},
                 file=file, unit_code=code, year=int(year))
    _check_population_ages(con, country, log, file)


def _check_population_ages(con: duckdb.DuckDBPyConnection, country: Country,
                           log: ProblemLog, file: str) -> None:
    """One warning per year and set of missing ages: for the whole package when most
    districts lack the same ages (population given in age groups, or for primary ages
    only), else one per district."""
    needed = needed_ages(country)
    rows = con.execute("""
        WITH given AS (SELECT DISTINCT district_code, year FROM population),
        ages AS (SELECT unnest($ages) AS age),
        covered AS (SELECT district_code, year, age FROM population
                    WHERE population IS NOT NULL GROUP BY ALL
                    HAVING count(DISTINCT sex) = 2)
        SELECT g.year, g.district_code, list(a.age ORDER BY a.age) AS missing
        FROM given g CROSS JOIN ages a
        WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.district_code = g.district_code
                          AND c.year = g.year AND c.age = a.age)
        GROUP BY ALL ORDER BY g.year, g.district_code""", {"ages": needed}).fetchall()
    districts = con.execute("SELECT count(*) FROM admin_units "
                            "WHERE level = (SELECT max(level) FROM admin_units)").fetchone()[0]
    groups: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for year, code, missing in rows:
        groups.setdefault((int(year), tuple(missing)), []).append(code)
    for (year, missing), codes in groups.items():
        affected = [lv.id for lv in country.levels if set(missing) & set(
            range(lv.official_age_min, lv.official_age_max + 1))]
        params = {"year": year, "ages": age_spans(list(missing)),
                  "needed": age_spans(needed), "levels": affected,
                  "level_names": ", ".join(country.level(i).name_en for i in affected)}
        if len(codes) >= max(2, districts // 2):
            log.warn("population_ages", {**params, "n": len(codes)},
                     template="population_ages_most", file=file, year=year)
            continue
        for code in codes:
            log.warn("population_ages", {**params, "code": code}, file=file, unit_code=code,
                     year=year)


def check_locations(con: duckdb.DuckDBPyConnection, districts: gpd.GeoDataFrame,
                    country_bounds: tuple[float, float, float, float],
                    log: ProblemLog, file: str = "schools", level: int | None = None) -> None:
    """Flag schools without usable coordinates or outside their area's polygon.

    ``districts``: the polygons of admin level ``level`` (the finest level with polygons;
    by default the finest level, that of the schools' ``district_code``): a school is
    checked against the area of that level it lies in. Adds to ``schools`` the columns
    ``has_location`` (the point may be drawn), ``outside_district`` and
    ``located_district`` (the area of that level its point lies in).
    """
    from geo.sample import district_of_points

    area = ("s.district_code" if level is None else
            f"(SELECT al.code FROM area_lineage al WHERE al.district_code = s.district_code "
            f"AND al.level = {int(level)})")
    frame = con.execute(f"SELECT s.school_id, {area} AS district_code, s.latitude, "
                        "s.longitude FROM schools s ORDER BY s.school_id").df()
    lat = frame["latitude"].to_numpy(dtype=float)
    lon = frame["longitude"].to_numpy(dtype=float)
    missing = np.isnan(lat) | np.isnan(lon)
    minx, miny, maxx, maxy = country_bounds
    m = BOUNDS_MARGIN_DEG
    outside_box = ~missing & ((lon < minx - m) | (lon > maxx + m) | (lat < miny - m)
                              | (lat > maxy + m))
    located = ~missing & ~outside_box
    found = np.full(len(frame), "", dtype=object)
    if located.any():
        found[located] = district_of_points(lon[located], lat[located], districts)
    with_polygon = frame["district_code"].isin(set(districts["code"])).to_numpy()
    outside = located & with_polygon & (found != frame["district_code"].to_numpy())
    for i in np.flatnonzero(missing):
        log.warn("no_coordinates", {"school": frame.school_id[i]},
                 file=file, column="latitude", school_id=frame.school_id[i],
                 unit_code=frame.district_code[i])
    for i in np.flatnonzero(outside_box):
        log.warn("coordinates_outside_country",
                 {"school": frame.school_id[i], "latitude": float(lat[i]),
                  "longitude": float(lon[i])},
                 file=file, column="latitude", school_id=frame.school_id[i],
                 unit_code=frame.district_code[i])
    for i in np.flatnonzero(outside):
        log.warn("outside_district",
                 {"school": frame.school_id[i], "found": found[i],
                  "district": frame.district_code[i]},
                 template="" if found[i] else "outside_every_district", file=file, column="latitude", school_id=frame.school_id[i],
                 unit_code=frame.district_code[i])
    flags = frame[["school_id"]].assign(has_location=located, outside_district=outside,
                                        located_district=np.where(found == "", None, found))
    create_table_from_frame(con, "location_flags", flags)
    con.execute("CREATE OR REPLACE TABLE schools AS SELECT s.*, f.has_location, "
                "f.outside_district, f.located_district FROM schools s "
                "JOIN location_flags f USING (school_id) ORDER BY school_id")
    con.execute("DROP TABLE location_flags")
