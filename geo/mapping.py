"""Folium maps of the explorer that work with no internet, and their payloads.

Pure: no Streamlit. :func:`choropleth_map` builds the map the Map page shows (and the
Overview's small one); :func:`standalone_html` turns it into one HTML file with its scripts
inlined.

Offline: every element class used here loads its scripts and stylesheets from the app's own
``static/`` folder (:mod:`geo.assets`), never from folium's CDNs: :class:`OfflineMap`
(Leaflet, and jQuery which folium's map template may call) and :class:`SchoolCluster`
(Leaflet.markercluster). No tile layer unless one is configured; the map then carries its own
``maxZoom``, which the cluster plugin needs. The legend is plain HTML in a Leaflet control:
a branca ColorMap would make streamlit-folium load d3 from public CDNs.

Safe: every text that came from data (area and school names, ids, values, flags) is
HTML-escaped here, before it goes into a tooltip, popup, label or the legend; the page's
scripts only ever join escaped strings.
"""
from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import folium
import numpy as np
import shapely
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from geo import assets
from lib import fonts

__all__ = [
    "Area", "Basemap", "Legend", "LegendRow", "OfflineMap", "SchoolCluster", "Schools",
    "TipLabels", "area_features", "basemap_from_env", "choropleth_map", "schools_payload",
    "SchoolCells", "SchoolGrid", "cells_payload", "standalone_html",
]

MAX_ZOOM = 16  # MarkerCluster needs the map's maxZoom, which a map without tiles lacks
MIN_ZOOM = 2
TILE_URL_VAR = "EMIS_TILE_URL"
TILE_ATTRIBUTION_VAR = "EMIS_TILE_ATTRIBUTION"

# --------------------------------------------------------------------------- data


def esc(value: object) -> str:
    """Text from data as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def _json(value: object) -> str:
    """JSON to place inside a ``<script>``: nothing in it can close the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


@dataclass(frozen=True)
class Area:
    """One area as the map shows it; texts are formatted for the reader, not yet escaped."""

    code: str
    name: str
    value: str  # the value as read ("45.3%"), or the words for no data
    k: int  # its class, -1 for no data
    numerator: str | None = None  # None: the line is left out of the tooltip
    denominator: str | None = None
    flags: str = ""  # flags in words, "" for none


@dataclass(frozen=True)
class TipLabels:
    """The words of a tooltip, in the interface language."""

    value: str
    numerator: str = ""
    denominator: str = ""
    hint: str = ""  # e.g. "Click to see its districts"; empty in a downloaded map


LABEL_CHAR_PX, LABEL_PAD_PX, LABEL_HEIGHT_PX = 7.0, 6.0, 17.0  # an 11 px bold label, haloed
LABEL_ROOM = 0.85  # share of an area's bounding box a label may take: outlines are not boxes


