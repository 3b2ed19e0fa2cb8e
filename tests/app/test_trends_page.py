"""The Trends page through AppTest: a shared link draws the lines it names, filters change
them, invalid values fall back with a notice, and the national line is the engine's."""
from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import t
from lib.indicators import compute
from tests.app.pages import chart_rows, ok, open_page, titles, url_notices

PAGE = "pages/trends.py"
TIMEOUT = 90


def run_page(**query: str) -> AppTest:
    return open_page(PAGE, timeout=TIMEOUT, **query)


GER = "Gross enrolment ratio, Primary"


def test_default_view_is_the_national_ger_with_the_engines_values(con):
    at = run_page()
    years = sorted(db.extract_info(con).years)
    assert [e.value for e in at.title] == [t("trends.title")]
    assert titles(at)[:1] == [t("trends.lines.title", name=GER)]
    national = {row["year"]: row["value"] for row in chart_rows(at, 0) if "area_code" in row}
    assert sorted(national) == years
    for year in years:
        engine = float(compute(con, "ger_primary", "national", year)["value"].iloc[0])
        assert national[year] == pytest.approx(engine)
    # lines, provinces, flows, cohort; the flows of the last year need the next: shifted
    assert len(at.get("vega_lite_chart")) == 4
    assert t("trends.flows.shifted", chosen=f"{years[-1]}–{(years[-1] + 1) % 100:02d}",
             year=f"{years[-2]}–{years[-1] % 100:02d}") in [c.value for c in at.caption]
    assert len(at.dataframe) == 1, "the change table"
    assert not url_notices(at)


def test_a_shared_link_splits_by_sex_and_compares_areas(con):
    units = db.admin_units(con)
    provinces = units[units["level"] == 1]["code"].tolist()
    district = units[units["parent_code"] == provinces[1]]["code"].iloc[0]
    at = run_page(indicator="ger_primary", by="sex", area=provinces[0],
                  compare=f"{provinces[2]},{district}")
    assert dict(at.query_params)["compare"] == f"{provinces[2]},{district}"
    assert titles(at)[:2] == [
        t("trends.lines.title_split", name=GER, split="sex"),
        t("trends.parity.title.sex", name=GER)]
    areas = {row["area_code"] for row in chart_rows(at, 0)}
    assert areas == {"LAO", provinces[0], provinces[2], district}
    groups = {row["group"] for row in chart_rows(at, 0)}
    assert groups == {"F", "M"}
    assert not url_notices(at)


def test_invalid_values_fall_back_with_a_notice(con):
    at = run_page(indicator="nope", by="wealth", compare="01,XX99")
    assert len(url_notices(at)) == 3, url_notices(at)
    assert dict(at.query_params)["indicator"] == "ger_primary"
    assert dict(at.query_params).get("compare") == "01"


def test_changing_the_filters(con):
    years = sorted(db.extract_info(con).years)
    units = db.admin_units(con)
    province = units[units["level"] == 1].iloc[0]
    at = run_page()
    at.selectbox(key="url_indicator").select("ptr_primary").run()
    ok(at)
    assert titles(at)[0] == t("trends.lines.title", name="Pupil–teacher ratio, Primary")
    assert dict(at.query_params)["indicator"] == "ptr_primary"
    next(b for b in at.button_group if b.label == t("trends.split")).set_value(
        "locality").run()
    ok(at)
    assert dict(at.query_params)["by"] == "locality"
    assert len(titles(at)) == 5, "lines, parity, provinces, flows, cohort"
    at.multiselect(key="url_compare").select(province["code"]).run()
    ok(at)
    assert dict(at.query_params)["compare"] == province["code"]
    at.selectbox(key="url_year").select(years[0]).run()
    ok(at)
    assert t("trends.flows.span", start=f"{years[0]}–{(years[0] + 1) % 100:02d}",
             end=f"{years[1]}–{(years[1] + 1) % 100:02d}") in json.dumps(
        [titles(at)] + [json.loads(c.proto.spec).get("title") for c in
                        at.get("vega_lite_chart")], ensure_ascii=False)


def test_no_area_compared_leaves_compare_out_of_the_url(demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    at = open_page("pages/trends.py", timeout=90)
    assert "compare" not in dict(at.query_params), "no compare=[] for a link to carry"
    at = open_page("pages/trends.py", timeout=90, compare="zz")
    notices = url_notices(at)
    assert notices and t("area_picker.fallback_none") in notices[0]
    at = open_page("pages/trends.py", timeout=90, indicator="ger_primary", by="ownership")
    assert t("split_picker.fallback_none") in url_notices(at)[0]
