"""Another country's census in a real browser: every page names the admin levels as that
country's profile does and speaks only the profile's languages.

"Testland" is the small demo package with a country.toml of its own (name, English only,
levels "Region" and "Municipality"); nothing else is renamed. No page may then say
province or district, or show Lao script, or offer a language picker.
"""
from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lib.i18n import t
from tests.e2e.conftest import serve
from tests.e2e.test_browser import real_errors

TIMEOUT_MS = 60_000
SCREENSHOTS = Path("/tmp/words")  # looked at when the test was written
PAGES = {"overview": "/?lang=lo",  # Lao is no language of Testland: English
         "map": "/map", "indicators": "/indicators", "equity": "/equity",
         "trends": "/trends", "schools": "/schools", "data-quality": "/data-quality",
         "about": "/about"}
LAO_WORDS = re.compile(r"\b(provinces?|districts?)\b", re.IGNORECASE)
LAO_SCRIPT = re.compile(r"[\u0E80-\u0EFF]+")

TESTLAND_LEVELS = '''[[admin_levels]]
id = "region"
name = { en = "Region" }
plural = { en = "Regions" }
polygons = true

[[admin_levels]]
id = "municipality"
name = { en = "Municipality" }
plural = { en = "Municipalities" }
polygons = true

'''


def profile_of_testland(text: str) -> str:
    """The demo's country.toml with Testland's name, languages and admin levels."""
    text = re.sub(r'(?m)^name = .*$', 'name = "Testland"', text, count=1)
    text = re.sub(r'(?m)^name_local = .*$', 'name_local = "Testland"', text, count=1)
    text = re.sub(r'(?m)^languages = .*$', 'languages = ["en"]', text, count=1)
    start = text.index("[[admin_levels]]")
    end = text.index("[package]")
    text = text[:start] + TESTLAND_LEVELS + text[end:]
    assert "ແຂວງ" not in text and "Province" not in text
    return text


@pytest.fixture(scope="module")
def testland(chromium, demo_package, tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """The app serving an extract of Testland, built from a copy of the demo package: its
    base URL, and the names of its areas (data, which may say "Vientiane Province")."""
    from lib import db
    from lib.cli import main

    package = tmp_path_factory.mktemp("testland") / "package"
    shutil.copytree(demo_package, package)
    profile = package / "country.toml"
    profile.write_text(profile_of_testland(profile.read_text(encoding="utf-8")), encoding="utf-8")
    extract = package.parent / "emis.duckdb"
    assert main(["build", "--source", str(package), "--db", str(extract),
                 "--no-report-frames"]) == 0  # not about reports
    with db.connect_current(extract) as con:
        names = db.admin_units(con)["name_en"].dropna().astype(str).tolist()
    with serve(extract, "streamlit-testland.log") as base:
        yield base, sorted(set(names), key=len, reverse=True)


def visible_text(page) -> str:
    """What a reader sees: the page's text and that of its frames (the maps)."""
    texts = [page.inner_text("body")]
    for frame in page.frames[1:]:
        try:
            texts.append(frame.inner_text("body", timeout=5_000))
        except Exception:  # noqa: BLE001 - a frame gone or empty: nothing to read
            pass
    return "\n".join(texts)


def text_of_a_full_page(page, timeout_s: float = TIMEOUT_MS / 1000) -> str:
    """The page's visible text once its sections have arrived: a page is drawn piece by
    piece, and on a busy machine its last sections (the catalogue's tabs) may arrive seconds
    after its heading. Returns what is there after the timeout, for the caller to judge."""
    deadline = time.monotonic() + timeout_s
    text = visible_text(page)
    while len(text) <= 500 and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        text = visible_text(page)
    return text


def test_another_country_reads_its_own_words_on_every_page(testland, tab):
    testland_url, area_names = testland
    assert_own_words_on_every_page(tab, testland_url, area_names, ("Region", "Municipality"),
                                   SCREENSHOTS)


@pytest.fixture(scope="module")
def tridia(chromium, tmp_path_factory) -> Iterator[tuple[str, list[str]]]:
    """The app serving Tridia (tests/fixtures/admin_levels.py): three levels, the middle one
    without polygons; its base URL and the names of its areas."""
    from lib.build import build_extract
    from tests.fixtures.admin_levels import ADMIN_UNITS, write_three_level_package

    package = write_three_level_package(tmp_path_factory.mktemp("tridia") / "package")
    extract = package.parent / "emis.duckdb"
    build_extract(package, extract)
    names = [line.split(",")[3] for line in ADMIN_UNITS.splitlines()[1:]]
    with serve(extract, "streamlit-tridia.log") as base:
        yield base, sorted(set(names), key=len, reverse=True)


def test_three_levels_read_their_own_words_on_every_page(tridia, tab):
    """Every page over three levels, one without polygons: the sidebar has a list for each,
    and no page says province or district, or shows Lao script."""
    url, area_names = tridia
    assert_own_words_on_every_page(tab, url, area_names,
                                   ("Region", "Division", "Circuit"), SCREENSHOTS / "tridia")


def assert_own_words_on_every_page(tab, base: str, area_names: list[str],
                                   levels: tuple[str, ...], screenshots: Path) -> None:
    from playwright.sync_api import expect

    page = tab.page
    screenshots.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for name, path in PAGES.items():
        page.set_viewport_size({"width": 1400, "height": 900})
        page.goto(base + path)
        expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_be_visible(
            timeout=TIMEOUT_MS)
        page.wait_for_timeout(1_500)  # let the page's last sections and frames arrive
        expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT_MS)
        sidebar = page.get_by_test_id("stSidebar")
        # the sidebar's filters may arrive after the page's first heading
        for level in levels:
            expect(sidebar.get_by_text(level, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        assert sidebar.get_by_text(t("filters.language"), exact=True).count() == 0, name
        text = text_of_a_full_page(page)
        assert len(text) > 500, (name, text)  # a page with content, not an error
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        for area in area_names:  # the data's own names are not the app's words
            text = text.replace(area, " ")
        said = sorted({text[max(m.start() - 40, 0):m.end() + 40].replace("\n", " | ")
                       for pattern in (LAO_WORDS, LAO_SCRIPT) for m in pattern.finditer(text)})
        if said:
            found[name] = said  # each with the words around it
    assert found == {}, "Lao PDR's words on another country's pages"
    assert not real_errors(tab), real_errors(tab)
