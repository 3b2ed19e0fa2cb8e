"""The choropleth map, its controls, and what goes under it (the Map page, the Overview).

The map is built by :mod:`geo.mapping` from cached data and drawn with streamlit-folium,
which reruns the script only on a click (``returned_objects``): a click on a province drills
down to its districts, a click on a district chooses it. The drill-down goes through the
shared sidebar (its province and district), so the sidebar follows and the URL holds it
(``area``). The map's own choices live in the URL as ``indicator``, ``admin`` and ``by``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import assets, mapping
from geo.classify import DEFAULT_CLASSES, MAX_CLASSES, MIN_CLASSES, NO_DATA_COLOUR, SCHEMES
from geo.classify import parse_breaks, qualitative_colours
from lib import choropleth, schools_layer
from lib.choropleth import PARITY, TOTAL, Choropleth
from lib.country import admin_level_name
from lib.equity_view import parity_direction
from lib.i18n import format_number, format_school_year, local_name, t
from lib.indicators import GROUPS, PARITY_SPLITS, Indicator, IndicatorError, split_flags
from lib.indicators.flags import no_value_before_next_year
from ui import extract, indicator_picker, nav, url_state, values
from ui.filters import DISTRICT, PROVINCE, Filters
from ui.markdown import escape
from ui.url_state import widget_key

ADMIN, BY = "admin", "by"  # URL parameters of architecture.md
ADMINS = ("province", "district")
DEFAULT_ADMIN = "district"
SHOW = "map_show"  # session: the value shown ("T", "sex:F", "sex:parity", ...)
SCHEME, CLASSES, BREAKS, PALETTE = "map_scheme", "map_classes", "map_breaks", "map_palette"
LABELS, SCHOOLS, ATTRIBUTE = "map_labels", "map_schools", "map_school_attribute"
CLICK = "map_click"
UNIT_WORDS = {"%": "percent", "ratio": "ratio", "count": "count", "index": "index"}
HEIGHT = 600
DETAIL_COUNTRY, DETAIL_PROVINCE = "medium", "high"  # geo.simplify.DETAIL_TOLERANCES


@dataclass(frozen=True)
class MapChoice:
    """What the map shows, as chosen above it."""

    indicator: str
    admin: str  # areas coloured in the whole-country view: province or district
    by: str | None  # split of the value shown
    group: str  # T, a group of ``by``, or parity
    scheme: str
    k: int
    breaks: tuple[float, ...]
    palette: str
    labels: bool
    schools: bool
    school_attribute: str


@dataclass(frozen=True)
class View:
    """Which areas the map draws: every area of a level, or one province's districts."""

    level: str  # province or district
    province: str  # "" for the whole country
    district: str  # the chosen district, outlined; ""

    @property
    def admin_number(self) -> int:
        return 1 if self.level == "province" else 2

    @property
    def detail(self) -> str:
        return DETAIL_PROVINCE if self.province else DETAIL_COUNTRY


def view_of(chosen: Filters, admin: str) -> View:
    if chosen.province:
        return View("district", chosen.province, chosen.district)
    return View(admin, "", "")


def asset_url() -> str:
    """Where this server serves ``static/`` (respects ``server.baseUrlPath``)."""
    return assets.served_url(st.get_option("server.baseUrlPath") or "")


def app_url(path: str) -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return ("/" + base if base else "") + "/" + path.lstrip("/")


# --------------------------------------------------------------------------- controls


def _show_options(indicator: Indicator, districts: bool) -> list[str]:
    """The values a map of ``indicator`` can show. A district is either a priority district
    or not, so districts have no priority split (provinces and the country do)."""
    out = [TOTAL]
    for split in PARITY_SPLITS:
        if split in indicator.splits and not (districts and split == "priority"):
            out += [f"{split}:{group}" for group in (*GROUPS[split], PARITY)]
    return out


def _split_of(show: str) -> str:
    return show.split(":", 1)[0] if ":" in show else ""


def _group_of(show: str) -> str:
    return show.split(":", 1)[1] if ":" in show else TOTAL


def _default_indicator(options: list[str], level: str) -> str:
    for candidate in (f"ger_{level}", f"ptr_{level}", f"enrolment_{level}"):
        if candidate in options:
            return candidate
    return options[0]


