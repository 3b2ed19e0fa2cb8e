"""The permanent notice shown above every page when the extract holds synthetic data."""
from __future__ import annotations

import streamlit as st

from lib.i18n import t
from ui import extract


def show(lang: str) -> None:
    if extract.info().synthetic:
        st.warning(t("banner.synthetic", lang), icon=":material/science:")
