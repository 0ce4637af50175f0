"""The words of the map pages and pictures, in English, Finnish and Swedish.

Names of things (cities, networks, kinds, statuses, focus areas) come from the graph in the
chosen language; these are the pages' own words (buttons, headings, legends).

>>> text("fi")["date"]
'Päivä'
"""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # page titles
    "network_title": {"en": "Network map", "fi": "Verkostokartta", "sv": "Nätverkskarta"},
    "geo_title": {"en": "Geographic map", "fi": "Maantieteellinen kartta", "sv": "Geografisk karta"},
    "timeline_title": {"en": "Timeline of relationships", "fi": "Suhteiden aikajana", "sv": "Relationernas tidslinje"},
    "overlap_title": {"en": "Overlap of city networks", "fi": "Kaupunkiverkostojen päällekkäisyys", "sv": "Stadsnätverkens överlappning"},
    "ego_title": {"en": "Ego network of {city}", "fi": "{city}: lähiverkosto", "sv": "Egonätverk för {city}"},
    "network_tab": {"en": "Network", "fi": "Verkosto", "sv": "Nätverk"},
    "overlap_tab": {"en": "Network overlap", "fi": "Verkostojen päällekkäisyys", "sv": "Nätverkens överlappning"},
    # time
    "date": {"en": "Date", "fi": "Päivä", "sv": "Datum"},
    "as_of": {"en": "as of", "fi": "tilanne", "sv": "per"},
    "today": {"en": "Today", "fi": "Tänään", "sv": "I dag"},
    "before_2022": {"en": "Before Feb 2022", "fi": "Ennen helmikuuta 2022", "sv": "Före februari 2022"},
    "after_2022": {"en": "After Feb 2022", "fi": "Helmikuun 2022 jälkeen", "sv": "Efter februari 2022"},
    "compare_with": {"en": "Show changes from", "fi": "Näytä muutokset alkaen", "sv": "Visa ändringar från"},
    "added_between": {"en": "added between {a} and {b}", "fi": "lisätty {a} – {b}", "sv": "tillkommen mellan {a} och {b}"},
    "ended_between": {"en": "ended between {a} and {b}", "fi": "päättynyt {a} – {b}", "sv": "upphört mellan {a} och {b}"},
    "unchanged": {"en": "active on both dates", "fi": "voimassa molempina päivinä", "sv": "aktiv båda datumen"},
    # filters
    "search": {"en": "Find", "fi": "Hae", "sv": "Sök"},
    "search_hint": {"en": "a city, network, organisation…", "fi": "kaupunki, verkosto, organisaatio…", "sv": "en stad, ett nätverk, en organisation…"},
    "ego_network": {"en": "Ego network of", "fi": "Lähiverkosto:", "sv": "Egonätverk för"},
    "ego_view": {"en": "Show ego network", "fi": "Näytä lähiverkosto", "sv": "Visa egonätverk"},
    "whole_graph": {"en": "Show whole graph", "fi": "Näytä koko verkko", "sv": "Visa hela grafen"},
    "ego_of": {"en": "ego network of", "fi": "lähiverkosto:", "sv": "egonätverk för"},
    "size_by": {"en": "Size by", "fi": "Koko", "sv": "Storlek efter"},
    "kind": {"en": "Relationship", "fi": "Suhde", "sv": "Relation"},
    "status": {"en": "Status", "fi": "Tila", "sv": "Status"},
    "layer": {"en": "Layer", "fi": "Kerros", "sv": "Lager"},
    "source": {"en": "Source", "fi": "Lähde", "sv": "Källa"},
    "focus": {"en": "Focus area", "fi": "Painopistealue", "sv": "Fokusområde"},
    "country": {"en": "Country", "fi": "Maa", "sv": "Land"},
    "city": {"en": "City", "fi": "Kaupunki", "sv": "Stad"},
    "all_sources": {"en": "all sources", "fi": "kaikki lähteet", "sv": "alla källor"},
    "all_focus": {"en": "all focus areas", "fi": "kaikki painopistealueet", "sv": "alla fokusområden"},
    "all_countries": {"en": "all countries", "fi": "kaikki maat", "sv": "alla länder"},
    "all_cities": {"en": "all cities", "fi": "kaikki kaupungit", "sv": "alla städer"},
    "unknown": {"en": "not stated", "fi": "ei tiedossa", "sv": "inte angiven"},
    "fit": {"en": "Fit to what is shown", "fi": "Sovita näkymään", "sv": "Anpassa till det som visas"},
    "slide": {"en": "Picture for slides (PNG)", "fi": "Kuva esitykseen (PNG)", "sv": "Bild för presentationer (PNG)"},
    "slide_hint": {"en": "The current view as a 16:9 picture with title, legend, date and sources",
                   "fi": "Nykyinen näkymä 16:9-kuvana otsikon, selitteen, päivän ja lähteiden kanssa",
                   "sv": "Den aktuella vyn som en 16:9-bild med rubrik, förklaring, datum och källor"},
    # status line and legend
    "loading": {"en": "Loading…", "fi": "Ladataan…", "sv": "Laddar…"},
    "load_failed": {"en": "Could not load the data", "fi": "Tietoja ei voitu ladata", "sv": "Kunde inte ladda data"},
    "nodes": {"en": "nodes", "fi": "solmua", "sv": "noder"},
    "relationships_active": {"en": "relationships active", "fi": "voimassa olevaa suhdetta", "sv": "aktiva relationer"},
    "legend": {"en": "Legend", "fi": "Selite", "sv": "Förklaring"},
    "ended_later": {"en": "has ended (status now)", "fi": "päättynyt (nykyinen tila)", "sv": "har upphört (status nu)"},
    "no_match": {"en": "Nothing matches", "fi": "Ei osumia", "sv": "Ingen träff"},
    "not_shown_on": {"en": "not in the picture on", "fi": "ei kuvassa päivänä", "sv": "inte med i bilden den"},
    "no_memberships": {"en": "No network memberships pass the filters on this date.", "fi": "Suodattimien mukaisia verkostojäsenyyksiä ei ole tänä päivänä.", "sv": "Inga nätverksmedlemskap klarar filtren detta datum."},
    "overlap_help": {"en": "Each cell: how many members two networks share on the date (the diagonal: a network's members). Click a cell for the shared members.",
                     "fi": "Solu: kuinka monta jäsentä kahdella verkostolla on yhteisiä valittuna päivänä (lävistäjällä verkoston jäsenmäärä). Napsauta solua nähdäksesi yhteiset jäsenet.",
                     "sv": "Varje cell: hur många medlemmar två nätverk delar på datumet (diagonalen: nätverkets medlemmar). Klicka på en cell för de gemensamma medlemmarna."},
    "overlap_top": {"en": "The 40 largest networks are shown.", "fi": "Näytetään 40 suurinta verkostoa.", "sv": "De 40 största nätverken visas."},
    "members": {"en": "members", "fi": "jäsentä", "sv": "medlemmar"},
    "shared_members": {"en": "shared members", "fi": "yhteistä jäsentä", "sv": "gemensamma medlemmar"},
    "network_members": {"en": "network memberships (colour = network)", "fi": "verkostojäsenyydet (väri = verkosto)", "sv": "nätverksmedlemskap (färg = nätverk)"},
    "more_networks": {"en": "other networks", "fi": "muut verkostot", "sv": "andra nätverk"},
    "places_shown": {"en": "places on the map", "fi": "paikkaa kartalla", "sv": "platser på kartan"},
    "click_highlight": {"en": "Click to highlight its members", "fi": "Korosta jäsenet napsauttamalla", "sv": "Klicka för att markera medlemmarna"},
    "not_placed": {"en": "without coordinates (not on the map)", "fi": "ilman koordinaatteja (ei kartalla)", "sv": "utan koordinater (inte på kartan)"},
    # details
    "active_on": {"en": "active on", "fi": "voimassa", "sv": "aktiv den"},
    "not_active_on": {"en": "not active on", "fi": "ei voimassa", "sv": "inte aktiv den"},
    "in_all": {"en": "in all", "fi": "kaikkiaan", "sv": "totalt"},
    "relationships": {"en": "Relationships", "fi": "Suhteet", "sv": "Relationer"},
    "sources": {"en": "Sources", "fi": "Lähteet", "sv": "Källor"},
    "evidence": {"en": "What the sources say", "fi": "Mitä lähteet sanovat", "sv": "Vad källorna säger"},
    "described_as": {"en": "described as", "fi": "kuvattu", "sv": "beskrivs som"},
    "unknown_source": {"en": "unknown source", "fi": "tuntematon lähde", "sv": "okänd källa"},
    "linked_data_page": {"en": "Linked-data page", "fi": "Linkitetyn datan sivu", "sv": "Sida med länkade data"},
    "centrality_on": {"en": "Centrality (combined graph) on", "fi": "Keskeisyys (yhdistetty verkko)", "sv": "Centralitet (kombinerad graf) den"},
    "reason": {"en": "why", "fi": "syy", "sv": "varför"},
    "start": {"en": "start", "fi": "alku", "sv": "start"},
    "end": {"en": "end", "fi": "loppu", "sv": "slut"},
    "signed": {"en": "signed", "fi": "allekirjoitettu", "sv": "undertecknat"},
    "active_from": {"en": "active from", "fi": "voimassa alkaen", "sv": "aktiv från"},
    "active_until": {"en": "active until (exclusive)", "fi": "voimassa asti (ei mukaan lukien)", "sv": "aktiv till (exklusive)"},
    "open": {"en": "open (not reported ended)", "fi": "avoin (päättymistä ei raportoitu)", "sv": "öppen (inget rapporterat slut)"},
    "undated": {"en": "undated", "fi": "päiväämätön", "sv": "odaterad"},
    "last_attested": {"en": "last attested", "fi": "viimeksi mainittu", "sv": "senast belagd"},
    "roles": {"en": "described as", "fi": "kuvaus", "sv": "beskrivs som"},
    "precision_month": {"en": "month", "fi": "kuukausi", "sv": "månad"},
    "precision_year": {"en": "year", "fi": "vuosi", "sv": "år"},
    "measure_degree": {"en": "degree", "fi": "aste", "sv": "grad"},
    "measure_weighted_degree": {"en": "weighted degree", "fi": "painotettu aste", "sv": "viktad grad"},
    "measure_betweenness": {"en": "betweenness", "fi": "välillisyys", "sv": "mellanhet"},
    "measure_closeness": {"en": "closeness", "fi": "läheisyys", "sv": "närhet"},
    "measure_eigenvector": {"en": "eigenvector", "fi": "ominaisvektori", "sv": "egenvektor"},
    "measure_pagerank": {"en": "PageRank", "fi": "PageRank", "sv": "PageRank"},
    # timeline
    "timeline_rows": {"en": "relationships", "fi": "suhdetta", "sv": "relationer"},
    "timeline_cap": {"en": "showing the first {n}; choose a city or kind to see the rest", "fi": "näytetään {n} ensimmäistä; valitse kaupunki tai suhdetyyppi", "sv": "visar de första {n}; välj en stad eller typ för att se resten"},
    "bar": {"en": "active (from activeFrom to activeUntil)", "fi": "voimassa (activeFrom–activeUntil)", "sv": "aktiv (från activeFrom till activeUntil)"},
    "open_bar": {"en": "open end: not reported ended", "fi": "avoin loppu: päättymistä ei raportoitu", "sv": "öppet slut: inget rapporterat slut"},
    "stated_period": {"en": "the month or year a source gives for the start or end", "fi": "lähteen antama alun tai lopun kuukausi tai vuosi", "sv": "den månad eller det år en källa anger för start eller slut"},
    "attestation": {"en": "attestation (a source says so, on its date)", "fi": "maininta (lähde toteaa, päiväyksellään)", "sv": "belägg (en källa säger det, på sitt datum)"},
    "status_change": {"en": "status change (ended)", "fi": "tilan muutos (päättyi)", "sv": "statusändring (upphörde)"},
    "undated_rel": {"en": "no date in the sources: never active on a date", "fi": "lähteissä ei päivää: ei voimassa millään päivällä", "sv": "inget datum i källorna: aldrig aktiv ett visst datum"},
    # pictures and files
    "generated": {"en": "generated", "fi": "luotu", "sv": "skapad"},
    "source_line": {"en": "Source: citygraph ({layers}), from {n} source documents; licence {licence}.",
                    "fi": "Lähde: citygraph ({layers}), {n} lähdeasiakirjasta; lisenssi {licence}.",
                    "sv": "Källa: citygraph ({layers}), från {n} källdokument; licens {licence}."},
    "note": {"en": "A relationship is shown on a date when its sources show it had begun by then and do not show it had ended (activeFrom ≤ date < activeUntil). Dates given as a month or a year count from their last day.",
             "fi": "Suhde näytetään päivänä, jolloin lähteet osoittavat sen alkaneen eivätkä osoita sen päättyneen (activeFrom ≤ päivä < activeUntil). Kuukauden tai vuoden tarkkuudella annetut päivät lasketaan niiden viimeisestä päivästä.",
             "sv": "En relation visas ett datum då källorna visar att den hade börjat och inte visar att den hade upphört (activeFrom ≤ datum < activeUntil). Datum som anges som månad eller år räknas från sin sista dag."},
}


def text(lang: str) -> dict[str, str]:
    """Every word in ``lang`` (English where a word is missing)."""
    return {key: value.get(lang) or value["en"] for key, value in WORDS.items()}
