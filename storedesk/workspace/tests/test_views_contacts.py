"""The customer sidebar and contact page: profile, identities, past conversations, edit, merge."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.accounts.actor import Actor
from storedesk.accounts.models import AuditLog
from storedesk.contacts.models import Contact
from storedesk.inbox.actions import InboundMessage, assign, change_status, receive_message
from storedesk.inbox.models import Conversation

MUTATIONS = ["update", "merge"]


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def hx(client: Client, method: str, url: str, data=None):
    return getattr(client, method)(url, data or {}, headers={"HX-Request": "true"})


def contact_url(name: str, contact: Contact) -> str:
    return reverse(f"contacts:{name}", args=[contact.pk])


@pytest.fixture
def ayse(personas) -> Contact:
    """Ayşe wrote by email (an old, resolved conversation) and then by chat."""
    first = receive_message(personas.harbor_email, InboundMessage(
        sender_id="ayse@shopper.test", text="Old question", name="Ayşe Kaya",
        email="ayse@shopper.test"))
    change_status(first.conversation, Actor.agent(personas.olivia), "resolved")
    receive_message(personas.harbor_chat, InboundMessage(
        sender_id="visitor-42", text="Hi from chat", email="ayse@shopper.test"))
    return first.conversation.contact


def test_the_sidebar_shows_profile_identities_and_past_conversations(personas, ayse):
    # given ayşe's chat conversation open in olivia's workspace
    chat = Conversation.objects.get(inbox=personas.harbor_chat)
    olivia = client_for(personas.olivia)
    html = olivia.get(reverse("inbox:conversation", args=[chat.display_id]),
                      headers={"HX-Request": "true"}).content.decode()
    # then the sidebar shows her profile, both channel identities and the older email thread
    assert 'id="sidebar-pane"' in html and "Ayşe Kaya" in html
    assert "ayse@shopper.test" in html and "visitor-42" in html
    assert "Support email" in html and "Website chat" in html
    email_conv = Conversation.objects.get(inbox=personas.harbor_email)
    assert f"#{email_conv.display_id}" in html and "Resolved" in html


def test_the_contact_page_lists_every_conversation(personas, ayse):
    response = client_for(personas.ahmet).get(contact_url("detail", ayse))
    assert response.status_code == 200
    html = response.content.decode()
    for conversation in Conversation.objects.filter(contact=ayse):
        assert reverse("inbox:conversation", args=[conversation.display_id]) in html


def test_lina_sees_the_contact_but_only_her_teams_conversations(personas, ayse):
    # given one of ayşe's conversations on the Returns team
    chat = Conversation.objects.get(inbox=personas.harbor_chat)
    assign(chat, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
           set_team=True)
    email_conv = Conversation.objects.get(inbox=personas.harbor_email)
    # when lina opens the contact page
    html = client_for(personas.lina).get(contact_url("detail", ayse)).content.decode()
    # then the Returns conversation is listed and the other one is not
    assert reverse("inbox:conversation", args=[chat.display_id]) in html
    assert reverse("inbox:conversation", args=[email_conv.display_id]) not in html
    # and she cannot merge contacts
    assert client_for(personas.lina).get(contact_url("merge_search", ayse)).status_code == 404


def test_editing_a_contact(personas, ayse):
    olivia = client_for(personas.olivia)
    # when olivia opens the edit form and saves a phone number and language
    form = hx(olivia, "get", contact_url("edit", ayse))
    assert form.status_code == 200 and 'name="phone"' in form.content.decode()
    response = hx(olivia, "post", contact_url("update", ayse),
                  {"name": "Ayşe Kaya", "email": "ayse@shopper.test", "phone": "+905551112233",
                   "language": "tr"})
    # then the contact is updated, audited, and the card shows it
    assert response.status_code == 200
    ayse.refresh_from_db()
    assert (ayse.phone, ayse.language) == ("+905551112233", "tr")
    assert AuditLog.objects.filter(action="contact.updated", object_id=str(ayse.pk)).exists()
    assert "+905551112233" in response.content.decode()
    assert "storedesk:toast" in response["HX-Trigger"]


def test_an_invalid_email_is_refused_inline(personas, ayse):
    response = hx(client_for(personas.olivia), "post", contact_url("update", ayse),
                  {"name": "Ayşe", "email": "not-an-email"})
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    ayse.refresh_from_db()
    assert ayse.email == "ayse@shopper.test"


def test_merging_a_duplicate_moves_its_conversations(personas, ayse):
    # given a duplicate contact (a phone-only SMS-like identity on the API inbox)
    duplicate = receive_message(personas.harbor_api, InboundMessage(
        sender_id="api-ayse", text="Order 1001?", name="Ayse K.")).conversation.contact
    olivia = client_for(personas.olivia)
    # when olivia searches for the duplicate from ayşe's card
    search = hx(olivia, "get", contact_url("merge_search", ayse) + "?q=Ayse K")
    # then it is offered, with a confirmation
    assert search.status_code == 200
    html = search.content.decode()
    assert "Ayse K." in html and "data-confirm" in html
    # when she confirms the merge
    response = hx(olivia, "post", contact_url("merge", ayse), {"other": duplicate.pk})
    # then the duplicate's conversation and identity belong to ayşe, and the duplicate is retired
    assert response.status_code == 200
    assert Conversation.objects.filter(contact=ayse).count() == 3
    assert ayse.identities.filter(source_id="api-ayse").exists()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == ayse.pk
    # and the retired contact's page now leads to ayşe
    page = olivia.get(contact_url("detail", duplicate))
    assert page.status_code == 302 and page["Location"] == contact_url("detail", ayse)


def test_merging_a_contact_into_itself_is_an_inline_error(personas, ayse):
    response = hx(client_for(personas.olivia), "post", contact_url("merge", ayse),
                  {"other": ayse.pk})
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.content.decode()


def test_bruno_gets_404_on_harbors_contacts(personas, ayse):
    # given Bruno of Northwind, with a contact of his own
    own = receive_message(personas.northwind_api, InboundMessage(
        sender_id="nw-1", text="hello", name="North Shopper")).conversation.contact
    bruno = client_for(personas.bruno)
    # then every contact route for Ayşe is a 404
    for name in ["detail", "sidebar", "edit", "merge_search"]:
        assert bruno.get(contact_url(name, ayse)).status_code == 404, name
    for name in MUTATIONS:
        assert bruno.post(contact_url(name, ayse), {"other": own.pk, "name": "x"}
                          ).status_code == 404, name
    # and he cannot pull Ayşe into his own contact either
    assert bruno.post(contact_url("merge", own), {"other": ayse.pk}).status_code == 404
    ayse.refresh_from_db()
    assert ayse.merged_into_id is None and ayse.name == "Ayşe Kaya"
    # nor find her in his merge search
    search = bruno.get(contact_url("merge_search", own) + "?q=Ay").content.decode()
    assert "Ayşe" not in search


def test_contact_mutations_are_post_only_and_csrf_protected(personas, ayse):
    olivia = client_for(personas.olivia)
    for name in MUTATIONS:
        assert olivia.get(contact_url(name, ayse)).status_code == 405, name
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.olivia.agent)
    for name in MUTATIONS:
        assert strict.post(contact_url(name, ayse), {"name": "Hacked"}).status_code == 403, name
    ayse.refresh_from_db()
    assert ayse.name == "Ayşe Kaya"
