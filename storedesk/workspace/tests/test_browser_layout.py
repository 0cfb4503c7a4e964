"""Layout at the screen sizes agents use: the views menu stays usable while the list scrolls
(1440, 1280, 1024 px), and at 1024 px the customer drawer closes and frees the controls."""

from __future__ import annotations

import re

import pytest

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Conversation, Status
from storedesk.testing.browser import AsgiServer
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_inbox(personas) -> list[Conversation]:
    """Enough waiting shoppers that the list scrolls."""
    return [
        receive_message(personas.harbor_api, InboundMessage(
            sender_id=f"shopper-{i}", text=f"Question number {i}", name=f"Shopper {i}",
        )).conversation
        for i in range(45)
    ]


@pytest.mark.parametrize("width", [1440, 1280, 1024])
def test_the_views_menu_stays_visible_after_scrolling_the_list(
    personas, busy_inbox, asgi_server: AsgiServer, browser, width
):
    from playwright.sync_api import expect

    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test", width=width, height=800)
    mine = page.locator("#view-nav a[data-nav='view:mine']")
    expect(mine).to_be_visible()
    # (the counts load after the page: measure once they are in, or their arrival reads as a
    # change of height)
    expect(page.locator("#view-nav [data-count='open']")).to_have_text(re.compile(r"\d+"))
    before = page.locator("#view-nav").bounding_box()
    # when the list is scrolled to its end, by the wheel and by the scrollbar
    page.locator("#conversation-list .conv-row").nth(3).hover()
    page.mouse.wheel(0, 5000)
    page.evaluate("() => { const b = document.getElementById('list-body');"
                  " b.scrollTop = b.scrollHeight; }")
    expect(page.locator("#conversation-list .conv-row").last).to_be_in_viewport()
    # then the menu keeps its height and every view link can still be clicked
    after = page.locator("#view-nav").bounding_box()
    assert before and after and after["height"] >= 40
    assert abs(after["height"] - before["height"]) < 2
    for view in ("mine", "mentions", "unassigned", "open", "all"):
        expect(page.locator(f"#view-nav a[data-nav='view:{view}']")).to_be_in_viewport()
    page.click("#view-nav a[data-nav='view:unassigned']")
    expect(page.locator("#view-nav a[data-nav='view:unassigned']")).to_have_attribute(
        "aria-current", "page")
    ctx.close()


def test_the_customer_drawer_closes_at_1024_px(
    personas, busy_inbox, asgi_server: AsgiServer, browser
):
    from playwright.sync_api import expect

    conversation = busy_inbox[0]
    ctx, page = sign_in(browser, asgi_server.base, "olivia@harbor.test", width=1024, height=768)
    page.goto(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    drawer = page.locator("#sidebar-pane")
    expect(drawer).to_be_hidden()
    # when she opens the customer drawer
    page.click("#conversation-header [data-toggle-sidebar]")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text("Shopper 0")
    # then its close button closes it
    page.click("#sidebar-pane [data-close-sidebar]")
    expect(drawer).to_be_hidden()
    # and Esc closes it too
    page.click("#conversation-header [data-toggle-sidebar]")
    expect(drawer).to_be_visible()
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    # and nothing covers Status, Resolve and Send any more
    page.click("#conversation-header [data-toggle-sidebar]")
    page.locator("#composer-text").click()  # a click outside the drawer closes it
    expect(drawer).to_be_hidden()
    page.fill("#composer-text", "On its way")
    page.click("[data-send=reply]")
    expect(page.locator("#thread .message.outgoing")).to_contain_text("On its way")
    # (wait for the answer to the Resolve post itself: the status badge is on the page before
    # the click too, so waiting for it let the check below run before the post had landed)
    with page.expect_response(
        lambda r: r.url.endswith(f"/conversations/{conversation.display_id}/status/")
        and r.request.method == "POST"
    ) as answer:
        page.click("[data-resolve]")
    assert answer.value.status == 200
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    # and the next conversation of the list opens
    expect(page).not_to_have_url(f"{asgi_server.base}/conversations/{conversation.display_id}/")
    ctx.close()
