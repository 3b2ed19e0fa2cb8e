"""The Overview (the landing page at "/") through AppTest: key figures equal to the engine's
and the command line's, filters, the largest gaps, the `indicator` URL parameter."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_number, format_percent, t
from lib.indicators import compute
from tests.app.pages import ok, url_notices

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
TIMEOUT = 60


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(query)
    return at.run()


def metrics(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


@pytest.fixture
def extract(demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    con = db.connect_current(demo_extract)
    yield con
    con.close()


def engine_value(con, indicator_id: str, level: str, year: int, code: str | None = None,
                 group: str = "T", by: str | None = None) -> float:
    rows = compute(con, indicator_id, level, year, by=by)
    if code is not None:
        rows = rows[rows["unit_code"] == code]
    return float(rows.loc[rows["group"] == group, "value"].iloc[0])


def expected_figures(con, level: str, year: int, code: str | None = None,
                     admin: str = "national") -> dict[str, str]:
    """What the KPI cards must show, formatted from the engine's own values."""
    def value(indicator_id, group="T", by=None):
        return engine_value(con, f"{indicator_id}_{level}", admin, year, code, group, by)
    return {
        t("overview.kpi.schools"): format_number(value("schools")),
        t("overview.kpi.pupils"): format_number(value("enrolment")),
        t("overview.kpi.teachers"): format_number(value("teachers")),
        t("overview.kpi.out_of_school"): format_number(value("out_of_school")),
        t("overview.kpi.ger"): format_percent(value("ger")),
        t("overview.kpi.ner"): format_percent(value("ner")),
        t("overview.kpi.ptr"): format_number(value("ptr"), digits=1),
        t("overview.kpi.gpi"): format_number(value("ger", "parity", "sex"), digits=2),
    }


def test_overview_is_the_landing_page_with_the_engines_national_values(extract):
    at = ok(run_app())
    info = db.extract_info(extract)
    country = db.country(extract)
    year = max(info.years)
    assert [e.value for e in at.title] == [t("overview.title_national", country=country.name)]
    shown = {label: m.value for label, m in metrics(at).items()}
    assert shown == expected_figures(extract, "primary", year)
    # a change from the previous year on every card, said as such
    assert all(m.proto.delta_description == t("overview.kpi.since", year=f"{year - 1}–"
                                                 f"{year % 100:02d}") for m in at.metric)
    assert len(charts(at)) == 2, "largest gaps and lowest parity"
    assert selectbox(at, t("overview.gaps.indicator")).value == "ger_primary"
    assert not url_notices(at)


def test_the_ger_card_equals_the_command_line(extract, demo_extract):
    year = max(db.extract_info(extract).years)
    out = subprocess.run(
        [sys.executable, "-m", "lib", "indicators", "--db", str(demo_extract), "--indicator",
         "ger_primary", "--level", "national", "--year", str(year)],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    row = next(csv.DictReader(io.StringIO(out)))
    at = ok(run_app())
    assert metrics(at)[t("overview.kpi.ger")].value == format_percent(float(row["value"]))


def test_changing_year_and_level(extract):
    years = sorted(db.extract_info(extract).years)
    at = ok(run_app())
    selectbox(at, t("filters.year")).select(years[0]).run()
    ok(at)
    assert {label: m.value for label, m in metrics(at).items()} == expected_figures(
        extract, "primary", years[0])
    assert all(not m.proto.delta for m in at.metric), "no earlier year: no change shown"
    assert t("overview.no_previous") in [c.value for c in at.caption]

    selectbox(at, t("filters.year")).select(years[-1]).run()
    selectbox(at, t("filters.level")).select("lower_secondary").run()
    ok(at)
    assert {label: m.value for label, m in metrics(at).items()} == expected_figures(
        extract, "lower_secondary", years[-1])
    # the ranked indicator follows the level
    assert selectbox(at, t("overview.gaps.indicator")).value == "ger_lower_secondary"


def test_a_province_and_a_district_have_their_profile(extract):
    year = max(db.extract_info(extract).years)
    units = db.admin_units(extract)
    district = units[units["level"] == 2].iloc[-1]
    province = units[units["code"] == district["parent_code"]].iloc[0]

    at = ok(run_app(area=province["code"]))
    assert at.title[0].value == t("overview.title_area", admin="Province",
                                  name=province["name_en"])
    assert {label: m.value for label, m in metrics(at).items()} == expected_figures(
        extract, "primary", year, province["code"], "province")
    national_ger = engine_value(extract, "ger_primary", "national", year)
    captions = "\n".join(c.value for c in at.caption)
    assert t("overview.kpi.national", value=format_percent(national_ger)) in captions
    assert len(charts(at)) == 2

    selectbox(at, "District").select(district["code"]).run()
    ok(at)
    assert at.title[0].value == t("overview.title_area", admin="District",
                                  name=district["name_en"])
    assert {label: m.value for label, m in metrics(at).items()} == expected_figures(
        extract, "primary", year, district["code"], "district")
    province_ger = engine_value(extract, "ger_primary", "province", year, province["code"])
    captions = "\n".join(c.value for c in at.caption)
    assert t("overview.kpi.in_area", area=province["name_en"],
             value=format_percent(province_ger)) in captions
    assert not charts(at), "a district has nothing below it to rank"
    assert t("overview.gaps.indicator") not in [s.label for s in at.selectbox]


def test_the_indicator_parameter_chooses_what_is_ranked(extract):
    at = ok(run_app(indicator="ptr_primary"))
    assert selectbox(at, t("overview.gaps.indicator")).value == "ptr_primary"
    assert at.query_params["indicator"] == "ptr_primary"
    assert not url_notices(at)
    titles = [m.value for m in at.markdown]
    assert f"**{t('overview.gaps.above')}**" in titles  # lower is better: above is worse

    selectbox(at, t("overview.gaps.indicator")).select("ner_primary").run()
    ok(at)
    assert at.query_params["indicator"] == "ner_primary"


def test_an_indicator_of_another_level_sets_the_level(extract):
    at = ok(run_app(indicator="ger_lower_secondary", level="primary"))
    assert selectbox(at, t("filters.level")).value == "lower_secondary"
    assert selectbox(at, t("overview.gaps.indicator")).value == "ger_lower_secondary"
    assert not url_notices(at)


@pytest.mark.parametrize("raw", ["no_such_indicator", "enrolment_primary",
                                 "![x](http://example.org/x.png)"])
def test_an_invalid_indicator_falls_back_with_a_notice(extract, raw):
    at = ok(run_app(indicator=raw))
    notices = url_notices(at)
    assert len(notices) == 1, notices
    assert "](http" not in notices[0]
    assert selectbox(at, t("overview.gaps.indicator")).value == "ger_primary"
    assert at.query_params["indicator"] == "ger_primary"


def test_no_data_is_said_not_drawn(extract):
    """Flow rates of the last year need the next year: no value, never 0."""
    year = max(db.extract_info(extract).years)
    at = ok(run_app(indicator="dropout_primary", year=str(year)))
    infos = [i.value for i in at.info]
    assert t("overview.gaps.no_data", year=f"{year}–{(year + 1) % 100:02d}") in infos
    assert len(charts(at)) == 1, "only the parity ranking has values"
