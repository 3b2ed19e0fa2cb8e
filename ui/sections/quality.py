"""The Quality page's sections: where the schools stand in the quality assessment of the
chosen area and year, for a district office planning its support visits.

Headline figures (schools assessed, at each level, the support days they call for); the
schools by level in each area one admin level down (bars, and a map of one level); the
standards met by area (a heat map); then, a tab each, the schools to support first, the
items most often rated lowest, the schools that moved up or down a level since the year
before, the self-assessment against the external one, and the schools that assessed
themselves against those that did not. A package with the flat quality table (standards
only) gets the heat map.
"""
from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from lib.areas import level_word
from lib.i18n import format_number, format_school_year, t
from lib.indicators import IndicatorError
from lib.quality import Framework
from ui import chart_export, extract, indicator_map, nav, tables, url_state, values
from ui.chart_export import FONT
from ui.filters import Filters
from ui.markdown import escape
from ui.url_state import widget_key

LEVEL_PARAM = "quality_level"  # the level whose share the map shows (URL)
DETAIL_TABS = "quality_details"  # session: the tab of details open
# Lowest level (most support needed) to highest, red to blue (ColorBrewer RdYlBu without
# its pale middle, which vanishes on white), for as many levels as a framework has.
LEVEL_PALETTES = {1: ("#d7191c",), 2: ("#d7191c", "#2c7bb6"),
                  3: ("#d7191c", "#fdae61", "#2c7bb6"),
                  4: ("#d7191c", "#fdae61", "#abd9e9", "#2c7bb6"),
                  5: ("#d7191c", "#fdae61", "#e6d96b", "#abd9e9", "#2c7bb6")}
ROW_PX, LEGEND_PX, AXIS_PX = 26, 20, 60  # a chart's row of an area, legend line, axis


def rows_height(n: int) -> int:
    """The height of a chart's plot with a row per area."""
    return max(120, ROW_PX * n)


LEGEND = alt.Legend(orient="bottom", direction="vertical", labelLimit=0, title=None)
HEAT_SCHEME = "blues"
MAX_LISTED = 500  # schools to support listed (the CSV has them all up to this)


def level_scale(order: list[str]) -> alt.Scale:
    """The colours of the levels, lowest first."""
    if len(order) in LEVEL_PALETTES:
        return alt.Scale(domain=order, range=list(LEVEL_PALETTES[len(order)]))
    return alt.Scale(domain=order, scheme="redyellowblue")


def show(chosen: Filters) -> None:
    lang = chosen.lang
    framework = extract.quality_framework()
    if not framework.standards:
        st.info(t("quality.none", lang), icon=":material/database_off:")
        return
    districts = districts_of(chosen)
    rolled = bool(extract.quality_read("assessed"))
    if rolled:
        headline(chosen, framework, districts)
        if framework.levels:
            by_level(chosen, framework)
    standards_by_area(chosen, framework)
    if not rolled:
        st.caption(t("quality.flat_only", lang))
        return
    details(chosen, framework, districts)


def details(chosen: Filters, framework: Framework, districts) -> None:
    """The schools to support, the items rated lowest, progress, self- against external
    assessment and the schools that did not assess themselves: a tab each, drawn only when
    open (each opening reruns the page), so a change of year or area computes one of them,
    not all five."""
    lang = chosen.lang
    lowest = framework.ratings[-1].name(lang) if framework.ratings else ""
    sections = [("support", to_support)] if framework.levels else []
    sections.append(("issues", frequent_issues))
    if framework.levels:
        sections.append(("progress", progress))
    sections += [("external", self_and_external), ("coverage", assessed_and_not)]
    tabs = st.tabs([t(f"quality.{key}.heading", lang, rating=escape(lowest))
                    for key, _ in sections], key=DETAIL_TABS, on_change="rerun")
    for tab, (_, draw) in zip(tabs, sections):
        with tab:
            if tab.open is not False:
                draw(chosen, framework, districts)


def districts_of(chosen: Filters) -> tuple[str, ...] | None:
    """The areas of the finest level in the chosen area (None: the whole country)."""
    if not chosen.area:
        return None
    return tuple(extract.areas_within(len(extract.country().admin_levels), chosen.area))


def sub_level(chosen: Filters) -> int | None:
    """The admin level one below the chosen area's (None below the finest level)."""
    number = chosen.area_level + 1
    return number if number <= len(extract.country().admin_levels) else None


