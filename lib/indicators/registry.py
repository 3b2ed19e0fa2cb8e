"""The one registry of indicators.

Every indicator is declared once, here: its id, words in every UI language, numerator and
denominator (in words and as a formula), unit, direction, the education level(s) it applies
to, the splits it allows, its source, how to read it, caveats and theme. Maps, charts,
tables, the catalogue page and the command line all read this registry.

Ids are generated from the country profile (levels, grades, official ages; contract §3) and,
for quality standards, from the standards present in the extract: nothing here knows a
country's grades or ages. :func:`build_registry` is pure (a country in, a registry out);
:func:`lib.indicators.context.registry_for` gives the registry of an open extract.

Flow-rate ids (``repetition_g<g>``, ``promotion_g<g>``, ``dropout_g<g>``, pooled rates,
``survival_last_<L>``, ``transition_<L>``) and ``gir_last_<L>`` exist only for levels whose
grades take one school year each (as many grades as official ages). A level with fewer
grades than ages (e.g. one pre-primary grade for ages 3–5) keeps its pupils in a grade for
several years without repeating, so these rates would be meaningless there. Survival needs
at least two grades.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from lib.country import Country, Level
from lib.groups import GroupNames
from lib.i18n import fill as fill_text, t
from lib.indicators.texts import FIELDS, ITEM_NAMES, TEXTS
from lib.quality import Framework
from lib.tables import columns_needed_by, tables_needed_by
from lib.vocabulary import (AREA_KINDS, COMMON_SPLITS, DISTRICT_SPLITS, FACILITY_ITEMS,
                            LEVEL_KINDS, SCHOOL, SCHOOL_SPLITS, SPLIT, SPLITS, Split,
                            dimension_split)

DEFAULT_LANG = "en"

THEMES: tuple[str, ...] = ("access", "participation", "efficiency", "teachers", "facilities",
                           "equity", "inclusion", "quality")
UNITS: tuple[str, ...] = ("%", "ratio", "count")
_ALL = COMMON_SPLITS
_SCHOOL = SCHOOL_SPLITS
_POP = DISTRICT_SPLITS  # population exists by district, sex and age


class IndicatorError(ValueError):
    """A request the registry or the engine cannot serve; the message says what exists."""


@dataclass(frozen=True)
class Unavailable:
    """Why an extract cannot give an indicator or a split: the optional ``tables`` it
    lacks, the (table, column) pairs without values, or ``consecutive_years`` it has not.
    ``str()`` says it in English (the command line, the engine's errors); :meth:`words` in
    the reader's language."""

    tables: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    consecutive_years: bool = False

    def words(self, lang: str = DEFAULT_LANG) -> str:
        if self.tables:
            return t("unavailable.tables", lang, tables=", ".join(self.tables),
                     n=len(self.tables))
        if self.columns:
            return t("unavailable.columns", lang, columns=", ".join(
                f"{table}.{column}" for table, column in self.columns))
        return t("unavailable.years", lang)

    def __str__(self) -> str:
        return self.words(DEFAULT_LANG)


class UnknownIndicator(IndicatorError, KeyError):
    """No indicator with this id in the registry."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Family:
    """What all indicators of one id family share."""

    key: str
    theme: str
    unit: str
    higher_is_better: bool | None  # None: no direction (counts, shares to read as balance)
    splits: tuple[str, ...]
    source: str
    formula: str
    denominator_kind: str | None = None  # what the denominator counts (small_denominator)
    weight: str | None = None  # disparity weight: denominator, numerator or enrolment
    admin_levels: tuple[str, ...] = LEVEL_KINDS  # lib.vocabulary's kinds
    population_based: bool = False
    flow: bool = False
    # Splits by the package's dimensions (ethnicity…): "enrolment" when its pupils can be
    # read from enrolment_groups, "population" when it needs population_groups as well.
    dimension_splits: str = ""

    @property
    def requires(self) -> tuple[str, ...]:
        """The optional tables of the package it needs (:mod:`lib.tables` declares them)."""
        return tables_needed_by(self.key)

    @property
    def requires_columns(self) -> tuple[tuple[str, str], ...]:
        """The (table, column) pairs it needs values in (:mod:`lib.tables` declares them)."""
        return columns_needed_by(self.key)


def _f(key: str, theme: str, unit: str, better: bool | None, splits: tuple[str, ...],
       source: str, formula: str, **kw) -> Family:
    return Family(key, theme, unit, better, splits, source, formula, **kw)


_POPKW = dict(denominator_kind="children", weight="denominator", admin_levels=AREA_KINDS,
              population_based=True)
_FLOWKW = dict(denominator_kind="pupils", weight="denominator", flow=True)

FAMILIES: Mapping[str, Family] = MappingProxyType({f.key: f for f in (
    _f("enrolment", "access", "count", None, _ALL, "UIS: enrolment by level",
       "Σ E[g], g = {grades}", dimension_splits="enrolment"),
    _f("ungraded", "access", "count", None, _ALL, "National: learners in no grade",
       "Σ E[ungraded]"),
    _f("teachers", "teachers", "count", None, _ALL, "UIS: teachers by level (headcount)",
       "Σ T[{level_id}]"),
    _f("schools", "access", "count", None, _SCHOOL, "National: schools offering the level",
       "Σ S[{level_id}]"),
    _f("ger", "access", "%", True, _POP, "UIS: gross enrolment ratio (GER)",
       "100 × E[g {grades}] / P[ages {ages}]", dimension_splits="population", **_POPKW),
    _f("ner", "participation", "%", True, _POP, "UIS: net enrolment rate (NER)",
       "100 × E[g {grades}, ages {ages}] / P[ages {ages}]", **_POPKW),
    _f("aner", "participation", "%", True, _POP,
       "UIS: adjusted net enrolment rate (ANER; total net enrolment rate, NERT, for primary)",
       "100 × E[g ≥ {first_grade}, ages {ages}] / P[ages {ages}]", **_POPKW),
    _f("gir", "access", "%", True, _POP, "UIS: gross intake ratio to grade 1 (GIR)",
       "100 × (E[g {grade}] − R[g {grade}]) / P[age {age}]", **_POPKW),
    _f("nir", "access", "%", True, _POP, "UIS: net intake rate to grade 1 (NIR)",
       "100 × (E[g {grade}, age {age}] − R[g {grade}, age {age}]) / P[age {age}]", **_POPKW),
    _f("gir_last", "efficiency", "%", True, _POP,
       "SDG 4.1.3: gross intake ratio to the last grade",
       "100 × (E[g {grade}] − R[g {grade}]) / P[age {age}]", **_POPKW),
    _f("oosr", "participation", "%", False, _POP, "SDG 4.1.4: out-of-school rate "
       "(administrative)", "100 × (P[ages {ages}] − E[g ≥ {first_grade}, ages {ages}]) / "
       "P[ages {ages}]", **_POPKW),
    _f("out_of_school", "participation", "count", None, _POP,
       "SDG 4.1.4: out-of-school children (administrative)",
       "P[ages {ages}] − E[g ≥ {first_grade}, ages {ages}], 0 where enrolment exceeds the "
       "population", **_POPKW),
    _f("participation_pre_primary", "participation", "%", True, _POP,
       "SDG 4.2.2: participation rate one year before the official primary entry age",
       "100 × E[all grades, age {age}] / P[age {age}]", **_POPKW),
    _f("repetition_grade", "efficiency", "%", False, _ALL, "UIS: repetition rate by grade",
       "100 × R[g {grade}, t+1] / E[g {grade}, t]", **_FLOWKW),
    _f("promotion_grade", "efficiency", "%", True, _ALL, "UIS: promotion rate by grade",
       "100 × (E[g {next_grade}, t+1] − R[g {next_grade}, t+1]) / E[g {grade}, t]",
       **_FLOWKW),
    _f("dropout_grade", "efficiency", "%", False, _ALL, "UIS: dropout rate by grade",
       "100 − promotion − repetition", **_FLOWKW),
    _f("repetition_level", "efficiency", "%", False, _ALL, "UIS: repetition rate (pooled "
       "grades)", "100 × Σ R[g, t+1] / Σ E[g, t], g = {grades}", **_FLOWKW),
    _f("dropout_level", "efficiency", "%", False, _ALL, "UIS: dropout rate (pooled grades)",
       "100 × Σ (E[g, t] − R[g, t+1] − NE[g+1, t+1]) / Σ E[g, t], g = {grades}", **_FLOWKW),
    _f("survival_last", "efficiency", "%", True, _ALL, "UIS: survival rate to the last grade "
       "(reconstructed cohort)", "100 × Π p_k / (1 − r_k), k = {grades}",
       denominator_kind="pupils", weight="enrolment", flow=True),
    _f("transition", "efficiency", "%", True, _ALL, "UIS: gross transition rate",
       "100 × (E[g {next_grade}, t+1] − R[g {next_grade}, t+1]) / E[g {grade}, t]",
       **_FLOWKW),
    _f("ptr", "teachers", "ratio", False, _SCHOOL, "UIS: pupil–teacher ratio (PTR)",
       "E[g {grades}] / T[{level_id}]", denominator_kind="teachers", weight="numerator"),
    _f("pqtr", "teachers", "ratio", False, _SCHOOL,
       "SDG 4.c.4: pupil–qualified teacher ratio", "E[g {grades}] / T_qualified[{level_id}]",
       denominator_kind="teachers", weight="numerator"),
    _f("pcr", "facilities", "ratio", False, _SCHOOL, "UIS: pupil–classroom ratio",
       "E[all grades] / classrooms in use", denominator_kind="classrooms", weight="numerator"),
    _f("qualified_teachers", "teachers", "%", True, _ALL,
       "SDG 4.c.3: proportion of qualified teachers", "100 × T_qualified / T [{level_id}]",
       denominator_kind="teachers", weight="denominator"),
    _f("trained_teachers", "teachers", "%", True, _ALL,
       "SDG 4.c.1: proportion of trained teachers", "100 × T_trained / T [{level_id}]",
       denominator_kind="teachers", weight="denominator"),
    _f("incomplete_schools", "facilities", "%", False, _SCHOOL,
       "National (LESMIS): incomplete schools", "100 × S_incomplete / S [{level_id}]",
       denominator_kind="schools", weight="denominator"),
    _f("multigrade_schools", "facilities", "%", False, _SCHOOL,
       "National (LESMIS): schools with multigrade classes",
       "100 × S_multigrade / S [{level_id}]", denominator_kind="schools",
       weight="denominator"),
    _f("facility", "facilities", "%", True, _SCHOOL, "SDG 4.a.1: schools with basic services",
       "100 × S_{item_id} / S_reporting [{level_id}]", denominator_kind="schools",
       weight="denominator"),
    _f("quality_met", "quality", "%", True, _SCHOOL, "National quality standard",
       "100 × S_met / S_assessed", denominator_kind="schools", weight="denominator"),
    _f("quality_level", "quality", "%", None, _SCHOOL,
       "National school quality assessment: schools by level",
       "100 × S_official level {quality_level_id} / S_assessed", denominator_kind="schools",
       weight="denominator"),
    _f("quality_assessed", "quality", "%", True, _SCHOOL,
       "National school quality assessment: self-assessment",
       "100 × S_self-assessed / S_reporting", denominator_kind="schools",
       weight="denominator"),
    _f("quality_verified", "quality", "%", True, _SCHOOL,
       "National school quality assessment: external verification",
       "100 × S_externally assessed / S_reporting", denominator_kind="schools",
       weight="denominator"),
    _f("female_share", "equity", "%", None, _SCHOOL, "UIS: percentage of female pupils",
       "100 × E_F[g {grades}] / E[g {grades}]", denominator_kind="pupils",
       weight="denominator", dimension_splits="enrolment"),
    _f("group_share", "inclusion", "%", None, _ALL, "National: pupils by group (census)",
       "100 × E[{group_id}, g {grades}] / Σ E[{dimension_id} reported, g {grades}]",
       denominator_kind="pupils", weight="denominator"),
    _f("representation", "inclusion", "ratio", None, _POP, "UNESCO (GEM): representation "
       "index", "(E[{group_id}] / E[{dimension_id}], g {grades}) / (P[{group_id}] / "
       "P[{dimension_id}], ages {ages})", **_POPKW),
    _f("functional_difficulty", "inclusion", "%", None, _ALL + ("domain",),
       "UNICEF/Washington Group Child Functioning Module", "100 × F[at cut-off, g {grades}] / "
       "E[g {grades}]", denominator_kind="pupils", weight="denominator"),
    _f("schools_with_difficulty", "inclusion", "%", None, _SCHOOL,
       "UNICEF/Washington Group Child Functioning Module", "100 × S_enrolling / "
       "S_reporting functioning", denominator_kind="schools", weight="denominator"),
)})


@dataclass(frozen=True)
class Indicator:
    """One indicator, as the UI, the engine and the command line see it."""

    id: str
    family: str
    theme: str
    unit: str
    higher_is_better: bool | None
    levels: tuple[str, ...]  # education levels it concerns (empty: all levels)
    grade: int | None
    splits: tuple[str, ...]
    admin_levels: tuple[str, ...]
    source: str
    formula: str
    requires: tuple[str, ...]
    denominator_kind: str | None
    weight: str | None
    population_based: bool
    flow: bool
    params: Mapping[str, object] = field(compare=False, repr=False)
    texts: Mapping[str, Mapping[str, str]] = field(compare=False, repr=False)

    @property
    def is_count(self) -> bool:
        return self.unit == "count"

    def text(self, key: str, lang: str = DEFAULT_LANG) -> str:
        """One of name, description, numerator, denominator, how_to_read, caveats."""
        if key not in FIELDS:
            raise KeyError(f"no indicator text {key!r}; texts are {', '.join(FIELDS)}")
        words = self.texts.get(lang) or self.texts[DEFAULT_LANG]
        return words.get(key) or self.texts[DEFAULT_LANG][key]

    def name(self, lang: str = DEFAULT_LANG) -> str:
        return self.text("name", lang)


class Registry:
    """The indicators of one country profile (and extract), in a stable order, and the
    splits they take: the built-in ones and the dimensions of the package."""

    def __init__(self, indicators: Iterable[Indicator],
                 switched_off: Mapping[str, Unavailable] | None = None,
                 splits_off: Mapping[str, Unavailable] | None = None,
                 dimensions: Iterable[Split] = ()):
        self._by_id: dict[str, Indicator] = {}
        for ind in indicators:
            if ind.id in self._by_id:
                raise ValueError(f"indicator id {ind.id!r} declared twice")
            self._by_id[ind.id] = ind
        # indicator id -> why the extract cannot give it; split -> why no indicator has it
        self.switched_off: Mapping[str, Unavailable] = MappingProxyType(dict(switched_off or {}))
        self.splits_off: Mapping[str, Unavailable] = MappingProxyType(dict(splits_off or {}))
        # Every split, by id: the built-in ones, then the package's dimensions.
        self.splits: Mapping[str, Split] = MappingProxyType(
            {**SPLIT, **{split.id: split for split in dimensions}})

    def split(self, split_id: str) -> Split:
        """The split ``split_id`` (a KeyError for one this extract has not)."""
        return self.splits[split_id]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The splits the package declares (its dimensions), in its order."""
        return tuple(s.id for s in self.splits.values() if s.dimension)

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, indicator_id: str) -> Indicator:
        """The indicator, or :class:`UnknownIndicator` saying what exists."""
        found = self._by_id.get(indicator_id)
        if found is not None:
            return found
        if indicator_id in self.switched_off:
            raise UnknownIndicator(f"indicator '{indicator_id}' is switched off: "
                                   f"{self.switched_off[indicator_id]}")
        close = difflib.get_close_matches(str(indicator_id), self.ids(), n=5, cutoff=0.6)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownIndicator(f"unknown indicator '{indicator_id}'.{hint} Indicators in this "
                               f"extract: {', '.join(self.ids())}")

    def families(self) -> dict[str, list[str]]:
        """Ids by family, in registry order."""
        out: dict[str, list[str]] = {}
        for ind in self:
            out.setdefault(ind.family, []).append(ind.id)
        return out

    def by_theme(self, theme: str) -> list[Indicator]:
        return [ind for ind in self if ind.theme == theme]

    def for_level(self, level_id: str) -> list[Indicator]:
        """Indicators of one education level, and those that concern every level."""
        return [ind for ind in self if not ind.levels or level_id in ind.levels]


