"""Many people at once: real WebSocket sessions against the app, one process or several.

    .venv/bin/python -m benchmarks.load [--db PATH] [--sessions 10,25,50] [--minutes 5]
                                        [--workers 0] [--idle 0]

Starts the app as ``make run`` does (``ui/server.py``), or with ``--workers N`` as
``make serve WORKERS=N`` does (``lib/cluster.py``: N processes behind nginx), on an extract
(by default a demo built in a temporary folder, as ``make bench`` does). The server is first
warmed by one visit of each page. Then, for each number of sessions in turn, that many
sessions run at once for ``--minutes``:

- each one is a real Streamlit session: a WebSocket to ``/_stcore/stream`` speaking
  Streamlit's own protocol (its protobuf messages), as the browser's page does. In a loop it
  opens a page with filters chosen from the extract (indicator, year, level, area, split,
  compared areas, map areas, a school, the language, as a user following links or changing
  filters does), waits until the server says the run finished, and pauses 1–3 s. The time
  from the request to the end of the run is a **rerun**; an exception shown by the page, a
  run that did not finish within 60 s or a lost connection is an **error**;
- one more session is headless Chromium doing the same: the time from following a link to
  the page drawn (the app's status widget gone) is its **page ready**.

Printed for each number of sessions: reruns and their p50/p95, page loads and their p50/p95,
errors, runs per second, the bytes the server sent per run, and the servers' resident memory
(all processes together) at its peak. Choices are random but seeded (``--seed``), so two runs
make the same requests.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit

from benchmarks.map import CHROMIUM_ARGS, _free_port, streamlit_server
from benchmarks.reruns import SPLITS

SAMPLE_S = 0.5
PAUSE_S = (1.0, 3.0)
STEP_TIMEOUT_S = 60
# Every page's link parameters (pages/*.py, ui/filters.py, ui/url_state.py and the pickers);
# the Overview answers at "/" only.
PAGE_PARAMS = {
    "overview": ("year", "level", "area", "indicator"),
    "map": ("year", "level", "area", "indicator", "admin", "by"),
    "equity": ("year", "level", "area", "indicator", "by"),
    "trends": ("level", "area", "indicator", "by", "compare"),
    "schools": ("year", "area", "school"),
    "data-quality": ("year", "area"),
    "quality": ("year", "area"),
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


def cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used so far (user and system), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Samples the RSS of the server's processes (together) every :data:`SAMPLE_S` s."""

    def __init__(self, pids: Callable[[], list[int]]):
        self.pids = pids
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, RuntimeError):  # a process being replaced
                total = sum(rss_mb(pid) for pid in self.pids())
                self.samples.append((time.monotonic() - self._started, total))
            self._stop.wait(SAMPLE_S)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def now(self) -> float:
        return sum(rss_mb(pid) for pid in self.pids())

    def peak(self, since: float = 0.0) -> float:
        """The highest sample taken ``since`` seconds after the start, or later."""
        return max((mb for at, mb in self.samples if at >= since), default=0.0)

    def elapsed(self) -> float:
        return time.monotonic() - self._started


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


@dataclass
class Tally:
    """What the sessions of one load saw."""

    reruns: list[float] = field(default_factory=list)       # seconds, WebSocket sessions
    page_ready: list[float] = field(default_factory=list)   # seconds, the browser session
    sent_bytes: list[int] = field(default_factory=list)     # per rerun
    by_page: dict[str, list[float]] = field(default_factory=dict)  # page -> reruns
    errors: dict[str, int] = field(default_factory=dict)    # kind -> count
    first_error: str = ""

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.first_error = self.first_error or f"{kind}: {detail}"[:300]


def _cookie_for(base: str) -> str:
    """The cookie a browser gets with the app's page (nginx's ``emis_worker``), if any."""
    with urllib.request.urlopen(base + "/", timeout=STEP_TIMEOUT_S) as answer:
        cookies = [value.split(";", 1)[0] for value in answer.headers.get_all("Set-Cookie") or []]
    return "; ".join(cookies)