def area_values(indicator_id: str, chosen: Filters, number: int) -> pd.DataFrame:
    """The indicator's total of each area of level ``number`` in the chosen area: unit_code,
    value, numerator, denominator, flags."""
    level_id = extract.country().admin_ids[number - 1]
    frame = extract.indicator(indicator_id, level_id, chosen.year, lang=chosen.lang)
    shown = set(extract.areas_within(number, chosen.area or None))
    return frame[(frame["group"] == "T") & frame["unit_code"].isin(shown)]


def share(part: int, whole: int, lang: str) -> str:
    return values.format_value(100.0 * part / whole, "%", lang) if whole else "–"


# ------------------------------------------------------------------ headline
def headline(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    cover = extract.quality_read("coverage", chosen.year, districts)
    counts = extract.quality_read("level_counts", districts)
    counts = counts[counts["year"] == chosen.year]
    assessed = int(counts["schools"].sum())
    cards = [(t("quality.kpi.self_assessed", lang),
              format_number(cover["self_assessed"], lang),
              t("quality.kpi.of_reporting", lang,
                share=share(cover["self_assessed"], cover["reporting"], lang),
                n=format_number(cover["reporting"], lang))),
             (t("quality.kpi.verified", lang), format_number(cover["verified"], lang),
              t("quality.kpi.of_reporting", lang,
                share=share(cover["verified"], cover["reporting"], lang),
                n=format_number(cover["reporting"], lang)))]
    for level in framework.levels:
        n = int(counts.loc[counts["level"] == level.id, "schools"].sum())
        cards.append((level.name(lang), format_number(n, lang),
                      t("quality.kpi.of_assessed", lang, share=share(n, assessed, lang))))
    days = sum(int(counts.loc[counts["level"] == lv.id, "schools"].sum()) * lv.support_days
               for lv in framework.levels if lv.support_days is not None)
    if any(lv.support_days is not None for lv in framework.levels):
        cards.append((t("quality.kpi.support_days", lang), format_number(days, lang),
                      t("quality.kpi.support_days_note", lang)))
    per_row = 4
    for start in range(0, len(cards), per_row):
        columns = st.columns(per_row)
        for column, (label, value, note) in zip(columns, cards[start:start + per_row]):
            column.metric(label, value, help=None, border=True)
            column.caption(note)
    if not assessed:
        st.info(t("quality.no_assessment", lang,
                  year=format_school_year(chosen.year, lang)), icon=":material/info:")


# ------------------------------------------------------------------ schools by level
def choose_level(framework: Framework, lang: str) -> str:
    """The level whose share the map shows (URL ``quality_level``); the lowest by default:
    the schools most in need of support."""
    ids = [lv.id for lv in framework.levels]
    url_state.choose(LEVEL_PARAM, ids, ids[0], parse=str, label_key="quality.level_param",
                     describe=lambda level: framework.level(level).name(lang))
    picked = st.selectbox(t("quality.map_level", lang), ids, key=widget_key(LEVEL_PARAM),
                          format_func=lambda level: framework.level(level).name(lang))
    picked = picked if picked in ids else ids[0]
    url_state.keep(LEVEL_PARAM, picked)
    return picked


def section_by_area(chosen: Filters, key: str) -> int | None:
    """The heading and introduction of a section that compares the areas one admin level
    down (``quality.<key>``); their level's number, or None below the finest level."""
    lang = chosen.lang
    st.subheader(t(f"quality.{key}.heading", lang))
    number = sub_level(chosen)
    if number is None:
        st.caption(t("quality.finest", lang))
        return None
    st.caption(t(f"quality.{key}.intro", lang, areas=level_word(
        extract.country(), extract.country().admin_ids[number - 1], lang, plural=True)))
    return number


def by_level(chosen: Filters, framework: Framework) -> None:
    lang = chosen.lang
    number = section_by_area(chosen, "levels")
    if number is None:
        return
    names = extract.area_names(lang)
    rows = []
    for level in framework.levels:
        try:
            found = area_values(f"quality_level_{level.id}", chosen, number)
        except IndicatorError:
            continue
        rows += [{"area": names.get(code, code), "level": level.name(lang), "rank": level.rank,
                  "value": value, "schools": numerator, "label": values.format_value(
                      value, "%", lang)}
                 for code, value, numerator in zip(found["unit_code"], found["value"],
                                                   found["numerator"])
                 if pd.notna(value)]
    left, right = st.columns([3, 2], gap="large")
    with left:
        if rows:
            frame = pd.DataFrame(rows)
            order = [lv.name(lang) for lv in framework.levels]
            st.vega_lite_chart(chart_export.built(levels_chart, rows=frame, order=order,
                                                  lowest_rank=framework.levels[0].rank,
                                                  lang=lang),
                               width="stretch", height=rows_height(frame["area"].nunique())
                               + LEGEND_PX * len(framework.levels) + AXIS_PX)
        else:
            st.info(t("quality.no_assessment", lang,
                      year=format_school_year(chosen.year, lang)), icon=":material/info:")
    with right:
        picked = choose_level(framework, lang)
        indicator_map.small_map(chosen, f"quality_level_{picked}", key="quality_map",
                                height=380)


def level_encoding(field: str, order: list[str], bar: tuple[str, str], lang: str) -> dict:
    """The colour, stacking order and tooltip of bars of schools by level (``field``: the
    level's name, ``order``: the names, lowest first; ``bar``: the field naming a bar and
    its title)."""
    return dict(
        color=alt.Color(f"{field}:N", sort=order, scale=level_scale(order), legend=LEGEND),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip(f"{bar[0]}:N", title=bar[1]),
                 alt.Tooltip(f"{field}:N", title=t("quality.level", lang)),
                 alt.Tooltip("label:N", title=t("chart.value", lang)),
                 alt.Tooltip("schools:Q", title=t("quality.schools", lang), format=",.0f")])


