"""Profile reports as PDF: the country or any area, for one school year, in any language of
the catalogue.

What a ministry prints before its annual meeting, one area per report: the key figures of
every education level with their change and the country's value; participation; equity
(parity by sex, locality and priority, and the area's place among its peers); efficiency;
teachers and facilities; quality standards; a map of its sub-areas with a legend; trends
over the last years; data-quality notes, the suppression key, source, build date and the
synthetic-data notice. A4, page numbers, readable in black and white (a grey sequential
scale, and values written in the tables).

Every value comes from ``fetch`` (called as the engine's ``compute``), so the app passes
its cached calls with the viewer's rules (the public view's suppression) and the command
line the engine itself (which reads the frames the build stored). Charts are Vega-Lite
specs rendered to PNG by vl-convert (Lao shaped by the served Noto Sans Lao, converted to
TrueType for it); the page is HTML laid out by WeasyPrint in DejaVu Sans, whose Lao Pango
shapes right (it misplaces the marks of the served Noto Sans Lao). Pure: no Streamlit.
"""
from __future__ import annotations

import base64
import html
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from lib import fonts, overview
from lib.groups import SplitWords
from lib.quality import Framework, Scorecard
from lib.i18n import (DEFAULT_LANG, format_datetime_utc, format_number, format_school_year,
                      format_value, t)
from lib.indicators import Registry
from lib.indicators.registry import IndicatorError
from lib.vocabulary import NATIONAL, PARITY, SCHOOL, TOTAL

TREND_YEARS = 6
# The indicator families of each section (ids are <family>_<education level>), in order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("participation", ("participation_pre_primary", "aner", "oosr", "functional_difficulty")),
    ("efficiency", ("repetition_level", "dropout_level", "survival_last")),
    ("teachers", ("qualified_teachers", "trained_teachers", "pqtr")),
    ("facilities", ("pcr", "facility")),
    ("quality", ("quality_assessed", "quality_met")),
)
FACILITY_WORDS = ("electricity", "water", "sanitation")  # facilities the report shows
PARITY_SPLITS = ("sex", "locality", "priority")
# The indicators whose parity the equity section shows, first that takes the split
PARITY_FAMILIES = ("ger", "ner", "survival_last", "qualified_teachers", "facility_water")
PUPILS_FAMILY = "enrolment"
MAP_FAMILY, TREND_FAMILIES = "ger", ("ger", "ner")
FONT_FAMILY = "Noto Sans Lao"  # the charts' Lao (vl-convert shapes it right)
# The page's text, Lao included: Pango shapes DejaVu Sans's Lao right, while it misplaces
# the marks of the served Noto Sans Lao (ຊັ້ນ drawn as ້ຊັ, its final letter lost).
TEXT_FONT = "DejaVu Sans"
GREYS = ["#f0f0f0", "#bdbdbd", "#969696", "#636363", "#252525"]  # prints in black and white

Fetch = overview.Fetch
Shapes = Callable[[int, "str | None"], Mapping[str, bytes]]  # level, parent -> code -> WKB


@dataclass(frozen=True)
class Source:
    """What the report says of its data."""

    country_name: str
    source: str
    built_at: str
    synthetic: bool
    years: tuple[int, ...]
    public_threshold: int | None = None  # the public view's threshold; None: exact values
    warnings: int = 0  # the build's warnings about this area (data-quality notes)


@dataclass
class Context:
    """Everything a report reads, passed in by the app or the command line."""

    fetch: Fetch
    registry: Registry
    admin_ids: Sequence[str]
    admin_names: Mapping[str, str]  # admin level id -> its name in the language
    education_levels: Sequence[tuple[str, str]]  # (id, name in the language)
    shapes: Shapes
    area_names: Mapping[str, str]
    source: Source
    lang: str = "en"
    notes: list[str] = field(default_factory=list)
    split_words: SplitWords | None = None  # the names of the package's groups
    framework: Framework | None = None  # the names of the quality standards and levels


# --------------------------------------------------------------------------- fonts

_FONT_LOCK = threading.RLock()


def lao_truetype(static_dir: Path = fonts.STATIC_DIR) -> Path:
    """The served Noto Sans Lao as TrueType (vl-convert reads no WOFF2), converted once
    beside the web font."""
    woff2 = static_dir / fonts.relative_path()
    target = woff2.with_name("NotoSansLao.ttf")
    with _FONT_LOCK:
        if not target.is_file():
            if not woff2.is_file():
                raise fonts.FontMissing(f"no Lao font at {woff2}: run `make assets`")
            from fontTools.ttLib import TTFont

            font = TTFont(str(woff2))
            font.flavor = None
            work = target.with_suffix(".ttf.tmp")
            font.save(str(work))
            work.replace(target)
    return target


_VL_READY = False


def _vl():
    """vl-convert with the report's fonts registered (once per process)."""
    global _VL_READY
    import vl_convert

    with _FONT_LOCK:
        if not _VL_READY:
            vl_convert.register_font_directory(str(lao_truetype().parent))
            for folder in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu"):
                if Path(folder).is_dir():
                    vl_convert.register_font_directory(folder)
            _VL_READY = True
    return vl_convert


