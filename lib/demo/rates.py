"""Calibrated flow rates of the demo (lao_facts.md section 7), as functions of remoteness.

``rho`` is a school's remoteness (0 = city centre, 1 = remote upland), ``prio`` its district's
priority flag (0/1), ``year`` the school year the rates apply from (t -> t+1). Sex index 0 is
girls, 1 boys. Everything improves steadily over the years.
"""
from __future__ import annotations

import numpy as np

BASE_YEAR = 2015

# Age offsets tracked by the flow model, relative to the official age of the grade: one year
# under-age up to four years over-age.
OFFSETS = np.arange(-1, 5)
N_OFFSETS = len(OFFSETS)
ENTRY_OFFSETS = 5            # grade 1 entrants are aged 5..9 (offsets -1..3)

# Grade 1 entry age profile (ages 5, 6, 7, 8, 9): near the city most children start at 6;
# in remote uplands many start at 7 or later.
ENTRY_NEAR = np.array([0.06, 0.78, 0.13, 0.02, 0.01])
ENTRY_REMOTE = np.array([0.02, 0.55, 0.30, 0.09, 0.04])


def trend(year: int | np.ndarray) -> np.ndarray:
    """Years since 2015 in decades, bounded for long burn-ins and far projections."""
    return np.clip((np.asarray(year, dtype=np.float64) - BASE_YEAR) / 10.0, -1.5, 1.5)


def _sexes(girls: np.ndarray, boys: np.ndarray) -> np.ndarray:
    return np.stack([girls, boys], axis=-1)


def primary_rates(rho, prio, year, n_grades: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Repetition and dropout (n, grades, 2). Dropout of the last grade is 1 - r - transition."""
    rho = np.asarray(rho, dtype=np.float64)[:, None]
    prio = np.asarray(prio, dtype=np.float64)[:, None]
    tau = trend(year)
    g = np.arange(n_grades)[None, :]
    first = g == 0
    r = np.where(first, 0.085 + 0.10 * rho + 0.03 * prio - 0.035 * tau,
                 0.026 + 0.04 * rho + 0.005 * prio - 0.01 * tau)
    r = np.clip(r, 0.01, 0.3)
    d = np.where(first, 0.03 + 0.07 * rho + 0.015 * prio - 0.025 * tau,
                 0.016 + 0.05 * rho + 0.01 * prio - 0.01 * tau)
    d = np.clip(d, 0.002, 0.4)
    transition = np.clip(0.975 - 0.15 * rho - 0.04 * prio + 0.02 * tau, 0.5, 0.99)
    last = g == n_grades - 1
    d_last_boys = np.clip(1.0 - r - transition, 0.0, 1.0)
    d_last_girls = np.clip(1.0 - r - (transition - 0.05 * rho - 0.02 * prio), 0.0, 1.0)
    d_boys = np.where(last, d_last_boys, d)
    d_girls = np.where(last, d_last_girls, d + 0.01 * rho * first)
    return _sexes(r, r), _sexes(d_girls, d_boys)


def lower_secondary_rates(rho, prio, year, n_grades: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rho = np.asarray(rho, dtype=np.float64)[:, None]
    prio = np.asarray(prio, dtype=np.float64)[:, None]
    tau = trend(year)
    g = np.arange(n_grades)[None, :]
    r = np.clip(0.018 + 0.025 * rho - 0.005 * tau + 0.0 * g, 0.005, 0.15)
    d = np.clip(0.03 + 0.06 * rho + 0.01 * prio - 0.008 * tau + 0.0 * g, 0.005, 0.4)
    transition = np.clip(0.83 - 0.2 * rho - 0.03 * prio + 0.02 * tau, 0.3, 0.97)
    last = g == n_grades - 1
    d_boys = np.where(last, np.clip(1.0 - r - transition, 0.0, 1.0), d)
    d_girls = np.where(last, np.clip(1.0 - r - (transition - 0.09 * rho - 0.03 * prio), 0.0, 1.0),
                       np.clip(d + 0.03 * rho + 0.01 * prio, 0.0, 0.5))
    return _sexes(r, r), _sexes(d_girls, d_boys)


def upper_secondary_rates(rho, prio, year, n_grades: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rho = np.asarray(rho, dtype=np.float64)[:, None]
    prio = np.asarray(prio, dtype=np.float64)[:, None]
    tau = trend(year)
    g = np.arange(n_grades)[None, :]
    r = np.clip(0.01 + 0.015 * rho + 0.0 * g, 0.002, 0.1)
    d = np.clip(0.03 + 0.05 * rho - 0.01 * tau + 0.0 * g, 0.005, 0.4)
    graduate = np.clip(0.93 - 0.1 * rho + 0.0 * g, 0.5, 0.99)
    last = g == n_grades - 1
    d = np.where(last, np.clip(1.0 - r - graduate, 0.0, 1.0), d)
    d_girls = np.clip(d + 0.025 * rho * ~last, 0.0, 0.5)
    return _sexes(r, r), _sexes(d_girls, d)


LEVEL_RATES = {
    "primary": primary_rates,
    "lower_secondary": lower_secondary_rates,
    "upper_secondary": upper_secondary_rates,
}


def ever_entry(rho, prio, year) -> np.ndarray:
    """Share of a birth cohort that ever enters grade 1, by district (n, 2 sexes)."""
    rho = np.asarray(rho, dtype=np.float64)
    prio = np.asarray(prio, dtype=np.float64)
    tau = trend(year)
    boys = np.clip(0.995 - 0.02 * rho - 0.01 * prio + 0.02 * tau, 0.6, 0.995)
    girls = np.clip(boys - 0.015 * rho - 0.01 * prio, 0.6, 0.995)
    return np.stack([girls, boys], axis=-1)


def entry_profile(rho, year) -> np.ndarray:
    """Share of entrants at ages 5..9 (n, 5); shifts towards entry at 6 over the years."""
    rho = np.clip(np.asarray(rho, dtype=np.float64) - 0.15 * trend(year), 0.0, 1.0)[:, None]
    return (1.0 - rho) * ENTRY_NEAR[None, :] + rho * ENTRY_REMOTE[None, :]


PRE_PRIMARY_AGES = np.array([3, 4, 5, 6])


def pre_primary_participation(rho, year) -> np.ndarray:
    """Share of children of ages 3..6 in pre-primary (n, 4): strongly urban-skewed, rising."""
    rho = np.asarray(rho, dtype=np.float64)[:, None]
    at5 = np.clip(0.86 - 0.62 * rho + 0.1 * trend(year), 0.08, 0.93)
    return at5 * np.array([0.3, 0.55, 0.78, 0.03])[None, :]