# What a page shows first, when the session has not chosen: the level's gross enrolment
# ratio, else its pupil–teacher ratio, else its enrolment (the first the extract has).
PREFERRED_FAMILIES: tuple[str, ...] = ("ger", "ptr", "enrolment")


def preferred_indicator(options: Sequence[str], level_id: str,
                        remembered: str | None = None,
                        has_data: Callable[[str], bool] | None = None) -> str | None:
    """The indicator a page opens on among ``options`` (which hold only indicators the
    extract can give): the one this session looked at, else the first of
    :data:`PREFERRED_FAMILIES` for the level that ``has_data`` (in the year shown), else
    the first option that has, else the first option."""
    if remembered in options:
        return remembered
    usable = has_data or (lambda indicator_id: True)
    for family in PREFERRED_FAMILIES:
        if f"{family}_{level_id}" in options and usable(f"{family}_{level_id}"):
            return f"{family}_{level_id}"
    return next((o for o in options if usable(o)), options[0] if options else None)


def _span(values: Iterable[int]) -> str:
    values = list(values)
    return str(values[0]) if len(values) == 1 or values[0] == values[-1] else \
        f"{values[0]}–{values[-1]}"


def _yearly(level: Level) -> bool:
    """Each grade takes one school year: as many grades as official ages."""
    return level.official_age_max - level.official_age_min + 1 == len(level.grades)


