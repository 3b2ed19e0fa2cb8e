"""Filters held in the URL (``?lang=en&year=2023&level=primary&area=0101``).

A link with filters opens the view it names; filters chosen on one page stay chosen on the
next (Streamlit clears the query string when the page changes, so the session remembers each
value and writes it back). A value in the URL that the data does not have falls back to the
default with a notice, never an error.

How one run decides a parameter's value:
1. a value in the URL that this session did not write itself (a link just opened, the
   browser's back button) is taken, if valid;
2. else the session's own value: the widget's, when the user just changed it, or the value
   remembered from the previous run;
3. else the default.
Then the value is written back to the URL.
"""
from __future__ import annotations

from typing import Callable, Hashable, Sequence, TypeVar

import streamlit as st

from lib.i18n import DEFAULT_LANG, t
from ui import extract, markdown

T = TypeVar("T", bound=Hashable)

_VALUES = "_url_values"    # name -> value chosen in this session
_WRITTEN = "_url_written"  # name -> text last written to the URL (None: absent)
_NOTICES = "_url_notices"  # notices of this run: (parameter label key, raw value, fallback)

# URL parameters (data-contract / architecture.md); widget keys derive from the name.
LANG, YEAR, LEVEL, AREA, INDICATOR = "lang", "year", "level", "area", "indicator"


def widget_key(name: str) -> str:
    """The session-state key of the widget that edits URL parameter ``name``."""
    return f"url_{name}"


def _store(key: str) -> dict:
    if key not in st.session_state:
        st.session_state[key] = {}
    return st.session_state[key]


def incoming(name: str) -> str | None:
    """The URL's value of ``name`` if it came from outside this session (a link, the back
    button), else None."""
    raw = st.query_params.get(name)
    if raw is None or raw == _store(_WRITTEN).get(name):
        return None
    return raw


def remembered(name: str, default: object = None) -> object:
    """The value of ``name`` this session holds: its widget's, else the last chosen."""
    key = widget_key(name)
    if key in st.session_state:
        return st.session_state[key]
    return _store(_VALUES).get(name, default)


def remember(name: str, value: object) -> None:
    """Hold ``value`` for ``name``: seeds its widget (call before the widget is drawn)."""
    _store(_VALUES)[name] = value
    st.session_state[widget_key(name)] = value


def write(name: str, text: str | None) -> None:
    """Put ``name=text`` in the URL, or take ``name`` out of it when ``text`` is None/empty."""
    written = _store(_WRITTEN)
    if text:
        if st.query_params.get(name) != text:
            st.query_params[name] = text
        written[name] = text
    else:
        if name in st.query_params:
            del st.query_params[name]
        written[name] = None


def notice(label_key: str, raw: str, fallback: str) -> None:
    """Record that the URL's ``raw`` value for a parameter was not usable."""
    notices = st.session_state.setdefault(_NOTICES, [])
    notices.append((label_key, raw, fallback))


def refused(raw: str) -> None:
    """Record that the URL's ``raw`` value names an area or school outside the viewer's
    areas (:mod:`lib.access`): the notice says so, and nothing of it."""
    st.session_state.setdefault(_NOTICES, []).append((None, raw, ""))


def show_notices(lang: str) -> None:
    """Show this run's notices (where the caller places them) and forget them."""
    for label_key, raw, fallback in st.session_state.pop(_NOTICES, []):
        if label_key is None:
            st.warning(t("access.out_of_scope", lang), icon=":material/lock:")
            continue
        st.warning(t("url.invalid", lang, param=t(label_key, lang),
                     value=markdown.escape(raw, max_length=40),
                     fallback=markdown.escape(fallback)),
                   icon=":material/link_off:")


def choose(name: str, options: Sequence[T], default: T, *, parse: Callable[[str], T],
           label_key: str, describe: Callable[[T], str]) -> T:
    """The value of URL parameter ``name`` for this run, one of ``options``.

    ``parse`` turns URL text into a value (it may raise ValueError); ``describe`` names a
    value for the notice shown when the URL's value is not one of ``options``.
    Call it before drawing the widget keyed :func:`widget_key` (``name``), then :func:`keep`.
    """
    raw = incoming(name)
    value: object = None
    if raw is not None:
        try:
            value = parse(raw)
        except (TypeError, ValueError):
            value = None
        if value not in options:
            value = default
            notice(label_key, raw, describe(default))
    else:
        value = remembered(name, default)
        if value not in options:
            value = default
    remember(name, value)
    return value  # type: ignore[return-value]


def hold(name: str, value: object) -> None:
    """After the widget: remember the value the user has (session only, not in the URL)."""
    _store(_VALUES)[name] = value


_AS_TEXT = object()  # keep(): the URL text is the value's str()


def keep(name: str, value: object, text: object = _AS_TEXT) -> None:
    """After the widget: remember the value the user has and write it to the URL, as
    ``text`` when given (None: left out of the URL), else as ``str(value)``."""
    hold(name, value)
    if text is _AS_TEXT:
        text = str(value) if value is not None else None
    write(name, text)  # type: ignore[arg-type]


def language() -> str:
    """The interface language (``lang``); English unless the URL or the user chose another
    language the interface offers (:func:`ui.extract.languages`: English and the country
    profile's languages that have a catalogue)."""
    available = extract.languages()
    lang = choose(LANG, available, DEFAULT_LANG, parse=str, label_key="url.param.lang",
                  describe=lambda code: t(f"language.{code}", DEFAULT_LANG))
    keep(LANG, lang)
    return lang