def label_min_zoom(bounds: Sequence[float], text: str) -> float:
    """The lowest zoom at which a value label fits inside an area of these bounds (minx,
    miny, maxx, maxy in degrees): its box, shrunk to :data:`LABEL_ROOM`, holds the label's
    width and height in Web Mercator pixels (256 × 2^zoom to the world). The map shows a
    label from that zoom on, where no larger area's label is already (see
    :class:`ChoroplethLayer`)."""
    minx, miny, maxx, maxy = bounds
    width = LABEL_CHAR_PX * len(text) + LABEL_PAD_PX

    def mercator(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = (maxx - minx) / 360.0 * 256.0 * LABEL_ROOM  # pixels at zoom 0
    span_y = (mercator(maxy) - mercator(miny)) / (2 * math.pi) * 256.0 * LABEL_ROOM
    if span_x <= 0 or span_y <= 0:
        return 99.0
    return round(max(math.log2(width / span_x), math.log2(LABEL_HEIGHT_PX / span_y), 0.0), 2)


def area_features(geometries: Mapping[str, object], areas: Sequence[Area],
                  label_points: bool = False) -> str:
    """The areas as a GeoJSON FeatureCollection (a JSON string), one feature per area that
    has a geometry, in the order of ``areas``.

    Properties: ``code``; ``n`` name, ``v`` value, ``a`` numerator, ``b`` denominator,
    ``f`` flags (all HTML-escaped; ``a``/``b``/``f`` only when present); ``k`` class;
    with ``label_points``, ``lp`` a point inside the area for its value label.
    ``geometries`` maps an area code to a shapely geometry or WKB.
    """
    parts = []
    for area in areas:
        geometry = geometries.get(area.code)
        if geometry is None:
            continue
        if isinstance(geometry, (bytes, bytearray, memoryview)):
            geometry = shapely.from_wkb(bytes(geometry))
        props: dict[str, object] = {"code": esc(area.code), "n": esc(area.name),
                                    "v": esc(area.value), "k": int(area.k)}
        if area.numerator is not None:
            props["a"] = esc(area.numerator)
        if area.denominator is not None:
            props["b"] = esc(area.denominator)
        if area.flags:
            props["f"] = esc(area.flags)
        if label_points:
            point = shapely.point_on_surface(geometry)
            props["lp"] = [round(point.x, 4), round(point.y, 4)]
            props["lz"] = label_min_zoom(shapely.bounds(geometry), html.unescape(
                str(props["v"])))
        parts.append('{"type":"Feature","properties":' + _json(props) + ',"geometry":'
                     + shapely.to_geojson(geometry) + "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


@dataclass(frozen=True)
class LegendRow:
    colour: str
    label: str  # class range, category or "no data"
    count: str = ""  # how many areas (or schools), formatted; "" to leave out


@dataclass(frozen=True)
class Legend:
    title: str
    rows: tuple[LegendRow, ...]
    note: str = ""  # under the title: the classification, what is counted
    warning: str = ""  # under the rows: what the map must not be taken for (schematic)

    def html(self) -> str:
        rows = "".join(
            f'<div class="emis-legend-row"><i style="background:{esc(row.colour)}"></i>'
            f'<span class="emis-legend-label">{esc(row.label)}</span>'
            f'<span class="emis-legend-count">{esc(row.count)}</span></div>'
            for row in self.rows)
        note = f'<div class="emis-legend-note">{esc(self.note)}</div>' if self.note else ""
        warning = (f'<div class="emis-legend-warning">{esc(self.warning)}</div>'
                   if self.warning else "")
        return f'<div class="emis-legend-title">{esc(self.title)}</div>{note}{rows}{warning}'


@dataclass(frozen=True)
class Heading:
    """What a map saved on its own says of itself (text, escaped here): its title, the
    place, year and source, and what it must not be taken for (synthetic data)."""

    title: str
    lines: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def html(self) -> str:
        lines = "".join(f'<div class="emis-heading-line">{esc(x)}</div>' for x in self.lines)
        warnings = "".join(f'<div class="emis-legend-warning">{esc(x)}</div>'
                           for x in self.warnings)
        return f'<div class="emis-heading-title">{esc(self.title)}</div>{lines}{warnings}'


@dataclass(frozen=True)
class Schools:
    """Schools to draw as one clustered layer: parallel sequences, one item per school.

    Names and ids are raw text here; :func:`schools_payload` escapes them.
    """

    latitude: np.ndarray
    longitude: np.ndarray
    category: np.ndarray  # index into ``colours``
    school_id: Sequence[str]
    name: Sequence[str]
    pupils: np.ndarray  # NaN: unknown
    ptr: np.ndarray  # pupils per teacher, NaN: unknown
    colours: tuple[str, ...]
    legend: Legend | None = None
    category_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PopupLabels:
    code: str
    pupils: str
    ptr: str
    no_data: str
    profile: str = ""  # link text; with ``profile_url``
    profile_url: str = ""  # e.g. "/schools?school=" (the id is appended, URL-encoded)
    thousands_sep: str = ","
    decimal_mark: str = "."


def schools_payload(schools: Schools) -> str:
    """The schools as columnar JSON: ``lat``/``lon`` (5 decimals), ``k`` category, ``id``
    and ``n`` (escaped), ``p`` pupils and ``r`` PTR (null when unknown)."""
    def numbers(values: np.ndarray, digits: int) -> list:
        rounded = np.round(np.asarray(values, dtype="float64"), digits)
        return [None if not math.isfinite(v) else (int(v) if digits == 0 else v)
                for v in rounded.tolist()]

    return _json({
        "lat": np.round(np.asarray(schools.latitude, dtype="float64"), 5).tolist(),
        "lon": np.round(np.asarray(schools.longitude, dtype="float64"), 5).tolist(),
        "k": np.asarray(schools.category, dtype="int64").tolist(),
        "id": [esc(v) for v in schools.school_id],
        "n": [esc(v) for v in schools.name],
        "p": numbers(schools.pupils, 0),
        "r": numbers(schools.ptr, 1),
    })


@dataclass(frozen=True)
class Basemap:
    """A tile server the ministry runs (or any it may use), with its attribution."""

    url: str
    attribution: str


def basemap_from_env(environ: Mapping[str, str] = os.environ) -> Basemap | None:
    """The basemap configured by ``EMIS_TILE_URL`` and ``EMIS_TILE_ATTRIBUTION``; None
    (no basemap: boundaries alone make the map) unless both are set."""
    url = (environ.get(TILE_URL_VAR) or "").strip()
    attribution = (environ.get(TILE_ATTRIBUTION_VAR) or "").strip()
    return Basemap(url, attribution) if url and attribution else None


# --------------------------------------------------------------------------- elements


class OfflineMap(folium.Map):
    """A folium map that loads Leaflet from the app's ``static/`` folder instead of CDNs,
    and nothing else it does not need: no Bootstrap, Font Awesome or awesome-markers (no
    element here uses them), and jQuery only when folium's map template calls it (objects
    kept in front)."""

    def __init__(self, asset_url: str, *, max_zoom: int = MAX_ZOOM, min_zoom: int = MIN_ZOOM,
                 **kwargs):
        kwargs.setdefault("tiles", None)
        super().__init__(**kwargs)
        self.asset_url = asset_url
        # folium gives max_zoom/min_zoom to its tile layer only; without one the map would
        # have no maxZoom, which Leaflet.markercluster refuses.
        self.options["max_zoom"] = max_zoom
        self.options["min_zoom"] = min_zoom
        self.default_css = assets.links(assets.LEAFLET_CSS, asset_url)
        if fonts.installed():  # Lao glyphs for "Source Sans Pro" on a machine without Lao fonts
            self.default_css.append(("emis_lao_font", fonts.stylesheet_url(asset_url)))

    @property
    def default_js(self) -> list[tuple[str, str]]:  # read by folium and streamlit-folium
        needed = [r for r in assets.LEAFLET_JS
                  if r[0] != "jquery" or self.objects_to_stay_in_front]
        return assets.links(needed, self.asset_url)


_STYLE = Template("""
{% macro header(this, kwargs) %}
<style>
.leaflet-container { background: #e6ebf0; font-family: "Source Sans Pro", "Noto Sans",
  "Noto Sans Lao", "Segoe UI", sans-serif; }
.emis-tooltip { font-size: 13px; line-height: 1.35; white-space: normal; width: max-content;
  max-width: 300px; }
.emis-tooltip .emis-name { font-weight: 700; font-size: 14px; }
.emis-tooltip .emis-flags { color: #8a4b00; }
.emis-tooltip .emis-hint { color: #52606d; font-style: italic; margin-top: 2px; }
.emis-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 6px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.25); font-size: 12px; line-height: 1.3;
  max-width: 260px; color: #1f2933; }
.emis-legend-title { font-weight: 700; font-size: 13px; margin-bottom: 2px; }
.emis-legend-note { color: #52606d; margin-bottom: 4px; }
.emis-legend-warning { color: #7c2d12; font-weight: 600; margin-top: 4px; }
.emis-heading { max-width: 360px; }
.emis-narrow .emis-legend { max-width: 200px; font-size: 11px; }
.emis-narrow .emis-legend-title::after { content: " \\25BE"; color: #52606d; }
.emis-narrow .emis-folded .emis-legend-title::after { content: " \\25B8"; }
.emis-folded > :not(:first-child) { display: none; }
.emis-narrow .emis-legend-title { cursor: pointer; }
.emis-heading-title { font-weight: 700; font-size: 15px; margin-bottom: 2px; }
.emis-heading-line { color: #323f4b; }
.emis-legend-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.emis-legend-row i { width: 18px; height: 12px; flex: none; border: 1px solid #9aa5b1; }
path.emis-nodata { fill: url(#emis-hatch); }
.emis-legend-label { flex: 1 1 auto; }
.emis-legend-count { color: #52606d; font-variant-numeric: tabular-nums; }
.emis-label { color: #111; font-size: 11px; font-weight: 600; white-space: nowrap;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
.emis-label div { transform: translate(-50%, -50%); display: inline-block; }
.marker-cluster.emis-cluster { background: none; }
.marker-cluster.emis-cluster div { margin: 0; border-radius: 50%;
  box-shadow: 0 0 0 1.5px #1f2933; display: flex; align-items: center;
  justify-content: center; }
.marker-cluster.emis-cluster span { background: #fff; color: #1f2933; font-weight: 700;
  font-size: 11px; line-height: 1; border-radius: 50%; width: 62%; height: 62%;
  display: flex; align-items: center; justify-content: center; }
.emis-popup { font-size: 13px; line-height: 1.4; }
.emis-popup b { font-size: 14px; }
</style>
{% endmacro %}
""")


class _Styles(folium.MacroElement):
    _template = _STYLE


class _Patterns(folium.MacroElement):
    """The hatching of areas without data (an SVG pattern the areas' CSS refers to)."""

    _template = Template("""
{% macro html(this, kwargs) %}
<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
<pattern id="emis-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
 patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f4f6"/>
<line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a0" stroke-width="1.6"/></pattern>
</defs></svg>
{% endmacro %}
""")


NARROW_PX = 320  # the narrowest map drawn (a phone's width less the page's margins)
COLLAPSE_BELOW_PX = 600  # a map narrower than this folds its legends to their titles


class _Fit(folium.MacroElement):
    """The map opens on ``bounds``, the whole of them at any width: beside the legend on a
    wide map (``room`` pixels kept free on the left), edge to edge on a narrow one, whose
    legends fold to their titles (a tap opens them)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var narrow = map.getSize().x < {{ this.collapse_below }};
  map.getContainer().classList.toggle('emis-narrow', narrow);
  map.fitBounds({{ this.bounds }}, {paddingTopLeft: [narrow ? 10 : {{ this.room }}, 10],
                                     paddingBottomRight: [10, 10]});
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, bounds: list[list[float]], room: int):
        super().__init__()
        self._name = "Fit"
        self.bounds = _json(bounds)
        self.room = int(room)
        self.collapse_below = COLLAPSE_BELOW_PX


class _FocusWithoutScroll(folium.MacroElement):
    """Leaflet focuses the map on a mouse press (for its keyboard controls) without
    ``preventScroll``: in a frame partly below the fold, the page then scrolls the frame into
    view between the press and the release, and the click is lost. The press handler is
    swapped for one that focuses without scrolling; the keyboard controls stay."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (map) {
  var keyboard = map.keyboard;
  if (!keyboard) { return; }
  L.DomEvent.off(map._container, 'mousedown', L.Map.Keyboard.prototype._onMouseDown, keyboard);
  keyboard._onMouseDown = function () {
    if (!this._focused) { this._map._container.focus({preventScroll: true}); }
  };
  L.DomEvent.on(map._container, 'mousedown', keyboard._onMouseDown, keyboard);
})({{ this._parent.get_name() }});
{% endmacro %}
""")


NO_DATA_SWATCH = "repeating-linear-gradient(45deg, #f3f4f6 0 3px, #8a94a0 3px 4.5px)"
"""The legend's swatch for "no data", drawn like the hatched areas."""


