"""Profile reports as PDF (lib.report): a district of the demo in English and Lao, read
back from the PDF (its text, its figures against the engine's, its pages, that no glyph is
missing) and rendered to images for a look (tests/e2e/artifacts/report-*.png)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.ttLib import TTFont

from lib import db, report
from lib.cli import main
from lib.groups import SplitWords
from lib.i18n import format_number, format_school_year, format_value
from lib.indicators import compute

ARTIFACTS = Path(__file__).resolve().parents[1] / "e2e" / "artifacts"


@pytest.fixture(scope="module")
def reports(demo_extract):
    con = db.connect_current(demo_extract)
    yield report.ExtractReports(con)
    con.close()


def _district(reports) -> tuple[str, str, str]:
    units = reports.units
    row = units[units["level"] == 2].sort_values("code").iloc[0]
    return row["code"], row["name_en"], row["name_local"]


def _fonts_of(pdf: bytes) -> tuple[str, list[tuple[str, str]]]:
    """The text of every page, and every character drawn with the name of its font."""
    doc = pdfium.PdfDocument(pdf)
    text, drawn = [], []
    buffer = (pdfium_c.c_char * 256)()
    flags = pdfium_c.c_int()
    for page in doc:
        textpage = page.get_textpage()
        text.append(textpage.get_text_range())
        for i in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            size = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buffer, 256, flags)
            drawn.append((char, bytes(buffer[:max(size - 1, 0)]).decode("utf-8", "replace")))
    return "\n".join(text), drawn


def _cmaps() -> dict[str, set[int]]:
    """The characters each of the report's fonts has (by the name the PDF gives it)."""
    dejavu = subprocess.run(["fc-match", "DejaVu Sans", "--format=%{file}"],
                            capture_output=True, text=True).stdout
    return {"NotoSansLao": set(TTFont(str(report.lao_truetype())).getBestCmap()),
            "DejaVuSans": set(TTFont(dejavu).getBestCmap())}


def _has_glyph(char: str, font: str, cmaps: dict[str, set[int]]) -> bool:
    name = re.sub(r"[ -]", "", font.split("+")[-1])
    family = next((f for f in cmaps if name.startswith(f)), None)
    return family is not None and ord(char) in cmaps[family]


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_a_district_report_reads_back(reports, demo_extract, lang):
    code, name_en, name_lo = _district(reports)
    year = reports.info.years[-1]
    pdf = reports.area_pdf(code, year, lang)
    doc = pdfium.PdfDocument(pdf)
    assert 2 <= len(doc) <= 6
    text, fonts = _fonts_of(pdf)
    assert _squeezed(name_en if lang == "en" else name_lo) in _squeezed(text)
    assert format_school_year(year, lang) in text
    assert f"{len(doc)} / {len(doc)}" in text.replace("\r", "")  # page numbers
    con = db.connect_current(demo_extract)
    try:
        pupils = compute(con, "enrolment_primary", "district", year)
        ger = compute(con, "ger_primary", "district", year)
        dimension = reports.registry.dimensions[0]  # the demo's ethnicity
        groups = compute(con, "enrolment_primary", "district", year, by=dimension)
    finally:
        con.close()
    value = pupils[(pupils["unit_code"] == code) & (pupils["group"] == "T")]["value"].iloc[0]
    assert format_number(value, lang) in text
    rate = ger[(ger["unit_code"] == code) & (ger["group"] == "T")]["value"].iloc[0]
    assert f"{rate:.1f}%" in text
    # the pupils of each group of the package's first dimension, as a share of those whose
    # group is reported, under the group's name
    ours = groups[groups["unit_code"] == code].set_index("group")["value"]
    first = reports.registry.split(dimension).groups[0]
    words = SplitWords(reports.registry.splits, reports.group_names)
    assert _squeezed(words.group(dimension, first, lang)) in _squeezed(text)
    assert format_value(100 * ours[first] / ours["T"], "%", lang) in text
    # no glyph missing: every character is one the fonts have, Lao drawn in the Lao font
    cmaps = _cmaps()
    missing = {(char, font) for char, font in fonts
               if char.isprintable() and not char.isspace() and font
               and not _has_glyph(char, font, cmaps)}
    assert not missing, missing
    lao = [font for char, font in fonts if "\u0e80" <= char <= "\u0eff"]
    if lang == "lo":  # set in DejaVu Sans, which Pango shapes right (looked at as images)
        assert lao and all("DejaVuSans" in re.sub(r"[ -]", "", f) for f in lao), set(lao)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(doc):
        page.render(scale=1.2).to_pil().save(ARTIFACTS / f"report-{lang}-{i + 1}.png")


def test_the_command_line_writes_every_area_of_a_level(tmp_path, capsys):
    from lib.build import build_extract
    from tests.fixtures.tiny_package import write_tiny_package

    extract = tmp_path / "emis.duckdb"
    build_extract(write_tiny_package(tmp_path / "package"), extract)
    out = tmp_path / "reports"
    assert main(["report", "--db", str(extract), "--level", "district", "--all",
                 "--year", "2023", "--lang", "lo", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        f"district-{c}-2023-lo.pdf" for c in ("0101", "0102", "0201")]
    assert "3/3" in capsys.readouterr().out
    assert main(["report", "--db", str(extract), "--school", "S2", "--year", "2023",
                 "--out", str(out)]) == 0
    assert (out / "school-S2-2023-en.pdf").read_bytes().startswith(b"%PDF")
    assert main(["report", "--db", str(extract), "--level", "district", "--year", "2023",
                 "--out", str(out)]) == 2  # --level needs --all


def test_a_page_chart_as_svg_keeps_its_lao_text():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"x": ["ຍິງ", "ຊາຍ"], "y": [3, 4]}),
                      title="ອັດຕາການເຂົ້າຮຽນລວມ").mark_bar().encode(x="x:N", y="y:Q")
    spec = chart.to_dict()
    spec["width"] = "container"  # as the pages draw it
    svg = report.chart_svg(spec).decode("utf-8")
    assert svg.startswith("<svg") and "ອັດຕາການເຂົ້າຮຽນລວມ" in svg and "ຊາຍ" in svg
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg)
    assert width and float(width.group(1)) >= report.CHART_WIDTH  # the container's, fixed


def test_a_school_report_gives_its_official_quality_result(reports):
    found = reports.con.execute(
        "SELECT school_id, year, level, score FROM quality_schools WHERE official "
        "AND level IS NOT NULL ORDER BY year DESC, school_id LIMIT 1").fetchone()
    assert found is not None, "the demo assesses its schools"
    school_id, year, level, score = found
    text, _ = _fonts_of(reports.school_pdf(school_id, int(year), "en"))
    assert _squeezed(reports.framework.level(level).name("en")) in _squeezed(text)
    assert f"score {format_number(float(score), 'en', 1)} of 100" in text
