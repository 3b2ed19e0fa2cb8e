"""Pre-aggregation at build time: district × year tables, so no area page scans schools.

Every table keeps the district and the school attributes that indicators split by
(locality, ownership, priority); sums only, never ratios, so that any area is the sum of
its districts.
"""
from __future__ import annotations

import duckdb

SPLITS = "s.locality, s.ownership, s.priority"


def add_school_context(con: duckdb.DuckDBPyConnection, has_attributes: bool) -> None:
    """Give each school its province and the priority flag of its district."""
    priority = ("coalesce((SELECT da.priority FROM district_attributes da "
                "WHERE da.district_code = s.district_code), false)"
                if has_attributes else "false")
    con.execute(f"""
        CREATE OR REPLACE TABLE schools AS
        SELECT s.*, d.parent_code AS province_code, {priority} AS priority
        FROM schools s JOIN admin_units d ON d.code = s.district_code
        ORDER BY s.school_id""")
    con.execute("""
        CREATE OR REPLACE TABLE school_levels AS
        SELECT DISTINCT school_id, trim(level) AS level
        FROM (SELECT school_id, unnest(string_split(levels, ';')) AS level FROM schools)
        WHERE trim(level) <> '' ORDER BY ALL""")


def create_reporting(con: duckdb.DuckDBPyConnection) -> None:
    """A school reports in a year when it has enrolment rows for that year."""
    con.execute("CREATE OR REPLACE TABLE reporting AS SELECT DISTINCT year, school_id "
                "FROM enrolment ORDER BY year, school_id")


def create_aggregates(con: duckdb.DuckDBPyConnection, optional: dict[str, bool]) -> None:
    create_school_search(con)
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_enrolment AS
        SELECT e.year, s.district_code, e.grade, e.sex, e.age, {SPLITS},
               sum(e.enrolled) AS enrolled, sum(coalesce(e.repeaters, 0)) AS repeaters
        FROM enrolment e JOIN schools s USING (school_id)
        GROUP BY ALL ORDER BY ALL""")
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_teachers AS
        SELECT t.year, s.district_code, t.level, t.sex, t.qualified, t.trained, {SPLITS},
               sum(t.count) AS count
        FROM teachers t JOIN schools s USING (school_id)
        GROUP BY ALL ORDER BY ALL""")
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_schools AS
        SELECT r.year, s.district_code, l.level, {SPLITS},
               count(*) AS schools,
               count(*) FILTER (s.complete) AS complete,
               count(*) FILTER (NOT s.complete) AS incomplete,
               count(*) FILTER (s.multigrade) AS multigrade,
               count(*) FILTER (s.complete IS NOT NULL) AS complete_known,
               count(*) FILTER (s.multigrade IS NOT NULL) AS multigrade_known
        FROM reporting r JOIN schools s USING (school_id) JOIN school_levels l USING (school_id)
        GROUP BY ALL ORDER BY ALL""")
    # Flows compare year t with t+1 over the schools that report in both years.
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_flow AS
        WITH both_years AS (
            SELECT r.school_id, r.year FROM reporting r
            JOIN reporting n ON n.school_id = r.school_id AND n.year = r.year + 1),
        g AS (SELECT year, school_id, grade, sex, sum(enrolled) AS enrolled,
                     sum(coalesce(repeaters, 0)) AS repeaters
              FROM enrolment GROUP BY ALL),
        parts AS (
            SELECT b.year, g.school_id, g.grade, g.sex, g.enrolled AS enrolled,
                   0 AS repeaters_next, 0 AS entrants_next_grade
            FROM g JOIN both_years b ON b.school_id = g.school_id AND b.year = g.year
            UNION ALL
            SELECT b.year, g.school_id, g.grade, g.sex, 0, g.repeaters, 0
            FROM g JOIN both_years b ON b.school_id = g.school_id AND b.year + 1 = g.year
            UNION ALL
            SELECT b.year, g.school_id, g.grade - 1, g.sex, 0, 0, g.enrolled - g.repeaters
            FROM g JOIN both_years b ON b.school_id = g.school_id AND b.year + 1 = g.year)
        SELECT p.year, s.district_code, p.grade, p.sex, {SPLITS},
               sum(p.enrolled) AS enrolled, sum(p.repeaters_next) AS repeaters_next,
               sum(p.entrants_next_grade) AS entrants_next_grade
        FROM parts p JOIN schools s USING (school_id)
        GROUP BY ALL ORDER BY ALL""")
    if optional.get("facilities"):
        con.execute(f"""
            CREATE OR REPLACE TABLE agg_facilities AS
            SELECT f.year, s.district_code, l.level, {SPLITS},
                   count(*) AS schools_reporting,
                   sum(coalesce(f.classrooms, 0)) AS classrooms,
                   count(*) FILTER (f.electricity) AS electricity,
                   count(*) FILTER (f.internet) AS internet,
                   count(*) FILTER (f.computers) AS computers,
                   count(*) FILTER (f.adapted_infrastructure) AS adapted,
                   count(*) FILTER (f.drinking_water = 'basic') AS water,
                   count(*) FILTER (f.sanitation = 'basic' AND f.single_sex_toilets)
                       AS sanitation,
                   count(*) FILTER (f.handwashing = 'basic') AS handwashing
            FROM facilities f JOIN reporting r USING (year, school_id)
            JOIN schools s USING (school_id) JOIN school_levels l USING (school_id)
            GROUP BY ALL ORDER BY ALL""")
        con.execute(f"""
            CREATE OR REPLACE TABLE agg_classrooms AS
            WITH pupils AS (SELECT year, school_id, sum(enrolled) AS pupils FROM enrolment
                            GROUP BY ALL)
            SELECT f.year, s.district_code, {SPLITS}, count(*) AS schools,
                   sum(f.classrooms) AS classrooms, sum(p.pupils) AS pupils
            FROM facilities f JOIN pupils p USING (year, school_id)
            JOIN schools s USING (school_id)
            WHERE f.classrooms IS NOT NULL
            GROUP BY ALL ORDER BY ALL""")
    # For the indicator engine: every district with its province and priority flag (also
    # districts without schools, whose population still counts), and the reporting schools.
    priority = ("coalesce((SELECT da.priority FROM district_attributes da "
                "WHERE da.district_code = d.code), false)"
                if optional.get("district_attributes") else "false")
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_districts AS
        SELECT d.code AS district_code, d.parent_code AS province_code, {priority} AS priority
        FROM admin_units d WHERE d.level = 2 ORDER BY d.code""")
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_reporting AS
        SELECT r.year, s.district_code, {SPLITS}, count(*) AS schools
        FROM reporting r JOIN schools s USING (school_id)
        GROUP BY ALL ORDER BY ALL""")
    if optional.get("population"):
        con.execute("""
            CREATE OR REPLACE TABLE agg_population AS
            SELECT p.year, p.district_code, p.sex, p.age, sum(p.population) AS population
            FROM population p GROUP BY ALL ORDER BY ALL""")
    if optional.get("quality"):
        con.execute(f"""
            CREATE OR REPLACE TABLE agg_quality AS
            SELECT q.year, s.district_code, q.standard, {SPLITS}, count(*) AS schools,
                   count(*) FILTER (q.met) AS met
            FROM quality q JOIN schools s USING (school_id)
            GROUP BY ALL ORDER BY ALL""")