class ChoroplethLayer(Layer):
    """The areas, filled by class, with tooltips, hover, an outlined selected area, value
    labels on demand; a click reports only the area's code (streamlit-folium sends the
    clicked layer's ``toGeoJSON()`` back to the app)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function (map) {
  var colours = {{ this.colours }}, noData = {{ this.no_data }}, words = {{ this.words }};
  var selected = {{ this.selected }};
  function tip(p) {
    var h = '<div class="emis-name">' + p.n + '</div><div>' + words.value + ': <b>' + p.v
      + '</b></div>';
    if (p.a !== undefined) h += '<div>' + words.numerator + ': ' + p.a + '</div>';
    if (p.b !== undefined) h += '<div>' + words.denominator + ': ' + p.b + '</div>';
    if (p.f !== undefined) h += '<div class="emis-flags">\u26a0 ' + p.f + '</div>';
    if (words.hint) h += '<div class="emis-hint">' + words.hint + '</div>';
    return h;
  }
  function style(f) {
    var k = f.properties.k, chosen = f.properties.code === selected;
    return {fillColor: k < 0 ? noData : colours[k], fillOpacity: 0.9,
            color: chosen ? '#111111' : '#6b7785', weight: chosen ? 3 : 0.6, opacity: 1};
  }
  var layer = L.geoJSON({{ this.data }}, {
    style: style,
    onEachFeature: function (f, l) {
      if (f.properties.k < 0) l.options.className = 'emis-nodata';
      l.bindTooltip(tip(f.properties), {sticky: true, className: 'emis-tooltip'});
      l.on('mouseover', function () { l.setStyle({weight: 2.5, color: '#1f2933'}); });
      l.on('mouseout', function () { layer.resetStyle(l); });
      l.toGeoJSON = function () {
        return {type: 'Feature', properties: {area: f.properties.code}, geometry: null};
      };
    }
  });
  {%- if this.labels %}
  // Value labels only where they fit: from the zoom at which the area holds its label
  // (lz), the larger areas first, none over another.
  var labels = [];
  layer.eachLayer(function (l) {
    var p = l.feature.properties;
    if (p.lp && p.k >= 0) {
      labels.push({lz: p.lz, at: L.latLng(p.lp[1], p.lp[0]),
                   w: {{ this.char_px }} * p.v.length + {{ this.pad_px }},
                   marker: L.marker([p.lp[1], p.lp[0]], {interactive: false, keyboard: false,
                     icon: L.divIcon({className: 'emis-label', html: '<div>' + p.v + '</div>',
                                      iconSize: null})})});
    }
  });
  labels.sort(function (a, b) { return a.lz - b.lz; });
  function placeLabels() {
    var zoom = map.getZoom(), taken = [];
    labels.forEach(function (label) {
      var pt = map.latLngToLayerPoint(label.at), h = {{ this.height_px }};
      var box = [pt.x - label.w / 2, pt.y - h / 2, pt.x + label.w / 2, pt.y + h / 2];
      var free = label.lz <= zoom + 1e-9 && !taken.some(function (o) {
        return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
      });
      if (free) { taken.push(box); label.marker.addTo(map); }
      else { label.marker.remove(); }
    });
  }
  map.on('zoomend', placeLabels);
  map.whenReady(placeLabels);
  {%- endif %}
  return layer;
})({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, features: str, colours: Sequence[str], words: TipLabels, *,
                 selected: str = "", labels: bool = False, no_data: str = "#d4d4d4"):
        super().__init__(name="areas", overlay=True, control=False)
        self._name = "ChoroplethLayer"
        self.data = features
        self.colours = _json([str(c) for c in colours])
        self.no_data = _json(no_data)
        self.words = _json({"value": esc(words.value), "numerator": esc(words.numerator),
                            "denominator": esc(words.denominator), "hint": esc(words.hint)})
        self.selected = _json(esc(selected))
        self.labels = labels
        self.char_px, self.pad_px, self.height_px = LABEL_CHAR_PX, LABEL_PAD_PX, LABEL_HEIGHT_PX


class LegendControl(folium.MacroElement):
    """The legend (or a heading) as a Leaflet control (HTML escaped by :class:`Legend` and
    :class:`Heading`)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: {{ this.position }}});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create('div', {{ this.css_class }});
  div.innerHTML = {{ this.content }};
  var map = {{ this._parent.get_name() }};
  if (map.getContainer().classList.contains('emis-narrow')) {
    div.classList.add('emis-folded');
  }
  var title = div.firstElementChild;
  if (title) {
    title.setAttribute('role', 'button');
    title.setAttribute('tabindex', '0');
    L.DomEvent.on(title, 'click', function () { div.classList.toggle('emis-folded'); });
  }
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, legend: Legend | Heading, position: str = "bottomright",
                 css_class: str = "emis-legend"):
        super().__init__()
        self._name = "LegendControl"
        self.content = _json(legend.html())
        self.position = _json(position)
        self.css_class = _json(css_class)


