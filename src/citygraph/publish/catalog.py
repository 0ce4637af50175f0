"""The DCAT-AP 3 catalogue: one dataset per layer plus the combined graph, their
distributions, and the SPARQL endpoint as a data service.

Controlled values use the EU Publications Office authority tables (language, licence, file
type, frequency, data theme, country, access right) and IANA media types, as DCAT-AP's shapes
require; each such value is described in the catalogue itself (type, ``skos:inScheme``,
label), so a validator or harvester needs nothing from the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from citygraph.publish.dumps import COMBINED_NAME, Dump
from citygraph.publish.files import EU_FILE_TYPE, FORMATS, GZIP_MEDIA_TYPE, IANA, WrittenFile
from citygraph.publish.layers import LANGS, Layer
from citygraph.publish.licences import COMBINED, LICENCE_TYPE, Licence
from citygraph.publish.options import PublishOptions

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
ADMS = rdflib.Namespace("http://www.w3.org/ns/adms#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
DCATAP = rdflib.Namespace("http://data.europa.eu/r5r/")
AUTH = "http://publications.europa.eu/resource/authority/"

LANGUAGE = {"fi": ("FIN", "Finnish", "suomi", "finska"),
            "sv": ("SWE", "Swedish", "ruotsi", "svenska"),
            "en": ("ENG", "English", "englanti", "engelska")}
THEMES = {"GOVE": ("Government and public sector", "Valtioneuvosto ja julkinen sektori",
                   "Regeringen och den offentliga sektorn"),
          "REGI": ("Regions and cities", "Alueet ja kaupungit", "Regioner och städer")}
SPATIAL_FINLAND = AUTH + "country/FIN"
HELSINKI_GEONAMES = "https://sws.geonames.org/658225/"
#: DCAT-AP 3.0.1's controlled-vocabulary shapes require the algorithm IRI to start with
#: https://spdx.org/rdf/terms; the catalogue states it is the same as SPDX's http IRI
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
LICENCE_TYPES = {"Attribution": "Attribution", "ShareAlike": "Share alike",
                 "PublicDomain": "Public domain", "NonCommercialUseOnly": "Non-commercial use only"}


@dataclass(frozen=True)
class ReleaseInfo:
    """What the catalogue says about this release."""

    version: str
    modified: date
    issued: date                     # first release of the publication
    notes: str                       # human summary of what changed


def _texts(g: rdflib.Graph, s: URIRef | BNode, p: URIRef, texts: Mapping[str, str]) -> None:
    for lang in LANGS:
        if texts.get(lang):
            g.add((s, p, Literal(texts[lang], lang=lang)))


def _concept(g: rdflib.Graph, iri: str, scheme: str, labels: Mapping[str, str], *types: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, SKOS.Concept))
    for t in types:
        g.add((node, RDF.type, t))
    g.add((node, SKOS.inScheme, URIRef(scheme)))
    _texts(g, node, SKOS.prefLabel, labels)
    return node


def _scheme(g: rdflib.Graph, iri: str, title: str) -> None:
    g.add((URIRef(iri), RDF.type, SKOS.ConceptScheme))
    g.add((URIRef(iri), DCTERMS.title, Literal(title, lang="en")))


class CatalogBuilder:
    """Builds the catalogue graph; see :func:`build_catalog`."""

    def __init__(self, options: PublishOptions, release: ReleaseInfo, centroid: str = "") -> None:
        self.centroid = centroid
        self.o = options
        self.r = release
        self.g = rdflib.Graph(bind_namespaces="none")
        for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("rdfs", RDFS),
                           ("skos", SKOS), ("xsd", XSD), ("adms", ADMS), ("spdx", SPDX),
                           ("vcard", VCARD), ("dcatap", DCATAP)):
            self.g.bind(prefix, ns)
        self.catalog = URIRef(options.base_url + "catalog")
        self.service = URIRef(options.base_url + "catalog#sparql")
        self._schemes()
        self.publisher = self._publisher()
        self.contact = self._contact()

    # -------------------------------------------------------------- controlled values
    def _schemes(self) -> None:
        g = self.g
        for path, title in (("language", "Language"), ("licence", "Licence"),
                            ("file-type", "File type"), ("frequency", "Frequency"),
                            ("data-theme", "Data theme"), ("country", "Country"),
                            ("access-right", "Access right"),
                            ("planned-availability", "Planned availability")):
            _scheme(g, AUTH + path, title)
        _scheme(g, "http://purl.org/adms/publishertype/1.0", "Publisher type")
        _scheme(g, "http://purl.org/adms/licencetype/1.0", "Licence type")
        sha256 = URIRef(SHA256)
        g.add((sha256, RDF.type, SPDX.ChecksumAlgorithm))
        g.add((sha256, RDFS.label, Literal("SHA-256", lang="en")))
        g.add((sha256, OWL.sameAs, SPDX.checksumAlgorithm_sha256))

    def language(self, lang: str) -> URIRef:
        code, en, fi, sv = LANGUAGE[lang]
        return _concept(self.g, AUTH + "language/" + code, AUTH + "language",
                        {"en": en, "fi": fi, "sv": sv}, DCTERMS.LinguisticSystem)

    def licence(self, lic: Licence) -> URIRef:
        node = URIRef(lic.iri)
        g = self.g
        g.add((node, RDF.type, DCTERMS.LicenseDocument))
        g.add((node, RDFS.label, Literal(lic.title, lang="en")))
        if lic.url != lic.iri:
            g.add((node, RDFS.seeAlso, URIRef(lic.url)))
        for t in lic.types:
            concept = _concept(g, LICENCE_TYPE + t, "http://purl.org/adms/licencetype/1.0",
                               {"en": LICENCE_TYPES.get(t, t)})
            g.add((node, DCTERMS.type, concept))
        return node

    def file_type(self, key: str) -> URIRef:
        fmt = FORMATS[key]
        return _concept(self.g, EU_FILE_TYPE + fmt.file_type, AUTH + "file-type",
                        {"en": fmt.title.split(" (")[0]}, DCTERMS.MediaTypeOrExtent)

    def media_type(self, media_type: str) -> URIRef:
        node = URIRef(IANA + media_type)
        self.g.add((node, RDF.type, DCTERMS.MediaType))
        return node

    def document(self, url: str) -> URIRef:
        node = URIRef(url)
        self.g.add((node, RDF.type, FOAF.Document))
        return node

    def _publisher(self) -> URIRef:
        g, o = self.g, self.o
        node = URIRef(o.publisher_iri)
        g.add((node, RDF.type, FOAF.Agent))
        g.add((node, RDF.type, FOAF.Organization))
        _texts(g, node, FOAF.name, o.publisher_name)
        kind = _concept(g, "http://purl.org/adms/publishertype/LocalAuthority",
                        "http://purl.org/adms/publishertype/1.0", {"en": "Local Authority"})
        g.add((node, DCTERMS.type, kind))
        return node

    def _contact(self) -> BNode:
        """An organisation with a generic channel: no person's name, e-mail or phone."""
        g, o = self.g, self.o
        node = URIRef(o.base_url + "catalog#contact")
        g.add((node, RDF.type, VCARD.Kind))
        g.add((node, RDF.type, VCARD.Organization))
        g.add((node, VCARD.fn, Literal(o.contact_name)))
        g.add((node, VCARD.hasURL, URIRef(o.contact_url)))
        return node

    def _common(self, node: URIRef, keywords: Mapping[str, Sequence[str]]) -> None:
        g = self.g
        g.add((node, DCTERMS.publisher, self.publisher))
        g.add((node, DCAT.contactPoint, self.contact))
        for code in THEMES:
            en, fi, sv = THEMES[code]
            g.add((node, DCAT.theme, _concept(g, AUTH + "data-theme/" + code, AUTH + "data-theme",
                                              {"en": en, "fi": fi, "sv": sv})))
        for lang, words in keywords.items():
            for word in words:
                g.add((node, DCAT.keyword, Literal(word, lang=lang)))
        public = _concept(g, AUTH + "access-right/PUBLIC", AUTH + "access-right",
                          {"en": "public", "fi": "julkinen", "sv": "offentlig"}, DCTERMS.RightsStatement)
        g.add((node, DCTERMS.accessRights, public))

    # -------------------------------------------------------------- the parts
    def dataset(self, name: str, title: Mapping[str, str], description: Mapping[str, str],
                keywords: Mapping[str, Sequence[str]], origin: str,
                temporal: tuple[date, date] | None, landing: str) -> URIRef:
        g, o, r = self.g, self.o, self.r
        if not any(keywords.values()):
            keywords = {"en": ("international relations", name), "fi": ("kansainväliset suhteet",),
                        "sv": ("internationella relationer",)}
        node = URIRef(o.base_url + f"dataset/{name}")
        g.add((self.catalog, DCAT.dataset, node))
        g.add((node, RDF.type, DCAT.Dataset))
        _texts(g, node, DCTERMS.title, title)
        _texts(g, node, DCTERMS.description, description)
        g.add((node, DCTERMS.identifier, Literal(str(node))))
        self._common(node, keywords)
        g.add((node, DCTERMS.issued, Literal(r.issued.isoformat(), datatype=XSD.date)))
        g.add((node, DCTERMS.modified, Literal(r.modified.isoformat(), datatype=XSD.date)))
        g.add((node, DCAT.version, Literal(r.version)))
        if r.notes:
            g.add((node, ADMS.versionNotes, Literal(r.notes, lang="en")))
        for lang in LANGS:
            g.add((node, DCTERMS.language, self.language(lang)))
        g.add((node, DCTERMS.accrualPeriodicity,
               _concept(g, AUTH + "frequency/IRREG", AUTH + "frequency",
                        {"en": "irregular", "fi": "epäsäännöllinen", "sv": "oregelbunden"},
                        DCTERMS.Frequency)))
        finland = _concept(g, SPATIAL_FINLAND, AUTH + "country",
                           {"en": "Finland", "fi": "Suomi", "sv": "Finland"}, DCTERMS.Location)
        g.add((node, DCTERMS.spatial, finland))
        helsinki = URIRef(HELSINKI_GEONAMES)
        g.add((helsinki, RDF.type, DCTERMS.Location))
        g.add((helsinki, RDFS.label, Literal("Helsinki", lang="en")))
        if self.centroid:
            g.add((helsinki, DCAT.centroid, Literal(self.centroid, datatype=WKT)))
        g.add((node, DCTERMS.spatial, helsinki))
        if temporal:
            period = URIRef(str(node) + "#temporal")
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            g.add((period, DCAT.startDate, Literal(temporal[0].isoformat(), datatype=XSD.date)))
            g.add((period, DCAT.endDate, Literal(temporal[1].isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.temporal, period))
        if origin:
            prov = URIRef(str(node) + "#provenance")
            g.add((prov, RDF.type, DCTERMS.ProvenanceStatement))
            g.add((prov, RDFS.label, Literal(origin, lang="en")))
            g.add((node, DCTERMS.provenance, prov))
        g.add((node, DCAT.landingPage, self.document(landing)))
        g.add((self.service, DCAT.servesDataset, node))
        return node

    def distribution(self, dataset: URIRef, file: WrittenFile, licence: Licence, title: str,
                     description: str = "", access_url: str | None = None) -> URIRef:
        g, o = self.g, self.o
        node = URIRef(f"{dataset}/distribution/{file.path.rsplit('/', 1)[-1]}")
        g.add((dataset, DCAT.distribution, node))
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(title, lang="en")))
        if description:
            g.add((node, DCTERMS.description, Literal(description, lang="en")))
        url = o.base_url + file.path
        g.add((node, DCAT.accessURL, URIRef(access_url or url)))
        g.add((node, DCAT.downloadURL, URIRef(url)))
        g.add((node, DCAT.mediaType, self.media_type(FORMATS[file.format].media_type)))
        g.add((node, DCTERMS.format, self.file_type(file.format)))
        if file.gzip:
            g.add((node, DCAT.compressFormat, self.media_type(GZIP_MEDIA_TYPE)))
        g.add((node, DCAT.byteSize, Literal(str(file.size), datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(str(node) + "#sha256")
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, URIRef(SHA256)))
        g.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))
        g.add((node, DCTERMS.license, self.licence(licence)))
        g.add((node, DCTERMS.issued, Literal(self.r.modified.isoformat(), datatype=XSD.date)))
        g.add((node, DCTERMS.modified, Literal(self.r.modified.isoformat(), datatype=XSD.date)))
        stable = _concept(g, AUTH + "planned-availability/STABLE", AUTH + "planned-availability",
                          {"en": "stable"})
        g.add((node, DCATAP.availability, stable))
        return node

    def catalog_node(self, homepage: str) -> None:
        g, o, r = self.g, self.o, self.r
        c = self.catalog
        g.add((c, RDF.type, DCAT.Catalog))
        _texts(g, c, DCTERMS.title, {"fi": "citygraph: kaupunkien kansainväliset suhteet",
                                      "sv": "citygraph: städers internationella relationer",
                                      "en": "citygraph: cities' international relationships"})
        _texts(g, c, DCTERMS.description, {
            "fi": "Avoin tietoverkko Helsingin kaupungin kansainvälisistä suhteista "
                  "(kumppanuuskaupungit, verkostot, organisaatiot, sopimukset) lähteineen ja "
                  "lainauksineen, sekä sen ulkoiset kerrokset omine lisensseineen.",
            "sv": "Öppen kunskapsgraf över Helsingfors stads internationella relationer "
                  "(partnerstäder, nätverk, organisationer, avtal) med källor och citat, och dess "
                  "externa lager med egna licenser.",
            "en": "Open knowledge graph of the City of Helsinki's international relationships "
                  "(partner cities, networks, organisations, agreements) with sources and quotes, "
                  "and its external layers, each under its own licence."})
        g.add((c, DCTERMS.publisher, self.publisher))
        g.add((c, FOAF.homepage, self.document(homepage)))
        g.add((c, DCTERMS.license, self.licence(COMBINED)))
        g.add((c, DCTERMS.issued, Literal(r.issued.isoformat(), datatype=XSD.date)))
        g.add((c, DCTERMS.modified, Literal(r.modified.isoformat(), datatype=XSD.date)))
        for lang in LANGS:
            g.add((c, DCTERMS.language, self.language(lang)))
        g.add((c, DCAT.themeTaxonomy, URIRef(AUTH + "data-theme")))
        g.add((c, DCTERMS.spatial, URIRef(SPATIAL_FINLAND)))
        g.add((c, DCAT.service, self.service))

    def data_service(self, homepage: str) -> None:
        g, o = self.g, self.o
        s = self.service
        g.add((s, RDF.type, DCAT.DataService))
        _texts(g, s, DCTERMS.title, {"fi": "citygraph SPARQL -rajapinta",
                                      "sv": "citygraph SPARQL-gränssnitt",
                                      "en": "citygraph SPARQL endpoint"})
        _texts(g, s, DCTERMS.description, {
            "fi": "SPARQL 1.1 -kyselyrajapinta koko avoimeen graafiin; kukin kerros on oma "
                  "nimetty graafinsa.",
            "sv": "SPARQL 1.1-frågegränssnitt mot hela den öppna grafen; varje lager är en egen "
                  "namngiven graf.",
            "en": "SPARQL 1.1 query endpoint over the whole open graph; each layer is its own "
                  "named graph."})
        endpoint = URIRef(o.sparql_url)
        g.add((endpoint, RDF.type, RDFS.Resource))
        g.add((s, DCAT.endpointURL, endpoint))
        g.add((s, DCAT.endpointDescription, endpoint))
        standard = URIRef("https://www.w3.org/TR/sparql11-protocol/")
        g.add((standard, RDF.type, DCTERMS.Standard))
        g.add((standard, RDFS.label, Literal("SPARQL 1.1 Protocol", lang="en")))
        g.add((s, DCTERMS.conformsTo, standard))
        g.add((s, DCTERMS.license, self.licence(COMBINED)))
        g.add((s, DCAT.landingPage, self.document(homepage)))
        self._common(s, {"en": ("SPARQL", "linked data")})


