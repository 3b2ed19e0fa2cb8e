"""Inclusive data of the demo: pupils by ethnicity and home language, the population by
ethnicity, the groups' names, and the Child Functioning Module (four optional tables).

Written after the enrolment (:func:`write_inclusion`, called by
:func:`lib.demo.package.generate_package`): it reads back ``enrolment.parquet`` and splits
each (year, school, grade, sex) cell, so the groups of a dimension add up exactly to the
enrolment of every cell a school reports. Vectorised numpy, one seeded stream per topic:
the same seed gives the same files.

Calibration: what comes from ``lao_facts.md`` and what is assumed
-----------------------------------------------------------------
From the reference (/work/shared/reference/lao_facts.md, section 5.1: the 2018 list of
ethnic groups [S35][S36] and the 2015 census [S37]; section 1: Lao is the language of
instruction and many minority children start grade 1 without Lao [S5][S8]):

* Lao PDR officially recognises 50 ethnic groups in four ethno-linguistic families:
  Lao-Tai, Mon-Khmer, Hmong-Iu Mien and Sino-Tibetan. The demo reports these four families
  (``lao_tai``, ``mon_khmer``, ``hmong_mien``, ``chinese_tibetan``) plus ``other`` and
  ``foreign`` (non-Lao nationals), as a ministry that groups its 50 codes would.
* Ethnic Lao are 53.2% of the population (2015 census); with the other Lao-Tai groups the
  family is a majority. The demo's national primary pupil shares (seed 2024, 2024) land
  near Lao-Tai 61%, Mon-Khmer 24%, Hmong-Mien 9%, Chinese-Tibetan 3.4%, other 1.2%,
  foreign 0.3%; the Lao-Tai share grows in secondary (about 65% and 69%).

Not from lao_facts.md: UNICEF's global estimate that about 1 child in 10 (nearly 240
million) has a functional difficulty (UNICEF, "Seen, Counted, Included", 2021), used only
as the true prevalence the demo's under-reported rates stay far below.

ASSUMPTIONS (not from the reference; synthetic, chosen to look plausible):

* The ethnic composition of each province (:data:`PROVINCE_MIX`): Lao-Tai majorities in the
  Mekong provinces (Vientiane Capital, Vientiane, Bolikhamxay, Khammouane, Savannakhet,
  Champasack), Mon-Khmer majorities in the south-east (Salavan, Sekong, Attapeu) and a large
  Khmu (Mon-Khmer) population in the north and centre, Hmong-Mien and Chinese-Tibetan in the
  north (Phongsaly, Luang Namtha, Oudomxay, Bokeo, Luang Prabang, Houaphanh, Xiengkhouang,
  Xaysomboun). The figures are rounded guesses, not census counts.
* Within a province, remote districts have more minority pupils and the towns more Lao-Tai
  (:data:`REMOTENESS_TILT`), with random variation between districts; a school is usually
  dominated by one group (a village of one group: :data:`DOMINANCE_RURAL`), town and
  secondary schools, with wider catchments, are more mixed (:data:`DOMINANCE_WIDE`).
* Participation: minority girls (Hmong-Mien, Mon-Khmer, Chinese-Tibetan) leave school
  earlier, so their share among girls falls in secondary, at the transition and with each
  grade (:data:`GIRLS_DECLINE`; boys less, :data:`BOYS_DECLINE`). The population by
  ethnicity (``population_groups``) is each district's primary pupil composition (before
  that lower participation) applied to every age and both sexes, as whole numbers adding
  up to population.csv; so the representation index is about 1 in primary and about
  0.8–0.95 for those groups in secondary (lower for girls). Where the secondary schools
  are (towns, provinces with more secondary pupils) adds to it.
* Home language is derived from ethnicity (:data:`HOME_LANGUAGE_OF`): Lao-Tai speak Lao,
  Hmong-Mien Hmong, Chinese-Tibetan, other and foreign pupils other languages; Mon-Khmer
  pupils speak Khmu in most northern schools and other Mon-Khmer languages (Katu, Brou,
  Makong…) in most southern ones (:data:`KHMU_SPEAKING`, by school); a few minority pupils
  speak Lao at home, more in towns (:data:`LAO_AT_HOME`).
* Reporting: ethnicity is collected from 2019, home language from 2021. About 3% of
  schools do not report ethnicity in a year and about 8% not home language (the same
  schools mostly from year to year, clustered in some districts; a school that leaves
  out ethnicity leaves out home language too), so the explorer flags the areas where the
  groups do not add up to the enrolment, and the build warns (groups_partial; the
  manifest lists them under dirt).
* The Child Functioning Module (UNICEF/Washington Group, ages 5–17) is reported from 2022
  by about 80–85% of schools, for grades 1–12 (not pre-primary: the module for children
  aged 2–4 asks other domains). UNICEF's global estimate is that about 1 child in 10 has a
  functional difficulty, but schools under-report it (teachers do not see most
  difficulties, and many children with a severe one are not enrolled): the demo's schools
  report about 1.5% of their pupils at the cut-off (a lot of difficulty, cannot do at all,
  or daily anxiety or depression; more in the first grades, fewer in upper secondary) and
  about 3% with some difficulty. The rates, the under-reporting by school and the domains'
  weights (:data:`CUT_OFF_RATE`, :data:`SOME_RATE`, :data:`DOMAIN_WEIGHTS`) are
  assumptions. Each pupil with a difficulty has one or two domains; the ``any`` rows count
  each pupil once, at the pupil's highest answer, and a row ``any``/``none`` holds the
  pupils without any difficulty, so every reporting school appears in the table.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lib.demo.areas import Areas
from lib.demo.common import stream
from lib.demo.register import LEVEL_BITS, Register
from lib.vocabulary import (ANY_DOMAIN, CFM_CUT_OFF, CFM_DEGREES, CFM_DOMAINS,
                            CFM_FREQUENCIES, CFM_HOW_OFTEN_DOMAINS, SEXES)

INCLUSION_TABLES = ("enrolment_groups", "population_groups", "group_names", "functioning")

ETHNICITY = "ethnicity"
HOME_LANGUAGE = "home_language"
ETHNIC_GROUPS = ("lao_tai", "mon_khmer", "hmong_mien", "chinese_tibetan", "other", "foreign")
LANGUAGES = ("lao", "khmu", "hmong", "other")
ETHNICITY_FROM, HOME_LANGUAGE_FROM, FUNCTIONING_FROM = 2019, 2021, 2022

# dimension, group ("" names the dimension), English, Lao: in display order.
GROUP_NAMES: tuple[tuple[str, str, str, str], ...] = (
    (ETHNICITY, "", "Ethnicity", "ຊົນເຜົ່າ"),
    (ETHNICITY, "lao_tai", "Lao-Tai", "ລາວ-ໄຕ"),
    (ETHNICITY, "mon_khmer", "Mon-Khmer", "ມອນ-ຂະແມ"),
    (ETHNICITY, "hmong_mien", "Hmong-Mien", "ມົ້ງ-ອິວມ້ຽນ"),
    (ETHNICITY, "chinese_tibetan", "Chinese-Tibetan", "ຈີນ-ທິເບດ"),
    (ETHNICITY, "other", "Other", "ອື່ນໆ"),
    (ETHNICITY, "foreign", "Foreign", "ຕ່າງປະເທດ"),
    (HOME_LANGUAGE, "", "Home language", "ພາສາທີ່ໃຊ້ໃນຄອບຄົວ"),
    (HOME_LANGUAGE, "lao", "Lao", "ລາວ"),
    (HOME_LANGUAGE, "khmu", "Khmu", "ຂະມຸ"),
    (HOME_LANGUAGE, "hmong", "Hmong", "ມົ້ງ"),
    (HOME_LANGUAGE, "other", "Other", "ອື່ນໆ"),
)

# ASSUMED composition of each province's children, in ETHNIC_GROUPS order (percent; each
# row is normalised). Not census figures.
PROVINCE_MIX: dict[str, tuple[float, ...]] = {
    "01": (87.0, 5.0, 5.0, 0.5, 1.5, 1.0),    # Vientiane Capital
    "02": (12.0, 32.0, 3.0, 51.0, 1.8, 0.2),  # Phongsaly: Akha, Phunoy (Sino-Tibetan), Khmu
    "03": (22.0, 27.0, 15.0, 33.0, 2.7, 0.3),  # Luang Namtha
    "04": (20.0, 54.0, 17.0, 8.0, 0.8, 0.2),  # Oudomxay: Khmu
    "05": (30.0, 26.0, 18.0, 23.0, 2.7, 0.3),  # Bokeo
    "06": (30.0, 45.0, 21.0, 3.0, 0.8, 0.2),  # Luang Prabang
    "07": (54.0, 14.0, 30.0, 1.0, 0.9, 0.1),  # Houaphanh: Tai Dam, Tai Deng, Hmong
    "08": (60.0, 21.0, 16.0, 1.0, 1.8, 0.2),  # Xayaboury
    "09": (46.0, 10.0, 42.0, 0.5, 1.4, 0.1),  # Xiengkhouang
    "10": (66.0, 13.0, 19.0, 0.5, 1.3, 0.2),  # Vientiane Province
    "11": (72.0, 13.0, 13.0, 0.5, 1.3, 0.2),  # Bolikhamxay
    "12": (75.0, 22.0, 1.0, 0.2, 1.6, 0.2),   # Khammouane
    "13": (71.0, 27.0, 0.5, 0.2, 1.1, 0.2),   # Savannakhet: Phou Thai (Lao-Tai), Brou, Katang
    "14": (38.0, 60.0, 0.3, 0.1, 1.5, 0.1),   # Salavan
    "15": (12.0, 86.0, 0.3, 0.1, 1.5, 0.1),   # Sekong
    "16": (79.0, 19.0, 0.3, 0.2, 1.2, 0.3),   # Champasack
    "17": (34.0, 64.0, 0.3, 0.1, 1.5, 0.1),   # Attapeu
    "18": (32.0, 10.0, 56.0, 0.5, 1.4, 0.1),  # Xaysomboun
}
LT, MK, HM, CT, OT, FO = range(len(ETHNIC_GROUPS))
MINORITIES = (MK, HM, CT)
# How strongly a district's remoteness (rho, 0..1) above its province's average lowers
# the Lao-Tai weight (log scale); and the spread between districts (lognormal sigma).
REMOTENESS_TILT = 3.0
DISTRICT_SPREAD = 0.3
# A school's own mix: weight of its dominant group (beta draws), lower in towns and in
# secondary schools.
DOMINANCE_RURAL = (10.0, 1.2)  # mean 0.89
DOMINANCE_WIDE = (2.0, 3.0)    # mean 0.4: town and secondary schools
URBAN_LAO_TAI = 1.3            # towns' schools are more often Lao-Tai dominated
# Participation of minority pupils relative to Lao-Tai in secondary (grade 6 on):
# exp(-(drop + rate × grades after grade 5)), a drop at the transition to secondary and a
# decline with each grade; (drop, rate) by group (MK, HM, CT), girls and boys.
SECONDARY_GRADE = 6
GIRLS_DECLINE = {MK: (0.04, 0.010), HM: (0.20, 0.025), CT: (0.04, 0.012)}
BOYS_DECLINE = {MK: (0.01, 0.002), HM: (0.08, 0.008), CT: (0.01, 0.002)}
# Home language by ethnicity: shares of lao, khmu, hmong, other (before LAO_AT_HOME).
HOME_LANGUAGE_OF = np.array([
    (1.0, 0.0, 0.0, 0.0),     # Lao-Tai
    (0.0, 1.0, 0.0, 0.0),     # Mon-Khmer: Khmu, or another language (KHMU_SPEAKING)
    (0.0, 0.0, 1.0, 0.0),     # Hmong-Mien (Iu Mien counted as Hmong's neighbour: hmong)
    (0.0, 0.0, 0.0, 1.0),     # Chinese-Tibetan
    (0.0, 0.0, 0.0, 1.0),     # other
    (0.0, 0.0, 0.0, 1.0),     # foreign
])
# Share of minority pupils who speak Lao at home, rural and urban schools.
LAO_AT_HOME = (0.03, 0.15)
# Share of the schools whose Mon-Khmer pupils speak Khmu (the others: Katu, Brou, Makong…
# count as "other"): most in the north, few in the south. By province; default: centre.
KHMU_SPEAKING = {"north": 0.9, "centre": 0.3, "south": 0.05}
NORTH = ("02", "03", "04", "05", "06", "07", "08", "09", "18")
SOUTH = ("14", "15", "16", "17")
# Non-reporting of a dimension: share of schools a year, and how stable it is.
NOT_REPORTING = {ETHNICITY: 0.03, HOME_LANGUAGE: 0.08}
SAME_AS_LAST_YEAR = 0.75
# Functioning: share of schools reporting, by year since FUNCTIONING_FROM (then the last).
FUNCTIONING_REPORTING = (0.80, 0.83, 0.85)

DEGREES = CFM_DEGREES + CFM_FREQUENCIES
DOMAINS = CFM_DOMAINS + (ANY_DOMAIN,)
_D = {name: i for i, name in enumerate(DEGREES)}
_HOW_OFTEN = np.isin(np.array(CFM_DOMAINS), CFM_HOW_OFTEN_DOMAINS)
# Pupils reported at the cut-off and with some difficulty (only), by grade 1..12.
CUT_OFF_RATE = np.array([0.0, 0.022, 0.020, 0.018, 0.016, 0.015, 0.013, 0.012, 0.012,
                         0.011, 0.010, 0.009, 0.009])
SOME_RATE = np.array([0.0, 0.040, 0.038, 0.036, 0.034, 0.032, 0.030, 0.029, 0.028, 0.027,
                      0.026, 0.025, 0.025])
UNDER_REPORTING_SIGMA = 0.6    # schools differ in how much they see (lognormal, mean 1)
SECOND_DOMAIN = (0.20, 0.35)   # share of pupils with a second domain: some, cut-off
SECOND_AT_CUT_OFF = 0.35       # a cut-off pupil's second domain is at the cut-off too
CANNOT = 0.25                  # of the answers at the cut-off, "cannot do at all"
# Weights of the domains in grade 1 and grade 12 (interpolated), CFM_DOMAINS order.
DOMAIN_WEIGHTS = (
    np.array([0.12, 0.06, 0.04, 0.02, 0.08, 0.22, 0.10, 0.10, 0.05, 0.06, 0.04, 0.06, 0.05]),
    np.array([0.09, 0.05, 0.04, 0.01, 0.04, 0.12, 0.08, 0.10, 0.05, 0.05, 0.06, 0.16, 0.15]),
)
# Rank of an answer, for a pupil's highest (the ``any`` row): at the cut-off above the rest.
_RANK = np.array([{"some": 2, "a_lot": 4, "cannot": 5, "weekly": 1, "daily": 3}.get(d, 0)
                  for d in DEGREES])
_BY_RANK = np.array([_D["none"], _D["weekly"], _D["some"], _D["daily"], _D["a_lot"],
                     _D["cannot"]])

ENROLMENT_GROUPS_SCHEMA = pa.schema([
    ("year", pa.int32()), ("school_id", pa.string()), ("grade", pa.int32()),
    ("sex", pa.string()), ("dimension", pa.string()), ("group", pa.string()),
    ("enrolled", pa.int32()),
])
POPULATION_GROUPS_SCHEMA = pa.schema([
    ("year", pa.int32()), ("district_code", pa.string()), ("sex", pa.string()),
    ("age", pa.int32()), ("dimension", pa.string()), ("group", pa.string()),
    ("population", pa.int64()),
])
FUNCTIONING_SCHEMA = pa.schema([
    ("year", pa.int32()), ("school_id", pa.string()), ("grade", pa.int32()),
    ("sex", pa.string()), ("domain", pa.string()), ("degree", pa.string()),
    ("pupils", pa.int32()),
])


def write_inclusion(out: Path, register: Register, areas: Areas, population: pd.DataFrame,
                    seed: int, first: int, last: int,
                    progress: Callable[[str], None] = print) -> dict:
    """Write the four inclusion tables into ``out`` (after ``enrolment.parquet``); return
    their facts for the manifest. ``population``: the rows of population.csv."""
    since = max(first, ETHNICITY_FROM)
    if last < since:
        return {"tables": []}  # collected from 2019 only: nothing to write
    progress("writing pupils by ethnicity and home language, and child functioning…")
    cells = _cells(out, register, since, last)
    ids = pa.array(register.col("school_id").astype(object), type=pa.string())
    district = register.col("district").astype(np.int64)
    urban = register.col("urban").astype(bool)

    mix = school_mix(register, areas, seed)
    ethnic = _ethnicity(cells, mix, seed)
    # Home language from 2021 only (the other cells keep zeros and are not written).
    asked = cells["year"] >= HOME_LANGUAGE_FROM
    language = np.zeros((len(asked), len(LANGUAGES)), dtype=np.int64)
    language[asked] = _home_language(cells["school"][asked], ethnic[asked], urban,
                                     khmu_schools(register, areas, seed), seed)
    _check_sums(cells["n"], ethnic, language, asked)
    years = np.arange(since, last + 1)
    missing = {dim: _not_reporting(register, seed, dim, years) for dim in NOT_REPORTING}
    position = cells["year"] - since
    eth_rows = ~missing[ETHNICITY][position, cells["school"]]
    lang_rows = asked & ~missing[HOME_LANGUAGE][position, cells["school"]]
    written: dict[str, pa.Table] = {
        "enrolment_groups": _group_table(cells, ethnic, eth_rows, language, lang_rows, ids),
        "population_groups": _population_groups(cells, mix, district, areas, population,
                                                years),
    }
    reporting: dict[str, int] = {}
    if last >= FUNCTIONING_FROM:
        written["functioning"], reporting = _functioning(
            cells, register, seed, max(since, FUNCTIONING_FROM), last, ids)
    written = {name: table for name, table in written.items() if table.num_rows}
    for name, table in written.items():
        pq.write_table(table, out / f"{name}.parquet", compression="zstd")
    if "enrolment_groups" in written:
        pd.DataFrame(GROUP_NAMES, columns=["dimension", "group", "name_en", "name_local"]
                     ).to_csv(out / "group_names.csv", index=False, lineterminator="\n")

    def schools_by_year(mask: np.ndarray) -> dict[str, int]:
        frame = pd.DataFrame({"y": cells["year"][mask], "s": cells["school"][mask]})
        return {str(k): int(v) for k, v in frame.drop_duplicates().groupby("y").size().items()}

    enrolling = schools_by_year(np.ones(len(position), dtype=bool))
    by_dimension = {ETHNICITY: schools_by_year(eth_rows),
                    HOME_LANGUAGE: schools_by_year(lang_rows)}
    return {
        "tables": sorted([*written, *(["group_names"] if "enrolment_groups" in written
                                      else [])]),
        "rows": {name: int(table.num_rows) for name, table in written.items()},
        "schools_reporting": {**by_dimension, "functioning": reporting},
        # The years in which only some of the schools that report pupils report a
        # dimension (the build's groups_partial warnings).
        "groups_partial": [{"dimension": dim, "year": int(year)}
                           for year in sorted(enrolling) for dim in by_dimension
                           if year in by_dimension[dim]
                           and by_dimension[dim][year] < enrolling[year]],
    }


# --------------------------------------------------------------------------------------

def _cells(out: Path, register: Register, since: int, last: int) -> dict[str, np.ndarray]:
    """The graded (year, school, grade, sex) cells of the enrolment from ``since``, with
    their pupils, in that order; ``school`` is the register's row number."""
    con = duckdb.connect()
    try:
        con.execute("SET threads TO 2")
        index = pa.table({"school_id": register.col("school_id").astype(str),
                          "school": np.arange(len(register), dtype=np.int64)})
        con.register("register_index", index)
        path = str(out / "enrolment.parquet").replace("'", "''")
        table = con.execute(f"""
            SELECT e.year, r.school, e.grade, CASE WHEN e.sex = 'F' THEN 0 ELSE 1 END AS sex,
                   SUM(e.enrolled)::BIGINT AS n
            FROM read_parquet('{path}') e JOIN register_index r USING (school_id)
            WHERE e.year BETWEEN ? AND ? AND e.grade IS NOT NULL
            GROUP BY ALL HAVING SUM(e.enrolled) > 0
            ORDER BY e.year, r.school, e.grade, sex""", [since, last]).fetchnumpy()
    finally:
        con.close()
    return {name: np.asarray(table[name]).astype(np.int64)
            for name in ("year", "school", "grade", "sex", "n")}


