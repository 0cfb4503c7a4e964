"""Password reset by email: single-use, expiring links; no hint whether an email exists."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from storedesk.accounts.models import AuditLog
from storedesk.testing.windows import clear_of_window_edge

pytestmark = pytest.mark.django_db

LINK_RE = re.compile(r"http://[^\s]+/password-reset/[^\s/]+/[^\s/]+/")


def _request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email})


def _choose(client, link, password="a-brand-new-passphrase"):  # noqa: S107
    path = link.split("127.0.0.1:8000", 1)[-1]
    form_page = client.get(path, follow=True)
    if not form_page.context or not form_page.context.get("validlink"):
        return form_page
    return client.post(form_page.redirect_chain[-1][0],
                       {"new_password1": password, "new_password2": password})


def test_reset_link_works_once(personas, client, django_capture_on_commit_callbacks):
    # when Ahmet asks for a reset
    response = _request_reset(client, "ahmet@harbor.test", django_capture_on_commit_callbacks)
    # then he gets one email, sent after commit, with a link on the public base URL
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ahmet@harbor.test"]
    link = LINK_RE.search(mail.outbox[0].body).group(0)
    assert link.startswith("http://127.0.0.1:8000/password-reset/")
    # when he follows it and chooses a password
    done = _choose(client, link)
    # then the password is changed
    assert done.status_code == 302 and done.url == reverse("accounts:password_reset_complete")
    personas.ahmet.agent.refresh_from_db()
    assert personas.ahmet.agent.check_password("a-brand-new-passphrase")
    assert AuditLog.objects.filter(action="auth.password_reset_completed",
                                   actor=personas.ahmet.agent).exists()
    # and the same link does not work a second time
    again = _choose(client.__class__(), link, "yet-another-passphrase-9")
    assert again.status_code == 200 and again.context["validlink"] is False
    assert "already used or has expired" in again.content.decode()
    personas.ahmet.agent.refresh_from_db()
    assert personas.ahmet.agent.check_password("a-brand-new-passphrase")


def test_an_expired_link_fails(personas, client, settings):
    # given a token minted longer ago than PASSWORD_RESET_TIMEOUT
    class Past(PasswordResetTokenGenerator):
        def _now(self) -> datetime:
            return super()._now() - timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)

    agent = personas.ahmet.agent
    token = Past().make_token(agent)
    uid = urlsafe_base64_encode(force_bytes(agent.pk))
    # when it is used
    page = _choose(client, f"http://127.0.0.1:8000/password-reset/{uid}/{token}/")
    # then it is refused
    assert page.context["validlink"] is False
    agent.refresh_from_db()
    assert not agent.check_password("a-brand-new-passphrase")


def test_unknown_email_gets_the_same_answer(personas, client, django_capture_on_commit_callbacks):
    known = _request_reset(client, "olivia@harbor.test", django_capture_on_commit_callbacks)
    unknown = _request_reset(client, "nobody@nowhere.test", django_capture_on_commit_callbacks)
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [["olivia@harbor.test"]]
    assert AuditLog.objects.filter(action="auth.password_reset_requested").count() == 2


def test_reset_requests_are_rate_limited(personas, client, settings,
                                         django_capture_on_commit_callbacks):
    settings.LOGIN_RATE_LIMIT = "2/h"
    clear_of_window_edge(3600)
    for _ in range(2):
        _request_reset(client, "olivia@harbor.test", django_capture_on_commit_callbacks)
    response = _request_reset(client, "olivia@harbor.test", django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert len(mail.outbox) == 2
