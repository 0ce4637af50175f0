"""Each importer on the real files: counts worked out from the files, provenance, licences,
idempotence and atomicity."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import pyoxigraph as ox
import pytest
from layers_support import EXTERNAL, csv_rows, imported, make_layered_home, tsv_pairs

from citygraph.errors import NotFoundError
from citygraph.layers import baltic
from citygraph.layers.base import NQUADS, layer_path, read_meta
from citygraph.layers.registry import IMPORTABLE, REGISTRY, by_graph
from citygraph.namespaces import CG, DCTERMS, PREFIXES, SKOS

CITY, NET, SRC = PREFIXES["city"], PREFIXES["network"], PREFIXES["source"]
WD = EXTERNAL / "wikidata-p190-2016"


@pytest.fixture(scope="module")
def layers():
    return imported()


@cache
def store_of(settings, name: str) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(layer_path(settings, name) / NQUADS), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, sparql: str) -> list[dict]:
    result = store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]


# ------------------------------------------------------------------------ metadata and licences

def test_every_layer_has_licence_and_provenance(layers) -> None:
    settings, metas = layers
    assert set(metas) == set(IMPORTABLE)
    for name in IMPORTABLE:
        info = REGISTRY[name]
        meta = read_meta(layer_path(settings, name))
        assert meta["licence"] == info.licence and meta["graph"] == info.graph
        assert meta["origin"]["repository"].startswith("https://")
        for record in meta["files"]:
            assert len(record["sha256"]) == 64 and record["rows"] > 0 and record["retrieved"]
        store = store_of(settings, name)
        rows = select(store, f"SELECT ?lic WHERE {{ <{info.graph}> dcterms:license ?lic }}")
        assert [r["lic"] for r in rows] == [info.licence], name
        sources = select(store, "SELECT ?s ?lic ?issued WHERE { ?s a cg:SourceDocument , dcat:Dataset ; "
                                "dcterms:license ?lic . OPTIONAL { ?s dcterms:issued ?issued } }")
        assert sources and all(r["lic"] == info.licence for r in sources), name
        counts = select(store, "SELECT ?n WHERE { ?d a dcat:Distribution ; cg:rowCount ?n }")
        assert {int(r["n"]) for r in counts} == {f["rows"] for f in meta["files"]}


def test_climactor_is_flagged_non_commercial() -> None:
    assert not REGISTRY["climactor"].open_licence
    assert not REGISTRY["climactor-derived"].open_licence
    assert REGISTRY["wikipedia-twin-towns"].share_alike and REGISTRY["wikidata-p190"].open_licence
    assert by_graph("https://w3id.org/citygraph/graph/climactor-derived").licence == REGISTRY["climactor"].licence
    assert by_graph("https://w3id.org/citygraph/graph/csv-x").open_licence


# ------------------------------------------------------------------------ Wikidata P190

def test_wikidata_counts_from_the_files(layers) -> None:
    _settings, metas = layers
    pairs = tsv_pairs(WD / "relations.tsv")
    directed = set(pairs)
    names = tsv_pairs(WD / "names.tsv")
    meta = metas["wikidata-p190"]
    assert meta["counts"]["rows"] == len(pairs) == 34182
    assert meta["counts"]["distinct_statements"] == len(directed) == 34178
    assert meta["counts"]["partnerships"] == len({frozenset(p) for p in directed}) == 17401
    assert meta["counts"]["statements_without_reciprocal"] == sum(1 for a, b in directed if (b, a) not in directed)
    assert meta["counts"]["places"] == len(names) == 10055


def test_helsinki_has_the_ten_wikidata_partners(layers) -> None:
    settings, _metas = layers
    names = dict(tsv_pairs(WD / "names.tsv"))
    partners = {b if a == "Q1757" else a for a, b in tsv_pairs(WD / "relations.tsv") if "Q1757" in (a, b)}
    assert sorted(names[q] for q in partners) == sorted([
        "Kopenhagen", "Oslo", "Stockholm", "Reykjavík", "Tórshavn", "Nuuk", "Prag", "Sofia", "Kiew",
        "Sankt Petersburg"])
    store = store_of(settings, "wikidata-p190")
    rows = select(store, "SELECT DISTINCT ?p WHERE { ?r a cg:Partnership ; cg:party city:helsinki, ?p "
                         "FILTER(?p != city:helsinki) }")
    found = {r["p"] for r in rows}
    assert len(found) == 10
    assert {CITY + "oslo", CITY + "stockholm", CITY + "st-petersburg"} <= found  # curated, by QID
    # every link is stated on both items: two attestations each, about each side
    atts = select(store, "SELECT ?r (COUNT(DISTINCT ?about) AS ?n) WHERE { ?r cg:party city:helsinki ; "
                         "cg:attestation ?a . ?a dcterms:subject ?about ; cg:describedAs pkind:twin } GROUP BY ?r")
    assert len(atts) == 10 and all(int(r["n"]) == 2 for r in atts)


def test_wikidata_unmatched_places_keep_their_qid(layers) -> None:
    settings, metas = layers
    rec = metas["wikidata-p190"]["reconciliation"]
    assert rec["by_method"]["QID"] == 18  # every curated city is in the crawl
    assert rec["matched"] + rec["unmatched"] == 10055
    store = store_of(settings, "wikidata-p190")
    unmatched = select(store, "SELECT (COUNT(?c) AS ?n) WHERE { ?c cg:wikidataId ?q "
                              "FILTER(STRSTARTS(STR(?c), STR(city:wd-))) }")
    assert int(unmatched[0]["n"]) == rec["unmatched"]


# ------------------------------------------------------------------------ Wikipedia twin towns

def test_wikipedia_counts_from_the_file(layers) -> None:
    settings, metas = layers
    rows = csv_rows(EXTERNAL / "wikipedia-twin-towns" / "twin_cities_geocoded.csv")
    meta = metas["wikipedia-twin-towns"]
    places = {(r[f"city{i}"], r[f"country{i}"], float(r[f"lat{i}"]), float(r[f"lng{i}"]))
              for r in rows for i in "12"}
    assert meta["counts"]["rows"] == len(rows) == 25917
    assert meta["counts"]["places"] == len(places)
    rec = meta["reconciliation"]
    assert rec["matched"] + rec["ambiguous"] + rec["unmatched"] == len(places)
    assert rec["match_rate"] > 0.8
    store = store_of(settings, "wikipedia-twin-towns")
    n = select(store, "SELECT (COUNT(?a) AS ?n) WHERE { ?r cg:attestation ?a . ?a cg:sourceRow ?row }")
    assert int(n[0]["n"]) == len(rows) - meta["counts"]["rows_joining_a_place_to_itself"]
    # a row's evidence: its line and the line as written
    row = select(store, "SELECT ?rec WHERE { ?a cg:sourceRow 2 ; cg:sourceRecord ?rec }")
    assert row[0]["rec"] == "Berat,Albania,40.7022,19.9583,Amasya,Turkey,40.65,35.8331"


def test_wikipedia_ambiguous_places_keep_candidates(layers) -> None:
    settings, metas = layers
    rec = metas["wikipedia-twin-towns"]["reconciliation"]
    assert rec["ambiguous"] == len(rec["ambiguous_cases"]) > 0
    store = store_of(settings, "wikipedia-twin-towns")
    n = select(store, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c cg:candidateMatch ?m }")
    assert int(n[0]["n"]) == rec["ambiguous"]


# ------------------------------------------------------------------------ ClimActor

def test_climactor_reads_both_snapshots(layers) -> None:
    _settings, metas = layers
    sept = csv_rows(EXTERNAL / "climactor" / "subnational_contextuals_database_initcols_Sept2020.csv")
    dec = csv_rows(EXTERNAL / "climactor" / "subnational_contextuals_database_Dec2022.csv", "cp1252")
    meta = metas["climactor"]
    assert meta["counts"]["rows_sept2020"] == len(sept) == 10716
    assert meta["counts"]["rows_dec2022"] == len(dec) == 14706
    regions = sum(1 for r in sept + dec if r["entity_type"] == "Region")
    assert meta["counts"]["rows_skipped_region"] == regions
    assert set(meta["labels_skipped"]) >= {"NA", "Union of Baltic States"}


def test_helsinki_climactor_memberships_worked_out(layers) -> None:
    """Helsinki's rows: 2020 Carbonn2019, CDPCities2018, EUCovenantofMayors2019,
    GlobalCovenantofMayors2019, NAZCA; 2022 CDPJRC2022, CDPCities2022,
    GCoMEuropeanCommission2021, EUCovenantofMayors2022, GCoM2022, District Energy
    Accelerator, Carbon Neutral Cities Alliance (CNCA), Race to Zero."""
    settings, _metas = layers
    store = store_of(settings, "climactor")
    rows = select(store, "SELECT ?net ?issued WHERE { ?m org:member city:helsinki ; org:organization ?net ; "
                         "cg:attestation/cg:source/dcterms:issued ?issued }")
    seen: dict[str, set[str]] = {}
    for r in rows:
        seen.setdefault(r["net"][len(NET):], set()).add(r["issued"])
    assert seen == {
        "carbonn-climate-registry": {"2020-09"}, "nazca": {"2020-09"},
        "cdp": {"2020-09", "2022-12"}, "eu-covenant-of-mayors": {"2020-09", "2022-12"},
        "global-covenant-of-mayors": {"2020-09", "2022-12"},
        "climactor-district-energy-accelerator": {"2022-12"}, "carbon-neutral-cities-alliance": {"2022-12"},
        "race-to-zero": {"2022-12"},
    }
    # C40 is the curated network entity; the layer never re-describes it
    c40 = select(store, f"SELECT (COUNT(?m) AS ?n) WHERE {{ ?m org:organization <{NET}c40> }}")
    assert int(c40[0]["n"]) > 90
    assert not select(store, f"SELECT ?l WHERE {{ <{NET}c40> skos:prefLabel ?l }}")


def test_climactor_cp1252_names_are_read_right(layers) -> None:
    settings, _metas = layers
    store = store_of(settings, "climactor")
    names = {r["n"] for r in select(store, "SELECT ?n WHERE { ?c skos:prefLabel|skos:altLabel ?n "
                                           "FILTER(CONTAINS(?n, \"Adda\")) }")}
    assert "Arzago d’Adda" in names and not any("â€" in n for n in names)


# ------------------------------------------------------------------------ Baltic networks

def test_baltic_memberships_and_snapshots(layers) -> None:
    settings, metas = layers
    ubc = csv_rows(EXTERNAL / "baltic-networks" / "ubc_members_ubc-sustainable-net.csv")
    baltmet = csv_rows(EXTERNAL / "baltic-networks" / "baltmet_members.csv")
    meta = metas["baltic-networks"]
    assert meta["counts"]["ubc_rows"] == len(ubc) == 74
    assert meta["counts"]["baltmet_rows"] == len(baltmet) == 31
    assert meta["counts"]["ubc_memberships"] == 74
    assert meta["counts"]["baltmet_memberships"] == 11  # ten cities in 2002 and Oslo from 2009
    store = store_of(settings, "baltic-networks")
    rows = select(store, "SELECT ?m ?s WHERE { ?m org:organization network:baltmet ; cg:attestation/cg:source ?s }")
    snapshots: dict[str, set[str]] = {}
    for r in rows:
        snapshots.setdefault(r["m"], set()).add(r["s"][len(SRC):])
    copenhagen = next(m for m in snapshots if m.endswith("-gn-2618425-baltmet"))
    assert snapshots[copenhagen] == {"baltmet-members-2002-10", "baltmet-members-2009"}
    oslo = next(m for m in snapshots if "-oslo-" in m)
    assert snapshots[oslo] == {"baltmet-members-2009", "baltmet-members-undated"}
    kaunas = select(store, "SELECT ?d WHERE { ?m org:organization network:ubc ; cg:startDate ?d ; "
                           "org:member ?c . ?c skos:prefLabel|skos:altLabel \"Kaunas\" }")
    assert [r["d"] for r in kaunas] == ["1994"]
    partner = select(store, "SELECT ?role WHERE { ?m org:organization network:ubc ; org:role ?role ; "
                            "org:member ?c . ?c skos:prefLabel \"Rivne region\" }")
    assert [r["role"] for r in partner] == [PREFIXES["role"] + "partner"]


# ------------------------------------------------------------------------ idempotence and atomicity

def test_import_twice_gives_the_same_graph(tmp_path) -> None:
    settings = make_layered_home()
    baltic.run(settings)
    first = (layer_path(settings, "baltic-networks") / NQUADS).read_bytes()
    baltic.run(settings)
    second = (layer_path(settings, "baltic-networks") / NQUADS).read_bytes()
    assert first == second
    assert len(list(layer_path(settings, "baltic-networks").parent.glob(".baltic-networks-*"))) == 1


def test_failed_import_leaves_the_previous_layer(tmp_path, monkeypatch) -> None:
    settings = make_layered_home()
    baltic.run(settings)
    before = (layer_path(settings, "baltic-networks") / NQUADS).read_bytes()
    folder = tmp_path / "baltic"
    folder.mkdir()
    (folder / baltic.UBC_FILE).write_text("city_as_published,country_as_published,note\nKotka,Finland,\n")
    with pytest.raises(NotFoundError, match="baltmet_members.csv not found"):
        baltic.run(settings, folder)

    def boom(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("citygraph.layers.base.LayerWriter.serialize", boom)
    with pytest.raises(RuntimeError):
        baltic.run(settings)
    assert (layer_path(settings, "baltic-networks") / NQUADS).read_bytes() == before
    assert len(list(layer_path(settings, "baltic-networks").parent.glob(".baltic-networks-*"))) == 1


def test_import_from_a_url(tmp_path) -> None:
    """--from accepts the URL of a folder (file:// here; https:// the same way)."""
    settings = make_layered_home()
    meta = baltic.run(settings, (EXTERNAL / "baltic-networks").as_uri())
    assert meta["counts"]["ubc_memberships"] == 74
    assert json.loads((layer_path(settings, "baltic-networks") / "meta.json").read_text())["counts"] == meta["counts"]


def test_layer_slugs_follow_the_id_pattern(layers) -> None:
    import re

    settings, _metas = layers
    pattern = re.compile(r"^https://w3id\.org/citygraph/id/(city|partnership|membership|network|country|source)/"
                         r"[a-z0-9]+(-[a-z0-9]+)*$")
    for name in IMPORTABLE:
        text = (layer_path(settings, name) / NQUADS).read_text(encoding="utf-8")
        iris = set(re.findall(r"<(https://w3id\.org/citygraph/id/[^>#]*)>", text))
        bad = Counter(i.split("/")[5] for i in iris if not pattern.match(i))
        assert not bad, (name, bad, [i for i in iris if not pattern.match(i)][:5])
