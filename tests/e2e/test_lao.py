"""Every page in Lao (``?lang=lo``) in headless Chromium, on a browser that has no Lao font of
its own: no English string of the app's catalogues is left, Lao glyphs come from the font the
app serves (requested on localhost, loaded, used), and nothing leaves the machine.

Chromium is started with a fontconfig that hides every font of the machine with Lao glyphs, so
a Lao character that is drawn at all is drawn by the served Noto Sans Lao. Screenshots go to
``tests/e2e/artifacts/lao-*.png``: look at them, Lao must read as Lao, not boxes.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from lib import fonts
from lib.i18n import catalogue
from tests.e2e.conftest import CHROMIUM_ARGS, REPO, Tab
from tests.e2e.test_browser import real_errors, screenshot

TIMEOUT_MS = 60_000
LAO = re.compile(r"[\u0E80-\u0EFF]")
FIELD = re.compile(r"\{[^{}]*\}")
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def registered_pages() -> list[str]:
    """The URL path of every page app.py registers ("" for the default page)."""
    paths = []
    for node in ast.walk(ast.parse((REPO / "app.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page":
            url_path = next((kw.value.value for kw in node.keywords if kw.arg == "url_path"),
                            None)
            default = any(kw.arg == "default" and getattr(kw.value, "value", False)
                          for kw in node.keywords)
            paths.append("" if default else url_path)
    assert paths and all(p is not None for p in paths), paths
    return paths


@cache
def english_strings() -> dict[str, str]:
    """The English text a Lao page must not show: the literal parts (between ``{fields}``) of
    every English catalogue value that the Lao catalogue writes differently, and the English
    words of every indicator, longer than a few characters; each with the key it comes from."""
    from lib.country import parse_country
    from lib.indicators.registry import build_registry
    from lib.indicators.texts import FIELDS
    from lib.reference import LAO_COUNTRY_TOML

    english, lao = catalogue("en"), catalogue("lo")
    texts = {key: text for key, text in english.items() if lao.get(key) != text}
    registry = build_registry(parse_country(LAO_COUNTRY_TOML.read_text(encoding="utf-8")))
    for ind in registry:
        for field in FIELDS:
            if ind.text(field, "en") != ind.text(field, "lo"):
                texts[f"indicator {ind.id}.{field}"] = ind.text(field, "en")
    found: dict[str, str] = {}
    for key, text in texts.items():
        for part in FIELD.split(text.replace("**", "").replace("*", "")):
            part = part.strip(" .,:;()“”\n")
            words = re.findall(r"[A-Za-z]{3,}", part)
            if len(part) >= 8 and (len(words) >= 2 or (words and len(words[0]) >= 8)):
                found.setdefault(part, key)
    return found


def _fonts_without_lao() -> list[Path]:
    """This machine's font files that have no Lao glyph (DejaVu Sans, Noto Sans Lao… do)."""
    if not shutil.which("fc-list"):
        return []

    def listed(*pattern: str) -> set[str]:
        done = subprocess.run(["fc-list", "--format", "%{file}\n", *pattern],
                              capture_output=True, text=True, check=False)
        return set(done.stdout.split())

    return sorted(Path(f) for f in listed() - listed(":charset=0e81") if Path(f).is_file())


def _font_config(directory: Path) -> Path:
    """A fontconfig that sees every font of this machine except those with Lao glyphs."""
    fonts_dir = directory / "fonts"
    fonts_dir.mkdir()
    for i, font in enumerate(_fonts_without_lao()):
        (fonts_dir / f"{i}-{font.name}").symlink_to(font)
    dirs = f"<dir>{fonts_dir}</dir>"
    path = directory / "fonts.conf"
    path.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig>{dirs}<cachedir>{directory / 'cache'}</cachedir></fontconfig>",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lao_browser(chromium, browser, tmp_path_factory):
    """Chromium that sees no font of the machine with Lao glyphs (a second browser of the
    session's Playwright: one Playwright runs at a time)."""
    if not fonts.installed():
        pytest.fail("the Lao web font is not in static/: run `make assets` "
                    "(python -m lib.fonts)", pytrace=False)
    config = _font_config(tmp_path_factory.mktemp("fontconfig"))
    lao = browser.browser_type.launch(executable_path=chromium, args=CHROMIUM_ARGS,
                                      env={**os.environ, "FONTCONFIG_FILE": str(config)})
    yield lao
    lao.close()