# A donut of schools' categories, their count in the middle (the clusters of the schools
# layer and the cells of a grid of schools draw the same).
_DONUT_JS = """
  function donut(counts, colours) {
    var n = counts.reduce(function (a, b) { return a + b; }, 0);
    var size = n < 100 ? 34 : (n < 1000 ? 40 : 48), stops = [], at = 0;
    counts.forEach(function (k, j) {
      if (!k) return;
      var to = at + 100 * k / n;
      stops.push(colours[j] + ' ' + at.toFixed(2) + '% ' + to.toFixed(2) + '%');
      at = to;
    });
    var label = n < 10000 ? String(n) : Math.round(n / 1000) + 'k';
    return L.divIcon({html: '<div style="width:' + size + 'px;height:' + size
                        + 'px;background:conic-gradient(' + stops.join(',') + ')"><span>'
                        + label + '</span></div>',
                      className: 'marker-cluster emis-cluster', iconSize: L.point(size, size)});
  }
"""


class SchoolCluster(MarkerCluster):
    """Schools as one layer carrying the data: one JSON payload, circle markers made in the
    browser and clustered when zoomed out (never one folium.Marker per school). One popup,
    filled on click. Leaflet.markercluster comes from ``static/``."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var d = {{ this.data }}, colours = {{ this.colours }}, w = {{ this.words }};
  var names = {{ this.category_names }};
  var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
  // Each cluster a donut of its schools' categories (as DHIS2 draws them): the mix is
  // seen at the country's zoom, not only once the schools stand apart.
""" + _DONUT_JS + """
  cluster.options.iconCreateFunction = function (c) {
    var counts = colours.map(function () { return 0; });
    c.getAllChildMarkers().forEach(function (m) { counts[d.k[m._school]] += 1; });
    return donut(counts, colours);
  };
  // A click on a school must not count as a click on an area: report no feature.
  var School = L.CircleMarker.extend({toGeoJSON: function () { return null; }});
  function number(x, digits) {
    if (x === null || x === undefined) return w.no_data;
    var s = Math.abs(x).toFixed(digits), parts = s.split('.');
    var whole = parts[0].replace(/\\B(?=(\\d{3})+(?!\\d))/g, w.sep);
    return (x < 0 ? '-' : '') + whole + (parts.length > 1 ? w.dec + parts[1] : '');
  }
  function unescaped(s) { var t = document.createElement('textarea'); t.innerHTML = s;
                          return t.value; }
  function popup(i) {
    var h = '<div class="emis-popup"><b>' + d.n[i] + '</b><br>' + w.code + ': ' + d.id[i]
      + '<br>' + w.pupils + ': ' + number(d.p[i], 0) + '<br>' + w.ptr + ': '
      + number(d.r[i], 1);
    if (names.length) h += '<br>' + names[d.k[i]];
    if (w.profile_url) {
      h += '<br><a href="' + w.profile_url + encodeURIComponent(unescaped(d.id[i]))
        + '" target="_blank" rel="noopener">' + w.profile + '</a>';
    }
    return h + '</div>';
  }
  var markers = new Array(d.lat.length);
  for (var i = 0; i < d.lat.length; i++) {
    var m = new School([d.lat[i], d.lon[i]], {radius: 6, weight: 1.2, color: '#1f2933',
      fillColor: colours[d.k[i]], fillOpacity: 1});
    m._school = i;
    markers[i] = m;
  }
  cluster.on('click', function (e) {
    if (e.layer && e.layer._school !== undefined) {
      L.popup({maxWidth: 280}).setLatLng(e.layer.getLatLng())
        .setContent(popup(e.layer._school)).openOn({{ this._parent.get_name() }});
    }
  });
  // On the map before the markers go in: added before, each marker would be checked
  // against all those before it (quadratic).
  cluster.addTo({{ this._parent.get_name() }});
  cluster.addLayers(markers);
  return cluster;
})();
{% endmacro %}
""")

    def __init__(self, schools: Schools, words: PopupLabels, asset_url: str):
        super().__init__(name="schools", overlay=True, control=False, show=False,
                         chunkedLoading=True, chunkInterval=250, chunkDelay=10,
                         showCoverageOnHover=False, maxClusterRadius=60,
                         spiderfyOnMaxZoom=True, disableClusteringAtZoom=13)
        self._name = "SchoolCluster"
        self.default_js = assets.links(assets.MARKERCLUSTER_JS, asset_url)
        self.default_css = assets.links(assets.MARKERCLUSTER_CSS, asset_url)
        self.data = schools_payload(schools)
        self.colours = _json(list(schools.colours))
        self.category_names = _json([esc(n) for n in schools.category_names])
        self.words = _json({
            "code": esc(words.code), "pupils": esc(words.pupils), "ptr": esc(words.ptr),
            "no_data": esc(words.no_data), "profile": esc(words.profile),
            "profile_url": esc(words.profile_url), "sep": esc(words.thousands_sep),
            "dec": esc(words.decimal_mark)})


