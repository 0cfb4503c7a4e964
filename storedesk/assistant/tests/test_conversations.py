"""Shoppers ask in each of the eleven languages, through the API channel and the chat widget,
where their order is, how to return an item, to cancel an order that has not shipped, and
something the assistant cannot answer; the assistant answers from the live order in their
language, acts within the store's limits, or hands the conversation to a person with a summary.
"""

from __future__ import annotations

import pytest

from storedesk.assistant.tests.conftest import Shop, bot_texts, last_bot_text, say
from storedesk.commerce.models import ApprovalRequest, Order, Return
from storedesk.inbox.models import Message

LANGUAGES = ["en", "pl", "tr", "id", "th", "de", "es", "fr", "pt", "it", "nl"]

WHERE_IS_MY_ORDER = {
    "en": "Hi, where is my order? It still hasn't arrived.",
    "pl": "Dzień dobry, gdzie jest moje zamówienie? Jeszcze nie dotarło.",
    "tr": "Merhaba, siparişim nerede? Hâlâ gelmedi.",
    "id": "Halo, pesanan saya sudah sampai mana ya? Belum datang juga.",
    "th": "สวัสดีค่ะ คำสั่งซื้อของฉันอยู่ที่ไหนคะ ยังไม่ได้รับของเลย",
    "de": "Hallo, wo ist meine Bestellung? Sie ist immer noch nicht angekommen.",
    "es": "Hola, ¿dónde está mi pedido? Todavía no ha llegado.",
    "fr": "Bonjour, où en est ma commande ? Je ne l'ai toujours pas reçue.",
    "pt": "Olá, onde está a minha encomenda? Ainda não chegou.",
    "it": "Ciao, dov'è il mio ordine? Non è ancora arrivato.",
    "nl": "Hallo, waar is mijn bestelling? Hij is nog steeds niet aangekomen.",
}
RETURN_ITEM = {
    "en": "I'd like to return the wool throw from my order, how do I send it back?",
    "pl": "Chciałabym zwrócić koc z mojego zamówienia, jak mogę go odesłać?",
    "tr": "Siparişimdeki battaniyeyi iade etmek istiyorum, nasıl geri gönderebilirim?",
    "id": "Saya mau retur selimut dari pesanan saya, bagaimana cara mengembalikannya?",
    "th": "ฉันอยากคืนสินค้าผ้าห่มจากคำสั่งซื้อค่ะ ต้องส่งคืนยังไงคะ",
    "de": "Ich möchte die Wolldecke aus meiner Bestellung zurücksenden. Wie geht das?",
    "es": "Quiero devolver la manta de mi pedido, ¿cómo hago la devolución?",
    "fr": "Je voudrais retourner le plaid de ma commande, comment faire le retour ?",
    "pt": "Quero devolver a manta da minha encomenda, como faço a devolução?",
    "it": "Vorrei restituire la coperta del mio ordine, come faccio il reso?",
    "nl": "Ik wil de plaid uit mijn bestelling retourneren, hoe stuur ik hem terug?",
}
CANCEL_ORDER = {
    "en": "Please cancel my order, I don't need it anymore.",
    "pl": "Proszę anulować moje zamówienie, już go nie potrzebuję.",
    "tr": "Lütfen siparişimi iptal edin, artık ihtiyacım yok.",
    "id": "Tolong batalkan pesanan saya, saya sudah tidak butuh.",
    "th": "รบกวนยกเลิกคำสั่งซื้อของฉันด้วยค่ะ ไม่ต้องการแล้ว",
    "de": "Bitte stornieren Sie meine Bestellung, ich brauche sie nicht mehr.",
    "es": "Por favor, cancelad mi pedido, ya no lo necesito.",
    "fr": "Merci d'annuler ma commande, je n'en ai plus besoin.",
    "pt": "Por favor, cancelem a minha encomenda, já não preciso dela.",
    "it": "Per favore annullate il mio ordine, non mi serve più.",
    "nl": "Annuleer alsjeblieft mijn bestelling, ik heb hem niet meer nodig.",
}
OUT_OF_SCOPE = {
    "en": "Are you hiring? I'd like to send my CV for a job at your company.",
    "pl": "Czy szukacie pracowników? Chciałbym wysłać CV do waszej firmy.",
    "tr": "İş ilanınız var mı? Şirketinize CV göndermek istiyorum.",
    "id": "Apakah ada lowongan kerja? Saya ingin kirim CV ke perusahaan kalian.",
    "th": "บริษัทรับสมัครงานไหมคะ อยากส่งเรซูเม่ไปสมัครงาน",
    "de": "Stellen Sie gerade ein? Ich würde gern meinen Lebenslauf für eine Stelle schicken.",
    "es": "¿Estáis contratando? Me gustaría enviar mi currículum para trabajar con vosotros.",
    "fr": "Vous recrutez ? J'aimerais envoyer mon CV pour un poste chez vous.",
    "pt": "Vocês estão contratando? Gostaria de enviar o meu currículo para uma vaga.",
    "it": "State assumendo? Vorrei mandare il mio curriculum per lavorare da voi.",
    "nl": "Hebben jullie vacatures? Ik wil graag mijn cv sturen voor een baan.",
}
CHANNELS = ["api", "widget"]


