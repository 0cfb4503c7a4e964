"""Partials of the help center's composer tool: suggestions (GET) and an article draft made
from a good reply (POST). Both start from the inbox's access helper, so a light agent or another
account gets a 404 for a conversation they may not see."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.decorators import member_required
from storedesk.core.errors import ActionError, NotFound
from storedesk.helpcenter import actions
from storedesk.helpcenter.api import hit_url
from storedesk.helpcenter.workspace import conversation_language, help_center_of, suggestions_for
from storedesk.inbox.models import Conversation
from storedesk.inbox.queries import get_conversation_by_display_id


def _conversation(request: HttpRequest, display_id: int) -> Conversation:
    try:
        return get_conversation_by_display_id(request.membership, display_id)  # type: ignore[attr-defined]
    except NotFound as exc:
        raise Http404 from exc


@member_required
@require_GET
def suggestions(request: HttpRequest, display_id: int) -> HttpResponse:
    conversation = _conversation(request, display_id)
    query = request.GET.get("hc_q", "")[:200]
    help_center, language, hits = suggestions_for(request.membership, conversation, query)  # type: ignore[attr-defined]
    rows = []
    for hit in hits:
        url = hit_url(help_center.slug, hit.language, hit.slug, hit.article_id,  # type: ignore[union-attr]
                      hit.internal)
        rows.append({"hit": hit, "url": request.build_absolute_uri(url)})
    replies = (conversation.messages.filter(direction="outgoing", private=False,
                                            sender_type="agent")
               .exclude(text="").order_by("-created_at")[:3])
    return render(request, "helpcenter/workspace/_suggestions.html", {
        "conversation": conversation, "rows": rows, "query": query, "language": language,
        "help_center": help_center, "replies": replies,
        "can_draft": not request.membership.is_light,  # type: ignore[attr-defined]
    })


@member_required
@require_POST
def article_from_reply(request: HttpRequest, display_id: int, message_id: int) -> HttpResponse:
    conversation = _conversation(request, display_id)
    message = conversation.messages.filter(pk=message_id, direction="outgoing",
                                           private=False).first()
    help_center = help_center_of(conversation)
    if message is None or help_center is None:
        raise Http404
    language = conversation_language(help_center, conversation)
    first_line = (conversation.subject or message.text.strip().splitlines()[0])[:120]
    try:
        translation = actions.save_article(
            request.membership, help_center,  # type: ignore[attr-defined]
            actions.ArticleInput(slug=f"{first_line[:60]}-{message.pk}", language=language,
                                 title=first_line, body=message.text, visibility="internal"),
            allow_agents=True)
    except ActionError as exc:
        return HttpResponse(exc.detail, status=exc.status_code,
                            content_type="text/plain; charset=utf-8")
    edit = reverse("helpcenter_admin:article", args=[translation.article_id, language])
    return render(request, "helpcenter/workspace/_drafted.html", {
        "translation": translation, "edit_url": edit,
        "is_admin": request.membership.is_admin})  # type: ignore[attr-defined]
