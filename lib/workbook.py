"""The census template as one Excel workbook: a sheet per table of the country's profile.

A data officer fills it in and uploads it; :mod:`lib.package` reads every sheet named like a
table, its header on row 1 and its records from row 2. Each header cell carries a note (the
column's type, whether it is required, whether it may be empty, its allowed values or range)
and the columns that take codes have drop-down lists of the profile's values (grades, levels,
sex, the areas' codes when they are known), so that most typing errors are refused in Excel
rather than by the build. A README sheet says what the workbook is and how to fill it, and
``wide_example`` shows a wide census sheet with the mapping.toml that reads it.

Pure: no Streamlit, no database.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lib.country import Country, admin_level_name, admin_level_plural
from lib.tables import AREA_KEY, GRADES, LEVELS, SCHOOL_KEY, Column, Table, tables_for
from lib.template import MAPPING_TEMPLATE, WIDE_EXAMPLE
from lib.wide import MAPPING_FILE

README_SHEET, LISTS_SHEET, WIDE_SHEET = "README", "lists", "wide_example"
FIRST_ROW, LAST_ROW = 2, 1_048_576  # every row of a sheet below the header (Excel's last)
LANG = "en"  # the template's language: the contract's column names are English

# What one row of each table is, for the README (the data contract's words, shortened).
PURPOSES: dict[str, str] = {
    "admin_units": "an area of one of the profile's admin levels, with the code of its parent "
                   "one level up",
    "schools": "a school of the register: its code, name, area, levels and attributes",
    "enrolment": "pupils of one school (or area), year, grade and sex, and age when known",
    "teachers": "teachers of one school (or area), year, level and sex, qualified or not, "
                "trained or not",
    "facilities": "a school's classrooms, services and equipment in a year",
    "population": "the population of an area by year, sex and age (or age group)",
    "district_attributes": "facts about an area of the finest level (e.g. priority)",
    "quality": "whether a school met a quality standard in a year (the flat form)",
    "quality_framework": "a standard, criterion or item of the quality framework",
    "quality_scale": "a rating of the quality assessment and its points",
    "quality_levels": "a level or support category of the quality assessment",
    "quality_assessment": "a rating of one item for a school in a year, by its assessor",
    "enrolment_groups": "pupils by a grouping the ministry collects (ethnicity, home "
                        "language…)",
    "population_groups": "the population of an area by the same groupings",
    "group_names": "the names of the groupings and their groups",
    "functioning": "pupils by functional difficulty (Child Functioning Module)",
    "aliases": "another name of an area, for matching boundary polygons",
    "crosswalk": "an area's polygon named outright in the boundary files",
    "targets": "a target value of an indicator in a year",
}

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")  # required columns stand out
_TITLE_FONT = Font(bold=True, size=14)


@dataclass(frozen=True)
class _DropDown:
    """The values a column's cells are picked from, and how strictly."""
    title: str  # the list's heading on the lists sheet
    values: tuple[str | int, ...]
    strict: bool = True  # refuse other values; else warn and let the officer keep them


def template_workbook(country: Country, areas: pd.DataFrame | None = None) -> bytes:
    """The .xlsx a data officer fills in to load the census of ``country``'s profile.

    ``areas`` (code, name_en, level, parent_code: the extract's admin_units) gives the
    area codes their drop-downs; without it the code columns are free text. The tables stay
    empty: the template is headers only.
    """
    tables = tables_for(country)
    codes = _area_codes(country, areas)
    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    sheets = {name: book.create_sheet(name) for name in tables}
    wide = book.create_sheet(WIDE_SHEET)
    lists = _Lists(book.create_sheet(LISTS_SHEET))
    for name, table in tables.items():
        _table_sheet(sheets[name], table, country, codes, lists)
    _readme_sheet(readme, country, tables, areas is not None)
    _wide_sheet(wide)
    lists.sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_template_workbook(path: Path, country: Country,
                            areas: pd.DataFrame | None = None) -> Path:
    """Write :func:`template_workbook` to ``path`` (its folder made if need be)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(template_workbook(country, areas))
    return path


class _Lists:
    """The hidden sheet of the drop-downs' values, a column per list. Lists live on a sheet
    because a list written into the validation itself is limited to 255 characters (a
    country's district codes are far longer); an identical list is written once."""

    def __init__(self, sheet: Worksheet):
        self.sheet = sheet
        self._ranges: dict[tuple[str | int, ...], str] = {}

    def range_of(self, title: str, values: tuple[str | int, ...]) -> str:
        """The absolute range (``lists!$A$2:$A$4``) holding ``values``."""
        if values in self._ranges:
            return self._ranges[values]
        column = len(self._ranges) + 1
        letter = get_column_letter(column)
        self.sheet.cell(1, column, title).font = _HEADER_FONT
        for row, value in enumerate(values, start=2):
            self.sheet.cell(row, column, value).number_format = "@" if isinstance(
                value, str) else "General"
        self.sheet.column_dimensions[letter].width = max(12, len(title) + 2)
        ref = f"{self.sheet.title}!${letter}$2:${letter}${len(values) + 1}"
        self._ranges[values] = ref
        return ref


def _is_code(col: Column) -> bool:
    """A column holding codes (of schools, areas): text that may look like a number."""
    return col.kind == "text" and (col.name in ("code", "school_id")
                                   or col.name.endswith("_code"))


def _numbers(values: tuple[str, ...]) -> tuple[str | int, ...]:
    """Whole numbers as numbers, so that a typed 2 matches the list's 2 (Excel compares a
    number with the text "2" as different)."""
    return tuple(int(v) if v.lstrip("-").isdigit() else v for v in values)


def _area_codes(country: Country, areas: pd.DataFrame | None) -> tuple[tuple[str, ...],
                                                                      tuple[str, ...]]:
    """The codes of the finest admin level, and those of every larger level, in the order
    of ``areas`` (levels read as numbers: the extract has them so, a CSV as text)."""
    if areas is None or areas.empty:
        return (), ()
    known = areas[areas["code"].notna()]
    level = pd.to_numeric(known["level"], errors="coerce")
    code = known["code"].astype(str).str.strip()

    def unique(values: pd.Series) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for v in values if v))

    return (unique(code[level == country.finest_admin]),
            unique(code[level < country.finest_admin]))


