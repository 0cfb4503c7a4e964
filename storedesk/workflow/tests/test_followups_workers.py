"""Two real Huey worker processes (two threads each) on the test's database: every scheduled
reply and every reminder is handed to them three times at once, and each still fires exactly
once (the conditional UPDATE that claims the row decides)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from storedesk.inbox.actions import InboundMessage, receive_message
from storedesk.inbox.models import Mention, Message
from storedesk.testing.queue_workers import wait_for
from storedesk.workflow.actions_followups import ReplyDraft, schedule_reply, set_reminder
from storedesk.workflow.models import Reminder, ScheduledReply
from storedesk.workflow.tasks import fire_reminder, send_scheduled_reply

pytestmark = pytest.mark.django_db(transaction=True)


def test_duplicate_tasks_on_two_workers_fire_each_timer_once(personas, start_worker):
    # given six conversations, three replies scheduled and three reminders, due in 2 seconds
    due = timezone.now() + timedelta(seconds=2)
    conversations = [receive_message(personas.harbor_chat, InboundMessage(
        sender_id=f"w-{i}", text="Hello?")).conversation for i in range(6)]
    rows = [schedule_reply(c, personas.ahmet, ReplyDraft(f"Scheduled {c.pk}"), due)
            for c in conversations[:3]]
    reminders = [set_reminder(c, personas.ahmet, due) for c in conversations[3:]]
    start_worker("followups-a", workers=2)
    start_worker("followups-b", workers=2)
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.2)
    # when each one is handed to the workers three more times at once
    for _ in range(3):
        for row in rows:
            send_scheduled_reply(row.pk)
        for reminder in reminders:
            fire_reminder(reminder.pk)
    # then every timer fired, and once
    wait_for(lambda: not ScheduledReply.objects.filter(status="scheduled").exists()
             and not Reminder.objects.filter(fired_at=None).exists(), "the timers to fire")
    time.sleep(1.0)  # let any duplicate task finish: it must find nothing to claim
    for row in rows:
        row.refresh_from_db()
        assert row.status == "sent"
        assert Message.objects.filter(conversation_id=row.conversation_id,
                                      direction="outgoing", private=False).count() == 1
    for reminder in reminders:
        assert Mention.objects.filter(conversation_id=reminder.conversation_id).count() == 1
    assert Reminder.objects.filter(outcome="notified").count() == 3
