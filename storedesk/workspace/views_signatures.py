"""Reply signatures: every agent sets their own; admins set each inbox's (used when the agent
has none). A reply from the workspace gets the signature appended when it is sent, unless the
agent unticks "Add my signature" in the composer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from storedesk.accounts.decorators import member_required
from storedesk.accounts.models import Membership
from storedesk.core.errors import ActionError
from storedesk.core.validation import check_text
from storedesk.inbox.models import Inbox
from storedesk.workspace import actions
from storedesk.workspace.models import Signature


@member_required
@require_http_methods(["GET", "POST"])
def signatures(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    inboxes = (
        list(Inbox.objects.filter(account_id=membership.account_id).order_by("name"))
        if membership.is_admin else []
    )
    if request.method == "POST":
        try:
            text = request.POST.get("text", "")
            check_text("text", text, actions.MAX_SIGNATURE_CHARS)
            inbox_id = request.POST.get("inbox", "")
            if inbox_id:
                inbox = next((i for i in inboxes if str(i.pk) == inbox_id), None)
                if inbox is None:  # not an admin, or not this account's inbox
                    return HttpResponse(status=404)
                actions.set_signature(membership.account_id, text, inbox=inbox)
            else:
                actions.set_signature(membership.account_id, text, membership=membership)
        except ActionError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Signature saved."))
        return redirect("inbox:signatures")
    rows = dict(
        Signature.objects.filter(account_id=membership.account_id, inbox__isnull=False)
        .values_list("inbox_id", "text")
    )
    own = Signature.objects.filter(
        account_id=membership.account_id, membership=membership
    ).values_list("text", flat=True).first() or ""
    return render(request, "workspace/signatures.html", {
        "own": own,
        "inbox_signatures": [(i, rows.get(i.pk, "")) for i in inboxes],
        "max_chars": actions.MAX_SIGNATURE_CHARS,
    })
