"""The playbooks bench (bench/playbooks.py) at a small size, so that it cannot rot unnoticed:
its data builder gives every scanned signal something to find, the scan fires runs, and the
figures it prints as JSON are all there."""

from __future__ import annotations

import json

import pytest

from bench import playbooks as bench
from playbooks.models import CSMTask, Event, PlaybookRun
from playbooks.triggers import TRIGGERS

KEYS = {
    "accounts",
    "playbooks",
    "seconds",
    "runs",
    "events",
    "tasks",
    "queries_per_account",
    "queries_per_account_small",
    "event_queries",
    "workers",
    "aim_seconds",
    "database",
}


@pytest.mark.django_db
def test_the_bench_builds_scans_and_reports_at_a_small_size() -> None:
    result = bench.summarize(bench.measure(40, workers=1), small=None)
    assert set(result) >= KEYS
    assert json.loads(json.dumps(result)) == result
    assert (result["accounts"], result["workers"]) == (40, 1)
    assert result["playbooks"] == len(TRIGGERS)
    assert result["runs"] == PlaybookRun.objects.count() > 0
    assert result["events"] == Event.objects.count() >= result["runs"]
    assert result["tasks"] == CSMTask.objects.count() > 0
    assert result["steps_failed"] == 0
    # Every scanned signal finds something in the data.
    scanned = {kind for kind, trigger in TRIGGERS.items() if trigger.scanned}
    assert set(result["events_by_kind"]) == scanned
    assert all(result["events_by_kind"].values()), result["events_by_kind"]
    assert result["queries_per_account"] > 0
    assert result["event_queries"] == 1


def test_the_summary_compares_the_two_sizes() -> None:
    big = {"queries_per_account": 10.4, "seconds": 61.0, "event_queries": 1}
    small = {"accounts": 100, "queries_per_account": 10.0, "seconds": 6.0, "runs": 250}
    summary = bench.summarize(big, small)
    assert summary["queries_per_account_small"] == 10.0
    assert summary["queries_per_account_grows"] is False
    assert summary["meets_aim_seconds"] is False and summary["meets_aim_event_queries"] is True
    grown = bench.summarize(big | {"queries_per_account": 12.0}, small)
    assert grown["queries_per_account_grows"] is True
