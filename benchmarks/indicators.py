"""Time one indicator for all districts of one year (budget: 50 ms), warm, on an extract."""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

BUDGET_MS = 50.0
DEFAULT_INDICATORS = ("ger_primary", "ptr_primary", "repetition_g1", "survival_last_primary",
                      "facility_water_primary")


def time_indicator(con, indicator_id: str, year: int, level: str = "district",
                   by: str | None = None, repeats: int = 21) -> float:
    """Median seconds of ``repeats`` warm runs (one untimed run first fills the caches)."""
    from lib.indicators import compute

    compute(con, indicator_id, level, year, by=by)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        compute(con, indicator_id, level, year, by=by)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_indicators(db: Path | str, year: int | None = None,
                       indicators: tuple[str, ...] = DEFAULT_INDICATORS,
                       repeats: int = 21) -> list[tuple[str, str, str]]:
    """Rows (measure, value, budget) for the benchmark table: each indicator for all
    districts of ``year`` (default: the extract's second-to-last year, so flow rates have a
    next year), median of warm runs."""
    from lib.db import connect
    from lib.indicators import indicator_ids

    con = connect(Path(db))
    try:
        years = json.loads(con.execute("SELECT value FROM meta WHERE key = 'years'"
                                       ).fetchone()[0])
        if year is None:
            year = years[-2] if len(years) > 1 else years[-1]
        available = set(indicator_ids(con))
        rows = []
        for indicator_id in indicators:
            if indicator_id not in available:
                continue
            seconds = time_indicator(con, indicator_id, year, repeats=repeats)
            rows.append((f"{indicator_id}, all districts, {year} (median of {repeats})",
                         f"{seconds * 1000:.1f} ms", f"≤ {BUDGET_MS:.0f} ms"))
        return rows
    finally:
        con.close()


if __name__ == "__main__":
    import sys

    for name, value, budget in measure_indicators(sys.argv[1]):
        print(f"{name:60s} {value:>10s}  {budget}")
