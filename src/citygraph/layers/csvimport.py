"""Bulk entry for curators: ``citygraph import csv FILE --layer NAME``.

One CSV row is one relationship with its evidence, in the columns of :data:`COLUMNS`
(``citygraph import template`` prints them with an example). Rows refer to what the curated
data already has: cities, networks and organisations by IRI, prefixed name (``city:tallinn``),
slug, name in any language or Wikidata id (``Q1770``), and source documents by IRI, prefixed
name or slug (add a new document to ``data/sources.ttl`` first, with its seed file).

Nothing is written until the whole file is valid: first each cell is checked (names resolve,
dates are dates, kinds and statuses are known), then the rows, written as Turtle, are
validated with the curated data against ``shapes/citygraph.ttl`` (:func:`citygraph.validate.validate`).
Every error names the row (the line of the file, the header being row 1) and the column. A
valid file becomes the layer ``csv-NAME`` (graph ``…/graph/csv-NAME``, CC BY 4.0 like the
curated data), which ``citygraph build --layers all`` (or ``--layers csv-NAME``) loads.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from citygraph import temporal
from citygraph.config import Settings
from citygraph.errors import CityGraphError, DataFileError
from citygraph.layers.base import LayerWriter, file_record
from citygraph.layers.registry import CSV_PREFIX, csv_layer
from citygraph.layers.reconcile import fold, slugify
from citygraph.namespaces import CURATED_GRAPH, PREFIXES, XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH, compact, expand

#: column -> what it holds (the template's second line is an example row)
COLUMNS = {
    "kind": "partnership or membership",
    "city": "the city (a party of the partnership, or the member): IRI, prefixed name, slug, name or Wikidata id",
    "partner": "the other party of a partnership, or the network/organisation of a membership",
    "described_as": "how the source describes it: a partnership kind (pkind:key, pkind:twin, …) or a role "
                    "(role:member, role:participant, …); default pkind:partner-city / role:member",
    "status": "active, suspended or ended (default active)",
    "start": "start date as the source gives it: YYYY, YYYY-MM or YYYY-MM-DD (optional)",
    "end": "end date, same forms (optional)",
    "status_reason": "why it has its status, in English (optional)",
    "source": "the source document (source:… in data/sources.ttl)",
    "quote": "the source's words, verbatim",
    "quote_lang": "the quote's language: fi, sv or en",
}
REQUIRED = ("kind", "city", "partner", "source", "quote", "quote_lang")
EXAMPLE = {
    "kind": "partnership", "city": "helsinki", "partner": "tallinn", "described_as": "pkind:key",
    "status": "active", "start": "", "end": "", "status_reason": "",
    "source": "source:economic-development-subcommittee-2024-12-02-31",
    "quote": "Keskeisiä kaupunkikumppaneita ovat olleet pohjoismaiset pääkaupungit (erityisesti Oslo ja "
             "Tukholma) sekä Tallinna.",
    "quote_lang": "fi",
}
STATUSES = ("active", "suspended", "ended")
#: the shapes' property paths -> the column a curator fixes
PROPERTY_COLUMNS = {
    "cg:party": "partner", "org:member": "city", "org:organization": "partner", "org:role": "described_as",
    "cg:status": "status", "cg:statusReason": "status_reason", "cg:startDate": "start", "cg:endDate": "end",
    "cg:quote": "quote", "cg:source": "source", "cg:describedAs": "described_as",
    "cg:attestation/cg:describedAs": "described_as", "cg:attestation": "source",
}


class CsvImportError(DataFileError):
    """The CSV has errors; ``errors`` lists them all as ``(row, column, message)``."""

    def __init__(self, path: str, errors: list[tuple[int, str | None, str]]) -> None:
        self.errors = errors
        lines = [f"row {row}, column {col}: {msg}" if col else f"row {row}: {msg}" for row, col, msg in errors]
        super().__init__(path, None, None, f"{len(errors)} error(s), nothing written:\n  " + "\n  ".join(lines))


def template() -> str:
    """The CSV template: the header and one example row (Helsinki–Tallinn from the 2024 minutes)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow(EXAMPLE)
    return out.getvalue()


