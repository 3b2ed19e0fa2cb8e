"""Router of the education data explorer: page config, banner, shared filters, navigation.

Run with ``streamlit run app.py``; the extract is ``$EMIS_DB`` or ``data/emis.duckdb``.
"""
import streamlit as st

from lib.i18n import t
from ui import banner, extract, filters, url_state

lang = url_state.language()
st.set_page_config(page_title=t("app.title", lang), page_icon="🎓", layout="wide")

about = {"page": "pages/about.py", "title": t("nav.about", lang), "icon": ":material/info:"}
pages = [
    # Until the Overview exists, About is the default page at "/", and stays at "/about" too
    # (a default page answers only at "/"; its own path goes to a hidden twin).
    st.Page(**about, url_path="home", default=True),
    st.Page(**about, url_path="about", visibility="hidden"),
]
page = st.navigation(pages, position="sidebar" if extract.exists() else "hidden")

if not extract.exists():
    extract.show_missing(lang)
    st.stop()

banner.show(lang)
notices = st.container()
filters.sidebar(lang)
with notices:
    url_state.show_notices(lang)
page.run()
