"""Hostile mail in the agent UI, in a real Chromium: scripts in the HTML body, the subject and
the file names never run; the HTML is shown only inside a sandboxed iframe; the quoted history
is behind "Show quoted text"."""

from __future__ import annotations

import pytest

from storedesk.connectors.email.ingest import ingest
from storedesk.connectors.email.tests.mailbuilder import mail
from storedesk.inbox.models import Conversation
from storedesk.testing.browser import AsgiServer
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>"


def test_xss_in_html_subject_and_file_names_never_runs(personas, asgi_server: AsgiServer,
                                                         browser):
    from playwright.sync_api import expect

    # given a mail with script in its subject, its HTML body and an attachment's name
    raw = mail(
        subject=f"Refund {XSS}",
        text="Please look at the photo.\n\nOn Mon, 30 Nov 2026 at 10:15, Harbor "
             "<support@harbor.test> wrote:\n> Your order shipped.\n",
        html=f"<p>Please look at the photo.</p>{XSS}<a href=\"javascript:window.__pwned=3\">x</a>"
             "<form action=\"https://evil.test\"><input name=q></form>",
        attachments=[(f"{XSS}.png", b"\x89PNG\r\n", "image/png")],
    )
    outcome = ingest(personas.harbor_email, raw, source="upload")
    conversation = Conversation.objects.get(pk=outcome.conversation_id)
    # when Olivia opens the conversation and unfolds everything
    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    page.wait_for_selector(f"#conversation-root[data-conversation-id='{conversation.pk}']")
    message = page.locator("#thread .message.incoming").first
    expect(message.locator(".message-text")).to_have_text("Please look at the photo.")
    message.locator(".email-quoted summary").click()
    expect(message.locator(".email-quoted-text")).to_contain_text("Your order shipped.")
    message.locator(".email-formatted summary").click()
    frame_element = message.locator("iframe.email-html")
    expect(frame_element).to_have_attribute("sandbox", "")
    frame = frame_element.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_selector("p")
    assert "Please look at the photo." in frame.inner_text("body")
    # then no script ran, in the page or in the frame, and no markup leaked into the page
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert frame.evaluate("() => window.__pwned") is None
    assert frame.query_selector("script") is None and frame.query_selector("form") is None
    assert page.locator("#thread img[src='x']").count() == 0
    # (the file name is shown as text: path parts dropped, markup escaped)
    expect(page.locator(".attachments")).to_contain_text("script>.png")
    assert page.locator(".attachments img, .attachments script").count() == 0
    assert dialogs == []
    ctx.close()
