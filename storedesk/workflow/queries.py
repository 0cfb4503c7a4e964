"""Reads for workflow objects, scoped to the actor's account."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from storedesk.accounts.models import Membership
from storedesk.core.lookup import get_or_404
from storedesk.workflow.models import Macro


def visible_macros(membership: Membership, *, language: str = "") -> QuerySet[Macro]:
    """The account's macros, by name; with `language`, those in it or in no language first."""
    qs = Macro.objects.filter(account_id=membership.account_id)
    if language:
        qs = qs.filter(Q(language="") | Q(language=language))
    return qs.order_by("name")


def get_macro(membership: Membership, macro_id: int) -> Macro:
    return get_or_404(
        Macro.objects.filter(account_id=membership.account_id), "Macro", pk=macro_id
    )
