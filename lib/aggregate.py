"""Pre-aggregation at build time: district × year tables, so no area page scans schools.

Each relation of the package tables (:data:`lib.tables.TABLES`) becomes its ``agg_<name>``
table: the district sums of its school rows, keeping the school attributes that indicators
split by (:data:`lib.vocabulary.SCHOOL_SPLIT_COLUMNS`); sums only, never ratios, so that
any area is the sum of its districts.
"""
from __future__ import annotations

import duckdb

from lib.areas import lineage
from lib.package import create_table_from_frame
from lib.country import Country
from lib.tables import TABLES


def _priority(district_code: str, has_attributes: bool) -> str:
    """SQL: the priority flag of the district ``district_code`` (false when not given)."""
    if not has_attributes:
        return "false"
    return ("coalesce((SELECT da.priority FROM district_attributes da "
            f"WHERE da.district_code = {district_code}), false)")


def create_area_lineage(con: duckdb.DuckDBPyConnection) -> None:
    """``area_lineage`` (district_code, level, code): each area of the finest level and every
    area it lies in, itself included (:func:`lib.areas.lineage`), so that an area of any
    level is the sum of the finest areas in it."""
    units = con.execute("SELECT code, level, parent_code FROM admin_units").df()
    create_table_from_frame(con, "area_lineage", lineage(units))
    con.execute("CREATE OR REPLACE TABLE area_lineage AS SELECT * FROM area_lineage "
                "ORDER BY district_code, level")


def in_area_sql(column: str, param: str = "area") -> str:
    """SQL: ``column`` (the code of an area of the finest level) lies in the area
    ``$<param>`` of any level, itself included (``area_lineage``)."""
    return (f"{column} IN (SELECT district_code FROM area_lineage "
            f"WHERE code = ${param})")


def add_school_context(con: duckdb.DuckDBPyConnection, has_attributes: bool) -> None:
    """Give each school the area of level 1 it lies in (``province_code``: itself in a
    country of one level) and the priority flag of its area."""
    create_area_lineage(con)
    priority = _priority("s.district_code", has_attributes)
    con.execute(f"""
        CREATE OR REPLACE TABLE schools AS
        SELECT s.*, top.code AS province_code, {priority} AS priority
        FROM schools s JOIN area_lineage top ON top.district_code = s.district_code
                                             AND top.level = 1
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


def create_functioning_grades(con: duckdb.DuckDBPyConnection, country: Country) -> None:
    """The grades whose pupils a school's functioning counts, per year: every grade of each
    education level the school reports functioning for (rows of any of its grades). A
    level it does not report on (the module is not asked in pre-primary) is unknown there,
    not 0; a grade without a pupil with a difficulty still counts its pupils."""
    pairs = [(grade, level.id) for level in country.levels for grade in level.grades]
    con.execute("CREATE OR REPLACE TEMP TABLE grade_level (grade INTEGER, level VARCHAR)")
    con.executemany("INSERT INTO grade_level VALUES (?, ?)", pairs)
    con.execute("""
        CREATE OR REPLACE TABLE functioning_grades AS
        WITH reported AS (SELECT DISTINCT f.year, f.school_id, g.level
                          FROM functioning f JOIN grade_level g USING (grade))
        SELECT DISTINCT r.year, r.school_id, g.grade
        FROM reported r JOIN grade_level g USING (level) ORDER BY ALL""")


def create_aggregates(con: duckdb.DuckDBPyConnection, optional: dict[str, bool]) -> None:
    """The district table of every relation of the tables present (:mod:`lib.tables`), the
    districts with their province and priority flag, and the Schools page's search
    tables."""
    create_school_search(con)
    for table in TABLES:
        if table.required or optional.get(table.name):
            for relation in table.relations:
                con.execute(f"CREATE OR REPLACE TABLE {relation.table} AS "
                            f"{relation.district_sums()}")
    # For the indicator engine: every area of the finest level with its area of level 1 and
    # priority flag (also areas without schools, whose population still counts).
    priority = _priority("d.district_code", bool(optional.get("district_attributes")))
    con.execute(f"""
        CREATE OR REPLACE TABLE agg_districts AS
        SELECT d.district_code, d.code AS province_code, {priority} AS priority
        FROM area_lineage d WHERE d.level = 1 ORDER BY d.district_code""")


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
               -- unknown, not 0, in a package without teachers
               CASE WHEN EXISTS (FROM teachers) THEN coalesce(t.teachers, 0) END AS teachers
        FROM p FULL OUTER JOIN t USING (year, school_id) ORDER BY year, school_id""")
