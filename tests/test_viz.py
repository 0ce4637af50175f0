"""The maps without a browser: the payload the pages read, the one definition of "active on D"
in the scenes, layouts, slide pictures (PNG/SVG/PDF), GEXF/GraphML, the CLI and the HTTP routes.

Answers are the curated graph's (README: partners on 2019-06-01 and 2024-06-01; Russian
partnerships ended February 2022, so not active from 2022-03-01; Dnipro from 2023-12-31).
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import networkx as nx
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from api_helpers import client, real_graph
from citygraph.cli import app
from citygraph.viz import gephi, layout, pages, payload, static, world
from citygraph.viz.scene import Scene
from conftest import REPO, make_home

ID = "https://w3id.org/citygraph/id/"


@pytest.fixture(scope="module")
def graph():
    return real_graph()


@pytest.fixture(scope="module")
def data(graph):
    return payload.build(graph, today=date(2026, 1, 15))


def node(data, label: str) -> int:
    return next(i for i, n in enumerate(data["nodes"]) if n["label"]["en"] == label)


def rel(data, path: str) -> dict:
    return next(r for r in data["relationships"] if r["path"] == path)


def partner_cities(data, scene: Scene) -> list[str]:
    out = set()
    for r in scene.rels:
        if data["relationships"][r]["kind"] == "partnership":
            out |= {data["nodes"][i]["label"]["en"] for i in data["relationships"][r]["parties"]
                    if data["nodes"][i]["kind"] == "city"}
    return sorted(out - {"Helsinki"})


# ---------------------------------------------------------------------------- payload

def test_payload_holds_every_relationship_with_its_derived_dates(data):
    assert len(data["relationships"]) == 43  # 18 partnerships, 16 memberships, 3+2+2+2 others
    moscow = rel(data, "partnership/helsinki-moscow")
    assert (moscow["from"], moscow["until"], moscow["status"]) == ("2011-12-31", "2022-03-01", "ended")
    assert moscow["end"] == {"value": "2022-02", "precision": "month"}
    assert "Russia's war of aggression" in moscow["reason"]["en"]
    quotes = [e["quote"] for e in moscow["evidence"]]
    assert "Helsinki has a special partnership relation with Beijing and Moscow." in quotes
    assert {data["sources"][s]["path"] for s in moscow["sources"]} >= {"source/hel-international-activities-en"}
    assert {data["nodes"][p]["label"]["en"] for p in moscow["parties"]} == {"Helsinki", "Moscow"}
    dnipro = rel(data, "agreement/helsinki-dnipro-2023")
    assert (dnipro["from"], dnipro["start"]["precision"]) == ("2023-12-31", "month")


def test_payload_nodes_have_names_in_three_languages_coordinates_and_kinds(data):
    moscow = data["nodes"][node(data, "Moscow")]
    assert moscow["label"] == {"en": "Moscow", "fi": "Moskova", "sv": "Moskva"}
    assert moscow["kind"] == "city" and moscow["path"] == "city/moscow"
    assert round(moscow["lat"], 2) == 55.75 and round(moscow["lon"], 2) == 37.62
    assert data["countries"][moscow["country"]]["fi"] == "Venäjä"
    assert data["nodes"][node(data, "Eurocities")]["kind"] == "network"
    assert all(-100 <= n["x"] <= 100 and -100 <= n["y"] <= 100 for n in data["nodes"])
    assert data["period"] == {"min": "2007-12-31", "max": "2026-01-15"}  # the office from 2007
    assert data["defaults"]["city"] == ID + "city/helsinki"
    json.dumps(data)  # plain JSON


def test_centralities_per_change_date_equal_the_analysis_module(graph, data):
    from citygraph.analysis import Ties, centrality

    cent = data["centrality"]
    assert cent["exact"] and cent["dates"] == sorted(cent["dates"])
    assert "2022-03-01" in cent["dates"] and "2023-12-31" in cent["dates"]
    helsinki = node(data, "Helsinki")
    ties = Ties.load(graph)
    for day in ("2019-06-01", "2024-06-01"):
        k = max(i for i, d in enumerate(cent["dates"]) if d <= day)
        table = centrality(ties.snapshot(day), "combined", kinds=None)
        expected = table.set_index("iri").loc[ID + "city/helsinki"]
        assert cent["measures"]["degree"][k][helsinki] == expected["degree"]
        assert cent["measures"]["pagerank"][k][helsinki] == pytest.approx(expected["pagerank"], rel=1e-3)


# ---------------------------------------------------------------------------- scenes

def test_scene_partners_are_the_readmes_answers(data):
    assert partner_cities(data, Scene.of(data, date(2019, 6, 1))) == [
        "Beijing", "Berlin", "Moscow", "New York City", "Saint Petersburg", "Stockholm", "Tallinn"]
    assert partner_cities(data, Scene.of(data, date(2024, 6, 1))) == [
        "Amsterdam", "Barcelona", "Beijing", "Berlin", "Dnipro", "London", "New York City", "Stockholm", "Tallinn"]
    moscow = node(data, "Moscow")
    assert moscow in Scene.of(data, date(2022, 2, 28)).nodes       # ended "2022-02": active to its end
    assert moscow not in Scene.of(data, date(2022, 3, 1)).nodes    # activeUntil is exclusive
    assert moscow not in Scene.of(data, date(2023, 6, 1)).nodes
    assert node(data, "Dnipro") not in Scene.of(data, date(2023, 12, 30)).nodes
    assert node(data, "Dnipro") in Scene.of(data, date(2023, 12, 31)).nodes


def test_scene_compares_two_dates_in_either_order(data):
    changes = {data["relationships"][r]["path"]: c
               for r, c in Scene.of(data, date(2024, 6, 1), date(2019, 12, 31)).rels.items() if c != "same"}
    assert changes == {
        "partnership/helsinki-moscow": "gone", "partnership/helsinki-st-petersburg": "gone",
        "partnership/helsinki-dnipro": "new", "agreement/helsinki-dnipro-2023": "new",
        "ownership/helsinki-helsinki-partners": "new",  # 2021
        "membership/helsinki-eurocities-executive-committee": "new",
    }
    swapped = Scene.of(data, date(2019, 12, 31), date(2024, 6, 1))
    assert swapped.rels == Scene.of(data, date(2024, 6, 1), date(2019, 12, 31)).rels


def test_ego_scene_keeps_the_city_its_neighbours_and_their_ties(data):
    tallinn = node(data, "Tallinn")
    scene = Scene.of(data, date(2024, 6, 1), ego=tallinn)
    assert sorted(data["nodes"][i]["label"]["en"] for i in scene.nodes) == ["Helsinki", "Tallinn"]
    helsinki = Scene.of(data, date(2019, 6, 1), ego=node(data, "Helsinki"))
    assert node(data, "Moscow") in helsinki.nodes and node(data, "Dnipro") not in helsinki.nodes


# ---------------------------------------------------------------------------- layout

def test_radial_layout_of_a_star_puts_the_hub_in_the_middle_and_groups_kinds():
    g = nx.star_graph(["hub", "c1", "c2", "n1", "n2"])
    kinds = {"c1": "city", "c2": "city", "n1": "network", "n2": "network"}
    pos = layout.radial(g, "hub", kinds)
    assert tuple(pos["hub"]) == (0.0, 0.0)
    for leaf in ("c1", "c2", "n1", "n2"):  # on the ellipse x^2/ASPECT^2 + y^2 = 1
        x, y = pos[leaf]
        assert (x / layout.ASPECT) ** 2 + y ** 2 == pytest.approx(1.0)
    # the ring starts at the bottom and goes counter-clockwise: cities first, then networks
    angles = {k: np.arctan2(pos[k][1], pos[k][0] / layout.ASPECT) % (2 * np.pi) for k in kinds}
    order = sorted(kinds, key=lambda k: (angles[k] - 1.5 * np.pi) % (2 * np.pi))
    assert order == ["c1", "c2", "n1", "n2"]


def test_positions_are_deterministic_and_scale_to_big_graphs():
    g = nx.barabasi_albert_graph(900, 1, seed=3)
    nodes = [f"n{i}" for i in g]
    pairs = [(f"n{a}", f"n{b}") for a, b in g.edges()]
    first = layout.positions(nodes, pairs)
    assert first == layout.positions(nodes, pairs)
    arr = np.array(list(first.values()))
    assert len(first) == 900 and np.isfinite(arr).all() and np.abs(arr).max() == pytest.approx(100.0)
    assert len({tuple(p) for p in first.values()}) == 900  # nodes do not sit on each other


def test_natural_earth_outlines_and_projection_match_d3():
    names = [name for name, _rings in world.countries()]
    assert len(names) == 241 and "Finland" in names
    finland = dict(world.countries())["Finland"]
    lon = np.concatenate([r[:, 0] for r in finland])
    lat = np.concatenate([r[:, 1] for r in finland])
    assert 19 < lon.min() < 21 and 31 < lon.max() < 32 and 59 < lat.min() < 60.5 and 69 < lat.max() < 71
    x, y = world.natural_earth([24.94], [60.17])  # d3.geoNaturalEarth1Raw: 0.30997, 1.04730
    assert (round(float(x[0]), 5), round(float(y[0]), 5)) == (0.30997, 1.0473)


# ---------------------------------------------------------------------------- pictures

def _png(data_: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data_))
    image.load()
    return image


@pytest.mark.parametrize("view,title", [("network", "Network map"), ("ego", "Ego network of Helsinki"),
                                        ("overlap", "Overlap of city networks"), ("geo", "Geographic map")])
def test_png_pictures_are_16_9_titled_and_not_blank(graph, view, title):
    image = _png(static.render(graph, view, "png", as_of=date(2019, 6, 1)))
    assert image.size == (2000, 1125)
    assert image.info["Title"] == title == static.title_of(view)
    pixels = np.asarray(image.convert("RGB"), dtype=np.int32).reshape(-1, 3)
    packed = pixels[:, 0] << 16 | pixels[:, 1] << 8 | pixels[:, 2]
    assert len(np.unique(packed)) > 200  # drawn, not an empty canvas
    assert (pixels.sum(axis=1) < 600).mean() > 0.02  # and a fair share of it is not white


def texts(svg: bytes) -> str:
    """The words of an SVG picture (text stays text: editable on a slide), spaces normalised."""
    root = ET.fromstring(svg)
    return " ".join(" ".join((t.text or "").split()) for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_svg_ego_picture_names_moscow_in_2019_but_not_in_2023(graph):
    old = static.render(graph, "ego", "svg", as_of=date(2019, 6, 1))
    new = static.render(graph, "ego", "svg", as_of=date(2023, 6, 1))
    assert b"<dc:title>Ego network of Helsinki</dc:title>" in old
    assert "Moscow" in texts(old) and "Moscow" not in texts(new)
    assert "as of 2019-06-01" in texts(old)
    assert "Source: citygraph (curated)" in texts(old)
    finnish = static.render(graph, "ego", "svg", as_of=date(2019, 6, 1), lang="fi")
    assert "Moskova" in texts(finnish) and "Helsinki: lähiverkosto" in texts(finnish)


def test_pdf_geo_picture_and_changes_between_dates(graph):
    pdf = static.render(graph, "geo", "pdf", as_of=date(2024, 6, 1), compare=date(2019, 12, 31))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/Title \(Geographic map\)", pdf)
    svg = static.render(graph, "network", "svg", as_of=date(2024, 6, 1), compare=date(2019, 12, 31))
    words = texts(svg)
    assert "added between 2019-12-31 and 2024-06-01 (4)" in words
    assert "ended between 2019-12-31 and 2024-06-01 (2)" in words


def test_picture_errors_name_the_bad_input(graph):
    from citygraph.errors import CityGraphError, NotFoundError

    with pytest.raises(CityGraphError, match="view 'map'"):
        static.render(graph, "map", "png")
    with pytest.raises(CityGraphError, match="measure 'fame'"):
        static.render(graph, "network", "png", measure="fame")
    with pytest.raises(NotFoundError):
        static.render(graph, "ego", "png", city="Atlantis")


# ---------------------------------------------------------------------------- Gephi

def test_gexf_opens_with_networkx_and_has_time_intervals(graph):
    raw = gephi.export(graph, "gexf")
    root = ET.fromstring(raw)
    g_el = root.find("{http://www.gexf.net/1.2draft}graph")
    assert (g_el.get("mode"), g_el.get("timeformat")) == ("dynamic", "date")
    g = nx.read_gexf(io.BytesIO(raw))
    assert g.number_of_nodes() == 51 and g.number_of_edges() == 54
    moscow = [d for _a, b, d in g.edges(data=True) if d["iri"] == ID + "partnership/helsinki-moscow"]
    assert len(moscow) == 1
    # activeFrom 2011-12-31, activeUntil 2022-03-01 (exclusive) -> the closed interval ends 2022-02-28
    assert (moscow[0]["start"], moscow[0]["end"], moscow[0]["activeUntil"]) == ("2011-12-31", "2022-02-28", "2022-03-01")
    assert g.nodes[ID + "city/moscow"]["spells"] == [("2011-12-31", "2022-02-28")]
    tallinn = root.find(".//{http://www.gexf.net/1.2draft}node[@id='" + ID + "city/tallinn']")
    spells = tallinn.findall(".//{http://www.gexf.net/1.2draft}spell")
    assert [(s.get("start"), s.get("end")) for s in spells] == [("2011-12-31", None)]  # still active: open
    assert g.nodes[ID + "city/moscow"]["label"] == "Moscow"


def test_graphml_keeps_dates_as_attributes(graph):
    g = nx.read_graphml(io.BytesIO(gephi.export(graph, "graphml", lang="sv")))
    assert g.nodes[ID + "city/moscow"]["label"] == "Moskva"
    edges = [d for _a, _b, d in g.edges(data=True) if d["iri"] == ID + "agreement/helsinki-dnipro-2023"]
    assert edges[0]["activeFrom"] == "2023-12-31" and edges[0]["activeUntil"] == ""


# ---------------------------------------------------------------------------- CLI

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    home = make_home(tmp_path_factory.mktemp("vizcli") / "home", REPO / "data")
    mp = pytest.MonkeyPatch()
    mp.setenv("CITYGRAPH_HOME", str(home))
    mp.chdir(home)
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    mp.undo()


def test_cli_map_writes_a_picture_and_an_offline_html_file(run, tmp_path):
    out = tmp_path / "slide.png"
    result = run("map", "--format", "png", "--view", "network", "--as-of", "2024-06-01", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert _png(out.read_bytes()).info["Title"] == "Network map"
    html = tmp_path / "map.html"
    result = run("map", "--html", str(html), "--as-of", "2019-06-01", "--lang", "fi")
    assert result.exit_code == 0, result.output
    text = html.read_text(encoding="utf-8")
    assert '<html lang="fi">' in text and "Verkostokartta" in text
    assert not re.search(r"""<(script|link)[^>]+(src|href)=["']?(https?:)?//""", text)  # nothing fetched
    inline = json.loads(re.search(r'<script type="application/json" id="cg-data">(.*?)</script>', text, re.S)
                        .group(1).replace("<\\/", "</"))
    assert inline["defaults"]["date"] == "2019-06-01" and len(inline["relationships"]) == 43


