"""Several app processes on one machine behind nginx: ``make serve WORKERS=N``.

    python -m lib.cluster --workers 2 --port 8501 [--host 127.0.0.1] [--db data/emis.duckdb]
                         [--allowed-host explorer.example.org ...] [--run-dir DIR]

One Streamlit process runs one script at a time per core at best (Python's GIL), so a busy
portal needs several. This starts ``--workers`` app processes (``ui/server.py``, as
``make run`` does), each on ``127.0.0.1`` at ports ``--port + 1`` and up, all reading the same
read-only extract, and Debian's nginx in front of them on ``--host:--port``.

- **Sticky sessions.** A Streamlit session lives in one process: its WebSocket, its
  downloads (``/media/``) and its uploads must reach the process that holds it. nginx gives
  each browser a random ``emis_worker`` cookie on its first request and sends every request
  that carries it to the same process (consistent hashing on the cookie), so a browser stays
  with its process and new browsers spread over all of them.
- **A rebuilt extract** is noticed by every process on its own: each one checks the
  extract's build id before it reads (``ui/extract.py``), so a ``publish`` or a ``build``
  that replaces the file is served by all of them at their next run.
- **A process that dies** is started again; meanwhile nginx sends its browsers to another
  one (``proxy_next_upstream``), where Streamlit's page reconnects and starts a new session.
- ``SIGTERM`` or Ctrl-C stops nginx and every process.

Everything nginx writes (configuration, pid, logs, temporary files) goes to ``--run-dir``
(a temporary folder by default), so it runs without root and beside a system nginx. The
access log records, for each request, the process that answered (``$upstream_addr``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COOKIE = "emis_worker"
START_TIMEOUT_S = 120
NGINX_HINT = "nginx is not installed: apt-get install nginx (Debian's package)"


def find_nginx() -> str:
    """The nginx binary: on ``PATH``, else where Debian puts it."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not found:
        raise SystemExit(NGINX_HINT)
    return found


def _listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def nginx_conf(run_dir: Path, host: str, port: int, worker_ports: list[int]) -> str:
    """The nginx configuration of this module's docstring, everything under ``run_dir``."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                        for p in worker_ports)
    temp = run_dir / "tmp"
    return f"""\
# Written by lib/cluster.py: {len(worker_ports)} app processes behind one nginx.
worker_processes 1;
pid "{run_dir / 'nginx.pid'}";
error_log "{run_dir / 'error.log'}" warn;

events {{
    worker_connections 4096;
}}

