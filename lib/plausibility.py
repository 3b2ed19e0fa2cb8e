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

PTR_MAX = 100  # pupils per teacher above this is implausible for a school
PTR_MIN = 3
JUMP_SHARE = 0.5  # enrolment change from one reported year to the next, as a share …
JUMP_MIN_PUPILS = 20  # … and at least this many pupils, so tiny schools are not flagged
AGE_BELOW_OFFICIAL = 2  # ages further than this below the grade's official age are implausible
AGE_ABOVE_OFFICIAL = 5  # … or further than this above it
BOUNDS_MARGIN_DEG = 0.05  # coordinates this far outside the country's box are outside it


def _pupils(n: float) -> str:
    return f"{int(n):,} pupil" + ("" if int(n) == 1 else "s")


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
        log.warning("non_reporting", f"school {school_id} is open but reported no enrolment "
                    f"in {year}–{str(year + 1)[-2:]}", file=file, school_id=school_id,
                    unit_code=district, year=int(year))


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
        if teachers == 0:
            message = f"school {school_id}: {_pupils(pupils)} but no teachers in {year}"
        else:
            message = (f"school {school_id}: {_pupils(pupils)} for {int(teachers):,} teachers "
                       f"in {year}: "
                       f"{pupils / teachers:.1f} pupils per teacher is implausible "
                       f"(expected {PTR_MIN}–{PTR_MAX})")
        log.warning("ptr_implausible", message, file=file, school_id=school_id,
                    unit_code=district, year=int(year))


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
        log.warning("enrolment_jump", f"school {school_id}: enrolment went from "
                    f"{int(before):,} in {year - 1} to {int(after):,} in {year} "
                    f"({change:+.0f}%)", file=file,
                    school_id=school_id, unit_code=district, year=int(year))


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
        log.warning("age_grade_mismatch", f"school {school_id}: {_pupils(pupils)} in grade "
                    f"{grades} aged {ages} in {year}, far from the official age of the grade",
                    file=file, school_id=school_id, unit_code=district, year=int(year))


def check_population(con: duckdb.DuckDBPyConnection, has_population: bool,
                     log: ProblemLog, file: str = "population") -> None:
    if not has_population:
        return
    rows = con.execute("""
        SELECT a.code, a.name_en, y.year FROM admin_units a
        CROSS JOIN (SELECT DISTINCT year FROM enrolment) y
        WHERE a.level = 2 AND NOT EXISTS (
            SELECT 1 FROM population p WHERE p.district_code = a.code AND p.year = y.year)
        ORDER BY y.year, a.code""").fetchall()
    for code, name, year in rows:
        log.warning("no_population", f"no population for {name} ({code}) in {year}: its "
                    f"population-based rates show no data", file=file, unit_code=code,
                    year=int(year))


def check_locations(con: duckdb.DuckDBPyConnection, districts: gpd.GeoDataFrame,
                    country_bounds: tuple[float, float, float, float],
                    log: ProblemLog, file: str = "schools") -> None:
    """Flag schools without usable coordinates or outside their district's polygon.

    Adds to ``schools`` the columns ``has_location`` (the point may be drawn) and
    ``outside_district``.
    """
    from geo.sample import district_of_points

    frame = con.execute("SELECT school_id, district_code, latitude, longitude FROM schools "
                        "ORDER BY school_id").df()
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
        log.warning("no_coordinates", f"school {frame.school_id[i]} has no coordinates; it is "
                    "not placed on the map", file=file, column="latitude",
                    school_id=frame.school_id[i], unit_code=frame.district_code[i])
    for i in np.flatnonzero(outside_box):
        log.warning("coordinates_outside_country",
                    f"school {frame.school_id[i]}: latitude {lat[i]:g}, longitude {lon[i]:g} "
                    "lies outside the country (are latitude and longitude swapped?); it is not "
                    "placed on the map", file=file, column="latitude",
                    school_id=frame.school_id[i], unit_code=frame.district_code[i])
    for i in np.flatnonzero(outside):
        where = f"in district {found[i]}" if found[i] else "in no district"
        log.warning("outside_district", f"school {frame.school_id[i]} lies {where}, outside its "
                    f"district {frame.district_code[i]}", file=file, column="latitude",
                    school_id=frame.school_id[i], unit_code=frame.district_code[i])
    flags = frame[["school_id"]].assign(has_location=located, outside_district=outside,
                                        located_district=np.where(found == "", None, found))
    create_table_from_frame(con, "location_flags", flags)
    con.execute("CREATE OR REPLACE TABLE schools AS SELECT s.*, f.has_location, "
                "f.outside_district, f.located_district FROM schools s "
                "JOIN location_flags f USING (school_id) ORDER BY school_id")
    con.execute("DROP TABLE location_flags")
