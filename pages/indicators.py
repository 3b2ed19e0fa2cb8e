"""Indicators: the catalogue of every indicator of the extract, searchable, by theme."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import indicators

lang = filters.current().lang
st.title(t("indicators.title", lang))
st.caption(t("indicators.intro", lang))
indicators.show(lang)
