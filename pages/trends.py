"""Trends: is it getting better, and is the gap closing? One indicator over the years for
the country and chosen areas, split on demand with its parity over time, one panel per
province, the change from year to year, and the flow rates by grade with the cohort."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import trends

chosen = filters.current()
st.title(t("trends.title", chosen.lang))
st.caption(t("trends.intro", chosen.lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("trends.no_year", chosen.lang))
else:
    trends.show(chosen)
