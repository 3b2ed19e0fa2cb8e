"""The JavaScript and CSS the maps need, served by the app itself: never by a CDN.

Folium's elements load Leaflet, its plugins, jQuery, Bootstrap and Font Awesome from public
CDNs, which a ministry intranet cannot reach. The files listed in :data:`PACKAGES` are
fetched once at setup (``python -m geo.assets``, run by ``make run`` and ``make test``)
from the npm registry with npm's own client, checked against the pinned sha512 integrity of
each package (the value the registry publishes as ``dist.integrity``) and copied into
``static/``, which Streamlit serves at ``/app/static/`` (``server.enableStaticServing``).

A map in the app links to those files; a downloaded map carries them inlined
(:func:`inline_html`), so it opens with no network at all.
"""
from __future__ import annotations

import base64
import mimetypes
import re
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lib import npm
from lib.npm import STATIC_DIR

STAMP = ".assets"  # written last in STATIC_DIR: the pins of the files in place


@dataclass(frozen=True)
class Package:
    """One npm package version and the files taken from its tarball."""

    name: str
    version: str
    integrity: str  # "sha512-<base64>", as the npm registry publishes it
    files: tuple[str, ...]  # paths inside the tarball's "package/" folder

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package("leaflet", "1.9.4",
            "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
            ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png",
             "dist/images/layers-2x.png", "dist/images/marker-icon.png",
             "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png", "LICENSE")),
    Package("leaflet.markercluster", "1.5.3",
            "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
            ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
             "dist/MarkerCluster.Default.css", "MIT-LICENCE.txt")),
    Package("jquery", "3.7.1",
            "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
            ("dist/jquery.min.js", "LICENSE.txt")),
)

_BY_NAME = {package.name: package for package in PACKAGES}

# What each folium element class loads, as (folium's resource name, package, file). Folium's
# own names are kept so that elements sharing a resource load it once.
LEAFLET_JS = [("leaflet", "leaflet", "dist/leaflet.js"),
              # folium.Map's template calls jQuery when objects are kept in front
              ("jquery", "jquery", "dist/jquery.min.js")]
LEAFLET_CSS = [("leaflet_css", "leaflet", "dist/leaflet.css")]
MARKERCLUSTER_JS = [("markerclusterjs", "leaflet.markercluster",
                     "dist/leaflet.markercluster.js")]
MARKERCLUSTER_CSS = [("markerclustercss", "leaflet.markercluster", "dist/MarkerCluster.css"),
                     ("markerclusterdefaultcss", "leaflet.markercluster",
                      "dist/MarkerCluster.Default.css")]


class AssetsMissing(RuntimeError):
    """``static/`` has not been filled: run ``make setup`` or ``python -m geo.assets``."""


def relative_path(package: str, file: str) -> str:
    """Where a package's file lies under ``static/`` (and under its URL)."""
    return f"{_BY_NAME[package].folder}/{file.removeprefix('dist/')}"


def links(resources: list[tuple[str, str, str]], base_url: str) -> list[tuple[str, str]]:
    """Folium's ``default_js``/``default_css`` form, ``(name, url)``, for served files."""
    base = base_url.rstrip("/")
    return [(name, f"{base}/{relative_path(package, file)}")
            for name, package, file in resources]


def installed(static_dir: Path = STATIC_DIR) -> bool:
    """Whether ``static_dir`` holds every pinned file of :data:`PACKAGES`."""
    return npm.stamped(static_dir, STAMP, _stamp_text())


def _stamp_text() -> str:
    return "".join(f"{p.name}@{p.version} {p.integrity}\n" for p in PACKAGES)


# --------------------------------------------------------------------------- fetching


def _install(package: Package, work: Path, static_dir: Path) -> None:
    tarball = npm.pack(package.name, package.version, package.integrity, work)
    target = static_dir / package.folder
    npm.extract(tarball, [(file, target / file.removeprefix("dist/")) for file in package.files])


def fetch(static_dir: Path = STATIC_DIR, log=print) -> None:
    """Fetch every package with ``npm pack``, verify it, and fill ``static_dir``."""
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / STAMP).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="emis-assets-") as work:
        for package in PACKAGES:
            log(f"    {package.name}@{package.version}")
            _install(package, Path(work), static_dir)
    (static_dir / STAMP).write_text(_stamp_text(), encoding="utf-8")


# --------------------------------------------------------------------------- inlining

_SCRIPT_SRC = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_CSS_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\((['\"]?)([^'\")]+)\1\)")


@lru_cache(maxsize=32)  # the scripts and styles of static/ a map inlines
def _file_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _local_file(url: str, base_url: str, static_dir: Path) -> Path:
    base = base_url.rstrip("/") + "/"
    if not url.startswith(base):
        raise ValueError(f"{url} is not an asset served under {base}: not inlined")
    path = (static_dir / url[len(base):]).resolve()
    if static_dir.resolve() not in path.parents or not path.is_file():
        raise AssetsMissing(f"{url}: no such file under {static_dir} (run python -m geo.assets)")
    return path


def _css_with_data_urls(path: Path) -> str:
    """A stylesheet with the images it references (``url(images/x.png)``) as data URLs."""
    def data_url(match: re.Match) -> str:
        ref = match.group(2)
        if ref.startswith(("data:", "#")):
            return match.group(0)
        image = (path.parent / ref).resolve()
        if not image.is_file():
            return match.group(0)
        kind = mimetypes.guess_type(image.name)[0] or "application/octet-stream"
        return f"url(data:{kind};base64,{base64.b64encode(image.read_bytes()).decode()})"
    return _CSS_URL.sub(data_url, _file_text(path))


def _script_safe(text: str) -> str:
    """Script text that cannot close its ``<script>`` element early."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)


def inline_html(html: str, base_url: str, static_dir: Path = STATIC_DIR) -> str:
    """``html`` with every ``<script src>`` and stylesheet link under ``base_url`` replaced
    by the file's content, so the page needs no network. Any other external link is an
    error: a downloaded map must not reach out."""
    html = _SCRIPT_SRC.sub(lambda m: "<script>" + _script_safe(_file_text(
        _local_file(m.group(1), base_url, static_dir))) + "</script>", html)
    html = _CSS_LINK.sub(lambda m: "<style>" + re.sub(r"</(style)", r"<\\/\1", _css_with_data_urls(
        _local_file(m.group(1), base_url, static_dir)), flags=re.IGNORECASE) + "</style>", html)
    return html


def main(argv: list[str] | None = None) -> int:
    return npm.fetch_command(argv, prog="python -m geo.assets",
                             what="the map's JavaScript and CSS (Leaflet and plugins)",
                             installed=installed, fetch=fetch, errors=(AssetsMissing,))


if __name__ == "__main__":
    sys.exit(main())
