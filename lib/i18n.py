"""Interface strings and number/date formats in the user's language.

Every string the app shows comes from a catalogue in ``lib/locales/<lang>.toml``. A catalogue
is written as TOML tables for readability and read as flat dotted keys: ``[about]`` then
``title = "..."`` is the key ``about.title``. English is the reference; every other catalogue
(Lao, ``lo.toml``) has the same keys with the same ``{fields}`` (``tests/unit/test_i18n.py``
fails otherwise), and a key a catalogue still lacks falls back to English at run time. A key
missing from English is a programming error and raises :class:`KeyError` naming the key.

Numbers, percentages, school years and dates are formatted from the catalogue's ``[format]``
table, the same way in every language. Lao official statistics write Western digits with the
same separators as English (``1,234,567.5``, ``45.3%``); a Lao school year spans both years
in full (ສົກຮຽນ 2023–2024), as Ministry documents write it.

No catalogue names a country's admin levels: a text says ``{level1}``, ``{level1_plural}``
(the largest level), ``{level2}`` or ``{level2_plural}`` (the finest: the areas schools and
population name; ``{level2_plural:lower}`` mid-sentence in English), or ``{level:admin}`` /
``{level:admins}`` for the level a value names (1 to 4), and :func:`fill`
takes the words from the :class:`CountryWords` in use, in the reader's language: the open
country's (``lib.country.country_words``), set by the app for each run
(:func:`set_country_words`) and by the build and the CLI around their work
(:func:`country_words_in_use`); the catalogue's generic words when no country is set. The
same value says whether a language's grade names fit the country's grades
(:func:`grade_name`).
"""
from __future__ import annotations

import math
import re
import string
import tomllib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping, Sequence

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANG = "en"


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=8)  # one per language
def catalogue(lang: str) -> dict[str, str]:
    """The flat catalogue of one language; empty when the language has no catalogue file."""
    path = LOCALES_DIR / f"{lang}.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        return _flatten(tomllib.load(f))


@cache
def languages() -> tuple[str, ...]:
    """Languages that have a catalogue, the default first."""
    found = sorted(p.stem for p in LOCALES_DIR.glob("*.toml"))
    return tuple(sorted(found, key=lambda code: code != DEFAULT_LANG))


LEVEL_FIELDS = ("level1", "level1_plural", "level2", "level2_plural")
_LEVEL_FIELD = re.compile(r"\{level[12](?:_plural)?[:}]")
_CUSTOM_SPEC = re.compile(r":(?:grade|lower|admin|admins)(?::[a-z]+)*\}")


@dataclass(frozen=True)
class CountryWords:
    """What the catalogues leave to the country: the names of its admin levels (singular
    and plural, as the profile writes them, in each language it names them in) and the grade
    ranges of its education levels (which decide whether a language's grade names fit, see
    :func:`grade_name`). Built from a profile by ``lib.country.country_words``; the empty
    value (no country) gives the catalogue's generic words and plain grade numbers."""

    names: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({}))  # language -> field -> word
    grade_levels: tuple[tuple[int, ...], ...] = ()  # each level's grades, in order

    def fields(self, lang: str) -> dict[str, str]:
        """``level1``, ``level1_plural``, ``level2``, ``level2_plural`` (and ``admin<n>``,
        ``admin<n>_plural`` for each level the profile names) in ``lang``: the profile's word
        in that language, else its English word, else the catalogue's generic word
        (``filters.admin_level``)."""
        own, english = self.names.get(lang, {}), self.names.get(DEFAULT_LANG, {})
        generic = {name: catalogue(lang).get(f"filters.admin_level.{name}")
                   or catalogue(DEFAULT_LANG)[f"filters.admin_level.{name}"]
                   for name in LEVEL_FIELDS}
        numbered = sorted({*english, *own} - set(LEVEL_FIELDS))  # admin1, admin3_plural…
        return {name: own.get(name) or english.get(name) or generic.get(name, "")
                for name in (*LEVEL_FIELDS, *numbered)}


NO_COUNTRY = CountryWords()
# A context variable, not a global: each Streamlit session runs its script in a thread of its
# own, and a new thread starts from the default.
_WORDS: ContextVar[CountryWords] = ContextVar("country_words", default=NO_COUNTRY)


def country_words() -> CountryWords:
    """The country words in use in this thread (:data:`NO_COUNTRY` unless set)."""
    return _WORDS.get()


def set_country_words(words: CountryWords) -> None:
    """Use ``words`` from now on in this thread: the app, at the start of each run."""
    _WORDS.set(words)


