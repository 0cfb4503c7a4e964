"""The composer: reply and private note as two separate forms with separate drafts.

A reply and a note never share a text box or a send button: each form posts to its own URL
and is answered with its own partial (and the thread out-of-band). Drafts are kept on the
server per agent, conversation and mode. A reply waits UNDO_SEND_SECONDS before its delivery
starts and can be taken back meanwhile.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.actor import Actor
from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.core.formatting import render_markdown
from storedesk.inbox import actions
from storedesk.inbox.actions import MAX_TEXT_CHARS
from storedesk.inbox.models import Conversation, Status
from storedesk.inbox.queries import conversation_messages
from storedesk.inbox.transitions import TRANSITIONS
from storedesk.workspace import actions as workspace_actions
from storedesk.workspace.access import (
    controls_context,
    conversation_or_404,
    membership_of,
    thread_context,
)
from storedesk.workspace.composing import compose
from storedesk.workspace.forms_conversation import ComposerForm
from storedesk.workspace.models import Draft, DraftMode
from storedesk.workspace.slots import render_composer_tools, tool_metadata

TEMPLATES = {"reply": "workspace/_reply_form.html", "note": "workspace/_note_form.html"}


def composer_context(
    request: HttpRequest,
    conversation: Conversation,
    forms: dict[str, ComposerForm] | None = None,
    mode: str = "reply",
) -> dict[str, Any]:
    """Both forms: a bound form (with errors) where given, else the saved draft."""
    membership = membership_of(request)
    closed = conversation.status == Status.CLOSED
    if closed:
        mode = "note"  # a closed conversation takes private notes only
    drafts = dict(
        Draft.objects.filter(
            account_id=membership.account_id, membership=membership, conversation=conversation
        ).values_list("mode", "text")
    )
    forms = forms or {}
    signature, source = workspace_actions.chosen_signature(membership, conversation)
    context: dict[str, Any] = {
        "conversation": conversation,
        "reply_form": forms.get("reply") or ComposerForm(initial={"text": drafts.get("reply", "")}),
        "note_form": forms.get("note") or ComposerForm(initial={"text": drafts.get("note", "")}),
        "composer_mode": mode,
        "mention_handles": _mention_handles(membership),
        "closed": closed,
        "can_resolve": Status.RESOLVED in TRANSITIONS[conversation.status],
        "signature": signature,
        "signature_source": source.label if source else "",
    }
    # Tools see the reply form as `composer_form` (the macro picker marks the chosen macro).
    tools = render_composer_tools(
        request, conversation, {**context, "composer_form": context["reply_form"]}
    )
    context["reply_tools"] = [t for t in tools if "reply" in t.modes]
    context["note_tools"] = [t for t in tools if "note" in t.modes]
    return context


def _mention_handles(membership: Membership) -> list[dict[str, str]]:
    """Teammates to @mention: the handle is the email's local part (what add_note resolves)."""
    rows = (
        Membership.objects.filter(account_id=membership.account_id, is_active=True)
        .exclude(pk=membership.pk)
        .select_related("agent")
        .order_by("agent__name")
    )
    return [
        {"handle": m.agent.email.split("@")[0], "name": m.agent.display_name} for m in rows
    ]


def _form_response(
    request: HttpRequest,
    conversation: Conversation,
    mode: str,
    form: ComposerForm | None = None,
    *,
    status: int = 200,
    header: bool = False,
) -> HttpResponse:
    """One form's partial; after a success, the thread (and the header) out-of-band."""
    context = composer_context(request, conversation, {mode: form} if form else None, mode)
    if status == 200:
        context.update(thread_context(request, conversation))
        context["thread_oob"] = True
        if header:
            context.update(controls_context(membership_of(request), conversation))
            context["header_oob"] = True
    return render(request, TEMPLATES[mode], context, status=status)


# --- GET ------------------------------------------------------------------------------------


@member_required
@require_GET
def macro_preview(request: HttpRequest, display_id: int) -> HttpResponse:
    """The reply form with a macro rendered into it (nothing is sent or applied).

    A variable without a value stays as `{{name}}`: the composer marks it and the reply cannot
    be sent until the agent fills it in or removes it.
    """
    from storedesk.workflow.macros import render_macro
    from storedesk.workflow.models import Macro

    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    try:
        macro_id = int(request.GET.get("macro", ""))
    except ValueError:
        macro_id = 0
    macro = Macro.objects.filter(account_id=membership.account_id, pk=macro_id).first()
    if macro is None:
        return render(request, TEMPLATES["reply"], composer_context(request, found))
    text = render_macro(macro, found, membership, keep_missing=True)
    form = ComposerForm(initial={"text": text, "macro_id": macro.pk})
    return render(request, TEMPLATES["reply"], composer_context(request, found, {"reply": form}))


# --- POST -----------------------------------------------------------------------------------


def _unfilled(text: str) -> list[str]:
    from storedesk.workflow.macros import VARIABLE_RE

    return ["{{" + m.group(1) + "}}" for m in VARIABLE_RE.finditer(text)]


