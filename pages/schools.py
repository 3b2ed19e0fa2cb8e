"""Schools: find a school by name or code, with filters, and open its profile."""
import streamlit as st

from lib.i18n import t
from ui import filters, school_profile, school_search

chosen = filters.current()
lang = chosen.lang
school_id = school_profile.chosen(lang)
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("schools.no_year", lang))
elif school_id is not None:
    school_profile.show(school_id, chosen)
else:
    st.title(t("schools.title", lang))
    st.caption(t("schools.intro", lang))
    query = school_search.form(chosen)
    school_search.results(school_search.run(query), query, chosen)