def choose_indicator(chosen: Filters) -> str:
    registry = extract.registry()
    options = [ind.id for ind in registry.for_level(chosen.level)
               if {"province", "district"} <= set(ind.admin_levels)]
    remembered = indicator_picker.remembered()
    default = remembered if remembered in options else _default_indicator(options,
                                                                           chosen.level)
    return indicator_picker.choose(options, default, registry=registry, lang=chosen.lang,
                                   label=t("map.indicator", chosen.lang),
                                   help=t("map.indicator_help", chosen.lang))


def choose_admin(chosen: Filters) -> str:
    lang = chosen.lang

    def label(admin: str) -> str:
        return _capitalised(t(f"admin_level.plural.{admin}", lang))

    url_state.choose(ADMIN, list(ADMINS), DEFAULT_ADMIN, parse=str,
                     label_key="map.param.admin", describe=label)
    admin = st.segmented_control(
        t("map.admin.label", lang), list(ADMINS), key=widget_key(ADMIN), format_func=label,
        disabled=bool(chosen.province), required=True, wrap=True,
        help=t("map.admin.help_drilled" if chosen.province else "map.admin.help", lang))
    admin = admin if admin in ADMINS else DEFAULT_ADMIN
    url_state.keep(ADMIN, admin)
    return admin


def _show_label(show: str, lang: str) -> str:
    if show == TOTAL:
        return t("map.show.total", lang)
    split, group = show.split(":", 1)
    return t(f"map.show.{split}.{group}", lang)


def choose_show(indicator: Indicator, lang: str, districts: bool) -> tuple[str | None, str]:
    """The split (``by``) and the group shown: the total, one group, or the parity index.
    A link's ``by`` shows that split's parity index. ``districts``: the map colours
    districts."""
    options = _show_options(indicator, districts)
    splits = [""] + sorted({_split_of(o) for o in options if o != TOTAL},
                           key=PARITY_SPLITS.index)

    def describe(split: str) -> str:
        return _show_label(f"{split}:{PARITY}" if split else TOTAL, lang)

    def start(split: str) -> str:
        return f"{split}:{PARITY}" if split else TOTAL

    if url_state.incoming(BY) is not None:
        st.session_state[SHOW] = start(url_state.choose(
            BY, splits, "", parse=str, label_key="map.param.by", describe=describe))
    elif st.session_state.get(SHOW) not in options:
        remembered = url_state.remembered(BY, "")
        st.session_state[SHOW] = start(remembered if remembered in splits else "")
    show = st.selectbox(t("map.show.label", lang), options, key=SHOW,
                        format_func=lambda o: _show_label(o, lang),
                        help=t("map.show.help", lang))
    split = _split_of(show)
    url_state.keep(BY, split, split or None)
    return (split or None), _group_of(show)


def choose_classes(group: str, lang: str) -> tuple[str, int, tuple[float, ...], str]:
    """Classification, number of classes, custom breaks and palette (session only)."""
    parity = choropleth.is_parity(group)
    palettes = choropleth.palettes(group)
    if st.session_state.get(PALETTE) not in palettes:
        st.session_state[PALETTE] = palettes[0]
    breaks_key = f"{BREAKS}_{'parity' if parity else 'value'}"
    if breaks_key not in st.session_state:
        st.session_state[breaks_key] = ", ".join(
            format_number(b, "en", 2) for b in choropleth.default_breaks(group))
    if parity and SCHEME not in st.session_state:
        st.session_state[SCHEME] = "custom"
    scheme = st.selectbox(t("map.classes.scheme", lang), SCHEMES, key=SCHEME,
                          format_func=lambda s: t(f"map.scheme.{s}", lang),
                          help=t("map.classes.scheme_help", lang))
    breaks: tuple[float, ...] = ()
    k = DEFAULT_CLASSES
    if scheme == "custom":
        text = st.text_input(t("map.classes.breaks", lang), key=breaks_key,
                             help=t("map.classes.breaks_help", lang))
        try:
            breaks = tuple(parse_breaks(text))
        except ValueError as bad:
            st.error(t("map.classes.breaks_bad", lang, value=escape(str(bad), 20)))
            breaks = ()
        if not MIN_CLASSES - 1 <= len(breaks) <= MAX_CLASSES - 1:
            if text.strip() and breaks:
                st.error(t("map.classes.breaks_count", lang, n=len(breaks)))
            breaks = ()
            scheme = "quantiles"
    else:
        k = st.slider(t("map.classes.k", lang), MIN_CLASSES, MAX_CLASSES, DEFAULT_CLASSES,
                      key=CLASSES)
    palette = st.selectbox(t("map.classes.palette", lang), palettes, key=PALETTE,
                           help=t("map.classes.palette_help_parity" if parity
                                  else "map.classes.palette_help", lang))
    return scheme, k, breaks, palette


