"""The server's memory under a bounded load of real browser sessions.

    .venv/bin/python -m benchmarks.load [--db PATH] [--sessions 10] [--minutes 3] [--idle 60]

Starts the app as ``make run`` does (``ui/server.py``) on an extract (by default a demo built in a
temporary folder, as ``make bench`` does), then opens ``--sessions`` concurrent sessions in
headless Chromium. Each session goes
from page to page for ``--minutes``, opening each one by a link with chosen filters
(indicator, year, level, area, split, compared areas, map areas, a school, the language), as
a user following shared links would, and pauses 1–3 s between steps. The server's resident
memory (RSS, from ``/proc``) is sampled throughout; printed are the cold figure (server up,
no session), the peak, the figure when the sessions have closed, and after ``--idle`` more
seconds without any session. Choices are random but seeded (``--seed``), so two runs make
the same requests.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.map import CHROMIUM_ARGS, streamlit_server
from benchmarks.reruns import SPLITS

SAMPLE_S = 0.5
PAUSE_S = (1.0, 3.0)
STEP_TIMEOUT_MS = 60_000
# Every page's link parameters (pages/*.py, ui/filters.py, ui/url_state.py and the pickers);
# the Overview answers at "/" only.
PAGE_PARAMS = {
    "overview": ("year", "level", "area", "indicator"),
    "map": ("year", "level", "area", "indicator", "admin", "by"),
    "equity": ("year", "level", "area", "indicator", "by"),
    "trends": ("level", "area", "indicator", "by", "compare"),
    "schools": ("year", "area", "school"),
    "data-quality": ("year", "area"),
    "indicators": ("indicator",),
    "about": (),
}


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid``, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Sampler:
    """Samples a process's RSS every :data:`SAMPLE_S` seconds in a thread."""

    def __init__(self, pid: int):
        self.pid = pid
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self._started, rss_mb(self.pid)))
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self) -> float:
        return max(mb for _, mb in self.samples)

    def every(self, seconds: float) -> list[float]:
        """The first sample of every ``seconds``."""
        marks: dict[int, float] = {}
        for at, mb in self.samples:
            marks.setdefault(int(at // seconds), mb)
        return list(marks.values())


class Choices:
    """The valid values of every link parameter, read from the extract."""

    def __init__(self, db_path: Path):
        from lib import db
        from lib.indicators import registry_for

        with db.connect_current(db_path) as con:
            registry = registry_for(con)
            self.years = [str(y) for y in db.extract_info(con).years]
            self.levels = list(db.country(con).level_ids)
            units = db.admin_units(con)
            self.schools = [str(code) for (code,) in con.execute(
                "SELECT school_id FROM schools ORDER BY school_id").fetchall()]
        self.indicators = {ind.id: [s for s in SPLITS if s in ind.splits] for ind in registry}
        self.areas = units.loc[units["level"].isin([1, 2]), "code"].astype(str).tolist()

    def link(self, rng: random.Random, page: str) -> str:
        """A link to ``page`` with some of its parameters chosen at random."""
        indicator = rng.choice(sorted(self.indicators))
        values = {
            "year": lambda: rng.choice(self.years),
            "level": lambda: rng.choice(self.levels),
            "area": lambda: rng.choice(self.areas),
            "indicator": lambda: indicator,
            "admin": lambda: rng.choice(("province", "district")),
            "by": lambda: rng.choice(self.indicators[indicator] or [""]),
            "compare": lambda: ",".join(rng.sample(self.areas, rng.randint(1, 3))),
            "school": lambda: rng.choice(self.schools),
        }
        query = {name: values[name]() for name in PAGE_PARAMS[page] if rng.random() < 0.7}
        if rng.random() < 0.2:
            query["lang"] = "lo"
        path = "" if page == "overview" else page
        return f"/{path}?{urlencode({k: v for k, v in query.items() if v})}"


async def _session(browser, base: str, choices: Choices, seed: int, until: float,
                   counts: dict[str, int]) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    page = await context.new_page()
    pages = list(PAGE_PARAMS)
    try:
        while time.monotonic() < until:
            link = choices.link(rng, rng.choice(pages))
            try:
                await page.goto(base + link, timeout=STEP_TIMEOUT_MS)
                await page.get_by_test_id("stApp").wait_for(timeout=STEP_TIMEOUT_MS)
                await page.get_by_test_id("stStatusWidget").wait_for(state="hidden",
                                                                      timeout=STEP_TIMEOUT_MS)
                counts["steps"] += 1
                counts["errors"] += await page.get_by_test_id("stException").count() > 0
            except Exception:  # a slow step is counted and the session goes on
                counts["failed"] += 1
            await asyncio.sleep(rng.uniform(*PAUSE_S))
    finally:
        await context.close()


async def _load(base: str, choices: Choices, sessions: int, seconds: float,
                seed: int) -> dict[str, int]:
    from playwright.async_api import async_playwright

    counts = {"steps": 0, "failed": 0, "errors": 0}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                          args=CHROMIUM_ARGS)
        until = time.monotonic() + seconds
        await asyncio.gather(*(_session(browser, base, choices, seed + i, until, counts)
                               for i in range(sessions)))
        await browser.close()
    return counts


def measure_load(db_path: Path, sessions: int, seconds: float, idle: float,
                 port: int | None = None, seed: int = 1) -> list[tuple[str, str]]:
    """Rows ``(measure, value)``: the server's RSS cold, at its peak, after the load and
    after ``idle`` seconds, with the number of page loads."""
    choices = Choices(db_path)
    with streamlit_server(db_path, port, "ui/server.py") as (base, server), \
            Sampler(server.pid) as sampler:
        time.sleep(2)  # the server settles after its first answer
        cold = rss_mb(server.pid)
        counts = asyncio.run(_load(base, choices, sessions, seconds, seed))
        after_load = rss_mb(server.pid)
        time.sleep(idle)
        after_idle = rss_mb(server.pid)
        peak = sampler.peak()
        timeline = sampler.every(30)
    return [
        ("load", f"{sessions} sessions × {seconds / 60:g} min, pauses "
                 f"{PAUSE_S[0]:g}–{PAUSE_S[1]:g} s, seed {seed}"),
        ("page loads", f"{counts['steps']}, {counts['errors']} showing an error; "
                       f"{counts['failed']} slower than {STEP_TIMEOUT_MS // 1000} s or failed"),
        ("RSS cold", f"{cold:.0f} MB"),
        ("RSS peak", f"{peak:.0f} MB"),
        ("RSS after the load", f"{after_load:.0f} MB"),
        (f"RSS after {idle:g} s idle", f"{after_idle:.0f} MB"),
        ("RSS every 30 s", " ".join(f"{mb:.0f}" for mb in timeline)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--db", type=Path, default=None,
                        help="extract to serve (default: build the demo in a temporary folder)")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds idle after the load")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--boundaries", default=None,
                        help="real boundary folder for the demo (default: ../shared/geo)")
    args = parser.parse_args()
    if not shutil.which("chromium"):
        raise SystemExit("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="emis-load-") as work:
        db_path = args.db
        if db_path is None:
            from benchmarks.build import measure_build

            measure_build(1.0, "2015-2024", args.boundaries, Path(work))
            db_path = Path(work) / "emis.duckdb"
        rows = measure_load(db_path, args.sessions, args.minutes * 60, args.idle,
                            args.port, args.seed)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