def _drop_down(col: Column, table: Table, country: Country,
               codes: tuple[tuple[str, ...], tuple[str, ...]]) -> _DropDown | None:
    """The column's list of values, if it takes values from one."""
    finest, larger = codes
    if col.kind == "level_list":
        # Several levels go in one cell ("primary;lower_secondary"): the list offers one,
        # a warning lets the officer keep a combination.
        return _DropDown("levels", tuple(col.choices), strict=False)
    if col.kind == "choice":
        title = {GRADES: "grades", LEVELS: "levels"}.get(col.country_choices, col.name)
        values = _numbers(col.choices) if col.sql_type == "INTEGER" else tuple(col.choices)
        return _DropDown(title, values + tuple(col.words))
    if col.kind == "flag":
        return _DropDown("0/1 flags", (0, 1))
    if col.name == AREA_KEY and finest:
        return _DropDown(f"{AREA_KEY} ({admin_level_plural(country, country.finest_admin, LANG)})",
                         finest)
    if table.name == "admin_units" and col.name == "parent_code" and larger:
        return _DropDown("parent_code (larger areas)", larger)
    return None


def _bound(value: float) -> str:
    """A limit as Excel and people read it: 1000000000000, not 1e+12."""
    return f"{value:f}".rstrip("0").rstrip(".") if not float(value).is_integer() \
        else str(int(value))


def _said(value: float) -> str:
    """A limit in a note: 2100, 0.5, 1,000,000,000,000 (as the build's messages say it)."""
    return f"{value:,.0f}" if abs(value) >= 1e4 and float(value).is_integer() else f"{value:g}"


def _type_words(col: Column, table: Table, country: Country) -> str:
    """What a cell of the column holds, in plain English."""
    if col.kind == "choice":
        if col.country_choices == GRADES:
            words = ", ".join(col.choices)
            extra = "".join(f", or '{w}' (learners in no grade)" for w in col.words)
            return f"one of the grades {words}{extra}"
        if col.country_choices == LEVELS:
            return f"one of the levels {', '.join(col.choices)}"
        if table.name == "admin_units" and col.name == "level":
            names = "; ".join(f"{n} = {admin_level_name(country, n, LANG)}"
                              for n in range(1, country.finest_admin + 1))
            return f"the admin level's number: {names}"
        return "one of " + ", ".join(col.choices + col.words)
    if col.kind == "level_list":
        return (f"the school's levels, separated by ';' (e.g. {';'.join(col.choices[:2])}), "
                f"from {', '.join(col.choices)}")
    if col.kind == "flag":
        return "a 0/1 flag: 1 = yes, 0 = no"
    if col.kind == "int" and col.name == "year":
        return "a whole number: the school year, as the year it starts (2023 for 2023-24)"
    if col.kind == "int":
        return "a whole number"
    if col.kind == "float":
        return "a number (decimals allowed)"
    if col.kind == "id":
        return "an id: lower-case letters, digits and _, starting with a letter (e.g. " \
               "home_language)"
    if _is_code(col):
        if col.name == AREA_KEY:
            areas = admin_level_plural(country, country.finest_admin, LANG)
            return f"a code: one of the codes of the {areas} (the finest admin level) in " \
                   "admin_units"
        if col.name == "parent_code":
            return "a code: the code of the area one level up; empty for level 1"
        return "a code (text; keep leading zeros)"
    return "text"


