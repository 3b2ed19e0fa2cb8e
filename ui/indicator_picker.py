"""The indicator chosen on a page, held in the URL as ``indicator`` (architecture.md).

One select box, defined once: the Overview picks the indicator to rank, the Indicators page
the one shown in full. A link's indicator that is not among the options falls back to the
page's default with a notice, never an error.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.indicators import Registry
from ui import url_state
from ui.url_state import INDICATOR, widget_key


def remembered() -> str | None:
    """The indicator this session chose last (on any page), if any."""
    value = url_state.remembered(INDICATOR)
    return value if isinstance(value, str) and value else None


def choose(options: Sequence[str], default: str, *, registry: Registry, lang: str,
           label: str, help: str | None = None, none_label: str | None = None,
           fallback_label: str | None = None) -> str:
    """The indicator id chosen among ``options`` ("" may be an option: no indicator, shown
    as ``none_label``; ``fallback_label`` names it in the notice of a bad link)."""
    def name(indicator_id: str) -> str:
        if not indicator_id:
            return none_label or ""
        return f"{registry.get(indicator_id).name(lang)} ({indicator_id})"

    def describe(indicator_id: str) -> str:
        return name(indicator_id) if indicator_id else (fallback_label or "")

    url_state.choose(INDICATOR, list(options), default, parse=str,
                     label_key="url.param.indicator", describe=describe)
    chosen = st.selectbox(label, options, key=widget_key(INDICATOR), format_func=name,
                          help=help)
    url_state.keep(INDICATOR, chosen, chosen or None)
    return chosen