@dataclass(frozen=True)
class SchoolCells:
    """Schools counted in the cells of a grid (too many to send one by one): for each
    cell, where its schools are on average and how many fall in each category."""

    latitude: np.ndarray
    longitude: np.ndarray
    counts: np.ndarray  # one row per cell, one column per category (index into colours)
    colours: tuple[str, ...]
    category_names: tuple[str, ...]
    schools_word: str  # "schools", after a count
    hint: str  # what to do to see each school
    legend: Legend | None = None
    note: str = ""  # said under the map: that the schools are counted in cells, and why


def cells_payload(cells: SchoolCells) -> str:
    """The cells as columnar JSON: ``lat``/``lon`` (4 decimals) and ``c`` the counts."""
    return _json({
        "lat": np.round(np.asarray(cells.latitude, dtype="float64"), 4).tolist(),
        "lon": np.round(np.asarray(cells.longitude, dtype="float64"), 4).tolist(),
        "c": np.asarray(cells.counts, dtype="int64").tolist(),
    })


class SchoolGrid(MarkerCluster):
    """Schools as the cells of a grid, each a donut of its schools' categories with their
    count and a popup of the counts and of how to see each school; cells that would
    overlap at the map's zoom are clustered, their counts summed."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var d = {{ this.data }}, colours = {{ this.colours }}, names = {{ this.category_names }};
  var w = {{ this.words }};
""" + _DONUT_JS + """
  var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
  cluster.options.iconCreateFunction = function (c) {
    var counts = colours.map(function () { return 0; });
    c.getAllChildMarkers().forEach(function (m) {
      m._counts.forEach(function (k, j) { counts[j] += k; }); });
    return donut(counts, colours);
  };
  // A click on a cell must not count as a click on an area: report no feature.
  var Cell = L.Marker.extend({toGeoJSON: function () { return null; }});
  function number(x) { return String(x).replace(/\\B(?=(\\d{3})+(?!\\d))/g, w.sep); }
  var markers = new Array(d.lat.length);
  for (var i = 0; i < d.lat.length; i++) {
    var counts = d.c[i], n = counts.reduce(function (a, b) { return a + b; }, 0);
    var h = '<div class="emis-popup"><b>' + number(n) + ' ' + w.schools + '</b>';
    counts.forEach(function (k, j) { if (k) h += '<br>' + names[j] + ': ' + number(k); });
    h += '<br><i>' + w.hint + '</i></div>';
    var m = new Cell([d.lat[i], d.lon[i]], {icon: donut(counts, colours), keyboard: false});
    m._counts = counts;
    markers[i] = m.bindPopup(h, {maxWidth: 280});
  }
  cluster.addTo({{ this._parent.get_name() }});
  cluster.addLayers(markers);
  return cluster;
})();
{% endmacro %}
""")

    def __init__(self, cells: SchoolCells, asset_url: str, thousands_sep: str = ","):
        super().__init__(name="school cells", overlay=True, control=False, show=False,
                         showCoverageOnHover=False, maxClusterRadius=50)
        self._name = "SchoolGrid"
        self.default_js = assets.links(assets.MARKERCLUSTER_JS, asset_url)
        self.default_css = assets.links(assets.MARKERCLUSTER_CSS, asset_url)
        self.data = cells_payload(cells)
        self.colours = _json(list(cells.colours))
        self.category_names = _json([esc(n) for n in cells.category_names])
        self.words = _json({"schools": esc(cells.schools_word), "hint": esc(cells.hint),
                            "sep": esc(thousands_sep)})


