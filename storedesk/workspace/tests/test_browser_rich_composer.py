"""Richer messages in a real Chromium: the formatting bar and its keys, the preview, image
thumbnails opening large, an email's inline cid: image inside the sandboxed view, Cc on an
email reply (checked at a real SMTP server)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from storedesk.connectors.email.ingest import ingest
from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation, Inbox, Message
from storedesk.testing.browser import AsgiServer
from storedesk.testing.smtp_server import LocalSmtpServer
from storedesk.workspace.tests.test_browser_composer import open_conversation
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(width: int = 40, height: int = 30) -> bytes:
    """A real (decodable) PNG: a red rectangle."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def waiting(personas) -> Conversation:
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id="kasia-shopper", text="Czy lampa jest dostępna?", name="Kasia Nowak",
        email="kasia@shopper.test")).conversation


def test_the_formatting_bar_and_its_keys_write_markdown_that_is_sent_formatted(
    personas, waiting, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    open_conversation(page, asgi_server.base, waiting)
    box = page.locator("#composer-text")
    page.locator("#thread").focus()
    page.keyboard.press("r")
    expect(box).to_be_focused()
    # when olivia types with Ctrl+B around a few words
    page.keyboard.type("Yes, it is ")
    page.keyboard.press("Control+b")
    page.keyboard.type("in stock")
    page.keyboard.press("End")
    page.keyboard.type(". ")
    # and makes an existing word italic by selecting it (Ctrl+I)
    page.keyboard.type("Order now")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+i")
    expect(box).to_have_value("Yes, it is **in stock**. Order *now*")
    # and links a word with Ctrl+K: the URL part is selected, so she just types it
    page.keyboard.press("End")
    page.keyboard.type(" at the shop")
    for _ in range(4):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+k")
    page.keyboard.type("shop.test/lamp")
    # and starts a list with the toolbar's button
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type("lamp")
    page.locator("#reply-form [data-format=bullets]").click()
    expect(box).to_have_value(
        "Yes, it is **in stock**. Order *now* at the [shop](shop.test/lamp)\n\n- lamp")
    # then the preview shows what the shopper will get
    page.locator("#reply-form [data-format-preview]").click()
    preview = page.locator("[data-preview-for=composer-text]")
    expect(preview.locator("strong")).to_have_text("in stock")
    expect(preview.locator("em")).to_have_text("now")
    expect(preview.locator("a")).to_have_attribute("href", "https://shop.test/lamp")
    expect(preview.locator("li")).to_have_text("lamp")
    # and the "?" overlay lists the keys
    page.locator("#thread").focus()
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_contain_text("Bold (in the text box)")
    page.keyboard.press("Escape")
    # when she sends it
    box.focus()
    page.keyboard.press("Control+Enter")
    reply = page.locator("#thread .message.outgoing")
    expect(reply.locator(".message-html strong")).to_have_text("in stock")
    expect(reply.locator("a")).to_have_attribute("href", "https://shop.test/lamp")
    stored = Message.objects.get(conversation=waiting, direction="outgoing")
    assert stored.text == (
        "Yes, it is in stock. Order now at the shop (https://shop.test/lamp)\n\n- lamp")
    ctx.close()


@pytest.fixture
def smtp(personas, settings) -> Iterator[LocalSmtpServer]:
    settings.FETCH_ALLOW_PRIVATE = True
    with LocalSmtpServer() as server:
        Inbox.objects.filter(pk=personas.harbor_email.pk).update(config={
            "address": "support@harbor.test",
            "smtp": server.inbox_settings("support@harbor.test")})
        yield server


@pytest.fixture
def photo_mail(personas, smtp) -> Conversation:
    """Ayşe mailed a photo inline in her HTML and one attached, copying her husband (filed
    before the browser starts, so its realtime publish runs outside Playwright's loop)."""
    mail = EmailMessage()
    mail["From"] = "Ayşe Kaya <ayse@example.com>"
    mail["To"] = "support@harbor.test"
    mail["Cc"] = "mehmet@example.com"
    mail["Subject"] = "Broken vase"
    mail["Message-ID"] = "<ayse-photo@mail.example.com>"
    mail.set_content("The vase arrived broken, see the photos.")
    mail.add_alternative('<p>Look:</p><img src="cid:crack@mail.example.com" alt="the crack">',
                         subtype="html")
    mail.get_payload()[1].add_related(png(), maintype="image", subtype="png",
                                      cid="<crack@mail.example.com>", filename="crack.png")
    mail.add_attachment(png(60, 20), maintype="image", subtype="png", filename="box.png")
    outcome = ingest(personas.harbor_email, mail.as_bytes(), source="test")
    return Conversation.objects.get(pk=outcome.conversation_id)


@pytest.fixture
def media_server(transactional_db: None, tmp_path) -> Iterator[AsgiServer]:
    """The app in its own process, reading attachments from this test's media directory."""
    server = AsgiServer(env={"STOREDESK_DATA_DIR": str(tmp_path),
                             "STOREDESK_FETCH_ALLOW_PRIVATE": "1"})
    try:
        server.start()
        yield server
    finally:
        server.stop()


def test_images_show_as_thumbnails_and_inline_and_cc_goes_out(
    personas, smtp, photo_mail, media_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    conversation = photo_mail

    ctx, page = sign_in(browser, media_server.base, "olivia@harbor.test")
    open_conversation(page, media_server.base, conversation)
    # then both images show as thumbnails that really load
    thumbs = page.locator("#thread .attachment-thumb img")
    expect(thumbs).to_have_count(2)
    for i in range(2):
        thumbs.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                               arg=thumbs.nth(i).element_handle())
    # when she clicks one, it opens large; Esc closes it and focus goes back
    page.locator("#thread .attachment-thumb").nth(1).click()
    viewer = page.locator("#image-viewer")
    expect(viewer).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('#image-viewer img');"
        " return i && i.complete && i.naturalWidth === 60; }")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    # and the formatted email shows the inline photo inside its sandboxed frame
    page.locator("#thread .email-formatted summary").click()
    frame = page.frame_locator("#thread iframe.email-html")
    inline = frame.locator("img[alt='the crack']")
    expect(inline).to_have_count(1)
    inline.scroll_into_view_if_needed()
    for _ in range(60):  # a wait bound: the frame's image loads on its own
        if inline.evaluate("i => i.complete && i.naturalWidth"):
            break
        page.wait_for_timeout(250)
    assert inline.evaluate("i => i.naturalWidth") == 40
    # and the reply's Cc field starts with her husband; olivia adds the warehouse and sends
    cc = page.locator("#reply-cc")
    expect(cc).to_have_value("mehmet@example.com")
    cc.fill("mehmet@example.com, warehouse@harbor.test")
    page.locator("#reply-bcc").fill("owner@harbor.test")
    page.locator("#composer-text").fill("We are **sorry**.")
    page.locator("#reply-form [data-send=reply]").click()
    expect(page.locator("#thread .message.outgoing .message-recipients")).to_contain_text(
        "warehouse@harbor.test")
    expect(page.locator("#thread .message.outgoing .badge.delivery")).to_have_text("Sent")
    [received] = smtp.messages
    assert sorted(received.rcpt_tos) == [
        "ayse@example.com", "mehmet@example.com", "owner@harbor.test", "warehouse@harbor.test"]
    assert received.message["Cc"] == "mehmet@example.com, warehouse@harbor.test"
    assert b"owner@harbor.test" not in received.raw
    ctx.close()


@pytest.fixture
def polish_question(personas) -> Conversation:
    """A Polish shopper's question and two macros (before the browser starts)."""
    from storedesk.workflow.actions import create_macro

    create_macro(personas.harbor, name="Shipped", text="Your order is on its way.", language="en")
    create_macro(personas.harbor, name="Stock", text="Tak, {{contact.first_name}}, jest.",
                 language="pl")
    return receive_message(personas.harbor_api, InboundMessage(
        sender_id="kasia-2", text="Czy lampa jest dostępna?", name="Kasia Nowak",
        email="kasia2@shopper.test", metadata={"language": "pl"})).conversation


def test_a_suggested_macro_goes_in_with_one_click(
    personas, polish_question, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    open_conversation(page, asgi_server.base, polish_question)
    # the conversation's language first among the suggestions
    chips = page.locator("[data-macro-suggest]")
    expect(chips.first).to_have_text("Stock")
    chips.first.click()
    expect(page.locator("#composer-text")).to_have_value("Tak, Kasia, jest.")
    expect(page.locator("#composer-text")).to_be_focused()
    ctx.close()
