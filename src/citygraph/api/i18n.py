"""Language of labels and page text: ``?lang=`` first, then ``Accept-Language``, then English.

Labels that do not exist in the chosen language fall back en → fi → sv (``CityGraph.label``);
the words of the pages themselves (headings, buttons) come from :data:`TEXT`.

>>> choose_lang(None, "sv-FI,sv;q=0.9,en;q=0.5")
'sv'
>>> choose_lang(None, "de-DE,de;q=0.9")
'en'
>>> choose_lang("fi", "sv")
'fi'
"""

from __future__ import annotations

from enum import Enum

LANGS = ("en", "fi", "sv")
DEFAULT_LANG = "en"


class Lang(str, Enum):
    """The languages labels and pages are offered in (OpenAPI enum of ``?lang=``)."""

    en = "en"
    fi = "fi"
    sv = "sv"


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """``"sv-FI,sv;q=0.9,en;q=0.5"`` -> ``[("sv-fi", 1.0), ("sv", 0.9), ("en", 0.5)]``, best first.

    Malformed parts are skipped (a bad header never becomes an error).
    """
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *params = [p.strip() for p in part.split(";")]
        if not tag:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if 0 < q <= 1:
            ranges.append((tag.lower(), q, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(tag, q) for tag, q, _ in ranges]


def choose_lang(query_lang: str | None, accept_language: str | None) -> str:
    """The page language: an explicit ``?lang=`` wins, else the best supported
    ``Accept-Language`` range (``fi-FI`` counts as ``fi``, ``*`` as English), else English."""
    if query_lang in LANGS:
        return query_lang
    for tag, _q in parse_accept_language(accept_language):
        primary = tag.split("-")[0]
        if primary in LANGS:
            return primary
        if primary == "*":
            return DEFAULT_LANG
    return DEFAULT_LANG


#: Words of the pages, by language. Keys are English phrases in snake case.
TEXT: dict[str, dict[str, str]] = {
    "tagline": {
        "en": "An open knowledge graph of cities' international relationships, every fact with its dates, status and the sentence of the official document that states it.",
        "fi": "Avoin tietämysgraafi kaupunkien kansainvälisistä suhteista: jokaisella tiedolla on päivämäärät, tila ja virallisen asiakirjan lause, joka sen toteaa.",
        "sv": "En öppen kunskapsgraf över städers internationella relationer, varje uppgift med datum, status och meningen ur det officiella dokument som anger den.",
    },
    "home": {"en": "Home", "fi": "Etusivu", "sv": "Startsida"},
    "cities": {"en": "Cities", "fi": "Kaupungit", "sv": "Städer"},
    "networks": {"en": "City networks", "fi": "Kaupunkiverkostot", "sv": "Stadsnätverk"},
    "organisations": {"en": "Organisations", "fi": "Organisaatiot", "sv": "Organisationer"},
    "sources": {"en": "Source documents", "fi": "Lähdeasiakirjat", "sv": "Källdokument"},
    "source": {"en": "Source", "fi": "Lähde", "sv": "Källa"},
    "queries": {"en": "Named queries", "fi": "Valmiit kyselyt", "sv": "Färdiga frågor"},
    "editor": {"en": "SPARQL editor", "fi": "SPARQL-editori", "sv": "SPARQL-redigerare"},
    "api_docs": {"en": "JSON API", "fi": "JSON-rajapinta", "sv": "JSON-API"},
    "vocabulary": {"en": "Vocabulary", "fi": "Sanasto", "sv": "Vokabulär"},
    "network_map": {"en": "Network map", "fi": "Verkostokartta", "sv": "Nätverkskarta"},
    "geo_map": {"en": "World map", "fi": "Maailmankartta", "sv": "Världskarta"},
    "timeline": {"en": "Timeline", "fi": "Aikajana", "sv": "Tidslinje"},
    "type": {"en": "Type", "fi": "Tyyppi", "sv": "Typ"},
    "names": {"en": "Names", "fi": "Nimet", "sv": "Namn"},
    "identifiers": {"en": "Identifiers", "fi": "Tunnisteet", "sv": "Identifierare"},
    "country": {"en": "Country", "fi": "Maa", "sv": "Land"},
    "coordinates": {"en": "Coordinates", "fi": "Koordinaatit", "sv": "Koordinater"},
    "relationships": {"en": "Relationships", "fi": "Suhteet", "sv": "Relationer"},
    "with": {"en": "With", "fi": "Osapuolet", "sv": "Med"},
    "dates": {"en": "Dates", "fi": "Päivämäärät", "sv": "Datum"},
    "status": {"en": "Status", "fi": "Tila", "sv": "Status"},
    "reason": {"en": "Reason", "fi": "Syy", "sv": "Orsak"},
    "active_period": {"en": "Active", "fi": "Voimassa", "sv": "Aktiv"},
    "active_from": {"en": "from", "fi": "alkaen", "sv": "från"},
    "active_until": {"en": "until (exclusive)", "fi": "asti (ei mukaan lukien)", "sv": "till (exklusive)"},
    "still_active": {"en": "no end shown by the sources", "fi": "lähteet eivät osoita päättymistä", "sv": "källorna visar inget slut"},
    "last_attested": {"en": "last attested", "fi": "viimeksi mainittu", "sv": "senast belagd"},
    "evidence": {"en": "Evidence", "fi": "Todisteet", "sv": "Belägg"},
    "described_as": {"en": "described as", "fi": "kuvattu", "sv": "beskrivs som"},
    "about_time": {"en": "about", "fi": "koskee aikaa", "sv": "gäller tiden"},
    "roles": {"en": "Roles", "fi": "Roolit", "sv": "Roller"},
    "kinds": {"en": "Described as", "fi": "Kuvattu", "sv": "Beskrivs som"},
    "topic": {"en": "Topic", "fi": "Aihe", "sv": "Ämne"},
    "focus_areas": {"en": "Focus areas", "fi": "Painopistealueet", "sv": "Fokusområden"},
    "policies": {"en": "Policies", "fi": "Linjaukset", "sv": "Riktlinjer"},
    "defined_in": {"en": "Defined in", "fi": "Määritelty", "sv": "Definierad i"},
    "licence": {"en": "Licence", "fi": "Lisenssi", "sv": "Licens"},
    "licence_text": {
        "en": "Curated data: CC BY 4.0. Quotes are short citations from public documents of the City of Helsinki, each with its source.",
        "fi": "Kuratoitu aineisto: CC BY 4.0. Lainaukset ovat lyhyitä sitaatteja Helsingin kaupungin julkisista asiakirjoista, kukin lähteineen.",
        "sv": "Kurerade data: CC BY 4.0. Citaten är korta citat ur Helsingfors stads offentliga dokument, vart och ett med sin källa.",
    },
    "data_from": {"en": "The data come from these documents", "fi": "Tiedot ovat peräisin näistä asiakirjoista", "sv": "Uppgifterna kommer från dessa dokument"},
    "other_formats": {"en": "This page as data", "fi": "Tämä sivu datana", "sv": "Den här sidan som data"},
    "not_found": {"en": "Not found", "fi": "Ei löytynyt", "sv": "Hittades inte"},
    "did_you_mean": {"en": "Did you mean", "fi": "Tarkoititko", "sv": "Menade du"},
    "published": {"en": "Published", "fi": "Julkaistu", "sv": "Publicerad"},
    "issued": {"en": "Date", "fi": "Päiväys", "sv": "Datum"},
    "publisher": {"en": "Publisher", "fi": "Julkaisija", "sv": "Utgivare"},
    "language": {"en": "Language", "fi": "Kieli", "sv": "Språk"},
    "description": {"en": "Description", "fi": "Kuvaus", "sv": "Beskrivning"},
    "note": {"en": "Note", "fi": "Huomautus", "sv": "Anmärkning"},
    "identifier": {"en": "Case number", "fi": "Diaarinumero", "sv": "Diarienummer"},
    "seed_file": {"en": "Text in the seed collection", "fi": "Teksti lähdekokoelmassa", "sv": "Text i källsamlingen"},
    "attests": {"en": "What this document attests", "fi": "Mitä asiakirja todistaa", "sv": "Vad dokumentet belägger"},
    "about": {"en": "About", "fi": "Koskee", "sv": "Gäller"},
    "quote": {"en": "Quote", "fi": "Lainaus", "sv": "Citat"},
    "run": {"en": "Run", "fi": "Suorita", "sv": "Kör"},
    "open_in_editor": {"en": "Open in the SPARQL editor", "fi": "Avaa SPARQL-editorissa", "sv": "Öppna i SPARQL-redigeraren"},
    "parameters": {"en": "Parameters", "fi": "Parametrit", "sv": "Parametrar"},
    "results": {"en": "Results", "fi": "Tulokset", "sv": "Resultat"},
    "rows": {"en": "rows", "fi": "riviä", "sv": "rader"},
    "examples": {"en": "Example queries", "fi": "Esimerkkikyselyt", "sv": "Exempelfrågor"},
    "what_is_this": {"en": "What this is", "fi": "Mikä tämä on", "sv": "Vad det här är"},
    "for_machines": {"en": "For machines", "fi": "Koneille", "sv": "För maskiner"},
    "members": {"en": "members", "fi": "jäsentä", "sv": "medlemmar"},
    "none": {"en": "none", "fi": "ei yhtään", "sv": "inga"},
    "classes": {"en": "Classes", "fi": "Luokat", "sv": "Klasser"},
    "properties": {"en": "Properties", "fi": "Ominaisuudet", "sv": "Egenskaper"},
    "concepts": {"en": "Concept schemes", "fi": "Käsitejärjestelmät", "sv": "Begreppssystem"},
    "undated": {"en": "undated", "fi": "päiväämätön", "sv": "odaterad"},
    "all_facts": {"en": "All statements", "fi": "Kaikki väitteet", "sv": "Alla påståenden"},
}


def text(key: str, lang: str) -> str:
    """The page word ``key`` in ``lang`` (English when missing; the key itself when unknown)."""
    words = TEXT.get(key)
    if words is None:
        return key
    return words.get(lang) or words[DEFAULT_LANG]


__all__ = ["DEFAULT_LANG", "LANGS", "Lang", "TEXT", "choose_lang", "parse_accept_language", "text"]
