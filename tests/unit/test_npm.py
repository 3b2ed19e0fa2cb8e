"""Offline assets come from npm packages installed only when their sha512 is the pinned one."""
from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import pytest

from geo import assets
from lib import fonts, npm


def fake_tarball(payload: bytes) -> bytes:
    """A package tarball with every file the project takes, each holding ``payload``."""
    files = {fonts.PACKAGE.file, fonts.LICENCE_FILE}
    files |= {f for package in assets.PACKAGES for f in package.files}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for file in sorted(files):
            info = tarfile.TarInfo(f"package/{file}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def fake_npm(monkeypatch, tarball: bytes) -> None:
    """``npm pack`` writing ``tarball`` under the name npm would give it."""
    monkeypatch.setattr(npm.shutil, "which", lambda name: "/usr/bin/npm")

    def run(args, **kwargs):
        spec, into = args[2], Path(args[4])
        name, _, version = spec.rpartition("@")
        (into / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz").write_bytes(tarball)
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(npm.subprocess, "run", run)


def test_a_tarball_with_another_checksum_is_refused(tmp_path, monkeypatch):
    fake_npm(monkeypatch, fake_tarball(b"not leaflet"))
    with pytest.raises(npm.FetchFailed, match="sha512"):
        npm.pack("leaflet", "1.9.4", assets.PACKAGES[0].integrity, tmp_path)


def test_the_map_assets_and_the_font_install_nothing_unverified(tmp_path, monkeypatch, capsys):
    fake_npm(monkeypatch, fake_tarball(b"not the real file"))
    static = tmp_path / "static"
    assert assets.main(["--static", str(static)]) == 1
    assert fonts.main(["--static", str(static)]) == 1
    assert "sha512" in capsys.readouterr().err
    assert not assets.installed(static) and not fonts.installed(static)
    assert not [p for p in static.rglob("*") if p.is_file()]


def test_a_verified_tarball_is_extracted(tmp_path, monkeypatch):
    tarball = fake_tarball(b"payload")
    probe = tmp_path / "probe.tgz"
    probe.write_bytes(tarball)
    fake_npm(monkeypatch, tarball)
    packed = npm.pack("leaflet", "1.9.4", npm.integrity_of(probe), tmp_path)
    npm.extract(packed, [("dist/leaflet.js", tmp_path / "out" / "leaflet.js")])
    assert (tmp_path / "out" / "leaflet.js").read_bytes() == b"payload"


def test_the_served_files_are_in_place():
    assert assets.installed() and fonts.installed(), "run make assets"