def levels_chart(rows: pd.DataFrame, order: list[str], lowest_rank: int,
                 lang: str) -> alt.Chart:
    """Each area's schools by level (``order``: the levels' names, lowest first), stacked
    to 100%, the areas with the most schools at the lowest level first."""
    lowest = rows[rows["rank"] == lowest_rank].sort_values("value", ascending=False)
    areas = list(dict.fromkeys(list(lowest["area"]) + list(rows["area"])))
    return alt.Chart(rows).mark_bar().encode(
        y=alt.Y("area:N", sort=areas, title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=160)),
        x=alt.X("value:Q", stack="zero", title=t("quality.levels.axis", lang),
                scale=alt.Scale(domain=[0, 100], nice=False)),
        **level_encoding("level", order, ("area", t("chart.area", lang)), lang),
    ).properties(height=rows_height(len(areas)), width="container").configure(font=FONT)


# ------------------------------------------------------------------ standards by area
def standards_by_area(chosen: Filters, framework: Framework) -> None:
    lang = chosen.lang
    number = section_by_area(chosen, "standards")
    if number is None:
        return
    registry = extract.registry()
    names = extract.area_names(lang)
    rows = []
    for indicator in registry:
        if indicator.family != "quality_met":
            continue
        standard = framework.standard(str(indicator.params["standard"]))
        try:
            found = area_values(indicator.id, chosen, number)
        except IndicatorError:
            continue
        rows += [{"area": names.get(code, code), "standard": standard.name(lang),
                  "value": value, "label": values.format_value(value, "%", lang),
                  "schools": denominator}
                 for code, value, denominator in zip(found["unit_code"], found["value"],
                                                     found["denominator"]) if pd.notna(value)]
    if not rows:
        st.info(t("quality.no_assessment", lang, year=format_school_year(chosen.year, lang)),
                icon=":material/info:")
        return
    frame = pd.DataFrame(rows)
    st.vega_lite_chart(chart_export.built(heat_map, rows=frame,
                                          standards=[s.name(lang) for s in framework.standards],
                                          lang=lang),
                       width="stretch", height=rows_height(frame["area"].nunique()) + AXIS_PX)
    tables.download_csv(tables.csv_file(frame[["area", "standard", "value", "schools"]],
                                        {"value": 1}),
                        f"standards-{chosen.year}.csv", lang=lang, key="quality_heat_csv")