@pytest.fixture
def lao_tab(lao_browser) -> Iterator[Tab]:
    context = lao_browser.new_context(viewport={"width": 1400, "height": 900})
    recorded = Tab(context.new_page())
    # Each page must fetch the font itself (not reuse one an earlier test's page loaded).
    context.new_cdp_session(recorded.page).send("Network.setCacheDisabled",
                                                {"cacheDisabled": True})
    recorded.page.on("request", lambda request: recorded.requests.append(request.url))
    recorded.page.on("console", lambda msg: recorded.console_errors.append(
        (msg.text, msg.location.get("url", ""))) if msg.type == "error" else None)
    recorded.page.on("pageerror", lambda exc: recorded.console_errors.append((str(exc), "")))
    yield recorded
    context.close()


@pytest.fixture(scope="module")
def a_school(demo_extract) -> str:
    from lib import db

    with db.connect_current(demo_extract) as con:
        (school_id,) = con.execute("SELECT school_id FROM schools WHERE has_location "
                                   "ORDER BY school_id LIMIT 1").fetchone()
    return school_id


def open_in_lao(tab: Tab, url: str) -> None:
    """Open ``url`` and wait until it has settled."""
    tab.page.goto(url)
    settle(tab)


def settle(tab: Tab) -> None:
    """Wait until the page has its title, has drawn every element, chart, map and the Lao
    font, and has stopped running."""
    from playwright.sync_api import expect

    page = tab.page
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT_MS)
    # Streamlit draws a skeleton for each element still to come
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT_MS)
    for i in range(page.locator(MAP_FRAME).count()):
        frame = page.frame_locator(MAP_FRAME).nth(i)
        frame.locator("path.leaflet-interactive").first.wait_for(state="attached",
                                                                  timeout=TIMEOUT_MS)
    for chart in page.get_by_test_id("stVegaLiteChart").all():
        expect(chart.locator("canvas, svg").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=TIMEOUT_MS)
    page.wait_for_function("""() => [...document.fonts].some(f => f.status === 'loaded'
        && f.unicodeRange.toUpperCase().includes('E81'))""", timeout=TIMEOUT_MS)
    page.evaluate("document.fonts.ready.then(() => true)")


def page_text(tab: Tab) -> str:
    """The text of the page and of its frames (maps), as shown."""
    texts = [tab.page.locator("body").inner_text()]
    for frame in tab.page.frames[1:]:
        body = frame.locator("body")
        if body.count():
            texts.append(body.inner_text())
    return "\n".join(texts)


def english_left(text: str) -> list[str]:
    """The English strings in ``text``, as whole words (``enrolment`` is not in the indicator
    id ``enrolment_primary``, nor ``indicator`` in a command's option ``--indicator``)."""
    return sorted(f"{key}: {part!r}" for part, key in english_strings().items()
                  if part in text and re.search(rf"(?<![\w-]){re.escape(part)}(?!\w)", text))


def assert_lao_font_served_and_used(tab: Tab) -> None:
    page = tab.page
    font_file = fonts.relative_path()
    requested = [url for url in tab.requests if url.endswith(font_file)]
    assert requested, "the page did not request the Lao web font"
    assert all(re.match(r"https?://(127\.0\.0\.1|localhost)(:\d+)?/", url) for url in requested)
    loaded = page.evaluate("""() => [...document.fonts]
        .filter(f => f.status === 'loaded' && f.unicodeRange.toUpperCase().includes('E81'))
        .map(f => f.family)""")
    assert fonts.EXTENDED_FAMILIES[0] in [name.strip('"') for name in loaded], loaded
    # Lao drawn in the app's font has the served font's widths, not those of a font
    # without Lao glyphs (boxes): the same glyphs as the served family itself.
    widths = page.evaluate("""async ([family, served]) => {
        const lao = 'ສົກຮຽນນັກຮຽນ';
        await document.fonts.load(`24px "${served}"`, lao);
        const ctx = document.createElement('canvas').getContext('2d');
        const width = (font) => { ctx.font = font; return ctx.measureText(lao).width; };
        return [width(`24px "${family}"`), width(`24px "${served}"`),
                width('24px "Liberation Sans"')]; }""",
                           [fonts.EXTENDED_FAMILIES[0], fonts.FAMILY])
    assert widths[0] == widths[1] != widths[2], widths


