"""Forms of the workflow's settings pages (SLA policies, business hours).

They parse; the actions (`workflow.actions_sla`) validate what is stored, so the API and the
pages refuse the same things.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Team
from storedesk.inbox.channels import channel_choices
from storedesk.inbox.models import Inbox, Priority
from storedesk.workflow import hours
from storedesk.workflow.actions_sla import MAX_TARGET_MINUTES, PolicySpec
from storedesk.workflow.models import Availability, SlaPolicy, Strategy
from storedesk.workflow.segments import SEGMENTS

DAY_LABELS = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
              _("Saturday"), _("Sunday"))


def _minutes(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=1,
                              max_value=MAX_TARGET_MINUTES, help_text=_("Minutes; empty = none."))


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    first_response_minutes = _minutes(_("First response within"))
    next_response_minutes = _minutes(_("Next response within"))
    resolution_minutes = _minutes(_("Resolution within"))
    business_hours = forms.BooleanField(label=_("Count business hours only"), required=False,
                                        initial=True)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=1_000_000,
                                  initial=100, help_text=_("Lower first: the first matching "
                                                           "active policy applies."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    channels = forms.MultipleChoiceField(label=_("Channels"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    priorities = forms.MultipleChoiceField(label=_("Priorities"), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           choices=Priority.choices)
    stores = forms.MultipleChoiceField(label=_("Stores"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    segments = forms.MultipleChoiceField(label=_("Customer segments"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    tags = forms.CharField(label=_("Tags (any of)"), required=False, max_length=700,
                           help_text=_("Separated by commas."))

    def __init__(self, *args: Any, stores: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = channel_choices()  # type: ignore[attr-defined]
        self.fields["stores"].choices = [(str(i), n) for i, n in stores]  # type: ignore[attr-defined]
        self.fields["segments"].choices = [  # type: ignore[attr-defined]
            (key, segment.label) for key, segment in sorted(SEGMENTS.items())]

    def spec(self) -> PolicySpec:
        data = self.cleaned_data
        return PolicySpec(
            name=data["name"], first_response_minutes=data.get("first_response_minutes"),
            next_response_minutes=data.get("next_response_minutes"),
            resolution_minutes=data.get("resolution_minutes"),
            business_hours=bool(data.get("business_hours")), position=data["position"],
            is_active=bool(data.get("is_active")), channels=list(data.get("channels") or []),
            priorities=list(data.get("priorities") or []),
            store_ids=[int(s) for s in data.get("stores") or []],
            tags=[t.strip() for t in (data.get("tags") or "").split(",") if t.strip()],
            segments=list(data.get("segments") or []),
        )

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict[str, Any]:
        return {
            "name": policy.name, "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "business_hours": policy.business_hours, "position": policy.position,
            "is_active": policy.is_active, "channels": policy.channels,
            "priorities": policy.priorities, "stores": [str(s) for s in policy.store_ids],
            "segments": policy.segments, "tags": ", ".join(policy.tags),
        }


class BusinessHoursForm(forms.Form):
    """Weekly hours as text per day ("09:00-17:00, 18:00-20:00"), holidays one per line."""

    zone = forms.CharField(label=_("Time zone"), max_length=64,
                           help_text=_("e.g. Europe/Warsaw"))
    holidays = forms.CharField(label=_("Holidays"), required=False,
                               widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000,
                               help_text=_("One date per line (YYYY-MM-DD)."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in zip(hours.DAYS, DAY_LABELS, strict=True):
            self.fields[day] = forms.CharField(
                label=label, required=False, max_length=200,
                help_text=_("e.g. 09:00-17:00; empty = closed."))

    def day_fields(self) -> list[Any]:
        return [self[day] for day in hours.DAYS]

    def clean_zone(self) -> str:
        zone = str(self.cleaned_data["zone"]).strip()
        if not hours.is_time_zone(zone):
            raise forms.ValidationError(_("Unknown time zone."))
        return zone

    def weekly(self) -> dict[str, list[list[str]]]:
        weekly: dict[str, list[list[str]]] = {}
        for day in hours.DAYS:
            text = (self.cleaned_data.get(day) or "").strip()
            pairs = []
            for part in filter(None, (p.strip() for p in text.split(","))):
                start, _sep, end = part.partition("-")
                pairs.append([start.strip(), end.strip()])
            if pairs:
                weekly[day] = pairs
        return weekly

    def holiday_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("holidays") or "").splitlines()
                if line.strip()]

    @staticmethod
    def initial_for(zone: str, weekly: dict[str, Any], holidays: list[str]) -> dict[str, Any]:
        initial: dict[str, Any] = {"zone": zone, "holidays": "\n".join(holidays)}
        for day in hours.DAYS:
            initial[day] = ", ".join(f"{s}-{e}" for s, e in weekly.get(day, []))
        return initial


class PoolForm(forms.Form):
    """Auto-assignment for one inbox or one team ("inbox:3" / "team:5")."""

    target = forms.ChoiceField(label=_("For"))
    strategy = forms.ChoiceField(label=_("Strategy"), choices=Strategy.choices)
    capacity = forms.IntegerField(label=_("Open conversations per agent"), min_value=1,
                                  max_value=1000, initial=10)
    only_online = forms.BooleanField(label=_("Only agents who are online"), required=False,
                                     initial=True)
    away_when_offline = forms.BooleanField(
        label=_("An agent whose workspace is closed is away (their conversations go to others)"),
        required=False, initial=False)

    def __init__(self, *args: Any, account_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_id = account_id
        inboxes = Inbox.objects.filter(account_id=account_id, is_active=True).order_by("name")
        teams = Team.objects.filter(account_id=account_id).order_by("name")
        self.fields["target"].choices = [  # type: ignore[attr-defined]
            (_("Inboxes"), [(f"inbox:{i.pk}", i.name) for i in inboxes]),
            (_("Teams"), [(f"team:{t.pk}", t.name) for t in teams]),
        ]

    def pool_values(self) -> dict[str, Any]:
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        inbox = Inbox.objects.filter(account_id=self.account_id, pk=int(pk)).first() \
            if kind == "inbox" else None
        team = Team.objects.filter(account_id=self.account_id, pk=int(pk)).first() \
            if kind == "team" else None
        return {"inbox": inbox, "team": team, "strategy": self.cleaned_data["strategy"],
                "capacity": self.cleaned_data["capacity"],
                "only_online": bool(self.cleaned_data.get("only_online")),
                "away_when_offline": bool(self.cleaned_data.get("away_when_offline"))}


class ProfileForm(forms.Form):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1,
                                  max_value=1000)
    languages = forms.CharField(label=_("Languages"), required=False, max_length=300)
    channels = forms.CharField(label=_("Channels"), required=False, max_length=300)

    def split(self, name: str) -> list[str]:
        return [v.strip() for v in (self.cleaned_data.get(name) or "").split(",") if v.strip()]
