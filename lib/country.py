"""The country profile (`country.toml`): levels, grades, ages, names, package facts.

Nothing else in the code knows a country's grades or ages: they come from here. Nor its
admin levels' names: the profile's ``[[admin_levels]]`` name them, singular and plural, in
each language (:func:`country_words` hands them to ``lib.i18n``, whose catalogues only say
``{level1}``, ``{level2_plural}``…). The older ``[admin_level_names]`` table still reads.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from lib.i18n import DEFAULT_LANG, CountryWords, t
from lib.problems import PackageError, Problem

COUNTRY_FILE = "country.toml"
MAX_ADMIN_LEVELS = 4  # region → province → district → sub-district, at most
RESERVED_ADMIN_IDS = ("national", "school", "area")  # level words of the indicator engine
LEVEL_ID = re.compile(r"^[a-z][a-z0-9_]*$")  # ids appear in URLs and indicator ids


@dataclass(frozen=True)
class Level:
    id: str
    name_en: str
    name_local: str
    grades: tuple[int, ...]
    official_age_min: int
    official_age_max: int

    @property
    def first_grade(self) -> int:
        return self.grades[0]

    @property
    def last_grade(self) -> int:
        return self.grades[-1]

    def official_ages(self, grade: int) -> tuple[int, int]:
        """The official age range of pupils in a grade of this level.

        One age per grade when the level's ages span its grades one to one; otherwise (e.g.
        one pre-primary grade for ages 3-5) the level's whole range.
        """
        if self.official_age_max - self.official_age_min + 1 == len(self.grades):
            age = self.official_age_min + self.grades.index(grade)
            return age, age
        return self.official_age_min, self.official_age_max


@dataclass(frozen=True)
class AdminLevel:
    """An admin level of the profile (``[[admin_levels]]``): level 1 first."""
    id: str
    names: dict[str, str]  # language -> singular name, as written ("Region")
    plurals: dict[str, str]  # language -> plural name ("Regions"); may lack languages
    polygons: bool = True

    def name(self, lang: str) -> str:
        """The singular name in ``lang``, else in English, else the first one given."""
        return self.names.get(lang) or self.names.get(DEFAULT_LANG) or next(
            iter(self.names.values()), "")

    def plural(self, lang: str) -> str:
        """The plural name in ``lang``: the profile's; else, in English, the singular + "s";
        else the singular (a language without plural forms, such as Lao)."""
        if self.plurals.get(lang):
            return self.plurals[lang]
        if lang not in self.names and self.plurals.get(DEFAULT_LANG):
            return self.plurals[DEFAULT_LANG]
        singular = self.name(lang)
        if lang == DEFAULT_LANG or lang not in self.names:
            return singular + "s" if singular else ""
        return singular


@dataclass(frozen=True)
class BoundaryFileRule:
    """A ``[[boundary_files]]`` entry of the profile: what the boundary files whose path
    under ``boundaries/`` (or name) matches ``file`` hold, for files whose content does not
    tell it (:mod:`geo.boundaries`)."""
    pattern: str  # a glob: "phl_adm3_*.shp"
    level: int | None  # the admin level number; None: skip these files
    layer: str = ""  # only the layers matching this glob ("" for every layer)
    code: str = ""  # the property holding the package's area codes
    name: str = ""  # the property holding area names


@dataclass(frozen=True)
class PackageInfo:
    source: str = ""
    licence: str = ""
    attribution: str = ""
    boundaries_schematic: bool = False
    census_reference_date: str = ""


@dataclass(frozen=True)
class Country:
    name: str
    name_local: str
    iso3: str
    languages: tuple[str, ...]
    entry_level: str
    synthetic: bool
    admin_levels: tuple[AdminLevel, ...]
    package: PackageInfo
    levels: tuple[Level, ...]
    boundary_files: tuple[BoundaryFileRule, ...] = ()
    toml_text: str = field(default="", compare=False, repr=False)

    @property
    def admin_level_names(self) -> dict[int, dict[str, str]]:
        """Level number (1, 2…) -> language -> singular name: what the profile gives."""
        return {i: dict(lv.names) for i, lv in enumerate(self.admin_levels, start=1)}

    @property
    def admin_ids(self) -> tuple[str, ...]:
        """The admin levels' ids, largest first: the indicator engine's area levels."""
        return tuple(lv.id for lv in self.admin_levels)

    def admin_number(self, admin_id: str) -> int:
        """The number (1 for the largest) of the admin level ``admin_id``."""
        return self.admin_ids.index(admin_id) + 1

    @property
    def finest_admin(self) -> int:
        """The number of the finest admin level: the areas schools, population and area
        totals name (their ``district_code``)."""
        return len(self.admin_levels)

    @property
    def polygon_levels(self) -> tuple[int, ...]:
        """The numbers of the admin levels with polygons: what maps colour and drill into."""
        return tuple(n for n, lv in enumerate(self.admin_levels, start=1) if lv.polygons)

    @property
    def level_ids(self) -> list[str]:
        return [lv.id for lv in self.levels]

    @property
    def grades(self) -> list[int]:
        return [g for lv in self.levels for g in lv.grades]

    def level(self, level_id: str) -> Level:
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(level_id)

    def level_of_grade(self, grade: int) -> Level:
        for lv in self.levels:
            if grade in lv.grades:
                return lv
        raise KeyError(grade)

    def official_ages(self, grade: int) -> tuple[int, int]:
        return self.level_of_grade(grade).official_ages(grade)


def _problem(message: str, column: str = "") -> Problem:
    return Problem("error", "invalid_country", message, file=COUNTRY_FILE, column=column)


def parse_country(text: str) -> Country:
    """Parse and check the text of a country.toml; raise PackageError listing every fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackageError([_problem(f"not valid TOML: {exc}")]) from None
    faults: list[Problem] = []
    for key in ("name", "iso3"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            faults.append(_problem(f"'{key}' is required and must be text", key))
    levels: list[Level] = []
    expected_grade: int | None = None
    raw_levels = raw.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        faults.append(_problem("at least one [[levels]] table is required", "levels"))
        raw_levels = []
    for i, item in enumerate(raw_levels, start=1):
        where = f"levels[{i}]"
        if not isinstance(item, dict):
            faults.append(_problem(f"level {i} must be a [[levels]] table", where))
            continue
        if not isinstance(item.get("grades"), list) or not all(
                isinstance(g, int) and not isinstance(g, bool) for g in item["grades"]):
            faults.append(_problem(f"level {i}: grades must be a list of whole numbers, "
                                   "e.g. grades = [1, 2, 3, 4, 5]", where))
            continue
        if not LEVEL_ID.match(str(item.get("id", ""))):
            faults.append(_problem(f"level {i}: id '{item.get('id', '')}' must be lower-case "
                                   "letters, digits and underscores, e.g. lower_secondary",
                                   where))
            continue
        try:
            grades = tuple(int(g) for g in item["grades"])
            level = Level(
                id=str(item["id"]),
                name_en=str(item.get("name_en", item["id"])),
                name_local=str(item.get("name_local", item.get("name_en", item["id"]))),
                grades=grades,
                official_age_min=int(item["official_age_min"]),
                official_age_max=int(item["official_age_max"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            faults.append(_problem(
                f"level {i} needs id, grades, official_age_min and official_age_max ({exc})", where))
            continue
        if not grades:
            faults.append(_problem(f"level '{level.id}' has no grades", where))
            continue
        if list(grades) != list(range(grades[0], grades[0] + len(grades))):
            faults.append(_problem(f"level '{level.id}': grades must be consecutive", where))
        if expected_grade is not None and grades[0] != expected_grade:
            faults.append(_problem(
                f"level '{level.id}' starts at grade {grades[0]}; grades must continue from the "
                f"previous level (expected {expected_grade})", where))
        expected_grade = grades[-1] + 1
        if level.official_age_max < level.official_age_min:
            faults.append(_problem(
                f"level '{level.id}': official_age_max is below official_age_min", where))
        levels.append(level)
    ids = [lv.id for lv in levels]
    if len(set(ids)) != len(ids):
        faults.append(_problem("level ids must be unique", "levels"))
    entry_level = str(raw.get("entry_level", ids[0] if ids else ""))
    if ids and entry_level not in ids:
        faults.append(_problem(f"entry_level '{entry_level}' is not one of the levels {ids}",
                               "entry_level"))
    admin_levels = _admin_levels(raw, faults)
    boundary_files = _boundary_files(raw, admin_levels, faults)
    synthetic = raw.get("synthetic", False)
    if not isinstance(synthetic, bool):
        faults.append(_problem("'synthetic' must be true or false", "synthetic"))
    languages = raw.get("languages", ["en"])
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        faults.append(_problem('languages must be a list, e.g. languages = ["en", "lo"]',
                               "languages"))
    pkg = raw.get("package", {})
    if not isinstance(pkg, dict):
        faults.append(_problem("package must be a [package] table", "package"))
        pkg = {}
    if not isinstance(pkg.get("boundaries_schematic", False), bool):
        faults.append(_problem("package.boundaries_schematic must be true or false",
                               "package.boundaries_schematic"))
    if faults:
        raise PackageError(faults)
    return Country(
        name=raw["name"],
        name_local=str(raw.get("name_local", raw["name"])),
        iso3=raw["iso3"],
        languages=tuple(languages),
        entry_level=entry_level,
        synthetic=bool(synthetic),
        admin_levels=admin_levels,
        package=PackageInfo(
            source=str(pkg.get("source", "")),
            licence=str(pkg.get("licence", "")),
            attribution=str(pkg.get("attribution", "")),
            boundaries_schematic=bool(pkg.get("boundaries_schematic", False)),
            census_reference_date=str(pkg.get("census_reference_date", "")),
        ),
        levels=tuple(levels),
        boundary_files=boundary_files,
        toml_text=text,
    )


def _names(value: object, what: str, faults: list[Problem], where: str) -> dict[str, str]:
    """A table of names by language code (``{ en = "Region", lo = "…" }``)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        faults.append(_problem(f"{what} must be a table of names by language, "
                               'e.g. { en = "Region" }', where))
        return {}
    return {k: v.strip() for k, v in value.items() if v.strip()}


def _admin_levels(raw: dict, faults: list[Problem]) -> tuple[AdminLevel, ...]:
    """The profile's admin levels: ``[[admin_levels]]``, or the older ``[admin_level_names]``
    (singular names only); the catalogue's generic words name a level the profile does not.
    One to four levels, largest first; a level may lack polygons (a management level: a
    filter and a table level, never a map)."""
    if "admin_levels" in raw and "admin_level_names" in raw:
        faults.append(_problem("give either [[admin_levels]] or [admin_level_names], not both",
                               "admin_levels"))
        return ()
    levels: list[AdminLevel] = []
    if "admin_levels" in raw:
        items = raw["admin_levels"]
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            faults.append(_problem("admin_levels must be [[admin_levels]] tables", "admin_levels"))
            return ()
        if not 1 <= len(items) <= MAX_ADMIN_LEVELS:
            faults.append(_problem(
                f"country.toml declares {len(items)} admin level(s) under [[admin_levels]]; "
                f"give 1 to {MAX_ADMIN_LEVELS}, largest first (e.g. regions, then provinces, "
                "then municipalities)", "admin_levels"))
            return ()
        for i, item in enumerate(items, start=1):
            where = f"admin_levels[{i}]"
            level_id = item.get("id", f"level{i}")
            if not isinstance(level_id, str) or not LEVEL_ID.match(level_id) or \
                    level_id in RESERVED_ADMIN_IDS:
                faults.append(_problem(f"admin level {i}: id '{level_id}' must be lower-case "
                                       "letters, digits and underscores, e.g. region, and none "
                                       f"of {', '.join(RESERVED_ADMIN_IDS)}", where))
                continue
            polygons = item.get("polygons", True)
            if not isinstance(polygons, bool):
                faults.append(_problem(f"country.toml: admin level '{level_id}': polygons must "
                                       "be true or false", where))
                continue
            names = _names(item.get("name"), f"admin level '{level_id}': name", faults, where)
            if not names:
                faults.append(_problem(f"admin level '{level_id}' needs a name, e.g. "
                                       'name = { en = "Region" }', where))
                continue
            plurals = _names(item.get("plural"), f"admin level '{level_id}': plural", faults,
                             where)
            levels.append(AdminLevel(level_id, names, plurals, polygons))
        ids = [lv.id for lv in levels]
        if len(set(ids)) != len(ids):
            faults.append(_problem("admin level ids must be unique", "admin_levels"))
        if levels and not any(lv.polygons for lv in levels):
            faults.append(_problem("at least one admin level needs polygons (polygons = true) "
                                   "for the maps", "admin_levels"))
        return tuple(levels)
    names_raw = raw.get("admin_level_names", {})
    if not isinstance(names_raw, dict):
        faults.append(_problem("admin_level_names must be a table", "admin_level_names"))
        names_raw = {}
    by_number: dict[int, dict[str, str]] = {}
    for key, value in names_raw.items():
        try:
            number = int(key)
        except ValueError:
            number = 0
        if number not in range(1, MAX_ADMIN_LEVELS + 1):
            faults.append(_problem(
                f"country.toml names admin level {key}; admin levels are numbered 1 to "
                f"{MAX_ADMIN_LEVELS}", "admin_level_names"))
            continue
        by_number[number] = _names(value, f"admin_level_names.{key}", faults,
                                   "admin_level_names")
    # Two levels (the explorer's first version), or as many as the names reach.
    count = max([2, *by_number])
    # The ids the explorer's first version gave its two levels (URLs and the command line
    # take them); more levels are numbered.
    ids = ("province", "district") if count == 2 else tuple(f"level{n}"
                                                             for n in range(1, count + 1))
    return tuple(AdminLevel(ids[n - 1], by_number.get(n, {}), {})
                 for n in range(1, count + 1))


def _boundary_files(raw: dict, admin_levels: tuple[AdminLevel, ...],
                    faults: list[Problem]) -> tuple[BoundaryFileRule, ...]:
    """``[[boundary_files]]``: ``file`` (a glob), ``level`` (an admin level id or number,
    or "skip"), and optionally ``layer``, ``code`` and ``name`` properties."""
    items = raw.get("boundary_files", [])
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        faults.append(_problem("boundary_files must be [[boundary_files]] tables",
                               "boundary_files"))
        return ()
    numbers = {lv.id: n for n, lv in enumerate(admin_levels, start=1)}
    rules = []
    for i, item in enumerate(items, start=1):
        where = f"boundary_files[{i}]"
        pattern, level = item.get("file"), item.get("level")
        if not isinstance(pattern, str) or not pattern.strip():
            faults.append(_problem(f"boundary_files[{i}] needs file = a file name or pattern, "
                                   'e.g. file = "adm2_*.shp"', where))
            continue
        if level == "skip":
            number = None
        elif isinstance(level, int) and not isinstance(level, bool) and \
                1 <= level <= len(admin_levels):
            number = level
        elif isinstance(level, str) and level in numbers:
            number = numbers[level]
        else:
            choices = ", ".join([*numbers, "skip"])
            faults.append(_problem(f"boundary_files[{i}] ('{pattern}'): level = "
                                   f"'{level}' is none of {choices}", where))
            continue
        extra = {key: item.get(key, "") for key in ("layer", "code", "name")}
        if not all(isinstance(v, str) for v in extra.values()):
            faults.append(_problem(f"boundary_files[{i}] ('{pattern}'): layer, code and name "
                                   "must be texts", where))
            continue
        rules.append(BoundaryFileRule(pattern.strip(), number, **extra))
    return tuple(rules)


def load_country(package_dir: Path) -> Country:
    path = Path(package_dir) / COUNTRY_FILE
    if not path.is_file():
        raise PackageError([Problem("error", "missing_file",
                                    "country.toml is missing: every package needs its country "
                                    "profile (run `python -m lib template` for an example)",
                                    file=COUNTRY_FILE)])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError([_problem(f"cannot be read as UTF-8 text: {exc}")]) from None
    return parse_country(text)


def country_words(country: Country) -> CountryWords:
    """The country's words for ``lib.i18n`` (:class:`lib.i18n.CountryWords`): its admin
    levels' names, singular and plural, in each language the profile names them in, and the
    grades of its education levels. Pure: the same profile gives the same value."""
    langs = {lang for lv in country.admin_levels for lang in (*lv.names, *lv.plurals)}
    names = {}
    for lang in sorted(langs):
        words = {}
        finest = len(country.admin_levels)
        for number, lv in enumerate(country.admin_levels, start=1):
            if lang in lv.names or lang in lv.plurals:
                # The catalogues' {level1} is the largest level, {level2} the finest (the
                # areas schools and population name); {n:admin} reads admin<n>.
                for field_name in ({"level1"} if number == 1 else set()) | (
                        {"level2"} if number == finest else set()) | {f"admin{number}"}:
                    words[field_name] = lv.name(lang)
                    words[f"{field_name}_plural"] = lv.plural(lang)
        names[lang] = MappingProxyType({k: v for k, v in words.items() if v})
    return CountryWords(names=MappingProxyType(names),
                        grade_levels=tuple(tuple(lv.grades) for lv in country.levels))


def admin_level_name(country: Country, level: int, lang: str) -> str:
    """What the country calls its admin level ``level`` (1 for the largest: "Province"), in
    the UI language."""
    return country_words(country).fields(lang).get(f"admin{level}") or \
        t("filters.admin_level.level_n", lang, n=level)


def admin_level_plural(country: Country, level: int, lang: str) -> str:
    """The plural of :func:`admin_level_name` ("Provinces")."""
    return country_words(country).fields(lang).get(f"admin{level}_plural") or \
        t("filters.admin_level.level_n_plural", lang, n=level)
