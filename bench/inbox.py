#!/usr/bin/env python
"""Inbox list and search latency on PostgreSQL at 100,000 conversations / 1,000,000 messages.

    .venv/bin/python bench/inbox.py [--keep] [--runs 50] [--conversations 100000]

Creates a fresh database `storedesk_bench_inbox` (or BENCH_INBOX_PG_DB; dropped at the end
unless --keep; with --keep an already generated one is reused), migrates it, generates the
data with set-based SQL (INSERT ... SELECT generate_series), ANALYZEs, then times the server
side of the list:

* "view": the whole Django request through django.test.Client (session + auth + membership
  middleware, the list view, the rows query, the nav counts, template rendering) as htmx sends
  it, measured in-process with perf_counter, no network;
  The CPU time this process spent per request is reported beside it ("view_python_cpu"):
  on a shared machine the wall time includes waiting for a CPU;
* "rows": `listing.list_page()` alone (the rows query + the tags prefetch); for the nav
  counts scenario, `listing.view_counts()` alone.

The list view answers without the nav counts (the nav fetches them from /inbox/counts/ when
it loads and on live events), so the counts endpoint is timed as its own scenario.

Prints p50/p95 per scenario, writes bench/results/inbox.json, and the EXPLAIN (ANALYZE,
BUFFERS) of the slowest query of the slowest list and search scenarios to
bench/results/inbox_explain.txt. Connection: BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/postgres), used to create/drop the database.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_INBOX_PG_DB", "storedesk_bench_inbox")
ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
RESULTS = ROOT / "bench" / "results"


def db_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path="/" + name))


def prepare_database(keep: bool) -> bool:
    """Create the bench database; True when an existing, generated one is reused."""
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
        ).fetchone()
        if exists and keep:
            with psycopg.connect(db_url(DB_NAME)) as bench:
                done = bench.execute(
                    "SELECT to_regclass('bench_inbox_done') IS NOT NULL"
                ).fetchone()
            if done and done[0]:
                return True
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return False


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


# --- Data -----------------------------------------------------------------------------------

FIRST = {
    "en": ["Emma", "Oliver", "Sophie", "James", "Grace", "Harry"],
    "pl": ["Jan", "Anna", "Katarzyna", "Piotr", "Małgorzata", "Łukasz"],
    "tr": ["Ayşe", "Mehmet", "Zeynep", "Emre", "Elif", "Çağla"],
    "id": ["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri"],
    "th": ["สมชาย", "สมหญิง", "ณัฐพล", "กมลชนก", "Somchai", "Ploy"],
}
LAST = {
    "en": ["Smith", "Brown", "Taylor", "Wilson", "Evans", "Clarke"],
    "pl": ["Kowalski", "Nowak", "Wiśniewska", "Wójcik", "Kamińska", "Zieliński"],
    "tr": ["Yılmaz", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın"],
    "id": ["Santoso", "Rahayu", "Wijaya", "Saputra", "Lestari", "Hidayat"],
    "th": ["ใจดี", "ศรีสุข", "Srisuk", "วงศ์ใหญ่", "Chaiyaporn", "บุญมา"],
}
ASK = {
    "en": ["Where is my order {n}?", "My parcel {n} arrived damaged, the vase is broken",
           "I want to return order {n}, it does not fit",
           "Can I change the delivery address for {n}?",
           "Please cancel my order {n}", "When will the oak table be back in stock?",
           "I was charged twice for order {n}", "Do you ship to Ireland?"],
    "pl": ["Gdzie jest moje zamówienie {n}?", "Zamówienie {n} nie dotarło do tej pory",
           "Chcę zwrócić zamówienie {n}, rozmiar nie pasuje", "Paczka {n} przyszła uszkodzona",
           "Proszę anulować zamówienie {n}", "Czy mogę zmienić adres dostawy dla {n}?",
           "Kiedy wróci na stan lniana pościel?", "Dostałem zły kolor, zamówienie {n}"],
    "tr": ["Siparişim {n} nerede?", "{n} numaralı siparişim hasarlı geldi",
           "Siparişimi {n} iade etmek istiyorum", "Teslimat adresini değiştirebilir miyim? {n}",
           "Lütfen {n} siparişimi iptal edin", "Kargo ne zaman gelir? Sipariş {n}",
           "İki kez ödeme alındı, sipariş {n}", "Yastık kılıfı stokta var mı?"],
    "id": ["Di mana pesanan saya {n}?", "Pesanan {n} belum sampai sampai sekarang",
           "Saya ingin mengembalikan pesanan {n}", "Barang {n} rusak saat diterima",
           "Tolong batalkan pesanan {n}", "Bisakah alamat pengiriman {n} diubah?",
           "Kapan kursi rotan tersedia lagi?", "Saya ditagih dua kali untuk pesanan {n}"],
    "th": ["คำสั่งซื้อ {n} ของฉันอยู่ที่ไหน", "ยังไม่ได้รับสินค้า คำสั่งซื้อ {n}",
           "สินค้าเสียหาย คำสั่งซื้อ {n}", "ต้องการคืนสินค้า {n}",
           "กรุณายกเลิกคำสั่งซื้อ {n}", "เปลี่ยนที่อยู่จัดส่งได้ไหม {n}",
           "โต๊ะไม้โอ๊คจะมีของเมื่อไหร่", "ถูกเรียกเก็บเงินสองครั้ง {n}"],
}
ANSWER = {
    "en": ["Thanks for reaching out! Your order {n} is on its way.",
           "Sorry about that, we have started a return for {n}.",
           "I have updated the address, you will get a confirmation email."],
    "pl": ["Dziękujemy za wiadomość! Zamówienie {n} jest w drodze.",
           "Przepraszamy, rozpoczęliśmy zwrot dla {n}.",
           "Zaktualizowałam adres, otrzymasz e-mail z potwierdzeniem."],
    "tr": ["Mesajınız için teşekkürler! {n} numaralı siparişiniz yolda.",
           "Özür dileriz, {n} için iade başlattık.",
           "Adresi güncelledim, onay e-postası alacaksınız."],
    "id": ["Terima kasih! Pesanan {n} sedang dalam perjalanan.",
           "Maaf, kami sudah memulai pengembalian untuk {n}.",
           "Alamat sudah diperbarui, Anda akan menerima email konfirmasi."],
    "th": ["ขอบคุณที่ติดต่อมา คำสั่งซื้อ {n} กำลังจัดส่ง",
           "ขออภัย เราได้เริ่มการคืนสินค้าสำหรับ {n} แล้ว",
           "อัปเดตที่อยู่แล้ว คุณจะได้รับอีเมลยืนยัน"],
}
LANGS = ["en", "pl", "tr", "id", "th"]
TAGS = ["vip", "damaged", "refund", "return", "where-is-my-order", "address-change", "cancel",
        "wholesale", "complaint", "praise", "shipping", "payment", "stock", "b2b", "urgent",
        "gift", "exchange", "warranty", "fragile", "holiday", "pl", "tr", "id", "th", "en",
        "escalated", "bot-handoff", "repeat", "fraud-check", "press"]


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def folded(table: dict[str, list[str]]) -> dict[str, list[str]]:
    """The same table as the search columns store it (core.folding.fold)."""
    from storedesk.core.folding import fold

    return {lang: [fold(v) for v in values] for lang, values in table.items()}


def folded_list(values: list[str]) -> list[str]:
    from storedesk.core.folding import fold

    return [fold(v) for v in values]


def per_lang_array(table: dict[str, list[str]]) -> str:
    """A flat text[] laid out language by language (LANGS order), equal widths per language."""
    width = len(next(iter(table.values())))
    assert all(len(v) == width for v in table.values())
    return sql_array([v for lang in LANGS for v in table[lang]])


def generate(conversations: int, messages_per: int) -> dict[str, object]:
    from django.db import connection

    from storedesk.accounts.actions import add_member, create_team, set_team_members
    from storedesk.accounts.models import Role
    from storedesk.inbox.models import Inbox
    from storedesk.testing.personas import PASSWORD, create_personas

    started = time.perf_counter()
    p = create_personas()
    agents = [p.olivia, p.ahmet]
    for i in range(18):
        agents.append(add_member(p.harbor, f"agent{i}@harbor.test", role=Role.AGENT,
                                 name=f"Agent {i}", password=PASSWORD))
    teams = [p.returns] + [create_team(p.harbor, name) for name in
                           ("Shipping", "Billing", "Wholesale", "Poland", "Thailand")]
    for k, team in enumerate(teams[1:]):
        set_team_members(team, agents[2 + 3 * k: 5 + 3 * k])
    inboxes = [p.harbor_api, p.harbor_email, p.harbor_chat]
    for name, channel in (("WhatsApp", "whatsapp"), ("Instagram", "instagram"),
                          ("Messenger", "messenger"), ("Telegram", "telegram"),
                          ("SMS", "sms")):
        inboxes.append(Inbox.objects.create(account=p.harbor, name=name, channel=channel))
    account = p.harbor.pk
    contacts = conversations * 6 // 10
    agent_ids = [a.pk for a in agents]
    team_ids = [t.pk for t in teams]
    inbox_ids = [i.pk for i in inboxes]
    migration = importlib.import_module("storedesk.inbox.migrations.0002_list_search_indexes")
    folding = importlib.import_module("storedesk.inbox.migrations.0008_search_folding")
    contact_folding = importlib.import_module("storedesk.contacts.migrations.0004_search_folding")
    n = len(LANGS)
    with connection.cursor() as cur:

        class Editor:  # the migration's create/drop take a schema editor; they only execute
            connection = cur.db

            @staticmethod
            def execute(sql: str) -> None:
                cur.execute(sql)

        migration.drop(None, Editor)  # build the indexes once, after the load
        folding.unreindex(None, Editor)
        contact_folding.unindex(None, Editor)
        migration.drop(None, Editor)
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            "INSERT INTO inbox_tag (created_at, updated_at, name, color, account_id) "
            f"SELECT now(), now(), t, '#6b7280', %s FROM unnest({sql_array(TAGS)}) t",
            [account],
        )
        w = len(FIRST["en"])
        cur.execute(
            f"""
            INSERT INTO contacts_contact
                (created_at, updated_at, name, email, phone, language, attributes, account_id,
                 search_key)
            SELECT now(), now(), name, email, phone, lang, '{{}}', %s,
                   folded_name || chr(10) || folded_email || chr(10) || phone
            FROM (
              SELECT ({per_lang_array(FIRST)})[l * {w} + (g * 7) %% {w} + 1] || ' ' ||
                     ({per_lang_array(LAST)})[l * {w} + (g * 13) %% {w} + 1] AS name,
                     ({per_lang_array(folded(FIRST))})[l * {w} + (g * 7) %% {w} + 1] || ' ' ||
                     ({per_lang_array(folded(LAST))})[l * {w} + (g * 13) %% {w} + 1]
                       AS folded_name,
                     CASE WHEN g %% 5 = 4 THEN ''  -- chat visitors without an email
                          ELSE lower(({sql_array(LAST['pl'] + LAST['en'])})[g %% 12 + 1])
                               || '.' || g || '@example.' ||
                               ({sql_array(['com', 'pl', 'com.tr', 'co.id', 'co.th'])})[l + 1]
                     END AS email,
                     CASE WHEN g %% 5 = 4 THEN ''
                          ELSE ({sql_array(folded_list(LAST['pl'] + LAST['en']))})[g %% 12 + 1]
                               || '.' || g || '@example.' ||
                               ({sql_array(['com', 'pl', 'com.tr', 'co.id', 'co.th'])})[l + 1]
                     END AS folded_email,
                     '+' || (({sql_array(['44', '48', '90', '62', '66'])})[l + 1])
                         || (700000000 + g)::text AS phone,
                     ({sql_array(LANGS)})[l + 1] AS lang
              FROM (SELECT g, g %% {n} AS l FROM generate_series(1, %s) g) s
            ) rows
            """,
            [account, contacts],
        )
        cur.execute(
            "INSERT INTO contacts_contactidentity "
            "(created_at, updated_at, source_id, account_id, contact_id, inbox_id) "
            "SELECT now(), now(), 'visitor-' || c.id, %s, c.id, "
            f"({'ARRAY' + str(inbox_ids)})[(c.id %% {len(inbox_ids)}) + 1] "
            "FROM contacts_contact c WHERE c.account_id = %s ORDER BY c.id",
            [account, account],
        )
        cur.execute("SELECT min(id) FROM contacts_contactidentity WHERE account_id = %s",
                    [account])
        first_identity = cur.fetchone()[0]
        cur.execute(
            f"""
            INSERT INTO inbox_conversation
                (created_at, updated_at, display_id, status, priority, priority_rank, subject,
                 language, intent, handoff, snoozed_until, last_message_at, last_incoming_at,
                 waiting_since, first_reply_at, resolved_at, message_count, account_id,
                 assignee_id, contact_id, identity_id, store_id, team_id, inbox_id,
                 search_subject)
            SELECT s.created, s.created, s.g,
                   s.status,
                   (ARRAY['low','normal','high','urgent'])[s.prio + 1], s.prio,
                   '', c.language, '', false,
                   CASE WHEN s.status = 'snoozed' THEN now() + interval '2 days' END,
                   s.created + {messages_per} * interval '7 minutes',
                   s.created + ({messages_per} - 1) * interval '7 minutes',
                   CASE WHEN s.status IN ('open', 'pending') AND s.r3 < 0.7
                        THEN s.created + ({messages_per} - 1) * interval '7 minutes' END,
                   s.created + interval '7 minutes',
                   CASE WHEN s.status IN ('resolved', 'closed')
                        THEN s.created + {messages_per} * interval '8 minutes' END,
                   {messages_per}, %(account)s,
                   CASE WHEN s.r2 < 0.3 THEN NULL
                        ELSE (%(agents)s::bigint[])[(s.g * 7) %% %(n_agents)s + 1] END,
                   i.contact_id, i.id, NULL,
                   CASE WHEN s.r2 < 0.6 THEN (%(teams)s::bigint[])[s.g %% %(n_teams)s + 1] END,
                   i.inbox_id, ''
            FROM (
                SELECT g, now() - (random() * interval '180 days') AS created,
                       CASE WHEN r < 0.35 THEN 'open' WHEN r < 0.45 THEN 'pending'
                            WHEN r < 0.50 THEN 'snoozed' WHEN r < 0.90 THEN 'resolved'
                            ELSE 'closed' END AS status,
                       CASE WHEN r4 < 0.05 THEN 3 WHEN r4 < 0.2 THEN 2
                            WHEN r4 < 0.9 THEN 1 ELSE 0 END AS prio,
                       r2, r3
                FROM (SELECT g, random() r, random() r2, random() r3, random() r4
                      FROM generate_series(1, %(conversations)s) g) raw
            ) s
            JOIN contacts_contactidentity i ON i.id = %(first_identity)s + (s.g %% %(contacts)s)
            JOIN contacts_contact c ON c.id = i.contact_id
            ORDER BY s.g
            """,
            {"account": account, "agents": agent_ids, "n_agents": len(agent_ids),
             "teams": team_ids, "n_teams": len(team_ids), "conversations": conversations,
             "first_identity": first_identity, "contacts": contacts},
        )
        aw, rw = len(ASK["en"]), len(ANSWER["en"])
        cur.execute(
            f"""
            INSERT INTO inbox_message
                (created_at, updated_at, direction, sender_type, text, html, private,
                 source_id, delivery_status, delivery_error, metadata, account_id,
                 conversation_id, inbox_id, sender_agent_id, sender_contact_id, search_text,
                 content_type, content)
            SELECT c.created_at + k * interval '7 minutes', c.created_at + k * interval '7 minutes',
                   CASE WHEN k %% 2 = 1 THEN 'incoming' ELSE 'outgoing' END,
                   CASE WHEN k %% 2 = 1 THEN 'contact' WHEN k = 2 THEN 'bot' ELSE 'agent' END,
                   replace(CASE WHEN k %% 2 = 1
                        THEN ({per_lang_array(ASK)})[l.i * {aw} + (c.id * 31 + k * 17) %% {aw} + 1]
                        ELSE ({per_lang_array(ANSWER)})[l.i * {rw} + (c.id + k) %% {rw} + 1]
                   END, '{{n}}', 'HV-' || (100000 + c.display_id)),
                   NULL, k = 6, NULL,
                   CASE WHEN k %% 2 = 1 THEN 'received' ELSE 'sent' END, '', '{{}}',
                   c.account_id, c.id, c.inbox_id, NULL, c.contact_id,
                   replace(CASE WHEN k %% 2 = 1
                        THEN ({per_lang_array(folded(ASK))})[
                            l.i * {aw} + (c.id * 31 + k * 17) %% {aw} + 1]
                        ELSE ({per_lang_array(folded(ANSWER))})[l.i * {rw} + (c.id + k) %% {rw} + 1]
                   END, '{{n}}', 'hv-' || (100000 + c.display_id)),
                   'text', '{{}}'
            FROM inbox_conversation c
            CROSS JOIN generate_series(1, %s) k
            JOIN (SELECT lang, ord - 1 AS i
                  FROM unnest({sql_array(LANGS)}) WITH ORDINALITY AS u(lang, ord)) l
              ON l.lang = c.language
            WHERE c.account_id = %s
            ORDER BY c.id, k
            """,
            [messages_per, account],
        )
        cur.execute(
            "INSERT INTO inbox_conversation_tags (conversation_id, tag_id) "
            "SELECT c.id, t.ids[1 + floor(random() * array_length(t.ids, 1))::int] "
            "FROM inbox_conversation c, "
            "(SELECT array_agg(id ORDER BY id) ids FROM inbox_tag WHERE account_id = %s) t "
            "WHERE c.account_id = %s AND random() < 0.35 ON CONFLICT DO NOTHING",
            [account, account],
        )
        cur.execute(
            "INSERT INTO inbox_conversationread (last_read_at, agent_id, conversation_id) "
            "SELECT c.last_message_at, %s, c.id FROM inbox_conversation c "
            "WHERE c.account_id = %s AND random() < 0.5",
            [p.olivia.agent_id, account],
        )
        cur.execute("UPDATE accounts_account SET last_display_id = %s WHERE id = %s",
                    [conversations, account])
        loaded = time.perf_counter()
        migration.create(None, Editor)
        folding.reindex(None, Editor)
        contact_folding.index(None, Editor)
        cur.execute("CREATE TABLE bench_inbox_done (id int)")
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    done = time.perf_counter()
    return {"load_seconds": round(loaded - started, 1), "index_seconds": round(done - loaded, 1)}


# --- Timing ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def summarise(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(percentile(samples, 95), 1),
        "max_ms": round(max(samples), 1),
        "runs": len(samples),
    }


def time_view(client, url: str, runs: int) -> tuple[list[float], list[float], bytes]:
    """Wall time and this process's CPU time (ms) of each request."""
    body = b""
    for _ in range(3):  # warm-up: connection, template and plan caches
        body = client.get(url, HTTP_HX_REQUEST="true").content
    wall, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        response = client.get(url, HTTP_HX_REQUEST="true")
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu, body


