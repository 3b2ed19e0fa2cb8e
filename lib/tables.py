"""The tables of a data package, each declared once (data contract §2).

A :class:`Table` says everything the explorer knows about one package table: its columns
and their checks, the rows that identify a row (duplicates are errors), whether the package
must have it, the columns the build adds, the relations the indicator engine reads from it
and the indicator families it switches on. :mod:`lib.package` finds the files,
:mod:`lib.validate` checks and types them, :mod:`lib.aggregate` builds each relation's
district table, :mod:`lib.indicators.engine` reads each relation at school level and as
district sums, :mod:`lib.indicators.registry` switches indicator families on or off, and
:mod:`lib.template` writes the empty package: all from :data:`TABLES`.

A :class:`Relation` is one definition for both levels: :meth:`Relation.school_rows` is the
rows of each school, :meth:`Relation.district_sums` their sums by district (the build's
``agg_<name>`` table), so that any area is the sum of its districts and a school's value is
computed the same way as an area's.

Pure: no database, no Streamlit.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from lib.country import Country
from lib.vocabulary import (ANY_DOMAIN, ASSESSORS, CFM_CUT_OFF, CFM_DEGREES, CFM_DOMAINS,
                            CFM_FREQUENCIES, EXTERNAL, FACILITY_DECLARATIONS, JMP_LADDER,
                            LOCALITIES, OWNERSHIPS, QUALITY_CENSUS_CHECKS, QUALITY_RULES, SELF,
                            SEXES, RESERVED_DIMENSIONS, SCHOOL_SPLIT_COLUMNS,
                            SPLIT_DECLARATIONS, UNGRADED)

MAX_COUNT = 1e12  # counts (and populations) beyond this are typing accidents, and would overflow

# Column choices that come from the country profile (kind "choice" or "level_list").
GRADES, LEVELS, ADMIN = "grades", "levels", "admin_levels"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | int | float | flag | choice | level_list | id (lowercase, a-z0-9_)
    required: bool = True  # the column must be present
    nullable: bool = False  # a value may be empty
    choices: tuple[str, ...] = ()  # for kind "choice"; compared case-insensitively
    minimum: float | None = None
    maximum: float | None = None
    sql_type: str = ""  # type in the extract; defaults by kind
    country_choices: str = ""  # GRADES or LEVELS: choices are the country's
    words: tuple[str, ...] = ()  # words accepted besides the (numeric) choices, typed as NULL
    reserved: tuple[str, ...] = ()  # for kind "id": ids the package may not use
    # Indicator families and splits that need values in this column: without any, they are
    # switched off with the reason (the column may be optional, or given but left empty).
    needed_by: tuple[str, ...] = ()


def year_column(name: str = "year", required: bool = True, nullable: bool = False) -> Column:
    return Column(name, "int", required, nullable, minimum=1900, maximum=2100)


def count_column(name: str, required: bool = True, nullable: bool = False) -> Column:
    return Column(name, "int", required, nullable, minimum=0, maximum=MAX_COUNT,
                  sql_type="BIGINT")


def _optional(name: str, kind: str, **kw) -> Column:
    return Column(name, kind, required=False, nullable=True, **kw)


def _split_of(school_column: str) -> tuple[str, ...]:
    """The splits that read a column of the school register."""
    return tuple(s.id for s in SPLIT_DECLARATIONS if s.school_column == school_column)


# What needs schools' coordinates besides indicators: the map's layer of school points (and
# the checks of where schools lie).
SCHOOLS_LAYER = "schools_layer"
# Indicators of schools themselves (counts of schools, shares of schools, their classrooms
# and standards): a package of area totals, without a school register, has none.
SCHOOL_REGISTER_FAMILIES: tuple[str, ...] = ("schools", "incomplete_schools",
                                             "multigrade_schools", "facility", "pcr",
                                             "quality_met", "quality_level", "quality_assessed",
                                             "quality_verified", "schools_with_difficulty")
# The column of a fact table that names its school, and the one that names its area in a
# package of area totals (one or the other).
SCHOOL_KEY, AREA_KEY = "school_id", "district_code"
# Rates whose numerator counts pupils of given ages: they need the enrolment's ages.
AGE_SPECIFIC_FAMILIES: tuple[str, ...] = ("ner", "aner", "nir", "oosr",
                                          "participation_pre_primary")
# Rates that take repeaters out of the pupils of a grade (intake) or follow them from one
# year to the next (flows): they need the enrolment's repeaters.
REPEATER_FAMILIES: tuple[str, ...] = ("gir", "nir", "gir_last", "repetition_grade",
                                      "promotion_grade", "dropout_grade", "repetition_level",
                                      "dropout_level", "survival_last", "transition")


@dataclass(frozen=True)
class Relation:
    """Rows the indicator engine sums over, defined once for schools and districts.

    ``source``: the FROM clause, where ``s`` is the school (``schools``, with its province
    and priority flag) and ``{years}`` / ``{years_and_next}`` may stand for conditions on a
    year column (filled in by :meth:`school_rows`). ``keys``: output column -> expression,
    besides the year, the school, its district and its splits. ``measures``: output column
    -> per-row expression, summed by the district table and by the engine. A relation that
    is not ``per_school`` has district rows (``district`` says where the code is) and no
    school level.
    """

    name: str
    source: str
    year: str
    keys: Mapping[str, str]
    measures: Mapping[str, str]
    where: str = "TRUE"
    per_school: bool = True
    district: str = "s.district_code"
    sum_type: str = "BIGINT"  # type of the district sums

    @property
    def table(self) -> str:
        """The build's table of district sums."""
        return f"agg_{self.name}"

    def school_rows(self, years: str = "IS NOT NULL",
                    years_and_next: str = "IS NOT NULL") -> str:
        """SELECT of the rows of each school (a school may have several rows per key)."""
        if not self.per_school:
            raise ValueError(f"{self.name} has rows by district, not by school")
        source = self.source.replace("{years}", years).replace("{years_and_next}",
                                                                years_and_next)
        columns = [f"{self.year} AS year", "s.school_id", f"{self.district} AS district_code",
                   *(f"{expr} AS {name}" for name, expr in self.keys.items()),
                   *(f"s.{column}" for column in SCHOOL_SPLIT_COLUMNS),
                   *(f"{expr} AS {name}" for name, expr in self.measures.items())]
        return f"SELECT {', '.join(columns)} FROM {source} WHERE {self.where}"

    def district_sums(self) -> str:
        """SELECT of the sums by year, district, key and split: the ``agg_<name>`` table."""
        keys = ["year", "district_code", *self.keys]
        if self.per_school:
            rows = self.school_rows()
            keys += SCHOOL_SPLIT_COLUMNS
        else:
            rows = (f"SELECT {self.year} AS year, {self.district} AS district_code, "
                    + ", ".join(f"{expr} AS {name}" for name, expr in
                                {**self.keys, **self.measures}.items())
                    + f" FROM {self.source} WHERE {self.where}")
        sums = [f"CAST(sum({name}) AS {self.sum_type}) AS {name}" for name in self.measures]
        return (f"SELECT {', '.join(keys)}, {', '.join(sums)} FROM ({rows}) "
                "GROUP BY ALL ORDER BY ALL")