def test_cli_export_and_usage_errors(run, tmp_path):
    out = tmp_path / "g.gexf"
    assert run("export", "--format", "gexf", "-o", str(out)).exit_code == 0
    assert nx.read_gexf(out).number_of_edges() == 54
    missing = run("map")
    assert missing.exit_code == 2 and "give either --html FILE" in missing.output
    bad = run("map", "--format", "png", "--as-of", "June 2019")
    assert bad.exit_code == 2 and "--as-of 'June 2019': write the date as YYYY-MM-DD" in bad.output
    assert run("map", "--format", "png", "--view", "timeline").exit_code == 2


# ---------------------------------------------------------------------------- HTTP

@pytest.fixture(scope="module")
def http(graph):
    with client(graph) as c:
        yield c


def test_map_pages_use_the_site_layout_and_only_local_scripts(http):
    for path, title in (("/map", "Network map"), ("/map/geo", "Geographic map"), ("/timeline", "Timeline of relationships")):
        page = http.get(path)
        assert page.status_code == 200
        html = page.text
        assert f"<h1>{title}</h1>" in html
        assert 'rel="license"' in html and "International activities" in html  # licence, sources
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts and all(s.startswith("/map/static/") for s in scripts)
        for src in scripts:
            assert http.get(src).status_code == 200
    assert "Verkostokartta" in http.get("/map?lang=fi").text
    assert 'href="/map"' in http.get("/").text  # the nav links to the maps


