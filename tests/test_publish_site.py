"""The static site in a real headless Chromium (Debian's /usr/bin/chromium, `make chromium`),
opened from disk (file://), with no server and no Python behind it.

A person opens index.html, sees the release and the downloads, types "Tallinn" in the search
box, follows the hit to Tallinn's page and reads its quotes; the Finnish page is one click
away. Screenshots go to the test's temporary directory, or to ``$CITYGRAPH_SCREENSHOTS``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import rdflib

from citygraph.publish import publish
from publish_helpers import BASE, NC_LAYER, NC_NAME, SA_LAYER, fixture_graph, options


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    out = root / "dist"
    publish(fixture_graph(root), out, options(), extra_layers=[NC_LAYER, SA_LAYER], check=False)
    return out


def _page(browser, errors: list[str]):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("request", lambda r: errors.append(f"left the disk: {r.url}")
            if not r.url.startswith(("file://", "data:")) else None)
    return page


def test_landing_page_search_and_entity_page_from_disk(browser, site: Path, shots: Path) -> None:
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto((site / "index.html").as_uri())
    assert page.title() == "citygraph"
    assert "2026-01-15" in page.inner_text("section.intro")
    assert page.locator("#download a[href='dumps/citygraph.ttl']").count() == 1
    page.fill("#q", "Tallinn")
    page.wait_for_selector("#search-results li a")
    hits = page.locator("#search-results li a")
    texts = hits.all_inner_texts()
    assert texts[0] == "Tallinn", texts
    assert "Partnership: Helsinki – Tallinn" in texts
    page.screenshot(path=str(shots / "site-landing.png"))
    hits.first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/city/tallinn.html")
    body = page.inner_text("main")
    assert "Tallinna on keskeinen kumppani" in body and "Tallinn is a closest partner city" in body
    assert NC_NAME not in body
    page.screenshot(path=str(shots / "site-tallinn.png"), full_page=True)
    # the language switch goes to the sibling page, the brand back to the landing page
    page.click("header .langs a[hreflang='fi']")
    page.wait_for_load_state()
    assert page.url.endswith("/id/city/tallinn.fi.html")
    assert page.locator("html").get_attribute("lang") == "fi"
    page.click("header a.brand")
    page.wait_for_load_state()
    assert page.url.endswith("/index.fi.html")
    page.fill("#q", "pietari")  # Finnish alternative name of St Petersburg, lower case
    page.wait_for_selector("#search-results li a")
    link = page.locator("#search-results li a").first
    assert link.inner_text() == "St Petersburg"
    assert link.get_attribute("href") == "id/city/st-petersburg.fi.html"
    assert errors == []
    page.close()


def test_class_index_pages_link_to_every_entity(browser, site: Path) -> None:
    errors: list[str] = []
    page = _page(browser, errors)
    page.goto((site / "class" / "cg-City.html").as_uri())
    names = page.locator("ul.class-index a").all_inner_texts()
    assert names == ["Helsinki", "St Petersburg", "Tallinn"]
    page.locator("ul.class-index a", has_text="Helsinki").click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/city/helsinki.html")
    assert errors == []
    page.close()


def test_landing_page_carries_schema_org_dataset(site: Path) -> None:
    html = (site / "index.html").read_text()
    block = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.S)
    assert block
    data = json.loads(block.group(1).replace("<\\/", "</"))
    assert data["@type"] == "Dataset" and data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["version"] == "2026-01-15" and data["url"] == BASE + "index.html"
    urls = {d["contentUrl"] for d in data["distribution"]}
    assert BASE + "dumps/citygraph.nt" in urls and BASE + "csv/partnerships.csv" in urls


def test_entity_twins_and_sitemap(site: Path) -> None:
    g = rdflib.Graph()
    g.parse(site / "id" / "city" / "tallinn.ttl", format="turtle")
    tallinn = rdflib.URIRef("https://w3id.org/citygraph/id/city/tallinn")
    cg = rdflib.Namespace("https://w3id.org/citygraph/ontology#")
    assert (tallinn, rdflib.SKOS.prefLabel, rdflib.Literal("Tallinna", lang="fi")) in g
    quotes = {str(q) for q in g.objects(None, cg.quote)}
    assert quotes == {"Tallinna on keskeinen kumppani", "Tallinn is a closest partner city"}
    nt = rdflib.Graph()
    nt.parse(site / "id" / "city" / "tallinn.nt", format="nt")
    assert len(nt) == len(g)
    assert json.loads((site / "id" / "city" / "tallinn.json").read_text())["label"] == "Tallinn"
    sitemap = ElementTree.parse(site / "sitemap.xml")
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert BASE + "index.html" in locs and BASE + "id/city/tallinn.html" in locs
    assert BASE + "id/city/tallinn.fi.html" in locs
    for loc in locs:
        assert (site / loc[len(BASE):]).is_file(), loc
