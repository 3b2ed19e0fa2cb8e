"""School quality self-assessment of the demo: a framework of standards, criteria and items
given as data, its rating scale, the schools' support categories, and the ratings of the
last three years (four optional tables: quality_framework, quality_scale, quality_levels,
quality_assessment).

Written after the enrolment, teachers and facilities (:func:`write_quality`, called by
:func:`lib.demo.package.generate_package`): it reads back ``enrolment.parquet``,
``teachers.parquet`` and ``facilities.csv``, so the items that state a census fact follow
the census. Vectorised numpy, one seeded stream per topic and year: the same seed gives the
same files.

What is modelled on public descriptions, what is assumed
--------------------------------------------------------
Modelled (structure and names only; the wording is the demo's own): Lao PDR's Fundamental
Quality Standards for primary schools (FQS, ມາດຕະຖານຄຸນນະພາບຂັ້ນພື້ນຖານ, ມຄພ): a school rates
itself every year against standards on its inputs (buildings and facilities, teachers,
textbooks), teaching and pupils' welfare, management, the school cluster and the village
community, and learning outcomes; the district checks a sample of the self-assessments;
schools are grouped into categories that decide how much district support they get. The
glossary in /work/shared/reference gives the names FQS / ມຄພ and "FQS Part 1 - Inputs"; the
five standards, their criteria and 20 items (:data:`FRAMEWORK`), the weights and the
category thresholds are the demo's.

ASSUMPTIONS (not from the reference; synthetic, chosen to look plausible):

* Weights: the outcomes standard counts twice in the school score; within inputs the
  buildings count twice; child-centred teaching and grade 3 reading count 2 and 1.5 within
  their criteria. Standards and criteria are met at 75 (the textbooks-and-records criterion
  uses rule ``all`` and the default 100: met only when both are achieved).
* The categories: category 3 from a school score of 75, category 2 from 50, category 1
  below. The support days a year (:data:`LEVELS`: 10, 6 and 2 days) are an ASSUMPTION, not
  a ministry figure.
* Who assesses: in each of the last three years (of first..last) about 93% of the
  reporting schools (a school reports in a year when it has pupils that year) send a
  self-assessment, fewer in remote and priority districts, mostly the same schools from
  year to year. The district verifies a sample of them (the external ratings): 20%, and
  38% of the schools that were category 1 the year before (:data:`EXTERNAL_SHARE`), so
  about a fifth to a quarter a year; a school's official result is the external one where
  it exists, else its own.
* Ratings: each school has a latent quality (better in towns, worse in remote and
  priority districts, :data:`REMOTENESS`), each item its difficulty, each school-item a
  lasting deviation and each year some noise; a rating is the latent value cut at two
  thresholds, with the assessor's noise. Self-assessments are optimistic: external ratings
  are lower by about 0.3 of a rating step on average (:data:`OPTIMISM`). Schools improve
  over the years (:data:`IMPROVEMENT`) and a school gains from the support days of its
  official category of the year before (:data:`SUPPORT_GAIN` per 10 days), so category 1
  schools improve most.
* Census facts: the drinking water and latrine items follow the facilities table's
  drinking_water and sanitation ladder (basic mostly "achieved", limited mostly a minor
  issue, none mostly a major issue and never "achieved"); the pupil-teacher ratio item
  follows the school's census PTR (all its pupils over all its teachers that year; above
  the norm of 45 never "achieved"); teacher qualification follows the share of qualified
  teachers in teachers.parquet.
* Comments: about half of the minor and major issues have a short comment, drawn from a
  few phrases per item (:data:`COMMENTS`); "achieved" never has one.
* One framework for every school: the demo's kindergartens and secondary schools rate the
  same items as primary schools (the real FQS are for primary schools).

With the default settings (seed 2024, scale 1, 2015-2024) about 10,200 schools assess
themselves each year (93% of the reporting schools), the district verifies 21-25% of them,
self-assessments are 0.3 of a rating step above the district's on the same items, and the
official categories move from 27% / 41% / 33% (categories 1 / 2 / 3) in 2022 to 14% / 39% /
47% in 2024; town schools score about 83 on average, rural ones 64.

Planted inconsistencies (listed for the manifest's ``dirt``): 40 self-assessments
(:data:`N_WATER_CONTRADICTIONS`, spread over the years; fewer if a tiny package has fewer
schools without water) rate drinking water "achieved" in a year when the facilities table
says ``none``, and every reporting school-year whose census PTR is above 60 assesses itself
and rates the PTR item "achieved" (at most :data:`N_PTR_CONTRADICTIONS`). The demo's
teachers keep every clean school's PTR at 45 or below (:mod:`lib.demo.staff`), so only the
planted implausible-PTR school-years (lib.demo.dirt: three in all years, some of them big
schools with one teacher) are above 60: there are at most three such contradictions,
usually none or one. The planted self-assessments are never externally verified, so they
are the school's official result too. Nothing else contradicts the census: the generator
checks it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lib.demo.common import largest_remainder, stream
from lib.demo.rates import trend
from lib.demo.register import Register

QUALITY_TABLES = ("quality_framework", "quality_scale", "quality_levels",
                  "quality_assessment")
ASSESSED_YEARS = 3
SELF, EXTERNAL = "self", "external"
ASSESSORS = (SELF, EXTERNAL)


class Part(NamedTuple):
    """One row of the framework: a standard (no criterion), a criterion (no item) or an item."""

    standard: str
    criterion: str
    item: str
    name_en: str
    name_local: str
    weight: float = 1.0
    rule: str = ""                  # standard and criterion rows: mean / all ("" = mean)
    pass_score: float | None = None   # standard and criterion rows ("" = 100)
    census_check: str = ""
    census_limit: float | None = None


def _standard(sid: str, en: str, lo: str, weight: float = 1.0, rule: str = "") -> Part:
    return Part(sid, "", "", en, lo, weight, rule, 75.0)


def _criterion(sid: str, cid: str, en: str, lo: str, weight: float = 1.0, rule: str = "",
               pass_score: float | None = 75.0) -> Part:
    return Part(sid, cid, "", en, lo, weight, rule, pass_score)


def _item(sid: str, cid: str, iid: str, en: str, lo: str, weight: float = 1.0,
          check: str = "", limit: float | None = None) -> Part:
    return Part(sid, cid, iid, en, lo, weight, census_check=check, census_limit=limit)


PTR_NORM = 45.0
FRAMEWORK: tuple[Part, ...] = (
    _standard("inputs", "Inputs", "ປັດໃຈນຳເຂົ້າ", rule="mean"),
    _criterion("inputs", "buildings", "Buildings and facilities",
               "ອາຄານ ແລະ ສິ່ງອຳນວຍຄວາມສະດວກ", weight=2.0),
    _item("inputs", "buildings", "classroom_condition", "Classrooms in good repair",
          "ຫ້ອງຮຽນຢູ່ໃນສະພາບດີ"),
    _item("inputs", "buildings", "furniture", "Enough desks and benches",
          "ມີໂຕະ ແລະ ຕັ່ງພຽງພໍ"),
    _item("inputs", "buildings", "drinking_water", "Clean drinking water", "ມີນ້ຳດື່ມສະອາດ",
          check="drinking_water"),
    _item("inputs", "buildings", "latrines", "Usable latrines", "ມີຫ້ອງນ້ຳທີ່ໃຊ້ໄດ້",
          check="sanitation"),
    _criterion("inputs", "teachers", "Teachers", "ຄູ"),
    _item("inputs", "teachers", "teacher_qualification",
          "Teachers hold the required qualification", "ຄູມີວຸດທິຕາມມາດຕະຖານ"),
    _item("inputs", "teachers", "pupil_teacher_ratio", "Pupils per teacher within the norm",
          "ຈຳນວນນັກຮຽນຕໍ່ຄູຢູ່ໃນເກນ", check="pupil_teacher_ratio", limit=PTR_NORM),
    _criterion("inputs", "materials", "Textbooks and school records",
               "ປຶ້ມແບບຮຽນ ແລະ ປຶ້ມບັນທຶກ", rule="all", pass_score=None),
    _item("inputs", "materials", "textbooks", "A textbook for every pupil",
          "ນັກຮຽນທຸກຄົນມີປຶ້ມແບບຮຽນ"),
    _item("inputs", "materials", "record_books", "Class registers and record books",
          "ມີປຶ້ມບັນທຶກຂອງຫ້ອງຮຽນຄົບຖ້ວນ"),
    _standard("teaching", "Teaching and pupils' welfare",
              "ການຮຽນ-ການສອນ ແລະ ສະຫວັດດີພາບຂອງນັກຮຽນ"),
    _criterion("teaching", "classroom_teaching", "Teaching", "ການສອນ"),
    _item("teaching", "classroom_teaching", "lesson_planning", "Lessons are prepared",
          "ຄູກະກຽມບົດສອນ"),
    _item("teaching", "classroom_teaching", "child_centred", "Child-centred teaching",
          "ການສອນທີ່ເອົານັກຮຽນເປັນໃຈກາງ", weight=2.0),
    _item("teaching", "classroom_teaching", "learning_assessment",
          "Pupils' learning is assessed", "ການປະເມີນຜົນການຮຽນຂອງນັກຮຽນ"),
    _criterion("teaching", "welfare", "Pupils' welfare", "ສະຫວັດດີພາບຂອງນັກຮຽນ"),
    _item("teaching", "welfare", "inclusion", "Every child is welcome",
          "ຮັບເດັກທຸກຄົນເຂົ້າຮຽນ"),
    _item("teaching", "welfare", "safe_environment", "A safe school", "ໂຮງຮຽນປອດໄພ"),
    _standard("management", "School management", "ການຄຸ້ມຄອງໂຮງຮຽນ"),
    _criterion("management", "planning", "Planning and administration",
               "ການວາງແຜນ ແລະ ການບໍລິຫານ"),
    _item("management", "planning", "school_development_plan", "A school development plan",
          "ມີແຜນພັດທະນາໂຮງຮຽນ"),
    _item("management", "planning", "school_grant", "School grant used as planned",
          "ນຳໃຊ້ງົບປະມານໂຮງຮຽນຕາມແຜນ"),
    _item("management", "planning", "records_up_to_date", "School records up to date",
          "ຂໍ້ມູນຂອງໂຮງຮຽນເປັນປັດຈຸບັນ"),
    _standard("community", "School cluster and community", "ກຸ່ມໂຮງຮຽນ ແລະ ຊຸມຊົນ"),
    _criterion("community", "cluster_community", "Cluster and village",
               "ກຸ່ມໂຮງຮຽນ ແລະ ບ້ານ"),
    _item("community", "cluster_community", "village_education_committee",
          "The village education development committee is active",
          "ຄະນະກຳມະການພັດທະນາການສຶກສາບ້ານເຄື່ອນໄຫວ"),
    _item("community", "cluster_community", "cluster_meetings",
          "Teachers attend cluster meetings", "ຄູເຂົ້າຮ່ວມກອງປະຊຸມກຸ່ມໂຮງຮຽນ"),
    _standard("outcomes", "Learning outcomes", "ຜົນການຮຽນ", weight=2.0),
    _criterion("outcomes", "learning", "Pupils' learning", "ການຮຽນຮູ້ຂອງນັກຮຽນ"),
    _item("outcomes", "learning", "reading_grade3", "Grade 3 pupils read fluently",
          "ນັກຮຽນຊັ້ນ ປ. 3 ອ່ານໄດ້ຄ່ອງ", weight=1.5),
    _item("outcomes", "learning", "promotion", "Pupils move up a grade",
          "ນັກຮຽນໄດ້ເລື່ອນຊັ້ນ"),
)
FRAMEWORK_COLUMNS = list(Part._fields)

# rating, points, English, Lao: best first.
SCALE: tuple[tuple[str, float, str, str], ...] = (
    ("achieved", 2.0, "Achieved", "ບັນລຸ"),
    ("minor_issue", 1.0, "Minor issue", "ມີບັນຫາເລັກນ້ອຍ"),
    ("major_issue", 0.0, "Major issue", "ມີບັນຫາໃຫຍ່"),
)
# level, rank, min_score, English, Lao, support_days (ASSUMPTION: days a year).
LEVELS: tuple[tuple[str, int, float | None, str, str, int], ...] = (
    ("category_1", 1, None, "Category 1: intensive support",
     "ປະເພດ 1: ຕ້ອງການການຊ່ວຍເຫຼືອຫຼາຍ", 10),
    ("category_2", 2, 50.0, "Category 2: regular support",
     "ປະເພດ 2: ຕ້ອງການການຊ່ວຍເຫຼືອປານກາງ", 6),
    ("category_3", 3, 75.0, "Category 3: light support",
     "ປະເພດ 3: ຕ້ອງການການຊ່ວຍເຫຼືອໜ້ອຍ", 2),
)

ITEMS = tuple(p.item for p in FRAMEWORK if p.item)
_I = {item: k for k, item in enumerate(ITEMS)}
WATER, LATRINES, PTR, QUALIFIED = (_I["drinking_water"], _I["latrines"],
                                   _I["pupil_teacher_ratio"], _I["teacher_qualification"])
CENSUS_ITEMS = (WATER, LATRINES, PTR)
RATINGS = tuple(r for r, *_ in SCALE)
ACHIEVED, MINOR, MAJOR = 2, 1, 0                 # points

# Difficulty of the latent items (higher: more often achieved); census items: unused.
DIFFICULTY = {
    "classroom_condition": 0.1, "furniture": 0.2, "drinking_water": 0.0, "latrines": 0.0,
    "teacher_qualification": 0.4, "pupil_teacher_ratio": 0.0, "textbooks": 0.3,
    "record_books": 0.9, "lesson_planning": 0.6, "child_centred": -0.5,
    "learning_assessment": 0.1, "inclusion": 0.4, "safe_environment": 0.6,
    "school_development_plan": 0.5, "school_grant": 0.5, "records_up_to_date": 0.7,
    "village_education_committee": 0.2, "cluster_meetings": 0.5, "reading_grade3": -0.6,
    "promotion": 0.0,
}
# Latent model (units of the latent scale; a rating step is about 1.2 units wide).
BASE = -0.5
REMOTENESS = (0.9, 0.35, 0.25)   # + (1 - rho) × a - priority × b + urban × c
SCHOOL_SPREAD = 0.35             # the school's own level
ITEM_SPREAD = 0.5                # a school-item's lasting deviation
YEAR_NOISE = 0.35                # the state of an item in a year
ASSESSOR_NOISE = 0.35            # the assessor's reading of it
THRESHOLDS = (-0.6, 0.6)         # below the first: major issue; above the second: achieved
OPTIMISM = 0.55                  # self-assessments read the school this much better
IMPROVEMENT = 0.3                # × trend(year): +0.03 a year, from REFERENCE_YEAR
REFERENCE_YEAR = 2022            # BASE is the level of this year
SUPPORT_GAIN = 0.2               # lasting gain from 10 days of district support
QUALIFICATION_EFFECT = 3.0       # × (share of qualified teachers - 0.9)
# Census items: the rating drawn from the ladder (none, limited, basic): cumulative
# probabilities of (major issue, minor issue) by assessor; "achieved" above.
LADDER_RATING = {
    SELF: np.array([(0.65, 1.0), (0.08, 0.70), (0.0, 0.04)]),
    EXTERNAL: np.array([(0.85, 1.0), (0.20, 0.90), (0.0, 0.12)]),
}
LADDER = ("none", "limited", "basic")
PTR_ACHIEVED = {SELF: 38.0, EXTERNAL: 34.0}   # PTR (with some noise) read as achieved
PTR_CONTRADICTION = 60.0
# Who assesses: self-assessment share (before remoteness), stability, external sample.
SELF_SHARE = 0.975
SELF_REMOTE = (0.06, 0.03)       # less often in remote (rho) and priority districts
SAME_AS_LAST_YEAR = 0.8
EXTERNAL_SHARE = (0.2, 0.38)     # of the self-assessed; of those category 1 the year before
COMMENT_SHARE = 0.5
N_WATER_CONTRADICTIONS = 40
N_PTR_CONTRADICTIONS = 20

COMMENTS: dict[str, tuple[str, str, str]] = {
    "classroom_condition": ("Roof leaks in two classrooms", "Cracked walls in one classroom",
                            "Classroom floors need repair"),
    "furniture": ("Not enough desks in grade 1", "Pupils share benches",
                  "Broken chairs not replaced"),
    "drinking_water": ("Water filter broken", "Water only in the rainy season",
                       "Pupils bring water from home"),
    "latrines": ("One latrine for all pupils", "Latrine door broken",
                 "No water for the latrines"),
    "teacher_qualification": ("Two teachers without the required diploma",
                              "Volunteer teacher not yet trained",
                              "Teachers need upgrading courses"),
    "pupil_teacher_ratio": ("Grade 1 class too large", "One teacher short this year",
                            "Large multigrade class"),
    "textbooks": ("Grade 2 textbooks missing", "Pupils share textbooks",
                  "Old textbooks still in use"),
    "record_books": ("Class register incomplete", "Record books not delivered",
                     "Marks kept on loose sheets"),
    "lesson_planning": ("Lesson plans not written every week",
                        "Lesson plans copied from last year",
                        "Principal does not check lesson plans"),
    "child_centred": ("Mostly copying from the board", "Little group work",
                      "Pupils rarely ask questions"),
    "learning_assessment": ("Tests only at the end of term", "Results not shared with parents",
                            "No follow-up for weak pupils"),
    "inclusion": ("Some village children not enrolled",
                  "No help for pupils with difficulties",
                  "No help for pupils who speak little Lao"),
    "safe_environment": ("School yard not fenced", "Broken glass in the yard",
                         "Path to school floods in the rainy season"),
    "school_development_plan": ("Plan not updated this year",
                                "Plan written without the village committee",
                                "Planned activities not carried out"),
    "school_grant": ("Grant spending not recorded", "Grant arrived late",
                     "Grant plan not shown to the committee"),
    "records_up_to_date": ("Enrolment records not up to date", "Attendance not recorded daily",
                           "Census form sent late"),
    "village_education_committee": ("Committee has not met this year",
                                    "New committee members not trained",
                                    "Few parents attend meetings"),
    "cluster_meetings": ("Teachers missed cluster meetings", "Cluster school is far away",
                         "No cluster meeting this term"),
    "reading_grade3": ("Many grade 3 pupils cannot read a short text", "No reading books",
                       "Pupils read slowly"),
    "promotion": ("Many grade 1 pupils repeat", "Pupils leave during the harvest",
                  "Several pupils dropped out"),
}

ASSESSMENT_SCHEMA = pa.schema([
    ("year", pa.int32()), ("school_id", pa.string()), ("assessor", pa.string()),
    ("item", pa.string()), ("rating", pa.string()), ("comment", pa.string()),
])


def write_quality(out: Path, register: Register, seed: int, first: int, last: int,
                  progress: Callable[[str], None] = print) -> dict:
    """Write the four quality tables into ``out`` (after the enrolment, teachers and
    facilities); return their facts for the manifest, with the planted contradictions under
    ``contradictions`` (a list of {"school_id", "year", "item"})."""
    years = list(range(max(first, last - ASSESSED_YEARS + 1), last + 1))
    progress(f"writing the school quality self-assessments {years[0]}-{years[-1]}…")
    framework_table().to_csv(out / "quality_framework.csv", index=False, lineterminator="\n",
                             float_format="%g")
    scale_table().to_csv(out / "quality_scale.csv", index=False, lineterminator="\n",
                         float_format="%g")
    levels_table().to_csv(out / "quality_levels.csv", index=False, lineterminator="\n",
                          float_format="%g")

    facts = _facts(out, register, years)
    ids = pa.array(register.col("school_id").astype(object), type=pa.string())
    sim = _Simulation(register, seed)
    quotas = largest_remainder(N_WATER_CONTRADICTIONS, np.ones(len(years)))
    tables, assessed, verified, shares, planted, optimism = [], {}, {}, {}, [], []
    for yi, year in enumerate(years):
        result = sim.year(year, {k: v[yi] for k, v in facts.items()}, int(quotas[yi]))
        tables.append(_year_table(year, result, ids))
        assessed[str(year)] = int(result.self_.sum())
        verified[str(year)] = int(result.external.sum())
        shares[str(year)] = {
            level: round(100.0 * float((result.category[result.self_] == k).mean()), 1)
            if result.self_.any() else 0.0
            for k, (level, *_) in enumerate(LEVELS)}
        planted += [{"school_id": str(ids[int(r)]), "year": year, "item": ITEMS[k]}
                    for r, k in result.planted]
        both = result.external
        optimism.append((result.self_points[both] - result.ext_points[both]).ravel())
    table = pa.concat_tables(tables) if tables else ASSESSMENT_SCHEMA.empty_table()
    pq.write_table(table, out / "quality_assessment.parquet", compression="zstd")
    gap = np.concatenate(optimism) if optimism else np.zeros(0)
    return {
        "tables": sorted(QUALITY_TABLES),
        "years": years,
        "items": len(ITEMS),
        "rows": int(table.num_rows),
        "schools_assessed": assessed,
        "externally_verified": verified,
        # Percent of the assessed schools in each category (official results).
        "category_share": shares,
        "self_above_external": round(float(gap.mean()), 2) if len(gap) else None,
        "contradictions": sorted(planted, key=lambda d: (d["year"], d["school_id"], d["item"])),
    }


# --------------------------------------------------------------------------------------
# The three small tables.

def framework_table() -> pd.DataFrame:
    return pd.DataFrame(FRAMEWORK, columns=FRAMEWORK_COLUMNS).astype(
        {"pass_score": "Float64", "census_limit": "Float64"})


def scale_table() -> pd.DataFrame:
    return pd.DataFrame(SCALE, columns=["rating", "points", "name_en", "name_local"])


def levels_table() -> pd.DataFrame:
    frame = pd.DataFrame(LEVELS, columns=["level", "rank", "min_score", "name_en",
                                          "name_local", "support_days"])
    return frame.astype({"min_score": "Float64"})


# --------------------------------------------------------------------------------------
# Roll-up (the build's rule, restated: the generator needs the official category).

class RollUp:
    """Weighted means (or minimum, rule ``all``) from items to criteria to standards to
    the school score, from :data:`FRAMEWORK`."""

    def __init__(self, parts: tuple[Part, ...] = FRAMEWORK) -> None:
        self.items = [p for p in parts if p.item]
        self.criteria = [p for p in parts if p.criterion and not p.item]
        self.standards = [p for p in parts if not p.criterion]
        crit_key = [(c.standard, c.criterion) for c in self.criteria]
        std_key = [s.standard for s in self.standards]
        self.item_criterion = np.array([crit_key.index((p.standard, p.criterion))
                                        for p in self.items])
        self.criterion_standard = np.array([std_key.index(c.standard) for c in self.criteria])
        points = [p for _, p, *_ in SCALE]
        self.lo, self.hi = min(points), max(points)

    @staticmethod
    def _combine(scores: np.ndarray, owner: np.ndarray, parts: list[Part],
                 parents: list[Part]) -> np.ndarray:
        out = np.empty((len(scores), len(parents)))
        weight = np.array([p.weight for p in parts])
        for j, parent in enumerate(parents):
            cols = np.flatnonzero(owner == j)
            if parent.rule == "all":
                out[:, j] = scores[:, cols].min(axis=1)
            else:
                w = weight[cols]
                out[:, j] = scores[:, cols] @ w / w.sum()
        return out

    def scores(self, points: np.ndarray) -> np.ndarray:
        """School scores (rounded to 1e-6) of rating points (rows, items; the points of
        :data:`SCALE`: 2 achieved, 1 minor issue, 0 major issue)."""
        item = 100.0 * (points - self.lo) / (self.hi - self.lo)
        crit = self._combine(item, self.item_criterion, self.items, self.criteria)
        std = self._combine(crit, self.criterion_standard, self.criteria, self.standards)
        w = np.array([s.weight for s in self.standards])
        return np.round(std @ w / w.sum(), 6)


def category_of(score: np.ndarray) -> np.ndarray:
    """Index into :data:`LEVELS` (0 = category 1): the highest rank whose min_score holds."""
    out = np.zeros(len(score), dtype=np.int64)
    for k, (_, _, min_score, *_) in enumerate(LEVELS):
        if min_score is not None:
            out[score >= min_score] = k
    return out


# --------------------------------------------------------------------------------------

class _Year(NamedTuple):
    reporting: np.ndarray     # (n,) bool
    self_: np.ndarray         # (n,) bool: self-assessed
    external: np.ndarray      # (n,) bool: externally verified (a subset of self_)
    self_points: np.ndarray   # (n, items)
    ext_points: np.ndarray    # (n, items)
    self_comment: np.ndarray  # (n, items): phrase number, -1 none
    ext_comment: np.ndarray
    category: np.ndarray      # (n,) official category index (rows not assessed: 0)
    planted: list[tuple[int, int]]   # (register row, item)


class _Simulation:
    """The schools' latent quality, carried from year to year (support gains)."""

    def __init__(self, register: Register, seed: int) -> None:
        self.seed = seed
        self.n = n = len(register)
        self.rho = register.col("rho").astype(np.float64)
        self.prio = register.col("priority").astype(np.float64)
        self.urban = register.col("urban").astype(np.float64)
        a, b, c = REMOTENESS
        rng = stream(seed, "quality_assessment", 0)
        self.level = (BASE + a * (1.0 - self.rho) - b * self.prio + c * self.urban
                      + rng.normal(0.0, SCHOOL_SPREAD, n))
        self.lasting = (rng.normal(0.0, ITEM_SPREAD, (n, len(ITEMS)))
                        + np.array([DIFFICULTY[i] for i in ITEMS])[None, :])
        self.self_latent = rng.random(n)
        self.p_self = np.clip(SELF_SHARE - SELF_REMOTE[0] * self.rho
                              - SELF_REMOTE[1] * self.prio, 0.0, 1.0)
        self.gain = np.zeros(n)
        self.previous = np.full(n, -1, dtype=np.int64)     # last year's official category
        self.roll = RollUp()
        self.support = np.array([days for *_, days in LEVELS], dtype=np.float64)

    def year(self, year: int, facts: dict[str, np.ndarray], quota: int) -> _Year:
        """The ratings of ``year`` (``facts``: that year's census, by register row);
        ``quota``: the drinking water contradictions to plant."""
        n, k = self.n, len(ITEMS)
        rng = stream(self.seed, "quality_assessment", 1, year)
        reporting = facts["pupils"] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ptr = np.where(facts["teachers"] > 0, facts["pupils"] / facts["teachers"], np.inf)
            qualified = np.where(facts["teachers"] > 0,
                                 facts["qualified"] / facts["teachers"], 0.0)
        ptr_planted = reporting & (ptr > PTR_CONTRADICTION)

        # Who assesses.
        keep = rng.random(n) < SAME_AS_LAST_YEAR
        u = np.where(keep, self.self_latent, rng.random(n))
        self_ = reporting & ((u < self.p_self) | ptr_planted)
        p_ext = np.where(self.previous == 0, EXTERNAL_SHARE[1], EXTERNAL_SHARE[0])
        external = self_ & (rng.random(n) < p_ext) & ~ptr_planted

        # The item's state this year, read by each assessor.
        state = (self.level[:, None] + self.lasting
                 + IMPROVEMENT * (trend(year) - trend(REFERENCE_YEAR))
                 + self.gain[:, None] + rng.normal(0.0, YEAR_NOISE, (n, k)))
        state[:, QUALIFIED] += QUALIFICATION_EFFECT * (qualified - 0.9)
        self_points = np.digitize(state + OPTIMISM + rng.normal(0.0, ASSESSOR_NOISE, (n, k)),
                                  THRESHOLDS)
        ext_points = np.digitize(state + rng.normal(0.0, ASSESSOR_NOISE, (n, k)), THRESHOLDS)
        u_census = rng.random((n, 2))
        ptr_noise = rng.normal(0.0, 3.0, n)
        for col, ladder, uc in ((WATER, facts["water"], u_census[:, 0]),
                                (LATRINES, facts["sanitation"], u_census[:, 1])):
            step = np.maximum(ladder, 0)
            for points, who in ((self_points, SELF), (ext_points, EXTERNAL)):
                cut = LADDER_RATING[who][step]
                points[:, col] = (uc >= cut[:, 0]).astype(np.int64) + (uc >= cut[:, 1])
        for points, who in ((self_points, SELF), (ext_points, EXTERNAL)):
            points[:, PTR] = np.where(ptr > PTR_NORM, MAJOR,
                                      np.where(ptr + ptr_noise <= PTR_ACHIEVED[who],
                                               ACHIEVED, MINOR))

        # Planted contradictions: self-assessments not verified by the district.
        planted = [(int(r), PTR) for r in np.flatnonzero(ptr_planted)][:N_PTR_CONTRADICTIONS]
        for r, _ in planted:
            self_points[r, PTR] = ACHIEVED
        cand = np.flatnonzero(self_ & ~external & (facts["water"] == 0))
        chosen = np.sort(rng.choice(cand, size=min(quota, len(cand)), replace=False))
        self_points[chosen, WATER] = ACHIEVED
        planted += [(int(r), WATER) for r in chosen]
        planted.sort()

        def comments(points: np.ndarray) -> np.ndarray:
            has = (points < ACHIEVED) & (rng.random((n, k)) < COMMENT_SHARE)
            return np.where(has, rng.integers(0, 3, (n, k)), -1)

        self_comment, ext_comment = comments(self_points), comments(ext_points)

        official = np.where(external[:, None], ext_points, self_points)
        category = np.zeros(n, dtype=np.int64)
        if self_.any():
            category[self_] = category_of(self.roll.scores(official[self_]))
        # Support follows the official category: next year's gain.
        self.gain += np.where(self_, SUPPORT_GAIN * self.support[category] / 10.0, 0.0)
        self.previous = np.where(self_, category, -1)
        result = _Year(reporting, self_, external, self_points, ext_points, self_comment,
                       ext_comment, category, planted)
        _check(result, facts, ptr)
        return result



