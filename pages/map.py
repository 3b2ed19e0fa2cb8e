"""Map: where is it worse? A choropleth of any indicator by province or district, with a
drill-down, schools as a layer, and the values under the map."""
import streamlit as st

from lib.i18n import t
from lib.indicators import IndicatorError
from ui import filters, map_view

chosen = filters.current()
lang = chosen.lang
st.title(t("map.title", lang))
st.caption(t("map.intro", lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("map.no_year", lang))
else:
    choice = map_view.controls(chosen)
    view = map_view.view_of(chosen, choice.admin)
    map_view.heading(chosen, choice, view)
    map_view.back_buttons(chosen)
    try:
        built = map_view.build(chosen, choice, view)
    except IndicatorError as error:
        map_view.show_error(error, lang)
    else:
        map_view.draw(built)
        map_view.under_map(chosen, choice, view, built)
