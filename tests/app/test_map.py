"""The Map page through Streamlit's AppTest (no browser): every choice, links and their
fallbacks, drill-down and back, schools, classes; never an exception."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.i18n import format_school_year, t
from lib.indicators import registry_for
from lib.schools_layer import ATTRIBUTES
from tests.app.pages import ok, url_notices
from ui.markdown import escape

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 90


@pytest.fixture
def extract(demo_extract, monkeypatch):
    monkeypatch.setenv("EMIS_DB", str(demo_extract))
    with db.connect_current(demo_extract) as con:
        units = db.admin_units(con)
    return units


def open_map(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("pages/map.py")
    at.query_params.update(query)
    return at.run()


def component_args(at: AppTest) -> dict:
    """The arguments sent to the map component (what the browser receives)."""
    def walk(node):
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            yield child
            yield from walk(child)
    found = [e for e in walk(at._tree) if getattr(e, "type", "") == "component_instance"]
    assert len(found) == 1
    return json.loads(found[0].proto.json_args)


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def test_the_district_map_by_default(extract):
    at = ok(open_map())
    assert at.title[0].value == t("map.title")
    assert at.query_params["admin"] == "district" and at.query_params["indicator"]
    args = component_args(at)
    n_districts = int((extract["level"] == 2).sum())
    assert args["script"].count('"type":"Feature"') == n_districts
    assert args["returned_objects"] == ["last_active_drawing"]  # no rerun on pan or zoom
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == n_districts
    assert [b.label for b in at.get("download_button")] == [
        t("map.download.csv"), t("map.download.html")]


def test_provinces_parity_and_a_link(extract):
    at = ok(open_map(admin="province", by="sex", indicator="ger_primary"))
    assert at.selectbox(key="map_show").value == "sex:parity"
    assert at.query_params["by"] == "sex"
    args = component_args(at)
    assert args["script"].count('"type":"Feature"') == int((extract["level"] == 1).sum())
    assert t("map.legend.parity_note", direction=t("parity.direction.higher")) in \
        args["script"], "GER: higher is better, so orange (below 1) is the girls behind"
    # girls only: the split stays in the URL
    ok(at.selectbox(key="map_show").set_value("sex:F").run())
    assert at.query_params["by"] == "sex"
    ok(at.selectbox(key="map_show").set_value("T").run())
    assert "by" not in at.query_params


def test_every_value_shown_of_every_split(extract, demo_extract):
    at = ok(open_map(admin="province", indicator="enrolment_primary"))
    options = at.selectbox(key="map_show").options
    with db.connect_current(demo_extract) as con:
        registry = registry_for(con)
    groups = sum(len(registry.split(d).groups) for d in registry.dimensions)
    assert groups == 6 + 4  # the demo's ethnicities and home languages
    # total, two groups and parity of three splits, each group of the package's dimensions
    assert len(options) == 1 + 3 * 3 + groups
    shown = set()
    for index in range(len(options)):
        ok(at.selectbox(key="map_show").select_index(index).run())
        shown.add(at.selectbox(key="map_show").value)
    assert len(shown) == len(options) and "priority:parity" in shown
    assert "ethnicity:hmong_mien" in shown


def test_bad_links_fall_back_with_a_notice(extract):
    at = ok(open_map(admin="county", by="colour", indicator="no_such_indicator",
                     area="9999"))
    text = warnings(at)
    for value in ("county", "colour", "no_such_indicator", "9999"):
        assert escape(value) in text
    assert at.query_params["admin"] == "district" and "by" not in at.query_params


def test_a_province_in_the_link_shows_its_districts_and_the_way_back(extract):
    province = extract.loc[extract["level"] == 1, "code"].iloc[0]
    children = int((extract["parent_code"] == province).sum())
    at = ok(open_map(area=province))
    assert component_args(at)["script"].count('"type":"Feature"') == children
    assert len(at.dataframe[0].value) == children
    assert t("map.classes_national", areas="districts") in captions(at)
    ok(at.button(key="map_back_country").click().run())
    assert "area" not in at.query_params
    assert at.selectbox(key="url_area1").value == ""


def test_a_district_in_the_link_is_outlined_among_its_province(extract):
    district = extract.loc[extract["level"] == 2].iloc[0]
    at = ok(open_map(area=district["code"]))
    assert f'var selected = "{district["code"]}"' in component_args(at)["script"]
    ok(at.button(key="map_back_1").click().run())
    assert at.query_params["area"] == district["parent_code"]


def test_schools_layer_every_attribute(extract):
    at = ok(open_map(admin="province"))
    ok(at.toggle(key="url_schools").set_value(True).run())
    args = component_args(at)
    assert "L.markerClusterGroup" in args["script"]
    assert any("leaflet.markercluster" in link for link in args["js_links"])
    prefix = t("map.schools.unplaced", n="").split(":")[0]
    assert any(c.value.startswith(prefix) for c in at.caption)
    for attribute in ATTRIBUTES:
        ok(at.selectbox(key="url_colour_schools_by").set_value(attribute).run())
        assert t(f"map.schools.attr.{attribute}") in component_args(at)["script"]


def test_more_schools_than_a_map_sends_come_as_cells(extract, monkeypatch):
    monkeypatch.setenv("EMIS_MAP_MAX_SCHOOLS", "100")  # the demo's province has more
    at = ok(open_map(admin="province", schools="1"))
    script = component_args(at)["script"]
    assert "m._counts.forEach" in script and "d.k[m._school]" not in script
    note = t("map.schools.cells", n="", cells="", km="").split(":")[0].strip()
    assert any(note in c.value for c in at.caption), captions(at)
    # a district, with fewer schools than that: each school
    district = extract[extract["level"] == 2].iloc[0]["code"]
    at = ok(open_map(admin="province", schools="1", area=district))
    assert "d.k[m._school]" in component_args(at)["script"]


def test_classes_labels_and_bad_breaks(extract):
    at = ok(open_map())
    for scheme in ("equal_interval", "natural_breaks"):
        ok(at.selectbox(key="url_classes").set_value(scheme).run())
        assert t(f"map.scheme.{scheme}") in component_args(at)["script"]
    ok(at.slider(key="url_k").set_value(7).run())
    ok(at.selectbox(key="url_classes").set_value("custom").run())
    ok(at.text_input(key="map_breaks_value").set_value("90, abc").run())
    assert at.error and "abc" in at.error[0].value
    ok(at.text_input(key="map_breaks_value").set_value("90, 100, 110").run())
    assert not at.error
    assert t("map.legend.above", value="110.0%") in component_args(at)["script"]
    ok(at.toggle(key="url_labels").set_value(True).run())
    assert '"lp":[' in component_args(at)["script"]
    ok(at.selectbox(key="url_palette").set_value("PuBu").run())
    # Every choice is in the URL ...
    assert {key: at.query_params[key] for key in ("classes", "breaks", "labels", "palette")} \
        == {"classes": "custom", "breaks": "90,100,110", "labels": "1", "palette": "PuBu"}


def test_a_link_with_every_map_choice_reopens_the_same_map(extract):
    query = dict(admin="province", classes="equal_interval", k="7", palette="PuBu",
                 labels="1", schools="1", colour_schools_by="electricity")
    at = ok(open_map(**query))
    assert at.selectbox(key="url_classes").value == "equal_interval"
    assert at.slider(key="url_k").value == 7
    assert at.selectbox(key="url_palette").value == "PuBu"
    assert at.toggle(key="url_labels").value and at.toggle(key="url_schools").value
    assert at.selectbox(key="url_colour_schools_by").value == "electricity"
    script = component_args(at)["script"]
    assert t("map.scheme.equal_interval") in script and '"lp":[' in script
    assert t("map.schools.attr.electricity") in script
    assert {key: at.query_params[key] for key in query} == query
    assert not url_notices(at)
    # Custom breaks from a link; bad values fall back with a notice each.
    at = ok(open_map(classes="custom", breaks="80,100,120"))
    assert t("map.legend.above", value="120.0%") in component_args(at)["script"]
    at = ok(open_map(k="40", palette="Nope", labels="yes", breaks="1,x"))
    assert len(url_notices(at)) == 3
    assert at.slider(key="url_k").value == 5 and not at.toggle(key="url_labels").value


def test_every_indicator_of_the_level_maps_or_says_why(extract):
    at = ok(open_map(admin="province"))
    options = at.selectbox(key="url_indicator").options
    assert len(options) > 20
    for index in range(0, len(options), 5):
        ok(at.selectbox(key="url_indicator").select_index(index).run())
        assert at.query_params["indicator"] == at.selectbox(key="url_indicator").value


def test_the_overview_small_map_comes_from_the_same_builder(extract, demo_extract):
    def script():
        import json

        from lib import db
        from ui import extract as data
        from ui import indicator_map
        from ui.filters import Filters

        with db.connect_current(data.path()) as con:
            year = json.loads(db.meta(con)["years"])[-1]
        indicator_map.small_map(Filters("en", year, "primary"), "ger_primary",
                                key="small")
        indicator_map.small_map(Filters("en", year, "primary", ("01",)), "ger_primary",
                                key="small_province", by="sex", group="parity")

    at = ok(AppTest.from_function(script, default_timeout=TIMEOUT).run())
    def walk(node):
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else []):
            yield child
            yield from walk(child)
    maps = [json.loads(e.proto.json_args) for e in walk(at._tree)
            if getattr(e, "type", "") == "component_instance"]
    assert len(maps) == 2
    assert maps[0]["script"].count('"type":"Feature"') == int((extract["level"] == 1).sum())
    assert maps[1]["script"].count('"type":"Feature"') == int(
        (extract["parent_code"] == "01").sum())
    assert all(m["returned_objects"] == [] for m in maps)  # never reruns the page


def test_other_pages_still_render(extract):
    for page in ("pages/about.py",):
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.switch_page(page)
        ok(at.run())


def test_districts_have_no_priority_split_provinces_do(extract):
    """A district is a priority district or not: its priority parity cannot exist."""
    at = ok(open_map(admin="district", by="priority", indicator="ger_primary"))
    assert at.selectbox(key="map_show").value == "T"
    assert t("map.show.priority.parity") not in at.selectbox(key="map_show").options
    assert url_notices(at), "the link's by=priority is refused with a notice"
    at = ok(open_map(admin="province", by="priority", indicator="ger_primary"))
    assert at.selectbox(key="map_show").value == "priority:parity"
    assert not url_notices(at)


def test_a_change_map_from_a_link(extract, demo_extract):
    with db.connect_current(demo_extract) as con:
        years = db.extract_info(con).years
    first, last = min(years), max(years)
    at = ok(open_map(admin="province", since=str(first)))
    assert at.selectbox(key="url_since").value == first
    assert at.query_params["since"] == str(first)
    script = component_args(at)["script"]
    title = t("map.change.title", name="Gross enrolment ratio, Primary",
              since=format_school_year(first))
    assert title in script
    assert t("map.legend.no_comparable") in script
    table = next(d.value for d in at.dataframe if "value_before" in d.value.columns)
    assert (table["value"] - (table["value_now"] - table["value_before"])).abs().max() < 1e-9
    # A year after the one shown, or one the census lacks, falls back with a notice.
    at = ok(open_map(since=str(last + 1)))
    since = at.selectbox(key="url_since")
    assert since.value == 0 and len(url_notices(at)) == 1
    # "No change" is a choice shown as such, not an empty box
    assert since.options[since.index] == t("map.change.none") and "since" not in at.query_params