def _as_count(condition: str) -> str:
    """1 when the condition holds, 0 when it does not or is unknown."""
    return f"CAST(coalesce({condition}, false) AS INTEGER)"


_ENROLMENT = Relation(
    "enrolment", "enrolment e JOIN schools s USING (school_id)", "e.year",
    {"grade": "e.grade", "sex": "e.sex", "age": "e.age"},
    {"enrolled": "e.enrolled", "repeaters": "coalesce(e.repeaters, 0)"})
# Flows compare year t with t + 1 over the schools that report in both years: a school's
# pupils of grade g in t, its repeaters of g in t + 1, and its new entrants to g + 1 in t + 1.
_FLOW = Relation(
    "flow", """(WITH pairs AS (
            SELECT DISTINCT r.year, r.school_id FROM reporting r
            JOIN reporting n ON n.school_id = r.school_id AND n.year = r.year + 1
            WHERE r.year {years}),
        g AS (SELECT e.year, e.school_id, e.grade, e.sex, sum(e.enrolled) AS enrolled,
                     sum(coalesce(e.repeaters, 0)) AS repeaters
              FROM enrolment e WHERE e.year {years_and_next}
                AND e.school_id IN (SELECT school_id FROM pairs) GROUP BY ALL)
        SELECT p.year, g.school_id, g.grade, g.sex, g.enrolled, 0 AS repeaters_next,
               0 AS entrants_next_grade
            FROM g JOIN pairs p ON p.year = g.year AND p.school_id = g.school_id
        UNION ALL SELECT p.year, g.school_id, g.grade, g.sex, 0, g.repeaters, 0
            FROM g JOIN pairs p ON g.year = p.year + 1 AND p.school_id = g.school_id
        UNION ALL SELECT p.year, g.school_id, g.grade - 1, g.sex, 0, 0, g.enrolled - g.repeaters
            FROM g JOIN pairs p ON g.year = p.year + 1 AND p.school_id = g.school_id
        ) p JOIN schools s USING (school_id)""", "CAST(p.year AS INTEGER)",
    {"grade": "p.grade", "sex": "p.sex"},
    {"enrolled": "p.enrolled", "repeaters_next": "p.repeaters_next",
     "entrants_next_grade": "p.entrants_next_grade"})
