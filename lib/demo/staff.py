"""Teachers of the demo: counts per school, level, sex, qualification and training.

Teachers follow the pupils of each level with a school-specific pupil-teacher ratio (smaller
in remote schools), so every reporting school-year keeps its PTR between 3 and 45: the
build's "implausible PTR" rule only fires on the planted rows.
"""
from __future__ import annotations

import numpy as np

from lib.demo.rates import trend

# Typical pupils per teacher (lao_facts.md 5.2: primary 22.3, lower secondary 17.3,
# pre-primary 18.2 in 2018).
PTR_BASE = {"pre_primary": 18.0, "primary": 23.0, "lower_secondary": 18.0, "upper_secondary": 18.0}
MIN_PTR = 3.2
MAX_PTR = 45.0
FEMALE_BASE = {"pre_primary": 0.95, "primary": 0.58, "lower_secondary": 0.52,
               "upper_secondary": 0.47}
QUALIFIED_BASE = {"pre_primary": 0.88, "primary": 0.97, "lower_secondary": 0.95,
                  "upper_secondary": 0.96}


def teacher_counts(level: str, pupils: np.ndarray, latent: np.ndarray, rho: np.ndarray,
                   urban: np.ndarray, year: int) -> np.ndarray:
    """Teachers of one level for each school (at least one; PTR between 3.2 and 45)."""
    ptr = (PTR_BASE[level] * np.exp(latent) * (1.0 - 0.25 * rho) * np.where(urban, 1.1, 1.0)
           * (1.0 - 0.05 * trend(year)))
    ptr = np.clip(ptr, 8.0, 38.0)
    t = np.maximum(np.rint(pupils / ptr), np.ceil(pupils / MAX_PTR))
    t = np.minimum(t, np.floor(pupils / MIN_PTR))
    return np.maximum(t, 1).astype(np.int64)


def teacher_rows(level: str, schools: np.ndarray, counts: np.ndarray, rho: np.ndarray,
                 prio: np.ndarray, urban: np.ndarray, year: int,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Split each school's teachers by sex, qualified and trained: rows with count > 0."""
    tau = trend(year)
    p_female = np.clip(FEMALE_BASE[level] - 0.25 * rho + 0.12 * urban, 0.05, 0.98)
    p_qualified = np.clip(QUALIFIED_BASE[level] - 0.06 * rho - 0.1 * prio + 0.04 * tau,
                          0.4, 0.995)
    female = rng.binomial(counts, p_female)
    by_sex = np.stack([female, counts - female], axis=1)                        # (n, 2)
    qualified = rng.binomial(by_sex, p_qualified[:, None])
    unqualified = by_sex - qualified
    q_trained = rng.binomial(qualified, 0.98)
    u_trained = rng.binomial(unqualified, 0.45)
    # cells (n, sex, qualified, trained)
    cells = np.zeros((len(counts), 2, 2, 2), dtype=np.int64)
    cells[:, :, 1, 1] = q_trained
    cells[:, :, 1, 0] = qualified - q_trained
    cells[:, :, 0, 1] = u_trained
    cells[:, :, 0, 0] = unqualified - u_trained
    s, x, q, t = np.nonzero(cells)
    return {"school": schools[s], "sex": x, "qualified": q, "trained": t,
            "count": cells[s, x, q, t]}
