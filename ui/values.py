"""Values and labels as the interface writes them: units, changes and flags, one way
everywhere (KPI cards, ranking charts, the catalogue)."""
from __future__ import annotations

import math
from collections.abc import Iterable

from lib.i18n import format_number, format_percent, t
from lib.indicators.flags import DESCRIPTIONS

# Decimal places by unit (``index``: a parity index).
DIGITS = {"%": 1, "ratio": 1, "count": 0, "index": 2}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, unit: str, lang: str) -> str:
    """45.3% for a percentage, 1,234 for a count, 19.3 for a ratio, 0.97 for an index;
    "no data" when there is no value (never 0)."""
    if _missing(value):
        return t("format.no_data", lang)
    if unit == "%":
        return format_percent(value, lang, DIGITS["%"])
    return format_number(value, lang, DIGITS.get(unit, 1))


def format_change(change: float | None, unit: str, lang: str) -> str | None:
    """A change from one year to the next with its sign: +1.2 pp, -340, +0.02; None when
    there is none to show. The sign is ASCII so that Streamlit draws the right arrow."""
    if _missing(change):
        return None
    digits = DIGITS.get(unit, 1)
    sign = "" if round(abs(change), digits) == 0 else ("+" if change > 0 else "-")
    text = sign + format_number(abs(change), lang, digits)
    return t("overview.kpi.points", lang, value=text) if unit == "%" else text


def flag_labels(flags: Iterable[str], lang: str) -> list[str]:
    return [t(f"flag.{name}", lang) for name in flags]


def flag_help(flags: Iterable[str], lang: str) -> str:
    """The flags explained, one per line (Markdown list), for a tooltip."""
    words = DESCRIPTIONS.get(lang) or DESCRIPTIONS["en"]
    return "\n".join(f"- **{t(f'flag.{name}', lang)}**: "
                     f"{words.get(name) or DESCRIPTIONS['en'].get(name, '')}"
                     for name in flags)


def capitalised(text: str) -> str:
    """A label with its first letter a capital ("districts" -> "Districts"; Lao has no
    capitals and is left as it is)."""
    return text[:1].upper() + text[1:]
