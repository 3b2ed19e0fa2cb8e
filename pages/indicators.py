"""Indicators: the catalogue of every indicator of the extract, searchable, by theme."""
import streamlit as st

from lib import catalogue
from lib.i18n import format_number, t
from ui import extract, filters, indicator_card, indicator_picker
from ui.markdown import escape

lang = filters.current().lang
registry = extract.registry()
country = extract.country()

st.title(t("indicators.title", lang))
st.caption(t("indicators.intro", lang))

search, opener = st.columns(2, vertical_alignment="bottom")
query = search.text_input(t("indicators.search", lang), type="search", live=True,
                          placeholder=t("indicators.search_placeholder", lang),
                          icon=":material/search:", key="indicators_search") or ""
with opener:
    opened = indicator_picker.choose(
        [""] + registry.ids(), "", registry=registry, lang=lang,
        label=t("indicators.open", lang), none_label=t("indicators.open_none", lang),
        fallback_label=t("indicators.open_fallback", lang))
if opened:
    with st.container(border=True):
        st.subheader(indicator_card.title(registry.get(opened), lang))
        indicator_card.details(registry.get(opened), country, lang)

found = catalogue.grouped(registry, query, lang)
n_found = sum(len(items) for items in found.values())
st.caption(t("indicators.count_found", lang, n=format_number(n_found, lang),
             total=format_number(len(registry), lang)) if query
           else t("indicators.count_all", lang, n=format_number(len(registry), lang),
                  themes=len(found)))
if not found:
    st.info(t("indicators.none_found", lang, query=escape(query, max_length=60)),
            icon=":material/search_off:")
else:
    tabs = st.tabs([t("indicators.theme_count", lang, theme=t(f"indicators.theme.{theme}", lang),
                      n=len(items)) for theme, items in found.items()])
    for tab, items in zip(tabs, found.values()):
        with tab:
            for item in items:
                with st.expander(indicator_card.title(item, lang)):
                    indicator_card.details(item, country, lang)

if registry.switched_off and not query:
    with st.expander(t("indicators.switched_off", lang), icon=":material/block:"):
        st.markdown("\n".join("- " + t("indicators.switched_off_item", lang, id=escape(key),
                                       why=escape(why))
                              for key, why in registry.switched_off.items()))