# --------------------------------------------------------------------------- builders


@dataclass(frozen=True)
class MapSpec:
    """Everything :func:`choropleth_map` draws."""

    features: str  # from area_features
    colours: tuple[str, ...]  # one per class
    words: TipLabels
    legend: Legend | None
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))
    selected: str = ""
    labels: bool = False
    schools: "Schools | SchoolCells | None" = None  # each school, or their grid's cells
    school_words: PopupLabels | None = None
    legend_position: str = "bottomleft"
    legend_room: int = 230  # pixels kept free beside the areas for the legend
    school_legend_position: str = "topright"
    no_data: str = "#d4d4d4"
    heading: Heading | None = None  # a map saved on its own: its title, year, source
    extra: dict = field(default_factory=dict)


def fit_zoom(bounds: tuple[tuple[float, float], tuple[float, float]],
             width: int = 800, height: int = 560) -> float:
    """The Web Mercator zoom at which ``bounds`` fill a ``width`` x ``height`` pixel map.

    The map's minimum zoom is set a little below it: zooming further out shows nothing
    more, and each zoom level the cluster plugin need not prepare saves time with many
    schools."""
    (south, west), (north, east) = bounds

    def y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = max(east - west, 1e-6) / 360.0
    span_y = max(y(north) - y(south), 1e-6) / (2 * math.pi)
    return max(0.0, min(math.log2(width / (256 * span_x)), math.log2(height / (256 * span_y))))


