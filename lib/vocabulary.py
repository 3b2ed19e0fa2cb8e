"""The vocabulary of the registry: the words every part of the explorer shares.

Admin levels, the splits and their groups, the total and parity rows, the values a school's
ownership and locality take, the JMP service ladder and the facility items with the one SQL
rule that says a school has each. Everything else imports them from here; the indicator
registry (:mod:`lib.indicators.registry`) builds its families on them, the package tables
(:mod:`lib.tables`) check values against them, the engine groups rows by them.

A new built-in split is declared once, in :data:`SPLIT_DECLARATIONS` (plus its words in the
language catalogues, ``split.<id>`` and ``group.<group>``); the column it reads must be in
the tables (:mod:`lib.tables`). A package declares splits of its own as data: each
dimension of its ``enrolment_groups`` table (ethnicity, home language, …) is a split
(:func:`dimension_split`), its words in the package's ``group_names``. The Child
Functioning Module's domains, answers and cut-off are here too. Pure: no imports beyond the
standard library.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

TOTAL, PARITY = "T", "parity"  # the group of a total row, and of a parity-index row

# What an indicator is computed for: the country, the areas of any admin level (the engine
# takes the profile's admin level ids: "province", "region"…) and schools.
NATIONAL, AREA, SCHOOL = "national", "area", "school"
LEVEL_KINDS: tuple[str, ...] = (NATIONAL, AREA, SCHOOL)
AREA_KINDS: tuple[str, ...] = (NATIONAL, AREA)  # not computed per school

SEXES: tuple[str, ...] = ("F", "M")
# The grade of learners in no grade (special education, literacy classes): counted in
# enrolment totals, left out of every rate by grade or level.
UNGRADED = "ungraded"
LOCALITIES: tuple[str, ...] = ("rural", "urban")
OWNERSHIPS: tuple[str, ...] = ("public", "private", "community")
PRIORITY_GROUPS: tuple[str, ...] = ("priority", "other")
JMP_LADDER: tuple[str, ...] = ("basic", "limited", "none")  # WASH service levels, best first

# The UNICEF/Washington Group Child Functioning Module (ages 5–17): its functional domains,
# and the answers a pupil's difficulty in a domain takes (anxiety and depression are asked
# as how often). ``any``: pupils with a difficulty at the cut-off in at least one domain
# (each counted once; it cannot be summed from the domains).
CFM_DOMAINS: tuple[str, ...] = (
    "seeing", "hearing", "walking", "self_care", "communication", "learning", "remembering",
    "concentrating", "accepting_change", "behaviour", "making_friends", "anxiety",
    "depression")
CFM_HOW_OFTEN_DOMAINS: tuple[str, ...] = ("anxiety", "depression")
ANY_DOMAIN = "any"
CFM_DEGREES: tuple[str, ...] = ("none", "some", "a_lot", "cannot")
CFM_FREQUENCIES: tuple[str, ...] = ("never", "few_times_a_year", "monthly", "weekly", "daily")
# The standard cut-off: "a lot of difficulty" or "cannot do at all"; "daily" for anxiety
# and depression. A pupil at the cut-off in a domain has a functional difficulty.
CFM_CUT_OFF: tuple[str, ...] = ("a_lot", "cannot", "daily")

# Counts from 1 to this are not published in a public view (lib.disclosure).
SMALL_COUNT_THRESHOLD = 5

# School quality assessment (a framework of standards, criteria and items, given as data):
# how the parts of a standard or criterion roll up (``mean``: their weighted mean; ``all``:
# the lowest part's score, so it is met only when every part is), who rated a school, and
# the census facts an item may state, which the build checks the ratings against (a
# facility of the facilities table, "none" or 0 there; or the pupil-teacher ratio).
QUALITY_RULES: tuple[str, ...] = ("mean", "all")
ASSESSORS: tuple[str, ...] = ("self", "external")
SELF, EXTERNAL = ASSESSORS
PUPIL_TEACHER_RATIO = "pupil_teacher_ratio"
QUALITY_FACILITY_CHECKS: tuple[str, ...] = (
    "electricity", "internet", "computers", "adapted_infrastructure", "drinking_water",
    "sanitation", "handwashing", "single_sex_toilets")
QUALITY_CENSUS_CHECKS: tuple[str, ...] = QUALITY_FACILITY_CHECKS + (PUPIL_TEACHER_RATIO,)


@dataclass(frozen=True)
class Split:
    """A way to split an indicator into groups.

    ``groups``: in output order; with ``parity`` the parity index is the first group's value
    over the second's. ``sql``: the group of a row of the engine's relations (alias
    ``src``). ``school_column``: the column of ``schools`` the district aggregates keep for
    it (None: the split is a column of the fact tables, like sex). ``by_district``: the
    split exists for district-level data (population), not only for schools.
    ``of_district``: each district is in one group (a district has no gap of its own).
    """

    id: str
    groups: tuple[str, ...]
    parity: bool
    sql: str
    school_column: str | None = None
    by_district: bool = False
    of_district: bool = False
    # The relations that have the split's column (empty: every relation has it, or it is a
    # school column): the other sides of a recipe give only totals (see :meth:`sql_for`).
    only_in: tuple[str, ...] = ()
    # Declared by the data package (a dimension of ``enrolment_groups``): its rows are read
    # from the dimension's relations, its groups' names from the package.
    dimension: bool = False

    def sql_for(self, relation: str) -> str:
        """The group of a row of ``relation``: NULL (no group, only the total) where the
        relation has not the split's column."""
        return self.sql if not self.only_in or relation in self.only_in else "NULL"


