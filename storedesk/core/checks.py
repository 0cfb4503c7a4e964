"""Deploy checks (`storedesk manage check --deploy`): production traps Django does not catch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if "*" in settings.ALLOWED_HOSTS:
        return [Warning(
            "ALLOWED_HOSTS allows any host ('*'): forged Host headers reach the app and links "
            "built from the request (password reset, invitations) can point elsewhere.",
            hint="Set STOREDESK_ALLOWED_HOSTS to the public host names, e.g. "
                 "STOREDESK_ALLOWED_HOSTS=support.example.com (/healthz works by IP anyway).",
            id="storedesk.W001",
        )]
    return []


@register(Tags.security, deploy=True)
def check_email_backend(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    backend = settings.EMAIL_BACKEND
    if backend.endswith(("console.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")):
        return [Warning(
            f"No SMTP server is configured ({backend}): password-reset links and invitations "
            "are written to the log instead of being emailed, so anyone who reads the log "
            "can take over an account.",
            hint="Set STOREDESK_SMTP_HOST (and STOREDESK_SMTP_PORT) or STOREDESK_EMAIL_BACKEND.",
            id="storedesk.W002",
        )]
    return []
