"""In a real browser: Olivia adds a WooCommerce store, connects it, tests the connection (a
wrong secret says what failed, the right one names the shop), and the secret never comes
back in the page."""

from __future__ import annotations

import pytest

from storedesk.commerce.models import Store
from storedesk.commerce.tests.fakes.woocommerce import FakeWooCommerce
from storedesk.testing.browser import AsgiServer
from storedesk.workspace.tests.test_browser_workspace import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(transactional_db):
    # the fake shop runs on loopback: the server may reach private addresses in this test
    started = AsgiServer(env={"STOREDESK_FETCH_ALLOW_PRIVATE": "1"})
    try:
        started.start()
        yield started
    finally:
        started.stop()


def test_olivia_connects_a_woocommerce_store_and_tests_it(personas, server, browser):
    from playwright.sync_api import expect

    with FakeWooCommerce(key="ck_browser", secret="cs_browser_secret") as shop:
        context, page = sign_in(browser, server.base, "olivia@harbor.test")
        page.goto(server.base + "/settings/stores/")
        page.fill("input[name=name]", "Harbor Woo")
        page.fill("input[name=slug]", "harbor-woo")
        page.select_option("select[name=platform]", "woocommerce")
        page.click("[data-testid=store-create] button")
        page.wait_for_selector("[data-testid=store-connection]")
        page.fill("input[name=site_url]", shop.url)
        page.fill("input[name=consumer_key]", "ck_browser")
        page.fill("input[name=consumer_secret]", "cs_wrong_secret")
        page.click("[data-testid=store-connection] button.button-primary")
        page.click("[data-testid=store-test]")
        expect(page.locator("body")).to_contain_text("Connection failed")
        expect(page.locator("body")).to_contain_text("401")
        page.fill("input[name=consumer_secret]", "cs_browser_secret")
        page.click("[data-testid=store-connection] button.button-primary")
        page.click("[data-testid=store-test]")
        expect(page.locator("body")).to_contain_text("Connected to")
        assert "cs_browser_secret" not in page.content()
        expect(page.locator("[data-testid=secret-hints]")).to_contain_text("••••")
        context.close()
    store = Store.objects.get(account=personas.harbor, slug="harbor-woo")
    assert store.config["consumer_key"] == "ck_browser"