def _check(result: _Year, facts: dict[str, np.ndarray], ptr: np.ndarray) -> None:
    """Only the planted ratings contradict the census; external ratings never do."""
    def contradicting(points: np.ndarray, rows: np.ndarray) -> set[tuple[int, int]]:
        bad = np.zeros(points.shape, dtype=bool)
        bad[:, WATER] = (points[:, WATER] == ACHIEVED) & (facts["water"] == 0)
        bad[:, LATRINES] = (points[:, LATRINES] == ACHIEVED) & (facts["sanitation"] == 0)
        bad[:, PTR] = (points[:, PTR] == ACHIEVED) & (ptr > PTR_NORM)
        r, c = np.nonzero(bad & rows[:, None])
        return set(zip(r.tolist(), c.tolist()))

    problems = []
    if contradicting(result.self_points, result.self_) != set(result.planted):
        problems.append("self-assessments contradict the census beyond the planted ones")
    if contradicting(result.ext_points, result.external):
        problems.append("external ratings contradict the census")
    if (result.external & ~result.self_).any() or (result.self_ & ~result.reporting).any():
        problems.append("assessed schools are not reporting or not self-assessed")
    if problems:
        raise RuntimeError("demo self-check failed (a bug in lib.demo.quality): "
                           + "; ".join(problems))


