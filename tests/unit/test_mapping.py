"""Map payloads and builders (geo/mapping.py, geo/assets.py, lib/schools_layer.py): every
area present with its values, text from data escaped, nothing loaded from another host."""
from __future__ import annotations

import html
import json
import math
import re

import branca.colormap
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import assets, mapping
from geo.classify import assign, classify, sequential_colours
from lib import db, schools_layer

HOSTILE = "<img src=x onerror=alert(1)>"
ASSET_URL = "/app/static"


@pytest.fixture(scope="module")
def districts(demo_extract) -> dict[str, bytes]:
    with db.connect_current(demo_extract) as con:
        frame = db.boundaries(con, 2, "medium")
        n_districts = int(con.execute(
            "SELECT count(*) FROM admin_units WHERE level = 2").fetchone()[0])
    assert len(frame) == n_districts  # every district has a polygon in the demo
    return dict(zip(frame["code"], frame["geometry"]))


def areas_for(codes, name=lambda code: f"District {code}") -> list[mapping.Area]:
    values = np.linspace(40, 110, len(codes))
    values[3] = np.nan
    k = assign(values, classify(values, "quantiles", 5))
    return [mapping.Area(code=c, name=name(c), value="no data" if np.isnan(v) else f"{v:.1f}%",
                         k=int(ki), numerator=f"{i * 10:,}", denominator="1,000",
                         flags="small denominator" if i == 0 else "")
            for i, (c, v, ki) in enumerate(zip(codes, values, k))]


def features(payload: str) -> list[dict]:
    data = json.loads(payload)
    assert data["type"] == "FeatureCollection"
    return data["features"]


def test_every_district_is_in_the_payload_with_its_values(districts):
    codes = sorted(districts)
    areas = areas_for(codes)
    found = features(mapping.area_features(districts, areas))
    assert [f["properties"]["code"] for f in found] == codes
    by_code = {f["properties"]["code"]: f["properties"] for f in found}
    for area in areas:
        props = by_code[area.code]
        assert props["n"] == area.name and props["v"] == area.value and props["k"] == area.k
        assert props["a"] == area.numerator and props["b"] == area.denominator
    assert by_code[codes[0]]["f"] == "small denominator" and "f" not in by_code[codes[1]]
    assert by_code[codes[3]]["k"] == -1
    for f in found:
        assert shapely.geometry.shape(f["geometry"]).is_valid


def test_the_district_payload_fits_the_budget(districts):
    payload = mapping.area_features(districts, areas_for(sorted(districts)))
    assert len(payload.encode("utf-8")) <= 250_000


def test_text_from_data_is_escaped(districts):
    codes = sorted(districts)
    areas = areas_for(codes, name=lambda code: HOSTILE if code == codes[0] else code)
    areas[1] = mapping.Area(codes[1], 'Ban "Na" & Co', "</script><script>alert(1)</script>", 0,
                            flags="<b>x</b>")
    payload = mapping.area_features(districts, areas, label_points=True)
    assert "<img" not in payload and "</script" not in payload and "<b>" not in payload
    props = [f["properties"] for f in features(payload)]
    assert props[0]["n"] == html.escape(HOSTILE)
    assert props[1]["n"] == "Ban &quot;Na&quot; &amp; Co"
    assert all(len(p["lp"]) == 2 for p in props)


def test_areas_without_a_polygon_are_left_out(districts):
    codes = sorted(districts)[:5]
    found = features(mapping.area_features({c: districts[c] for c in codes[:2]},
                                           areas_for(codes)))
    assert [f["properties"]["code"] for f in found] == codes[:2]


def spec(districts, **changes) -> mapping.MapSpec:
    codes = sorted(districts)
    legend = mapping.Legend(f"GER {HOSTILE}", (
        mapping.LegendRow("#ffffb2", "40.0% – 60.0%", "30"),
        mapping.LegendRow("#d4d4d4", "No data", "1")), note="Quantiles")
    base = dict(features=mapping.area_features(districts, areas_for(codes)),
                colours=tuple(sequential_colours(5, True)),
                words=mapping.TipLabels("GER", "Pupils", "Population", "Click"),
                legend=legend, bounds=((13.9, 100.1), (22.5, 107.7)))
    base.update(changes)
    return mapping.MapSpec(**base)


