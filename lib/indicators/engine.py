"""Computing any indicator of the registry, for every area of a level at once, for one year
(:func:`compute`) or several (:func:`compute_years`).

One SQL query per request, whatever the number of years, reads the pre-aggregated district
tables (``agg_*``; school level reads the school tables), sums numerators and denominators
per year, area and group, and pandas divides: a province's value is its districts' summed
numerator over their summed denominator, never an average of district values. The flags of
contract §3 are set here.

SQL is parameterised: the indicator id, split and level are checked against the registry
before any SQL is assembled, and every value (years, area, grades, ages, level ids,
standards) is passed as a parameter.

The year is a key all the way through: of the SQL groups and joins, of the grid of units ×
groups (one block of rows per year and unit) and of the flags that look at a unit's total
row, so that one year computed among several is exactly that year computed alone.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from lib.country import admin_level_name
from lib.equity import adjusted_parity_array
from lib.i18n import lower_word
from lib.aggregate import in_area_sql
from lib.indicators import flags as fl
from lib.indicators import stored as stored_frames
from lib.indicators.context import ExtractContext, context
from lib.indicators.registry import Indicator, IndicatorError
from lib.tables import RELATIONS
from lib.vocabulary import AREA, ANY_DOMAIN, NATIONAL, PARITY, SCHOOL, TOTAL, Split

COLUMNS = ["unit_code", "unit_name", "year", "group", "value", "numerator", "denominator",
           "flags"]

_UNIT = {NATIONAL: "'_'", SCHOOL: "src.school_id"}  # an admin level: see _side_sql
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


@dataclass(frozen=True)
class Side:
    """Sums over one source: output column -> per-row SQL expression (summed per group)."""

    source: str
    columns: Mapping[str, str]
    where: str = "TRUE"
    params: Mapping[str, object] = field(default_factory=dict)
    by_grade: bool = False
    as_given: bool = False  # read ``source`` even when split by a dimension


@dataclass(frozen=True)
class Request:
    indicator: Indicator
    level: str
    years: tuple[int, ...]  # distinct, ascending
    by: str | None
    area: str | None
    ctx: ExtractContext

    @property
    def kind(self) -> str:
        """national, area (any admin level) or school."""
        return self.level if self.level in (NATIONAL, SCHOOL) else AREA

    @property
    def admin_number(self) -> int:
        """The admin level number of an area level (1 for the largest), else 0."""
        return self.ctx.country.admin_number(self.level) if self.kind == AREA else 0

    @property
    def split(self) -> Split | None:
        return self.ctx.registry.split(self.by) if self.by else None

    @property
    def groups(self) -> tuple[str, ...]:
        """T and the split's groups (parity rows are added after the computation)."""
        return (TOTAL,) + (self.split.groups if self.split else ())


Finisher = Callable[[pd.DataFrame, Request], pd.DataFrame]


# --------------------------------------------------------------------------- validation


def _check(ctx: ExtractContext, indicator_id: str, level: str, years: Iterable[object],
           by: str | None, area: str | None) -> Request:
    country = ctx.country
    levels = (NATIONAL, *country.admin_ids, SCHOOL)
    if level not in levels:
        raise IndicatorError(f"unknown level '{level}'; levels are {', '.join(levels)}")
    kind = level if level in (NATIONAL, SCHOOL) else AREA
    ind = ctx.registry.get(indicator_id)
    # The country's names of its admin levels, as its users read them (level ids such as
    # "district" are what the command line and the URLs take).
    finest = lower_word(admin_level_name(country, country.finest_admin, "en"))
    if kind not in ind.admin_levels:
        why = f" (population exists only by {finest})" if ind.population_based else ""
        where = [w for k in ind.admin_levels
                 for w in ((NATIONAL,) if k == NATIONAL else (SCHOOL,) if k == SCHOOL
                           else country.admin_ids)]
        raise IndicatorError(f"{ind.id} is computed at {_words(tuple(where))} level{why}, "
                             f"not at {level} level")
    if by is not None and by not in ind.splits:
        if by not in ctx.registry.splits:
            raise IndicatorError(f"unknown split '{by}'; splits are "
                                 f"{', '.join(ctx.registry.splits)}")
        if by in ctx.registry.splits_off:
            raise IndicatorError(f"{ind.id} cannot be split by {by}: "
                                 f"{ctx.registry.splits_off[by]}")
        why = (f" (population exists only by {finest}, sex and age)"
               if ind.population_based else "")
        raise IndicatorError(f"{ind.id} cannot be split by {by}{why}; possible splits: "
                             f"{', '.join(ind.splits) or 'none'}")
    checked = tuple(sorted({_check_year(ctx, year) for year in years}))
    if area is not None:
        area = str(area)
        depth = ctx.level_of(area)
        if not depth:
            names = " or ".join(f"a {lower_word(admin_level_name(country, n, 'en'))}"
                                for n in range(1, country.finest_admin + 1))
            raise IndicatorError(f"unknown area '{area}': give the code of {names}")
        if kind == NATIONAL:
            raise IndicatorError("an area cannot be given at national level; choose the "
                                 f"{', '.join(country.admin_ids)} or school level")
        number = country.admin_number(level) if kind == AREA else 0
        if kind == AREA and depth > number:
            word, wanted = (lower_word(admin_level_name(country, n, "en"))
                            for n in (depth, number))
            raise IndicatorError(f"area '{area}' is a {word}: at {level} level give the code "
                                 f"of a {wanted} or of an area it lies in")
    return Request(ind, level, checked, by, area, ctx)


