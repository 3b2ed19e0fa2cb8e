"""Files the app serves itself, taken from npm packages: fetched once with npm's own client,
and installed only when the tarball matches the sha512 the registry published for it."""
from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import tarfile
from collections.abc import Iterable
from pathlib import Path


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


def extract(tarball: Path, files: Iterable[tuple[str, Path]]) -> None:
    """Copy each (path inside the package, destination) out of an npm tarball."""
    with tarfile.open(tarball, "r:gz") as archive:
        for inner, out in files:
            data = archive.extractfile(archive.getmember(f"package/{inner}"))
            if data is None:
                raise FetchFailed(f"{tarball.name}: {inner} is not a file in the package")
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data.read())
