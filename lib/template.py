"""An empty data package for data officers who start from scratch."""
from __future__ import annotations

from pathlib import Path

from lib.country import parse_country
from lib.tables import tables_for

COUNTRY_TEMPLATE = '''\
# The country profile: everything the explorer knows about your education system.
# Edit the names, the levels, their grades and official ages. Nothing else in the
# explorer is specific to one country.

name = "My Country"              # shown in titles and on the About page
name_local = "My Country"        # the name in the local language and script
iso3 = "XXX"                     # ISO 3166-1 alpha-3 code
languages = ["en"]
entry_level = "primary"          # the level whose first grade is "grade 1" for intake rates
synthetic = false                # true only for made-up data: the app then shows a banner

[admin_level_names]
1 = { en = "Province" }
2 = { en = "District" }

[package]                        # shown on the About page
source = "Annual school census"
licence = ""
attribution = ""                 # e.g. "Boundaries: geoBoundaries (CC BY 4.0)"
boundaries_schematic = false
census_reference_date = "09-01"  # month-day at which ages are counted

# Levels in order; grades are numbered continuously across levels.
[[levels]]
id = "pre_primary"
name_en = "Pre-primary"
name_local = "Pre-primary"
grades = [0]
official_age_min = 3
official_age_max = 5

[[levels]]
id = "primary"
name_en = "Primary"
name_local = "Primary"
grades = [1, 2, 3, 4, 5, 6]
official_age_min = 6
official_age_max = 11

[[levels]]
id = "lower_secondary"
name_en = "Lower secondary"
name_local = "Lower secondary"
grades = [7, 8, 9]
official_age_min = 12
official_age_max = 14

[[levels]]
id = "upper_secondary"
name_en = "Upper secondary"
name_local = "Upper secondary"
grades = [10, 11, 12]
official_age_min = 15
official_age_max = 17
'''

BOUNDARIES_README = '''\
Put the boundary files here: one or more files for provinces (level 1) and for districts
(level 2), as GeoJSON, GeoPackage, Shapefile or GeoParquet. A file's level is read from its
name (adm1, admin1, provinces / adm2, admin2, districts) or from its properties (ADM1_PCODE,
ADM2_PCODE). Polygons are matched to admin_units by a code property when there is one
(codes, P-codes, ISO 3166-2), otherwise by name within their province.
'''


def write_template(out: Path) -> list[Path]:
    """Write headers-only tables, a commented country.toml and a boundaries folder."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; choose a new folder for the template")
    (out / "boundaries").mkdir(parents=True, exist_ok=True)
    written = [out / "country.toml"]
    written[0].write_text(COUNTRY_TEMPLATE, encoding="utf-8")
    for name, spec in tables_for(parse_country(COUNTRY_TEMPLATE)).items():
        path = out / f"{name}.csv"
        path.write_text(",".join(c.name for c in spec.columns) + "\n", encoding="utf-8")
        written.append(path)
    readme = out / "boundaries" / "README.txt"
    readme.write_text(BOUNDARIES_README, encoding="utf-8")
    written.append(readme)
    return written
