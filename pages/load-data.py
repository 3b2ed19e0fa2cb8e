"""Load data: an administrator loads the annual census from the browser — the template, the
upload and its dry run with every problem, what would change, publish, and roll back."""
import streamlit as st

from lib.i18n import t
from ui import filters
from ui.sections import load_data

lang = filters.current().lang
load_data.guard(lang)
st.title(t("load.title", lang))
st.caption(t("load.intro", lang))
load_data.done(lang)
load_data.template(lang)
load_data.upload(lang)
load_data.problems(lang)
load_data.changes(lang)
load_data.publish_button(lang)
load_data.history(lang)
