"""The Map page against its budgets: bytes sent for the district choropleth, first map
paint in a real browser, and paint time with 10,000 and 100,000 schools (its reruns are
measured with every page's, in :mod:`benchmarks.reruns`).

Each function returns rows ``(measure, value, budget)`` like :mod:`benchmarks.build`.
Browser measures use Debian's Chromium through Playwright and are left out (with a row
saying why) when either is missing.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from benchmarks.reruns import extract_env, open_page

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
Row = tuple[str, str, str]


# --------------------------------------------------------------------------- server side


def _component_args(at) -> str:
    def walk(node):
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            yield child
            yield from walk(child)
    found = [e for e in walk(at._tree) if getattr(e, "type", "") == "component_instance"]
    return found[0].proto.json_args if found else ""


def measure_payload(db: Path) -> list[Row]:
    """What the browser receives for the map: the component's arguments (Leaflet script
    with the GeoJSON, header, links), for the district and the province choropleth."""
    rows = []
    with extract_env(db):
        for admin, budget in (("district", "≤ 250 KB"), ("province", "")):
            at = open_page("map", admin=admin).run()
            args = _component_args(at).encode("utf-8")
            n = json.loads(args)["script"].count('"type":"Feature"') if args else 0
            rows.append((f"map payload, {n} {admin}s", f"{len(args) / 1000:.0f} KB", budget))
            rows.append((f"map payload, {n} {admin}s, gzip",
                         f"{len(gzip.compress(args)) / 1000:.0f} KB", ""))
    return rows


# --------------------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, port: int | None = None, script: str = "app.py"
                     ) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run <script>`` serving ``db`` on ``port`` (a free one by default), on
    127.0.0.1; yields its base URL, once it answers, and its process."""
    port = port or _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=REPO, env={**os.environ, "EMIS_DB": str(db)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=15)