def _level_name(level: Level | None, lang: str) -> str:
    if level is None:
        return ""
    return level.name_en if lang == "en" else (level.name_local or level.name_en)


def _in_sentence(name: str, lang: str) -> str:
    """A level name inside an English sentence: "Lower secondary" -> "lower secondary"
    (acronyms such as "ECE" stay as they are)."""
    if lang == "en" and len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def standard_slug(standard: str) -> str:
    """A quality standard's text id as it appears in an indicator id."""
    return re.sub(r"[^0-9a-z]+", "_", str(standard).strip().lower()).strip("_") or "standard"


_FAMILY_DIRECTION = object()  # an indicator's direction is its family's


class _Maker:
    def __init__(self, country: Country):
        self.country = country
        self.made: list[Indicator] = []

    def add(self, ind_id: str, family: str, *, level: Level | None = None,
            next_level: Level | None = None, grade: int | None = None,
            fill: Mapping[str, object] | None = None, params: Mapping[str, object] | None = None,
            levels: tuple[str, ...] | None = None,
            words_by_lang: Mapping[str, Mapping[str, str]] | None = None,
            higher_is_better: object = _FAMILY_DIRECTION) -> None:
        """Declare one indicator; ``words_by_lang``: words filled into its texts that
        differ by language (a group's name); ``higher_is_better``: where the family has
        no direction of its own, this indicator's (the share of schools at the lowest
        level of a quality assessment: lower is better)."""
        fam = FAMILIES[family]
        fill = dict(fill or {})
        base = dict(level_id=level.id if level else "", grade=grade if grade is not None else "")
        if level is not None:
            base.update(grades=_span(level.grades), first_grade=level.first_grade,
                        last_grade=level.last_grade,
                        ages=_span([level.official_age_min, level.official_age_max]))
        base.update(fill)
        texts: dict[str, dict[str, str]] = {}
        for lang, families in TEXTS.items():
            templates = families.get(fam.key) or TEXTS[DEFAULT_LANG][fam.key]
            words = dict(base, level=_level_name(level, lang),
                         next_level=_level_name(next_level, lang))
            words.update((words_by_lang or {}).get(lang, {}))
            if "item_id" in base:
                items = ITEM_NAMES.get(lang) or ITEM_NAMES[DEFAULT_LANG]
                words["item"] = items.get(str(base["item_id"]),
                                          ITEM_NAMES[DEFAULT_LANG][str(base["item_id"])])
            texts[lang] = {}
            for key in FIELDS:
                # A name starts with the level's name as written; inside a sentence it
                # reads "lower secondary".
                fields = dict(words, next_level=_in_sentence(words["next_level"], lang))
                if key != "name":
                    fields["level"] = _in_sentence(words["level"], lang)
                texts[lang][key] = fill_text(templates.get(key, ""), lang, **fields)
        self.made.append(Indicator(
            id=ind_id, family=fam.key, theme=fam.theme, unit=fam.unit,
            higher_is_better=(fam.higher_is_better if higher_is_better is _FAMILY_DIRECTION
                              else higher_is_better),
            levels=levels if levels is not None else ((level.id,) if level else ()),
            grade=grade, splits=fam.splits, admin_levels=fam.admin_levels, source=fam.source,
            formula=fam.formula.format(**base), requires=fam.requires,
            denominator_kind=fam.denominator_kind, weight=fam.weight,
            population_based=fam.population_based, flow=fam.flow,
            params=MappingProxyType(dict(params or {})),
            texts=MappingProxyType({k: MappingProxyType(v) for k, v in texts.items()})))


