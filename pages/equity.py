"""Equity: who is left behind, and by how much. The gap between groups (sex, locality,
priority districts, ownership) by area, a ranking against the national value and a target,
the inequality between areas, two indicators across districts, and the areas furthest
behind."""
from __future__ import annotations

import streamlit as st

from lib import equity_view, targets
from lib.areas import namer
from lib.i18n import format_school_year, t
from lib.indicators import IndicatorError
from lib.indicators.flags import no_value_before_next_year
from ui import admin_picker, equity_charts, extract, filters, indicator_picker, split_picker
from ui.chart_export import file_stem
from ui.filters import Filters
from ui.markdown import escape


def where_words(chosen: Filters, level: str, lang: str) -> str:
    """"districts of Vientiane" or "provinces of Lao PDR"."""
    where = (extract.area_names(lang)[chosen.province] if chosen.province
             else extract.country_name(lang))
    return t("equity.where", lang, areas=t(f"admin_level.plural.{level}", lang),
             where=escape(where))


def gap_section(chosen: Filters, indicator, dimension: str, admin: str, level: str,
                stem: str, context: str) -> tuple:
    lang = chosen.lang
    frame = extract.indicator(indicator.id, level, chosen.year, by=dimension,
                              area=chosen.province or None, lang=lang)
    national = extract.indicator(indicator.id, "national", chosen.year, by=dimension,
                                 lang=lang)
    parity = equity_view.parity_possible(dimension, level)
    totals = frame[frame["group"] == "T"]
    if no_value_before_next_year(totals["value"], totals["flags"]):
        st.info(t("chart.all_no_data_flows", lang, year=format_school_year(chosen.year, lang)),
                icon=":material/event_upcoming:")
    left, right = st.columns([6, 5], gap="medium")
    with left:
        if parity:
            st.markdown(f"**{t(f'equity.map.title.{dimension}', lang)}**")
            equity_charts.parity_map(chosen, indicator.id, dimension, level,
                                     file_stem("equity_parity_map", stem))
            st.caption(t("equity.map.note", lang,
                         direction=equity_charts.parity_words(indicator, lang)))
        elif equity_view.has_parity(dimension):
            st.info(t("equity.priority_in_province", lang), icon=":material/info:")
        else:
            equity_charts.show_groups(
                equity_view.side_by_side(frame, dimension), indicator, dimension,
                title=t(f"equity.groups.title.{dimension}", lang), subtitle=context,
                lang=lang, file_name=file_stem("equity_groups", stem))
    with right:
        measure = equity_view.VALUE
        controls = st.columns([3, 2], vertical_alignment="bottom")
        if parity:
            measure = controls[0].segmented_control(
                t("equity.ranking.measure", lang), [equity_view.VALUE, equity_view.INDEX],
                key="equity_rank_measure", required=True, default=equity_view.VALUE, wrap=True,
                format_func=lambda m: t(f"equity.ranking.measure_{m}", lang))
        target = None
        if measure == equity_view.VALUE:
            planned = targets.for_indicator(extract.national_targets(), indicator.id,
                                            chosen.year)
            target = controls[1].number_input(
                t("equity.ranking.target", lang), value=planned.value if planned else None,
                key=f"equity_target_{indicator.id}", placeholder=t("equity.ranking.none", lang),
                help=(t("equity.ranking.target_from", lang, year=planned.year,
                        source=escape(planned.source)) if planned
                      else t("equity.ranking.target_help", lang)))
        ranked = equity_view.ranking(frame, national, measure=measure,
                                     higher_is_better=indicator.higher_is_better,
                                     target=target)
        title = t(f"equity.ranking.title_{measure}", lang, name=indicator.name(lang),
                  group=t(f"equity.map.title.{dimension}", lang) if parity else "")
        equity_charts.show_ranking(ranked, indicator, title=title, subtitle=context,
                                   lang=lang, file_name=file_stem("equity_ranking", stem,
                                                                  measure))
    return frame, national, ranked


def inequality_section(chosen: Filters, indicator, level: str, frame, areas: str,
                       stem: str) -> None:
    lang = chosen.lang
    st.subheader(t("equity.inequality.heading", lang, areas=areas))
    try:
        found = extract.disparity_between(indicator.id, level, chosen.year,
                                          chosen.province or None)
    except IndicatorError as error:
        st.info(t("equity.unavailable", lang, reason=escape(str(error))))
        return
    if found.areas == 0:
        st.info(t("equity.inequality.empty", lang), icon=":material/database_off:")
        return
    equity_charts.show_inequality(equity_view.readings(found, frame), indicator,
                                  areas=areas, weight=equity_view.weight_kind(indicator),
                                  lang=lang, file_name=file_stem("equity_inequality", stem))
    if found.left_out:
        st.caption(t("equity.inequality.left_out", lang, n=len(found.left_out)))


