"""The Lao web font, served by the app itself: Lao text must render on a machine (a district
office PC, a phone) that has no Lao font installed, without any font CDN.

Noto Sans Lao (SIL Open Font License), as one variable font (weights 100-900) of the Lao
characters only (21 KB), comes from the npm package ``@fontsource-variable/noto-sans-lao``,
fetched once at setup (``python -m lib.fonts``, run by ``make run`` and ``make test`` through
the Makefile's ``assets`` target) with npm's own client, checked against the pinned sha512
integrity the registry publishes (``dist.integrity``), and copied into ``static/``, which
Streamlit serves at ``/app/static/`` (``server.enableStaticServing``).

:func:`font_face_css` declares the font under :data:`FAMILY` for the Lao block only
(``unicode-range``), and also adds that range to the families the app already uses (Streamlit's
"Source Sans", the charts' "Source Sans Pro"): the browser then draws Lao characters with
Noto Sans Lao wherever those families are used, in pages and in charts drawn on a canvas, and
downloads the font only when a page shows Lao text. A map (an iframe of its own) puts the same
CSS in its HTML; a downloaded map inlines the font (``inline=True``).

This module does not import streamlit (``ui/fonts.py`` injects the CSS into the page).
"""
from __future__ import annotations

import base64
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lib import npm
from lib.npm import STATIC_DIR, STATIC_URL

STAMP = ".fonts"  # written last in STATIC_DIR: the pin of the font files in place

#: The font family to name in CSS or chart configs for Lao text: ``font-family: "EMIS Noto
#: Sans Lao", sans-serif``. A name of its own, so that the served font is used even where a
#: different "Noto Sans Lao" is installed.
FAMILY = "EMIS Noto Sans Lao"
#: Families the app already uses that get Lao glyphs from the served font: Streamlit's body
#: font (a variable font declared for weights 100-900, upright and italic) and the font the
#: Altair charts name (ui/chart_export.py). A face added to a family must have the same
#: weight range and style as the family's own faces, else the browser treats it as another
#: face and draws Latin text of that weight with a fallback font.
EXTENDED_FAMILIES = ("Source Sans", "Source Sans Pro")
#: The family the maps' CSS names first (geo/mapping.py): the stylesheet for maps gives it Lao.
MAP_FAMILY = "Source Sans Pro"
#: The Lao block (as the font package subsets it), the joiners and the dotted circle shown
#: with a lone combining vowel or tone mark.
UNICODE_RANGE = "U+0E81-0EDF, U+200C-200D, U+25CC"
#: A CSS ``font-family`` value for text that may be Lao or English.
STACK = f'"Source Sans", "Source Sans Pro", "{FAMILY}", sans-serif'


@dataclass(frozen=True)
class FontPackage:
    name: str
    version: str
    integrity: str  # "sha512-<base64>", as the npm registry publishes it
    file: str  # the variable woff2 file of the Lao subset, inside the tarball's package/
    weights: str  # its weight axis, as a CSS font-weight range

    @property
    def folder(self) -> str:
        return f"{self.name.rsplit('/', 1)[-1]}-{self.version}"


PACKAGE = FontPackage(
    "@fontsource-variable/noto-sans-lao", "5.3.0",
    "sha512-XeZu5Vu6K6jdnbbpYoYifYdbgT76/5ogUpEvRgzhev3chS6BKEI13fxsgaIVQAfzGfDn408vjRYUBxTUS7S8cg==",
    "files/noto-sans-lao-lao-wght-normal.woff2", "100 900")
LICENCE_FILE = "LICENSE"
STYLESHEET = "lao.css"  # written beside the font file: the @font-face rules, relative URL


class FontMissing(RuntimeError):
    """``static/`` holds no Lao font: run ``make assets`` or ``python -m lib.fonts``."""


def relative_path() -> str:
    """Where the font file lies under ``static/`` (and under its URL)."""
    return f"{PACKAGE.folder}/{PACKAGE.file.removeprefix('files/')}"