def _write(shop: Shop, channel: str, email: str, text: str):
    if channel == "api":
        return shop.api_message(text, email=email)
    token = shop.widget_session(customer_id=email)  # the demo store's customer id is the email
    conversation = shop.widget_message(token, text)
    # the widget shows the bot's answer in its thread
    assert any(m.get("sender") == "bot" or m.get("sender_type") == "bot"
               for m in shop.widget_thread(token)), shop.widget_thread(token)
    return conversation


def _tracking(number: str) -> str:
    return f"0534{number[-5:]}7781"  # the demo's tracking numbers


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_where_is_my_order(shop: Shop, shipped_model, language: str, channel: str) -> None:
    # given Maya, whose order LL-10421 is on its way with DPD (LL-10236 was delivered)
    order = Order.objects.get(store=shop.store, number="LL-10421")
    shipment = order.shipments.get()
    # when she asks where her order is
    conversation = _write(shop, channel, "maya.chen@example.net", WHERE_IS_MY_ORDER[language])
    # then the assistant answers in her language with the carrier, tracking number and link
    conversation.refresh_from_db()
    assert conversation.language == language
    assert conversation.intent == "order_status"
    assert last_bot_text(conversation) == say(
        "order_shipped", language, order="LL-10421", carrier="DPD",
        tracking=_tracking("LL-10421"), url=shipment.tracking_url,
        eta=shipment.estimated_delivery.isoformat())
    assert not conversation.handoff


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_return_an_item(shop: Shop, shipped_model, language: str, channel: str) -> None:
    # given Oliver, whose order LL-10577 (a wool throw and a candle) arrived yesterday
    # when he asks how to return the throw
    conversation = _write(shop, channel, "oliver.grant@example.org", RETURN_ITEM[language])
    # then the assistant starts the return under the store's policy and sends the instructions
    conversation.refresh_from_db()
    assert conversation.intent == "return_request"
    started = Return.objects.get(order__number="LL-10577")
    assert started.conversation_id == conversation.pk
    text = last_bot_text(conversation)
    assert started.rma_number in text
    assert "Herringbone wool throw" in text
    assert text.startswith(say("return_started", language, rma=started.rma_number,
                               order="LL-10577", items="", instructions="").split("(")[0])


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_cancel_an_unshipped_order(shop: Shop, shipped_model, language: str,
                                   channel: str) -> None:
    # given Daniel, whose paid order LL-10602 has not shipped (a paid order's cancellation
    # refunds it, and the bot's refund limit is 0: the team must do it)
    # when he asks to cancel it
    conversation = _write(shop, channel, "daniel.okafor@example.net", CANCEL_ORDER[language])
    # then the assistant says honestly that it can still be cancelled and that the team will
    # confirm, and hands the conversation over with a summary naming the order
    conversation.refresh_from_db()
    assert conversation.intent == "cancel_order"
    assert last_bot_text(conversation) == say("cancel_requested", language, order="LL-10602")
    assert conversation.handoff
    summary = Message.objects.filter(conversation=conversation, private=True).last()
    assert summary is not None and "#LL-10602" in summary.text and "cancel" in summary.text
    assert Order.objects.get(number="LL-10602").status == "open"  # not done by the bot


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_anything_else_reaches_an_agent_with_a_summary(shop: Shop, shipped_model, language: str,
                                                       channel: str) -> None:
    # when a shopper asks something the store's support does not cover
    conversation = _write(shop, channel, "lucy.martin@example.com", OUT_OF_SCOPE[language])
    # then the assistant says a colleague will reply and hands off with a summary
    conversation.refresh_from_db()
    assert last_bot_text(conversation) == say("handoff", language)
    assert conversation.handoff
    note = Message.objects.filter(conversation=conversation, private=True).last()
    assert note is not None and note.text.startswith("Assistant hand-off:")
    assert OUT_OF_SCOPE[language][:40] in note.text
    # and stays quiet afterwards: the person takes it from here
    again = _write(shop, "api", "lucy.martin@example.com", "Hello? Anyone?") \
        if channel == "api" else None
    if again is not None:
        assert len(bot_texts(again)) == 1


