"""Inserting many rows of one model at once, for bulk actions (imports).

`insert_rows(model, rows)` writes rows given as dicts of attribute names (`conversation_id`,
not `conversation`) and returns their new ids, in order. It does what `save()` would do to the
values, without building model instances (their `__init__` and Django's per-field SQL
compilation cost more than the database does at import volumes):

- a field left out gets its default (a callable default is called per row);
- `created_at` (`core.models.CreatedAtField`) keeps a given time, else now; `auto_now` fields
  are now;
- JSON is encoded with the field's encoder; on SQLite, aware datetimes are stored as naive UTC
  text, exactly as Django's SQLite backend writes them.

Ids are taken first and written explicitly: on PostgreSQL from the table's sequence
(`nextval`, safe under concurrent writers) and the rows go in with `COPY ... FROM STDIN`
(psycopg 3); on SQLite after the highest id ever used (the transaction already holds the write
lock: Storedesk opens SQLite transactions IMMEDIATE) with one `executemany`. No signals, no
`save()` overrides: bulk actions own their rows and do everything `save()` would have done.
Only inside an action's transaction; a failure leaves nothing once it rolls back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from django.db import connection, models
from django.utils import timezone

Row = dict[str, Any]
_MISSING = object()


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(
    model: type[models.Model], rows: Sequence[Row], *, returning_ids: bool = True
) -> list[int]:
    """Insert `rows` (dicts of attnames) into `model`'s table; returns their ids in order.

    With `returning_ids=False` no id is taken up front: the table's default numbers the rows
    (one statement less, and no ids to send) and an empty list is returned."""
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    given = rows[0].keys()
    # Columns in the order the values are built: the given values that go in as they are
    # (one itemgetter call per row), the given ones that need converting, the defaults that
    # are one value for every row, the defaults computed per row.
    plain: list[models.Field[Any, Any]] = []
    converted: list[tuple[models.Field[Any, Any], Callable[[Any], Any]]] = []
    constant: list[tuple[models.Field[Any, Any], Any]] = []
    computed: list[tuple[models.Field[Any, Any], Callable[[Any], Any]]] = []
    converters: dict[str, Callable[[Any], Any]] = {}
    for f in fields:
        convert = converters[f.attname] = _converter(f)
        if f.attname in given:
            if _as_given(f):
                plain.append(f)
            else:
                converted.append((f, convert))
        elif f.has_default() and callable(f.default):
            computed.append((f, convert))
        else:
            constant.append((f, convert(_MISSING)))
    ordered = [*plain, *(f for f, _ in converted), *(f for f, _ in constant),
               *(f for f, _ in computed)]
    names = [f.attname for f in ordered]
    take = _getter([f.attname for f in plain])
    constants = tuple(value for _, value in constant)
    per_row = [convert for _, convert in computed]
    changed = [(f.attname, convert) for f, convert in converted]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        if row.keys() == given:
            values.append(take(row) + tuple([convert(row[name]) for name, convert in changed])
                          + constants + tuple([convert(_MISSING) for convert in per_row]))
        else:  # a row with other keys than the first: field by field
            values.append(tuple([converters[name](row.get(name, _MISSING))
                                 for name in names]))
    columns = [str(f.column) for f in ordered]
    ids: list[int] = []
    if returning_ids:
        ids = _allocate_ids(model, len(rows))
        columns.insert(0, str(pk.column))
        values = [(new_id, *value) for new_id, value in zip(ids, values, strict=True)]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(meta.db_table)
    with connection.cursor() as cursor:
        if is_postgres():
            raw = cursor.cursor  # psycopg's own cursor (Django's wrapper has no copy())
            # ... so its errors are made Django's here (a unique violation: IntegrityError)
            with connection.wrap_database_errors, raw.copy(  # type: ignore[union-attr]
                    f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})",  # noqa: S608
                               values)
    return ids


def _getter(names: list[str]) -> Callable[[Row], tuple[Any, ...]]:
    if not names:
        return lambda row: ()
    if len(names) == 1:
        name = names[0]
        return lambda row: (row[name],)
    return itemgetter(*names)


def _is_auto_now(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.DateTimeField) and bool(getattr(field, "auto_now", False))


def _as_given(field: models.Field[Any, Any]) -> bool:
    """Does a given value go into the column unchanged?"""
    if isinstance(field, models.JSONField) or _is_auto_now(field):
        return False
    if isinstance(field, models.DateTimeField) and getattr(field, "auto_now_add", False):
        return False  # None means now
    return not (isinstance(field, models.DateTimeField) and not is_postgres())


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    """value (or _MISSING) -> what the database column takes, as save() would prepare it."""
    now = timezone.now()
    sqlite = not is_postgres()

    def time_value(value: datetime | None) -> Any:
        if value is None or not sqlite:
            return value
        if timezone.is_aware(value):
            value = value.astimezone(UTC).replace(tzinfo=None)
        return str(value)

    if isinstance(field, models.DateTimeField):
        if getattr(field, "auto_now", False):
            stamp = time_value(now)
            return lambda value: stamp
        if getattr(field, "auto_now_add", False):
            default_stamp = time_value(now)
            return lambda value: (default_stamp if value is _MISSING or value is None
                                  else time_value(value))
    default = _default(field)
    if isinstance(field, models.JSONField):
        encoder = field.encoder

        def json_value(value: Any) -> Any:
            value = default() if value is _MISSING else value
            if type(value) is dict and not value:
                return "{}"  # most metadata: skip the encoder
            return None if value is None else json.dumps(value, cls=encoder)

        return json_value
    if isinstance(field, models.DateTimeField):
        return lambda value: time_value(default() if value is _MISSING else value)
    return lambda value: default() if value is _MISSING else value


def _default(field: models.Field[Any, Any]) -> Callable[[], Any]:
    if field.has_default() and callable(field.default):
        return field.default  # type: ignore[no-any-return]
    value = field.get_default()
    return lambda: value


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    meta = model._meta
    assert meta.pk is not None
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        table = connection.ops.quote_name(meta.db_table)
        pk = connection.ops.quote_name(str(meta.pk.column))
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE((SELECT MAX({pk}) FROM {table}), 0))",
            [meta.db_table],
        )
        last = int(cursor.fetchone()[0])
        return list(range(last + 1, last + count + 1))
