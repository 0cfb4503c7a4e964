"""The demo as plain data: Lumen & Loom, a fictional home-textiles store, and its support desk.

Adding a scenario is adding a dict to a list in storedesk/demo/scenarios/<language>.py (the
loader seeds any scenario whose first message is not in the database yet, so an existing demo
picks new ones up on the next run); a new language is one more module joined below.

A scenario:
    key          unique; the inbound messages get source_id "demo:<key>:<n>"
    inbox        a key of INBOXES ("api", "email", "chat")
    language     en, pl, tr, id, th
    hours_ago    when the shopper first wrote
    shopper      {"id": sender id on the channel, "name", "email"}
    subject      optional (email)
    steps        in time order; "at" is minutes after the first message:
                   {"at": 0, "in": "text", "attachments": ["file.png"]}   the shopper writes
                   {"at": 9, "reply": "text", "by": "kasia"}              an agent answers
                   {"at": 12, "note": "text", "by": "alex"}              a private note
    assignee     an agent key, team a team name, tags, priority, status (final state)

Replies only on the email and chat inboxes: the demo API inbox has no webhook_url, so a reply
there fails delivery by design (that is correct behaviour, not demo material).
"""

from __future__ import annotations

from typing import Any

from storedesk.demo.scenarios import en, pl, th, tr
from storedesk.demo.scenarios import id as indonesian

ACCOUNT: dict[str, Any] = {
    "name": "Lumen & Loom",
    "slug": "lumen-loom",
    # The conversations and help center are in the first five; the assistant also answers
    # shoppers writing in the other six (storedesk/assistant).
    "languages": ["en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it", "nl"],
}

STORE: dict[str, Any] = {
    "slug": "lumen-loom",
    "name": "Lumen & Loom",
    "platform": "custom",
    "url": "https://lumenloom.example",
    "currency": "EUR",
}

OWNER_EMAIL = "admin@example.com"
PASSWORD = "storedesk-demo"  # noqa: S105 - the documented demo password

AGENTS: list[dict[str, Any]] = [
    {"key": "alex", "email": OWNER_EMAIL, "name": "Alex Morgan", "role": "owner",
     "language": "en"},
    {"key": "kasia", "email": "kasia@lumenloom.example", "name": "Kasia Nowak", "role": "agent",
     "language": "pl"},
    {"key": "emre", "email": "emre@lumenloom.example", "name": "Emre Demir", "role": "agent",
     "language": "tr"},
    {"key": "putri", "email": "putri@lumenloom.example", "name": "Putri Wulandari",
     "role": "agent", "language": "id"},
    {"key": "nok", "email": "nok@lumenloom.example", "name": "Nok Srisuk", "role": "agent",
     "language": "th"},
    {"key": "sam", "email": "sam@lumenloom.example", "name": "Sam Rivera",
     "role": "light_agent", "language": "en"},
]

TEAMS: dict[str, list[str]] = {
    "Support": ["alex", "kasia", "emre", "putri", "nok"],
    "Returns": ["kasia", "emre", "sam"],
}

# The chat's greeting in the visitor's language (the widget follows the browser's language).
CHAT_GREETINGS: dict[str, str] = {
    "en": "Hi! Questions about an order? We're here.",
    "pl": "Cześć! Pytania o zamówienie? Jesteśmy tutaj.",
    "tr": "Merhaba! Siparişinizle ilgili bir sorunuz mu var? Buradayız.",
    "id": "Halo! Ada pertanyaan tentang pesanan? Kami siap membantu.",
    "th": "สวัสดีค่ะ มีคำถามเกี่ยวกับคำสั่งซื้อไหมคะ เราพร้อมช่วยเหลือ",
    "de": "Hallo! Fragen zu einer Bestellung? Wir sind für Sie da.",
    "es": "¡Hola! ¿Preguntas sobre un pedido? Estamos aquí.",
    "fr": "Bonjour ! Une question sur une commande ? Nous sommes là.",
    "pt": "Olá! Dúvidas sobre uma encomenda? Estamos aqui.",
    "it": "Ciao! Domande su un ordine? Siamo qui.",
    "nl": "Hallo! Vragen over een bestelling? We zijn er voor je.",
}
# What an older demo's chat inbox said to every visitor, whatever their language.
OLD_CHAT_GREETING = "Hi! Questions about an order? We're here."

