"""Areas to compare with the one chosen in the sidebar, held in the URL as ``compare``
(admin codes separated by commas), so that a shared link draws the same lines.

Codes in a link that the extract does not have are dropped with a notice.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from lib.i18n import t
from ui import url_state
from ui.url_state import widget_key

COMPARE = "compare"
MAX_AREAS = 6  # lines a reader can still tell apart


def choose(options: Sequence[str], *, names: Callable[[str], str], lang: str, label: str,
           kinds: str, help: str | None = None) -> list[str]:
    """Codes chosen among ``options`` (at most :data:`MAX_AREAS`); ``kinds``: what they are,
    in words ("regions, divisions or circuits")."""
    raw = url_state.incoming(COMPARE)
    if raw is not None:
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        valid = [c for c in dict.fromkeys(codes) if c in options][:MAX_AREAS]
        bad = [c for c in codes if c not in options]
        if bad:
            url_state.notice("area_picker.param", ",".join(bad),
                             t("area_picker.fallback" if valid else "area_picker.fallback_none",
                               lang))
        url_state.remember(COMPARE, valid)
    else:
        held = url_state.remembered(COMPARE, [])
        held = [c for c in (held if isinstance(held, list) else []) if c in options]
        url_state.remember(COMPARE, held[:MAX_AREAS])
    chosen = st.multiselect(label, list(options), key=widget_key(COMPARE), format_func=names,
                            max_selections=MAX_AREAS, help=help, select_all=False,
                            placeholder=t("area_picker.placeholder", lang, areas=kinds))
    url_state.keep(COMPARE, list(chosen), ",".join(chosen) or None)
    return list(chosen)
