"""The nightly bench (bench/nightly.py) in its parts that need no worker, so that it cannot rot
unnoticed: its own data builder, and the summary it prints as JSON."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import connection

from bench import nightly as bench
from insights.models import AccountFacts, ProductUser, UsageEvent


def test_the_summary_gives_each_worker_count_its_rate_and_speed_up() -> None:
    nights = {1: {"seconds": 100.0}, 2: {"seconds": 55.0}, 4: {"seconds": 40.0}}
    summary = bench.summarize(nights, accounts=1_000)
    assert json.loads(json.dumps(summary)) == summary
    assert summary["workers"]["1"] == {
        "seconds": 100.0,
        "accounts_per_second": 10.0,
        "speedup": 1.0,
    }
    assert summary["workers"]["2"]["speedup"] == 1.82
    assert summary["workers"]["4"]["accounts_per_second"] == 25.0
    assert summary["meets_aim_seconds"] is True and summary["meets_aim_speedup"] is True
    slow = bench.summarize({1: {"seconds": 100.0}, 2: {"seconds": 70.0}}, accounts=1_000)
    assert slow["meets_aim_speedup"] is False
    alone = bench.summarize({2: {"seconds": 420.0}}, accounts=10_000)
    assert alone["meets_aim_seconds"] is True and alone["meets_aim_speedup"] is None


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the builder loads events by COPY")
def test_its_own_data_gives_accounts_users_and_usage() -> None:
    made = bench.build_own(6, days=4, today=date(2026, 5, 13))
    assert made["accounts"] == 6
    assert made["product_users"] == ProductUser.objects.count() == 6 * bench.USERS
    assert made["usage_events"] == UsageEvent.objects.count() > 0
    assert AccountFacts.objects.count() == 3
    days = set(UsageEvent.objects.values_list("day", flat=True))
    assert min(days) >= date(2026, 5, 10) and max(days) <= date(2026, 5, 13)
