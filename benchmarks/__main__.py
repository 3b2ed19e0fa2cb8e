"""Run the benchmarks and print one table: `python -m benchmarks [--scale F] [--years A-B]`."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from benchmarks import print_table
from benchmarks.boundary_matching import measure_boundary_matching
from benchmarks.build import measure_build
from benchmarks.indicators import measure_indicators
from benchmarks.map import measure_map
from benchmarks.reruns import measure_reruns


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", default="2015-2024")
    parser.add_argument("--boundaries", default=None,
                        help="real boundary folder (default: ../shared/geo when present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emis-bench-") as work:
        rows = measure_build(args.scale, args.years, args.boundaries, Path(work))
        rows += measure_indicators(Path(work) / "emis.duckdb")
        rows += measure_reruns(Path(work) / "emis.duckdb")
        rows += measure_map(Path(work) / "emis.duckdb")
    rows += measure_boundary_matching()
    print_table(rows)


if __name__ == "__main__":
    main()