def scatter_section(chosen: Filters, indicator, options: list[str], stem: str,
                    totals: tuple | None = None) -> None:
    """``totals``: the indicator's district and national rows when the page has them
    already, split or not (a split's group T rows are the unsplit rows)."""
    lang = chosen.lang
    registry = extract.registry()
    st.subheader(t("equity.scatter.heading", lang))
    controls = st.columns([5, 3], vertical_alignment="bottom")
    with controls[0]:
        others = [o for o in options if o != indicator.id] or options  # not against itself
        versus = equity_charts.choose_versus(
            others, equity_view.versus_default(others, indicator.id, chosen.level),
            registry=registry, lang=lang)
    colour = controls[1].segmented_control(
        t("equity.scatter.colour.label", lang), ["priority", "province"],
        key="equity_scatter_colour", required=True, default="priority", wrap=True,
        format_func=lambda c: t(f"equity.scatter.colour.{c}", lang))
    inside = chosen.province or None
    x = extract.indicator(versus, "district", chosen.year, area=inside, lang=lang)
    y, national_y = totals or (
        extract.indicator(indicator.id, "district", chosen.year, area=inside, lang=lang),
        extract.indicator(indicator.id, "national", chosen.year, lang=lang))
    size, size_field, size_kind = None, "value", "pupils"
    sized_by = equity_view.size_indicator(registry, chosen.level)
    if sized_by is not None:
        size_id, size_field, size_kind = sized_by
        size = extract.indicator(size_id, "district", chosen.year, area=inside, lang=lang)
    provinces = equity_view.province_names(extract.admin_units(), namer(lang))
    points, left_out = equity_view.scatter(x, y, extract.district_attributes(), provinces,
                                           size=size, size_field=size_field)
    nat_x = equity_view.national_value(extract.indicator(versus, "national", chosen.year,
                                                         lang=lang))
    nat_y = equity_view.national_value(national_y)
    x_ind = registry.get(versus)
    equity_charts.show_scatter(
        points, left_out, x_ind, indicator, colour=colour,
        size_title=t(f"equity.scatter.size_{size_kind}", lang),
        national_x=nat_x, national_y=nat_y,
        title=t("equity.scatter.title", lang, y=indicator.name(lang), x=x_ind.name(lang)),
        subtitle=t("equity.scatter.subtitle", lang,
                   year=format_school_year(chosen.year, lang)),
        lang=lang, file_name=file_stem("equity_scatter", indicator.id, versus, chosen.year,
                                       chosen.province))


def bottom_section(chosen: Filters, indicator, dimension: str, frame, ranked, areas: str,
                   stem: str) -> None:
    lang = chosen.lang
    head = st.columns([5, 3], vertical_alignment="bottom")
    n_max = int(ranked.rows["rank"].notna().sum())
    if n_max == 0:
        st.subheader(t("equity.bottom.heading_none", lang, areas=areas))
        st.info(t("equity.bottom.empty", lang), icon=":material/database_off:")
        return
    n = min(equity_view.BOTTOM_DEFAULT, n_max)
    if n_max > 1:
        n = head[1].slider(t("equity.bottom.n", lang), 1, min(n_max, 50), n,
                           key="equity_bottom_n")
    head[0].subheader(t("equity.bottom.heading", lang, n=n, areas=areas))
    split = (equity_view.parity_table(frame, dimension)
             if equity_view.has_parity(dimension) else None)
    rows = equity_view.bottom(ranked, n, split)
    unit = equity_charts.unit_of(indicator, ranked.measure)
    equity_charts.show_bottom(rows, indicator, unit, dimension, lang=lang,
                              file_name=file_stem("equity_bottom", stem, ranked.measure))
    st.caption(t(f"equity.bottom.note_{ranked.measure}", lang))


def show(chosen: Filters) -> None:
    lang = chosen.lang
    registry = extract.registry()
    options = equity_view.indicators(registry, chosen.level)
    if not options:
        st.info(t("equity.no_indicator", lang))
        return
    top = st.columns([5, 4, 3], vertical_alignment="bottom")
    with top[0]:
        indicator_id = indicator_picker.choose(
            options, equity_view.default_indicator(options, chosen.level,
                                                   indicator_picker.remembered()),
            registry=registry, lang=lang, label=t("equity.indicator", lang),
            help=t("equity.indicator_help", lang))
    indicator = registry.get(indicator_id)
    dims = equity_view.dimensions(indicator)
    with top[1]:
        dimension = split_picker.choose(dims, dims[0], lang=lang,
                                        label_text=t("equity.dimension", lang),
                                        help=t("equity.dimension_help", lang))
    with top[2]:
        admin = admin_picker.choose(chosen)
    level = equity_view.level_for(dimension, admin, chosen.province)
    if level != admin and not chosen.province:
        st.caption(t("equity.priority_by_province", lang))
    areas = t(f"admin_level.plural.{level}", lang)
    year = format_school_year(chosen.year, lang)
    context = t("equity.context", lang, name=escape(indicator.name(lang)), year=year,
                where=where_words(chosen, level, lang))
    st.caption(context)
    stem = file_stem(indicator.id, dimension, chosen.year, chosen.province or level)
    frame, national, ranked = gap_section(chosen, indicator, dimension, admin, level, stem,
                                          context)
    inequality_section(chosen, indicator, level, frame, areas, stem)
    scatter_section(chosen, indicator, options, stem,
                    totals=(frame, national) if level == "district" else None)
    bottom_section(chosen, indicator, dimension, frame, ranked, areas, stem)


chosen = filters.current()
st.title(t("equity.title", chosen.lang))
st.caption(t("equity.intro", chosen.lang))
if chosen.year is None:  # no st.stop(): app.py shows the URL notices after the page
    st.info(t("equity.no_year", chosen.lang))
else:
    show(chosen)
