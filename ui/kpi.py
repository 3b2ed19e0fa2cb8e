"""The KPI card: one key figure with its change from the previous year, its split by sex,
the national value it compares with, and a visible mark when the value needs care."""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.i18n import format_school_year, t
from lib.overview import Kpi
from ui.markdown import escape
from ui.values import flag_help, flag_labels, format_change, format_value


def _delta_colour(item: Kpi, change: str | None) -> str:
    good = item.change_is_good
    if good is None or change is None or not change.startswith(("+", "-")):
        return "gray"  # no direction, or a change too small to show
    return "green" if good else "red"


def _help(item: Kpi, description: str | None, lang: str) -> str | None:
    if item.key == "gpi":
        return t("overview.kpi.gpi_help", lang)
    return escape(description) if description else None


def _comparison(item: Kpi, parent_name: str, lang: str) -> str | None:
    """How the area compares: its share of the national count, or the value of the area one
    level up and the national value."""
    if item.national_share is not None:
        return t("overview.kpi.share", lang, share=format_value(item.national_share, "%", lang))
    parts = []
    if item.parent is not None:
        parts.append(t("overview.kpi.in_area", lang, area=escape(parent_name),
                       value=format_value(item.parent, item.unit, lang)))
    if item.national is not None:
        parts.append(t("overview.kpi.national", lang,
                       value=format_value(item.national, item.unit, lang)))
    return "  \n".join(parts) or None


def card(item: Kpi, *, lang: str, previous_year: int | None,
         description: str | None = None, parent_name: str = "") -> None:
    """One bordered card; ``description`` (the registry's) is its tooltip."""
    with st.container(border=True, height="stretch"):
        label = t(f"overview.kpi.{item.key}", lang)
        if item.unavailable:
            st.metric(label, "—")
            st.caption(t("overview.kpi.unavailable", lang, why=escape(item.unavailable)))
            return
        change = format_change(item.change, item.unit, lang)
        shown = change is not None and change.startswith(("+", "-"))
        st.metric(
            label, format_value(item.value, item.unit, lang), delta=change,
            delta_color=_delta_colour(item, change),
            delta_arrow="auto" if shown else "off",
            delta_description=(t("overview.kpi.since", lang,
                                 year=format_school_year(previous_year, lang))
                               if change is not None and previous_year is not None else None),
            help=_help(item, description, lang),
            icon=":material/warning:" if item.flags else None)
        lines = []
        if item.female is not None or item.male is not None:
            lines.append(t("overview.kpi.sexes", lang,
                           female=format_value(item.female, item.unit, lang),
                           male=format_value(item.male, item.unit, lang)))
        comparison = _comparison(item, parent_name, lang)
        if comparison:
            lines.append(comparison)
        if lines:
            st.caption("  \n".join(lines))
        if item.flags:
            st.caption(":orange[" + t("overview.kpi.flagged", lang,
                                      flags=", ".join(flag_labels(item.flags, lang))) + "]",
                       help=flag_help(item.flags, lang))


def cards(items: Sequence[Kpi], rows: Sequence[Sequence[str]], *, lang: str,
          previous_year: int | None, descriptions: dict[str, str],
          parent_name: str = "") -> None:
    """Cards in rows of the given keys (``[["schools", "pupils"], ["ger"]]``); a key the
    items lack is skipped. ``descriptions``: indicator id -> its definition;
    ``parent_name``: the area one level up an area's figures are compared with."""
    by_key = {item.key: item for item in items}
    for keys in rows:
        present = [by_key[key] for key in keys if key in by_key]
        if not present:
            continue
        for column, item in zip(st.columns(len(present)), present):
            with column:
                card(item, lang=lang, previous_year=previous_year,
                     description=descriptions.get(item.indicator_id),
                     parent_name=parent_name)
