"""Quality: the schools' quality assessment in the chosen area and year (levels or support
categories, standards by area, items rated lowest, progress, self-assessment against
external assessment, the schools to support first)."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import quality

chosen = filters.current()
st.title(t("quality.title", chosen.lang))
st.caption(t("quality.intro", chosen.lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("quality.no_year", chosen.lang))
else:
    quality.show(chosen)
