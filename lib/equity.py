"""Equity: parity between groups and inequality between areas (contract §3, methodology §4–5).

Parity uses the UIS adjusted parity index: the first group's value over the second's, and
when that exceeds 1, 2 minus the inverse ratio, so that the index is symmetric around 1 and
bounded by 0 and 2 (girls at half the boys' rate give 0.5, boys at half the girls' 1.5).

Inequality between areas weights each area (contract §3): population for population-based
rates, enrolment for flow rates and shares of pupils, pupils for pupil–teacher and
pupil–classroom ratios, schools for shares of schools. With weights ``w_i``, values ``x_i``,
``W = Σ w_i`` and ``μ = Σ w_i x_i / W``:

- CV = sqrt(Σ w_i (x_i − μ)² / W) / μ
- Gini = Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ)
- Theil T = Σ (w_i / W)(x_i / μ) ln(x_i / μ), a zero value contributing zero; negative values
  are refused. Between groups g (provinces) and within them:
  T = Σ_g s_g T_g + Σ_g s_g ln(μ_g / μ), with s_g = W_g μ_g / (W μ).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

MEASURES = ("min", "max", "max_min_ratio", "cv", "gini", "theil_t")
DECOMPOSITION = ("theil_between", "theil_within")


# --------------------------------------------------------------------------- parity


def adjusted_parity(x_disadv: float, x_adv: float) -> float:
    """UIS adjusted parity index of the first group over the second.

    ``x_disadv / x_adv`` when that is at most 1, else ``2 − x_adv / x_disadv``. NaN when a
    value is missing or negative, or when both are zero (no parity can be read).
    """
    return float(adjusted_parity_array(np.array([x_disadv], dtype=float),
                                       np.array([x_adv], dtype=float))[0])


def adjusted_parity_array(x_disadv: np.ndarray | Sequence[float],
                          x_adv: np.ndarray | Sequence[float]) -> np.ndarray:
    """:func:`adjusted_parity` element by element."""
    a = np.asarray(x_disadv, dtype=float)
    b = np.asarray(x_adv, dtype=float)
    out = np.full(np.broadcast(a, b).shape, np.nan)
    valid = np.isfinite(a) & np.isfinite(b) & (a >= 0) & (b >= 0) & ((a > 0) | (b > 0))
    low = valid & (a <= b)  # b > 0 here
    high = valid & (a > b)  # a > 0 here
    with np.errstate(divide="ignore", invalid="ignore"):
        out[low] = a[low] / b[low]
        out[high] = 2.0 - b[high] / a[high]
    return out


# --------------------------------------------------------------------------- inequality


def _arrays(values: Sequence[float], weights: Sequence[float] | None
            ) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    if np.any(~np.isfinite(x)) or np.any(~np.isfinite(w)):
        raise ValueError("values and weights must be finite numbers (drop missing areas)")
    if np.any(w < 0):
        raise ValueError("weights cannot be negative")
    return x, w


def weighted_mean(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    x, w = _arrays(values, weights)
    total = w.sum()
    return float((w * x).sum() / total) if total > 0 else math.nan


def coefficient_of_variation(values: Sequence[float],
                             weights: Sequence[float] | None = None) -> float:
    """sqrt(Σ w (x − μ)² / W) / μ; NaN when the mean is not positive."""
    x, w = _arrays(values, weights)
    mu = weighted_mean(x, w)
    if not mu > 0:
        return math.nan
    return float(math.sqrt((w * (x - mu) ** 2).sum() / w.sum()) / mu)


def _mean_of_non_negative(x: np.ndarray, w: np.ndarray, measure: str) -> float:
    """The weighted mean; ValueError naming ``measure`` when a value is negative."""
    if np.any(x < 0):
        raise ValueError(f"{measure} is not defined for negative values "
                         f"({int((x < 0).sum())} of {len(x)} are negative)")
    return weighted_mean(x, w)


def gini(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Weighted Gini, Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ); NaN when the mean is not
    positive. Negative values are refused (ValueError): the Gini would leave 0–1."""
    x, w = _arrays(values, weights)
    mu = _mean_of_non_negative(x, w, "the Gini coefficient")
    if not mu > 0:
        return math.nan
    W = w.sum()
    spread = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
    return float(spread / (2.0 * W * W * mu))


