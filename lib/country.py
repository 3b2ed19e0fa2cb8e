"""The country profile (`country.toml`): levels, grades, ages, names, package facts.

Nothing else in the code knows a country's grades or ages: they come from here.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lib.i18n import t
from lib.problems import PackageError, Problem

COUNTRY_FILE = "country.toml"
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
    admin_level_names: dict[int, dict[str, str]]
    package: PackageInfo
    levels: tuple[Level, ...]
    toml_text: str = field(default="", compare=False, repr=False)

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
    names_raw = raw.get("admin_level_names", {})
    admin_level_names: dict[int, dict[str, str]] = {}
    for key, value in (names_raw.items() if isinstance(names_raw, dict) else []):
        try:
            admin_level_names[int(key)] = {str(k): str(v) for k, v in dict(value).items()}
        except (TypeError, ValueError):
            faults.append(_problem(f"admin_level_names.{key} must be a table of names",
                                   "admin_level_names"))
    admin_level_names.setdefault(1, {"en": "Province"})
    admin_level_names.setdefault(2, {"en": "District"})
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
        admin_level_names=admin_level_names,
        package=PackageInfo(
            source=str(pkg.get("source", "")),
            licence=str(pkg.get("licence", "")),
            attribution=str(pkg.get("attribution", "")),
            boundaries_schematic=bool(pkg.get("boundaries_schematic", False)),
            census_reference_date=str(pkg.get("census_reference_date", "")),
        ),
        levels=tuple(levels),
        toml_text=text,
    )


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


def admin_level_name(country: Country, level: int, lang: str) -> str:
    """What the country calls its admin level 1 or 2 ("Province"), in the UI language."""
    names = country.admin_level_names.get(level, {})
    return names.get(lang) or names.get("en") or t(f"filters.admin_level.{level}", lang)
