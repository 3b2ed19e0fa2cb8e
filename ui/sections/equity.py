"""The Equity page's sections: who is left behind, and by how much. The gap between groups
(sex, locality, priority districts, ownership) by area on a parity map or side by side, a
ranking against the national value and a target, the inequality between areas, two
indicators across districts, and the areas furthest behind.

The charts are built by :mod:`ui.sections.equity_charts`; here they are drawn with their notes and
downloads.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st

from geo.classify import DIVERGING, PARITY_BREAKS
from lib import choropleth, equity_view, schools_layer, targets
from lib.areas import level_word
from lib.equity_view import Ranked, Reading
from lib.i18n import format_school_year, t
from lib.indicators import Indicator, IndicatorError, preferred_indicator, split_flags
from lib.indicators.flags import no_value_before_next_year
from lib.vocabulary import PARITY, TOTAL
from ui import (admin_picker, chart_export, extract, indicator_map, indicator_picker, maps,
                split_picker, tables, url_state, values)
from ui.chart_export import built, file_stem
from ui.sections.equity_charts import (axis_title, groups_chart, measure_value, parity_words,
                              ranking_chart, reading_text, scatter_chart, unit_of)
from ui.filters import Filters
from ui.markdown import escape

VERSUS = "vs"  # URL: the scatter's other indicator


def show(chosen: Filters) -> None:
    """The whole page below its title, for a chosen year."""
    lang = chosen.lang
    registry = extract.registry()
    options = equity_view.indicators(registry, chosen.level)
    if not options:
        st.info(t("equity.no_indicator", lang))
        return
    top = st.columns([5, 4, 3], vertical_alignment="bottom")
    with top[0]:
        indicator_id = indicator_picker.choose(
            options, preferred_indicator(options, chosen.level, indicator_picker.remembered(),
                                         partial(extract.has_data, year=chosen.year)),
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
    country = extract.country()
    level = equity_view.level_for(dimension, admin, country.admin_ids, chosen.area)
    if level != admin:
        st.caption(t("equity.priority_by_province", lang))
    within = indicator_map.view_of(chosen, level).within
    areas = level_word(country, level, lang, plural=True)
    year = format_school_year(chosen.year, lang)
    # The charts' subtitle is plain text (Vega); the caption is Markdown, its data escaped.
    context = t("equity.context", lang, name=indicator.name(lang), year=year,
                where=where_words(within, level, lang, markdown=False))
    st.caption(t("equity.context", lang, name=escape(indicator.name(lang)), year=year,
                 where=where_words(within, level, lang)))
    stem = file_stem(indicator.id, dimension, chosen.year, within or level)
    frame, national, ranked = gap_section(chosen, indicator, dimension, within, level, stem,
                                          context)
    inequality_section(chosen, indicator, level, within, frame, areas, stem)
    finest = country.admin_ids[-1]
    scatter_section(chosen, indicator, options, stem, within,
                    totals=(frame, national) if level == finest else None)
    bottom_section(chosen, indicator, dimension, frame, ranked, areas, stem)


def where_words(within: str, level: str, lang: str, *, markdown: bool = True) -> str:
    """"districts of Vientiane" or "provinces of Lao PDR" (the area's name escaped for
    Markdown, or as it is for a chart)."""
    where = extract.area_names(lang)[within] if within else extract.country_name(lang)
    return t("equity.where", lang, areas=level_word(extract.country(), level, lang,
                                                    plural=True),
             where=escape(where) if markdown else where)


def gap_section(chosen: Filters, indicator, dimension: str, within: str, level: str,
                stem: str, context: str) -> tuple:
    lang = chosen.lang
    frame = extract.indicator(indicator.id, level, chosen.year, by=dimension,
                              area=within or None, lang=lang)
    national = extract.indicator(indicator.id, "national", chosen.year, by=dimension,
                                 lang=lang)
    parity = equity_view.parity_possible(dimension, level,
                                         extract.country().admin_ids[-1])
    totals = frame[frame["group"] == TOTAL]
    if no_value_before_next_year(totals["value"], totals["flags"]):
        st.info(t("chart.all_no_data_flows", lang, year=format_school_year(chosen.year, lang)),
                icon=":material/event_upcoming:")
    left, right = st.columns([6, 5], gap="medium")
    with left:
        if parity:
            st.markdown(f"**{t(f'equity.map.title.{dimension}', lang)}**")
            parity_map(chosen, indicator.id, dimension, level,
                                     file_stem("equity_parity_map", stem))
            st.caption(t("equity.map.note", lang,
                         direction=parity_words(indicator, lang)))
        elif equity_view.has_parity(dimension):
            st.info(t("equity.priority_in_province", lang), icon=":material/info:")
        else:
            show_groups(
                equity_view.side_by_side(frame), indicator, dimension,
                title=extract.split_words().groups_title(dimension, lang), subtitle=context,
                lang=lang, file_name=file_stem("equity_groups", stem))
    with right:
        measure = equity_view.VALUE
        controls = st.columns([3, 2], vertical_alignment="bottom")
        if parity:
            measure = controls[0].segmented_control(
                t("equity.ranking.measure", lang), [equity_view.VALUE, equity_view.INDEX],
                key="equity_rank_measure", required=True, default=equity_view.VALUE, wrap=True,
                format_func=lambda m: t(f"equity.ranking.measure_{m}", lang))
        group = TOTAL
        if not equity_view.has_parity(dimension):  # rank by one group (Hmong-Mien pupils)
            words = extract.split_words()
            group = controls[0].selectbox(
                t("equity.ranking.group", lang), [TOTAL, *extract.split_groups(dimension)],
                key=f"equity_rank_group_{dimension}",
                format_func=lambda g: words.group(dimension, g, lang),
                help=t("equity.ranking.group_help", lang))
        target = None
        if measure == equity_view.VALUE and group == TOTAL:
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
                                     target=target, group=group)
        title = t(f"equity.ranking.title_{measure}", lang, name=indicator.name(lang),
                  group=t(f"equity.map.title.{dimension}", lang) if parity else "")
        if group != TOTAL:
            title = t("equity.ranking.title_group", lang, name=indicator.name(lang),
                      group=extract.split_words().group(dimension, group, lang))
        show_ranking(ranked, indicator, title=title, subtitle=context,
                                   lang=lang, file_name=file_stem("equity_ranking", stem,
                                                                  measure))
    return frame, national, ranked


def inequality_section(chosen: Filters, indicator, level: str, within: str, frame,
                       areas: str, stem: str) -> None:
    lang = chosen.lang
    st.subheader(t("equity.inequality.heading", lang, areas=areas))
    try:
        found = extract.disparity_between(indicator.id, level, chosen.year, within or None)
    except IndicatorError as error:
        st.info(t("equity.unavailable", lang, reason=escape(str(error))))
        return
    if found.areas == 0:
        st.info(t("equity.inequality.empty", lang), icon=":material/database_off:")
        return
    show_inequality(equity_view.readings(found, with_distinct_names(frame, lang)), indicator,
                    areas=areas, weight=equity_view.weight_kind(indicator), lang=lang,
                    file_name=file_stem("equity_inequality", stem))
    if found.left_out:
        st.caption(t("equity.inequality.left_out", lang, n=len(found.left_out)))


def scatter_section(chosen: Filters, indicator, options: list[str], stem: str, within: str,
                    totals: tuple | None = None) -> None:
    """The finest areas (within ``within``, if given), one indicator against another.
    ``totals``: the indicator's rows of the finest areas and national rows when the page
    has them already, split or not (a split's group T rows are the unsplit rows)."""
    lang = chosen.lang
    registry = extract.registry()
    st.subheader(t("equity.scatter.heading", lang))
    controls = st.columns([5, 3], vertical_alignment="bottom")
    with controls[0]:
        others = [o for o in options if o != indicator.id] or options  # not against itself
        versus = choose_versus(
            others, equity_view.versus_default(others, indicator.id, chosen.level),
            registry=registry, lang=lang)
    colour = controls[1].segmented_control(
        t("equity.scatter.colour.label", lang), ["priority", "province"],
        key="equity_scatter_colour", required=True, default="priority", wrap=True,
        format_func=lambda c: t(f"equity.scatter.colour.{c}", lang))
    inside = within or None
    finest = extract.country().admin_ids[-1]
    x = extract.indicator(versus, finest, chosen.year, area=inside, lang=lang)
    y, national_y = totals or (
        extract.indicator(indicator.id, finest, chosen.year, area=inside, lang=lang),
        extract.indicator(indicator.id, "national", chosen.year, lang=lang))
    size, size_field, size_kind = None, "value", "pupils"
    sized_by = equity_view.size_indicator(registry, chosen.level)
    if sized_by is not None:
        size_id, size_field, size_kind = sized_by
        size = extract.indicator(size_id, finest, chosen.year, area=inside, lang=lang)
    points, left_out = equity_view.scatter(x, y, extract.district_attributes(),
                                           extract.area_names(lang),
                                           size=size, size_field=size_field)
    nat_x = equity_view.national_value(extract.indicator(versus, "national", chosen.year,
                                                         lang=lang))
    nat_y = equity_view.national_value(national_y)
    x_ind = registry.get(versus)
    show_scatter(
        points, left_out, x_ind, indicator, colour=colour,
        size_title=t(f"equity.scatter.size_{size_kind}", lang),
        national_x=nat_x, national_y=nat_y,
        title=t("equity.scatter.title", lang, y=indicator.name(lang), x=x_ind.name(lang)),
        subtitle=t("equity.scatter.subtitle", lang,
                   year=format_school_year(chosen.year, lang)),
        lang=lang, file_name=file_stem("equity_scatter", indicator.id, versus, chosen.year,
                                       within))


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
    split = (equity_view.parity_table(frame)
             if equity_view.has_parity(dimension) else None)
    rows = equity_view.bottom(ranked, n, split)
    unit = unit_of(indicator, ranked.measure)
    show_bottom(rows, indicator, unit, dimension, lang=lang,
                              file_name=file_stem("equity_bottom", stem, ranked.measure))
    st.caption(t(f"equity.bottom.note_{ranked.measure}", lang))


# --------------------------------------------------------------------------- drawing


def with_distinct_names(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``rows`` with each ``unit_name`` as the pages name areas (:func:`ui.extract.area_names`:
    a namesake told apart by its province), so that a chart draws one band per area and a
    sentence names the right one."""
    names = extract.area_names(lang)
    return rows.assign(unit_name=[names.get(code, name) for code, name in
                                  zip(rows["unit_code"], rows["unit_name"])])


def show_ranking(ranked: Ranked, indicator: Indicator, *, title: str, subtitle: str,
                 lang: str, file_name: str) -> None:
    unit = unit_of(indicator, ranked.measure)
    ranked = replace(ranked, rows=with_distinct_names(ranked.rows, lang))
    chart = built(ranking_chart, ranked=ranked, unit=unit, title=title, subtitle=subtitle,
                  x_title=axis_title(indicator, unit, lang),
                  higher_is_better=indicator.higher_is_better, lang=lang)
    data = ranked.rows.drop(columns=["flagged"]).assign(
        national=ranked.national, target=ranked.target)
    tall = len(ranked.rows) > 30
    with st.container(height=620 if tall else "content", border=False):
        chart_export.show(chart, data, file_name=file_name, lang=lang, key="equity_ranking")
    notes = [t("equity.ranking.colours_parity", lang, direction=parity_words(
        indicator, lang)) if ranked.measure == equity_view.INDEX
        else t("equity.ranking.colours", lang)]
    if ranked.rows["small"].any():
        notes.append(t("chart.small_note", lang))
    if ranked.no_data:
        notes.append(t("chart.no_data_note", lang, n=ranked.no_data))
    st.caption(" ".join(notes))


def show_groups(rows: pd.DataFrame, indicator: Indicator, dimension: str, *, title: str,
                subtitle: str, lang: str, file_name: str) -> None:
    words = extract.split_words()
    names = {g: words.group(dimension, g, lang) for g in extract.split_groups(dimension)}
    rows = with_distinct_names(rows, lang)
    chart = built(groups_chart, rows=rows, unit=indicator.unit, group_names=names,
                  title=title, subtitle=subtitle,
                  x_title=axis_title(indicator, indicator.unit, lang), lang=lang)
    with st.container(height=620 if rows["unit_code"].nunique() > 30 else "content",
                      border=False):
        chart_export.show(chart, rows, file_name=file_name, lang=lang, key="equity_groups")
    missing = int(rows["value"].isna().sum())
    notes = [t("equity.groups.note", lang, split=words.label(dimension, lang))]
    if missing:
        notes.append(t("equity.groups.missing", lang, n=missing))
    if rows["small"].any():
        notes.append(t("chart.small_note", lang))
    st.caption(" ".join(notes))


def parity_map(chosen: Filters, indicator_id: str, dimension: str, admin: str,
               file_name: str) -> None:
    """The parity index per area on the Map page's choropleth: diverging around 1 (PuOr),
    classes cut at 0.90, 0.97, 1.03 and 1.10, so the middle class is parity."""
    choice = indicator_map.MapChoice(indicator_id, admin, dimension, PARITY,
                                     "custom", len(PARITY_BREAKS) + 1, PARITY_BREAKS,
                                     DIVERGING[0], False, False,
                                     schools_layer.DEFAULT_ATTRIBUTE)
    view = indicator_map.view_of(chosen, admin)
    try:
        built = indicator_map.build(chosen, choice, view, interactive=False)
    except IndicatorError as error:
        indicator_map.show_error(error, chosen.lang)
        return
    maps.draw(built.spec, key="equity_map", height=600, interactive=False)
    tables.download_csv(tables.csv_file(choropleth.table(built.choropleth),
                                        indicator_map.table_digits(values.DIGITS["index"])),
                        f"{file_name}.csv", lang=chosen.lang, label_key="chart.download_csv",
                        key="equity_map_csv")


def show_inequality(items: list[Reading], indicator: Indicator, *, areas: str,
                    weight: str, lang: str, file_name: str) -> None:
    """Each measure, its value and its reading, one line each."""
    texts = [reading_text(item, indicator.unit, areas, lang) for item in items]
    lines = [t("equity.inequality.line", lang,
               measure=t(f"equity.measure.{item.measure}", lang),
               value=escape(measure_value(item, indicator.unit, lang)), reading=escape(text))
             for item, text in zip(items, texts)]
    with st.container(border=True):
        st.markdown("\n".join(f"- {line}" for line in lines))
    st.caption(t("equity.inequality.weights", lang, areas=areas,
                 weight=t(f"equity.weight.{weight}", lang)))
    tables.download_csv(tables.csv_file(equity_view.readings_frame(items, texts)),
                        f"{file_name}.csv", lang=lang, label_key="chart.download_csv",
                        key="equity_inequality_csv")


def choose_versus(options: list[str], default: str, *, registry, lang: str) -> str:
    """The indicator on the scatter's horizontal axis, held in the URL as ``vs``."""
    def name(indicator_id: str) -> str:
        return f"{registry.get(indicator_id).name(lang)} ({indicator_id})"

    url_state.choose(VERSUS, options, default, parse=str, label_key="equity.param.vs",
                     describe=name)
    chosen = st.selectbox(t("equity.scatter.versus", lang), options,
                          key=url_state.widget_key(VERSUS), format_func=name,
                          help=t("equity.scatter.versus_help", lang))
    url_state.keep(VERSUS, chosen)
    return chosen


def show_scatter(points: pd.DataFrame, left_out: int, x_ind: Indicator, y_ind: Indicator,
                 *, colour: str, size_title: str, national_x: float | None,
                 national_y: float | None, title: str, subtitle: str, lang: str,
                 file_name: str) -> None:
    if points.empty:
        st.info(t("equity.scatter.empty", lang), icon=":material/database_off:")
        return
    chart = built(
        scatter_chart, points=points, x_title=axis_title(x_ind, x_ind.unit, lang),
        y_title=axis_title(y_ind, y_ind.unit, lang), size_title=size_title, colour=colour,
        colour_title=t(f"equity.scatter.colour.{colour}", lang), national_x=national_x,
        national_y=national_y, title=title, subtitle=subtitle, x_unit=x_ind.unit,
        y_unit=y_ind.unit, lang=lang)
    chart_export.show(chart, points.drop(columns=["flagged"]), file_name=file_name, lang=lang,
         key="equity_scatter")
    notes = [t("equity.scatter.note", lang)]
    if points["small"].any():
        notes.append(t("equity.scatter.small", lang))
    if left_out:
        notes.append(t("equity.scatter.left_out", lang, n=left_out))
    st.caption(" ".join(notes))


def show_bottom(rows: pd.DataFrame, indicator: Indicator, unit: str, dimension: str, *,
                lang: str, file_name: str) -> None:
    shown = with_distinct_names(rows, lang)
    columns = {"rank": t("chart.rank", lang), "unit_name": t("chart.area", lang),
               "value": t("equity.bottom.value", lang, unit=t(f"chart.unit.{unit}", lang)),
               "gap": t("equity.bottom.gap", lang)}
    groups = extract.split_groups(dimension)
    for col in [c for c in shown.columns if c in groups or c == PARITY]:
        columns[col] = extract.split_words().group(dimension, col, lang)
    shown["value"] = [values.format_value(v, unit, lang) for v in shown["value"]]
    shown["gap"] = [values.format_change(g, unit, lang) or t("format.no_data", lang)
                    for g in shown["gap"]]
    for col in [c for c in columns if c in groups]:
        shown[col] = [values.format_value(v, indicator.unit, lang) for v in shown[col]]
    if PARITY in shown:
        shown[PARITY] = [values.format_value(v, "index", lang)
                                     for v in shown[PARITY]]
    shown["flags"] = [", ".join(values.flag_labels(split_flags(f or ""), lang))
                      for f in shown["flags"]]
    columns["flags"] = t("chart.flags", lang)
    tables.table(shown, columns, lang=lang, max_rows=15, integers=("rank",),
                 key="equity_bottom")
    digits = values.DIGITS.get(unit, 1)
    shown_digits = {col: values.DIGITS["index"] if col == PARITY else digits
                    for col in ("value", "gap", PARITY, *groups)}
    tables.download_csv(tables.csv_file(rows, shown_digits), f"{file_name}.csv",
                        lang=lang, label_key="chart.download_csv", key="equity_bottom_csv")
