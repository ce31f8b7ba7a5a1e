"""Schemathesis against the OpenAPI document the server publishes: for generated requests, valid and
not, no 5xx, and every response matches what the document says (status, content type, schema)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from serve_api_support import serve_client, two_release_store


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    store = two_release_store(tmp_path_factory.mktemp("serve-schema"))
    with serve_client(store, query_timeout_s=20) as c:
        yield c.app


def test_generated_requests_get_no_5xx_and_conform_to_the_document(app):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    failures = []
    # The brief builds charts for a minute: its parameters are covered by the endpoint tests.
    operations = [r.ok() for r in schema.get_all_operations() if "/brief" not in r.ok().path]
    assert len(operations) >= 14
    try:
        for operation in operations:
            _fuzz(operation, checks, failures)()
    finally:
        from schemathesis.python.asgi import shutdown_lifespans

        shutdown_lifespans()  # the app's connections closed now, not at the interpreter's exit
    assert not failures, "\n\n".join(failures[:5])


def _fuzz(operation, checks, failures):
    """A Hypothesis test of one operation, bounded in examples; failures are collected."""
    from hypothesis import given

    # A diff reads the lake's change feed (seconds each on this machine): fewer examples for it.
    @settings(
        max_examples=2 if "/diff" in operation.path else 6,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(timeout=60)  # a diff reads the lake's change feed: seconds here
        try:
            case.validate_response(response, checks=checks)
        except Exception as exc:  # collected, reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])

    return run
