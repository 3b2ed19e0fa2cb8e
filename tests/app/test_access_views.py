"""Sign-in configured (AppTest's secrets and user): the public view and an analyst's scope
on the demo, through the pages. Nothing of another area reaches a scoped analyst (the area
lists, a link's area, the search, the quality page's schools), and the public view hides
small counts in what the pages show. The same app without ``[auth]`` is every other test
of tests/app."""
from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import t
from tests.app.pages import APP, AUTH, ok

ACCESS = """\
[[grant]]
claim = "email"
equals = "north@moes.example"
role = "analyst"
areas = ["01"]
"""
ANALYST = {"is_logged_in": True, "sub": "n1", "email": "north@moes.example",
           "name": "Noy"}


@pytest.fixture(autouse=True)
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.toml"
    path.write_text(ACCESS, encoding="utf-8")
    monkeypatch.setenv("EMIS_ACCESS", str(path))
    monkeypatch.setenv("EMIS_AUDIT", str(tmp_path / "audit.log"))
    return path


def open_as(page: str, user: dict | None, **query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = AUTH
    if user is not None:
        at.user.update(user)
    at.query_params.update(query)
    at.switch_page(page)
    return ok(at.run())


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


def test_not_signed_in_is_the_public_view(con, demo_extract):
    at = open_as("pages/overview.py", None)
    assert t("access.sign_in") in [b.label for b in at.sidebar.button]
    assert "Public view" in captions(at)


def test_an_analyst_sees_the_areas_of_their_grant_only(con, demo_extract):
    at = open_as("pages/overview.py", ANALYST)
    assert "Noy" in captions(at) and t("access.sign_out") in [b.label for b in
                                                              at.sidebar.button]
    assert at.selectbox(key="url_area1").options[1:] == ["Vientiane Capital"]
    refused = open_as("pages/overview.py", ANALYST, area="02")
    assert t("access.out_of_scope") in [w.value for w in refused.main.warning]
    assert refused.query_params.get("area") in (None, [], "")


COUNT_COLUMNS = ("value", "numerator", "denominator", "pupils", "enrolled", "teachers",
                 "F", "M", "T", "total", "schools")


def shown_counts(at: AppTest) -> list[tuple[str, float]]:
    """Every count the page's tables and charts show: (column, value); a parity index's
    rows (group "parity") are not counts."""
    frames = [d.value for d in at.dataframe] + [tb.value for tb in at.table]
    frames += [pa.ipc.open_stream(data.data.data).read_pandas()  # the charts' rows (Arrow)
               for chart in at.get("vega_lite_chart") for data in chart.proto.datasets]
    found = []
    for frame in frames:
        if "group" in frame:
            frame = frame[frame["group"].astype(str) != "parity"]
        for column in frame.columns:
            if str(column) in COUNT_COLUMNS:
                values = pd.to_numeric(frame[column], errors="coerce").dropna()
                found += [(str(column), float(v)) for v in values]
    return found


def a_small_district(extract, indicator: str) -> str:
    """A district whose ``indicator`` is from 1 to 5 in the extract's last year."""
    from lib import db
    from lib.indicators import compute

    with db.connect_current(extract) as con:
        frame = compute(con, indicator, "district", max(db.extract_info(con).years))
    return str(frame.loc[frame["value"].between(1, 5), "unit_code"].iloc[0])


def counts_with_small_values(extract, most: int = 3) -> list[str]:
    """Count indicators (teachers, children out of school) that have district values from
    1 to 5 in the extract's last year: what the public view must hide."""
    from lib import db
    from lib.indicators import compute, registry_for

    with db.connect_current(extract) as con:
        year = max(db.extract_info(con).years)
        found = [ind.id for ind in registry_for(con) if ind.is_count and ind.family in
                 ("teachers", "out_of_school", "enrolment")
                 and compute(con, ind.id, "district", year)["value"].between(1, 5).any()]
    return found[:most]


def test_a_school_profile_in_public_and_out_of_an_analysts_scope(con, demo_extract):
    public = open_as("pages/schools.py", None, school="0101-0001")
    infos = [i.value for i in public.info]
    assert t("access.school_breakdowns") in infos, "no pupils by group or difficulty"
    mine = open_as("pages/schools.py", ANALYST, school="0101-0001")
    assert t("access.school_breakdowns") not in [i.value for i in mine.info]
    theirs = open_as("pages/schools.py", ANALYST, school="0201-0001")
    assert t("access.out_of_scope") in [w.value for w in theirs.warning]
    assert "0201-0001" not in "\n".join(m.value for m in theirs.markdown)


def test_an_analysts_quality_and_search_stay_in_their_province(con, demo_extract):
    units = db.admin_units(con)
    north = set(units.loc[units["parent_code"] == "01", "name_en"])
    at = open_as("pages/quality.py", ANALYST)
    support = [d.value for d in at.dataframe if "level_name" in d.value.columns]
    assert support and len(support[0]), "schools to support, in the analyst's province"
    outside = [a for a in set(support[0]["area"])  # "Xaysetha (Vientiane Capital)" too
               if not any(a == n or a.startswith(f"{n} (") for n in north)]
    assert not outside, outside
    search = open_as("pages/schools.py", ANALYST)
    ids = [str(s) for d in search.dataframe for s in d.value.get("school_id", [])]
    assert ids and all(s.startswith("01") for s in ids), ids[:5]


def test_a_small_schools_profile_and_the_search_hide_small_counts(con, demo_extract):
    """The school with the most grades of 1 to 5 pupils: its profile's table of pupils by
    grade and year, and the search's pupils and teachers, show none of them in public."""
    school, year = con.execute("""
        SELECT school_id, max(year) FROM (
            SELECT school_id, year, grade, sum(enrolled) AS pupils FROM enrolment
            GROUP BY ALL) WHERE pupils BETWEEN 1 AND 5
        GROUP BY school_id ORDER BY count(*) DESC, school_id LIMIT 1""").fetchone()

    def grade_counts(at: AppTest) -> list[float]:
        tables = [d.value for d in at.dataframe if str(year) in map(str, d.value.columns)]
        assert tables, "the profile's table of pupils by grade and year"
        return [float(v) for frame in tables for column in frame.columns
                if str(column) != "grade"
                for v in pd.to_numeric(frame[column], errors="coerce").dropna()]

    public = open_as("pages/schools.py", None, school=school, year=str(year))
    assert not [v for v in grade_counts(public) if 1 <= v <= 5]
    figures = [str(m.value) for m in public.metric]
    assert figures and not [f for f in figures if f.strip() in "12345" or "nan" in f.lower()]
    exact = AppTest.from_file(str(APP), default_timeout=120)
    exact.query_params.update(school=school, year=str(year))
    exact.switch_page("pages/schools.py")
    assert [v for v in grade_counts(ok(exact.run())) if 1 <= v <= 5], "some to hide"
    search = open_as("pages/schools.py", None)
    counts = shown_counts(search)
    assert counts and not [c for c in counts if 1 <= c[1] <= 5]


ADDITIVE = ("numerator", "denominator")  # a rate's counts, on any page


def csv_counts(files: list[tuple[str, bytes]], columns: tuple[str, ...]) -> list[float]:
    """The values of ``columns`` in the CSV files the page offered for download."""
    import io

    found = []
    for _, data in files:
        frame = pd.read_csv(io.BytesIO(data))
        if "group" in frame:  # a parity index is not a count
            frame = frame[frame["group"].astype(str) != "parity"]
        for column in columns:
            if column in frame:
                found += pd.to_numeric(frame[column], errors="coerce").dropna().tolist()
    return found


PUBLIC_SWEEP = (  # page, its query: every page that shows figures of areas or schools
    ("pages/overview.py", {}),
    ("pages/map.py", {"admin": "district"}),
    ("pages/equity.py", {"admin": "district", "by": "sex"}),
    ("pages/trends.py", {"by": "sex"}),  # of a district where the count is small
    ("pages/quality.py", {}),
    ("pages/schools.py", {}),
)


def test_no_public_page_table_chart_or_download_holds_a_small_count(con, demo_extract,
                                                                     monkeypatch):
    """Every page of figures, opened on counts whose district figures go from 1 to 5 (of
    teachers, of children out of school; Trends on such a district): no table, chart data
    or CSV it offers holds one in public (a count's values, a rate's numerator and
    denominator; parity indices are not counts). Without sign-in the Map and Trends do
    show some, so this can fail."""
    import streamlit as st

    offered: list[tuple[str, bytes]] = []
    original = st.download_button

    def recording(label, data=None, file_name=None, *args, **kwargs):
        if isinstance(data, (bytes, str)) and str(file_name).endswith(".csv"):
            offered.append((file_name, data.encode() if isinstance(data, str) else data))
        return original(label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    columns = ("value", *ADDITIVE)

    def small(at: AppTest) -> list[float]:
        found = [v for column, v in shown_counts(at) if column in columns]
        found += csv_counts(offered, columns)
        offered.clear()  # a count is whole (a parity index of 1.9 is not one)
        return [v for v in found if 1 <= v <= 5 and float(v).is_integer()]

    exact_small: dict[str, int] = {}
    for indicator in counts_with_small_values(demo_extract):
        for page, query in PUBLIC_SWEEP:
            where = {"area": a_small_district(demo_extract, indicator)} \
                if page == "pages/trends.py" else {}
            shown = open_as(page, None, indicator=indicator, **query, **where)
            assert not small(shown), (page, indicator)
            if page in ("pages/map.py", "pages/trends.py"):
                exact = AppTest.from_file(str(APP), default_timeout=120)
                exact.query_params.update(indicator=indicator, **query, **where)
                exact.switch_page(page)
                exact_small[page] = exact_small.get(page, 0) + len(small(ok(exact.run())))
    assert all(exact_small.values()) and len(exact_small) == 2, exact_small


def test_an_analysts_map_shapes_are_their_provinces_only(con, demo_extract):
    """The boundaries a map of districts draws and frames: an analyst of province 01 gets
    its districts and nothing of another province (the map zooms to them); the owner, all."""
    def codes_shown() -> None:
        import streamlit as st

        from ui import extract

        st.text(",".join(sorted(extract.boundaries(2, "low"))))

    units = db.admin_units(con)
    theirs = set(units.loc[units["parent_code"] == "01", "code"])
    everyone = set(units.loc[units["level"] == 2, "code"])
    runs = {}
    for who, user in (("analyst", ANALYST), ("owner", None)):
        at = AppTest.from_function(codes_shown, default_timeout=60)
        if user is not None:
            at.secrets["auth"] = AUTH
            at.user.update(user)
        runs[who] = set(ok(at.run()).text[0].value.split(","))
    assert runs["analyst"] == theirs and runs["owner"] == everyone
