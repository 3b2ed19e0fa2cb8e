"""Tables as the CSV files (and Excel workbooks) a reader downloads.

UTF-8 with a byte-order mark, so that Excel (the tool most ministry staff open a CSV
with) reads Lao names as Lao, not as mojibake; pandas, R and LibreOffice skip the mark.
Machine column names; a column of whole numbers held as floats (pupils, teachers,
numerators) written as whole numbers: 12655, not 12655.0; values rounded as the page shows
them when it says how (``digits``: 63.4, not 63.41237962107653), their numerators and
denominators beside them keeping the exact figures.

Text never becomes a formula: a name from a data package such as ``=HYPERLINK(...)`` or
``@SUM(A1)`` would run in the spreadsheet that opens the file (CSV injection). Every text
cell and header starting with ``= + - @``, a tab, a carriage return or a line feed is
written with a leading apostrophe, OWASP's rule, which spreadsheets show as the text it is;
a plain signed number written as text ("-3.5") is left as it is. :func:`neutralise` is the
one rule for every download, workbooks included.
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd

ENCODING = "utf-8-sig"
_EXACT = 2 ** 53  # floats hold every whole number up to here
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?%?", re.IGNORECASE)


def neutralise(value: object) -> object:
    """``value`` as a spreadsheet cell that cannot be read as a formula (see the module's
    note); anything but text is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def without_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name passed through :func:`neutralise`."""
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if column.dtype.kind in "OSU" or isinstance(column.dtype, pd.StringDtype):
            out[name] = column.map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in frame.columns]
    return out


def whole_numbers_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each float column whose values are all whole numbers (missing values
    aside) as a nullable integer column."""
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if column.dtype.kind != "f":
            continue
        values = column.to_numpy(dtype="float64")
        known = values[np.isfinite(values)]
        if np.isinf(values).any() or not len(known):
            continue
        if (known == np.round(known)).all() and np.abs(known).max() < _EXACT:
            out[name] = column.astype("Int64")
    return out


def rounded(frame: pd.DataFrame, digits: dict[str, int]) -> pd.DataFrame:
    """``frame`` with each column of ``digits`` rounded to its number of decimals."""
    out = frame.copy(deep=False)
    for name, n in digits.items():
        if name in out and out[name].dtype.kind == "f":
            out[name] = out[name].round(n)
    return out


def csv_bytes(frame: pd.DataFrame, digits: dict[str, int] | None = None) -> bytes:
    """``frame`` as a CSV file to download (see the module's note); ``digits``: column ->
    decimals shown."""
    frame = rounded(frame, digits) if digits else frame
    # RFC 4180's CRLF line ends: Python's writer then quotes a cell holding either CR or LF
    # (with "\n" alone, a CR inside a name went out unquoted and split the row in Excel).
    return without_formulas(whole_numbers_as_integers(frame)).to_csv(
        index=False, lineterminator="\r\n").encode(ENCODING)


_WORKBOOK_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?")


def xlsx_from_csv(data: bytes, sheet: str = "data") -> bytes:
    """A CSV file of :func:`csv_bytes` as an Excel workbook: its header bold and frozen, a
    column whose every value is a plain number (no leading zero) as numbers, every other
    value as the text it is (codes keep their zeros, Lao names stay Lao, a cell the CSV
    starts with an apostrophe stays text, never a formula)."""
    from openpyxl.styles import Font

    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False,
                        encoding=ENCODING)
    for column in frame.columns:
        given = frame[column][frame[column] != ""]
        if len(given) and given.str.fullmatch(_WORKBOOK_NUMBER).all():
            frame[column] = pd.to_numeric(frame[column].replace("", None))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet, index=False)
        sheet_ = writer.sheets[sheet]
        sheet_.freeze_panes = "A2"
        for cell in sheet_[1]:
            cell.font = Font(bold=True)
        for row in sheet_.iter_rows(min_row=2):
            for cell in row:  # a text openpyxl would take for a formula stays text
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    return buffer.getvalue()