def schools(n: int = 50, hostile: bool = True) -> mapping.Schools:
    rng = np.random.default_rng(3)
    names = [f"School {i}" for i in range(n)]
    if hostile:
        names[0] = HOSTILE
    return mapping.Schools(
        latitude=rng.uniform(15, 21, n), longitude=rng.uniform(101, 107, n),
        category=rng.integers(0, 3, n), school_id=[f"S-{i}" for i in range(n)], name=names,
        pupils=np.where(np.arange(n) == 1, np.nan, 120.0), ptr=np.full(n, 31.25),
        colours=("#1b9e77", "#d95f02", "#7570b3"),
        legend=mapping.Legend("Schools", (mapping.LegendRow("#1b9e77", "Public", "50"),)))


def walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from walk(child)


def test_the_map_loads_scripts_only_from_the_app(districts):
    words = mapping.PopupLabels("Code", "Pupils", "PTR", "no data", "Profile",
                                "/schools?school=")
    m = mapping.choropleth_map(spec(districts, schools=schools(), school_words=words),
                               ASSET_URL)
    page = m.get_root().render()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert links and all(link.startswith(ASSET_URL + "/") for link in links), links
    assert "cdn" not in page.lower() and not re.search(r"https?://(?!leafletjs)", page)
    # what streamlit-folium collects from the elements (it loads these itself)
    used = [url for e in walk(m) for _, url in (getattr(e, "default_js", [])
                                                + getattr(e, "default_css", []))]
    assert used and all(url.startswith(ASSET_URL + "/") for url in used)
    assert any("leaflet.markercluster.js" in url for url in used)
    assert not any(isinstance(e, branca.colormap.ColorMap) for e in walk(m))
    for url in used:  # every file linked exists in static/
        assert (assets.STATIC_DIR / url[len(ASSET_URL) + 1:]).is_file()
    assert '"maxZoom": 16' in page  # MarkerCluster needs it; no tile layer gives none
    assert "L.tileLayer" not in page


def test_escaped_school_names_and_legend(districts):
    words = mapping.PopupLabels("Code", "Pupils", "PTR", "no data")
    page = mapping.choropleth_map(spec(districts, schools=schools(), school_words=words),
                                  ASSET_URL).get_root().render()
    assert HOSTILE not in page and html.escape(HOSTILE) in page
    payload = json.loads(mapping.schools_payload(schools()))
    assert payload["n"][0] == html.escape(HOSTILE)
    assert payload["p"][1] is None and payload["p"][0] == 120
    assert payload["r"][0] == pytest.approx(31.2, abs=0.051)
    assert len(payload["lat"]) == len(payload["k"]) == 50


def test_a_configured_basemap_is_used_and_otherwise_none():
    assert mapping.basemap_from_env({}) is None
    assert mapping.basemap_from_env({"EMIS_TILE_URL": "http://tiles.local/{z}/{x}/{y}.png"}) \
        is None  # no attribution, no basemap
    basemap = mapping.basemap_from_env({"EMIS_TILE_URL": "http://tiles.local/{z}/{x}/{y}.png",
                                        "EMIS_TILE_ATTRIBUTION": "Ministry <GIS>"})
    assert basemap is not None


def test_a_downloaded_map_needs_no_network(districts, tmp_path):
    m = mapping.choropleth_map(spec(districts, schools=schools(),
                                    school_words=mapping.PopupLabels("C", "P", "R", "-")),
                               ASSET_URL)
    page = mapping.standalone_html(m, ASSET_URL)
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "L.markerClusterGroup" in page and "MarkerClusterGroup" in page  # inlined plugin
    assert "url(data:image/png;base64," in page  # leaflet.css images inlined
    assert html.escape(html.escape(f"GER {HOSTILE}")) not in page  # escaped once