def _check_year(ctx: ExtractContext, year: object) -> int:
    try:
        year_int = int(year)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        year_int = None
    if year_int is None or year_int not in ctx.years or str(year).strip() != str(year_int):
        raise IndicatorError(f"no data for year {year}; years in this extract: "
                             f"{', '.join(str(y) for y in ctx.years)} (a school year by the "
                             "year it starts)")
    return year_int


def _words(items: tuple[str, ...]) -> str:
    items = tuple(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --------------------------------------------------------------------------- SQL


def _year_list(years: Sequence[int], *, and_next: bool = False) -> tuple[str, dict[str, int]]:
    """``= $y0`` or ``IN ($y0, $y1, …)`` (each year followed by ``$yN + 1`` with
    ``and_next``), and its parameters."""
    params = {f"y{i}": int(year) for i, year in enumerate(years)}
    items = [f"${name}" for name in params]
    if and_next:
        items = [part for item in items for part in (item, f"{item} + 1")]
    return ("= " + items[0] if len(items) == 1 else f"IN ({', '.join(items)})"), params


# Split by a dimension of the package, a recipe's pupils and population are read from the
# rows of that dimension (the registry offers the split only to recipes that read these).
_BY_DIMENSION = {"enrolment": "groups", "population": "population_groups"}


def _source(side: Side, req: Request) -> str:
    """The relation a side reads for this request."""
    if req.split is not None and req.split.dimension and not side.as_given:
        return _BY_DIMENSION.get(side.source, side.source)
    return side.source


def _with_coverage(sides: list[Side], req: Request) -> list[Side]:
    """Split by a dimension: the sides plus the pupils of the recipe's first enrolment side
    by the dimension (``cov_dim``) and in all (``cov_all``), to see whether the groups
    add up to the enrolment (:func:`_coverage`)."""
    if req.split is None or not req.split.dimension:
        return sides
    pupils = next(side for side in sides if side.source == "enrolment")
    return [*sides, dataclasses.replace(pupils, columns={"cov_dim": "src.enrolled"}),
            dataclasses.replace(pupils, columns={"cov_all": "src.enrolled"}, as_given=True)]


def _coverage(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    """Split by a dimension: a unit whose schools do not report the dimension has no
    value (not 0); one whose groups do not add up to its enrolment is flagged."""
    if req.split is None or not req.split.dimension:
        return frame
    grouped, pupils = _unit_total(frame, "cov_dim"), _unit_total(frame, "cov_all")
    frame.loc[(grouped <= 0) & (pupils > 0), "value"] = np.nan
    frame[f"flag:{fl.GROUPS_MISMATCH}"] = _groups_mismatch(grouped, pupils)
    return frame


def _relation(source: str, req: Request, years: Sequence[int]) -> str:
    """The rows a side sums over: the relation's district sums (``agg_<name>``) for areas,
    its rows of each school (the years asked only) at school level. Rows by district
    (population) split by a district attribute (priority) get it from ``agg_districts``."""
    relation = RELATIONS[source]
    if not relation.per_school and req.split and req.split.of_district:
        column = req.split.school_column
        return (f"(SELECT r.*, d.{column} FROM {relation.table} r "
                "JOIN agg_districts d USING (district_code))")
    if req.kind != SCHOOL:
        return relation.table
    return "(" + relation.school_rows(_year_list(years)[0],
                                      _year_list(years, and_next=True)[0]) + ")"


def _side_sql(name: str, side: Side, req: Request, years: Sequence[int]) -> str:
    source = _source(side, req)
    relation = _relation(source, req, years)
    grp = req.split.sql_for(source) if req.split else f"'{TOTAL}'"
    if source != side.source:  # the rows of the split's dimension only
        side = dataclasses.replace(side, where=f"({side.where}) AND src.dimension = $split_by")
    area = in_area_sql("src.district_code") if req.area else "TRUE"
    cols = ", ".join(f"{expr} AS {col}" for col, expr in side.columns.items())
    grade = ", src.grade AS grade" if side.by_grade else ""
    unit, join = _UNIT.get(req.kind, "src.district_code"), ""
    if req.kind == AREA and req.admin_number < req.ctx.country.finest_admin:
        # A larger level: each finest area's code at that level (area_lineage).
        unit = "up.code"
        join = (f"JOIN area_lineage up ON up.district_code = src.district_code "
                f"AND up.level = {int(req.admin_number)} ")
    inner = (f"SELECT src.year AS yr, {unit} AS unit, {grp} AS grp{grade}, {cols} "
             f"FROM {relation} src {join}WHERE src.year {_year_list(years)[0]} "
             f"AND ({side.where}) AND {area}")
    sums = ", ".join(f"CAST(sum({col}) AS DOUBLE) AS {col}" for col in side.columns)
    keys = "yr, unit, grade" if side.by_grade else "yr, unit"
    if req.by is None:
        return (f"{name} AS (SELECT {keys}, '{TOTAL}' AS grp, {sums} FROM ({inner}) "
                f"GROUP BY {keys})")
    return (f"{name} AS (SELECT {keys}, CASE WHEN grouping(grp) = 1 THEN '{TOTAL}' ELSE grp "
            f"END AS grp, {sums} FROM ({inner}) GROUP BY GROUPING SETS (({keys}), ({keys}, "
            "grp)))")


def _query(con: duckdb.DuckDBPyConnection, sides: list[Side], req: Request,
           years: Sequence[int]) -> pd.DataFrame:
    """One row per year (``yr``), unit, group (and grade) found, with each side's sums."""
    ctes = [_side_sql(f"s{i}", side, req, years) for i, side in enumerate(sides)]
    keys = "yr, unit, grp, grade" if sides[0].by_grade else "yr, unit, grp"
    sql = f"WITH {', '.join(ctes)} SELECT * FROM s0"
    for i in range(1, len(sides)):
        sql += f" FULL OUTER JOIN s{i} USING ({keys})"
    params: dict[str, object] = dict(_year_list(years)[1])
    if req.area:
        params["area"] = req.area
    if req.by:
        params["split_by"] = req.by
    for side in sides:
        for key, value in side.params.items():
            if key in params and params[key] != value:
                raise AssertionError(f"parameter {key} given two values")  # a recipe bug
            params[key] = value
    used = set(_PARAM.findall(sql))
    return _fetch(con, sql, {k: v for k, v in params.items() if k in used})


# --------------------------------------------------------------------------- units


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, object]
           ) -> pd.DataFrame:
    """A query's rows, text kept in object columns (pandas' str dtype costs time here and
    only the output needs it); NULL numbers are NaN, NULL texts None."""
    arrays = con.execute(sql, dict(params)).fetchnumpy()
    columns = {}
    for key, values in arrays.items():
        if isinstance(values, np.ma.MaskedArray):
            if not np.ma.getmaskarray(values).any():
                values = values.data
            elif values.dtype.kind in "fiub":
                values = values.astype("float64").filled(np.nan)
            else:
                values = values.astype(object).filled(None)
        columns[key] = pd.Series(values, dtype=object if values.dtype == object else None,
                                 copy=False)
    return pd.DataFrame(columns)


