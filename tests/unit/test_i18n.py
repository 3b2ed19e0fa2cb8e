"""Interface strings and formats (lib/i18n.py), and escaping of text from data (ui/markdown.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from lib.i18n import (catalogue, format_datetime_utc, format_number, format_percent,
                      format_school_year, format_school_years, languages, local_name, t)
from ui.markdown import escape

REPO = Path(__file__).resolve().parents[2]


def test_t_formats_and_names_an_unknown_key():
    assert t("about.title") == "About the data"
    assert t("about.figures.heading", year="2023–24") == "Key figures, 2023–24"
    with pytest.raises(KeyError, match="no.such.key"):
        t("no.such.key")


def test_a_language_without_the_key_falls_back_to_english():
    assert t("about.title", "lo") == t("about.title", "en")
    assert languages()[0] == "en"


@pytest.mark.parametrize("value, digits, expected", [
    (0, 0, "0"), (999, 0, "999"), (1000, 0, "1,000"), (1234567, 0, "1,234,567"),
    (-1234.5, 1, "-1,234.5"), (-0.04, 1, "0.0"), (12.345, 2, "12.35"), (None, 0, "no data"),
    (float("nan"), 0, "no data")])
def test_format_number(value, digits, expected):
    assert format_number(value, digits=digits) == expected


def test_percent_school_years_and_times():
    assert format_percent(45.25, digits=1) in ("45.2%", "45.3%")
    assert format_percent(104.0) == "104.0%"
    assert format_school_year(2023) == "2023–24"
    assert format_school_year(1999) == "1999–00"
    assert format_school_years([2024, 2022, 2023]) == "2022–23 to 2024–25"
    assert format_school_years([2023]) == "2023–24"
    assert format_datetime_utc("2025-11-22T13:58:03+07:00") == "22 November 2025, 06:58 UTC"
    assert format_datetime_utc("not a time") == "not a time"


def test_local_names():
    assert local_name("Vientiane", "ວຽງຈັນ", "en") == "Vientiane"
    assert local_name("Vientiane", "ວຽງຈັນ", "lo") == "ວຽງຈັນ"
    assert local_name("Vientiane", "", "lo") == "Vientiane"


def test_every_key_used_in_the_code_is_in_the_english_catalogue():
    english = catalogue("en")
    used = set()
    for path in [REPO / "app.py", *(REPO / "ui").glob("*.py"), *(REPO / "pages").glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""",
                               path.read_text()))
    assert used, "the scan found the t() calls"
    assert sorted(used - set(english)) == []


@pytest.mark.parametrize("text", ["![x](http://example.org/x.png)", "[link](javascript:x)",
                                  "<img src=x onerror=alert(1)>", ":red[alarm]", "$x^2$",
                                  "**bold** _it_ `code`"])
def test_escape_leaves_no_markdown(text):
    escaped = escape(text)
    assert re.sub(r"\\(.)", r"\1", escaped) == text  # unescaping gives the text back
    assert not re.search(r"(?<!\\)[\[\]()<>*_`$:!]", escaped)


def test_escape_shortens_and_keeps_one_line():
    assert escape("a\nb") == "a b"
    assert escape("x" * 50, max_length=10) == "x" * 9 + "…"
