"""The README's reverse-proxy example (issue 11, item 9) does what the notes say: TLS, the
same headers as the app's own (``serve.HEADERS``) plus a full Content-Security-Policy, host
names checked, ``/_stcore/metrics`` closed, the WebSocket upgraded, the port ``make run``
serves. Read from the README, so the example cannot drift from the app.

Where nginx is installed, ``nginx -t`` must accept the example too (with a throwaway
certificate); the checks of its text run everywhere.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ui.server import HEADERS

REPO = Path(__file__).resolve().parents[2]
SERVER_NAME = "explorer.example.org"


def readme_nginx() -> str:
    """The nginx example of the README's Deployment section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```nginx\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the Deployment section should have one nginx example"
    return blocks[0]


def _servers(config: str) -> list[str]:
    """The text of each top-level ``server { … }`` block."""
    found, depth, start = [], 0, None
    for match in re.finditer(r"\bserver\s*\{|\{|\}", config):
        if match.group().startswith("server") and depth == 0:
            start = match.start()
        if match.group().endswith("{"):
            depth += 1
        else:
            depth -= 1
            if depth == 0 and start is not None:
                found.append(config[start:match.end()])
                start = None
    return found


def added_headers(block: str) -> dict[str, str]:
    return {name: value for name, value in
            re.findall(r'^\s*add_header\s+(\S+)\s+"([^"]*)"\s+always;', block, re.MULTILINE)}


def readme_csp() -> str:
    """The Content-Security-Policy of the README's example."""
    return added_headers(readme_nginx())["Content-Security-Policy"]


def _app_server() -> str:
    found = [s for s in _servers(readme_nginx()) if "proxy_pass" in s]
    assert len(found) == 1
    return found[0]


def test_the_app_is_served_over_tls_under_its_name_only():
    servers = _servers(readme_nginx())
    app = _app_server()
    assert re.search(r"listen\s+443\s+ssl", app)
    assert re.search(rf"server_name\s+{re.escape(SERVER_NAME)};", app)
    assert "ssl_certificate " in app and "ssl_certificate_key " in app
    assert "Strict-Transport-Security" in added_headers(app)
    plain = [s for s in servers if re.search(r"listen\s+80;", s)]
    assert plain and all("return 301 https://" in s for s in plain)
    others = [s for s in servers if "default_server" in s]
    assert len(others) == 1 and "return 444;" in others[0], "unknown host names answered"
    assert "ssl_reject_handshake on;" in others[0]


def test_the_proxy_sends_the_apps_headers_and_no_duplicates():
    app = _app_server()
    headers = added_headers(app)
    for name, value in HEADERS.items():
        assert re.search(rf"proxy_hide_header\s+{name};", app), name
        if name == "Content-Security-Policy":
            assert value in headers[name]
        else:
            assert headers[name] == value, name


def test_the_content_security_policy_allows_only_the_app():
    directives = dict(d.strip().split(" ", 1) for d in readme_csp().split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["connect-src"] == f"'self' wss://{SERVER_NAME}"
    for name, sources in directives.items():
        assert "*" not in sources.split() and "http:" not in sources and "https:" not in \
            sources, f"{name} allows other hosts: {sources}"


def test_metrics_are_closed_and_the_websocket_upgraded():
    app = _app_server()
    assert re.search(r"location\s+\^~\s+/_stcore/metrics\s*\{\s*return\s+404;\s*\}", app)
    make_port = re.search(r"^PORT\s*\?=\s*(\d+)", (REPO / "Makefile").read_text(),
                          re.MULTILINE).group(1)
    assert f"proxy_pass http://127.0.0.1:{make_port};" in app
    assert "proxy_http_version 1.1;" in app
    assert "proxy_set_header Upgrade $http_upgrade;" in app
    assert "proxy_set_header Connection $connection_upgrade;" in app
    assert "proxy_set_header Host $host;" in app


def test_nginx_accepts_the_example(tmp_path):
    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not nginx or not openssl:
        pytest.skip("nginx or openssl not installed: the example's text is checked above")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    example = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", readme_nginx())
    example = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", example)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{\n{example}\n}}\n")
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "e.log"),
                              "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
