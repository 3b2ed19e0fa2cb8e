"""The Map page's sections: the choices above the map, the drill-down, the caption, the map
and what goes under it (notes, the values as a table, downloads).

The map itself is built by :mod:`ui.indicator_map` and drawn by :func:`ui.maps.draw`,
which reruns the script only on a click: a click on an area chooses it, and the map then
shows the areas of the next level with polygons within it (an area of the finest such
level is outlined among its neighbours). The drill-down goes through the shared sidebar
(its list per admin level), so the sidebar follows and the URL holds it (``area``). The
map's own choices live in the URL as ``indicator``, ``admin`` and ``by``.
"""
from __future__ import annotations

import re
from functools import partial

import pandas as pd
import streamlit as st

from geo import mapping
from geo.classify import DEFAULT_CLASSES, MAX_CLASSES, MIN_CLASSES, SCHEMES, parse_breaks
from lib import choropleth, schools_layer
from lib.areas import level_word
from lib.country import admin_level_name
from lib.i18n import format_number, format_school_year, plural, t
from lib.indicators import Indicator, IndicatorError, preferred_indicator, split_flags
from lib.indicators.flags import no_value_before_next_year
from lib.vocabulary import AREA, GROUPS, PARITY, PARITY_SPLITS, SPLIT, TOTAL
from ui import (admin_picker, extract, indicator_map, indicator_picker, maps, tables, url_state,
                values)
from ui.filters import Filters, area_key
from ui.indicator_map import (Built, MapChoice, View, class_label, show_label, unit_of,
                              value_title)
from ui.markdown import escape
from ui.split_picker import BY
from ui.url_state import widget_key
from ui.values import capitalised

SHOW = "map_show"  # session: the value shown ("T", "sex:F", "sex:parity", ...)
# URL parameters of the map's own choices (architecture.md: every choice in the URL): the
# classification, its number of classes or its breaks, the palette, value labels, and the
# schools layer with the attribute its points show.
SCHEME, CLASSES, BREAKS, PALETTE = "classes", "k", "breaks", "palette"
LABELS, SCHOOLS, ATTRIBUTE = "labels", "schools", "colour_schools_by"
SINCE = "since"  # a change map: the earlier year
NO_CHANGE = 0  # the value of "since" for the values of the year shown
ON = "1"  # a switch that is on, in the URL; off is absent
CLICK = "map_click"
UNIT_WORDS = {"%": "percent", "ratio": "ratio", "count": "count", "index": "index"}


def show(chosen: Filters) -> None:
    """The whole page below its title, for a chosen year."""
    choice = controls(chosen)
    view = indicator_map.view_of(chosen, choice.admin)
    heading(chosen, choice, view)
    back_buttons(chosen)
    try:
        built = indicator_map.build(chosen, choice, view)
    except IndicatorError as error:
        indicator_map.show_error(error, chosen.lang)
    else:
        maps.draw(built.spec, key=CLICK, height=indicator_map.HEIGHT, on_click=_on_click)
        under_map(chosen, choice, view, built)


# --------------------------------------------------------------------------- controls


def _show_options(indicator: Indicator, districts: bool) -> list[str]:
    """The values a map of ``indicator`` can show: the total, each group of a split with a
    parity index and that index, each group of the package's dimensions (ethnicity…). A
    district is either a priority district or not, so districts have no priority split
    (provinces and the country do)."""
    out = [TOTAL]
    for split in PARITY_SPLITS:
        if split in indicator.splits and not (districts and SPLIT[split].of_district):
            out += [f"{split}:{group}" for group in (*GROUPS[split], PARITY)]
    for split in extract.registry().dimensions:
        if split in indicator.splits:
            out += [f"{split}:{group}" for group in extract.split_groups(split)]
    return out


def _start(split: str) -> str:
    """What a split shows first: its parity index, or its first group."""
    if not split:
        return TOTAL
    return f"{split}:{PARITY}" if split in PARITY_SPLITS else \
        f"{split}:{extract.split_groups(split)[0]}"


