"""Where the extract came from and what it holds, as plain data for the About page.

Reads only an :class:`~lib.db.ExtractInfo`; no SQL and no Streamlit here.
"""
from __future__ import annotations

from pathlib import PurePath

import pandas as pd

from lib.db import ExtractInfo

GEOBOUNDARIES = "geoboundaries"


def latest_year(info: ExtractInfo) -> int | None:
    return max(info.years) if info.years else None


def counts_by_year(info: ExtractInfo) -> pd.DataFrame:
    """One row per school year of the extract, oldest first: ``year``, ``schools`` (reporting),
    ``pupils``, ``teachers`` (unknown, NaN, in a year without teacher rows and in every
    year of an extract without a teachers table, as schools are in one of area totals)."""
    years = sorted(set(info.years) | set(info.pupils_by_year) | set(info.teachers_by_year)
                   | set(info.schools_by_year))
    return pd.DataFrame({
        "year": years,
        "schools": [info.schools_by_year.get(y, 0) if info.n_schools is not None
                    else float("nan") for y in years],  # area totals: no schools
        "pupils": [info.pupils_by_year.get(y, 0) for y in years],
        "teachers": [info.teachers_by_year.get(y, float("nan")) if info.optional_tables.get(
            "teachers", True) else float("nan") for y in years],  # a year without: unknown
    }, columns=["year", "schools", "pupils", "teachers"])


def boundary_file_names(info: ExtractInfo) -> list[str]:
    """The boundary files of the package, by file name (folders left out)."""
    return [PurePath(str(p)).name for p in info.boundary_files]


def uses_geoboundaries(info: ExtractInfo) -> bool:
    """Whether the package's boundaries are geoBoundaries files (CC BY 4.0, attribution due)."""
    return any(GEOBOUNDARIES in name.lower() for name in boundary_file_names(info))


def needs_geoboundaries_credit(info: ExtractInfo) -> bool:
    """geoBoundaries files were used and the package's own attribution does not credit them."""
    return uses_geoboundaries(info) and GEOBOUNDARIES not in info.attribution.lower()


def optional_tables(info: ExtractInfo) -> list[tuple[str, bool]]:
    """The optional tables of the data contract, present ones first, each in contract order."""
    items = list(info.optional_tables.items())
    return [(name, bool(present)) for name, present in items if present] + [
        (name, bool(present)) for name, present in items if not present]
