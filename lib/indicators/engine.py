"""Computing any indicator of the registry, for every area of a level at once.

One SQL query per request reads the pre-aggregated district tables (``agg_*``; school level
reads the school tables), sums numerators and denominators per area and group, and pandas
divides: a province's value is its districts' summed numerator over their summed
denominator, never an average of district values. The flags of contract §3 are set here.

SQL is parameterised: the indicator id, split and level are checked against the registry
before any SQL is assembled, and every value (year, area, grades, ages, level ids,
standards) is passed as a parameter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import duckdb
import numpy as np
import pandas as pd

from lib.equity import adjusted_parity_array
from lib.indicators import flags as fl
from lib.indicators.context import ExtractContext, context
from lib.indicators.registry import (ADMIN_LEVELS, GROUPS, PARITY_SPLITS, SPLITS, Indicator,
                                     IndicatorError)

COLUMNS = ["unit_code", "unit_name", "year", "group", "value", "numerator", "denominator",
           "flags"]

# Relations with the same columns at area level (district aggregates) and school level.
_AGG = {
    "enrolment": "agg_enrolment",
    "population": "(SELECT p.year, p.district_code, p.sex, p.age, p.population, d.priority "
                  "FROM agg_population p JOIN agg_districts d USING (district_code))",
    "teachers": "agg_teachers",
    "schools": "agg_schools",
    "flow": "agg_flow",
    "facilities": "agg_facilities",
    "classrooms": "agg_classrooms",
    "reporting": "agg_reporting",
    "quality": "agg_quality",
}
_CTX = "s.locality, s.ownership, s.priority"
_SCHOOL = {
    "enrolment": f"""(SELECT e.year, e.school_id, s.district_code, e.grade, e.sex, e.age, {_CTX},
        e.enrolled, coalesce(e.repeaters, 0) AS repeaters
        FROM enrolment e JOIN schools s USING (school_id))""",
    "teachers": f"""(SELECT t.year, t.school_id, s.district_code, t.level, t.sex, t.qualified,
        t.trained, {_CTX}, t.count FROM teachers t JOIN schools s USING (school_id))""",
    "schools": f"""(SELECT r.year, r.school_id, s.district_code, l.level, {_CTX}, 1 AS schools,
        CAST(coalesce(s.complete, false) AS INTEGER) AS complete,
        CAST(coalesce(NOT s.complete, false) AS INTEGER) AS incomplete,
        CAST(coalesce(s.multigrade, false) AS INTEGER) AS multigrade,
        CAST(s.complete IS NOT NULL AS INTEGER) AS complete_known,
        CAST(s.multigrade IS NOT NULL AS INTEGER) AS multigrade_known
        FROM reporting r JOIN schools s USING (school_id) JOIN school_levels l USING (school_id))""",
    "facilities": f"""(SELECT f.year, f.school_id, s.district_code, l.level, {_CTX},
        1 AS schools_reporting,
        CAST(coalesce(f.electricity, false) AS INTEGER) AS electricity,
        CAST(coalesce(f.internet, false) AS INTEGER) AS internet,
        CAST(coalesce(f.computers, false) AS INTEGER) AS computers,
        CAST(coalesce(f.adapted_infrastructure, false) AS INTEGER) AS adapted,
        CAST(coalesce(f.drinking_water = 'basic', false) AS INTEGER) AS water,
        CAST(coalesce(f.sanitation = 'basic' AND f.single_sex_toilets, false) AS INTEGER)
            AS sanitation,
        CAST(coalesce(f.handwashing = 'basic', false) AS INTEGER) AS handwashing
        FROM facilities f JOIN reporting r USING (year, school_id)
        JOIN schools s USING (school_id) JOIN school_levels l USING (school_id))""",
    "classrooms": f"""(SELECT f.year, f.school_id, s.district_code, {_CTX}, 1 AS schools,
        f.classrooms, p.pupils
        FROM facilities f
        JOIN (SELECT year, school_id, sum(enrolled) AS pupils FROM enrolment GROUP BY ALL) p
            USING (year, school_id)
        JOIN schools s USING (school_id) WHERE f.classrooms IS NOT NULL)""",
    "reporting": f"""(SELECT r.year, r.school_id, s.district_code, {_CTX}, 1 AS schools
        FROM reporting r JOIN schools s USING (school_id))""",
    "quality": f"""(SELECT q.year, q.school_id, s.district_code, q.standard, {_CTX},
        1 AS schools, CAST(q.met AS INTEGER) AS met
        FROM quality q JOIN schools s USING (school_id))""",
    # Flows of one school from $year to $year + 1, as agg_flow has them for districts.
    "flow": f"""(WITH both_years AS (
            SELECT school_id FROM reporting WHERE year = $year
            INTERSECT SELECT school_id FROM reporting WHERE year = $year + 1),
        g AS (SELECT year, school_id, grade, sex, sum(enrolled) AS enrolled,
                     sum(coalesce(repeaters, 0)) AS repeaters
              FROM enrolment WHERE year IN ($year, $year + 1)
                AND school_id IN (SELECT school_id FROM both_years) GROUP BY ALL),
        parts AS (
            SELECT school_id, grade, sex, enrolled, 0 AS repeaters_next,
                   0 AS entrants_next_grade FROM g WHERE year = $year
            UNION ALL SELECT school_id, grade, sex, 0, repeaters, 0 FROM g
                WHERE year = $year + 1
            UNION ALL SELECT school_id, grade - 1, sex, 0, 0, enrolled - repeaters FROM g
                WHERE year = $year + 1)
        SELECT CAST($year AS INTEGER) AS year, p.school_id, s.district_code, p.grade, p.sex,
               {_CTX}, sum(p.enrolled) AS enrolled, sum(p.repeaters_next) AS repeaters_next,
               sum(p.entrants_next_grade) AS entrants_next_grade
        FROM parts p JOIN schools s USING (school_id) GROUP BY ALL)""",
}
_UNIT = {"national": "'_'", "province": "ad.province_code", "district": "src.district_code",
         "school": "src.school_id"}
_GROUP = {"sex": "src.sex", "locality": "src.locality", "ownership": "src.ownership",
          "priority": "CASE WHEN src.priority THEN 'priority' ELSE 'other' END"}
_FACILITY_COLUMN = {"electricity": "electricity", "internet": "internet",
                    "computers": "computers", "adapted": "adapted", "water": "water",
                    "sanitation": "sanitation", "handwashing": "handwashing"}
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Side:
    """Sums over one source: output column -> per-row SQL expression (summed per group)."""

    source: str
    columns: Mapping[str, str]
    where: str = "TRUE"
    params: Mapping[str, object] = field(default_factory=dict)
    by_grade: bool = False


@dataclass(frozen=True)
class Request:
    indicator: Indicator
    level: str
    year: int
    by: str | None
    area: str | None
    ctx: ExtractContext

    @property
    def groups(self) -> tuple[str, ...]:
        return ("T",) + (GROUPS[self.by] if self.by else ())


Finisher = Callable[[pd.DataFrame, Request], pd.DataFrame]


# --------------------------------------------------------------------------- validation


def _check(ctx: ExtractContext, indicator_id: str, level: str, year: object, by: str | None,
           area: str | None) -> Request:
    if level not in ADMIN_LEVELS:
        raise IndicatorError(f"unknown level '{level}'; levels are {', '.join(ADMIN_LEVELS)}")
    ind = ctx.registry.get(indicator_id)
    if level not in ind.admin_levels:
        why = " (population exists only by district)" if ind.population_based else ""
        raise IndicatorError(f"{ind.id} is computed at {_words(ind.admin_levels)} level{why}, "
                             f"not at {level} level")
    if by is not None and by not in ind.splits:
        if by not in SPLITS:
            raise IndicatorError(f"unknown split '{by}'; splits are {', '.join(SPLITS)}")
        why = (" (population exists only by district, sex and age)"
               if ind.population_based else "")
        raise IndicatorError(f"{ind.id} cannot be split by {by}{why}; possible splits: "
                             f"{', '.join(ind.splits) or 'none'}")
    try:
        year_int = int(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        year_int = None
    if year_int is None or year_int not in ctx.years or str(year).strip() != str(year_int):
        raise IndicatorError(f"no data for year {year}; years in this extract: "
                             f"{', '.join(str(y) for y in ctx.years)} (a school year by the "
                             "year it starts)")
    if area is not None:
        area = str(area)
        is_province = area in set(ctx.provinces["code"])
        is_district = area in ctx.parent
        if not (is_province or is_district):
            raise IndicatorError(f"unknown area '{area}': give a province or district code")
        if level == "national":
            raise IndicatorError("an area cannot be given at national level; choose the "
                                 "province, district or school level")
        if level == "province" and is_district:
            raise IndicatorError(f"area '{area}' is a district: at province level give a "
                                 "province code")
    return Request(ind, level, year_int, by, area, ctx)


def _words(items: tuple[str, ...]) -> str:
    items = tuple(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------- SQL


def _side_sql(name: str, side: Side, req: Request) -> str:
    relation = (_SCHOOL if req.level == "school" else _AGG)[side.source]
    unit = _UNIT[req.level]
    grp = _GROUP[req.by] if req.by else "'T'"
    area = "(ad.province_code = $area OR ad.district_code = $area)" if req.area else "TRUE"
    cols = ", ".join(f"{expr} AS {col}" for col, expr in side.columns.items())
    grade = ", src.grade AS grade" if side.by_grade else ""
    # The district table gives provinces and areas; without them it is not needed.
    join = ("JOIN agg_districts ad ON ad.district_code = src.district_code "
            if req.level == "province" or req.area else "")
    if side.source == "population" and req.by != "priority":
        relation = "agg_population"
    inner = (f"SELECT {unit} AS unit, {grp} AS grp{grade}, {cols} FROM {relation} src "
             f"{join}WHERE src.year = $year AND ({side.where}) AND {area}")
    sums = ", ".join(f"CAST(sum({col}) AS DOUBLE) AS {col}" for col in side.columns)
    keys = "unit, grade" if side.by_grade else "unit"
    if req.by is None:
        return (f"{name} AS (SELECT unit, grp{', grade' if side.by_grade else ''}, {sums} "
                f"FROM ({inner}) GROUP BY {keys}, grp)")
    return (f"{name} AS (SELECT unit, CASE WHEN grouping(grp) = 1 THEN 'T' ELSE grp END "
            f"AS grp{', grade' if side.by_grade else ''}, {sums} FROM ({inner}) "
            f"GROUP BY GROUPING SETS (({keys}), ({keys}, grp)))")


def _query(con: duckdb.DuckDBPyConnection, sides: list[Side], req: Request) -> pd.DataFrame:
    ctes = [_side_sql(f"s{i}", side, req) for i, side in enumerate(sides)]
    keys = "unit, grp, grade" if sides[0].by_grade else "unit, grp"
    sql = f"WITH {', '.join(ctes)} SELECT * FROM s0"
    for i in range(1, len(sides)):
        sql += f" FULL OUTER JOIN s{i} USING ({keys})"
    params: dict[str, object] = {"year": req.year}
    if req.area:
        params["area"] = req.area
    for side in sides:
        for key, value in side.params.items():
            if key in params and params[key] != value:
                raise AssertionError(f"parameter {key} given two values")  # a recipe bug
            params[key] = value
    used = set(_PARAM.findall(sql))
    return con.execute(sql, {k: v for k, v in params.items() if k in used}).df()


# --------------------------------------------------------------------------- units


def _units(con: duckdb.DuckDBPyConnection, req: Request, lang: str) -> pd.DataFrame:
    """unit (as the query names it), unit_code and unit_name of every area asked for."""
    ctx = req.ctx
    name = "name_en" if lang == "en" else "name_local"
    if req.level == "national":
        cname = ctx.country.name if lang == "en" else ctx.country.name_local
        return pd.DataFrame({"unit": ["_"], "unit_code": [ctx.country.iso3],
                             "unit_name": [cname]})
    if req.level == "province":
        frame = ctx.provinces
        if req.area:
            frame = frame[frame["code"] == req.area]
    elif req.level == "district":
        frame = ctx.districts
        if req.area:
            frame = frame[(frame["code"] == req.area) | (frame["parent_code"] == req.area)]
    else:
        area = "AND (ad.province_code = $area OR ad.district_code = $area)" if req.area else ""
        params: dict[str, object] = {"year": req.year}
        if req.area:
            params["area"] = req.area
        frame = con.execute(
            "SELECT r.school_id AS code, s.name_en, coalesce(s.name_local, s.name_en) "
            "AS name_local FROM reporting r JOIN schools s USING (school_id) "
            "JOIN agg_districts ad ON ad.district_code = s.district_code "
            f"WHERE r.year = $year {area} ORDER BY r.school_id", params).df()
    return pd.DataFrame({"unit": frame["code"].astype(str).values,
                         "unit_code": frame["code"].astype(str).values,
                         "unit_name": frame[name].astype(str).values})


def _grid(units: pd.DataFrame, raw: pd.DataFrame, req: Request,
          sums: list[str]) -> pd.DataFrame:
    """Every unit × group, units in order then groups in order, with the sums of the query
    (0 where nothing was found)."""
    index = pd.MultiIndex.from_product([units["unit"].to_numpy(), list(req.groups)],
                                       names=["unit", "grp"])
    if raw.empty:
        frame = pd.DataFrame(0.0, index=index, columns=sums)
    else:
        frame = (raw.set_index(["unit", "grp"])[sums].reindex(index).astype("float64")
                 .fillna(0.0))
    return frame.reset_index()


# --------------------------------------------------------------------------- finishers


def _ratio(num: pd.Series, den: pd.Series, factor: float) -> pd.Series:
    num = num.astype("float64")
    den = den.astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        value = factor * num / den
    return value.where(den > 0)


def _small(den: pd.Series, req: Request) -> pd.Series:
    below = fl.SMALL_DENOMINATOR_BELOW[req.indicator.denominator_kind or "pupils"]
    return (den > 0) & (den < below)


def _unit_total(frame: pd.DataFrame, column: str) -> pd.Series:
    """Each row's unit's value of ``column`` in its total (T) row."""
    totals = frame.loc[frame["grp"] == "T"].set_index("unit")[column]
    return frame["unit"].map(totals).astype("float64").fillna(0.0)


def _finish_count(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    frame["value"] = frame["n"]
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["weight"] = np.nan
    return frame


def _finish_rate(factor: float, *, num: str = "n", den: str = "d", weight: str | None = None,
                 over_100: bool = False, negative_is_over: bool = False,
                 unknown_age: bool = False, population: bool = False,
                 reporting: tuple[str, str] | None = None) -> Finisher:
    def finish(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
        frame["numerator"] = frame[num]
        frame["denominator"] = frame[den]
        frame["value"] = _ratio(frame[num], frame[den], factor)
        frame["weight"] = frame[weight or den]
        frame[f"flag:{fl.SMALL_DENOMINATOR}"] = _small(frame[den], req)
        if over_100:
            frame[f"flag:{fl.OVER_100}"] = frame["value"] > 100
        if negative_is_over:
            frame[f"flag:{fl.OVER_100}"] = frame["value"] < 0
        if unknown_age:
            frame[f"flag:{fl.UNKNOWN_AGE}"] = (
                frame["unk"] > fl.UNKNOWN_AGE_SHARE * frame["conc"]) & (frame["conc"] > 0)
        if population:
            missing = frame[den] <= 0
            frame[f"flag:{fl.NO_POPULATION}"] = missing & (
                (_unit_total(frame, den) <= 0) | (frame["grp"] == "T") | (req.by == "sex"))
        if reporting:
            reported, expected = reporting
            frame[f"flag:{fl.INCOMPLETE_REPORTING}"] = (
                frame[reported] < fl.REPORTING_SHARE * frame[expected])
        return frame
    return finish


def _flow_flags(frame: pd.DataFrame, e: pd.Series, r: pd.Series, p: pd.Series | None,
                req: Request) -> None:
    """inconsistent_flow when repetition, promotion or dropout falls outside 0–100;
    incomplete_years when the unit has no flow (no t+1 data)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rr = r / e
        bad = (rr < 0) | (rr > 1)
        if p is not None:
            pp = p / e
            dd = 1 - rr - pp
            bad = bad | (pp < 0) | (pp > 1) | (dd < -1e-12) | (dd > 1)
    frame[f"flag:{fl.INCONSISTENT_FLOW}"] = bad & (e > 0)
    frame[f"flag:{fl.INCOMPLETE_YEARS}"] = _unit_total(frame, "e") <= 0


