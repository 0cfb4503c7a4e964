"""View guards: signed in with an active seat; admin-only pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from storedesk.accounts.permissions import Perm, has_perm


def member_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            raise Http404("No active seat in any account.")
        return view(request, *args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Owners and admins only; everyone else gets a 404 (we do not reveal admin pages)."""

    @wraps(view)
    @member_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not has_perm(request.membership, Perm.MANAGE_SETTINGS):  # type: ignore[attr-defined]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