def district_mix(areas: Areas, seed: int) -> np.ndarray:
    """(districts, groups): each district's children by ethnicity, around its province's."""
    d = areas.districts
    base = np.array([PROVINCE_MIX[p] for p in d["province"]], dtype=np.float64)
    base /= base.sum(axis=1, keepdims=True)
    rho = d["rho"].to_numpy(np.float64)
    mean_rho = pd.Series(rho).groupby(d["province"].to_numpy()).transform("mean").to_numpy()
    rng = stream(seed, "inclusion", 0)
    weights = base * rng.lognormal(0.0, DISTRICT_SPREAD, base.shape)
    weights[:, LT] *= np.exp(-REMOTENESS_TILT * (rho - mean_rho))
    return weights / weights.sum(axis=1, keepdims=True)


def school_mix(register: Register, areas: Areas, seed: int) -> np.ndarray:
    """(schools, groups): a school's pupils by ethnicity, dominated by one group."""
    rng = stream(seed, "inclusion", 1)
    district = register.col("district").astype(np.int64)
    urban = register.col("urban").astype(bool)
    around = district_mix(areas, seed)[district]
    n = len(register)
    pick = around.copy()
    pick[:, LT] *= np.where(urban, URBAN_LAO_TAI, 1.0)
    pick /= pick.sum(axis=1, keepdims=True)
    dominant = (rng.random(n)[:, None] > np.cumsum(pick, axis=1)).sum(axis=1)
    dominant = np.minimum(dominant, len(ETHNIC_GROUPS) - 1)
    # Town schools and secondary schools (wide catchments) are more mixed.
    wide = urban | ((register.col("bits") & (LEVEL_BITS["lower_secondary"]
                                              | LEVEL_BITS["upper_secondary"])) > 0)
    lam = np.where(wide, rng.beta(*DOMINANCE_WIDE, n), rng.beta(*DOMINANCE_RURAL, n))
    mix = (1.0 - lam)[:, None] * around
    mix[np.arange(n), dominant] += lam
    return mix


