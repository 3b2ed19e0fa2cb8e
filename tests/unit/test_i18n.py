"""Interface strings and formats (lib/i18n.py), and escaping of text from data (ui/markdown.py)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from lib.i18n import (catalogue, format_datetime_utc, format_number, format_percent,
                      format_school_year, format_school_years, languages, local_name, t)
from ui.markdown import WORD_JOINER, escape

REPO = Path(__file__).resolve().parents[2]


def test_t_formats_and_names_an_unknown_key():
    assert t("about.title") == "About the data"
    assert t("about.figures.heading", year="2023–24") == "Key figures, 2023–24"
    with pytest.raises(KeyError, match="no.such.key"):
        t("no.such.key")


def test_a_language_without_the_key_falls_back_to_english(monkeypatch):
    import lib.i18n as i18n

    monkeypatch.setattr(i18n, "catalogue", lambda lang: {} if lang == "xx" else catalogue(lang))
    assert i18n.t("about.title", "xx") == t("about.title", "en")
    assert languages()[0] == "en"
    assert "lo" in languages()


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
    # unescaping (and dropping the invisible word joiners) gives the text back
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == text
    assert not re.search(r"(?<!\\)[\[\]()<>*_`$:!]", escaped)


# GitHub-flavoured Markdown's autolink literals (mdast-util-gfm-autolink-literal), applied
# to the text once its backslash escapes are read: none may match an escaped value.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"(?<![-.\w+])([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")


@pytest.mark.parametrize("text", ["Visit http://evil.example/x", "HTTPS://evil.example",
                                  "www.evil.example", "see WWW.evil.example now",
                                  "mail boss@evil.example", "ftp://evil.example"])
def test_escape_leaves_nothing_a_reader_could_click(text):
    read = re.sub(r"\\(.)", r"\1", escape(text))
    assert read.replace(WORD_JOINER, "") == text, "it reads the same"
    assert not GFM_URL.search(read) and not GFM_EMAIL.search(read)
    assert not re.search(r"(?i)(ftp|https?)://", read)


def test_escape_shortens_and_keeps_one_line():
    assert escape("a\nb") == "a b"
    assert escape("x" * 50, max_length=10) == "x" * 9 + "…"


# --------------------------------------------------------------------------- the catalogues

FIELD = re.compile(r"\{([^{}:!]*)[^{}]*\}")  # a field's name, without its format spec


def test_every_catalogue_has_every_key_of_the_english_one_and_no_other():
    english = catalogue("en")
    for lang in languages():
        keys = set(catalogue(lang))
        # A plural form the language does not have (Lao has no "one") may be left out.
        missing = {k for k in set(english) - keys
                   if not (k.endswith(".one") and f"{k.removesuffix('.one')}.other" in keys)}
        assert sorted(missing) == [], f"keys missing from {lang}.toml"
        assert sorted(keys - set(english)) == [], f"keys of {lang}.toml unknown in en.toml"


# Keys whose code fills more fields than English uses; a translation may pick others.
OTHER_FIELDS = {"format.school_year": {"start", "end", "end2"}}  # lib.i18n.format_school_year


def test_every_translation_has_the_same_fields():
    english = catalogue("en")
    for lang in languages():
        wrong = {}
        for key, text in catalogue(lang).items():
            fields, expected = set(FIELD.findall(text)), set(FIELD.findall(english.get(key, "")))
            if key in OTHER_FIELDS and fields <= OTHER_FIELDS[key]:
                continue
            if key in english and fields != expected:
                wrong[key] = (sorted(fields), sorted(expected))
        assert wrong == {}, f"{lang}.toml: fields (translation, English) differ"


LAO = re.compile(r"[\u0E80-\u0EFF]")
# Values that read the same in Lao: codes, units, symbols, commands, file names.
SAME_IN_LAO = {"format.datetime_utc", "format.thousands_sep", "format.decimal_mark", "format.percent",
               "format.empty_cell", "language.en", "language.lo", "missing.demo_command",
               "missing.own_command", "about.own_data.command_template",
               "about.own_data.command_validate", "about.own_data.command_build",
               "about.access.command", "about.validation.column.seq"}
FILE_NAME = re.compile(r"[\w{}.-]+\.(csv|html|xlsx|png)")


def test_the_lao_catalogue_is_written_in_lao():
    english, lao = catalogue("en"), catalogue("lo")
    untranslated = sorted(key for key, text in lao.items()
                          if key not in SAME_IN_LAO and not FILE_NAME.fullmatch(text)
                          and re.search(r"[A-Za-z]{3,}", FIELD.sub("", english[key]))
                          and not LAO.search(text))
    assert untranslated == [], "lo.toml values with English words and no Lao"


# Standard Ministry of Education and Sports terms (the list): an English value that
# uses the term has the Lao term in its translation. LESMIS's own interface sometimes says
# ອັນດັບ ("rank") where it means grade; the Ministry's word is ຊັ້ນ.
MINISTRY_TERMS = [
    (r"\bgrades?\b", "ຊັ້ນ"),
    (r"\bschool years?\b", "ສົກຮຽນ"),
    (r"\bgross enrolment ratio\b", "ອັດຕາການເຂົ້າຮຽນລວມ"),
    (r"\bnet enrolment rate\b", "ອັດຕາການເຂົ້າຮຽນສຸດທິ"),
    (r"\bprovinces?\b", "ແຂວງ"),
    (r"\bdistricts?\b", "ເມືອງ"),
    (r"\bteachers?\b", "ຄູ"),
    (r"\b(repetition|repeating|repeaters?)\b", "ຄ້າງຫ້ອງ"),
    (r"\b(dropout|dropped out)\b", "ປະລະການຮຽນ"),
]


def test_the_lao_catalogue_uses_the_ministry_terms():
    english, lao = catalogue("en"), catalogue("lo")
    wrong = [(key, term) for key, text in lao.items() for pattern, term in MINISTRY_TERMS
             if re.search(pattern, FIELD.sub("", english[key]), re.IGNORECASE)
             and term not in text]
    assert wrong == [], "translations without the Ministry's term for a word of the English"
    assert not [key for key, text in lao.items() if "ອັນດັບ" in text and "rank" not in
                english[key].lower()], "ອັນດັບ means rank, not grade"


@pytest.mark.parametrize("value, digits, expected", [
    (1234567, 0, "1,234,567"), (-1234.5, 1, "-1,234.5"), (None, 0, "ບໍ່ມີຂໍ້ມູນ")])
def test_lao_numbers_use_western_digits_and_the_same_separators(value, digits, expected):
    assert format_number(value, "lo", digits) == expected


def test_lao_percentages_school_years_and_times():
    assert format_percent(45.25, "lo", 1) in ("45.2%", "45.3%")
    assert format_school_year(2023, "lo") == "2023–2024"
    assert format_school_years([2022, 2024], "lo") == "2022–2023 ຫາ 2024–2025"
    assert format_datetime_utc("2025-11-22T13:58:03+07:00", "lo") == \
        "22 ພະຈິກ 2025, 06:58 UTC"


def test_local_name_with_english():
    from lib.i18n import name_with_english

    assert name_with_english("Vientiane", "ວຽງຈັນ", "lo") == "ວຽງຈັນ (Vientiane)"
    assert name_with_english("Vientiane", "ວຽງຈັນ", "en") == "Vientiane"
    assert name_with_english("Vientiane", "", "lo") == "Vientiane"


# ------------------------------------------------------------- no string around the catalogue

# Streamlit calls that put text on the screen: a string literal with words among their
# arguments bypasses the catalogues (it would show in English whatever the language).
SHOWING = {"title", "header", "subheader", "markdown", "caption", "write", "button",
           "selectbox", "multiselect", "radio", "checkbox", "toggle", "slider", "select_slider",
           "text_input", "number_input", "text_area", "date_input", "time_input", "info",
           "warning", "error", "success", "exception", "toast", "expander", "tabs", "metric",
           "download_button", "link_button", "page_link", "popover", "segmented_control",
           "pills", "form_submit_button", "file_uploader", "color_picker", "spinner",
           "status", "dialog", "Page", "badge", "chat_input", "link"}
# Keyword arguments that are text for the reader in any call (widgets, column configs,
# Altair titles and legends, st.Page titles).
TEXT_KEYWORDS = {"label", "help", "placeholder", "body", "caption", "title", "subtitle",
                 "tooltip", "text"}
WORDS = re.compile(r"[^\W\d_]{2,}")


def _literal_strings(node: ast.AST):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node
    elif isinstance(node, ast.JoinedStr):
        for part in node.values:
            yield from _literal_strings(part)
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _literal_strings(element)
    elif isinstance(node, ast.BinOp):
        yield from _literal_strings(node.left)
        yield from _literal_strings(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literal_strings(node.body)
        yield from _literal_strings(node.orelse)


def _is_words(text: str) -> bool:
    """Whether a literal reads as words: icons (``:material/x:``, emoji), Markdown colour
    directives (``:orange[``), ``{fields}``, Altair encodings (``label:N``) and file paths
    of pages are not."""
    if re.fullmatch(r"[A-Za-z_][\w.]*:[NQOT]", text) or re.fullmatch(r"[\w/.-]+\.py", text):
        return False
    text = re.sub(r":material/[a-z0-9_]+:|:[a-z]+\[|\{[^{}]*\}", "", text)
    return bool(WORDS.search(text))


def _bypassing(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        args = [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        if name in SHOWING and node.args:
            args.append(node.args[0])  # the label or body; options are values, shown by
            # a format_func
        if name == "text" and isinstance(func, ast.Attribute) and \
                getattr(func.value, "id", None) == "st":
            args += node.args  # st.text("..."); ``indicator.text("name")`` is a key
        for literal in (lit for arg in args for lit in _literal_strings(arg)):
            if _is_words(literal.value):
                found.append(f"{path.name}:{literal.lineno}: {name}(): {literal.value!r}")
    return found


def test_the_scan_finds_a_string_that_bypasses_the_catalogue(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\nst.title("Schools")\n'
                    'st.sidebar.selectbox(f"Year {x}", [1], key="year", '
                    'help="Pick one")\nst.caption(t("a.b", lang), icon=":material/info:")\n'
                    'alt.X("v:Q", title="Value")\nind.text("numerator", lang)\n',
                    encoding="utf-8")
    found = _bypassing(page)
    assert sorted(line.rsplit(": ", 1)[-1] for line in found) == \
        sorted(["'Schools'", "'Year '", "'Pick one'", "'Value'"])


def test_no_page_shows_a_string_that_bypasses_the_catalogue():
    files = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")),
             *sorted((REPO / "ui").glob("*.py"))]
    assert [line for path in files for line in _bypassing(path)] == []


def _profile(levels: str = "", admin: str | None = None) -> "Country":
    """The Lao reference profile, with other [[levels]] or admin level names if given."""
    from lib.country import parse_country
    from lib.reference import LAO_COUNTRY_TOML

    text = LAO_COUNTRY_TOML.read_text(encoding="utf-8")
    if admin is not None:
        start, end = text.index("[[admin_levels]]"), text.index("[package]")
        text = text[:start] + admin + "\n" + text[end:]
    if levels:
        text = text[:text.index("[[levels]]")] + levels
    return parse_country(text)


SIX_THREE_THREE = "".join(
    f'[[levels]]\nid = "{id}"\ngrades = {grades}\nofficial_age_min = {lo}\n'
    f"official_age_max = {hi}\n\n"
    for id, grades, lo, hi in (("primary", [1, 2, 3, 4, 5, 6], 6, 11),
                               ("lower_secondary", [7, 8, 9], 12, 14),
                               ("upper_secondary", [10, 11, 12], 15, 17)))


def test_grades_are_named_as_the_language_names_them():
    from lib.country import country_words
    from lib.i18n import country_words_in_use, fill, grade_name

    with country_words_in_use(country_words(_profile())):  # Lao PDR's grades: 1-5, 6-9, 10-12
        assert t("trends.flows.grade", "en", grade=6) == "Grade 6"
        assert t("trends.flows.grade", "lo", grade=1) == "ຊັ້ນ ປ.1"
        assert t("trends.flows.grade", "lo", grade=6) == "ຊັ້ນ ມ.1"
        assert grade_name(12, "lo") == "ມ.7" and grade_name(13, "lo") == "13"
        assert fill("{grades:grade} {n:.1f}", "lo", grades="6–9", n=2) == "ມ.1–ມ.4 2.0"


def test_lao_grade_names_are_lao_pdrs_and_fit_no_other_school_system():
    """ມ.1 is grade 6 in Lao PDR's 5-4-3 system: a country with six primary grades (or no
    country at all) gets grade numbers, in Lao as in English."""
    from lib.country import country_words
    from lib.i18n import country_words_in_use, fill, grade_name

    other = _profile(levels=SIX_THREE_THREE)
    with country_words_in_use(country_words(other)):
        assert t("trends.flows.grade", "lo", grade=6) == "ຊັ້ນ 6"
        assert grade_name(1, "lo") == "1"
        assert fill("{grades:grade}", "lo", grades="1–6") == "1–6"
    assert grade_name(6, "lo") == "6"  # no country in use


def test_admin_levels_are_named_singular_and_plural_in_each_language():
    from lib.country import admin_level_name, admin_level_plural, country_words

    new = _profile(admin='''[[admin_levels]]
id = "region"
name = { en = "Region", lo = "ພາກ" }
plural = { en = "Regions" }
polygons = true
[[admin_levels]]
id = "municipality"
name = { en = "Local Government Area" }
''')
    words = country_words(new)
    assert words.fields("en") == {"level1": "Region", "level1_plural": "Regions",
                                  "level2": "Local Government Area",
                                  "level2_plural": "Local Government Areas",
                                  "admin1": "Region", "admin1_plural": "Regions",
                                  "admin2": "Local Government Area",
                                  "admin2_plural": "Local Government Areas"}
    assert words.fields("lo") == {"level1": "ພາກ", "level1_plural": "ພາກ",  # Lao: no plural
                                  "level2": "Local Government Area",
                                  "level2_plural": "Local Government Areas",
                                  "admin1": "ພາກ", "admin1_plural": "ພາກ",
                                  "admin2": "Local Government Area",
                                  "admin2_plural": "Local Government Areas"}
    assert admin_level_name(new, 2, "en") == "Local Government Area"
    assert admin_level_plural(new, 1, "lo") == "ພາກ"
    old = _profile(admin='[admin_level_names]\n1 = { en = "County" }\n')
    assert country_words(old).fields("en") == {"level1": "County", "level1_plural": "Countys",
                                               "level2": "Level-2 area",
                                               "level2_plural": "Level-2 areas",
                                               "admin1": "County", "admin1_plural": "Countys"}
    assert admin_level_name(old, 2, "en") == "Level-2 area"
    nothing = _profile(admin="")
    assert admin_level_name(nothing, 1, "en") == t("filters.admin_level.level1")


def test_three_levels_name_the_largest_and_the_finest_in_sentences():
    from lib.country import admin_level_name, country_words
    from lib.i18n import country_words_in_use, fill

    three = _profile(admin="".join(
        f'[[admin_levels]]\nid = "{i}"\nname = {{ en = "{n}" }}\npolygons = {p}\n'
        for i, n, p in (("region", "Region", "true"), ("division", "Division", "false"),
                        ("school_district", "School district", "true"))))
    assert three.admin_ids == ("region", "division", "school_district")
    assert three.polygon_levels == (1, 3) and three.finest_admin == 3
    assert admin_level_name(three, 2, "en") == "Division"
    with country_words_in_use(country_words(three)):
        assert fill("{level1} / {level2_plural:lower} / {n:admin}", "en", n=2) == \
            "Region / school districts / Division"


@pytest.mark.parametrize("admin, says", [
    ("".join(f'[[admin_levels]]\nid = "l{i}"\nname = {{ en = "L{i}" }}\n' for i in range(5)),
     "give 1 to 4"),
    ('[[admin_levels]]\nid = "region"\nname = { en = "Region" }\npolygons = false\n',
     "at least one admin level needs polygons"),
    ('[[admin_levels]]\nid = "school"\nname = { en = "School" }\n', "none of national"),
    ('[admin_level_names]\n5 = { en = "Village" }\n', "numbered 1 to 4"),
])
def test_a_profile_with_other_admin_levels_is_refused_in_plain_words(admin, says):
    from lib.problems import PackageError

    with pytest.raises(PackageError) as info:
        _profile(admin=admin)
    message = str(info.value)
    assert "country.toml" in message and says in message


def test_texts_name_the_levels_as_the_country_does_in_the_readers_language():
    from lib.areas import level_word
    from lib.country import country_words
    from lib.i18n import country_words_in_use, fill

    testland = _profile(admin='''[[admin_levels]]
id = "region"
name = { en = "Region", lo = "ພາກ" }
plural = { en = "Regions" }
[[admin_levels]]
id = "municipality"
name = { en = "Municipality", lo = "ເທດສະບານ" }
plural = { en = "Municipalities" }
''')
    with country_words_in_use(country_words(testland)):
        assert t("filters.all_districts") == "All municipalities"
        assert t("filters.all_districts", "lo") == "ທຸກເທດສະບານ"
        assert t("map.intro").endswith("click a region to see its municipalities.")
        assert level_word(testland, "region", "en", plural=True) == "regions"
        assert level_word(testland, "municipality", "lo") == "ເທດສະບານ"
        assert level_word(testland, "school", "en", plural=True) == "schools"
        assert fill("{level:admin:lower} '{name}'", "en", level=2, name="X") == \
            "municipality 'X'"
        assert fill("{level:admins}", "lo", level=1) == "ພາກ"
    assert t("filters.all_districts") == "All level-2 areas"  # no country: generic words


# Values that may say province or district (or ແຂວງ, ເມືອງ) although the rule is that the
# country profile names the admin levels: key -> why. Empty: every text takes the profile's.
LEVEL_WORD_EXCEPTIONS: dict[str, str] = {}
LEVEL_WORDS = {"en": re.compile(r"\b(provinces?|districts?)\b", re.IGNORECASE),
               # ຕົວເມືອງ is "town, urban" (rural / urban schools), not the admin level ເມືອງ
               "lo": re.compile(r"ແຂວງ|(?<!ຕົວ)ເມືອງ|\b(provinces?|districts?)\b", re.IGNORECASE)}


@pytest.mark.parametrize("lang", languages())
def test_no_catalogue_text_names_an_admin_level_itself(lang):
    """Every text takes the admin levels' names from the country profile ({level1},
    {level2_plural}…): a census whose levels are regions and municipalities must never
    read "district". Fields and keys are identifiers, not words a reader sees."""
    pattern = LEVEL_WORDS.get(lang, LEVEL_WORDS["en"])
    found = sorted(key for key, text in catalogue(lang).items()
                   if pattern.search(FIELD.sub("", text)) and key not in LEVEL_WORD_EXCEPTIONS)
    assert found == [], f"{lang}.toml: texts that name an admin level instead of {{level1}}…"


def test_every_indicator_reads_in_lao_with_the_ministry_terms():
    from lib.country import parse_country
    from lib.indicators.registry import build_registry
    from lib.indicators.texts import EN, FIELDS, TEXTS
    from lib.reference import LAO_COUNTRY_TOML

    assert set(TEXTS["lo"]) == set(EN)
    for family, fields in TEXTS["lo"].items():
        assert set(fields) == set(FIELDS), family
        for field, text in fields.items():
            assert set(FIELD.findall(text)) == set(FIELD.findall(EN[family][field])), \
                (family, field)
    from lib.country import country_words
    from lib.i18n import country_words_in_use

    lao = parse_country(LAO_COUNTRY_TOML.read_text(encoding="utf-8"))
    with country_words_in_use(country_words(lao)):  # Lao PDR's grades: ຊັ້ນ ມ.1
        _indicators_read_in_lao(build_registry(lao, standards=["Safe school"]))


def _indicators_read_in_lao(registry) -> None:
    from lib.indicators.texts import FIELDS, TEXTS

    for ind in registry:
        for field in FIELDS:
            text = ind.text(field, "lo")
            assert "{" not in text and (LAO.search(text) or not ind.text(field, "en")), \
                (ind.id, field)
        name = ind.name("lo")
        assert "ອັນດັບ" not in name, ind.id
        if "{grade" in TEXTS["en"][ind.family]["name"] and "ຊັ້ນສຸດທ້າຍ" not in name:
            assert re.search(r"ຊັ້ນ (ປ|ມ)\.\d", name), ind.id
    assert registry.get("ger_primary").name("lo") == "ອັດຕາການເຂົ້າຮຽນລວມ, ປະຖົມສຶກສາ"
    assert registry.get("ner_lower_secondary").name("lo") == \
        "ອັດຕາການເຂົ້າຮຽນສຸດທິ, ມັດທະຍົມສຶກສາຕອນຕົ້ນ"
    assert registry.get("repetition_g6").name("lo") == "ອັດຕາການຄ້າງຫ້ອງ, ຊັ້ນ ມ.1"
    assert registry.get("dropout_primary").name("lo") == "ອັດຕາການປະລະການຮຽນ, ປະຖົມສຶກສາ"


# --------------------------------------------------------------------------- the Lao web font

def test_the_font_css_gives_lao_glyphs_to_the_apps_families():
    from lib import fonts

    css = fonts.font_face_css("/base/app/static")
    for family in (fonts.FAMILY, *fonts.EXTENDED_FAMILIES):
        assert f'font-family:"{family}";font-style:normal;font-weight:100 900' in css
    assert css.count("unicode-range:U+0E81-0EDF") == 2 * (1 + len(fonts.EXTENDED_FAMILIES))
    assert f'url("/base/app/static/{fonts.relative_path()}")' in css
    assert "http" not in css  # served by the app, never a CDN
    assert fonts.stylesheet_url("/app/static").startswith("/app/static/noto-sans-lao-")




def _split_words(split) -> list[str]:
    """The catalogue keys the pages read for a split of lib.vocabulary: its name, its
    groups, and the titles of its parity views (a split with a parity index) or of its
    groups side by side (one without)."""
    keys = [f"split.{split.id}", f"split_picker.option.{split.id}",
            *(f"equity.group.{g}" for g in split.groups)]
    if split.parity:
        keys += [*(f"map.show.{split.id}.{g}" for g in (*split.groups, "parity")),
                 f"equity.map.title.{split.id}", f"trends.parity.title.{split.id}"]
    else:
        keys.append(f"equity.groups.title.{split.id}")
    return keys


@pytest.mark.parametrize("lang", languages())
def test_every_split_has_its_words_in_every_language(lang):
    from lib.vocabulary import SPLIT_DECLARATIONS

    words = catalogue(lang)
    missing = [key for split in SPLIT_DECLARATIONS for key in _split_words(split)
               if key not in words]
    assert not missing, f"{lang}.toml lacks the words of a split: {', '.join(missing)}"


def test_plural_forms_follow_each_language():
    from lib.i18n import plural

    words = dict(n="1", where="Testland")
    assert plural("schools.results.count", "en", 1, **words) == \
        "**1 school** found in Testland."
    assert plural("schools.results.count", "en", 2, **dict(words, n="2")) == \
        "**2 schools** found in Testland."
    assert plural("schools.results.count", "en", 0, **dict(words, n="0")).startswith(
        "**0 schools**")
    # Lao has one form, whatever the number.
    assert plural("schools.results.count", "lo", 1, **words) == \
        plural("schools.results.count", "lo", 2, **words)
