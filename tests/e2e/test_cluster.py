"""Several app processes behind nginx, as ``make serve WORKERS=2`` starts them (issue 21):
every browser stays with one process (its WebSocket, its downloads), new browsers spread
over all of them, each process serves a rebuilt extract at its next run, and a process that
dies is started again while nginx sends its browsers to another.

The command is the one ``make -n serve`` prints; nginx is Debian's (``.ci/run`` installs it).
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import REPO, free_port, unavailable

pytestmark = pytest.mark.xdist_group("cluster")  # beside the other browser tests, not after
TIMEOUT_MS = 60_000
RENAMED = "Cluster Check Renamed School"


def make_serve_command(**variables: str) -> str:
    args = ["make", "--no-print-directory", "-n", "serve"] + [f"{k}={v}" for k, v in
                                                               variables.items()]
    printed = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=True).stdout
    found = [c for c in printed.replace("\\\n", " ").splitlines() if "-m lib.cluster" in c]
    assert len(found) == 1, printed
    return found[0]


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def a_key_of_each_process(base: str, run_dir: Path, visitors: int = 24) -> dict[str, str]:
    """Process -> the ``emis_worker`` key of a new visitor it took (``visitors`` new
    visitors, without a cookie, are sent)."""
    for _ in range(visitors):
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=10):
            pass
    time.sleep(1)  # nginx has logged them
    found: dict[str, str] = {}
    for key, upstreams in routes(run_dir).items():
        if len(upstreams) == 1:
            found.setdefault(next(iter(upstreams)), key)
    return found


def routes(run_dir: Path) -> dict[str, set[str]]:
    """Each ``emis_worker`` key of nginx's access log -> the processes that answered it."""
    found: dict[str, set[str]] = defaultdict(set)
    for line in (run_dir / "access.log").read_text().splitlines():
        upstream, key = line.rsplit(" ", 2)[1:]
        if upstream != "-":
            found[key].add(upstream)
    return found


@pytest.fixture(scope="module")
def cluster(demo_extract, tmp_path_factory):
    """``make serve WORKERS=2`` on a copy of the demo extract; yields (base URL, extract,
    nginx's folder, the first worker port)."""
    if not (shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")):
        unavailable("nginx is not installed (apt-get install nginx)")
    work = tmp_path_factory.mktemp("cluster")
    extract = work / "emis.duckdb"
    shutil.copy(demo_extract, extract)
    port = free_port()
    while any(_in_use(p) for p in (port + 1, port + 2)):
        port = free_port()
    command = make_serve_command(DB=str(extract), PORT=str(port), WORKERS="2")
    assert "--workers 2" in command
    run_dir = work / "nginx"
    log = open(work / "cluster.log", "w")
    process = subprocess.Popen(f"{command} --run-dir {run_dir}", shell=True, cwd=REPO,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/_stcore/health", 120)
        yield base, extract, run_dir, port + 1
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def _in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def a_school(extract: Path) -> tuple[str, str]:
    with duckdb.connect(str(extract), read_only=True) as con:
        return con.execute("SELECT school_id, name_en FROM schools "
                           "WHERE closed_year IS NULL ORDER BY school_id LIMIT 1").fetchone()


def open_school(context, base: str, school_id: str, name: str) -> None:
    from playwright.sync_api import expect

    page = context.new_page()
    page.goto(f"{base}/schools?school={school_id}")
    expect(page.get_by_text(name).first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stException").count() == 0
    page.close()


def test_browsers_stay_with_one_process_and_spread_over_all(cluster, browser):
    base, extract, run_dir, _ = cluster
    school_id, name = a_school(extract)
    contexts = [browser.new_context() for _ in range(2)]
    for context in contexts:
        open_school(context, base, school_id, name)
    keys = []
    for context in contexts:
        (cookie,) = [c for c in context.cookies() if c["name"] == "emis_worker"]
        assert re.fullmatch(r"[0-9a-f]{32}", cookie["value"]) and cookie["httpOnly"]
        keys.append(cookie["value"])
        context.close()  # nginx logs a WebSocket when it closes
    assert len(a_key_of_each_process(base, run_dir)) == 2  # new visitors go to both
    answered = routes(run_dir)
    log = (run_dir / "access.log").read_text()
    for key in keys:
        assert len(answered[key]) == 1, answered[key]  # page, scripts, WebSocket, all of it
        assert re.search(rf'"GET /_stcore/stream HTTP/1.1" 101 \S+ {key}', log), key


def test_every_process_serves_a_rebuilt_extract(cluster, browser):
    base, extract, run_dir, _ = cluster
    school_id, name = a_school(extract)
    by_process = a_key_of_each_process(base, run_dir)
    assert len(by_process) == 2
    contexts = []
    for key in by_process.values():  # one browser held by each process
        context = browser.new_context()
        context.add_cookies([{"name": "emis_worker", "value": key, "url": base}])
        open_school(context, base, school_id, name)
        contexts.append(context)
    rebuilt = extract.with_name("rebuilt.duckdb")  # a new build, published by a swap
    shutil.copy(extract, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        con.execute("UPDATE schools SET name_en = ? WHERE school_id = ?", [RENAMED, school_id])
        con.execute("UPDATE meta SET value = value || '-rebuilt' WHERE key = 'build_id'")
    os.replace(rebuilt, extract)
    for context in contexts:
        open_school(context, base, school_id, RENAMED)
        context.close()


def test_a_process_that_dies_is_started_again(cluster, browser):
    base, extract, run_dir, first_port = cluster
    school_id, name = a_school(extract)
    os.kill(_listening_pid(first_port), signal.SIGKILL)
    context = browser.new_context()
    open_school(context, base, school_id, name)  # served meanwhile by the other process
    context.close()
    wait_for(f"http://127.0.0.1:{first_port}/_stcore/health", 120)  # and started again


def _listening_pid(port: int) -> int:
    """The process listening on ``port`` on 127.0.0.1 (from /proc, without lsof)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == "0A":
            inode = fields[9]
    assert inode, f"nothing listens on port {port}"
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    raise AssertionError(f"no process holds the socket of port {port}")
