"""Demo conversations in Polish (see storedesk.demo.data for the scenario format)."""

from __future__ import annotations

from typing import Any

SCENARIOS: list[dict[str, Any]] = [
    {
        "key": "pl-gdzie-zamowienie", "inbox": "email", "language": "pl", "hours_ago": 54,
        "shopper": {"id": "anna.kowalska@pl.example", "name": "Anna Kowalska",
                    "email": "anna.kowalska@pl.example"},
        "subject": "Gdzie jest moje zamówienie LL-10433?",
        "steps": [
            {"at": 0, "in": "Dzień dobry, zamówiłam komplet pościeli lnianej tydzień temu i "
                            "nadal nie dostałam numeru przesyłki. Kiedy mogę się spodziewać "
                            "paczki?"},
            {"at": 18, "reply": "Dzień dobry, Pani Anno! Paczka została nadana wczoraj przez "
                                "InPost, numer przesyłki to 6200 1234 5678. Dostawa do "
                                "paczkomatu powinna nastąpić jutro.", "by": "kasia"},
            {"at": 300, "in": "Dziękuję bardzo, już widzę przesyłkę w aplikacji."},
        ],
        "assignee": "kasia", "team": "Support", "tags": ["where-is-my-order"],
        "priority": "normal", "status": "resolved",
    },
    {
        "key": "pl-zwrot-poszewek", "inbox": "email", "language": "pl", "hours_ago": 27,
        "shopper": {"id": "tomasz.wisniewski@pl.example", "name": "Tomasz Wiśniewski",
                    "email": "tomasz.wisniewski@pl.example"},
        "subject": "Zwrot poszewek",
        "steps": [
            {"at": 0, "in": "Chciałbym zwrócić dwie poszewki na poduszki z zamówienia "
                            "LL-10490 - kolor jest inny niż na zdjęciu. Jak to zrobić?"},
            {"at": 40, "reply": "Dzień dobry, Panie Tomaszu. Oczywiście! Wysłaliśmy e-mailem "
                                "darmową etykietę zwrotną. Prosimy zapakować poszewki i nadać "
                                "je w dowolnym punkcie InPost w ciągu 30 dni.", "by": "kasia"},
            {"at": 45, "note": "Etykieta zwrotna wygenerowana. Zwrot pieniędzy po przyjęciu "
                               "paczki w magazynie.", "by": "kasia"},
        ],
        "assignee": "kasia", "team": "Returns", "tags": ["return"],
        "priority": "normal", "status": "pending",
    },
    {
        "key": "pl-status-zwrotu-pieniedzy", "inbox": "chat", "language": "pl", "hours_ago": 3,
        "shopper": {"id": "visitor-pl-5521", "name": "Magdalena",
                    "email": "magda.zielinska@pl.example"},
        "steps": [
            {"at": 0, "in": "Hej, odesłałam narzutę dwa tygodnie temu i wciąż nie mam zwrotu "
                            "pieniędzy. Co się dzieje?"},
            {"at": 3, "reply": "Cześć Magdaleno, już sprawdzam. Paczka dotarła do nas w "
                               "piątek, zwrot zlecę dziś - pieniądze pojawią się na koncie w "
                               "ciągu 3-5 dni roboczych.", "by": "kasia"},
            {"at": 5, "in": "Dobrze, a czy dostanę potwierdzenie mailem?"},
        ],
        "assignee": "kasia", "tags": ["refund"], "priority": "high", "status": "open",
    },
    {
        "key": "pl-zmiana-adresu", "inbox": "chat", "language": "pl", "hours_ago": 70,
        "shopper": {"id": "visitor-pl-8830", "name": "Piotr", "email": ""},
        "steps": [
            {"at": 0, "in": "Czy mogę zmienić adres dostawy? Podałem stary adres w Krakowie, "
                            "a mieszkam już w Gdańsku: ul. Długa 12/4, 80-827 Gdańsk."},
            {"at": 4, "reply": "Jasne, Panie Piotrze - zamówienie nie zostało jeszcze wysłane, "
                               "więc zmieniłam adres na ul. Długa 12/4, 80-827 Gdańsk.",
             "by": "kasia"},
        ],
        "assignee": "kasia", "tags": ["address-change"], "priority": "normal",
        "status": "resolved",
    },
    {
        "key": "pl-anulowanie", "inbox": "api", "language": "pl", "hours_ago": 1,
        "shopper": {"id": "customer-3114", "name": "Katarzyna Lewandowska",
                    "email": "k.lewandowska@pl.example"},
        "steps": [
            {"at": 0, "in": "Proszę o anulowanie zamówienia LL-10611. Kupiłam przez pomyłkę "
                            "dwa razy to samo."},
        ],
        "tags": ["cancellation"], "priority": "high", "status": "open",
    },
    {
        "key": "pl-pochwala", "inbox": "email", "language": "pl", "hours_ago": 115,
        "shopper": {"id": "ewa.nowicka@pl.example", "name": "Ewa Nowicka",
                    "email": "ewa.nowicka@pl.example"},
        "subject": "Podziękowanie",
        "steps": [
            {"at": 0, "in": "Chciałam tylko podziękować - ręczniki są cudownie miękkie, a "
                            "paczka była pięknie zapakowana. Na pewno jeszcze coś zamówię!"},
            {"at": 50, "reply": "Pani Ewo, bardzo dziękujemy za miłe słowa! Przekażemy je "
                                "zespołowi pakującemu.", "by": "kasia"},
        ],
        "assignee": "kasia", "tags": ["compliment"], "priority": "low", "status": "closed",
    },
]