INBOXES: dict[str, dict[str, Any]] = {
    "api": {"name": "Store API", "channel": "api", "config": {}},
    "email": {"name": "Support email", "channel": "email",
              # the demo's replies stay on this machine, even with an SMTP server configured
              "config": {"address": "support@lumenloom.example", "local_only": True}},
    "chat": {"name": "Website chat", "channel": "webchat",
             "config": {"texts": {language: {"greeting": greeting}
                                  for language, greeting in CHAT_GREETINGS.items()},
                        # paste the snippet into a page served on port 8080 and it just works
                        "allowed_origins": ["http://localhost:8080", "http://127.0.0.1:8080"]}},
}

# Tag name -> colour; scenarios may use other tags too (they get the default colour).
TAGS: dict[str, str] = {
    "where-is-my-order": "#2563eb",
    "return": "#7c3aed",
    "refund": "#0d9488",
    "cancellation": "#dc2626",
    "address-change": "#d97706",
    "shipping": "#0284c7",
    "damaged": "#b91c1c",
    "replacement": "#9333ea",
    "compliment": "#16a34a",
}

CONVERSATIONS: list[dict[str, Any]] = [
    *en.SCENARIOS, *pl.SCENARIOS, *tr.SCENARIOS, *indonesian.SCENARIOS, *th.SCENARIOS,
]


# Macros in every demo language (issue 8, point 12): the macro picker puts the conversation's
# language first. {{order.*}} comes from the shopper's latest order (commerce), so a shopper
# without an order shows the "fill in" guard before sending.
MACROS: list[dict[str, Any]] = [
    {"name": "Order status", "language": "en",
     "text": "Hi {{contact.first_name}}, your order {{order.number}} is {{order.status}}. "
             "You can follow it here: {{order.tracking_url}}\n{{agent.first_name}}"},
    {"name": "Return instructions", "language": "en",
     "text": "Hi {{contact.first_name}}, here is how to send it back: {{return.instructions}}"},
    {"name": "Thanks, resolved", "language": "en", "actions": {"status": "resolved"},
     "text": "Thank you, {{contact.first_name}}! Write to us any time."},
    {"name": "Status zamówienia", "language": "pl",
     "text": "Dzień dobry {{contact.first_name}}, zamówienie {{order.number}}: "
             "{{order.status}}. Śledzenie przesyłki: {{order.tracking_url}}\n{{agent.first_name}}"},
    {"name": "Zwrot – instrukcja", "language": "pl",
     "text": "Dzień dobry {{contact.first_name}}, tak odeślesz paczkę: {{return.instructions}}"},
    {"name": "Dziękujemy, rozwiązane", "language": "pl", "actions": {"status": "resolved"},
     "text": "Dziękujemy, {{contact.first_name}}! W razie pytań jesteśmy do dyspozycji."},
    {"name": "Sipariş durumu", "language": "tr",
     "text": "Merhaba {{contact.first_name}}, {{order.number}} numaralı siparişiniz: "
             "{{order.status}}. Kargo takibi: {{order.tracking_url}}\n{{agent.first_name}}"},
    {"name": "İade talimatı", "language": "tr",
     "text": "Merhaba {{contact.first_name}}, ürünü şöyle geri gönderebilirsiniz: "
             "{{return.instructions}}"},
    {"name": "Teşekkürler, çözüldü", "language": "tr", "actions": {"status": "resolved"},
     "text": "Teşekkür ederiz {{contact.first_name}}! Her zaman yazabilirsiniz."},
    {"name": "Status pesanan", "language": "id",
     "text": "Halo {{contact.first_name}}, pesanan {{order.number}}: {{order.status}}. "
             "Lacak paket: {{order.tracking_url}}\n{{agent.first_name}}"},
    {"name": "Cara retur", "language": "id",
     "text": "Halo {{contact.first_name}}, begini cara mengembalikan barang: "
             "{{return.instructions}}"},
    {"name": "Terima kasih, selesai", "language": "id", "actions": {"status": "resolved"},
     "text": "Terima kasih, {{contact.first_name}}! Hubungi kami kapan saja."},
    {"name": "สถานะคำสั่งซื้อ", "language": "th",
     "text": "สวัสดีค่ะคุณ {{contact.first_name}} คำสั่งซื้อ {{order.number}}: {{order.status}} "
             "ติดตามพัสดุได้ที่ {{order.tracking_url}}\n{{agent.first_name}}"},
    {"name": "วิธีคืนสินค้า", "language": "th",
     "text": "สวัสดีค่ะคุณ {{contact.first_name}} วิธีส่งสินค้าคืน: {{return.instructions}}"},
    {"name": "ขอบคุณค่ะ แก้ไขแล้ว", "language": "th", "actions": {"status": "resolved"},
     "text": "ขอบคุณค่ะคุณ {{contact.first_name}} ติดต่อเราได้ตลอดเวลานะคะ"},
]