@member_required
@require_POST
def reply(request: HttpRequest, display_id: int) -> HttpResponse:
    from storedesk.workflow.actions import reply_with_macro
    from storedesk.workflow.models import Macro

    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_response(request, found, "reply", form, status=400)
    text = form.cleaned_data.get("text") or ""
    unfilled = _unfilled(text)
    if unfilled:
        form.add_error("text", _("Fill in or remove %(variables)s before sending.") % {
            "variables": ", ".join(dict.fromkeys(unfilled))})
        return _form_response(request, found, "reply", form, status=400)
    macro = None
    if form.cleaned_data.get("macro_id"):
        macro = Macro.objects.filter(
            account_id=membership.account_id, pk=form.cleaned_data["macro_id"]
        ).first()
        if macro is None:
            form.add_error(None, _("That macro no longer exists."))
            return _form_response(request, found, "reply", form, status=400)
    resolve = form.cleaned_data.get("then") == "resolve"
    try:
        metadata = tool_metadata(request, found)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _form_response(request, found, "reply", form, status=400)
    signature = ""
    if request.POST.get("signature") == "on":
        signature = workspace_actions.signature_for(membership, found)
    formatted = compose(text, signature)
    # The Markdown as typed (undo-send gives it back) and the one signature chosen here: the
    # channel adds no signature of its own to this reply.
    metadata.update({"markdown": text, "signature": signature})
    seconds = settings.UNDO_SEND_SECONDS
    actor = Actor.agent(membership)
    try:
        with transaction.atomic():
            reply_with_macro(
                found, actor, formatted.text, macro, attachments=form.incoming_files(),
                html=formatted.html, metadata=metadata,
                send_after=timedelta(seconds=seconds) if seconds > 0 else None,
            )
            if resolve:
                found.refresh_from_db()
                if found.status != Status.RESOLVED:
                    actions.change_status(found, actor, Status.RESOLVED)
    except ActionError as exc:
        form.add_error(None, exc.detail)
        return _form_response(request, found, "reply", form, status=400)
    workspace_actions.clear_draft(membership, found, DraftMode.REPLY)
    response = _form_response(
        request, conversation_or_404(request, display_id), "reply", header=True
    )
    if resolve:
        response["HX-Trigger"] = json.dumps({"storedesk:resolved": {"id": found.pk}})
    return response


@member_required
@require_POST
def note(request: HttpRequest, display_id: int) -> HttpResponse:
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    form = ComposerForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_response(request, found, "note", form, status=400)
    formatted = render_markdown(form.cleaned_data.get("text") or "")
    try:
        actions.add_note(
            found, Actor.agent(membership), formatted.text, html=formatted.html,
            attachments=form.incoming_files(),
        )
    except ActionError as exc:
        form.add_error(None, exc.detail)
        return _form_response(request, found, "note", form, status=400)
    workspace_actions.clear_draft(membership, found, DraftMode.NOTE)
    return _form_response(request, found, "note")


@member_required
@require_POST
def preview(request: HttpRequest, display_id: int, mode: str) -> HttpResponse:
    """The message as it will be stored: the Markdown rendered, with the one signature a reply
    gets when "Add my signature" is ticked (nothing is saved or sent)."""
    if mode not in DraftMode.values:
        raise Http404("No such composer.")
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    text = request.POST.get("text", "")[: MAX_TEXT_CHARS]
    signature = ""
    if mode == DraftMode.REPLY and request.POST.get("signature") == "on":
        signature = workspace_actions.signature_for(membership, found)
    formatted = compose(text, signature)
    return render(request, "workspace/_composer_preview.html", {"formatted": formatted})


@member_required
@require_POST
def draft(request: HttpRequest, display_id: int, mode: str) -> HttpResponse:
    """Keep what the agent is typing (sent by the composer as they type)."""
    if mode not in DraftMode.values:
        raise Http404("No such composer.")
    found = conversation_or_404(request, display_id)
    text = request.POST.get("text", "")
    try:
        workspace_actions.save_draft(membership_of(request), found, mode, text)
    except ActionError as exc:
        return HttpResponse(exc.detail, status=400)
    return HttpResponse(status=204)


@member_required
@require_POST
def cancel_send(request: HttpRequest, display_id: int, message_id: int) -> HttpResponse:
    """Undo-send: take the reply back while its delivery waits; its text returns as a draft."""
    membership = membership_of(request)
    found = conversation_or_404(request, display_id)
    message = conversation_messages(membership, found).filter(pk=message_id).first()
    if message is None:
        raise Http404("Message not found.")
    try:
        text = actions.cancel_reply(message, Actor.agent(membership))
    except ActionError as exc:
        response = _form_response(request, found, "reply")
        response["HX-Trigger"] = json.dumps(
            {"storedesk:toast": {"message": exc.detail, "kind": "error"}})
        return response
    workspace_actions.save_draft(membership, found, DraftMode.REPLY, text)
    response = _form_response(request, found, "reply")
    response["HX-Trigger"] = json.dumps({"storedesk:toast": {
        "message": _("Reply taken back: nothing was sent."), "kind": "success"}})
    return response
