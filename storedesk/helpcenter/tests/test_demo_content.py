"""The demo help center: complete in five languages, loaded idempotently, and searchable in each
language with questions phrased the way shoppers ask them (not the article titles)."""

from __future__ import annotations

import pytest

from storedesk.helpcenter.demo import CONTENT, load_demo_help_center
from storedesk.helpcenter.models import ArticleRevision, ArticleTranslation, SearchDoc
from storedesk.helpcenter.search import search

TOPICS = ["shipping", "delivery-times-and-costs", "returns-and-refunds",
          "change-or-cancel-an-order", "payment-methods", "size-guide", "your-account",
          "contact-us"]
LANGUAGES = ["en", "pl", "tr", "id", "th"]

# (language, how a shopper asks, the article that answers it)
QUESTIONS = [
    ("en", "how do I send something back and get my money", "returns-and-refunds"),
    ("en", "when will my parcel arrive", "delivery-times-and-costs"),
    ("en", "can I still cancel, I ordered by mistake", "change-or-cancel-an-order"),
    ("en", "do you take paypal", "payment-methods"),
    ("en", "forgot my pasword", "your-account"),
    ("en", "what measurements is a double duvet", "size-guide"),
    ("en", "opening hours of the chat", "contact-us"),
    ("pl", "jak odesłać towar i odzyskać pieniądze", "returns-and-refunds"),
    ("pl", "jak odeslac towar i odzyskac pieniadze", "returns-and-refunds"),
    ("pl", "ile kosztuje wysyłka kurierem", "delivery-times-and-costs"),
    ("pl", "czy mogę zapłacić blikiem", "payment-methods"),
    ("pl", "nie pamietam hasla do konta", "your-account"),
    ("pl", "chcę anulować zamówienie", "change-or-cancel-an-order"),
    ("tr", "ürünü nasıl geri gönderirim", "returns-and-refunds"),
    ("tr", "urunu nasil geri gonderirim", "returns-and-refunds"),
    ("tr", "kargo ücreti ne kadar", "delivery-times-and-costs"),
    ("tr", "taksit yapıyor musunuz", "payment-methods"),
    ("tr", "şifremi unuttum", "your-account"),
    ("id", "bagaimana cara mengembalikan barang", "returns-and-refunds"),
    ("id", "berapa ongkos kirim ke indonesia", "delivery-times-and-costs"),
    ("id", "bisa bayar pakai gopay", "payment-methods"),
    ("id", "saya mau batalkan pesanan", "change-or-cancel-an-order"),
    ("th", "ส่งของคืนได้ไหม", "returns-and-refunds"),
    ("th", "ค่าส่งเท่าไหร่", "delivery-times-and-costs"),
    ("th", "จ่ายด้วยพร้อมเพย์ได้ไหม", "payment-methods"),
    ("th", "ลืมรหัสผ่านทำยังไง", "your-account"),
    ("th", "อยากยกเลิกออเดอร์", "change-or-cancel-an-order"),
]


def test_the_demo_content_covers_every_topic_in_every_language() -> None:
    for language in LANGUAGES:
        files = {p.stem for p in (CONTENT / language).glob("*.md")}
        assert set(TOPICS) <= files, (language, set(TOPICS) - files)


@pytest.fixture
def demo_help(personas):
    help_center, report = load_demo_help_center(personas.harbor_store)
    assert report.errors == []
    return help_center


def test_loading_the_demo_twice_changes_nothing(demo_help, personas) -> None:
    translations = ArticleTranslation.objects.filter(article__help_center=demo_help).count()
    revisions = ArticleRevision.objects.filter(account=personas.harbor).count()
    assert translations == len(TOPICS) * len(LANGUAGES) + 2  # + the internal procedure (en, pl)
    _, again = load_demo_help_center(personas.harbor_store)
    assert (again.created, again.updated, again.published) == (0, 0, 0)
    assert again.unchanged == translations
    assert ArticleRevision.objects.filter(account=personas.harbor).count() == revisions
    assert SearchDoc.objects.filter(help_center=demo_help).count() == translations


def test_shopper_questions_find_the_right_article_first_in_every_language(demo_help) -> None:
    """One load of the demo, every question checked; the failure lists every miss."""
    misses = []
    for language, question, expected in QUESTIONS:
        hits = search(demo_help, language, question)
        assert all(h.language == language and not h.internal for h in hits)
        if not hits or hits[0].slug != expected:
            misses.append((language, question, expected, [h.slug for h in hits[:3]]))
    assert misses == []
    assert {language for language, _, _ in QUESTIONS} == set(LANGUAGES)
