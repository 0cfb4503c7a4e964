"""The group commit's batch, decided and written in one go: keys, rate limit, inboxes, then one
receive_messages per inbox, in a fixed number of statements however many requests it holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api import SeatRateThrottle
from storedesk.accounts.models import hash_token
from storedesk.connectors.actions import create_integration_key, revoke_integration_key
from storedesk.connectors.api.group_commit import Answer, Delegate, Pending, _write_batch
from storedesk.connectors.api.schemas import InboundIn
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Message


def _pending(raw: str, inbox_id: int, **body: Any) -> Pending:
    return Pending(key_hash=hash_token(raw), inbox_id=inbox_id,
                   payload=InboundIn.model_validate(body))


@pytest.fixture
def keyed(personas: Any) -> tuple[Any, str]:
    key, raw = create_integration_key(personas.harbor_api, name="Shop backend")
    return key, raw


def test_a_batch_of_known_shoppers_takes_a_fixed_number_of_statements(personas, keyed):
    inbox = personas.harbor_api
    key, raw = keyed
    for i in range(30):
        receive_message(inbox, InboundMessage(sender_id=f"s-{i}", text="first"))
    throttle = SeatRateThrottle("100000/m")
    counts = []
    for prefix, size in (("warm", 5), ("ten", 10), ("thirty", 30)):
        items = [_pending(raw, inbox.pk, source_id=f"s-{i}", text="hello",
                          message_id=f"{prefix}-{i}") for i in range(size)]
        with CaptureQueriesContext(connection) as ctx:
            outcomes = _write_batch(items, throttle)
        assert all(isinstance(o, Answer) and o.status == 201 for o in outcomes), outcomes
        counts.append(len(ctx.captured_queries))
    # the first batch also stamps the key's last_used_at; then: the keys and their inboxes
    # (one query) + receive_messages's 10 (see inbox/tests/test_receive_batch_bulk.py)
    assert counts == [12, 11, 11]
    assert Message.objects.filter(inbox=inbox).count() == 30 + 45


def test_unknown_revoked_foreign_and_throttled_requests_go_to_django(personas, keyed):
    inbox = personas.harbor_api
    key, raw = keyed
    _, other_raw = create_integration_key(personas.northwind_api, name="Northwind backend")
    throttle = SeatRateThrottle("3/m")
    items = [
        _pending("sdi_unknown", inbox.pk, source_id="a", text="hi", message_id="u-1"),
        _pending(raw, personas.northwind_api.pk, source_id="a", text="hi", message_id="f-1"),
        _pending(raw, inbox.pk, source_id="a", text="hi", message_id="ok-1"),
        _pending(raw, inbox.pk, source_id="a", text="   ", message_id="empty-1"),
        _pending(raw, inbox.pk, source_id="a", text="over", message_id="over-1"),
        _pending(other_raw, personas.northwind_api.pk, source_id="b", text="hi",
                 message_id="n-1"),
    ]
    outcomes = _write_batch(items, throttle)
    assert outcomes[0] == Delegate(None)   # 401 from Django, not counted
    assert outcomes[1] == Delegate(True)   # counted, 404 from Django
    assert isinstance(outcomes[2], Answer) and outcomes[2].status == 201
    assert outcomes[3] == Delegate(True)   # counted, Django words the 400
    assert outcomes[4] == Delegate(False)  # the fourth of this key in a 3/m window: 429
    assert isinstance(outcomes[5], Answer)  # another key has its own counter
    assert set(Message.objects.values_list("source_id", flat=True)) == {"ok-1", "n-1"}
    # a revoked key is refused in the very next batch
    revoke_integration_key(key)
    again = _write_batch([_pending(raw, inbox.pk, source_id="a", text="hi",
                                   message_id="after")], SeatRateThrottle("100/m"))
    assert again == [Delegate(None)]
