"""Background work for accounts: outgoing emails (password reset, invitations)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from huey.contrib.djhuey import task


@task(retries=3, retry_delay=30)
def send_email(subject: str, body: str, to: str) -> None:
    """Send one plain-text email. Enqueued on commit by the actions and forms that need it."""
    EmailMessage(
        subject=subject.strip().replace("\n", " "),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    ).send()