@contextmanager
def country_words_in_use(words: CountryWords) -> Iterator[CountryWords]:
    """Use ``words`` inside the ``with`` block: the build and the CLI, around their work."""
    token = _WORDS.set(words)
    try:
        yield words
    finally:
        _WORDS.reset(token)


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang) or key in catalogue(DEFAULT_LANG)


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The text of ``key`` in ``lang`` (English when that language lacks it), formatted with
    ``fmt`` (``str.format`` fields such as ``{n}``; ``{n:grade}`` writes a grade number as the
    language names grades, see :func:`grade_name`). The admin level fields (``{level1}``…)
    are filled from the country words in use, see :func:`fill`."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANG).get(key)
    if text is None:
        raise KeyError(f"no UI string {key!r} in the {DEFAULT_LANG!r} catalogue "
                       f"({LOCALES_DIR / (DEFAULT_LANG + '.toml')})")
    return fill(text, lang, **fmt) if fmt or _LEVEL_FIELD.search(text) else text


# Languages whose plural rules (CLDR) tell "one" from "other" by n == 1; the others (Lao)
# have one form.
_ONE_AND_OTHER = frozenset({"en"})


def plural(key: str, lang: str, count: int, **fmt: object) -> str:
    """The text of ``key.one`` or ``key.other``, as ``lang``'s plural rules pick for
    ``count`` ("1 school", "2 schools"; Lao has one form), formatted like :func:`t`."""
    category = "one" if lang in _ONE_AND_OTHER and count == 1 else "other"
    chosen = f"{key}.{category}" if has(f"{key}.{category}", lang) else f"{key}.other"
    return t(chosen, lang, **fmt)


def either(items: Sequence[str], lang: str = DEFAULT_LANG) -> str:
    """"a", "a or b", "a, b or c" in ``lang`` (its ``format.or``)."""
    items = [str(x) for x in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('format.or', lang)} {items[-1]}"


def lower_word(text: str) -> str:
    """A name as English writes it mid-sentence: each word lower-cased except a word all in
    capitals (an acronym): "Local Government Areas" -> "local government areas", "LGA" stays."""
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in text.split(" "))


class _Formatter(string.Formatter):
    """``str.format`` plus format specs, applied left to right when chained (``a:b``):

    - ``grade``: ``{grade:grade}`` is grade 6 written as the language names it (ມ.1 in Lao,
      where the country's grades fit those names), ``{grades:grade}`` a span such as ``1–5``;
    - ``admin`` / ``admins``: ``{level:admin}`` is the name (plural: ``admins``) of the admin
      level numbered by the value (1 or 2), from the country words;
    - ``lower``: the text as written mid-sentence (:func:`lower_word`).
    """

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        specs = format_spec.split(":")
        if specs[0] not in ("grade", "lower", "admin", "admins"):
            return super().format_field(value, format_spec)
        for spec in specs:
            if spec == "grade":
                value = grade_span(value, self.lang)
            elif spec in ("admin", "admins"):
                suffix = "_plural" if spec == "admins" else ""
                number = int(value)
                # admin<n>; words made without it (two levels named level1 and level2) by
                # level<n>; a level the words do not name (a third level in a boundary
                # file): the generic words, numbered.
                words = country_words().fields(self.lang)
                value = words.get(f"admin{number}{suffix}") or (
                    number in (1, 2) and words.get(f"admin1{suffix}") is None
                    and words.get(f"level{number}{suffix}")) or \
                    t(f"filters.admin_level.level_n{suffix}", self.lang, n=number)
            elif spec == "lower":
                value = lower_word(str(value))
            else:
                raise ValueError(f"unknown format spec {spec!r} in {format_spec!r}")
        return str(value)


