"""The Schools page's profile of one school (``/schools?school=<school_id>``): identity,
location, warnings, pupils, teachers compared with its areas, facilities and quality.

Every text from data (names, ids, warnings) is escaped before it goes into Markdown, shown
in table cells (text, never HTML) or escaped by :mod:`geo.mapping` in the map.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from geo import mapping
from lib import schools
from lib.country import Country, admin_level_name
from lib.i18n import format_number, format_school_year, local_name, t
from lib.indicators import IndicatorError
from lib.quality import Scorecard
from lib.vocabulary import ANY_DOMAIN, LOCALITIES, OWNERSHIPS, TOTAL
from ui import extract, maps, report, tables, values
from ui.chart_export import GROUP_COLOURS
from ui.filters import Filters
from ui.markdown import escape
from ui.sections import schools as search

SEX_COLOURS = dict(zip(("F", "M"), GROUP_COLOURS))  # as on the Trends and Equity pages
BOTH_SEXES_COLOUR = "#1f4e79"  # the theme's primary colour
LADDER_COLOURS = {"basic": "green", "limited": "orange", "none": "red", "": "gray"}
LADDER_ICONS = {"basic": ":material/check_circle:", "limited": ":material/error:",
                "none": ":material/cancel:", "": None}
MAP_HEIGHT = 300


# --------------------------------------------------------------------------- profile


def _yes_no(value: object, lang: str) -> str:
    flag = schools.bool_or_none(value)
    return t("format.no_data", lang) if flag is None else t(
        "schools.value.yes" if flag else "schools.value.no", lang)


def _word(value: object, lang: str) -> str:
    return t(f"schools.value.{value}", lang) if isinstance(value, str) and value in (
        *OWNERSHIPS, *LOCALITIES) else (
        escape(value) if value else t("format.no_data", lang))


def heading(record: dict, lang: str) -> None:
    name = local_name(record["name_en"] or "", record["name_local"] or "", lang)
    other = record["name_local"] if lang == "en" else record["name_en"]
    st.button(t("schools.profile.back", lang), icon=":material/arrow_back:",
              on_click=search.open_school, args=(None,), key="schools_back")
    st.title(escape(name or record["school_id"]))
    parts = [escape(other)] if other and other != name else []
    parts.append(t("schools.profile.code", lang, code=escape(record["school_id"])))
    st.caption(" · ".join(parts))


def identity(record: dict, country: Country, lang: str) -> None:
    names = extract.area_names(lang)
    line = extract.area_lines().get(record["district_code"], ())
    levels = ", ".join(escape(extract.level_name(lv, lang)) if lv in country.level_ids
                       else escape(lv) for lv in schools.levels_of(record["levels"]))
    road = record.get("distance_to_road_km")
    facts = [
        (t("schools.profile.field.code", lang), escape(record["school_id"])),
        (t("schools.profile.field.name_en", lang), escape(record["name_en"] or "")),
        (t("schools.profile.field.name_local", lang), escape(record["name_local"] or "")),
        # the areas it lies in, the smallest first
        *((admin_level_name(country, number, lang),
           f"{escape(names.get(code, ''))} ({escape(code)})")
          for number, code in reversed(list(enumerate(line, start=1)))),
        (t("schools.profile.field.ownership", lang), _word(record["ownership"], lang)),
        (t("schools.profile.field.locality", lang), _word(record["locality"], lang)),
        (t("schools.profile.field.levels", lang), levels or t("format.no_data", lang)),
        (t("schools.profile.field.complete", lang), _yes_no(record["complete"], lang)),
        (t("schools.profile.field.multigrade", lang), _yes_no(record["multigrade"], lang)),
        (t("schools.profile.field.road", lang),
         t("schools.profile.km", lang, value=format_number(road, lang, 1))
         if schools.finite(road) else t("format.no_data", lang)),
        (t("schools.profile.field.opened", lang),
         str(int(record["opened_year"])) if schools.finite(record.get("opened_year"))
         else t("format.no_data", lang)),
    ]
    if schools.finite(record.get("closed_year")):
        facts.append((t("schools.profile.field.closed", lang), str(int(record["closed_year"]))))
    st.markdown("\n".join(f"- **{label}**: {value}" for label, value in facts))


def problems(found: pd.DataFrame, lang: str) -> None:
    if found.empty:
        st.success(t("schools.profile.no_warnings", lang), icon=":material/task_alt:")
        return
    lines = []
    for kind, message, year in zip(found["kind"], found["message"], found["year"]):
        label = t(f"problem_kind.{kind}", lang) if _has_kind(kind) else escape(kind)
        when = f" ({format_school_year(int(year), lang)})" if pd.notna(year) else ""
        lines.append(f"- **{label}**{when}: {escape(message)}")
    st.warning(t("schools.profile.warnings", lang, n=len(found)) + "\n" + "\n".join(lines),
               icon=":material/report:")


def _has_kind(kind: str) -> bool:
    from lib.i18n import has

    return has(f"problem_kind.{kind}")


# --------------------------------------------------------------------------- location map


def location(record: dict, lang: str) -> None:
    """The school on a small map of its area (of the finest level with polygons; its point,
    when it has one)."""
    country = extract.country()
    finest = max(country.polygon_levels)
    # every area of that level: its point may lie in another area of level 1
    geometries = extract.boundaries(finest, "high")
    line = extract.area_lines().get(record["district_code"], ())
    codes = [line[finest - 1]] if len(line) >= finest else []
    located = record.get("located_district")
    if record.get("outside_district") and located and located not in codes:
        codes.append(located)
    shown = {c: geometries[c] for c in codes if c in geometries}
    placed = bool(record.get("has_location")) and schools.finite(record.get("latitude"))
    if not shown and not placed:
        st.info(t("schools.profile.no_map", lang), icon=":material/location_off:")
        return
    names = extract.area_names(lang)
    areas = [mapping.Area(code=code, name=names.get(code, code),
                          value=t("schools.profile.map_own" if i == 0
                                  else "schools.profile.map_other", lang), k=i)
             for i, code in enumerate(codes)]
    bounds = maps.bounds(shown, (float(record["latitude"]), float(record["longitude"]))
                         if placed else None)
    spec = mapping.MapSpec(
        features=mapping.area_features(shown, areas),
        colours=("#dce6f0", "#f6dccf"), words=mapping.TipLabels(
            value=t("schools.profile.map_area", lang)),
        legend=None, bounds=bounds, legend_room=10,
        schools=_point(record, lang) if placed else None,
        school_words=maps.popup_labels(lang) if placed else None)
    maps.draw(spec, key="schools_map", height=MAP_HEIGHT)
    if not placed:
        st.caption(t("schools.profile.not_placed", lang))
    elif record.get("outside_district"):
        st.caption(t("schools.profile.outside", lang))


def _point(record: dict, lang: str) -> mapping.Schools:
    name = local_name(record["name_en"] or "", record["name_local"] or "", lang)
    return mapping.Schools(
        latitude=np.array([float(record["latitude"])]),
        longitude=np.array([float(record["longitude"])]),
        category=np.array([0]), school_id=[record["school_id"]], name=[name],
        pupils=np.array([math.nan]), ptr=np.array([math.nan]), colours=("#c4553a",))


# --------------------------------------------------------------------------- pupils


def _pupils_by_sex(lang: str, sexes: set[str]) -> dict:
    """The encodings both pupil charts share: pupils up, girls and boys by colour (or both
    as one, "T", in the public view); ``sexes``: those the rows have."""
    colours = {"F": SEX_COLOURS["F"], "M": SEX_COLOURS["M"], "T": BOTH_SEXES_COLOUR}
    names = {"F": t("schools.sex.F", lang), "M": t("schools.sex.M", lang),
             "T": t("schools.profile.pupils.axis", lang)}
    shown = [sex for sex in ("F", "M", "T") if sex in sexes]
    scale = {"domain": [names[sex] for sex in shown],
             "range": [colours[sex] for sex in shown]}
    return {"y": {"field": "enrolled", "type": "quantitative",
                  "title": t("schools.profile.pupils.axis", lang)},
            "color": {"field": "sex", "type": "nominal", "title": None, "scale": scale,
                      "legend": {"orient": "top"}}}


def _years_chart(by_year: pd.DataFrame, sexes: set[str], lang: str) -> None:
    """The school's pupils every year it reported, by sex (``sexes``: those it has)."""
    st.vega_lite_chart(by_year, {
        "height": 240,
        "mark": {"type": "line", "point": True, "strokeWidth": 2.5},
        "encoding": {
            "x": {"field": "school_year", "type": "ordinal", "title": None,
                  "axis": {"labelAngle": -40}},
            **_pupils_by_sex(lang, sexes),
            "tooltip": [{"field": "school_year", "title": t("schools.year", lang)},
                        {"field": "sex", "title": t("schools.sex.title", lang)},
                        {"field": "enrolled", "title": t("schools.profile.pupils.axis",
                                                          lang), "format": ","}]}},
        key="schools_chart_years")


