"""The pages over a country of three admin levels (tests/fixtures/admin_levels.py: region →
division without polygons → circuit): one list per level in the sidebar, each within the
one above; maps colour and drill into the levels with polygons only."""
from __future__ import annotations

import pytest

from lib.build import build_extract
from lib.country import country_words, load_country
from lib.i18n import country_words_in_use
from tests.app.pages import ok, open_page
from tests.app.test_map import component_args
from tests.fixtures.admin_levels import write_three_level_package


@pytest.fixture(scope="module")
def tridia(tmp_path_factory):
    package = write_three_level_package(tmp_path_factory.mktemp("tridia") / "package")
    db = package.parent / "emis.duckdb"
    build_extract(package, db)
    return db, country_words(load_country(package))


@pytest.fixture
def app(tridia, monkeypatch):
    db, words = tridia
    monkeypatch.setenv("EMIS_DB", str(db))
    with country_words_in_use(words):
        yield


def features(at) -> int:
    return component_args(at)["script"].count('"type":"Feature"')


def test_the_sidebar_has_one_list_per_level_each_within_the_one_above(app):
    at = open_page("pages/overview.py", area="D11")
    lists = {box.key: box for box in at.selectbox if box.key and box.key.startswith("url_area")}
    assert [box.label for box in lists.values()] == ["Region", "Division", "Circuit"]
    assert (lists["url_area1"].value, lists["url_area2"].value) == ("R1", "D11")
    assert lists["url_area3"].options == ["All circuits", "Alpha", "Bravo"]
    assert at.title[0].value == "Division profile: Keel"
    pupils = next(m for m in at.metric if m.label == "Pupils")
    assert pupils.value == "98"
    # a new region empties the lists below it
    ok(at.selectbox(key="url_area1").select("R2").run())
    assert at.query_params["area"] == "R2"
    assert at.selectbox(key="url_area2").options == ["All divisions", "Moss"]
    assert at.selectbox(key="url_area3").disabled


def test_the_map_offers_only_levels_with_polygons(app):
    at = open_page("pages/map.py")
    assert at.query_params["admin"] == "circuit"  # the second level with polygons
    admin = at.get("button_group")[0]
    assert admin.proto.options[0].content == "Regions" and len(admin.proto.options) == 2
    assert features(at) == 4
    inside = ok(open_page("pages/map.py", area="D11"))
    assert features(inside) == 2  # Keel's two circuits; a division has no polygon
    assert any("circuits of Keel Division" in c.value for c in inside.caption)


def test_a_circuit_is_outlined_among_the_circuits_of_its_region(app):
    at = open_page("pages/map.py", area="C121")
    args = component_args(at)
    assert 'var selected = "C121"' in args["script"]
    assert features(at) == 3  # North's circuits: Alpha, Bravo, Delta
    ok(at.button(key="map_back_2").click().run())  # back to Lark
    assert at.query_params["area"] == "D12"


def test_an_extract_of_an_older_version_asks_to_be_rebuilt(tridia, tmp_path, monkeypatch):
    import shutil

    import duckdb

    from lib.i18n import t

    db, words = tridia
    old = tmp_path / "old.duckdb"
    shutil.copy(db, old)
    with duckdb.connect(str(old)) as con:
        con.execute("DROP TABLE area_lineage")
    monkeypatch.setenv("EMIS_DB", str(old))
    with country_words_in_use(words):
        at = open_page("pages/map.py")
    assert [e.value for e in at.error] == [t("missing.outdated_title")]
    assert str(old) in [c.value for c in at.code]
    assert not at.get("component_instance") and not at.selectbox
