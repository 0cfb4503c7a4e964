"""The inbox list: filters, sort orders, keyset pages, search, unread flags and view counts.

Every query starts from `queries.visible_conversations(membership)`, so tenancy and the light
agents' team rule hold for every view, filter and search. Pages are keyset pages (no OFFSET):
the cursor is a signed token holding the sort key values and the id of the last row shown.
A page costs a constant number of queries whatever its size (rows + tags; counts separately).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storedesk.accounts.models import Membership, Team
from storedesk.core.pagination import Keyset, paginate
from storedesk.core.validation import DB_INT_MAX
from storedesk.inbox.channels import channel_choices
from storedesk.inbox.models import (
    Conversation,
    ConversationRead,
    Inbox,
    Mention,
    Message,
    Priority,
    Status,
    Tag,
)
from storedesk.inbox.queries import visible_conversations
from storedesk.inbox.search import MAX_QUERY_CHARS, search

PAGE_SIZE = 50

VIEW_CHOICES = [
    ("open", _("All open")),
    ("mine", _("Mine")),
    ("mentions", _("Mentions")),
    ("unassigned", _("Unassigned")),
    ("all", _("All")),
]
SORT_CHOICES = [
    ("waiting", _("Oldest waiting")),
    ("newest", _("Newest")),
    ("priority", _("Priority")),
]
# Each sort is a list of (field, descending); nulls always come last; `id` breaks ties.
SORTS: dict[str, list[tuple[str, bool]]] = {
    "waiting": [("waiting_since", False)],
    "newest": [("last_message_at", True)],
    "priority": [("priority_rank", True), ("waiting_since", False)],
}
# The id tie-break follows the direction of the first key.
ID_DESC = {"waiting": False, "newest": True, "priority": False}
# A cursor is signed for its sort: one made for "newest" is refused under "priority".
KEYSETS = {
    sort: Keyset(f"inbox.list.{sort}", tuple(keys), ID_DESC[sort]) for sort, keys in SORTS.items()
}


def _channel_filter_choices() -> list[tuple[str, object]]:
    return [("", _("Any channel")), *channel_choices()]


class ListFilters(forms.Form):
    """What the agent asked to see, parsed from the query string (unknown values are dropped)."""

    view = forms.ChoiceField(choices=VIEW_CHOICES, required=False)
    inbox = forms.IntegerField(required=False, min_value=1, max_value=DB_INT_MAX)
    team = forms.IntegerField(required=False, min_value=1, max_value=DB_INT_MAX)
    tag = forms.IntegerField(required=False, min_value=1, max_value=DB_INT_MAX)
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Status.choices], required=False
    )
    channel = forms.ChoiceField(choices=_channel_filter_choices, required=False)
    language = forms.CharField(required=False, max_length=8)
    priority = forms.ChoiceField(
        choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    # A membership id, or "none" for unassigned.
    assignee = forms.CharField(required=False, max_length=12)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)
    q = forms.CharField(required=False, max_length=MAX_QUERY_CHARS, strip=True)
    cursor = forms.CharField(required=False, max_length=1000)

    def clean_assignee(self) -> str:
        value = (self.cleaned_data.get("assignee") or "").strip()
        # ASCII digits only: "²".isdigit() is true, but int("²") fails.
        if value and value != "none" and not (
            value.isascii() and value.isdigit() and int(value) <= DB_INT_MAX
        ):
            raise forms.ValidationError(_("Unknown assignee."))
        return value

    def clean_language(self) -> str:
        return (self.cleaned_data.get("language") or "").strip().lower()


@dataclass(frozen=True)
class Filters:
    """The cleaned filters, with defaults filled in."""

    view: str = "open"
    inbox: int | None = None
    team: int | None = None
    tag: int | None = None
    status: str = ""
    channel: str = ""
    language: str = ""
    priority: str = ""
    assignee: str = ""
    sort: str = "waiting"
    q: str = ""
    cursor: str = ""

    def query_string(self, **overrides: Any) -> str:
        """The filters as a query string (without the cursor unless overridden)."""
        values = {**self.__dict__, "cursor": "", **overrides}
        params = QueryDict(mutable=True)
        for key, value in values.items():
            if value in (None, ""):
                continue
            if key == "view" and value == "open":
                continue
            if key == "sort" and value == "waiting":
                continue
            params[key] = str(value)
        return params.urlencode()

    @property
    def nav_key(self) -> str:
        """Which nav entry this list is: "inbox:3", "team:2", "tag:7" or "view:mine"."""
        for name in ("inbox", "team", "tag"):
            if getattr(self, name):
                return f"{name}:{getattr(self, name)}"
        return f"view:{self.view}"

    @property
    def effective_status(self) -> str:
        """An explicit status wins; the "all" view and a search show every status (a returning
        shopper's email or order number must find their resolved conversation), the other
        views open ones."""
        if self.status:
            return self.status
        return "" if self.view == "all" or self.q else Status.OPEN


def parse_filters(params: QueryDict) -> Filters:
    form = ListFilters(params)
    form.is_valid()  # invalid fields are simply left out of cleaned_data
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return Filters(**data)


# --- Query ----------------------------------------------------------------------------------


def filtered_conversations(membership: Membership, filters: Filters) -> QuerySet[Conversation]:
    qs = visible_conversations(membership)
    if filters.view == "mine":
        qs = qs.filter(assignee=membership)
    elif filters.view == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif filters.view == "mentions":
        qs = qs.filter(_mentioned(membership))
    status = filters.effective_status
    if status:
        qs = qs.filter(status=status)
    if filters.inbox:
        qs = qs.filter(inbox_id=filters.inbox)
    if filters.team:
        qs = qs.filter(team_id=filters.team)
    if filters.tag:
        qs = qs.filter(
            Exists(
                Conversation.tags.through.objects.filter(
                    conversation_id=OuterRef("pk"), tag_id=filters.tag
                )
            )
        )
    if filters.channel:
        qs = qs.filter(inbox__channel=filters.channel)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif filters.assignee:
        qs = qs.filter(assignee_id=int(filters.assignee))
    if filters.q:
        qs = search(qs, membership, filters.q)
    return qs


# Only what a row shows (and the cursor needs): loading whole rows with their JSON fields
# costs more Python time than the query itself.
ROW_FIELDS = [
    "display_id", "status", "priority", "priority_rank", "subject", "language",
    "last_message_at", "waiting_since", "account_id", "inbox_id", "contact_id", "assignee_id",
    "team_id", "inbox__name", "inbox__channel", "contact__name", "contact__email",
    "contact__phone", "assignee__agent", "assignee__agent__name", "assignee__agent__email",
    "team__name",
]


def annotate_for_list(qs: QuerySet[Conversation], membership: Membership) -> QuerySet[Conversation]:
    """What one row shows: unread for this agent and a preview of the last message."""
    read = ConversationRead.objects.filter(
        conversation_id=OuterRef("pk"),
        agent_id=membership.agent_id,
        last_read_at__gte=OuterRef("last_message_at"),
    )
    last_message = Message.objects.filter(conversation_id=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    return (
        qs.select_related("inbox", "contact", "assignee__agent", "team")
        .only(*ROW_FIELDS)
        .annotate(
            is_read=Exists(read),
            preview=Subquery(
                last_message.annotate(p=Substr("text", 1, 140)).values("p")[:1]
            ),
            preview_private=Subquery(last_message.values("private")[:1]),
        )
    )


@dataclass
class Page:
    rows: list[Conversation]
    next_cursor: str


def list_page(membership: Membership, filters: Filters) -> Page:
    qs = filtered_conversations(membership, filters)
    page = paginate(
        annotate_for_list(qs, membership), KEYSETS[filters.sort], limit=PAGE_SIZE,
        cursor=filters.cursor,
    )
    decorate(page.items)
    return Page(rows=page.items, next_cursor=page.next_cursor or "")


def decorate(rows: list[Conversation]) -> None:
    """Per-row display values computed once in Python (cheaper than template filters), and
    the tag names of all rows in one query (lighter than prefetching Tag objects)."""
    tag_names: dict[int, list[str]] = {}
    if rows:
        pairs = (
            Conversation.tags.through.objects.filter(conversation_id__in=[r.pk for r in rows])
            .order_by("tag__name")
            .values_list("conversation_id", "tag__name")
        )
        for conversation_id, name in pairs:
            tag_names.setdefault(conversation_id, []).append(name)
    now = timezone.now()
    select = gettext("Select conversation #%(number)s")
    unread = gettext("Unread")
    waiting_label = gettext("waiting %(time)s")
    for row in rows:
        last, waiting = row.last_message_at, row.waiting_since
        row.unread = last is not None and not row.is_read  # type: ignore[attr-defined]
        row.last_iso = last.isoformat() if last else ""  # type: ignore[attr-defined]
        row.last_ago = timesince(last, now, depth=1) if last else ""  # type: ignore[attr-defined]
        row.waiting_iso = waiting.isoformat() if waiting else ""  # type: ignore[attr-defined]
        row.waiting_for = (  # type: ignore[attr-defined]
            timesince(waiting, now, depth=1) if waiting else ""
        )
        # Plain strings: the template then skips number localisation and i18n tags per row.
        row.tag_names = tag_names.get(row.pk, [])  # type: ignore[attr-defined]
        row.ident = str(row.pk)  # type: ignore[attr-defined]
        row.num = str(row.display_id)  # type: ignore[attr-defined]
        row.select_label = select % {"number": row.num}  # type: ignore[attr-defined]
        row.unread_label = unread  # type: ignore[attr-defined]
        row.waiting_label = (  # type: ignore[attr-defined]
            waiting_label % {"time": row.waiting_for} if waiting else ""  # type: ignore[attr-defined]
        )


def list_row(
    membership: Membership, conversation_id: int, filters: Filters | None = None
) -> Conversation | None:
    """One row (for live updates), or None when the agent may not see it or it no longer
    matches `filters` (the list it would be shown in)."""
    qs = filtered_conversations(membership, filters) if filters else visible_conversations(
        membership
    )
    row = annotate_for_list(qs, membership).filter(pk=conversation_id).first()
    if row is not None:
        decorate([row])
    return row


# --- Counts ---------------------------------------------------------------------------------


def view_counts(membership: Membership) -> dict[str, Any]:
    """Open conversations per view (Mine, Unassigned, All open) and per inbox, team and tag.

    Two queries: one GROUP BY over the open conversations (an index-only scan of the covering
    index from migration 0002 on PostgreSQL) that yields the views, inboxes and teams, and one
    for the tags.
    """
    open_qs = visible_conversations(membership).filter(status=Status.OPEN)
    groups = (
        open_qs.order_by()
        .values_list("inbox_id", "team_id", "assignee_id")
        .annotate(n=Count("pk"))
    )
    totals = {"open": 0, "mine": 0, "unassigned": 0}
    by_inbox: dict[int, int] = {}
    by_team: dict[int, int] = {}
    for inbox_id, team_id, assignee_id, n in groups:
        totals["open"] += n
        if assignee_id is None:
            totals["unassigned"] += n
        elif assignee_id == membership.pk:
            totals["mine"] += n
        by_inbox[inbox_id] = by_inbox.get(inbox_id, 0) + n
        if team_id is not None:
            by_team[team_id] = by_team.get(team_id, 0) + n
    through = Conversation.tags.through
    by_tag: dict[int, int] = {
        row["tag_id"]: row["n"]
        for row in through.objects.filter(conversation__in=open_qs.values("pk"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
    }
    totals["mentions"] = open_qs.filter(_mentioned(membership)).count()
    return {**totals, "inboxes": by_inbox, "teams": by_team, "tags": by_tag}


def _mentioned(membership: Membership) -> Exists:
    """Conversations in which this agent was @mentioned in a note."""
    return Exists(
        Mention.objects.filter(conversation=OuterRef("pk"), membership=membership)
    )


def nav_context(membership: Membership, *, with_counts: bool = True) -> dict[str, Any]:
    """The inboxes, teams and tags the nav lists (3 queries), plus their counts (2 more).

    Without counts the nav renders at once and fetches them from `inbox:counts` when loaded.
    """
    inboxes = list(
        Inbox.objects.filter(account_id=membership.account_id, is_active=True)
        .only("name", "channel")
        .order_by("name")
    )
    teams_qs = Team.objects.filter(account_id=membership.account_id).only("name").order_by("name")
    if membership.is_light:
        teams_qs = teams_qs.filter(members=membership)
    teams = list(teams_qs)
    tags = list(
        Tag.objects.filter(account_id=membership.account_id).only("name", "color").order_by("name")
    )
    for kind, objects in (("inbox", inboxes), ("team", teams), ("tag", tags)):
        for obj in objects:
            obj.nav_key = f"{kind}:{obj.pk}"  # type: ignore[attr-defined,union-attr]
    counts = view_counts(membership) if with_counts else None
    if counts is not None:
        for inbox in inboxes:
            inbox.open_count = counts["inboxes"].get(inbox.pk, 0)  # type: ignore[attr-defined]
        for team in teams:
            team.open_count = counts["teams"].get(team.pk, 0)  # type: ignore[attr-defined]
        for tag_row in tags:
            tag_row.open_count = counts["tags"].get(tag_row.pk, 0)  # type: ignore[attr-defined]
    return {"counts": counts, "nav_inboxes": inboxes, "nav_teams": teams, "nav_tags": tags}


# --- Context for the templates --------------------------------------------------------------


def list_context(
    request: HttpRequest, params: QueryDict | None = None, *, rows_only: bool = False
) -> dict[str, Any]:
    """Everything `workspace/_list_pane.html` needs, from `params` (default: request.GET).

    The nav's counts are not computed here: the nav loads them from `inbox:counts` (they do
    not change with the filters). `rows_only` ("Load more") also skips the filter choices.
    """
    membership: Membership = request.membership  # type: ignore[attr-defined]
    filters = parse_filters(params if params is not None else request.GET)
    page = list_page(membership, filters)
    rows = {
        "conversation_url_prefix": conversation_url_prefix(),
        "filters": filters,
        "rows": page.rows,
        "next_cursor": page.next_cursor,
        "next_query": filters.query_string(cursor=page.next_cursor) if page.next_cursor else "",
    }
    if rows_only:
        return rows
    members = list(
        Membership.objects.filter(account_id=membership.account_id, is_active=True)
        .select_related("agent")
        .only("agent", "agent__name", "agent__email")
        .order_by("agent__name", "agent__email")
    )
    return {
        **rows,
        "filter_form": ListFilters(initial=filters.__dict__),
        "query_string": filters.query_string(),
        "nav_current": filters.nav_key,
        "members": members,
        "me": membership,
        "sort_choices": SORT_CHOICES,
        "languages": _languages(membership),
        **nav_context(membership, with_counts=False),
    }


def conversation_url_prefix() -> str:
    """"/conversations/" (reversed once per request; rows append "<display_id>/")."""
    return reverse("inbox:conversation", args=[0]).removesuffix("0/")


def _languages(membership: Membership) -> list[str]:
    return [str(code) for code in (membership.account.languages or [])]
