"""Reading "which one?" answers by their place in the list (assistant/ordinals.py)."""

from __future__ import annotations

import pytest

from storedesk.assistant.ordinals import position


@pytest.mark.parametrize("text, expected", [
    ("the second one please", 1), ("2nd", 1), ("the last one", 2), ("first", 0),
    ("ten drugi", 1), ("to ostatnie zamówienie", 2), ("pierwszą poproszę", 0),
    ("ikincisi", 1), ("sonuncusu lütfen", 2), ("ilk sipariş", 0),
    ("yang kedua kak", 1), ("terakhir", 2),
    ("อันที่สองครับ", 1), ("อันสุดท้าย", 2),
    ("die zweite bitte", 1), ("la dernière", 2), ("el primero", 0), ("a segunda", 1),
    ("il terzo", 2), ("het laatste", 2), ("#2", 1), ("nr 3", 2), ("1", 0),
])
def test_a_place_in_the_list_is_read_in_every_language(text: str, expected: int) -> None:
    assert position(text, 3) == expected


@pytest.mark.parametrize("text", [
    "the blue one", "both", "first and second", "I want 2 candles", "the fifth one",
    "where is my first order I placed last month with you guys", "",
])
def test_no_single_place_or_not_in_the_list_is_none(text: str) -> None:
    assert position(text, 3) is None