# A school reports in a year when it has enrolment rows for that year (table `reporting`).
_REPORTING = Relation("reporting", "reporting r JOIN schools s USING (school_id)", "r.year",
                      {}, {"schools": "1"})
_TEACHERS = Relation(
    "teachers", "teachers t JOIN schools s USING (school_id)", "t.year",
    {"level": "t.level", "sex": "t.sex", "qualified": "t.qualified", "trained": "t.trained"},
    {"count": "t.count"})
_SCHOOLS = Relation(
    "schools", "reporting r JOIN schools s USING (school_id) "
               "JOIN school_levels l USING (school_id)", "r.year",
    {"level": "l.level"},
    {"schools": "1", "complete": _as_count("s.complete"),
     "incomplete": _as_count("NOT s.complete"), "multigrade": _as_count("s.multigrade"),
     "complete_known": _as_count("s.complete IS NOT NULL"),
     "multigrade_known": _as_count("s.multigrade IS NOT NULL")})
_FACILITIES = Relation(
    "facilities", "facilities f JOIN reporting r USING (year, school_id) "
                  "JOIN schools s USING (school_id) JOIN school_levels l USING (school_id)",
    "f.year", {"level": "l.level"},
    {"schools_reporting": "1", "classrooms": "coalesce(f.classrooms, 0)",
     **{item.id: _as_count(item.sql) for item in FACILITY_DECLARATIONS}})
_CLASSROOMS = Relation(
    "classrooms", "facilities f JOIN (SELECT year, school_id, sum(enrolled) AS pupils "
                  "FROM enrolment GROUP BY ALL) p USING (year, school_id) "
                  "JOIN schools s USING (school_id)", "f.year", {},
    {"schools": "1", "classrooms": "f.classrooms", "pupils": "p.pupils"},
    where="f.classrooms IS NOT NULL")
_POPULATION = Relation("population", "population p", "p.year", {"sex": "p.sex", "age": "p.age"},
                       {"population": "p.population"}, per_school=False,
                       district="p.district_code", sum_type="DOUBLE")
