"""One exception hierarchy; every message names what is at fault and says what to do."""

from __future__ import annotations

from collections.abc import Sequence


class CityGraphError(Exception):
    """Root of all citygraph errors. The CLI turns these into one-line messages."""

    exit_code = 2


class ConfigError(CityGraphError):
    """A CITYGRAPH_* setting is missing or malformed."""


class DataFileError(CityGraphError):
    """A curated data file is invalid. ``str()`` is ``data/x.ttl:12:5: message``."""

    exit_code = 1

    def __init__(self, path: str, line: int | None, column: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class QueryError(CityGraphError):
    """A SPARQL query or its parameters are malformed; carries the parser's message."""


class NotFoundError(CityGraphError):
    """A named thing (entity, query, file) does not exist."""

    def __init__(self, message: str, close_matches: Sequence[str] = ()) -> None:
        self.close_matches = list(close_matches)
        if self.close_matches:
            message += "; did you mean " + ", ".join(self.close_matches) + "?"
        super().__init__(message)


class AmbiguousNameError(CityGraphError):
    """A name matches several entities; lists the candidates."""

    def __init__(self, name: str, candidates: Sequence[str]) -> None:
        self.name = name
        self.candidates = list(candidates)
        super().__init__(
            f"{name!r} matches {len(self.candidates)} entities: "
            + ", ".join(self.candidates)
            + "; use one of these prefixed names instead"
        )


class StoreError(CityGraphError):
    """The on-disk store cannot be built, switched or opened."""
