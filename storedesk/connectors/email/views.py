"""Email settings pages (admins and owners; everyone else gets a 404): "Test connection" on an
email inbox's settings page, and the dead-letter list with retry, delete and download."""

from __future__ import annotations

import secrets
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from storedesk.accounts.decorators import admin_required
from storedesk.accounts.models import Agent
from storedesk.connectors.email import dead_letters, oauth, probe
from storedesk.connectors.email.config import EmailConfig, EmailSetupForm, uses_oauth
from storedesk.connectors.email.models import DeadLetter, DeadLetterStatus, MailboxState
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Inbox

SHOWN = 100


def _account_id(request: HttpRequest) -> int:
    return request.membership.account_id  # type: ignore[attr-defined,no-any-return]


def _email_inbox(request: HttpRequest, inbox_id: int) -> Inbox:
    inbox = Inbox.objects.filter(account_id=_account_id(request), pk=inbox_id,
                                 channel="email").first()
    if inbox is None:
        raise Http404
    return inbox


def settings_context(inbox: Inbox, request: HttpRequest) -> dict[str, Any]:
    """Extra context of the email inbox's settings page (connector.settings_context)."""
    config = EmailConfig.model_validate(inbox.config or {})
    return {
        "oauth_ready": bool(config.oauth and config.oauth.client_id),
        "oauth_signed_in": uses_oauth(config),
        "oauth_redirect_uri": request.build_absolute_uri(reverse("settings:email_oauth_callback")),
        "mailbox_states": MailboxState.objects.filter(inbox=inbox, account_id=inbox.account_id)
        .order_by("folder"),
        "raw_mime_url": request.build_absolute_uri(f"/api/v1/inboxes/{inbox.pk}/email"),
        "dead_letters": DeadLetter.objects.filter(
            inbox=inbox, account_id=inbox.account_id, status=DeadLetterStatus.NEW).count(),
    }


@admin_required
@require_POST
def test_connection(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Probe the servers with the form's values (stored passwords where left empty)."""
    inbox = _email_inbox(request, inbox_id)
    current = EmailConfig.model_validate(inbox.config or {})
    form = EmailSetupForm(request.POST, current=current)
    if not form.is_valid():
        steps = [probe.Step("imap", "config", False, _("Fix the form's errors first."))]
    else:
        steps = probe.check(form.to_config())
    return render(request, "email_channel/_test_result.html", {"steps": steps})


@admin_required
@require_GET
def dead_letter_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("status") or DeadLetterStatus.NEW
    rows = DeadLetter.objects.filter(account_id=_account_id(request)).select_related("inbox")
    if show in DeadLetterStatus.values:
        rows = rows.filter(status=show)
    else:
        show = "all"
    return render(request, "email_channel/dead_letters.html", {
        "nav": "settings", "section": "email_dead_letters", "show": show,
        "letters": rows.order_by("-created_at", "-pk")[:SHOWN],
        "statuses": DeadLetterStatus.choices,
    })


def _letter(request: HttpRequest, letter_id: int) -> DeadLetter:
    letter = DeadLetter.objects.filter(account_id=_account_id(request), pk=letter_id
                                       ).select_related("inbox").first()
    if letter is None:
        raise Http404
    return letter


@admin_required
@require_POST
def dead_letter_retry(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = _letter(request, letter_id)
    try:
        letter = dead_letters.retry(letter, by=cast(Agent, request.user))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        if letter.status == DeadLetterStatus.RETRIED:
            messages.success(request, _("The mail was filed."))
        else:
            messages.error(request, _("Still not filed: %(reason)s") % {"reason": letter.reason})
    return redirect("settings:email_dead_letters")


@admin_required
@require_POST
def dead_letter_delete(request: HttpRequest, letter_id: int) -> HttpResponse:
    dead_letters.delete(_letter(request, letter_id), by=cast(Agent, request.user))
    messages.success(request, _("Dead letter deleted."))
    return redirect("settings:email_dead_letters")


@admin_required
@require_GET
def dead_letter_download(request: HttpRequest, letter_id: int) -> HttpResponse:
    """The raw mail as a download (never rendered by the browser)."""
    letter = _letter(request, letter_id)
    if letter.status == DeadLetterStatus.DELETED:
        raise Http404
    try:
        raw = dead_letters.read_raw(letter)
    except OSError as exc:
        raise Http404 from exc
    response = HttpResponse(raw, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="dead-letter-{letter.pk}.eml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


OAUTH_SESSION = "email.oauth"


@admin_required
@require_POST
def oauth_start(request: HttpRequest, inbox_id: int) -> HttpResponse:
    """Send the admin to the provider's consent page (authorization code + PKCE)."""
    inbox = _email_inbox(request, inbox_id)
    config = EmailConfig.model_validate(inbox.config or {})
    if config.oauth is None or not config.oauth.client_id:
        messages.error(request, _("Save the OAuth client id and secret first."))
        return redirect("settings:inbox_edit", inbox_id=inbox.pk)
    verifier, challenge = oauth.pkce_pair()
    state = secrets.token_urlsafe(24)
    request.session[OAUTH_SESSION] = {"inbox": inbox.pk, "state": state, "verifier": verifier}
    try:
        url = oauth.authorization_url(config.oauth, state=state, challenge=challenge,
                                      redirect_uri=_redirect_uri(request))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
        return redirect("settings:inbox_edit", inbox_id=inbox.pk)
    return redirect(url)


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("settings:email_oauth_callback"))


@admin_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the admin back here with a code. A GET by OAuth's design; the state
    (random, bound to this session and inbox, used once) is what keeps it from being forged."""
    pending = request.session.pop(OAUTH_SESSION, None)
    state = request.GET.get("state", "")
    if not pending or not secrets.compare_digest(str(pending.get("state", "")), state):
        messages.error(request, _("The sign-in could not be verified; please start it again."))
        return redirect("settings:inboxes")
    inbox = _email_inbox(request, int(pending["inbox"]))
    if request.GET.get("error"):
        messages.error(request, _("The provider refused: %(error)s") % {
            "error": request.GET.get("error_description") or request.GET["error"]})
        return redirect("settings:inbox_edit", inbox_id=inbox.pk)
    try:
        oauth.exchange_code(inbox, code=request.GET.get("code", ""),
                            redirect_uri=_redirect_uri(request), verifier=pending["verifier"],
                            by=cast(Agent, request.user))
    except ActionError as exc:
        messages.error(request, _(exc.detail))
    else:
        messages.success(request, _("Signed in: the mailbox now uses OAuth."))
    return redirect("settings:inbox_edit", inbox_id=inbox.pk)
