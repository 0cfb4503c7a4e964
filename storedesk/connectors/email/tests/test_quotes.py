"""The new reply is told apart from the quoted history and the signature, for the quote headers
of the mail clients our shoppers use, in English, Polish, German, Turkish, Indonesian and Thai.

Fixtures: fixtures/quotes/*.eml (written by make_fixtures.py in the clients' own formats and
charsets: ISO-8859-2, Windows-1254, Windows-874, quoted-printable and base64).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storedesk.connectors.email.parsing import parse
from storedesk.connectors.email.quotes import split_reply

FIXTURES = Path(__file__).parent / "fixtures" / "quotes"

CASES = {
    "en_gmail": ("Thanks! When will it arrive?", "On Mon, 30 Nov 2026", "Ayşe Kaya\nIstanbul"),
    "en_gmail_wrapped": ("Thanks! When will it arrive?", "On Mon, 30 Nov 2026", ""),
    "en_apple": ("Great, thank you.", "On 30 Nov 2026, at 10:15", "Sent from my iPhone"),
    "en_outlook": ("Could you send the tracking link?", "_____", ""),
    "pl_thunderbird": ("Dziękuję, czekam na przesyłkę.", "W dniu 30.11.2026", ""),
    "pl_gmail": ("Czy mogę zmienić adres dostawy?", "pon., 30 lis 2026", "Wysłane z iPhone'a"),
    "pl_outlook": ("Proszę o fakturę.", "Od: Harbor", ""),
    "de_gmail": ("Vielen Dank für die schnelle Antwort!", "Am Mo., 30. Nov. 2026",
                 "Von meinem iPhone gesendet"),
    "de_outlook": ("Bitte stornieren Sie die Bestellung.", "-----Ursprüngliche Nachricht", ""),
    "tr_gmail": ("Teşekkürler, kargo ne zaman gelir?", "Harbor & Vine Support <support",
                 "iPhone'umdan gönderildi"),
    "tr_outlook": ("İade etmek istiyorum.", "Kimden: Harbor", ""),
    "id_gmail": ("Terima kasih, kapan paketnya sampai?", "Pada tanggal Sen", ""),
    "id_outlook": ("Saya ingin menukar ukuran.", "Dari: Harbor", "Dikirim dari iPhone saya"),
    "th_gmail": ("ขอบคุณครับ พัสดุจะมาถึงเมื่อไหร่", "เมื่อ จ. 30 พ.ย. 2026", ""),
    "th_outlook": ("ต้องการคืนสินค้าครับ", "จาก: Harbor", ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_reply_quote_and_signature_are_separated(name: str) -> None:
    # given a reply written in that client, in its own charset
    parsed = parse((FIXTURES / f"{name}.eml").read_bytes())
    reply, quote_starts, signature = CASES[name]
    # then the reply is only what the shopper wrote now
    assert parsed.reply.reply == reply
    # and the history and the signature are kept apart, not lost
    assert parsed.reply.quoted.startswith(quote_starts)
    assert "#1001" in parsed.reply.quoted
    assert parsed.reply.signature == signature
    assert parsed.problems == []


def test_inline_answers_between_quoted_lines_are_kept_whole() -> None:
    parsed = parse((FIXTURES / "en_inline_answers.eml").read_bytes())
    assert "Tomorrow is fine." in parsed.reply.reply
    assert "Blue please." in parsed.reply.reply
    assert parsed.reply.quoted == ""


def test_a_sentence_ending_in_wrote_is_no_quote_header() -> None:
    split = split_reply("Here is what I wrote:\nthe vase is broken.\n")
    assert split.reply == "Here is what I wrote:\nthe vase is broken."
    assert split.quoted == ""


def test_a_mail_that_is_only_a_quote_shows_whole() -> None:
    split = split_reply("> just the old text\n> nothing new\n")
    assert split.reply == "> just the old text\n> nothing new"
