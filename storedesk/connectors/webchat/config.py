"""Chat-widget settings: look, allowed origins, pre-chat form, business hours, texts.

Stored in ``Inbox.config`` and validated here; the widget receives only what it shows
(`visitor.widget_settings`), never the origins list or anything secret.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import Field, field_validator

from storedesk.connectors.base import ChannelConfig, SetupForm
from storedesk.connectors.webchat.texts import LANGUAGES, TEXT_KEYS

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
HOUR_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_ORIGINS = 50


def normalise_origin(value: str) -> str:
    """'https://Shop.example.com/' -> 'https://shop.example.com'; ValueError when not an origin."""
    value = value.strip().rstrip("/").lower()
    parsed = urlsplit(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.path or parsed.query:
        raise ValueError(f"{value!r} is not an origin like https://shop.example.com")
    if "@" in parsed.netloc:
        raise ValueError(f"{value!r} is not an origin like https://shop.example.com")
    return f"{parsed.scheme}://{parsed.netloc}"


class WebchatConfig(ChannelConfig):
    # Shown to visitors when they open the chat (overrides the translated default greeting).
    greeting: Annotated[str, Field(max_length=500)] = ""
    color: str = "#2563eb"
    position: Literal["right", "left"] = "right"
    avatar_url: Annotated[str, Field(max_length=500)] = ""
    # Pages allowed to embed the widget (origins); empty = only this server's own pages.
    allowed_origins: list[str] = Field(default_factory=list)
    prechat_form: bool = False
    # Business hours in the inbox's time zone; off = always open.
    hours_enabled: bool = False
    timezone: str = "UTC"
    open_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])  # Monday = 0
    opens: str = "09:00"
    closes: str = "17:00"
    help_search: bool = True
    # Per-language overrides of the widget texts: {"pl": {"title": "..."}}.
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("color")
    @classmethod
    def _color(cls, value: str) -> str:
        if not COLOR_RE.match(value):
            raise ValueError("The colour must look like #2563eb.")
        return value.lower()

    @field_validator("avatar_url")
    @classmethod
    def _avatar(cls, value: str) -> str:
        value = value.strip()
        if value and urlsplit(value).scheme != "https":
            raise ValueError("The avatar must be an https:// address.")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_ORIGINS:
            raise ValueError(f"At most {MAX_ORIGINS} origins.")
        return sorted({normalise_origin(v) for v in value if v.strip()})

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Unknown time zone {value!r}.") from exc
        return value

    @field_validator("open_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d not in range(7) for d in value):
            raise ValueError("Days are 0 (Monday) to 6 (Sunday).")
        return sorted(set(value))

    @field_validator("opens", "closes")
    @classmethod
    def _hour(cls, value: str) -> str:
        if not HOUR_RE.match(value):
            raise ValueError("Hours look like 09:00.")
        return value

    @field_validator("texts")
    @classmethod
    def _texts(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for language, texts in value.items():
            if language not in LANGUAGES:
                raise ValueError(f"Unknown widget language {language!r}.")
            for key, text in texts.items():
                if key not in TEXT_KEYS:
                    raise ValueError(f"Unknown widget text {key!r}.")
                if not isinstance(text, str) or len(text) > 500:
                    raise ValueError(f"The text {key!r} must be at most 500 characters.")
        return value

    # --- business hours -------------------------------------------------------------------

    def is_open(self, now: datetime) -> bool:
        if not self.hours_enabled:
            return True
        local = now.astimezone(zoneinfo.ZoneInfo(self.timezone))
        opens, closes = time.fromisoformat(self.opens), time.fromisoformat(self.closes)
        return local.weekday() in self.open_days and opens <= local.time() < closes

    def next_opening(self, now: datetime) -> datetime | None:
        """When the chat opens next (aware, in the inbox's zone), or None when never."""
        if not self.hours_enabled or not self.open_days:
            return None
        zone = zoneinfo.ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        opens = time.fromisoformat(self.opens)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, opens, tzinfo=zone)
            if day.weekday() in self.open_days and start > local:
                return start
        return None


DAY_CHOICES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
               (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class WebchatSetupForm(SetupForm):
    greeting = forms.CharField(label=_("Greeting"), required=False, max_length=500,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("Shown to visitors when they open the chat."))
    color = forms.CharField(label=_("Colour"), max_length=7, initial="#2563eb", required=False,
                            widget=forms.TextInput(attrs={"type": "color"}))
    position = forms.ChoiceField(label=_("Position"), initial="right", required=False,
                                 choices=[("right", _("Bottom right")), ("left", _("Bottom left"))])
    avatar_url = forms.URLField(label=_("Avatar image (https)"), required=False, max_length=500,
                                assume_scheme="https")
    allowed_origins = forms.CharField(
        label=_("Allowed websites"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One origin per line, e.g. https://shop.example.com. The widget refuses "
                    "to load or connect on any other site."))
    prechat_form = forms.BooleanField(label=_("Ask for name and email before the chat"),
                                      required=False)
    help_search = forms.BooleanField(label=_("Show help-center search in the widget"),
                                     required=False, initial=True)
    hours_enabled = forms.BooleanField(label=_("Use business hours"), required=False)
    timezone = forms.CharField(label=_("Time zone"), max_length=64, initial="UTC", required=False)
    open_days = forms.TypedMultipleChoiceField(label=_("Open on"), choices=DAY_CHOICES,
                                               coerce=int, required=False, initial=[0, 1, 2, 3, 4],
                                               widget=forms.CheckboxSelectMultiple)
    opens = forms.CharField(label=_("Opens at"), max_length=5, initial="09:00", required=False)
    closes = forms.CharField(label=_("Closes at"), max_length=5, initial="17:00",
                             required=False)
    texts = forms.CharField(
        label=_("Text overrides (JSON)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('Per language, e.g. {"pl": {"title": "Napisz do nas"}}.'))

    def initial_from(self, config: Any) -> dict[str, Any]:
        return {
            "greeting": config.greeting, "color": config.color, "position": config.position,
            "avatar_url": config.avatar_url, "allowed_origins": "\n".join(config.allowed_origins),
            "prechat_form": config.prechat_form, "help_search": config.help_search,
            "hours_enabled": config.hours_enabled, "timezone": config.timezone,
            "open_days": config.open_days, "opens": config.opens, "closes": config.closes,
            "texts": json.dumps(config.texts, ensure_ascii=False) if config.texts else "",
        }

    def clean_allowed_origins(self) -> list[str]:
        lines = [line for line in (self.cleaned_data.get("allowed_origins") or "").splitlines()
                 if line.strip()]
        try:
            return [normalise_origin(line) for line in lines]
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_texts(self) -> dict[str, Any]:
        raw = (self.cleaned_data.get("texts") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise forms.ValidationError(_('Write {"language": {"key": "text"}}.'))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self._config = WebchatConfig(
                greeting=(data.get("greeting") or "").strip(),
                color=data.get("color") or "#2563eb", position=data.get("position") or "right",
                avatar_url=data.get("avatar_url") or "",
                allowed_origins=data.get("allowed_origins") or [],
                prechat_form=bool(data.get("prechat_form")),
                help_search=bool(data.get("help_search")),
                hours_enabled=bool(data.get("hours_enabled")),
                timezone=data.get("timezone") or "UTC", open_days=data.get("open_days") or [],
                opens=data.get("opens") or "09:00", closes=data.get("closes") or "17:00",
                texts=data.get("texts") or {},
            )
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise forms.ValidationError(str(exc)) from exc
        return data

    def to_config(self) -> WebchatConfig:
        return self._config