@dataclass(frozen=True)
class Units:
    """Every year and area asked for, year by year in unit_code order: year, unit (as the
    query names it), unit_code and unit_name (arrays of one length)."""

    yr: np.ndarray
    unit: np.ndarray
    code: np.ndarray
    name: np.ndarray

    def __len__(self) -> int:
        return len(self.yr)


def _units(con: duckdb.DuckDBPyConnection, req: Request, lang: str) -> Units:
    """The units of each year: areas are the same every year; schools are those reporting
    in the year."""
    ctx = req.ctx
    name = "name_en" if lang == "en" else "name_local"
    years = np.asarray(req.years, dtype="int64")
    if req.kind == SCHOOL:
        area = f"AND {in_area_sql('s.district_code')}" if req.area else ""
        in_years, params = _year_list(req.years)
        if req.area:
            params["area"] = req.area  # type: ignore[assignment]
        pairs = con.execute(
            "SELECT r.year AS yr, r.school_id AS code FROM reporting r "
            "JOIN schools s USING (school_id) "
            f"WHERE r.year {in_years} {area} ORDER BY r.year, r.school_id",
            params).fetchnumpy()
        codes = np.asarray(pairs["code"], dtype=object)
        # Names once per school, not once per year.
        names = con.execute(
            f"SELECT school_id, {'name_en' if lang == 'en' else 'coalesce(name_local, name_en)'}"
            " FROM schools WHERE school_id IN (SELECT school_id FROM reporting r "
            f"WHERE r.year {in_years})", {k: v for k, v in params.items() if k != "area"}
        ).fetchnumpy()
        ids = pd.Index(np.asarray(names["school_id"], dtype=object))
        labels = np.asarray(list(names.values())[1], dtype=object)
        return Units(np.asarray(pairs["yr"], dtype="int64"), codes, codes,
                     labels[ids.get_indexer(codes)] if len(codes) else codes)
    if req.kind == NATIONAL:
        cname = ctx.country.name if lang == "en" else ctx.country.name_local
        units, codes, names_ = ["_"], [ctx.country.iso3], [cname]
    else:
        frame = ctx.areas_at(req.admin_number, req.area)
        units = codes = [str(c) for c in frame["code"]]
        names_ = [str(n) for n in frame[name]]
    n_years = len(years)
    return Units(np.repeat(years, len(codes)), np.array(units * n_years, dtype=object),
                 np.array(codes * n_years, dtype=object),
                 np.array(names_ * n_years, dtype=object))


