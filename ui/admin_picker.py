"""Which areas a map colours, held in the URL as ``admin`` (architecture.md): provinces or
districts. One segmented control, defined once: the Map page's areas, the Equity page's
level of comparison. With a province chosen in the sidebar, the control is off: the map
shows that province's districts.
"""
from __future__ import annotations

import streamlit as st

from lib.i18n import t
from ui import url_state
from ui.filters import Filters
from ui.url_state import widget_key
from ui.values import capitalised

ADMIN = "admin"
ADMINS = ("province", "district")
DEFAULT_ADMIN = "district"


def choose(chosen: Filters) -> str:
    """Provinces or districts; the URL's ``admin`` when valid."""
    lang = chosen.lang

    def label(admin: str) -> str:
        return capitalised(t(f"admin_level.plural.{admin}", lang))

    url_state.choose(ADMIN, list(ADMINS), DEFAULT_ADMIN, parse=str,
                     label_key="map.param.admin", describe=label)
    admin = st.segmented_control(
        t("map.admin.label", lang), list(ADMINS), key=widget_key(ADMIN), format_func=label,
        disabled=bool(chosen.province), required=True, wrap=True,
        help=t("map.admin.help_drilled" if chosen.province else "map.admin.help", lang))
    admin = admin if admin in ADMINS else DEFAULT_ADMIN
    url_state.keep(ADMIN, admin)
    return admin