def test_a_downloaded_map_says_what_when_where_from_and_what_not(districts):
    heading = mapping.Heading(f"GER {HOSTILE}", ("Districts of Lao PDR, school year 2023–24",
                                                 "Source: Ministry <census>"),
                              ("Synthetic demo data, not official statistics",))
    legend = mapping.Legend("GER", (), warning="Schematic boundaries, not real borders")
    page = mapping.standalone_html(mapping.choropleth_map(
        spec(districts, heading=heading, legend=legend, labels=True), ASSET_URL), ASSET_URL)
    for text in ("Districts of Lao PDR, school year 2023–24",
                 "Synthetic demo data, not official statistics",
                 "Schematic boundaries, not real borders", "emis-heading-title"):
        assert text in page
    assert "Source: Ministry" in page and "census" in page
    assert "<census>" not in page and HOSTILE not in page  # escaped


def test_inlining_refuses_a_foreign_link():
    with pytest.raises(ValueError, match="not an asset"):
        assets.inline_html('<script src="https://cdn.example.org/x.js"></script>', ASSET_URL)


def test_static_assets_are_in_place():
    assert assets.installed(), "run python -m geo.assets (make does it)"


def test_fit_zoom():
    laos = ((13.9, 100.1), (22.5, 107.7))
    assert 5.5 < mapping.fit_zoom(laos) < 7.5
    assert mapping.fit_zoom(((19.0, 101.5), (20.0, 102.5))) > mapping.fit_zoom(laos)


# --------------------------------------------------------------------------- schools


def school_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": ["a", "b", "c", "d", "e"],
        "name_en": ["A", "B", HOSTILE, "D", "E"], "name_local": ["", "", "", "", ""],
        "latitude": [18.0, 18.1, None, 18.2, 18.3],
        "longitude": [102.0, 102.1, None, 102.2, 102.3],
        "has_location": [True, True, False, False, True],
        "ownership": ["public", "private", "public", "community", None],
        "complete": [True, False, True, None, True],
        "pupils": [200.0, 90.0, 50.0, None, 460.0], "teachers": [10.0, 2.0, 1.0, 3.0, 0.0],
        "electricity": [True, False, None, True, None]})


def test_schools_without_coordinates_are_counted_not_placed():
    placed = schools_layer.categorise(school_rows(), "ownership")
    assert placed.without_location == 2
    assert placed.points["school_id"].tolist() == ["a", "b", "e"]
    assert placed.categories[placed.points["category"].iloc[2]] == "unknown"
    assert sum(placed.counts) == 3


@pytest.mark.parametrize("attribute, expected", [
    ("ptr", ["under_25", "45_plus", "unknown"]),
    ("complete", ["complete", "incomplete", "complete"]),
    ("electricity", ["yes", "no", "unknown"]),
])
def test_school_categories(attribute, expected):
    placed = schools_layer.categorise(school_rows(), attribute)
    assert [placed.categories[k] for k in placed.points["category"]] == expected


def test_unknown_school_attribute():
    with pytest.raises(ValueError, match="ownership"):
        schools_layer.categorise(school_rows(), "colour")


def test_school_points_of_the_demo(demo_extract):
    with db.connect_current(demo_extract) as con:
        years = json.loads(db.meta(con)["years"])
        rows = db.school_points(con, "primary", [1, 2, 3, 4, 5], years[-1])
        one = db.school_points(con, "primary", [1, 2, 3, 4, 5], years[-1], area="01")
    assert len(rows) > len(one) > 0 and set(one["province_code"]) == {"01"}
    assert rows["school_id"].is_unique and rows["pupils"].notna().mean() > 0.8
    assert (~rows["has_location"]).sum() > 0  # the demo plants schools without coordinates


def test_jquery_only_when_folium_needs_it():
    import folium

    m = mapping.OfflineMap(ASSET_URL, location=None)
    assert [name for name, _ in m.default_js] == ["leaflet"]
    m.keep_in_front(folium.FeatureGroup().add_to(m))  # its template then calls $(document)
    assert [name for name, _ in m.default_js] == ["leaflet", "jquery"]
    assert "jquery" in m.get_root().render()