# Pupils by a dimension the package declares (ethnicity, home language…): one row per
# school, grade, sex, dimension and group.
_GROUPS = Relation(
    "groups", "enrolment_groups e JOIN schools s USING (school_id)", "e.year",
    {"grade": "e.grade", "sex": "e.sex", "dimension": "e.dimension", "group_id": 'e."group"'},
    {"enrolled": "e.enrolled"})
_POPULATION_GROUPS = Relation(
    "population_groups", "population_groups p", "p.year",
    {"sex": "p.sex", "age": "p.age", "dimension": "p.dimension", "group_id": 'p."group"'},
    {"population": "p.population"}, per_school=False, district="p.district_code",
    sum_type="DOUBLE")
AT_CUT_OFF = f"f.degree IN ({', '.join(repr(d) for d in CFM_CUT_OFF)})"
# Pupils with a functional difficulty at the cut-off, by domain (and ``any``).
_FUNCTIONING = Relation(
    "functioning", "functioning f JOIN schools s USING (school_id)", "f.year",
    {"grade": "f.grade", "sex": "f.sex", "domain": "f.domain"},
    {"pupils": f"CASE WHEN {AT_CUT_OFF} THEN f.pupils ELSE 0 END"})
# The pupils of the grades a school reports functioning for (the build's
# functioning_grades: the grades of each level it reports on), in a year: its denominator.
_FUNCTIONING_ENROLMENT = Relation(
    "functioning_enrolment", "enrolment e JOIN functioning_grades fg USING (year, school_id, "
    "grade) JOIN schools s USING (school_id)", "e.year",
    {"grade": "e.grade", "sex": "e.sex"}, {"enrolled": "e.enrolled"})
# The schools that report functioning in a year, and those that enrol at least one pupil
# with a functional difficulty (at the cut-off, in any domain).
_FUNCTIONING_SCHOOLS = Relation(
    "functioning_schools",
    f"""(SELECT f.year, f.school_id, bool_or({AT_CUT_OFF} AND f.pupils > 0) AS enrols
         FROM functioning f GROUP BY ALL) f JOIN schools s USING (school_id)""",
    "f.year", {}, {"schools": "1", "enrolling": _as_count("f.enrols")})
_QUALITY = Relation(
    "quality", "quality q JOIN schools s USING (school_id)", "q.year",
    {"standard": "q.standard"}, {"schools": "1", "met": "CAST(q.met AS INTEGER)"})

# The schools of each official level or support category of the quality assessment (the
# build's quality_schools, lib.quality), and the reporting schools that assessed
# themselves, or were assessed by an external assessor, in a year.
_QUALITY_LEVELS = Relation(
    "quality_school_levels", "quality_schools q JOIN schools s USING (school_id)", "q.year",
    {"quality_level": "q.level"}, {"schools": "1"}, where="q.official")
_QUALITY_ASSESSED = Relation(
    "quality_assessed", f"""reporting r JOIN schools s USING (school_id) LEFT JOIN (
        SELECT year, school_id, bool_or(assessor = '{SELF}') AS self_assessed,
               bool_or(assessor = '{EXTERNAL}') AS verified
        FROM quality_schools GROUP BY ALL) a USING (year, school_id)""", "r.year", {},
    {"schools": "1", "self_assessed": _as_count("a.self_assessed"),
     "verified": _as_count("a.verified")})


_DIMENSION = Column("dimension", "id", reserved=RESERVED_DIMENSIONS)
# Whose pupils a row counts: a year, a school of the register (or an area of the finest
# level in a package of area totals), a grade (or none) and a sex.
_PUPILS_OF: tuple[Column, ...] = (
    year_column(),
    Column("school_id", "text", required=False),
    Column("district_code", "text", required=False, nullable=True),
    Column("grade", "choice", country_choices=GRADES, sql_type="INTEGER", words=(UNGRADED,)),
    Column("sex", "choice", choices=SEXES),
)