def _split_of(show: str) -> str:
    return show.split(":", 1)[0] if ":" in show else ""


def _group_of(show: str) -> str:
    return show.split(":", 1)[1] if ":" in show else TOTAL


def choose_indicator(chosen: Filters) -> str:
    registry = extract.registry()
    options = [ind.id for ind in registry.for_level(chosen.level)
               if AREA in ind.admin_levels]
    default = preferred_indicator(options, chosen.level, indicator_picker.remembered(),
                                  partial(extract.has_data, year=chosen.year))
    return indicator_picker.choose(options, default, registry=registry, lang=chosen.lang,
                                   label=t("map.indicator", chosen.lang),
                                   help=t("map.indicator_help", chosen.lang))


def choose_show(indicator: Indicator, lang: str, districts: bool) -> tuple[str | None, str]:
    """The split (``by``) and the group shown: the total, one group, or the parity index.
    A link's ``by`` shows that split's parity index (a dimension's first group).
    ``districts``: the map colours districts."""
    options = _show_options(indicator, districts)
    splits = [""] + list(dict.fromkeys(_split_of(o) for o in options if o != TOTAL))

    def describe(split: str) -> str:
        return show_label(_start(split), lang)

    start = _start

    if url_state.incoming(BY) is not None:
        st.session_state[SHOW] = start(url_state.choose(
            BY, splits, "", parse=str, label_key="map.param.by", describe=describe))
    elif st.session_state.get(SHOW) not in options:
        remembered = url_state.remembered(BY, "")
        st.session_state[SHOW] = start(remembered if remembered in splits else "")
    show = st.selectbox(t("map.show.label", lang), options, key=SHOW,
                        format_func=lambda o: show_label(o, lang),
                        help=t("map.show.help", lang))
    split = _split_of(show)
    url_state.keep(BY, split, split or None)
    return (split or None), _group_of(show)


def choose_since(chosen: Filters) -> int | None:
    """A change map: the change since an earlier census year (``since`` in the URL), or
    none (the values of the year shown)."""
    lang = chosen.lang
    earlier = [y for y in sorted(extract.info().years, reverse=True) if y < chosen.year]

    def label(year: int) -> str:
        return format_school_year(year, lang) if year else t("map.change.none", lang)

    # 0, not None, for no change: a select box shows None as nothing chosen yet.
    options: list[int] = [NO_CHANGE, *earlier]
    url_state.choose(SINCE, options, NO_CHANGE, parse=int, label_key="map.param.since",
                     describe=label)
    since = st.selectbox(t("map.change.label", lang), options, key=widget_key(SINCE),
                         format_func=label, help=t("map.change.help", lang))
    since = since if since in earlier else NO_CHANGE
    url_state.keep(SINCE, since, str(since) if since else None)
    return since or None


def choose_classes(group: str, lang: str, change: bool = False
                   ) -> tuple[str, int, tuple[float, ...], str]:
    """Classification, number of classes, custom breaks and palette, each in the URL
    (``change``: a change map, whose palettes diverge)."""
    parity = choropleth.is_parity(group)
    palettes = choropleth.palettes(group, change)
    scheme = url_state.choose(SCHEME, list(SCHEMES), "custom" if parity else "quantiles",
                              parse=str, label_key="map.param.classes",
                              describe=lambda s: t(f"map.scheme.{s}", lang))
    scheme = st.selectbox(t("map.classes.scheme", lang), SCHEMES, key=widget_key(SCHEME),
                          format_func=lambda s: t(f"map.scheme.{s}", lang),
                          help=t("map.classes.scheme_help", lang))
    url_state.keep(SCHEME, scheme)
    breaks: tuple[float, ...] = ()
    k = DEFAULT_CLASSES
    if scheme == "custom":
        breaks = _choose_breaks(group, lang)
        url_state.write(CLASSES, None)
        if not breaks:
            scheme = "quantiles"
    else:
        url_state.write(BREAKS, None)
        url_state.choose(CLASSES, list(range(MIN_CLASSES, MAX_CLASSES + 1)), DEFAULT_CLASSES,
                         parse=int, label_key="map.param.k", describe=str)
        k = st.slider(t("map.classes.k", lang), MIN_CLASSES, MAX_CLASSES,
                      key=widget_key(CLASSES))
        url_state.keep(CLASSES, k, str(k) if k != DEFAULT_CLASSES else None)
    url_state.choose(PALETTE, palettes, palettes[0], parse=str,
                     label_key="map.param.palette", describe=str)
    palette = st.selectbox(t("map.classes.palette", lang), palettes, key=widget_key(PALETTE),
                           help=t("map.classes.palette_help_parity" if parity or change
                                  else "map.classes.palette_help", lang))
    url_state.keep(PALETTE, palette, palette if palette != palettes[0] else None)
    return scheme, k, breaks, palette


