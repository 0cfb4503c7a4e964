"""Entities: order numbers in the store's formats, contact details, tracking numbers,
postcodes, catalog products and dates, in the shipped languages."""

from __future__ import annotations

import datetime

import pytest

from storedesk.assistant.nlu import ProductMatch, extract_entities

TODAY = datetime.date(2026, 11, 30)  # a Monday
PREFIXES = ("#", "LL-")


def orders(text: str, prefixes: tuple[str, ...] = PREFIXES) -> tuple[str, ...]:
    return extract_entities(text, order_prefixes=prefixes, today=TODAY).order_numbers


@pytest.mark.parametrize(("text", "expected"), [
    ("Where is my order #1001?", ("1001",)),
    ("order no. 1002 still not here", ("1002",)),
    ("zamówienie nr 1003 nie doszło", ("1003",)),
    ("zamowienie 1004 gdzie jest", ("1004",)),
    ("sipariş numaram 1005", ("1005",)),
    ("siparis no 1006 nerede", ("1006",)),
    ("pesanan 1007 belum sampai kak", ("1007",)),
    ("คำสั่งซื้อ 1008 ยังไม่ได้รับของค่ะ", ("1008",)),
    ("Bestellnummer: 1009", ("1009",)),
    ("mi pedido 1010", ("1010",)),
    ("ma commande n° 1011", ("1011",)),
    ("a minha encomenda 1012", ("1012",)),
    ("il mio ordine numero 1013", ("1013",)),
    ("mijn bestelling 1014", ("1014",)),
    ("LL-1015 and ll 1016 and LL1017", ("LL-1015", "LL-1016", "LL-1017")),
    ("pedido LL-1018", ("LL-1018",)),
    ("#1019, #1020", ("1019", "1020")),
    # glued to a Thai word on either side, as Thai is written
    ("ออเดอร์1021ถึงไหนแล้วคะ", ("1021",)),
    ("ยกเลิกคำสั่งซื้อเลขที่1022ด้วยค่ะ", ("1022",)),
    # Turkish puts the number first
    ("1023 nolu siparişim hala gelmedi", ("1023",)),
    ("1024 numaralı siparişi iptal edin", ("1024",)),
    ("1025 siparisimi iade etmek istiyorum", ("1025",)),
    # abbreviations: "Bestellnr.", "n.º", "ordine n.", Polish "zam.", French "cmd", a typo
    ("Decke bestellt (Bestellnr. 1026)", ("1026",)),
    ("pedido n.º 1027", ("1027",)),
    ("ordine n. 1028 non consegnato", ("1028",)),
    ("zam. 1029 gdzie jest", ("1029",)),
    ("annuler cmd 1030", ("1030",)),
    ("ordr 1031 status pls", ("1031",)),
])
def test_order_numbers_in_every_language_and_the_stores_format(
        text: str, expected: tuple[str, ...]) -> None:
    assert orders(text) == expected


@pytest.mark.parametrize("text", [
    "I ordered 2 items", "my order is late", "order ABC123 please",  # no such prefix
    "I paid 1500 for it", "order 12345678901234567890",
    "2024 sipariş verdim", "zamknij 1234 okno",  # a year before "sipariş"; "zam" in a word
])
def test_no_order_number_where_there_is_none(text: str) -> None:
    assert orders(text) == ()


def test_a_store_with_its_own_prefix() -> None:
    assert orders("my order SD-77001", prefixes=("SD-",)) == ("SD-77001",)
    assert orders("order sd77002", prefixes=("SD-",)) == ("SD-77002",)


def test_emails_are_found_and_lowercased() -> None:
    found = extract_entities("Hi, it's Anna.Kowalska+shop@Example.COM (or anna@wp.pl).")
    assert found.emails == ("anna.kowalska+shop@example.com", "anna@wp.pl")


@pytest.mark.parametrize(("text", "country", "expected"), [
    ("call me on +48 600 700 800", None, ("+48600700800",)),
    ("tel. 0048 600-700-800", None, ("+48600700800",)),
    ("nomor hp saya 0812-3456-7890", "ID", ("+6281234567890",)),
    ("เบอร์โทร 081 234 5678", "TH", ("+66812345678",)),
    ("mein Handy: 0171 1234567", "DE", ("+491711234567",)),
    ("numer telefonu 600 700 800", "PL", ("+48600700800",)),
    ("call (555) 123-4567", None, ("5551234567",)),
])
def test_phone_numbers(text: str, country: str | None, expected: tuple[str, ...]) -> None:
    assert extract_entities(text, country=country).phones == expected


def test_dates_and_order_numbers_are_not_phones() -> None:
    found = extract_entities("order #100234 placed 12.05.2026", order_prefixes=PREFIXES,
                             today=TODAY)
    assert found.phones == ()
    assert found.order_numbers == ("100234",)
    assert found.dates == (datetime.date(2026, 5, 12),)


