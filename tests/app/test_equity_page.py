"""The Equity page through AppTest: links open the view they name, filters change it,
invalid values fall back with a notice, and the ranking's reference is the engine's
national value."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_school_year, t
from lib.indicators import compute
from tests.app.pages import chart_rows, ok, open_page, titles, url_notices

PAGE = "pages/equity.py"
TIMEOUT = 90


def run_page(**query: str) -> AppTest:
    return open_page(PAGE, timeout=TIMEOUT, **query)


def segmented(at: AppTest, label: str):
    return next(b for b in at.button_group if b.label == label)


def query(at: AppTest) -> dict[str, str]:
    return dict(at.query_params)


def test_default_view_is_gender_parity_of_the_ger_by_district(con):
    at = run_page()
    year = max(db.extract_info(con).years)
    assert [e.value for e in at.title] == [t("equity.title")]
    assert query(at)["indicator"] == "ger_primary" and query(at)["by"] == "sex"
    assert query(at)["admin"] == "district"
    assert titles(at)[0] == t("equity.ranking.title_value", name="Gross enrolment ratio, "
                              "Primary", group="")
    national = float(compute(con, "ger_primary", "national", year)["value"].iloc[0])
    rows = chart_rows(at)
    assert any(row.get("v") == pytest.approx(national) for row in rows), "national line"
    n_districts = len(db.admin_units(con, level=2))
    assert len({row["unit_code"] for row in rows if "unit_code" in row}) == n_districts
    assert len({row["area"] for row in rows if "unit_code" in row}) == n_districts, \
        "one bar each: districts sharing a name (two Xaysetha) are told apart"
    text = "\n".join(m.value for m in at.markdown)
    assert t("equity.measure.theil_within") in text and "within provinces" in text
    assert len(at.get("vega_lite_chart")) == 2, "ranking and scatter (the map is folium)"
    assert not url_notices(at)


def test_a_shared_link_for_ownership_shows_the_groups_side_by_side(con):
    at = run_page(indicator="ptr_primary", by="ownership", admin="province", vs="ger_primary")
    assert query(at)["by"] == "ownership" and query(at)["admin"] == "province"
    assert titles(at)[0] == t("equity.groups.title.ownership")
    groups = {row["group"] for row in chart_rows(at) if "group" in row}
    assert groups <= {"public", "private", "community"} and len(groups) >= 2
    assert len(at.get("vega_lite_chart")) == 3
    assert at.selectbox(key="url_vs").value == "ger_primary"
    assert not url_notices(at)


def test_invalid_values_in_a_link_fall_back_with_a_notice(con):
    at = run_page(indicator="enrolment_primary", by="wealth", admin="county", vs="nope")
    notices = url_notices(at)
    assert len(notices) == 4, notices
    assert query(at)["indicator"] == "ger_primary"
    assert query(at)["by"] == "sex" and query(at)["admin"] == "district"


def test_changing_the_filters(con):
    units = db.admin_units(con)
    province = units[units["level"] == 1].iloc[0]
    at = run_page()
    segmented(at, t("equity.dimension")).set_value("priority").run()
    ok(at)
    assert query(at)["by"] == "priority"
    segmented(at, t("equity.ranking.measure")).set_value("parity").run()
    ok(at)
    assert titles(at)[0] == t("equity.ranking.title_parity", name="",
                              group=t("equity.map.title.priority"))
    at.slider(key="equity_bottom_n").set_value(3).run()
    ok(at)
    # a district is priority or not: the priority gap is compared between provinces
    assert at.subheader[-1].value == t("equity.bottom.heading", n=3, areas="provinces")
    assert t("equity.priority_by_province") in [c.value for c in at.caption]
    at.selectbox(key="url_area1").select(province["code"]).run()
    ok(at)
    assert query(at)["area"] == province["code"]
    in_province = units[units["parent_code"] == province["code"]]
    assert t("equity.priority_in_province") in [i.value for i in at.info]
    rows = chart_rows(at)
    assert {r["unit_code"] for r in rows if "unit_code" in r} == set(in_province["code"])
    at.selectbox(key="url_indicator").select("ptr_primary").run()
    ok(at)
    assert query(at)["indicator"] == "ptr_primary"
    assert query(at)["by"] == "priority", "still a dimension of the new indicator"
    assert query(at)["vs"] != "ptr_primary", "never an indicator against itself"
    assert "ptr_primary" not in [o.rsplit("(", 1)[-1].rstrip(")")
                                 for o in at.selectbox(key="url_vs").options]


def test_the_target_comes_from_the_package_and_can_be_typed(con):
    at = run_page()
    target = at.number_input(key="equity_target_ger_primary")
    assert target.value == 110.0, "the demo package's target for ger_primary"
    target.set_value(104.5).run()
    ok(at)
    assert any(row.get("v") == 104.5 for row in chart_rows(at))


def test_flow_rates_of_the_last_year_say_to_choose_an_earlier_year(con):
    year = max(db.extract_info(con).years)
    at = run_page(indicator="dropout_primary", year=str(year))
    why = t("chart.all_no_data_flows", year=format_school_year(year))
    assert why in [i.value for i in at.info], "the reader is told why every area is empty"
    at = run_page(indicator="dropout_primary", year=str(year - 1))
    assert not any("flow rates" in i.value for i in at.info)
