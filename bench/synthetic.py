"""A synthetic, world-scale city graph in the curated vocabulary, for benchmarks.

``generate(out_dir, triples=100_000, seed=1)`` writes Turtle files shaped like ``data/``
(places, networks, organisations, sources, partnerships, memberships, agreements, offices,
ownership, policies) into ``out_dir``. Built with ``CityGraph.build`` against the real ontology,
they give a store of roughly ``triples`` quads (ontology + curated + derived), so the derived
graph (shortcut edges, ``cg:activeFrom``...) is the product's own.

The world is deterministic for a given ``seed`` and size, and made so that every named query
in ``queries/`` returns rows with its default parameters: ``city:helsinki`` and
``city:tallinn`` exist, with many partners and shared networks, and
``source:economic-development-subcommittee-2024-12-02-31`` is cited.

Command line::

    python bench/synthetic.py OUT_DIR [--triples 100000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

PREFIXES = {
    "cg": "https://w3id.org/citygraph/ontology#",
    "agreement": "https://w3id.org/citygraph/id/agreement/",
    "city": "https://w3id.org/citygraph/id/city/",
    "country": "https://w3id.org/citygraph/id/country/",
    "hosting": "https://w3id.org/citygraph/id/hosting/",
    "membership": "https://w3id.org/citygraph/id/membership/",
    "network": "https://w3id.org/citygraph/id/network/",
    "office": "https://w3id.org/citygraph/id/office/",
    "operation": "https://w3id.org/citygraph/id/office-operation/",
    "organisation": "https://w3id.org/citygraph/id/organisation/",
    "ownership": "https://w3id.org/citygraph/id/ownership/",
    "partnership": "https://w3id.org/citygraph/id/partnership/",
    "policy": "https://w3id.org/citygraph/id/policy/",
    "source": "https://w3id.org/citygraph/id/source/",
    "focus": "https://w3id.org/citygraph/vocab/focus-area/",
    "objective": "https://w3id.org/citygraph/vocab/objective/",
    "pkind": "https://w3id.org/citygraph/vocab/partnership-kind/",
    "rkind": "https://w3id.org/citygraph/vocab/relationship-kind/",
    "role": "https://w3id.org/citygraph/vocab/role/",
    "status": "https://w3id.org/citygraph/vocab/status/",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: concepts of the ontology's schemes that the generator uses
PARTNERSHIP_KINDS = ["strategic", "closest", "key", "special", "global-influencer",
                     "partner-city", "thematic", "collaboration-partner", "twin"]
ROLES = ["member", "founding-member", "executive-committee-member", "participant", "partner"]
FOCUS_LEAVES = ["climate", "smart-city", "innovation", "mobility", "education",
                "participation", "culture", "design"]
OBJECTIVES = ["expertise", "visibility", "influence"]
RELATIONSHIP_KINDS = ["membership", "partnership", "agreement", "hosting",
                      "office-operation", "ownership"]
ORG_CLASSES = ["Agency", "Company", "University", "RegionalCouncil", "Foundation", "Organization"]

KEY_SOURCE = "economic-development-subcommittee-2024-12-02-31"

#: measured: store quads (ontology + curated + derived) per generated city, and the fixed part
QUADS_PER_CITY = 124.3
FIXED_QUADS = 2_100

_SYLLABLES = ["ka", "lo", "ve", "ri", "sa", "mun", "tor", "el", "ba", "vi", "no", "stra",
              "de", "lin", "go", "ra", "ne", "pol", "ha", "mi", "ter", "os", "ul", "bur",
              "va", "ke", "tam", "pe", "ro", "ny", "lu", "dan", "ki", "ar", "sel", "mo"]


def lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle literal."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r"))
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^{datatype}'
    return f'"{escaped}"'


def blank(props: list[tuple[str, list[str]]]) -> str:
    """A ``[ ... ]`` blank node (an attestation)."""
    inner = " ;\n            ".join(f"{p} {' , '.join(objs)}" for p, objs in props if objs)
    return f"[\n            {inner} ;\n        ]"


class Turtle:
    """Collects subject blocks and writes one canonical-looking Turtle file."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.used: set[str] = set()

    def add(self, subject: str, props: list[tuple[str, list[str]]]) -> None:
        lines = [subject]
        for pred, objs in props:
            if not objs:
                continue
            lines.append(f"    {pred} {' , '.join(objs)} ;")
        lines.append(".")
        self.blocks.append("\n".join(lines))

    def write(self, path: Path) -> int:
        text = "\n\n".join(self.blocks)
        header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()
                         if f"{p}:" in text)
        path.write_text(header + "\n" + text + "\n", encoding="utf-8")
        return len(self.blocks)


