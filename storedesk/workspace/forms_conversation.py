"""Forms that parse the conversation pane's POSTs (composer and header controls).

Every choice a form offers is scoped to the agent's account: an id from another account simply
does not validate.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Membership, Team
from storedesk.core.validation import DB_INT_MAX, validate_storable_datetime
from storedesk.inbox.actions import MAX_TEXT_CHARS
from storedesk.inbox.models import Priority, Status
from storedesk.inbox.storage import IncomingFile
from storedesk.workspace.snooze import PRESETS, wake_time, zone_named


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files, checked against the per-file, count and total limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [single(item, initial) for item in items if item]
        limit = settings.ATTACHMENT_MAX_BYTES
        if len(files) > settings.ATTACHMENT_MAX_COUNT:
            raise forms.ValidationError(
                _("Attach at most %(count)s files to one message."),
                params={"count": settings.ATTACHMENT_MAX_COUNT},
            )
        for upload in files:
            if upload.size is not None and upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than the %(limit)s MiB limit per file."),
                    params={"name": upload.name, "limit": limit // (1024 * 1024)},
                )
        if sum(upload.size or 0 for upload in files) > settings.ATTACHMENT_MAX_TOTAL_BYTES:
            raise forms.ValidationError(
                _("The files are larger than the %(limit)s MiB limit per message."),
                params={"limit": settings.ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)},
            )
        return files


class ComposerForm(forms.Form):
    """A reply or a private note. `macro_id` travels along when the text came from a macro."""

    text = forms.CharField(required=False, max_length=MAX_TEXT_CHARS, strip=True,
                           widget=forms.Textarea(attrs={"rows": 4}))
    macro_id = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=DB_INT_MAX
    )
    attachments = MultipleFileField()
    # "Send and resolve": the reply's second button.
    then = forms.ChoiceField(choices=[("", ""), ("resolve", "resolve")], required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        if not data.get("text") and not data.get("attachments") and not self.errors:
            raise forms.ValidationError(_("Write something or attach a file."))
        return data

    def incoming_files(self) -> list[IncomingFile]:
        """The uploads as streams (spooled to disk by Django), copied in chunks by storage."""
        return [
            IncomingFile(
                filename=upload.name or "attachment",
                content=upload,
                content_type=upload.content_type or "",
                size=upload.size,
            )
            for upload in self.cleaned_data.get("attachments", [])
        ]


class AssignForm(forms.Form):
    """Assignee (blank = nobody) and, when the team select was part of the form, the team."""

    assignee = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False)

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = Membership.objects.filter(  # type: ignore[attr-defined]
            account_id=account_id, is_active=True
        )
        self.fields["team"].queryset = Team.objects.filter(  # type: ignore[attr-defined]
            account_id=account_id
        )

    @property
    def sets_team(self) -> bool:
        return "team" in self.data


class StatusForm(forms.Form):
    """A status; snoozing also needs `snoozed_until` from a datetime-local input.

    The browser's datetime-local value has no zone: the page sends the browser's
    `getTimezoneOffset()` along as `tz_offset` (minutes, UTC minus local); without it the
    account's time zone is used.
    """

    status = forms.ChoiceField(choices=Status.choices, required=False)
    snoozed_until = forms.CharField(required=False, max_length=32)
    tz_offset = forms.IntegerField(required=False, min_value=-16 * 60, max_value=16 * 60)
    # A snooze preset (workspace/snooze.py) in the agent's zone (`tz`, IANA, from the browser).
    preset = forms.ChoiceField(choices=PRESETS, required=False)
    tz = forms.CharField(required=False, max_length=64)

    def __init__(self, *args: Any, account_timezone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_timezone = account_timezone

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or self.cleaned_data
        raw = (data.get("snoozed_until") or "").strip()
        data["snoozed_until"] = None
        if data.get("preset"):
            data["status"] = Status.SNOOZED
            data["snoozed_until"] = wake_time(
                data["preset"], timezone.now(),
                zone_named(data.get("tz") or "", self.account_timezone))
            return data
        if not data.get("status"):
            self.add_error("status", _("Choose a status."))
            return data
        if raw:
            try:
                naive = datetime.fromisoformat(raw)
            except ValueError:
                self.add_error("snoozed_until", _("Enter a date and time."))
                return data
            try:
                if naive.tzinfo is not None:
                    data["snoozed_until"] = naive
                elif data.get("tz_offset") is not None:
                    data["snoozed_until"] = naive.replace(tzinfo=UTC) + timedelta(
                        minutes=data["tz_offset"]
                    )
                else:
                    try:
                        zone: Any = ZoneInfo(self.account_timezone)
                    except (ZoneInfoNotFoundError, ValueError):
                        zone = UTC
                    data["snoozed_until"] = naive.replace(tzinfo=zone)
                validate_storable_datetime(data["snoozed_until"])
            except (OverflowError, ValidationError) as exc:
                data["snoozed_until"] = None
                self.add_error("snoozed_until", _("Pick a date between the years 2 and 9998.")
                               if isinstance(exc, OverflowError) else exc)
                return data
        if data.get("status") == Status.SNOOZED and data["snoozed_until"] is None:
            self.add_error("snoozed_until", _("Pick when the conversation wakes up."))
        return data


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)


class TagForm(forms.Form):
    name = forms.CharField(max_length=64, strip=True)
