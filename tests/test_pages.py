"""HTML pages (served by TestClient): content, languages, licence and sources on every page, the
editor's examples, offline /docs and /static. The browser checks are in test_pages_browser.py.
"""

from __future__ import annotations

import re

import pytest

from api_helpers import client, real_graph, tiny_graph
from citygraph.api.render import Links, entity_page
from citygraph.api.routes.pages import editor_query
from citygraph.queries import load_queries

SOURCE_TITLES = ("International activities", "Pöytäkirja", "Internationell verksamhet")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with client(tiny_graph(tmp_path_factory.mktemp("pages"))) as c:
        yield c


@pytest.fixture(scope="module")
def real_data():
    return real_graph()


@pytest.fixture(scope="module")
def real(real_data):
    with client(real_data) as c:
        yield c


def html(c, url: str, status: int = 200, **kw) -> str:
    r = c.get(url, headers={"Accept": "text/html", **kw.pop("headers", {})}, **kw)
    assert r.status_code == status, (url, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    return r.text


PAGES = ["/", "/id/city/tallinn", "/id/partnership/helsinki-tallinn", "/id/source/sv-2019",
         "/queries", "/queries/active-partners?date=2020-01-01", "/ontology", "/sparql"]


@pytest.mark.parametrize("url", PAGES + ["/id/city/nowhere"])
def test_every_page_shows_licence_and_sources(tiny, url):
    page = html(tiny, url, 404 if "nowhere" in url else 200)
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "CC BY 4.0" in page
    for title in SOURCE_TITLES:
        assert title in page, title
    assert 'href="/id/source/sv-2019"' in page


def test_entity_page_shows_relationships_dates_status_and_quotes(tiny):
    page = html(tiny, "/id/city/tallinn")
    assert "<h1>Tallinn</h1>" in page
    assert "Tallinn is a closest partner city" in page
    assert '<blockquote class="quote" lang="fi">“Tallinna on keskeinen kumppani”</blockquote>' in page
    assert "2007-12-31" in page  # active from (the undated page, about 2007)
    assert 'href="/id/city/helsinki"' in page  # the neighbour
    assert 'href="/id/partnership/helsinki-tallinn"' in page
    assert "Wikidata" not in page  # the fixture's Tallinn has no identifiers


def test_city_page_has_identifiers(tiny):
    page = html(tiny, "/id/city/helsinki")
    assert 'href="https://www.wikidata.org/wiki/Q1757"' in page
    assert 'href="https://www.geonames.org/658225"' in page
    assert "St Petersburg" in page and "Eurocities" in page


def test_relationship_page_shows_precision_status_and_period(tiny):
    page = html(tiny, "/id/partnership/helsinki-st-petersburg")
    assert "2022-02 (month)" in page
    assert 'class="status">ended<' in page
    assert "<time>2019-12-06</time>" in page and "<time>2022-03-01</time>" in page
    assert "S:t Petersburg är en partner" in page


def test_source_page_says_what_it_attests(tiny, real):
    page = html(tiny, "/id/source/sv-2019")
    assert "Internationell verksamhet" in page and "2019-12-06" in page
    assert "Helsinki är medlem i Eurocities" in page
    assert 'href="/id/membership/helsinki-eurocities"' in page
    minutes = html(real, "/id/source/economic-development-subcommittee-2024-12-02-31")
    assert "HEL 2024-015391" in minutes  # the case number
    assert "decision archive" in minutes  # where it was published
    assert "004_cb1f7bef536eaed3.txt" in minutes


def test_language_from_query_then_accept_language(tiny):
    fi = html(tiny, "/id/city/tallinn?lang=fi")
    assert '<html lang="fi">' in fi and "<h1>Tallinna</h1>" in fi
    assert ">Suhteet<" in fi
    assert 'href="/id/city/helsinki?lang=fi"' in fi  # the choice is carried along
    sv = html(tiny, "/id/city/helsinki", headers={"Accept-Language": "sv-FI,sv;q=0.9"})
    assert '<html lang="sv">' in sv and "<h1>Helsingfors</h1>" in sv
    # St Petersburg has no Finnish prefLabel: the Finnish page falls back to English
    assert "<h1>St Petersburg</h1>" in html(tiny, "/id/city/st-petersburg?lang=fi")


def test_landing_page_lists_things_and_says_how_to_get_data(real):
    page = html(real, "/")
    assert "curl -H 'Accept: text/turtle' http://testserver/id/city/tallinn" in page
    assert 'href="/id/network/eurocities"' in page
    assert 'href="/id/organisation/echa"' in page
    assert page.count('href="/id/source/') >= 10  # in the table and the footer


def test_queries_page_and_result(tiny):
    page = html(tiny, "/queries")
    assert 'action="/queries/active-partners"' in page
    assert 'name="date" value="2019-12-31" type="date"' in page
    result = html(tiny, "/queries/active-partners?date=2020-01-01&city=helsinki")
    assert 'href="/id/city/tallinn"' in result and 'href="/id/city/st-petersburg"' in result
    assert "(2 rows" in result
    assert tiny.get("/queries/active-partners?date=someday").status_code == 422
    assert tiny.get("/queries/nope").status_code == 404


def test_editor_page_offers_the_named_queries(tiny):
    page = html(tiny, "/sparql")
    assert 'src="/static/yasgui/yasgui.min.js"' in page
    config = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.S)
    import json

    data = json.loads(config.group(1))
    assert data["endpoint"] == "http://testserver/sparql"
    assert [e["name"] for e in data["examples"]] == ["active-partners"]
    assert data["prefixes"]["city"] == "https://w3id.org/citygraph/id/city/"
    assert "PREFIX city: <https://w3id.org/citygraph/id/city/>" in data["default_query"]


def test_editor_examples_give_the_named_queries_answers(real_data):
    """Each example, with its VALUES line, answers what the named query answers by default."""
    queries = load_queries(real_data.settings.queries_dir)
    assert len(queries) >= 15
    answered = 0
    for name, query in queries.items():
        text = editor_query(query)
        if query.params:
            assert "VALUES (" in text, name
        expected = real_data.query(query.sparql, query.bind({}, resolve=real_data.resolve))
        got = real_data.query(text)
        assert got.variables == expected.variables, name
        assert sorted(map(str, got.rows)) == sorted(map(str, expected.rows)), name
        answered += bool(got.rows)
    assert answered >= len(queries) - 2  # (Helsinki and Tallinn share no network, for one)


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")  # /sparql, part A
def test_docs_and_static_files_are_local(tiny):
    docs = html(tiny, "/docs")
    assert not re.search(r'(src|href)="https?://', docs)
    assert '"validatorUrl": null' in docs
    assert tiny.get("/openapi.json").status_code == 200
    assert tiny.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    css = tiny.get("/static/yasgui/yasgui.min.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert tiny.get("/static/../routes/pages.py").status_code == 404
    assert tiny.get("/static/nothing.js").status_code == 404


def test_renderer_is_reusable_for_a_static_site(tiny):
    graph = tiny.app.state.holder.graph
    page = entity_page(graph, "https://w3id.org/citygraph/id/city/tallinn", "en",
                       Links(root="../../", suffix=".html"))
    assert 'href="../../id/city/helsinki.html"' in page
    assert 'href="../../static/style.css"' in page
