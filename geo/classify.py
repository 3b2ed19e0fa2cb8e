"""Classes of a choropleth and their colours.

Classification is mapclassify's (quantiles, equal intervals, Fisher–Jenks natural breaks, or
breaks given by the user), 3 to 7 classes. A classification is a list of class upper bounds;
:func:`assign` then places any values in those classes, so a province drilled into keeps
the classes of the whole country and its colours mean what they meant there.

Colours are ColorBrewer palettes that ColorBrewer marks colour-blind safe. A sequential
palette runs in the indicator's direction: the *worse* end is the darkest, so the eye goes
first to where things are worse. A parity index gets a diverging palette centred on 1.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
from branca.utilities import color_brewer

with warnings.catch_warnings():  # "Numba not installed": the pure Python path is fine here
    warnings.simplefilter("ignore")
    import mapclassify

__all__ = [
    "DEFAULT_CLASSES", "DIVERGING", "MAX_CLASSES", "MIN_CLASSES", "NO_DATA_COLOUR", "PARITY_BREAKS",
    "PARITY_CENTRE", "SCHEMES", "SEQUENTIAL",
    "Classes", "assign", "classify", "class_counts", "diverging_colours", "parse_breaks",
    "qualitative_colours", "sequential_colours",
]

SCHEMES: tuple[str, ...] = ("quantiles", "equal_interval", "natural_breaks", "custom")
MIN_CLASSES, MAX_CLASSES = 3, 7
DEFAULT_CLASSES = 5

# ColorBrewer schemes marked colour-blind safe (colorbrewer2.org), first the default.
SEQUENTIAL: tuple[str, ...] = ("YlOrRd", "OrRd", "PuRd", "YlGnBu", "PuBu", "Purples", "Greys")
DIVERGING: tuple[str, ...] = ("PuOr", "BrBG", "RdBu", "PiYG")
QUALITATIVE = "Dark2"  # colour-blind safe with 3 classes
ORDERED_SCHOOLS = "PuBu"  # ordered school classes: unlike the areas' default palette

NO_DATA_COLOUR = "#d4d4d4"
PARITY_CENTRE = 1.0
PARITY_BREAKS: tuple[float, ...] = (0.90, 0.97, 1.03, 1.10)
"""Default classes of a parity index: 0.97–1.03 is parity (UIS), then mild and large gaps
either side."""

# Above this many values Fisher–Jenks (quadratic time in pure Python) works on a sample.
_JENKS_EXACT_MAX = 400


@dataclass(frozen=True)
class Classes:
    """Classes as upper bounds: class ``i`` holds values in (uppers[i-1], uppers[i]], the
    first class [lower, uppers[0]]. ``lower`` may be -inf and the last upper +inf (open
    classes of custom breaks)."""

    scheme: str
    lower: float
    uppers: tuple[float, ...]

    @property
    def k(self) -> int:
        return len(self.uppers)

    def bounds(self, i: int) -> tuple[float, float]:
        return (self.lower if i == 0 else self.uppers[i - 1]), self.uppers[i]


def _finite(values: Iterable[float]) -> np.ndarray:
    array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values,
                       dtype="float64")
    return array[np.isfinite(array)]


def parse_breaks(text: str) -> list[float]:
    """Break points typed by a user ("90, 100; 110" or "0.9 1.1"), sorted, without repeats.
    Raises ValueError naming the first piece that is not a number."""
    pieces = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    out = []
    for piece in pieces:
        try:
            number = float(piece)
        except ValueError:
            raise ValueError(piece.strip()) from None
        if not math.isfinite(number):
            raise ValueError(piece.strip())
        out.append(number)
    return sorted(set(out))


def classify(values: Iterable[float], scheme: str = "quantiles", k: int = DEFAULT_CLASSES,
             breaks: Sequence[float] = ()) -> Classes:
    """Classes for ``values`` (NaN ignored).

    ``scheme``: quantiles, equal_interval, natural_breaks or custom (``breaks`` are the
    inner break points, 2 to 6 of them, giving open first and last classes). ``k`` is
    clamped to MIN_CLASSES..MAX_CLASSES and lowered when there are fewer distinct values
    than classes. No values at all give no classes (k = 0).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; schemes are {', '.join(SCHEMES)}")
    y = _finite(values)
    if scheme == "custom":
        inner = sorted(set(float(b) for b in breaks if math.isfinite(float(b))))
        if not MIN_CLASSES - 1 <= len(inner) <= MAX_CLASSES - 1:
            raise ValueError(f"custom classes need {MIN_CLASSES - 1} to {MAX_CLASSES - 1} "
                             f"distinct break points, not {len(inner)}")
        # The first class is closed at the smallest value; empty, it reads "up to b0".
        lower = float(y.min()) if y.size and y.min() < inner[0] else -math.inf
        return Classes(scheme, lower, tuple(inner) + (math.inf,))
    if y.size == 0:
        return Classes(scheme, math.nan, ())
    k = max(MIN_CLASSES, min(MAX_CLASSES, int(k)))
    distinct = np.unique(y)
    if distinct.size <= k:
        # As many classes as distinct values (one or two values still make a legend).
        return Classes(scheme, float(distinct[0]), tuple(float(v) for v in distinct))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if scheme == "quantiles":
            bins = mapclassify.Quantiles(y, k=k).bins
        elif scheme == "equal_interval":
            bins = mapclassify.EqualInterval(y, k=k).bins
        elif y.size <= _JENKS_EXACT_MAX:
            bins = mapclassify.FisherJenks(y, k=k).bins
        else:
            bins = mapclassify.FisherJenksSampled(y, k=k, pct=_JENKS_EXACT_MAX / y.size,
                                                  truncate=False).bins
    uppers = sorted(set(float(b) for b in bins))
    uppers[-1] = max(uppers[-1], float(y.max()))
    return Classes(scheme, float(y.min()), tuple(uppers))


