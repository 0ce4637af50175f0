"""Publication options: where the publication will be hosted, its version and date.

Each option has an environment variable (``CITYGRAPH_PUBLISH_*``) and a CLI flag; the flag
wins. The defaults suit the project's own hosting under https://w3id.org/citygraph/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from citygraph.errors import ConfigError

ENV = "CITYGRAPH_PUBLISH_"
DEFAULT_BASE_URL = "https://w3id.org/citygraph/"
#: 1 MiB: dumps larger than this also get a .gz twin
DEFAULT_GZIP_OVER = 1 << 20
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]*$")


def _url(value: str, key: str) -> str:
    value = value.strip()
    if not re.match(r"^https?://[^\s/]+", value):
        raise ConfigError(f"{key}={value!r} is not an http(s) URL; give one such as {DEFAULT_BASE_URL}")
    return value if value.endswith("/") else value + "/"


@dataclass(frozen=True)
class PublishOptions:
    """How one publication is made. Build with :meth:`from_env` or directly (tests)."""

    base_url: str = DEFAULT_BASE_URL          # where OUT_DIR will be served from (dumps, site)
    sparql_url: str = ""                      # the SPARQL endpoint; default base_url + "sparql"
    version: str = ""                         # release version; default: the date
    date: date = field(default_factory=date.today)
    gzip_over: int = DEFAULT_GZIP_OVER
    include_restricted: bool = False          # also publish non-commercial/unknown-licence layers alone
    publisher_name: Mapping[str, str] = field(default_factory=lambda: {
        "fi": "Helsingin kaupunki", "sv": "Helsingfors stad", "en": "City of Helsinki"})
    publisher_iri: str = "https://w3id.org/citygraph/id/city/helsinki"
    contact_name: str = "City of Helsinki, International Affairs Unit"
    contact_url: str = "https://www.hel.fi/"

    def __post_init__(self) -> None:
        object.__setattr__(self, "_explicit_version", bool(self.version))
        object.__setattr__(self, "base_url", _url(self.base_url, "base URL"))
        object.__setattr__(self, "sparql_url", self.sparql_url.strip() or self.base_url + "sparql")
        if not self.version:
            object.__setattr__(self, "version", self.date.isoformat())
        if not _VERSION.match(self.version):
            raise ConfigError(f"version {self.version!r}: use letters, digits, '.', '-', '_' or '+'")
        if self.gzip_over < 0:
            raise ConfigError("gzip threshold must be 0 or more bytes")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> PublishOptions:
        """Read ``CITYGRAPH_PUBLISH_BASE_URL``, ``..._SPARQL_URL``, ``..._VERSION``, ``..._DATE``
        (YYYY-MM-DD) and ``..._GZIP_OVER`` (bytes); ``overrides`` that are not None win."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        if env.get(ENV + "BASE_URL"):
            values["base_url"] = env[ENV + "BASE_URL"]
        if env.get(ENV + "SPARQL_URL"):
            values["sparql_url"] = _url(env[ENV + "SPARQL_URL"], ENV + "SPARQL_URL").rstrip("/")
        if env.get(ENV + "VERSION"):
            values["version"] = env[ENV + "VERSION"]
        if env.get(ENV + "DATE"):
            values["date"] = parse_date(env[ENV + "DATE"], ENV + "DATE")
        if env.get(ENV + "GZIP_OVER"):
            try:
                values["gzip_over"] = int(env[ENV + "GZIP_OVER"])
            except ValueError:
                raise ConfigError(f"{ENV}GZIP_OVER={env[ENV + 'GZIP_OVER']!r} is not a number of bytes") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def with_version(self, version: str) -> PublishOptions:
        return replace(self, version=version)


def parse_date(value: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{what}={value!r}: write it as YYYY-MM-DD") from None
