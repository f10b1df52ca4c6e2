"""Outbound webhooks, end to end, against real receivers on loopback: an event raised in a
request is delivered off it, signed so that the ``standardwebhooks`` library verifies it; a
receiver that fails is retried on the schedule and delivered once; one that hangs is timed out
and retried; private addresses are refused in production; an endpoint failing for a day is
turned off and its creator e-mailed; raising an event costs the request no more with an
endpoint than without."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from standardwebhooks import Webhook, WebhookVerificationError

from integrations.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services.webhooks import deliver_batch, queue_deliveries, queue_due
from onboarding.models import Task
from onboarding.services import set_task_done
from onboarding.signals import task_done_changed
from playbooks.events import events_recorded
from playbooks.models import Event, EventKind
from portal.models import Job
from tests.celery_helpers import REDIS_URL, real_worker
from tests.conftest import World, client_for
from tests.onboarding_helpers import start
from tests.queries import count_queries
from tests.webhooks_helpers import Received, make_endpoint, receiver

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


def verifying(secret_of: Callable[[], str], log: list[Any]) -> Callable[[Received], int]:
    """A receiver's answer as its own code would give it: 204 when the signature verifies,
    400 when it does not."""

    def answer(request: Received) -> int:
        try:
            log.append(Webhook(secret_of()).verify(request.body, request.headers))
        except WebhookVerificationError as error:
            log.append(error)
            return 400
        return 204

    return answer


def an_open_task(world: World) -> Task:
    checklist = start(world)
    return checklist.tasks.filter(completed_at__isnull=True).order_by("pk")[0]


def complete(task: Task, world: World, capture: Any) -> None:
    """Tick the task as the champion would, running what waits for the commit (the jobs run
    in-process without a broker, as in the first look)."""
    with capture(execute=True):
        set_task_done(task, True, acting_user=world.champion)


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True


def test_a_completed_task_reaches_a_receiver_that_verifies_its_signature(
    world: World, loopback: None, django_capture_on_commit_callbacks: Any
) -> None:
    verified: list[Any] = []
    endpoint: list[WebhookEndpoint] = []
    task = an_open_task(world)
    with receiver(verifying(lambda: endpoint[0].secret, verified)) as hook:
        endpoint.append(make_endpoint(world.admin, hook.url, ["task.completed"]))
        complete(task, world, django_capture_on_commit_callbacks)
        requests = hook.wait_for(1)
    assert len(requests) == 1 and len(verified) == 1
    message = verified[0]
    assert not isinstance(message, Exception), message
    assert message["type"] == "task.completed"
    assert message["data"]["account"] == {"id": world.account.pk, "slug": "acme", "name": "Acme"}
    assert message["data"]["task_id"] == task.pk and message["data"]["title"] == task.title
    assert message["data"]["completed_by_id"] == world.champion.pk
    headers = requests[0].headers
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith(
        "v1,"
    )
    assert headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get()
    assert delivery.msg_id == headers["webhook-id"]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.event is not None and delivery.event.kind == EventKind.ONBOARDING_TASK_COMPLETED
    assert [a.status_code for a in WebhookAttempt.objects.all()] == [204]
    endpoint_now = WebhookEndpoint.objects.get()
    assert endpoint_now.last_ok and endpoint_now.last_status_code == 204


def test_a_wrong_secret_fails_verification_so_the_receiver_answers_400(
    world: World, loopback: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The receiver's check is real: a message signed with another secret is refused."""
    verified: list[Any] = []
    other_secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    task = an_open_task(world)
    with receiver(verifying(lambda: other_secret, verified)) as hook:
        make_endpoint(world.admin, hook.url, ["task.completed"])
        complete(task, world, django_capture_on_commit_callbacks)
        hook.wait_for(1)
    assert isinstance(verified[0], WebhookVerificationError)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 400)