def _finish_flow(kind: str, *, has_next: bool = True) -> Finisher:
    def finish(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
        e, r, p = frame["e"], frame["r"], frame["p"]
        num = {"repetition": r, "promotion": p, "dropout": e - r - p}[kind]
        frame["numerator"] = num
        frame["denominator"] = e
        frame["value"] = _ratio(num, e, 100.0)
        frame["weight"] = e
        frame[f"flag:{fl.SMALL_DENOMINATOR}"] = _small(e, req)
        _flow_flags(frame, e, r, p if has_next else None, req)
        return frame
    return finish


# --------------------------------------------------------------------------- recipes


def _in_grades() -> str:
    return "src.grade BETWEEN $grade_lo AND $grade_hi"


def _grades(grades: object) -> dict[str, int]:
    """Parameters of :func:`_in_grades`: grades are consecutive (the country profile
    checks it), so a range is enough and faster than a list."""
    values = sorted(int(g) for g in grades)  # type: ignore[union-attr]
    if values != list(range(values[0], values[-1] + 1)):
        raise AssertionError(f"grades {values} are not consecutive")
    return {"grade_lo": values[0], "grade_hi": values[-1]}


def _pop(p: Mapping[str, object], single_age: bool = False) -> Side:
    if single_age:
        return Side("population", {"d": "src.population"}, "src.age = $age", {"age": p["age"]})
    return Side("population", {"d": "src.population"},
                "src.age BETWEEN $age_min AND $age_max",
                {"age_min": p["age_min"], "age_max": p["age_max"]})


def _age_specific(p: Mapping[str, object], where: str, params: dict, amount: str,
                  single_age: bool = False) -> Side:
    """Numerator of an age-specific rate with the enrolment concerned and its unknown ages."""
    if single_age:
        in_ages = "src.age = $age"
        params = dict(params, age=p["age"])
    else:
        in_ages = "src.age BETWEEN $age_min AND $age_max"
        params = dict(params, age_min=p["age_min"], age_max=p["age_max"])
    return Side("enrolment", {
        "n": f"CASE WHEN {in_ages} THEN {amount} ELSE 0 END",
        "unk": f"CASE WHEN src.age IS NULL THEN {amount} ELSE 0 END",
        "conc": amount}, where, params)


def _recipe(ind: Indicator) -> tuple[list[Side], Finisher]:
    p = ind.params
    fam = ind.family
    enrolled = "src.enrolled"
    entrants = "(src.enrolled - src.repeaters)"
    if fam == "enrolment":
        return ([Side("enrolment", {"n": enrolled}, _in_grades(), _grades(p["grades"]))],
                _finish_count)
    if fam == "teachers":
        return ([Side("teachers", {"n": "src.count"}, "src.level = $level",
                      {"level": p["level"]})], _finish_count)
    if fam == "schools":
        return ([Side("schools", {"n": "src.schools"}, "src.level = $level",
                      {"level": p["level"]})], _finish_count)
    if fam == "ger":
        return ([Side("enrolment", {"n": enrolled}, _in_grades(), _grades(p["grades"])),
                 _pop(p)], _finish_rate(100.0, population=True))
    if fam == "ner":
        return ([_age_specific(p, _in_grades(), _grades(p["grades"]), enrolled), _pop(p)],
                _finish_rate(100.0, over_100=True, unknown_age=True, population=True))
    if fam == "aner":
        return ([_age_specific(p, "src.grade >= $from_grade", {"from_grade": p["from_grade"]},
                               enrolled), _pop(p)],
                _finish_rate(100.0, over_100=True, unknown_age=True, population=True))
    if fam == "oosr":
        side = _age_specific(p, "src.grade >= $from_grade", {"from_grade": p["from_grade"]},
                             enrolled)
        side = Side(side.source, {"ins": side.columns["n"], "unk": side.columns["unk"],
                                  "conc": side.columns["conc"]}, side.where, side.params)
        rate = _finish_rate(100.0, num="out", negative_is_over=True, unknown_age=True,
                            population=True)

        def finish_oosr(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
            frame["out"] = frame["d"] - frame["ins"]
            return rate(frame, req)
        return [side, _pop(p)], finish_oosr
    if fam in ("gir", "gir_last"):
        return ([Side("enrolment", {"n": entrants}, "src.grade = $grade", {"grade": p["grade"]}),
                 _pop(p, single_age=True)], _finish_rate(100.0, population=True))
    if fam == "nir":
        return ([_age_specific(p, "src.grade = $grade", {"grade": p["grade"]}, entrants,
                               single_age=True), _pop(p, single_age=True)],
                _finish_rate(100.0, over_100=True, unknown_age=True, population=True))
    if fam == "participation_pre_primary":
        return ([_age_specific(p, "TRUE", {}, enrolled, single_age=True),
                 _pop(p, single_age=True)],
                _finish_rate(100.0, over_100=True, unknown_age=True, population=True))
    flow_cols = {"e": "src.enrolled", "r": "src.repeaters_next", "p": "src.entrants_next_grade"}
    if fam in ("repetition_grade", "promotion_grade", "dropout_grade", "transition"):
        kind = {"repetition_grade": "repetition", "promotion_grade": "promotion",
                "dropout_grade": "dropout", "transition": "promotion"}[fam]
        return ([Side("flow", flow_cols, "src.grade = $grade", {"grade": p["grade"]})],
                _finish_flow(kind, has_next=bool(p.get("has_next", True))))
    if fam in ("repetition_level", "dropout_level"):
        kind = "repetition" if fam == "repetition_level" else "dropout"
        return ([Side("flow", flow_cols, _in_grades(), _grades(p["grades"]))],
                _finish_flow(kind))
    if fam == "survival_last":
        return ([Side("flow", flow_cols, _in_grades(), _grades(p["grades"]),
                      by_grade=True)], _finish_survival)
    if fam in ("ptr", "pqtr"):
        teachers = "src.count" if fam == "ptr" else \
            "CASE WHEN src.qualified THEN src.count ELSE 0 END"
        return ([Side("enrolment", {"n": enrolled}, _in_grades(), _grades(p["grades"])),
                 Side("teachers", {"d": teachers}, "src.level = $level", {"level": p["level"]})],
                _finish_rate(1.0, weight="n"))
    if fam == "pcr":
        return ([Side("classrooms", {"n": "src.pupils", "d": "src.classrooms",
                                     "cs": "src.schools"}),
                 Side("reporting", {"rs": "src.schools"})],
                _finish_rate(1.0, weight="n", reporting=("cs", "rs")))
    if fam in ("qualified_teachers", "trained_teachers"):
        flag = "src.qualified" if fam == "qualified_teachers" else "src.trained"
        return ([Side("teachers", {"n": f"CASE WHEN {flag} THEN src.count ELSE 0 END",
                                   "d": "src.count"}, "src.level = $level",
                      {"level": p["level"]})], _finish_rate(100.0))
    if fam in ("incomplete_schools", "multigrade_schools"):
        num, den = (("src.incomplete", "src.complete_known") if fam == "incomplete_schools"
                    else ("src.multigrade", "src.multigrade_known"))
        return ([Side("schools", {"n": num, "d": den}, "src.level = $level",
                      {"level": p["level"]})], _finish_rate(100.0))
    if fam == "facility":
        column = _FACILITY_COLUMN[str(p["item"])]
        return ([Side("facilities", {"n": f"src.{column}", "d": "src.schools_reporting"},
                      "src.level = $level", {"level": p["level"]}),
                 Side("schools", {"s": "src.schools"}, "src.level = $level",
                      {"level": p["level"]})],
                _finish_rate(100.0, reporting=("d", "s")))
    if fam == "quality_met":
        return ([Side("quality", {"n": "src.met", "d": "src.schools"},
                      "src.standard = $standard", {"standard": p["standard"]})],
                _finish_rate(100.0))
    if fam == "female_share":
        return ([Side("enrolment", {"n": "CASE WHEN src.sex = 'F' THEN src.enrolled ELSE 0 END",
                                    "d": enrolled}, _in_grades(), _grades(p["grades"]))],
                _finish_rate(100.0))
    raise AssertionError(f"no recipe for family {fam}")  # every family has one


def _finish_survival(raw: pd.DataFrame, req: Request) -> pd.DataFrame:
    """Closed form of the reconstructed cohort: Π over grades before the last of
    p_k / (1 − r_k) = entrants_k / (enrolled_k − repeaters_k)."""
    grades = list(req.indicator.params["grades"])
    if raw.empty:
        per = pd.DataFrame(columns=["unit", "grp", "factor", "n_grades", "e", "min_e", "bad"])
    else:
        raw = raw[raw["grade"].isin(grades)].copy()
        e, r, p = (raw[c].astype("float64").fillna(0.0) for c in ("e", "r", "p"))
        stay = e - r
        with np.errstate(divide="ignore", invalid="ignore"):
            raw["factor"] = (p / stay).where((e > 0) & (stay > 0))
        raw["bad"] = (e > 0) & ((stay <= 0) | (raw["factor"] > 1) | (raw["factor"] < 0))
        raw["e"] = e
        raw["has"] = raw["factor"].notna()  # a grade without a factor leaves no value
        per = raw.groupby(["unit", "grp"], sort=False).agg(
            factor=("factor", "prod"), n_grades=("has", "sum"), e=("e", "sum"),
            min_e=("e", "min"), bad=("bad", "any")).reset_index()
    return per


def _finish_survival_grid(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    n_needed = len(list(req.indicator.params["grades"]))
    complete = frame["n_grades"] >= n_needed
    frame["value"] = (100.0 * frame["factor"]).where(complete)
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["weight"] = frame["e"]
    small = fl.SMALL_DENOMINATOR_BELOW["pupils"]
    frame[f"flag:{fl.SMALL_DENOMINATOR}"] = complete & (frame["min_e"] < small)
    frame[f"flag:{fl.INCONSISTENT_FLOW}"] = frame["bad"].astype(bool)
    frame[f"flag:{fl.INCOMPLETE_YEARS}"] = _unit_total(frame, "e") <= 0
    return frame


# --------------------------------------------------------------------------- assembly


def _parity(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    first, second = GROUPS[req.by][:2]  # type: ignore[index]
    a = frame[frame["grp"] == first].set_index("unit")
    b = frame[frame["grp"] == second].set_index("unit").reindex(a.index)
    rows = pd.DataFrame({"unit": a.index.values, "grp": "parity"})
    rows["value"] = adjusted_parity_array(a["value"].values, b["value"].values)
    for col in ("numerator", "denominator", "weight"):
        rows[col] = np.nan
    for col in frame.columns:
        if col.startswith("flag:"):
            rows[col] = (a[col].fillna(False).astype(bool).values
                         | b[col].fillna(False).astype(bool).values)
    return pd.concat([frame, rows], ignore_index=True)


def _flag_strings(frame: pd.DataFrame) -> pd.Series:
    out = pd.Series("", index=frame.index, dtype=object)
    for name in fl.FLAGS:
        col = f"flag:{name}"
        if col in frame:
            mask = frame[col].fillna(False).astype(bool)
            out = out.where(~mask, out + name + ";")
    return out.str.rstrip(";")


def _compute(con: duckdb.DuckDBPyConnection, req: Request, lang: str,
             with_weight: bool) -> pd.DataFrame:
    ind = req.indicator
    sides, finish = _recipe(ind)
    units = _units(con, req, lang)
    sums = [c for side in sides for c in side.columns]
    no_next_year = ind.flow and (req.year + 1) not in req.ctx.years
    if no_next_year or units.empty:
        raw = pd.DataFrame(columns=["unit", "grp", "grade"] + sums)
    else:
        raw = _query(con, sides, req)
    if ind.family == "survival_last":
        per = _finish_survival(raw, req)
        grid = _grid(units, per.drop(columns=["factor", "bad"]) if not per.empty else per,
                     req, ["n_grades", "e", "min_e"])
        if not per.empty:
            extra = per.set_index(["unit", "grp"])[["factor", "bad"]]
            grid = grid.join(extra, on=["unit", "grp"])
        else:
            grid["factor"] = np.nan
            grid["bad"] = False
        grid["bad"] = grid["bad"].astype("boolean").fillna(False).astype(bool)
        frame = _finish_survival_grid(grid, req)
    else:
        frame = finish(_grid(units, raw, req, sums), req)
    if no_next_year:  # no value at all, rather than 0 of 0
        frame[f"flag:{fl.INCOMPLETE_YEARS}"] = True
        frame[["numerator", "denominator"]] = np.nan
    if req.by in PARITY_SPLITS:
        frame = _parity(frame, req)
    # Units are in unit_code order and each unit's groups in output order; parity rows,
    # appended last, go after their unit's groups.
    position = pd.Series(np.arange(len(units)), index=units["unit"].to_numpy())
    unit_pos = position.reindex(frame["unit"].to_numpy()).to_numpy()
    order = {g: i for i, g in enumerate(ind.groups(req.by))}
    group_pos = frame["grp"].map(order).to_numpy()
    rank = np.argsort(unit_pos * len(order) + group_pos, kind="stable")
    frame = frame.iloc[rank]
    unit_pos = unit_pos[rank]
    out = {
        "unit_code": units["unit_code"].to_numpy()[unit_pos],
        "unit_name": units["unit_name"].to_numpy()[unit_pos],
        "year": np.full(len(frame), req.year, dtype="int64"),
        "group": frame["grp"].to_numpy(dtype=object),
        "value": frame["value"].to_numpy(dtype="float64"),
        "numerator": frame["numerator"].to_numpy(dtype="float64"),
        "denominator": frame["denominator"].to_numpy(dtype="float64"),
        "flags": _flag_strings(frame).to_numpy(dtype=object),
    }
    if with_weight:
        out["weight"] = frame["weight"].to_numpy(dtype="float64")
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- public API


def compute(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str, year: int,
            by: str | None = None, area: str | None = None, lang: str = "en") -> pd.DataFrame:
    """One indicator for every area of ``level`` (optionally within ``area``) in ``year``.

    ``level``: national, province, district or school. ``by``: sex, locality, ownership or
    priority (only the splits the indicator allows). ``area``: a province or district code;
    only units inside it are returned. Returns the columns unit_code, unit_name, year,
    group, value, numerator, denominator, flags (a ``;``-separated string), one row per
    unit and group, sorted by unit_code, groups in the contract's order (T, the split's
    groups, parity). Counts and survival leave numerator and denominator empty (NaN).
    Raises :class:`IndicatorError` (a ValueError) for an unknown indicator, level, split,
    year or area, saying what exists.
    """
    ctx = context(con)
    return _compute(con, _check(ctx, indicator_id, level, year, by, area), lang,
                    with_weight=False)


def compute_weighted(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str,
                     year: int, by: str | None = None, area: str | None = None,
                     lang: str = "en") -> pd.DataFrame:
    """:func:`compute` plus a ``weight`` column: what each row weighs in inequality measures
    (population for population-based rates, enrolment for flow rates and shares of pupils,
    pupils for pupil–teacher and pupil–classroom ratios, schools for shares of schools,
    teachers for shares of teachers; NaN for counts and parity rows)."""
    ctx = context(con)
    req = _check(ctx, indicator_id, level, year, by, area)
    return _compute(con, req, lang, with_weight=True)
