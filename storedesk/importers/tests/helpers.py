"""Reading back what an import stored, as plain data a test can compare."""

from __future__ import annotations

from typing import Any

from storedesk.inbox.models import Conversation, Inbox


def dump(inbox: Inbox) -> list[dict[str, Any]]:
    """Every conversation of the inbox with its messages, ids left out (two imports of the
    same history into two inboxes dump the same)."""
    out = []
    conversations = (Conversation.objects.filter(inbox=inbox)
                     .select_related("contact", "assignee__agent").prefetch_related("tags")
                     .order_by("created_at", "subject"))
    for c in conversations:
        messages = []
        for m in c.messages.order_by("created_at", "source_id").select_related(
                "sender_agent", "sender_contact").prefetch_related("attachments"):
            messages.append({
                "source_id": m.source_id, "at": m.created_at.isoformat(),
                "sender": m.sender_type, "direction": m.direction, "private": m.private,
                "status": m.delivery_status, "text": m.text, "html": m.html,
                "agent": m.sender_agent.email if m.sender_agent else None,
                "contact": m.sender_contact.email if m.sender_contact else None,
                "author": m.metadata.get("author"),
                "files": sorted((a.filename, a.content_type, a.size, a.sha256)
                                for a in m.attachments.all()),
            })
        out.append({
            "subject": c.subject, "status": c.status, "priority": c.priority,
            "tags": sorted(t.name for t in c.tags.all()),
            "assignee": c.assignee.agent.email if c.assignee else None,
            "contact": (c.contact.name, c.contact.email, c.contact.phone),
            "created_at": c.created_at.isoformat(),
            "last_message_at": c.last_message_at.isoformat() if c.last_message_at else None,
            "first_reply_at": c.first_reply_at.isoformat() if c.first_reply_at else None,
            "waiting_since": c.waiting_since.isoformat() if c.waiting_since else None,
            "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None,
            "message_count": c.message_count,
            "messages": messages,
        })
    return out
