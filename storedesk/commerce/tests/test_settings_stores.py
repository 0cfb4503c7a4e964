"""Olivia connects her stores from the settings pages: secrets are sealed and never shown back,
"Test connection" says what failed, the return policy, refund limits and shipping rates are
saved; agents and other accounts get 404s."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.commerce import credentials
from storedesk.commerce.models import Order, Product, ShippingRate, Store
from storedesk.commerce.tests.fakes.shopify import FakeShopify
from storedesk.commerce.tests.fakes.woocommerce import FakeWooCommerce
from storedesk.commerce.tests.fakes.woocommerce import sample_order as woo_order

pytestmark = pytest.mark.django_db

TOKEN = "shpat_abcdef0123456789"


def _browser(member) -> Client:
    browser = Client()
    browser.force_login(member.agent)
    return browser


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_olivia_connects_shopify_tests_it_and_never_sees_the_token_again(personas, settings):
    settings.FETCH_ALLOW_PRIVATE = True
    olivia = _browser(personas.olivia)
    created = olivia.post(reverse("settings:stores"), {
        "name": "Harbor Shopify", "slug": "harbor-shopify", "platform": "shopify",
        "currency": "usd"})
    assert created.status_code == 302
    store = Store.objects.get(account=personas.harbor, slug="harbor-shopify")
    assert store.currency == "USD"
    # a domain that is not a myshopify.com one is refused, and nothing is stored
    bad = olivia.post(reverse("settings:store", args=[store.pk]),
                      {"shop_domain": "evil.example.com", "access_token": TOKEN})
    assert bad.status_code == 400 and "myshopify.com" in bad.content.decode()
    saved = olivia.post(reverse("settings:store", args=[store.pk]), {
        "shop_domain": "https://Harbor-Vine.myshopify.com/", "access_token": TOKEN,
        "webhook_secret": "shpss_0123456789"})
    assert saved.status_code == 302
    store.refresh_from_db()
    assert store.config["shop_domain"] == "harbor-vine.myshopify.com"
    assert credentials.is_sealed(store.config["access_token"])
    page = olivia.get(reverse("settings:store", args=[store.pk])).content.decode()
    assert TOKEN not in page and "••••6789" in page
    # saving again with blank secrets keeps them
    olivia.post(reverse("settings:store", args=[store.pk]),
                {"shop_domain": "harbor-vine.myshopify.com", "access_token": ""})
    store.refresh_from_db()
    assert credentials.credential(store.config, "access_token") == TOKEN
    with FakeShopify(token=TOKEN) as fake:
        # (the fake's address stands in for https://harbor-vine.myshopify.com)
        store.config = {**store.config, "api_base": fake.url}
        store.save()
        ok = olivia.post(reverse("settings:store_test", args=[store.pk]), follow=True)
        assert "Connected to Harbor &amp; Vine" in ok.content.decode()
        olivia.post(reverse("settings:store", args=[store.pk]),
                    {"shop_domain": "harbor-vine.myshopify.com", "access_token": "shpat_nope"})
        failed = olivia.post(reverse("settings:store_test", args=[store.pk]), follow=True)
        assert "Connection failed" in _messages(failed) and "401" in _messages(failed)
        assert "shpat_nope" not in failed.content.decode()


def test_olivia_connects_woocommerce_and_syncs_orders_now(personas, settings,
                                                          django_capture_on_commit_callbacks):
    settings.FETCH_ALLOW_PRIVATE = True
    olivia = _browser(personas.olivia)
    olivia.post(reverse("settings:stores"), {"name": "Harbor Woo", "slug": "harbor-woo",
                                             "platform": "woocommerce", "currency": "USD"})
    store = Store.objects.get(account=personas.harbor, slug="harbor-woo")
    with FakeWooCommerce(key="ck_live", secret="cs_live_secret") as fake:
        fake.add_order(woo_order())
        olivia.post(reverse("settings:store", args=[store.pk]), {
            "site_url": fake.url, "consumer_key": "ck_live",
            "consumer_secret": "cs_live_secret"})
        tested = olivia.post(reverse("settings:store_test", args=[store.pk]), follow=True)
        assert "Connected to" in _messages(tested)
        with django_capture_on_commit_callbacks(execute=True):
            olivia.post(reverse("settings:store_sync", args=[store.pk]))
    assert Order.objects.filter(store=store, external_id="727").exists()
    # the same run reconciled the catalog (the fake shop's one product)
    assert Product.objects.filter(store=store, external_id="22").exists()
    page = olivia.get(reverse("settings:store", args=[store.pk])).content.decode()
    assert "cs_live_secret" not in page
    assert "products changed up to" in page


def test_policy_limits_and_shipping_rates_are_saved(personas):
    olivia = _browser(personas.olivia)
    store = personas.harbor_store
    saved = olivia.post(reverse("settings:store_policy", args=[store.pk]), {
        "return_window_days": "60", "non_returnable_categories": "gift-cards, candles",
        "return_condition": "Unused", "return_instructions": "Ship to our warehouse.",
        "free_shipping_threshold": "100", "limit_agent": "75", "limit_light_agent": "0",
        "limit_admin": ""})
    assert saved.status_code == 302
    store.refresh_from_db()
    assert store.return_window_days == 60
    assert store.non_returnable_categories == ["gift-cards", "candles"]
    assert store.refund_limit_for("agent") == Decimal("75.00")
    assert store.refund_limit_for("admin") is None
    # a window above 365 days is refused with a reason
    refused = olivia.post(reverse("settings:store_policy", args=[store.pk]), {
        "return_window_days": "400", "limit_agent": "75", "limit_light_agent": "0"})
    assert refused.status_code == 400
    olivia.post(reverse("settings:store_rate", args=[store.pk]), {
        "method": "Standard", "country": "us", "cost": "4.90", "min_days": "2", "max_days": "5"})
    rate = ShippingRate.objects.get(store=store, method="Standard")
    assert rate.country == "US"
    olivia.post(reverse("settings:store_rate_delete", args=[store.pk, rate.pk]))
    assert not ShippingRate.objects.filter(pk=rate.pk).exists()


def test_agents_and_other_accounts_get_404(personas):
    store = personas.harbor_store
    ahmet = _browser(personas.ahmet)
    assert ahmet.get(reverse("settings:stores")).status_code == 404
    assert ahmet.post(reverse("settings:store_policy", args=[store.pk]),
                      {"return_window_days": "1"}).status_code == 404
    bruno = _browser(personas.bruno)
    assert bruno.get(reverse("settings:store", args=[store.pk])).status_code == 404
    assert bruno.post(reverse("settings:store_test", args=[store.pk])).status_code == 404
    assert bruno.post(reverse("settings:store_rate", args=[store.pk]),
                      {"method": "x"}).status_code == 404


def test_a_custom_store_has_no_connection_form(personas):
    olivia = _browser(personas.olivia)
    page = olivia.get(reverse("settings:store", args=[personas.harbor_store.pk]))
    assert page.status_code == 200 and b"store-connection" not in page.content
    assert olivia.post(reverse("settings:store", args=[personas.harbor_store.pk]),
                       {"shop_domain": "x"}).status_code == 404


