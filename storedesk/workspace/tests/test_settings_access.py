"""Who may use the settings pages: owners and admins of the account, nobody else.

Every mutation is POST-only (GET -> 405), CSRF-protected (403 without the token), and another
account's objects are a 404 (Bruno, admin of Northwind, on Harbor's ids).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actions import invite_member
from storedesk.inbox.actions import create_tag
from storedesk.workflow.actions import create_macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbor_objects(personas):
    tag = create_tag(personas.harbor, "refund")
    macro = create_macro(personas.harbor, name="Hello", text="Hi {{contact.first_name}}")
    invitation, _ = invite_member(personas.harbor, "new@harbor.test", by=personas.olivia.agent)
    return {
        "membership_id": personas.ahmet.pk, "invitation_id": invitation.pk,
        "team_id": personas.returns.pk, "inbox_id": personas.harbor_api.pk,
        "macro_id": macro.pk, "tag_id": tag.pk,
    }


PAGES: list[tuple[str, dict[str, Any]]] = [
    ("settings:index", {}), ("settings:agents", {}), ("settings:teams", {}),
    ("settings:account", {}), ("settings:inboxes", {}),
    ("settings:inbox_create", {"channel": "api"}), ("settings:inbox_create", {"channel": "email"}),
    ("settings:inbox_create", {"channel": "webchat"}), ("settings:inbox_edit", {"inbox_id": None}),
    ("settings:macros", {}), ("settings:macro_create", {}),
    ("settings:macro_edit", {"macro_id": None}), ("settings:tags", {}),
]

MUTATIONS: list[tuple[str, dict[str, Any]]] = [
    ("settings:agent_invite", {}),
    ("settings:agent_role", {"membership_id": None}),
    ("settings:agent_deactivate", {"membership_id": None}),
    ("settings:invitation_revoke", {"invitation_id": None}),
    ("settings:team_create", {}),
    ("settings:team_members", {"team_id": None}),
    ("settings:inbox_deactivate", {"inbox_id": None}),
    ("settings:macro_delete", {"macro_id": None}),
    ("settings:tag_create", {}),
    ("settings:tag_update", {"tag_id": None}),
    ("settings:tag_delete", {"tag_id": None}),
]

OBJECT_MUTATIONS: list[tuple[str, dict[str, Any]]] = [m for m in MUTATIONS if m[1]]


def _url(name, kwargs, objects):
    filled = {k: (v if v is not None else objects[k]) for k, v in kwargs.items()}
    return reverse(name, kwargs=filled)


def _browser(membership, csrf=False):
    browser = Client(enforce_csrf_checks=csrf)
    browser.force_login(membership.agent)
    return browser


def test_owner_sees_every_settings_page(personas, harbor_objects):
    browser = _browser(personas.olivia)
    for name, kwargs in PAGES:
        response = browser.get(_url(name, kwargs, harbor_objects), follow=True)
        assert response.status_code == 200, name


def test_agents_and_light_agents_get_404_everywhere(personas, harbor_objects):
    for membership in (personas.ahmet, personas.lina):
        browser = _browser(membership)
        for name, kwargs in PAGES:
            assert browser.get(_url(name, kwargs, harbor_objects)).status_code == 404, name
        for name, kwargs in MUTATIONS:
            assert browser.post(_url(name, kwargs, harbor_objects)).status_code == 404, name


def test_bruno_gets_404_on_every_harbor_object(personas, harbor_objects):
    # given Bruno, an admin, but of Northwind
    browser = _browser(personas.bruno)
    # when he aims at Harbor's ids, reading or writing
    for name, kwargs in [p for p in PAGES if p[1] and "channel" not in p[1]]:
        assert browser.get(_url(name, kwargs, harbor_objects)).status_code == 404, name
    for name, kwargs in OBJECT_MUTATIONS:
        response = browser.post(_url(name, kwargs, harbor_objects),
                                {"role": "admin", "name": "pwned", "color": "#000000"})
        assert response.status_code == 404, name
    # then nothing of Harbor changed
    personas.ahmet.refresh_from_db()
    assert personas.ahmet.role == "agent" and personas.ahmet.is_active
    assert personas.harbor_api.__class__.objects.get(pk=personas.harbor_api.pk).is_active


def test_mutations_are_post_only(personas, harbor_objects):
    browser = _browser(personas.olivia)
    for name, kwargs in MUTATIONS:
        assert browser.get(_url(name, kwargs, harbor_objects)).status_code == 405, name


def test_mutations_need_the_csrf_token(personas, harbor_objects):
    browser = _browser(personas.olivia, csrf=True)
    for name, kwargs in MUTATIONS:
        assert browser.post(_url(name, kwargs, harbor_objects)).status_code == 403, name
    for name, kwargs in [("settings:account", {}), ("settings:macro_create", {}),
                         ("settings:inbox_create", {"channel": "api"})]:
        assert browser.post(_url(name, kwargs, harbor_objects)).status_code == 403, name
