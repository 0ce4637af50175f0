"""Reconciliation precision on known cases: the right entity, or no merge at all."""

from __future__ import annotations

import pytest
from layers_support import EXTERNAL, REPO, csv_rows

from citygraph.config import Settings
from citygraph.layers.reconcile import Countries, Curated, Gazetteer, fold, variants
from citygraph.namespaces import PREFIXES

CITY = PREFIXES["city"]


@pytest.fixture(scope="module")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Gazetteer:
    return Gazetteer(Curated.read(REPO / "data"), cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def wikipedia_places() -> dict[tuple[str, str], tuple[float, float]]:
    """(name, country) -> coordinates as the external files publish them: Wikipedia's twin
    towns, then ClimActor (for capitals without a twin-town list, such as Oslo)."""
    places = {}
    for row in csv_rows(EXTERNAL / "climactor" / "subnational_contextuals_database_initcols_Sept2020.csv"):
        if row["lat"] and row["lng"]:
            places[(row["name"], row["country"])] = (float(row["lat"]), float(row["lng"]))
    for row in csv_rows(EXTERNAL / "wikipedia-twin-towns" / "twin_cities_geocoded.csv"):
        for i in "12":
            places[(row[f"city{i}"], row[f"country{i}"])] = (float(row[f"lat{i}"]), float(row[f"lng{i}"]))
    return places


def test_qid_of_a_curated_city(gazetteer: Gazetteer) -> None:
    assert gazetteer.qid("Q1757") == CITY + "helsinki"
    assert gazetteer.qid("Q656") == CITY + "st-petersburg"
    assert gazetteer.qid("Q1748") is None  # Copenhagen is not curated: no QID match


@pytest.mark.parametrize(("name", "country", "expected"), [
    ("Tallinn", "Estonia", "tallinn"), ("Stockholm", "Sweden", "stockholm"), ("Oslo", "Norway", "oslo"),
    ("Berlin", "Germany", "berlin"), ("Tampere", "Finland", "tampere"), ("Kotka", "Finland", "kotka"),
    ("Saint Petersburg", "Russia", "st-petersburg"),
])
def test_known_cities_reach_the_curated_entities(gazetteer: Gazetteer, wikipedia_places, name, country,
                                                 expected) -> None:
    """As Wikipedia's twin-town file publishes them: name, country and the scraper's coordinates."""
    lat, lng = wikipedia_places[(name, country)]
    match = gazetteer.match(name, gazetteer.countries.code(country), lat, lng)
    assert match.matched, match
    assert match.iri == CITY + expected


def test_st_petersburg_florida_is_not_saint_petersburg_russia(gazetteer: Gazetteer, wikipedia_places) -> None:
    lat, lng = wikipedia_places[("St. Petersburg", "United States")]
    match = gazetteer.match("St. Petersburg", "US", lat, lng)
    assert match.matched and match.iri != CITY + "st-petersburg"
    assert gazetteer.places[match.geonameid]["countrycode"] == "US"
    assert gazetteer.places[match.geonameid]["name"] == "St. Petersburg"
    # the same spelling in Russia is the curated city
    assert gazetteer.match("St. Petersburg", "RU", 59.94, 30.31).iri == CITY + "st-petersburg"


def test_a_name_shared_by_places_in_two_countries_is_not_merged(gazetteer: Gazetteer, wikipedia_places) -> None:
    spain = gazetteer.match("Córdoba", "ES", *wikipedia_places[("Córdoba", "Spain")])
    argentina = gazetteer.match("Córdoba", "AR", *wikipedia_places[("Córdoba", "Argentina")])
    assert spain.matched and argentina.matched
    assert spain.iri != argentina.iri
    assert {gazetteer.country_of(spain.geonameid), gazetteer.country_of(argentina.geonameid)} == {"ES", "AR"}


def test_never_merged_on_a_name_alone(gazetteer: Gazetteer) -> None:
    assert not gazetteer.match("Helsinki", None).matched  # no country: not even the curated city
    assert gazetteer.match("Helsinki", None).method == "no country"


def test_coordinates_that_disagree_keep_candidates(gazetteer: Gazetteer) -> None:
    """Right name and country, coordinates 400 km off: ambiguous, with the candidate kept."""
    match = gazetteer.match("Kotka", "FI", 64.0, 26.9)
    assert match.status == "ambiguous"
    assert CITY + "kotka" in [gazetteer.iri(g) for g in match.candidates]
    assert match.iri is None


def test_several_homonyms_at_a_distance_are_ambiguous_without_coordinates(gazetteer: Gazetteer) -> None:
    """Two Polish villages called Mielno: a list without coordinates cannot tell which."""
    match = gazetteer.match("Mielno", "PL")
    assert match.status == "ambiguous" and len(match.candidates) == 2


def test_baltmet_names_within_the_region(gazetteer: Gazetteer) -> None:
    from citygraph.layers.baltic import REGION

    assert gazetteer.match_in_region("Helsingfors", REGION).iri == CITY + "helsinki"
    assert gazetteer.match_in_region("S:t Petersburg", REGION).iri == CITY + "st-petersburg"
    assert gazetteer.match_in_region("Warszawa", REGION).iri == gazetteer.match_in_region("Warsaw", REGION).iri


def test_territories_and_country_names() -> None:
    countries = Countries()
    assert countries.code("England, United Kingdom") == "GB"
    assert countries.code("Réunion, France") == "RE"
    assert countries.code("FIN") == "FI"
    assert countries.code("Georgia (country)") == "GE"
    assert countries.code("Island") is None  # not guessed (fuzzy matching would say Comoros)


def test_folding_and_variants() -> None:
    assert fold("S:t Petersburg") == "sankt petersburg"
    assert fold("St. Petersburg") == "saint petersburg"
    assert fold("Łódź") == "lodz"
    assert "frankfurt" in variants("Frankfurt (Oder)")
    assert "seneffe" in variants("Administration communale de Seneffe")


def test_settings_default_external_directory_exists() -> None:
    assert (Settings.for_home(REPO).shared_dir / "external" / "wikidata-p190-2016").is_dir()
