"""Forms for the customer sidebar: edit a contact, find another contact to merge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.contacts.models import Contact
from storedesk.core.validation import DB_INT_MAX


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False, strip=True)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False, strip=True)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, languages: list[str], contact: Contact, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"name": contact.name, "email": contact.email, "phone": contact.phone,
             "language": contact.language},
        )
        super().__init__(*args, **kwargs)
        codes = list(dict.fromkeys([*languages, *([contact.language] if contact.language else [])]))
        self.fields["language"].choices = [("", "—"), *[(c, c.upper()) for c in codes]]  # type: ignore[attr-defined]


class MergeSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, email or phone"), max_length=200, required=False, strip=True)


class MergeForm(forms.Form):
    other = forms.IntegerField(min_value=1, max_value=DB_INT_MAX, widget=forms.HiddenInput)
