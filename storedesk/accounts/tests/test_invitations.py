"""Invitations: admins invite by email; the link works once, expires, and makes a seat."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storedesk.accounts import actions
from storedesk.accounts.models import AuditLog, Invitation, Membership, Role
from storedesk.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"http://127\.0\.0\.1:8000(/invite/[^\s/]+/)")


def _invite(client, email, role, capture):
    with capture(execute=True):
        return client.post(reverse("settings:agent_invite"), {"email": email, "role": role})


def test_admin_invites_and_the_invitee_accepts(personas, client,
                                               django_capture_on_commit_callbacks):
    # given Olivia on the agents page
    client.force_login(personas.olivia.agent)
    # when she invites Nadia as an agent
    response = _invite(client, "Nadia@Harbor.test", Role.AGENT, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    # then Nadia gets an email with a link, and the invitation is audited
    assert mail.outbox[-1].to == ["nadia@harbor.test"]
    assert "Harbor & Vine" in mail.outbox[-1].subject
    path = LINK_RE.search(mail.outbox[-1].body).group(1)
    assert AuditLog.objects.filter(action="invitation.sent", actor=personas.olivia.agent).exists()
    # when Nadia opens the link (GET changes nothing) and accepts with a name and a password
    nadia = Client()
    assert nadia.get(path).status_code == 200
    assert not Membership.objects.filter(agent__email="nadia@harbor.test").exists()
    accepted = nadia.post(path, {"name": "Nadia Novak", "password": "sea-salt-and-pepper-7"})
    # then she is signed in with the role she was given
    assert accepted.status_code == 302 and accepted.url == "/"
    seat = Membership.objects.get(agent__email="nadia@harbor.test")
    assert (seat.account_id, seat.role, seat.agent.name) == (personas.harbor.pk, "agent",
                                                              "Nadia Novak")
    assert nadia.session["_auth_user_id"] == str(seat.agent_id)
    assert AuditLog.objects.filter(action="invitation.accepted", actor=seat.agent).exists()
    # and the link cannot be used again
    second = Client().post(path, {"name": "Mallory", "password": "sea-salt-and-pepper-8"})
    assert second.status_code == 410
    assert "already been used" in second.content.decode()


def test_an_expired_invitation_is_refused(personas):
    invitation, raw = actions.invite_member(personas.harbor, "late@harbor.test",
                                            by=personas.olivia.agent)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().post(f"/invite/{raw}/", {"name": "Late", "password": "late-but-keen-42"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(agent__email="late@harbor.test").exists()


def test_an_unknown_link_is_refused(personas):
    response = Client().get("/invite/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_someone_with_a_login_joins_with_their_current_password(personas):
    # given Bruno (Northwind) is invited to Harbor too
    _, raw = actions.invite_member(personas.harbor, "bruno@northwind.test",
                                   role=Role.LIGHT_AGENT, by=personas.olivia.agent)
    browser = Client()
    # when he gives a wrong password, nothing happens
    wrong = browser.post(f"/invite/{raw}/", {"password": "guess"})
    assert wrong.status_code == 200 and "not your current password" in wrong.content.decode()
    # with his password he gets a second seat, and his password is unchanged
    assert browser.post(f"/invite/{raw}/", {"password": PASSWORD}).status_code == 302
    seats = Membership.objects.filter(agent=personas.bruno.agent, is_active=True)
    assert {(s.account_id, s.role) for s in seats} == {
        (personas.northwind.pk, "admin"), (personas.harbor.pk, "light_agent")}
    personas.bruno.agent.refresh_from_db()
    assert personas.bruno.agent.check_password(PASSWORD)


def test_weak_passwords_are_refused(personas):
    _, raw = actions.invite_member(personas.harbor, "weak@harbor.test", by=personas.olivia.agent)
    response = Client().post(f"/invite/{raw}/", {"name": "Weak", "password": "123"})
    assert response.status_code == 200
    assert not Membership.objects.filter(agent__email="weak@harbor.test").exists()


def test_only_admins_can_invite(personas):
    for membership in (personas.ahmet, personas.lina, personas.bruno):
        browser = Client()
        browser.force_login(membership.agent)
        response = browser.post(reverse("settings:agent_invite"),
                                {"email": "x@harbor.test", "role": "agent"})
        assert response.status_code == (404 if membership != personas.bruno else 302)
    # Bruno is an admin, but of Northwind: his invitation lands there, never in Harbor
    assert not Invitation.objects.filter(account=personas.harbor, email="x@harbor.test").exists()


def test_owner_role_cannot_be_given_by_invitation(personas):
    from storedesk.core.errors import ActionError

    with pytest.raises(ActionError):
        actions.invite_member(personas.harbor, "boss@harbor.test", role=Role.OWNER,
                              by=personas.olivia.agent)
