"""Each agent picks the UI language; the account switcher moves between seats."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.models import AuditLog
from storedesk.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_ahmet_sees_turkish_then_switches_to_thai(personas):
    # given Ahmet, whose language is Turkish, signs in
    browser = Client()
    browser.post(reverse("accounts:login"), {"username": "ahmet@harbor.test",
                                             "password": PASSWORD})
    # then his profile page is in Turkish
    page = browser.get(reverse("accounts:profile"))
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="tr"' in html and "Çıkış yap" in html
    # when he switches to Thai
    saved = browser.post(reverse("accounts:profile"), {"name": "Ahmet Yilmaz", "language": "th"})
    assert saved.status_code == 302
    # then the next page is in Thai
    html = browser.get(reverse("accounts:profile")).content.decode()
    assert '<html lang="th"' in html and "ออกจากระบบ" in html
    assert AuditLog.objects.filter(action="agent.profile_updated",
                                   actor=personas.ahmet.agent).exists()


def test_profile_rejects_unknown_languages_and_needs_csrf(personas):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.ahmet.agent)
    assert browser.post(reverse("accounts:profile"),
                        {"name": "A", "language": "en"}).status_code == 403
    loose = Client()
    loose.force_login(personas.ahmet.agent)
    assert loose.post(reverse("accounts:profile"),
                      {"name": "A", "language": "xx"}).status_code == 400
    personas.ahmet.agent.refresh_from_db()
    assert personas.ahmet.agent.language == "tr"


def test_account_switcher(personas):
    # given Bruno also holds a seat in Harbor
    from storedesk.accounts.actions import add_member

    add_member(personas.harbor, "bruno@northwind.test", role="agent")
    browser = Client()
    browser.force_login(personas.bruno.agent)
    url = reverse("accounts:switch_account")
    # GET changes nothing
    assert browser.get(url).status_code == 405
    # when he switches to Harbor, the session remembers it
    assert browser.post(url, {"account_id": personas.harbor.pk}).status_code == 302
    assert browser.session["account_id"] == personas.harbor.pk
    # an account he has no seat in is a 404
    other = add_member(personas.northwind, "x@northwind.test").account_id + 10_000
    assert browser.post(url, {"account_id": other}).status_code == 404
