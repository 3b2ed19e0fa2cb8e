"""Map plumbing that every map of the app shares (the Map page's choropleth, the Overview's
and the Equity page's small maps, the completeness map of Data quality, a school's
location): where this server serves Leaflet, the box a map opens on, the words of a school's
popup, and drawing a :class:`geo.mapping.MapSpec` with streamlit-folium or as one
self-contained HTML file.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import mapping
from lib import npm
from lib.i18n import t

Bounds = tuple[tuple[float, float], tuple[float, float]]  # (south, west), (north, east)
WORLD: Bounds = ((-60.0, -180.0), (75.0, 180.0))  # a map with nothing to fit
POINT_MARGIN = 0.02  # degrees around a lone point, so that it opens on its surroundings


def asset_url() -> str:
    """Where this server serves ``static/`` (respects ``server.baseUrlPath``)."""
    return npm.served_url(st.get_option("server.baseUrlPath") or "")


def bounds(geometries: Mapping[str, bytes],
           point: tuple[float, float] | None = None) -> Bounds:
    """The box around ``geometries`` (code -> WKB) and ``point`` (latitude, longitude);
    the world when there is neither."""
    boxes = [shapely.total_bounds(shapely.from_wkb(list(geometries.values())))] \
        if geometries else []
    if point is not None:
        lat, lon = point
        boxes.append((lon - POINT_MARGIN, lat - POINT_MARGIN,
                      lon + POINT_MARGIN, lat + POINT_MARGIN))
    if not boxes:
        return WORLD
    west = min(b[0] for b in boxes)
    south = min(b[1] for b in boxes)
    east = max(b[2] for b in boxes)
    north = max(b[3] for b in boxes)
    return ((float(south), float(west)), (float(north), float(east)))


def popup_labels(lang: str, profile_url: str = "") -> mapping.PopupLabels:
    """The words of a school's popup; with ``profile_url`` (the link to a profile without
    its id), a link to the school's profile."""
    return mapping.PopupLabels(
        code=t("map.schools.code", lang), pupils=t("map.schools.pupils", lang),
        ptr=t("map.schools.ptr", lang), no_data=t("format.no_data", lang),
        profile=t("map.schools.profile", lang) if profile_url else "",
        profile_url=profile_url, thousands_sep=t("format.thousands_sep", lang),
        decimal_mark=t("format.decimal_mark", lang))


def draw(spec: mapping.MapSpec, *, key: str, height: int, interactive: bool = True,
         on_click: Callable[[], None] | None = None) -> None:
    """The map of ``spec``. Panning and zooming never rerun the script; a click on an area
    does only with ``on_click`` (which reads the click from ``st.session_state[key]``).
    ``interactive=False``: no zoom or drag (a page scrolls over the map)."""
    m = mapping.choropleth_map(spec, asset_url(), mapping.basemap_from_env(),
                               interactive=interactive)
    st_folium(m, key=key, height=height, use_container_width=True,
              returned_objects=["last_active_drawing"] if on_click else [],
              on_change=on_click)


def standalone_html(spec: mapping.MapSpec) -> bytes:
    """The map of ``spec`` as one HTML file that opens with no network (UTF-8)."""
    url = asset_url()
    return mapping.standalone_html(mapping.choropleth_map(
        spec, url, mapping.basemap_from_env()), url).encode("utf-8")
