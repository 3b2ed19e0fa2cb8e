"""Schools: find a school by name or code, with filters, and open its profile."""
import streamlit as st

from lib.i18n import t
from ui import extract, filters
from ui.sections import school_profile, schools

chosen = filters.current()
lang = chosen.lang
school_id = schools.chosen_school(lang)
if not extract.has_values("schools"):  # a package of area totals
    schools.no_register(lang)
elif chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("schools.no_year", lang))
elif school_id is not None:
    school_profile.show(school_id, chosen)
else:
    schools.search(chosen)
