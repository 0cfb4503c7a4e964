"""Errors raised by actions; views and the API turn them into 4xx answers."""

from __future__ import annotations


class ActionError(Exception):
    """A request that cannot be carried out as asked (shown to the user, HTTP 400)."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidTransition(ActionError):
    """A status change the transition table does not allow (HTTP 409)."""

    status_code = 409


class NotFound(ActionError):
    """The object does not exist for this actor (HTTP 404, also for other accounts' objects)."""

    status_code = 404


class PermissionDenied(ActionError):
    status_code = 403


class PayloadTooLarge(ActionError):
    """An upload over a size or count limit (HTTP 413)."""

    status_code = 413
