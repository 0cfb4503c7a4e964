"""Chat-widget settings."""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from storedesk.connectors.base import ChannelConfig, SetupForm


class WebchatConfig(ChannelConfig):
    # Shown to visitors when they open the chat.
    greeting: Annotated[str, Field(max_length=500)] = ""


class WebchatSetupForm(SetupForm):
    greeting = forms.CharField(label=_("Greeting"), required=False, max_length=500,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Shown to visitors when they open the chat."))

    def initial_from(self, config: Any) -> dict[str, Any]:
        return {"greeting": config.greeting}

    def to_config(self) -> WebchatConfig:
        return WebchatConfig(greeting=(self.cleaned_data.get("greeting") or "").strip())
