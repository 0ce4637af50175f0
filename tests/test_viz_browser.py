"""The map pages in a real headless Chromium (Debian's, launched by conftest.py's ``browser``
fixture), with ``test_pages_browser.py``'s server fixture and traffic check, against a live
server over the real data.

What a person does: open each page (no console errors, no request leaving 127.0.0.1, nodes
drawn), drag the date slider (Moscow is there in 2019 and gone in 2023), click a node and read
its sources and quotes, open the overlap matrix and the ego view, read the timeline, and open
the self-contained file from disk. The browser's answers are checked against the Python side's
(:class:`citygraph.viz.scene.Scene`): both apply the one definition of "active on D".
"""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pytest
from PIL import Image

from citygraph.viz import pages, payload
from citygraph.viz.scene import Scene
from test_pages_browser import Traffic, base_url  # noqa: F401 (fixture)

from api_helpers import real_graph

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")

ID = "https://w3id.org/citygraph/id/"


@pytest.fixture(scope="module")
def data():
    return payload.build(real_graph())


def open_page(browser, url: str, ready: bool = True):  # noqa: F811
    page = browser.new_page(viewport={"width": 1500, "height": 950})
    console: list[str] = []
    page.on("console", lambda m: m.type == "error" and console.append(m.text))
    traffic = Traffic(page, url.split("/", 3)[0] + "//" + url.split("/", 3)[2])
    page.goto(url, wait_until="domcontentloaded")
    if ready:
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    return page, traffic, console


def finish(page, traffic, console) -> None:
    traffic.check()
    assert console == [], console
    page.close()


def not_blank(png: bytes, colours: int = 20) -> None:
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int32).reshape(-1, 3)
    packed = image[:, 0] << 16 | image[:, 1] << 8 | image[:, 2]
    assert len(np.unique(packed)) > colours, "the picture is (nearly) one colour"


def drag_slider_to(page, day: str, data) -> str:  # noqa: F811
    """Click the date slider where ``day`` is, as a person would; returns the date it shows."""
    slider = page.locator("#cg-date")
    box = slider.bounding_box()
    lo = date.fromisoformat(data["period"]["min"]).toordinal()
    hi = date.fromisoformat(data["period"]["max"]).toordinal()
    fraction = (date.fromisoformat(day).toordinal() - lo) / (hi - lo)
    thumb = 16  # Chromium's range thumb: the track the centre travels is the width minus it
    page.mouse.click(box["x"] + thumb / 2 + fraction * (box["width"] - thumb), box["y"] + box["height"] / 2)
    return page.locator("#cg-date-text").input_value()


def shown_ids(data, day: str, ego: str | None = None) -> list[str]:
    index = {n["id"]: i for i, n in enumerate(data["nodes"])}
    scene = Scene.of(data, date.fromisoformat(day), ego=index[ego] if ego else None)
    return sorted(data["relationships"][r]["id"] for r in scene.rels)


# ---------------------------------------------------------------------------- /map

