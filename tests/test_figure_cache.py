"""portal.figure_cache: a figure is computed once a day and version, a write makes it stale at
once and again after its commit, bulk writes cost one bump, a lost version never comes back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from portal import figure_cache
from portal.figure_cache import (
    VERSION_KEY,
    cached_figure,
    changes_batched,
    current_version,
    inputs_changed,
)

NOON = datetime(2026, 5, 13, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _one_process_keeps_its_figures_all_day(settings: Any) -> None:
    """These tests follow one process with the suite's process-local cache, as a shared cache
    behaves: its figures are kept until the day ends or an input changes."""
    settings.FIGURE_CACHE_LOCAL_SECONDS = figure_cache.TIMEOUT_SECONDS


@pytest.fixture(autouse=True)
def _clean_cache(time_machine: Any) -> Iterator[None]:
    time_machine.move_to(NOON, tick=False)
    cache.clear()
    yield
    cache.clear()


class Counter:
    """A figure that says how often it was computed."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def figure(compute: Callable[[], int], *parts: object) -> int:
    return cached_figure("test-figure", parts or ("all",), compute).value


def test_a_figure_is_computed_once_and_kept() -> None:
    compute = Counter()
    assert (figure(compute), figure(compute)) == (1, 1)
    assert compute.calls == 1


def test_other_parts_are_another_figure() -> None:
    compute = Counter()
    assert (figure(compute, "csm 1"), figure(compute, "csm 2"), figure(compute, "csm 1")) == (
        1,
        2,
        1,
    )


def test_the_figure_says_when_it_was_computed(time_machine: Any) -> None:
    compute = Counter()
    first = cached_figure("test-figure", ["all"], compute)
    time_machine.move_to(NOON + timedelta(minutes=30), tick=False)
    assert cached_figure("test-figure", ["all"], compute).computed_at == first.computed_at == NOON


def test_a_write_makes_it_stale_at_once(db: None) -> None:
    compute = Counter()
    figure(compute)
    inputs_changed()
    assert figure(compute) == 2


def test_a_new_day_computes_it_again(time_machine: Any) -> None:
    compute = Counter()
    figure(compute)
    time_machine.move_to(NOON + timedelta(days=1), tick=False)
    assert figure(compute) == 2


def test_a_write_bumps_again_after_its_commit_once_a_transaction(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        inputs_changed()
        inputs_changed()
        inputs_changed()
        during = current_version()
    # Three bumps at once, one more after the commit, whatever the number of writes.
    assert during == before + 3
    assert len(callbacks) == 1 and current_version() == before + 4


def test_a_figure_computed_before_the_commit_is_stale_after_it(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    """A request that read the version while the write was not committed (here: inside the
    writing transaction, after the write's own bump) keeps nothing past the commit."""
    compute = Counter()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        inputs_changed()
        assert figure(compute) == 1
    assert figure(compute) == 2


def test_a_write_rolled_back_leaves_no_bump_to_run(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        inputs_changed()
        raise RuntimeError("the write failed")
    assert callbacks == []


def test_writes_in_a_batch_cost_one_bump(db: None) -> None:
    before = current_version()
    with changes_batched():
        for _ in range(50):
            inputs_changed()
        with changes_batched():  # nested: still one, at the end of the outer block
            inputs_changed()
        assert current_version() == before
    assert current_version() == before + 1


def test_a_batch_without_writes_bumps_nothing(db: None) -> None:
    before = current_version()
    with changes_batched():
        pass
    assert current_version() == before


def test_a_batch_that_fails_still_bumps_for_what_it_wrote(db: None) -> None:
    compute = Counter()
    figure(compute)
    with pytest.raises(RuntimeError), changes_batched():
        inputs_changed()
        raise RuntimeError("half way")
    assert figure(compute) == 2


def test_a_lost_version_never_comes_back_to_an_old_one(db: None, time_machine: Any) -> None:
    compute = Counter()
    figure(compute)
    inputs_changed()
    used = current_version()
    time_machine.move_to(NOON + timedelta(seconds=1), tick=False)
    cache.delete(VERSION_KEY)  # evicted, or the cache restarted with figures kept elsewhere
    assert current_version() > used
    assert figure(compute) == 2


def test_a_bump_with_no_version_yet_starts_from_the_clock(db: None) -> None:
    cache.delete(VERSION_KEY)
    inputs_changed()
    assert current_version() > 10**18  # nanoseconds since 1970, not 1


def test_keys_name_the_figure_the_day_and_the_version() -> None:
    key = figure_cache.figure_key("book", ["SELECT 1", 2026], NOON.date(), 7)
    assert key.startswith("figures:7:book:2026-05-13:")
    assert key != figure_cache.figure_key("book", ["SELECT 2", 2026], NOON.date(), 7)


def test_a_process_local_cache_keeps_figures_a_minute_at_most(settings: Any) -> None:
    """Without a shared cache another process's writes cannot reach this one: its figures
    expire after a minute instead of at the end of the day."""
    del settings.FIGURE_CACHE_LOCAL_SECONDS
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert figure_cache._timeout() == figure_cache.PROCESS_LOCAL_TIMEOUT_SECONDS == 60
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert figure_cache._timeout() == figure_cache.TIMEOUT_SECONDS