CHART_WIDTH = 720  # an SVG of a chart the page draws at the container's width


def chart_svg(spec: dict) -> bytes:
    """A page's chart (its Vega-Lite spec) as SVG, drawn by vl-convert with the report's
    fonts, at a fixed width where the page lets it take the container's."""
    drawn = dict(spec)
    if not isinstance(drawn.get("width"), (int, float)):
        drawn["width"] = CHART_WIDTH
    if not isinstance(drawn.get("height"), (int, float)):
        drawn.pop("height", None)
    return _vl().vegalite_to_svg(drawn).encode("utf-8")


VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


def _png(spec: dict) -> str:
    """A Vega-Lite chart as a PNG data URL (the report's few charts are written as specs:
    Altair costs a start-up a report need not pay)."""
    spec = {"$schema": VEGA_LITE_SCHEMA, **spec}
    spec.setdefault("config", {})["font"] = f"{FONT_FAMILY}, {TEXT_FONT}"
    png = _vl().vegalite_to_png(spec, scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --------------------------------------------------------------------------- values

def _frame(ctx: Context, indicator_id: str, level: str, year: int, by: str | None = None
           ) -> pd.DataFrame | None:
    if indicator_id not in ctx.registry:
        return None
    try:
        return ctx.fetch(indicator_id, level, year, by, None)
    except (IndicatorError, ValueError, KeyError):
        return None


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _v(value: float | None, unit: str, lang: str) -> str:
    return _e(format_value(value, unit, lang))


# --------------------------------------------------------------------------- sections

def _key_figures(ctx: Context, where: overview.Place, year: int, previous: int | None
                 ) -> str:
    lang = ctx.lang
    code = None if where.admin_level == NATIONAL else where.code
    head = "".join(f"<th>{_e(name)}</th>" for _, name in ctx.education_levels)
    rows = []
    # The country's value beside the area's (not the parent's: one comparison in print).
    compared = replace(where, parent_code="", parent_level="")
    figures = {level: overview.kpis(ctx.fetch, ctx.registry, level, year, compared, previous,
                                    lang) for level, _ in ctx.education_levels}
    for i, spec in enumerate(overview.KPIS):
        cells = []
        for level, _ in ctx.education_levels:
            kpi = figures[level][i]
            if kpi.unavailable:
                cells.append('<td class="na">–</td>')
                continue
            text = _v(kpi.value, kpi.unit, lang)
            extra = []
            if kpi.female is not None and kpi.male is not None:
                extra.append(t("report.female_male", lang,
                               female=format_value(kpi.female, kpi.unit, lang),
                               male=format_value(kpi.male, kpi.unit, lang)))
            if kpi.previous is not None:
                extra.append(t("report.previous", lang,
                               value=format_value(kpi.previous, kpi.unit, lang)))
            if code is not None and kpi.national is not None:
                extra.append(t("report.country_value", lang,
                               value=format_value(kpi.national, kpi.unit, lang)))
            small = "".join(f"<div class='small'>{_e(x)}</div>" for x in extra)
            cells.append(f"<td>{text}{small}</td>")
        rows.append(f"<tr><th>{_e(t(f'overview.kpi.{spec.key}', lang))}</th>"
                    f"{''.join(cells)}</tr>")
    return (f"<h2>{_e(t('report.key_figures', lang))}</h2>"
            f"<table class='figures'><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _themed(ctx: Context, where: overview.Place, year: int, name: str,
            families: tuple[str, ...]) -> str:
    """A section's indicators: the area's value, and the country's for an area."""
    lang = ctx.lang
    code = None if where.admin_level == NATIONAL else where.code
    rows = []
    for family in families:
        for ind in (ctx.registry.get(i) for i in ctx.registry.ids()):
            if ind.family != family or ind.grade is not None:
                continue
            if family == "facility" and not any(w in ind.id for w in FACILITY_WORDS):
                continue
            value = overview.value_of(_frame(ctx, ind.id, where.admin_level, year), code)
            national = (overview.value_of(_frame(ctx, ind.id, NATIONAL, year), None)
                        if code is not None else None)
            if value is None and national is None:
                continue
            country = f"<td>{_v(national, ind.unit, lang)}</td>" if code is not None else ""
            rows.append(f"<tr><th>{_e(ind.text('name', lang))}</th>"
                        f"<td>{_v(value, ind.unit, lang)}</td>{country}</tr>")
    if not rows:
        return ""
    country = (f"<th>{_e(ctx.source.country_name)}</th>" if code is not None else "")
    return (f"<h2>{_e(t(f'report.section.{name}', lang))}</h2><table class='list'>"
            f"<thead><tr><th></th><th>{_e(where.name)}</th>{country}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _parity(ctx: Context, where: overview.Place, year: int, level: str, split: str
            ) -> tuple[float, str, str] | None:
    """The parity index of the first indicator of PARITY_FAMILIES that takes ``split``
    and has a value for the area: (value, its family, its name)."""
    code = None if where.admin_level == NATIONAL else where.code
    for family in PARITY_FAMILIES:
        indicator_id = f"{family}_{level}"
        if indicator_id not in ctx.registry:
            continue
        indicator = ctx.registry.get(indicator_id)
        if split not in indicator.splits:
            continue
        value = overview.value_of(_frame(ctx, indicator_id, where.admin_level, year, split),
                                  code, PARITY)
        if value is not None:
            return value, family, indicator.text("name", ctx.lang)
    return None


def _equity(ctx: Context, where: overview.Place, year: int) -> str:
    """Parity by sex, locality and priority for each education level (of the gross
    enrolment ratio where the census allows it, else the next indicator that takes the
    split, named under the value); the area's place among the areas of its level; and the
    pupils of each group of the package's dimensions (ethnicity, language…)."""
    lang = ctx.lang
    code = None if where.admin_level == NATIONAL else where.code
    rows = []
    for level, level_name in ctx.education_levels:
        cells = []
        for split in PARITY_SPLITS:
            found = _parity(ctx, where, year, level, split)
            if found is None:
                cells.append("<td class='na'>–</td>")
                continue
            value, family, name = found
            small = "" if family == MAP_FAMILY else f"<div class='small'>{_e(name)}</div>"
            cells.append(f"<td>{_v(value, 'index', lang)}{small}</td>")
        rank = ""
        frame = _frame(ctx, f"{MAP_FAMILY}_{level}", where.admin_level, year) \
            if code is not None else None
        if frame is not None:
            ranked = frame[(frame["group"] == TOTAL) & frame["value"].notna()]
            ranked = ranked.sort_values("value", ascending=False).reset_index(drop=True)
            hits = ranked.index[ranked["unit_code"] == code]
            if len(hits):
                rank = t("report.rank", lang, rank=format_number(int(hits[0]) + 1, lang),
                         of=format_number(len(ranked), lang))
        rows.append(f"<tr><th>{_e(level_name)}</th>{''.join(cells)}<td>{_e(rank)}</td></tr>")
    head = "".join(f"<th>{_e(t(f'report.parity.{s}', lang))}</th>" for s in PARITY_SPLITS)
    groups = "".join(_groups(ctx, where, year, dimension)
                     for dimension in ctx.registry.dimensions)
    return (f"<h2>{_e(t('report.section.equity', lang))}</h2>"
            f"<p class='note'>{_e(t('report.parity_note', lang))}</p>"
            f"<table class='list'><thead><tr><th></th>{head}"
            f"<th>{_e(t('report.rank_heading', lang))}</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{groups}")


def _groups(ctx: Context, where: overview.Place, year: int, dimension: str) -> str:
    """The pupils of each group of a dimension of the package, per education level: the
    group's share of the pupils whose group is reported, and the group's gross enrolment
    ratio where the census has its population."""
    lang = ctx.lang
    code = None if where.admin_level == NATIONAL else where.code
    words = ctx.split_words or SplitWords(ctx.registry.splits)
    groups = ctx.registry.split(dimension).groups
    columns = []
    for level, level_name in ctx.education_levels:
        pupils = _frame(ctx, f"{PUPILS_FAMILY}_{level}", where.admin_level, year, dimension)
        total = overview.value_of(pupils, code)
        ratio_id = f"{MAP_FAMILY}_{level}"
        ratios = (_frame(ctx, ratio_id, where.admin_level, year, dimension)
                  if ratio_id in ctx.registry and dimension in ctx.registry.get(ratio_id).splits
                  else None)
        cells = {}
        for group in groups:
            count = overview.value_of(pupils, code, group)
            share = 100 * count / total if count is not None and total else None
            ratio = overview.value_of(ratios, code, group)
            if share is None and ratio is None:
                continue
            small = "" if ratio is None else "<div class='small'>{}</div>".format(
                _e(t("report.groups_ratio", lang, value=format_value(ratio, "%", lang))))
            cells[group] = f"<td>{_v(share, '%', lang)}{small}</td>"
        columns.append((level_name, cells))
    shown = [g for g in groups if any(g in cells for _, cells in columns)]
    if not shown:
        return ""
    head = "".join(f"<th>{_e(name)}</th>" for name, _ in columns)
    body = "".join(
        f"<tr><th>{_e(words.group(dimension, group, lang))}</th>"
        + "".join(cells.get(group, "<td class='na'>–</td>") for _, cells in columns)
        + "</tr>" for group in shown)
    return (f"<h3>{_e(t('report.groups', lang, dimension=words.label(dimension, lang)))}</h3>"
            f"<p class='note'>{_e(t('report.groups_note', lang))}</p>"
            f"<table class='list groups'><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _map(ctx: Context, where: overview.Place, year: int) -> str:
    """The gross enrolment ratio of the first education level in the sub-areas (an area
    of the finest level: it among its neighbours), grey classes with a legend."""
    import shapely

    lang = ctx.lang
    level_id = ctx.education_levels[0][0] if ctx.education_levels else None
    for level, _ in ctx.education_levels:  # primary where there is one
        if level == "primary":
            level_id = level
    if level_id is None:
        return ""
    if where.sub_level is not None:
        shown_level, parent = where.sub_level, (None if where.admin_level == NATIONAL
                                                else where.code)
    else:
        shown_level, parent = where.admin_level, where.parent_code or None
    number = list(ctx.admin_ids).index(shown_level) + 1
    found = ctx.shapes(number, parent)
    if not found:
        return ""
    indicator_id = f"{MAP_FAMILY}_{level_id}"
    frame = _frame(ctx, indicator_id, shown_level, year)
    # d3's projections read a ring drawn anticlockwise as the whole globe but the area
    outlines = shapely.orient_polygons(shapely.from_wkb([bytes(g) for g in found.values()]),
                                       exterior_cw=True)
    features = [{"type": "Feature", "geometry": json.loads(shapely.to_geojson(outline)),
                 "properties": {"code": code, "name": ctx.area_names.get(code, code),
                                "value": overview.value_of(frame, code),
                                "chosen": code == where.code}}
                for code, outline in zip(found, outlines)]
    title = (ctx.registry.get(indicator_id).text("name", lang) if indicator_id in ctx.registry
             else indicator_id)
    colour = {"field": "properties.value", "type": "quantitative", "title": title,
              "scale": {"range": [GREYS[0], GREYS[-1]]},
              "legend": {"orient": "bottom", "gradientLength": 260, "titleLimit": 440}}
    img = _png({
        "data": {"values": features}, "width": 460, "height": 320,
        "projection": {"type": "mercator"},
        "layer": [
            {"mark": {"type": "geoshape", "stroke": "#000", "strokeWidth": 0.4},
             "encoding": {"color": colour}},
            {"mark": {"type": "geoshape", "fill": None, "stroke": "#000",
                      "strokeWidth": 2.2},
             "transform": [{"filter": "datum.properties.chosen"}]},
        ]})
    return (f"<section class='keep'><h2>"
            f"{_e(t('report.map', lang, areas=ctx.admin_names.get(shown_level, '')))}</h2>"
            f"<img class='map' src='{img}' alt=''></section>")


def _trends(ctx: Context, where: overview.Place, year: int) -> str:
    lang = ctx.lang
    code = None if where.admin_level == NATIONAL else where.code
    years = [y for y in ctx.source.years if y <= year][-TREND_YEARS:]
    rows = []
    for family in TREND_FAMILIES[:1]:  # one line per education level
        for level, level_name in ctx.education_levels:
            indicator_id = f"{family}_{level}"
            if indicator_id not in ctx.registry:
                continue
            for y in years:
                value = overview.value_of(_frame(ctx, indicator_id, where.admin_level, y), code)
                if value is not None:
                    rows.append({"year": format_school_year(y, lang), "value": value,
                                 "series": level_name})
    if len(years) < 2 or not rows:
        return ""
    legend = {"orient": "bottom", "columns": 2, "title": None, "symbolStrokeColor": "#000",
              "symbolFillColor": "#000"}
    series = {"field": "series", "type": "nominal", "legend": legend}
    chart = {
        "data": {"values": rows}, "width": 460, "height": 220,
        "mark": {"type": "line", "color": "#000",
                 "point": {"color": "#000", "size": 40}},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": None,
                  "axis": {"labelAngle": 0}},
            "y": {"field": "value", "type": "quantitative", "title": "%"},
            "strokeDash": series, "shape": series}}
    return (f"<section class='keep'><h2>{_e(t('report.trends', lang))}</h2>"
            f"<p class='note'>{_e(t('report.trend_note', lang))}</p>"
            f"<img class='chart' src='{_png(chart)}' alt=''></section>")


