"""The Lao web font in every page: ``@font-face`` rules pointing at the font files the app
serves itself (``lib/fonts.py``), injected once per run by ``app.py``.

The rules give Lao glyphs to Streamlit's body font and to the charts' font (see
``lib.fonts.EXTENDED_FAMILIES``), so text, widgets, tables and charts draw Lao with Noto Sans
Lao even on a machine that has no Lao font; Latin text keeps Streamlit's font. The browser
fetches the font only for a page that shows Lao characters.
"""
from __future__ import annotations

from functools import lru_cache

import streamlit as st

from lib import fonts, npm


@lru_cache(maxsize=2)  # one server.baseUrlPath
def _style(base_url: str) -> str:
    return f"<style>\n{fonts.font_face_css(base_url)}\n</style>"


def inject() -> None:
    """Put the font's CSS in the page (a ``<style>`` alone takes no room in the layout)."""
    if not fonts.installed():
        return  # Lao then falls back to the fonts of the machine; `make assets` fetches it
    base = npm.served_url(st.get_option("server.baseUrlPath") or "")
    st.html(_style(base))
