"""Contacts through the REST API: find, read, correct, merge duplicates."""

from __future__ import annotations

import json

from storedesk.accounts.models import AuditLog
from storedesk.contacts.models import Contact
from storedesk.inbox.actions import InboundMessage, receive_message


def write_in(inbox, sender: str, **fields):
    return receive_message(inbox, InboundMessage(sender_id=sender, text="hello", **fields))


def patch(client, url: str, body: dict):
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_agent_searches_contacts_by_name_email_or_phone(personas, api):
    # given three shoppers
    write_in(personas.harbor_api, "c1", name="Jan Kowalski", email="jan@example.pl")
    write_in(personas.harbor_api, "c2", name="Ayşe Kaya", email="ayse@example.com.tr")
    write_in(personas.harbor_chat, "c3", name="Budi", phone="+628123456")
    ahmet = api(personas.ahmet)

    def names(**params) -> list[str]:
        return [c["name"] for c in ahmet.get("/api/v1/contacts", params).json()["items"]]

    # when Ahmet searches, then he finds them by any of the three
    assert names(q="kowal") == ["Jan Kowalski"]
    assert names(q="example.com.tr") == ["Ayşe Kaya"]
    assert names(q="+62812") == ["Budi"]
    # accents and case do not matter
    assert names(q="AYSE") == ["Ayşe Kaya"]
    assert names() == ["Budi", "Ayşe Kaya", "Jan Kowalski"]
    # and pages through them
    first = ahmet.get("/api/v1/contacts", {"limit": 2}).json()
    rest = ahmet.get("/api/v1/contacts", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["name"] for c in first["items"] + rest["items"]] == names()
    assert rest["next_cursor"] is None


def test_agent_corrects_a_contact_and_it_is_audited(personas, api):
    # given a shopper who wrote in without a name
    contact = write_in(personas.harbor_api, "c9", email="x@example.com").conversation.contact
    olivia = api(personas.olivia)
    url = f"/api/v1/contacts/{contact.pk}"
    # when Olivia sets the name, phone and an attribute
    response = patch(olivia, url, {"name": "Xu Li", "phone": "+4412345",
                                   "attributes": {"vip": True}})
    # then the contact is updated, the rest untouched, and the change audited
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["email"], body["phone"]) == ("Xu Li", "x@example.com", "+4412345")
    assert body["attributes"] == {"vip": True}
    assert body["identities"] == [{"inbox_id": personas.harbor_api.pk, "source_id": "c9"}]
    assert AuditLog.objects.filter(action="contact.updated", object_id=str(contact.pk)).exists()
    # and the new name is what a search finds, without its accents
    patch(olivia, url, {"name": "Łucja Żak"})
    found = olivia.get("/api/v1/contacts", {"q": "lucja zak"}).json()["items"]
    assert [c["id"] for c in found] == [contact.pk]
    # and a malformed email is refused
    bad = patch(olivia, url, {"email": "not-an-email"})
    assert bad.status_code == 422
    assert Contact.objects.get(pk=contact.pk).email == "x@example.com"


def test_agent_merges_a_duplicate_contact(personas, api):
    # given the same shopper on email and on the chat widget
    by_mail = write_in(personas.harbor_email, "jan@example.pl", name="Jan K",
                       email="jan@example.pl").conversation
    by_chat = write_in(personas.harbor_chat, "visitor-77", phone="+48600100200").conversation
    assert by_mail.contact_id != by_chat.contact_id
    olivia = api(personas.olivia)
    # when Olivia merges the chat contact into the email one
    response = olivia.post(f"/api/v1/contacts/{by_mail.contact_id}/merge",
                           json.dumps({"duplicate_id": by_chat.contact_id}),
                           content_type="application/json")
    # then one contact holds both identities and both conversations
    assert response.status_code == 200
    merged = response.json()
    assert merged["phone"] == "+48600100200"
    assert {i["source_id"] for i in merged["identities"]} == {"jan@example.pl", "visitor-77"}
    chat = olivia.get(f"/api/v1/conversations/{by_chat.pk}").json()
    assert chat["contact"]["id"] == by_mail.contact_id
    # and the duplicate no longer shows in the list
    ids = [c["id"] for c in olivia.get("/api/v1/contacts").json()["items"]]
    assert ids == [by_mail.contact_id]
    # merging into itself is refused
    again = olivia.post(f"/api/v1/contacts/{by_mail.contact_id}/merge",
                        json.dumps({"duplicate_id": by_mail.contact_id}),
                        content_type="application/json")
    assert again.status_code == 400 and "itself" in again.json()["detail"]


def test_another_accounts_contact_is_404(personas, api):
    contact = write_in(personas.harbor_api, "c1", name="Jan").conversation.contact
    bruno = api(personas.bruno)
    assert bruno.get(f"/api/v1/contacts/{contact.pk}").status_code == 404
    assert patch(bruno, f"/api/v1/contacts/{contact.pk}", {"name": "x"}).status_code == 404
    assert bruno.get("/api/v1/contacts", {"q": "Jan"}).json()["items"] == []
