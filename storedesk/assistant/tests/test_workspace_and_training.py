"""What agents see (the assistant panel, the bot's actions on the timeline, the intent label)
and per-account retraining on the conversations agents labelled."""

from __future__ import annotations

from django.test import Client

from storedesk.assistant.actions import label_intent, set_inbox_mode, use_shipped_model
from storedesk.assistant.models import AssistantSettings
from storedesk.assistant.tests.conftest import Shop, after_commit
from storedesk.events.models import Event

LABELLED = [
    ("Where is my parcel? Ordered a week ago and nothing yet", "order_status"),
    ("has my order shipped yet?? need it by friday", "order_status"),
    ("tracking link pls for my order", "order_status"),
    ("Can I still cancel my order? Changed my mind", "cancel_order"),
    ("please cancel the order I placed this morning", "cancel_order"),
    ("I don't want the duvet anymore, cancel it before it ships", "cancel_order"),
    ("The throw is too small, how do I send it back?", "return_request"),
    ("want to return the towels, wrong colour", "return_request"),
    ("need a return label for the pillowcases", "return_request"),
    ("how much is shipping to Poland?", "delivery_info"),
    ("do you deliver to Thailand and how long does it take", "delivery_info"),
    ("Is there free shipping over some amount?", "delivery_info"),
]


def test_retraining_learns_from_labelled_conversations_and_reports_held_out_accuracy(
        shop: Shop, shipped_model) -> None:
    # given conversations whose intent agents set (the assistant is off on this inbox)
    set_inbox_mode(shop.api, "off")
    for n, (text, intent) in enumerate(LABELLED):
        conversation = shop.api_message(text, email=f"shopper{n}@example.com")
        label_intent(conversation, intent, shop.agent)
    # when an admin retrains from the settings page (the task runs on the queue)
    client = Client()
    client.force_login(shop.owner.agent)
    with after_commit():
        response = client.post("/settings/assistant/retrain/")
    assert response.status_code == 302
    # then the account has its own model, and the page shows its held-out accuracy
    settings = AssistantSettings.objects.get(account=shop.account)
    assert settings.model_status == "custom" and settings.model_data
    report = settings.model_report
    assert report["n_labelled"] == len(LABELLED)
    assert report["n_test"] == 3 and report["n_train"] + report["n_test"] == len(LABELLED)
    assert 0.0 <= report["accuracy"] <= 1.0
    page = client.get("/settings/assistant/").content.decode()
    assert f"{report['accuracy_percent']}%" in page and "data-model-report" in page
    # and the assistant now classifies with it
    from storedesk.assistant.engine import model_for

    assert model_for(settings) is not None
    # going back to the shipped model drops the account's one
    use_shipped_model(shop.account.pk, by=shop.owner)
    settings.refresh_from_db()
    assert settings.model_status == "shipped" and settings.model_data is None
    assert model_for(settings) is None


def test_too_few_labels_say_so_on_the_admin_screen(shop: Shop) -> None:
    client = Client()
    client.force_login(shop.owner.agent)
    with after_commit():
        client.post("/settings/assistant/retrain/")
    page = client.get("/settings/assistant/").content.decode()
    assert "data-model-error" in page
    assert AssistantSettings.objects.get(account=shop.account).model_status == "shipped"


def test_the_panel_shows_language_intent_and_the_bots_actions(shop: Shop, shipped_model) -> None:
    # given a shopper who asked to cancel (the bot filed the request and handed off)
    conversation = shop.api_message("Please cancel my order, I don't need it anymore.",
                                    email="daniel.okafor@example.net")
    client = Client()
    client.force_login(shop.agent.agent)
    page = client.get(f"/conversations/{conversation.display_id}/").content.decode()
    # then the sidebar shows what the bot detected and how sure it was
    assert "data-assistant-panel" in page
    assert 'data-language="en"' in page and 'data-intent="cancel_order"' in page
    assert "data-confidence" in page
    # and the timeline shows the request it filed for the team
    assert Event.objects.filter(conversation=conversation,
                                kind="assistant.request_filed").exists()
    assert "cancel order #LL-10602" in page
    # an agent corrects the intent: that is a label the bot never overwrites
    client.post(f"/assistant/conversations/{conversation.display_id}/intent/",
                {"intent": "change_order"})
    conversation.refresh_from_db()
    assert conversation.intent == "change_order"
    from storedesk.assistant.actions import resume

    resume(conversation, shop.agent)
    shop.api_message("where is my order", email="daniel.okafor@example.net")
    conversation.refresh_from_db()
    assert conversation.intent == "change_order"


