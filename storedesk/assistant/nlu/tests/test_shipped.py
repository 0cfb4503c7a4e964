"""The shipped model, trained from the team's examples, on messages it has never seen."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from storedesk.assistant.nlu import (
    INTENTS,
    SHIPPED_LANGUAGES,
    IntentModel,
    shipped_examples,
    shipped_model,
    understand,
)
from storedesk.assistant.nlu.shipped import example_files, read_examples


@pytest.fixture(scope="module")
def model() -> IntentModel:
    return shipped_model()  # trained once per examples version, then read from the cache


def test_every_example_file_is_valid_and_every_language_covers_every_intent() -> None:
    for path in example_files():
        with path.open(encoding="utf-8") as handle:
            assert handle.readline().strip() == "text,label", path.name
        assert len(read_examples(path)) > 0, path.name
    by_language: dict[str, Counter[str]] = {}
    for language, text, label in shipped_examples():
        assert label in INTENTS
        assert text.strip()
        by_language.setdefault(language, Counter())[label] += 1
    for language in SHIPPED_LANGUAGES:
        assert set(by_language[language]) == set(INTENTS), language
        assert min(by_language[language].values()) >= 10, language


# Written for this test, not in the examples (asserted below): the three questions of the
# issue's "done when" plus an out-of-scope one, per language.
UNSEEN = {
    "en": [("yo where's my parcel at, ordered last tuesday", "order_status"),
           ("how can I send back a shirt that is too tight", "return_request"),
           ("please stop order 1001 before you ship it, I don't need it", "cancel_order"),
           ("what's the best pizza place in rome", "other")],
    "pl": [("kiedy w końcu dojdzie moja paczka?? czekam i czekam", "order_status"),
           ("jak moge oddac buty ktore sa za male", "return_request"),
           ("prosze anulowac moje zamowienie 1001, jeszcze nie wyslane", "cancel_order"),
           ("jaka bedzie pogoda w krakowie w weekend", "other")],
    "tr": [("kargom hala gelmedi nerede acaba", "order_status"),
           ("aldığım ceketi iade etmek istiyorum nasıl yaparım", "return_request"),
           ("1001 nolu siparişimi iptal edin lütfen", "cancel_order"),
           ("istanbulda iyi bir berber önerir misin", "other")],
    "id": [("paket saya kok belum nyampe juga ya min", "order_status"),
           ("gimana caranya balikin baju yang kekecilan", "return_request"),
           ("tolong batalin pesanan 1001 saya, belum dikirim kan", "cancel_order"),
           ("siapa presiden pertama amerika", "other")],
    "th": [("ของที่สั่งไปถึงไหนแล้วคะ ยังไม่ได้รับเลย", "order_status"),
           ("เสื้อตัวเล็กไป อยากส่งคืนต้องทำยังไงครับ", "return_request"),
           ("ขอยกเลิกออเดอร์ 1001 ค่ะ ยังไม่ได้ส่งใช่ไหม", "cancel_order"),
           ("ช่วยแนะนำหนังสยองขวัญดีๆ หน่อย", "other")],
    "de": [("wann kommt endlich mein paket an?", "order_status"),
           ("wie kann ich die zu kleine Jacke zurückschicken", "return_request"),
           ("bitte die Bestellung 1001 stornieren, noch nicht verschickt oder?", "cancel_order"),
           ("wer hat gestern das Fußballspiel gewonnen", "other")],
    "es": [("mi paquete todavía no llega, dónde está?", "order_status"),
           ("como devuelvo unas zapatillas que me quedan pequeñas", "return_request"),
           ("quiero cancelar el pedido 1001 antes de que lo envíen", "cancel_order"),
           ("me recomiendas una receta de paella", "other")],
    "fr": [("mon colis n'est toujours pas arrivé, il est où ?", "order_status"),
           ("comment renvoyer un pull trop petit", "return_request"),
           ("annulez ma commande 1001 svp, elle n'est pas encore partie", "cancel_order"),
           ("quel temps fera-t-il à lyon demain", "other")],
    "pt": [("a minha encomenda ainda não chegou, onde está?", "order_status"),
           ("como faço para devolver uma camisa que ficou apertada", "return_request"),
           ("quero cancelar o pedido 1001, ainda não foi enviado", "cancel_order"),
           ("qual é a capital da austrália", "other")],
    "it": [("il mio pacco non è ancora arrivato, dov'è?", "order_status"),
           ("come posso restituire una giacca troppo stretta", "return_request"),
           ("vorrei annullare l'ordine 1001 prima della spedizione", "cancel_order"),
           ("chi ha vinto il campionato di calcio l'anno scorso", "other")],
    "nl": [("mijn pakket is nog steeds niet binnen, waar blijft het?", "order_status"),
           ("hoe stuur ik een te krappe broek terug", "return_request"),
           ("graag bestelling 1001 annuleren, is toch nog niet verzonden?", "cancel_order"),
           ("wat is een goed recept voor appeltaart", "other")],
}


def test_the_sanity_phrasings_are_really_unseen() -> None:
    seen = {text.strip().lower() for _, text, _ in shipped_examples()}
    for cases in UNSEEN.values():
        for text, _ in cases:
            assert text.lower() not in seen


def test_unseen_messages_in_each_language(model: IntentModel) -> None:
    # A statistical model misses now and then: at most one miss per language and 90 % overall
    # (the misses are listed in the failure message); bench/assistant.py measures it properly.
    misses = []
    for language, cases in UNSEEN.items():
        wrong = []
        for text, intent in cases:
            predicted, confidence, ranking = model.predict(text)
            assert 0.0 < confidence <= 1.0
            if predicted != intent:
                wrong.append((text, intent, ranking))
        assert len(wrong) <= 1, (language, wrong)
        misses += wrong
    total = sum(len(cases) for cases in UNSEEN.values())
    assert len(misses) <= total // 10, misses


# Written for this test, not in the examples (asserted below): replies that only mean something
# after a question ("which one?", "for whom?"). Alone they name no intent, so the model must
# call them `other` or stay under the engine's answer floor: the assistant then asks or hands
# off instead of acting on a guess ("the second one please" was refund_request at 0.84).
FRAGMENTS = {
    "en": ["the second one please", "the blue one", "the other one", "it's for my mom",
           "number two", "with the gift box", "maybe tomorrow", "and also"],
    "pl": ["ten drugi", "ten niebieski", "dla mamy"],
    "tr": ["ikincisi lütfen", "mavi olan", "annem için"],
    "id": ["yang kedua", "yang biru aja", "buat mama"],
    "th": ["อันที่สอง", "สีฟ้า", "ให้แม่"],
    "de": ["der zweite bitte", "das blaue"],
    "es": ["el segundo por favor", "el azul"],
    "fr": ["le deuxième s'il vous plaît", "la bleue"],
    "pt": ["o segundo", "o azul"],
    "it": ["quello rosso", "il secondo"],
    "nl": ["de tweede graag", "de blauwe"],
}
# The real intents in their shortest form stay confident.
SHORT_QUESTIONS = [
    ("where is my order", "order_status"), ("gdzie paczka", "order_status"),
    ("kargom nerede", "order_status"), ("pesanan saya mana", "order_status"),
    ("พัสดุอยู่ไหน", "order_status"), ("où est mon colis", "order_status"),
    ("wo ist mein paket", "order_status"), ("cancel my order", "cancel_order"),
    ("zwrot pieniedzy", "refund_request"), ("iade etmek istiyorum", "return_request"),
]


def test_the_fragments_are_really_unseen() -> None:
    seen = {text.strip().lower() for _, text, _ in shipped_examples()}
    assert not [t for texts in FRAGMENTS.values() for t in texts if t.lower() in seen]


def test_fragments_without_an_intent_are_not_answered_confidently(model: IntentModel) -> None:
    from storedesk.assistant.engine import ANSWER_FLOOR

    confident = []
    for language, texts in FRAGMENTS.items():
        for text in texts:
            intent, confidence, ranking = model.predict(text)
            if intent != "other" and confidence >= ANSWER_FLOOR:
                confident.append((language, text, intent, round(confidence, 3), ranking))
    assert confident == []


def test_short_real_questions_stay_confident(model: IntentModel) -> None:
    from storedesk.assistant.engine import ANSWER_FLOOR

    for text, expected in SHORT_QUESTIONS:
        intent, confidence, ranking = model.predict(text)
        assert (intent, confidence >= ANSWER_FLOOR) == (expected, True), (text, ranking)


def test_understand_puts_it_all_together(model: IntentModel) -> None:
    result = understand(
        "Dzień dobry, gdzie jest moje zamówienie LL-1001? Zamawiałam wczoraj.",
        languages=["en", "pl", "de"], order_prefixes=["#", "LL-"], model=model,
        today=datetime.date(2026, 11, 30))
    assert result.language == "pl"
    assert result.language_confidence > 0.5
    assert result.intent == "order_status"
    assert result.ranking[0][0] == "order_status"
    assert result.entities.order_numbers == ("LL-1001",)
    assert result.entities.dates == (datetime.date(2026, 11, 29),)


def test_understand_uses_the_shipped_model_by_default() -> None:
    result = understand("ok", languages=["en", "tr"], prior_language="tr")
    assert result.language == "tr"
    assert result.intent in INTENTS


@pytest.mark.parametrize("text", ["kdjfh skdjf", "qwertyuiop asdfgh", "zxcvbn mnbvc lkjh"])
def test_gibberish_is_out_of_scope(model: IntentModel, text: str) -> None:
    assert model.predict(text)[0] == "other"