def _year_table(year: int, r: _Year, ids: pa.Array) -> pa.Table:
    """The ratings of one year, by school, assessor (self first) and item."""
    k = len(ITEMS)
    s_rows, e_rows = np.flatnonzero(r.self_), np.flatnonzero(r.external)
    school = np.concatenate([s_rows, e_rows])
    assessor = np.concatenate([np.zeros(len(s_rows), np.int64), np.ones(len(e_rows), np.int64)])
    order = np.lexsort((assessor, school))
    school, assessor = school[order], assessor[order]
    points = np.concatenate([r.self_points[s_rows], r.ext_points[e_rows]])[order].ravel()
    comment = np.concatenate([r.self_comment[s_rows], r.ext_comment[e_rows]])[order].ravel()
    item = np.tile(np.arange(k), len(school))
    phrases = pa.array([p for i in ITEMS for p in COMMENTS[i]] + [None], type=pa.string())
    phrase = np.where(comment >= 0, item * 3 + comment, 3 * k)
    by_points = pa.array([RATINGS[len(RATINGS) - 1 - p] for p in range(len(RATINGS))])
    m = len(points)
    return pa.table({
        "year": pa.array(np.full(m, year, dtype=np.int32)),
        "school_id": pc.take(ids, pa.array(np.repeat(school, k))),
        "assessor": pc.take(pa.array(list(ASSESSORS)), pa.array(np.repeat(assessor, k))),
        "item": pc.take(pa.array(list(ITEMS)), pa.array(item)),
        "rating": pc.take(by_points, pa.array(points)),
        "comment": pc.take(phrases, pa.array(phrase)),
    }, schema=ASSESSMENT_SCHEMA)