SPLIT_DECLARATIONS: tuple[Split, ...] = (
    Split("sex", SEXES, parity=True, sql="src.sex", by_district=True),
    Split("locality", LOCALITIES, parity=True, sql="src.locality", school_column="locality"),
    Split("ownership", OWNERSHIPS, parity=False, sql="src.ownership",
          school_column="ownership"),
    Split("priority", PRIORITY_GROUPS, parity=True,
          sql="CASE WHEN src.priority THEN 'priority' ELSE 'other' END",
          school_column="priority", by_district=True, of_district=True),
    Split("domain", CFM_DOMAINS, parity=False, sql="src.domain", only_in=("functioning",)),
)
SPLIT: Mapping[str, Split] = MappingProxyType({s.id: s for s in SPLIT_DECLARATIONS})
SPLITS: tuple[str, ...] = tuple(SPLIT)
# The splits of pupils, teachers and schools alike (not those of one relation only).
COMMON_SPLITS: tuple[str, ...] = tuple(s.id for s in SPLIT_DECLARATIONS if not s.only_in)
# Ids the package cannot give a dimension of its own: the built-in splits, and words the
# URLs and the engine use.
RESERVED_DIMENSIONS: tuple[str, ...] = SPLITS + ("none", "total", "t", "parity", "group",
                                                 "dimension", "split", "any")
DIMENSION_ID = r"[a-z][a-z0-9_]{0,39}"  # a dimension's id: it shows in links and commands
# The relations (lib.tables) of pupils and population by a dimension of the package.
DIMENSION_RELATIONS: tuple[str, ...] = ("groups", "population_groups")
GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType({s.id: s.groups
                                                         for s in SPLIT_DECLARATIONS})
PARITY_SPLITS: tuple[str, ...] = tuple(s.id for s in SPLIT_DECLARATIONS if s.parity)
# The order pages offer splits in: those with a parity index first.
SPLITS_PARITY_FIRST: tuple[str, ...] = PARITY_SPLITS + tuple(
    s for s in SPLITS if s not in PARITY_SPLITS)
SCHOOL_SPLITS: tuple[str, ...] = tuple(s.id for s in SPLIT_DECLARATIONS if s.school_column)
DISTRICT_SPLITS: tuple[str, ...] = tuple(s.id for s in SPLIT_DECLARATIONS if s.by_district)
SCHOOL_SPLIT_COLUMNS: tuple[str, ...] = tuple(s.school_column for s in SPLIT_DECLARATIONS
                                              if s.school_column)


def dimension_split(dimension: str, groups: tuple[str, ...]) -> Split:
    """The split of a dimension of the package (e.g. ethnicity) with its groups: read from
    the rows of ``enrolment_groups`` (and ``population_groups``) of that dimension."""
    return Split(dimension, groups, parity=False, sql="src.group_id",
                 only_in=DIMENSION_RELATIONS, dimension=True)


@dataclass(frozen=True)
class FacilityItem:
    """A service or equipment of SDG 4.a.1, and the rule that a school has it, as SQL on a
    row of ``facilities`` (alias ``f``). A JMP service counts when it is "basic"."""

    id: str
    sql: str


FACILITY_DECLARATIONS: tuple[FacilityItem, ...] = (
    FacilityItem("electricity", "f.electricity"),
    FacilityItem("internet", "f.internet"),
    FacilityItem("computers", "f.computers"),
    FacilityItem("adapted", "f.adapted_infrastructure"),
    FacilityItem("water", "f.drinking_water = 'basic'"),
    FacilityItem("sanitation", "f.sanitation = 'basic' AND f.single_sex_toilets"),
    FacilityItem("handwashing", "f.handwashing = 'basic'"),
)
FACILITY: Mapping[str, FacilityItem] = MappingProxyType({i.id: i for i in
                                                         FACILITY_DECLARATIONS})
FACILITY_ITEMS: tuple[str, ...] = tuple(FACILITY)


def facility_flags_sql() -> str:
    """Each facility item of a ``facilities`` row as a boolean column named by its id."""
    return ", ".join(f"({item.sql}) AS {item.id}" for item in FACILITY_DECLARATIONS)