def pupils(enrolment: pd.DataFrame, year: int, lang: str, school_id: str) -> None:
    st.subheader(t("schools.profile.pupils.heading", lang))
    if enrolment.empty:
        st.info(t("schools.profile.pupils.none", lang), icon=":material/database_off:")
        return
    # "T": girls and boys as one (the public view does not split a school's pupils)
    sex = {"F": t("schools.sex.F", lang), "M": t("schools.sex.M", lang),
           "T": t("schools.profile.pupils.axis", lang)}
    left, right = st.columns(2, gap="large")
    sexes = set(enrolment["sex"].astype(str))
    by_year = schools.enrolment_by_year(enrolment)
    by_year = by_year.assign(sex=by_year["sex"].map(sex).fillna(by_year["sex"]),
                             school_year=[format_school_year(y, lang) for y in by_year["year"]])
    with left:
        st.markdown(f"**{t('schools.profile.pupils.over_years', lang)}**")
        if by_year["enrolled"].isna().all():  # every year has a part not published
            st.info(t("access.school_totals", lang), icon=":material/lock:")
        else:
            _years_chart(by_year, sexes, lang)
    grades = schools.enrolment_by_grade(enrolment, year)
    with right:
        title = t("schools.profile.pupils.by_grade", lang, year=format_school_year(year, lang))
        st.markdown(f"**{title}**")
        if grades.empty:
            st.info(t("schools.profile.pupils.not_this_year", lang,
                      year=format_school_year(year, lang)), icon=":material/event_busy:")
        else:
            grades = grades.assign(sex=grades["sex"].map(sex).fillna(grades["sex"]),
                                   grade=[t("schools.grade", lang, n=int(g))
                                          for g in grades["grade"]])
            st.vega_lite_chart(grades, {
                "height": 240,
                "mark": {"type": "bar"},
                "encoding": {
                    "x": {"field": "grade", "type": "nominal", "title": None,
                          "sort": None, "axis": {"labelAngle": 0}},
                    "xOffset": {"field": "sex"},
                    **_pupils_by_sex(lang, sexes),
                    "tooltip": [{"field": "grade", "title": t("schools.grade_title", lang)},
                                {"field": "sex", "title": t("schools.sex.title", lang)},
                                {"field": "enrolled", "format": ",",
                                 "title": t("schools.profile.pupils.axis", lang)},
                                {"field": "repeaters", "format": ",",
                                 "title": t("schools.profile.pupils.repeaters", lang)}]}},
                key="schools_chart_grades")
    with st.expander(t("schools.profile.pupils.table", lang)):
        wide = schools.enrolment_table(enrolment)
        year_columns = [c for c in wide.columns if c != "grade"]
        columns = {"grade": t("schools.grade_title", lang),
                   **{c: format_school_year(int(c), lang) for c in year_columns}}
        tables.table(wide, columns, lang=lang, counts=year_columns, key="schools_enrolment")
        tables.download_csv(tables.csv_file(wide),
                            t("schools.profile.pupils.file_name", lang, id=school_id),
                            lang=lang, key="schools_enrolment_csv")


