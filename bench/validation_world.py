"""A small deterministic world for validation benchmarks: valid-shaped data plus known errors.

``world(triples, seed)`` returns Turtle text in the curated vocabulary -- countries, cities,
networks, sources, partnerships, memberships, attestations -- that conforms to
shapes/citygraph.ttl, of about ``triples`` triples, with a few errors injected at known places.
``INJECTED`` names each kind of error and what validation must report for it; the returned
list says which entities carry one. Importable, so a larger world generator can build on
:func:`city_block`, :func:`partnership_block` and friends.

Command line::

    python bench/validation_world.py OUT.ttl [--triples 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

CG = "https://w3id.org/citygraph/ontology#"
ID = "https://w3id.org/citygraph/id/"

PREFIXES = """PREFIX cg: <https://w3id.org/citygraph/ontology#>
PREFIX city: <https://w3id.org/citygraph/id/city/>
PREFIX country: <https://w3id.org/citygraph/id/country/>
PREFIX network: <https://w3id.org/citygraph/id/network/>
PREFIX source: <https://w3id.org/citygraph/id/source/>
PREFIX partnership: <https://w3id.org/citygraph/id/partnership/>
PREFIX membership: <https://w3id.org/citygraph/id/membership/>
PREFIX status: <https://w3id.org/citygraph/vocab/status/>
PREFIX pkind: <https://w3id.org/citygraph/vocab/partnership-kind/>
PREFIX role: <https://w3id.org/citygraph/vocab/role/>
PREFIX focus: <https://w3id.org/citygraph/vocab/focus-area/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX lang: <http://publications.europa.eu/resource/authority/language/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: sources: slug, language IRI, quote language tag, issued (lexical, datatype)
SOURCES = [
    ("review-2024", "FIN", "fi", ("2024-12-02", "date")),
    ("page-2019", "SWE", "sv", ("2019-12-06", "date")),
    ("strategy-2019", "ENG", "en", ("2019", "gYear")),
    ("page-2022", "FIN", "fi", ("2022-09", "gYearMonth")),
]
KINDS = ["key", "strategic", "closest", "special", "partner-city", "thematic", "twin"]
ROLES = ["member", "participant", "founding-member", "executive-committee-member", "partner"]
FOCUS = ["climate", "smart-city", "innovation", "mobility", "education", "culture", "design"]
QUOTES = {
    "fi": "Yhteistyö kaupunkien {a} ja {b} välillä jatkuu.",
    "sv": "Samarbetet mellan {a} och {b} fortsätter.",
    "en": "The cooperation between {a} and {b} continues.",
}
COUNTRIES = 20
NETWORKS = 40
#: triples per city with its partnership and two memberships (measured on the output)
TRIPLES_PER_CITY = 38

#: kind -> (shape, property) that validation must report for an entity carrying it
INJECTED = {
    "no-attestation": ("shape:Relationship", "cg:attestation"),
    "end-before-start": ("shape:Relationship-dates", "cg:endDate"),
    "active-past-end": ("shape:Relationship-active", "cg:endDate"),
    "one-party": ("shape:Partnership", "cg:party"),
    "email-in-quote": ("shape:NoPersonalData", "cg:quote"),
    "refers-after-source": ("shape:Attestation-time", "cg:refersTo"),
    "duplicate-wikidata": ("shape:UniqueIdentifiers", "cg:wikidataId"),
    "latitude-out-of-range": ("shape:City", "geo:lat"),
}


@dataclass(frozen=True)
class Injected:
    """One injected error: its kind and the entity (IRI) the report must name."""

    kind: str
    entity: str

    @property
    def shape(self) -> str:
        return INJECTED[self.kind][0]

    @property
    def property(self) -> str:
        return INJECTED[self.kind][1]


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def city_name(i: int) -> str:
    return f"Kaupunki {i}"


def country_block(c: int) -> str:
    return (f"country:c{c:03d} a cg:Country ;\n"
            f'    skos:prefLabel "Country {c}"@en, "Maa {c}"@fi, "Land {c}"@sv ;\n'
            f'    cg:isoCode "{chr(65 + c // 26)}{chr(65 + c % 26)}" ;\n'
            f'    cg:wikidataId "Q{900000 + c}" ; cg:geonamesId "{900000 + c}" .\n')


def city_block(i: int, rng: random.Random, *, wikidata: str | None = None,
               lat: float | None = None) -> str:
    lat = round(rng.uniform(-60, 70), 5) if lat is None else lat
    long = round(rng.uniform(-179, 179), 5)
    return (f"city:c{i:07d} a cg:City ;\n"
            f'    skos:prefLabel "City {i}"@en, "{city_name(i)}"@fi, "Stad {i}"@sv ;\n'
            f"    cg:country country:c{i % COUNTRIES:03d} ;\n"
            f'    geo:lat "{lat}"^^xsd:decimal ; geo:long "{long}"^^xsd:decimal ;\n'
            f'    cg:wikidataId "{wikidata or f"Q{1000000 + i}"}" ; cg:geonamesId "{2000000 + i}" .\n')


def network_block(n: int) -> str:
    return (f"network:n{n:03d} a cg:CityNetwork ;\n"
            f'    skos:prefLabel "Network {n}"@en, "Verkosto {n}"@fi, "Nätverk {n}"@sv .\n')


