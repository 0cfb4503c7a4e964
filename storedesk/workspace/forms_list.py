"""The bulk-action form of the inbox list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.inbox.actions import TAG_RE

MAX_BULK = 500


class BulkForm(forms.Form):
    """Selected conversation ids + one action: assign (to a member, me or nobody), close, tag."""

    ACTIONS = [("assign", _("Assign")), ("close", _("Close")), ("tag", _("Tag"))]

    action = forms.ChoiceField(choices=ACTIONS)
    # A membership id, "me" or "none" (only for action=assign).
    assignee = forms.CharField(required=False, max_length=12)
    tag = forms.CharField(required=False, max_length=64)
    # "preview" answers with the confirmation naming what will happen; "apply" does it.
    step = forms.ChoiceField(choices=[("preview", "preview"), ("apply", "apply")], required=False)
    # The list's query string, so the refreshed pane keeps the agent's filters.
    return_query = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conversation_ids: list[int] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw = self.data.getlist("conversations") if hasattr(self.data, "getlist") else []
        ids: list[int] = []
        for value in raw:
            value = str(value).strip()
            if not value.isdigit():
                raise forms.ValidationError(_("Invalid conversation selection."))
            if int(value) not in ids:
                ids.append(int(value))
        if not ids:
            raise forms.ValidationError(_("Select at least one conversation."))
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(
                _("Select at most %(n)d conversations at once.") % {"n": MAX_BULK}
            )
        self.conversation_ids = ids
        action = cleaned.get("action")
        if action == "assign":
            assignee = (cleaned.get("assignee") or "").strip()
            if assignee not in ("me", "none") and not assignee.isdigit():
                self.add_error("assignee", _("Choose whom to assign to."))
        if action == "tag":
            name = (cleaned.get("tag") or "").strip().lower()
            if not TAG_RE.match(name):
                self.add_error("tag", _("A tag is 1-64 letters, digits, spaces or . : / - _"))
            cleaned["tag"] = name
        return cleaned
