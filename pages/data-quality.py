"""Data quality: what is wrong in the census before anyone trusts a map — reporting
completeness, school locations, implausible values, and every warning of the build."""
import streamlit as st

from lib.i18n import t
from ui import extract, filters
from ui.sections import data_quality

chosen = filters.current()
lang = chosen.lang
st.title(t("data_quality.title", lang))
st.caption(t("data_quality.intro", lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("data_quality.no_year", lang))
else:
    if extract.has_values("schools"):
        data_quality.reporting(chosen)
        if extract.has_values("schools", "latitude"):
            data_quality.locations(chosen)
        else:  # a register without coordinates: nothing to place
            st.info(t("data_quality.no_coordinates", lang), icon=":material/info:")
    else:  # a package of area totals: no school to report or to place
        st.info(t("data_quality.no_register", lang), icon=":material/info:")
    data_quality.boundaries(chosen)
    data_quality.consistency(chosen)
    data_quality.all_warnings(chosen)
