"""The census template as one Excel workbook (lib/workbook.py): its sheets, headers, notes
and drop-downs for the tiny package's profile, and a round trip: the tiny package typed into
the template validates as the CSV package does."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from lib.build import validate_package
from lib.country import load_country
from lib.tables import tables_for
from lib.workbook import (LAST_ROW, LISTS_SHEET, README_SHEET, WIDE_SHEET, template_workbook,
                          write_template_workbook)
from tests.fixtures.tiny_package import write_tiny_package


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return write_tiny_package(tmp_path_factory.mktemp("tiny") / "package")


@pytest.fixture(scope="module")
def book(tiny) -> openpyxl.Workbook:
    areas = pd.read_csv(tiny / "admin_units.csv", dtype=str, keep_default_na=False)
    return openpyxl.load_workbook(io.BytesIO(template_workbook(load_country(tiny), areas)))


def _validations(sheet: Worksheet) -> dict[str, object]:
    """Header name -> the data validation of its column."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for check in sheet.data_validations.dataValidation:
        for cells in check.sqref.ranges:
            letter = cells.coord.split(":")[0].rstrip("0123456789")
            assert cells.coord == f"{letter}2:{letter}{LAST_ROW}"
            found[headers[letter]] = check
    return found


def _list_values(book: openpyxl.Workbook, formula: str) -> list:
    """The values of a list validation's range (``lists!$C$2:$C$4``)."""
    sheet, cells = formula.split("!")
    assert sheet == LISTS_SHEET
    return [c.value for row in book[LISTS_SHEET][cells.replace("$", "")] for c in row]


def test_sheets_headers_and_notes(tiny, book):
    tables = tables_for(load_country(tiny))
    assert book.sheetnames == [README_SHEET, *tables, WIDE_SHEET, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert WIDE_SHEET not in tables and LISTS_SHEET not in tables
    for name, table in tables.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == [c.name for c in table.columns]
        assert sheet.max_row == 1  # headers only: records start on row 2
        assert sheet.freeze_panes == "A2"
        for cell, col in zip(sheet[1], table.columns):
            assert cell.font.bold
            note = cell.comment.text
            assert note.startswith(f"{col.name}: ")
            assert ("Required column" if col.required else "Optional column") in note
            kind = {"int": "whole number", "float": "a number", "flag": "0/1 flag",
                    "choice": "one of", "level_list": "levels, separated by ';'",
                    "id": "an id"}.get(col.kind)
            assert kind is None or kind in note or (col.name == "level" and "number" in note)
    assert "From 1900 to 2100" in book["enrolment"]["A1"].comment.text
    readme = [c.value for row in book[README_SHEET].iter_rows() for c in row if c.value]
    for name in tables:
        assert name in readme
    assert any("country.toml" in str(line) for line in readme)
    wide = [c.value for row in book[WIDE_SHEET].iter_rows() for c in row if c.value]
    assert "SCHOOL_CODE" in wide and 'pattern = "G{grade}_{sex}"         # G1_M, G2_F …: ' \
        "{grade} and {sex} are read from the name" in wide


def test_drop_downs_hold_the_profile_and_area_codes(book):
    enrolment = _validations(book["enrolment"])
    assert _list_values(book, enrolment["sex"].formula1) == ["F", "M"]
    assert _list_values(book, enrolment["grade"].formula1) == [1, 2, 3, "ungraded"]
    assert _list_values(book, enrolment["district_code"].formula1) == ["0101", "0102", "0201"]
    for check in (enrolment["sex"], enrolment["grade"], enrolment["district_code"]):
        assert check.type == "list" and check.errorStyle == "stop" and check.allow_blank
        assert check.error
    assert (enrolment["year"].type, enrolment["year"].formula1,
            enrolment["year"].formula2) == ("whole", "1900", "2100")
    schools = _validations(book["schools"])
    assert _list_values(book, schools["district_code"].formula1) == ["0101", "0102", "0201"]
    assert _list_values(book, schools["levels"].formula1) == ["primary", "lower_secondary"]
    assert schools["levels"].errorStyle == "warning"  # "primary;lower_secondary" is fine
    assert "school_id" not in schools and "name_en" not in schools
    teachers = _validations(book["teachers"])
    assert _list_values(book, teachers["level"].formula1) == ["primary", "lower_secondary"]
    assert _list_values(book, teachers["qualified"].formula1) == [0, 1]
    admin = _validations(book["admin_units"])
    assert _list_values(book, admin["parent_code"].formula1) == ["01", "02"]
    assert _list_values(book, admin["level"].formula1) == [1, 2]
    assert "code" not in admin  # where codes are defined, none is imposed
    # an identical list is written once
    assert enrolment["sex"].formula1 == teachers["sex"].formula1


def test_without_areas_codes_are_free_text(tiny):
    book = openpyxl.load_workbook(io.BytesIO(template_workbook(load_country(tiny))))
    assert "district_code" not in _validations(book["enrolment"])
    assert "parent_code" not in _validations(book["admin_units"])
    assert "sex" in _validations(book["enrolment"])
    # codes typed by hand stay text (0101, not 101)
    assert book["schools"].column_dimensions["D"].number_format == "@"


def _fill(sheet: Worksheet, path: Path, numbers: frozenset[str] = frozenset()) -> None:
    """The CSV's rows typed under the sheet's headers (a column the template lacks is added
    at the right, as an officer would), values as the CSV has them; those of the columns
    ``numbers`` as numbers, as Excel stores what is typed there."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    headers = [c.value for c in sheet[1]]
    for name in rows[0]:
        if name not in headers:
            headers.append(name)
            sheet.cell(1, len(headers), name)
    for number, values in enumerate(rows[1:], start=2):
        for name, value in zip(rows[0], values):
            if value != "":
                typed = (int(value) if value.isdigit() else float(value)) \
                    if name in numbers and value != "ungraded" else value
                sheet.cell(number, headers.index(name) + 1, typed)


@pytest.mark.parametrize("as_numbers", [False, True], ids=["text", "numbers"])
def test_the_tiny_package_typed_into_the_template_validates(tiny, tmp_path, as_numbers):
    country = load_country(tiny)
    areas = pd.read_csv(tiny / "admin_units.csv", dtype=str, keep_default_na=False)
    template = write_template_workbook(tmp_path / "template.xlsx", country, areas)
    book = openpyxl.load_workbook(template)
    csvs = sorted(tiny.glob("*.csv"))
    assert csvs
    tables = tables_for(country)
    for path in csvs:
        numbers = frozenset(c.name for c in tables[path.stem].columns
                            if as_numbers and (c.kind in ("int", "float", "flag")
                                               or c.sql_type == "INTEGER"))
        _fill(book[path.stem], path, numbers | ({"poverty_rate"} if as_numbers else set()))
    package = tmp_path / "package"
    package.mkdir()
    book.save(package / "census.xlsx")
    shutil.copy(tiny / "country.toml", package / "country.toml")
    shutil.copytree(tiny / "boundaries", package / "boundaries")

    from_csv = validate_package(tiny)
    from_book = validate_package(package)
    assert from_book.years == from_csv.years == [2022, 2023]
    assert from_book.n_schools == from_csv.n_schools == 3
    # the empty sheets of the tables the package lacks add no warning
    assert sorted(p.message for p in from_book.problems) == \
        sorted(p.message for p in from_csv.problems)