def test_an_endpoint_not_subscribed_or_inactive_gets_nothing(
    world: World, loopback: None, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver(lambda request: 200) as hook:
        make_endpoint(world.admin, hook.url, ["review.published"])
        make_endpoint(world.admin, hook.url, ["task.completed"], active=False)
        complete(an_open_task(world), world, django_capture_on_commit_callbacks)
    assert hook.received == []
    assert not WebhookDelivery.objects.exists()


def one_event(world: World, kind: str = EventKind.PERSON_JOINED) -> Event:
    return Event.objects.create(
        account=world.account,
        kind=kind,
        source="membership:999",
        data={"user_id": world.member.pk, "role": "member"},
        occurred_at=NOW,
    )


def test_a_receiver_that_answers_500_then_200_is_retried_and_delivered_once(
    world: World,
    loopback: None,
    time_machine: time_machine.TimeMachineFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    time_machine.move_to(NOW, tick=False)
    answers = iter([500, 200])
    with receiver(lambda request: next(answers)) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined"])
        event = one_event(world)
        with django_capture_on_commit_callbacks(execute=True):
            assert queue_deliveries([event]) == 1  # and its job runs in-process: the 500
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            "pending",
            1,
            500,
        )
        assert delivery.next_attempt_at == NOW + timedelta(seconds=5)
        assert queue_due() == 0 or deliver_batch(endpoint.pk) == 0  # not due yet
        assert len(hook.received) == 1
        time_machine.move_to(NOW + timedelta(seconds=6), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert queue_due() == 1  # the due retry to the endpoint's job (run in-process)
        hook.wait_for(2)
        # Announced again (a second scan reads the same rows): nothing is delivered twice.
        assert queue_deliveries([event]) == 1
        deliver_batch(endpoint.pk)
    first, second = hook.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.msg_id
    assert first.body == second.body
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert sorted(a.status_code or 0 for a in WebhookAttempt.objects.all()) == [200, 500]
    assert len(hook.received) == 2


def test_a_receiver_that_hangs_is_timed_out_and_retried(
    world: World, loopback: None, settings: Any, time_machine: time_machine.TimeMachineFixture
) -> None:
    """The first delivery waits for the timeout; the batch stops there, and the one behind it
    waits for the same retry instead of hanging too."""
    import time

    time_machine.move_to(NOW, tick=True)
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.3
    answers = iter(["hang", 200, 200])

    def answer(request: Received) -> int:
        if next(answers) == "hang":
            time.sleep(1.5)
        return 200

    with receiver(answer) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined", "person.left"])
        joined = one_event(world)
        left = Event.objects.create(
            account=world.account, kind=EventKind.PERSON_LEFT, source="membership:998", data={}
        )
        queue_deliveries([joined, left])
        assert deliver_batch(endpoint.pk) == 0
        first, second = WebhookDelivery.objects.order_by("pk")
        assert first.status == "pending" and first.attempts == 1
        assert first.last_status_code is None
        assert first.last_error == "No answer within 0.3 seconds."
        assert 250 <= (first.last_duration_ms or 0) < 1500
        assert first.next_attempt_at is not None and first.last_attempt_at is not None
        assert first.next_attempt_at - first.last_attempt_at >= timedelta(seconds=4)
        assert second.attempts == 0 and second.next_attempt_at == first.next_attempt_at
        assert len(hook.received) == 1
        time_machine.move_to(first.next_attempt_at + timedelta(seconds=1), tick=True)
        assert deliver_batch(endpoint.pk) == 2
    statuses = [(d.status, d.attempts) for d in WebhookDelivery.objects.order_by("pk")]
    assert statuses == [("delivered", 2), ("delivered", 1)]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://127.0.0.1/hook",
    ],
)
def test_private_and_link_local_addresses_are_refused_in_production(
    world: World, settings: Any, url: str
) -> None:
    """Never a request into the vendor's network: the form refuses the address, and a
    delivery to one (a name that resolves there) fails without connecting."""
    settings.OUTBOUND_ALLOW_PRIVATE = False
    client = client_for(world.admin)
    response = client.post(
        reverse("webhook_new"), {"url": url, "event_types": ["person.joined"], "active": "on"}
    )
    assert response.status_code == 422
    assert "private or reserved" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    endpoint = make_endpoint(world.admin, url, ["person.joined"])  # as if it resolved there later
    queue_deliveries([one_event(world)])
    deliver_batch(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "private or reserved network" in delivery.last_error


def test_http_is_refused_in_production(world: World, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    response = client_for(world.admin).post(
        reverse("webhook_new"),
        {"url": "http://hooks.example.com/x", "event_types": ["person.joined"], "active": "on"},
    )
    assert response.status_code == 422
    assert "The URL must start with https://." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_failing_for_a_day_is_turned_off_and_its_creator_told(
    world: World,
    loopback: None,
    time_machine: time_machine.TimeMachineFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    time_machine.move_to(NOW, tick=False)
    with receiver(lambda request: 503) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined", "person.left"])
        queue_deliveries([one_event(world)])
        deliver_batch(endpoint.pk)
        assert WebhookEndpoint.objects.get().failing_since == NOW
        time_machine.move_to(NOW + timedelta(hours=23), tick=False)
        left = Event.objects.create(
            account=world.account, kind=EventKind.PERSON_LEFT, source="membership:1", data={}
        )
        queue_deliveries([left])
        deliver_batch(endpoint.pk)
        assert WebhookEndpoint.objects.get().active  # failing, but not for a day yet
        assert mail.outbox == []
        time_machine.move_to(NOW + timedelta(hours=24, minutes=1), tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            deliver_batch(endpoint.pk)  # the first delivery's retry, due since NOW + 2h 35m
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.active and endpoint.disabled_at == NOW + timedelta(hours=24, minutes=1)
    assert "Every delivery failed for 24 hours" in endpoint.disabled_reason
    assert "503" in endpoint.disabled_reason
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.admin.email]
    assert endpoint.url in message.subject
    assert reverse("webhook_detail", args=[endpoint.pk]) in message.body
    # And in their inbox, linking to the endpoint's page.
    (item,) = world.admin.inbox.all()
    assert item.url == reverse("webhook_detail", args=[endpoint.pk]) and item.read_at is None
    assert endpoint.url in item.title
    # Turned off: the beat hands it nothing more.
    assert queue_due(NOW + timedelta(days=3)) == 0


def test_a_success_ends_the_failure_streak(
    world: World, loopback: None, time_machine: time_machine.TimeMachineFixture
) -> None:
    time_machine.move_to(NOW, tick=False)
    answers = iter([500, 200])
    with receiver(lambda request: next(answers)) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined"])
        queue_deliveries([one_event(world)])
        deliver_batch(endpoint.pk)
        time_machine.move_to(NOW + timedelta(minutes=1), tick=False)
        deliver_batch(endpoint.pk)
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.failing_since is None and endpoint.active and endpoint.last_ok


def test_retries_follow_the_schedule_then_the_delivery_has_failed(
    world: World, loopback: None, time_machine: time_machine.TimeMachineFixture
) -> None:
    from integrations.models import RETRY_SCHEDULE

    time_machine.move_to(NOW, tick=False)
    with receiver(lambda request: 500) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined"])
        queue_deliveries([one_event(world)])
        waits = []
        moment = NOW
        for _ in range(len(RETRY_SCHEDULE) + 1):
            # Keep the endpoint on: each attempt here comes from a fresh streak.
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            deliver_batch(endpoint.pk)
            delivery = WebhookDelivery.objects.get()
            if delivery.next_attempt_at is None:
                break
            waits.append(delivery.next_attempt_at - moment)
            moment = delivery.next_attempt_at
            time_machine.move_to(moment, tick=False)
    assert waits == RETRY_SCHEDULE
    assert (delivery.status, delivery.attempts) == ("failed", len(RETRY_SCHEDULE) + 1)
    assert len(hook.received) == 8
    assert sum(RETRY_SCHEDULE, timedelta()) > timedelta(hours=24)


# What raising an event costs the request ----------------------------------------------------


def test_completing_a_task_costs_the_request_one_query_with_or_without_an_endpoint(
    world: World,
) -> None:
    """The request pays for the event's job row and nothing for the webhooks: finding the
    endpoints and signing happen in jobs after the commit."""
    task = an_open_task(world)
    client = client_for(world.csm)
    url = reverse("onboarding_task_done", args=[world.account.slug, task.pk])

    def tick() -> int:
        queries = count_queries(lambda: client.post(url, {"done": "1"}))
        Task.objects.filter(pk=task.pk).update(completed_at=None, completed_by=None)
        return queries

    tick()  # warm the session and caches
    saved = task_done_changed.receivers[:]
    task_done_changed.receivers = []
    task_done_changed.sender_receivers_cache.clear()
    try:
        silent = tick()
    finally:
        task_done_changed.receivers = saved
        task_done_changed.sender_receivers_cache.clear()
    without_endpoint = tick()
    make_endpoint(world.admin, event_types=["task.completed"])
    make_endpoint(world.admin, event_types=["task.completed", "person.left"])
    with_endpoints = tick()
    assert without_endpoint == silent + 1
    assert with_endpoints == without_endpoint
    raised = Job.objects.filter(
        task="playbooks.record_event", kwargs__kind=EventKind.ONBOARDING_TASK_COMPLETED
    )
    assert raised.count() == 3  # the first tick, without and with endpoints


def test_the_receiver_runs_in_the_job_not_in_the_request(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """events_recorded is sent after the job's commit; a request's own commit sends none."""
    heard: list[Any] = []

    def listen(sender: Any, events: list[Any], **kwargs: Any) -> None:
        heard.append(events)

    events_recorded.connect(listen, dispatch_uid="test.heard")
    try:
        task = an_open_task(world)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            set_task_done(task, True, acting_user=world.champion)
        assert heard == []  # the request committed; the job has not run yet
        with django_capture_on_commit_callbacks(execute=True):
            for callback in callbacks:
                callback()  # publishing the job runs it here (no broker)
    finally:
        events_recorded.disconnect(dispatch_uid="test.heard")
    kinds = [e.kind for batch in heard for e in batch]
    assert EventKind.ONBOARDING_TASK_COMPLETED in kinds


# A real worker ---------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_an_event_raised_in_a_request(world: World, settings: Any) -> None:
    from tests.test_jobs import wait_for

    settings.OUTBOUND_ALLOW_PRIVATE = True
    verified: list[Any] = []
    secret: list[str] = []
    with receiver(verifying(lambda: secret[0], verified)) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined"])
        secret.append(endpoint.secret)
        with real_worker():
            from tests.factories import MembershipFactory

            with transaction.atomic():
                joined = MembershipFactory.create(account=world.account, role="member")
            wait_for(
                lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists(),
                30,
            )
    assert len(verified) == 1 and not isinstance(verified[0], Exception)
    assert verified[0]["type"] == "person.joined"
    assert verified[0]["data"]["user_id"] == joined.user_id
    assert Job.objects.get(task="integrations.deliver_webhooks").status == Job.Status.DONE
    assert json.loads(WebhookDelivery.objects.get().payload) == verified[0]


def test_without_a_broker_one_job_sends_batch_after_batch(
    world: World, loopback: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The first look runs jobs in-process: 250 events go out in one job's three batches,
    not in jobs nested in jobs."""
    events = Event.objects.bulk_create(
        [
            Event(account=world.account, kind=EventKind.PERSON_JOINED, source=f"m:{n}", data={})
            for n in range(250)
        ]
    )
    with receiver(lambda request: 204) as hook:
        make_endpoint(world.admin, hook.url, ["person.joined"])
        with django_capture_on_commit_callbacks(execute=True):
            assert queue_deliveries(events) == 250
        hook.wait_for(250)
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 250
    assert Job.objects.filter(task="integrations.deliver_webhooks").count() == 1
    assert len({r.headers["webhook-id"] for r in hook.received}) == 250