def controls(chosen: Filters) -> MapChoice:
    """The choices above the map: indicator, areas coloured, value shown, classes,
    labels and schools."""
    lang = chosen.lang
    top = st.columns([5, 3, 4], vertical_alignment="bottom")
    with top[0]:
        indicator_id = choose_indicator(chosen)
    indicator = extract.registry().get(indicator_id)
    with top[1]:
        admin = choose_admin(chosen)
    with top[2]:
        by, group = choose_show(indicator, lang, admin == "district" or bool(chosen.province))
    row = st.columns([3, 2, 2, 4], vertical_alignment="center")
    with row[0], st.popover(t("map.classes.button", lang), icon=":material/palette:",
                            width="stretch"):
        scheme, k, breaks, palette = choose_classes(group, lang)
    with row[1]:
        labels = st.toggle(t("map.value_labels.label", lang), key=LABELS,
                           help=t("map.value_labels.help", lang))
    with row[2]:
        schools = st.toggle(t("map.schools.toggle", lang), key=SCHOOLS,
                            help=t("map.schools.toggle_help", lang))
    attribute = schools_layer.DEFAULT_ATTRIBUTE
    with row[3]:
        if schools:
            attribute = st.selectbox(
                t("map.schools.attribute", lang), list(schools_layer.ATTRIBUTES),
                key=ATTRIBUTE, format_func=lambda a: _capitalised(t(f"map.schools.attr.{a}",
                                                                    lang)),
                label_visibility="collapsed")
    return MapChoice(indicator_id, admin, by, group, scheme, k, breaks, palette, labels,
                     schools, attribute)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------- drill-down


def drill(province: str, district: str = "") -> None:
    """Show ``province`` (and choose ``district``) through the shared sidebar filters;
    call from a callback, before the sidebar is drawn."""
    url_state.remember(PROVINCE, province)
    url_state.remember(DISTRICT, district)


def _on_click() -> None:
    clicked = (st.session_state.get(CLICK) or {}).get("last_active_drawing")
    if not isinstance(clicked, dict):
        return
    code = str((clicked.get("properties") or {}).get("area") or "")
    units = extract.admin_units()
    match = units.loc[units["code"] == code]
    if match.empty:
        return
    if int(match["level"].iloc[0]) == 1:
        drill(code)
    else:
        drill(str(match["parent_code"].iloc[0]), code)


def back_buttons(chosen: Filters) -> None:
    """The way back up: to the whole country, and from a district to its province."""
    if not chosen.province:
        return
    lang = chosen.lang
    names = extract.area_names(lang)
    with st.container(horizontal=True):
        st.button(t("map.back.country", lang), icon=":material/arrow_upward:",
                  on_click=drill, args=("",), key="map_back_country")
        if chosen.district:
            st.button(t("map.back.province", lang, name=names.get(chosen.province, "")),
                      icon=":material/arrow_upward:", on_click=drill,
                      args=(chosen.province,), key="map_back_province")


# --------------------------------------------------------------------------- data


def compute(chosen: Filters, choice: MapChoice, view: View) -> Choropleth:
    """Classified values of every area of the view's level (the country's classes), the
    view's areas kept."""
    frame = extract.indicator(choice.indicator, view.level, chosen.year, by=choice.by,
                              lang=chosen.lang)
    rows = choropleth.group_rows(frame, choice.group)
    units = extract.admin_units()
    if view.province:
        shown = units.loc[units["parent_code"] == view.province, "code"].tolist()
    else:
        shown = units.loc[units["level"] == view.admin_number, "code"].tolist()
    indicator = extract.registry().get(choice.indicator)
    return choropleth.build(rows, indicator, group=choice.group, shown=shown,
                            scheme=choice.scheme, k=choice.k, breaks=choice.breaks,
                            palette=choice.palette)


def _unit(choice: MapChoice, indicator: Indicator) -> str:
    return "index" if choice.group == PARITY else indicator.unit


def _bound_text(value: float, unit: str, lang: str) -> str:
    return values.format_value(value, unit, lang)


