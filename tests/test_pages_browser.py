"""The pages in a real headless Chromium (Debian's /usr/bin/chromium, installed by ``make
chromium``), against a live uvicorn on 127.0.0.1 over the real data.

Checks what a person would: an entity page shows its quotes; the SPARQL editor loads with no
request leaving 127.0.0.1 and none failing, runs a named query and shows its rows; /docs
renders offline. Screenshots go to the test's temporary directory, or to
``$CITYGRAPH_SCREENSHOTS`` when set.
"""

from __future__ import annotations

import pytest

from api_helpers import live_server, real_graph

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")  # /sparql


@pytest.fixture(scope="module")
def base_url():
    with live_server(real_graph()) as url:
        yield url


class Traffic:
    """Every request a page makes, the failed ones, bad statuses and script errors."""

    def __init__(self, page, base_url: str) -> None:
        self.base = base_url
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.bad_status: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url}: {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.bad_status.append(f"{r.status} {r.url}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check(self) -> None:
        outside = [u for u in self.requests
                   if not (u.startswith(self.base + "/") or u.startswith("data:"))]
        assert outside == [], f"requests off 127.0.0.1: {outside}"
        assert self.failed == [], self.failed
        assert self.bad_status == [], self.bad_status
        assert self.errors == [], self.errors


def new_page(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    return page, Traffic(page, base_url)


def test_entity_page_shows_its_quotes(browser, base_url, shots):
    page, traffic = new_page(browser, base_url)
    page.goto(base_url + "/id/city/tallinn", wait_until="networkidle")
    assert page.locator("h1").inner_text() == "Tallinn"
    quotes = page.locator("blockquote.quote")
    assert quotes.count() == 3
    assert "The closest partner cities are Tallinn and St. Petersburg." in quotes.all_inner_texts()[0]
    assert page.locator("footer a[rel=license]").inner_text() == "CC BY 4.0"
    # the quote is visible, not just in the DOM
    assert quotes.first.is_visible() and quotes.first.bounding_box()["height"] > 10
    page.screenshot(path=str(shots / "entity-tallinn.png"), full_page=True)
    page.click("text=Helsinki >> nth=0")
    page.wait_for_load_state("networkidle")
    assert page.url == base_url + "/id/city/helsinki"
    assert page.locator("blockquote.quote").count() > 20
    traffic.check()
    page.close()


def test_editor_runs_a_named_query_offline(browser, base_url, shots):
    page, traffic = new_page(browser, base_url)
    page.goto(base_url + "/sparql", wait_until="networkidle",
              )
    page.wait_for_selector(".yasqe .CodeMirror")
    query = page.evaluate("window.citygraphEditor.yasgui.getTab().getQuery()")
    assert "VALUES (?city ?date) { (city:helsinki \"2019-06-01\"^^xsd:date) }" in query
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr .dataTable tbody tr")
    text = page.locator(".yasr .dataTable").inner_text()
    assert "Saint Petersburg" in text and "Moscow" in text
    page.screenshot(path=str(shots / "editor-active-partners.png"))
    # another example from the list
    page.select_option("#examples", "city-networks")
    page.click(".yasqe_queryButton")
    page.wait_for_function("document.querySelector('.yasr .dataTable') && "
                           "document.querySelector('.yasr .dataTable').innerText.includes('Eurocities')")
    assert page.url.endswith("#city-networks")
    traffic.check()
    posts = [u for u in traffic.requests if u == base_url + "/sparql"]
    assert len(posts) >= 2
    page.close()


def test_editor_opens_the_example_named_in_the_link(browser, base_url):
    page, traffic = new_page(browser, base_url)
    page.goto(base_url + "/sparql#shared-networks", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.locator("#examples").input_value() == "shared-networks"
    assert "Networks two cities share" in page.evaluate("window.citygraphEditor.yasgui.getTab().getQuery()")
    traffic.check()
    page.close()


def test_docs_render_offline(browser, base_url, shots):
    page, traffic = new_page(browser, base_url)
    page.goto(base_url + "/docs", wait_until="networkidle")
    page.wait_for_selector(".opblock-summary-path")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/relationships" in paths and "/api/entities/{kind}/{slug}" in paths
    page.screenshot(path=str(shots / "docs.png"))
    traffic.check()
    page.close()


def test_landing_and_queries_pages(browser, base_url):
    page, traffic = new_page(browser, base_url)
    page.goto(base_url + "/?lang=fi", wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("#cities li").count() == 18
    page.goto(base_url + "/queries", wait_until="networkidle")
    form = page.locator("#active-partners form")
    form.locator("input[name=date]").fill("2024-06-01")
    form.locator("button").click()
    page.wait_for_load_state("networkidle")
    table = page.locator("table.results").inner_text()
    assert "city:dnipro" in table and "city:moscow" not in table
    traffic.check()
    page.close()