def test_a_value_label_shows_from_the_zoom_at_which_its_area_holds_it():
    # A 1° × 1° area at the equator, 85 % of it usable: 256/360 × 0.85 ≈ 0.604 px at zoom
    # 0. "50.0%" is 5 × 7 + 6 = 41 px wide: it fits from zoom log2(41 / 0.604) ≈ 6.08.
    assert mapping.label_min_zoom((0, 0, 1, 1), "50.0%") == pytest.approx(6.08, abs=0.01)
    # Twice as wide and tall: one zoom level sooner; a longer text: later.
    assert mapping.label_min_zoom((0, 0, 2, 2), "50.0%") == pytest.approx(5.08, abs=0.01)
    assert mapping.label_min_zoom((0, 0, 1, 1), "1,234,567") > 6.08
    # A sliver too flat for 17 px of text waits for its height, however wide.
    flat = mapping.label_min_zoom((0, 0, 50, 0.01), "1")
    assert flat == pytest.approx(math.log2(17 / (0.01 / 360 * 256 * 0.85)), abs=0.05)
    assert mapping.label_min_zoom((3, 3, 3, 3), "1") == 99.0  # no area: never


def test_label_points_carry_their_zoom(districts):
    codes = sorted(districts)
    found = json.loads(mapping.area_features(districts, areas_for(codes), label_points=True))
    zooms = [f["properties"]["lz"] for f in found["features"]]
    assert all(0 <= z < 20 for z in zooms) and len(set(zooms)) > 1


def _placed(latitude, longitude, category, categories=("public", "private", "unknown")):
    return schools_layer.SchoolCategories(
        "ownership", categories,
        pd.DataFrame({"latitude": latitude, "longitude": longitude, "category": category}),
        tuple(int(c) for c in np.bincount(category, minlength=len(categories))), 0)


def test_schools_counted_in_cells_by_hand():
    # extent 10° on both sides, 2 cells across: cells of 5°; (0, 0) and (0.5, 0.5) share
    # the first, (10, 10) lies in the third row and column
    grid = schools_layer.cells(_placed([0.0, 0.5, 10.0], [0.0, 0.5, 10.0], [0, 1, 0]),
                               across=2)
    assert grid.size == 5.0 and grid.schools == 3
    assert grid.counts.tolist() == [[1, 1, 0], [1, 0, 0]]
    assert grid.latitude.tolist() == [0.25, 10.0] and grid.longitude.tolist() == [0.25, 10.0]
    one = schools_layer.cells(_placed([15.0], [102.0], [2]))  # no extent: one cell
    assert one.counts.tolist() == [[0, 0, 1]] and one.latitude.tolist() == [15.0]
    none = schools_layer.cells(_placed([], [], np.array([], dtype="int64")))
    assert none.counts.shape == (0, 3) and none.schools == 0


def test_a_million_schools_reach_the_browser_as_a_few_thousand_cells(districts):
    n = 1_000_000
    rng = np.random.default_rng(5)
    grid = schools_layer.cells(_placed(rng.uniform(14, 22.5, n), rng.uniform(100, 107.7, n),
                                       rng.integers(0, 3, n)))
    assert grid.schools == n and len(grid.counts) <= (schools_layer.GRID + 1) ** 2
    cells = mapping.SchoolCells(grid.latitude, grid.longitude, grid.counts,
                                ("#1b9e77", "#d95f02", "#d4d4d4"),
                                (f"Public {HOSTILE}", "Private", "Unknown"), "schools",
                                f"Choose {HOSTILE}", legend=mapping.Legend("Schools", ()))
    words = mapping.PopupLabels("Code", "Pupils", "PTR", "no data")
    page = mapping.choropleth_map(spec(districts, schools=cells, school_words=words),
                                  ASSET_URL).get_root().render()
    payload = json.loads(mapping.cells_payload(cells))
    assert sum(map(sum, payload["c"])) == n and len(payload["lat"]) == len(grid.counts)
    assert len(mapping.cells_payload(cells)) < 200_000  # against 80 MB for each school
    assert "donut(counts, colours)" in page and "m._counts.forEach" in page
    assert HOSTILE not in page and html.escape(HOSTILE) in page
