"""Map: where is it worse? A choropleth of any indicator by province or district, with a
drill-down, schools as a layer, and the values under the map."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import map as map_sections

chosen = filters.current()
lang = chosen.lang
st.title(t("map.title", lang))
st.caption(t("map.intro", lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("map.no_year", lang))
else:
    map_sections.show(chosen)
