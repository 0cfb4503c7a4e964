"""The shell in a real Chromium: sign-in page and its language picker, the `?` shortcut overlay,
confirm dialogs before destructive POSTs, and the settings layout on a tablet-sized screen.

Runs against pytest-django's live_server (plain HTTP; nothing here needs the websocket).
Screenshots go to var/screenshots/ (untracked; STOREDESK_SCREENSHOTS overrides).
"""

from __future__ import annotations

import pytest

from storedesk.inbox.models import Tag
from storedesk.testing.browser import SCREENSHOTS
from storedesk.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")


def test_sign_in_shortcuts_and_confirm_dialogs(personas, live_server, browser):
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # given an anonymous visitor, the workspace sends them to sign-in
    page.goto(base + "/")
    assert page.url.startswith(base + "/login/")
    page.screenshot(path=str(SCREENSHOTS / "sign-in.png"))
    # when Olivia signs in
    _sign_in(page, base, "olivia@harbor.test")
    # then `?` opens the shortcut overlay, Esc closes it
    page.locator("body").press("?")
    overlay = page.locator("#shortcuts-help")
    assert overlay.is_visible()
    assert "Show keyboard shortcuts" in overlay.inner_text()
    page.keyboard.press("Escape")
    assert not overlay.is_visible()
    # and the two-key shortcut `g p` opens her profile
    page.keyboard.press("g")
    page.keyboard.press("p")
    page.wait_for_url(base + "/profile/")
    # when she creates a tag on the settings page
    page.goto(base + "/settings/tags/")
    page.locator("#id_name").fill("fragile")
    page.get_by_role("button", name="Create tag").click()
    page.wait_for_selector("text=Tag created.")
    row = page.locator("tr", has=page.locator('input[value="fragile"]'))
    # and clicks Delete but cancels the confirmation, nothing happens
    row.get_by_role("button", name="Delete").click()
    dialog = page.locator("#confirm-dialog")
    assert dialog.is_visible()
    dialog.get_by_role("button", name="Cancel").click()
    assert Tag.objects.filter(account=personas.harbor, name="fragile").exists()
    # when she confirms, the tag is deleted
    row.get_by_role("button", name="Delete").click()
    dialog.get_by_role("button", name="OK").click()
    page.wait_for_selector("text=Tag deleted.")
    assert not Tag.objects.filter(account=personas.harbor, name="fragile").exists()
    page.goto(base + "/settings/macros/new/")
    page.screenshot(path=str(SCREENSHOTS / "settings-macro.png"))
    context.close()


def test_language_picker_and_tablet_layout(personas, live_server, browser):
    base = live_server.url
    context = browser.new_context(viewport={"width": 800, "height": 1000})
    page = context.new_page()
    # an anonymous visitor picks Polish on the sign-in page
    page.goto(base + "/login/")
    page.select_option("#language-select", "pl")
    page.wait_for_selector("h1:has-text('Zaloguj się')")
    # Ahmet (Turkish) signs in: his own language wins over the page's
    page.get_by_label("E-mail").fill("ahmet@harbor.test")
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(base + "/")
    assert page.locator("html").get_attribute("lang") == "tr"
    assert page.get_by_role("button", name="Çıkış yap").is_visible()
    # on a tablet-width screen the profile page fits without horizontal scrolling
    page.goto(base + "/profile/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.screenshot(path=str(SCREENSHOTS / "profile-tablet-tr.png"))
    context.close()
