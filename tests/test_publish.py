"""citygraph publish on the basic fixture: dumps round-trip, licences never mix, CSV and
CSVW agree, VoID counts equal `citygraph stats`, releases and the changelog."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from citygraph.cli import app
from citygraph.namespaces import CURATED_GRAPH, DERIVED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, expand
from citygraph.publish import publish
from citygraph.publish.layers import quads
from citygraph.publish.rdf import to_rdflib
from citygraph.publish.release import PublicationError
from conftest import BASIC, make_home
from publish_helpers import (
    BASE, NC_GRAPH, NC_LAYER, NC_NAME, SA_GRAPH, SA_LAYER, SA_NAME, fixture_graph, options,
)

RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "trig": "trig", "nq": "nquads", "jsonld": "json-ld",
                 "rdf": "xml"}
CORE = {"ontology": ONTOLOGY_GRAPH, "curated": CURATED_GRAPH, "derived": DERIVED_GRAPH}
P = PREFIXES


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    return fixture_graph(tmp_path_factory.mktemp("pub"))


@pytest.fixture(scope="module")
def pub(graph, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "dist"
    publish(graph, out, options(), extra_layers=[NC_LAYER, SA_LAYER], langs=["en"])
    return out


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _source(graph, graph_iris: list[str]) -> dict[str, rdflib.Graph]:
    out: dict[str, rdflib.Graph] = {}
    for iri in graph_iris:
        g = out.setdefault(iri, rdflib.Graph())
        for q in graph.store.quads_for_pattern(None, None, None, rdflib_node(iri)):
            g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return out


def parse(data, fmt: str, g=None):
    """Parse into a Graph (or the Dataset ``g``); rdflib 7.6's JSON-LD, TriG and N-Quads
    parsers use its own deprecated ConjunctiveGraph/default_context inside, not ours to fix."""
    import warnings

    g = rdflib.Graph() if g is None else g
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        warnings.filterwarnings("ignore", message=".*(ConjunctiveGraph|default_context).*",
                                category=DeprecationWarning)
        if isinstance(data, Path):
            g.parse(data, format=fmt)
        else:
            g.parse(data=data, format=fmt)
    return g


def rdflib_node(iri: str):
    import pyoxigraph as ox
    return ox.NamedNode(iri)


def _union(graphs: dict[str, rdflib.Graph]) -> rdflib.Graph:
    union = rdflib.Graph()
    for g in graphs.values():
        for t in g:
            union.add(t)
    return union


# ------------------------------------------------------------------ dumps
def test_every_dump_round_trips_to_an_isomorphic_graph(graph, pub: Path) -> None:
    layers = {**CORE, "test-sharealike": SA_GRAPH}
    files = sorted((pub / "dumps").iterdir())
    checked = set()
    for path in files:
        if path.suffix == ".gz":  # the same bytes as the plain file, compressed
            assert gzip.decompress(path.read_bytes()) == path.with_suffix("").read_bytes(), path.name
            checked.add((path.name.split(".")[0].removeprefix("citygraph").lstrip("-") or "combined",
                         path.name.split(".")[-2], True))
            continue
        name = path.name
        stem, ext = name.rsplit(".", 1)
        layer = stem.removeprefix("citygraph").lstrip("-") or "combined"
        iris = list(CORE.values()) if layer == "combined" else [layers[layer]]
        source = _source(graph, iris)
        data = _read(path)
        if ext in ("trig", "nq"):
            ds = parse(data, RDFLIB_FORMAT[ext], rdflib.Dataset())
            named = {str(g.identifier): g for g in ds.graphs() if len(g)}
            assert set(named) == set(iris), path.name
            # blank nodes are shared across the named graphs: compare the dataset as a whole
            tagged_back, tagged_src = rdflib.Graph(), rdflib.Graph()
            for s, p, o, g in ds.quads((None, None, None, None)):
                name = str(g.identifier if hasattr(g, "identifier") else g)
                tagged_back.add((s, rdflib.URIRef(f"{p}/in/{sorted(iris).index(name)}"), o))
            for iri, g in source.items():
                for s, p, o in g:
                    tagged_src.add((s, rdflib.URIRef(f"{p}/in/{sorted(iris).index(iri)}"), o))
            assert isomorphic(tagged_back, tagged_src), path.name
        else:
            back = parse(data, RDFLIB_FORMAT[ext])
            assert len(back) == len(_union(source)), path.name
            assert isomorphic(back, _union(source)), path.name
        checked.add((layer, ext, path.suffix == ".gz"))
    for layer in ("ontology", "curated", "derived", "test-sharealike", "combined"):
        for ext in RDFLIB_FORMAT:
            assert (layer, ext, False) in checked and (layer, ext, True) in checked


def test_sorted_ntriples_are_sorted_and_stable(graph, pub: Path, tmp_path: Path) -> None:
    lines = (pub / "dumps" / "citygraph-curated.nt").read_text().splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))
    again = tmp_path / "again"
    publish(graph, again, options(), extra_layers=[NC_LAYER, SA_LAYER], langs=["en"], check=False)
    for name in ("citygraph-curated.nt", "citygraph-derived.nt", "citygraph.nq"):
        assert (again / "dumps" / name).read_bytes() == (pub / "dumps" / name).read_bytes(), name


def test_blank_nodes_keep_their_labels_across_layers(pub: Path) -> None:
    curated = (pub / "dumps" / "citygraph-curated.nt").read_text()
    derived = (pub / "dumps" / "citygraph-derived.nt").read_text()
    attested = [line.split()[0] for line in derived.splitlines() if "#attestedOn>" in line]
    assert attested and all(f"{b} <{P['cg']}quote>" in curated for b in attested)


def test_jsonld_dumps_inline_the_published_context(pub: Path) -> None:
    context = json.loads((pub / "context.jsonld").read_text())["@context"]
    assert context["cg"] == P["cg"] and context["city"] == P["city"]
    dump = json.loads((pub / "dumps" / "citygraph-curated.jsonld").read_text())
    assert dump["@context"] == context


# ------------------------------------------------------------------ licences
def _all_text(root: Path, patterns: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pattern in patterns:
        for path in root.glob(pattern):
            if path.is_file():
                out[str(path.relative_to(root))] = _read(path).decode("utf-8", "replace")
    return out


def test_a_non_commercial_layer_is_never_published_by_default(pub: Path) -> None:
    assert not list((pub / "dumps").glob("citygraph-test-noncommercial.*"))
    for name, text in _all_text(pub, ("**/*",)).items():
        assert NC_NAME not in text and "secret-climate-network" not in text, name
        assert NC_GRAPH not in text or name == "release.json", name
    release = json.loads((pub / "release.json").read_text())
    assert "test-noncommercial" not in release["layers"]
    assert any("test-noncommercial" in note for note in release["withheld"])


def test_a_share_alike_layer_is_published_alone_never_in_the_combined_dump(pub: Path) -> None:
    assert (pub / "dumps" / "citygraph-test-sharealike.ttl").is_file()
    combined = _all_text(pub, ("dumps/citygraph.*", "csv/*", "id/**/*", "class/*", "index*.html",
                               "search-index.*"))
    for name, text in combined.items():
        assert SA_NAME not in text and "share-alike-twins" not in text, name
    release = json.loads((pub / "release.json").read_text())
    assert release["combined"]["layers"] == ["ontology", "curated", "derived"]
    assert release["layers"]["test-sharealike"]["in_combined"] is False


def _catalog(pub: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(pub / "catalog.ttl", format="turtle")
    return g


LICENCE_OF = """
PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?ds ?url ?lic WHERE { ?ds dcat:distribution ?d . ?d dcat:downloadURL ?url .
  OPTIONAL { ?d dct:license ?lic } }"""


def test_the_catalogue_states_the_licence_of_every_distribution(pub: Path) -> None:
    rows = list(_catalog(pub).query(LICENCE_OF))
    assert len(rows) > 30
    eu = "http://publications.europa.eu/resource/authority/licence/"
    for ds, url, lic in rows:
        name = str(ds).rsplit("/", 1)[-1]
        expected = eu + ("CC_BYSA_4_0" if name == "test-sharealike" else "CC_BY_4_0")
        assert str(lic) == expected, (name, str(url))
    assert not [r for r in rows if "noncommercial" in str(r[1])]


def test_include_restricted_publishes_the_non_commercial_layer_alone(graph, tmp_path: Path) -> None:
    out = tmp_path / "with-nc"
    publish(graph, out, options(include_restricted=True), extra_layers=[NC_LAYER, SA_LAYER],
            langs=["en"], check=False)
    nc = (out / "dumps" / "citygraph-test-noncommercial.nt").read_text()
    assert NC_NAME in nc
    for name, text in _all_text(out, ("dumps/citygraph.*", "csv/*", "id/**/*", "search-index.*")).items():
        assert NC_NAME not in text, name
    rows = [r for r in _catalog(out).query(LICENCE_OF) if "noncommercial" in str(r[1])]
    assert rows and {str(r[2]) for r in rows} == {
        "http://publications.europa.eu/resource/authority/licence/CC_BYNC_4_0"}


# ------------------------------------------------------------------ CSV and CSVW
def _table(pub: Path, name: str) -> list[dict]:
    with (pub / "csv" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csvw_metadata_describes_every_column_of_every_table(pub: Path) -> None:
    meta = json.loads((pub / "csv" / "csv-metadata.json").read_text())
    assert meta["@context"][0] == "http://www.w3.org/ns/csvw"
    names = [t["url"] for t in meta["tables"]]
    for wanted in ("cities", "networks", "organisations", "memberships", "partnerships",
                   "agreements", "sources"):
        assert f"{wanted}.csv" in names
    for table in meta["tables"]:
        columns = table["tableSchema"]["columns"]
        with (pub / "csv" / table["url"]).open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            rows = list(reader)
        assert header == [c["name"] for c in columns], table["url"]
        for c in columns:
            assert c["dc:description"] and c["datatype"] in ("string", "anyURI", "date", "decimal", "integer")
        for row in rows:
            for c, cell in zip(columns, row):
                values = cell.split(c["separator"]) if c.get("separator") and cell else [cell]
                for v in values:
                    if not v:
                        continue
                    if c["datatype"] == "date":
                        date.fromisoformat(v)
                    elif c["datatype"] == "integer":
                        int(v)
                    elif c["datatype"] == "decimal":
                        float(v)
                    elif c["datatype"] == "anyURI":
                        assert v.startswith("http"), (table["url"], c["name"], v)


def test_partnership_rows_carry_dates_status_sources_and_quotes(pub: Path) -> None:
    rows = {r["id"]: r for r in _table(pub, "partnerships")}
    assert set(rows) == {"helsinki-st-petersburg", "helsinki-tallinn"}
    spb = rows["helsinki-st-petersburg"]
    assert (spb["status"], spb["end"], spb["active_from"], spb["active_until"]) == \
        ("ended", "2022-02", "2019-12-06", "2022-03-01")
    assert spb["quotes"] == "S:t Petersburg är en partner" and spb["quote_languages"] == "sv"
    tallinn = rows["helsinki-tallinn"]
    assert tallinn["status"] == "active" and tallinn["active_until"] == ""
    assert tallinn["sources"].split(" | ") == [P["source"] + "en-undated", P["source"] + "fi-2024"]
    assert tallinn["source_dates"] == "2007-12-31 | 2024-12-02"
    assert tallinn["quotes"] == "Tallinn is a closest partner city | Tallinna on keskeinen kumppani"
    assert tallinn["described_as"] == "closest | key"
    members = _table(pub, "memberships")
    assert [(m["member"], m["organisation"], m["roles"], m["start"], m["active_from"]) for m in members] == \
        [("Helsinki", "Eurocities", "member", "2023", "2023-12-31")]
    assert sorted(c["id"] for c in _table(pub, "cities")) == ["helsinki", "st-petersburg", "tallinn"]
    helsinki = next(c for c in _table(pub, "cities") if c["id"] == "helsinki")
    assert (helsinki["name_sv"], helsinki["wikidata"], helsinki["geonames"], helsinki["country"]) == \
        ("Helsingfors", "Q1757", "658225", "Finland")
    assert [n["members"] for n in _table(pub, "networks")] == ["1"]
    assert len(_table(pub, "sources")) == 3 and len(_table(pub, "evidence")) == 4


# ------------------------------------------------------------------ catalogue contents
def test_catalogue_sizes_and_checksums_match_the_files(pub: Path) -> None:
    import hashlib

    g = _catalog(pub)
    rows = list(g.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?sum WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size ;
          spdx:checksum/spdx:checksumValue ?sum }"""))
    assert len(rows) > 30
    for url, size, digest in rows:
        assert str(url).startswith(BASE)
        path = pub / str(url)[len(BASE):]
        assert path.is_file(), url
        assert int(size) == path.stat().st_size
        assert str(digest) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_each_dataset_has_titles_and_descriptions_in_three_languages(pub: Path) -> None:
    g = _catalog(pub)
    datasets = list(g.query("PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE { ?d a dcat:Dataset }"))
    names = sorted(str(d).rsplit("/", 1)[-1] for (d,) in datasets)
    assert names == ["citygraph", "curated", "derived", "ontology", "test-sharealike"]
    for (d,) in datasets:
        for prop in (rdflib.DCTERMS.title, rdflib.DCTERMS.description):
            assert {lit.language for lit in g.objects(d, prop)} == {"fi", "sv", "en"}
        assert str(g.value(d, rdflib.URIRef("http://www.w3.org/ns/dcat#version"))) == "2026-01-15"
    service = next(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/ns/dcat#DataService")))
    assert str(g.value(service, rdflib.URIRef("http://www.w3.org/ns/dcat#endpointURL"))) == BASE + "sparql"


def test_catalogue_jsonld_is_the_same_graph_as_the_turtle(pub: Path) -> None:
    j = parse(pub / "catalog.jsonld", "json-ld")
    assert isomorphic(j, _catalog(pub))


def test_contact_point_is_an_organisation_with_no_personal_data(pub: Path) -> None:
    text = (pub / "catalog.ttl").read_text()
    assert "mailto:" not in text and "tel:" not in text and "vcard:Organization" in text


# ------------------------------------------------------------------ VoID and stats
def test_void_numbers_equal_citygraph_stats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = make_home(tmp_path / "home")
    monkeypatch.setenv("CITYGRAPH_HOME", str(home))
    runner = CliRunner()
    out = tmp_path / "dist"
    result = runner.invoke(app, ["publish", str(out), "--base-url", BASE, "--date", "2026-01-15",
                                 "--langs", "en"])
    assert result.exit_code == 0, result.output
    assert "published release 2026-01-15" in result.output
    stats = json.loads(runner.invoke(app, ["stats", "--format", "json"]).output)
    void = rdflib.Graph()
    void.parse(out / "void.ttl", format="turtle")
    V = rdflib.Namespace("http://rdfs.org/ns/void#")
    top = rdflib.URIRef(BASE + "void#citygraph")
    assert int(void.value(top, V.triples)) == stats["triples"]
    for name, iri in CORE.items():
        node = rdflib.URIRef(BASE + "void#" + name)
        assert int(void.value(node, V.triples)) == stats["graphs"][f"<{iri}>"], name
    partitions = {str(void.value(p, V["class"])): int(void.value(p, V.entities))
                  for p in void.objects(top, V.classPartition)}
    assert partitions == {expand(k): v for k, v in stats["classes"].items()}
    assert partitions[P["cg"] + "City"] == 3 and partitions[P["cg"] + "Partnership"] == 2
    links = {str(void.value(ls, V.objectsTarget)).rsplit("#", 1)[-1]: int(void.value(ls, V.triples))
             for ls in void.subjects(rdflib.RDF.type, V.Linkset)}
    assert links == {"wikidata": 1, "geonames": 1}  # Helsinki's Q1757 and 658225
    assert (top, V.exampleResource, rdflib.URIRef(P["city"] + "helsinki")) in void
    assert (top, V.sparqlEndpoint, rdflib.URIRef(BASE + "sparql")) in void


# ------------------------------------------------------------------ releases
def test_republishing_writes_a_changelog_in_human_terms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = make_home(tmp_path / "home")
    monkeypatch.setenv("CITYGRAPH_HOME", str(home))
    runner = CliRunner()
    first, out = tmp_path / "first", tmp_path / "dist"
    for target in (first, out):
        result = runner.invoke(app, ["publish", str(target), "--date", "2026-01-15", "--langs", "en"])
        assert result.exit_code == 0, result.output
    world = home / "data" / "world.ttl"
    text = world.read_text(encoding="utf-8")
    block = text.index("partnership:helsinki-tallinn\n")
    at = text.index("    cg:status status:active ;", block)
    world.write_text(text[:at] + '    cg:endDate "2025-01"^^xsd:gYearMonth ;\n    cg:status status:ended ;'
                     + text[at + len("    cg:status status:active ;"):], encoding="utf-8")
    result = runner.invoke(app, ["publish", str(out), "--date", "2026-02-01", "--langs", "en"])
    assert result.exit_code == 0, result.output
    assert "Helsinki – Tallinn partnership: active → ended, January 2025" in result.output
    changelog = (out / "CHANGELOG.md").read_text()
    assert changelog.index("## 2026-02-01") < changelog.index("## 2026-01-15")
    assert "- Helsinki – Tallinn partnership: active → ended, January 2025" in changelog
    release = json.loads((out / "release.json").read_text())
    assert (release["version"], release["previous"], release["issued"]) == ("2026-02-01", "2026-01-15", "2026-01-15")
    result = runner.invoke(app, ["diff", str(first), str(out), "--format", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    curated = next(c for c in d["layers"] if c["layer"] == "curated")
    derived = next(c for c in d["layers"] if c["layer"] == "derived")
    # curated: status active -> ended (one triple out, one in) and a new end date
    assert (curated["triples_added"], curated["triples_removed"]) == (2, 1)
    # derived: cg:activeUntil 2025-02-01 and cg:endPrecision month
    assert (derived["triples_added"], derived["triples_removed"]) == (2, 0)
    new_derived = (out / "dumps" / "citygraph-derived.nt").read_text()
    tallinn = f"<{P['partnership']}helsinki-tallinn>"
    assert f'{tallinn} <{P["cg"]}activeUntil> "2025-02-01"^^<{P["xsd"]}date> .' in new_derived
    assert f"{tallinn} <{P['cg']}endPrecision> <{P['precision']}month> ." in new_derived
    assert d["changes"] == ["Helsinki – Tallinn partnership: active → ended, January 2025"]
    same = runner.invoke(app, ["diff", str(first), str(first)])
    assert "no changes in the data" in same.output


def test_same_day_republication_gets_a_new_version(graph, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish(graph, out, options(), langs=["en"], check=False)
    result = publish(graph, out, options(), langs=["en"], check=False)
    assert result.version == "2026-01-15.2"
    assert "No changes in the data." in (out / "CHANGELOG.md").read_text()
    with pytest.raises(PublicationError, match="already exists"):
        publish(graph, out, options(version="2026-01-15.2"), langs=["en"], check=False)


def test_refuses_a_non_empty_directory_that_is_no_publication(graph, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(PublicationError, match="not empty"):
        publish(graph, tmp_path, options(), langs=["en"], check=False)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_refuses_data_with_shacl_violations(graph, tmp_path: Path) -> None:
    import shutil

    from citygraph.config import Settings
    from citygraph.graph import CityGraph
    from citygraph.validate import ConsistencyError
    from conftest import REPO

    home = make_home(tmp_path / "home")
    shutil.copytree(REPO / "shapes", home / "shapes")
    (home / "data" / "bad.ttl").write_text(
        "PREFIX cg: <https://w3id.org/citygraph/ontology#>\n"
        "PREFIX city: <https://w3id.org/citygraph/id/city/>\n"
        "PREFIX partnership: <https://w3id.org/citygraph/id/partnership/>\n"
        "PREFIX status: <https://w3id.org/citygraph/vocab/status/>\n"
        "partnership:helsinki-kotka a cg:Partnership ; cg:party city:helsinki, city:tallinn ;"
        " cg:status status:active .\n", encoding="utf-8")
    checked = CityGraph(graph.store, Settings.for_home(home), graph.manifest)
    with pytest.raises(ConsistencyError, match="helsinki-kotka"):
        publish(checked, tmp_path / "dist", options(), langs=["en"])
    assert not (tmp_path / "dist").exists()