def test_network_map_moves_through_time_and_shows_sources(browser, base_url, shots, data):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/map")
    api = "window.citygraphMap"
    labels = page.evaluate(f"{api}.visibleLabels()")
    assert "Helsinki" in labels and "Dnipro" in labels and "Moscow" not in labels
    assert page.evaluate(f"{api}.graph.order") == len(data["nodes"])
    shown = drag_slider_to(page, "2019-06-01", data)
    assert abs((date.fromisoformat(shown) - date(2019, 6, 1)).days) < 40
    labels_2019 = page.evaluate(f"{api}.visibleLabels()")
    assert "Moscow" in labels_2019 and "Saint Petersburg" in labels_2019 and "Dnipro" not in labels_2019
    assert page.locator("#cg-status").inner_text().startswith("as of ")
    page.screenshot(path=str(shots / "map-2019.png"))
    not_blank(page.locator("#cg-graph").screenshot())
    shown = drag_slider_to(page, "2023-06-01", data)
    assert shown.startswith("2023-")
    assert "Moscow" not in page.evaluate(f"{api}.visibleLabels()")
    # the browser's "active on D" is the Python one, to the day
    for day in ("2019-06-01", "2022-02-28", "2022-03-01", "2023-12-30", "2023-12-31"):
        page.evaluate(f"{api}.setDate('{day}')")
        assert page.evaluate(f"{api}.visibleRelationships()") == shown_ids(data, day), day
    # click Moscow in 2019: its card lists its relationships and sources
    page.evaluate(f"{api}.setDate('2019-06-01')")
    page.wait_for_timeout(400)  # the camera settles
    where = page.evaluate(f"{api}.nodePosition('Moscow')")
    page.mouse.click(where["x"], where["y"])
    details = page.locator("#cg-details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == "Moscow"
    text = details.inner_text()
    assert "International activities" in text and "Internationell verksamhet" in text  # its sources
    assert details.locator("a[href='/id/city/moscow']").count() == 1
    details.locator("ul.rels a", has_text="partnership").first.click()
    assert details.locator("h2").inner_text() == "partnership: Helsinki – Moscow"
    quotes = details.locator("blockquote.quote").all_inner_texts()
    assert "Helsinki has a special partnership relation with Beijing and Moscow." in quotes
    assert "2022-03-01" in details.inner_text()  # active until (exclusive), from the one definition
    assert details.locator("a[href='/id/partnership/helsinki-moscow']").count() == 1
    page.screenshot(path=str(shots / "map-moscow.png"))
    finish(page, traffic, console)


def test_clicking_helsinki_and_comparing_dates(browser, base_url, shots, data):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/map?date=2024-06-01&compare=2019-12-31")
    api = "window.citygraphMap"
    legend = page.locator("#cg-legend").inner_text()
    assert "added between 2019-12-31 and 2024-06-01 (4)" in legend
    assert "ended between 2019-12-31 and 2024-06-01 (2)" in legend
    assert "Moscow" in page.evaluate(f"{api}.visibleLabels()")  # shown as ended between the dates
    page.wait_for_timeout(400)
    where = page.evaluate(f"{api}.nodePosition('Helsinki')")
    page.mouse.click(where["x"], where["y"])
    details = page.locator("#cg-details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == "Helsinki"
    sources = details.locator("ul.sources li").all_inner_texts()
    assert len(sources) == 5 and any("Tilannekatsaus" in s for s in sources)
    page.screenshot(path=str(shots / "map-compare.png"))
    finish(page, traffic, console)


def test_ego_view_search_and_finnish_names(browser, base_url, data):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/map?lang=fi&date=2019-06-01")
    api = "window.citygraphMap"
    labels = page.evaluate(f"{api}.visibleLabels()")
    assert "Moskova" in labels and "Pietari" in labels and "Moscow" not in labels
    assert page.locator("h1").inner_text() == "Verkostokartta"
    page.select_option("#cg-ego-city", label="Tallinna")
    page.click("#cg-ego")
    assert page.evaluate(f"{api}.visibleRelationships()") == shown_ids(data, "2019-06-01", ID + "city/tallinn")
    assert sorted(page.evaluate(f"{api}.visibleLabels()")) == ["Helsinki", "Tallinna"]
    page.click("#cg-ego")  # back to the whole graph
    assert len(page.evaluate(f"{api}.visibleLabels()")) == len(labels)
    page.fill("#cg-search", "Helsingfors")  # any language finds it
    page.press("#cg-search", "Enter")
    assert page.locator("#cg-details h2").inner_text() == "Helsinki"
    finish(page, traffic, console)


def test_overlap_matrix_clicks_through_to_shared_members(browser, base_url, shots):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/map?date=2024-06-01")
    page.click("button[data-view=overlap]")
    table = page.locator("#cg-overlap table.overlap")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 15  # the networks with members on the date
    assert "Eurocities (1)" in table.inner_text()  # Helsinki (a member, and on its executive committee)
    cell = table.locator("td.hit").first
    cell.click()
    members = page.locator("#cg-overlap-members")
    assert "shared members" in members.locator("h3").inner_text()
    assert members.locator("li").all_inner_texts() == ["Helsinki↗"]
    page.screenshot(path=str(shots / "map-overlap.png"))
    members.locator("li a").first.click()
    assert page.locator("#cg-details h2").inner_text() == "Helsinki"
    finish(page, traffic, console)


# ---------------------------------------------------------------------------- /map/geo

def test_geo_map_places_cities_and_moves_through_time(browser, base_url, shots, data):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/map/geo")
    api = "window.citygraphGeo"
    assert "Helsinki" in page.evaluate(f"{api}.visibleLabels()")
    drag_slider_to(page, "2019-06-01", data)
    page.evaluate(f"{api}.redraw()")
    placed_2019 = page.evaluate(f"{api}.visibleLabels()")
    assert "Moscow" in placed_2019 and "Beijing" in placed_2019
    legend = page.locator("#cg-legend").inner_text()
    assert "partnership" in legend and "Eurocities (1)" in legend
    page.screenshot(path=str(shots / "geo-2019.png"))
    not_blank(page.locator("#cg-geo-canvas").screenshot(), colours=50)
    where = page.evaluate(f"{api}.nodePosition('Moscow')")
    page.mouse.click(where["x"], where["y"])
    details = page.locator("#cg-details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == "Moscow"
    assert "International activities" in details.inner_text()
    drag_slider_to(page, "2023-06-01", data)
    page.evaluate(f"{api}.redraw()")
    assert "Moscow" not in page.evaluate(f"{api}.visibleLabels()")
    finish(page, traffic, console)


# ---------------------------------------------------------------------------- /timeline

def test_timeline_bars_attestations_and_filters(browser, base_url, shots, data):  # noqa: F811
    page, traffic, console = open_page(browser, base_url + "/timeline")
    api = "window.citygraphTimeline"
    helsinki = [r for r in data["relationships"] if any(data["nodes"][p]["id"] == ID + "city/helsinki" for p in r["parties"])]
    assert len(page.evaluate(f"{api}.rows()")) == len(helsinki) == 40
    moscow = page.locator("g.row[data-rel='" + ID + "partnership/helsinki-moscow']")
    assert moscow.locator("path.status-change").count() == 1  # ended in February 2022
    dated = [e for e in next(r for r in data["relationships"] if r["path"] == "partnership/helsinki-moscow")["evidence"] if e.get("on")]
    assert moscow.locator("circle.attestation").count() == len(dated) == 3
    open_ended = page.locator("g.row[data-rel='" + ID + "partnership/helsinki-tallinn'] rect.bar")
    assert open_ended.get_attribute("fill").startswith("url(#fade")  # an open end fades out
    page.screenshot(path=str(shots / "timeline.png"), full_page=True)
    page.locator("#cg-kinds input[value=membership]").uncheck()
    memberships = sum(1 for r in helsinki if r["kind"] == "membership")
    assert len(page.evaluate(f"{api}.rows()")) == 40 - memberships
    page.select_option("#cg-timeline-city", label="Tallinn")
    assert page.evaluate(f"{api}.rows()") == [ID + "partnership/helsinki-tallinn"]
    page.locator("g.row rect.bar").first.click()
    assert "The closest partner cities are Tallinn and St. Petersburg." in page.locator("#cg-details").inner_text()
    finish(page, traffic, console)


# ---------------------------------------------------------------------------- one file, offline

def test_self_contained_file_works_from_disk(browser, tmp_path, data):  # noqa: F811
    target = tmp_path / "map.html"
    target.write_text(pages.standalone(real_graph(), "network", "en", data=data), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(target.as_uri() + "?date=2019-06-01")
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)
    assert "Moscow" in page.evaluate("window.citygraphMap.visibleLabels()")
    page.evaluate("window.citygraphMap.select('Moscow')")
    assert page.locator("#cg-details a", has_text="Linked-data page").get_attribute("href") == ID + "city/moscow"
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert errors == []
    page.close()