@contextlib.contextmanager
def _static_server(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def _browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed"
    if not shutil.which("chromium"):
        return "no chromium on PATH"
    return None


def _areas_drawn(page, n: int, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(MAP_FRAME, timeout=timeout_ms)
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.leaflet-interactive").nth(n - 1).wait_for(state="attached",
                                                                   timeout=timeout_ms)


def measure_first_paint(db: Path, repeats: int = 3) -> list[Row]:
    """From navigation to every district drawn, on a warm server (median of ``repeats``;
    a new browser profile each time, then one that opened the app before), and from
    switching the schools layer on to its markers drawn (the extract's schools)."""
    missing = _browser_missing()
    if missing:
        return [("first map paint", f"not measured: {missing}", "≤ 2 s")]
    from lib import db as extract_db

    with extract_db.connect_current(db) as con:
        n_districts = int(con.execute(
            "SELECT count(*) FROM admin_units WHERE level = 2").fetchone()[0])
    paints, titles, frames, schools = [], [], [], []
    with streamlit_server(db) as (base, _), _browser() as browser:
        for attempt in range(repeats + 1):  # the first one warms the server's caches
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            marks: dict[str, float] = {}
            page.on("request", lambda request, marks=marks: marks.setdefault(
                "component", time.perf_counter()) if "streamlit_folium" in request.url
                else None)
            started = time.perf_counter()
            page.goto(f"{base}/map?admin=district")
            page.locator("h1").first.wait_for(timeout=60_000)
            title = time.perf_counter()
            _areas_drawn(page, n_districts)
            done = time.perf_counter()
            if attempt:
                paints.append(done - started)
                titles.append(title - started)
                frames.append(done - marks.get("component", done))
            page.get_by_test_id("stCheckbox").filter(has_text="Schools").click()
            started = time.perf_counter()
            page.frame_locator(MAP_FRAME).first.locator(".marker-cluster").first.wait_for(
                timeout=120_000)
            if attempt:
                schools.append(time.perf_counter() - started)
            context.close()
        # The same, the browser having opened the app before (its scripts in its cache).
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        cached = []
        for attempt in range(repeats + 1):
            started = time.perf_counter()
            page.goto(f"{base}/map?admin=district")
            _areas_drawn(page, n_districts)
            if attempt:
                cached.append(time.perf_counter() - started)
        context.close()
    n_schools = _schools_on_map(db)
    return [(f"first map paint, {n_districts} districts (median of {repeats})",
             f"{statistics.median(paints):.2f} s", "≤ 2 s"),
            ("  of which: Streamlit until the page title", f"{statistics.median(titles):.2f} s",
             ""),
            ("  of which: map component (its page requested to areas drawn)",
             f"{statistics.median(frames):.2f} s", ""),
            ("first map paint, browser cache warm", f"{statistics.median(cached):.2f} s",
             "≤ 2 s"),
            (f"schools layer on, {n_schools:,} schools (click to markers)",
             f"{statistics.median(schools):.2f} s", "≤ 1.5 s at 10,000")]


def _schools_on_map(db: Path) -> int:
    from lib import db as extract_db

    with extract_db.connect_current(db) as con:
        year = json.loads(extract_db.meta(con)["years"])[-1]
        country = extract_db.country(con)
        level = country.level(country.entry_level)
        rows = extract_db.school_points(con, level.id, list(level.grades), year)
    return int(rows["has_location"].sum())


def _synthetic_page(db: Path, n: int, folder: Path) -> str:
    """A map of the extract's districts with ``n`` schools placed inside them, built by the
    app's own builder, its asset links pointing at a copy of static/."""
    import shapely

    from geo import mapping
    from geo.classify import sequential_colours
    from lib import db as extract_db

    with extract_db.connect_current(db) as con:
        frame = extract_db.boundaries(con, 2, "medium")
    geometries = {code: bytes(wkb) for code, wkb in zip(frame["code"], frame["geometry"])}
    areas = [mapping.Area(code, code, "1", i % 5) for i, code in enumerate(geometries)]
    shapes = shapely.from_wkb(list(geometries.values()))
    west, south, east, north = shapely.total_bounds(shapes)
    rng = np.random.default_rng(n)
    country = shapely.union_all(shapes)
    lat, lon = [], []
    while len(lat) < n:
        x = rng.uniform(west, east, 4 * n)
        y = rng.uniform(south, north, 4 * n)
        inside = shapely.contains_xy(country, x, y)
        lon.extend(x[inside][: n - len(lon)])
        lat.extend(y[inside][: n - len(lat)])
    schools = mapping.Schools(
        np.array(lat), np.array(lon), rng.integers(0, 3, n),
        [f"{i:07d}" for i in range(n)], [f"Ban School {i}" for i in range(n)],
        rng.integers(20, 600, n).astype(float), rng.uniform(10, 60, n),
        ("#1b9e77", "#d95f02", "#7570b3"))
    spec = mapping.MapSpec(mapping.area_features(geometries, areas),
                           tuple(sequential_colours(5, True)), mapping.TipLabels("value"),
                           None, ((south, west), (north, east)), schools=schools,
                           school_words=mapping.PopupLabels("Code", "Pupils", "PTR", "–"))
    page = mapping.choropleth_map(spec, "/static").get_root().render()
    (folder / f"schools-{n}.html").write_text(page, encoding="utf-8")
    return f"schools-{n}.html"


def measure_schools_paint(db: Path, sizes: tuple[int, ...] = (10_000, 100_000),
                          repeats: int = 3) -> list[Row]:
    """From navigation to the clustered schools drawn, for synthetic layers of ``sizes``
    schools over the extract's districts (the map the app builds, opened as a page)."""
    budgets = {10_000: "≤ 1.5 s", 100_000: "≤ 4 s"}
    missing = _browser_missing()
    if missing:
        return [(f"schools paint, {n:,}", f"not measured: {missing}", budgets.get(n, ""))
                for n in sizes]
    from geo import assets

    rows = []
    with tempfile.TemporaryDirectory(prefix="emis-map-bench-") as work:
        folder = Path(work)
        shutil.copytree(assets.STATIC_DIR, folder / "static")
        pages = {n: _synthetic_page(db, n, folder) for n in sizes}
        with _static_server(folder) as base, _browser() as browser:
            for n, name in pages.items():
                times = []
                for _ in range(repeats):
                    page = browser.new_page(viewport={"width": 1400, "height": 800})
                    started = time.perf_counter()
                    page.goto(f"{base}/{name}")
                    page.wait_for_selector(".marker-cluster", timeout=120_000)
                    times.append(time.perf_counter() - started)
                    page.close()
                rows.append((f"schools paint, {n:,} (median of {repeats})",
                             f"{statistics.median(times):.2f} s", budgets.get(n, "")))
    return rows


def measure_map(db: Path) -> list[Row]:
    """Every measure of the Map page, for the extract at ``db``."""
    return measure_payload(db) + measure_first_paint(db) + measure_schools_paint(db)


if __name__ == "__main__":
    extract = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / "data" / "emis.duckdb")
    table = measure_map(extract)
    width = max(len(name) for name, _, _ in table)
    for name, value, budget in table:
        print(f"{name.ljust(width)}  {value:>14}  {budget}")
