"""The agent workspace in a real Chromium against the real ASGI app (uvicorn), websockets included.

Olivia signs in, handles a conversation end to end (macro reply, note with @mention, assign,
resolve, close) while Ahmet, in a second browser context, sees her presence and a new shopper
message arrive live. Lina (light agent) and Bruno (other account) get 404s.
Screenshots go to var/screenshots/ (untracked; STOREDESK_SCREENSHOTS overrides).
"""

from __future__ import annotations

import httpx
import pytest

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, assign, receive_message
from storedesk.inbox.models import Conversation, Message, Status
from storedesk.testing.browser import SCREENSHOTS, AsgiServer
from storedesk.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_macro(page, name: str) -> None:
    """Insert a macro as an agent does: type part of its name in the picker, press Enter."""
    page.fill("#macro-search", name)
    page.locator("#macro-search").press("Enter")


def sign_in(browser, base: str, email: str, *, width: int = 1280, height: int = 800):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.goto(base + "/")
    # anonymous visitors land on the sign-in page
    assert "/login/" in page.url
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    return context, page


def open_from_list(page, conversation: Conversation) -> None:
    page.click(f"#conv-row-{conversation.pk} .conv-link")
    page.wait_for_selector(f"#conversation-root[data-conversation-id='{conversation.pk}']")


def wait_socket_open(page) -> None:
    page.wait_for_function(
        "() => window.storedeskSocket && window.storedeskSocket.state === 'open'")


@pytest.fixture
def waiting_shoppers(personas) -> Conversation:
    """A shopper waiting on the API inbox, another on the chat, and a shipping macro.

    Created before the browser starts, so their realtime publishes run outside Playwright's loop.
    """
    from storedesk.workflow.actions import create_macro

    conversation = receive_message(personas.harbor_api, InboundMessage(
        sender_id="ayse-1", text="Hello, where is my order 1001?", name="Ayşe Kaya",
        email="ayse@shopper.test", subject="Order 1001")).conversation
    receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-7", text="Do you ship to Poland?", name="Jan Kowalski"))
    create_macro(personas.harbor, name="Order on its way",
                 text="Hi {{contact.first_name}}, your order is on its way!",
                 actions={"tags": ["shipping"], "priority": "high"})
    return conversation


