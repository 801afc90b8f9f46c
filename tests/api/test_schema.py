"""Contract test: schemathesis over the OpenAPI schema; no 5xx and responses conform.

Runs each operation through hypothesis directly: schemathesis' lazy pytest fixture
(``from_fixture``) does not work with pytest 9 (it sets ``request.node._nodeid``).
"""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import db
from api.main import create_app
from tests.api.api_support import INGEST_KEY, READ_KEY, make_settings

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    ("POST", "/api/v1/events"),
    ("GET", "/api/v1/stats"),
    ("GET", "/api/v1/stats.csv"),
    ("GET", "/healthz"),
]

pytestmark = pytest.mark.app_env


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.sqlite3'}"
    db.upgrade(url)
    app = create_app(make_settings(url))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.ctx.engine.dispose()


def test_every_operation_is_covered(api_schema):
    found = {(op.ok().method.upper(), op.ok().path) for op in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


def _plausible_days(case):
    """Give generated events today's date: random dates are mostly refused (before 2020 or in
    the future), which would leave the success responses untested."""
    items = case.body if isinstance(case.body, list) else [case.body]
    for item in items:
        if isinstance(item, dict) and "day" in item:
            item["day"] = dt.date.today().isoformat()
    return case


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_conforms_to_schema(api_schema, method, path):
    operation = api_schema[path][method]
    key = INGEST_KEY if path == "/api/v1/events" else READ_KEY

    raw = operation.as_strategy()

    @given(case=st.one_of(raw, raw.map(_plausible_days)))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers={"X-API-Key": key}, checks=CHECKS)

    check()
