"""Overview: the key figures of the country, a province or a district for the chosen year
and education level, and where the gaps are largest one admin level down."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import overview

chosen = filters.current()
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("overview.no_year", chosen.lang))
else:
    overview.show(chosen)
