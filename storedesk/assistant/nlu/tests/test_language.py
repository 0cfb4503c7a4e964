"""Language detection: restricted to the account's languages, with priors for short texts."""

from __future__ import annotations

import pytest

from storedesk.assistant.nlu import SHIPPED_LANGUAGES, detect_language

ALL = list(SHIPPED_LANGUAGES)


@pytest.mark.parametrize(("text", "expected"), [
    ("Where is my parcel? I ordered it two weeks ago", "en"),
    ("Dzień dobry, gdzie jest moja paczka? Zamawiałam tydzień temu", "pl"),
    ("dzien dobry gdzie jest moja paczka zamawialam tydzien temu", "pl"),
    ("Merhaba, siparişim ne zaman gelecek?", "tr"),
    ("merhaba siparisim ne zaman gelecek", "tr"),
    ("Halo kak, pesanan saya kok belum sampai ya?", "id"),
    ("พัสดุยังไม่มาเลยค่ะ สั่งไปตั้งแต่อาทิตย์ที่แล้ว", "th"),
    ("Hallo, wo bleibt meine Bestellung? Ich warte seit einer Woche", "de"),
    ("Hola, ¿dónde está mi pedido? Lo compré hace una semana", "es"),
    ("Bonjour, où en est ma commande ? Je l'attends depuis une semaine", "fr"),
    ("Olá, onde está a minha encomenda? Já passou uma semana", "pt"),
    ("Ciao, dov'è il mio ordine? Lo aspetto da una settimana", "it"),
    ("Hoi, waar blijft mijn bestelling? Ik wacht al een week", "nl"),
])
def test_each_shipped_language_is_recognised(text: str, expected: str) -> None:
    language, confidence = detect_language(text, ALL)
    assert language == expected
    assert 0.5 <= confidence <= 1.0


def test_indonesian_is_not_malay_when_only_indonesian_is_enabled() -> None:
    # Malay and Indonesian share most words; an account with Indonesian gets Indonesian.
    text = "Saya hendak bertanya tentang pesanan saya, bila barang akan sampai?"
    assert detect_language(text, ["en", "id"])[0] == "id"
    assert detect_language(text, ["id", "en", "pl", "th"])[0] == "id"
    # and the caller's own spelling of the code comes back
    assert detect_language(text, ["en-GB", "id-ID"])[0] == "id-ID"


def test_thai_script_is_thai_whatever_else_is_enabled() -> None:
    assert detect_language("ขอบคุณค่ะ", ["en", "th"]) == ("th", 0.99)
    assert detect_language("order 1001 ยังไม่ได้รับของ", ["en", "id", "th"])[0] == "th"


@pytest.mark.parametrize("text", ["ok", "hi", "#1001", "1001", "??", "👍", "LL-1001"])
def test_very_short_texts_follow_the_contacts_previous_language(text: str) -> None:
    assert detect_language(text, ALL, prior="pl")[0] == "pl"
    assert detect_language(text, ALL, prior="tr", browser_language="de")[0] == "tr"


def test_without_a_prior_the_browser_language_then_the_account_default_decides() -> None:
    assert detect_language("ok", ALL, browser_language="nl-NL")[0] == "nl"
    assert detect_language("ok", ["id", "en"]) == ("id", 0.3)
    # a prior outside the account's languages is ignored
    assert detect_language("#1001", ["de", "en"], prior="th")[0] == "de"


def test_a_prior_tips_an_ambiguous_text_but_not_a_clear_one() -> None:
    # a clear short Dutch phrase is Dutch without any prior...
    assert detect_language("dank je wel", ALL)[0] == "nl"
    # ... a long Dutch message stays Dutch even when the contact wrote German before
    text = "Goedemiddag, ik heb vorige week een jas besteld maar nog niets ontvangen."
    assert detect_language(text, ALL, prior="de")[0] == "nl"
    # a two-word greeting that several languages share goes to the contact's language
    assert detect_language("hallo hallo", ["de", "nl", "en"], prior="nl")[0] == "nl"
    assert detect_language("hallo hallo", ["de", "nl", "en"], prior="de")[0] == "de"
    assert detect_language("merci", ["de", "fr", "en"], browser_language="fr")[0] == "fr"
    assert detect_language("super danke", ["de", "nl", "en"], prior="nl")[0] == "nl"


def test_one_language_needs_no_detection() -> None:
    assert detect_language("whatever the text", ["pl"]) == ("pl", 1.0)


def test_no_languages_is_an_error() -> None:
    with pytest.raises(ValueError):
        detect_language("hello", [])


