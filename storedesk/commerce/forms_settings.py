"""Forms of the store settings pages: a store, its platform connection, its return policy and
refund limits, and its shipping rates. Secrets are write-only fields (blank keeps the stored)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.commerce.models import MAX_RETURN_WINDOW_DAYS, Platform
from storedesk.commerce.models.store import ACTOR_LIMITS, DEFAULT_REFUND_LIMITS

LIMIT_ROLES = ("agent", "light_agent", "admin", "bot")


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(label=_("Short name"), max_length=80)
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    currency = forms.CharField(label=_("Currency (ISO 4217)"), min_length=3, max_length=3,
                               initial="USD")

    def clean_currency(self) -> str:
        value = str(self.cleaned_data["currency"]).upper()
        if not value.isalpha():
            raise forms.ValidationError(_("Three letters, e.g. USD or EUR."))
        return value


class ShopifyConnectionForm(forms.Form):
    shop_domain = forms.CharField(
        label=_("Shop domain"), max_length=255,
        help_text=_("Your shop's myshopify.com domain, e.g. harbor-vine.myshopify.com."))
    access_token = forms.CharField(
        label=_("Admin API access token"), max_length=255, required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("From your custom app (scopes: read/write orders, returns; read "
                    "customers, products). Leave blank to keep the stored token."))
    webhook_secret = forms.CharField(
        label=_("Webhook signing secret"), max_length=255, required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The app's client secret. Leave blank to keep the stored one."))

    def clean_shop_domain(self) -> str:
        value = str(self.cleaned_data["shop_domain"]).strip().lower()
        value = value.removeprefix("https://").removeprefix("http://").strip("/")
        name = value.removesuffix(".myshopify.com")
        if not value.endswith(".myshopify.com") or not name or not all(
                c.isalnum() or c == "-" for c in name):
            raise forms.ValidationError(_("Enter the shop's domain ending in .myshopify.com."))
        return value


class WooCommerceConnectionForm(forms.Form):
    site_url = forms.URLField(label=_("Site URL"), max_length=255, assume_scheme="https",
                              help_text=_("The address of your WordPress site, "
                                          "e.g. https://shop.example.com."))
    consumer_key = forms.CharField(label=_("Consumer key"), max_length=100,
                                   help_text=_("WooCommerce → Settings → Advanced → REST API "
                                               "(read/write)."))
    consumer_secret = forms.CharField(
        label=_("Consumer secret"), max_length=100, required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave blank to keep the stored secret."))
    webhook_secret = forms.CharField(
        label=_("Webhook secret"), max_length=255, required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("The secret set on the shop's webhooks. Leave blank to keep it."))

    def clean_site_url(self) -> str:
        value = str(self.cleaned_data["site_url"]).rstrip("/")
        parts = urlsplit(value)
        if parts.username or parts.password or parts.query or parts.fragment:
            raise forms.ValidationError(_("Only the site's address, without credentials."))
        return value

    def clean_consumer_key(self) -> str:
        value = str(self.cleaned_data["consumer_key"]).strip()
        if not value.startswith("ck_"):
            raise forms.ValidationError(_("A consumer key starts with ck_."))
        return value

    def clean_consumer_secret(self) -> str:
        value = str(self.cleaned_data.get("consumer_secret") or "").strip()
        if value and not value.startswith("cs_"):
            raise forms.ValidationError(_("A consumer secret starts with cs_."))
        return value


def connection_form(platform: str) -> type[forms.Form] | None:
    return {Platform.SHOPIFY: ShopifyConnectionForm,
            Platform.WOOCOMMERCE: WooCommerceConnectionForm}.get(platform)  # type: ignore[call-overload, no-any-return]


class PolicyForm(forms.Form):
    return_window_days = forms.IntegerField(label=_("Return window (days)"), min_value=0,
                                            max_value=MAX_RETURN_WINDOW_DAYS)
    non_returnable_categories = forms.CharField(
        label=_("Non-returnable categories"), required=False, max_length=2000,
        help_text=_("Comma-separated, e.g. gift-cards, underwear."))
    return_condition = forms.CharField(label=_("Condition"), required=False, max_length=500)
    return_instructions = forms.CharField(label=_("Return instructions"), required=False,
                                          max_length=5000, widget=forms.Textarea)
    free_shipping_threshold = forms.DecimalField(
        label=_("Free shipping from"), required=False, min_value=Decimal("0"), max_digits=12,
        decimal_places=2)
    limit_agent = forms.DecimalField(label=_("Agents may refund up to"),
                                     min_value=Decimal("0"), max_digits=12, decimal_places=2)
    limit_light_agent = forms.DecimalField(label=_("Light agents may refund up to"),
                                           min_value=Decimal("0"),
                                           max_digits=12, decimal_places=2)
    limit_admin = forms.DecimalField(label=_("Admins may refund up to"), required=False,
                                     min_value=Decimal("0"), max_digits=12, decimal_places=2,
                                     help_text=_("Blank: no limit."))
    limit_bot = forms.DecimalField(
        label=_("The assistant may refund up to"), min_value=Decimal("0"), max_digits=12,
        decimal_places=2, required=False,
        help_text=_("When it cancels a paid order or a shopper asks for a refund. Blank or 0: "
                    "it always asks the team."))

    def categories(self) -> list[str]:
        raw = str(self.cleaned_data.get("non_returnable_categories") or "")
        return [c.strip() for c in raw.split(",") if c.strip()]

    def limits(self) -> dict[str, str | None]:
        """Above its limit a role's (or the assistant's) refund goes to approval; only the
        admin limit may be blank (no limit). Owners are never limited."""
        out: dict[str, str | None] = {}
        for role in LIMIT_ROLES:
            value = self.cleaned_data.get(f"limit_{role}")
            if value is None and role in ACTOR_LIMITS:
                value = Decimal("0")  # the assistant is never unlimited
            out[role] = None if value is None else str(value)
        return out

    @staticmethod
    def initial_for(store: Any) -> dict[str, Any]:
        limits = {**DEFAULT_REFUND_LIMITS, **(store.refund_limits or {})}
        return {
            "return_window_days": store.return_window_days,
            "non_returnable_categories": ", ".join(store.non_returnable_categories or []),
            "return_condition": store.return_condition,
            "return_instructions": store.return_instructions,
            "free_shipping_threshold": store.free_shipping_threshold,
            **{f"limit_{role}": limits.get(role) for role in LIMIT_ROLES},
        }


class ShippingRateForm(forms.Form):
    method = forms.CharField(label=_("Method"), max_length=100)
    country = forms.CharField(label=_("Country"), max_length=2, initial="*",
                              help_text=_("Two-letter code, or * for everywhere else."))
    cost = forms.DecimalField(label=_("Cost"), min_value=Decimal("0"), max_digits=12,
                              decimal_places=2)
    min_days = forms.IntegerField(label=_("Min days"), min_value=0, max_value=365)
    max_days = forms.IntegerField(label=_("Max days"), min_value=0, max_value=365)