class WebSocketSession:
    """One Streamlit session over its WebSocket, as the browser's page holds it."""

    def __init__(self, base: str):
        self.base = base
        self.socket = None

    async def __aenter__(self) -> WebSocketSession:
        import websockets

        cookie = await asyncio.to_thread(_cookie_for, self.base)
        url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.socket = await websockets.connect(
            url, subprotocols=["streamlit"], origin=self.base, max_size=None,
            additional_headers={"Cookie": cookie} if cookie else None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()

    async def open(self, link: str) -> tuple[int, str | None]:
        """Runs the page of ``link`` ("/map?year=2020"); its bytes received and the first
        exception the page showed, if any."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        parts = urlsplit(link)
        request = BackMsg()
        request.rerun_script.query_string = parts.query
        request.rerun_script.page_name = parts.path.strip("/")
        await self.socket.send(request.SerializeToString())
        received, exception = 0, None
        done = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
        while True:
            data = await self.socket.recv()
            received += len(data)
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element" \
                    and message.delta.new_element.WhichOneof("type") == "exception":
                exception = exception or message.delta.new_element.exception.message
            elif kind == "page_not_found":
                exception = exception or f"page not found: {parts.path}"
            elif kind == "script_finished" and message.script_finished in done:
                return received, exception


def _pages(rng: random.Random) -> Iterator[str]:
    pages = list(PAGE_PARAMS)
    while True:
        yield rng.choice(pages)


async def _websocket_session(base: str, choices: Choices, seed: int, until: float,
                             tally: Tally) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, PAUSE_S[1]))  # people do not all arrive at once
    try:
        async with WebSocketSession(base) as session:
            for page in _pages(rng):
                if time.monotonic() >= until:
                    return
                link = choices.link(rng, page)
                started = time.monotonic()
                try:
                    received, exception = await asyncio.wait_for(session.open(link),
                                                                 STEP_TIMEOUT_S)
                except asyncio.TimeoutError:
                    tally.error("run not finished in time", link)
                    return  # the session's messages are out of step: it ends
                tally.reruns.append(time.monotonic() - started)
                tally.by_page.setdefault(page, []).append(tally.reruns[-1])
                tally.sent_bytes.append(received)
                if exception:
                    tally.error("exception shown", f"{link}: {exception}")
                await asyncio.sleep(rng.uniform(*PAUSE_S))
    except Exception as failure:  # noqa: BLE001 - a lost connection is an error of the load
        tally.error("connection lost", f"{type(failure).__name__}: {failure}")


async def _browser_session(base: str, choices: Choices, seed: int, until: float,
                           tally: Tally) -> None:
    """Chromium following links: page ready is when the page has its run's last message
    (read from its own WebSocket) and has drawn it (the status widget gone)."""
    from playwright.async_api import async_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    rng = random.Random(seed)
    finished = asyncio.Event()

    def on_frame(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished" and message.script_finished in (
                    ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                finished.set()

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"),
                                          args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        page.on("websocket", lambda socket: socket.on("framereceived", on_frame))
        for name in _pages(rng):
            if time.monotonic() >= until:
                break
            link = choices.link(rng, name)
            finished.clear()
            started = time.monotonic()
            try:
                await page.goto(base + link, timeout=STEP_TIMEOUT_S * 1000)
                await asyncio.wait_for(finished.wait(), STEP_TIMEOUT_S)
                await page.get_by_test_id("stStatusWidget").wait_for(
                    state="hidden", timeout=STEP_TIMEOUT_S * 1000)
                tally.page_ready.append(time.monotonic() - started)
            except Exception as failure:  # noqa: BLE001 - a slow page is counted, and it goes on
                tally.error("page not ready in time", f"{link}: {failure}")
            await asyncio.sleep(rng.uniform(*PAUSE_S))
        await browser.close()


async def _load(base: str, choices: Choices, sessions: int, seconds: float, seed: int,
                browser: bool) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    tasks = [_websocket_session(base, choices, seed + i, until, tally) for i in range(sessions)]
    if browser:
        tasks.append(_browser_session(base, choices, seed + sessions, until, tally))
    await asyncio.gather(*tasks)
    return tally


async def _warm_up(base: str, choices: Choices) -> None:
    rng = random.Random(0)
    async with WebSocketSession(base) as session:
        for page in PAGE_PARAMS:
            await session.open(choices.link(rng, page))


def _p(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _seconds(values: list[float]) -> str:
    if not values:
        return "none"
    return f"{len(values)}, p50 {_p(values, 50):.2f} s, p95 {_p(values, 95):.2f} s"


@contextlib.contextmanager
def serving(db_path: Path, workers: int, port: int | None
            ) -> Iterator[tuple[str, Callable[[], list[int]]]]:
    """The app on ``db_path``: one process (``workers`` 0, as ``make run``) or ``workers``
    behind nginx (as ``make serve``); yields its base URL and a function giving its pids."""
    if workers:
        from lib.cluster import Cluster

        with Cluster(db=db_path.resolve(), workers=workers, port=port or _free_port()) \
                as cluster:
            yield cluster.url, cluster.pids
    else:
        with streamlit_server(db_path, port, "ui/server.py") as (base, server):
            yield base, lambda: [server.pid]


def measure_load(db_path: Path, sessions: list[int], seconds: float, workers: int = 0,
                 idle: float = 0.0, port: int | None = None, seed: int = 1,
                 browser: bool = True) -> list[tuple[str, str]]:
    """Rows ``(measure, value)`` of this module's docstring, one block per number of
    sessions."""
    choices = Choices(db_path)
    served_by = (f"{workers} processes behind nginx (make serve WORKERS={workers})" if workers
                 else "one process (make run)")
    rows = [("served by", served_by),
            ("each load", f"{seconds / 60:g} min; pauses {PAUSE_S[0]:g}–{PAUSE_S[1]:g} s; "
                          f"seed {seed}" + ("; plus one Chromium session" if browser else ""))]
    with serving(db_path, workers, port) as (base, pids), Sampler(pids) as sampler:
        rows.append(("RSS cold", f"{sampler.now():.0f} MB"))
        warm_started = time.monotonic()
        asyncio.run(_warm_up(base, choices))
        rows.append(("warm-up (each page once)", f"{time.monotonic() - warm_started:.1f} s, "
                                                 f"RSS {sampler.now():.0f} MB"))
        for count in sessions:
            since = sampler.elapsed()
            started, cpu_before = time.monotonic(), sum(cpu_seconds(pid) for pid in pids())
            tally = asyncio.run(_load(base, choices, count, seconds, seed, browser))
            took = time.monotonic() - started
            cpu = sum(cpu_seconds(pid) for pid in pids()) - cpu_before
            runs = len(tally.reruns) + len(tally.page_ready)
            errors = sum(tally.errors.values())
            rows += [
                (f"{count} sessions: reruns", _seconds(tally.reruns)),
                (f"{count} sessions: rerun p95 by page", ", ".join(
                    f"{page} {_p(times, 95):.1f}" for page, times in sorted(
                        tally.by_page.items(), key=lambda item: -_p(item[1], 95)))),
                (f"{count} sessions: page ready", _seconds(tally.page_ready)),
                (f"{count} sessions: errors", f"{errors}" + (
                    " (" + ", ".join(f"{n} {kind}" for kind, n in tally.errors.items())
                    + f"; first: {tally.first_error})" if errors else "")),
                (f"{count} sessions: runs per second", f"{runs / took:.2f}"),
                (f"{count} sessions: server CPU", f"{cpu / took:.2f} cores busy, "
                                                  f"{cpu / max(runs, 1) * 1000:.0f} ms per run"),
                (f"{count} sessions: KB sent per run",
                 f"median {statistics.median(tally.sent_bytes or [0]) / 1000:.0f}"),
                (f"{count} sessions: RSS peak", f"{sampler.peak(since):.0f} MB"),
            ]
        if idle:
            time.sleep(idle)
            rows.append((f"RSS after {idle:g} s idle", f"{sampler.now():.0f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--db", type=Path, default=None,
                        help="extract to serve (default: build the demo in a temporary folder)")
    parser.add_argument("--sessions", default="10,25,50",
                        help="numbers of concurrent sessions, one load each (default 10,25,50)")
    parser.add_argument("--minutes", type=float, default=5.0, help="length of each load")
    parser.add_argument("--workers", type=int, default=0,
                        help="app processes behind nginx (default 0: one process, no nginx)")
    parser.add_argument("--idle", type=float, default=0.0, help="seconds idle after the loads")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-browser", action="store_true",
                        help="without the Chromium session (no page-ready figures)")
    parser.add_argument("--boundaries", default=None,
                        help="real boundary folder for the demo (default: ../shared/geo)")
    args = parser.parse_args()
    sessions = [int(n) for n in args.sessions.split(",") if n.strip()]
    if not args.no_browser and not shutil.which("chromium"):
        raise SystemExit("no chromium on PATH (apt-get install chromium), or --no-browser")
    with tempfile.TemporaryDirectory(prefix="emis-load-") as work:
        db_path = args.db
        if db_path is None:
            from benchmarks.build import measure_build

            measure_build(1.0, "2015-2024", args.boundaries, Path(work))
            db_path = Path(work) / "emis.duckdb"
        rows = measure_load(db_path, sessions, args.minutes * 60, args.workers, args.idle,
                            args.port, args.seed, browser=not args.no_browser)
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}", flush=True)


if __name__ == "__main__":
    main()