def build_registry(country: Country, standards: Iterable[str] = (),
                   tables: Iterable[str] | None = None, *,
                   empty_columns: Iterable[tuple[str, str]] = (),
                   years: Iterable[int] | None = None, ungraded: bool = False,
                   dimensions: Mapping[str, Sequence[str]] | None = None,
                   population_dimensions: Iterable[str] = (),
                   group_names: GroupNames | None = None,
                   quality: Framework | None = None) -> Registry:
    """Every indicator of a country profile.

    ``standards``: the quality standards present in the extract. ``tables``: the optional
    tables the extract has (None: all; without ``schools``, a package of area totals, no
    indicator has a school level); ``empty_columns``: the (table, column) pairs without
    a single value; ``years``: its census years (None: any). Indicators needing a missing
    table or column, and flows without two consecutive years, are switched off, and asking
    for them says why; so are the splits that read an empty column. ``ungraded``: the
    extract has learners in no grade (their count is an indicator). ``dimensions``: the
    package's dimensions and their groups (enrolment_groups), each a split and, per group,
    a share of the pupils; ``population_dimensions``: those the population is given by
    (population_groups), with a representation index per group; ``group_names``: their
    words. ``quality``: the quality assessment's framework (the names of its standards, and
    its levels, each with the share of schools at that level).
    """
    framework = quality or Framework()
    m = _Maker(country)
    levels = list(country.levels)
    entry = country.level(country.entry_level)
    entry_index = levels.index(entry)
    entry_age = entry.official_age_min
    last_level = levels[-1]

    def ages(lv: Level) -> dict[str, object]:
        return {"age_min": lv.official_age_min, "age_max": lv.official_age_max}

    for lv in levels:
        grades = list(lv.grades)
        m.add(f"enrolment_{lv.id}", "enrolment", level=lv, params={"grades": grades})
        m.add(f"teachers_{lv.id}", "teachers", level=lv, params={"level": lv.id})
        m.add(f"schools_{lv.id}", "schools", level=lv, params={"level": lv.id})
    if ungraded:
        m.add("enrolment_ungraded", "ungraded", params={})
    for lv in levels:
        grades = list(lv.grades)
        m.add(f"ger_{lv.id}", "ger", level=lv, params={"grades": grades, **ages(lv)})
        m.add(f"ner_{lv.id}", "ner", level=lv, params={"grades": grades, **ages(lv)})
        m.add(f"aner_{lv.id}", "aner", level=lv,
              params={"from_grade": lv.first_grade, **ages(lv)})
    m.add("gir_g1", "gir", level=entry, grade=entry.first_grade, fill={"age": entry_age},
          params={"grade": entry.first_grade, "age": entry_age})
    m.add("nir_g1", "nir", level=entry, grade=entry.first_grade, fill={"age": entry_age},
          params={"grade": entry.first_grade, "age": entry_age})
    for lv in levels:
        if _yearly(lv):
            age = lv.official_ages(lv.last_grade)[0]
            m.add(f"gir_last_{lv.id}", "gir_last", level=lv, grade=lv.last_grade,
                  fill={"age": age}, params={"grade": lv.last_grade, "age": age})
    for i, lv in enumerate(levels):
        # In school: enrolled at the entry level or above (children of the level's ages who
        # are still in a lower level than the entry level count as out of school).
        from_grade = levels[min(i, entry_index)].first_grade
        for family in ("oosr", "out_of_school"):
            m.add(f"{family}_{lv.id}", family, level=lv, fill={"first_grade": from_grade},
                  params={"from_grade": from_grade, **ages(lv)})
    if entry_age >= 1:
        m.add("participation_pre_primary", "participation_pre_primary", level=entry,
              fill={"age": entry_age - 1}, params={"age": entry_age - 1}, levels=())

    # Flow rates: grades of levels whose grades take one year each.
    for lv in levels:
        if not _yearly(lv):
            continue
        for g in lv.grades:
            has_next = not (lv is last_level and g == lv.last_grade)
            m.add(f"repetition_g{g}", "repetition_grade", level=lv, grade=g,
                  fill={"next_grade": g + 1}, params={"grade": g, "has_next": has_next})
            if has_next:
                fill = {"next_grade": g + 1}
                m.add(f"promotion_g{g}", "promotion_grade", level=lv, grade=g, fill=fill,
                      params={"grade": g})
                m.add(f"dropout_g{g}", "dropout_grade", level=lv, grade=g, fill=fill,
                      params={"grade": g})
    for lv in levels:
        if not _yearly(lv):
            continue
        pooled = [g for g in lv.grades if not (lv is last_level and g == lv.last_grade)]
        if pooled:
            fill = {"grades": _span(pooled)}
            m.add(f"repetition_{lv.id}", "repetition_level", level=lv, fill=fill,
                  params={"grades": pooled})
            m.add(f"dropout_{lv.id}", "dropout_level", level=lv, fill=fill,
                  params={"grades": pooled})
    for lv in levels:
        if _yearly(lv) and len(lv.grades) >= 2:
            before_last = list(lv.grades[:-1])
            m.add(f"survival_last_{lv.id}", "survival_last", level=lv,
                  fill={"grades": _span(before_last)}, params={"grades": before_last})
    for i, lv in enumerate(levels[:-1]):
        nxt = levels[i + 1]
        if _yearly(lv):
            m.add(f"transition_{lv.id}", "transition", level=lv, next_level=nxt,
                  grade=lv.last_grade, fill={"next_grade": nxt.first_grade},
                  params={"grade": lv.last_grade})

    for lv in levels:
        grades = list(lv.grades)
        m.add(f"ptr_{lv.id}", "ptr", level=lv, params={"grades": grades, "level": lv.id})
        m.add(f"pqtr_{lv.id}", "pqtr", level=lv, params={"grades": grades, "level": lv.id})
    m.add("pcr", "pcr", params={})
    for lv in levels:
        m.add(f"qualified_teachers_{lv.id}", "qualified_teachers", level=lv,
              params={"level": lv.id})
        m.add(f"trained_teachers_{lv.id}", "trained_teachers", level=lv,
              params={"level": lv.id})
    for lv in levels:
        m.add(f"incomplete_schools_{lv.id}", "incomplete_schools", level=lv,
              params={"level": lv.id})
        m.add(f"multigrade_schools_{lv.id}", "multigrade_schools", level=lv,
              params={"level": lv.id})
    for item in FACILITY_ITEMS:
        for lv in levels:
            m.add(f"facility_{item}_{lv.id}", "facility", level=lv, fill={"item_id": item},
                  params={"level": lv.id, "item": item})
    seen: set[str] = set()
    for standard in sorted({str(s) for s in standards}):
        slug = base = standard_slug(standard)
        n = 2
        while slug in seen:
            slug, n = f"{base}_{n}", n + 1
        seen.add(slug)
        named = framework.standard(standard)
        m.add(f"quality_met_{slug}", "quality_met", fill={"standard": standard},
              params={"standard": standard},
              words_by_lang={lang: {"standard": named.name(lang)} for lang in TEXTS})
    for lv in framework.levels:
        top, bottom = framework.levels[-1], framework.levels[0]
        m.add(f"quality_level_{lv.id}", "quality_level", fill={"quality_level_id": lv.id},
              params={"quality_level": lv.id},
              words_by_lang={lang: {"quality_level": lv.name(lang)} for lang in TEXTS},
              higher_is_better=True if lv == top else False if lv == bottom else None)
    m.add("quality_assessed", "quality_assessed", params={})
    m.add("quality_verified", "quality_verified", params={})
    for lv in levels:
        m.add(f"female_share_{lv.id}", "female_share", level=lv,
              params={"grades": list(lv.grades)})
    dimensions = {str(d): tuple(str(g) for g in groups)
                  for d, groups in (dimensions or {}).items()}
    with_population = set(population_dimensions) & set(dimensions)
    names = group_names or GroupNames()
    for dimension, groups in dimensions.items():
        for group in groups:
            words = {lang: {"group": names.group(dimension, group, lang),
                            "dimension": _in_sentence(names.dimension(dimension, lang), lang)}
                     for lang in TEXTS}
            fill = {"group_id": group, "dimension_id": dimension}
            for lv in levels:
                keys = {"dimension": dimension, "group": group}
                m.add(f"group_share_{dimension}_{group}_{lv.id}", "group_share", level=lv,
                      fill=fill, words_by_lang=words,
                      params={"grades": list(lv.grades), **keys})
                if dimension in with_population:
                    m.add(f"representation_{dimension}_{group}_{lv.id}", "representation",
                          level=lv, fill=fill, words_by_lang=words,
                          params={"grades": list(lv.grades), **ages(lv), **keys})
    for lv in levels:
        m.add(f"functional_difficulty_{lv.id}", "functional_difficulty", level=lv,
              params={"grades": list(lv.grades)})
    m.add("schools_with_difficulty", "schools_with_difficulty", params={})

    present = None if tables is None else set(tables)
    # Without a school register (area totals), nothing is computed for a school.
    register = present is None or "schools" in present
    empty = set(empty_columns)
    years = None if years is None else set(years)
    consecutive = years is None or any(y + 1 in years for y in years)
    splits_off = {split: Unavailable(columns=needed) for split in SPLITS
                  if (needed := tuple(c for c in columns_needed_by(split) if c in empty))}
    kept: list[Indicator] = []
    off: dict[str, Unavailable] = {}
    for ind in m.made:
        missing = tuple(t for t in ind.requires if present is not None and t not in present)
        no_values = tuple(c for c in FAMILIES[ind.family].requires_columns if c in empty)
        if missing:
            off[ind.id] = Unavailable(tables=missing)
        elif no_values:
            off[ind.id] = Unavailable(columns=no_values)
        elif ind.flow and not consecutive:
            off[ind.id] = Unavailable(consecutive_years=True)
        else:
            by_dimension = FAMILIES[ind.family].dimension_splits
            splits = tuple(s for s in ind.splits if s not in splits_off) + (
                tuple(dimensions) if by_dimension == "enrolment" else
                tuple(d for d in dimensions if d in with_population)
                if by_dimension == "population" else ())
            levels = ind.admin_levels if register else tuple(
                level for level in ind.admin_levels if level != SCHOOL)
            kept.append(ind if (splits, levels) == (ind.splits, ind.admin_levels) else
                        dataclasses.replace(ind, splits=splits, admin_levels=levels))
    return Registry(kept, off, splits_off,
                    [dimension_split(d, groups) for d, groups in dimensions.items()])

