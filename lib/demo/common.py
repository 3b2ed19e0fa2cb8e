"""Small numeric helpers shared by the demo generator: seeded streams, rounding, group sums."""
from __future__ import annotations

import zlib

import numpy as np

def stream(seed: int, topic: str, *keys: int) -> np.random.Generator:
    """A generator determined by the seed, a topic name and optional integer keys.

    One independent stream per topic, so adding draws to one topic never shifts another.
    """
    tag = zlib.crc32(topic.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, tag,
                                                         *map(int, keys)]))


def stochastic_round(values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Round non-negative reals to integers, up with probability equal to the fraction.

    Unbiased: the expected total is kept, and a sum of many cells is close to the exact sum.
    """
    values = np.maximum(np.asarray(values, dtype=np.float64), 0.0)
    floor = np.floor(values)
    up = rng.random(values.shape) < (values - floor)
    return (floor + up).astype(np.int64)


def largest_remainder(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split an integer total in proportion to weights, each part at least ``minimum``.

    Deterministic (Hamilton's method; ties broken by position).
    """
    weights = np.asarray(weights, dtype=np.float64)
    n = len(weights)
    base = np.full(n, minimum, dtype=np.int64)
    rest = int(total) - int(base.sum())
    if rest <= 0 or weights.sum() <= 0:
        return base
    quota = weights / weights.sum() * rest
    parts = np.floor(quota).astype(np.int64)
    left = rest - int(parts.sum())
    if left > 0:
        order = np.lexsort((np.arange(n), -(quota - parts)))
        parts[order[:left]] += 1
    return base + parts


def group_sum(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum rows of ``values`` (n, ...) by an integer group id (n,), giving (n_groups, ...)."""
    values = np.asarray(values)
    tail = values.shape[1:]
    k = int(np.prod(tail)) if tail else 1
    flat = values.reshape(len(values), k).astype(np.float64, copy=False)
    index = (np.asarray(groups, dtype=np.int64)[:, None] * k + np.arange(k)[None, :]).ravel()
    out = np.bincount(index, weights=flat.ravel(), minlength=n_groups * k)
    return out.reshape((n_groups, *tail))
