"""The conversation pane through its views: reading, replying, notes, header controls, retry,
attachments. Harbor & Vine's agents work; Northwind's Bruno must get 404 everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from storedesk.accounts.actor import Actor
from storedesk.inbox.actions import InboundMessage, assign, receive_message, send_reply
from storedesk.inbox.models import (
    Conversation,
    ConversationRead,
    Delivery,
    DeliveryStatus,
    Inbox,
    Message,
    Status,
)
from storedesk.inbox.storage import IncomingFile

MUTATIONS = ["reply", "note", "read", "assign", "status", "priority", "tag", "untag"]


def client_for(membership) -> Client:
    client = Client()
    client.force_login(membership.agent)
    return client


def hx(client: Client, method: str, url: str, data=None):
    return getattr(client, method)(url, data or {}, headers={"HX-Request": "true"})


def shopper_writes(personas, text="Where is my order?", sender="ayse", **extra):
    return receive_message(
        extra.pop("inbox", personas.harbor_api),
        InboundMessage(sender_id=sender, text=text, name="Ayşe Kaya",
                       email=f"{sender}@shopper.test", **extra),
    )


def url(name: str, conversation: Conversation, *args) -> str:
    return reverse(f"inbox:{name}", args=[conversation.display_id, *args])


@pytest.fixture
def conversation(personas) -> Conversation:
    return shopper_writes(personas).conversation


# --- Opening a conversation --------------------------------------------------------------------


def test_olivia_opens_a_conversation_as_a_page_and_as_a_pane(personas, conversation):
    # given olivia signed in
    olivia = client_for(personas.olivia)
    # when she opens the conversation's URL directly
    page = olivia.get(url("conversation", conversation))
    # then she gets the whole workspace: the list pane and the thread
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="list-pane"' in html and 'id="thread"' in html
    assert "Where is my order?" in html
    assert f'id="conv-row-{conversation.pk}"' in html
    assert "Ayşe Kaya" in html  # the customer sidebar
    # when the list asks for it through htmx
    pane = hx(olivia, "get", url("conversation", conversation))
    # then only the pane comes back
    assert pane.status_code == 200
    assert "<html" not in pane.content.decode()
    assert 'id="composer"' in pane.content.decode()
    # and opening it changed nothing: GET never writes
    assert not ConversationRead.objects.filter(conversation=conversation).exists()


def test_the_pane_marks_the_conversation_read_with_a_post(personas, conversation):
    # given olivia looking at the conversation
    olivia = client_for(personas.olivia)
    # when the pane's load trigger posts to "read"
    response = hx(olivia, "post", url("read", conversation))
    # then her read marker is stored
    assert response.status_code == 204
    assert ConversationRead.objects.filter(
        conversation=conversation, agent=personas.olivia.agent
    ).exists()


def test_opening_a_long_thread_costs_the_same_queries_as_a_short_one(
    personas, conversation, django_assert_num_queries
):
    # given a short thread, measured
    olivia = client_for(personas.olivia)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        assert hx(olivia, "get", url("conversation", conversation)).status_code == 200
    # when the thread grows with messages, attachments, notes and events
    for i in range(15):
        shopper_writes(personas, text=f"more {i}",
                       attachments=[IncomingFile(f"f{i}.txt", b"x", "text/plain")])
        send_reply(conversation, Actor.agent(personas.ahmet), f"answer {i}")
    # then the pane still needs the same number of queries (no N+1)
    with django_assert_num_queries(len(short.captured_queries)):
        response = hx(olivia, "get", url("conversation", conversation))
    assert "answer 14" in response.content.decode()


# --- Tenancy -------------------------------------------------------------------------------------


def test_bruno_from_northwind_gets_404_on_everything_of_harbor(personas, conversation):
    # given a Harbor conversation with an attachment, and Bruno of Northwind signed in
    with_file = shopper_writes(personas, text="photo",
                               attachments=[IncomingFile("a.png", b"png", "image/png")])
    attachment = with_file.message.attachments.get()
    bruno = client_for(personas.bruno)
    # then every route of the pane is a 404 for him
    for name in ["conversation", "thread", "header", "macro_preview"]:
        assert bruno.get(url(name, conversation)).status_code == 404, name
    for name in MUTATIONS:
        assert bruno.post(url(name, conversation), {"text": "hi"}).status_code == 404, name
    assert bruno.post(url("retry", conversation, with_file.message.pk)).status_code == 404
    assert bruno.get(reverse("inbox:attachment", args=[attachment.pk])).status_code == 404
    # and nothing was written on his behalf
    assert not Message.objects.filter(conversation=conversation, direction="outgoing").exists()


def test_lina_only_opens_conversations_of_the_returns_team(personas, conversation):
    # given one conversation on the Returns team and one without a team
    returns = shopper_writes(personas, sender="jan", text="I want to return a lamp").conversation
    assign(returns, Actor.agent(personas.olivia), assignee=None, team=personas.returns,
           set_team=True)
    lina = client_for(personas.lina)
    # then lina opens the Returns one and gets 404 on the other, also for writes
    assert lina.get(url("conversation", returns)).status_code == 200
    assert lina.get(url("conversation", conversation)).status_code == 404
    assert lina.post(url("reply", conversation), {"text": "hi"}).status_code == 404
    assert lina.post(url("note", conversation), {"text": "hi"}).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(conversation):
    response = Client().get(url("conversation", conversation))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- POST + CSRF ---------------------------------------------------------------------------------


def test_every_mutation_is_post_only(personas, conversation):
    olivia = client_for(personas.olivia)
    message = conversation.messages.get()
    for name in MUTATIONS:
        assert olivia.get(url(name, conversation)).status_code == 405, name
    assert olivia.get(url("retry", conversation, message.pk)).status_code == 405


def test_every_mutation_needs_the_csrf_token(personas, conversation):
    # given a browser that enforces CSRF like a real one, without the token
    olivia = Client(enforce_csrf_checks=True)
    olivia.force_login(personas.olivia.agent)
    message = conversation.messages.get()
    data = {"text": "hi", "status": "resolved", "priority": "high", "name": "vip",
            "assignee": personas.olivia.pk}
    # then every mutation is refused
    for name in MUTATIONS:
        assert olivia.post(url(name, conversation), data).status_code == 403, name
    assert olivia.post(url("retry", conversation, message.pk)).status_code == 403
    # and nothing changed
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority, conversation.assignee_id) == (
        Status.OPEN, "normal", None)
    # when the token is sent the way htmx sends it (X-CSRFToken from the page)
    page = olivia.get(url("conversation", conversation))
    token = page.cookies["csrftoken"].value
    response = olivia.post(url("priority", conversation), {"priority": "high"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    # then it goes through
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.priority == "high"


# --- Composer ------------------------------------------------------------------------------------


def test_reply_with_a_macro_renders_variables_and_applies_its_actions(personas, conversation):
    from storedesk.workflow.actions import create_macro

    # given a macro that greets by first name, tags and resolves
    text = ("Hi {{contact.first_name}}, your order #{{conversation.display_id}} is on its way. "
            "{{agent.first_name}}")
    macro = create_macro(personas.harbor, name="Shipped", text=text,
                         actions={"status": "resolved", "tags": ["shipping"]})
    olivia = client_for(personas.olivia)
    # when olivia picks it in the composer
    preview = hx(olivia, "get", url("macro_preview", conversation) + f"?macro={macro.pk}")
    # then the composer shows it rendered for this shopper, and nothing was sent yet
    assert preview.status_code == 200
    rendered = f"Hi Ayşe, your order #{conversation.display_id} is on its way. Olivia"
    assert rendered in preview.content.decode()
    assert f'name="macro_id" value="{macro.pk}"' in preview.content.decode()
    assert conversation.messages.count() == 1
    # when she sends it
    response = hx(olivia, "post", url("reply", conversation), {"text": rendered,
                                                               "macro_id": macro.pk})
    # then the reply is stored, the macro's actions applied and its use counted
    assert response.status_code == 200
    reply = conversation.messages.get(direction="outgoing")
    assert reply.text == rendered and not reply.private
    conversation.refresh_from_db()
    assert conversation.status == Status.RESOLVED
    assert list(conversation.tags.values_list("name", flat=True)) == ["shipping"]
    macro.refresh_from_db()
    assert macro.usage_count == 1
    # and the answer re-renders the composer empty with the thread out-of-band
    html = response.content.decode()
    assert 'id="thread" class="thread"' in html and 'hx-swap-oob="true"' in html
    assert rendered in html


def test_another_accounts_macro_cannot_be_used(personas, conversation):
    from storedesk.workflow.actions import create_macro

    foreign = create_macro(personas.northwind, name="NW", text="Northwind says hi",
                           actions={"status": "resolved"})
    olivia = client_for(personas.olivia)
    preview = hx(olivia, "get", url("macro_preview", conversation) + f"?macro={foreign.pk}")
    assert "Northwind says hi" not in preview.content.decode()
    response = hx(olivia, "post", url("reply", conversation), {"text": "x", "macro_id": foreign.pk})
    assert response.status_code == 400
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert not conversation.messages.filter(direction="outgoing").exists()


def test_a_note_with_a_mention_stays_private_and_names_the_teammate(personas, conversation):
    # given olivia writing a note
    olivia = client_for(personas.olivia)
    # when she mentions ahmet
    response = hx(olivia, "post", url("note", conversation),
                  {"text": "@ahmet can you check the courier?"})
    # then a private note is stored with the mention resolved
    assert response.status_code == 200
    note = conversation.messages.get(private=True)
    assert note.metadata["mentions"] == [personas.ahmet.pk]
    assert Delivery.objects.filter(message=note).count() == 0  # never sent to the shopper
    assert "Private note" in response.content.decode()


def test_an_empty_reply_shows_an_inline_error(personas, conversation):
    olivia = client_for(personas.olivia)
    response = hx(olivia, "post", url("reply", conversation), {"text": "   "})
    assert response.status_code == 400
    assert "Write something or attach a file." in response.content.decode()
    assert conversation.messages.count() == 1


def test_a_reply_with_an_attachment_is_stored_and_listed(
    personas, conversation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    olivia = client_for(personas.olivia)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")
    response = olivia.post(url("reply", conversation),
                           {"text": "Your label", "attachments": upload},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    attachment = conversation.messages.get(direction="outgoing").attachments.get()
    assert (attachment.filename, attachment.size) == ("label.pdf", 14)
    assert reverse("inbox:attachment", args=[attachment.pk]) in response.content.decode()


def test_an_attachment_over_the_limit_is_refused(personas, conversation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_BYTES = 10
    from django.core.files.uploadedfile import SimpleUploadedFile

    olivia = client_for(personas.olivia)
    upload = SimpleUploadedFile("big.bin", b"x" * 11)
    response = olivia.post(url("note", conversation), {"text": "big", "attachments": upload},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "limit" in response.content.decode()
    assert not conversation.messages.filter(private=True).exists()


# --- Delivery status and retry -------------------------------------------------------------------


def test_a_failed_delivery_shows_its_error_and_retry_requeues_it(
    personas, django_capture_on_commit_callbacks
):
    # given an SMS inbox, for which no transport exists yet: every send fails permanently
    sms = Inbox.objects.create(account=personas.harbor, name="SMS", channel="sms")
    conversation = shopper_writes(personas, inbox=sms, sender="+48500100200").conversation
    olivia = client_for(personas.olivia)
    # when olivia replies and the delivery task runs
    with django_capture_on_commit_callbacks(execute=True):
        hx(olivia, "post", url("reply", conversation), {"text": "Thanks, checking"})
    reply = conversation.messages.get(direction="outgoing")
    assert reply.delivery_status == DeliveryStatus.FAILED
    # then the thread shows the failure, its error and a Retry button
    thread = hx(olivia, "get", url("thread", conversation)).content.decode()
    assert "No transport is available for the sms channel yet." in thread
    assert url("retry", conversation, reply.pk) in thread
    # when she presses Retry
    response = hx(olivia, "post", url("retry", conversation, reply.pk))
    # then the delivery is queued again and the message shows as pending
    assert response.status_code == 200
    delivery = Delivery.objects.get(message=reply)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("queued", 0, "")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert "Retry" not in response.content.decode()
    # and retrying something that is not failed is an inline error
    again = hx(olivia, "post", url("retry", conversation, reply.pk))
    assert again.status_code == 400
    assert "Only a failed message can be retried." in again.content.decode()


# --- Attachments and unsafe content --------------------------------------------------------------


def test_attachment_download_is_a_safe_attachment(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # given a shopper who sent an HTML file
    received = shopper_writes(personas, text="see file", attachments=[
        IncomingFile("page.html", b"<script>alert(1)</script>", "text/html")])
    attachment = received.message.attachments.get()
    # when ahmet downloads it
    response = client_for(personas.ahmet).get(reverse("inbox:attachment", args=[attachment.pk]))
    # then it is a download, never rendered by the browser
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_lina_cannot_download_an_attachment_outside_her_team(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    received = shopper_writes(personas, text="file", attachments=[
        IncomingFile("a.txt", b"secret", "text/plain")])
    attachment = received.message.attachments.get()
    response = client_for(personas.lina).get(reverse("inbox:attachment", args=[attachment.pk]))
    assert response.status_code == 404


def test_script_in_a_message_never_renders_as_markup(personas):
    # given a shopper who writes script and an event-handler image, as text and as HTML
    conversation = shopper_writes(
        personas, text="<script>alert('text')</script><img src=x onerror=alert(1)>").conversation
    shopper_writes(personas, text="html version", html=(
        "<p>Hello <b>bold</b><img src=x onerror=alert(2)><script>alert(3)</script></p>"))
    # when olivia opens the conversation
    olivia = client_for(personas.olivia)
    html = hx(olivia, "get", url("conversation", conversation)).content.decode()
    # then the text is escaped, the HTML is the sanitised version, no handler survives
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;text&#x27;)&lt;/script&gt;" in html
    assert "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "<b>bold</b>" in html


# --- Header controls -----------------------------------------------------------------------------


def test_header_controls_assign_prioritise_tag_and_snooze(personas, conversation):
    olivia = client_for(personas.olivia)
    # when olivia gives the conversation to ahmet and the Returns team
    response = hx(olivia, "post", url("assign", conversation),
                  {"assignee": personas.ahmet.pk, "team": personas.returns.pk})
    # then it is his, and the activity line says so (thread out-of-band)
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.team_id) == (
        personas.ahmet.pk, personas.returns.pk)
    assert "Olivia Owner assigned the conversation to Ahmet Yilmaz" in response.content.decode()
    # when she only changes the assignee, the team stays
    hx(olivia, "post", url("assign", conversation), {"assignee": personas.olivia.pk})
    conversation.refresh_from_db()
    assert (conversation.assignee_id, conversation.team_id) == (
        personas.olivia.pk, personas.returns.pk)
    # when she raises the priority and tags it, then removes the tag
    hx(olivia, "post", url("priority", conversation), {"priority": "urgent"})
    hx(olivia, "post", url("tag", conversation), {"name": "VIP"})
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"
    assert list(conversation.tags.values_list("name", flat=True)) == ["vip"]
    untagged = hx(olivia, "post", url("untag", conversation), {"name": "vip"})
    assert untagged.status_code == 200
    assert not conversation.tags.exists()
    # when she snoozes it until tomorrow 09:00 in her browser's zone (UTC+3, offset -180)
    tomorrow = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%d")
    hx(olivia, "post", url("status", conversation),
       {"status": "snoozed", "snoozed_until": f"{tomorrow}T09:00", "tz_offset": "-180"})
    conversation.refresh_from_db()
    assert conversation.status == Status.SNOOZED
    assert conversation.snoozed_until.strftime("%Y-%m-%dT%H:%M") == f"{tomorrow}T06:00"


def test_header_errors_are_inline_with_status_400(personas, conversation):
    olivia = client_for(personas.olivia)
    # snoozing without a time
    response = hx(olivia, "post", url("status", conversation), {"status": "snoozed"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    # a transition the table forbids (open -> open)
    response = hx(olivia, "post", url("status", conversation), {"status": "open"})
    assert response.status_code == 400
    assert "already open" in response.content.decode()
    # an agent from another account
    response = hx(olivia, "post", url("assign", conversation), {"assignee": personas.bruno.pk})
    assert response.status_code == 400
    conversation.refresh_from_db()
    assert conversation.assignee_id is None and conversation.status == Status.OPEN


def test_resolve_then_close_shows_the_activity_and_closes_the_composer(personas, conversation):
    olivia = client_for(personas.olivia)
    hx(olivia, "post", url("status", conversation), {"status": "resolved"})
    response = hx(olivia, "post", url("status", conversation), {"status": "closed"})
    assert response.status_code == 200
    assert "Olivia Owner changed the status to Closed" in response.content.decode()
    pane = hx(olivia, "get", url("conversation", conversation)).content.decode()
    assert "only private notes can be added" in pane
    refused = hx(olivia, "post", url("reply", conversation), {"text": "late"})
    assert refused.status_code == 400
