"""Generated history in the JSONL format, for the benchmark and the tests: shoppers in five
languages writing about orders, agents answering, a note now and then, tags, statuses."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

TEXTS = [
    "Hi, where is my order #{n}? It was supposed to arrive yesterday.",
    "Dzień dobry, chciałbym zwrócić zamówienie {n}, rozmiar nie pasuje.",
    "Merhaba, {n} numaralı siparişimi iptal etmek istiyorum.",
    "Halo, apakah saya bisa mengubah alamat pengiriman untuk pesanan {n}?",
    "สวัสดีค่ะ ต้องการขอคืนเงินสำหรับคำสั่งซื้อ {n} ค่ะ",
]
ANSWERS = [
    "Thanks for writing! Order {n} left our warehouse today; tracking follows by email.",
    "We have refunded order {n}. It shows on your statement in 3-5 working days.",
    "Done: order {n} now ships to the new address.",
]
STATUSES = ["resolved", "resolved", "resolved", "closed", "open", "pending"]
TAGS = ["shipping", "returns", "refund", "address", "vip", "wismo"]
START = datetime(2019, 1, 1, tzinfo=UTC)


def conversations(messages: int, *, per_conversation: int = 6, shoppers: int = 50_000,
                  agents: int = 12, attachment_every: int = 0) -> Iterator[dict[str, Any]]:
    """Conversations holding `messages` messages in all (the last one may hold fewer)."""
    written = 0
    n = 0
    while written < messages:
        n += 1
        shopper = n % shoppers
        at = START + timedelta(minutes=7 * n)
        count = min(per_conversation, messages - written)
        posts = []
        for k in range(count):
            when = (at + timedelta(minutes=13 * k)).isoformat()
            if k % 2 == 0:
                post: dict[str, Any] = {"id": f"{n}-{k}", "created_at": when, "from": "contact",
                                        "text": TEXTS[(n + k) % len(TEXTS)].format(n=1000 + n)}
            else:
                agent = (n + k) % agents
                post = {"id": f"{n}-{k}", "created_at": when, "from": "agent",
                        "author": {"name": f"Agent {agent}", "email": f"agent{agent}@old.test"},
                        "text": ANSWERS[(n + k) % len(ANSWERS)].format(n=1000 + n),
                        "private": k == 3}
            if attachment_every and (n * per_conversation + k) % attachment_every == 0:
                post["attachments"] = [{"filename": f"photo-{n}-{k}.png",
                                        "content_type": "image/png",
                                        "data": base64.b64encode(
                                            b"\x89PNG sample " + str(n).encode()).decode()}]
            posts.append(post)
        written += count
        yield {
            "id": f"T-{n}", "subject": f"Order {1000 + n}",
            "status": STATUSES[n % len(STATUSES)], "tags": [TAGS[n % len(TAGS)]],
            "created_at": at.isoformat(),
            "contact": {"id": f"C-{shopper}", "name": f"Shopper {shopper}",
                        "email": f"shopper{shopper}@example.net"},
            "messages": posts,
        }


def write(out: IO[str], messages: int, **options: Any) -> int:
    """Write the JSONL lines; returns how many conversations."""
    count = 0
    for conversation in conversations(messages, **options):
        out.write(json.dumps(conversation, ensure_ascii=False))
        out.write("\n")
        count += 1
    return count