# --------------------------------------------------------------------------- teachers


def _area_value(indicator_id: str, level: str, year: int, code: str | None,
                lang: str) -> float:
    try:
        frame = extract.indicator(indicator_id, level, year, lang=lang)
    except IndicatorError:
        return math.nan
    rows = frame[frame["group"] == TOTAL]
    if code is not None:
        rows = rows[rows["unit_code"] == code]
    return float(rows["value"].iloc[0]) if not rows.empty else math.nan


def teachers(record: dict, figures: schools.SchoolFigures, levels: list[str],
             country: Country, lang: str) -> None:
    st.subheader(t("schools.profile.teachers.heading", lang))
    year = figures.year
    registry = extract.registry()
    cards = st.columns(5)
    # min_count: a package without teachers gives unknown (NaN) teachers, not 0
    total = figures.by_level[["teachers", "qualified", "trained"]].sum(min_count=1) \
        if not figures.by_level.empty else pd.Series({"teachers": 0, "qualified": 0,
                                                       "trained": 0})
    n = float(total["teachers"])
    for column, label, value in (
            (cards[0], "pupils", format_number(figures.pupils, lang)),
            (cards[1], "teachers", format_number(n if math.isfinite(n) else None, lang)),
            (cards[2], "qualified", values.format_value(
                total["qualified"] / n * 100 if n else None, "%", lang)),
            (cards[3], "trained", values.format_value(
                total["trained"] / n * 100 if n else None, "%", lang)),
            (cards[4], "classrooms", format_number(
                figures.classrooms if math.isfinite(figures.classrooms) else None, lang))):
        column.metric(t(f"schools.profile.teachers.{label}", lang), value, border=True)
    line = extract.area_lines().get(record["district_code"], ())
    compared = schools.compared_levels(country.admin_ids[:len(line)])
    code_of = dict(zip(country.admin_ids, line))
    area_values = {}
    for _, indicator_id, _, _ in schools.comparison_requests(levels):
        if indicator_id not in registry:
            continue
        area_values[indicator_id] = {
            where: _area_value(indicator_id, where, year, code_of.get(where), lang)
            for where in compared}
    table = schools.comparison(figures, area_values, levels, compared)
    shown = pd.DataFrame({
        "measure": [t(f"schools.profile.measure.{m}", lang) + (
            " · " + extract.level_name(lv, lang) if lv else "")
            for m, lv in zip(table["measure"], table["level"])],
        **{col: [values.format_value(v, unit, lang) for v, unit in zip(table[col],
                                                                        table["unit"])]
           for col in ("school", *compared)}})
    names = extract.area_names(lang)
    tables.table(shown, {
        "measure": t("schools.profile.compare.measure", lang, year=format_school_year(year,
                                                                                       lang)),
        "school": t("schools.profile.compare.school", lang),
        **{where: t("schools.profile.compare.area", lang,
                    admin=admin_level_name(country, country.admin_number(where), lang),
                    name=names.get(code_of[where], ""))
           for where in compared if where in code_of},
        "national": t("schools.profile.compare.national", lang,
                      name=extract.country_name(lang))},
        lang=lang, key="schools_compare")
    st.caption(t("schools.profile.compare.note", lang))


