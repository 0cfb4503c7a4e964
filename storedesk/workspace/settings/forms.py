"""Forms of the settings pages. They parse and validate; the actions do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Membership, Role
from storedesk.inbox.models import Priority, Status

# Offered on the account page besides the five UI languages.
EXTRA_LANGUAGES = [
    ("de", "Deutsch"), ("fr", "Français"), ("es", "Español"), ("it", "Italiano"),
    ("nl", "Nederlands"), ("pt", "Português"), ("sv", "Svenska"), ("cs", "Čeština"),
    ("uk", "Українська"), ("ru", "Русский"), ("ar", "العربية"), ("vi", "Tiếng Việt"),
    ("ms", "Bahasa Melayu"), ("ja", "日本語"), ("ko", "한국어"), ("zh", "中文"), ("hi", "हिन्दी"),
]
UI_LANGUAGES = [("en", "English"), ("pl", "Polski"), ("tr", "Türkçe"),
                ("id", "Bahasa Indonesia"), ("th", "ไทย")]

INVITE_ROLES = [(Role.ADMIN, _("Admin")), (Role.AGENT, _("Agent")),
                (Role.LIGHT_AGENT, _("Light agent"))]
ALL_ROLES = [(Role.OWNER, _("Owner")), *INVITE_ROLES]


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=INVITE_ROLES, initial=Role.AGENT)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ALL_ROLES)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)


class TeamMembersForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Membership.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        field.queryset = (  # type: ignore[attr-defined]
            Membership.objects.select_related("agent")
            .filter(account_id=account_id, is_active=True).order_by("agent__name")
        )
        field.label_from_instance = lambda m: m.agent.display_name  # type: ignore[attr-defined]


MACRO_STATUS_CHOICES = [("", _("Keep the status")), (Status.OPEN, _("Open")),
                        (Status.PENDING, _("Pending")), (Status.RESOLVED, _("Resolved")),
                        (Status.CLOSED, _("Closed"))]
MACRO_PRIORITY_CHOICES = [("", _("Keep the priority")), (Priority.LOW, _("Low")),
                          (Priority.NORMAL, _("Normal")), (Priority.HIGH, _("High")),
                          (Priority.URGENT, _("Urgent"))]


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    text = forms.CharField(label=_("Reply text"), widget=forms.Textarea(attrs={"rows": 8}),
                           max_length=20_000)
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(label=_("Then set the status to"), required=False,
                               choices=MACRO_STATUS_CHOICES)
    priority = forms.ChoiceField(label=_("Then set the priority to"), required=False,
                                 choices=MACRO_PRIORITY_CHOICES)
    tags = forms.CharField(label=_("Then add the tags"), required=False, max_length=700,
                           help_text=_("Separated by commas."))

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = dict(UI_LANGUAGES + EXTRA_LANGUAGES)
        self.fields["language"].choices = [("", _("Any language"))] + [  # type: ignore[attr-defined]
            (code, names.get(code, code)) for code in languages
        ]

    def actions(self) -> dict[str, Any]:
        data = self.cleaned_data
        tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        return {"status": data.get("status") or "", "priority": data.get("priority") or "",
                "tags": tags}

    @classmethod
    def initial_for(cls, macro: Any) -> dict[str, Any]:
        actions = macro.actions or {}
        return {"name": macro.name, "text": macro.text, "language": macro.language,
                "status": actions.get("status", ""), "priority": actions.get("priority", ""),
                "tags": ", ".join(actions.get("tags", []))}


class TagForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64)
    color = forms.RegexField(label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#6b7280",
                             widget=forms.TextInput(attrs={"type": "color"}))


class AccountForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=200)
    languages = forms.MultipleChoiceField(
        label=_("Languages your customers write in"), choices=UI_LANGUAGES + EXTRA_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The assistant and language detection only consider these."),
    )