@dataclass
class Entity:
    slug: str
    name: str
    labels: dict[str, str]
    kind: str = ""
    extra: dict = field(default_factory=dict)


def cities_for(triples: int) -> int:
    """How many cities make a store of about ``triples`` quads."""
    return max(20, round((triples - FIXED_QUADS) / QUADS_PER_CITY))


@dataclass
class Calibration:
    """Distributions taken from real data (``bench/generate.py`` reads them); ``None`` keeps the
    generator's own uniform choices.

    ``twin_degrees``: partnerships per city (one value per real city, sampled with replacement);
    ``membership_counts``: networks per member city (likewise); ``network_weights``: relative
    popularity of networks (the largest first; network k gets weight ``k % len``);
    ``ended_share``: the share of relationships with status ended.
    """

    twin_degrees: list[int]
    membership_counts: list[int]
    network_weights: list[float]
    ended_share: float = 0.15


class World:
    """The generator: ``World(n_cities, seed).write(out_dir)``."""

    def __init__(self, n_cities: int, seed: int = 1, calibration: Calibration | None = None) -> None:
        self.calibration = calibration
        self.rng = random.Random(seed)
        self.n_cities = n_cities
        self.counter = 0
        self.names: set[str] = set()
        self.sources: list[str] = []

    # ------------------------------------------------------------------ helpers
    def name(self) -> str:
        rng = self.rng
        while True:
            parts = [rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4)))]
            word = "".join(parts).capitalize()
            if word not in self.names:
                self.names.add(word)
                return word
            # fall back to numbered names once the syllable space gets crowded
            numbered = f"{word} {len(self.names)}"
            if numbered not in self.names:
                self.names.add(numbered)
                return numbered

    @staticmethod
    def slug(name: str) -> str:
        return name.lower().replace(" ", "-")

    def serial(self) -> int:
        self.counter += 1
        return self.counter

    def day(self, first_year: int, last_year: int) -> tuple[int, int, int]:
        rng = self.rng
        return rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28)

    def temporal(self, first_year: int, last_year: int, weights=(6, 2, 2)) -> str:
        """An xsd:date, xsd:gYearMonth or xsd:gYear literal in the given years."""
        y, m, d = self.day(first_year, last_year)
        kind = self.rng.choices(("date", "month", "year"), weights=weights)[0]
        if kind == "date":
            return lit(f"{y:04d}-{m:02d}-{d:02d}", datatype="xsd:date")
        if kind == "month":
            return lit(f"{y:04d}-{m:02d}", datatype="xsd:gYearMonth")
        return lit(f"{y:04d}", datatype="xsd:gYear")

    def labels(self, name: str, fi: str | None = None, sv: str | None = None) -> list[str]:
        rng = self.rng
        fi = fi or (name + "a" if rng.random() < 0.2 else name)
        sv = sv or (name + "s stad" if rng.random() < 0.05 else name)
        return [lit(name, "en"), lit(fi, "fi"), lit(sv, "sv")]

    # ------------------------------------------------------------------ the world
    def build(self) -> dict[str, Turtle]:
        rng = self.rng
        n = self.n_cities
        files = {name: Turtle() for name in (
            "places", "networks", "organisations", "sources", "partnerships", "memberships",
            "agreements", "offices", "ownership", "policies")}

        # countries ---------------------------------------------------------------
        countries = [Entity("finland", "Finland", {"fi": "Suomi", "sv": "Finland"}),
                     Entity("estonia", "Estonia", {"fi": "Viro", "sv": "Estland"})]
        for _ in range(max(8, n // 25)):
            nm = self.name() + "land"
            countries.append(Entity(self.slug(nm), nm, {}))
        for i, c in enumerate(countries):
            files["places"].add(f"country:{c.slug}", [
                ("a", ["cg:Country"]),
                ("skos:prefLabel", self.labels(c.name, c.labels.get("fi"), c.labels.get("sv"))),
                ("cg:isoCode", [lit(f"{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}")]),
                ("cg:wikidataId", [lit(f"Q{100 + i}")] if rng.random() < 0.9 else []),
            ])

        # cities ------------------------------------------------------------------
        cities = [Entity("helsinki", "Helsinki", {"fi": "Helsinki", "sv": "Helsingfors"}),
                  Entity("tallinn", "Tallinn", {"fi": "Tallinna", "sv": "Tallinn"})]
        while len(cities) < n:
            nm = self.name()
            cities.append(Entity(self.slug(nm), nm, {}))
        # sources -----------------------------------------------------------------
        self.sources = [KEY_SOURCE]
        files["sources"].add(f"source:{KEY_SOURCE}", [
            ("a", ["cg:SourceDocument"]),
            ("dcterms:issued", [lit("2024-12-02", datatype="xsd:date")]),
            ("dcterms:publisher", ["city:helsinki"]),
            ("dcterms:title", [lit("Tilannekatsaus Helsingin kaupungin kansainvälisten asioiden "
                                   "edistämisestä", "fi")]),
        ])
        for _ in range(max(12, n // 8)):
            title = f"International report {self.serial()} of {rng.choice(cities).name}"
            slug = self.slug(title)
            self.sources.append(slug)
            roll = rng.random()
            if roll < 0.6:
                dated = [("dcterms:issued", [self.temporal(2005, 2025, (1, 0, 0))])]
            elif roll < 0.8:
                dated = [("dcterms:issued", [self.temporal(2005, 2025, (0, 0, 1))])]
            elif roll < 0.9:
                dated = [("dcterms:issued", [self.temporal(2005, 2025, (0, 1, 0))])]
            else:
                y = rng.randint(2005, 2020)
                dated = [("cg:issuedNotBefore", [lit(str(y), datatype="xsd:gYear")]),
                         ("cg:issuedNotAfter", [lit(str(y + 3), datatype="xsd:gYear")])]
            files["sources"].add(f"source:{slug}", [
                ("a", ["cg:SourceDocument"]),
                *dated,
                ("dcterms:publisher", [f"city:{rng.choice(cities).slug}"]),
                ("dcterms:title", [lit(title, rng.choice(("en", "fi", "sv")))]),
            ])

        for i, c in enumerate(cities):
            country = countries[0] if c.slug == "helsinki" else (
                countries[1] if c.slug == "tallinn" else rng.choice(countries[2:]))
            files["places"].add(f"city:{c.slug}", [
                ("a", ["cg:City"]),
                ("geo:lat", [f"{rng.uniform(-60, 70):.5f}"]),
                ("geo:long", [f"{rng.uniform(-170, 170):.5f}"]),
                ("skos:prefLabel", self.labels(c.name, c.labels.get("fi"), c.labels.get("sv"))),
                ("skos:altLabel", [lit(c.name.upper(), "en")] if rng.random() < 0.05 else []),
                ("cg:country", [f"country:{country.slug}"]),
                ("cg:geonamesId", [lit(str(600000 + i))]),
                ("cg:wikidataId", [lit(f"Q{10000 + i}")] if i < 2 or rng.random() < 0.9 else []),
                ("cg:attestation", [self.attestation(f"{c.name} is a city.", i)]
                 if i < 2 or rng.random() < 0.05 else []),
            ])

        # networks ----------------------------------------------------------------
        networks = []
        for i in range(max(12, n // 15)):
            nm = self.name() + " Network"
            e = Entity(self.slug(nm), nm, {}, kind="CityNetwork" if rng.random() < 0.7 else "Organization")
            networks.append(e)
            files["networks"].add(f"network:{e.slug}", [
                ("a", [f"cg:{e.kind}"]),
                ("skos:prefLabel", self.labels(nm, nm.replace("Network", "-verkosto"),
                                               nm.replace("Network", "-nätverket"))),
                ("skos:altLabel", [lit("".join(w[0] for w in nm.split()), "en")] if rng.random() < 0.5 else []),
                ("cg:wikidataId", [lit(f"Q{500000 + i}")] if rng.random() < 0.5 else []),
            ])

        # organisations and offices -----------------------------------------------
        orgs = []
        for i in range(max(12, n // 10)):
            kind = rng.choice(ORG_CLASSES)
            nm = f"{self.name()} {kind if kind != 'Organization' else 'Institute'}"
            e = Entity(self.slug(nm), nm, {}, kind=kind)
            orgs.append(e)
            files["organisations"].add(f"organisation:{e.slug}", [
                ("a", [f"cg:{kind}"]),
                ("skos:prefLabel", self.labels(nm)),
                ("cg:wikidataId", [lit(f"Q{700000 + i}")] if rng.random() < 0.6 else []),
                ("cg:keyPlayerFor", [f"objective:{o}" for o in rng.sample(OBJECTIVES, rng.randint(1, 2))]
                 if rng.random() < 0.3 else []),
                ("cg:attestation", [self.attestation(f"{nm} works internationally.", i)]
                 if rng.random() < 0.3 else []),
            ])
        offices = []
        for _ in range(max(4, n // 50)):
            host = cities[0] if len(offices) < 2 else rng.choice(cities)
            nm = f"{host.name} Office {self.serial()}"
            e = Entity(self.slug(nm), nm, {}, extra={"host": host})
            offices.append(e)
            files["organisations"].add(f"office:{e.slug}", [
                ("a", ["cg:Office"]),
                ("skos:prefLabel", self.labels(nm, f"{host.name}-toimisto {self.counter}",
                                               f"{host.name}-kontoret {self.counter}")),
            ])

        # relationships -----------------------------------------------------------
        def relationship(file: str, iri: str, cls: str, roles: list[tuple[str, list[str]]],
                         subjects: list[Entity], start_years=(1985, 2023), ended_share=None,
                         attestation_count=(1, 3), described=None, extra=None) -> None:
            names = " and ".join(s.name for s in subjects)
            if ended_share is None:
                ended_share = self.calibration.ended_share if self.calibration else 0.15
            status = rng.choices(("active", "ended", "suspended"),
                                 weights=(1 - ended_share - 0.05, ended_share, 0.05))[0]
            props: list[tuple[str, list[str]]] = [("a", [f"cg:{cls}"]), *roles]
            start_year = None
            if rng.random() < 0.45:
                start = self.temporal(*start_years)
                start_year = int(start[1:5])
                props.append(("cg:startDate", [start]))
            if status == "ended":
                first = max(start_year + 1 if start_year else 2005, 2005)
                roll = rng.random()
                if roll < 0.6:
                    props.append(("cg:endDate", [self.temporal(first, max(first, 2024))]))
                elif roll < 0.8:
                    y = rng.randint(first, max(first, 2023))
                    props.append(("cg:endNotBefore", [lit(f"{y}", datatype="xsd:gYear")]))
                    props.append(("cg:endNotAfter", [lit(f"{y + 1}-06-30", datatype="xsd:date")]))
                props.append(("cg:statusReason", [lit(f"Cooperation between {names} ended "
                                                      f"(record {self.serial()}).", "en")]))
            props.append(("cg:status", [f"status:{status}"]))
            atts = [self.attestation(f"{names} cooperate.", self.serial(), described=described)
                    for _ in range(rng.randint(*attestation_count))]
            props.append(("cg:attestation", atts))
            if extra:
                props.extend(extra)
            files[file].add(iri, props)

        # partnerships: Helsinki is a hub; the rest a random graph of about 1.6 per city
        pairs: set[tuple[int, int]] = set()
        hub = min(n - 1, 25 + n // 100)
        for j in rng.sample(range(1, n), hub):
            pairs.add((0, j))
        cal = self.calibration
        if cal is not None:  # configuration model on real degrees (self-loops, repeats dropped)
            stubs = [i for i in range(1, n) for _ in range(rng.choice(cal.twin_degrees))]
            rng.shuffle(stubs)
            for a, b in zip(stubs[::2], stubs[1::2]):
                if a != b:
                    pairs.add((min(a, b), max(a, b)))
        target = 0 if cal is not None else int(n * 1.6)
        while len(pairs) < target:
            a, b = rng.randrange(n), rng.randrange(n)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
        for a, b in sorted(pairs):
            ca, cb = cities[a], cities[b]
            relationship(
                "partnerships", f"partnership:{ca.slug}-{cb.slug}", "Partnership",
                [("cg:party", [f"city:{ca.slug}", f"city:{cb.slug}"])], [ca, cb],
                described=lambda: f"pkind:{rng.choice(PARTNERSHIP_KINDS)}",
                extra=[("cg:topic", [lit(f"cooperation on {rng.choice(FOCUS_LEAVES)}", "en")])]
                if rng.random() < 0.2 else None,
            )

        # memberships: every city in 1-4 networks; Helsinki and Tallinn share many
        members: set[tuple[str, int]] = set()
        shared = rng.sample(range(len(networks)), min(len(networks), 8))
        for k in shared:
            members.add(("city:0", k))
            members.add(("city:1", k))
        for k in rng.sample(range(len(networks)), min(len(networks), 10 + len(networks) // 20)):
            members.add(("city:0", k))
        if cal is not None:
            weights = [cal.network_weights[k % len(cal.network_weights)] for k in range(len(networks))]
        for i in range(2, n):
            if cal is None:
                chosen = rng.sample(range(len(networks)), rng.randint(1, 4))
            else:
                want = min(len(networks), rng.choice(cal.membership_counts))
                chosen = set(rng.choices(range(len(networks)), weights=weights, k=want))
            for k in chosen:
                members.add((f"city:{i}", k))
        for i in range(len(orgs)):
            if rng.random() < 0.3:
                members.add((f"org:{i}", rng.randrange(len(networks))))
        for who, k in sorted(members):
            kind, idx = who.split(":")
            member = cities[int(idx)] if kind == "city" else orgs[int(idx)]
            prefix = "city" if kind == "city" else "organisation"
            net = networks[k]
            role = rng.choice(ROLES)
            relationship(
                "memberships", f"membership:{member.slug}-{net.slug}", "Membership",
                [("org:member", [f"{prefix}:{member.slug}"]),
                 ("org:organization", [f"network:{net.slug}"]),
                 ("org:role", [f"role:{role}"])], [member, net],
                attestation_count=(1, 2), described=lambda r=role: f"role:{r}",
            )

        # agreements between partner cities
        for a, b in rng.sample(sorted(pairs), max(5, len(pairs) // 12)):
            ca, cb = cities[a], cities[b]
            signed = self.temporal(1990, 2024)
            relationship(
                "agreements", f"agreement:{ca.slug}-{cb.slug}-{self.serial()}", "Agreement",
                [("cg:party", [f"city:{ca.slug}", f"city:{cb.slug}"]),
                 ("cg:signed", [signed]),
                 ("dcterms:title", self.labels(f"Agreement between {ca.name} and {cb.name}",
                                               f"{ca.name}n ja {cb.name}n sopimus",
                                               f"Avtal mellan {ca.name} och {cb.name}"))],
                [ca, cb], attestation_count=(1, 1),
            )

        # hostings: each office in its city, agencies in random cities (some in Helsinki)
        for o in offices:
            host = o.extra["host"]
            relationship("offices", f"hosting:{o.slug}", "Hosting",
                         [("cg:host", [f"city:{host.slug}"]), ("cg:hosted", [f"office:{o.slug}"])],
                         [host, o], attestation_count=(1, 2))
            operators = [f"city:{host.slug}"] + [f"organisation:{x.slug}"
                                                 for x in rng.sample(orgs, rng.randint(0, 3))]
            relationship("offices", f"operation:{o.slug}", "OfficeOperation",
                         [("cg:office", [f"office:{o.slug}"]), ("cg:operator", operators)],
                         [host, o], attestation_count=(1, 2))
        for i, o in enumerate(x for x in orgs if x.kind == "Agency"):
            host = cities[0] if i < 3 else rng.choice(cities)
            relationship("offices", f"hosting:{o.slug}-{host.slug}", "Hosting",
                         [("cg:host", [f"city:{host.slug}"]),
                          ("cg:hosted", [f"organisation:{o.slug}"])],
                         [host, o], attestation_count=(1, 2))

        # ownership: companies and foundations owned by cities
        for o in (x for x in orgs if x.kind in ("Company", "Foundation")):
            owner = cities[0] if rng.random() < 0.1 else rng.choice(cities)
            relationship("ownership", f"ownership:{owner.slug}-{o.slug}", "Ownership",
                         [("cg:owner", [f"city:{owner.slug}"]),
                          ("cg:owned", [f"organisation:{o.slug}"])],
                         [owner, o], attestation_count=(1, 1))

        # policy statements: five of Helsinki's, and some of other cities
        for i in range(5 + n // 20):
            city = cities[0] if i < 5 else rng.choice(cities)
            nm = f"Policy {self.serial()} of {city.name}"
            files["policies"].add(f"policy:{self.slug(nm)}", [
                ("a", ["cg:PolicyStatement"]),
                ("dcterms:description", [lit(f"{city.name} states a policy on its relationships.", "en")]),
                ("skos:prefLabel", self.labels(nm, f"{city.name}n linjaus {self.counter}",
                                               f"{city.name}s riktlinje {self.counter}")),
                ("cg:attestation", [self.attestation(f"{city.name} has decided on a policy.", i)]),
                ("cg:concerns", [f"rkind:{rng.choice(RELATIONSHIP_KINDS)}"]),
                ("cg:policyOf", [f"city:{city.slug}"]),
            ])
        return files

    def attestation(self, text: str, number: int, described=None) -> str:
        """A blank-node attestation: source, quote in en/fi/sv, and sometimes more."""
        rng = self.rng
        lang = rng.choice(("en", "en", "fi", "sv"))
        quote = {"en": f"{text} (synthetic statement {number})",
                 "fi": f"Synteettinen lausuma {number}: {text}",
                 "sv": f"Syntetiskt uttalande {number}: {text}"}[lang]
        # one attestation in ten cites the key source, so its named query has rows
        src = KEY_SOURCE if rng.random() < 0.1 else rng.choice(self.sources)
        props: list[tuple[str, list[str]]] = [
            ("cg:describedAs", [described()] if described else []),
            ("cg:focusArea", [f"focus:{rng.choice(FOCUS_LEAVES)}"] if rng.random() < 0.3 else []),
            ("cg:quote", [lit(quote, lang)]),
            ("cg:refersTo", [lit(str(rng.randint(2000, 2015)), datatype="xsd:gYear")]
             if rng.random() < 0.05 else []),
            ("cg:source", [f"source:{src}"]),
        ]
        return blank(props)

    def write(self, out_dir: Path) -> dict[str, int]:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        return {f"{name}.ttl": turtle.write(out_dir / f"{name}.ttl")
                for name, turtle in self.build().items()}


def generate(out_dir: Path, triples: int = 100_000, seed: int = 1) -> dict[str, int]:
    """Write the Turtle files of a world of about ``triples`` store quads; returns blocks per file."""
    return World(cities_for(triples), seed).write(Path(out_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    written = generate(args.out_dir, args.triples, args.seed)
    for name, count in written.items():
        print(f"{args.out_dir / name}: {count} subjects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
