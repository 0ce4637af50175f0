"""The licence table: which licence a layer carries and what a publication may do with it.

Publication never mixes licences. The combined dump of the open graph is published under
CC BY 4.0, so only layers whose licence lets their data be redistributed under CC BY 4.0
(public-domain dedications and CC BY 4.0 itself) go into it. A share-alike layer (Wikipedia,
CC BY-SA 4.0) is published only as its own dataset under its own licence; a non-commercial
layer (ClimActor) is never published unless asked for, and then only on its own. A licence
the table does not know is treated as the most restrictive one.
"""

from __future__ import annotations

from dataclasses import dataclass

#: EU Publications Office licence authority table (what DCAT-AP portals expect)
EU_LICENCE = "http://publications.europa.eu/resource/authority/licence/"
#: ADMS licence types (``dct:type`` of a ``dct:LicenseDocument``)
LICENCE_TYPE = "http://purl.org/adms/licencetype/"


@dataclass(frozen=True)
class Licence:
    """One licence and the rules a publication follows for data under it."""

    key: str                      # SPDX identifier, also used in file names and messages
    iri: str                      # the IRI a DCAT-AP catalogue uses (EU authority table)
    url: str                      # the licence's own page, for people
    title: str
    combinable: bool              # may be republished inside the CC BY 4.0 combined dump
    publishable: bool             # may be republished on its own without being asked to
    types: tuple[str, ...] = ()   # ADMS licence types (local names under LICENCE_TYPE)
    note: str = ""

    @property
    def short(self) -> str:
        return self.title


LICENCES: dict[str, Licence] = {lic.key: lic for lic in (
    Licence("CC0-1.0", EU_LICENCE + "CC0", "https://creativecommons.org/publicdomain/zero/1.0/",
            "Creative Commons CC0 1.0 Universal (public domain dedication)", True, True,
            ("PublicDomain",)),
    Licence("CC-BY-4.0", EU_LICENCE + "CC_BY_4_0", "https://creativecommons.org/licenses/by/4.0/",
            "Creative Commons Attribution 4.0 International", True, True, ("Attribution",)),
    Licence("CC-BY-SA-4.0", EU_LICENCE + "CC_BYSA_4_0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
            "Creative Commons Attribution-ShareAlike 4.0 International", False, True,
            ("Attribution", "ShareAlike"),
            "share-alike: published only on its own, under CC BY-SA 4.0"),
    Licence("CC-BY-NC-4.0", EU_LICENCE + "CC_BYNC_4_0",
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "Creative Commons Attribution-NonCommercial 4.0 International", False, False,
            ("Attribution", "NonCommercialUseOnly"),
            "non-commercial: never in a CC BY publication"),
)}

#: the licence of the combined publication (and of the catalogue, VoID and site)
COMBINED = LICENCES["CC-BY-4.0"]


def _norm(value: str) -> str:
    value = value.strip().lower()
    for scheme in ("https://", "http://"):
        if value.startswith(scheme):
            value = value[len(scheme):]
    return value.rstrip("/")


def licence_for(value: str, title: str | None = None) -> Licence:
    """A licence by SPDX id, EU authority IRI or licence URL.

    An unknown value becomes a restricted licence of its own (never combined, never published
    unless asked), so a layer with odd terms (ClimActor's "non-commercial use only, cite")
    can be registered without loosening anything.
    """
    key = _norm(value)
    for lic in LICENCES.values():
        if key in (_norm(lic.key), _norm(lic.iri), _norm(lic.url)):
            return lic
    return Licence(value, value, value, title or value, combinable=False, publishable=False,
                   note="terms not in the licence table: never combined, published only on request")
