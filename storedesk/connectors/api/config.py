"""API-channel settings: where replies are POSTed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from pydantic import field_validator

from storedesk.connectors.base import ChannelConfig, SetupForm


class ApiConfig(ChannelConfig):
    # Replies are POSTed here, signed with the inbox's secret; "" = not set yet.
    webhook_url: str = ""

    @field_validator("webhook_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except ValidationError as exc:
                raise ValueError("The webhook URL must be an http(s) URL.") from exc
        return value


class ApiSetupForm(SetupForm):
    webhook_url = forms.URLField(
        label=_("Webhook URL"), required=False, assume_scheme="https", max_length=2000,
        help_text=_("Replies are POSTed here, signed with the inbox's secret."),
    )

    def initial_from(self, config: Any) -> dict[str, Any]:
        return {"webhook_url": config.webhook_url}

    def to_config(self) -> ApiConfig:
        return ApiConfig(webhook_url=self.cleaned_data.get("webhook_url") or "")