# Search keys of the Schools page (:mod:`lib.schools`): one narrow row per school, so that a
# search scans short strings, not the register. ``key``: the English name and the id folded
# by :func:`lib.schools.fold` (case, accents, spaces and punctuation dropped), joined by
# "|"; ``key_local``: the local name with only spaces and punctuation dropped (the local
# script is matched as typed).
SEARCH_KEY_SQL = """concat_ws('|',
    regexp_replace(strip_accents(lower(coalesce(name_en, ''))), '[^\\p{L}\\p{N}]+', '', 'g'),
    regexp_replace(lower(school_id), '[^\\p{L}\\p{N}]+', '', 'g'))"""
SEARCH_LOCAL_KEY_SQL = """regexp_replace(lower(coalesce(name_local, '')),
    '[^\\p{L}\\p{M}\\p{N}]+', '', 'g')"""
SEARCH_WORDS_SQL = """SELECT word, count(DISTINCT school_id) AS schools FROM (
    SELECT school_id, unnest(string_split(regexp_replace(
        strip_accents(lower(coalesce(name_en, ''))), '[^\\p{L}\\p{N}]+', ' ', 'g'), ' '))
        AS word FROM schools) WHERE length(word) >= 2 GROUP BY word"""


def create_school_search(con: duckdb.DuckDBPyConnection) -> None:
    """``school_search`` (school_id, key, key_local), the words of English names for
    spelling-tolerant search (``school_words``), and each school's pupils and teachers per
    year (``school_totals``, for the pupil–teacher filter)."""
    con.execute(f"CREATE OR REPLACE TABLE school_search AS SELECT school_id, "
                f"{SEARCH_KEY_SQL} AS key, {SEARCH_LOCAL_KEY_SQL} AS key_local "
                f"FROM schools ORDER BY school_id")
    con.execute(f"CREATE OR REPLACE TABLE school_words AS {SEARCH_WORDS_SQL} ORDER BY word")
    con.execute("""
        CREATE OR REPLACE TABLE school_totals AS
        WITH p AS (SELECT year, school_id, sum(enrolled) AS pupils FROM enrolment GROUP BY ALL),
             t AS (SELECT year, school_id, sum(count) AS teachers FROM teachers GROUP BY ALL)
        SELECT year, school_id, coalesce(p.pupils, 0) AS pupils,
               coalesce(t.teachers, 0) AS teachers
        FROM p FULL OUTER JOIN t USING (year, school_id) ORDER BY year, school_id""")