def assign(values: Iterable[float], classes: Classes) -> np.ndarray:
    """The class of each value (-1: no data). Values outside the classes go to the nearest
    end class, so areas drilled into always get a colour of the country's classes."""
    y = np.asarray(list(values) if not isinstance(values, np.ndarray) else values,
                   dtype="float64")
    out = np.full(y.shape, -1, dtype="int64")
    if classes.k == 0:
        return out
    finite = np.isfinite(y)
    index = np.searchsorted(np.asarray(classes.uppers), y[finite], side="left")
    out[finite] = np.clip(index, 0, classes.k - 1)
    return out


def class_counts(class_index: np.ndarray, k: int) -> tuple[list[int], int]:
    """Areas in each class, and areas with no data."""
    class_index = np.asarray(class_index)
    counts = np.bincount(class_index[class_index >= 0], minlength=k)[:k]
    return [int(c) for c in counts], int((class_index < 0).sum())


def _brewer(name: str, n: int) -> list[str]:
    if n < 3:  # ColorBrewer starts at 3 colours: take the ends of the 3-colour scheme
        three = color_brewer(name, 3)
        return [three[1]] if n == 1 else [three[0], three[2]]
    return [c.lower() for c in color_brewer(name, n)]


def sequential_colours(k: int, higher_is_better: bool | None,
                       palette: str = SEQUENTIAL[0]) -> list[str]:
    """One colour per class, classes in ascending order of value.

    The darkest colour goes to the worse end: the lowest class when higher is better, the
    highest when lower is better. Without a direction (counts) more is darker.
    """
    if palette not in SEQUENTIAL:
        raise ValueError(f"not a colour-blind-safe sequential palette: {palette!r}")
    if k <= 0:
        return []
    colours = _brewer(palette, k)  # light to dark
    return colours[::-1] if higher_is_better else colours


def diverging_colours(classes: Classes, centre: float = PARITY_CENTRE,
                      palette: str = DIVERGING[0], low_above: bool = False) -> list[str]:
    """One colour per class on a diverging palette centred on ``centre``.

    The class holding ``centre`` is the neutral middle colour; classes below take the
    palette's low side and classes above its high side (the other way round with
    ``low_above``), deeper the further they are from the centre (by rank, so neighbouring
    classes always differ).
    """
    if palette not in DIVERGING:
        raise ValueError(f"not a colour-blind-safe diverging palette: {palette!r}")
    below, neutral, above = [], [], []
    for i in range(classes.k):
        lo, hi = classes.bounds(i)
        holds = (lo <= centre if i == 0 else lo < centre) and centre <= hi
        (neutral if holds else below if hi < centre else above).append(i)
    side = max(len(below), len(above), 1)
    colours = _brewer(palette, 2 * side + 1)  # low side, middle, high side
    if low_above:
        colours = colours[::-1]
    out = [NO_DATA_COLOUR] * classes.k
    for rank, i in enumerate(reversed(below)):  # nearest the centre first
        out[i] = colours[side - 1 - rank]
    for rank, i in enumerate(above):
        out[i] = colours[side + 1 + rank]
    for i in neutral:
        out[i] = colours[side]
    return [c.lower() for c in out]


def qualitative_colours(n: int, ordered: bool = False) -> list[str]:
    """Colours for ``n`` categories of schools: ordered ones (a PTR class) light to dark
    on a sequential palette unlike the areas' default one; others from ColorBrewer's
    Dark2."""
    if n <= 0:
        return []
    if ordered:
        return _brewer(ORDERED_SCHOOLS, max(n, 3))[-n:]
    if n == 2:
        return ["#1b9e77", "#d95f02"]
    return [c.lower() for c in color_brewer(QUALITATIVE, max(n, 3))][:n]
