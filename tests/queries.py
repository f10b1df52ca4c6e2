"""Counting queries: the one helper every "same count for 1 and N rows" test uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


class Counted:
    def __init__(self, context: CaptureQueriesContext) -> None:
        self._context = context

    def __len__(self) -> int:
        return len(self._context)

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for q in self._context.captured_queries]


@contextmanager
def counting() -> Iterator[Counted]:
    """``with counting() as queries: ...`` then ``len(queries)`` and ``queries.sql``."""
    with CaptureQueriesContext(connection) as context:
        yield Counted(context)


def count_queries(action: Callable[[], Any]) -> int:
    """How many queries ``action`` runs."""
    with counting() as queries:
        action()
    return len(queries)


def page_queries(client: Any, path: str) -> int:
    """Queries one GET of ``path`` runs once the session and caches are warm; the page must
    answer 200."""
    client.get(path)
    with counting() as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def assert_same_queries(before: int, after: int, label: str = "") -> None:
    assert before == after, (
        f"{label}: {before} queries before, {after} after: the count grew with the data"
    )
