"""The choropleth of one indicator, built from cached data: the Map page's map, the
Overview's small map and the Equity page's parity map all come from :func:`build`.

:class:`MapChoice` says what is shown (indicator, split and group, classes, palette, labels,
schools), :class:`View` which areas (every area of a level, or those within one area);
:func:`build` makes the :class:`geo.mapping.MapSpec`, which :func:`ui.maps.draw` draws.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from geo import mapping
from geo.classify import DEFAULT_CLASSES, NO_DATA_COLOUR, qualitative_colours
from lib import choropleth, schools_layer
from lib.areas import level_word, map_levels
from lib.choropleth import Choropleth
from lib.equity_view import parity_direction
from lib.i18n import format_number, format_school_year, local_name, t
from lib.indicators import Indicator, IndicatorError, split_flags
from lib.vocabulary import FACILITY_ITEMS, PARITY, SPLIT, TOTAL
from ui import extract, maps, nav, values
from ui.filters import Filters
from ui.markdown import escape

HEIGHT = 600
MAX_SCHOOLS_ENV = "EMIS_MAP_MAX_SCHOOLS"
KM_PER_DEGREE = 111.32  # along a meridian: the cells' side said in km
DETAIL_COUNTRY, DETAIL_PROVINCE = "medium", "high"  # geo.simplify.DETAIL_TOLERANCES


@dataclass(frozen=True)
class MapChoice:
    """What the map shows, as chosen above it."""

    indicator: str
    admin: str  # the admin level id of the areas coloured (ui.admin_picker)
    by: str | None  # split of the value shown
    group: str  # T, a group of ``by``, or parity
    scheme: str
    k: int
    breaks: tuple[float, ...]
    palette: str
    labels: bool
    schools: bool
    school_attribute: str
    since: int | None = None  # a change map: the change from this year to the year shown


@dataclass(frozen=True)
class View:
    """Which areas the map draws: every area of a level, or those within one area."""

    level: str  # the admin level id of the areas drawn
    admin_number: int  # its number (1 for the largest)
    within: str  # the area whose areas are drawn; "" for the whole country
    selected: str  # the area chosen, outlined; ""

    @property
    def detail(self) -> str:
        return DETAIL_PROVINCE if self.within else DETAIL_COUNTRY


def view_of(chosen: Filters, admin: str) -> View:
    """The areas drawn at level ``admin`` (:func:`ui.admin_picker.choose`): inside the area
    chosen in the sidebar; for an area with no level with polygons below it, the area among
    its neighbours (those within the area of the level with polygons above), outlined."""
    country = extract.country()
    number = country.admin_number(admin)
    if number > chosen.area_level:
        return View(admin, number, chosen.area, "")
    above = max((n for n in country.polygon_levels if n < number), default=0)
    return View(admin, number, chosen.above(above), chosen.above(number))


def show_label(show: str, lang: str) -> str:
    """What a map shows, in words: "Total", "Girls", "Parity index (sex)", "Ethnicity:
    Lao-Tai" ..."""
    if show == TOTAL:
        return t("map.show.total", lang)
    split, group = show.split(":", 1)
    words = extract.split_words()
    if split not in SPLIT:  # a dimension of the package
        return t("map.show.group", lang, split=words.label(split, lang),
                 group=words.group(split, group, lang))
    return t(f"map.show.{split}.{group}", lang)


def compute(chosen: Filters, choice: MapChoice, view: View) -> Choropleth:
    """Classified values of every area of the view's level (the country's classes), the
    view's areas kept."""
    frame = extract.indicator(choice.indicator, view.level, chosen.year, by=choice.by,
                              lang=chosen.lang)
    rows = choropleth.group_rows(frame, choice.group)
    if choice.since is not None:
        before = extract.indicator(choice.indicator, view.level, choice.since, by=choice.by,
                                   lang=chosen.lang)
        rows = choropleth.change_rows(rows, choropleth.group_rows(before, choice.group))
    shown = extract.areas_within(view.admin_number, view.within)
    indicator = extract.registry().get(choice.indicator)
    return choropleth.build(rows, indicator, group=choice.group, shown=shown,
                            scheme=choice.scheme, k=choice.k, breaks=choice.breaks,
                            palette=choice.palette, change=choice.since is not None)