def _note(col: Column, table: Table, country: Country) -> str:
    """The header cell's note: type, required or optional, empty or not, values or range."""
    lines = [f"{col.name}: {_type_words(col, table, country)}."]
    if col.minimum is not None and col.maximum is not None:
        lines.append(f"From {_said(col.minimum)} to {_said(col.maximum)}.")
    elif col.minimum is not None:
        lines.append(f"At least {_said(col.minimum)}.")
    elif col.maximum is not None:
        lines.append(f"At most {_said(col.maximum)}.")
    if col.required:
        lines.append("Required column: keep it.")
    else:
        lines.append("Optional column: you may delete it if you do not collect it.")
    if col.nullable:
        lines.append("Empty allowed: leave the cell empty when the value is unknown "
                     "(empty is not 0).")
    else:
        lines.append("Every row needs a value." if col.required
                     else "When the column is kept, every row needs a value.")
    if col.name in (AREA_KEY, SCHOOL_KEY) and table.has(AREA_KEY) and table.has(SCHOOL_KEY) \
            and not table.column(SCHOOL_KEY).required:
        # a fact table's rows name a school, or an area in a package of area totals
        lines.append(f"A row names a school ({SCHOOL_KEY}), or in a package of area totals "
                     f"(no schools sheet) an area ({AREA_KEY}) instead.")
    if col.name in table.key:
        lines.append(f"Part of what identifies a row ({', '.join(table.key)}): no two rows "
                     "may repeat it.")
    return "\n".join(lines)


def _numeric_check(col: Column) -> DataValidation | None:
    """Excel's own check of a number column's range (refuses text too)."""
    if col.kind not in ("int", "float") or (col.minimum is None and col.maximum is None):
        return None
    kind = "whole" if col.kind == "int" else "decimal"
    words = "a whole number" if kind == "whole" else "a number"
    if col.minimum is not None and col.maximum is not None:
        operator, first, second = "between", _bound(col.minimum), _bound(col.maximum)
        said = f"{words} from {_said(col.minimum)} to {_said(col.maximum)}"
    elif col.minimum is not None:
        operator, first, second = "greaterThanOrEqual", _bound(col.minimum), None
        said = f"{words} of at least {_said(col.minimum)}"
    else:
        operator, first, second = "lessThanOrEqual", _bound(col.maximum), None
        said = f"{words} of at most {_said(col.maximum)}"
    error = f"{col.name} must be {said}{_or_empty(col)}."
    return DataValidation(type=kind, operator=operator, formula1=first, formula2=second,
                          allow_blank=True, showErrorMessage=True, errorStyle="stop",
                          errorTitle=f"Not a valid {col.name}"[:32], error=error[:255])


def _or_empty(col: Column) -> str:
    return "; leave the cell empty when the value is unknown" if col.nullable else ""


def _list_check(col: Column, drop: _DropDown, ref: str) -> DataValidation:
    if drop.strict:
        error = (f"{col.name} must be a value of its drop-down list ({drop.title}): pick one "
                 f"from the list{_or_empty(col)}.")
    else:
        error = (f"{drop.title}: not one value of the list. Several levels are separated by "
                 "';' (primary;lower_secondary): keep it if that is what you meant.")
    return DataValidation(type="list", formula1=ref, allow_blank=True, showDropDown=False,
                          showErrorMessage=True, errorStyle="stop" if drop.strict else "warning",
                          errorTitle=f"Not a valid {col.name}"[:32], error=error[:255])


