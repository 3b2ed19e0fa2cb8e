"""Files the app serves itself, taken from npm packages: fetched once with npm's own client,
and installed only when the tarball matches the sha512 the registry published for it.

They go into ``static/``, which Streamlit serves at ``/app/static/``; a stamp file written
last says which pinned versions are in place (:func:`stamped`). The map assets
(:mod:`geo.assets`) and the Lao font (:mod:`lib.fonts`) are fetched this way, each by a
command line made by :func:`fetch_command`.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STATIC_DIR = REPO / "static"
STATIC_URL = "/app/static"  # where Streamlit serves STATIC_DIR (before any base URL path)


class FetchFailed(RuntimeError):
    """A package could not be fetched, or was not the one pinned."""


def integrity_of(path: Path) -> str:
    """The file's integrity as the npm registry writes it: ``sha512-<base64>``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def pack(name: str, version: str, integrity: str, into: Path) -> Path:
    """``npm pack name@version`` into ``into``; the tarball, checked against ``integrity``."""
    npm = shutil.which("npm")
    spec = f"{name}@{version}"
    if npm is None:
        raise FetchFailed(f"npm is needed once to fetch {spec} into static/ "
                          "(apt-get install npm)")
    done = subprocess.run([npm, "pack", spec, "--pack-destination", str(into), "--silent"],
                          capture_output=True, text=True, cwd=into)
    if done.returncode != 0:
        raise FetchFailed(f"npm pack {spec} failed:\n{done.stderr.strip()}")
    found = sorted(into.glob(f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"))
    if not found:
        raise FetchFailed(f"npm pack {spec} wrote no tarball")
    actual = integrity_of(found[0])
    if actual != integrity:
        raise FetchFailed(f"{spec}: the tarball's sha512 is {actual}, not the pinned "
                          f"{integrity}; not installed")
    return found[0]


def served_url(base_url_path: str = "") -> str:
    """The URL under which Streamlit serves ``static/``, given ``server.baseUrlPath``."""
    prefix = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return prefix + STATIC_URL


def stamped(static_dir: Path, stamp: str, pins: str) -> bool:
    """Whether the stamp file ``stamp`` in ``static_dir`` names exactly these pins."""
    path = static_dir / stamp
    return path.is_file() and path.read_text(encoding="utf-8") == pins


def fetch_command(argv: list[str] | None, *, prog: str, what: str,
                  installed: Callable[[Path], bool], fetch: Callable[[Path], None],
                  errors: tuple[type[Exception], ...], when_in_place=None) -> int:
    """The command line that fills ``static/`` with ``what`` once (``--force``: again);
    ``when_in_place(static_dir)`` runs when it is already there."""
    parser = argparse.ArgumentParser(prog=prog, description=f"Fetch {what} into static/ "
                                                            "(once; verified by sha512).")
    parser.add_argument("--static", type=Path, default=STATIC_DIR,
                        help="folder to fill (default: static/ of the project)")
    parser.add_argument("--force", action="store_true", help="fetch even if in place")
    args = parser.parse_args(argv)
    if installed(args.static) and not args.force:
        if when_in_place is not None:
            when_in_place(args.static)
        print(f"==> {what} in place in {args.static}")
        return 0
    print(f"==> fetching {what} into {args.static}")
    try:
        fetch(args.static)
    except (*errors, FetchFailed) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def extract(tarball: Path, files: Iterable[tuple[str, Path]]) -> None:
    """Copy each (path inside the package, destination) out of an npm tarball."""
    with tarfile.open(tarball, "r:gz") as archive:
        for inner, out in files:
            data = archive.extractfile(archive.getmember(f"package/{inner}"))
            if data is None:
                raise FetchFailed(f"{tarball.name}: {inner} is not a file in the package")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data.read())