def unit_of(choice: MapChoice, indicator: Indicator) -> str:
    """The unit of the values shown: a parity index, or the indicator's."""
    return "index" if choice.group == PARITY else indicator.unit


def _bound_text(value: float, unit: str, lang: str, change: bool = False) -> str:
    if change:  # signed: +2.0 pp, -0.5
        return values.format_change(value, unit, lang) or values.format_value(0.0, unit, lang)
    return values.format_value(value, unit, lang)


def class_label(ch: Choropleth, i: int, unit: str, lang: str, change: bool = False) -> str:
    """Class ``i``'s range in words ("up to 80%", "80% to 95%", "above 95%"; a change
    signed: "-2.0 pp – +1.0 pp")."""
    lo, hi = ch.class_bounds(i)

    def text(value: float) -> str:
        return _bound_text(value, unit, lang, change)

    if not math.isfinite(lo):
        return t("map.legend.up_to", lang, value=text(hi))
    if not math.isfinite(hi):
        return t("map.legend.above", lang, value=text(lo))
    if lo == hi:
        return text(lo)
    return t("map.legend.range", lang, low=text(lo), high=text(hi))


def value_title(choice: MapChoice, indicator: Indicator, lang: str) -> str:
    """The name of the value shown: the indicator's, with the group when one is shown."""
    name = indicator.name(lang)
    if choice.group != TOTAL:
        name = t("map.title_group", lang, name=name, group=show_label(
            f"{choice.by}:{choice.group}", lang))
    if choice.since is not None:
        return t("map.change.title", lang, name=name,
                 since=format_school_year(choice.since, lang))
    return name


def table_digits(digits: int) -> dict[str, int]:
    """The columns of :func:`lib.choropleth.table` rounded as the map shows them."""
    return {"value": digits, "class_from": digits, "class_to": digits}


def legend(ch: Choropleth, choice: MapChoice, indicator: Indicator, view: View,
           year: int, lang: str) -> mapping.Legend:
    """The legend: each class with its count, the no-data class, how the classes are cut."""
    unit = unit_of(choice, indicator)
    change = choice.since is not None
    rows = [mapping.LegendRow(ch.colours[i], class_label(ch, i, unit, lang, change),
                              format_number(ch.counts[i], lang)) for i in range(ch.classes.k)]
    rows.append(mapping.LegendRow(
        mapping.NO_DATA_SWATCH, t("map.legend.no_comparable" if change else
                                  "map.legend.no_data", lang),
        format_number(ch.no_data, lang)))
    areas = level_word(extract.country(), view.level, lang, plural=True)
    note = t("map.legend.note", lang, scheme=t(f"map.scheme.{ch.classes.scheme}", lang),
             k=ch.classes.k, areas=areas, year=format_school_year(year, lang))
    if change:
        note += " " + t("map.change.note" if indicator.higher_is_better is not None
                        else "map.change.note_no_direction", lang,
                        since=format_school_year(choice.since, lang))
    elif choice.group == PARITY:
        note += " " + t("map.legend.parity_note", lang, direction=t(
            f"parity.direction.{parity_direction(indicator.higher_is_better)}", lang))
    elif indicator.higher_is_better is not None:
        note += " " + t("map.legend.darker_worse", lang)
    warning = t("map.legend.schematic", lang) if extract.info().boundaries_schematic else ""
    return mapping.Legend(value_title(choice, indicator, lang), tuple(rows), note, warning)


