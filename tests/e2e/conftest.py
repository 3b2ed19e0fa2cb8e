"""The real app in a real browser: `streamlit run` on a free port, driven by Playwright.

Uses Debian's Chromium (Playwright's own browser download does not work here). Without
Chromium or Playwright the tests skip, saying why, except under CI (``CI`` set), where they
must run and fail instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
STARTUP_TIMEOUT_S = 90
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _demo_country_words(demo_country_words):
    """Texts compared with the pages name the admin levels as the demo's app does."""
    yield


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed (pip install -r tests/requirements.txt)")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        unavailable("no chromium on PATH (apt-get install chromium)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval, not a wait for something to happen
    pytest.fail(f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT_S} s:\n"
                f"{log.read_text()}")


@contextmanager
def serve(extract: Path, log_name: str = "streamlit.log", *, port: int | None = None,
          host: str = "127.0.0.1", options: tuple[str, ...] = (),
          env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` on a free port (or ``port``) serving ``extract``, with
    more command-line ``options`` and environment ``env``; yield its base URL (``host``:
    the name the browser uses)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    base = f"http://{host}:{port}"
    log = ARTIFACTS / log_name
    env = {**os.environ, "EMIS_DB": str(extract), **(env or {})}
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", *options],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, server, log)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture(scope="session")
def app_url(chromium, demo_extract) -> Iterator[str]:
    """Base URL of the app serving the demo extract; the server is stopped afterwards."""
    with serve(demo_extract) as base:
        yield base


HOSTILE_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def hostile_school(demo_package, demo_extract,
                   tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """An extract of the demo where one located primary school is named HOSTILE_NAME (in
    English and in the local language); returns the extract and that school's row."""
    import csv
    import shutil

    from lib import db
    from lib.cli import main

    with db.connect_current(demo_extract) as con:  # a school the map places
        (school_id,) = con.execute(
            "SELECT s.school_id FROM schools s JOIN school_levels l USING (school_id) "
            "WHERE s.has_location AND l.level = 'primary' AND s.closed_year IS NULL "
            "ORDER BY s.school_id LIMIT 1").fetchone()
    package = tmp_path_factory.mktemp("hostile") / "package"
    shutil.copytree(demo_package, package)
    path = package / "schools.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    chosen = next(row for row in rows if row["school_id"] == school_id)
    chosen["name_en"] = chosen["name_local"] = HOSTILE_NAME
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = package.parent / "emis.duckdb"
    assert main(["build", "--source", str(package), "--db", str(db),
                 "--no-report-frames"]) == 0  # not about reports
    return db, dict(chosen)


@pytest.fixture(scope="session")
def map_app_url(chromium, hostile_school) -> Iterator[str]:
    """Base URL of the app serving the demo with a hostile school name (for the map)."""
    with serve(hostile_school[0], "streamlit-map.log") as base:
        yield base


@pytest.fixture(scope="session")
def playwright(chromium):
    """The one Playwright of the test process (a second one cannot start beside it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright, chromium):
    browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Tab:
    """A browser page, with every request it made and every error its console showed."""

    page: object  # playwright.sync_api.Page
    requests: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, source url)

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests
                if urlparse(url).scheme not in ("data", "blob", "about")
                and urlparse(url).hostname not in LOCAL_HOSTS]


@pytest.fixture
def tab(browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    recorded = Tab(context.new_page())
    recorded.page.on("request", lambda request: recorded.requests.append(request.url))
    recorded.page.on("console", lambda msg: recorded.console_errors.append(
        (msg.text, msg.location.get("url", ""))) if msg.type == "error" else None)
    recorded.page.on("pageerror", lambda exc: recorded.console_errors.append((str(exc), "")))
    yield recorded
    context.close()