def _notes(ctx: Context) -> str:
    lang, source = ctx.lang, ctx.source
    items = [t("report.notes.source", lang, source=source.source,
               built=format_datetime_utc(source.built_at, lang))]
    if source.warnings:
        items.append(t("report.notes.warnings", lang,
                       n=format_number(source.warnings, lang)))
    if source.public_threshold is not None:
        items.append(t("report.notes.suppression", lang,
                       threshold=source.public_threshold))
    items.append(t("report.notes.no_data", lang, no_data=t("format.no_data", lang)))
    items += ctx.notes
    return (f"<h2>{_e(t('report.notes.heading', lang))}</h2><ul class='notes'>"
            + "".join(f"<li>{_e(item)}</li>" for item in items) + "</ul>")


# --------------------------------------------------------------------------- document

STYLE = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm;
  font-family: '%(latin)s', sans-serif;
  @bottom-left { content: element(footer); }
  @bottom-right { content: counter(page) ' / ' counter(pages); font-size: 8pt; } }
body { font-family: '%(latin)s', sans-serif; font-size: 9.5pt; color: #000; }
h1 { font-size: 17pt; margin: 0 0 2mm 0; }
h2 { font-size: 12pt; margin: 6mm 0 2mm 0; border-bottom: 0.6pt solid #000;
     break-after: avoid; }
p.sub, p.note, div.small { color: #333; }
p.sub { margin: 0 0 3mm 0; } p.note { font-size: 8.5pt; margin: 0 0 2mm 0; }
div.small { font-size: 7.5pt; }
.banner { border: 1pt solid #000; padding: 2mm 3mm; margin: 0 0 4mm 0; font-weight: bold; }
table { border-collapse: collapse; width: 100%%; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border: 0.4pt solid #777; padding: 1.2mm 1.8mm; vertical-align: top;
         text-align: left; }
td { text-align: right; } td.na { color: #777; text-align: center; }
thead th { background: #e8e8e8; }
table.list th:first-child { width: 55%%; font-weight: normal; }
table.groups th:first-child { width: 28%%; }
h3 { font-size: 10pt; margin: 4mm 0 1mm 0; break-after: avoid; }
img.map, img.chart { width: 160mm; display: block; margin: 0 auto; }
ul.notes { padding-left: 5mm; font-size: 8.5pt; }
section.keep { break-inside: avoid; }
div.footer { position: running(footer); font-size: 7.5pt; color: #444; }
"""


def _document(ctx: Context, title: str, subtitle: str, body: str) -> str:
    lang = ctx.lang
    footer = f"<div class='footer'>{_e(ctx.source.country_name + ' · ' + title)}</div>"
    style = STYLE % {"latin": TEXT_FONT}
    banner = (f"<div class='banner'>{_e(t('report.synthetic', lang))}</div>"
              if ctx.source.synthetic else "")
    return (f"<!DOCTYPE html><html lang='{html.escape(lang)}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{style}</style></head>"
            f"<body>{footer}{banner}"
            f"<h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p>{body}</body></html>")


def area_html(ctx: Context, where: overview.Place, year: int) -> str:
    """The report of the country or an area, as HTML (what :func:`to_pdf` lays out)."""
    lang = ctx.lang
    previous = overview.previous_year(ctx.source.years, year)
    school_year = format_school_year(year, lang)
    if where.admin_level == NATIONAL:
        title = t("report.title_national", lang, country=ctx.source.country_name)
    else:
        title = t("report.title_area", lang, admin=ctx.admin_names.get(where.admin_level, ""),
                  name=where.name)
    parent = (t("report.in_parent", lang, parent=where.parent_name)
              if where.parent_name else "")
    subtitle = t("report.subtitle", lang, year=school_year, parent=parent).strip()
    body = [_key_figures(ctx, where, year, previous), _equity(ctx, where, year)]
    body += [_themed(ctx, where, year, name, families) for name, families in SECTIONS]
    body += [_map(ctx, where, year), _trends(ctx, where, year), _notes(ctx)]
    return _document(ctx, title, subtitle, "".join(body))


@dataclass(frozen=True)
class SchoolData:
    """One school's records, as the reader may see them (the app's public view hides small
    counts and pupils by sex before they reach the report)."""

    school: dict  # the register's row with its areas' names (lib.db.school)
    enrolment: pd.DataFrame  # year, grade, (sex,) enrolled
    teachers: pd.DataFrame  # year, level, sex, count
    facilities: pd.DataFrame  # year and the facility columns
    warnings: int = 0
    quality: Scorecard | None = None  # its quality assessment, every year


FACILITY_COLUMNS = ("classrooms", "electricity", "drinking_water", "sanitation",
                    "handwashing", "internet", "computers")


def _school_pupils(data: SchoolData, year: int, lang: str) -> str:
    rows = data.enrolment[data.enrolment["year"] == year]
    if rows.empty:
        return f"<p>{_e(t('report.school.no_pupils', lang))}</p>"
    by_sex = "sex" in rows.columns
    table = (rows.pivot_table(index="grade", columns="sex", values="enrolled", aggfunc="sum")
             if by_sex else rows.groupby("grade")[["enrolled"]].sum())
    sexes = [c for c in ("F", "M") if c in table.columns] if by_sex else ["enrolled"]
    head = "".join(f"<th>{_e(t(f'report.school.sex.{c}', lang))}</th>" for c in sexes)
    body = []
    for grade, row in table.iterrows():
        cells = "".join(f"<td>{_e(format_value(row.get(c), 'count', lang))}</td>"
                        for c in sexes)
        body.append(f"<tr><th>{_e(t('report.school.grade', lang, grade=grade))}</th>{cells}"
                    "</tr>")
    return (f"<table class='list'><thead><tr><th></th>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _school_trend(data: SchoolData, year: int, lang: str) -> str:
    totals = data.enrolment[data.enrolment["year"] <= year].groupby("year", as_index=False)[
        "enrolled"].sum(min_count=1).tail(TREND_YEARS)
    if len(totals) < 2:
        return ""
    totals["label"] = [format_school_year(int(y), lang) for y in totals["year"]]
    chart = {
        "data": {"values": [{"label": label, "enrolled": float(enrolled)} for label, enrolled
                            in zip(totals["label"], totals["enrolled"]) if pd.notna(enrolled)]},
        "width": 460, "height": 180, "mark": {"type": "bar", "color": "#555"},
        "encoding": {
            "x": {"field": "label", "type": "ordinal", "title": None,
                  "axis": {"labelAngle": 0}},
            "y": {"field": "enrolled", "type": "quantitative",
                  "title": t("overview.kpi.pupils", lang)}}}
    return (f"<section class='keep'><h2>{_e(t('report.school.trend', lang))}</h2>"
            f"<img class='chart' src='{_png(chart)}' alt=''></section>")


def _school_quality(ctx: Context, data: SchoolData, year: int) -> str:
    """Its official quality result of the year: its level and score, and each standard's
    score and whether it is met."""
    card, lang = data.quality, ctx.lang
    if card is None or card.empty:
        return ""
    framework = ctx.framework or Framework()
    heading = f"<h2>{_e(t('schools.profile.quality.heading', lang))}</h2>"
    results = card.standards[(card.standards["year"] == year)
                             & card.standards["official"].fillna(True).astype(bool)
                             & card.standards["criterion"].isna()]
    if results.empty:
        return heading + f"<p>{_e(t('report.school.quality_none', lang))}</p>"
    level = ""
    found = card.schools[(card.schools["year"] == year)
                         & card.schools["official"].fillna(True).astype(bool)]
    if len(found) and isinstance(found.iloc[0]["level"], str):
        row = found.iloc[0]
        level = "<p>{}</p>".format(_e(t(
            "report.school.quality_level", lang,
            level=framework.level(row["level"]).name(lang),
            score=format_number(float(row["score"]), lang, 1),
            assessor=t(f"quality.assessor.{row['assessor']}", lang))))
    results = results.sort_values("standard", key=framework.standard_order)
    rows = []
    for _, result in results.iterrows():
        met = result["met"]
        said = (t("format.no_data", lang) if met is None or pd.isna(met)
                else t("format.yes" if bool(met) else "format.no", lang))
        score = (format_number(float(result["score"]), lang, 1) if pd.notna(result["score"])
                 else t("format.no_data", lang))
        rows.append(f"<tr><th>{_e(framework.standard(result['standard']).name(lang))}</th>"
                    f"<td>{_e(score)}</td><td>{_e(said)}</td></tr>")
    head = (f"<tr><th>{_e(t('schools.profile.quality.standard', lang))}</th>"
            f"<th>{_e(t('schools.profile.quality.score', lang))}</th>"
            f"<th>{_e(t('schools.profile.quality.met', lang))}</th></tr>")
    return (f"{heading}{level}<table class='list'><thead>{head}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def school_html(ctx: Context, data: SchoolData, year: int) -> str:
    """The report of one school, as HTML."""
    from lib.i18n import local_name

    lang, school = ctx.lang, data.school
    name = local_name(school.get("name_en") or "", school.get("name_local") or "", lang)
    district = local_name(school.get("district_name_en") or "",
                          school.get("district_name_local") or "", lang)
    province = local_name(school.get("province_name_en") or "",
                          school.get("province_name_local") or "", lang)
    title = t("report.school.title", lang, name=name)
    subtitle = t("report.school.subtitle", lang, year=format_school_year(year, lang),
                 code=school.get("school_id", ""),
                 where=", ".join(x for x in (district, province) if x))
    facts = [("levels", ", ".join(dict(ctx.education_levels).get(x, x) for x in
                                  str(school.get("levels") or "").split(";") if x)),
             ("ownership", t(f"schools.value.{school['ownership']}", lang)
              if school.get("ownership") else None),
             ("locality", t(f"schools.value.{school['locality']}", lang)
              if school.get("locality") else None),
             ("opened", school.get("opened_year")),
             ("road", format_value(school.get("distance_to_road_km"), "ratio", lang)
              if school.get("distance_to_road_km") is not None else None)]
    rows = "".join(f"<tr><th>{_e(t(f'report.school.fact.{k}', lang))}</th>"
                   f"<td>{_e(v if v not in (None, '') else t('format.no_data', lang))}</td></tr>"
                   for k, v in facts)
    teachers = data.teachers[data.teachers["year"] == year]
    n_teachers = teachers["count"].sum(min_count=1) if len(teachers) else None
    pupils = data.enrolment.loc[data.enrolment["year"] == year, "enrolled"].sum(min_count=1)
    ptr = (float(pupils) / float(n_teachers) if n_teachers and pd.notna(n_teachers)
           and pd.notna(pupils) else None)
    figures = (f"<tr><th>{_e(t('overview.kpi.pupils', lang))}</th>"
               f"<td>{_v(pupils if pd.notna(pupils) else None, 'count', lang)}</td></tr>"
               f"<tr><th>{_e(t('overview.kpi.teachers', lang))}</th>"
               f"<td>{_v(n_teachers if n_teachers is not None and pd.notna(n_teachers) else None, 'count', lang)}</td></tr>"
               f"<tr><th>{_e(t('overview.kpi.ptr', lang))}</th><td>{_v(ptr, 'ratio', lang)}</td></tr>")
    facilities = data.facilities[data.facilities["year"] == year]
    kit = ""
    if len(facilities):
        row = facilities.iloc[0]
        items = []
        for column in FACILITY_COLUMNS:
            if column in row.index:
                value = row[column]
                shown = (format_value(value, "count", lang) if column == "classrooms"
                         else t("format.no_data", lang) if pd.isna(value)
                         else t("format.yes" if bool(value) else "format.no", lang))
                items.append(f"<tr><th>{_e(t(f'report.school.facility.{column}', lang))}</th>"
                             f"<td>{_e(shown)}</td></tr>")
        kit = (f"<h2>{_e(t('report.section.facilities', lang))}</h2><table class='list'>"
               f"<tbody>{''.join(items)}</tbody></table>")
    ctx.source = replace(ctx.source, warnings=data.warnings)
    body = (f"<h2>{_e(t('report.school.identity', lang))}</h2><table class='list'>"
            f"<tbody>{rows}</tbody></table>"
            f"<h2>{_e(t('report.key_figures_school', lang))}</h2><table class='list'>"
            f"<tbody>{figures}</tbody></table>"
            f"<h2>{_e(t('report.school.pupils', lang))}</h2>{_school_pupils(data, year, lang)}"
            f"{kit}{_school_quality(ctx, data, year)}{_school_trend(data, year, lang)}"
            f"{_notes(ctx)}")
    return _document(ctx, title, subtitle, body)


_WARMED = threading.Event()
WARM_UP_PAGE = ("<!DOCTYPE html><html><body style=\"font-family: 'DejaVu Sans'\">"
                "<p>ສົກຮຽນ 2024–25</p><table><tr><td>1</td></tr></table></body></html>")


def warm_up() -> None:
    """Load WeasyPrint and vl-convert and lay out a small page, in a thread of their own,
    once per process: what a server's first report would otherwise wait for (about a
    second and a half), done while its reader looks at the page."""
    if _WARMED.is_set():
        return
    _WARMED.set()

    def work() -> None:
        try:
            to_pdf(WARM_UP_PAGE)
            _vl().vegalite_to_png({"data": {"values": [{"x": 1}]}, "mark": "bar",
                                   "encoding": {"x": {"field": "x", "type": "ordinal"}}})
        except Exception:  # the report itself will say what is wrong
            pass

    threading.Thread(target=work, name="report-warm-up", daemon=True).start()


def to_pdf(document: str) -> bytes:
    """HTML laid out on A4 by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=document, base_url=str(fonts.STATIC_DIR)).write_pdf()


def school_report(ctx: Context, data: SchoolData, year: int) -> bytes:
    return to_pdf(school_html(ctx, data, year))


def area_report(ctx: Context, where: overview.Place, year: int) -> bytes:
    return to_pdf(area_html(ctx, where, year))


# --------------------------------------------------------------------------- from an extract

def admin_and_level_names(country, lang: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The country's admin level names and its education levels (id, name) in ``lang``."""
    from lib.country import admin_level_name
    from lib.i18n import local_name

    admin = {level_id: admin_level_name(country, n, lang)
             for n, level_id in enumerate(country.admin_ids, start=1)}
    levels = [(level.id, local_name(level.name_en, level.name_local, lang))
              for level in country.levels]
    return admin, levels


class ExtractReports:
    """Reports of one extract (the command line's, and the tests'): the engine's values,
    each frame computed once for all the reports made with it, exact or as the public view
    shows them."""

    def __init__(self, con, public_threshold: int | None = None):
        from lib import areas, db
        from lib.indicators.context import context as engine_context

        self.con = con
        self.country = db.country(con)
        self.info = db.extract_info(con)
        found = engine_context(con)
        self.registry = found.registry
        self.group_names = found.group_names
        self.framework = found.quality
        self.units = db.admin_units(con)
        self.public_threshold = public_threshold
        self._frames: dict[tuple, pd.DataFrame] = {}
        self._stored_years: dict = {}  # year -> lib.indicators.stored.Year
        # the names the engine gives units (in English, as compute does by default)
        self._names = {national: found.unit_names(national, DEFAULT_LANG)
                       for national in (False, True)}
        self._shapes: dict[tuple, dict[str, bytes]] = {}
        self._warnings = db.problems(con, "warning")
        self._areas = areas

    def fetch(self, indicator_id: str, level: str, year: int, by: str | None = None,
              area: str | None = None) -> pd.DataFrame:
        """The engine's frame, once for every report made with this object. The build
        stored most of them: those of a report's year are read at once (:meth:`_read`),
        the others a frame at a time by the engine."""
        key = (indicator_id, level, int(year), by, area)
        if key not in self._frames:
            frame = None
            if area is None and level != SCHOOL and int(year) in self._stored_years:
                frame = self._stored_years[int(year)].get(indicator_id, level, by,
                                                          self._names[level == NATIONAL])
            if frame is None:
                from lib.indicators import compute

                frame = compute(self.con, indicator_id, level, int(year), by=by, area=area)
            if self.public_threshold is not None:
                from lib.access import Viewer, shown
                from lib.areas import ancestors
                from lib.db import school_areas
                from lib.disclosure import Rules

                frame = shown(frame, self.registry.get(indicator_id), level, by,
                              Viewer(rules=Rules(threshold=self.public_threshold)),
                              ancestors(self.units), school_areas(self.con))
            self._frames[key] = frame
        return self._frames[key]

    def _read(self, year: int) -> None:
        """Read every frame the build stored for ``year`` (a report's year) in one query."""
        if year not in self._stored_years:
            from lib.indicators import stored

            self._stored_years[year] = stored.Year(self.con, year)

    def shapes(self, level: int, parent: str | None) -> dict[str, bytes]:
        from lib import db

        key = (level, parent)
        if key not in self._shapes:
            found = db.boundaries(self.con, level, "low", parent)
            self._shapes[key] = dict(zip(found["code"], found["geometry"]))
        return self._shapes[key]

    def context(self, lang: str, code: str | None = None) -> Context:
        admin, levels = admin_and_level_names(self.country, lang)
        warnings = self._warnings
        if code:
            lineage = self.con.execute(
                "SELECT DISTINCT district_code FROM area_lineage WHERE code = ?",
                [code]).fetchall()
            inside = {c for (c,) in lineage} | {code}
            n = int(warnings["unit_code"].isin(inside).sum())
        else:
            n = len(warnings)
        source = Source(self._areas.country_name(self.country, lang),
                        self.info.package_source or self.info.source_dir, self.info.built_at,
                        self.info.synthetic, tuple(self.info.years), self.public_threshold, n)
        return Context(self.fetch, self.registry, self.country.admin_ids, admin, levels,
                       self.shapes, self._areas.area_names(self.units, lang), source, lang,
                       split_words=SplitWords(self.registry.splits, self.group_names),
                       framework=self.framework)

    def place(self, code: str | None, lang: str) -> overview.Place:
        return overview.place(self.units, code or "", self.country.admin_ids,
                              self._areas.country_name(self.country, lang), self.country.iso3,
                              self._areas.area_names(self.units, lang))

    def school_pdf(self, school_id: str, year: int, lang: str) -> bytes:
        """A school's report, exact (the command line is the data officer's)."""
        from lib import db, quality

        school = db.school(self.con, school_id)
        if school is None:
            raise ValueError(f"no school {school_id!r} in the register")
        data = SchoolData(school, db.school_enrolment(self.con, school_id),
                          db.school_teachers(self.con, school_id),
                          db.school_facilities(self.con, school_id),
                          int((self._warnings["school_id"] == school_id).sum()),
                          quality.scorecard(self.con, school_id))
        return school_report(self.context(lang), data, year)

    def area_pdf(self, code: str | None, year: int, lang: str) -> bytes:
        self._read(int(year))
        return area_report(self.context(lang, code), self.place(code, lang), year)


# --------------------------------------------------------------------------- stored by the build

def frames_asked(con) -> list[tuple[str, str, str | None]]:
    """The engine frames (indicator, level, split) that the reports of the country and of
    the areas of every admin level read: found by writing each report once with a fetch
    that notes what it is asked and answers nothing (so every section asks for all it
    might read); and the Quality page's frames of areas. The build stores them
    (:mod:`lib.indicators.stored`)."""
    from lib.indicators import COLUMNS

    reports = ExtractReports(con)
    asked: dict[tuple[str, str, str | None], None] = {}

    def note(indicator_id: str, level: str, year: int, by: str | None = None,
             area: str | None = None) -> pd.DataFrame:
        if area is None:
            asked[(indicator_id, level, by)] = None
        return pd.DataFrame(columns=COLUMNS)

    units = reports.units
    codes = [None] + [str(units.loc[units["level"] == n, "code"].min())
                      for n in range(1, len(reports.country.admin_ids) + 1)
                      if (units["level"] == n).any()]
    year = reports.info.years[-1]
    for code in codes:
        ctx = replace(reports.context(DEFAULT_LANG, code), fetch=note,
                      shapes=lambda level, parent: {})
        area_html(ctx, reports.place(code, DEFAULT_LANG), year)
    # The Quality page's areas: each quality indicator at every admin level, the page's
    # costliest reads when another province is chosen.
    for indicator in reports.registry:
        if indicator.family.startswith("quality_"):
            for level in reports.country.admin_ids:
                asked[(indicator.id, level, None)] = None
    return list(asked)


def frames_to_store(con) -> Iterator[tuple[tuple[str, str, str | None], pd.DataFrame]]:
    """Every year of each frame :func:`frames_asked` names, computed (what the build
    stores: :func:`lib.indicators.stored.write`); those the engine refuses, such as a split
    the indicator does not take, are left out."""
    from lib.indicators import compute_years

    for indicator_id, level, by in frames_asked(con):
        try:
            frame = compute_years(con, indicator_id, level, None, by=by, stored=False)
        except IndicatorError:
            continue
        yield (indicator_id, level, by), frame
