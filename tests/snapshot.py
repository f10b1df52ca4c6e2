"""Proving that a request changed nothing (or something): every model's rows, before and after.

A refusal test wraps the request::

    with unchanged():
        response = client.post(url, data)
    assert response.status_code == 403

and fails, naming the tables, if any row of any installed model (sessions and many-to-many
tables included) was added, changed or removed. :func:`database_state` is the snapshot itself,
for tests that compare two states another way: the access matrix checks that an allowed POST
changed something besides the activity log and the job queue with
``changed_tables(before, database_state(ignoring=(Activity, Job)))``.

On PostgreSQL a snapshot is one query (a digest of each table's rows, in primary-key order),
cheap enough for the matrix's thousands of requests; elsewhere it reads every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.apps import apps
from django.db import connection, models

State = dict[str, Any]


def _models(ignoring: Iterable[type[models.Model]]) -> list[type[models.Model]]:
    skipped = {model._meta.label for model in ignoring}
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label not in skipped and not model._meta.proxy and model._meta.managed
    ]


def _digests(tables: list[type[models.Model]]) -> State:
    quote = connection.ops.quote_name
    # Table and column names come from the models' own meta, quoted: nothing from outside.
    columns = [
        f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.{quote(model._meta.pk.column)}),"  # noqa: S608
        f" '')) FROM {quote(model._meta.db_table)} t)"
        for model in tables
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    return {model._meta.label: digest for model, digest in zip(tables, row, strict=True)}


def database_state(ignoring: Iterable[type[models.Model]] = ()) -> State:
    """Every model's rows (or their digest), by model label."""
    tables = _models(ignoring)
    if connection.vendor == "postgresql":
        return _digests(tables)
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values()) for model in tables
    }


def changed_tables(before: State, after: State) -> list[str]:
    """The labels of the models whose rows differ between two snapshots."""
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )


@contextmanager
def unchanged(ignoring: Iterable[type[models.Model]] = ()) -> Iterator[None]:
    """Assert that the block leaves every model's rows as they were."""
    ignoring = tuple(ignoring)
    before = database_state(ignoring)
    yield
    changed = changed_tables(before, database_state(ignoring))
    assert not changed, f"these tables changed: {', '.join(changed)}"
