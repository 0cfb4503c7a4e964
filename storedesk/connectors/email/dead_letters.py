"""Dead letters: mail we could not file, kept whole for an admin to retry or delete.

The raw bytes are written under a server-generated key in ``MEDIA_ROOT/dead-letters/`` (never
the sender's names) before the row commits; a repeat of the same bytes for the same inbox
returns the row already kept. Every retry and delete is audited.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from storedesk.accounts.actions import audit
from storedesk.accounts.models import Agent
from storedesk.connectors.email.models import DeadLetter, DeadLetterStatus, raw_key
from storedesk.connectors.email.parsing import header_block
from storedesk.core.errors import ActionError
from storedesk.inbox.models import Inbox

MAX_REASON_CHARS = 2000


def raw_path(key: str) -> Path:
    if not key.isalnum():
        raise ValueError("bad dead-letter key")
    return Path(settings.MEDIA_ROOT) / "dead-letters" / key[:2] / key


def read_raw(letter: DeadLetter) -> bytes:
    return raw_path(letter.raw_key).read_bytes()


def keep(inbox: Inbox, raw: bytes, *, source: str, reason: str) -> tuple[DeadLetter, bool]:
    """Keep `raw` as a dead letter of `inbox`; (row, created)."""
    digest = hashlib.sha256(raw).hexdigest()
    existing = DeadLetter.objects.filter(inbox=inbox, raw_sha256=digest).first()
    if existing is not None:
        return existing, False
    key = raw_key()
    path = raw_path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    head = header_block(raw)
    try:
        with transaction.atomic():
            letter = DeadLetter.objects.create(
                account_id=inbox.account_id, inbox=inbox, source=source[:16],
                reason=reason[:MAX_REASON_CHARS], message_id=head.get("message_id", "")[:255],
                sender=head.get("sender", "")[:254], subject=head.get("subject", "")[:255],
                size=len(raw), raw_key=key, raw_sha256=digest,
            )
    except IntegrityError:
        path.unlink(missing_ok=True)
        return DeadLetter.objects.get(inbox=inbox, raw_sha256=digest), False
    return letter, True


def retry(letter: DeadLetter, *, by: Agent | None = None) -> DeadLetter:
    """Run a dead letter through the inbound path again (after a limit or a bug was fixed)."""
    from storedesk.connectors.email.ingest import ingest

    if letter.status != DeadLetterStatus.NEW:
        raise ActionError("Only a waiting dead letter can be retried.")
    try:
        raw = read_raw(letter)
    except OSError as exc:
        raise ActionError(f"The stored mail cannot be read: {exc}") from exc
    outcome = ingest(letter.inbox, raw, source=letter.source, retrying=letter)
    with transaction.atomic():
        if outcome.kind in ("filed", "duplicate", "bounce", "ignored"):
            DeadLetter.objects.filter(pk=letter.pk).update(
                status=DeadLetterStatus.RETRIED, attempts=letter.attempts + 1,
                updated_at=timezone.now())
        else:
            DeadLetter.objects.filter(pk=letter.pk).update(
                reason=outcome.detail[:MAX_REASON_CHARS], attempts=letter.attempts + 1,
                updated_at=timezone.now())
        audit("email.dead_letter_retried", account=letter.account_id, actor=by, obj=letter,
              outcome=outcome.kind)
    letter.refresh_from_db()
    return letter


@transaction.atomic
def delete(letter: DeadLetter, *, by: Agent | None = None) -> None:
    """Delete the kept bytes; the row stays (status deleted) as the record of what was dropped."""
    if letter.status == DeadLetterStatus.DELETED:
        return
    DeadLetter.objects.filter(pk=letter.pk).update(status=DeadLetterStatus.DELETED,
                                                   updated_at=timezone.now())
    audit("email.dead_letter_deleted", account=letter.account_id, actor=by, obj=letter,
          sender=letter.sender, size=letter.size)
    key = letter.raw_key
    transaction.on_commit(lambda: raw_path(key).unlink(missing_ok=True))
