"""Extra conversation fields: apps above the inbox add fields to the API's conversations
(the workflow's `sla`) without the inbox importing them; a page resolves each field once."""

from __future__ import annotations

import pytest

from config.api import api as ninja_api
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.extra_fields import (
    ConversationField,
    attach,
    conversation_fields,
    register_conversation_field,
    value_of,
)


def test_a_page_is_resolved_in_one_call_per_field(personas):
    conversations = [
        receive_message(personas.harbor_api, InboundMessage(sender_id=f"x{i}", text="hi"))
        .conversation for i in range(3)
    ]
    calls = []

    def mood(page):
        calls.append([c.pk for c in page])
        return {c.pk: f"mood-{c.display_id}" for c in page}

    field = ConversationField(name="mood_test", annotation=str, resolve=mood)
    conversation_fields._fields[field.name] = field  # as ready() would, before the freeze
    try:
        attach(conversations)
        assert [value_of(c, "mood_test") for c in conversations] == [
            f"mood-{c.display_id}" for c in conversations]
        assert calls == [[c.pk for c in conversations]]  # once for the page, not per row
        # a conversation that was not attached is resolved on its own
        alone = type(conversations[0]).objects.get(pk=conversations[0].pk)
        assert value_of(alone, "mood_test") == f"mood-{alone.display_id}"
        assert len(calls) == 2
    finally:
        conversation_fields.unregister("mood_test")


def test_registering_after_the_schema_was_built_is_an_error():
    with pytest.raises(RuntimeError, match="after the API schema was built"):
        register_conversation_field(
            ConversationField(name="late", annotation=str, resolve=lambda page: {}))


def test_the_workflow_sla_is_in_the_conversation_schema():
    schema = ninja_api.get_openapi_schema()
    conversation = schema["components"]["schemas"]["ConversationOut"]
    assert "sla" in conversation["properties"]
