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

# Your admin levels, one to four, largest first (e.g. regions, then the municipalities within
# them): what you call them, singular and plural, in each of your languages. Every text of
# the explorer names them so; the id is what URLs and `--level` take. A level with
# polygons = true needs its boundary files in boundaries/; polygons = false makes a
# management level (a filter and a table level, never a map). Schools, population and area
# totals name an area of the last (finest) level.
[[admin_levels]]
id = "region"
name = { en = "Region" }
plural = { en = "Regions" }
polygons = true

[[admin_levels]]
id = "municipality"
name = { en = "Municipality" }
plural = { en = "Municipalities" }
polygons = true

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


# A worked example of a wide census file (`template --wide`): one row per school, a column
# per grade and sex, upper-secondary grade 10 split by track, repeaters of grade 1 and
# learners in special education (in no grade). The school codes are made up: replace the
# file with your own census, and the codes must be those of schools.csv.
WIDE_EXAMPLE_FILE = "census_2023.csv"
WIDE_EXAMPLE = """\
SCHOOL_CODE,SCHOOL_NAME,G1_M,G1_F,G2_M,G2_F,G10_SCI_M,G10_SCI_F,G10_ART_M,G10_ART_F,REP_G1_M,REP_G1_F,SPED_M,SPED_F
1001,Riverside Primary,31,28,27,30,,,,,3,2,,
1002,Hilltop Secondary,,,,,22,18,15,21,,,,
1003,Central School,40,42,38,0,12,9,10,14,5,4,3,2
"""

MAPPING_TEMPLATE = '''\
# mapping.toml: how a WIDE census file (a row per school, a column per grade and sex)
# becomes the enrolment table of the data contract (a row per school, grade and sex).
# The build reads it with the package; `python -m lib validate` checks it and names
# every pattern that matches nothing, every column of the file that is left out.

[[wide]]                           # one entry per wide file (or per sheet of a workbook)
file = "census_2023.csv"           # the wide file, in this folder: CSV, Parquet or Excel
# sheet = "Enrolment"              # Excel only: the sheet to read (default: the first)
table = "enrolment"                # the contract table its rows are for

[wide.columns]                     # contract column = the file's column, on every row
school_id = "SCHOOL_CODE"          # the school's code, as in schools.csv

[wide.values]                      # contract column = one value for the whole file
year = 2023                        # the school year 2023-24 (the year it starts)

[wide.words]                       # what the words in the column names mean (optional);
sex = { M = "M", F = "F" }         # e.g. { B = "M", G = "F" } if the file says boys/girls

[[wide.measures]]                  # a family of columns; each filled cell gives one value
pattern = "G{grade}_{sex}"         # G1_M, G2_F …: {grade} and {sex} are read from the name
value = "enrolled"                 # the cells are pupils enrolled

[[wide.measures]]                  # upper secondary by track: G10_SCI_M, G10_ART_F …
pattern = "G{grade}_{track}_{sex}" # {track} is no column of enrolment, so tracks are summed
value = "enrolled"

[[wide.measures]]                  # repeaters of the same grade and sex join the same row
pattern = "REP_G{grade}_{sex}"
value = "repeaters"

[[wide.measures]]                  # special education: learners in no grade
pattern = "SPED_{sex}"
value = "enrolled"
set = { grade = "ungraded" }       # the same grade for every column of this family

# An empty cell gives no row (unknown is not zero); a 0 gives a row of 0.
# SCHOOL_NAME is used by no pattern: the build says so in one warning, and leaves it out.
'''


def write_template(out: Path, wide: bool = False) -> list[Path]:
    """Write headers-only tables, a commented country.toml and a boundaries folder; with
    ``wide``, the enrolment as a worked example of a wide census file and its mapping.toml
    instead of an empty enrolment.csv."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ValueError(f"{out} is not empty; choose a new folder for the template")
    (out / "boundaries").mkdir(parents=True, exist_ok=True)
    written = [out / "country.toml"]
    written[0].write_text(COUNTRY_TEMPLATE, encoding="utf-8")
    if wide:
        for name, text in ((WIDE_EXAMPLE_FILE, WIDE_EXAMPLE), ("mapping.toml", MAPPING_TEMPLATE)):
            (out / name).write_text(text, encoding="utf-8")
            written.append(out / name)
    for name, spec in tables_for(parse_country(COUNTRY_TEMPLATE)).items():
        if wide and name == "enrolment":
            continue
        path = out / f"{name}.csv"
        path.write_text(",".join(c.name for c in spec.columns) + "\n", encoding="utf-8")
        written.append(path)
    readme = out / "boundaries" / "README.txt"
    readme.write_text(BOUNDARIES_README, encoding="utf-8")
    written.append(readme)
    return written
