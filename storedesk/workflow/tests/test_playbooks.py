"""Playbooks: internal procedures linked to intents and tags appear on matching
conversations (sidebar panel, API); only agents-only articles can be linked; they never
reach the public help center or its search; admins write, other accounts get 404."""

from __future__ import annotations

import pytest
from django.test import Client

from storedesk.accounts.actor import Actor
from storedesk.helpcenter.tests.conftest import harbor_help, write  # noqa: F401 (fixture)
from storedesk.inbox.actions import InboundMessage, receive_message, set_intent, tag
from storedesk.workflow.models import Playbook

pytestmark = pytest.mark.django_db(transaction=True)


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


@pytest.fixture
def procedures(harbor_help):  # noqa: F811
    refund = write(harbor_help, "refund-procedure", "en", "Refund procedure",
                   "1. Check the parcel. 2. Refund in the store admin.",
                   visibility="internal", summary="How we refund")
    write(harbor_help, "refund-procedure", "pl", "Procedura zwrotu",
          "1. Sprawdź paczkę. 2. Zwróć pieniądze.", visibility="internal")
    damaged = write(harbor_help, "damaged-goods", "en", "Damaged goods",
                    "Ask for a photo first.", visibility="internal")
    public = write(harbor_help, "returns", "en", "Returns", "Send it back within 30 days.")
    return {"refund": refund.article, "damaged": damaged.article, "public": public.article}


def test_matching_procedures_appear_on_the_conversation(personas, api, procedures):
    admin = api(personas.olivia)
    created = admin.post("/api/v1/playbooks", {
        "name": "Refunds", "article_id": procedures["refund"].pk,
        "intents": ["refund_request"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert admin.post("/api/v1/playbooks", {
        "name": "Damaged", "article_id": procedures["damaged"].pk, "tags": ["Damaged"]},
        content_type="application/json").status_code == 201
    # a public article cannot be linked; nor one without intents and tags; nor by an agent
    assert admin.post("/api/v1/playbooks", {
        "name": "Public", "article_id": procedures["public"].pk, "tags": ["x"]},
        content_type="application/json").status_code == 404
    assert admin.post("/api/v1/playbooks", {
        "name": "Empty", "article_id": procedures["refund"].pk},
        content_type="application/json").status_code == 400
    assert api(personas.ahmet).post("/api/v1/playbooks", {
        "name": "Mine", "article_id": procedures["refund"].pk, "tags": ["x"]},
        content_type="application/json").status_code == 403
    # given a Polish conversation whose intent the assistant set to refund_request
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="pl-1", text="Chcę zwrot pieniędzy")).conversation
    conversation.language = "pl"
    conversation.save(update_fields=["language"])
    set_intent(conversation, Actor.rule(), "refund_request")
    # then the API and the sidebar show the refund procedure, in Polish
    matched = api(personas.ahmet).get(f"/api/v1/conversations/{conversation.pk}/playbooks")
    assert [(m["name"], m["title"], m["matched_intent"]) for m in matched.json()] == [
        ("Refunds", "Procedura zwrotu", "refund_request")]
    page = client_for(personas.ahmet).get(f"/conversations/{conversation.display_id}/")
    html = page.content.decode()
    assert 'data-panel="playbooks"' in html and "Procedura zwrotu" in html
    assert "Zwróć pieniądze" in html
    # when it gets the tag "damaged", the second one appears too
    tag(conversation, Actor.agent(personas.ahmet), "damaged")
    names = [m["name"] for m in api(personas.ahmet).get(
        f"/api/v1/conversations/{conversation.pk}/playbooks").json()]
    assert names == ["Damaged", "Refunds"] or names == ["Refunds", "Damaged"]
    # another account: 404
    assert api(personas.bruno).get(f"/api/v1/conversations/{conversation.pk}/playbooks"
                                   ).status_code == 404
    assert api(personas.bruno).get(f"/api/v1/playbooks/{created.json()['id']}"
                                   ).status_code == 404
    assert api(personas.bruno).get("/api/v1/playbooks").json() == []


def test_a_conversation_without_match_shows_no_panel(personas, procedures):
    conversation = receive_message(personas.harbor_chat, InboundMessage(
        sender_id="v-2", text="Hello")).conversation
    html = client_for(personas.ahmet).get(
        f"/conversations/{conversation.display_id}/").content.decode()
    assert 'data-panel="playbooks"' not in html


def test_internal_procedures_never_reach_the_public_help_center(client, personas,
                                                                  procedures, harbor_help):  # noqa: F811
    harbor_help.is_public = True
    harbor_help.save(update_fields=["is_public"])
    assert client.get("/help/harbor/en/a/returns/").status_code == 200
    assert client.get("/help/harbor/en/a/refund-procedure/").status_code == 404
    assert client.get("/help/harbor/pl/a/refund-procedure/").status_code == 404
    home = client.get("/help/harbor/en/").content.decode()
    assert "Refund procedure" not in home
    found = client.get("/help/harbor/en/search/", {"q": "refund procedure parcel"})
    assert found.status_code == 200 and "Refund procedure" not in found.content.decode()
    assert "refund-procedure" not in client.get("/help/harbor/sitemap.xml").content.decode()


def test_the_settings_pages_create_edit_and_delete(personas, procedures):
    olivia = client_for(personas.olivia)
    assert olivia.get("/settings/workflow/playbooks/").status_code == 200
    form = olivia.get("/settings/workflow/playbooks/new/").content.decode()
    assert "refund-procedure" in form and "returns (" not in form  # internal ones only
    created = olivia.post("/settings/workflow/playbooks/new/", {
        "name": "Refunds", "article": procedures["refund"].pk,
        "intents": "refund_request, cancel_order", "tags": "", "position": "0",
        "is_active": "on"})
    assert created.status_code == 302
    playbook = Playbook.objects.get(account=personas.harbor)
    assert playbook.intents == ["refund_request", "cancel_order"]
    edited = olivia.post(f"/settings/workflow/playbooks/{playbook.pk}/", {
        "name": "Refunds", "article": procedures["refund"].pk, "intents": "",
        "tags": "vip refund", "position": "1"})
    assert edited.status_code == 302
    playbook.refresh_from_db()
    assert (playbook.intents, playbook.tags, playbook.is_active) == ([], ["vip", "refund"],
                                                                     False)
    bad = olivia.post("/settings/workflow/playbooks/new/", {
        "name": "Nothing", "article": procedures["refund"].pk, "position": "0"})
    assert bad.status_code == 400
    assert client_for(personas.ahmet).get("/settings/workflow/playbooks/").status_code == 404
    assert client_for(personas.bruno).post(
        f"/settings/workflow/playbooks/{playbook.pk}/delete/").status_code == 404
    assert olivia.post(f"/settings/workflow/playbooks/{playbook.pk}/delete/").status_code == 302
    assert not Playbook.objects.exists()


def test_the_demo_links_its_lost_parcel_procedure():
    from storedesk.demo.loader import load_demo
    from storedesk.inbox.models import Conversation
    from storedesk.workflow import playbooks

    result = load_demo()
    load_demo()  # idempotent: still one
    [playbook] = Playbook.objects.filter(account=result.account)
    assert playbook.article.slug == "lost-parcel-procedure"
    damaged = Conversation.objects.filter(account=result.account, tags__name="damaged").first()
    assert damaged is not None
    [shown] = playbooks.matching(result.owner, damaged)
    assert shown["title"].startswith("Procedure") or shown["language"] != "en"