def lao_urls() -> list[str]:
    return [f"/{path}?lang=lo" for path in registered_pages()]


@pytest.mark.parametrize("path", lao_urls())
def test_every_page_reads_in_lao_with_the_served_font(app_url, lao_tab, path):
    open_in_lao(lao_tab, app_url + path)
    name = "lao-" + (path.split("?")[0].strip("/") or "overview")
    screenshot(lao_tab, name)
    text = page_text(lao_tab)
    assert len(LAO.findall(text)) > 100, "hardly any Lao on the page"
    assert english_left(text) == [], f"English catalogue strings on {path}"
    assert_lao_font_served_and_used(lao_tab)
    assert not lao_tab.foreign_requests(), lao_tab.foreign_requests()
    assert not real_errors(lao_tab), real_errors(lao_tab)


def test_profiles_and_notices_read_in_lao(app_url, lao_tab, a_school, demo_extract):
    from lib import db

    with db.connect_current(demo_extract) as con:
        province = db.admin_units(con, level=1).iloc[0]
    for path, name in [(f"/?lang=lo&area={province['code']}", "lao-overview-province"),
                       (f"/schools?lang=lo&school={a_school}", "lao-school-profile"),
                       ("/about?lang=lo&year=1899", "lao-notice")]:
        open_in_lao(lao_tab, app_url + path)
        screenshot(lao_tab, name)
        text = page_text(lao_tab)
        assert english_left(text) == [], f"English catalogue strings on {path}"
        if "area=" in path:  # the local name, with the English name beside it (sidebar)
            both = f"{province['name_local']} ({province['name_en']})"
            assert lao_tab.page.get_by_test_id("stSidebar").get_by_text(both).count() \
                or lao_tab.page.locator(f'input[value="{both}"]').count(), both
        if "year=1899" in path:
            assert "1899" in text and "ສົກຮຽນ" in text
    assert_lao_font_served_and_used(lao_tab)
    assert not lao_tab.foreign_requests(), lao_tab.foreign_requests()
    assert not real_errors(lao_tab), real_errors(lao_tab)


def test_the_catalogues_strings_are_found_when_left_in_english():
    """The check above can fail: English text of the catalogues is recognised."""
    english = catalogue("en")
    text = f"ພາບລວມ {english['overview.gaps.heading']} ສົກຮຽນ"
    assert any("overview.gaps.heading" in line for line in english_left(text))
    assert english_left("ພາບລວມ ສົກຮຽນ 2023–2024 ນັກຮຽນ 1,234") == []


def test_the_language_switch_changes_everything_at_once(app_url, lao_tab):
    """From English, the sidebar's language box turns the whole page Lao and puts it in the
    URL; the filters chosen stay chosen."""
    from playwright.sync_api import expect

    page = lao_tab.page
    page.goto(app_url + "/trends?year=2022")
    english = catalogue("en")
    expect(page.get_by_role("heading", name=english["trends.title"])).to_be_visible(
        timeout=TIMEOUT_MS)
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(
        has_text=english["filters.language"])
    box.click()
    page.get_by_role("option", name=catalogue("lo")["language.lo"]).click()
    expect(page.get_by_role("heading", name=catalogue("lo")["trends.title"])).to_be_visible(
        timeout=TIMEOUT_MS)
    settle(lao_tab)
    assert "lang=lo" in page.url and "year=2022" in page.url
    # The status widget shows a run only after a moment: the run that turned the heading
    # Lao may still be drawing its last sections (the charts' downloads) when it is hidden.
    left = english_left(page_text(lao_tab))
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while left and time.monotonic() < deadline:
        page.wait_for_timeout(250)  # polling interval, not a wait for something to happen
        settle(lao_tab)
        left = english_left(page_text(lao_tab))
    screenshot(lao_tab, "lao-switched")
    assert left == []
    assert_lao_font_served_and_used(lao_tab)
    assert not lao_tab.foreign_requests(), lao_tab.foreign_requests()