def test_olivia_handles_a_conversation_while_ahmet_watches_live(
    personas, waiting_shoppers, api_token, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    server = asgi_server.base

    # given a shopper waiting for an answer, and a macro (fixture waiting_shoppers)
    conversation = waiting_shoppers
    token = api_token(personas.olivia)  # the store's integration, for the shopper's next message
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # and ahmet, signed in in his own browser, with the conversation open
    ahmet_ctx, ahmet = sign_in(browser, server, "ahmet@harbor.test")
    ahmet.goto(f"{server}/conversations/{conversation.display_id}/")
    wait_socket_open(ahmet)
    ahmet.evaluate("() => { window.__sameDocument = true; }")

    # when olivia signs in through the sign-in page and opens the conversation from the list
    olivia_ctx, olivia = sign_in(browser, server, "olivia@harbor.test")
    expect(olivia.locator(f"#conv-row-{conversation.pk}")).to_contain_text("Ayşe Kaya")
    olivia.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    wait_socket_open(olivia)
    open_from_list(olivia, conversation)
    expect(olivia.locator("#thread")).to_contain_text("where is my order 1001?")
    assert olivia.url == f"{server}/conversations/{conversation.display_id}/"

    # then ahmet sees that olivia is viewing it
    expect(ahmet.locator("#presence")).to_contain_text("Olivia Owner")

    # when she replies with the macro
    pick_macro(olivia, "Order on its way")
    expect(olivia.locator("#composer-text")).to_have_value(
        "Hi Ayşe, your order is on its way!")
    olivia.click("[data-send=reply]")
    expect(olivia.locator("#thread .message.outgoing")).to_contain_text(
        "Hi Ayşe, your order is on its way!")
    # then the macro's actions were applied too
    expect(olivia.locator("#conversation-header .conv-tags")).to_contain_text("shipping")
    # and ahmet sees her reply arrive without reloading
    expect(ahmet.locator("#thread")).to_contain_text("your order is on its way!")

    # when she presses "n" and writes a private note mentioning ahmet, sent with Ctrl+Enter
    olivia.locator("#thread").click()
    olivia.keyboard.press("n")
    expect(olivia.locator("#composer")).to_have_attribute("data-mode", "note")
    expect(olivia.locator("#note-text")).to_be_focused()
    olivia.type("#note-text", "@ahm")
    olivia.click("[data-mention=ahmet]")
    olivia.type("#note-text", "can you watch the courier?")
    olivia.press("#note-text", "Control+Enter")
    expect(olivia.locator("#thread .message.private")).to_contain_text(
        "@ahmet can you watch the courier?")
    note = Message.objects.get(conversation=conversation, private=True)
    assert note.metadata["mentions"] == [personas.ahmet.pk]
    # and ahmet (and only ahmet) gets a notice linking to the conversation
    mention = ahmet.locator(".toast-mention a")
    expect(mention).to_contain_text(f"#{conversation.display_id}")
    expect(mention).to_have_attribute("href", f"/conversations/{conversation.display_id}/")
    expect(olivia.locator(".toast-mention")).to_have_count(0)

    # when she assigns it to ahmet
    olivia.select_option("#assignee-select", label="Ahmet Yilmaz")
    expect(olivia.locator("#conversation-header")).to_have_attribute(
        "data-assignee-id", str(personas.ahmet.pk))
    expect(olivia.locator("#thread")).to_contain_text(
        "Olivia Owner assigned the conversation to Ahmet Yilmaz")

    # when the shopper writes again through the API
    posted = httpx.post(
        f"{server}/api/v1/inboxes/{personas.harbor_api.pk}/messages",
        json={"source_id": "ayse-1", "text": "Great, thank you so much!", "message_id": "m-2"},
        headers={"Authorization": f"Bearer {token}"}, timeout=10,
    )
    assert posted.status_code == 201
    # then both agents see it appear live, and ahmet never reloaded his page
    expect(ahmet.locator("#thread .message.incoming").last).to_contain_text(
        "Great, thank you so much!")
    expect(olivia.locator("#thread .message.incoming").last).to_contain_text(
        "Great, thank you so much!")
    assert ahmet.evaluate("() => window.__sameDocument === true")
    olivia.screenshot(path=str(SCREENSHOTS / "conversation.png"), full_page=True)

    # when she resolves it
    olivia.click("[data-resolve]")
    # then the next conversation of her list opens by itself (the chat visitor's)
    expect(olivia.locator("#conversation-header")).to_contain_text("Jan Kowalski")
    # when she goes back to it (no longer in the Open list) and closes it
    olivia.goto(f"{server}/conversations/{conversation.display_id}/")
    expect(olivia.locator("[data-status-badge]")).to_have_text("Resolved")
    olivia.select_option("#status-select", "closed")
    olivia.click(".control-status button[type=submit]")
    expect(olivia.locator("[data-status-badge]")).to_have_text("Closed")
    conversation.refresh_from_db()
    assert conversation.status == Status.CLOSED
    assert conversation.assignee_id == personas.ahmet.pk
    assert list(conversation.tags.values_list("name", flat=True)) == ["shipping"]
    # and ahmet's header follows live
    expect(ahmet.locator("[data-status-badge]")).to_have_attribute("class", "badge badge-closed")

    # the same workspace on a tablet-sized screen
    tablet_ctx, tablet = sign_in(browser, server, "olivia@harbor.test", width=1024, height=768)
    tablet.screenshot(path=str(SCREENSHOTS / "inbox-1024.png"), full_page=True)
    tablet.goto(f"{server}/conversations/{conversation.display_id}/")
    expect(tablet.locator("#thread")).to_contain_text("Great, thank you so much!")
    tablet.screenshot(path=str(SCREENSHOTS / "conversation-1024.png"), full_page=True)
    for ctx in (ahmet_ctx, olivia_ctx, tablet_ctx):
        ctx.close()


@pytest.fixture
def returns_and_other(personas) -> tuple[Conversation, Conversation]:
    """One conversation of the Returns team and one without a team."""
    returns = receive_message(personas.harbor_api, InboundMessage(
        sender_id="r-1", text="I want to return a lamp", name="Rita Returns")).conversation
    assign(returns, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
           set_team=True)
    other = receive_message(personas.harbor_api, InboundMessage(
        sender_id="o-1", text="Wholesale pricing?", name="Otto Other")).conversation
    return returns, other


def test_lina_gets_404_outside_returns_and_bruno_sees_nothing_of_harbor(
    personas, returns_and_other, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    server = asgi_server.base

    # given one Returns conversation and one that is not
    returns, other = returns_and_other

    # when lina signs in
    lina_ctx, lina = sign_in(browser, server, "lina@harbor.test")
    # then her list holds the Returns conversation only, and she can open it
    expect(lina.locator(f"#conv-row-{returns.pk}")).to_be_visible()
    assert lina.locator(f"#conv-row-{other.pk}").count() == 0
    assert lina.goto(f"{server}/conversations/{returns.display_id}/").status == 200
    # and the other conversation's URL is a 404
    assert lina.goto(f"{server}/conversations/{other.display_id}/").status == 404
    lina_ctx.close()

    # when bruno of Northwind signs in
    bruno_ctx, bruno = sign_in(browser, server, "bruno@northwind.test")
    # then none of Harbor's conversations are listed and their URLs are 404s
    body = bruno.content()
    assert "Rita Returns" not in body and "Otto Other" not in body
    assert bruno.locator(".conv-row").count() == 0
    for conversation in (returns, other):
        assert bruno.goto(f"{server}/conversations/{conversation.display_id}/").status == 404
    contact_url = f"{server}/contacts/{returns.contact_id}/"
    assert bruno.goto(contact_url).status == 404
    bruno_ctx.close()
