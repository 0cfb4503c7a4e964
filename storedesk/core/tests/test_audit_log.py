from __future__ import annotations

import pytest

from storedesk.accounts.actions import audit, create_api_token, revoke_api_token
from storedesk.accounts.models import AuditLog
from storedesk.accounts.queries import membership_for_token


def test_audit_rows_are_append_only(personas):
    row = audit("test.event", account=personas.harbor, actor=personas.olivia.agent, note="x")
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()


def test_tokens_are_hashed_at_rest_audited_and_revocable(personas):
    token, raw = create_api_token(personas.ahmet)
    assert raw not in token.token_hash and token.token_hash != raw
    assert membership_for_token(raw) == personas.ahmet
    revoke_api_token(token, by=personas.olivia.agent)
    assert membership_for_token(raw) is None
    rows = AuditLog.objects.filter(object_type="ApiToken", object_id=str(token.pk))
    actions = list(rows.values_list("action", flat=True))
    assert actions == ["api_token.created", "api_token.revoked"]
    assert all(raw not in str(r.data) for r in AuditLog.objects.all())
