"""Which areas a map colours, held in the URL as ``admin`` (architecture.md): an admin level
id of the profile with polygons ("province", "district"). One segmented control, defined
once: the Map page's areas, the Equity page's level of comparison. It offers the levels
with polygons below the area chosen in the sidebar (:func:`lib.areas.map_levels`); with a
single one, it is off and the choice made for the whole country is kept.
"""
from __future__ import annotations

import streamlit as st

from lib.areas import default_map_level, map_levels
from lib.country import admin_level_plural
from lib.i18n import t
from ui import extract, url_state
from ui.filters import Filters
from ui.url_state import widget_key
from ui.values import capitalised

ADMIN = "admin"


def choose(chosen: Filters) -> str:
    """The admin level id whose areas are coloured; the URL's ``admin`` when valid."""
    lang = chosen.lang
    country = extract.country()
    numbers = map_levels(country.polygon_levels, chosen.area_level)
    options = [country.admin_ids[n - 1] for n in numbers]
    default = country.admin_ids[default_map_level(country.polygon_levels,
                                                  chosen.area_level) - 1]

    def label(admin: str) -> str:
        return capitalised(admin_level_plural(country, country.admin_number(admin), lang))

    if len(options) == 1:
        # Inside an area with one level below it: nothing to choose, and the whole-country
        # choice (in the URL and the session) is kept for the way back up.
        st.segmented_control(t("map.admin.label", lang), options, default=options[0],
                             key=f"{widget_key(ADMIN)}_inside_{options[0]}", format_func=label,
                             disabled=True, wrap=True,
                             help=t("map.admin.help_drilled", lang))
        return options[0]
    url_state.choose(ADMIN, options, default, parse=str, label_key="map.param.admin",
                     describe=label)
    admin = st.segmented_control(
        t("map.admin.label", lang), options, key=widget_key(ADMIN), format_func=label,
        required=True, wrap=True,
        help=t("map.admin.help_drilled" if chosen.area else "map.admin.help", lang))
    admin = admin if admin in options else default
    url_state.keep(ADMIN, admin)
    return admin
