"""Two web processes and two Celery workers sharing PostgreSQL, Redis and S3 (bench/cluster.py).

Slow-ish (four processes start; half a minute to a minute): marked ``cluster``, so that
``pytest -m cluster`` runs it alone and ``-m "not cluster"`` leaves it out. It runs the bench's
own code on the suite's database (migrated and empty; emptied again afterwards) and on the
test broker's Redis, which also serves as the cache.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from bench import cluster
from tests.celery_helpers import REDIS_URL

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)"),
]


def database_url() -> str:
    found = connection.settings_dict
    user = quote(found["USER"] or "", safe="")
    password = f":{quote(found['PASSWORD'], safe='')}" if found["PASSWORD"] else ""
    host, port = found["HOST"] or "127.0.0.1", found["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{found['NAME']}"


def test_two_web_processes_and_two_workers_share_sessions_files_and_rate_limits(
    transactional_db: Any,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the processes share the suite's database")

    result = cluster.run(
        database_url=database_url(), broker_url=REDIS_URL, cache_url=REDIS_URL, migrated=True
    )

    print(result["timings"])  # shown with -s
    assert result["ok"], result
    assert result["checks"] == dict.fromkeys(
        [
            "log-in on web1",
            "web1's session is valid on web2",
            "without it web2 asks to log in",
            "review written on web1",
            "PDF asked for on web1",
            "rendered by one of the workers",
            "the PDF is in the bucket",
            "downloaded from web2, streamed, the bucket's bytes",
            "web1 answers with a signed URL of 60 s that fetches the same bytes",
            "another account's person gets a 404 and no URL on both",
            "join_request: 3 an hour for an address, counted across web1 and web2",
            "no file on any process's local disk",
        ],
        True,
    )
