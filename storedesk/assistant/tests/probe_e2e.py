"""The probe sets end to end (a measurement, not part of the suite: the file name keeps pytest
from collecting it; run it by path):

    STOREDESK_PROBES=probes .venv/bin/python -m pytest -p no:cacheprovider -q -s \
        storedesk/assistant/tests/probe_e2e.py

Each probe (storedesk/assistant/nlu/tests/data/<set>_<lang>.csv) is posted through the API
channel by a demo shopper whose order fits the label (its `1001` becomes that order's digits,
as a shopper copies the number without the store's prefix), in a savepoint rolled back after
the turn, and the outcome is classed:
  ok       the right facts: order_status → LL-10421's carrier and tracking; return_request →
           a return started for LL-10577 (its RMA in the reply); cancel_order → the
           cancellation of LL-10602 filed with a hand-off naming it; others → a hand-off
           with a summary, or the flow of the right intent
  asked    the bot asked for the order or identity (no answer yet, nothing wrong said)
  offered  return_request: the return rules and the offer to start the return (a yes starts it)
  handoff  handed to a person with a summary (fine, not an answer)
  wrong    anything else: a confident answer to the wrong question
and `lang` counts replies in another language than the probe's. Prints a table per language x
group; with STOREDESK_PROBES_OUT=<file> also writes one JSON line per probe.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

from django.db import transaction

from storedesk.assistant.tests.conftest import Shop, bot_texts, say
from storedesk.commerce.models import Return
from storedesk.inbox.models import Message

DATA = Path(__file__).resolve().parent.parent / "nlu" / "tests" / "data"
LANGUAGES = ["en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it", "nl"]
CORE = ("order_status", "return_request", "cancel_order")
SHOPPER = {"order_status": ("maya.chen@example.net", "LL-10421"),
           "return_request": ("oliver.grant@example.org", "LL-10577"),
           "cancel_order": ("daniel.okafor@example.net", "LL-10602"),
           "others": ("lucy.martin@example.com", "LL-10588")}


def _outcome(shop: Shop, group: str, label: str, number: str, conversation) -> str:
    conversation.refresh_from_db()
    texts = bot_texts(conversation)
    text = texts[-1] if texts else ""
    note = Message.objects.filter(conversation=conversation, private=True).last()
    handed = conversation.handoff and note is not None and bool(note.text)
    if group == "order_status" and number in text and "0534" in text and not handed:
        return "ok"
    if group == "return_request":
        started = Return.objects.filter(order__number=number,
                                        conversation_id=conversation.pk).first()
        if started is not None and started.rma_number in text:
            return "ok"
    if group == "cancel_order" and handed and f"#{number}" in note.text and \
            text == say("cancel_requested", conversation.language, order=number):
        return "ok"
    if group == "others" and (handed or conversation.intent == label):
        return "ok"
    if handed:
        return "handoff"
    if group == "return_request" and text.endswith(
            say("offer_return", conversation.language, order=number)):
        return "offered"
    asks = [say(key, conversation.language, order=number, orders="")
            for key in ("ask_identity", "ask_verification", "ask_which_order")]
    if any(text.startswith(a.split("%")[0][:25]) for a in asks if a):
        return "asked"
    return "wrong"


def test_probes_end_to_end(shop: Shop, shipped_model) -> None:
    prefix = os.environ.get("STOREDESK_PROBES", "probes")
    out_path = os.environ.get("STOREDESK_PROBES_OUT")
    table: dict[tuple[str, str], Counter] = defaultdict(Counter)
    lines = []
    for lang in LANGUAGES:
        with (DATA / f"{prefix}_{lang}.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            label = row["label"]
            group = label if label in CORE else "others"
            email, number = SHOPPER[group]
            text = row["text"].replace("1001", number.split("-")[-1])
            with transaction.atomic():
                conversation = shop.api_message(text, email=email)
                outcome = _outcome(shop, group, label, number, conversation)
                conversation.refresh_from_db()
                reply = (bot_texts(conversation) or [""])[-1]
                transaction.set_rollback(True)
            counts = table[(lang, group)]
            counts["n"] += 1
            counts[outcome] += 1
            counts["lang"] += conversation.language != lang
            lines.append({"lang": lang, "label": label, "text": text, "outcome": outcome,
                          "intent": conversation.intent, "language": conversation.language,
                          "reply": reply[:160]})
    if out_path:
        Path(out_path).write_text("".join(json.dumps(line, ensure_ascii=False) + "\n"
                                          for line in lines), encoding="utf-8")
    groups = (*CORE, "others")
    print(f"\n{prefix}: ok% (ok/n) asked (or offered) handoff wrong, replies in another language")
    print("lang " + "".join(f"{g[:14]:>30}" for g in groups))
    totals: dict[str, Counter] = defaultdict(Counter)
    for lang in LANGUAGES:
        cells = []
        for g in groups:
            c = table[(lang, g)]
            totals[g].update(c)
            cells.append(f"{100 * c['ok'] / c['n']:5.1f}% ({c['ok']}/{c['n']}) "
                         f"a{c['asked'] + c['offered']} h{c['handoff']} w{c['wrong']} l{c['lang']}")
        print(f"{lang:4} " + "".join(f"{cell:>30}" for cell in cells))
    print("all  " + "".join(
        f"{100 * c['ok'] / c['n']:5.1f}% ({c['ok']}/{c['n']}) a{c['asked'] + c['offered']} "
        f"h{c['handoff']} w{c['wrong']} l{c['lang']}".rjust(30)
        for c in (totals[g] for g in groups)))
