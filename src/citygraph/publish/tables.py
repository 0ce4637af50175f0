"""CSV tables for spreadsheet users, and their data dictionary (CSVW metadata).

One row per thing (cities, networks, organisations, sources) or per relationship
(memberships, partnerships, agreements) with its dates, status, sources and quotes; a
relationship with several attestations lists them in one cell each, separated by `` | ``,
in the order they were attested (the CSVW metadata declares the separator). ``evidence.csv``
has one row per quote, for every kind of relationship.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from citygraph.graph import CityGraph
from citygraph.namespaces import CG, ID, ORG, PREFIXES, SKOS
from citygraph.publish.files import WrittenFile, write
from citygraph.publish.licences import COMBINED

TABLES_DIR = "csv"
METADATA = "csv-metadata.json"
SEP = " | "


@dataclass(frozen=True)
class Column:
    name: str
    datatype: str          # CSVW datatype name
    description: str
    list: bool = False     # several values separated by SEP

    def csvw(self) -> dict:
        out: dict = {"name": self.name, "titles": self.name, "datatype": self.datatype,
                     "dc:description": self.description}
        if self.list:
            out["separator"] = SEP
        return out


def _id(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def _c(name: str, datatype: str, description: str, is_list: bool = False) -> Column:
    return Column(name, datatype, description, is_list)


_ENTITY = [
    _c("id", "string", "Identifier: the last segment of the IRI."),
    _c("iri", "anyURI", "The entity's IRI; it resolves to its page on the linked-data site."),
]
_NAMES = [
    _c("name_en", "string", "Name in English."),
    _c("name_fi", "string", "Name in Finnish."),
    _c("name_sv", "string", "Name in Swedish."),
    _c("other_names", "string", "Other names (skos:altLabel), in any language.", True),
]
_DATES = [
    _c("status", "string", "Lifecycle status: active, suspended or ended."),
    _c("status_reason", "string", "Why the status is what it is, where a source says so."),
    _c("start", "string", "Start as the source states it: a date, a month (YYYY-MM) or a year (YYYY)."),
    _c("end", "string", "End as the source states it: a date, a month (YYYY-MM) or a year (YYYY)."),
    _c("start_not_before", "string", "Earliest possible start, where only a period is known."),
    _c("start_not_after", "string", "Latest possible start, where only a period is known."),
    _c("end_not_before", "string", "Earliest possible end, where only a period is known."),
    _c("end_not_after", "string", "Latest possible end, where only a period is known."),
    _c("active_from", "date", "First day on which the relationship counts as active (derived)."),
    _c("active_until", "date", "First day on which it no longer counts as active (derived; "
       "empty while active)."),
    _c("last_attested", "date", "Date of the newest source that mentions it (derived)."),
    _c("sources", "anyURI", "IRIs of the source documents, one per quote, oldest first.", True),
    _c("source_dates", "date", "Date each source counts as attesting it, aligned with sources.", True),
    _c("quotes", "string", "The verbatim quotes, aligned with sources, in the document's language.", True),
    _c("quote_languages", "string", "Language of each quote (BCP 47), aligned with quotes.", True),
]

TABLES: dict[str, tuple[str, list[Column]]] = {
    "cities": ("Cities", [*_ENTITY, *_NAMES,
        _c("country", "string", "Country (English name)."),
        _c("country_iri", "anyURI", "The country's IRI."),
        _c("lat", "decimal", "Latitude (WGS84)."),
        _c("long", "decimal", "Longitude (WGS84)."),
        _c("wikidata", "string", "Wikidata item (Q-number)."),
        _c("geonames", "string", "GeoNames id.")]),
    "networks": ("City networks", [*_ENTITY, *_NAMES,
        _c("members", "integer", "Number of members in the graph (not the network's full size).")]),
    "organisations": ("Organisations, offices and units other than city networks", [*_ENTITY,
        _c("type", "string", "Kind of organisation (ontology class)."), *_NAMES,
        _c("located_in", "string", "Where it is located (English name), if known.")]),
    "memberships": ("Memberships: one row per membership", [*_ENTITY,
        _c("member", "string", "Member (English name)."),
        _c("member_iri", "anyURI", "The member's IRI."),
        _c("organisation", "string", "Network or organisation (English name)."),
        _c("organisation_iri", "anyURI", "Its IRI."),
        _c("roles", "string", "Roles (member, founding member, …).", True), *_DATES]),
    "partnerships": ("Partnerships: one row per partnership between two cities", [*_ENTITY,
        _c("city_1", "string", "First party (English name; parties in IRI order)."),
        _c("city_1_iri", "anyURI", "Its IRI."),
        _c("city_2", "string", "Second party (English name)."),
        _c("city_2_iri", "anyURI", "Its IRI."),
        _c("described_as", "string", "How the sources describe the partnership (closest, key, …).", True),
        _c("topic", "string", "Topic of a thematic collaboration."), *_DATES]),
    "agreements": ("Agreements: one row per agreement", [*_ENTITY,
        _c("title", "string", "Title of the agreement."),
        _c("parties", "string", "Parties (English names).", True),
        _c("party_iris", "anyURI", "Their IRIs, aligned with parties.", True),
        _c("signed", "string", "When it was signed (date, month or year)."), *_DATES]),
    "sources": ("Source documents", [*_ENTITY,
        _c("title", "string", "Title in the document's language."),
        _c("issued", "string", "Date of the document (date, month or year)."),
        _c("issued_not_before", "string", "Earliest possible date of an undated document."),
        _c("issued_not_after", "string", "Latest possible date of an undated document."),
        _c("language", "anyURI", "Language (EU Publications Office authority IRI)."),
        _c("publisher", "string", "Publisher (English name)."),
        _c("publisher_iri", "anyURI", "The publisher's IRI."),
        _c("identifier", "string", "Case or document number."),
        _c("origin", "string", "Where it was published.")]),
    "evidence": ("Evidence: one row per quote supporting a relationship", [
        _c("relationship_iri", "anyURI", "The relationship the quote supports."),
        _c("relationship_kind", "string", "membership, partnership, agreement, hosting, …"),
        _c("source_iri", "anyURI", "The source document."),
        _c("attested_on", "date", "Date the source counts as attesting it (derived)."),
        _c("quote", "string", "The verbatim quote."),
        _c("quote_language", "string", "Language of the quote (BCP 47)."),
        _c("described_as", "string", "How the source describes it.", True),
        _c("refers_to", "string", "The time the sentence is about, if it says."),
    ]),
}


class _Reader:
    """Bulk reads over the publication view (one query per pattern, not per row)."""

    def __init__(self, graph: CityGraph) -> None:
        self.graph = graph

    def props(self, cls: str) -> dict[str, dict[str, list]]:
        out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for row in self.graph._select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ ?s a {cls} ; ?p ?o FILTER(isIRI(?s)) }}"):
            values = out[row["s"].value][row["p"].value]
            if row["o"] not in values:
                values.append(row["o"])
        return {k: dict(v) for k, v in sorted(out.items())}

    def attestations(self, cls: str) -> dict[str, list[dict]]:
        typed = "a/rdfs:subClassOf* cg:Relationship" if cls == "cg:Relationship" else f"a {cls}"
        out: dict[str, list[dict]] = defaultdict(list)
        rows = self.graph._select(
            f"SELECT ?s ?att ?source ?quote ?on ?refers (GROUP_CONCAT(STR(?d); separator=' ') AS ?described)"
            f" WHERE {{ ?s {typed} ; cg:attestation ?att ."
            "  OPTIONAL { ?att cg:source ?source } OPTIONAL { ?att cg:quote ?quote }"
            "  OPTIONAL { ?att cg:attestedOn ?on } OPTIONAL { ?att cg:refersTo ?refers }"
            "  OPTIONAL { ?att cg:describedAs ?d } FILTER(isIRI(?s)) }"
            " GROUP BY ?s ?att ?source ?quote ?on ?refers")
        for row in rows:
            out[row["s"].value].append({
                "source": row["source"].value if row["source"] else "",
                "quote": row["quote"].value if row["quote"] else "",
                "lang": (row["quote"].language or "") if row["quote"] else "",
                "on": row["on"].value if row["on"] else "",
                "refers": row["refers"].value if row["refers"] else "",
                "described": sorted((row["described"].value or "").split()) if row["described"] else [],
            })
        for atts in out.values():
            atts.sort(key=lambda a: (a["on"], a["source"], a["quote"]))
        return dict(out)


def _first(props: dict, prop: str) -> str:
    values = props.get(prop, [])
    return values[0].value if values else ""


def _pick(props: dict, prop: str, lang: str) -> str:
    values = [v for v in props.get(prop, []) if isinstance(v, ox.Literal)]
    for v in values:
        if (v.language or "") == lang:
            return v.value
    return ""


def _any_text(props: dict, prop: str) -> str:
    for lang in ("en", "fi", "sv", ""):
        text = _pick(props, prop, lang)
        if text:
            return text
    values = props.get(prop, [])
    return values[0].value if values else ""


def _iris(props: dict, prop: str) -> list[str]:
    return sorted(v.value for v in props.get(prop, []) if isinstance(v, ox.NamedNode))


def _rows(graph: CityGraph) -> dict[str, list[dict]]:
    read = _Reader(graph)
    label = graph.label
    S = SKOS

    def label_of(iri: str) -> str:
        return label(iri) if iri else ""

    def ident(iri: str) -> dict:
        return {"id": _id(iri), "iri": iri}

    def names(p: dict) -> dict:
        return {"name_en": _pick(p, S + "prefLabel", "en"), "name_fi": _pick(p, S + "prefLabel", "fi"),
                "name_sv": _pick(p, S + "prefLabel", "sv"),
                "other_names": sorted(v.value for v in p.get(S + "altLabel", []))}

    def dated(iri: str, p: dict, atts: dict[str, list[dict]]) -> dict:
        a = atts.get(iri, [])
        status = _first(p, CG + "status")
        return {
            "status": _id(status) if status else "", "status_reason": _any_text(p, CG + "statusReason"),
            "start": _first(p, CG + "startDate"), "end": _first(p, CG + "endDate"),
            "start_not_before": _first(p, CG + "startNotBefore"),
            "start_not_after": _first(p, CG + "startNotAfter"),
            "end_not_before": _first(p, CG + "endNotBefore"), "end_not_after": _first(p, CG + "endNotAfter"),
            "active_from": _first(p, CG + "activeFrom"), "active_until": _first(p, CG + "activeUntil"),
            "last_attested": _first(p, CG + "lastAttested"),
            "sources": [x["source"] for x in a], "source_dates": [x["on"] for x in a],
            "quotes": [x["quote"] for x in a], "quote_languages": [x["lang"] for x in a],
        }

    tables: dict[str, list[dict]] = {}
    cities = read.props("cg:City")
    tables["cities"] = [{
        **ident(iri), **names(p),
        "country": label_of(_first(p, CG + "country")),
        "country_iri": _first(p, CG + "country"),
        "lat": _first(p, PREFIXES["geo"] + "lat"), "long": _first(p, PREFIXES["geo"] + "long"),
        "wikidata": _first(p, CG + "wikidataId"), "geonames": _first(p, CG + "geonamesId"),
    } for iri, p in cities.items()]
    networks = read.props("cg:CityNetwork")
    tables["networks"] = [{**ident(iri), **names(p),
                           "members": len(p.get(CG + "hasMember", []))} for iri, p in networks.items()]
    orgs = read.props("cg:Organization")
    typed = {r["s"].value: r["t"].value for r in graph._select(
        "SELECT ?s (MIN(STR(?c)) AS ?t) WHERE { ?s a ?c . ?c rdfs:subClassOf* cg:Organization"
        " FILTER(isIRI(?s) && ?c != cg:CityNetwork) FILTER NOT EXISTS { ?s a cg:CityNetwork } }"
        " GROUP BY ?s")}
    all_orgs = {}
    for cls in sorted({t for t in typed.values()}):
        for iri, p in read.props(f"<{cls}>").items():
            all_orgs.setdefault(iri, p)
    all_orgs.update({k: v for k, v in orgs.items() if k in typed})
    tables["organisations"] = [{
        **ident(iri), "type": _id(typed[iri]).split("#")[-1], **names(p),
        "located_in": label_of(_first(p, CG + "locatedIn")),
    } for iri, p in sorted(all_orgs.items()) if iri in typed]

    atts = read.attestations("cg:Membership")
    tables["memberships"] = [{
        **ident(iri),
        "member": label(_first(p, ORG + "member")), "member_iri": _first(p, ORG + "member"),
        "organisation": label(_first(p, ORG + "organization")),
        "organisation_iri": _first(p, ORG + "organization"),
        "roles": [_id(r) for r in _iris(p, ORG + "role")], **dated(iri, p, atts),
    } for iri, p in read.props("cg:Membership").items()]

    atts = read.attestations("cg:Partnership")
    rows = []
    for iri, p in read.props("cg:Partnership").items():
        parties = _iris(p, CG + "party") + ["", ""]
        described = sorted({_id(d) for a in atts.get(iri, []) for d in a["described"]})
        rows.append({**ident(iri),
                     "city_1": label_of(parties[0]), "city_1_iri": parties[0],
                     "city_2": label_of(parties[1]), "city_2_iri": parties[1],
                     "described_as": described, "topic": _any_text(p, CG + "topic"),
                     **dated(iri, p, atts)})
    tables["partnerships"] = rows

    atts = read.attestations("cg:Agreement")
    tables["agreements"] = [{
        **ident(iri), "title": _any_text(p, PREFIXES["dcterms"] + "title"),
        "parties": [label(x) for x in _iris(p, CG + "party")], "party_iris": _iris(p, CG + "party"),
        "signed": _first(p, CG + "signed"), **dated(iri, p, atts),
    } for iri, p in read.props("cg:Agreement").items()]

    D = PREFIXES["dcterms"]
    tables["sources"] = [{
        **ident(iri), "title": _any_text(p, D + "title"),
        "issued": _first(p, D + "issued"), "issued_not_before": _first(p, CG + "issuedNotBefore"),
        "issued_not_after": _first(p, CG + "issuedNotAfter"), "language": _first(p, D + "language"),
        "publisher": label_of(_first(p, D + "publisher")),
        "publisher_iri": _first(p, D + "publisher"), "identifier": _first(p, D + "identifier"),
        "origin": _any_text(p, CG + "origin"),
    } for iri, p in read.props("cg:SourceDocument").items()]

    kinds = {r["rel"].value: _id(r["kind"].value) for r in graph._select(
        "SELECT ?rel (MIN(?k) AS ?kind) WHERE { ?rel cg:relationshipKind ?k FILTER(isIRI(?rel)) } GROUP BY ?rel")}
    evidence = []
    for iri, items in sorted(read.attestations("cg:Relationship").items()):
        for a in items:
            evidence.append({"relationship_iri": iri, "relationship_kind": kinds.get(iri, ""),
                             "source_iri": a["source"], "attested_on": a["on"], "quote": a["quote"],
                             "quote_language": a["lang"], "described_as": [_id(d) for d in a["described"]],
                             "refers_to": a["refers"]})
    tables["evidence"] = evidence
    return tables


def _csv(columns: Sequence[Column], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.name, "")
            cells.append(SEP.join(str(v) for v in value) if isinstance(value, list) else str(value))
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def csvw_metadata(base_url: str, tables: dict[str, list[dict]]) -> dict:
    """The CSVW table-group description of the tables (``csv/csv-metadata.json``)."""
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "dc:title": "citygraph tables",
        "dc:description": "The open citygraph data as CSV tables, one row per thing or relationship.",
        "dc:license": {"@id": COMBINED.url},
        "tables": [{
            "url": f"{name}.csv",
            "dc:title": title,
            "dc:license": {"@id": COMBINED.url},
            "tableSchema": {
                "columns": [c.csvw() for c in columns],
                **({"primaryKey": "iri", "aboutUrl": "{+iri}"} if columns[1].name == "iri" else {}),
            },
        } for name, (title, columns) in TABLES.items()],
    }


def write_tables(graph: CityGraph, root: Path, base_url: str) -> tuple[list[WrittenFile], dict[str, int]]:
    """Write ``csv/*.csv`` and ``csv/csv-metadata.json``; returns the files and row counts."""
    rows = _rows(graph)
    files: list[WrittenFile] = []
    for name, (_title, columns) in TABLES.items():
        files += write(root, f"{TABLES_DIR}/{name}.csv", _csv(columns, rows[name]), "csv")
    meta = json.dumps(csvw_metadata(base_url, rows), indent=1, ensure_ascii=False) + "\n"
    files += write(root, f"{TABLES_DIR}/{METADATA}", meta.encode(), "json")
    return files, {name: len(r) for name, r in rows.items()}


__all__ = ["METADATA", "SEP", "TABLES", "TABLES_DIR", "csvw_metadata", "write_tables"]