def _areas(ch: Choropleth, unit: str, lang: str, names: dict[str, str],
           change: bool = False) -> list[mapping.Area]:
    """Each area's tooltip values: its value, numerator and denominator; for a change, the
    change and the two years' values in their places."""
    def count(x: float) -> str | None:
        return None if not np.isfinite(x) else format_number(x, lang)

    def value(x: float) -> str | None:
        return None if not np.isfinite(x) else values.format_value(x, unit, lang)

    out = []
    for row in ch.areas.itertuples(index=False):
        flags = ", ".join(values.flag_labels(split_flags(row.flags or ""), lang))
        if change:
            shown = values.format_change(row.value, unit, lang) or t("format.no_data", lang)
            first, second = value(row.value_now), value(row.value_before)
        else:
            shown = values.format_value(row.value, unit, lang)
            first, second = count(row.numerator), count(row.denominator)
        out.append(mapping.Area(
            code=row.unit_code, name=names.get(row.unit_code, row.unit_name), value=shown,
            k=int(row.k), numerator=first, denominator=second, flags=flags))
    return out


def _hint(view: View, lang: str, interactive: bool) -> str:
    if not interactive:
        return ""
    country = extract.country()
    below = [n for n in country.polygon_levels if n > view.admin_number]
    if below:
        return t("map.hint.drill", lang, areas=level_word(
            country, country.admin_ids[below[0] - 1], lang, plural=True))
    return t("map.hint.choose", lang)


def max_school_points() -> int:
    """Schools a map sends one by one (``EMIS_MAP_MAX_SCHOOLS``, by default
    :data:`lib.schools_layer.MAX_POINTS`); beyond, it sends the cells of a grid."""
    found = os.environ.get(MAX_SCHOOLS_ENV, "").strip()
    return int(found) if found.isdigit() else schools_layer.MAX_POINTS


def schools_spec(chosen: Filters, choice: MapChoice, view: View, profile: bool
                 ) -> tuple[mapping.Schools | mapping.SchoolCells, mapping.PopupLabels, int]:
    """The schools layer of the view (each school, or the cells of a grid when they are
    more than :func:`max_school_points`), and how many schools could not be placed."""
    lang = chosen.lang
    rows = extract.school_points(chosen.level, chosen.year, view.within or None)
    placed = schools_layer.categorise(rows, choice.school_attribute)
    colours = qualitative_colours(len(placed.categories) - 1, ordered=placed.ordered)
    colours = tuple(colours) + (NO_DATA_COLOUR,)
    group = ("yes_no" if choice.school_attribute in FACILITY_ITEMS
             else choice.school_attribute)
    names = tuple(t(f"map.schools.cat.{group}.{c}", lang) for c in placed.categories)
    legend_rows = tuple(mapping.LegendRow(colours[i], names[i],
                                          format_number(placed.counts[i], lang))
                        for i in range(len(placed.categories))
                        if placed.counts[i] or i < len(placed.categories) - 1)
    legend = mapping.Legend(t("map.schools.legend", lang, attribute=t(
        f"map.schools.attr.{choice.school_attribute}", lang)), legend_rows)
    words = maps.popup_labels(lang, nav.school_link_prefix(lang) if profile else "")
    points = placed.points
    if len(points) > max_school_points():
        grid = schools_layer.cells(placed)
        cells = mapping.SchoolCells(
            latitude=grid.latitude, longitude=grid.longitude, counts=grid.counts,
            colours=colours, category_names=names,
            schools_word=t("map.schools.cells_word", lang),
            hint=t("map.schools.cells_hint", lang), legend=legend,
            note=t("map.schools.cells", lang, n=format_number(grid.schools, lang),
                   cells=format_number(len(grid.counts), lang),
                   km=format_number(grid.size * KM_PER_DEGREE, lang, 0)))
        return cells, words, placed.without_location
    school_names = [local_name(en, lo, lang)
                    for en, lo in zip(points["name_en"], points["name_local"])]
    schools = mapping.Schools(
        latitude=points["latitude"].to_numpy(dtype="float64"),
        longitude=points["longitude"].to_numpy(dtype="float64"),
        category=points["category"].to_numpy(), school_id=points["school_id"].tolist(),
        name=school_names, pupils=points["pupils"].to_numpy(dtype="float64"),
        ptr=points["ptr"].to_numpy(dtype="float64"), colours=colours, legend=legend,
        category_names=names)
    return schools, words, placed.without_location


