"""The scanned signals: each detector on realistic data (meets, does not, the boundary), their
sources (one event per occurrence), their query counts, the batch figures they read agreeing
with the one-account figures, and the daily scan end to end."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from accounts.figures import days_dark, last_seen_days
from accounts.models import Account, Activity, Stage
from insights.figures.health import latest_score, latest_scores
from insights.figures.usage import (
    latest_activity,
    latest_activity_by_account,
    seat_use_percent,
    seat_use_reached,
)
from insights.models import AccountFacts, FeatureUsageDay, HealthScore, UsageDay
from onboarding.models import Checklist, ChecklistPhase, Task
from playbooks.detectors import Candidate, load
from playbooks.models import CSMTask, Event, EventKind, Playbook, PlaybookRun
from playbooks.services.scan import ALSO_WANTED, scan
from playbooks.tasks import scan as scan_task
from playbooks.triggers import TRIGGERS
from successplans.figures import overdue_milestones
from successplans.models import Milestone, MilestoneStatus, SuccessPlan
from surveys.models import FollowUp, Kind, Response
from tests.conftest import World
from tests.factories import AccountFactory, PlaybookStepFactory, PortalVisitFactory, UserFactory
from tests.queries import assert_same_queries, count_queries, counting
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)  # a Monday
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def detect(kind: str, now: datetime = NOW, **params: Any) -> list[Candidate]:
    return list(load()[kind](params, now))


def found(kind: str, now: datetime = NOW, **params: Any) -> dict[int, Candidate]:
    candidates = detect(kind, now, **params)
    assert len({c.source for c in candidates}) == len(candidates), "sources must be unique"
    return {c.account_id: c for c in candidates}


def test_every_scanned_signal_has_a_detector() -> None:
    scanned = {kind for kind, trigger in TRIGGERS.items() if trigger.scanned}
    assert set(load()) == scanned


def test_an_event_carries_the_settings_its_playbook_accepts(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(renewal_date=ago(-30))
    [candidate] = detect(EventKind.RENEWAL_DUE, days=30)
    trigger = TRIGGERS[EventKind.RENEWAL_DUE]
    assert candidate.data["params"] == {"days": 30}
    assert trigger.accepts({"days": 30}, candidate.data)
    assert not trigger.accepts({"days": 90}, candidate.data)


# Renewal, log-ins, schedule ----------------------------------------------------------------


def renewing(account: Account, in_days: int) -> None:
    Account.objects.filter(pk=account.pk).update(renewal_date=ago(-in_days))


def test_renewal_due_finds_renewals_within_the_days(world: World) -> None:
    renewing(world.account, 30)
    renewing(world.other_account, 31)
    hits = found(EventKind.RENEWAL_DUE, days=30)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"renewal:{world.account.pk}:2026-12-16:30"
    assert hits[world.account.pk].data == {
        "params": {"days": 30},
        "renewal_date": "2026-12-16",
        "days_left": 30,
    }


def test_renewal_due_counts_today_but_not_a_date_passed_or_a_churned_account(
    world: World,
) -> None:
    renewing(world.account, 0)
    renewing(world.other_account, -1)
    churned = AccountFactory.create(stage=Stage.CHURNED, renewal_date=ago(-5))
    hits = found(EventKind.RENEWAL_DUE, days=30)
    assert list(hits) == [world.account.pk]
    assert churned.pk not in hits


def test_renewal_due_is_the_same_occurrence_day_after_day(world: World) -> None:
    renewing(world.account, 30)
    [first] = detect(EventKind.RENEWAL_DUE, days=30)
    [later] = detect(EventKind.RENEWAL_DUE, NOW + timedelta(days=5), days=30)
    assert first.source == later.source and later.data["days_left"] == 25


def visited(account: Account, day: date) -> None:
    PortalVisitFactory.create(account=account, day=day, last_seen_at=at(day), logins=1)


def test_no_login_finds_accounts_dark_for_the_days(world: World) -> None:
    visited(world.account, ago(45))
    visited(world.account, ago(30))
    visited(world.other_account, ago(29))
    hits = found(EventKind.NO_LOGIN, days=30)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"dark:{world.account.pk}:{ago(30)}:30"
    assert hits[world.account.pk].data["days_dark"] == 30
    assert hits[world.account.pk].data["last_login"] == ago(30).isoformat()


def test_no_login_counts_an_account_nobody_opened_from_its_creation(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(created_at=at(ago(30)))
    Account.objects.filter(pk=world.other_account.pk).update(created_at=at(ago(29)))
    hits = found(EventKind.NO_LOGIN, days=30)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"dark:{world.account.pk}:never:30"
    assert hits[world.account.pk].data["last_login"] is None


def test_a_log_in_ends_the_dark_stretch_and_the_next_is_a_new_occurrence(world: World) -> None:
    visited(world.account, ago(40))
    [first] = detect(EventKind.NO_LOGIN, days=30)
    visited(world.account, ago(0))
    assert detect(EventKind.NO_LOGIN, days=30) == []
    again = found(EventKind.NO_LOGIN, NOW + timedelta(days=30), days=30)[world.account.pk]
    assert again.source == f"dark:{world.account.pk}:{TODAY}:30" != first.source


def test_schedule_fires_for_every_live_account_on_its_weekday_only(world: World) -> None:
    AccountFactory.create(stage=Stage.CHURNED)
    hits = found(EventKind.SCHEDULE, weekday="0")
    assert set(hits) == {world.account.pk, world.other_account.pk}
    assert hits[world.account.pk].source == f"schedule:{world.account.pk}:2026-11-16"
    assert detect(EventKind.SCHEDULE, weekday="1") == []
    assert found(EventKind.SCHEDULE, NOW + timedelta(days=1), weekday="1")


# Onboarding --------------------------------------------------------------------------------


def onboarding(account: Account, started: date, kickoff: date | None = None) -> Checklist:
    assert account.owner is not None
    checklist = Checklist.objects.create(
        account=account, kickoff_date=kickoff or started, started_by=account.owner
    )
    Checklist.objects.filter(pk=checklist.pk).update(started_at=at(started))
    checklist.refresh_from_db()
    ChecklistPhase.objects.create(checklist=checklist, name="Set-up")
    return checklist


def task(checklist: Checklist, title: str, due: date, **fields: Any) -> Task:
    return Task.objects.create(
        checklist=checklist,
        phase=checklist.phases.all()[0],
        title=title,
        due_date=due,
        **fields,
    )


def test_onboarding_stalled_counts_from_the_customers_last_activity(world: World) -> None:
    onboarding(world.account, started=ago(40))
    Activity.objects.create(
        account=world.account, actor=world.champion, verb="completed a task", created_at=at(ago(14))
    )
    onboarding(world.other_account, started=ago(40))
    Activity.objects.create(
        account=world.other_account,
        actor=world.other_champion,
        verb="completed a task",
        created_at=at(ago(13)),
    )
    # The CSM's own activity is not the customer's.
    Activity.objects.create(account=world.account, actor=world.csm, verb="edited", created_at=NOW)
    hits = found(EventKind.ONBOARDING_STALLED, days=14)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"stalled:{world.account.pk}:{ago(14)}:14"
    assert hits[world.account.pk].data["idle_days"] == 14


def test_onboarding_stalled_skips_finished_and_not_yet_kicked_off(world: World) -> None:
    done = onboarding(world.account, started=ago(40))
    Checklist.objects.filter(pk=done.pk).update(completed_at=NOW)
    onboarding(world.other_account, started=ago(40), kickoff=ago(-1))
    assert detect(EventKind.ONBOARDING_STALLED, days=14) == []


def test_onboarding_task_overdue_names_required_shared_tasks_late_by_the_days(
    world: World,
) -> None:
    checklist = onboarding(world.account, started=ago(30))
    task(checklist, "Connect your data", ago(9))
    task(checklist, "Invite your team", ago(7))
    task(checklist, "Six days late", ago(6))
    task(checklist, "Optional", ago(20), required=False)
    task(checklist, "Internal", ago(20), internal=True)
    task(checklist, "Done", ago(20), completed_at=NOW)
    hits = found(EventKind.ONBOARDING_TASK_OVERDUE, days=7)
    candidate = hits[world.account.pk]
    assert candidate.source == f"task_overdue:{world.account.pk}:{ago(7)}:7"
    assert candidate.data["overdue_tasks"] == 2
    assert candidate.data["days_overdue"] == 9
    assert [t["title"] for t in candidate.data["tasks"]] == [
        "Connect your data",
        "Invite your team",
    ]


def test_a_task_newly_late_is_a_new_occurrence_a_task_done_is_not(world: World) -> None:
    checklist = onboarding(world.account, started=ago(30))
    task(checklist, "First", ago(8))
    second = task(checklist, "Second", ago(6))
    [before] = detect(EventKind.ONBOARDING_TASK_OVERDUE, days=7)
    [after] = detect(EventKind.ONBOARDING_TASK_OVERDUE, NOW + timedelta(days=1), days=7)
    assert after.source != before.source and after.data["overdue_tasks"] == 2
    Task.objects.filter(pk=second.pk).update(completed_at=NOW)
    [done] = detect(EventKind.ONBOARDING_TASK_OVERDUE, NOW + timedelta(days=1), days=7)
    assert done.source == before.source


# Plans and surveys ---------------------------------------------------------------------------


def plan_of(account: Account) -> SuccessPlan:
    assert account.owner is not None
    return SuccessPlan.objects.create(
        account=account, name="FY27", starts_on=ago(60), ends_on=ago(-60), created_by=account.owner
    )


def test_milestone_missed_finds_shared_milestones_past_due_or_marked_missed(
    world: World,
) -> None:
    plan = plan_of(world.account)
    late = Milestone.objects.create(plan=plan, title="Data connected", target_date=ago(1))
    marked = Milestone.objects.create(
        plan=plan, title="Go-live", target_date=ago(-10), status=MilestoneStatus.MISSED
    )
    Milestone.objects.create(plan=plan, title="Due today", target_date=TODAY)
    Milestone.objects.create(
        plan=plan, title="Done", target_date=ago(5), status=MilestoneStatus.DONE
    )
    Milestone.objects.create(plan=plan, title="Internal", target_date=ago(5), internal=True)
    candidates = detect(EventKind.MILESTONE_MISSED)
    assert [c.source for c in candidates] == [
        f"milestone:{late.pk}:{ago(1)}",
        f"milestone:{marked.pk}:{ago(-10)}",
    ]
    assert candidates[0].data["milestone"] == "Data connected"
    assert candidates[0].data["params"] == {}


def test_overdue_milestones_in_sql_agree_with_is_overdue(world: World) -> None:
    plan = plan_of(world.account)
    for status in MilestoneStatus.values:
        for offset in (-1, 0, 1):
            Milestone.objects.create(
                plan=plan, title=status, target_date=ago(offset), status=status
            )
    in_sql = set(Milestone.objects.filter(overdue_milestones(TODAY)).values_list("pk", flat=True))
    in_python = {m.pk for m in Milestone.objects.all() if m.is_overdue(TODAY)}
    assert in_sql == in_python and in_sql


def follow_up(account: Account, user: Any, opened: datetime, **fields: Any) -> FollowUp:
    assert account.owner is not None
    campaign = make_campaign(make_survey(account.owner), account.owner)
    delivery = deliver(campaign, user, account=account)
    response = Response.objects.create(
        delivery=delivery, campaign=campaign, account=account, user=user, kind=Kind.NPS, score=3
    )
    return FollowUp.objects.create(
        response=response, account=account, csm=account.owner, created_at=opened, **fields
    )


def test_follow_up_unresolved_after_the_days(world: World) -> None:
    item = follow_up(world.account, world.champion, at(ago(7), hour=23))
    follow_up(world.other_account, world.other_champion, at(ago(6), hour=0))
    follow_up(world.account, world.executive, at(ago(20)), status=FollowUp.Status.RESOLVED)
    contacted = follow_up(world.account, world.member, at(ago(9)), status=FollowUp.Status.CONTACTED)
    candidates = detect(EventKind.FOLLOW_UP_UNRESOLVED, days=7)
    assert [c.source for c in candidates] == [
        f"follow_up:{contacted.pk}:7",
        f"follow_up:{item.pk}:7",
    ]
    data = candidates[1].data
    assert (data["days_open"], data["score"], data["user_id"]) == (7, 3, world.champion.pk)


# Health --------------------------------------------------------------------------------------


def scored(account: Account, day: date, score: int, **parts: int) -> HealthScore:
    return HealthScore.objects.create(
        account=account,
        day=day,
        score=score,
        band="healthy" if score >= 70 else "at_risk",
        parts={
            name: {"score": s, "weight": 10, "why": f"{name} is {s}"} for name, s in parts.items()
        },
    )


def test_health_dropped_compares_with_seven_days_before(world: World) -> None:
    scored(world.account, ago(7), 80)
    scored(world.account, TODAY, 65)
    scored(world.other_account, ago(7), 80)
    scored(world.other_account, TODAY, 66)
    hits = found(EventKind.HEALTH_DROPPED, points=15)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"health_drop:{world.account.pk}:{TODAY}:15"
    assert hits[world.account.pk].data["fallen"] == 15


def test_a_fall_that_lasts_days_is_one_occurrence(world: World) -> None:
    for offset in range(-1, 15):
        scored(world.account, ago(offset), 80 if offset > 2 else 60)
    # Fallen since day -2 (60 against day -9's 80), still today and tomorrow.
    [today] = detect(EventKind.HEALTH_DROPPED, points=15)
    assert today.source == f"health_drop:{world.account.pk}:{ago(2)}:15"
    [tomorrow] = detect(EventKind.HEALTH_DROPPED, NOW + timedelta(days=1), points=15)
    assert tomorrow.source == today.source
    # A week on, 60 against 60: the fall is over.
    for offset in range(-5, -1):
        scored(world.account, ago(offset), 60)
    assert detect(EventKind.HEALTH_DROPPED, NOW + timedelta(days=5), points=15) == []


def test_health_part_low_below_the_threshold(world: World) -> None:
    scored(world.account, ago(3), 70, usage=60)
    scored(world.account, ago(2), 60, usage=35)
    scored(world.account, TODAY, 60, usage=39, sentiment=10)
    scored(world.other_account, TODAY, 60, usage=40)
    hits = found(EventKind.HEALTH_PART_LOW, part="usage", below=40)
    assert list(hits) == [world.account.pk]
    candidate = hits[world.account.pk]
    assert candidate.source == f"part_low:{world.account.pk}:usage:40:{ago(3)}"
    assert candidate.data["part_score"] == 39 and candidate.data["why"] == "usage is 39"
    # A part with no data that day is not low.
    assert found(EventKind.HEALTH_PART_LOW, part="pulse", below=40) == {}


def test_a_part_that_recovers_and_falls_again_is_a_new_occurrence(world: World) -> None:
    scored(world.account, TODAY, 60, usage=20)
    [first] = detect(EventKind.HEALTH_PART_LOW, part="usage", below=40)
    assert first.source.endswith(":first")
    scored(world.account, ago(-1), 70, usage=50)
    scored(world.account, ago(-2), 60, usage=20)
    [again] = detect(EventKind.HEALTH_PART_LOW, NOW + timedelta(days=2), part="usage", below=40)
    assert again.source == f"part_low:{world.account.pk}:usage:40:{ago(-1)}"


def test_latest_scores_agree_with_latest_score(world: World) -> None:
    scored(world.account, ago(3), 70)
    scored(world.account, ago(1), 50)
    scored(world.account, ago(-1), 90)  # tomorrow's, not yet
    batch = latest_scores(Account.objects.all(), TODAY)
    assert batch[world.account.pk] == latest_score(world.account, TODAY)
    assert world.other_account.pk not in batch and latest_score(world.other_account) is None


# Usage ---------------------------------------------------------------------------------------


def rolled_up(account: Account, day: date, *, wau: int = 10, mau: int = 10) -> UsageDay:
    return UsageDay.objects.create(
        account=account,
        day=day,
        active_users=min(wau, 5),
        weekly_active_users=wau,
        monthly_active_users=mau,
        events=100,
    )


def seats(account: Account, bought: int) -> None:
    AccountFacts.objects.update_or_create(account=account, defaults={"licensed_seats": bought})


def test_usage_dropped_week_on_week(world: World) -> None:
    rolled_up(world.account, ago(7), wau=100)
    rolled_up(world.account, TODAY, wau=75)
    rolled_up(world.other_account, ago(7), wau=100)
    rolled_up(world.other_account, TODAY, wau=76)
    hits = found(EventKind.USAGE_DROPPED, percent=25)
    assert list(hits) == [world.account.pk]
    assert hits[world.account.pk].source == f"usage_drop:{world.account.pk}:{TODAY}:25"
    assert hits[world.account.pk].data["percent_down"] == 25
    # Nothing to compare with: no drop.
    UsageDay.objects.filter(day=ago(7)).delete()
    assert detect(EventKind.USAGE_DROPPED, percent=25) == []


def test_feature_unused_for_the_days(world: World) -> None:
    for account, feature, last in [
        (world.account, "reports", ago(30)),
        (world.account, "alerts", ago(29)),
        (world.other_account, "reports", ago(45)),
    ]:
        FeatureUsageDay.objects.create(
            account=account, day=last, feature=feature, monthly_users=3, events=12
        )
        # A roll-up after the last use: users in the window, no events that day.
        FeatureUsageDay.objects.create(
            account=account,
            day=last + timedelta(days=1),
            feature=feature,
            monthly_users=3,
            events=0,
        )
    candidates = detect(EventKind.FEATURE_UNUSED, feature="", days=30)
    assert [c.source for c in candidates] == [
        f"feature_unused:{world.account.pk}:reports:{ago(30)}:*:30",
        f"feature_unused:{world.other_account.pk}:reports:{ago(45)}:*:30",
    ]
    assert candidates[0].data["days_unused"] == 30
    only = detect(EventKind.FEATURE_UNUSED, feature="Alerts", days=20)
    assert [(c.account_id, c.data["feature"]) for c in only] == [(world.account.pk, "alerts")]


def test_seats_nearly_full_at_the_percent_of_seats_bought(world: World) -> None:
    seats(world.account, 200)
    rolled_up(world.account, ago(1), mau=170)
    rolled_up(world.account, TODAY, mau=179)  # 89.5%: printed 90%
    seats(world.other_account, 100)
    rolled_up(world.other_account, TODAY, mau=89)
    hits = found(EventKind.SEATS_NEARLY_FULL, percent=90)
    assert list(hits) == [world.account.pk]
    candidate = hits[world.account.pk]
    assert candidate.source == f"seats:{world.account.pk}:90:{ago(1)}"
    assert (candidate.data["percent"], candidate.data["seats_used"]) == (90, 179)
    assert candidate.data["seats_bought"] == 200


def test_seats_unknown_are_never_full(world: World) -> None:
    rolled_up(world.account, TODAY, mau=500)
    assert detect(EventKind.SEATS_NEARLY_FULL, percent=90) == []


def test_seat_use_reached_agrees_with_seat_use_percent(world: World) -> None:
    seats(world.account, 200)
    for offset, mau in enumerate(range(170, 190)):
        rolled_up(world.account, ago(offset), mau=mau)
    activity = {ago(o): latest_activity(world.account, ago(o)) for o in range(20)}
    for percent in (85, 89, 90, 91, 94):
        below = [d for d, a in activity.items() if a and (seat_use_percent(a) or 0) < percent]
        expected = max(below) if below else None
        assert seat_use_reached(Account.objects.all(), percent).get(world.account.pk) == expected


def test_the_batch_usage_and_engagement_figures_agree_with_one_account(world: World) -> None:
    seats(world.account, 50)
    rolled_up(world.account, ago(1), mau=20)
    rolled_up(world.account, TODAY, mau=25)
    rolled_up(world.other_account, ago(3), mau=5)  # too old: no latest activity
    batch = latest_activity_by_account(Account.objects.all(), TODAY)
    assert batch == {world.account.pk: latest_activity(world.account, TODAY)}
    assert latest_activity(world.other_account, TODAY) is None
    visited(world.account, ago(4))
    visited(world.account, ago(2))
    last = last_seen_days(Account.objects.all())
    assert (TODAY - last[world.account.pk]).days == days_dark(world.account, TODAY) == 2
    assert world.other_account.pk not in last and days_dark(world.other_account) is None


# Query counts --------------------------------------------------------------------------------

# Per kind: the settings, and a function giving one account data that meets them.
Maker = Callable[[Account], None]


def _stalled(account: Account) -> None:
    onboarding(account, started=ago(30))


def _task_late(account: Account) -> None:
    checklist = onboarding(account, started=ago(30))
    task(checklist, "One", ago(8))
    task(checklist, "Two", ago(9))


def _milestone(account: Account) -> None:
    plan = plan_of(account)
    Milestone.objects.create(plan=plan, title="Late", target_date=ago(3))
    Milestone.objects.create(plan=plan, title="Later", target_date=ago(2))


def _follow_up(account: Account) -> None:
    follow_up(account, UserFactory.create(), at(ago(10)))


def _fell(account: Account) -> None:
    scored(account, ago(7), 90, usage=90)
    scored(account, TODAY, 50, usage=10)


def _usage_fell(account: Account) -> None:
    rolled_up(account, ago(7), wau=40)
    rolled_up(account, TODAY, wau=10)


def _feature(account: Account) -> None:
    FeatureUsageDay.objects.create(
        account=account, day=ago(40), feature="x", monthly_users=1, events=1
    )


def _full(account: Account) -> None:
    seats(account, 10)
    rolled_up(account, ago(1), mau=5)
    rolled_up(account, TODAY, mau=10)


MAKERS: dict[str, tuple[dict[str, Any], Maker]] = {
    EventKind.RENEWAL_DUE: ({"days": 90}, lambda a: renewing(a, 20)),
    EventKind.NO_LOGIN: ({"days": 30}, lambda a: visited(a, ago(40))),
    EventKind.SCHEDULE: ({"weekday": "0"}, lambda a: None),
    EventKind.ONBOARDING_STALLED: ({"days": 14}, _stalled),
    EventKind.ONBOARDING_TASK_OVERDUE: ({"days": 7}, _task_late),
    EventKind.MILESTONE_MISSED: ({}, _milestone),
    EventKind.FOLLOW_UP_UNRESOLVED: ({"days": 7}, _follow_up),
    EventKind.HEALTH_DROPPED: ({"points": 15}, _fell),
    EventKind.HEALTH_PART_LOW: ({"part": "usage", "below": 40}, _fell),
    EventKind.USAGE_DROPPED: ({"percent": 25}, _usage_fell),
    EventKind.FEATURE_UNUSED: ({"feature": "", "days": 30}, _feature),
    EventKind.SEATS_NEARLY_FULL: ({"percent": 90}, _full),
}

# Measured, and printed in the report: queries per detector, whatever the number of accounts.
EXPECTED_QUERIES: dict[str, int] = {
    EventKind.RENEWAL_DUE: 1,
    EventKind.NO_LOGIN: 2,
    EventKind.SCHEDULE: 1,
    EventKind.ONBOARDING_STALLED: 1,
    EventKind.ONBOARDING_TASK_OVERDUE: 1,
    EventKind.MILESTONE_MISSED: 1,
    EventKind.FOLLOW_UP_UNRESOLVED: 1,
    EventKind.HEALTH_DROPPED: 1,
    EventKind.HEALTH_PART_LOW: 2,
    EventKind.USAGE_DROPPED: 2,
    EventKind.FEATURE_UNUSED: 1,
    EventKind.SEATS_NEARLY_FULL: 2,
}


def test_makers_cover_every_scanned_signal() -> None:
    assert set(MAKERS) == set(load()) == set(EXPECTED_QUERIES)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_a_detector_runs_the_same_queries_for_2_and_10_accounts(db: None, kind: str) -> None:
    params, make = MAKERS[kind]
    for _ in range(2):
        make(AccountFactory.create())
    with counting() as few:
        assert len(detect(kind, **params)) >= 2
    for _ in range(8):
        make(AccountFactory.create())
    with counting() as many:
        assert len({c.account_id for c in detect(kind, **params)}) == 10
    assert_same_queries(len(few), len(many), kind)
    assert len(many) == EXPECTED_QUERIES[kind], many.sql


# The scan ------------------------------------------------------------------------------------


def playbook(kind: str, params: dict[str, Any], **fields: Any) -> Playbook:
    play = Playbook.objects.create(
        name=f"On {kind}", trigger=kind, trigger_params=params, **{"enabled": True, **fields}
    )
    PlaybookStepFactory.create(
        playbook=play, params={"title": "Call {account} about the renewal", "due_in_days": 2}
    )
    return play


def test_the_scan_fires_a_playbook_once_per_occurrence(world: World) -> None:
    renewing(world.account, 60)
    play = playbook(EventKind.RENEWAL_DUE, {"days": 90})
    assert scan() == {EventKind.RENEWAL_DUE: 1}
    [event] = Event.objects.filter(kind=EventKind.RENEWAL_DUE)
    assert (event.account, event.source) == (
        world.account,
        f"renewal:{world.account.pk}:{ago(-60)}:90",
    )
    assert event.data["days_left"] == 60 and event.occurred_at == NOW
    [run] = PlaybookRun.objects.all()
    assert (run.playbook, run.account, run.event) == (play, world.account, event)
    [made] = CSMTask.objects.all()
    assert (made.title, made.assignee, made.run) == ("Call Acme about the renewal", world.csm, run)

    assert scan() == {EventKind.RENEWAL_DUE: 0}
    assert scan(NOW + timedelta(days=1)) == {EventKind.RENEWAL_DUE: 0}
    assert Event.objects.filter(kind=EventKind.RENEWAL_DUE).count() == 1
    assert PlaybookRun.objects.count() == 1 and CSMTask.objects.count() == 1


def test_the_scan_fires_only_the_playbook_with_the_settings_found(world: World) -> None:
    renewing(world.account, 60)
    ninety = playbook(EventKind.RENEWAL_DUE, {"days": 90})
    also_ninety = playbook(EventKind.RENEWAL_DUE, {"days": 90})
    thirty = playbook(EventKind.RENEWAL_DUE, {"days": 30})
    playbook(EventKind.RENEWAL_DUE, {"days": 120}, enabled=False)
    scan()
    assert {r.playbook for r in PlaybookRun.objects.all()} == {ninety, also_ninety}
    assert Event.objects.filter(kind=EventKind.RENEWAL_DUE).count() == 1
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        scan()
    assert {r.playbook for r in PlaybookRun.objects.filter(event__data__params={"days": 30})} == {
        thirty
    }


def test_the_scan_with_no_scanned_playbook_does_nothing(world: World) -> None:
    renewing(world.account, 10)
    playbook(EventKind.NPS_DETRACTOR, {})
    # One query, and one for each other app that asks for scanned kinds (webhooks).
    assert count_queries(scan) == 1 + len(ALSO_WANTED)
    assert not Event.objects.exists()


def test_the_scans_queries_per_account_stay_the_same(db: None) -> None:
    playbook(EventKind.RENEWAL_DUE, {"days": 90})
    playbook(EventKind.NO_LOGIN, {"days": 30})

    def queries_for(accounts: int, day: int) -> int:
        for _ in range(accounts):
            account = AccountFactory.create()
            renewing(account, 20 + day)
            visited(account, ago(40))
        with time_machine.travel(NOW + timedelta(days=day), tick=False):
            return count_queries(scan)

    # Each scan finds its new accounts; those of the scans before are recorded already and
    # cost nothing more.
    two, four, four_again = queries_for(2, 0), queries_for(4, 1), queries_for(4, 2)
    per_account = (four - two) / 2
    assert four_again == four, (two, four, four_again)
    assert two - 2 * per_account == four - 4 * per_account > 0
    print(f"scan: {two - 2 * per_account:.0f} queries + {per_account:.0f} per new account")


def test_the_scan_skips_a_paused_account_but_records_its_event(world: World) -> None:
    from playbooks.models import AccountPause

    AccountPause.objects.create(account=world.account, paused_by=world.csm, note="Legal review")
    renewing(world.account, 10)
    playbook(EventKind.RENEWAL_DUE, {"days": 30})
    assert scan() == {EventKind.RENEWAL_DUE: 1}
    assert not PlaybookRun.objects.exists()


def test_the_scan_job_and_its_schedule_after_the_health_scores(world: World) -> None:
    renewing(world.account, 10)
    playbook(EventKind.RENEWAL_DUE, {"days": 30})
    assert scan_task.run() == {EventKind.RENEWAL_DUE: 1}
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["playbooks-scan"]["task"] == "playbooks.scan"
    assert schedule["playbooks-scan"]["schedule"] == crontab(hour=3, minute=15)
    # The night's roll-up and health scores start at 02:00 (insights.run_nightly).
    assert schedule["nightly"]["schedule"] == crontab(hour=2, minute=0)


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_scanning_twice_records_each_occurrence_once_for_every_signal(db: None, kind: str) -> None:
    params, make = MAKERS[kind]
    accounts = [AccountFactory.create() for _ in range(2)]
    for account in accounts:
        make(account)
    play = playbook(kind, params)
    first = scan()[kind]
    assert first >= 2
    assert scan() == {kind: 0}
    events = Event.objects.filter(kind=kind)
    assert events.count() == first
    assert {e.account_id for e in events} == {a.pk for a in accounts}
    assert PlaybookRun.objects.filter(playbook=play).count() == first
    assert CSMTask.objects.filter(run__playbook=play).count() == first


def test_two_parts_of_the_scan_together_do_what_one_scan_does(db: None) -> None:
    accounts = [AccountFactory.create() for _ in range(5)]
    for account in accounts:
        renewing(account, 20)
    play = playbook(EventKind.RENEWAL_DUE, {"days": 90})
    first = scan(part=(0, 2))[EventKind.RENEWAL_DUE]
    assert {e.account_id % 2 for e in Event.objects.all()} == {0}
    second = scan(part=(1, 2))[EventKind.RENEWAL_DUE]
    assert first + second == 5 and first and second
    assert scan() == {EventKind.RENEWAL_DUE: 0}
    assert {r.account_id for r in PlaybookRun.objects.filter(playbook=play)} == {
        a.pk for a in accounts
    }
    with pytest.raises(ValueError):
        scan(part=(2, 2))