def temporal_text(period: tuple[date, date] | None) -> str:
    return f"{period[0].isoformat()} – {period[1].isoformat()}" if period else ""


def build_catalog(options: PublishOptions, release: ReleaseInfo, layers: Sequence[Layer],
                  combined: Sequence[Layer], dumps: Sequence[Dump], tables: Sequence[WrittenFile],
                  site_file: WrittenFile | None, temporal: Mapping[str, tuple[date, date] | None],
                  centroid: str = "", table_titles: Mapping[str, str] | None = None) -> rdflib.Graph:
    """The catalogue graph (serialise it as Turtle and JSON-LD).

    ``centroid`` is Helsinki's point as WKT (from the graph's own coordinates)."""
    b = CatalogBuilder(options, release, centroid)
    table_titles = table_titles or {}
    home = options.base_url + "index.html"
    b.catalog_node(home)
    b.data_service(home)
    by_name = {d.name: d for d in dumps}
    combined_names = ", ".join(layer.name for layer in combined)
    whole = b.dataset(
        COMBINED_NAME,
        {"fi": "citygraph: avoin graafi (kaikki CC BY 4.0 -yhteensopivat kerrokset)",
         "sv": "citygraph: den öppna grafen (alla lager förenliga med CC BY 4.0)",
         "en": "citygraph: the open graph (every layer compatible with CC BY 4.0)"},
        {"fi": "Helsingin kaupungin kansainväliset suhteet yhtenä aineistona: kerrokset "
               f"{combined_names}. Jokainen suhde päivämäärineen, tiloineen, lähteineen ja "
               "sanatarkkoine lainauksineen; RDF-tiedostoina, CSV-taulukoina ja staattisena "
               "linkitetyn datan sivustona. Lisenssi CC BY 4.0.",
         "sv": "Helsingfors stads internationella relationer som ett enda dataset: lagren "
               f"{combined_names}. Varje relation med datum, status, källor och ordagranna "
               "citat; som RDF-filer, CSV-tabeller och en statisk webbplats med länkade data. "
               "Licens CC BY 4.0.",
         "en": "The City of Helsinki's international relationships as one dataset: the layers "
               f"{combined_names}. Every relationship with its dates, status, sources and "
               "verbatim quotes; as RDF dumps, CSV tables and a static linked-data site. "
               "Licence CC BY 4.0."},
        {lang: tuple(sorted({w for layer in combined for w in layer.keywords.get(lang, ())}))
         for lang in LANGS},
        "; ".join(f"{layer.name}: {layer.origin}" for layer in combined),
        _span([temporal.get(layer.name) for layer in combined]), home)
    for layer in layers:
        node = b.dataset(layer.name, layer.title, layer.description, layer.keywords, layer.origin,
                         temporal.get(layer.name), home)
        rights = URIRef(str(node) + "#licence-note")
        if layer in combined:
            b.g.add((whole, DCTERMS.hasPart, node))
            b.g.add((node, DCTERMS.isPartOf, whole))
        for f in by_name[layer.name].files:
            b.distribution(node, f, layer.licence, _dist_title(layer.name, f),
                           f"Layer {layer.name} only, under {layer.licence.title}.")
        if not layer.licence.combinable:
            b.g.add((rights, RDF.type, DCTERMS.RightsStatement))
            b.g.add((rights, RDFS.label, Literal(
                f"{layer.licence.title}: {layer.licence.note or 'not combined with other layers'}. "
                "This layer is never part of the CC BY 4.0 combined dataset.", lang="en")))
            b.g.add((node, DCTERMS.rights, rights))
    for f in by_name[COMBINED_NAME].files:
        b.distribution(whole, f, COMBINED, _dist_title(COMBINED_NAME, f),
                       "The combined open graph: " + combined_names + ".")
    for f in tables:
        name = f.path.rsplit("/", 1)[-1]
        if f.format == "csv":
            b.distribution(whole, f, COMBINED, f"Table {name}",
                           table_titles.get(name[:-4], "") + " (CSV; columns described in csv-metadata.json).")
        else:
            b.distribution(whole, f, COMBINED, "CSVW metadata: the data dictionary of the tables",
                           "W3C CSV on the Web metadata: every table's columns, datatypes and meaning.")
    if site_file is not None:
        b.distribution(whole, site_file, COMBINED, "Linked-data site (HTML)",
                       "A static site with a page per entity, index pages and search.",
                       access_url=home)
    return b.g


def _span(periods: Sequence[tuple[date, date] | None]) -> tuple[date, date] | None:
    known = [p for p in periods if p]
    if not known:
        return None
    return (min(p[0] for p in known), max(p[1] for p in known))


def _dist_title(name: str, f: WrittenFile) -> str:
    what = "the combined open graph" if name == COMBINED_NAME else f"layer {name}"
    return f"{FORMATS[f.format].title} dump of {what}" + (" (gzip)" if f.gzip else "")


__all__ = ["CatalogBuilder", "ReleaseInfo", "build_catalog", "temporal_text"]