def test_a_verified_email_sender_gets_their_order(shop: Shop, shipped_model) -> None:
    from storedesk.connectors.email.ingest import ingest

    raw = (b"From: Maya Chen <maya.chen@example.net>\r\nTo: support@lumen.test\r\n"
           b"Subject: my order\r\nMessage-ID: <maya-1@example.net>\r\n"
           b"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
           b"Hi, where is my order? It still hasn't arrived.\r\n\r\nBest, Maya\r\n")
    with after_commit():
        ingest(shop.email, raw, source="test")
    from storedesk.inbox.models import Message

    reply = Message.objects.filter(inbox=shop.email, sender_type="bot").get()
    assert "LL-10421" in reply.text and "DPD" in reply.text
    # a forged sender address that is not the order's learns nothing
    other = (b"From: Someone <someone@example.org>\r\nTo: support@lumen.test\r\n"
             b"Subject: order LL-10421\r\nMessage-ID: <someone-1@example.org>\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
             b"Where is order LL-10421?\r\n")
    with after_commit():
        ingest(shop.email, other, source="test")
    answer = Message.objects.filter(inbox=shop.email, sender_type="bot").order_by("pk").last()
    assert answer is not None and "DPD" not in answer.text


def test_the_agent_of_a_handed_off_chat_sees_the_question_its_summary_and_a_macro_they_can_send(
        shop: Shop, shipped_model) -> None:
    from storedesk.inbox.models import Message
    from storedesk.workflow.actions import create_macro

    # given order-status macros in Polish and English only (none in Turkish)
    for name, text, language in (("Status zamówienia", "Twoje zamówienie jest w drodze.", "pl"),
                                 ("Order status", "Your order is on its way.", "en")):
        create_macro(shop.account, name=name, text=text, language=language)
    # and a Turkish visitor who asked to cancel an order and gave its email in the chat
    token = shop.widget_session(languages=["tr-TR"])
    conversation = shop.widget_message(token, "Lütfen LL-10602 numaralı siparişimi iptal edin.")
    shop.widget_message(token, "daniel.okafor@example.net")
    conversation.refresh_from_db()
    assert conversation.handoff and conversation.language == "tr"
    # then the hand-off summary says what was asked, and quotes each bot reply once
    note = Message.objects.get(conversation=conversation, private=True)
    assert "Intent: cancel_order" in note.text and "language: tr" in note.text
    assert note.text.count("LL-10602 numaralı sipariş henüz kargoya verilmedi") == 1
    # and the panel shows the question's intent, in Turkish
    client = Client()
    client.force_login(shop.agent.agent)
    page = client.get(f"/conversations/{conversation.display_id}/").content.decode()
    assert 'data-language="tr"' in page and 'data-intent="cancel_order"' in page
    # and a Turkish order-status chat is offered no macro in another language
    status = shop.api_message("Merhaba, siparişim nerede? Hâlâ gelmedi.",
                              email="maya.chen@example.net")
    page = client.get(f"/conversations/{status.display_id}/").content.decode()
    assert 'data-language="tr"' in page and 'data-intent="order_status"' in page
    assert "data-suggested-macro" not in page
    # while a Polish shopper's question is offered the Polish macro
    polish = shop.api_message("Gdzie jest moje zamówienie? Jeszcze nie dotarło.",
                              email="maya.chen@example.net")
    page = client.get(f"/conversations/{polish.display_id}/").content.decode()
    assert 'data-intent="order_status"' in page
    assert "Status zamówienia</strong>" in page
