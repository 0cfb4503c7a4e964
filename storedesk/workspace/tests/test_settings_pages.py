"""Olivia (owner of Harbor & Vine) sets up her workspace through the settings pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.models import ApiToken, AuditLog, hash_token
from storedesk.core.actor import Actor
from storedesk.inbox.actions import InboundMessage, create_tag, receive_message, tag
from storedesk.inbox.models import Inbox, Tag
from storedesk.workflow.models import Macro

pytestmark = pytest.mark.django_db


@pytest.fixture
def olivia(personas) -> Client:
    browser = Client()
    browser.force_login(personas.olivia.agent)
    return browser


def test_api_inbox_shows_its_signing_secret_once(personas, olivia):
    # when Olivia creates an API inbox with a webhook URL
    response = olivia.post(reverse("settings:inbox_create", args=["api"]),
                           {"name": "Storefront bot", "webhook_url": "https://hooks.harbor.test/sd"})
    inbox = Inbox.objects.get(account=personas.harbor, name="Storefront bot")
    assert response.status_code == 302
    assert inbox.channel == "api" and inbox.config == {"webhook_url": "https://hooks.harbor.test/sd"}
    # then the next page shows the signing secret
    first = olivia.get(response.url).content.decode()
    assert inbox.secret in first
    # and never again
    assert inbox.secret not in olivia.get(response.url).content.decode()
    assert AuditLog.objects.filter(action="inbox.created", object_id=str(inbox.pk)).exists()


def test_email_inbox_keeps_the_smtp_password_when_left_empty(personas, olivia):
    url = reverse("settings:inbox_create", args=["email"])
    # an email inbox needs an address
    assert olivia.post(url, {"name": "Returns mail"}).status_code == 400
    olivia.post(url, {"name": "Returns mail", "address": "returns@harbor.test",
                      "smtp_host": "smtp.harbor.test", "smtp_port": "587",
                      "smtp_security": "starttls", "smtp_username": "returns",
                      "smtp_password": "s3cret-smtp"})
    inbox = Inbox.objects.get(account=personas.harbor, name="Returns mail")
    assert inbox.config["smtp"]["password"] == "s3cret-smtp"
    # the edit page never echoes the password back
    edit = reverse("settings:inbox_edit", args=[inbox.pk])
    assert "s3cret-smtp" not in olivia.get(edit).content.decode()
    # saving with an empty password field keeps it
    olivia.post(edit, {"name": "Returns", "address": "returns@harbor.test",
                       "smtp_host": "smtp.harbor.test", "smtp_port": "2525",
                       "smtp_security": "tls", "smtp_username": "returns", "smtp_password": ""})
    inbox.refresh_from_db()
    assert inbox.name == "Returns"
    assert inbox.config["smtp"] == {"host": "smtp.harbor.test", "port": 2525, "security": "tls",
                                    "username": "returns", "password": "s3cret-smtp"}


def test_chat_inbox_with_a_greeting_then_deactivated(personas, olivia):
    olivia.post(reverse("settings:inbox_create", args=["webchat"]),
                {"name": "Help bubble", "greeting": "Hi! How can we help?",
                 "team": personas.returns.pk})
    inbox = Inbox.objects.get(account=personas.harbor, name="Help bubble")
    assert inbox.config == {"greeting": "Hi! How can we help?"}
    assert inbox.team_id == personas.returns.pk
    olivia.post(reverse("settings:inbox_deactivate", args=[inbox.pk]))
    inbox.refresh_from_db()
    assert not inbox.is_active


def test_a_team_of_another_account_is_refused_for_an_inbox(personas, olivia):
    from storedesk.accounts.actions import create_team

    northern = create_team(personas.northwind, "Northern team")
    response = olivia.post(reverse("settings:inbox_create", args=["webchat"]),
                           {"name": "Sneaky", "team": northern.pk})
    assert response.status_code == 400
    assert not Inbox.objects.filter(name="Sneaky").exists()


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
