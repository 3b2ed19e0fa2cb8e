"""Tables and their download row, drawn the same way on every page.

Values from data are shown in ``st.dataframe`` cells, which render text as text (never
Markdown or HTML), so a message or name from a package cannot inject anything.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import PurePath

import pandas as pd
import streamlit as st

from lib import export
from lib.i18n import format_number, format_school_year, t
from ui import access, extract


def _formatted(df: pd.DataFrame, columns: dict[str, str], lang: str,
               school_years: Iterable[str], counts: Iterable[str],
               integers: Iterable[str]) -> pd.DataFrame:
    shown = df.loc[:, [c for c in columns if c in df.columns]].copy()
    for col in school_years:
        if col in shown:
            shown[col] = [format_school_year(y, lang) if pd.notna(y) else "" for y in shown[col]]
    for col in counts:
        if col in shown:
            shown[col] = [format_number(n, lang) if pd.notna(n) else "" for n in shown[col]]
    for col in integers:
        if col in shown:
            shown[col] = pd.to_numeric(shown[col], errors="coerce").astype("Int64")
    return shown


ROW_PX, HEADER_PX = 35, 38  # st.dataframe's default row and header heights


def table(df: pd.DataFrame, columns: dict[str, str], *, lang: str,
          school_years: Iterable[str] = (), counts: Iterable[str] = (),
          integers: Iterable[str] = (), max_rows: int = 12,
          width: int | str = "stretch", key: str | None = None) -> None:
    """Show ``df``'s ``columns`` (column -> header) with school years as "2023–24" and counts
    with the language's thousands separator (right-aligned); taller than ``max_rows`` rows,
    the table scrolls."""
    counts = tuple(counts)
    shown = _formatted(df, columns, lang, school_years, counts, integers)
    config = {col: st.column_config.Column(
        label, alignment="right" if col in counts else None) for col, label in columns.items()}
    height = "auto" if len(shown) <= max_rows else HEADER_PX + ROW_PX * max_rows
    st.dataframe(shown, hide_index=True, column_config=config, height=height, width=width,
                 placeholder=t("format.empty_cell", lang), key=key)


@st.cache_data(max_entries=64, show_spinner=False)  # a page's tables: a few KB to a few MB each
def csv_file(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> bytes:
    """``frame`` as a CSV file to download (:func:`lib.export.csv_bytes`; ``digits``:
    column -> the decimals the page shows)."""
    return export.csv_bytes(frame, digits)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_csv(data: bytes, file_name: str, *, lang: str, label_key: str = "download.csv",
                 key: str | None = None, chart: dict | None = None) -> None:
    """The CSV file, and beside it the same table as an Excel workbook (made only when
    clicked: :func:`lib.export.xlsx_from_csv`); with ``chart`` (the Vega-Lite spec whose
    data it is), the chart as SVG too (:func:`lib.report.chart_svg`)."""
    workbook = str(PurePath(file_name).with_suffix(".xlsx"))
    with st.container(horizontal=True):
        st.download_button(t(label_key, lang), data=data, file_name=file_name,
                           mime="text/csv", icon=":material/download:", key=key,
                           on_click=on_download(file_name))
        st.download_button(t("download.xlsx", lang), data=partial(export.xlsx_from_csv, data),
                           file_name=workbook, mime=XLSX, icon=":material/table_view:",
                           key=f"{key}_xlsx" if key else None, on_click=on_download(workbook))
        if chart is not None:
            from lib.report import chart_svg

            drawing = str(PurePath(file_name).with_suffix(".svg"))
            st.download_button(t("download.svg", lang), data=partial(chart_svg, chart),
                               file_name=drawing, mime="image/svg+xml",
                               icon=":material/image:", key=f"{key}_svg" if key else None,
                               on_click=on_download(drawing))


def on_download(file_name: str):
    """What a download button does when clicked: with sign-in, log it (the audit log);
    without, nothing (no rerun)."""
    if not extract.sign_in_configured():
        return "ignore"
    return partial(access.log, "download", file_name)