@dataclass
class _Index:
    """Names of the curated entities and sources, to resolve cells."""

    entities: dict[str, set[str]]  # folded name / slug / QID -> IRIs
    iris: set[str]
    types: dict[str, set[str]]
    sources: set[str]

    @classmethod
    def read(cls, data_dir: Path) -> _Index:
        store = ox.Store()
        for path in sorted(data_dir.glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        entities: dict[str, set[str]] = {}
        types: dict[str, set[str]] = {}
        for row in store.query("SELECT ?s ?t WHERE { ?s a ?t FILTER(isIRI(?s)) }", prefixes=PREFIXES):
            types.setdefault(row["s"].value, set()).add(row["t"].value)
        for row in store.query(
                "SELECT ?s ?n WHERE { ?s skos:prefLabel|skos:altLabel|cg:wikidataId ?n FILTER(isIRI(?s)) }",
                prefixes=PREFIXES):
            entities.setdefault(fold(row["n"].value), set()).add(row["s"].value)
        for iri in types:
            entities.setdefault(iri.rstrip("/").rsplit("/", 1)[-1].casefold(), set()).add(iri)
        sources = {i for i, t in types.items() if PREFIXES["cg"] + "SourceDocument" in t}
        return cls(entities, set(types), types, sources)

    def resolve(self, text: str) -> tuple[str | None, str | None]:
        """``(IRI, None)`` or ``(None, why not)``."""
        text = text.strip()
        iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
        if "://" in iri:
            return (iri, None) if iri in self.iris else (None, f"{text!r} is not in the curated data")
        full = expand(iri)
        if full is not None:
            return (full, None) if full in self.iris else (None, f"{text!r} is not in the curated data")
        found = self.entities.get(iri.casefold()) or self.entities.get(fold(iri), set())
        if len(found) == 1:
            return next(iter(found)), None
        if len(found) > 1:
            return None, f"{text!r} names {len(found)} entities ({', '.join(sorted(compact(i) for i in found))}); use one of these"
        import difflib

        close = difflib.get_close_matches(fold(iri), list(self.entities), n=3, cutoff=0.75)
        hint = "; did you mean " + ", ".join(sorted({compact(i) for c in close for i in self.entities[c]})) + "?" if close else ""
        return None, f"{text!r} is not a city, network or organisation in the curated data{hint}"


def _date(value: str) -> tuple[str, str] | None:
    datatype = {4: XSD_GYEAR, 7: XSD_GYEARMONTH, 10: XSD_DATE}.get(len(value))
    if datatype is None:
        return None
    try:
        temporal.period_of(value, datatype)
    except ValueError:
        return None
    return value, datatype


def _turtle_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(str(path), None, None, f"cannot read as UTF-8 text: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    rows = []
    for row in reader:
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue
        rows.append((reader.line_num, {(k or "").strip(): (v or "").strip() for k, v in row.items()
                                       if k is not None}))
    return header, rows


def _check_cells(header: list[str], rows: list[tuple[int, dict]], index: _Index) -> tuple[list, list]:
    errors: list[tuple[int, str | None, str]] = []
    for column in header:
        if column not in COLUMNS:
            errors.append((1, column, f"unknown column; the columns are {', '.join(COLUMNS)}"))
    for column in REQUIRED:
        if column not in header:
            errors.append((1, column, "missing column (see `citygraph import template`)"))
    if errors:
        return errors, []
    parsed = []
    for number, row in rows:
        def bad(column: str, message: str) -> None:
            errors.append((number, column, message))

        for column in REQUIRED:
            if not row.get(column):
                bad(column, "empty; this column is required")
        kind = row.get("kind", "").lower()
        if kind and kind not in ("partnership", "membership"):
            bad("kind", f"{row['kind']!r} is neither partnership nor membership")
        ends = {}
        for column in ("city", "partner"):
            if row.get(column):
                iri, why = index.resolve(row[column])
                if why:
                    bad(column, why)
                ends[column] = iri
        if row.get("source"):
            src, why = index.resolve(row["source"])
            if why or src not in index.sources:
                bad("source", why or f"{row['source']!r} is not a cg:SourceDocument of data/sources.ttl")
            ends["source"] = src
        described = row.get("described_as") or ("pkind:partner-city" if kind == "partnership" else "role:member")
        described_iri = expand(described) if ":" in described else (
            PREFIXES["pkind" if kind == "partnership" else "role"] + described)
        if described_iri is None:
            bad("described_as", f"{described!r}: write a partnership kind (pkind:…) or a role (role:…)")
        status = (row.get("status") or "active").lower()
        if status not in STATUSES:
            bad("status", f"{row['status']!r}: use active, suspended or ended")
        dates = {}
        for column in ("start", "end"):
            if row.get(column):
                dates[column] = _date(row[column])
                if dates[column] is None:
                    bad(column, f"{row[column]!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
        lang = (row.get("quote_lang") or "").lower()
        if lang and lang not in ("fi", "sv", "en"):
            bad("quote_lang", f"{row['quote_lang']!r}: use fi, sv or en")
        parsed.append((number, {**row, "kind": kind, "status": status, "described_iri": described_iri,
                                "quote_lang": lang, **{f"{k}_iri": v for k, v in ends.items()},
                                **{f"{k}_date": v for k, v in dates.items()}}))
    return errors, parsed


def _relationship_iri(layer: str, row: dict) -> str:
    kind = row["kind"]
    a, b = row["city_iri"], row["partner_iri"]
    slugs = sorted((a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1])) if kind == "partnership" else \
        [a.rsplit("/", 1)[-1], b.rsplit("/", 1)[-1]]
    return f"{PREFIXES[kind]}{layer}-{slugify('-'.join(slugs))}"


def _turtle(layer: str, parsed: list[tuple[int, dict]]) -> tuple[str, list[tuple[int, int, int]]]:
    """The rows as Turtle, one subject block each; ``(first line, last line, row)`` per block."""
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()] + [""]
    spans = []
    for number, row in parsed:
        start = len(lines) + 1
        rel = _relationship_iri(layer, row)
        block = [f"<{rel}>"]
        if row["kind"] == "partnership":
            block += ["    a cg:Partnership ;", f"    cg:party <{row['city_iri']}> , <{row['partner_iri']}> ;"]
        else:
            block += ["    a cg:Membership ;", f"    org:member <{row['city_iri']}> ;",
                      f"    org:organization <{row['partner_iri']}> ;", f"    org:role <{row['described_iri']}> ;"]
        block.append(f"    cg:status status:{row['status']} ;")
        for column, prop in (("start", "cg:startDate"), ("end", "cg:endDate")):
            if row.get(f"{column}_date"):
                value, datatype = row[f"{column}_date"]
                block.append(f"    {prop} {_turtle_string(value)}^^<{datatype}> ;")
        if row.get("status_reason"):
            block.append(f"    cg:statusReason {_turtle_string(row['status_reason'])}@en ;")
        block += ["    cg:attestation", "        [",
                  f"            cg:source <{row['source_iri']}> ;",
                  f"            cg:quote {_turtle_string(row['quote'])}@{row['quote_lang']} ;",
                  f"            cg:describedAs <{row['described_iri']}> ;",
                  f"            cg:sourceRow {number} ;",
                  "        ] ;", "."]
        lines += block + [""]
        spans.append((start, start + len(block) - 1, number))
    return "\n".join(lines) + "\n", spans


def run(settings: Settings, path: Path, layer: str, check: bool = False) -> dict:
    """Validate ``path`` and (unless ``check``) write it as the layer ``csv-LAYER``."""
    from citygraph.validate import validate

    name = layer if layer.startswith(CSV_PREFIX) else CSV_PREFIX + layer
    if slugify(name) != name:
        raise CityGraphError(f"--layer {layer!r}: use lowercase letters, digits and hyphens")
    path = Path(path)
    rel = settings.relative(path)
    header, rows = _rows(path)
    index = _Index.read(settings.data_dir)
    errors, parsed = _check_cells(header, rows, index)
    if errors:
        raise CsvImportError(rel, errors)
    if not parsed:
        raise CsvImportError(rel, [(2, None, "no rows")])
    text, spans = _turtle(name, parsed)

    def row_of(line: int | None) -> int:
        for first, last, number in spans:
            if line is not None and first <= line <= last:
                return number
        return spans[0][2]

    with tempfile.TemporaryDirectory() as tmp:
        ttl = Path(tmp) / f"{name}.ttl"
        ttl.write_text(text, encoding="utf-8")
        files = sorted(settings.data_dir.glob("*.ttl")) + [ttl]
        report = validate(files, settings=settings)
        mine = settings.relative(ttl)
        problems = [(row_of(r.node_line or r.line), PROPERTY_COLUMNS.get(r.property or "", None), r.message)
                    for r in report.results if r.severity == "violation" and r.file == mine]
        others = [r for r in report.results if r.severity == "violation" and r.file != mine]
        if others:
            raise CityGraphError("the curated data itself has violations; `citygraph validate` lists them:\n  "
                                 + "\n  ".join(r.one_line() for r in others[:5]))
        if problems:
            raise CsvImportError(rel, sorted(set(problems), key=lambda p: (p[0], p[1] or "")))
        warnings = [(row_of(r.node_line or r.line), PROPERTY_COLUMNS.get(r.property or "", None), r.message)
                    for r in report.results if r.severity == "warning" and r.file == mine]
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(csv_layer(name).graph))
                 for t in ox.parse(input=text, format=ox.RdfFormat.TURTLE)]
    meta = {"name": name, "counts": {"rows": len(parsed)},
            "warnings": [{"row": r, "column": c, "message": m} for r, c, m in warnings]}
    if check:
        return meta
    writer = LayerWriter(csv_layer(name))
    # the attestations (blank nodes in the Turtle) become IRIs <relationship>#row-N, as in the
    # other layers, so that the build can derive the layer apart (see LayerWriter.attest)
    rows_of = {q.subject: q.object.value for q in quads if q.predicate.value == PREFIXES["cg"] + "sourceRow"}
    owner = {q.object: q.subject for q in quads if q.predicate.value == PREFIXES["cg"] + "attestation"}
    named = {b: writer.node(f"{owner[b].value}#row-{rows_of[b]}") for b in owner}
    for q in quads:
        s = named.get(q.subject, q.subject)
        o = named.get(q.object, q.object)
        writer.quads.add(ox.Quad(s, q.predicate, o, writer.graph))
    writer.a(writer.graph, PREFIXES["dcat"] + "Dataset")
    writer.add(writer.graph, PREFIXES["dcterms"] + "title", writer.text(writer.info.title, "en"))
    writer.add(writer.graph, PREFIXES["dcterms"] + "license", writer.node(writer.info.licence))
    writer.publish(settings, {**meta, "files": [file_record(path, len(parsed), path.name)],
                              "validated_with": "shapes/citygraph.ttl", "curated_graph": CURATED_GRAPH})
    return meta