def class_label(ch: Choropleth, i: int, unit: str, lang: str) -> str:
    lo, hi = ch.class_bounds(i)
    if not math.isfinite(lo):
        return t("map.legend.up_to", lang, value=_bound_text(hi, unit, lang))
    if not math.isfinite(hi):
        return t("map.legend.above", lang, value=_bound_text(lo, unit, lang))
    if lo == hi:
        return _bound_text(lo, unit, lang)
    return t("map.legend.range", lang, low=_bound_text(lo, unit, lang),
             high=_bound_text(hi, unit, lang))


def _value_title(choice: MapChoice, indicator: Indicator, lang: str) -> str:
    name = indicator.name(lang)
    if choice.group == TOTAL:
        return name
    return t("map.title_group", lang, name=name, group=_show_label(
        f"{choice.by}:{choice.group}", lang))


def legend(ch: Choropleth, choice: MapChoice, indicator: Indicator, view: View,
           year: int, lang: str) -> mapping.Legend:
    unit = _unit(choice, indicator)
    rows = [mapping.LegendRow(ch.colours[i], class_label(ch, i, unit, lang),
                              format_number(ch.counts[i], lang)) for i in range(ch.classes.k)]
    rows.append(mapping.LegendRow(mapping.NO_DATA_SWATCH, t("map.legend.no_data", lang),
                                  format_number(ch.no_data, lang)))
    areas = t(f"admin_level.plural.{view.level}", lang)
    note = t("map.legend.note", lang, scheme=t(f"map.scheme.{ch.classes.scheme}", lang),
             k=ch.classes.k, areas=areas, year=format_school_year(year, lang))
    if choice.group == PARITY:
        note += " " + t("map.legend.parity_note", lang, direction=t(
            f"parity.direction.{parity_direction(indicator.higher_is_better)}", lang))
    elif indicator.higher_is_better is not None:
        note += " " + t("map.legend.darker_worse", lang)
    return mapping.Legend(_value_title(choice, indicator, lang), tuple(rows), note)


def _areas(ch: Choropleth, unit: str, lang: str, names: dict[str, str]) -> list[mapping.Area]:
    def count(x: float) -> str | None:
        return None if not np.isfinite(x) else format_number(x, lang)
    out = []
    for row in ch.areas.itertuples(index=False):
        flags = ", ".join(values.flag_labels(split_flags(row.flags or ""), lang))
        out.append(mapping.Area(
            code=row.unit_code, name=names.get(row.unit_code, row.unit_name),
            value=values.format_value(row.value, unit, lang), k=int(row.k),
            numerator=count(row.numerator), denominator=count(row.denominator), flags=flags))
    return out


def _bounds(geometries: dict[str, bytes]) -> tuple[tuple[float, float], tuple[float, float]]:
    if not geometries:
        return ((-60.0, -180.0), (75.0, 180.0))
    west, south, east, north = shapely.total_bounds(shapely.from_wkb(list(geometries.values())))
    return ((float(south), float(west)), (float(north), float(east)))


def _hint(view: View, lang: str, interactive: bool) -> str:
    if not interactive:
        return ""
    if not view.province:
        return t("map.hint.drill", lang, areas=t("admin_level.plural.district", lang))
    return t("map.hint.choose", lang)


def schools_spec(chosen: Filters, choice: MapChoice, view: View,
                 profile: bool) -> tuple[mapping.Schools, mapping.PopupLabels, int]:
    """The schools layer of the view, and how many schools could not be placed."""
    lang = chosen.lang
    rows = extract.school_points(chosen.level, chosen.year, view.province or None)
    placed = schools_layer.categorise(rows, choice.school_attribute)
    colours = qualitative_colours(len(placed.categories) - 1, ordered=placed.ordered)
    colours = tuple(colours) + (NO_DATA_COLOUR,)
    group = ("yes_no" if choice.school_attribute in schools_layer.FACILITIES
             else choice.school_attribute)
    names = tuple(t(f"map.schools.cat.{group}.{c}", lang) for c in placed.categories)
    legend_rows = tuple(mapping.LegendRow(colours[i], names[i],
                                          format_number(placed.counts[i], lang))
                        for i in range(len(placed.categories))
                        if placed.counts[i] or i < len(placed.categories) - 1)
    legend = mapping.Legend(t("map.schools.legend", lang, attribute=t(
        f"map.schools.attr.{choice.school_attribute}", lang)), legend_rows)
    points = placed.points
    school_names = [local_name(en, lo, lang)
                    for en, lo in zip(points["name_en"], points["name_local"])]
    schools = mapping.Schools(
        latitude=points["latitude"].to_numpy(dtype="float64"),
        longitude=points["longitude"].to_numpy(dtype="float64"),
        category=points["category"].to_numpy(), school_id=points["school_id"].tolist(),
        name=school_names, pupils=points["pupils"].to_numpy(dtype="float64"),
        ptr=points["ptr"].to_numpy(dtype="float64"), colours=colours, legend=legend,
        category_names=names)
    words = mapping.PopupLabels(
        code=t("map.schools.code", lang), pupils=t("map.schools.pupils", lang),
        ptr=t("map.schools.ptr", lang), no_data=t("format.no_data", lang),
        profile=t("map.schools.profile", lang) if profile else "",
        profile_url=app_url(f"schools?lang={lang}&school=") if profile else "",
        thousands_sep=t("format.thousands_sep", lang), decimal_mark=t("format.decimal_mark",
                                                                      lang))
    return schools, words, placed.without_location