# --------------------------------------------------------------------------- facilities


def facilities(frame: pd.DataFrame, year: int, lang: str) -> None:
    st.subheader(t("schools.profile.facilities.heading", lang))
    found = schools.facilities_in(frame, year)
    if found.year is None:
        st.info(t("schools.profile.facilities.none", lang), icon=":material/database_off:")
        return
    if found.year != year:
        st.caption(t("schools.profile.facilities.earlier", lang,
                     year=format_school_year(found.year, lang)))
    st.markdown(f"**{t('schools.profile.facilities.ladder', lang)}**")
    with st.container(horizontal=True):
        for service in schools.JMP_SERVICES:
            step = found.ladder.get(service, "")
            st.badge(t(f"schools.profile.facilities.{service}", lang) + ": " + (
                t(f"schools.profile.facilities.step.{step}", lang) if step
                else t("format.no_data", lang)), color=LADDER_COLOURS[step],
                icon=LADDER_ICONS[step])
    st.caption(t("schools.profile.facilities.ladder_note", lang))
    st.markdown(f"**{t('schools.profile.facilities.items', lang)}**")
    with st.container(horizontal=True):
        for item, present in found.items.items():
            label = t(f"schools.profile.facilities.{item}", lang)
            if present is None:
                st.badge(f"{label}: {t('format.no_data', lang)}", color="gray")
            else:
                st.badge(label, color="green" if present else "red",
                         icon=":material/check:" if present else ":material/close:")