@pytest.mark.parametrize(("text", "expected"), [
    ("UPS says 1Z999AA10123456784", "1Z999AA10123456784"),
    ("ups 1Z 999 AA1 01 2345 6784", "1Z999AA10123456784"),
    ("Royal Mail RB123456785GB", "RB123456785GB"),
    ("Thailand Post EF582621345TH ค่ะ", "EF582621345TH"),
    ("PostNL 3SABCD1234567", "3SABCD1234567"),
    ("DHL JJD000390007827612345", "JJD000390007827612345"),
    ("InPost 602677012345678901234567", "602677012345678901234567"),
    ("USPS 9400111899223100012345", "9400111899223100012345"),
    ("J&T resi JP1234567890", "JP1234567890"),
    ("no resi JNE CGK1234567890", "CGK1234567890"),
    ("Yurtiçi kargo takip no 123456789012", "123456789012"),
    ("Aras kargo gönderi kodu 8765432109", "8765432109"),
    ("numer przesyłki 00340434161234567890", "00340434161234567890"),
    ("Sendungsnummer 340434161234", "340434161234"),
])
def test_tracking_numbers_of_common_carriers(text: str, expected: str) -> None:
    found = extract_entities(text, order_prefixes=PREFIXES)
    assert found.tracking_numbers == (expected,)
    assert found.order_numbers == ()
    assert found.phones == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("kod pocztowy 00-950", "00-950"),
    ("adres: ul. Polna 1, 61-001 Poznań", "61-001"),
    ("PLZ 10115 Berlin", "10115"),
    ("código postal 1000-205 Lisboa", "1000-205"),
    ("postcode sw1a 1aa", "SW1A 1AA"),
    ("Damrak 1, 1012 LG Amsterdam", "1012 LG"),
    ("kode pos 40115", "40115"),
    ("รหัสไปรษณีย์ 10110", "10110"),
    ("zip 94105-1234", "94105-1234"),
])
def test_postcodes(text: str, expected: str) -> None:
    assert extract_entities(text, today=TODAY).postcodes == (expected,)


def test_a_bare_five_digit_number_is_no_postcode() -> None:
    assert extract_entities("order 10115", order_prefixes=PREFIXES).postcodes == ()


@pytest.mark.parametrize(("text", "expected"), [
    ("it should have come yesterday", (datetime.date(2026, 11, 29),)),
    ("will it arrive tomorrow?", (datetime.date(2026, 12, 1),)),
    ("miało być wczoraj, a teraz jutro?", (datetime.date(2026, 11, 29),
                                          datetime.date(2026, 12, 1))),
    ("bugün gelecek mi", (TODAY,)),
    ("besok sampai?", (datetime.date(2026, 12, 1),)),
    ("จะได้ของพรุ่งนี้ไหมคะ", (datetime.date(2026, 12, 1),)),
    ("Guten Morgen, kommt es morgen?", (datetime.date(2026, 12, 1),)),
    ("llegó ayer por la mañana", (datetime.date(2026, 11, 29),)),
    ("livré après-demain", (datetime.date(2026, 12, 2),)),
    ("ordered on 2026-11-02", (datetime.date(2026, 11, 2),)),
    ("zamówione 03.11.2026", (datetime.date(2026, 11, 3),)),
    ("pesan tanggal 4/11/26", (datetime.date(2026, 11, 4),)),
    ("US style 11/25/2026", (datetime.date(2026, 11, 25),)),
    ("สั่งวันที่ 5/11/2569", (datetime.date(2026, 11, 5),)),  # Buddhist era
    ("bestellt am Freitag", (datetime.date(2026, 11, 27),)),
    ("5 dni temu", (datetime.date(2026, 11, 25),)),
    ("hace 3 días", (datetime.date(2026, 11, 27),)),
])
def test_dates(text: str, expected: tuple[datetime.date, ...]) -> None:
    assert extract_entities(text, today=TODAY).dates == expected


def test_prices_and_weights_are_not_dates() -> None:
    assert extract_entities("it costs 19.99 and weighs 1.5 kg", today=TODAY).dates == ()


CATALOG = [
    ("p1", "Linen Duvet Cover – Sage"),
    ("p2", "Linen Duvet Cover – White"),
    ("p3", "Waffle Bath Towel"),
    ("p4", "Merino Throw Blanket"),
    ("p5", "Poszewka lniana na poduszkę"),
]


def test_products_are_matched_to_the_catalog_despite_typos() -> None:
    found = extract_entities("do you still have the linen duvet cover in sage?",
                             catalog=CATALOG).products
    assert found[0] == ProductMatch("p1", "Linen Duvet Cover – Sage", 100.0)
    assert [m.product_id for m in found][:2] == ["p1", "p2"]
    assert extract_entities("is the wafle towel back in stock",
                            catalog=CATALOG).products[0].product_id == "p3"
    assert extract_entities("czy poszewka lniana jest dostepna",
                            catalog=CATALOG).products[0].product_id == "p5"


def test_no_product_when_none_is_mentioned() -> None:
    assert extract_entities("where is my order?", catalog=CATALOG).products == ()
    assert extract_entities("cover me", catalog=CATALOG).products == ()


def test_everything_at_once() -> None:
    text = ("Hello, order LL-1001 (anna@example.com, +48 600 700 800) was shipped with "
            "tracking 1Z999AA10123456784 to 00-950 yesterday.")
    found = extract_entities(text, order_prefixes=PREFIXES, today=TODAY)
    assert found.order_numbers == ("LL-1001",)
    assert found.emails == ("anna@example.com",)
    assert found.phones == ("+48600700800",)
    assert found.tracking_numbers == ("1Z999AA10123456784",)
    assert found.postcodes == ("00-950",)
    assert found.dates == (datetime.date(2026, 11, 29),)