@dataclass(frozen=True)
class Built:
    """A map ready to draw, and what is said under it."""

    spec: mapping.MapSpec
    choropleth: Choropleth
    missing: tuple[str, ...]  # areas shown without a polygon (names)
    unplaced: int | None  # schools without coordinates (None: no schools layer)


def build(chosen: Filters, choice: MapChoice, view: View, *,
          interactive: bool = True) -> Built:
    lang = chosen.lang
    indicator = extract.registry().get(choice.indicator)
    ch = compute(chosen, choice, view)
    geometries = extract.boundaries(view.admin_number, view.detail, view.province or None)
    names = extract.area_names(lang)
    unit = _unit(choice, indicator)
    features = mapping.area_features(geometries, _areas(ch, unit, lang, names),
                                     label_points=choice.labels)
    words = mapping.TipLabels(
        value=_value_title(choice, indicator, lang),
        numerator=indicator.text("numerator", lang) if choice.group != PARITY else "",
        denominator=indicator.text("denominator", lang) if choice.group != PARITY else "",
        hint=_hint(view, lang, interactive))
    schools = school_words = None
    unplaced = None
    if choice.schools:
        schools, school_words, unplaced = schools_spec(chosen, choice, view,
                                                       profile=nav.has_page("schools"))
    spec = mapping.MapSpec(
        features=features, colours=ch.colours, words=words,
        legend=legend(ch, choice, indicator, view, chosen.year, lang),
        bounds=_bounds(geometries), selected=view.district, labels=choice.labels,
        schools=schools, school_words=school_words, no_data=NO_DATA_COLOUR)
    missing = tuple(names.get(code, code) for code in ch.areas["unit_code"]
                    if code not in geometries)
    return Built(spec, ch, missing, unplaced)


# --------------------------------------------------------------------------- drawing


def draw(built: Built, *, key: str = CLICK, height: int = HEIGHT,
         clickable: bool = True) -> None:
    """The map; a click on an area reruns the script (and drills down), panning and
    zooming do not."""
    m = mapping.choropleth_map(built.spec, asset_url(), mapping.basemap_from_env(),
                               interactive=clickable)
    st_folium(m, key=key, height=height, use_container_width=True,
              returned_objects=["last_active_drawing"] if clickable else [],
              on_change=_on_click if clickable else None)


def heading(chosen: Filters, choice: MapChoice, view: View) -> None:
    lang = chosen.lang
    indicator = extract.registry().get(choice.indicator)
    names = extract.area_names(lang)
    country = extract.country()
    if view.province:
        where = t("map.where.province", lang, name=escape(names.get(view.province, "")),
                  admin=escape(admin_level_name(country, 1, lang)))
    else:
        where = escape(extract.country_name(lang))
    st.caption(t("map.caption", lang, value=escape(_value_title(choice, indicator, lang)),
                 year=format_school_year(chosen.year, lang), where=where,
                 areas=t(f"admin_level.plural.{view.level}", lang)))