@dataclass(frozen=True)
class Table:
    """One table of the data package (see the module's docstring)."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that identify a row: duplicates are errors
    required: bool = False
    computed: tuple[str, ...] = ()  # columns the build adds: a package column so named is set aside
    relations: tuple[Relation, ...] = ()
    families: tuple[str, ...] = ()  # indicator families that need this table
    census_years: bool = False  # its years must be years that have enrolment
    # its absence switches nothing off (the build does not mention it)
    silent_when_absent: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def has(self, column: str) -> bool:
        return any(c.name == column for c in self.columns)


TABLES: tuple[Table, ...] = (
    Table("admin_units", (
        Column("code", "text"),
        Column("level", "choice", country_choices=ADMIN, sql_type="INTEGER"),
        Column("parent_code", "text", nullable=True),
        Column("name_en", "text"),
        _optional("name_local", "text"),
        _optional("iso_code", "text"),
        _optional("alt_names", "text"),
    ), key=("code",), required=True),
    Table("schools", (
        Column("school_id", "text"),
        Column("name_en", "text"),
        _optional("name_local", "text"),
        Column("district_code", "text"),
        # Out-of-range or swapped coordinates are warnings (lib.plausibility), not errors.
        _optional("latitude", "float", needed_by=(SCHOOLS_LAYER,)),
        _optional("longitude", "float", needed_by=(SCHOOLS_LAYER,)),
        _optional("ownership", "choice", choices=OWNERSHIPS, needed_by=_split_of("ownership")),
        _optional("locality", "choice", choices=LOCALITIES, needed_by=_split_of("locality")),
        Column("levels", "level_list", country_choices=LEVELS),
        _optional("complete", "flag", needed_by=("incomplete_schools",)),
        _optional("multigrade", "flag", needed_by=("multigrade_schools",)),
        _optional("distance_to_road_km", "float", minimum=0),
        year_column("opened_year", required=False, nullable=True),
        year_column("closed_year", required=False, nullable=True),
    ), key=("school_id",),
        computed=("province_code", "priority", "has_location", "outside_district",
                  "located_district"),
        relations=(_SCHOOLS,), families=SCHOOL_REGISTER_FAMILIES),
    Table("enrolment", (
        *_PUPILS_OF,
        Column("age", "int", required=False, nullable=True, minimum=0, maximum=99,
               needed_by=AGE_SPECIFIC_FAMILIES),
        count_column("enrolled"),
        dataclasses.replace(count_column("repeaters", required=False, nullable=True),
                            needed_by=REPEATER_FAMILIES),
    ), key=("year", "school_id", "district_code", "grade", "sex", "age"), required=True,
        relations=(_ENROLMENT, _FLOW, _REPORTING)),
    Table("teachers", (
        year_column(),
        Column("school_id", "text", required=False),  # as in enrolment
        Column("district_code", "text", required=False, nullable=True),
        Column("level", "choice", country_choices=LEVELS),
        Column("sex", "choice", choices=SEXES),
        Column("qualified", "flag"),
        Column("trained", "flag"),
        count_column("count"),
    ), key=("year", "school_id", "district_code", "level", "sex", "qualified", "trained"),
        relations=(_TEACHERS,), families=("teachers", "ptr", "pqtr", "qualified_teachers",
                                          "trained_teachers"), census_years=True),
    Table("facilities", (
        year_column(),
        Column("school_id", "text"),
        count_column("classrooms", required=False, nullable=True),
        _optional("electricity", "flag"),
        _optional("internet", "flag"),
        _optional("computers", "flag"),
        _optional("adapted_infrastructure", "flag"),
        _optional("drinking_water", "choice", choices=JMP_LADDER),
        _optional("sanitation", "choice", choices=JMP_LADDER),
        _optional("handwashing", "choice", choices=JMP_LADDER),
        _optional("single_sex_toilets", "flag"),
    ), key=("year", "school_id"), relations=(_FACILITIES, _CLASSROOMS),
        families=("pcr", "facility"), census_years=True),
    Table("population", (
        year_column(),
        Column("district_code", "text"),
        Column("sex", "choice", choices=SEXES),
        # A single age, or an age group ("5-9", "65+") that the build splits into single
        # ages (lib.age_groups): each row has one or the other.
        Column("age", "int", required=False, nullable=True, minimum=0, maximum=120),
        _optional("age_group", "text"),
        Column("population", "float", minimum=0, maximum=MAX_COUNT),
    ), key=("year", "district_code", "sex", "age", "age_group"), relations=(_POPULATION,),
        families=("ger", "ner", "aner", "gir", "nir", "gir_last", "oosr",
                  "participation_pre_primary")),
    Table("district_attributes", (
        Column("district_code", "text"),
        _optional("priority", "flag"),
    ), key=("district_code",)),
    Table("quality", (
        year_column(),
        Column("school_id", "text"),
        Column("standard", "text"),
        _optional("score", "float", minimum=0, maximum=100),
        Column("met", "flag"),
    ), key=("year", "school_id", "standard"), relations=(_QUALITY,),
        families=("quality_met",), census_years=True),
    # School quality assessment (optional, lib.quality): the framework (standards, their
    # criteria and items; a row names one), its rating scale, the levels a school's result
    # places it in, and the ratings. The build rolls them up into `quality`, so a package
    # gives either the flat `quality` table or these.
    Table("quality_framework", (
        Column("standard", "id"),
        Column("criterion", "id", nullable=True),  # empty: the row names the standard
        Column("item", "id", nullable=True),  # empty: the row names the criterion
        Column("name_en", "text"),
        _optional("name_local", "text"),
        _optional("weight", "float", minimum=0, maximum=MAX_COUNT),
        _optional("rule", "choice", choices=QUALITY_RULES),
        _optional("pass_score", "float", minimum=0, maximum=100),
        _optional("census_check", "choice", choices=QUALITY_CENSUS_CHECKS),
        _optional("census_limit", "float", minimum=0, maximum=MAX_COUNT),
    ), key=("standard", "criterion", "item"), silent_when_absent=True),
    Table("quality_scale", (
        Column("rating", "id"),
        Column("points", "float", minimum=-MAX_COUNT, maximum=MAX_COUNT),
        Column("name_en", "text"),
        _optional("name_local", "text"),
    ), key=("rating",), silent_when_absent=True),
    Table("quality_levels", (
        Column("level", "id"),
        Column("rank", "int", minimum=1, maximum=1000),
        _optional("min_score", "float", minimum=0, maximum=100),
        _optional("standards_met", "text"),
        Column("name_en", "text"),
        _optional("name_local", "text"),
        _optional("support_days", "int", minimum=0, maximum=366),
    ), key=("level",), silent_when_absent=True),
    Table("quality_assessment", (
        year_column(),
        Column("school_id", "text"),
        Column("assessor", "choice", choices=ASSESSORS),
        Column("item", "id"),
        Column("rating", "id"),
        _optional("comment", "text"),
    ), key=("year", "school_id", "assessor", "item"),
        relations=(_QUALITY_LEVELS, _QUALITY_ASSESSED),
        families=("quality_level", "quality_assessed", "quality_verified"),
        census_years=True, silent_when_absent=True),
    # Inclusive data (optional): pupils by any grouping the ministry collects, the
    # population by the same groups, the groups' names, and the Child Functioning Module.
    Table("enrolment_groups", (
        *_PUPILS_OF,
        _DIMENSION, Column("group", "id"),
        count_column("enrolled"),
    ), key=("year", "school_id", "district_code", "grade", "sex", "dimension", "group"),
        relations=(_GROUPS,), families=("group_share", "representation"), census_years=True,
        silent_when_absent=True),
    Table("population_groups", (
        year_column(),
        Column("district_code", "text"),
        Column("sex", "choice", choices=SEXES),
        Column("age", "int", minimum=0, maximum=120),
        _DIMENSION, Column("group", "id"),
        Column("population", "float", minimum=0, maximum=MAX_COUNT),
    ), key=("year", "district_code", "sex", "age", "dimension", "group"),
        relations=(_POPULATION_GROUPS,), families=("representation",),
        silent_when_absent=True),
    Table("group_names", (
        _DIMENSION,
        Column("group", "id", nullable=True),  # empty: the row names the dimension
        Column("name_en", "text"),
        _optional("name_local", "text"),
    ), key=("dimension", "group"), silent_when_absent=True),
    Table("functioning", (
        *_PUPILS_OF,
        Column("domain", "choice", choices=CFM_DOMAINS + (ANY_DOMAIN,)),
        Column("degree", "choice", choices=CFM_DEGREES + CFM_FREQUENCIES),
        count_column("pupils"),
    ), key=("year", "school_id", "district_code", "grade", "sex", "domain", "degree"),
        relations=(_FUNCTIONING, _FUNCTIONING_ENROLMENT, _FUNCTIONING_SCHOOLS),
        families=("functional_difficulty", "schools_with_difficulty"), census_years=True,
        silent_when_absent=True),
    # Help for matching boundary polygons to admin units (geo.boundaries): other names of an
    # area, and an area's polygon named outright (its code or name in the boundary file).
    Table("aliases", (
        Column("code", "text"),
        Column("name", "text"),
    ), key=("code", "name"), silent_when_absent=True),
    Table("crosswalk", (
        Column("code", "text"),
        Column("polygon", "text"),
    ), key=("polygon",), silent_when_absent=True),
    Table("targets", (
        Column("indicator", "text"),
        year_column(),
        Column("value", "float"),
        _optional("source", "text"),
    ), key=("indicator", "year")),
)
TABLE: Mapping[str, Table] = MappingProxyType({t.name: t for t in TABLES})
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if t.required)
OPTIONAL_TABLES: tuple[str, ...] = tuple(t.name for t in TABLES if not t.required)
ALL_TABLES: tuple[str, ...] = REQUIRED_TABLES + OPTIONAL_TABLES
RELATIONS: Mapping[str, Relation] = MappingProxyType(
    {r.name: r for t in TABLES for r in t.relations})


def tables_needed_by(family: str) -> tuple[str, ...]:
    """The optional tables an indicator family needs (required tables are always there)."""
    return tuple(t.name for t in TABLES if family in t.families)


def columns_needed_by(family_or_split: str) -> tuple[tuple[str, str], ...]:
    """The (table, column) pairs an indicator family or a split needs values in."""
    return tuple((t.name, c.name) for t in TABLES for c in t.columns
                 if family_or_split in c.needed_by)


def columns_needing_values() -> tuple[tuple[str, str], ...]:
    """Every (table, column) pair some family or split needs values in."""
    return tuple((t.name, c.name) for t in TABLES for c in t.columns if c.needed_by)


def tables_with(column: str, *, besides: str = "") -> tuple[str, ...]:
    """The tables that have ``column`` (e.g. ``school_id``: the tables that point to a
    school), but ``besides``."""
    return tuple(t.name for t in TABLES if t.has(column) and t.name != besides)


def tables_for(country: Country) -> dict[str, Table]:
    """The tables with the country's grades, levels and admin level numbers as the choices of
    the columns that take them."""
    values = {GRADES: tuple(str(g) for g in country.grades),
              LEVELS: tuple(country.level_ids),
              ADMIN: tuple(str(n) for n in range(1, len(country.admin_levels) + 1))}

    def resolved(col: Column) -> Column:
        if not col.country_choices:
            return col
        return dataclasses.replace(col, choices=values[col.country_choices])

    return {t.name: dataclasses.replace(t, columns=tuple(resolved(c) for c in t.columns))
            for t in TABLES}
