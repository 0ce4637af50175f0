"""Response models of the JSON API: the OpenAPI schema and what every response is checked against.

They mirror the plain data of :mod:`citygraph.api.lookups` and ``CityGraph.describe``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Ref(BaseModel):
    """Another thing of the graph: its IRI, prefixed name and label in the chosen language."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "iri": "https://w3id.org/citygraph/id/city/tallinn", "name": "city:tallinn",
        "label": "Tallinn"}]})

    iri: str
    name: str | None = None
    label: str | None = None


class EntityRef(Ref):
    path: str | None = Field(None, description="`kind/slug`: the page is `/id/{path}`, "
                                                "the JSON `/api/entities/{path}`.")


class Text(BaseModel):
    text: str
    lang: str | None = None


class DateValue(BaseModel):
    """A date as the source gives it: ``2022-02`` with datatype ``xsd:gYearMonth`` is a month."""

    value: str
    datatype: str
    precision: str | None = Field(None, description="precision:day, precision:month or precision:year")


class Coordinates(BaseModel):
    lat: float
    long: float


class EntitySummary(EntityRef):
    labels: dict[str, str] = Field(default_factory=dict, description="Preferred label by language.")
    types: list[str] = Field(default_factory=list)
    country: Ref | None = None
    wikidata: str | None = None
    geonames: str | None = None
    coordinates: Coordinates | None = None


class Paged(BaseModel):
    total: int = Field(description="How many items match, on all pages.")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page; null on the last one.")


class EntityList(Paged):
    items: list[EntitySummary]


class Party(Ref):
    as_: str = Field(alias="as", description="The party's part: party, member, organization, "
                                             "host, hosted, operator, office, owner, owned.")
    self_: bool = Field(alias="self", description="Whether this party is the entity asked about.")

    model_config = ConfigDict(populate_by_name=True)


class SourceRef(Ref):
    title: str | None = None
    date: str | None = Field(None, description="Issued date, or the bounds of an undated document.")


class Attestation(BaseModel):
    """One piece of evidence: a source document and the verbatim sentence it says it with."""

    quote: str | None = None
    quote_lang: str | None = None
    source: SourceRef | None = None
    described_as: list[Ref] = Field(default_factory=list)
    focus_areas: list[Ref] = Field(default_factory=list)
    refers_to: str | None = Field(None, description="The time the sentence is about, if stated.")
    attested_on: str | None = Field(None, description="The date this attestation counts from.")


class Relationship(BaseModel):
    """A relationship node: parties, dates with precision, status, active period and evidence."""

    iri: str
    name: str | None = None
    label: str | None = None
    path: str | None = None
    kind: Ref | None = None
    types: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    others: list[Party] = Field(default_factory=list)
    roles: list[Ref] = Field(default_factory=list)
    partnership_kinds: list[Ref] = Field(default_factory=list)
    topic: Text | None = None
    dates: dict[str, DateValue] = Field(default_factory=dict)
    status: Ref | None = None
    status_reason: Text | None = None
    active_from: str | None = Field(None, description="cg:activeFrom: active on D iff active_from <= D")
    active_until: str | None = Field(None, description="cg:activeUntil (exclusive): ... and D < active_until")
    last_attested: str | None = None
    focus_areas: list[Ref] = Field(default_factory=list)
    attestations: list[Attestation] = Field(default_factory=list)


class RelationshipList(Paged):
    items: list[Relationship]


class Policy(Ref):
    concerns: list[Ref] = Field(default_factory=list)
    text: Text | None = None
    attestations: list[Attestation] = Field(default_factory=list)


class Identifiers(BaseModel):
    wikidata: str | None = None
    geonames: str | None = None
    coordinates: Coordinates | None = None
    country: Ref | None = None
    same_as: list[str] | None = None


class Location(BaseModel):
    file: str
    line: int


class Entity(BaseModel):
    """Everything known about one thing (``citygraph describe``): its relationships grouped by
    kind (keys are kind labels in the chosen language), policies, evidence and sources."""

    iri: str
    name: str
    label: str
    path: str | None = None
    labels: dict[str, list[str]] = Field(default_factory=dict)
    types: list[Ref] = Field(default_factory=list)
    identifiers: Identifiers = Field(default_factory=Identifiers)
    defined_in: Location | None = None
    relationships: dict[str, list[Relationship]] = Field(default_factory=dict)
    policies: list[Policy] = Field(default_factory=list)
    attestations: list[Attestation] = Field(default_factory=list)
    relationship: Relationship | None = Field(
        None, description="When the entity is itself a relationship node: its parties, dates and status.")
    sources: list[SourceRef] = Field(default_factory=list, description="Every source document cited above.")


class Resolved(EntityRef):
    types: list[str] = Field(default_factory=list)


class SourceSummary(EntityRef):
    title: str | None = None
    title_lang: str | None = None
    issued: DateValue | None = None
    issued_not_before: str | None = None
    issued_not_after: str | None = None
    language: str | None = Field(None, description="EU language authority code, e.g. fin, swe, eng.")
    publisher: Ref | None = None
    description: Text | None = None
    origin: Text | None = Field(None, description="Where the document was published.")
    note: Text | None = None
    identifier: str | None = None
    seed_file: str | None = None
    attestations: int = 0
    subjects: int = 0


class SourceAttestation(BaseModel):
    subject: EntityRef
    quote: str | None = None
    quote_lang: str | None = None
    described_as: list[Ref] = Field(default_factory=list)
    refers_to: str | None = None
    attested_on: str | None = None


class SourceDetail(SourceSummary):
    attests: list[SourceAttestation] = Field(default_factory=list)


class SourceList(BaseModel):
    total: int
    items: list[SourceSummary]


class QueryParam(BaseModel):
    name: str
    type: str = Field(description="xsd:date, xsd:integer, xsd:string or iri")
    default: str | None = None


class NamedQueryInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[QueryParam]
    sparql: str
    run: str = Field(description="URL that runs it with its default parameters.")


class NamedQueryList(BaseModel):
    total: int
    items: list[NamedQueryInfo]


class QueryRows(BaseModel):
    """A named query's answer as rows of plain values (IRIs and literal values as strings)."""

    query: str
    params: dict[str, str]
    variables: list[str]
    rows: list[dict[str, str | None]]
    truncated: bool = False


class Layer(BaseModel):
    name: str
    iri: str


class ApiIndex(BaseModel):
    title: str
    licence: str
    links: dict[str, str]
    layers: list[Layer]
    relationship_kinds: list[str]
    statuses: list[str]
    organisation_types: list[str]


class ValidationReport(BaseModel):
    """``citygraph validate --format json`` (format citygraph-validation, version 1)."""

    model_config = ConfigDict(extra="allow")

    format: str
    version: int
    conforms: bool
    counts: dict[str, int]
    min_severity: str
    entities: list[dict[str, Any]]


class Problem(BaseModel):
    detail: str


__all__ = [
    "ApiIndex", "Attestation", "DateValue", "Entity", "EntityList", "EntityRef", "EntitySummary",
    "Layer", "NamedQueryInfo", "NamedQueryList", "Party", "Problem", "QueryParam", "QueryRows",
    "Ref", "Relationship", "RelationshipList", "Resolved", "SourceDetail", "SourceList",
    "SourceSummary", "ValidationReport",
]
