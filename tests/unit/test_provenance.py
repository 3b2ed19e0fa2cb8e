"""What the About page says about the extract (lib/provenance.py)."""
from __future__ import annotations

import math
from dataclasses import replace

from lib import provenance
from lib.db import ExtractInfo

INFO = ExtractInfo(
    build_id="b", built_at="2025-01-01T00:00:00+00:00", source_dir="/data/pkg",
    package_source="Ministry export", licence="CC BY 4.0", attribution="", synthetic=False,
    boundaries_schematic=False,
    boundary_files=["boundaries/geoBoundaries-LAO-ADM1.geojson", "boundaries/adm2.gpkg"],
    country_name="Lao PDR", country_name_local="ສປປ ລາວ", iso3="LAO", years=[2022, 2023],
    areas_by_level=(18, 148), n_schools=10,
    pupils_by_year={2022: 100, 2023: 120}, teachers_by_year={2023: 7},
    schools_by_year={2022: 9, 2023: 10},
    optional_tables={"facilities": False, "population": True, "targets": False})


def test_counts_by_year_leave_a_year_without_teacher_rows_unknown():
    table = provenance.counts_by_year(INFO)
    assert table[["year", "schools", "pupils"]].to_dict("list") == {
        "year": [2022, 2023], "schools": [9, 10], "pupils": [100, 120]}
    assert math.isnan(table["teachers"][0]) and table["teachers"][1] == 7  # not 0
    assert provenance.latest_year(INFO) == 2023
    assert provenance.latest_year(replace(INFO, years=[])) is None


def test_geoboundaries_are_credited_once():
    assert provenance.boundary_file_names(INFO) == ["geoBoundaries-LAO-ADM1.geojson",
                                                    "adm2.gpkg"]
    assert provenance.needs_geoboundaries_credit(INFO)
    credited = replace(INFO, attribution="Boundaries: geoBoundaries (CC BY 4.0)")
    assert not provenance.needs_geoboundaries_credit(credited)
    assert not provenance.needs_geoboundaries_credit(replace(INFO, boundary_files=[]))


def test_optional_tables_present_first():
    assert provenance.optional_tables(INFO) == [
        ("population", True), ("facilities", False), ("targets", False)]