# Short messages the way shoppers type them (none of them is a shipped example). lingua alone
# got eight of these wrong ("posso pagare con satispay?" → pt, "bedankt!" → de, "kargom nerde"
# → it, "mau retur dong" → en, "storno bitte" → it, "quero devolver" → es, ...).
SHORT_MESSAGES = {
    "en": ["wheres my parcel??", "can i swap the size", "any update on my order", "cheers mate",
           "no worries, thx"],
    "pl": ["gdzie paczka?", "chce zwrot kasy", "dzieki bardzo", "mozna placic blikiem?",
           "zmiana adresu pls"],
    "tr": ["kargom nerde", "iade etmek istiyorum", "tesekkurler abi", "kapida odeme var mi",
           "siparisi iptal et"],
    "id": ["paket sy blm nyampe", "bisa cod gak kak?", "makasih ya min", "mau retur dong",
           "ongkir ke bandung brp"],
    "th": ["ของยังไม่มาเลย", "จะคืนสินค้าได้ไหมคะ", "ขอบคุณครับ"],
    "de": ["wo bleibt mein paket", "kann ich mit rechnung zahlen?", "danke schön!",
           "rücksendung bitte", "storno bitte"],
    "es": ["donde esta mi pedido", "quiero devolverlo", "vale, gracias", "puedo pagar con bizum?",
           "cancelar pedido ya"],
    "fr": ["ou est mon colis", "je veux etre rembourse", "merci beaucoup !",
           "je peux payer en 3 fois ?", "annuler ma commande svp"],
    "pt": ["cade meu pedido", "quero devolver", "posso pagar com pix?",
           "cancela a encomenda por favor"],
    "it": ["posso pagare con satispay?", "dov'è il pacco", "voglio il reso", "grazie mille!",
           "annullate l'ordine x favore"],
    "nl": ["waar blijft mijn pakket", "kan ik betalen met ideal?", "bedankt!", "retour aanvragen",
           "bestelling annuleren aub"],
}


@pytest.mark.parametrize(("expected", "text"), [
    (language, text) for language, texts in SHORT_MESSAGES.items() for text in texts])
def test_short_messages_in_each_language_without_any_prior(expected: str, text: str) -> None:
    assert detect_language(text, ALL)[0] == expected


@pytest.mark.parametrize(("a", "b", "text"), [
    ("it", "pt", "posso pagare con satispay?"), ("pt", "it", "posso pagar com pix?"),
    ("es", "pt", "quiero devolverlo"), ("pt", "es", "quero devolver"),
    ("id", "en", "mau retur dong"), ("nl", "de", "bedankt!"), ("de", "nl", "storno bitte"),
])
def test_close_pairs_are_told_apart_when_only_the_two_are_enabled(a: str, b: str,
                                                                  text: str) -> None:
    assert detect_language(text, [b, a])[0] == a


def test_a_one_word_message_that_general_text_does_not_know_follows_the_prior() -> None:
    # "valeu!" (Brazilian "thanks") is not recognised on its own; the contact's language decides
    assert detect_language("valeu!", ALL, prior="pt")[0] == "pt"
    assert detect_language("valeu!", ALL, browser_language="pt-BR")[0] == "pt"


def test_indonesian_shopper_slang_is_indonesian_even_beside_malay() -> None:
    assert detect_language("kak paket sy blm nyampe nih", ["ms", "id", "en"])[0] == "id"


CATALOG = [("p1", "Herringbone wool throw"), ("p2", "Linen duvet set"),
           ("p3", "Flannel pyjamas")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Herringbone wool throw ne zaman gelir?", "tr"),  # read as English while the name counted
    ("Kiedy wróci Linen duvet set?", "pl"),
    ("De Linen duvet set is kapot", "nl"),
    ("When is the herringbone wool throw back?", "en"),
    ("herringbone wool throw?", "en"),  # nothing but the name: the text as it is
])
def test_a_product_name_in_the_stores_language_does_not_decide_the_language(
        text: str, expected: str) -> None:
    from storedesk.assistant.nlu import understand

    assert understand(text, languages=ALL, catalog=CATALOG).language == expected


def test_without_product_names_keeps_the_text_when_little_else_is_left() -> None:
    from storedesk.assistant.nlu.entities import extract_entities
    from storedesk.assistant.nlu.understand import without_product_names

    text = "Herringbone wool throw ne zaman gelir?"
    assert without_product_names(text, extract_entities(text, catalog=CATALOG)) == (
        "ne zaman gelir?")
    only = "Flannel pyjamas?"
    assert without_product_names(only, extract_entities(only, catalog=CATALOG)) == only
