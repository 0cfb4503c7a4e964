"""Olivia (owner of Harbor & Vine) sets up her workspace through the settings pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import ApiToken, hash_token
from storedesk.inbox.actions import InboundMessage, create_tag, receive_message, tag
from storedesk.inbox.models import Tag
from storedesk.workflow.models import Macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def olivia(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


def test_macro_with_an_unknown_variable_is_saved_with_a_warning(personas, olivia):
    response = olivia.post(reverse("settings:macro_create"), {
        "name": "Where is my order", "text": "Hi {{contact.first_name}}, {{order.nmber}}",
        "language": "en", "status": "pending", "priority": "", "tags": "wismo, Orders",
    })
    macro = Macro.objects.get(account=personas.harbor, name="Where is my order")
    assert macro.actions == {"status": "pending", "tags": ["wismo", "orders"]}
    page = olivia.get(response.url).content.decode()
    assert "order.nmber" in page and 'data-testid="unknown-variables"' in page
    assert "{{contact.first_name}}" in page  # the cheat-sheet
    # edit it, then delete it
    olivia.post(reverse("settings:macro_edit", args=[macro.pk]),
                {"name": "WISMO", "text": "Hi {{contact.first_name}}", "status": "",
                 "priority": "high", "tags": ""})
    macro.refresh_from_db()
    assert (macro.name, macro.actions) == ("WISMO", {"priority": "high"})
    olivia.post(reverse("settings:macro_delete", args=[macro.pk]))
    assert not Macro.objects.filter(pk=macro.pk).exists()


def test_tags_create_rename_recolour_delete(personas, olivia):
    olivia.post(reverse("settings:tag_create"), {"name": "VIP", "color": "#aa0000"})
    vip = Tag.objects.get(account=personas.harbor, name="vip")
    conversation = receive_message(personas.harbor_email, InboundMessage(
        sender_id="a@shopper.test", text="hello")).conversation
    tag(conversation, Actor.agent(personas.ahmet), "vip")
    # a duplicate name is refused
    assert olivia.post(reverse("settings:tag_create"),
                       {"name": "vip", "color": "#000000"}).status_code == 400
    # rename + recolour keeps it on the conversation
    olivia.post(reverse("settings:tag_update", args=[vip.pk]),
                {"name": "gold", "color": "#DDAA00"})
    vip.refresh_from_db()
    assert (vip.name, vip.color) == ("gold", "#ddaa00")
    assert list(conversation.tags.values_list("name", flat=True)) == ["gold"]
    # delete removes it from the conversation
    olivia.post(reverse("settings:tag_delete", args=[vip.pk]))
    assert not conversation.tags.exists()


def test_account_name_and_languages(personas, olivia):
    url = reverse("settings:account")
    response = olivia.post(url, {"name": "Harbor and Vine", "languages": ["en", "pl", "de"]})
    assert response.status_code == 302
    personas.harbor.refresh_from_db()
    assert personas.harbor.name == "Harbor and Vine"
    assert personas.harbor.languages == ["en", "pl", "de"]
    # a language outside the list is refused; at least one is needed
    assert olivia.post(url, {"name": "X", "languages": ["xx"]}).status_code == 400
    assert olivia.post(url, {"name": "X"}).status_code == 400
    personas.harbor.refresh_from_db()
    assert personas.harbor.name == "Harbor and Vine"


def test_roles_deactivation_and_team_members(personas, olivia):
    # Ahmet becomes an admin
    olivia.post(reverse("settings:agent_role", args=[personas.ahmet.pk]), {"role": "admin"})
    personas.ahmet.refresh_from_db()
    assert personas.ahmet.role == "admin"
    # the last owner cannot be demoted
    olivia.post(reverse("settings:agent_role", args=[personas.olivia.pk]), {"role": "agent"})
    personas.olivia.refresh_from_db()
    assert personas.olivia.role == "owner"
    # Lina is deactivated and her API tokens stop working
    from storedesk.accounts.actions import create_api_token

    _, raw = create_api_token(personas.lina)
    olivia.post(reverse("settings:agent_deactivate", args=[personas.lina.pk]))
    personas.lina.refresh_from_db()
    assert not personas.lina.is_active
    assert not ApiToken.objects.get(token_hash=hash_token(raw)).is_usable
    # Returns team: only Ahmet now
    olivia.post(reverse("settings:team_members", args=[personas.returns.pk]),
                {f"team-{personas.returns.pk}-members": [personas.ahmet.pk]})
    assert list(personas.returns.members.all()) == [personas.ahmet]
    # a member of another account cannot be put in the team
    response = olivia.post(reverse("settings:team_members", args=[personas.returns.pk]),
                           {f"team-{personas.returns.pk}-members": [personas.bruno.pk]})
    assert response.status_code == 302
    assert list(personas.returns.members.all()) == [personas.ahmet]


def test_new_team(personas, olivia):
    assert olivia.post(reverse("settings:team_create"), {"name": "Billing"}).status_code == 302
    assert olivia.post(reverse("settings:team_create"), {"name": "Billing"}).status_code == 400


def test_personal_api_tokens(personas):
    # any agent manages their own tokens (not a settings page)
    ahmet = Client()
    ahmet.force_login(personas.ahmet.agent)
    assert ahmet.get(reverse("accounts:tokens")).status_code == 200
    created = ahmet.post(reverse("accounts:token_create"), {"name": "zapier"})
    raw = created.context["raw_token"]
    assert raw.startswith("sd_") and raw in created.content.decode()
    token = ApiToken.objects.get(token_hash=hash_token(raw))
    assert token.membership == personas.ahmet
    # the raw token is not shown again
    assert raw not in ahmet.get(reverse("accounts:tokens")).content.decode()
    # it works on the API, until revoked
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/inboxes").status_code == 200
    # Olivia cannot revoke Ahmet's token (it is not hers): 404
    olivia = Client()
    olivia.force_login(personas.olivia.agent)
    assert olivia.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert ahmet.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    ahmet.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert api.get("/api/v1/inboxes").status_code == 401


def test_tag_created_by_action_appears_on_the_page(personas, olivia):
    create_tag(personas.harbor, "fragile", color="#123456")
    page = olivia.get(reverse("settings:tags")).content.decode()
    assert 'value="fragile"' in page and 'value="#123456"' in page


def test_only_an_owner_can_give_or_take_the_owner_role(personas):
    # given Ahmet is made an admin by Olivia
    from storedesk.accounts.actions import set_role

    set_role(personas.ahmet, "admin", by=personas.olivia.agent)
    ahmet = Client()
    ahmet.force_login(personas.ahmet.agent)
    # when the admin tries to make Lina an owner, or demote Olivia
    ahmet.post(reverse("settings:agent_role", args=[personas.lina.pk]), {"role": "owner"})
    ahmet.post(reverse("settings:agent_role", args=[personas.olivia.pk]), {"role": "agent"})
    # then nothing changed
    personas.lina.refresh_from_db()
    personas.olivia.refresh_from_db()
    assert (personas.lina.role, personas.olivia.role) == ("light_agent", "owner")
    # while the owner can share ownership
    olivia = Client()
    olivia.force_login(personas.olivia.agent)
    olivia.post(reverse("settings:agent_role", args=[personas.ahmet.pk]), {"role": "owner"})
    personas.ahmet.refresh_from_db()
    assert personas.ahmet.role == "owner"