def _grid(units: Units, raw: pd.DataFrame, req: Request, sums: list[str]) -> pd.DataFrame:
    """Every year × unit × group, as ``units`` has them then groups in order, with the
    sums of the query (0 where nothing was found). ``blk`` numbers the (year, unit) blocks:
    the row's position in ``units``."""
    groups = list(req.groups)
    n_groups = len(groups)
    n_units = len(units)
    columns: dict[str, object] = {
        "yr": np.repeat(units.yr, n_groups),
        "grp": pd.Series(np.array(groups * n_units, dtype=object), dtype=object, copy=False),
        "blk": np.repeat(np.arange(n_units, dtype="int64"), n_groups)}
    pos = _grid_positions(units, raw, req.years, groups) if n_units and len(raw) else None
    for col in sums:
        values = np.zeros(n_units * n_groups)
        if pos is not None:
            found = pos >= 0
            got = raw[col].to_numpy(dtype="float64", na_value=np.nan)[found]
            values[pos[found]] = np.nan_to_num(got, nan=0.0)
        columns[col] = values
    return pd.DataFrame(columns)


def _grid_positions(units: Units, raw: pd.DataFrame, years: Sequence[int],
                    groups: list[str]) -> np.ndarray:
    """The grid row of each row of ``raw`` (by yr, unit, grp), −1 when it is not in the
    grid (a unit or group not asked for)."""
    year_values = np.asarray(years, dtype="int64")
    unit_idx, uniques = pd.factorize(units.unit)
    table = np.full((len(year_values), len(uniques)), -1, dtype="int64")
    table[np.searchsorted(year_values, units.yr), unit_idx] = np.arange(len(units))
    raw_years = raw["yr"].to_numpy(dtype="int64")
    y = np.minimum(np.searchsorted(year_values, raw_years), len(year_values) - 1)
    u = pd.Index(uniques, dtype=object).get_indexer(raw["unit"].to_numpy(dtype=object))
    g = pd.Index(groups, dtype=object).get_indexer(raw["grp"].to_numpy(dtype=object))
    ok = (year_values[y] == raw_years) & (u >= 0) & (g >= 0)
    blk = np.where(ok, table[y, np.maximum(u, 0)], -1)
    return np.where(ok & (blk >= 0), blk * len(groups) + g, -1)


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
    """Each row's unit's value of ``column`` in its total (T) row of the same year (the
    grid has one T row per block ``blk``)."""
    blk = frame["blk"].to_numpy()
    is_total = (frame["grp"] == TOTAL).to_numpy()
    totals = np.zeros(len(blk) and int(blk.max()) + 1)
    totals[blk[is_total]] = frame[column].to_numpy(dtype="float64")[is_total]
    return pd.Series(np.nan_to_num(totals[blk], nan=0.0), index=frame.index)


