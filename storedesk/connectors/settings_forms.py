"""The parts of the inbox settings form every channel shares (the channel's own fields come
from its connector's SetupForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Team


class InboxBasicsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("No team"))

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            account_id=account_id).order_by("name")


class IntegrationKeyForm(forms.Form):
    name = forms.CharField(label=_("Key name"), max_length=100, initial=_("Integration key"))
