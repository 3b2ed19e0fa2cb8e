"""Time the demo generator and the build, in fresh processes, and measure the extract."""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_GEO = REPO.parent / "shared" / "geo"


def _timed(args: list[str]) -> tuple[float, float]:
    """Run a command; return (seconds, peak resident memory of the child in GB)."""
    started = time.perf_counter()
    subprocess.run(args, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kb / 1e6


def measure_build(scale: float, years: str, boundaries: str | None,
                  work: Path) -> list[tuple[str, str, str]]:
    """Generate and build a demo in ``work`` (the extract stays there as emis.duckdb)."""
    boundaries = boundaries or (str(SHARED_GEO) if SHARED_GEO.is_dir() else None)
    package, db = work / "package", work / "emis.duckdb"
    demo = [sys.executable, "-m", "lib", "demo", "--out", str(package), "--scale",
            str(scale), "--years", years] + (["--boundaries", boundaries] if boundaries else [])
    demo_s, demo_gb = _timed(demo)
    build_s, build_gb = _timed([sys.executable, "-m", "lib", "build", "--source",
                                str(package), "--db", str(db)])
    size_mb = db.stat().st_size / 1e6
    package_mb = sum(p.stat().st_size for p in package.rglob("*") if p.is_file()) / 1e6
    label = f"scale {scale:g}, {years}"
    return [
        (f"demo generation ({label})", f"{demo_s:.1f} s", ""),
        (f"build ({label})", f"{build_s:.1f} s", "≤ 15 min at scale 120"),
        ("demo + build", f"{demo_s + build_s:.1f} s", "≤ 60 s at scale 1"),
        ("peak memory (largest step)", f"{max(demo_gb, build_gb):.2f} GB", "≤ 24 GB"),
        ("package size", f"{package_mb:.1f} MB", ""),
        ("extract size", f"{size_mb:.1f} MB", ""),
    ]
