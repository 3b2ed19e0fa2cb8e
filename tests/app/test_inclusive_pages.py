"""The demo's inclusive data on the pages, through AppTest: Equity by ethnicity and by
functional domain from a link, in English and Lao, the map's value shown for a group, the
Trends page's lines by ethnicity; every value drawn is the engine's."""
from __future__ import annotations

import pytest

from lib import db
from lib.i18n import t
from lib.indicators import compute
from lib.indicators.context import context
from tests.app.pages import chart_rows, open_page, titles, url_notices

TIMEOUT = 90


def _year(con) -> int:
    return max(db.extract_info(con).years)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_equity_by_ethnicity_from_a_link(con, lang):
    at = open_page("pages/equity.py", timeout=TIMEOUT, lang=lang,
                   indicator="female_share_lower_secondary", by="ethnicity", admin="province")
    assert dict(at.query_params)["by"] == "ethnicity" and not url_notices(at)
    names = context(con).group_names
    title = t("equity.groups.title.dimension", lang, dimension=names.dimension("ethnicity",
                                                                              lang))
    assert titles(at)[0] == title
    assert ("ຊົນເຜົ່າ" in title) == (lang == "lo")
    engine = compute(con, "female_share_lower_secondary", "province", _year(con),
                     by="ethnicity")
    expected = {(r.unit_code, r.group): r.value for r in engine.itertuples()
                if r.group != "T" and r.value == r.value}
    drawn = {(row["unit_code"], row["group"]): row["value"] for row in chart_rows(at)
             if "group" in row and row.get("value") == row.get("value")}
    assert drawn and drawn == pytest.approx(expected)
    labels = {o for b in at.button_group if b.label == t("equity.dimension", lang)
              for o in b.options}
    assert names.dimension("ethnicity", lang) in labels
    assert names.dimension("home_language", lang) in labels


def test_equity_by_functional_domain_from_a_link(con):
    at = open_page("pages/equity.py", timeout=TIMEOUT,
                   indicator="functional_difficulty_primary", by="domain", admin="province")
    assert dict(at.query_params)["by"] == "domain" and not url_notices(at)
    assert titles(at)[0] == t("equity.groups.title.domain")
    groups = {row["group"] for row in chart_rows(at) if "group" in row}
    assert {"seeing", "learning"} <= groups and "any" not in groups


def test_the_map_shows_one_group_of_a_dimension(con):
    at = open_page("pages/map.py", timeout=TIMEOUT, indicator="enrolment_primary",
                   by="ethnicity")
    names = context(con).group_names
    first = context(con).registry.split("ethnicity").groups[0]
    shown = at.selectbox(key="map_show")
    assert shown.value == f"ethnicity:{first}"
    assert t("map.show.group", split=names.dimension("ethnicity"),
             group=names.group("ethnicity", first)) in shown.options
    assert not url_notices(at)


def test_trends_by_ethnicity(con):
    at = open_page("pages/trends.py", timeout=TIMEOUT, indicator="enrolment_primary",
                   by="ethnicity")
    assert dict(at.query_params)["by"] == "ethnicity" and not url_notices(at)
    names = context(con).group_names
    drawn = {row["group_name"] for row in chart_rows(at) if "group_name" in row}
    assert names.group("ethnicity", "hmong_mien") in drawn


def test_equity_ranks_the_areas_by_one_group(con):
    at = open_page("pages/equity.py", timeout=TIMEOUT, indicator="ger_upper_secondary",
                   by="ethnicity", admin="province")
    at.selectbox(key="equity_rank_group_ethnicity").set_value("hmong_mien").run()
    assert not at.exception
    names = context(con).group_names
    name = context(con).registry.get("ger_upper_secondary").name()
    assert t("equity.ranking.title_group", name=name,
             group=names.group("ethnicity", "hmong_mien")) in titles(at)
    engine = compute(con, "ger_upper_secondary", "province", _year(con), by="ethnicity")
    group = engine[engine["group"] == "hmong_mien"]
    expected = {r.unit_code: r.value for r in group.itertuples() if r.value == r.value}
    ranking = next(i for i, title in enumerate(titles(at)) if "hmong" in title.lower()
                   or names.group("ethnicity", "hmong_mien") in title)
    drawn = {row["unit_code"]: row["value"] for row in chart_rows(at, ranking)
             if "unit_code" in row and row.get("value") == row.get("value")}
    assert drawn == pytest.approx(expected)
    national = compute(con, "ger_upper_secondary", "national", _year(con), by="ethnicity")
    line = national.loc[national["group"] == "hmong_mien", "value"].iloc[0]
    assert any(row.get("v") == pytest.approx(line) for row in chart_rows(at, ranking))
