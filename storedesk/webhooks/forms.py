"""The settings page's forms: a webhook's URL, chosen event kinds, and whether it is active."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.webhooks.actions import SUBSCRIBABLE


class WebhookForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(kind, kind) for kind in sorted(SUBSCRIBABLE)],
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class WebhookEditForm(WebhookForm):
    is_active = forms.BooleanField(label=_("Active"), required=False)