@dataclass(frozen=True)
class Built:
    """A map ready to draw, and what is said under it."""

    spec: mapping.MapSpec
    choropleth: Choropleth
    missing: tuple[str, ...]  # areas shown without a polygon (names)
    missing_pupils: float  # the pupils of those areas in the year shown (NaN: not public)
    unplaced: int | None  # schools without coordinates (None: no schools layer)
    labelled: Callable[[], str]  # the areas with their label points: for a saved map

    def saved(self, heading: mapping.Heading) -> mapping.MapSpec:
        """The map as saved on its own: its heading, every value labelled, no click hint."""
        return replace(self.spec, features=self.labelled(), labels=True, heading=heading,
                       words=replace(self.spec.words, hint=""))


def build(chosen: Filters, choice: MapChoice, view: View, *,
          interactive: bool = True) -> Built:
    """The map of ``choice`` over ``view``; ``interactive``: its tooltips say what a click
    does."""
    lang = chosen.lang
    indicator = extract.registry().get(choice.indicator)
    ch = compute(chosen, choice, view)
    geometries = extract.boundaries(view.admin_number, view.detail, view.within or None)
    names = extract.area_names(lang)
    unit = unit_of(choice, indicator)
    change = choice.since is not None
    areas = _areas(ch, unit, lang, names, change)
    features = mapping.area_features(geometries, areas, label_points=choice.labels)
    if change:  # the tooltip's two lines: each year's value
        first = format_school_year(chosen.year, lang)
        second = format_school_year(choice.since, lang)
    else:
        first = indicator.text("numerator", lang) if choice.group != PARITY else ""
        second = indicator.text("denominator", lang) if choice.group != PARITY else ""
    words = mapping.TipLabels(value=value_title(choice, indicator, lang), numerator=first,
                              denominator=second, hint=_hint(view, lang, interactive))
    schools = school_words = None
    unplaced = None
    if choice.schools:
        schools, school_words, unplaced = schools_spec(chosen, choice, view,
                                                       profile=nav.has_page("schools"))
    spec = mapping.MapSpec(
        features=features, colours=ch.colours, words=words,
        legend=legend(ch, choice, indicator, view, chosen.year, lang),
        bounds=maps.bounds(geometries), selected=view.selected, labels=choice.labels,
        schools=schools, school_words=school_words, no_data=NO_DATA_COLOUR)
    without = [code for code in ch.areas["unit_code"] if code not in geometries]
    pupils = extract.area_pupils(chosen.year) if without else {}
    return Built(spec, ch, tuple(names.get(code, code) for code in without),
                 sum(pupils.get(code, 0) for code in without), unplaced,
                 lambda: mapping.area_features(geometries, areas, label_points=True))


def show_error(error: IndicatorError, lang: str) -> None:
    """Why there is no map (the indicator cannot be computed for this choice)."""
    st.info(t("map.unavailable", lang, reason=escape(str(error))), icon=":material/info:")


def small_map(chosen: Filters, indicator_id: str, *, key: str = "small_map",
              height: int = 340, group: str = TOTAL, by: str | None = None) -> None:
    """A small choropleth (the Overview's): the areas of the largest level with polygons,
    or those within the chosen area; tooltips, but no clicks, zoom or drag (the page
    scrolls over it), no table."""
    if chosen.year is None:
        return
    country = extract.country()
    below = map_levels(country.polygon_levels, chosen.area_level)
    admin = country.admin_ids[below[0] - 1]
    choice = MapChoice(indicator_id, admin, by, group, "quantiles", DEFAULT_CLASSES,
                       (), choropleth.palettes(group)[0], False, False,
                       schools_layer.DEFAULT_ATTRIBUTE)
    view = view_of(chosen, admin)
    try:
        built = build(chosen, choice, view, interactive=False)
    except IndicatorError as error:
        show_error(error, chosen.lang)
        return
    legend = built.spec.legend
    compact = replace(built.spec, legend=replace(legend, note="") if legend else None)
    maps.draw(compact, key=key, height=height, interactive=False)
