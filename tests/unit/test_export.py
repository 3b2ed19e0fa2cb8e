"""CSV downloads: Excel reads Lao as Lao (a UTF-8 byte-order mark), counts have no ".0",
values keep their full precision, missing values stay empty."""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from lib.export import csv_bytes


def test_counts_are_whole_numbers_values_keep_their_precision_and_lao_reads():
    frame = pd.DataFrame({"unit_name": ["ວຽງຈັນ", "Xay"], "pupils": [12655.0, np.nan],
                          "value": [106.02379356568365, 99.5], "year": [2023, 2023],
                          "flag": [True, False], "ratio": [np.inf, 1.0]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads UTF-8"
    text = data.decode("utf-8-sig")
    assert text.splitlines() == [
        "unit_name,pupils,value,year,flag,ratio",
        "ວຽງຈັນ,12655,106.02379356568365,2023,True,inf",
        "Xay,,99.5,2023,False,1.0"]
    back = pd.read_csv(io.BytesIO(data))
    assert list(back.columns) == list(frame.columns), "pandas skips the mark"
    assert frame["pupils"].dtype.kind == "f", "the frame shown is left as it was"


def test_values_rounded_as_the_page_shows_them_beside_exact_counts():
    frame = pd.DataFrame({"value": [63.41237962107653, np.nan], "change": [-1.04999, 2.0],
                          "numerator": [1234.0, 5.0], "name": ["a", "b"]})
    text = csv_bytes(frame, {"value": 1, "change": 1, "name": 3}).decode("utf-8-sig")
    # -1.05 to one decimal is -1.0: a whole number, written as one.
    assert text.splitlines() == ["value,change,numerator,name", "63.4,-1,1234,a", ",2,5,b"]


FORMULAS = ["=1+1", '=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0",
            "+1+1", "-1+1", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "\n=1+1"]


def test_no_text_cell_or_header_reaches_a_spreadsheet_as_a_formula():
    frame = pd.DataFrame({"name": FORMULAS, "count": [-3.0] * len(FORMULAS),
                          "@note": ["-3.5"] * len(FORMULAS),
                          "group": pd.Categorical(["=A1"] * len(FORMULAS))})
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"), newline="")))
    back = pd.DataFrame(rows[1:], columns=rows[0])
    assert back["name"].tolist() == ["'" + f for f in FORMULAS], "OWASP: a leading apostrophe"
    assert back["group"].tolist() == ["'=A1"] * len(FORMULAS)
    assert list(back.columns) == ["name", "count", "'@note", "group"]
    assert back["count"].tolist() == ["-3"] * len(FORMULAS), "numbers stay numbers"
    assert back["'@note"].tolist() == ["-3.5"] * len(FORMULAS), "a signed number as text"
    assert frame["name"].tolist() == FORMULAS, "the frame shown is left as it was"


def test_a_csv_download_as_a_workbook_keeps_codes_names_and_numbers():
    import io

    import openpyxl

    from lib.export import csv_bytes, xlsx_from_csv

    frame = pd.DataFrame({"unit_code": ["0101", "0102"], "unit_name": ["ຈັນທະບູລີ", "=HYPERLINK(\"x\")"],
                          "value": [54.25, None], "pupils": [12655.0, 3.0]})
    book = openpyxl.load_workbook(io.BytesIO(xlsx_from_csv(csv_bytes(frame))))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("unit_code", "unit_name", "value", "pupils")
    assert rows[1] == ("0101", "ຈັນທະບູລີ", 54.25, 12655)
    assert rows[2][0] == "0102" and rows[2][2] is None
    assert rows[2][1] == "'=HYPERLINK(\"x\")"  # text, as the CSV has it: never a formula
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
