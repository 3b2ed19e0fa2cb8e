"""What is wrong in the census: reporting completeness, locations, implausible values.

Pure: no Streamlit, no SQL. The frames come from :mod:`lib.db` (``reporting_counts``,
``problems_named``, ``location_issues``, ``shared_points``); the checks themselves run at
build time (:mod:`lib.plausibility`), so this page shows exactly what the build found.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pandas as pd

from geo.classify import Classes, assign, class_counts, classify, sequential_colours

REPORTING_KIND = "non_reporting"
LOCATION_KINDS: tuple[str, ...] = ("no_coordinates", "coordinates_outside_country",
                                   "outside_district")
# Checks of schools (a package of area totals has none), then of the population.
SCHOOL_CONSISTENCY_KINDS: tuple[str, ...] = ("enrolment_jump", "ptr_implausible",
                                             "age_grade_mismatch")
# Then of the groups and the functioning of pupils (inclusive data), of the quality ratings
# against the census, then of the population.
CONSISTENCY_KINDS: tuple[str, ...] = SCHOOL_CONSISTENCY_KINDS + (
    "groups_mismatch", "groups_partial", "functioning_implausible", "quality_contradicts_census",
    "no_population", "population_ages")
CARDS_PER_ROW = 3  # metric cards side by side: their labels stay readable
# Completeness classes of the map: up to 90 %, 90–95, 95–99, 99 to under 100, all reported.
COMPLETENESS_BREAKS: tuple[float, ...] = (90.0, 95.0, 99.0, 99.999)
COMPLETENESS_CLASSES: tuple[str, ...] = ("under_90", "90_95", "95_99", "99_100", "all")

Namer = Callable[[str, str], str]  # (name_en, name_local) -> the name shown


def in_area(frame: pd.DataFrame, area: str, district: str = "district_code",
            province: str = "province_code",
            lines: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """The rows of ``frame`` in ``area`` (an admin code; "" keeps all): rows whose area of
    the finest level (``district``) or of level 1 (``province``) is ``area``, or, given
    ``lines`` (:func:`lib.areas.ancestors`), whose finest area lies in it (an area of a
    level between)."""
    if not area:
        return frame
    keep = (frame[district] == area) | (frame[province] == area)
    if lines is not None:
        keep |= frame[district].map(lambda code: area in lines.get(code, ())
                                    if isinstance(code, str) else False).astype(bool)
    return frame.loc[keep.fillna(False).to_numpy()]


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    whole = whole.astype("float64")
    return (part.astype("float64") / whole.where(whole > 0) * 100.0).astype("float64")


def completeness(counts: pd.DataFrame, year: int, area: str = "",
                 lines: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Reporting in ``year`` by district (of ``area``): district_code, province_code,
    open, reported, not_reported, completeness (% of open schools that reported; NaN for a
    district without open schools)."""
    rows = in_area(counts[counts["year"] == int(year)], area, lines=lines)
    out = rows[["district_code", "province_code", "open", "reported"]].copy()
    out["not_reported"] = out["open"] - out["reported"]
    out["completeness"] = _share(out["reported"], out["open"])
    return out.sort_values("district_code").reset_index(drop=True)