def _finish_count(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    frame["value"] = frame["n"]
    frame["numerator"] = np.nan
    frame["denominator"] = np.nan
    frame["weight"] = np.nan
    return frame


def _finish_rate(factor: float, *, num: str = "n", den: str = "d", weight: str | None = None,
                 over_100: bool = False, negative_is_over: bool = False,
                 unknown_age: bool = False, population: bool = False,
                 reporting: tuple[str, str] | None = None,
                 groups_of: tuple[str, str] | None = None) -> Finisher:
    """``reporting``: (reported, expected) columns, flagged incomplete when too few of the
    expected report; ``groups_of``: (pupils by group, all pupils), flagged when the groups
    do not add up to the enrolment."""
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
            # No age known for any pupil concerned: the rate is unknown, not 0.
            frame.loc[(frame["conc"] > 0) & (frame["unk"] >= frame["conc"]), "value"] = np.nan
        if population:
            missing = frame[den] <= 0
            frame[f"flag:{fl.NO_POPULATION}"] = missing & (
                (_unit_total(frame, den) <= 0) | (frame["grp"] == TOTAL) | (req.by == "sex"))
        if reporting:
            reported, expected = reporting
            frame[f"flag:{fl.INCOMPLETE_REPORTING}"] = (
                frame[reported] < fl.REPORTING_SHARE * frame[expected])
        if groups_of:
            frame[f"flag:{fl.GROUPS_MISMATCH}"] = _groups_mismatch(frame[groups_of[0]],
                                                                   frame[groups_of[1]])
        return frame
    return finish


def _groups_mismatch(grouped: pd.Series, pupils: pd.Series) -> pd.Series:
    """Pupils by group that do not add up to the pupils (beyond the tolerance)."""
    return (pupils > 0) & ((grouped - pupils).abs() > fl.GROUPS_TOLERANCE * pupils)


def _finish_representation(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    """A group's share of the pupils (numerator, %) over its share of the children of the
    level's ages (denominator, %)."""
    among_pupils = _ratio(frame["n"], frame["d"], 100.0)
    among_children = _ratio(frame["pn"], frame["pd"], 100.0)
    frame["numerator"] = among_pupils
    frame["denominator"] = among_children
    frame["value"] = _ratio(among_pupils, among_children, 1.0)
    frame["weight"] = frame["pd"]
    few_pupils = (frame["d"] > 0) & (frame["d"] < fl.SMALL_DENOMINATOR_BELOW["pupils"])
    frame[f"flag:{fl.SMALL_DENOMINATOR}"] = _small(frame["pd"], req) | few_pupils
    frame[f"flag:{fl.NO_POPULATION}"] = frame["pd"] <= 0
    return frame


def _finish_functional_difficulty(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
    """Pupils at the cut-off over the pupils of the schools that report functioning. Each
    pupil counts once in a total (the rows of domain ``any``, which the package must
    give); split by domain, a group is that domain and the denominator the unit's pupils."""
    by_domain = req.by == "domain"
    frame["n"] = frame["n"].where(by_domain & (frame["grp"] != TOTAL), frame["n_any"])
    if by_domain:
        frame["d"] = _unit_total(frame, "d")
        frame["e"] = _unit_total(frame, "e")
    return _finish_rate(100.0, reporting=("d", "e"))(frame, req)


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
    if fam == "ungraded":
        return [Side("enrolment", {"n": enrolled}, "src.grade IS NULL", {})], _finish_count
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
    if fam in ("oosr", "out_of_school"):
        # Learners in no grade (special education) are in school.
        side = _age_specific(p, "(src.grade >= $from_grade OR src.grade IS NULL)",
                             {"from_grade": p["from_grade"]}, enrolled)
        side = Side(side.source, {"ins": side.columns["n"], "unk": side.columns["unk"],
                                  "conc": side.columns["conc"]}, side.where, side.params)
        rate = _finish_rate(100.0, num="out", negative_is_over=True, unknown_age=True,
                            population=True)

        def finish_oosr(frame: pd.DataFrame, req: Request) -> pd.DataFrame:
            frame["out"] = frame["d"] - frame["ins"]
            frame = rate(frame, req)
            if fam == "out_of_school":
                # The children: none where enrolment exceeds the population (flagged, as
                # the rate's negative value is); unknown where the rate is.
                frame["value"] = frame["out"].clip(lower=0).where(frame["value"].notna())
                frame["numerator"] = frame["value"]
            return frame
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
        return ([Side("facilities", {"n": f"src.{p['item']}", "d": "src.schools_reporting"},
                      "src.level = $level", {"level": p["level"]}),
                 Side("schools", {"s": "src.schools"}, "src.level = $level",
                      {"level": p["level"]})],
                _finish_rate(100.0, reporting=("d", "s")))
    if fam == "quality_met":
        return ([Side("quality", {"n": "src.met", "d": "src.schools"},
                      "src.standard = $standard", {"standard": p["standard"]})],
                _finish_rate(100.0))
    if fam == "quality_level":
        return ([Side("quality_school_levels", {
                    "n": "CASE WHEN src.quality_level = $quality_level THEN src.schools "
                         "ELSE 0 END", "d": "src.schools"}, "TRUE",
                      {"quality_level": p["quality_level"]}),
                 Side("reporting", {"rs": "src.schools"})],
                _finish_rate(100.0, reporting=("d", "rs")))
    if fam in ("quality_assessed", "quality_verified"):
        assessed = "src.self_assessed" if fam == "quality_assessed" else "src.verified"
        return ([Side("quality_assessed", {"n": assessed, "d": "src.schools"})],
                _finish_rate(100.0))
    if fam in ("group_share", "representation"):
        in_group = f"CASE WHEN src.group_id = $group THEN {enrolled} ELSE 0 END"
        keys = {"dimension": p["dimension"], "group": p["group"]}
        pupils = Side("groups", {"n": in_group, "d": enrolled},
                      f"{_in_grades()} AND src.dimension = $dimension",
                      {**_grades(p["grades"]), **keys})
        if fam == "group_share":
            return ([pupils, Side("enrolment", {"e": enrolled}, _in_grades(),
                                  _grades(p["grades"]))],
                    _finish_rate(100.0, groups_of=("d", "e")))
        population = Side("population_groups", {
            "pn": "CASE WHEN src.group_id = $group THEN src.population ELSE 0 END",
            "pd": "src.population"},
            "src.age BETWEEN $age_min AND $age_max AND src.dimension = $dimension",
            {"age_min": p["age_min"], "age_max": p["age_max"], **keys})
        return [pupils, population], _finish_representation
    if fam == "functional_difficulty":
        return ([Side("functioning", {
                    "n": f"CASE WHEN src.domain <> '{ANY_DOMAIN}' THEN src.pupils ELSE 0 END",
                    "n_any": f"CASE WHEN src.domain = '{ANY_DOMAIN}' THEN src.pupils ELSE 0 END"},
                      _in_grades(), _grades(p["grades"])),
                 Side("functioning_enrolment", {"d": enrolled}, _in_grades(),
                      _grades(p["grades"])),
                 Side("enrolment", {"e": enrolled}, _in_grades(), _grades(p["grades"]))],
                _finish_functional_difficulty)
    if fam == "schools_with_difficulty":
        return ([Side("functioning_schools", {"n": "src.enrolling", "d": "src.schools"}),
                 Side("reporting", {"rs": "src.schools"})],
                _finish_rate(100.0, reporting=("d", "rs")))
    if fam == "female_share":
        return ([Side("enrolment", {"n": "CASE WHEN src.sex = 'F' THEN src.enrolled ELSE 0 END",
                                    "d": enrolled}, _in_grades(), _grades(p["grades"]))],
                _finish_rate(100.0))
    raise AssertionError(f"no recipe for family {fam}")  # every family has one


def _finish_survival(units: Units, raw: pd.DataFrame, req: Request) -> pd.DataFrame:
    """Closed form of the reconstructed cohort: Π over grades before the last of
    p_k / (1 − r_k) = entrants_k / (enrolled_k − repeaters_k), on the grid of units ×
    groups (per year) from the query's rows per grade."""
    grades = list(req.indicator.params["grades"])
    frame = _grid(units, raw.iloc[:0], req, [])
    n = len(frame)
    factor = np.ones(n)
    n_grades = np.zeros(n)
    e_sum = np.zeros(n)
    min_e = np.full(n, np.inf)
    bad = np.zeros(n, dtype=bool)
    seen = np.zeros(n, dtype=bool)
    if n and len(raw):
        raw = raw[raw["grade"].isin(grades)]
        pos = _grid_positions(units, raw, req.years, list(req.groups))
        keep = pos >= 0
        pos = pos[keep]
        e, r, p = (raw[c].to_numpy(dtype="float64", na_value=np.nan)[keep]
                   for c in ("e", "r", "p"))
        e, r, p = (np.nan_to_num(x, nan=0.0) for x in (e, r, p))
        stay = e - r
        with np.errstate(divide="ignore", invalid="ignore"):
            grade_factor = np.where((e > 0) & (stay > 0), p / stay, np.nan)
        has = ~np.isnan(grade_factor)  # a grade without a factor leaves no value
        np.multiply.at(factor, pos, np.where(has, grade_factor, 1.0))
        np.add.at(n_grades, pos, has)
        np.add.at(e_sum, pos, e)
        np.minimum.at(min_e, pos, e)
        np.logical_or.at(bad, pos, (e > 0) & ((stay <= 0) | (grade_factor > 1)
                                              | (grade_factor < 0)))
        seen[pos] = True
    frame["factor"] = np.where(seen, factor, np.nan)
    frame["n_grades"] = n_grades
    frame["e"] = e_sum
    frame["min_e"] = np.where(seen, min_e, 0.0)
    frame["bad"] = bad
    return frame


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


def _flag_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's flags as bits (bit i: ``fl.FLAGS[i]``)."""
    codes = np.zeros(len(frame), dtype="int64")
    for bit, name in enumerate(fl.FLAGS):
        col = f"flag:{name}"
        if col in frame:
            mask = frame[col].to_numpy(dtype=bool, na_value=False)
            codes |= mask.astype("int64") << bit
    return codes


def _flag_strings(codes: np.ndarray) -> np.ndarray:
    """Flag bits as the contract's ``;``-separated strings, in the canonical order."""
    if not len(codes):
        return np.array([], dtype=object)
    distinct, inverse = np.unique(codes, return_inverse=True)
    texts = np.array([";".join(name for bit, name in enumerate(fl.FLAGS) if code >> bit & 1)
                      for code in distinct], dtype=object)
    return texts[inverse.reshape(-1)]


def _compute(con: duckdb.DuckDBPyConnection, req: Request, lang: str,
             with_weight: bool) -> pd.DataFrame:
    ind = req.indicator
    sides, finish = _recipe(ind)
    sides = _with_coverage(sides, req)
    units = _units(con, req, lang)
    sums = [c for side in sides for c in side.columns]
    # Flow rates of year t need t + 1: the years without it are not queried.
    no_next = ([y for y in req.years if y + 1 not in req.ctx.years] if ind.flow else [])
    years = [y for y in req.years if y not in no_next]
    if not years or not len(units):
        raw = pd.DataFrame(columns=["yr", "unit", "grp", "grade"] + sums)
    else:
        raw = _query(con, sides, req, years)
    if ind.family == "survival_last":
        frame = _finish_survival_grid(_finish_survival(units, raw, req), req)
    else:
        frame = _coverage(finish(_grid(units, raw, req, sums), req), req)
    # The grid is in output order: years, in each year units in unit_code order (as
    # ``units`` has them; ``blk`` is the position there), each unit's groups in order.
    blk = frame["blk"].to_numpy(dtype="int64")
    group = frame["grp"].to_numpy(dtype=object)
    value = frame["value"].to_numpy(dtype="float64")
    numerator = frame["numerator"].to_numpy(dtype="float64", copy=True)
    denominator = frame["denominator"].to_numpy(dtype="float64", copy=True)
    weight = frame["weight"].to_numpy(dtype="float64")
    codes = _flag_codes(frame)
    if no_next:  # no value at all, rather than 0 of 0
        missing = np.isin(frame["yr"].to_numpy(dtype="int64"), no_next)
        codes[missing] |= 1 << fl.FLAGS.index(fl.INCOMPLETE_YEARS)
        numerator[missing] = np.nan
        denominator[missing] = np.nan
    if req.split is not None and req.split.parity:
        # One parity row after each unit's groups: the first group's value over the
        # second's, flagged as either of them is.
        n_groups = len(req.groups)
        first, second = (req.groups.index(g) for g in req.split.groups[:2])
        firsts = np.arange(len(units)) * n_groups
        at = np.arange(len(blk)) + blk  # each grid row moves down one per parity row before
        rows = len(blk) + len(units)
        parity_at = np.arange(len(units)) * (n_groups + 1) + n_groups
        parity_value = adjusted_parity_array(value[firsts + first], value[firsts + second])
        parity_codes = codes[firsts + first] | codes[firsts + second]

        def spread(grid_values: np.ndarray, parity_values: object, dtype: object) -> np.ndarray:
            out = np.empty(rows, dtype=dtype)
            out[at] = grid_values
            out[parity_at] = parity_values
            return out

        blk = spread(blk, np.arange(len(units)), "int64")
        group = spread(group, PARITY, object)
        value = spread(value, parity_value, "float64")
        numerator = spread(numerator, np.nan, "float64")
        denominator = spread(denominator, np.nan, "float64")
        weight = spread(weight, np.nan, "float64")
        codes = spread(codes, parity_codes, "int64")
    out = {
        "unit_code": units.code[blk],
        "unit_name": units.name[blk],
        "year": units.yr[blk],
        "group": group,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "flags": _flag_strings(codes),
    }
    if with_weight:
        out["weight"] = weight
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- public API


def compute(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str, year: int,
            by: str | None = None, area: str | None = None, lang: str = "en",
            stored: bool = True) -> pd.DataFrame:
    """One indicator for every area of ``level`` (optionally within ``area``) in ``year``.

    ``level``: national, province, district or school. ``by``: sex, locality, ownership,
    priority, domain or a dimension of the package such as ethnicity (only the splits the
    indicator allows; by a dimension the total is the pupils whose group is reported,
    flagged groups_mismatch where that is not all of them). ``area``: a province or district code;
    only units inside it are returned. Returns the columns unit_code, unit_name, year,
    group, value, numerator, denominator, flags (a ``;``-separated string), one row per
    unit and group, sorted by unit_code, groups in the contract's order (T, the split's
    groups, parity). Counts and survival leave numerator and denominator empty (NaN).
    Raises :class:`IndicatorError` (a ValueError) for an unknown indicator, level, split,
    year or area, saying what exists. :func:`compute_years` with one year. ``stored``:
    read the frame the build stored, where it did (:mod:`lib.indicators.stored`; False:
    compute it all the same).
    """
    ctx = context(con)
    req = _check(ctx, indicator_id, level, (year,), by, area)
    found = _stored(con, req, lang) if stored else None
    return found if found is not None else _compute(con, req, lang, with_weight=False)


def compute_years(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str,
                  years: Sequence[int] | None = None, by: str | None = None,
                  area: str | None = None, lang: str = "en", stored: bool = True
                  ) -> pd.DataFrame:
    """:func:`compute` for several years in one query: every year of ``years`` (default:
    every year of the extract; duplicates count once), sorted by year, then as
    :func:`compute` sorts. Each year's rows are exactly what :func:`compute` gives for that
    year (values, flags, parity rows; flow rates of a year without the next one have no
    value and the flag incomplete_years). At school level each year has the schools that
    report in it. Raises :class:`IndicatorError` as :func:`compute` does, for any year not in
    the extract; no years at all give an empty frame with the columns."""
    ctx = context(con)
    chosen = ctx.years if years is None else years
    if isinstance(chosen, (str, bytes, int)):
        raise TypeError("years is a sequence of years, e.g. [2022, 2023]")
    req = _check(ctx, indicator_id, level, chosen, by, area)
    if not req.years:
        numbers = {"year": "int64", "value": "float64", "numerator": "float64",
                   "denominator": "float64"}
        return pd.DataFrame({c: pd.Series(dtype=numbers.get(c, "str")) for c in COLUMNS})
    found = _stored(con, req, lang) if stored else None
    return found if found is not None else _compute(con, req, lang, with_weight=False)


def _stored(con: duckdb.DuckDBPyConnection, req: Request, lang: str) -> pd.DataFrame | None:
    """The frame the build stored for ``req`` (every area of a level or the country, no
    area filter), names in ``lang``; None when there is none."""
    ctx = req.ctx
    if req.area is not None or (req.indicator.id, req.level, req.by or "") not in ctx.stored:
        return None
    return stored_frames.read(con, req.indicator.id, req.level, req.years, req.by,
                              ctx.unit_names(req.kind == NATIONAL, lang))


def compute_weighted(con: duckdb.DuckDBPyConnection, indicator_id: str, level: str,
                     year: int, by: str | None = None, area: str | None = None,
                     lang: str = "en") -> pd.DataFrame:
    """:func:`compute` plus a ``weight`` column: what each row weighs in inequality measures
    (population for population-based rates, enrolment for flow rates and shares of pupils,
    pupils for pupil–teacher and pupil–classroom ratios, schools for shares of schools,
    teachers for shares of teachers; NaN for counts and parity rows)."""
    ctx = context(con)
    req = _check(ctx, indicator_id, level, (year,), by, area)
    return _compute(con, req, lang, with_weight=True)
