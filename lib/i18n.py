"""Interface strings and number/date formats in the user's language.

Every string the app shows comes from a catalogue in ``lib/locales/<lang>.toml``. A catalogue
is written as TOML tables for readability and read as flat dotted keys: ``[about]`` then
``title = "..."`` is the key ``about.title``. English is complete and the reference; another
language may leave keys out, and those fall back to English. A key missing from English is a
programming error and raises :class:`KeyError` naming the key.
"""
from __future__ import annotations

import math
import tomllib
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

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


@cache
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


def has(key: str, lang: str = DEFAULT_LANG) -> bool:
    return key in catalogue(lang) or key in catalogue(DEFAULT_LANG)


def t(key: str, lang: str = DEFAULT_LANG, **fmt: object) -> str:
    """The text of ``key`` in ``lang`` (English when that language lacks it), formatted with
    ``fmt`` (``str.format`` fields such as ``{n}``)."""
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANG).get(key)
    if text is None:
        raise KeyError(f"no UI string {key!r} in the {DEFAULT_LANG!r} catalogue "
                       f"({LOCALES_DIR / (DEFAULT_LANG + '.toml')})")
    return text.format(**fmt) if fmt else text


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
