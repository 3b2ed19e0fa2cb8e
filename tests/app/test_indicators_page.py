"""The Indicators page (the catalogue) through AppTest: every indicator by theme, search,
the `indicator` URL parameter, and a map link only when the app has a map page."""
from __future__ import annotations


import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import t
from lib.indicators import build_registry, registry_for
from tests.app.pages import ok, open_page, url_notices
from ui.sections.indicators import THEME_TABS, card_key

PAGE = "pages/indicators.py"
TIMEOUT = 60


def run_page(**query: str) -> AppTest:
    return open_page(PAGE, timeout=TIMEOUT, **query)


def opener(at: AppTest):
    return next(s for s in at.selectbox if s.label == t("indicators.open"))


def catalogue_entries(at: AppTest) -> list[str]:
    return [e.label for e in at.expander if e.label != t("indicators.switched_off")]


@pytest.fixture
def registry(demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    with db.connect_current(demo_extract) as con:
        return registry_for(con)


def every_theme(at: AppTest) -> list[str]:
    """The catalogue's entries in every theme tab, each tab opened in turn (a tab's cards
    are drawn only when it is open)."""
    entries = []
    for label in [tab.label for tab in at.tabs]:
        at.session_state[THEME_TABS] = label
        ok(at.run())
        entries += catalogue_entries(at)
    return entries


def test_every_indicator_by_theme(registry):
    at = run_page()
    assert [e.value for e in at.title] == [t("indicators.title")]
    themes = [tab.label for tab in at.tabs]
    assert themes[0].startswith(t("indicators.theme.access"))
    assert len(themes) == len({ind.theme for ind in registry})
    # Only the open tab's cards are drawn, closed: their titles, not their details.
    first = catalogue_entries(at)
    assert 0 < len(first) < len(registry)
    assert not at.get("page_link") and t("indicators.field.caveats") not in "\n".join(
        m.value for m in at.markdown)
    entries = every_theme(at)
    assert len(entries) == len(registry)
    assert sorted(label.split("`")[1] for label in entries) == sorted(registry.ids())
    # A card opened shows the indicator in full.
    at.session_state[THEME_TABS] = themes[0]
    at.session_state[card_key("ger_primary")] = True
    ok(at.run())
    text = "\n".join(m.value for m in at.markdown)
    ger = registry.get("ger_primary")
    for fact in (ger.source, t("indicators.direction.up"), t("split.priority"),
                 t("indicators.field.how_to_read"), t("indicators.field.caveats")):
        assert fact in text.replace("\\", ""), fact
    links = at.get("page_link")
    if "map" in at.session_state["_nav_pages"]:  # the app has a map page: a link per card
        assert [link.proto.query_string for link in links] == ["indicator=ger_primary"]
    else:
        assert not links, "no map page: no link to it"
    assert opener(at).value == ""
    assert "indicator" not in at.query_params


def test_search_filters_by_id_name_and_definition(registry):
    at = run_page()
    at.text_input(key="indicators_search").input("dropout").run()
    ok(at)
    entries = every_theme(at)
    assert entries and all("dropout" in label.lower() for label in entries)
    assert len(entries) == sum("dropout" in ind.id for ind in registry)

    at.text_input(key="indicators_search").input("zzz nothing").run()
    ok(at)
    assert not catalogue_entries(at)
    assert any("zzz nothing" in i.value for i in at.info)


def test_the_indicator_parameter_opens_one_in_full(registry):
    at = run_page(indicator="ger_primary")
    assert opener(at).value == "ger_primary"
    assert not url_notices(at)
    assert any("`ger_primary`" in s.value for s in at.subheader)
    assert at.query_params["indicator"] == "ger_primary"

    opener(at).select("").run()
    ok(at)
    assert "indicator" not in at.query_params
    assert not any("`ger_primary`" in s.value for s in at.subheader)


@pytest.mark.parametrize("raw", ["nope", "![x](http://example.org/x.png)"])
def test_an_invalid_indicator_falls_back_to_the_catalogue(registry, raw):
    at = run_page(indicator=raw)
    notices = url_notices(at)
    assert len(notices) == 1 and "](http" not in notices[0]
    assert opener(at).value == ""
    assert len(every_theme(at)) == len(registry)


CATALOGUE_APP = """
import streamlit as st
from ui import extract, indicator_card, nav

def catalogue():
    indicator_card.details(extract.registry().get("ger_primary"), extract.country(), "en")

def a_map():
    st.write("map")

pages = [st.Page(catalogue, title="catalogue", default=True)]
if WITH_MAP:
    pages.append(st.Page(a_map, title="map", url_path="map"))
page = st.navigation(pages)
nav.register(pages)
page.run()
"""


@pytest.mark.parametrize("with_map", [False, True])
def test_the_map_link_appears_only_when_a_map_page_exists(registry, with_map):
    script = CATALOGUE_APP.replace("WITH_MAP", str(with_map))
    at = ok(AppTest.from_string(script, default_timeout=TIMEOUT).run())
    links = at.get("page_link")
    if not with_map:
        assert not links, "no dead link"
        return
    assert len(links) == 1
    assert links[0].proto.label == t("indicators.map_link")
    assert links[0].proto.page == "map"
    assert links[0].proto.query_string == "indicator=ger_primary"


def test_names_from_the_data_package_are_escaped(demo_extract):
    """Quality standards are named by the package: their names reach Markdown escaped."""
    from ui.indicator_card import title

    with db.connect_current(demo_extract) as con:
        country = db.country(con)
    registry = build_registry(country, standards=["![x](http://example.org/x.png)"])
    standard = next(ind for ind in registry if ind.family == "quality_met")
    shown = title(standard, "en")
    assert "](http" not in shown and "\\]\\(" in shown
