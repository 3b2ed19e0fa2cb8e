"""The server as ``make run`` starts it (issue 11, item 9): on this machine only, with XSRF
protection, headers that forbid framing by other sites, ``Host`` checked on every request and
on the WebSocket, ``/_stcore/metrics`` not served. ``make run HOST=0.0.0.0`` opens it.

The command is the one ``make -n run`` prints, so the test follows the Makefile. No browser
is needed: these tests always run.
"""
from __future__ import annotations

import base64
import http.client
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import REPO, free_port, wait_healthy

LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1 (/proc/net)
FOREIGN_HOST = "attacker.example"


def make_run_command(**variables: str) -> str:
    """The shell command ``make run`` would start the server with."""
    args = ["make", "--no-print-directory", "-n", "run"] + [f"{k}={v}" for k, v in
                                                             variables.items()]
    printed = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=True).stdout
    commands = printed.replace("\\\n", " ").splitlines()
    found = [c for c in commands if " run ui/server.py " in c or " run app.py " in c]
    assert len(found) == 1, printed
    return found[0]


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net shows them) with a socket listening on
    ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[int, str]]:
    """``make run``'s server on a free port; the extract need not be valid to test HTTP."""
    work = tmp_path_factory.mktemp("server")
    extract = work / "emis.duckdb"
    extract.touch()  # make's $(DB) target exists: nothing is built
    port = free_port()
    command = make_run_command(DB=str(extract), PORT=str(port))
    log = work / "streamlit.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "-c", command], cwd=REPO, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, log)
        yield port, command
    finally:  # the shell and the server it started: their own process group
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def request(port: int, path: str, host: str | None = None,
            headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    con.putrequest("GET", path, skip_host=True)
    con.putheader("Host", host or f"127.0.0.1:{port}")
    for name, value in (headers or {}).items():
        con.putheader(name, value)
    con.endheaders()
    answer = con.getresponse()
    answer.read()
    con.close()
    return answer


def websocket_status(port: int, host: str, origin: str) -> int:
    key = base64.b64encode(os.urandom(16)).decode()
    return request(port, "/_stcore/stream", host, {
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
        "Sec-WebSocket-Version": "13", "Sec-WebSocket-Protocol": "streamlit",
        "Origin": origin}).status


def test_make_run_listens_on_this_machine_only(server):
    port, command = server
    assert "--server.address 127.0.0.1" in command
    addresses = listening_addresses(port)
    assert addresses, f"nothing listens on port {port}"
    assert addresses <= LOOPBACK, f"listening on {addresses}, not only on 127.0.0.1"


def test_make_run_host_opens_it_to_the_network():
    command = make_run_command(HOST="0.0.0.0", DB="Makefile")
    assert "--server.address 0.0.0.0" in command
    named = make_run_command(HOST="0.0.0.0", DB="Makefile", ALLOWED_HOSTS="explorer.example.org")
    assert re.findall(r"--server\.allowedHosts (\S+)", named) == ["'explorer.example.org'"]


def test_xsrf_protection_is_on(server):
    port, _ = server
    cookies = request(port, "/_stcore/health").headers.get_all("Set-Cookie") or []
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies), cookies


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/app/static/no-such-file"])
def test_no_other_site_may_frame_the_app(server, path):
    port, _ = server
    headers = request(port, path).headers
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_metrics_are_not_served(server):
    port, _ = server
    assert request(port, "/_stcore/metrics").status == 404
    assert request(port, "/_stcore/metrics/").status == 404


def test_a_foreign_host_is_refused(server):
    port, _ = server
    assert request(port, "/").status == 200
    assert request(port, "/", host=f"localhost:{port}").status == 200
    assert request(port, "/", host=FOREIGN_HOST).status == 400
    own = f"http://127.0.0.1:{port}"
    assert websocket_status(port, f"127.0.0.1:{port}", own) == 101
    assert websocket_status(port, FOREIGN_HOST, f"http://{FOREIGN_HOST}") != 101
    # another site's page may not open a WebSocket to the app (CORS is on)
    assert websocket_status(port, f"127.0.0.1:{port}", f"http://{FOREIGN_HOST}") != 101

