from datetime import date

import pyoxigraph as ox
import pytest

from citygraph import temporal
from citygraph.namespaces import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH, XSD_STRING

D, M, Y = XSD_DATE, XSD_GYEARMONTH, XSD_GYEAR


@pytest.mark.parametrize(
    ("lexical", "datatype", "first", "last"),
    [
        ("2019-12-06", D, date(2019, 12, 6), date(2019, 12, 6)),
        ("2022-02", M, date(2022, 2, 1), date(2022, 2, 28)),
        ("2024-02", M, date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2023-12", M, date(2023, 12, 1), date(2023, 12, 31)),
        ("2023", Y, date(2023, 1, 1), date(2023, 12, 31)),
        ("2019-06-01Z", D, date(2019, 6, 1), date(2019, 6, 1)),
    ],
)
def test_period(lexical, datatype, first, last):
    assert temporal.period((lexical, datatype)) == (first, last)


def test_period_of_pyoxigraph_literal():
    literal = ox.Literal("2022-02", datatype=ox.NamedNode(M))
    assert temporal.period(literal) == (date(2022, 2, 1), date(2022, 2, 28))
    assert temporal.precision(literal) == temporal.PRECISION_MONTH


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [("2022-13", M), ("2022-02-30", D), ("22", Y), ("2022", XSD_STRING), ("2022-02", D)],
)
def test_period_rejects(lexical, datatype):
    with pytest.raises(ValueError, match="xsd:date|not a valid"):
        temporal.period((lexical, datatype))


def test_precision():
    assert temporal.precision(("2019-12-06", D)) == temporal.PRECISION_DAY
    assert temporal.precision(("2019", Y)) == temporal.PRECISION_YEAR


def test_attested_on_issued_and_bounds():
    assert temporal.attested_on(("2019-12-06", D)) == date(2019, 12, 6)
    # undated source: the latest possible day of issuedNotAfter
    assert temporal.attested_on(None, ("2011", Y)) == date(2011, 12, 31)
    # issued wins over issuedNotAfter
    assert temporal.attested_on(("2019-12", M), ("2011", Y)) == date(2019, 12, 31)
    assert temporal.attested_on() is None


def test_attested_on_refers_to_takes_the_earlier():
    assert temporal.attested_on(None, ("2011", Y), ("2007", Y)) == date(2007, 12, 31)
    # refersTo later than the document does not move the date later
    assert temporal.attested_on(("2019-12-06", D), None, ("2020", Y)) == date(2019, 12, 6)
    assert temporal.attested_on(None, None, ("2007", Y)) == date(2007, 12, 31)


def test_active_from_order_of_evidence():
    attested = [date(2024, 12, 2), date(2019, 12, 6)]
    assert temporal.active_from(("2023", Y), ("2020", Y), attested) == date(2023, 12, 31)
    assert temporal.active_from(None, ("2020-05", M), attested) == date(2020, 5, 31)
    assert temporal.active_from(None, None, attested) == date(2019, 12, 6)
    assert temporal.active_from() is None


def test_active_until():
    assert temporal.active_until(("2022-02", M)) == date(2022, 3, 1)
    assert temporal.active_until(("2021", Y)) == date(2022, 1, 1)
    assert temporal.active_until(("2022-02-24", D), ("2023", Y)) == date(2022, 2, 25)
    assert temporal.active_until(None, ("2023-12", M)) == date(2024, 1, 1)
    ended = temporal.STATUS_ENDED
    assert temporal.active_until(status=ended, last_attested=date(2019, 12, 6)) == date(2019, 12, 7)
    assert temporal.active_until(status=ended) is None
    assert temporal.active_until(status="https://w3id.org/citygraph/vocab/status/active",
                                 last_attested=date(2019, 12, 6)) is None


def test_is_active_boundaries():
    start, until = date(2019, 12, 6), date(2022, 3, 1)
    assert not temporal.is_active(start, until, date(2019, 12, 5))
    assert temporal.is_active(start, until, date(2019, 12, 6))
    assert temporal.is_active(start, until, date(2022, 2, 28))
    assert not temporal.is_active(start, until, date(2022, 3, 1))
    assert temporal.is_active(start, None, date(2100, 1, 1))
    assert not temporal.is_active(None, None, date(2020, 1, 1))


def test_active_on_filter_matches_python(graph):
    """The SPARQL snippet and is_active() agree on every relationship and probe date."""
    probes = [date(2007, 12, 30), date(2007, 12, 31), date(2019, 12, 6), date(2022, 2, 28),
              date(2022, 3, 1), date(2023, 12, 31), date(2030, 1, 1)]
    rows = graph.query(
        "SELECT ?relationship ?activeFrom ?activeUntil WHERE { ?relationship cg:activeFrom ?activeFrom "
        "OPTIONAL { ?relationship cg:activeUntil ?activeUntil } }").rows
    assert rows
    for probe in probes:
        expected = {
            r.value for r, start, until in rows
            if temporal.is_active(date.fromisoformat(start.value),
                                  date.fromisoformat(until.value) if until else None, probe)
        }
        sparql = "SELECT ?relationship ?date WHERE { " + temporal.ACTIVE_ON_FILTER + " }"
        found = {row[0].value for row in graph.query(sparql, {"date": probe.isoformat()}).rows}
        assert found == expected, probe