def under_map(chosen: Filters, choice: MapChoice, view: View, built: Built) -> None:
    """Notes, the values as a sortable table, and the downloads."""
    lang = chosen.lang
    indicator = extract.registry().get(choice.indicator)
    notes = []
    areas = built.choropleth.areas
    if len(areas) and built.choropleth.no_data == len(areas):
        flows = no_value_before_next_year(areas["value"], areas["flags"])
        notes.append(t("chart.all_no_data_flows" if flows else "map.all_no_data", lang,
                       year=format_school_year(chosen.year, lang)))
    if built.unplaced is not None:
        notes.append(t("map.schools.unplaced", lang, n=format_number(built.unplaced, lang)))
    if built.missing:
        notes.append(t("map.missing_polygons", lang,
                       names=", ".join(escape(n) for n in built.missing)))
    if view.province:
        notes.append(t("map.classes_national", lang,
                       areas=t("admin_level.plural.district", lang)))
    for note in notes:
        st.caption(note)
    st.subheader(t("map.table.heading", lang))
    unit = _unit(choice, indicator)
    frame = choropleth.table(built.choropleth)
    names = extract.area_names(lang)
    frame["unit_name"] = [names.get(c, n) for c, n in zip(frame["unit_code"],
                                                           frame["unit_name"])]
    frame["class_label"] = [class_label(built.choropleth, int(k) - 1, unit, lang)
                            if not pd.isna(k) else "" for k in frame["class"]]
    frame["flags"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                      for f in frame["flags"]]
    digits = values.DIGITS.get(unit, 1)
    st.dataframe(
        frame, hide_index=True, height=min(38 + 35 * len(frame), 420),
        column_order=["unit_name", "unit_code", "value", "numerator", "denominator",
                      "class_label", "flags"],
        column_config={
            "unit_name": st.column_config.TextColumn(t("map.table.area", lang)),
            "unit_code": st.column_config.TextColumn(t("map.table.code", lang)),
            "value": st.column_config.NumberColumn(
                t("map.table.value", lang, unit=t(f"map.unit.{UNIT_WORDS[unit]}", lang)),
                format=f"%.{digits}f"),
            "numerator": st.column_config.NumberColumn(t("map.table.numerator", lang),
                                                       format="localized"),
            "denominator": st.column_config.NumberColumn(t("map.table.denominator", lang),
                                                         format="localized"),
            "class_label": st.column_config.TextColumn(t("map.table.class", lang)),
            "flags": st.column_config.TextColumn(t("map.table.flags", lang)),
        }, placeholder=t("format.empty_cell", lang), key="map_table")
    stem = _file_stem(chosen, choice, view)
    row = st.container(horizontal=True)
    with row:
        st.download_button(t("map.download.csv", lang),
                           data=choropleth.csv_bytes(built.choropleth),
                           file_name=f"{stem}.csv", mime="text/csv",
                           icon=":material/download:", on_click="ignore", key="map_csv")
        spec, url = built.spec, asset_url()

        def page() -> bytes:
            quiet = replace(spec, words=replace(spec.words, hint=""))
            return mapping.standalone_html(mapping.choropleth_map(
                quiet, url, mapping.basemap_from_env()), url).encode("utf-8")

        st.download_button(t("map.download.html", lang), data=page,
                           file_name=f"{stem}.html", mime="text/html",
                           icon=":material/map:", on_click="ignore", key="map_html",
                           help=t("map.download.html_help", lang))


def _file_stem(chosen: Filters, choice: MapChoice, view: View) -> str:
    parts = ["map", choice.indicator, str(chosen.year),
             choice.group if choice.group != TOTAL else "",
             chosen.district or chosen.province or view.level]
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", "_".join(p for p in parts if p))


def show_error(error: IndicatorError, lang: str) -> None:
    st.info(t("map.unavailable", lang, reason=escape(str(error))), icon=":material/info:")


# --------------------------------------------------------------------------- small map


def small_map(chosen: Filters, indicator_id: str, *, key: str = "small_map",
              height: int = 340, group: str = TOTAL, by: str | None = None) -> None:
    """A small choropleth from the same builder (for the Overview): the provinces of the
    country, or the districts of the chosen province; tooltips, but no clicks, zoom or
    drag (the page scrolls over it), no table."""
    if chosen.year is None:
        return
    choice = MapChoice(indicator_id, "province", by, group, "quantiles", DEFAULT_CLASSES,
                       (), choropleth.palettes(group)[0], False, False,
                       schools_layer.DEFAULT_ATTRIBUTE)
    view = view_of(chosen, "province")
    try:
        built = build(chosen, choice, view, interactive=False)
    except IndicatorError as error:
        show_error(error, chosen.lang)
        return
    legend = built.spec.legend
    compact = replace(built.spec, legend=replace(legend, note="") if legend else None)
    draw(replace(built, spec=compact), key=key, height=height, clickable=False)
