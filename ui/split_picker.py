"""The split or equity dimension chosen on a page, held in the URL as ``by``
(architecture.md): sex, locality, priority, ownership, a functional domain or a dimension
of the package (ethnicity…), or none where a page allows it.

One segmented control, defined once: the Equity page picks the dimension of its gaps, the
Trends page the split of its lines. A link's ``by`` that the indicator cannot be split by
falls back to the page's default with a notice.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.i18n import t
from ui import extract, url_state
from ui.url_state import widget_key

BY = "by"


def label(split: str, lang: str) -> str:
    """A split's name on a button ("" is no split): the package's name of its own
    dimensions (ethnicity…)."""
    return extract.split_words().label(split, lang)


def choose(options: Sequence[str], default: str, *, lang: str, label_text: str,
           help: str | None = None) -> str:
    """One of ``options`` ("" may be one: no split); the URL's ``by`` when valid."""
    url_state.choose(BY, list(options), default, parse=str, label_key="split_picker.param",
                     describe=lambda split: label(split, lang) if split
                     else t("split_picker.fallback_none", lang))
    chosen = st.segmented_control(label_text, list(options), key=widget_key(BY),
                                  format_func=lambda split: label(split, lang),
                                  required=True, wrap=True, help=help)
    chosen = chosen if chosen in options else default
    url_state.keep(BY, chosen, chosen or None)
    return chosen
