"""Forms of the help-center settings pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from storedesk.helpcenter.models import Visibility

LANGUAGE_CHOICES = settings.LANGUAGES


class HelpCenterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=LANGUAGE_CHOICES)
    languages = forms.MultipleChoiceField(label=_("Languages shown"), choices=LANGUAGE_CHOICES,
                                          required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=_("None ticked: every account language."))
    is_public = forms.BooleanField(label=_("Published on the web"), required=False)
    primary_color = forms.RegexField(label=_("Header colour"), regex=r"^#[0-9a-fA-F]{6}$",
                                     widget=forms.TextInput(attrs={"type": "color"}))
    accent_color = forms.RegexField(label=_("Accent colour"), regex=r"^#[0-9a-fA-F]{6}$",
                                    widget=forms.TextInput(attrs={"type": "color"}))
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    chat_url = forms.URLField(label=_("Chat link (https)"), required=False,
                              assume_scheme="https")


class CategoryForm(forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=80)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    position = forms.IntegerField(label=_("Position"), min_value=0, required=False)


class ArticleForm(forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary (meta description)"), max_length=300,
                              required=False)
    body = forms.CharField(label=_("Body (Markdown)"), required=False, max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 18}))
    category = forms.ChoiceField(label=_("Category"), required=False)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    tags = forms.CharField(label=_("Tags (comma separated)"), required=False, max_length=500)
    related = forms.CharField(label=_("Related articles (slugs, comma separated)"),
                              required=False, max_length=1000)

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "—"), *categories]  # type: ignore[attr-defined]


def split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Image (PNG, JPEG, GIF, WebP)"))
    as_logo = forms.BooleanField(label=_("Use as logo"), required=False)