http {{
    client_body_temp_path "{temp / 'body'}";
    proxy_temp_path "{temp / 'proxy'}";
    fastcgi_temp_path "{temp / 'fastcgi'}";
    uwsgi_temp_path "{temp / 'uwsgi'}";
    scgi_temp_path "{temp / 'scgi'}";
    client_max_body_size 500m;  # the app's upload limit (.streamlit/config.toml, maxUploadSize)

    # A browser's process: its cookie when it has a valid one, else a new random key.
    map $cookie_{COOKIE} ${COOKIE} {{
        "~^[0-9a-f]{{32}}$" $cookie_{COOKIE};
        default $request_id;
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    log_format emis '$time_iso8601 "$request" $status $upstream_addr ${COOKIE}';
    access_log "{run_dir / 'access.log'}" emis;

    upstream explorer {{
        hash ${COOKIE} consistent;
{servers}
    }}

    server {{
        listen {_listen(host, port)};

        location / {{
            proxy_pass http://explorer;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1d;  # a WebSocket stays open as long as its page
            proxy_send_timeout 1d;
            add_header Set-Cookie "{COOKIE}=${COOKIE}; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    """The app processes and nginx of this module's docstring; use it in a ``with`` block."""

    db: Path
    workers: int
    port: int
    host: str = "127.0.0.1"
    allowed_hosts: tuple[str, ...] = ()
    run_dir: Path | None = None
    quiet: bool = True
    processes: dict[int, subprocess.Popen] = field(default_factory=dict)  # port -> process
    nginx: subprocess.Popen | None = None
    _own_dir: tempfile.TemporaryDirectory | None = None

    @property
    def worker_ports(self) -> list[int]:
        return [self.port + 1 + i for i in range(self.workers)]

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{_listen(host, self.port)}"

    def _start_worker(self, port: int) -> subprocess.Popen:
        hosts = self.allowed_hosts or ("localhost", "127.0.0.1", "::1")
        args = [sys.executable, "-m", "streamlit", "run", "ui/server.py",
                "--server.port", str(port), "--server.address", "127.0.0.1",
                "--server.headless", "true"]
        for name in hosts:
            args += ["--server.allowedHosts", name]
        # Its own "You can now view your app" names a port nobody should open: not shown.
        return subprocess.Popen(args, cwd=REPO, env={**os.environ, "EMIS_DB": str(self.db)},
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL if self.quiet else None)

    def start(self) -> Cluster:
        nginx = find_nginx()
        if self.workers < 1:
            raise SystemExit("--workers must be 1 or more")
        if self.run_dir is None:
            self._own_dir = tempfile.TemporaryDirectory(prefix="emis-cluster-")
            self.run_dir = Path(self._own_dir.name)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run_dir / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf(self.run_dir, self.host, self.port, self.worker_ports))
        for port in self.worker_ports:
            self.processes[port] = self._start_worker(port)
        for port in self.worker_ports:
            self._wait_healthy(port)
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_answering()
        return self

    def _wait_healthy(self, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.processes[port].poll() is not None:
                raise SystemExit(f"the app process on port {port} stopped while starting "
                                 f"(exit code {self.processes[port].returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"the app process on port {port} did not answer within "
                         f"{START_TIMEOUT_S} s")

    def _wait_answering(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                error = self.nginx.stderr.read().decode(errors="replace").strip()
                raise SystemExit(f"nginx did not start: {error}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"nginx did not answer at {self.url} within 20 s")

    def supervise_once(self) -> None:
        """Start again every app process that stopped; fail if nginx stopped."""
        if self.nginx is not None and self.nginx.poll() is not None:
            raise SystemExit(f"nginx stopped (exit code {self.nginx.returncode}); "
                             f"see {self.run_dir / 'error.log'}")
        for port, process in list(self.processes.items()):
            if process.poll() is not None:
                print(f"app process on port {port} stopped (exit code {process.returncode}); "
                      "starting it again", file=sys.stderr, flush=True)
                self.processes[port] = self._start_worker(port)

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes.values()]

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()  # open WebSockets would hold a graceful stop
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self._own_dir is not None:
            self._own_dir.cleanup()

    def __enter__(self) -> Cluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m lib.cluster",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="app processes (default: one per core)")
    parser.add_argument("--port", type=int, default=8501,
                        help="nginx's port; the processes take the next ones")
    parser.add_argument("--host", default="127.0.0.1", help="nginx's address")
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("EMIS_DB")
                                                         or "data/emis.duckdb"))
    parser.add_argument("--allowed-host", action="append", default=[],
                        help="a host name the app answers to (repeat; default: this machine)")
    parser.add_argument("--run-dir", type=Path, default=None,
                        help="where nginx's configuration and logs go (default: temporary)")
    args = parser.parse_args(argv)
    if not args.db.exists():
        raise SystemExit(f"no extract at {args.db}: build one first (make demo, or "
                         "python -m lib build)")
    cluster = Cluster(db=args.db.resolve(), workers=args.workers, port=args.port,
                      host=args.host, allowed_hosts=tuple(args.allowed_host),
                      run_dir=args.run_dir, quiet=False)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with cluster:
        print(f"==> the explorer is served at {cluster.url} by {args.workers} processes "
              f"(ports {cluster.worker_ports[0]}–{cluster.worker_ports[-1]}); nginx's files "
              f"in {cluster.run_dir}", flush=True)
        try:
            while not stopping:
                cluster.supervise_once()
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
