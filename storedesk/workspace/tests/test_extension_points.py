"""Extension points: a capability plugs a sidebar panel, a composer tool or a timeline renderer
into the conversation view by registering it, without touching the conversation view."""

from __future__ import annotations

import pytest

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import set_priority
from storedesk.workspace.registry import (
    ComposerTool,
    SidebarPanel,
    composer_tools,
    sidebar_panels,
    timeline_renderers,
)
from storedesk.workspace.tests.test_views_conversation import client_for, hx, shopper_writes, url


@pytest.fixture
def conversation(personas):
    return shopper_writes(personas, text="Is order 4412 on its way?").conversation


@pytest.fixture
def loyalty_template(settings, tmp_path):
    """A panel template outside the tree, as another app would ship it."""
    folder = tmp_path / "loyalty"
    folder.mkdir()
    (folder / "_panel.html").write_text(
        '<section class="loyalty">Points for {{ contact.name }}: {{ points }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "loyalty/_panel.html"  # (changing TEMPLATES resets Django's template engines)


def test_a_panel_registered_by_another_app_shows_next_to_the_customer_card(
    personas, conversation, loyalty_template
):
    seen = []

    def points(slot):
        seen.append((slot.membership, slot.conversation.pk))
        return {"points": 120}

    panel = SidebarPanel(key="loyalty", label="Loyalty", template=loyalty_template,
                         context=points, order=50)
    with sidebar_panels.registered(panel):
        html = hx(client_for(personas.olivia), "get", url("conversation", conversation))
        page = client_for(personas.olivia).get(url("conversation", conversation))
    assert 'data-panel="loyalty"' in html.content.decode()
    assert "Points for Ayşe Kaya: 120" in html.content.decode()
    assert "Points for Ayşe Kaya: 120" in page.content.decode()
    # The built-in customer card comes first (order 10), the new panel after it.
    body = html.content.decode()
    assert body.index('data-panel="contact"') < body.index('data-panel="loyalty"')
    assert seen[0] == (personas.olivia, conversation.pk)

    # Unregistered, it is gone again; the customer card stays.
    after = hx(client_for(personas.olivia), "get", url("conversation", conversation)).content
    assert b"loyalty" not in after
    assert b'data-panel="contact"' in after


def test_a_panel_can_stay_hidden_for_a_conversation(personas, conversation, loyalty_template):
    panel = SidebarPanel(key="loyalty", label="Loyalty", template=loyalty_template,
                         context=lambda slot: None)
    with sidebar_panels.registered(panel):
        html = hx(client_for(personas.olivia), "get", url("conversation", conversation)).content
    assert b'data-panel="loyalty"' not in html


def test_a_composer_tool_registered_by_another_app_shows_in_the_composer(
    personas, conversation, loyalty_template
):
    tool = ComposerTool(key="loyalty", label="Points", template=loyalty_template,
                        context=lambda slot: {"points": 7}, modes=frozenset({"reply", "note"}))
    with composer_tools.registered(tool):
        pane = hx(client_for(personas.olivia), "get", url("conversation", conversation))
        # The composer comes back with its tools after sending, too.
        sent = hx(client_for(personas.olivia), "post", url("reply", conversation),
                  {"text": "It left the warehouse today."})
    assert b'data-composer-tool="loyalty"' in pane.content
    assert b"Points for Ay" in sent.content
    assert b'data-composer-tool="macros"' in sent.content


def test_one_renderer_per_event_kind_writes_the_activity_line(personas, conversation):
    set_priority(conversation, Actor.agent(personas.olivia), "urgent")
    client = client_for(personas.olivia)
    before = hx(client, "get", url("thread", conversation)).content.decode()
    assert "Olivia" in before and "set the priority to" in before

    def loud(event, ctx):
        return f"PRIORITY NOW {event.data['new'].upper()} (by {ctx.who})"

    timeline_renderers.unregister("conversation.priority_changed")
    try:
        with timeline_renderers.registered("conversation.priority_changed", loud):
            after = hx(client, "get", url("thread", conversation)).content.decode()
    finally:
        from storedesk.workspace import timeline

        timeline_renderers.register("conversation.priority_changed", timeline._priority_changed)
    assert "PRIORITY NOW URGENT (by Olivia" in after


def test_a_key_registered_twice_is_refused():
    panel = SidebarPanel(key="contact", label="Again", template="x.html", context=lambda s: {})
    with pytest.raises(ValueError, match="already registered"):
        sidebar_panels.register(panel)
    with pytest.raises(ValueError, match="already registered"):
        timeline_renderers.register("conversation.opened", lambda e, c: "")
