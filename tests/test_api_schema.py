"""Schemathesis against the OpenAPI schema of /api: generated requests (valid and invalid) never
get a 5xx, and every response matches its documented status code, content type and schema.

Runs against a live uvicorn on 127.0.0.1 over the tiny fixture graph (in-process ASGI calls
would run the app's lifespan per request, which stops its query workers); a bounded number of
examples per operation keeps it fast.
"""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from api_helpers import live_server, tiny_graph

pytestmark = [
    # FastAPI warns about /sparql (one route for GET and POST) while building the schema
    pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning"),
]

OPERATIONS = [
    "GET /api", "GET /api/cities", "GET /api/networks", "GET /api/organisations",
    "GET /api/relationships", "GET /api/entities/{kind}/{slug}", "GET /api/resolve",
    "GET /api/sources", "GET /api/sources/{slug}", "GET /api/queries",
    "GET /api/queries/{name}", "GET /api/validation",
    "GET /api/discrepancies", "GET /api/layers",  # citygraph.layers.api (issue 8)
    "GET /api/map/graph",  # citygraph.api.routes.maps (issue 7)
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with live_server(tiny_graph(tmp_path_factory.mktemp("schema"))) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(base_url):
    return schemathesis.openapi.from_url(base_url + "/openapi.json").include(path_regex=r"^/api(?!/analysis)")  # analysis: its own tests


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


def test_every_api_operation_is_documented(api_schema):
    found = [f"{r.ok().method.upper()} {r.ok().path}" for r in api_schema.get_all_operations()]
    assert sorted(found) == sorted(OPERATIONS)
    for result in api_schema.get_all_operations():
        op = result.ok().definition.raw
        assert op.get("summary") and op.get("tags"), result.ok().path


# schemathesis.pytest.from_fixture does not work with pytest 9 (it reads a removed attribute),
# so each operation's Hypothesis strategy is driven here, one test per operation.
@pytest.mark.parametrize("label", OPERATIONS)
def test_api_conforms_to_its_schema(api_schema, base_url, session, label):
    operation = next(r.ok() for r in api_schema.get_all_operations()
                     if f"{r.ok().method.upper()} {r.ok().path}" == label)

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        # A schema-valid value can still name nothing (country=000000000): that is a 422 whose
        # message names the parameter, checked here instead of schemathesis' "accept all
        # schema-valid data" check.
        response = case.call_and_validate(base_url=base_url, session=session,
                                          excluded_checks=[positive_data_acceptance])
        if response.status_code == 422:
            detail = response.json()["detail"]
            if isinstance(detail, str) and "name" not in (case.path_parameters or {}):
                assert detail.split(":")[0] in (case.query or {}), detail

    check()
