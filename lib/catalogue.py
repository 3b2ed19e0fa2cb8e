"""The indicator catalogue: the registry's indicators found by a search and grouped by theme.

Pure: no streamlit. The Indicators page draws what :func:`grouped` returns.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from lib.indicators.registry import THEMES, Indicator, Registry


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"\s+", query.strip().lower()) if w]


def matches(indicator: Indicator, query: str, lang: str = "en") -> bool:
    """Whether every word of ``query`` occurs in the indicator's id, name or definition
    (in ``lang`` or in English), ignoring case. An empty query matches everything."""
    words = _words(query)
    if not words:
        return True
    haystack = " ".join({indicator.id, indicator.id.replace("_", " ")}
                        | {indicator.text(key, code) for code in {lang, "en"}
                           for key in ("name", "description")}).lower()
    return all(word in haystack for word in words)


def grouped(registry: Registry | Iterable[Indicator], query: str = "", lang: str = "en",
            themes: Iterable[str] = ()) -> dict[str, list[Indicator]]:
    """The indicators matching ``query`` by theme, themes in the registry's order (only
    those in ``themes`` when given; only themes with a match), indicators in registry
    order."""
    wanted = set(themes) or set(THEMES)
    out: dict[str, list[Indicator]] = {}
    for indicator in registry:
        if indicator.theme in wanted and matches(indicator, query, lang):
            out.setdefault(indicator.theme, []).append(indicator)
    order = {theme: i for i, theme in enumerate(THEMES)}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))
