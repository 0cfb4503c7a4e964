"""core.bulk.insert_rows: rows as dicts go in as save() would have written them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from storedesk.accounts.actions import create_account
from storedesk.core import bulk
from storedesk.inbox.models import Tag

pytestmark = pytest.mark.django_db(transaction=True)


def test_rows_with_different_fields_get_defaults_and_given_values() -> None:
    # given an account, and rows that name different fields
    account = create_account("Bulk Rows")
    past = datetime(2021, 5, 4, 3, 2, 1, tzinfo=UTC)
    rows = [
        {"account_id": account.pk, "name": "plain"},
        {"account_id": account.pk, "name": "coloured", "color": "#ff0000"},
        {"account_id": account.pk, "name": "old", "created_at": past},
        {"account_id": account.pk, "name": "unset time", "created_at": None},
    ]
    before = timezone.now() - timedelta(seconds=1)
    # when they are inserted in one call
    with transaction.atomic():
        ids = bulk.insert_rows(Tag, rows)
    # then each row holds what save() would have stored, under the ids returned in order
    stored = {t.pk: t for t in Tag.objects.filter(account=account)}
    assert [stored[i].name for i in ids] == ["plain", "coloured", "old", "unset time"]
    assert [stored[i].color for i in ids] == ["#6b7280", "#ff0000", "#6b7280", "#6b7280"]
    assert stored[ids[2]].created_at == past
    for i in (ids[0], ids[1], ids[3]):
        assert stored[i].created_at >= before
        assert stored[i].updated_at >= before


def test_rows_without_returned_ids_are_numbered_by_the_table() -> None:
    # given an account with a tag already
    account = create_account("Bulk Ids")
    first = Tag.objects.create(account=account, name="first")
    # when rows go in without ids taken up front
    with transaction.atomic():
        ids = bulk.insert_rows(Tag, [{"account_id": account.pk, "name": f"t{n}"}
                                     for n in range(3)], returning_ids=False)
    # then nothing is returned and the table numbered them after the existing row
    assert ids == []
    made = list(Tag.objects.filter(account=account).exclude(pk=first.pk).order_by("pk"))
    assert [t.name for t in made] == ["t0", "t1", "t2"]
    assert all(t.pk > first.pk for t in made)
