"""Background work: recorded first, published after commit, never lost, never run twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from accounts.models import Invitation
from portal.jobs import enqueue, job_task, publish, relay_unsent_jobs
from portal.models import Job
from tests.celery_helpers import CLOSED_PORT_URL, REDIS_URL, broker, real_worker
from tests.conftest import World, client_for

CALLS: list[str] = []


@job_task("tests.flaky")
def flaky(key: str, failures: int = 0) -> None:
    """Fails ``failures`` times for ``key``, then succeeds."""
    CALLS.append(key)
    if CALLS.count(key) <= failures:
        raise RuntimeError(f"failure {CALLS.count(key)} of {failures}")


def wait_for(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def invite(
    client: Client, world: World, email: str = "new.person@customer.example"
) -> HttpResponseBase:
    return client.post(
        reverse("people_invite", args=[world.account.slug]), {"email": email, "role": "member"}
    )


@pytest.fixture(autouse=True)
def _clear_calls() -> None:
    CALLS.clear()


def test_without_a_broker_jobs_run_in_process_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_for(world.csm), world)
    assert response.status_code == 302
    job = Job.objects.get(task="accounts.send_invitation")
    assert job.status == Job.Status.DONE
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@customer.example"]
    assert isinstance(message, EmailMultiAlternatives)  # text and HTML
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and isinstance(html, str)
    invitation = Invitation.objects.get()
    assert invitation.get_accept_url() in message.body
    assert invitation.get_accept_url() in html
    assert invitation.send_count == 1


def test_a_job_is_not_published_when_its_transaction_rolls_back(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                enqueue("tests.flaky", key="rolled-back")
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Job.objects.exists()
    assert CALLS == []


def test_a_job_delivered_twice_runs_once(db: None) -> None:
    job = Job.objects.create(task="tests.flaky", kwargs={"key": "twice"})
    flaky.apply(kwargs={"key": "twice", "job_id": str(job.pk)})
    flaky.apply(kwargs={"key": "twice", "job_id": str(job.pk)})
    assert CALLS == ["twice"]
    job.refresh_from_db()
    assert job.status == Job.Status.DONE


def test_job_arguments_survive_json(db: None) -> None:
    job = Job.objects.create(task="tests.flaky", kwargs={"key": "json", "failures": 0})
    job.refresh_from_db()
    assert job.kwargs == {"key": "json", "failures": 0}


def test_a_failing_job_in_process_is_marked_failed_with_its_reason(db: None) -> None:
    job = Job.objects.create(task="tests.flaky", kwargs={"key": "boom", "failures": 5})
    flaky.apply(kwargs={"key": "boom", "failures": 5, "job_id": str(job.pk)})
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "failure 1 of 5" in job.error


@pytest.mark.django_db(transaction=True)  # the worker thread must see the rows
def test_with_the_broker_down_a_request_answers_fast_and_the_job_waits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.csm)
    with broker(CLOSED_PORT_URL), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = invite(client, world)
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"the request waited {elapsed:.2f}s on a broker that is down"
    job = Job.objects.get(task="accounts.send_invitation")
    assert job.status == Job.Status.UNSENT
    assert mail.outbox == []
    assert Invitation.objects.filter(email="new.person@customer.example").exists()

    # Still down: the relay leaves it for later.
    with broker(CLOSED_PORT_URL):
        assert relay_unsent_jobs(older_than=timedelta(0)) == 0
    job.refresh_from_db()
    assert job.status == Job.Status.UNSENT

    # The broker is back: the relay sends it and it runs, once.
    if REDIS_URL:
        with real_worker():
            assert relay_unsent_jobs(older_than=timedelta(0)) == 1
            wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
    else:
        assert relay_unsent_jobs(older_than=timedelta(0)) == 1
    assert len(mail.outbox) == 1
    assert relay_unsent_jobs(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_the_relay_waits_for_jobs_still_in_their_request(db: None) -> None:
    Job.objects.create(task="tests.flaky", kwargs={"key": "fresh"})
    assert relay_unsent_jobs() == 0  # made just now: its own on_commit publishes it


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)
class TestRealWorker:
    def test_a_job_published_to_redis_runs_on_the_worker(self, world: World) -> None:
        with real_worker():
            response = invite(client_for(world.csm), world)
            assert response.status_code == 302
            job = Job.objects.get(task="accounts.send_invitation")
            wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
        assert len(mail.outbox) == 1

    def test_a_failing_job_is_retried_with_backoff_until_it_succeeds(self, settings: Any) -> None:
        settings.JOB_RETRY_BACKOFF = 0.2
        with real_worker():
            with transaction.atomic():
                job = enqueue("tests.flaky", key="retry", failures=2)
            try:
                wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
            except AssertionError:
                job.refresh_from_db()
                raise AssertionError((job.status, job.attempts, job.error, CALLS)) from None
        job.refresh_from_db()
        assert job.attempts == 2
        assert CALLS == ["retry", "retry", "retry"]

    def test_a_second_delivery_of_a_done_job_changes_nothing(self) -> None:
        with real_worker():
            with transaction.atomic():
                job = enqueue("tests.flaky", key="dup")
            wait_for(lambda: Job.objects.get(pk=job.pk).status == Job.Status.DONE)
            # A broker may deliver a message again: send the same job once more by hand.
            Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
            flaky.apply_async(kwargs={"key": "dup", "job_id": str(job.pk)})
            time.sleep(1)
        assert CALLS == ["dup"]

    def test_publish_reports_success_to_a_live_broker(self) -> None:
        with broker(REDIS_URL):
            job = Job.objects.create(task="tests.flaky", kwargs={"key": "live"})
            assert publish(job.pk) is True
            job.refresh_from_db()
            assert job.status == Job.Status.QUEUED