def choropleth_map(spec: MapSpec, asset_url: str, basemap: Basemap | None = None,
                   interactive: bool = True) -> folium.Map:
    """A map of ``spec``: areas by class, legend, optional schools, fitted to ``bounds``.

    ``asset_url`` is where the browser finds the files of :mod:`geo.assets`.
    ``interactive=False`` gives a still map (no zoom or drag), for small maps.
    """
    options = {} if interactive else dict(zoom_control=False, dragging=False,
                                          scroll_wheel_zoom=False, double_click_zoom=False,
                                          box_zoom=False, keyboard=False, touch_zoom=False)
    # Zooming out stops a little beyond the whole country on the narrowest screen (a phone
    # held upright), not on a desktop's: a phone could otherwise never see all of it.
    min_zoom = max(MIN_ZOOM, math.floor(fit_zoom(spec.bounds, NARROW_PX, NARROW_PX)) - 1)
    m = OfflineMap(asset_url, location=None, zoom_snap=0.25, control_scale=interactive,
                   min_zoom=min_zoom, **options)
    m.add_child(_Styles())
    m.add_child(_Patterns())
    if interactive:
        m.add_child(_FocusWithoutScroll())
    (south, west), (north, east) = spec.bounds
    # The view first, so that layers are drawn once, at their zoom.
    # Room for the legend at the bottom left: tall countries shift right, wide ones shrink.
    m.add_child(_Fit([[south, west], [north, east]],
                     spec.legend_room if spec.legend is not None else 10))
    if basemap is not None:
        folium.TileLayer(tiles=basemap.url, attr=esc(basemap.attribution),
                         max_zoom=MAX_ZOOM, name="basemap", control=False).add_to(m)
    if spec.heading is not None:  # first: above the schools' legend in its corner
        LegendControl(spec.heading, "topright", "emis-legend emis-heading").add_to(m)
    ChoroplethLayer(spec.features, spec.colours, spec.words, selected=spec.selected,
                    labels=spec.labels, no_data=spec.no_data).add_to(m)
    if isinstance(spec.schools, SchoolCells):
        SchoolGrid(spec.schools, asset_url, spec.school_words.thousands_sep
                   if spec.school_words else ",").add_to(m)
    elif spec.schools is not None and spec.school_words is not None:
        SchoolCluster(spec.schools, spec.school_words, asset_url).add_to(m)
    if spec.schools is not None and spec.schools.legend is not None:
        LegendControl(spec.schools.legend, spec.school_legend_position).add_to(m)
    if spec.legend is not None:
        LegendControl(spec.legend, spec.legend_position).add_to(m)
    return m


def standalone_html(m: folium.Map, asset_url: str,
                    static_dir=assets.STATIC_DIR) -> str:
    """The map as one HTML file with every script and stylesheet inlined: it opens with no
    network."""
    return assets.inline_html(m.get_root().render(), asset_url, static_dir)
