"""The nightly roll-up and health scores, fanned out: the coordinator's chunks, each chunk's
idempotency, failures retried and recorded while the others go on, the run's end, the CS
admin's page, and a small fan-out on real Celery workers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import Account
from insights.models import FeatureUsageDay, HealthScore, NightlyChunk, NightlyRun, UsageDay
from insights.services import nightly
from insights.services.health import compute_health_scores
from insights.services.ingest import upsert_usage
from insights.services.usage import days_back, roll_up
from insights.tasks import NIGHTLY_CHUNK_ATTEMPTS
from portal.models import Job
from tests.celery_helpers import REDIS_URL, real_worker
from tests.conftest import World, client_for
from tests.factories import AccountFactory, NightlyChunkFactory, NightlyRunFactory
from tests.html_helpers import html_problems
from tests.queries import count_queries, page_queries

D = date(2026, 5, 13)
CHUNK_TASK = "insights.run_nightly_chunk"
Status = NightlyChunk.Status


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 5, 13, 2, tzinfo=UTC), tick=True)


def with_usage(accounts: Iterable[Account]) -> list[Account]:
    """A few users a day over the last ten days for each account, more for later ones."""
    accounts = list(accounts)
    rows = [
        {
            "account_id": account.pk,
            "user_key": f"user-{u}",
            "day": day,
            "feature": ("reports", "exports")[u % 2],
            "count": 1 + (u + n) % 3,
        }
        for n, account in enumerate(accounts)
        for day in days_back(D, 10)
        for u in range(1 + n % 4)
        if (u + day.day) % 3
    ]
    upsert_usage(rows)
    return accounts


def make_accounts(count: int) -> list[Account]:
    return with_usage(
        AccountFactory.create(renewal_date=D + timedelta(days=20 + 30 * n)) for n in range(count)
    )


def written() -> tuple[list[Any], ...]:
    """Every row the night writes, without ids and timestamps."""
    return (
        list(
            UsageDay.objects.order_by("account_id", "day").values_list(
                "account_id",
                "day",
                "active_users",
                "weekly_active_users",
                "monthly_active_users",
                "events",
            )
        ),
        list(
            FeatureUsageDay.objects.order_by("account_id", "day", "feature").values_list(
                "account_id", "day", "feature", "monthly_users", "events"
            )
        ),
        list(
            HealthScore.objects.order_by("account_id", "day").values_list(
                "account_id", "day", "score", "band", "parts"
            )
        ),
    )


def start(captured: Callable[..., Any], execute: bool, **kwargs: Any) -> NightlyRun:
    with captured(execute=execute):
        return nightly.start_nightly_run(D, **kwargs)


# The coordinator ------------------------------------------------------------------------------


class TestCoordinator:
    def test_it_splits_the_accounts_in_id_order_into_chunks_of_the_setting(
        self, db: None, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.NIGHTLY_CHUNK_SIZE = 2
        ids = [a.pk for a in AccountFactory.create_batch(5)]
        run = start(django_capture_on_commit_callbacks, execute=False)
        chunks = list(run.chunks.order_by("index"))
        assert [c.account_ids for c in chunks] == [ids[0:2], ids[2:4], ids[4:5]]
        assert [c.account_count for c in chunks] == [2, 2, 1]
        assert [(c.first_account_id, c.last_account_id) for c in chunks] == [
            (ids[0], ids[1]),
            (ids[2], ids[3]),
            (ids[4], ids[4]),
        ]
        assert {c.status for c in chunks} == {Status.QUEUED}
        assert (run.day, run.chunk_size, run.chunk_count, run.account_count) == (D, 2, 3, 5)
        assert run.roll_up_days == ["2026-05-11", "2026-05-12", "2026-05-13"]
        assert run.finished_at is None
        jobs = Job.objects.filter(task=CHUNK_TASK).order_by("created_at")
        assert sorted(j.kwargs["chunk_id"] for j in jobs) == [c.pk for c in chunks]

    def test_a_chunk_size_given_wins_over_the_setting(
        self, db: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        AccountFactory.create_batch(5)
        run = start(django_capture_on_commit_callbacks, execute=False, chunk_size=4)
        assert list(run.chunks.values_list("account_count", flat=True)) == [4, 1]

    def test_its_queries_do_not_grow_with_the_accounts(
        self, db: None, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.NIGHTLY_CHUNK_SIZE = 2
        AccountFactory.create_batch(3)
        few = count_queries(lambda: nightly.start_nightly_run(D))
        AccountFactory.create_batch(30)
        many = count_queries(lambda: nightly.start_nightly_run(D))
        assert few == many

    def test_with_no_account_the_run_is_finished_at_once(self, db: None) -> None:
        run = nightly.start_nightly_run(D)
        assert run.chunk_count == 0 and run.finished_at is not None
        assert not Job.objects.exists()

    def test_a_chunk_size_below_one_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least one"):
            nightly.split([1, 2], 0)

    def test_beat_starts_the_coordinator_not_the_single_tasks(self, settings: Any) -> None:
        entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert "insights.run_nightly" in entries
        assert not {"insights.roll_up_usage", "insights.compute_health_scores"} & set(entries)


# The chunks -----------------------------------------------------------------------------------


class TestChunks:
    def test_the_fan_out_writes_what_one_task_over_every_account_writes(
        self, db: None, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.NIGHTLY_CHUNK_SIZE = 2
        make_accounts(5)
        roll_up(None, days_back(D, nightly.NIGHTLY_ROLL_UP_DAYS))
        compute_health_scores(None, D)
        alone = written()
        assert len(alone[0]) == 15 and len(alone[2]) == 5  # 5 accounts, 3 days; 5 scores
        UsageDay.objects.all().delete()
        FeatureUsageDay.objects.all().delete()
        HealthScore.objects.all().delete()

        run = start(django_capture_on_commit_callbacks, execute=True)
        run.refresh_from_db()
        assert run.finished_at is not None
        assert written() == alone
        assert list(run.chunks.values_list("status", "attempts", "rolled_up", "scored")) == [
            (Status.DONE, 1, 6, 2),
            (Status.DONE, 1, 6, 2),
            (Status.DONE, 1, 3, 1),
        ]
        chunk_jobs = Job.objects.filter(task=CHUNK_TASK)
        assert set(chunk_jobs.values_list("status", flat=True)) == {Job.Status.DONE}

    def test_a_chunk_run_twice_writes_the_same_rows(
        self, db: None, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.NIGHTLY_CHUNK_SIZE = 3
        make_accounts(3)
        run = start(django_capture_on_commit_callbacks, execute=True)
        first = written()
        chunk = run.chunks.get()
        # A second delivery after the first was recorded done does nothing at all...
        assert nightly.run_chunk(chunk.pk) == 0
        # ...and running its work again from scratch writes the same rows.
        NightlyChunk.objects.filter(pk=chunk.pk).update(status=Status.QUEUED)
        assert nightly.run_chunk(chunk.pk) == 3
        assert written() == first
        chunk.refresh_from_db()
        assert (chunk.status, chunk.attempts) == (Status.DONE, 2)

    def test_a_failing_chunk_is_recorded_and_the_others_finish(
        self,
        db: None,
        settings: Any,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.NIGHTLY_CHUNK_SIZE = 2
        accounts = make_accounts(5)
        broken = accounts[2].pk
        real = nightly.compute_health_scores

        def failing(account_ids: list[int], day: date) -> int:
            if broken in account_ids:
                raise RuntimeError(f"account {broken}: no health config")
            return real(account_ids, day)

        monkeypatch.setattr(nightly, "compute_health_scores", failing)
        run = start(django_capture_on_commit_callbacks, execute=True)
        run.refresh_from_db()
        chunks = list(run.chunks.order_by("index"))
        # Without a broker a job is not retried (tasks run in-process): it fails at once.
        assert [c.status for c in chunks] == [Status.DONE, Status.FAILED, Status.DONE]
        assert chunks[1].error == f"RuntimeError: account {broken}: no health config"
        assert chunks[1].finished_at is not None
        assert run.finished_at is not None
        scored = set(HealthScore.objects.values_list("account_id", flat=True))
        assert scored == {a.pk for a in accounts} - {accounts[2].pk, accounts[3].pk}
        failed = Job.objects.get(status=Job.Status.FAILED)
        assert failed.kwargs == {"chunk_id": chunks[1].pk}

    def test_an_attempt_that_fails_is_recorded_on_the_chunk_for_the_retry(
        self, db: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        run = NightlyRunFactory.create(chunk_count=1)
        chunk = NightlyChunkFactory.create(
            run=run, status=Status.QUEUED, attempts=0, finished_at=None
        )

        def broken(account_ids: list[int], days: list[date]) -> int:
            raise ConnectionError("the database went away")

        monkeypatch.setattr(nightly, "roll_up", broken)
        with pytest.raises(ConnectionError):
            nightly.run_chunk(chunk.pk)
        chunk.refresh_from_db()
        assert (chunk.status, chunk.attempts) == (Status.RETRYING, 1)
        assert chunk.error == "ConnectionError: the database went away"
        run.refresh_from_db()
        assert run.finished_at is None  # it is retried: the run goes on

    def test_the_last_chunk_settled_finishes_the_run_once(self, db: None) -> None:
        run = NightlyRunFactory.create(chunk_count=2)
        done = NightlyChunkFactory.create(run=run)
        waiting = NightlyChunkFactory.create(run=run, status=Status.RETRYING)
        assert nightly.finish_run_if_settled(run.pk) is False
        nightly.fail_chunk(waiting.pk, "RuntimeError: gave up")
        run.refresh_from_db()
        finished = run.finished_at
        assert finished is not None
        assert nightly.finish_run_if_settled(run.pk) is False
        run.refresh_from_db()
        assert run.finished_at == finished
        assert done.status == Status.DONE


# The CS admin's page --------------------------------------------------------------------------


def a_night(world: World, *, failed: bool = True, finished: bool = True) -> NightlyRun:
    started = datetime(2026, 5, 13, 0, 0, 5, tzinfo=UTC)
    run = NightlyRunFactory.create(
        day=D,
        chunk_count=3,
        account_count=5,
        chunk_size=2,
        started_at=started,
        finished_at=started + timedelta(minutes=4, seconds=7) if finished else None,
    )
    NightlyChunkFactory.create(run=run, index=0, account=world.account, account_count=2)
    NightlyChunkFactory.create(
        run=run,
        index=1,
        account=world.other_account,
        account_count=2,
        status=Status.FAILED if failed else Status.RUNNING,
        attempts=NIGHTLY_CHUNK_ATTEMPTS if failed else 1,
        error="OperationalError: canceling statement due to statement timeout" if failed else "",
    )
    NightlyChunkFactory.create(
        run=run,
        index=2,
        account=world.account,
        attempts=2,
        error="ConnectionError: the database went away",
    )
    return run


class TestPage:
    url = reverse("nightly_runs")

    def test_a_cs_admin_sees_last_nights_run_and_why_a_chunk_failed(self, world: World) -> None:
        NightlyRunFactory.create(
            day=D - timedelta(days=1), started_at=datetime(2026, 5, 12, tzinfo=UTC)
        )
        a_night(world)
        page = client_for(world.admin).get(self.url).content.decode()
        assert "Last night: Wednesday 13 May 2026" in page
        assert "Finished with failures" in page
        assert 'Finished, in <span class="nowrap">4 min 07 s</span>' in page
        assert "of 5 accounts covered" in page
        assert "of 3 chunks done (2 accounts each)" in page
        assert "OperationalError: canceling statement due to statement timeout" in page
        assert "Bluth" in page  # the failed chunk's accounts, by name
        # The chunk done on its second attempt is listed with the error that made it retry.
        assert "ConnectionError: the database went away" in page
        assert "The nights before" in page
        assert f'hx-get="{self.url}"' not in page  # finished: nothing to poll

    def test_a_running_night_is_polled_until_it_finishes(self, world: World) -> None:
        a_night(world, failed=False, finished=False)
        client = client_for(world.admin)
        page = client.get(self.url).content.decode()
        assert "Running" in page and f'hx-get="{self.url}"' in page
        partial = client.get(self.url, headers={"HX-Request": "true"}).content.decode()
        assert partial.lstrip().startswith('<div id="nightly-last-run"')
        assert "<html" not in partial

    @pytest.mark.parametrize("finished", [True, False])
    def test_the_page_is_well_formed(self, world: World, finished: bool) -> None:
        NightlyRunFactory.create(started_at=datetime(2026, 5, 12, tzinfo=UTC))
        a_night(world, finished=finished, failed=finished)
        page = client_for(world.admin).get(self.url).content.decode()
        assert html_problems(page) == []

    def test_before_the_first_night_it_says_when_it_comes(self, world: World) -> None:
        page = client_for(world.admin).get(self.url).content.decode()
        assert "No nightly run yet" in page

    def test_its_queries_do_not_grow_with_the_chunks(self, world: World) -> None:
        run = a_night(world)
        client = client_for(world.admin)
        few = page_queries(client, self.url)
        for index in range(3, 30):
            NightlyChunkFactory.create(
                run=run, index=index, account=world.account, status=Status.FAILED, error="x"
            )
        NightlyRunFactory.create_batch(5, started_at=datetime(2026, 5, 1, tzinfo=UTC))
        assert page_queries(client, self.url) == few

    @pytest.mark.parametrize("persona", ["csm", "champion"])
    def test_other_roles_are_refused(self, world: World, persona: str) -> None:
        assert client_for(world.persona(persona)).get(self.url).status_code == 403

    def test_the_settings_page_links_to_it(self, world: World) -> None:
        page = client_for(world.admin).get(reverse("console_settings")).content.decode()
        assert f'href="{self.url}"' in page


# On real workers ------------------------------------------------------------------------------

FAILURES: dict[int, int] = {}  # account id -> attempts that fail before one succeeds


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting")


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)  # the worker thread must see the rows
def test_a_small_fan_out_runs_on_a_real_worker_and_retries_a_failing_chunk(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.NIGHTLY_CHUNK_SIZE = 2
    settings.JOB_RETRY_BACKOFF = 0.2
    accounts = make_accounts(6)
    flaky, broken = accounts[0].pk, accounts[4].pk
    FAILURES.clear()
    FAILURES.update({flaky: 1, broken: 99})
    real = nightly.roll_up

    def sometimes_failing(account_ids: list[int], days: list[date]) -> int:
        for pk in account_ids:
            if FAILURES.get(pk, 0) > 0:
                FAILURES[pk] -= 1
                raise RuntimeError(f"account {pk} is locked")
        return real(account_ids, days)

    monkeypatch.setattr(nightly, "roll_up", sometimes_failing)
    with real_worker():
        with transaction.atomic():
            run = nightly.start_nightly_run(D)
        wait_for(lambda: NightlyRun.objects.get(pk=run.pk).finished_at is not None)
    chunks = list(run.chunks.order_by("index"))
    assert [(c.status, c.attempts) for c in chunks] == [
        (Status.DONE, 2),  # failed once, then done on the retry
        (Status.DONE, 1),
        (Status.FAILED, NIGHTLY_CHUNK_ATTEMPTS),
    ]
    assert chunks[0].error == f"RuntimeError: account {flaky} is locked"
    assert chunks[2].error == f"RuntimeError: account {broken} is locked"
    assert set(HealthScore.objects.values_list("account_id", flat=True)) == {
        a.pk for a in accounts[:4]
    }
    assert UsageDay.objects.filter(day=D).count() == 4