def source_block(slug: str, language: str, issued: tuple[str, str]) -> str:
    return (f"source:{slug} a cg:SourceDocument ;\n"
            f'    dcterms:title "{slug}"@en ; dcterms:issued "{issued[0]}"^^xsd:{issued[1]} ;\n'
            f"    dcterms:language lang:{language} ; dcterms:publisher city:c0000000 ;\n"
            f'    cg:seedFile "{slug}.txt" .\n')


def attestation(rng: random.Random, a: int, b: int, described: str | None = None,
                quote_extra: str = "", refers_to: str | None = None) -> str:
    slug, _lang, tag, _issued = SOURCES[rng.randrange(len(SOURCES))]
    quote = QUOTES[tag].format(a=city_name(a), b=city_name(b)) + quote_extra
    parts = [f"cg:source source:{slug}", f'cg:quote "{esc(quote)}"@{tag}']
    if described:
        parts.append(f"cg:describedAs {described}")
    if rng.random() < 0.3:
        parts.append(f"cg:focusArea focus:{FOCUS[rng.randrange(len(FOCUS))]}")
    if refers_to:
        parts.append(f'cg:refersTo "{refers_to}"^^xsd:gYear')
    return "[ " + " ; ".join(parts) + " ]"


def partnership_block(i: int, j: int, rng: random.Random, error: str | None = None) -> str:
    kind = KINDS[rng.randrange(len(KINDS))]
    lines = [f"partnership:p{i:07d} a cg:Partnership ;"]
    lines.append(f"    cg:party city:c{i:07d} ;" if error == "one-party"
                 else f"    cg:party city:c{i:07d}, city:c{j:07d} ;")
    ended = rng.random() < 0.1
    if error == "end-before-start":
        lines.append('    cg:status status:ended ; cg:startDate "2020"^^xsd:gYear ; '
                     'cg:endDate "2019-05"^^xsd:gYearMonth ;')
    elif error == "active-past-end":
        lines.append('    cg:status status:active ; cg:endDate "2015"^^xsd:gYear ;')
    elif ended:
        lines.append('    cg:status status:ended ; cg:startDate "2007"^^xsd:gYear ; '
                     'cg:endDate "2022-02"^^xsd:gYearMonth ;')
        lines.append('    cg:statusReason "Cooperation ended in February 2022."@en ;')
    else:
        lines.append("    cg:status status:active ;")
    if error != "no-attestation":
        extra = " Yhteyshenkilö: etunimi.sukunimi(at)example.fi" if error == "email-in-quote" else ""
        refers = "2030" if error == "refers-after-source" else (
            "2007" if rng.random() < 0.1 else None)
        lines.append("    cg:attestation " + attestation(rng, i, j, f"pkind:{kind}", extra, refers)
                     + " ;")
    lines[-1] = lines[-1].rstrip(" ;") + " ."
    return "\n".join(lines) + "\n"


def membership_block(i: int, n: int, k: int, rng: random.Random) -> str:
    role = ROLES[rng.randrange(len(ROLES))]
    return (f"membership:m{i:07d}-{k} a cg:Membership ;\n"
            f"    org:member city:c{i:07d} ; org:organization network:n{n:03d} ;\n"
            f"    org:role role:{role} ; cg:status status:active ;\n"
            f"    cg:attestation {attestation(rng, i, i, f'role:{role}')} .\n")


def world(triples: int = 100_000, seed: int = 1) -> tuple[str, list[Injected]]:
    """Turtle text of about ``triples`` triples and the errors injected into it.

    Each kind of error is injected ``max(1, triples // 100_000)`` times, at cities and
    partnerships spread evenly over the world, so the expected report grows slowly with size.
    """
    rng = random.Random(seed)
    cities = max(20, triples // TRIPLES_PER_CITY)
    per_kind = max(1, triples // 100_000)
    kinds = list(INJECTED)
    slots = len(kinds) * per_kind
    step = max(1, cities // (slots + 1))
    errors: dict[int, str] = {}
    for n in range(slots):
        errors[(n + 1) * step] = kinds[n % len(kinds)]
    injected: list[Injected] = []
    out = [PREFIXES]
    out += [country_block(c) for c in range(COUNTRIES)]
    out += [network_block(n) for n in range(NETWORKS)]
    out += [source_block(slug, language, issued) for slug, language, _tag, issued in SOURCES]
    for i in range(cities):
        error = errors.get(i)
        j = (i * 7 + 1) % cities
        if j == i:
            j = (i + 1) % cities
        if error == "duplicate-wikidata":
            out.append(city_block(i, rng, wikidata=f"Q{1000000 + j}"))
            injected += [Injected(error, f"{ID}city/c{i:07d}"), Injected(error, f"{ID}city/c{j:07d}")]
        elif error == "latitude-out-of-range":
            out.append(city_block(i, rng, lat=91.5))
            injected.append(Injected(error, f"{ID}city/c{i:07d}"))
        else:
            out.append(city_block(i, rng))
        rel_error = error if error and error not in ("duplicate-wikidata", "latitude-out-of-range") else None
        out.append(partnership_block(i, j, rng, rel_error))
        if rel_error:
            injected.append(Injected(rel_error, f"{ID}partnership/p{i:07d}"))
        for k in range(2):
            out.append(membership_block(i, (i + k * 13) % NETWORKS, k, rng))
    return "\n".join(out), injected


def write(path: Path, triples: int = 100_000, seed: int = 1) -> list[Injected]:
    """Write :func:`world` to ``path``; returns the injected errors."""
    text, injected = world(triples, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return injected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    injected = write(args.out, args.triples, args.seed)
    print(f"wrote {args.out} with {len(injected)} injected error(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
