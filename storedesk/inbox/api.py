"""REST API v1: inboxes, conversations, messages and attachments.

Every handler has the same shape: access helper first (another account's object is a 404),
parse with a schema, call ONE action from storedesk.inbox.actions, answer with a schema.
`request.auth` is the token's Membership (storedesk.accounts.api_auth).
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Status

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError, NotFound
from storedesk.core.pagination import Keyset, check_limit, paginate
from storedesk.core.validation import DbId, SafeStr, find_bad_int
from storedesk.inbox import actions
from storedesk.inbox.downloads import attachment_response
from storedesk.inbox.extra_fields import attach, with_extra_fields
from storedesk.inbox.models import Conversation, Direction
from storedesk.inbox.queries import (
    conversation_messages,
    get_attachment,
    get_conversation,
    get_inbox,
    get_membership,
    get_message,
    get_team,
    visible_conversations,
    visible_inboxes,
)
from storedesk.inbox.schemas import (
    MAX_PAGE,
    AssignIn,
    InboxOut,
    MessageIn,
    MessageOut,
    MessagePage,
    PriorityIn,
    StatusIn,
    TagIn,
)
from storedesk.inbox.schemas import (
    ConversationOut as BaseConversationOut,
)
from storedesk.inbox.schemas import (
    ConversationPage as BaseConversationPage,
)

router = Router(tags=["inbox"])

# The conversation with the fields other apps add (inbox/extra_fields.py: the workflow's `sla`).
ConversationOut = with_extra_fields(BaseConversationOut)


class ConversationPage(BaseConversationPage):
    items: list[ConversationOut]  # type: ignore[valid-type]

CONVERSATION_RELATED = ("contact", "assignee__agent", "team")


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _actor(request: HttpRequest) -> Actor:
    return Actor.agent(_member(request))


StatusFilter = Literal["open", "pending", "snoozed", "resolved", "closed"]

CONVERSATIONS = Keyset("api.conversations", (("last_message_at", True),), id_desc=True)
MESSAGES = Keyset("api.messages", (("created_at", False),), id_desc=False)


def _render(member: Membership, conversation_id: int) -> Conversation:
    """The conversation as the API shows it, read back after an action.

    An action may move it out of the caller's view (a light agent unassigns herself from
    another team's conversation): the answer is still 200 with the result, flagged
    `"visible": false`, rather than "applied, then 404". Later reads of it are 404s.
    """
    try:
        return get_conversation(member, conversation_id)
    except NotFound:
        moved = (
            Conversation.objects.filter(account_id=member.account_id, pk=conversation_id)
            .select_related(*CONVERSATION_RELATED)
            .get()
        )
        moved.visible = False  # type: ignore[attr-defined]
        return moved


# --- Inboxes --------------------------------------------------------------------------------


@router.get("/inboxes", response=list[InboxOut], url_name="inboxes")
def list_inboxes(request: HttpRequest) -> Any:
    return list(visible_inboxes(_member(request)).order_by("name", "id"))


@router.get("/inboxes/{inbox_id}", response=InboxOut, url_name="inbox")
def get_inbox_detail(request: HttpRequest, inbox_id: int) -> Any:
    return get_inbox(_member(request), inbox_id)


# --- Conversations --------------------------------------------------------------------------


def _filtered(
    member: Membership,
    *,
    status: str | None,
    inbox: int | None,
    assignee: str | None,
    team: int | None,
    tag: str | None,
    language: str | None,
) -> QuerySet[Conversation]:
    qs = visible_conversations(member)
    if status:
        qs = qs.filter(status=status)
    if inbox is not None:
        qs = qs.filter(inbox_id=inbox)
    if assignee:
        if assignee == "me":
            qs = qs.filter(assignee_id=member.pk)
        elif assignee == "none":
            qs = qs.filter(assignee__isnull=True)
        elif assignee.isascii() and assignee.isdigit() and find_bad_int(int(assignee)) is None:
            qs = qs.filter(assignee_id=int(assignee))
        else:
            raise ActionError('assignee is a membership id, "me" or "none".')
    if team is not None:
        qs = qs.filter(team_id=team)
    if tag:
        qs = qs.filter(tags__name=tag.strip().lower())
    if language:
        qs = qs.filter(language=language)
    return qs


@router.get("/conversations", response=ConversationPage, url_name="conversations")
def list_conversations(
    request: HttpRequest,
    status: StatusFilter | None = None,
    inbox: DbId | None = None,
    assignee: SafeStr | None = None,
    team: DbId | None = None,
    tag: SafeStr | None = None,
    language: SafeStr | None = None,
    limit: int = Query(25, ge=1, le=MAX_PAGE),
    cursor: SafeStr | None = None,
) -> Any:
    """Newest activity first. Pass `next_cursor` back as `cursor` for the next page."""
    limit = check_limit(limit, MAX_PAGE)
    qs = _filtered(_member(request), status=status, inbox=inbox, assignee=assignee, team=team,
                   tag=tag, language=language)
    qs = qs.select_related(*CONVERSATION_RELATED).prefetch_related("tags")
    page = paginate(qs, CONVERSATIONS, limit=limit, cursor=cursor)
    attach(page.items)  # extra fields for the whole page at once
    return page


@router.get("/conversations/{conversation_id}", response=ConversationOut,
            url_name="conversation")
def get_conversation_detail(request: HttpRequest, conversation_id: int) -> Any:
    return get_conversation(_member(request), conversation_id)


@router.get("/conversations/{conversation_id}/messages", response=MessagePage,
            url_name="conversation_messages")
def list_messages(
    request: HttpRequest,
    conversation_id: int,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
    cursor: SafeStr | None = None,
) -> Any:
    """The thread, oldest first, notes included (`private: true`)."""
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    limit = check_limit(limit, MAX_PAGE)
    qs = conversation_messages(member, conversation)
    return paginate(qs, MESSAGES, limit=limit, cursor=cursor)


@router.post("/conversations/{conversation_id}/messages", response={201: MessageOut},
             url_name="conversation_reply")
def post_message(request: HttpRequest, conversation_id: int, payload: MessageIn) -> Any:
    """A reply to the shopper (delivered through the inbox's channel) or a private note."""
    conversation = get_conversation(_member(request), conversation_id)
    if payload.private:
        if payload.content_type != "text":
            raise ActionError("Private notes are text only.")
        message = actions.add_note(conversation, _actor(request), payload.text)
    else:
        message = actions.send_reply(conversation, _actor(request), payload.text,
                                     content_type=payload.content_type, content=payload.content)
    return Status(201, message)


@router.post("/conversations/{conversation_id}/assign", response=ConversationOut,
             url_name="conversation_assign")
def assign_conversation(request: HttpRequest, conversation_id: int, payload: AssignIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    assignee = (
        get_membership(member, payload.assignee_id) if payload.assignee_id is not None else None
    )
    set_team = "team_id" in payload.model_fields_set
    team = get_team(member, payload.team_id) if payload.team_id is not None else None
    actions.assign(conversation, _actor(request), assignee=assignee, team=team,
                   set_team=set_team)
    return _render(member, conversation_id)


@router.post("/conversations/{conversation_id}/status", response=ConversationOut,
             url_name="conversation_status")
def change_status(request: HttpRequest, conversation_id: int, payload: StatusIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    actions.change_status(conversation, _actor(request), payload.status,
                          snoozed_until=payload.snoozed_until)
    return _render(member, conversation_id)


@router.post("/conversations/{conversation_id}/priority", response=ConversationOut,
             url_name="conversation_priority")
def set_priority(request: HttpRequest, conversation_id: int, payload: PriorityIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    actions.set_priority(conversation, _actor(request), payload.priority)
    return _render(member, conversation_id)


@router.post("/conversations/{conversation_id}/tags", response=ConversationOut,
             url_name="conversation_tags")
def add_tag(request: HttpRequest, conversation_id: int, payload: TagIn) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    actions.tag(conversation, _actor(request), payload.name)
    return _render(member, conversation_id)


@router.delete("/conversations/{conversation_id}/tags/{name}", response=ConversationOut,
               url_name="conversation_tag")
def remove_tag(request: HttpRequest, conversation_id: int, name: SafeStr) -> Any:
    member = _member(request)
    conversation = get_conversation(member, conversation_id)
    actions.untag(conversation, _actor(request), name)
    return _render(member, conversation_id)


# --- Messages and attachments ---------------------------------------------------------------


@router.post("/messages/{message_id}/retry", response=MessageOut, url_name="message_retry")
def retry_message(request: HttpRequest, message_id: int) -> Any:
    """Queue a failed outgoing reply again. It is never sent twice."""
    member = _member(request)
    message = get_message(member, message_id)
    if message.direction != Direction.OUTGOING or message.private:
        raise ActionError("Only a failed outgoing reply can be retried.")
    if not hasattr(message, "delivery"):
        raise ActionError("Only a failed outgoing reply can be retried.")
    actions.retry_delivery(message, _actor(request))
    return conversation_messages(member, message.conversation).get(pk=message.pk)


@router.get("/attachments/{attachment_id}", url_name="attachment",
            response={200: None},
            openapi_extra={"responses": {"200": {
                "description": "The file, always as a download",
                "content": {"application/octet-stream": {}},
            }}})
def download_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    return attachment_response(get_attachment(_member(request), attachment_id))
