"""Harbor & Vine moves its history in from each helpdesk it might be leaving: the same
fixture export read from files and from the vendor's API (a local server speaking the
documented subset) gives the same conversations, with authors, notes, tags, statuses and
attachments; a second run imports nothing; nothing reacts to the imported history."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from storedesk.events.kinds import EventKind
from storedesk.events.models import Event, EventReceipt
from storedesk.events.tests.handlers import HANDLER
from storedesk.importers.core import run_import
from storedesk.importers.readers import Credentials, build_reader
from storedesk.importers.tests.fake_vendors import FILES
from storedesk.importers.tests.helpers import dump
from storedesk.inbox.models import Conversation, Inbox, Message

TOKENS = {
    "zendesk": Credentials(token="ZTOKEN", email="ahmet@harbor.test"),
    "freshdesk": Credentials(token="FKEY"),
    "gorgias": Credentials(token="GKEY", email="ahmet@harbor.test"),
    "helpscout": Credentials(token="HSTOKEN"),
}


NO_CREDENTIALS = Credentials()


def _import(vendor, source, inbox, credentials=NO_CREDENTIALS):
    reader = build_reader(vendor, source, credentials)
    return run_import(reader, inbox, chunk=3, progress_stream=io.StringIO())


def _with_api(vendors, credentials: Credentials) -> Credentials:
    """For an export whose attachment links point into the vendor's API (Help Scout)."""
    return Credentials(token=credentials.token, email=credentials.email, api_url=vendors.base)


def _sha(name: str) -> str:
    return hashlib.sha256(FILES[name]).hexdigest()


def _second_inbox(personas) -> Inbox:
    return Inbox.objects.create(account=personas.harbor, name="API copy", channel="api")


@pytest.mark.parametrize("vendor", ["zendesk", "freshdesk", "gorgias", "helpscout"])
def test_files_and_api_give_the_same_history_and_a_rerun_imports_nothing(
        vendor, personas, vendors):
    # given the vendor's export on disk, and the same data behind its API
    from_files, from_api = personas.harbor_email, _second_inbox(personas)
    # when Olivia imports both
    files_summary = _import(vendor, str(vendors.fixtures / vendor), from_files,
                            _with_api(vendors, TOKENS[vendor]))
    api_summary = _import(vendor, vendors.base, from_api, TOKENS[vendor])
    # then they hold the same conversations, and the API's 429 was waited out
    assert dump(from_files) == dump(from_api)
    assert files_summary.messages == api_summary.messages > 0
    assert dict(files_summary.skipped) == dict(api_summary.skipped)
    assert any(path.startswith(("/api", "/v2")) for path in vendors.requests)
    # and a second run of either imports nothing
    again = _import(vendor, vendors.base, from_api, TOKENS[vendor])
    assert (again.conversations, again.messages, again.attachments) == (0, 0, 0)
    assert again.skipped["message already imported"] == api_summary.messages
    assert dump(from_api) == dump(from_files)