def theil_t(values: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Theil T, Σ (w_i/W)(x_i/μ) ln(x_i/μ): zero values contribute zero; negative values
    are refused (ValueError); NaN when every value is zero."""
    x, w = _arrays(values, weights)
    mu = _mean_of_non_negative(x, w, "Theil T")
    if not mu > 0:
        return math.nan
    share = x / mu
    terms = np.zeros_like(x)
    pos = x > 0
    terms[pos] = share[pos] * np.log(share[pos])
    return float((w * terms).sum() / w.sum())


@dataclass(frozen=True)
class TheilDecomposition:
    total: float
    between: float
    within: float


def theil_decomposition(values: Sequence[float], weights: Sequence[float] | None,
                        groups: Sequence[object]) -> TheilDecomposition:
    """Theil T split into between-group and within-group parts (total = between + within).

    With group mean μ_g, weight W_g and outcome share s_g = W_g μ_g / (W μ):
    between = Σ_g s_g ln(μ_g / μ), within = Σ_g s_g T_g.
    """
    x, w = _arrays(values, weights)
    total = theil_t(x, w)
    labels = np.asarray(list(groups), dtype=object)
    if labels.shape != x.shape:
        raise ValueError("values and groups must have the same length")
    mu, W = weighted_mean(x, w), w.sum()
    if not mu > 0:
        return TheilDecomposition(math.nan, math.nan, math.nan)
    between = within = 0.0
    for label in dict.fromkeys(labels.tolist()):
        mask = labels == label
        wg, xg = w[mask], x[mask]
        Wg = wg.sum()
        if Wg <= 0:
            continue
        mug = float((wg * xg).sum() / Wg)
        if mug <= 0:
            continue  # its outcome share is zero
        s = Wg * mug / (W * mu)
        between += s * math.log(mug / mu)
        within += s * theil_t(xg, wg)
    return TheilDecomposition(total, between, within)


@dataclass(frozen=True)
class Inequality:
    """Inequality between units; NaN where a measure cannot be read."""

    n: int
    min: float
    max: float
    max_min_ratio: float
    cv: float
    gini: float
    theil_t: float
    theil_between: float | None = None  # only with groups
    theil_within: float | None = None
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, float]:
        out = {m: getattr(self, m) for m in MEASURES}
        if self.theil_between is not None:
            out["theil_between"] = self.theil_between
            out["theil_within"] = self.theil_within  # type: ignore[assignment]
        return out


def inequality(values: Sequence[float], weights: Sequence[float] | None = None,
               groups: Sequence[object] | None = None) -> Inequality:
    """min, max, max/min, CV, Gini and Theil T of weighted values, and the Theil
    decomposition when ``groups`` are given. Negative values leave Gini and Theil empty
    (NaN) with a note; max/min is NaN when the minimum is not positive."""
    x, w = _arrays(values, weights)
    notes: list[str] = []
    if len(x) == 0:
        nan = math.nan
        return Inequality(0, nan, nan, nan, nan, nan, nan,
                          nan if groups is not None else None,
                          nan if groups is not None else None, ("no area has a value",))
    lo, hi = float(x.min()), float(x.max())
    ratio = hi / lo if lo > 0 else math.nan
    if not lo > 0:
        notes.append("max/min is not defined when the minimum is zero or negative")
    between = within = None
    try:
        if groups is not None:
            parts = theil_decomposition(x, w, groups)
            theil, between, within = parts.total, parts.between, parts.within
        else:
            theil = theil_t(x, w)
    except ValueError as exc:
        notes.append(f"Theil T refused: {exc}")
        theil = math.nan
        if groups is not None:
            between = within = math.nan
    try:
        gini_value = gini(x, w)
    except ValueError as exc:
        notes.append(f"Gini refused: {exc}")
        gini_value = math.nan
    return Inequality(len(x), lo, hi, ratio, coefficient_of_variation(x, w), gini_value,
                      theil, between, within, tuple(notes))


# --------------------------------------------------------------------------- extract


@dataclass(frozen=True)
class Disparity:
    """Inequality of one indicator between the areas of one level, in one year."""

    indicator: str
    level: str
    year: int
    inequality: Inequality
    areas: int  # areas with a value and a positive weight, those measured
    left_out: tuple[str, ...]  # areas without a value (or weight), by code

    @property
    def notes(self) -> tuple[str, ...]:
        extra = ()
        if self.left_out:
            extra = (f"{len(self.left_out)} area(s) without a value left out: "
                     f"{', '.join(self.left_out)}",)
        return self.inequality.notes + extra

    def frame(self) -> pd.DataFrame:
        """``measure,value`` rows in the contract's order."""
        items = self.inequality.as_dict()
        return pd.DataFrame({"measure": list(items), "value": [float(v) for v in items.values()]})
