"""Values and labels as the interface writes them: units, changes and flags, one way
everywhere (KPI cards, ranking charts, the catalogue)."""
from __future__ import annotations

import math
from collections.abc import Iterable

from lib.i18n import VALUE_DIGITS as DIGITS
from lib.i18n import format_number, format_value, t
from lib.indicators.flags import DESCRIPTIONS

__all__ = ["DIGITS", "format_value", "format_change", "flag_labels", "flag_help", "capitalised"]


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


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
