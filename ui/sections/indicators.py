"""The Indicators page's sections: a search and an indicator to open, the catalogue by
theme, and the indicators this extract cannot compute, with the reason."""
from __future__ import annotations

import streamlit as st

from lib import catalogue
from lib.country import Country
from lib.i18n import format_number, t
from lib.indicators import Registry
from ui import extract, indicator_card, indicator_picker
from ui.markdown import escape


THEME_TABS = "indicators_theme"  # session: the theme tab open


def card_key(indicator_id: str) -> str:
    """The session key of an indicator's card in the catalogue (True when open)."""
    return f"indicators_card_{indicator_id}"


def show(lang: str) -> None:
    registry, country = extract.registry(), extract.country()
    query = search_and_open(registry, country, lang)
    by_theme(registry, country, query, lang)
    if registry.switched_off and not query:
        switched_off(registry, lang)


def search_and_open(registry: Registry, country: Country, lang: str) -> str:
    """The search box (its words are returned) and the picker that opens one indicator's
    card."""
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
    return query


def by_theme(registry: Registry, country: Country, query: str, lang: str) -> None:
    """The indicators found, a tab per theme, each indicator's card in an expander."""
    found = catalogue.grouped(registry, query, lang)
    n_found = sum(len(items) for items in found.values())
    st.caption(t("indicators.count_found", lang, n=format_number(n_found, lang),
                 total=format_number(len(registry), lang)) if query
               else t("indicators.count_all", lang, n=format_number(len(registry), lang),
                      themes=len(found)))
    if not found:
        st.info(t("indicators.none_found", lang, query=escape(query, max_length=60)),
                icon=":material/search_off:")
        return
    # Drawn on demand: the catalogue holds hundreds of cards, and drawing every one in every
    # tab kept the browser busy for seconds. Only the open tab's titles are drawn, and a
    # card's details once it is opened (each opening reruns the page, which is quick).
    tabs = st.tabs([t("indicators.theme_count", lang,
                      theme=t(f"indicators.theme.{theme}", lang), n=len(items))
                    for theme, items in found.items()], key=THEME_TABS, on_change="rerun")
    for tab, items in zip(tabs, found.values()):
        with tab:
            if tab.open is False:
                continue
            for item in items:
                card = st.expander(indicator_card.title(item, lang), key=card_key(item.id),
                                   on_change="rerun")
                with card:
                    if card.open is not False:
                        indicator_card.details(item, country, lang)


def switched_off(registry: Registry, lang: str) -> None:
    """The indicators the extract cannot compute, each with why."""
    with st.expander(t("indicators.switched_off", lang), icon=":material/block:"):
        st.markdown("\n".join("- " + t("indicators.switched_off_item", lang, id=escape(key),
                                         why=escape(why.words(lang)))
                               for key, why in registry.switched_off.items()))
