"""About the data: what the extract holds, where it came from, and how to load your own."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import about

lang = filters.current().lang
st.title(t("about.title", lang))
st.caption(t("about.intro", lang))
about.show(lang)
