"""A bounded Schemathesis run against the live app (Django's WSGI handler, in process, on the
test database): every operation of /api/v1/openapi.json, positive and negative examples, every
check Schemathesis has. Runs on SQLite and PostgreSQL alike.

Positive (schema-valid) data may still be refused with a documented 400: the schema cannot say
that a cursor must be one we signed, that a reply is not only spaces, or that a snooze is in
the future; 422 is reserved for what the schema itself rules out.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis import GenerationMode

MAX_EXAMPLES = 5


@schemathesis.serializer("message/rfc822")
def _raw_mail(ctx: object, value: object) -> bytes:
    """The raw MIME endpoint's body: whatever bytes were generated, sent as they are."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")

CONFIG = {
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409"],
        },
    },
    "generation": {"max-examples": MAX_EXAMPLES},
}


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler, kept from closing the test transaction's connection at the end of
    each request (what django.test.Client does for its requests too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(personas, api_token, wsgi_app):
    app = wsgi_app
    token = api_token(personas.olivia)
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG)
    )
    return schema, {"Authorization": f"Bearer {token}"}


def test_every_operation_keeps_the_contract(api_schema, personas):
    schema, headers = api_schema
    schemathesis.checks.load_all_checks()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    ran = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(20261130)
            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                nonlocal ran
                case.call_and_validate(headers=headers)
                ran += 1

            run()
    assert ran >= len(operations)