def quality(card: Scorecard, lang: str) -> None:
    """Its scorecard: its level every year (and its self-assessment's, where an external
    assessor rated it too), each standard's result, and the items rated below the top with
    the assessor's comments."""
    st.subheader(t("schools.profile.quality.heading", lang))
    if card.empty:
        st.info(t("schools.profile.quality.none", lang), icon=":material/database_off:")
        return
    framework = extract.quality_framework()
    if not card.schools.empty and card.schools["level"].notna().any():
        path = card.schools.assign(
            level_name=[framework.level(lv).name(lang) if isinstance(lv, str) else ""
                        for lv in card.schools["level"]],
            score=card.schools["score"].round(1),
            assessor_name=[t(f"quality.assessor.{a}", lang) for a in card.schools["assessor"]],
            result=[t("schools.profile.quality.official" if o else
                      "schools.profile.quality.not_official", lang)
                    for o in card.schools["official"]])
        tables.table(path, {"year": t("chart.year", lang),
                            "level_name": t("quality.level", lang),
                            "score": t("quality.score", lang),
                            "assessor_name": t("quality.assessor.heading", lang),
                            "result": t("schools.profile.quality.result", lang)},
                     lang=lang, school_years=("year",), key="schools_quality_path")

    def cell(score: object, met: object) -> str:
        flag = schools.bool_or_none(met)
        mark = "" if flag is None else (" ✓" if flag else " ✗")
        return (format_number(float(score), lang, 1) if schools.finite(score)
                else t("format.no_data", lang)) + mark

    official = card.standards[card.standards["official"] & card.standards["criterion"].isna()]
    shown = schools.quality_table(official, cell)
    shown = shown.sort_values("standard", key=framework.standard_order)
    shown["standard"] = [framework.standard(s).name(lang) for s in shown["standard"]]
    years = [c for c in shown.columns if c != "standard"]
    tables.table(shown, {"standard": t("schools.profile.quality.standard", lang),
                         **{y: format_school_year(int(y), lang) for y in years}},
                 lang=lang, key="schools_quality")
    st.caption(t("schools.profile.quality.note", lang))
    if card.ratings.empty:
        return
    latest = int(card.ratings["year"].max())
    issues = card.ratings[card.ratings["year"] == latest]
    issues = issues.assign(
        item_name=[framework.item(i).name(lang) for i in issues["item"]],
        standard_name=[framework.standard(s).name(lang) for s in issues["standard"]],
        rating_name=[framework.rating(r).name(lang) for r in issues["rating"]],
        assessor_name=[t(f"quality.assessor.{a}", lang) for a in issues["assessor"]])
    st.markdown("**" + t("schools.profile.quality.issues", lang,
                         year=format_school_year(latest, lang)) + "**")
    tables.table(issues, {"item_name": t("quality.item", lang),
                          "standard_name": t("quality.standard", lang),
                          "rating_name": t("schools.profile.quality.rating", lang),
                          "assessor_name": t("quality.assessor.heading", lang),
                          "comment": t("schools.profile.quality.comment", lang)},
                 lang=lang, key="schools_quality_issues")


# --------------------------------------------------------------------------- inclusion


