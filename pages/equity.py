"""Equity: who is left behind, and by how much. The gap between groups (sex, locality,
priority districts, ownership) by area, a ranking against the national value and a target,
the inequality between areas, two indicators across districts, and the areas furthest
behind."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import equity

chosen = filters.current()
st.title(t("equity.title", chosen.lang))
st.caption(t("equity.intro", chosen.lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("equity.no_year", chosen.lang))
else:
    equity.show(chosen)
