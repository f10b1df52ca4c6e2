"""The events webhooks carry: each raised from its app's save in one job row with no query of
its own, recorded once, mapped to a stable dotted type whose payload matches its published
JSON schema; and the daily scan looks for a scanned kind an active endpoint subscribes to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema_rs
import pytest
import time_machine

from accounts.models import Membership
from accounts.services import remove_membership
from integrations.models import WebhookDelivery
from integrations.services.webhooks import queue_deliveries
from integrations.webhook_events import BY_KIND, BY_NAME, EVENT_TYPES, SPECIFIC, payload_for
from onboarding.services import set_task_done
from playbooks.models import Event, EventKind
from playbooks.services.scan import scanned_settings
from portal.models import Job
from reports.models import Review
from reports.services import publish_review
from successplans.models import Milestone, MilestoneStatus
from successplans.services import update_item
from surveys.models import FollowUp, Kind
from surveys.services import record_response, update_follow_up
from tests.conftest import World
from tests.factories import MembershipFactory
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.queries import count_queries
from tests.survey_helpers import deliver, make_campaign, make_survey
from tests.webhooks_helpers import make_endpoint

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def record_what_was_raised(capture: Any, action: Callable[[], Any]) -> list[Event]:
    """Run ``action``, then its jobs (in-process, no broker); the events recorded."""
    before = set(Event.objects.values_list("pk", flat=True))
    with capture(execute=True):
        action()
    return list(Event.objects.exclude(pk__in=before).order_by("pk"))


def jobs_of(action: Callable[[], Any]) -> tuple[int, int]:
    """(job rows, queries) the action adds, the jobs not run."""
    before = Job.objects.count()
    queries = count_queries(action)
    return Job.objects.count() - before, queries


def test_every_kind_but_the_schedule_has_one_stable_type() -> None:
    names = [t.name for t in EVENT_TYPES]
    assert len(names) == len(set(names))
    assert set(BY_KIND) == {k.value for k in EventKind} - {EventKind.SCHEDULE}
    assert {t.name for t in SPECIFIC} == {
        "task.completed",
        "task.overdue",
        "milestone.done",
        "milestone.missed",
        "plan.health_changed",
        "survey.answered",
        "followup.resolved",
        "health.band_changed",
        "review.published",
        "person.joined",
        "person.left",
    }
    assert BY_KIND[EventKind.NPS_DETRACTOR].name == "signal.nps_detractor"
    for event_type in EVENT_TYPES:
        jsonschema_rs.meta.validate(event_type.schema())


def assert_matches_its_schema(event: Event) -> dict[str, Any]:
    import json

    made = payload_for(event, event.account)
    assert made is not None
    type_name, body = made
    message = json.loads(body)
    jsonschema_rs.validator_for(BY_NAME[type_name].schema()).validate(message)
    return message


def test_an_onboarding_task_completed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    task = start(world).tasks.filter(completed_at__isnull=True).order_by("pk")[0]
    rows, _ = jobs_of(lambda: set_task_done(task, True, acting_user=world.csm))
    assert rows == 1
    Event.objects.all().delete()
    set_task_done(task, False, acting_user=world.csm)
    [event] = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: set_task_done(task, True, acting_user=world.csm),
    )
    assert event.kind == EventKind.ONBOARDING_TASK_COMPLETED
    message = assert_matches_its_schema(event)
    assert message["type"] == "task.completed"
    assert (
        message["data"]["task_id"] == task.pk and message["data"]["completed_by_id"] == world.csm.pk
    )


def test_a_person_joined_and_left(world: World, django_capture_on_commit_callbacks: Any) -> None:
    [joined] = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: MembershipFactory.create(account=world.account, role="member"),
    )
    assert joined.kind == EventKind.PERSON_JOINED
    assert assert_matches_its_schema(joined)["data"]["role"] == "member"
    champion = Membership.objects.get(user=world.champion)
    rows, _ = jobs_of(lambda: remove_membership(champion, acting_user=world.csm))
    assert rows == 1  # the person left and the champion left: one job row
    champion = MembershipFactory.create(account=world.account, role="champion")
    left = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: remove_membership(champion, acting_user=world.csm),
    )
    assert {e.kind for e in left} == {EventKind.CHAMPION_LEFT, EventKind.PERSON_LEFT}
    person_left = next(e for e in left if e.kind == EventKind.PERSON_LEFT)
    assert assert_matches_its_schema(person_left)["data"]["how"] == "removed"


def test_an_account_deleted_raises_no_one_left(world: World) -> None:
    rows, _ = jobs_of(lambda: world.other_account.delete())
    assert Job.objects.filter(task="playbooks.record_events").count() == 0
    assert rows == 0


def test_a_survey_answer_any_score_with_its_band_event_in_one_job(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    events = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: record_response(delivery, 3, channel="portal"),
    )
    assert {e.kind for e in events} >= {EventKind.SURVEY_ANSWERED, EventKind.NPS_DETRACTOR}
    answered = next(e for e in events if e.kind == EventKind.SURVEY_ANSWERED)
    message = assert_matches_its_schema(answered)
    assert message["data"]["score"] == 3 and message["data"]["band"] == "negative"


def test_a_follow_up_resolved(world: World, django_capture_on_commit_callbacks: Any) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        record_response(delivery, 2, channel="portal")
    follow_up = FollowUp.objects.get()
    [event] = [
        e
        for e in record_what_was_raised(
            django_capture_on_commit_callbacks,
            lambda: update_follow_up(
                follow_up,
                status=FollowUp.Status.RESOLVED,
                notes="Called them",
                customer_note="We fixed exports.",
                acting_user=world.csm,
            ),
        )
        if e.kind == EventKind.FOLLOW_UP_RESOLVED
    ]
    message = assert_matches_its_schema(event)
    assert message["data"]["customer_note"] == "We fixed exports."
    assert message["data"]["resolved_by_id"] == world.csm.pk


def test_a_milestone_done(world: World, django_capture_on_commit_callbacks: Any) -> None:
    plan = make_plan(world)
    milestone = Milestone.objects.filter(plan=plan).first()
    assert milestone is not None
    events = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: update_item(
            "milestone",
            milestone.pk,
            fields={"status": MilestoneStatus.DONE},
            version=milestone.version,
            acting_user=world.csm,
        ),
    )
    [done] = [e for e in events if e.kind == EventKind.MILESTONE_DONE]
    message = assert_matches_its_schema(done)
    assert message["data"]["milestone_id"] == milestone.pk and message["data"]["plan"] == plan.name


def test_a_review_published(world: World, django_capture_on_commit_callbacks: Any) -> None:
    review = Review.objects.create(
        account=world.account,
        title="Q4 review",
        period_start=NOW.date() - timedelta(days=90),
        period_end=NOW.date(),
        created_by=world.csm,
    )
    events = record_what_was_raised(
        django_capture_on_commit_callbacks,
        lambda: publish_review(review, acting_user=world.csm),
    )
    [published] = [e for e in events if e.kind == EventKind.REVIEW_PUBLISHED]
    message = assert_matches_its_schema(published)
    assert message["data"]["title"] == "Q4 review" and message["data"]["kind"] == "qbr"


def test_an_event_announced_twice_is_delivered_once(world: World) -> None:
    endpoint = make_endpoint(world.admin, event_types=["person.joined"])
    event = Event.objects.create(
        account=world.account, kind=EventKind.PERSON_JOINED, source="membership:1", data={}
    )
    assert queue_deliveries([event]) == 1
    queue_deliveries([event])
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1


def test_the_scan_looks_for_a_scanned_kind_an_active_endpoint_subscribes_to(world: World) -> None:
    def scanned() -> dict[str, dict[str, Any]]:
        return dict(scanned_settings())

    assert EventKind.ONBOARDING_TASK_OVERDUE not in scanned()
    make_endpoint(world.admin, event_types=["task.overdue"], active=False)
    assert EventKind.ONBOARDING_TASK_OVERDUE not in scanned()
    make_endpoint(world.admin, event_types=["task.overdue", "milestone.missed", "task.completed"])
    found = scanned()
    assert found[EventKind.ONBOARDING_TASK_OVERDUE] == {"days": 7}  # the trigger's default
    assert found[EventKind.MILESTONE_MISSED] == {}
    assert EventKind.ONBOARDING_TASK_COMPLETED not in found  # raised, not scanned
