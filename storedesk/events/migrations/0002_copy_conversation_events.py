"""Copy inbox.ConversationEvent rows into events.Event with the dotted kind names.

Copied rows are history: they are marked dispatched (no subscriber replays the past).
"""

from django.db import migrations

RENAMED = {
    "message_received": "message.received",
    "reply_sent": "message.created",
    "note_added": "note.added",
    "delivery_retried": "message.retried",
    "conversation_opened": "conversation.opened",
    "assigned": "conversation.assigned",
    "status_changed": "conversation.status_changed",
    "priority_changed": "conversation.priority_changed",
    "tagged": "conversation.tagged",
    "untagged": "conversation.untagged",
    "macro_applied": "macro.applied",
}
BATCH = 2000


def copy_forward(apps, schema_editor):
    old = apps.get_model("inbox", "ConversationEvent")
    new = apps.get_model("events", "Event")
    rows = []
    for row in old.objects.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(new(
            account_id=row.account_id,
            conversation_id=row.conversation_id,
            kind=RENAMED.get(row.kind, row.kind),
            actor_type=row.actor_type,
            actor_agent_id=row.actor_agent_id,
            data=row.data,
            dispatched_at=row.created_at,
        ))
        if len(rows) >= BATCH:
            _insert(new, rows, old)
            rows = []
    _insert(new, rows, old)


def _insert(new, rows, old):
    if not rows:
        return
    created = new.objects.bulk_create(rows)
    # auto_now_add overwrote the timestamps: put the original ones back.
    for event in created:
        event.created_at = event.updated_at = event.dispatched_at
    new.objects.bulk_update(created, ["created_at", "updated_at"])


def copy_backward(apps, schema_editor):
    old = apps.get_model("inbox", "ConversationEvent")
    new = apps.get_model("events", "Event")
    back = {v: k for k, v in RENAMED.items()}
    rows = [
        old(account_id=e.account_id, conversation_id=e.conversation_id,
            kind=back.get(e.kind, e.kind)[:32], actor_type=e.actor_type,
            actor_agent_id=e.actor_agent_id, data=e.data)
        for e in new.objects.filter(conversation__isnull=False).order_by("pk").iterator()
    ]
    old.objects.bulk_create(rows, batch_size=BATCH)
    new.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("inbox", "0003_mentions"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_backward)]
