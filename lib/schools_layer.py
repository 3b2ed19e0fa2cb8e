"""Schools on the map: which attribute colours them, and the category of each school.

Pure: no Streamlit. :func:`categorise` takes the rows of :func:`lib.db.school_points` and
says, for one attribute, the category of each school that has a location, how many schools
fall in each category, and how many could not be placed (no usable coordinates: counted
under the map, never drawn anywhere).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.vocabulary import FACILITY_ITEMS, OWNERSHIPS

UNKNOWN = "unknown"
PTR_BREAKS: tuple[int, ...] = (25, 35, 45)
"""Pupils per teacher: under 25, 25 to under 35, 35 to under 45, 45 and more."""


# attribute -> its categories in legend order (UNKNOWN last, always present).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "ownership": (*OWNERSHIPS, UNKNOWN),
    "complete": ("complete", "incomplete", UNKNOWN),
    "ptr": ("under_25", "25_35", "35_45", "45_plus", UNKNOWN),
    **{item: ("yes", "no", UNKNOWN) for item in FACILITY_ITEMS},
}
# attribute -> the package data it shows: (table, column; None: the table itself)
SOURCES: dict[str, tuple[str, str | None]] = {
    "ownership": ("schools", "ownership"), "complete": ("schools", "complete"),
    "ptr": ("teachers", None), **{item: ("facilities", None) for item in FACILITY_ITEMS},
}
ORDERED = frozenset({"ptr"})  # categories with an order (colours light to dark)
DEFAULT_ATTRIBUTE = "ownership"
MAX_POINTS = 20_000
"""Schools a map sends one by one. Beyond, it sends the cells of a grid, each with its
schools' count by category (a national map of a million schools would otherwise send 80 MB
and stall the browser); choosing a smaller area shows each school."""
GRID = 64  # cells across the wider side of the schools' extent


@dataclass(frozen=True)
class SchoolCategories:
    """The schools that can be placed, with the category of each for one attribute."""

    attribute: str
    categories: tuple[str, ...]
    points: pd.DataFrame  # the placed schools' rows, with ``category`` (index) and ``ptr``
    counts: tuple[int, ...]  # placed schools per category
    without_location: int  # schools that cannot be placed

    @property
    def ordered(self) -> bool:
        return self.attribute in ORDERED


def ptr(pupils: pd.Series, teachers: pd.Series) -> pd.Series:
    """Pupils per teacher; NaN without teachers or without reported pupils."""
    teachers = pd.to_numeric(teachers, errors="coerce").astype("float64")
    pupils = pd.to_numeric(pupils, errors="coerce").astype("float64")
    return (pupils / teachers.where(teachers > 0)).astype("float64")


def _category_names(frame: pd.DataFrame, attribute: str) -> np.ndarray:
    if attribute == "ownership":
        values = frame["ownership"].astype("object")
        known = set(ATTRIBUTES["ownership"]) - {UNKNOWN}
        return np.array([v if v in known else UNKNOWN for v in values], dtype=object)
    if attribute == "complete":
        flag = frame["complete"].astype("boolean")
        return np.where(flag.isna(), UNKNOWN,
                        np.where(flag.fillna(False), "complete", "incomplete")).astype(object)
    if attribute == "ptr":
        ratio = frame["ptr"].to_numpy(dtype="float64")
        names = np.array(ATTRIBUTES["ptr"][:-1], dtype=object)
        index = np.searchsorted(np.asarray(PTR_BREAKS, dtype="float64"), ratio, side="right")
        out = names[np.clip(index, 0, len(names) - 1)]
        out[~np.isfinite(ratio)] = UNKNOWN
        return out
    flag = frame[attribute].astype("boolean")
    return np.where(flag.isna(), UNKNOWN,
                    np.where(flag.fillna(False), "yes", "no")).astype(object)


def categorise(rows: pd.DataFrame, attribute: str = DEFAULT_ATTRIBUTE) -> SchoolCategories:
    """The schools of ``rows`` that have a location, each with its category of
    ``attribute`` (one of :data:`ATTRIBUTES`)."""
    if attribute not in ATTRIBUTES:
        raise ValueError(f"unknown school attribute {attribute!r}; attributes are "
                         f"{', '.join(ATTRIBUTES)}")
    categories = ATTRIBUTES[attribute]
    located = (rows["has_location"].astype("boolean").fillna(False)
               & rows["latitude"].notna() & rows["longitude"].notna())
    placed = rows.loc[located.to_numpy()].copy()
    placed["ptr"] = ptr(placed["pupils"], placed["teachers"])
    names = _category_names(placed, attribute)
    placed["category"] = pd.Index(categories).get_indexer(names).astype("int64")
    counts = np.bincount(placed["category"].to_numpy(), minlength=len(categories))
    return SchoolCategories(attribute, categories, placed.reset_index(drop=True),
                            tuple(int(c) for c in counts), int((~located).sum()))


@dataclass(frozen=True)
class Cells:
    """Placed schools counted in the cells of a square grid: for each cell that holds
    some, the mean position of its schools and how many fall in each category."""

    latitude: np.ndarray
    longitude: np.ndarray
    counts: np.ndarray  # one row per cell, one column per category
    size: float  # the side of a cell, in degrees

    @property
    def schools(self) -> int:
        return int(self.counts.sum())


def cells(placed: SchoolCategories, across: int = GRID) -> Cells:
    """The schools of ``placed`` in a grid of ``across`` cells along the wider side of
    their extent (cells without a school are left out)."""
    latitude = placed.points["latitude"].to_numpy(dtype="float64")
    longitude = placed.points["longitude"].to_numpy(dtype="float64")
    category = placed.points["category"].to_numpy(dtype="int64")
    n_categories = len(placed.categories)
    if not len(latitude):
        return Cells(np.array([]), np.array([]), np.zeros((0, n_categories), "int64"), 0.0)
    south, west = latitude.min(), longitude.min()
    span = max(latitude.max() - south, longitude.max() - west)
    size = span / across if span > 0 else 1.0
    row = np.floor((latitude - south) / size).astype("int64")
    column = np.floor((longitude - west) / size).astype("int64")
    keys, cell = np.unique(row * (across + 1) + column, return_inverse=True)
    counts = np.zeros((len(keys), n_categories), dtype="int64")
    np.add.at(counts, (cell, category), 1)
    total = counts.sum(axis=1)
    return Cells(np.bincount(cell, weights=latitude, minlength=len(keys)) / total,
                 np.bincount(cell, weights=longitude, minlength=len(keys)) / total,
                 counts, float(size))