def font_url(base_url: str = STATIC_URL) -> str:
    """The URL of the font file."""
    return f"{base_url.rstrip('/')}/{relative_path()}"


def installed(static_dir: Path = STATIC_DIR) -> bool:
    """Whether ``static_dir`` holds the pinned font file."""
    return (npm.stamped(static_dir, STAMP, _stamp_text())
            and (static_dir / relative_path()).is_file()
            and (static_dir / PACKAGE.folder / STYLESHEET).is_file())


def _stamp_text() -> str:
    return f"{PACKAGE.name}@{PACKAGE.version} {PACKAGE.integrity}\n"


def _data_url(static_dir: Path) -> str:
    path = static_dir / relative_path()
    if not path.is_file():
        raise FontMissing(f"{path}: no such file (run python -m lib.fonts)")
    return "data:font/woff2;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def font_face_css(base_url: str = STATIC_URL, *, inline: bool = False,
                  static_dir: Path = STATIC_DIR) -> str:
    """``@font-face`` rules for Lao text: :data:`FAMILY`, and the Lao range of each of
    :data:`EXTENDED_FAMILIES`, upright and italic. The file is linked under ``base_url``, or
    embedded as a data URL with ``inline=True``."""
    return _rules(_data_url(static_dir) if inline else font_url(base_url))


def stylesheet_url(base_url: str = STATIC_URL) -> str:
    """The URL of a stylesheet with the same rules, the font linked relative to it: for a
    page of its own such as a map (``<link rel="stylesheet">``, which
    ``geo.assets.inline_html`` inlines, font included, into a downloaded map)."""
    return f"{base_url.rstrip('/')}/{PACKAGE.folder}/{STYLESHEET}"


def _rules(url: str, families: tuple[str, ...] = (FAMILY, *EXTENDED_FAMILIES),
           styles: tuple[str, ...] = ("normal", "italic")) -> str:
    return "\n".join(
        f'@font-face{{font-family:"{family}";font-style:{style};font-weight:{PACKAGE.weights};'
        f'font-display:swap;src:url("{url}") format("woff2");unicode-range:{UNICODE_RANGE};}}'
        for family in families for style in styles)


# --------------------------------------------------------------------------- fetching


def fetch(static_dir: Path = STATIC_DIR, log=print) -> None:
    """Fetch the font package with ``npm pack``, verify it, and copy the Lao woff2 file and
    the licence into ``static_dir``."""
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / STAMP).unlink(missing_ok=True)
    log(f"    {PACKAGE.name}@{PACKAGE.version}")
    with tempfile.TemporaryDirectory(prefix="emis-fonts-") as work:
        tarball = npm.pack(PACKAGE.name, PACKAGE.version, PACKAGE.integrity, Path(work))
        npm.extract(tarball, [(PACKAGE.file, static_dir / relative_path()),
                              (LICENCE_FILE, static_dir / PACKAGE.folder / LICENCE_FILE)])
    write_stylesheet(static_dir)
    (static_dir / STAMP).write_text(_stamp_text(), encoding="utf-8")


def write_stylesheet(static_dir: Path = STATIC_DIR) -> None:
    """Write :data:`STYLESHEET` beside the font file (the rules of this version of the code).

    Only the families a map names, upright (the browser slants it for italic text): a
    downloaded map embeds the font once per rule."""
    (static_dir / PACKAGE.folder).mkdir(parents=True, exist_ok=True)
    families = (FAMILY, MAP_FAMILY)
    (static_dir / PACKAGE.folder / STYLESHEET).write_text(
        f"/* Noto Sans Lao ({PACKAGE.name}@{PACKAGE.version}, SIL OFL 1.1): Lao glyphs for "
        f"{' and '.join(families)} */\n"
        + _rules(PACKAGE.file.removeprefix("files/"), families, ("normal",)) + "\n",
        encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    return npm.fetch_command(argv, prog="python -m lib.fonts",
                             what="the Lao web font (Noto Sans Lao)", installed=installed,
                             fetch=fetch, errors=(FontMissing,), when_in_place=write_stylesheet)


if __name__ == "__main__":
    sys.exit(main())