def _usable_breaks(text: str) -> tuple[float, ...]:
    """Breaks that cut between MIN_CLASSES and MAX_CLASSES classes; raise ValueError."""
    breaks = tuple(parse_breaks(text))
    if not MIN_CLASSES - 1 <= len(breaks) <= MAX_CLASSES - 1:
        raise ValueError(text)
    return breaks


def _choose_breaks(group: str, lang: str) -> tuple[float, ...]:
    """Custom breaks, typed as "90, 100, 110": the URL's when valid, else this session's
    (one text for values, one for parity indices), else the defaults. Empty when the text
    typed is not usable, which is said."""
    default = ", ".join(format_number(b, "en", 2) for b in choropleth.default_breaks(group))
    key = f"map_breaks_{'parity' if choropleth.is_parity(group) else 'value'}"
    raw = url_state.incoming(BREAKS)
    if raw is not None:
        try:
            _usable_breaks(raw)
            st.session_state[key] = raw.replace(",", ", ").replace("  ", " ")
        except ValueError:
            url_state.notice("map.param.breaks", raw, default)
    st.session_state.setdefault(key, default)
    text = st.text_input(t("map.classes.breaks", lang), key=key,
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
    url_state.write(BREAKS, ",".join(f"{b:g}" for b in breaks) or None)
    return breaks


def _switch_value(raw: str) -> bool:
    if raw not in (ON, "0"):
        raise ValueError(raw)
    return raw == ON


def _switch(name: str, label: str, help_text: str, lang: str) -> bool:
    """A toggle held in the URL as ``name=1`` when on."""
    url_state.choose(name, [False, True], False, parse=_switch_value,
                     label_key=f"map.param.{name}", describe=lambda on: t(
                         "map.param.on" if on else "map.param.off", lang))
    on = st.toggle(label, key=widget_key(name), help=help_text)
    url_state.keep(name, on, ON if on else None)
    return on


def controls(chosen: Filters) -> MapChoice:
    """The choices above the map: indicator, areas coloured, value shown, classes,
    labels and schools."""
    lang = chosen.lang
    top = st.columns([5, 3, 4, 3], vertical_alignment="bottom")
    with top[0]:
        indicator_id = choose_indicator(chosen)
    indicator = extract.registry().get(indicator_id)
    with top[1]:
        admin = admin_picker.choose(chosen)
    with top[2]:
        by, group = choose_show(indicator, lang, admin == extract.country().admin_ids[-1])
    with top[3]:
        since = choose_since(chosen)
    row = st.columns([3, 2, 2, 4], vertical_alignment="center")
    with row[0], st.popover(t("map.classes.button", lang), icon=":material/palette:",
                            width="stretch"):
        scheme, k, breaks, palette = choose_classes(group, lang, since is not None)
    with row[1]:
        labels = _switch(LABELS, t("map.value_labels.label", lang),
                         t("map.value_labels.help", lang), lang)
    with row[2]:
        schools = extract.has_values("schools", "latitude") and _switch(  # placed schools
            SCHOOLS, t("map.schools.toggle", lang), t("map.schools.toggle_help", lang), lang)
    attribute = schools_layer.DEFAULT_ATTRIBUTE
    shown = [a for a in schools_layer.ATTRIBUTES  # what the package has values for
             if extract.has_values(*schools_layer.SOURCES[a])]
    with row[3]:
        if schools and shown:
            def attribute_name(a: str) -> str:
                return capitalised(t(f"map.schools.attr.{a}", lang))

            default = attribute if attribute in shown else shown[0]
            url_state.choose(ATTRIBUTE, shown, default, parse=str,
                             label_key="map.param.colour_schools_by", describe=attribute_name)
            attribute = st.selectbox(
                t("map.schools.attribute", lang), shown, key=widget_key(ATTRIBUTE),
                format_func=attribute_name, label_visibility="collapsed")
            url_state.keep(ATTRIBUTE, attribute, attribute if attribute != default else None)
    return MapChoice(indicator_id, admin, by, group, scheme, k, breaks, palette, labels,
                     schools, attribute, since)


# --------------------------------------------------------------------------- drill-down


def drill(area: str) -> None:
    """Choose ``area`` ("" for the whole country) in the shared sidebar filters; call from
    a callback, before the sidebar is drawn."""
    line = extract.area_lines().get(area, ())
    for number in range(1, len(extract.country().admin_levels) + 1):
        url_state.remember(area_key(number), line[number - 1] if number <= len(line) else "")


def _on_click() -> None:
    clicked = (st.session_state.get(CLICK) or {}).get("last_active_drawing")
    if not isinstance(clicked, dict):
        return
    code = str((clicked.get("properties") or {}).get("area") or "")
    if code in extract.area_lines():
        drill(code)


def back_buttons(chosen: Filters) -> None:
    """The way back up: to the whole country, and to each area the chosen one lies in."""
    if not chosen.area:
        return
    lang = chosen.lang
    names = extract.area_names(lang)
    with st.container(horizontal=True):
        st.button(t("map.back.country", lang), icon=":material/arrow_upward:",
                  on_click=drill, args=("",), key="map_back_country")
        for number, code in enumerate(chosen.line[:-1], start=1):
            st.button(t("map.back.province", lang, name=names.get(code, "")),
                      icon=":material/arrow_upward:", on_click=drill, args=(code,),
                      key=f"map_back_{number}")


# ---------------------------------------------------------------------- caption, table, downloads


def heading(chosen: Filters, choice: MapChoice, view: View) -> None:
    lang = chosen.lang
    indicator = extract.registry().get(choice.indicator)
    names = extract.area_names(lang)
    country = extract.country()
    if view.within:
        where = t("map.where.province", lang, name=escape(names.get(view.within, "")),
                  admin=escape(admin_level_name(
                      country, len(extract.area_lines().get(view.within, ())), lang)))
    else:
        where = escape(extract.country_name(lang))
    st.caption(t("map.caption", lang, value=escape(value_title(choice, indicator, lang)),
                 year=format_school_year(chosen.year, lang), where=where,
                 areas=level_word(country, view.level, lang, plural=True)))


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
    if isinstance(built.spec.schools, mapping.SchoolCells):
        notes.append(built.spec.schools.note)
    if built.unplaced is not None:
        notes.append(t("map.schools.unplaced", lang, n=format_number(built.unplaced, lang)))
    if built.missing:
        country = extract.country()
        notes.append(plural("map.missing_polygons", lang, len(built.missing),
                            n=format_number(len(built.missing), lang),
                            area=level_word(country, view.level, lang),
                            areas=level_word(country, view.level, lang, plural=True),
                       pupils=format_number(built.missing_pupils, lang),
                       names=", ".join(escape(n) for n in built.missing)))
    if view.within:
        notes.append(t("map.classes_national", lang,
                       areas=level_word(extract.country(), view.level, lang, plural=True)))
    for note in notes:
        st.caption(note)
    st.subheader(t("map.table.heading", lang))
    unit = unit_of(choice, indicator)
    frame = choropleth.table(built.choropleth)
    names = extract.area_names(lang)
    frame["unit_name"] = [names.get(c, n) for c, n in zip(frame["unit_code"],
                                                           frame["unit_name"])]
    change = choice.since is not None
    frame["class_label"] = [class_label(built.choropleth, int(k) - 1, unit, lang, change)
                            if not pd.isna(k) else "" for k in frame["class"]]
    frame["flags"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                      for f in frame["flags"]]
    digits = values.DIGITS.get(unit, 1)
    value_words = t("map.table.value", lang, unit=t(f"map.unit.{UNIT_WORDS[unit]}", lang))
    years = {}  # a change: each year's value beside the change
    if change:
        for column, year in (("value_now", chosen.year), ("value_before", choice.since)):
            years[column] = st.column_config.NumberColumn(
                f"{value_words}, {format_school_year(year, lang)}", format=f"%.{digits}f")
        value_words = t("map.table.change", lang, since=format_school_year(choice.since, lang))
    st.dataframe(
        frame, hide_index=True, height=min(38 + 35 * len(frame), 420),
        column_order=["unit_name", "unit_code", "value", *years, "numerator", "denominator",
                      "class_label", "flags"],
        column_config={
            "unit_name": st.column_config.TextColumn(t("map.table.area", lang)),
            "unit_code": st.column_config.TextColumn(t("map.table.code", lang)),
            "value": st.column_config.NumberColumn(value_words, format=f"%+.{digits}f"
                                                   if change else f"%.{digits}f"),
            **years,
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
                           data=tables.csv_file(choropleth.table(built.choropleth), {
                               **indicator_map.table_digits(digits),
                               "value_now": digits, "value_before": digits}),
                           file_name=f"{stem}.csv", mime="text/csv",
                           icon=":material/download:", key="map_csv",
                           on_click=tables.on_download(f"{stem}.csv"))
        heading = download_heading(chosen, choice, view)

        def page() -> bytes:  # labels always on: a saved map is read, not hovered
            return maps.standalone_html(built.saved(heading))

        st.download_button(t("map.download.html", lang), data=page,
                           file_name=f"{stem}.html", mime="text/html",
                           icon=":material/map:", on_click=tables.on_download(f"{stem}.html"),
                           key="map_html",
                           help=t("map.download.html_help", lang))


def download_heading(chosen: Filters, choice: MapChoice, view: View) -> mapping.Heading:
    """What a saved map says of itself: what it shows, where and when, from which data;
    the synthetic-data notice when it applies (the legend says when boundaries are
    schematic)."""
    lang = chosen.lang
    info = extract.info()
    indicator = extract.registry().get(choice.indicator)
    names = extract.area_names(lang)
    where = names.get(view.within, "") if view.within else extract.country_name(lang)
    source = "; ".join(x for x in (info.package_source, info.attribution) if x)
    lines = [t("map.download.where_when", lang, where=where,
               areas=capitalised(level_word(extract.country(), view.level, lang,
                                            plural=True)),
               year=format_school_year(chosen.year, lang))]
    if source:
        lines.append(t("map.download.source", lang, source=source))
    warnings = (t("banner.synthetic", lang).replace("**", ""),) if info.synthetic else ()
    return mapping.Heading(value_title(choice, indicator, lang), tuple(lines), warnings)


def _file_stem(chosen: Filters, choice: MapChoice, view: View) -> str:
    parts = ["map", choice.indicator,
             f"{choice.since}-{chosen.year}" if choice.since else str(chosen.year),
             choice.group if choice.group != TOTAL else "",
             chosen.area or view.level]
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", "_".join(p for p in parts if p))