def participation(grade: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """(cells, groups): relative chance of a child of each group being in the grade."""
    grade = np.asarray(grade, dtype=np.float64)
    secondary = grade >= SECONDARY_GRADE
    steps = np.maximum(grade - (SECONDARY_GRADE - 1), 0.0)
    girl = np.asarray(sex) == 0
    w = np.ones((len(grade), len(ETHNIC_GROUPS)))
    for g in MINORITIES:
        drop = np.where(girl, GIRLS_DECLINE[g][0], BOYS_DECLINE[g][0])
        rate = np.where(girl, GIRLS_DECLINE[g][1], BOYS_DECLINE[g][1])
        w[:, g] = np.exp(-(drop * secondary + rate * steps))
    return w


def _multinomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    p = p / p.sum(axis=1, keepdims=True)
    return rng.multinomial(n, p).astype(np.int64)


def _ethnicity(cells: dict, mix: np.ndarray, seed: int) -> np.ndarray:
    """(cells, groups): each cell's pupils by ethnicity, adding up to the cell."""
    p = mix[cells["school"]] * participation(cells["grade"], cells["sex"])
    return _multinomial(stream(seed, "inclusion", 2), cells["n"], p)


def khmu_schools(register: Register, areas: Areas, seed: int) -> np.ndarray:
    """(schools,): whether a school's Mon-Khmer pupils speak Khmu (else another language)."""
    province = areas.districts["province"].to_numpy()[register.col("district").astype(np.int64)]
    share = np.where(np.isin(province, NORTH), KHMU_SPEAKING["north"],
                     np.where(np.isin(province, SOUTH), KHMU_SPEAKING["south"],
                              KHMU_SPEAKING["centre"]))
    return stream(seed, "inclusion", 6).random(len(province)) < share


def _home_language(school: np.ndarray, ethnic: np.ndarray, urban: np.ndarray,
                   khmu: np.ndarray, seed: int) -> np.ndarray:
    """(cells, languages): each cell's pupils by home language, from their ethnicity
    (``ethnic``, cells × groups; ``school``: each cell's school; ``khmu``: by school)."""
    rng = stream(seed, "inclusion", 3)
    lao = np.where(urban[school], LAO_AT_HOME[1], LAO_AT_HOME[0])
    out = np.zeros((len(school), len(LANGUAGES)), dtype=np.int64)
    out[:, 0] += ethnic[:, LT]
    for g in range(len(ETHNIC_GROUPS)):
        count = ethnic[:, g]
        if g == LT or not count.any():
            continue
        p = (1.0 - lao)[:, None] * HOME_LANGUAGE_OF[g][None, :]
        if g == MK:
            p[:, 3] = p[:, 1] * ~khmu[school]
            p[:, 1] *= khmu[school]
        p[:, 0] += lao
        out += _multinomial(rng, count, p)
    return out


def _not_reporting(register: Register, seed: int, dimension: str,
                   years: np.ndarray) -> np.ndarray:
    """(years, schools): schools that do not report ``dimension`` in a year. The same
    schools mostly, clustered in some districts (so some areas add up, others not)."""
    rng = stream(seed, "inclusion", 4)  # one draw for both dimensions: nested schools
    n = len(register)
    district = register.col("district").astype(np.int64)
    n_d = int(district.max()) + 1 if n else 0
    careless = rng.random(n_d) < 0.4
    propensity = np.where(careless, 2.2, 0.2)[district]
    latent = rng.random(n)
    fresh = rng.random((len(years), n))
    keep = rng.random((len(years), n)) < SAME_AS_LAST_YEAR
    u = np.where(keep, latent[None, :], fresh)
    return u < NOT_REPORTING[dimension] * propensity[None, :]


def _check_sums(n: np.ndarray, ethnic: np.ndarray, language: np.ndarray,
                asked: np.ndarray) -> None:
    """Each cell's groups add up to its pupils (home language: in the years asked)."""
    if not (np.array_equal(ethnic.sum(axis=1), n)
            and np.array_equal(language[asked].sum(axis=1), n[asked])
            and (ethnic >= 0).all() and (language >= 0).all()):
        raise RuntimeError("demo self-check failed (a bug in lib.demo.inclusion): groups do "
                           "not add up to the enrolment")


def _long(cells: dict, counts: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cell and group index of the positive counts of the selected cells."""
    cell, group = np.nonzero(counts * rows[:, None] > 0)
    return cell, group, counts[cell, group]


def _group_table(cells: dict, ethnic: np.ndarray, eth_rows: np.ndarray,
                 language: np.ndarray, lang_rows: np.ndarray, ids: pa.Array) -> pa.Table:
    ce, ge, ne = _long(cells, ethnic, eth_rows)
    cl, gl, nl = _long(cells, language, lang_rows)
    cell = np.concatenate([ce, cl])
    dim = np.concatenate([np.zeros(len(ce), np.int64), np.ones(len(cl), np.int64)])
    group = np.concatenate([ge, gl])
    count = np.concatenate([ne, nl])
    # One block per dimension, each in year, school, grade, sex, group order.
    names = pa.array(list(ETHNIC_GROUPS) + list(LANGUAGES))
    return pa.table({
        "year": pa.array(cells["year"][cell].astype(np.int32)),
        "school_id": pc.take(ids, pa.array(cells["school"][cell])),
        "grade": pa.array(cells["grade"][cell].astype(np.int32)),
        "sex": pc.take(pa.array(list(SEXES)), pa.array(cells["sex"][cell])),
        "dimension": pc.take(pa.array([ETHNICITY, HOME_LANGUAGE]), pa.array(dim)),
        "group": pc.take(names, pa.array(group + dim * len(ETHNIC_GROUPS))),
        "enrolled": pa.array(count.astype(np.int32)),
    }, schema=ENROLMENT_GROUPS_SCHEMA)


def _population_groups(cells: dict, mix: np.ndarray, district: np.ndarray, areas: Areas,
                       population: pd.DataFrame, years: np.ndarray) -> pa.Table:
    """The population by ethnicity: each district's primary pupils' composition (before
    the minorities' lower participation) applied to every age, as whole numbers adding up
    to the population of each district, sex, age and year."""
    k = len(ETHNIC_GROUPS)
    primary = (cells["grade"] >= 1) & (cells["grade"] <= 5)
    comp = np.zeros((len(years), areas.n, k))
    if len(years):
        yi = cells["year"][primary] - years[0]
        school = cells["school"][primary]
        weight = cells["n"][primary][:, None] * mix[school]
        np.add.at(comp, (yi, district[school]), weight)
    totals = comp.sum(axis=2, keepdims=True)
    # A district without primary pupils in a year: its schools' mean mix.
    d_mix = np.zeros((areas.n, k))
    np.add.at(d_mix, district, mix)
    d_mix /= np.maximum(d_mix.sum(axis=1, keepdims=True), 1e-12)
    comp = np.where(totals > 0, comp / np.maximum(totals, 1e-12), d_mix[None, :, :])

    pop = population[population["year"].isin(years)]
    codes = areas.districts["code"].to_numpy()
    d_index = pd.Index(codes).get_indexer(pop["district_code"].astype(str).str.zfill(4))
    y_index = pop["year"].to_numpy(np.int64) - (years[0] if len(years) else 0)
    total = pop["population"].to_numpy(np.int64)
    quota = total[:, None] * comp[y_index, d_index]
    parts = _largest_remainder_rows(total, quota)
    row, group = np.nonzero(parts > 0)
    return pa.table({
        "year": pa.array(pop["year"].to_numpy(np.int32)[row]),
        "district_code": pa.array(codes[d_index][row].astype(str)),
        "sex": pa.array(pop["sex"].to_numpy().astype(str)[row]),
        "age": pa.array(pop["age"].to_numpy(np.int32)[row]),
        "dimension": pa.array(np.full(len(row), ETHNICITY)),
        "group": pc.take(pa.array(list(ETHNIC_GROUPS)), pa.array(group)),
        "population": pa.array(parts[row, group]),
    }, schema=POPULATION_GROUPS_SCHEMA)


def _largest_remainder_rows(total: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Whole parts of each row's total in proportion to ``quota`` (Hamilton's method)."""
    parts = np.floor(quota).astype(np.int64)
    left = total - parts.sum(axis=1)
    order = np.argsort(-(quota - parts), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(quota.shape[1])[None, :], axis=1)
    parts += rank < left[:, None]
    if not np.array_equal(parts.sum(axis=1), total):
        raise RuntimeError("demo self-check failed (a bug in lib.demo.inclusion): the "
                           "population by ethnicity does not add up")
    return parts


def _functioning(cells: dict, register: Register, seed: int, since: int, last: int,
                 ids: pa.Array) -> tuple[pa.Table, dict[str, int]]:
    """The Child Functioning Module as reporting schools give it: per cell, the pupils
    with a difficulty by domain and answer, each once in ``any`` (and ``any``/``none``
    the others)."""
    rng = stream(seed, "inclusion", 5)
    n_s = len(register)
    latent = rng.random(n_s)
    seen = rng.lognormal(-0.5 * UNDER_REPORTING_SIGMA ** 2, UNDER_REPORTING_SIGMA, n_s)
    years = np.arange(since, last + 1)
    share = np.array([FUNCTIONING_REPORTING[min(i, len(FUNCTIONING_REPORTING) - 1)]
                      for i in range(len(years))])
    fresh = rng.random((len(years), n_s))
    keep = rng.random((len(years), n_s)) < 0.9
    reports = np.where(keep, latent[None, :], fresh) < share[:, None]

    sel = (cells["year"] >= since) & (cells["grade"] >= 1)
    sel[sel] = reports[cells["year"][sel] - since, cells["school"][sel]]
    cell = np.flatnonzero(sel)
    n, grade, school = cells["n"][cell], cells["grade"][cell], cells["school"][cell]
    k_cut = rng.binomial(n, np.minimum(CUT_OFF_RATE[grade] * seen[school], 0.5))
    k_some = rng.binomial(n - k_cut, np.minimum(SOME_RATE[grade] * seen[school], 0.5))

    # One entry per pupil with a difficulty: its cell (position in ``cell``), at cut-off?
    owner = np.concatenate([np.repeat(np.arange(len(cell)), k_cut),
                            np.repeat(np.arange(len(cell)), k_some)])
    cut = np.concatenate([np.ones(k_cut.sum(), bool), np.zeros(k_some.sum(), bool)])
    m = len(owner)
    t = ((grade[owner] - 1) / 11.0)[:, None]
    w = (1.0 - t) * DOMAIN_WEIGHTS[0][None, :] + t * DOMAIN_WEIGHTS[1][None, :]
    gumbel = -np.log(-np.log(rng.random((m, len(CFM_DOMAINS)))))
    score = np.log(w) + gumbel
    first = np.argmax(score, axis=1)
    score[np.arange(m), first] = -np.inf
    second = np.argmax(score, axis=1)
    has_second = rng.random(m) < np.where(cut, SECOND_DOMAIN[1], SECOND_DOMAIN[0])

    def answer(domain: np.ndarray, at_cut: np.ndarray) -> np.ndarray:
        often = _HOW_OFTEN[domain]
        strong = np.where(rng.random(len(domain)) < CANNOT, _D["cannot"], _D["a_lot"])
        return np.where(at_cut, np.where(often, _D["daily"], strong),
                        np.where(often, _D["weekly"], _D["some"]))

    d1 = answer(first, cut)
    d2 = answer(second, cut & (rng.random(m) < SECOND_AT_CUT_OFF))
    any_degree = _BY_RANK[np.where(has_second, np.maximum(_RANK[d1], _RANK[d2]), _RANK[d1])]
    none = n - k_cut - k_some

    n_dom, n_deg = len(DOMAINS), len(DEGREES)
    any_i = DOMAINS.index(ANY_DOMAIN)
    keys = np.concatenate([
        (owner * n_dom + first) * n_deg + d1,
        ((owner * n_dom + second) * n_deg + d2)[has_second],
        (owner * n_dom + any_i) * n_deg + any_degree,
    ])
    key, count = np.unique(keys, return_counts=True)
    none_cells = np.flatnonzero(none > 0)
    key = np.concatenate([key, (none_cells * n_dom + any_i) * n_deg + _D["none"]])
    count = np.concatenate([count, none[none_cells]])
    order = np.argsort(key, kind="stable")
    key, count = key[order], count[order]
    local, rest = key // (n_dom * n_deg), key % (n_dom * n_deg)
    domain, degree = rest // n_deg, rest % n_deg

    # The ``any`` pupils at the cut-off: at most the cell, at most the domains' sum.
    cut_codes = np.isin(degree, [_D[c] for c in CFM_CUT_OFF])
    by_dom = np.bincount(local, weights=((domain != any_i) & cut_codes) * count,
                         minlength=len(cell))
    any_n = np.bincount(local, weights=((domain == any_i) & cut_codes) * count,
                        minlength=len(cell))
    all_any = np.bincount(local, weights=(domain == any_i) * count, minlength=len(cell))
    if (any_n > n).any() or (any_n > by_dom).any() or not np.array_equal(all_any, n):
        raise RuntimeError("demo self-check failed (a bug in lib.demo.inclusion): the "
                           "functioning counts are inconsistent")

    row = cell[local]
    table = pa.table({
        "year": pa.array(cells["year"][row].astype(np.int32)),
        "school_id": pc.take(ids, pa.array(cells["school"][row])),
        "grade": pa.array(cells["grade"][row].astype(np.int32)),
        "sex": pc.take(pa.array(list(SEXES)), pa.array(cells["sex"][row])),
        "domain": pc.take(pa.array(list(DOMAINS)), pa.array(domain)),
        "degree": pc.take(pa.array(list(DEGREES)), pa.array(degree)),
        "pupils": pa.array(count.astype(np.int32)),
    }, schema=FUNCTIONING_SCHEMA)
    frame = pd.DataFrame({"y": cells["year"][cell], "s": school}).drop_duplicates()
    reporting = {str(k): int(v) for k, v in frame.groupby("y").size().items()}
    return table, reporting