def heat_map(rows: pd.DataFrame, standards: list[str], lang: str) -> alt.LayerChart:
    """Standards across, areas down, each cell the share of assessed schools meeting the
    standard, written in the cell; the areas in the order of their mean share, lowest
    first."""
    order = list(rows.groupby("area")["value"].mean().sort_values().index)
    base = alt.Chart(rows).encode(
        x=alt.X("standard:N", sort=standards, title=None,
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=120, labelOverlap=False)),
        y=alt.Y("area:N", sort=order, title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=160)))
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=t("quality.standards.legend", lang),
                        scale=alt.Scale(scheme=HEAT_SCHEME, domain=[0, 100])),
        tooltip=[alt.Tooltip("area:N", title=t("chart.area", lang)),
                 alt.Tooltip("standard:N", title=t("quality.standard", lang)),
                 alt.Tooltip("label:N", title=t("chart.value", lang)),
                 alt.Tooltip("schools:Q", title=t("quality.schools", lang), format=",.0f")])
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("datum.value >= 60", alt.value("#ffffff"), alt.value("#222222")))
    return alt.layer(cells, text).properties(
        height=rows_height(len(order)), width="container").configure(font=FONT)


# ------------------------------------------------------------------ items rated lowest
def frequent_issues(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    lowest = framework.ratings[-1].name(lang) if framework.ratings else ""
    found = extract.quality_read("frequent_issues", chosen.year, districts)
    if found.empty:
        st.caption(t("quality.issues.none", lang, rating=escape(lowest)))
        return
    frame = found.assign(
        item_name=[framework.item(i).name(lang) for i in found["item"]],
        standard_name=[framework.standard(s).name(lang) for s in found["standard"]],
        lowest_share=found["lowest_share"].round(1))
    st.caption(t("quality.issues.intro", lang, rating=escape(lowest)))
    tables.table(frame, {"item_name": t("quality.item", lang),
                         "standard_name": t("quality.standard", lang),
                         "lowest": t("quality.issues.lowest", lang, rating=lowest),
                         "lowest_share": t("quality.issues.share", lang),
                         "issues": t("quality.issues.below_top", lang),
                         "assessed": t("quality.issues.assessed", lang)},
                 lang=lang, counts=("lowest", "issues", "assessed"), key="quality_issues")


# ------------------------------------------------------------------ progress
def progress(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    moved = extract.quality_read("movement", chosen.year, districts)
    if moved.empty:
        st.caption(t("quality.progress.none", lang,
                     year=format_school_year(chosen.year - 1, lang)))
    else:
        up = int(moved.loc[moved["to_rank"] > moved["from_rank"], "schools"].sum())
        down = int(moved.loc[moved["to_rank"] < moved["from_rank"], "schools"].sum())
        same = int(moved["schools"].sum()) - up - down
        columns = st.columns(3)
        for column, key, n in zip(columns, ("up", "same", "down"), (up, same, down)):
            column.metric(t(f"quality.progress.{key}", lang), format_number(n, lang),
                          border=True)
        st.caption(t("quality.progress.intro", lang,
                     before=format_school_year(chosen.year - 1, lang),
                     year=format_school_year(chosen.year, lang)))
    counts = extract.quality_read("level_counts", districts)
    if counts["year"].nunique() > 1:
        st.vega_lite_chart(chart_export.built(
            years_chart, counts=counts, names={lv.id: lv.name(lang) for lv in framework.levels},
            lang=lang), width="stretch")


def years_chart(counts: pd.DataFrame, names: dict[str, str], lang: str) -> alt.Chart:
    """The schools of each level every year, stacked to 100% (``names``: the levels'
    names by id, lowest first)."""
    data = counts.copy()
    data["share"] = 100.0 * data["schools"] / data.groupby("year")["schools"].transform("sum")
    data["level_name"] = [names.get(lv, lv) for lv in data["level"]]
    data["school_year"] = [format_school_year(y, lang) for y in data["year"]]
    data["label"] = [values.format_value(v, "%", lang) for v in data["share"]]
    order = list(names.values())
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("school_year:N", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", stack="zero", title=t("quality.levels.axis", lang),
                scale=alt.Scale(domain=[0, 100], nice=False)),
        **level_encoding("level_name", order, ("school_year", t("chart.year", lang)), lang),
    ).properties(height=260, width="container").configure(font=FONT)


# ------------------------------------------------------------------ self and external
def self_and_external(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    standards, levels = extract.quality_read("self_and_external", chosen.year, districts)
    if standards.empty:
        st.caption(t("quality.external.none", lang,
                     year=format_school_year(chosen.year, lang)))
        return
    n = int(standards["schools"].max())
    counts = dict(zip(levels["comparison"], levels["schools"].astype(int)))
    st.caption(t("quality.external.intro", lang, n=format_number(n, lang)))
    if counts:
        st.markdown(t("quality.external.levels", lang,
                      higher=format_number(counts.get("higher", 0), lang),
                      same=format_number(counts.get("same", 0), lang),
                      lower=format_number(counts.get("lower", 0), lang)))
    standards = standards.sort_values("standard", key=framework.standard_order)
    frame = standards.assign(
        standard_name=[framework.standard(s).name(lang) for s in standards["standard"]],
        self_met=standards["self_met"].round(1), external_met=standards["external_met"].round(1),
        gap=standards["gap"].round(1))
    tables.table(frame, {"standard_name": t("quality.standard", lang),
                         "schools": t("quality.schools", lang),
                         "self_met": t("quality.external.self_met", lang),
                         "external_met": t("quality.external.external_met", lang),
                         "gap": t("quality.external.gap", lang)},
                 lang=lang, counts=("schools",), key="quality_external")


# ------------------------------------------------------------------ assessed or not
def assessed_and_not(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    found = extract.quality_read("assessed_and_not", chosen.year, districts)
    if found.empty:
        return
    frame = found.assign(
        who=[t("quality.coverage.assessed" if a else "quality.coverage.not_assessed", lang)
             for a in found["assessed"]],
        rural=found["rural"].round(1), priority=found["priority"].round(1),
        pupils=found["pupils"].round(0), ptr=found["ptr"].round(1))
    st.caption(t("quality.coverage.intro", lang))
    columns = {"who": "", "schools": t("quality.schools", lang),
               "rural": t("quality.coverage.rural", lang),
               "priority": t("quality.coverage.priority", lang),
               "pupils": t("quality.coverage.pupils", lang),
               "ptr": t("quality.coverage.ptr", lang)}
    if not extract.has_values("schools", "locality"):
        columns.pop("rural")
    if not extract.has_values("teachers"):
        columns.pop("ptr")
    tables.table(frame, columns, lang=lang, counts=("schools",), key="quality_coverage")


# ------------------------------------------------------------------ schools to support
def to_support(chosen: Filters, framework: Framework, districts) -> None:
    lang = chosen.lang
    found = extract.quality_read("schools_to_support", chosen.year, districts, MAX_LISTED)
    if found.empty:
        return
    names = extract.area_names(lang)
    profile = nav.school_link_prefix(lang) if nav.has_page("schools") else ""
    frame = found.assign(
        name=[n_local if lang != "en" and isinstance(n_local, str) and n_local else n_en
              for n_en, n_local in zip(found["name_en"], found["name_local"])],
        area=[names.get(code, code) for code in found["district_code"]],
        level_name=[framework.level(lv).name(lang) for lv in found["level"]],
        score=found["score"].round(1),
        assessor_name=[t(f"quality.assessor.{a}", lang) for a in found["assessor"]],
        profile=[profile + str(s) if profile else None for s in found["school_id"]])
    st.caption(t("quality.support.intro", lang)
               + (" " + t("quality.support.more", lang, n=format_number(MAX_LISTED, lang))
                  if len(found) >= MAX_LISTED else ""))
    columns = {"name": t("quality.support.school", lang), "area": t("chart.area", lang),
               "level_name": t("quality.level", lang), "score": t("quality.score", lang),
               "assessor_name": t("quality.assessor.heading", lang),
               "support_days": t("quality.support.days", lang)}
    if frame["support_days"].isna().all():
        columns.pop("support_days")
    config = {col: st.column_config.Column(label) for col, label in columns.items()}
    if profile:
        columns["profile"] = t("quality.support.profile", lang)
        config["profile"] = st.column_config.LinkColumn(
            columns["profile"], display_text=t("schools.results.open", lang), width="small")
    height = "auto" if len(frame) <= 12 else tables.HEADER_PX + tables.ROW_PX * 12
    st.dataframe(frame[list(columns)], hide_index=True, column_config=config, height=height,
                 placeholder=t("format.empty_cell", lang), key="quality_support")
    tables.download_csv(tables.csv_file(frame[["school_id", "name", "area", "level",
                                               "score", "assessor", "support_days"]],
                                        {"score": 1}),
                        f"schools-to-support-{chosen.year}.csv", lang=lang,
                        key="quality_support_csv")