def test_zendesk_tickets_comments_authors_notes_and_odd_text(personas, vendors):
    summary = _import("zendesk", str(vendors.fixtures / "zendesk"), personas.harbor_email)
    assert dict(summary.skipped) == {"deleted ticket": 1, "empty message": 1}
    damaged, thai = dump(personas.harbor_email)
    # the solved ticket: its requester, assignee matched by email, tags made storable
    assert damaged["subject"] == "Parcel arrived damaged"
    assert (damaged["status"], damaged["priority"]) == ("resolved", "high")
    assert damaged["tags"] == ["VIP customer", "damaged", "late/delivery"]
    assert damaged["assignee"] == "ahmet@harbor.test"
    assert damaged["contact"] == ("Zoë Ünal", "zoe.unal@example.net", "+90 555 0101")
    shopper, note, reply = damaged["messages"]
    assert shopper["sender"] == "contact" and shopper["direction"] == "incoming"
    assert shopper["text"] == "Hello,\nthe vase arrived broken. Photo attached."
    assert shopper["files"] == [("broken-vase.png", "image/png", len(FILES["broken-vase.png"]),
                                 _sha("broken-vase.png"))]
    # a private comment by an agent who is not on the team here: a note with their name
    assert note["private"] and note["status"] == "internal" and note["agent"] is None
    assert note["author"] == {"name": "Former Agent", "email": "former@old-helpdesk.test"}
    assert reply["agent"] == "ahmet@harbor.test" and reply["status"] == "sent"
    # the workspace shows who wrote each imported message, not "Storedesk"
    client = Client()
    client.force_login(personas.ahmet.agent)
    conversation = Conversation.objects.get(inbox=personas.harbor_email,
                                            subject="Parcel arrived damaged")
    page = client.get(reverse("inbox:conversation", args=[conversation.display_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Former Agent" in html and "Ahmet Yilmaz" in html
    assert "<script" not in reply["html"]
    # original times, and the counters a live conversation would have
    assert shopper["at"] == "2022-03-01T08:00:00+00:00"
    assert damaged["first_reply_at"] == "2022-03-01T10:00:00+00:00"
    assert damaged["resolved_at"] == "2022-03-02T17:30:00+00:00"
    assert damaged["waiting_since"] is None and damaged["message_count"] == 2
    # NUL and a lone surrogate cleaned out, the emoji and Thai kept, times in UTC
    assert thai["subject"] == "สั่งซื้อ #4411 ยังไม่ได้รับ" and thai["status"] == "open"
    (only,) = thai["messages"]
    assert only["text"] == "สวัสดีครับ ยังไม่ได้รับสินค้า เลยครับ 🙏 and a stray \ufffd half"
    assert thai["created_at"] == "2023-07-09T19:00:00+00:00"
    assert thai["waiting_since"] == "2023-07-09T19:00:00+00:00"


def test_freshdesk_description_replies_notes_and_a_too_big_file(personas, vendors):
    summary = _import("freshdesk", str(vendors.fixtures / "freshdesk"), personas.harbor_email)
    assert dict(summary.skipped) == {"spam or deleted ticket": 1,
                                     "attachment over the size limit": 1}
    returned, pending = dump(personas.harbor_email)
    assert (returned["status"], returned["priority"], returned["tags"]) == (
        "closed", "high", ["Poland", "zwrot"])
    assert returned["contact"] == ("Łukasz Żółć", "lukasz@example.pl", "+48 600 100 200")
    description, label, note, thanks = returned["messages"]
    assert description["source_id"] == "freshdesk:ticket:20"
    assert description["text"] == "Dzień dobry, chcę zwrócić zamówienie 1042 & dostać zwrot."
    assert label["agent"] == "ahmet@harbor.test"
    assert [f[0] for f in label["files"]] == ["etykieta.pdf"]
    assert note["private"] and note["author"]["name"] == "Temp Helper"
    assert thanks["sender"] == "contact" and thanks["files"] == []
    assert pending["status"] == "pending" and pending["messages"][1]["author"] == {
        "name": "Temp Helper", "email": "temp@old-helpdesk.test"}


def test_gorgias_notes_missing_files_and_a_windows_1252_export(personas, vendors):
    summary = _import("gorgias", str(vendors.fixtures / "gorgias"), personas.harbor_email)
    assert dict(summary.skipped) == {"spam or trashed ticket": 1,
                                     "attachment could not be fetched": 1}
    coffee, question = dump(personas.harbor_email)
    assert coffee["subject"] == "Commande café moulu"
    assert (coffee["status"], coffee["tags"]) == ("resolved", ["café", "refund"])
    assert coffee["contact"][:2] == ("Amélie Dûpont", "amelie@example.fr")
    photo, note, reply = coffee["messages"]
    assert [f[0] for f in photo["files"]] == ["coffee.jpg"]
    assert note["private"] and note["author"]["email"] == "night-shift@old-helpdesk.test"
    assert reply["agent"] == "ahmet@harbor.test" and reply["files"] == []
    assert reply["at"] == "2020-05-05T09:00:05+00:00"  # sent, not drafted
    assert question["messages"][0]["text"] == "Livrez-vous en Belgique ?"
    assert question["created_at"] == "2020-07-01T12:00:00+00:00"  # no zone given: UTC


def test_help_scout_threads_in_order_line_items_and_drafts_left_out(personas, vendors):
    summary = _import("helpscout", str(vendors.fixtures / "helpscout"), personas.harbor_email,
                      _with_api(vendors, TOKENS["helpscout"]))
    assert dict(summary.skipped) == {"spam conversation": 1,
                                     "Help Scout lineitem thread (not a message)": 1,
                                     "Help Scout draft or hidden thread": 1}
    shoes, discount = dump(personas.harbor_email)
    assert (shoes["status"], shoes["assignee"], shoes["tags"]) == (
        "resolved", "ahmet@harbor.test", ["tukar ukuran"])
    asked, note, answer = shoes["messages"]
    assert asked["text"] == (
        "Halo, ukuran sepatu yang saya terima salah (42, bukan 41).\nTerima kasih")
    assert note["private"] and note["text"] == "Pelanggan lama, prioritaskan."
    assert note["author"] == {"name": "Dewi Lestari", "email": "dewi@old-helpdesk.test"}
    assert answer["agent"] == "ahmet@harbor.test"
    assert answer["files"] == [("label-retur.pdf", "application/pdf",
                                len(FILES["label-retur.pdf"]), _sha("label-retur.pdf"))]
    assert [m["text"] for m in discount["messages"]] == ["Apakah ada diskon?"]


def test_imported_history_reaches_no_subscriber(personas, vendors, settings,
                                                django_capture_on_commit_callbacks):
    # given subscribers on every kind (as the assistant, rules and store webhooks have)
    settings.EVENT_SUBSCRIBERS = {kind.value: [HANDLER] for kind in EventKind}
    # when years-old conversations are imported
    with django_capture_on_commit_callbacks(execute=True):
        summary = _import("zendesk", str(vendors.fixtures / "zendesk"), personas.harbor_email)
    # then their timeline rows are historic: written already dispatched, nobody ran
    assert summary.conversations == 2
    events = Event.objects.filter(account=personas.harbor)
    assert sorted(events.values_list("kind", flat=True)) == ["conversation.imported"] * 2
    assert not events.filter(dispatched_at__isnull=True).exists()
    assert not EventReceipt.objects.exists()
    assert not Message.objects.filter(text__startswith="Rule saw").exists()
    # the timeline shows where they came from, at their original time
    first = events.order_by("created_at").first()
    assert first.created_at == datetime(2022, 3, 1, 8, tzinfo=UTC)
    assert first.data == {"source": "zendesk", "external_id": "101", "messages": 3}


def test_display_ids_continue_the_accounts_numbering(personas, vendors, api):
    # given a live conversation already numbered #1
    api(personas.olivia).post(f"/api/v1/inboxes/{personas.harbor_api.pk}/messages", {
        "source_id": "live", "text": "hello", "message_id": "live-1"},
        content_type="application/json")
    _import("gorgias", str(vendors.fixtures / "gorgias"), personas.harbor_email)
    numbers = sorted(Conversation.objects.filter(account=personas.harbor)
                     .values_list("display_id", flat=True))
    assert numbers == [1, 2, 3]
    # and the account's next live conversation takes #4
    api(personas.olivia).post(f"/api/v1/inboxes/{personas.harbor_api.pk}/messages", {
        "source_id": "live-2", "text": "hello", "message_id": "live-2"},
        content_type="application/json")
    assert Conversation.objects.filter(account=personas.harbor).order_by(
        "-display_id").first().display_id == 4


def test_a_token_for_the_api_is_required_and_never_sent_elsewhere(vendors):
    from storedesk.importers.http import VendorApi, VendorError, bearer
    from storedesk.importers.readers import SourceError

    with pytest.raises(SourceError):
        build_reader("helpscout", vendors.base, Credentials())
    api = VendorApi(vendors.base, bearer("HSTOKEN"))
    with pytest.raises(VendorError):
        api.get("http://elsewhere.example/v2/conversations")


def test_a_refused_token_stops_the_command_with_a_clear_message(personas, vendors, capsys):
    from storedesk.cli import main

    code = main(["import", "helpscout", vendors.base, "--inbox", str(personas.harbor_email.pk),
                 "--token", "WRONG"])
    assert code == 1
    err = capsys.readouterr().err
    assert "answered 401" in err and "run the same command again to resume" in err
    assert "WRONG" not in err
    assert not Conversation.objects.filter(inbox=personas.harbor_email).exists()