def time_rows(membership, query: str, runs: int) -> list[float]:
    from django.http import QueryDict

    from storedesk.workspace import listing

    filters = listing.parse_filters(QueryDict(query))
    for _ in range(3):
        listing.list_page(membership, filters)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        listing.list_page(membership, filters)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def time_counts(membership, runs: int) -> list[float]:
    from storedesk.workspace import listing

    for _ in range(3):
        listing.view_counts(membership)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        listing.view_counts(membership)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def slowest_query_explain(client, url: str) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, HTTP_HX_REQUEST="true")
    queries = sorted(ctx.captured_queries, key=lambda q: float(q["time"]), reverse=True)
    lines = [f"== {url}", "queries of one request (seconds):"]
    lines += [f"  {q['time']}  {q['sql'][:160]}" for q in queries]
    slowest = queries[0]["sql"]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest)
        plan = "\n".join(row[0] for row in cur.fetchall())
    return "\n".join(lines) + f"\n\nslowest query:\n{slowest}\n\n{plan}\n"


def run(args: argparse.Namespace) -> dict[str, object]:
    os.environ["DATABASE_URL"] = db_url(DB_NAME)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    reused = prepare_database(args.keep)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from storedesk.accounts.models import Membership
    from storedesk.inbox.models import Conversation, Inbox, Message, Tag

    call_command("migrate", verbosity=0)
    generation: dict[str, object] = {"reused": reused}
    if not reused:
        print(f"generating {args.conversations:,} conversations ...", flush=True)
        generation.update(generate(args.conversations, args.messages_per))
    olivia = Membership.objects.select_related("agent").get(agent__email="olivia@harbor.test")
    lina = Membership.objects.select_related("agent").get(agent__email="lina@harbor.test")
    counts = {
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "open": Conversation.objects.filter(status="open").count(),
    }
    print(f"data: {counts} {generation}", flush=True)
    inbox = Inbox.objects.get(account_id=olivia.account_id, name="Support email")
    tag = Tag.objects.get(account_id=olivia.account_id, name="damaged")
    email = (
        Conversation.objects.filter(account_id=olivia.account_id)
        .exclude(contact__email="")
        .order_by("pk")
        .values_list("contact__email", flat=True)[args.conversations // 20]
    )
    clients = {}
    for who, membership in (("olivia", olivia), ("lina", lina)):
        clients[who] = Client()
        clients[who].force_login(membership.agent)
    # page 2: follow the "Load more" link of the first page
    first = clients["olivia"].get("/inbox/", HTTP_HX_REQUEST="true").content.decode()
    cursor_url = re.search(r'hx-get="(/inbox/\?[^"]*cursor=[^"]+)"', first).group(1)
    cursor_url = cursor_url.replace("&amp;", "&")
    list_cases = [
        ("all open, oldest waiting", "olivia", ""),
        ("all open, newest", "olivia", "sort=newest"),
        ("all open, priority", "olivia", "sort=priority"),
        ("mine", "olivia", "view=mine"),
        ("unassigned", "olivia", "view=unassigned"),
        ("one inbox", "olivia", f"inbox={inbox.pk}"),
        ("one tag", "olivia", f"tag={tag.pk}"),
        ("language + priority filter", "olivia", "language=th&priority=high"),
        ("all statuses, newest", "olivia", "view=all&sort=newest"),
        ("page 2 (cursor)", "olivia", cursor_url.split("?", 1)[1]),
        ("light agent, all open", "lina", ""),
        ("nav counts (/inbox/counts/)", "olivia", "COUNTS"),
        ("light agent, nav counts", "lina", "COUNTS"),
    ]
    search_cases = [
        ("word (en) 'damaged'", "olivia", "q=damaged"),
        ("phrase (pl) 'nie dotarło'", "olivia", "q=nie+dotarło"),
        ("word (tr) 'siparişim'", "olivia", "q=siparişim"),
        ("without accents (pl, tr) 'NIE DOTARLO'", "olivia", "q=NIE+DOTARLO"),
        ("word (id) 'pesanan'", "olivia", "q=pesanan"),
        ("phrase (th) 'ยังไม่ได้รับสินค้า'", "olivia", "q=ยังไม่ได้รับสินค้า"),
        ("order number 'HV-154321'", "olivia", "q=HV-154321"),
        ("contact email", "olivia", f"q={email}"),
        ("contact name 'Kowalski'", "olivia", "q=Kowalski"),
        ("no match 'zzqx'", "olivia", "q=zzqx"),
        ("search, all statuses, newest", "olivia", "q=return&view=all&sort=newest"),
    ]
    results: dict[str, list[dict[str, object]]] = {"list": [], "search": []}
    load_before = os.getloadavg()
    memberships = {"olivia": olivia, "lina": lina}
    for group, cases in (("list", list_cases), ("search", search_cases)):
        for name, who, query in cases:
            if query == "COUNTS":
                url = "/inbox/counts/"
                view, cpu, body = time_view(clients[who], url, args.runs)
                rows = time_counts(memberships[who], args.runs)
            else:
                url = "/inbox/?" + query if query else "/inbox/"
                view, cpu, body = time_view(clients[who], url, args.runs)
                rows = time_rows(memberships[who], query, args.runs)
            entry = {
                "name": name, "agent": who, "url": url,
                "rows_shown": body.decode().count('id="conv-row-'),
                "view": summarise(view), "view_python_cpu": summarise(cpu),
                "rows_query": summarise(rows),
            }
            results[group].append(entry)
            print(f"{group:6} {name:38} view p50 {entry['view']['p50_ms']:6.1f} "
                  f"p95 {entry['view']['p95_ms']:6.1f} ms (cpu p50 "
                  f"{entry['view_python_cpu']['p50_ms']:5.1f}) | rows p50 "
                  f"{entry['rows_query']['p50_ms']:6.1f} p95 {entry['rows_query']['p95_ms']:6.1f}"
                  f"  ({entry['rows_shown']} rows)", flush=True)
    explain = []
    for group in ("list", "search"):
        worst = max(results[group], key=lambda e: e["view"]["p95_ms"])
        explain.append(f"### slowest {group} scenario: {worst['name']} "
                       f"(view p95 {worst['view']['p95_ms']} ms)\n")
        explain.append(slowest_query_explain(clients[worst["agent"]], worst["url"]))
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0]
    load_after = os.getloadavg()
    summary = {
        "load_average_1m_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
        "p95_ms_worst_list_view": max(e["view"]["p95_ms"] for e in results["list"]),
        "p95_ms_worst_search_view": max(e["view"]["p95_ms"] for e in results["search"]),
        "target_ms": {"list_p95": 100, "search_p95": 300},
    }
    return {
        "benchmark": "inbox list and search",
        "command": " ".join(["python", *sys.argv]),
        "measured": "server side, in-process: django.test.Client request (view) and "
                    "listing.list_page (rows query + tags prefetch)",
        "database": pg_version,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "data": {**counts, **generation},
        "summary": summary,
        "results": results,
        "_explain": "\n".join(explain),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per", type=int, default=10)
    parser.add_argument("--json", default=str(RESULTS / "inbox.json"))
    args = parser.parse_args()
    try:
        report = run(args)
    finally:
        if not args.keep:
            drop_database()
    explain = report.pop("_explain")
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / "inbox_explain.txt").write_text(str(explain))
    print(json.dumps(report["summary"], indent=2))
    print(f"wrote {args.json} and {RESULTS / 'inbox_explain.txt'}")


if __name__ == "__main__":
    main()
