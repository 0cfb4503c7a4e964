"""Follow-ups with a frozen clock: a scheduled reply goes out once at its time through the
normal reply path (or is cancelled when the customer wrote first, the contact was merged,
the conversation was deleted or closed); reminders reopen and notify once; conversations
waiting on the customer resolve after N calendar days with a closing message in their
language, and the customer's reply reopens them. Two sweeps racing fire each timer once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import close_old_connections, connection

from storedesk.accounts.actor import Actor
from storedesk.contacts.actions import merge_contacts
from storedesk.contacts.models import Contact
from storedesk.core.errors import ActionError
from storedesk.events.models import Event
from storedesk.inbox.actions import InboundMessage, change_status, receive_message, send_reply
from storedesk.inbox.models import Conversation, Delivery, Mention, Message
from storedesk.workflow import followups
from storedesk.workflow.actions_followups import (
    AutoResolveSpec,
    ReplyDraft,
    cancel_scheduled_reply,
    edit_scheduled_reply,
    schedule_reply,
    send_scheduled_now,
    set_reminder,
    update_followup_settings,
)
from storedesk.workflow.models import Reminder, ScheduledReply
from storedesk.workflow.tasks import run_followups

WARSAW = ZoneInfo("Europe/Warsaw")
pytestmark = pytest.mark.django_db(transaction=True)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=WARSAW)


def shopper_writes(personas, sender="shopper-1", text="Where is my parcel?"):
    return receive_message(personas.harbor_chat, InboundMessage(sender_id=sender, text=text))


def outgoing(conversation):
    return list(Message.objects.filter(conversation=conversation, direction="outgoing",
                                       private=False).order_by("pk"))


def test_a_scheduled_reply_goes_out_once_at_its_time_through_the_reply_path(personas):
    # given a conversation and a reply scheduled for 09:00 tomorrow
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        row = schedule_reply(conversation, personas.ahmet, ReplyDraft("Your parcel left today."),
                             at(2026, 12, 2, 9, 0))
    # when the sweep runs before the time, nothing is sent
    with time_machine.travel(at(2026, 12, 2, 8, 59), tick=False):
        assert run_followups.call_local()["sent"] == 0
    assert outgoing(conversation) == []
    # then at the time it is sent once, as its author, however often the sweep runs
    with time_machine.travel(at(2026, 12, 2, 9, 0, 30), tick=False):
        assert run_followups.call_local()["sent"] == 1
        assert run_followups.call_local()["sent"] == 0
    [message] = outgoing(conversation)
    assert message.text == "Your parcel left today."
    assert message.sender_agent_id == personas.ahmet.agent_id
    assert message.metadata["scheduled_id"] == row.pk
    assert Delivery.objects.filter(message=message).count() == 1  # an outbox row
    row.refresh_from_db()
    assert (row.status, row.message_id) == ("sent", message.pk)
    kinds = list(Event.objects.filter(conversation=conversation, kind__startswith="followup.")
                 .order_by("pk").values_list("kind", flat=True))
    assert kinds == ["followup.reply_scheduled", "followup.reply_sent"]


def test_the_customer_writing_first_cancels_it_unless_the_box_was_unticked(personas):
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        cancelled = schedule_reply(conversation, personas.ahmet, ReplyDraft("Any news?"),
                                   at(2026, 12, 3, 9, 0))
        kept = schedule_reply(conversation, personas.ahmet, ReplyDraft("Our hours change."),
                              at(2026, 12, 3, 9, 0), cancel_if_customer_replies=False)
    # when the customer writes before the time
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        shopper_writes(personas, text="Got it, thanks!")
    cancelled.refresh_from_db()
    assert (cancelled.status, cancelled.reason) == ("cancelled", "customer_replied")
    # then only the reply kept on purpose goes out
    with time_machine.travel(at(2026, 12, 3, 9, 1), tick=False):
        assert run_followups.call_local()["sent"] == 1
    assert [m.text for m in outgoing(conversation)] == ["Our hours change."]
    kept.refresh_from_db()
    assert kept.status == "sent"


def test_the_check_at_send_time_holds_without_the_subscriber(personas, settings):
    # given the subscriber that cancels on a customer message does not run (a lagging worker)
    settings.EVENT_SUBSCRIBERS = {}
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        row = schedule_reply(conversation, personas.ahmet, ReplyDraft("Any news?"),
                             at(2026, 12, 3, 9, 0))
    with time_machine.travel(at(2026, 12, 2, 10, 0), tick=False):
        shopper_writes(personas, text="All good now.")
    with time_machine.travel(at(2026, 12, 3, 9, 1), tick=False):
        assert run_followups.call_local()["sent"] == 0
    row.refresh_from_db()
    assert (row.status, row.reason) == ("cancelled", "customer_replied")
    assert outgoing(conversation) == []


def test_a_merged_or_deleted_or_closed_conversation_gets_nothing(personas):
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        merged = shopper_writes(personas, sender="dup-1").conversation
        other = shopper_writes(personas, sender="primary-1").conversation
        deleted = shopper_writes(personas, sender="gone-1").conversation
        closed = shopper_writes(personas, sender="closed-1").conversation
        rows = {name: schedule_reply(conv, personas.ahmet, ReplyDraft(f"To {name}"),
                                     at(2026, 12, 2, 9, 0))
                for name, conv in (("merged", merged), ("deleted", deleted),
                                   ("closed", closed))}
        # the duplicate contact is merged into another one; one contact is erased
        merge_contacts(other.contact, Contact.objects.get(pk=merged.contact_id),
                       Actor.agent(personas.olivia))
        Contact.objects.filter(pk=deleted.contact_id).delete()
        change_status(closed, Actor.agent(personas.olivia), "closed")
    with time_machine.travel(at(2026, 12, 2, 9, 1), tick=False):
        assert run_followups.call_local()["sent"] == 0
    assert not ScheduledReply.objects.filter(pk=rows["deleted"].pk).exists()
    rows["merged"].refresh_from_db()
    rows["closed"].refresh_from_db()
    assert (rows["merged"].status, rows["merged"].reason) == ("cancelled", "merged")
    assert (rows["closed"].status, rows["closed"].reason) == ("cancelled", "closed")
    assert Message.objects.filter(direction="outgoing", text__startswith="To ").count() == 0


def test_edit_cancel_and_send_now(personas):
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        row = schedule_reply(conversation, personas.ahmet, ReplyDraft("Draft"),
                             at(2026, 12, 2, 9, 0))
        edit_scheduled_reply(row, personas.olivia, ReplyDraft("Better text"),
                             at(2026, 12, 2, 11, 0))
        with pytest.raises(ActionError):  # never in the past
            edit_scheduled_reply(row, personas.olivia, ReplyDraft("x"), at(2026, 12, 1, 9))
    with time_machine.travel(at(2026, 12, 2, 9, 30), tick=False):
        assert run_followups.call_local()["sent"] == 0  # moved to 11:00
        send_scheduled_now(row, personas.ahmet)
        with pytest.raises(ActionError):  # once sent, no second time
            send_scheduled_now(row, personas.ahmet)
        second = schedule_reply(conversation, personas.ahmet, ReplyDraft("Second"),
                                at(2026, 12, 2, 12, 0))
        cancel_scheduled_reply(second, personas.ahmet)
        with pytest.raises(ActionError):
            cancel_scheduled_reply(second, personas.ahmet)
    with time_machine.travel(at(2026, 12, 2, 13, 0), tick=False):
        assert run_followups.call_local()["sent"] == 0
    assert [m.text for m in outgoing(conversation)] == ["Better text"]


def test_bad_input_is_refused_and_keeps_nothing(personas):
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        for text, when in (("", at(2026, 12, 2, 9)), ("Hi", at(2026, 12, 1, 15)),
                           ("Hi", at(2028, 1, 1, 9)), ("a\x00b", at(2026, 12, 2, 9)),
                           ("Hi", datetime(2026, 12, 2, 9))):
            with pytest.raises(ActionError):
                schedule_reply(conversation, personas.ahmet, ReplyDraft(text), when)
    assert not ScheduledReply.objects.exists()


def test_a_reminder_unsnoozes_and_notifies_once(personas):
    olivia = Actor.agent(personas.olivia)
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        conversation = shopper_writes(personas).conversation
        send_reply(conversation, olivia, "I asked the warehouse.")
        change_status(conversation, olivia, "snoozed", snoozed_until=at(2026, 12, 10, 9))
        set_reminder(conversation, personas.olivia, at(2026, 12, 3, 9, 0),
                     for_membership=personas.ahmet, note="Call the warehouse")
    with time_machine.travel(at(2026, 12, 3, 9, 0, 5), tick=False):
        assert run_followups.call_local()["reminded"] == 1
        assert run_followups.call_local()["reminded"] == 0
    conversation.refresh_from_db()
    assert conversation.status == "open"
    # the existing mention path: a note @mentioning Ahmet (the Mentions view, the toast)
    [mention] = Mention.objects.filter(conversation=conversation)
    assert mention.membership_id == personas.ahmet.pk
    assert "Call the warehouse" in mention.message.text
    # in Ahmet's language (Turkish)
    assert "Hatırlatma" in mention.message.text
    [fired] = Event.objects.filter(conversation=conversation, kind="followup.reminder_fired")
    assert fired.data["outcome"] == "notified" and fired.data["reopened"] is True


def test_follow_up_if_no_answer_is_dismissed_by_an_answer(personas):
    olivia = Actor.agent(personas.olivia)
    with time_machine.travel(at(2026, 12, 1, 16, 0), tick=False):
        answered = shopper_writes(personas, sender="a-1").conversation
        silent = shopper_writes(personas, sender="s-1").conversation
        for conv in (answered, silent):
            send_reply(conv, olivia, "Could you send a photo?")
            change_status(conv, olivia, "pending")
            set_reminder(conv, personas.olivia, at(2026, 12, 4, 9), only_if_no_reply=True)
    with time_machine.travel(at(2026, 12, 2, 9, 0), tick=False):
        shopper_writes(personas, sender="a-1", text="Here it is")
    with time_machine.travel(at(2026, 12, 4, 9, 1), tick=False):
        assert run_followups.call_local()["reminded"] == 1
    assert Reminder.objects.get(conversation=answered).outcome == "answered"
    assert Reminder.objects.get(conversation=silent).outcome == "notified"
    assert Conversation.objects.get(pk=silent.pk).status == "open"
    assert Mention.objects.filter(conversation=silent, membership=personas.olivia).count() == 1
    assert not Mention.objects.filter(conversation=answered).exists()


def test_auto_resolve_after_calendar_days_with_a_translated_closing_message(personas):
    update_followup_settings(personas.olivia, AutoResolveSpec(days=3))
    olivia = Actor.agent(personas.olivia)
    with time_machine.travel(at(2026, 12, 4, 17, 0), tick=False):  # a Friday
        polish = shopper_writes(personas, sender="pl-1", text="Gdzie jest paczka?").conversation
        Conversation.objects.filter(pk=polish.pk).update(language="pl")
        polish.refresh_from_db()
        send_reply(polish, olivia, "Sprawdzamy.")
        still_ours = shopper_writes(personas, sender="en-1").conversation  # unanswered
    # when three calendar days pass (a weekend included), not a minute before
    with time_machine.travel(at(2026, 12, 7, 16, 59), tick=False):
        assert run_followups.call_local()["resolved"] == 0
    with time_machine.travel(at(2026, 12, 7, 17, 1), tick=False):
        assert run_followups.call_local()["resolved"] == 1
        assert run_followups.call_local()["resolved"] == 0
    polish.refresh_from_db()
    assert polish.status == "resolved"
    assert Conversation.objects.get(pk=still_ours.pk).status == "open"  # waiting on us
    closing = outgoing(polish)[-1]
    assert closing.sender_type == "system"
    assert "rozwiązan" in closing.text  # the built-in text in Polish
    # then the customer's reply reopens it (the inbox's one reopen path)
    with time_machine.travel(at(2026, 12, 8, 9, 0), tick=False):
        shopper_writes(personas, sender="pl-1", text="Nadal nie mam paczki")
    assert Conversation.objects.get(pk=polish.pk).status == "open"


def test_the_account_text_and_its_translations_win(personas):
    update_followup_settings(personas.olivia, AutoResolveSpec(
        days=1, closing_message="Closed for now — write back anytime.",
        closing_translations={"tr": "Şimdilik kapattık."}))
    from storedesk.workflow.actions_followups import followup_settings

    settings_row = followup_settings(personas.harbor.pk)
    assert followups.closing_message(settings_row, "tr") == "Şimdilik kapattık."
    assert followups.closing_message(settings_row, "pl") == "Closed for now — write back anytime."
    with pytest.raises(ActionError):  # not one of the account's languages
        update_followup_settings(personas.olivia, AutoResolveSpec(
            days=1, closing_translations={"xx": "?"}))
    with pytest.raises(ActionError):
        update_followup_settings(personas.olivia, AutoResolveSpec(days=0))
    from storedesk.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        update_followup_settings(personas.ahmet, AutoResolveSpec(days=2))


def test_two_racing_sweeps_fire_each_timer_once(personas):
    update_followup_settings(personas.olivia, AutoResolveSpec(days=1))
    olivia = Actor.agent(personas.olivia)
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        conversations = [shopper_writes(personas, sender=f"race-{i}").conversation
                         for i in range(6)]
        for conv in conversations[:2]:
            schedule_reply(conv, personas.ahmet, ReplyDraft("Scheduled"), at(2026, 12, 1, 12))
        for conv in conversations[2:4]:
            set_reminder(conv, personas.ahmet, at(2026, 12, 1, 12))
        for conv in conversations[4:]:
            send_reply(conv, olivia, "Anything else?")
    now = at(2026, 12, 2, 12, 0)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=30)
            results.append({"sent": followups.send_due_replies(now),
                            "reminded": followups.fire_due_reminders(now),
                            "resolved": followups.auto_resolve_due(now)})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    close_old_connections()
    assert not errors, errors
    assert sum(r["sent"] for r in results) == 2
    assert sum(r["reminded"] for r in results) == 2
    assert sum(r["resolved"] for r in results) == 2
    assert Message.objects.filter(text="Scheduled").count() == 2
    assert Mention.objects.filter(membership=personas.ahmet).count() == 2
    assert Event.objects.filter(kind="followup.auto_resolved").count() == 2
