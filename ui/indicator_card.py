"""One indicator of the registry as the catalogue shows it: definition, formula, unit,
direction, source, splits, how to read it and caveats, and a link to the map when the app
has a map page."""
from __future__ import annotations

import streamlit as st

from lib.areas import level_word
from lib.country import Country
from lib.i18n import local_name, t
from lib.indicators import Indicator
from lib.vocabulary import AREA
from ui import extract, nav
from ui.markdown import escape

_UNITS = {"%": "percent", "ratio": "ratio", "count": "count"}
MAP_PATH = "map"


def title(indicator: Indicator, lang: str) -> str:
    """The indicator's name and id, as Markdown (the name may hold a quality standard's
    name from the data package: escaped)."""
    return f"{escape(indicator.name(lang))} · `{indicator.id}`"


def _direction(indicator: Indicator, lang: str) -> str:
    if indicator.higher_is_better is None:
        return t("indicators.direction.none", lang)
    return t("indicators.direction.up" if indicator.higher_is_better
             else "indicators.direction.down", lang)


def _levels(indicator: Indicator, country: Country, lang: str) -> str:
    if not indicator.levels:
        return t("indicators.levels.all", lang)
    names = []
    for level_id in indicator.levels:
        try:
            level = country.level(level_id)
        except (KeyError, ValueError):
            names.append(escape(level_id))
            continue
        names.append(escape(local_name(level.name_en, level.name_local, lang)))
    return ", ".join(names)


def _code(text: str) -> str:
    """Text as inline code (a formula): backticks inside would end it early."""
    return "`" + " ".join(text.replace("`", "'").split()) + "`"


def _facts(indicator: Indicator, country: Country, lang: str) -> str:
    def field(key: str, value: str) -> str:
        return f"- **{t(f'indicators.field.{key}', lang)}:** {value}"

    numerator = indicator.text("numerator", lang)
    denominator = indicator.text("denominator", lang)
    lines = [field("theme", t(f"indicators.theme.{indicator.theme}", lang)),
             field("formula", _code(indicator.formula))]
    if numerator:
        lines.append(field("numerator", escape(numerator)))
    if denominator:
        lines.append(field("denominator", escape(denominator)))
    lines += [
        field("unit", t(f"indicators.unit.{_UNITS.get(indicator.unit, 'ratio')}", lang)),
        field("direction", _direction(indicator, lang)),
        field("source", escape(indicator.source)),
        field("levels", _levels(indicator, country, lang)),
        field("splits", ", ".join(escape(extract.split_words().word(s, lang))
                                  for s in indicator.splits)
              or t("indicators.levels.none", lang)),
        field("computed_for", ", ".join(
            level_word(country, level, lang)
            for kind in indicator.admin_levels
            for level in (country.admin_ids if kind == AREA else (kind,)))),
    ]
    return "\n".join(lines)


def details(indicator: Indicator, country: Country, lang: str) -> None:
    """Everything the registry says about ``indicator``."""
    st.markdown(escape(indicator.text("description", lang)))
    facts, reading = st.columns([1, 1], gap="large")
    with facts:
        st.markdown(_facts(indicator, country, lang))
    with reading:
        for field in ("how_to_read", "caveats"):
            text = indicator.text(field, lang)
            if text:
                st.markdown(f"**{t(f'indicators.field.{field}', lang)}.** {escape(text)}")
    if AREA in indicator.admin_levels:  # what a map can colour
        nav.link(MAP_PATH, t("indicators.map_link", lang), query={"indicator": indicator.id},
                 icon=":material/map:")