def inclusion(found: extract.SchoolRecords, year: int, lang: str) -> None:
    """Its pupils by the package's groups (ethnicity…) and with a functional difficulty, in
    the year shown: only for an extract that has either table."""
    if not (extract.has_values("enrolment_groups") or extract.has_values("functioning")):
        return
    st.subheader(t("schools.profile.inclusion.heading", lang))
    if not extract.viewer().exact:
        st.info(t("access.school_breakdowns", lang), icon=":material/lock:")
        return
    words = extract.split_words()
    groups = schools.groups_in(found.groups, year)
    functioning = schools.functioning_in(found.functioning, year)
    columns = st.columns(2, gap="large")
    with columns[0]:
        if groups.empty:
            st.info(t("schools.profile.inclusion.no_groups", lang,
                      year=format_school_year(year, lang)), icon=":material/database_off:")
        for dimension, rows in groups.groupby("dimension", sort=False):
            st.markdown(f"**{escape(words.label(dimension, lang))}**")
            shown = rows.drop(columns="dimension").assign(
                group=[words.group(dimension, g, lang) for g in rows["group"]],
                share=[values.format_value(v, "%", lang) for v in rows["share"]])
            tables.table(shown, {"group": t("chart.group", lang),
                                 "F": t("schools.sex.F", lang), "M": t("schools.sex.M", lang),
                                 "total": t("schools.profile.inclusion.total", lang),
                                 "share": t("schools.profile.inclusion.share", lang)},
                         lang=lang, counts=["F", "M", "total"], key=f"schools_{dimension}")
    with columns[1]:
        st.markdown(f"**{t('schools.profile.inclusion.functioning', lang)}**")
        if functioning.empty:
            st.info(t("schools.profile.inclusion.no_functioning", lang,
                      year=format_school_year(year, lang)), icon=":material/database_off:")
        else:
            shown = functioning.assign(domain=[
                t("schools.profile.inclusion.any", lang) if d == ANY_DOMAIN
                else words.group("domain", d, lang) for d in functioning["domain"]])
            tables.table(shown, {"domain": t("schools.profile.inclusion.domain", lang),
                                 "F": t("schools.sex.F", lang), "M": t("schools.sex.M", lang),
                                 "total": t("schools.profile.inclusion.total", lang)},
                         lang=lang, counts=["F", "M", "total"], key="schools_functioning")
            st.caption(t("schools.profile.inclusion.functioning_note", lang))


def show(school_id: str, chosen: Filters) -> None:
    """The whole profile for the sidebar's school year."""
    lang = chosen.lang
    country = extract.country()
    found = extract.school_records(school_id, lang)
    if found is None:  # chosen() has checked the id: gone only if the extract was rebuilt
        return
    record, enrolment, rooms = found.school, found.enrolment, found.facilities
    heading(record, lang)
    year = int(chosen.year)
    reported = sorted(int(y) for y in enrolment["year"].unique())
    if reported and year not in reported:
        shown = schools.latest_at_most(reported, year)
        st.info(t("schools.profile.not_reported", lang, year=format_school_year(year, lang))
                + (" " + t("schools.profile.showing", lang,
                           year=format_school_year(shown, lang)) if shown else ""),
                icon=":material/event_busy:")
        year = shown or year
    report.school_button(found, year, lang)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("schools.profile.identity", lang))
        identity(record, country, lang)
    with right:
        st.subheader(t("schools.profile.location", lang))
        location(record, lang)
    if extract.viewer().exact:  # the build's warnings quote a school's own counts
        problems(found.problems, lang)
    levels = [lv for lv in schools.levels_of(record["levels"]) if lv in country.level_ids]
    staff = found.teachers if extract.has_values("teachers") else None  # unknown, not 0
    figures = schools.figures(enrolment, staff, rooms,
                              schools.level_grades(country, levels), year)
    pupils(enrolment, year, lang, school_id)
    teachers(record, figures, levels, country, lang)
    inclusion(found, year, lang)
    facilities(rooms, year, lang)
    quality(found.quality, lang)