def fill(template: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """``template.format(**fields)``, with the format specs of :class:`_Formatter`; the admin
    level fields (``{level1}``, ``{level2_plural}``…) not given are the country words' in
    ``lang`` (:func:`country_words`)."""
    if _LEVEL_FIELD.search(template):
        fields = {**country_words().fields(lang), **fields}
    if not _CUSTOM_SPEC.search(template):
        return template.format(**fields)
    return _Formatter(lang).vformat(template, (), fields)


@lru_cache(maxsize=8)  # one per language
def _grade_names(lang: str) -> dict[str, str]:
    names = {}
    for pair in t("format.grade_names", lang).split(";"):
        number, _, name = pair.partition("=")
        if number.strip() and name.strip():
            names[number.strip()] = name.strip()
    return names


@lru_cache(maxsize=8)  # one per language
def _grade_names_system(lang: str) -> frozenset[tuple[int, ...]]:
    """The levels (their grades) of the school system whose grade names the catalogue gives
    (``format.grade_names_levels``: "0; 1-5; 6-9; 10-12")."""
    levels = set()
    for span in t("format.grade_names_levels", lang).split(";"):
        first, _, last = span.strip().partition("-")
        if first.strip():
            levels.add(tuple(range(int(first), int(last or first) + 1)))
    return frozenset(levels)


def grade_names_fit(lang: str, words: CountryWords | None = None) -> bool:
    """Whether the language's grade names (``format.grade_names``) name the grades of the
    country in use: they are one school system's names (Lao PDR's ປ.1–ປ.5, ມ.1–ມ.7), so they
    fit only a country whose every education level has the grades of one of that system's
    levels (``format.grade_names_levels``). No country, or another structure: plain numbers."""
    levels = (words or country_words()).grade_levels
    system = _grade_names_system(lang)
    return bool(levels) and bool(system) and all(tuple(lv) in system for lv in levels)


def grade_name(grade: int | str, lang: str = DEFAULT_LANG) -> str:
    """A grade as the language writes it: ``6`` in English ("Grade 6"), ``ມ.1`` in Lao (the
    catalogue's ``format.grade_names``) when those names fit the country's grades
    (:func:`grade_names_fit`); the number itself otherwise, or when the catalogue has no
    name."""
    text = str(grade).strip()
    if not grade_names_fit(lang):
        return text
    return _grade_names(lang).get(text, text)


def grade_span(value: object, lang: str = DEFAULT_LANG) -> str:
    """A grade or a span of grades (``1–5``, as the indicator registry writes it) with each
    grade named by :func:`grade_name`: ``ປ.1–ປ.5``."""
    return ", ".join("–".join(grade_name(part, lang) for part in span.split("–"))
                     for span in str(value).split(", "))


def _group_thousands(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return sep.join(groups)


def format_number(value: float | int | None, lang: str = DEFAULT_LANG, digits: int = 0) -> str:
    """A number with the language's thousands separator and decimal mark: ``12,345.6``.
    Missing values (None, NaN) show as the catalogue's "no data"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("format.no_data", lang)
    text = f"{abs(value):.{digits}f}"
    whole, _, frac = text.partition(".")
    out = _group_thousands(whole, t("format.thousands_sep", lang))
    if frac:
        out += t("format.decimal_mark", lang) + frac
    return ("-" if value < 0 and float(text) != 0 else "") + out


# Decimal places by unit (``index``: a parity index).
VALUE_DIGITS = {"%": 1, "ratio": 1, "count": 0, "index": 2}


def format_value(value: float | None, unit: str, lang: str) -> str:
    """45.3% for a percentage, 1,234 for a count, 19.3 for a ratio, 0.97 for an index;
    "no data" when there is no value (never 0)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("format.no_data", lang)
    if unit == "%":
        return format_percent(value, lang, VALUE_DIGITS["%"])
    return format_number(value, lang, VALUE_DIGITS.get(unit, 1))


def format_percent(value: float | None, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A value already in percent (45.3 for 45.3 %): ``45.3%``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return t("format.no_data", lang)
    return t("format.percent", lang, value=format_number(value, lang, digits))


def format_school_year(start_year: int, lang: str = DEFAULT_LANG) -> str:
    """The school year that starts in ``start_year``: 2023 -> ``2023–24``."""
    start = int(start_year)
    return t("format.school_year", lang, start=start, end=start + 1,
             end2=f"{(start + 1) % 100:02d}")


def format_school_years(years: list[int], lang: str = DEFAULT_LANG) -> str:
    """A span of school years: ``2022–23 to 2024–25``, or one year, or "no data"."""
    if not years:
        return t("format.no_data", lang)
    first, last = min(years), max(years)
    if first == last:
        return format_school_year(first, lang)
    return t("format.year_range", lang, first=format_school_year(first, lang),
             last=format_school_year(last, lang))


def format_datetime_utc(iso: str, lang: str = DEFAULT_LANG) -> str:
    """An ISO 8601 time as a readable UTC time: ``22 November 2025, 13:58 UTC``.
    A naive time is taken as UTC; text that is not a time is returned as it is."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return str(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return t("format.datetime_utc", lang, day=moment.day,
             month=t(f"format.month.{moment.month}", lang), year=moment.year,
             time=moment.strftime("%H:%M"))


def local_name(name_en: str, name_local: str, lang: str = DEFAULT_LANG) -> str:
    """A place's or level's name for the interface language: English in English, else the
    local name (English when the local name is empty)."""
    if lang == "en" or not isinstance(name_local, str) or not name_local.strip():
        return name_en
    return name_local


def name_with_english(name_en: str, name_local: str, lang: str = DEFAULT_LANG) -> str:
    """A place's or school's name for a list the reader picks from: the local name with the
    English one after it in a language other than English (``ວຽງຈັນ (Vientiane)``), so that
    either can be read or typed; the English name alone in English."""
    shown = local_name(name_en, name_local, lang)
    if shown == name_en or not isinstance(name_en, str) or not name_en.strip():
        return shown
    return f"{shown} ({name_en})"
