from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class AgentLanguageMiddleware:
    """Signed-in agents see the UI in the language they picked."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class CurrentMembershipMiddleware:
    """Sets `request.membership`: the signed-in agent's seat in the account they work in.

    The account is the session's `account_id` when the agent still belongs to it, otherwise
    their first active membership. Anonymous requests get None.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from storedesk.accounts.models import Membership

            seats = Membership.objects.select_related("account", "agent").filter(
                agent_id=user.pk, is_active=True
            )
            wanted = request.session.get("account_id")
            seat = seats.filter(account_id=wanted).first() if wanted else None
            request.membership = seat or seats.order_by("pk").first()  # type: ignore[attr-defined]
        return self.get_response(request)