def test_map_data_endpoint(http):
    response = http.get("/api/map/graph")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert len(response.json()["relationships"]) == 43
    raw = http.get("/api/map/graph", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    curated = http.get("/api/map/graph", params={"layers": "curated"}).json()
    assert curated["layers"] == ["curated"] and len(curated["relationships"]) == 43
    bad = http.get("/api/map/graph", params={"layers": "atlantis"})
    assert bad.status_code == 422 and "atlantis" in bad.json()["detail"]
    assert http.get("/map/static/..%2Fpages.py").status_code == 404
    assert http.get("/map/static/nothing.js").status_code == 404


def test_slide_download_from_the_page(http):
    svg = http.get("/map/export", params={"view": "overlap", "format": "svg", "as_of": "2024-06-01"})
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"
    assert b"<dc:title>Overlap of city networks</dc:title>" in svg.content
    assert 'filename="citygraph-overlap-2024-06-01.svg"' in svg.headers["content-disposition"]
    assert http.get("/map/export", params={"view": "ego", "city": "Atlantis"}).status_code == 404
    assert http.get("/map/export", params={"format": "gif"}).status_code == 422


def test_standalone_html_inlines_everything(graph):
    html = pages.standalone(graph, "geo", "sv")
    assert '<html lang="sv">' in html and "Geografisk karta" in html
    assert 'id="cg-world"' in html and "window.CGVendor" in html
    assert "</script" not in html.split('id="cg-data">', 1)[1].split("</script>", 1)[0]
