"""Router of the education data explorer: page config, banner, shared filters, navigation.

Run with ``streamlit run app.py``; the extract is ``$EMIS_DB`` or ``data/emis.duckdb``.
"""
import streamlit as st

from lib.i18n import t
from ui import access, banner, extract, filters, fonts, nav, url_state

extract.pin_build()  # this run reads one build, even if another is published meanwhile
extract.use_country_words()  # the country's names of its admin levels, in every text
lang = url_state.language()
st.set_page_config(page_title=t("app.title", lang), page_icon="🎓", layout="wide")
fonts.inject()  # the Lao web font the app serves, for Lao text on any machine

pages = [
    # The default page answers only at "/" (Streamlit gives it no path of its own).
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:",
            default=True),
    st.Page("pages/map.py", title=t("map.nav_title", lang), icon=":material/map:",
            url_path="map"),
    st.Page("pages/indicators.py", title=t("nav.indicators", lang),
            icon=":material/menu_book:", url_path="indicators"),
    st.Page("pages/equity.py", title=t("equity.nav_title", lang), icon=":material/balance:",
            url_path="equity"),
    st.Page("pages/trends.py", title=t("trends.nav_title", lang),
            icon=":material/trending_up:", url_path="trends"),
    st.Page("pages/quality.py", title=t("quality.nav_title", lang),
            icon=":material/verified:", url_path="quality"),
    st.Page("pages/schools.py", title=t("schools.nav_title", lang), icon=":material/school:",
            url_path="schools"),
    st.Page("pages/about.py", title=t("nav.about", lang), icon=":material/info:",
            url_path="about"),
]
if access.exact_values():  # the build's warnings name schools and quote their counts
    pages.insert(-1, st.Page("pages/data-quality.py", title=t("data_quality.nav_title", lang),
                             icon=":material/rule:", url_path="data-quality"))
if access.may_load_data():  # administrators (without sign-in: the local user)
    pages.insert(-1, st.Page("pages/load-data.py", title=t("load.nav_title", lang),
                             icon=":material/upload_file:", url_path="load-data"))
page = st.navigation(pages, position="sidebar" if extract.exists() else "hidden")
nav.register(pages)

if not extract.exists():
    extract.show_missing(lang)
    st.stop()
if extract.outdated():
    extract.show_outdated(lang)
    st.stop()

access.check(lang)  # an unusable access file stops here, before any data is read
banner.show(lang)
notices = st.container()
filters.sidebar(lang)
access.sidebar(lang)
page.run()
with notices:  # after the page, which may have read URL parameters of its own
    url_state.show_notices(lang)
