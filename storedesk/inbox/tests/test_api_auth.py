"""Tokens: only usable ones get in; a seat that calls too often is slowed down."""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from config.api import api_throttle
from storedesk.accounts.actions import create_api_token, deactivate_member, revoke_api_token
from storedesk.accounts.models import ApiToken


def test_a_valid_token_answers_who_am_i(personas, api):
    # given Ahmet's token
    me = api(personas.ahmet).get("/api/v1/me")
    # then the API knows his seat
    assert me.status_code == 200
    assert me.json()["membership_id"] == personas.ahmet.pk
    assert me.json()["role"] == "agent"
    assert me.json()["agent"]["email"] == "ahmet@harbor.test"
    assert me.json()["account"]["slug"] == personas.harbor.slug
    assert ApiToken.objects.get(membership=personas.ahmet).last_used_at is not None


def test_revoked_and_expired_tokens_are_401(personas, api):
    # given a token Olivia revoked and one that expired yesterday
    revoked_row, revoked = create_api_token(personas.ahmet)
    revoke_api_token(revoked_row, by=personas.olivia.agent)
    expired_row, expired = create_api_token(personas.ahmet)
    ApiToken.objects.filter(pk=expired_row.pk).update(
        expires_at=timezone.now() - timedelta(days=1))
    # when they are used, then the API answers 401
    for raw in (revoked, expired):
        response = api(token=raw).get("/api/v1/conversations")
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}


def test_a_deactivated_seat_loses_api_access(personas, api):
    # given Ahmet's working token
    _, raw = create_api_token(personas.ahmet)
    assert api(token=raw).get("/api/v1/me").status_code == 200
    # when Olivia deactivates his seat
    deactivate_member(personas.ahmet, by=personas.olivia.agent)
    # then the token stops working
    assert api(token=raw).get("/api/v1/me").status_code == 401


def test_other_auth_schemes_are_401(personas, api, client):
    _, raw = create_api_token(personas.olivia)
    assert client.get("/api/v1/me", headers={"Authorization": f"Token {raw}"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": raw}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer"}).status_code == 401


def test_a_seat_over_its_rate_limit_gets_429_and_others_do_not(personas, api, monkeypatch):
    # given a limit of three calls per (very long) window
    monkeypatch.setattr(api_throttle, "num_requests", 3)
    monkeypatch.setattr(api_throttle, "duration", 10**9)
    for member in (personas.olivia, personas.bruno):
        cache.delete(f"throttle:api:{member.pk}:{int(timezone.now().timestamp() // 10**9)}")
    olivia, bruno = api(personas.olivia), api(personas.bruno)
    # when Olivia calls four times
    codes = [olivia.get("/api/v1/inboxes").status_code for _ in range(4)]
    # then the fourth is refused with a detail, while Bruno is unaffected
    assert codes == [200, 200, 200, 429]
    assert "detail" in olivia.get("/api/v1/inboxes").json()
    assert bruno.get("/api/v1/inboxes").status_code == 200