def _table_sheet(sheet: Worksheet, table: Table, country: Country,
                 codes: tuple[tuple[str, ...], tuple[str, ...]], lists: _Lists) -> None:
    """Header row, notes, drop-downs and checks of one table's sheet; no records. ``codes``:
    the finest areas' codes and the larger areas' (:func:`_area_codes`)."""
    for number, col in enumerate(table.columns, start=1):
        letter = get_column_letter(number)
        cell = sheet.cell(1, number, col.name)
        cell.font = _HEADER_FONT
        if col.required and not col.nullable:
            cell.fill = _HEADER_FILL
        note = _note(col, table, country)
        cell.comment = Comment(note, "Census template", width=320,
                               height=40 + 18 * (note.count("\n") + 1 + len(note) // 45))
        dimension = sheet.column_dimensions[letter]
        dimension.width = min(max(len(col.name) + 4, 12), 40)
        if col.kind in ("text", "id", "level_list"):
            # Text format for the whole column, so that Excel keeps a typed code 0101 as it
            # is instead of the number 101 (set on the column: no empty cells are written).
            dimension.number_format = "@"
        cells = f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}"
        if drop := _drop_down(col, table, country, codes):
            check = _list_check(col, drop, lists.range_of(drop.title, drop.values))
        else:
            check = _numeric_check(col)
        if check is not None:
            check.add(cells)
            sheet.add_data_validation(check)
    sheet.freeze_panes = f"A{FIRST_ROW}"


def _readme_sheet(sheet: Worksheet, country: Country, tables: dict[str, Table],
                  with_areas: bool) -> None:
    """What the workbook is, a line per table sheet and how to fill it in."""
    finest = admin_level_name(country, country.finest_admin, LANG).lower()
    levels = ", ".join(f"{lv.id} (grade{'s' if len(lv.grades) > 1 else ''} "
                       f"{', '.join(str(g) for g in lv.grades)})" for lv in country.levels)
    rows: list[tuple[str, ...]] = [
        (f"Census template: {country.name}",),
        (f"The tables of the annual school census, a sheet per table, for the profile of "
         f"{country.name} ({country.iso3}). Levels: {levels}. Admin levels: "
         + ", ".join(admin_level_name(country, n, LANG)
                     for n in range(1, country.finest_admin + 1)) + ".",),
        ("Fill in the sheets and upload the workbook: the build reads each sheet named like a "
         "table, checks every value and names the sheet, row and column of any problem.",),
        (),
        ("Sheet", "Required", "One row is"),
        *((name, "required" if table.required else "optional", PURPOSES.get(name, ""))
          for name, table in tables.items()),
        (),
        ("How to fill it in",),
        ("• One row per record, from row 2 on. Keep the header (row 1) as it is: the column "
         "names are what the build reads.",),
        ("• Hover over a column's header for its type, whether it is required, whether it may "
         "be empty and its allowed values or range. Blue headers need a value on every row.",),
        ("• Pick codes from the drop-down lists (sex, grades, levels"
         + (f", {finest} codes" if with_areas else "")
         + "): a value outside a list is refused.",),
        ("• Leave a cell empty when the value is unknown: an empty cell is unknown, not zero. "
         "Write 0 only for a true zero.",),
        ("• Codes (school_id, district_code…) are text: keep their leading zeros (0101).",),
        ("• Optional sheets you do not collect may stay empty or be deleted; so may optional "
         "columns. Do not rename sheets or columns.",),
        ("• Several levels of a school go in one cell, separated by ';' "
         "(primary;lower_secondary).",),
        (),
        ("What else the upload needs",),
        ("• country.toml (the profile) and the boundary files are kept from the served extract "
         "unless you upload them: upload the workbook alone to replace the tables, or a zip "
         "with the workbook, country.toml and boundaries/ to replace those too.",),
        (f"• A census kept as a wide sheet (a row per school, a column per grade and sex): see "
         f"the sheet {WIDE_SHEET}. Such a sheet needs a {MAPPING_FILE} beside the workbook in "
         "the uploaded zip, and a workbook of its own: a workbook named in "
         f"{MAPPING_FILE} is read as wide sheets only.",),
        (f"• The hidden sheet '{LISTS_SHEET}' holds the drop-downs' values: leave it as it is.",),
    ]
    for number, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    sheet["A1"].font = _TITLE_FONT
    for number, values in enumerate(rows, start=1):
        if len(values) == 1 and values[0] in ("How to fill it in", "What else the upload needs"):
            sheet.cell(number, 1).font = _HEADER_FONT
        if values == ("Sheet", "Required", "One row is"):
            for column in range(1, 4):
                sheet.cell(number, column).font = _HEADER_FONT
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 90


def _wide_sheet(sheet: Worksheet) -> None:
    """The worked example of a wide census file and the mapping.toml that reads it."""
    sheet["A1"] = ("A worked example of a WIDE census sheet (a row per school, a column per grade "
                   "and sex). It is an example only: the build does not read this sheet.")
    sheet["A2"] = (f"To load such a sheet, put it in a workbook (or CSV file) of its own, with a "
                   f"{MAPPING_FILE} beside it in the uploaded zip; in {MAPPING_FILE}, file = "
                   "that file's name and sheet = its sheet's name.")
    sheet["A1"].font = _HEADER_FONT
    rows = list(csv.reader(io.StringIO(WIDE_EXAMPLE)))
    first = 4
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(first + offset, column,
                              int(value) if offset and column > 2 and value.isdigit() else
                              value or None)
            if offset == 0:
                cell.font = _HEADER_FONT
    for column in range(1, len(rows[0]) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 12
    sheet.column_dimensions["B"].width = 20
    start = first + len(rows) + 1
    sheet.cell(start, 1, f"{MAPPING_FILE} for this example:").font = _HEADER_FONT
    mono = Font(name="Courier New")
    for offset, line in enumerate(MAPPING_TEMPLATE.splitlines(), start=1):
        cell = sheet.cell(start + offset, 1, line or None)
        if line.startswith("="):  # text, never a formula
            cell.data_type = "s"
        cell.font = mono