def _facts(out: Path, register: Register, years: list[int]) -> dict[str, np.ndarray]:
    """(years, schools) arrays read back from the package: pupils, teachers, qualified
    teachers, and the drinking water and sanitation ladders (0 none, 1 limited, 2 basic;
    -1 no facilities row)."""
    n, ny = len(register), len(years)
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        index = pa.table({"school_id": register.col("school_id").astype(str),
                          "school": np.arange(n, dtype=np.int64)})
        con.register("register_index", index)

        def path(name: str) -> str:
            return str(out / name).replace("'", "''")

        pupils = con.execute(f"""
            SELECT e.year, r.school, SUM(e.enrolled)::BIGINT AS v
            FROM read_parquet('{path("enrolment.parquet")}') e JOIN register_index r
                USING (school_id)
            WHERE e.year BETWEEN ? AND ? GROUP BY ALL""", [years[0], years[-1]]).fetchnumpy()
        teachers = con.execute(f"""
            SELECT t.year, r.school, SUM(t.count)::BIGINT AS v,
                   SUM(t.count * t.qualified)::BIGINT AS q
            FROM read_parquet('{path("teachers.parquet")}') t JOIN register_index r
                USING (school_id)
            WHERE t.year BETWEEN ? AND ? GROUP BY ALL""", [years[0], years[-1]]).fetchnumpy()
        ladder = ", ".join(f"'{v}'" for v in LADDER)
        facilities = con.execute(f"""
            SELECT f.year, r.school,
                   list_position([{ladder}], f.drinking_water) - 1 AS water,
                   list_position([{ladder}], f.sanitation) - 1 AS sanitation
            FROM read_csv('{path("facilities.csv")}', header = true,
                          types = {{'school_id': 'VARCHAR'}}) f
            JOIN register_index r USING (school_id)
            WHERE f.year BETWEEN ? AND ?""", [years[0], years[-1]]).fetchnumpy()
    finally:
        con.close()

    def grid(table: dict, column: str, fill: int) -> np.ndarray:
        out = np.full((ny, n), fill, dtype=np.int64)
        y = np.asarray(table["year"]).astype(np.int64) - years[0]
        out[y, np.asarray(table["school"]).astype(np.int64)] = \
            np.asarray(table[column]).astype(np.int64)
        return out

    facts = {"pupils": grid(pupils, "v", 0), "teachers": grid(teachers, "v", 0),
             "qualified": grid(teachers, "q", 0), "water": grid(facilities, "water", -1),
             "sanitation": grid(facilities, "sanitation", -1)}
    if ((facts["pupils"] > 0) & ((facts["water"] < 0) | (facts["sanitation"] < 0))).any():
        raise RuntimeError("demo self-check failed (a bug in lib.demo.quality): a reporting "
                           "school has no facilities row")
    return facts
