"""The outbox handler for store webhooks (kind "webhook"): POST the event, signed, and log it.

Outcome mapping (as for API-channel replies): 2xx -> sent; 408, 425, 429, 5xx, timeouts and
network errors -> retried with backoff; redirects and any other 4xx, a refused address, or a
disabled subscription -> failed at once, with the reason in the attempt log.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils import timezone

from storedesk.core.safe_fetch import FetchError, safe_fetch
from storedesk.core.sealing import Unreadable
from storedesk.outbox.engine import Outcome
from storedesk.outbox.fairness import Share, url_destination
from storedesk.webhooks.actions import record_attempt
from storedesk.webhooks.models import WebhookDelivery, WebhookSubscription, signing_secret
from storedesk.webhooks.payloads import encode
from storedesk.webhooks.signing import EVENT_HEADER, signature_headers

RETRYABLE_STATUSES = {408, 425, 429}
RESPONSE_READ_LIMIT = 64 * 1024  # only the status matters; a chatty receiver is cut here


def signing_secrets(subscription: WebhookSubscription) -> list[str]:
    """The current secret, plus the previous one while its rotation grace lasts (plain, for
    HMAC at send time; raises `core.sealing.Unreadable` when no key opens one)."""
    found = [signing_secret(subscription.secret)]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret and expires is not None and expires > timezone.now():
        found.append(signing_secret(subscription.previous_secret))
    return found


class WebhookDeliveries:
    model = WebhookDelivery

    def load(self, row_id: int) -> WebhookDelivery | None:
        return WebhookDelivery.objects.select_related("subscription").filter(pk=row_id).first()

    def shares(self, row: WebhookDelivery) -> list[Share]:
        destination = url_destination(row.subscription.url) or f"webhook:{row.subscription_id}"
        return [
            Share(destination, int(settings.OUTBOX_DESTINATION_SLOTS)),
            Share(f"account:{row.account_id}", int(settings.OUTBOX_ACCOUNT_SLOTS)),
        ]

    def attempt(self, row: WebhookDelivery) -> Outcome:
        subscription = row.subscription
        if not subscription.is_active:
            return Outcome(error="The webhook is disabled.", permanent=True)
        body = encode(row.payload, row.pk)
        try:
            secrets = signing_secrets(subscription)
        except Unreadable:
            return Outcome(error="No configured encryption key opens this webhook's signing "
                                 "secret; rotate the secret in the webhook's settings.",
                           permanent=True)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            EVENT_HEADER: row.kind,
            **signature_headers(secrets, row.pk, body),
        }
        started = time.monotonic()
        try:
            response = safe_fetch(
                "POST",
                subscription.url,
                headers=headers,
                content=body,
                follow_redirects=False,
                max_bytes=RESPONSE_READ_LIMIT,
                truncate=True,
            )
        except FetchError as exc:
            took = int((time.monotonic() - started) * 1000)
            return Outcome(
                error=exc.message, permanent=exc.permanent,
                details={"status_code": exc.status_code, "duration_ms": took},
            )
        took = int((time.monotonic() - started) * 1000)
        status = response.status_code
        details = {
            "status_code": status,
            "duration_ms": took,
            "response": " ".join(response.text.split())[:500],
        }
        if 200 <= status < 300:
            return Outcome(details=details)
        if status in RETRYABLE_STATUSES or status >= 500:
            return Outcome(error=f"The endpoint answered HTTP {status}.", details=details)
        if 300 <= status < 400:
            return Outcome(
                error=f"The endpoint redirects (HTTP {status}); configure the final URL.",
                permanent=True, details=details,
            )
        return Outcome(
            error=f"The endpoint refused the delivery with HTTP {status}.",
            permanent=True, details=details,
        )

    def record(self, row: WebhookDelivery, outcome: Outcome) -> None:
        record_attempt(row, outcome)