def test_the_same_refund_request_twice_acts_once(shop: Shop, shipped_model) -> None:
    # given Oliver, verified by the API channel, with a delivered order inside the window
    text = "The candle arrived broken. I want my money back for order LL-10577, please refund."
    # when he asks for the refund twice
    conversation = shop.api_message(text, email="oliver.grant@example.org")
    shop.api_message(text, email="oliver.grant@example.org")
    # then one approval request exists (the bot may not refund itself) and the second answer
    # says the refund is with the team already
    assert ApprovalRequest.objects.filter(order__number="LL-10577").count() == 1
    texts = bot_texts(conversation)
    approval = ApprovalRequest.objects.get(order__number="LL-10577")
    assert texts[0] == say("refund_requested", "en", order="LL-10577",
                           amount=f"{approval.amount:.2f} EUR")
    assert texts[1] == say("refund_in_review", "en", order="LL-10577",
                           amount=f"{approval.amount:.2f} EUR")


@pytest.mark.parametrize("reply", ["the blue one", "the second one please"])
def test_an_answer_to_which_order_is_read_by_the_question_a_bare_fragment_is_handed_off(
        shop: Shop, shipped_model, reply: str) -> None:
    from django.utils import timezone

    from storedesk.testing.shop import seed_order

    # given Daniel, verified by the API channel, with two orders not shipped yet
    second = seed_order(shop.store, number="LL-10611", email="daniel.okafor@example.net",
                        name="Daniel Okafor", lines=[("LL-CND-CED", "Cedar soy candle", 1,
                                                      "24.00")],
                        placed_days_ago=0, shipped=False)
    # when he asks where his order is, the assistant asks which one
    conversation = shop.api_message("where is my order", email="daniel.okafor@example.net")
    asked = last_bot_text(conversation)
    assert asked.startswith("You have several open orders:")
    assert "LL-10602" in asked and "LL-10611" in asked
    # and his answer names one: it is read as the answer, whatever the model makes of it
    conversation = shop.api_message("LL-10611 please", email="daniel.okafor@example.net")
    assert last_bot_text(conversation) == say(
        "order_unfulfilled", "en", order="LL-10611",
        date=timezone.localtime(second.placed_at).date().isoformat())
    assert not conversation.handoff
    # when he asks again and answers with a fragment that names no order
    shop.api_message("where is my order", email="daniel.okafor@example.net")
    conversation = shop.api_message(reply, email="daniel.okafor@example.net")
    # then the assistant does not act on a guessed intent: a colleague takes over
    conversation.refresh_from_db()
    assert last_bot_text(conversation) == say("handoff", "en")
    assert conversation.handoff
