"""Time, defined once.

A relationship is active on D when its sources show it had begun by D and do not show it had ended by D.

Concretely, the build derives two xsd:date values per relationship:

* ``cg:activeFrom`` — the last day of ``cg:startDate``; else the last day of
  ``cg:startNotAfter``; else the earliest ``cg:attestedOn`` among its attestations.
* ``cg:activeUntil`` (exclusive) — the day after the last day of ``cg:endDate``; else of
  ``cg:endNotAfter``; else, when ``cg:status`` is ``status:ended``, the day after its
  ``cg:lastAttested``; else none.

and then ``is_active(active_from, active_until, D)``. Dates given as a month or a year count as
their *last* day ("2022-02" ended -> not active from 2022-03-01 on), because only then do the
sources *show* the fact. ``ACTIVE_ON_FILTER`` is the same test in SPARQL.

>>> period_of("2024-02", XSD_GYEARMONTH)
(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
>>> active_until(end_date=("2022-02", XSD_GYEARMONTH))
datetime.date(2022, 3, 1)
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol, Union

from citygraph.namespaces import PREFIXES, XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH

PRECISION = PREFIXES["precision"]
PRECISION_DAY = PRECISION + "day"
PRECISION_MONTH = PRECISION + "month"
PRECISION_YEAR = PRECISION + "year"
STATUS_ENDED = PREFIXES["status"] + "ended"

PRECISIONS = {XSD_DATE: PRECISION_DAY, XSD_GYEARMONTH: PRECISION_MONTH, XSD_GYEAR: PRECISION_YEAR}

_TZ = r"(?:Z|[+-]\d{2}:\d{2})?"
_PATTERNS = {
    XSD_DATE: re.compile(rf"^(\d{{4}})-(\d{{2}})-(\d{{2}}){_TZ}$"),
    XSD_GYEARMONTH: re.compile(rf"^(\d{{4}})-(\d{{2}}){_TZ}$"),
    XSD_GYEAR: re.compile(rf"^(\d{{4}}){_TZ}$"),
}


class _LiteralLike(Protocol):
    value: str

    @property
    def datatype(self) -> object: ...


#: a temporal value: a pyoxigraph/rdflib literal, or a ``(lexical, datatype IRI)`` pair
Temporal = Union[_LiteralLike, tuple[str, str]]


def _split(value: Temporal) -> tuple[str, str]:
    if isinstance(value, tuple):
        return value
    datatype = value.datatype
    iri = getattr(datatype, "value", None) or str(datatype)
    return str(value.value if hasattr(value, "value") else value), iri


def period_of(lexical: str, datatype: str) -> tuple[date, date]:
    """First and last day of a date, month or year given as lexical form and datatype IRI."""
    pattern = _PATTERNS.get(datatype)
    if pattern is None:
        raise ValueError(
            f"{lexical!r} has datatype <{datatype}>; use xsd:date, xsd:gYearMonth or xsd:gYear"
        )
    match = pattern.match(lexical.strip())
    if match is None:
        raise ValueError(f"{lexical!r} is not a valid {datatype.rsplit('#', 1)[-1]}")
    parts = [int(p) for p in match.groups()]
    try:
        if datatype == XSD_DATE:
            day = date(*parts)
            return day, day
        if datatype == XSD_GYEARMONTH:
            year, month = parts
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError as exc:
        raise ValueError(f"{lexical!r} is not a valid {datatype.rsplit('#', 1)[-1]}: {exc}") from exc


def period(literal: Temporal) -> tuple[date, date]:
    """``(first_day, last_day)`` of an xsd:date, xsd:gYearMonth or xsd:gYear literal.

    >>> period(("2022-02", XSD_GYEARMONTH))
    (datetime.date(2022, 2, 1), datetime.date(2022, 2, 28))
    """
    return period_of(*_split(literal))


def last_day(literal: Temporal | None) -> date | None:
    """Last day of the period, or None for None."""
    return None if literal is None else period(literal)[1]


def precision(literal: Temporal) -> str:
    """The precision concept IRI (``precision:day|month|year``) of a temporal literal."""
    lexical, datatype = _split(literal)
    period_of(lexical, datatype)  # validates
    return PRECISIONS[datatype]


def attested_on(
    issued: Temporal | None = None,
    issued_not_after: Temporal | None = None,
    refers_to: Temporal | None = None,
) -> date | None:
    """The day by which an attestation shows its fact held.

    The last day of the source's ``dcterms:issued``, else of its ``cg:issuedNotAfter``; when
    the attestation has ``cg:refersTo``, the earlier of that and the last day of ``refersTo``.
    """
    day = last_day(issued) if issued is not None else last_day(issued_not_after)
    if refers_to is not None:
        refers = last_day(refers_to)
        day = refers if day is None or (refers is not None and refers < day) else day
    return day


def active_from(
    start_date: Temporal | None = None,
    start_not_after: Temporal | None = None,
    attested: Iterable[date | None] = (),
) -> date | None:
    """First day the sources show the relationship had begun (see module docstring)."""
    if start_date is not None:
        return last_day(start_date)
    if start_not_after is not None:
        return last_day(start_not_after)
    days = [d for d in attested if d is not None]
    return min(days) if days else None


def active_until(
    end_date: Temporal | None = None,
    end_not_after: Temporal | None = None,
    status: str | None = None,
    last_attested: date | None = None,
) -> date | None:
    """First day the sources show the relationship had ended (exclusive bound), or None."""
    end = last_day(end_date) if end_date is not None else last_day(end_not_after)
    if end is not None:
        return end + timedelta(days=1)
    if status == STATUS_ENDED and last_attested is not None:
        return last_attested + timedelta(days=1)
    return None


def is_active(active_from: date | None, active_until: date | None, on: date) -> bool:
    """The one test: begun by ``on`` and not shown ended by ``on``.

    >>> is_active(date(2019, 12, 6), date(2022, 3, 1), date(2022, 2, 28))
    True
    >>> is_active(date(2019, 12, 6), date(2022, 3, 1), date(2022, 3, 1))
    False
    """
    return active_from is not None and active_from <= on and (active_until is None or on < active_until)


#: The same test in SPARQL: binds ?activeFrom/?activeUntil of ?relationship and keeps it when
#: it is active on ?date (an xsd:date). Paste into a WHERE clause; rename variables as needed.
ACTIVE_ON_FILTER = """\
?relationship cg:activeFrom ?activeFrom .
OPTIONAL { ?relationship cg:activeUntil ?activeUntil }
FILTER(?activeFrom <= ?date && (!BOUND(?activeUntil) || ?date < ?activeUntil))
"""


def active_on_filter(relationship: str = "?relationship", on: str = "?date") -> str:
    """``ACTIVE_ON_FILTER`` for other variable names (or a literal such as ``"2019-06-01"^^xsd:date``)."""
    text = ACTIVE_ON_FILTER.replace("?date", on)
    if relationship != "?relationship":
        suffix = relationship.lstrip("?$")
        text = (
            text.replace("?relationship", relationship)
            .replace("?activeFrom", f"?activeFrom_{suffix}")
            .replace("?activeUntil", f"?activeUntil_{suffix}")
        )
    return text
