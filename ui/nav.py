"""Links between pages: the pages ``app.py`` registered, so that a page links to another
only when it exists, and the URLs of a school's and an area's profile.

``app.py`` calls :func:`register` with its page list on every run; a page then asks
:func:`link` for a link to ``/map?indicator=...`` and gets nothing while no page answers at
``/map``: no dead links while the app grows.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

_PAGES = "_nav_pages"  # url_path -> st.Page, in this session


def register(pages: Sequence[st.Page]) -> None:
    st.session_state[_PAGES] = {page.url_path: page for page in pages}


def has_page(url_path: str) -> bool:
    return url_path in st.session_state.get(_PAGES, {})


def link(url_path: str, label: str, *, query: Mapping[str, str] | None = None,
         icon: str | None = None, help: str | None = None) -> bool:
    """A link to the page at ``/url_path`` with ``query`` parameters, if that page is
    registered; returns whether a link was drawn."""
    page = st.session_state.get(_PAGES, {}).get(url_path)
    if page is None:
        return False
    st.page_link(page, label=label, icon=icon, help=help,
                 query_params=dict(query) if query else None)
    return True


def app_url(path: str) -> str:
    """The URL of ``path`` on this server (respects ``server.baseUrlPath``)."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/" + path.lstrip("/")


def school_link_prefix(lang: str) -> str:
    """The link to a school's profile without its id (``/schools?lang=en&school=``)."""
    return app_url(f"schools?lang={lang}&school=")


def area_link_prefix(lang: str) -> str:
    """The link to an area's profile (the Overview) without its code (``/?lang=en&area=``)."""
    return app_url(f"?lang={lang}&area=")
