"""Time reading and matching 2,000 polygons in 20 boundary files (budget: 30 s).

    .venv/bin/python -m benchmarks.boundary_matching [--regions 20] [--per-region 99]

Writes a hand-made country in a temporary folder: ``regions`` regions (one file of region
outlines) and, in each region, ``per-region`` municipalities as irregular polygons with many
vertices (one file per region, as ministries often deliver them), named in another spelling
than the admin units ("City of X" for "X City", accents), without codes, in a projected
coordinate system, with the outlines slightly shifted from the regions' (separately
generalised). Then times :func:`geo.boundaries.load_boundaries` in this process and checks
that every polygon landed on its own unit.
"""
from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

BUDGET_SECONDS = 30.0
VERTICES = 120  # per municipality outline: real files carry detail


def _wobbly_box(x0: float, y0: float, x1: float, y1: float, rng: np.random.Generator):
    """A cell's outline with VERTICES points, its edges wobbling a little."""
    t = np.linspace(0, 1, VERTICES // 4, endpoint=False)
    sides = [np.c_[x0 + (x1 - x0) * t, np.full_like(t, y0)],
             np.c_[np.full_like(t, x1), y0 + (y1 - y0) * t],
             np.c_[x1 - (x1 - x0) * t, np.full_like(t, y1)],
             np.c_[np.full_like(t, x0), y1 - (y1 - y0) * t]]
    ring = np.vstack(sides)
    ring += rng.normal(0, (x1 - x0) * 0.004, ring.shape)
    return shapely.make_valid(shapely.Polygon(ring))


def write_country(folder: Path, regions: int, per_region: int, seed: int = 7) -> pd.DataFrame:
    """The boundary files in ``folder``; returns the admin units."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    cols = math.ceil(math.sqrt(per_region))
    units, region_rows = [], []
    for r in range(regions):
        rx, ry = (r % 5) * 2.0, (r // 5) * 2.0
        code = f"{r + 1:02d}"
        units.append((code, 1, "", f"Region {chr(65 + r % 26)}{r}", ""))
        region_rows.append((f"Region {chr(65 + r % 26)}{r}",
                            shapely.box(rx, ry, rx + 2.0, ry + 2.0)))
        names, geoms = [], []
        size = 2.0 / cols
        for m in range(per_region):
            cx, cy = m % cols, m // cols
            x0, y0 = rx + cx * size + 0.003, ry + cy * size + 0.003  # shifted outlines
            place = f"Sanmartín{r}x{m}"
            units.append((f"{code}{m + 1:03d}", 2, code, f"{place} City", ""))
            names.append(f"City of {place}")
            geoms.append(_wobbly_box(x0, y0, x0 + size, y0 + size, rng))
        frame = gpd.GeoDataFrame({"NAME_2": names, "Shape_Area": shapely.area(geoms)},
                                 geometry=geoms, crs="EPSG:4326").to_crs(3857)
        frame.to_file(folder / f"municipalities_{code}.geojson")
    pd_regions = gpd.GeoDataFrame({"NAME_1": [n for n, _ in region_rows]},
                                  geometry=[g for _, g in region_rows], crs="EPSG:4326")
    pd_regions.to_file(folder / "regions.gpkg", driver="GPKG")
    return pd.DataFrame(units, columns=["code", "level", "parent_code", "name_en", "name_local"])


@dataclass(frozen=True)
class Timing:
    polygons: int
    files: int
    seconds: float
    matched: int
    misplaced: int
    errors: int
    warnings: int

    @property
    def ok(self) -> bool:
        return self.seconds <= BUDGET_SECONDS and not self.misplaced and not self.errors


def time_matching(regions: int = 20, per_region: int = 99) -> Timing:
    """Write the country, then read and match its boundary files once, timed."""
    from geo.boundaries import load_boundaries

    with tempfile.TemporaryDirectory(prefix="emis-boundaries-") as tmp:
        folder = Path(tmp) / "boundaries"
        units = write_country(folder, regions, per_region)
        started = time.perf_counter()
        match = load_boundaries(folder, units)
        seconds = time.perf_counter() - started
    level2 = match.units[match.units["level"] == 2]
    expected = {f"City of Sanmartín{int(c[:2]) - 1}x{int(c[2:]) - 1}" for c in level2["code"]}
    errors = sum(p.severity == "error" for p in match.problems)
    return Timing(regions * (1 + per_region), regions + 1, seconds, len(match.units),
                  len(set(level2["source_name"]) ^ expected), errors,
                  len(match.problems) - errors)


def measure_boundary_matching() -> list[tuple[str, str, str]]:
    """The row of ``make bench``."""
    timing = time_matching()
    return [(f"boundaries: {timing.polygons:,} polygons in {timing.files} files",
             f"{timing.seconds:.1f} s", f"<= {BUDGET_SECONDS:.0f} s, "
             f"{timing.misplaced} misplaced")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--per-region", type=int, default=99)
    args = parser.parse_args(argv)
    timing = time_matching(args.regions, args.per_region)
    print(f"boundary matching: {timing.polygons:,} polygons in {timing.files} files read and "
          f"matched in {timing.seconds:.1f} s (budget {BUDGET_SECONDS:.0f} s); "
          f"{timing.matched:,} areas matched, {timing.misplaced} misplaced, {timing.errors} "
          f"errors, {timing.warnings} warnings")
    return 0 if timing.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
