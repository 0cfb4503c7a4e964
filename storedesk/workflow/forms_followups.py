"""Forms of the follow-up and playbook settings pages. They parse; the actions validate what
is stored (the API refuses the same things)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.core.validation import validate_storable_text
from storedesk.workflow.actions_followups import AutoResolveSpec
from storedesk.workflow.models import FollowUpSettings, Playbook
from storedesk.workflow.playbooks import PlaybookSpec


def _words(value: str) -> list[str]:
    return [w for w in value.replace(",", " ").split() if w]


class AutoResolveForm(forms.Form):
    auto_resolve_days = forms.IntegerField(
        label=_("Resolve after (days)"), required=False, min_value=1, max_value=365,
        help_text=_("Calendar days without an answer from the customer after the last reply "
                    "(weekends count). Empty: never."))
    send_closing_message = forms.BooleanField(label=_("Send a closing message"),
                                              required=False, initial=True)
    closing_message = forms.CharField(
        label=_("Closing message"), required=False, max_length=2000,
        validators=[validate_storable_text], widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Empty: the built-in message, in the conversation's language where "
                    "Storedesk has a translation."))

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages
        for language in languages:
            self.fields[f"closing_{language}"] = forms.CharField(
                label=_("Closing message in %(language)s") % {"language": language},
                required=False, max_length=2000, validators=[validate_storable_text],
                widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_for(cls, row: FollowUpSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "auto_resolve_days": row.auto_resolve_days,
            "send_closing_message": row.send_closing_message,
            "closing_message": row.closing_message}
        for language, text in (row.closing_translations or {}).items():
            initial[f"closing_{language}"] = text
        return initial

    def spec(self) -> AutoResolveSpec:
        data = self.cleaned_data
        return AutoResolveSpec(
            days=data.get("auto_resolve_days"),
            send_closing_message=bool(data.get("send_closing_message")),
            closing_message=data.get("closing_message") or "",
            closing_translations={lang: data.get(f"closing_{lang}") or ""
                                  for lang in self.languages})


class PlaybookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, validators=[validate_storable_text])
    article = forms.TypedChoiceField(label=_("Internal article"), coerce=int,
                                     help_text=_("Only agents-only articles can be linked."))
    intents = forms.CharField(label=_("Intents"), required=False, max_length=2000,
                              validators=[validate_storable_text],
                              help_text=_("Separated by spaces or commas, e.g. "
                                          "order_status refund_request"))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=2000,
                           validators=[validate_storable_text],
                           help_text=_("Separated by spaces or commas."))
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=10_000, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, articles: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = articles  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, playbook: Playbook) -> dict[str, Any]:
        return {"name": playbook.name, "article": playbook.article_id,
                "intents": " ".join(playbook.intents), "tags": " ".join(playbook.tags),
                "position": playbook.position, "is_active": playbook.is_active}

    def spec(self) -> PlaybookSpec:
        data = self.cleaned_data
        return PlaybookSpec(name=data["name"], article_id=data["article"],
                            intents=_words(data.get("intents") or ""),
                            tags=_words(data.get("tags") or ""),
                            position=data.get("position") or 0,
                            is_active=bool(data.get("is_active")))
