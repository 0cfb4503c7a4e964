"""The new delivery address read out of a shopper's message (then read back for a yes), and
the yes or no to "Is that right?", in the eleven languages."""

from __future__ import annotations

import pytest

from storedesk.assistant.address import answer, one_line, parse_address

CURRENT = {"name": "Daniel Okafor", "phone": "+48 600 100 200", "address1": "Stara 1",
           "zip": "00-950", "city": "Warszawa", "country": "PL"}


@pytest.mark.parametrize("text,expected", [
    ("Please change the delivery address of my order to 12 Baker Street, NW1 6XE London, "
     "United Kingdom", "12 Baker Street, NW1 6XE London, GB"),
    ("zmień adres na ul. Kwiatowa 5, 00-001 Warszawa", "ul. Kwiatowa 5, 00-001 Warszawa, PL"),
    ("Yeni adresim: Atatürk Cad. No 5, 34000 İstanbul, Türkiye",
     "Atatürk Cad. No 5, 34000 İstanbul, TR"),
    ("Alamat baru: Jl. Sudirman No. 5, 10220 Jakarta, Indonesia",
     "Jl. Sudirman No. 5, 10220 Jakarta, ID"),
    ("ที่อยู่ใหม่: 99/1 ถนนสุขุมวิท, 10110 กรุงเทพ, ไทย", "99/1 ถนนสุขุมวิท, 10110 กรุงเทพ, TH"),
    ("Bitte ändern Sie die Adresse auf Hauptstraße 5, 10115 Berlin, Deutschland",
     "Hauptstraße 5, 10115 Berlin, DE"),
    ("Cambia la dirección a Calle Mayor 5, 28013 Madrid, España",
     "Calle Mayor 5, 28013 Madrid, ES"),
    ("Nouvelle adresse : 12 rue de Rivoli, 75001 Paris, France",
     "12 rue de Rivoli, 75001 Paris, FR"),
    ("Nova morada: Rua Augusta 100, 1100-053 Lisboa, Portugal",
     "Rua Augusta 100, 1100-053 Lisboa, PT"),
    ("Indirizzo nuovo: Via Roma 10, 00184 Roma, Italia", "Via Roma 10, 00184 Roma, IT"),
    ("Nieuw adres: Damstraat 5, 1012 JL Amsterdam, Nederland",
     "Damstraat 5, 1012 JL Amsterdam, NL"),
    # no country named: the order's current one
    ("Damstraat 5\n1012 JL Amsterdam", "Damstraat 5, 1012 JL Amsterdam, PL"),
    # a "no" in front of the corrected address is not the street
    ("nie, ul. Kwiatowa 7, 00-001 Warszawa", "ul. Kwiatowa 7, 00-001 Warszawa, PL"),
])
def test_an_address_in_a_message_is_read_with_the_fields_commerce_needs(text: str,
                                                                       expected: str) -> None:
    address = parse_address(text, CURRENT)
    assert address is not None
    assert one_line(address) == expected
    # the name and phone on the order are kept; the old street and postcode are not
    assert address["name"] == "Daniel Okafor" and address["phone"] == "+48 600 100 200"
    assert address["address1"] != "Stara 1" and address.get("zip") != "00-950"


@pytest.mark.parametrize("text", [
    "I want to change my delivery address", "Berlin", "Chcę zmienić adres dostawy", "",
    "order LL-10602, please",
])
def test_without_a_street_and_a_city_there_is_no_address(text: str) -> None:
    assert parse_address(text, CURRENT) is None


@pytest.mark.parametrize("text,expected", [
    ("yes", "yes"), ("Yes please", "yes"), ("Tak, zgadza się", "yes"), ("evet", "yes"),
    ("iya betul", "yes"), ("ใช่ค่ะ", "yes"), ("Ja, genau", "yes"), ("sí", "yes"),
    ("oui", "yes"), ("sim", "yes"), ("sì", "yes"), ("ja hoor", "yes"),
    ("no", "no"), ("nie", "no"), ("hayır", "no"), ("tidak", "no"), ("ไม่ใช่", "no"),
    ("nein", "no"), ("non", "no"), ("não", "no"), ("nee", "no"),
    ("maybe later", ""), ("where is my order?", ""),
])
def test_yes_and_no_in_the_eleven_languages(text: str, expected: str) -> None:
    assert answer(text) == expected