def completeness_by_year(counts: pd.DataFrame, area: str = "",
                         lines: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Completeness (%) by district (rows) and year (columns, as text): district_code,
    province_code, then one column per year."""
    rows = in_area(counts, area, lines=lines).copy()
    rows["completeness"] = _share(rows["reported"], rows["open"])
    wide = rows.pivot_table(index=["district_code", "province_code"], columns="year",
                            values="completeness", aggfunc="first", dropna=False)
    wide.columns = [str(int(c)) for c in wide.columns]
    return wide.reset_index().sort_values("district_code").reset_index(drop=True)


@dataclass(frozen=True)
class Totals:
    open: int
    reported: int

    @property
    def not_reported(self) -> int:
        return self.open - self.reported

    @property
    def completeness(self) -> float:
        return self.reported / self.open * 100.0 if self.open else float("nan")


def totals(by_district: pd.DataFrame) -> Totals:
    return Totals(int(by_district["open"].sum()), int(by_district["reported"].sum()))


@dataclass(frozen=True)
class CompletenessClasses:
    classes: Classes
    colours: tuple[str, ...]
    k: np.ndarray  # class of each district, -1 without open schools
    counts: tuple[int, ...]
    no_data: int


def completeness_classes(values: Sequence[float]) -> CompletenessClasses:
    """Fixed classes of completeness (:data:`COMPLETENESS_BREAKS`), the darkest colour for
    the least complete, so that districts to chase stand out."""
    array = np.asarray(values, dtype="float64")
    classes = classify(array, "custom", breaks=COMPLETENESS_BREAKS)
    k = assign(array, classes)
    counts, no_data = class_counts(k, classes.k)
    colours = tuple(sequential_colours(classes.k, higher_is_better=True))
    return CompletenessClasses(classes, colours, k, tuple(counts), no_data)


def problems_of(frame: pd.DataFrame, *, kinds: Iterable[str] = (), year: int | None = None,
                area: str = "", text: str = "",
                lines: Mapping[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """Warnings of ``kinds`` (all when empty), of ``year`` (any when None; warnings without
    a year are kept), in ``area``, whose message, school or area contains ``text``."""
    kinds = tuple(kinds)
    rows = frame
    if kinds:
        rows = rows[rows["kind"].isin(kinds)]
    if year is not None:
        rows = rows[rows["year"].isna() | (rows["year"] == int(year))]
    rows = in_area(rows, area, lines=lines)
    needle = text.strip().lower()
    if needle:
        hay = (rows["message"].fillna("") + " " + rows["school_id"].fillna("") + " "
               + rows["unit_code"].fillna("") + " " + rows["school_name_en"].fillna("") + " "
               + rows["school_name_local"].fillna("")).str.lower()
        rows = rows[hay.str.contains(needle, regex=False).to_numpy()]
    return rows.reset_index(drop=True)


def kind_counts(frame: pd.DataFrame, kinds: Iterable[str]) -> dict[str, int]:
    counted = frame["kind"].value_counts()
    return {kind: int(counted.get(kind, 0)) for kind in kinds}


EXAMPLES_PER_CHECK = 3  # a check that fires many times is one line: its count and these


def by_check(frame: pd.DataFrame, kind_name: Callable[[str], str],
             examples: int = EXAMPLES_PER_CHECK) -> pd.DataFrame:
    """One row per check, in the order the build ran them: check (its name), kind, n (how
    many warnings) and examples (the first ``examples`` messages, one per line)."""
    rows = []
    for kind, found in frame.groupby("kind", sort=False):
        messages = found["message"].astype(str).head(examples).tolist()
        more = len(found) - len(messages)
        rows.append({"check": kind_name(str(kind)), "kind": str(kind), "n": len(found),
                     "examples": "\n".join(messages) + (f"\n… (+{more:,})" if more > 0 else "")})
    return pd.DataFrame(rows, columns=["check", "kind", "n", "examples"])


def school_names(frame: pd.DataFrame, name: Namer, en: str = "name_en",
                 local: str = "name_local") -> list[str]:
    """The name of each row's school in the interface language ("" without a school)."""
    return [name(e, lo) if isinstance(e, str) else ""
            for e, lo in zip(frame[en], frame[local])]


def area_names(codes: Iterable[object], names: dict[str, str]) -> list[str]:
    return [names.get(str(c), str(c)) if isinstance(c, str) and c else "" for c in codes]


def school_links(ids: Iterable[object], prefix: str) -> list[str | None]:
    """A link to each school's profile (``prefix`` e.g. ``/schools?school=``)."""
    return [prefix + quote(str(i), safe="") if isinstance(i, str) and i else None
            for i in ids]


def area_links(codes: Iterable[object], prefix: str) -> list[str | None]:
    """A link to each area's profile (``prefix`` e.g. ``/?area=``)."""
    return [prefix + quote(str(c), safe="") if isinstance(c, str) and c else None
            for c in codes]



def warnings_table(frame: pd.DataFrame, kind_name: Callable[[str], str], name: Namer,
                   names: dict[str, str], school_prefix: str, area_prefix: str
                   ) -> pd.DataFrame:
    """Warnings as the page lists them: check (in words), year, school (name), school
    (link), area (name), area (link), message, file, row, column."""
    area_code = frame["district_code"].where(frame["district_code"].notna(),
                                             frame["unit_code"])
    return pd.DataFrame({
        "seq": frame["seq"].to_numpy(),
        "kind": [kind_name(k) for k in frame["kind"]],
        "year": frame["year"].to_numpy(),
        "school": school_names(frame, name, "school_name_en", "school_name_local"),
        "school_link": school_links(frame["school_id"], school_prefix),
        "area": area_names(area_code, names),
        "area_link": area_links(area_code, area_prefix),
        "message": frame["message"].to_numpy(),
        "file": frame["file"].to_numpy(),
        "row": frame["row"].to_numpy(),
        "column": frame["column"].to_numpy(),
    })


def schools_table(frame: pd.DataFrame, name: Namer, names: dict[str, str],
                  school_prefix: str) -> pd.DataFrame:
    """Schools of a location check as listed: school (name), school_link, district,
    province, latitude, longitude, and located_in (the district the point lies in) and
    point/n (schools sharing a point) when the frame has them."""
    out = pd.DataFrame({
        "school": school_names(frame, name),
        "school_link": school_links(frame["school_id"], school_prefix),
        "district": area_names(frame["district_code"], names),
        "province": area_names(frame["province_code"], names),
        "latitude": frame["latitude"].to_numpy(),
        "longitude": frame["longitude"].to_numpy(),
    })
    if "located_district" in frame:
        out["located_in"] = area_names(frame["located_district"], names)
    if "point" in frame:
        out.insert(0, "point", frame["point"].to_numpy())
        out.insert(1, "n", frame["n"].to_numpy())
    return out


def completeness_table(by_district: pd.DataFrame, names: dict[str, str],
                       area_prefix: str) -> pd.DataFrame:
    """Reporting by district as listed: district, district_link, province, open,
    reported, not_reported, completeness."""
    return pd.DataFrame({
        "district": area_names(by_district["district_code"], names),
        "district_link": area_links(by_district["district_code"], area_prefix),
        "province": area_names(by_district["province_code"], names),
        "open": by_district["open"].to_numpy(),
        "reported": by_district["reported"].to_numpy(),
        "not_reported": by_district["not_reported"].to_numpy(),
        "completeness": by_district["completeness"].round(1).to_numpy(),
    })
