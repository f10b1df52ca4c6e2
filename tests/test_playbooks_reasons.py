"""Why a playbook fired, in words, and a trigger narrowed to one value ("changed to Critical")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from insights.models import HealthScore
from playbooks.models import CSMTask, Event, EventKind, PlaybookRun, StepKind
from playbooks.services.runs import describe_event
from tests.conftest import World
from tests.factories import PlaybookFactory, PlaybookStepFactory

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize(
    "kind,data,said",
    [
        (EventKind.NPS_DETRACTOR, {"survey_kind": "nps", "score": 3}, "NPS detractor response: NPS 3"),
        (EventKind.STAGE_CHANGED, {"from": "onboarding", "to": "adoption"}, "Lifecycle stage changed: Onboarding to Adoption"),
        (EventKind.SEGMENT_CHANGED, {"from": "smb", "to": "enterprise"}, "Segment changed: SMB to Enterprise"),
        (EventKind.HEALTH_BAND_CHANGED, {"from_band": "healthy", "to_band": "critical", "from": "healthy", "to": "critical"}, "Health score changed band: Healthy to Critical"),
        (EventKind.PLAN_HEALTH_CHANGED, {"from": "on_track", "to": "off_track"}, "Success plan health changed band: on track to off track"),
        (EventKind.SENTIMENT_NEGATIVE, {"score": -0.8, "excerpt": "Exports keep failing."}, "Negative comment: “Exports keep failing.”"),
        (EventKind.RENEWAL_DUE, {"days_left": 45, "params": {"days": 60}}, "Renewal date in N days: renews in 45 days"),
        (EventKind.NO_LOGIN, {"days_dark": 42, "params": {"days": 30}}, "No customer log-in for N days: nobody has logged in for 42 days"),
        (EventKind.ACCOUNT_CREATED, {}, "Account created"),
    ],
)  # fmt: skip
def test_an_event_is_described_with_what_it_found(
    world: World, kind: str, data: dict[str, Any], said: str
) -> None:
    event = Event(account=world.account, kind=kind, data=data, source="x")
    assert describe_event(event) == said


def test_a_health_band_trigger_narrowed_to_critical_fires_only_for_critical(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = PlaybookFactory.create(
        trigger=EventKind.HEALTH_BAND_CHANGED, trigger_params={"to": ["critical"]}, enabled=True
    )
    PlaybookStepFactory.create(
        playbook=playbook, kind=StepKind.CREATE_TASK, params={"title": "Rescue {account}"}
    )
    today = NOW.date()
    with django_capture_on_commit_callbacks(execute=True):
        HealthScore.objects.create(
            account=world.account, day=today - timedelta(days=2), score=80, band="healthy"
        )
        HealthScore.objects.create(
            account=world.account, day=today - timedelta(days=1), score=55, band="at_risk"
        )
    assert not PlaybookRun.objects.exists()  # healthy to at risk: not the band asked for
    with django_capture_on_commit_callbacks(execute=True):
        HealthScore.objects.create(account=world.account, day=today, score=30, band="critical")
    run = PlaybookRun.objects.get()
    assert run.reason.startswith("Health score changed band: At risk to Critical")
    assert CSMTask.objects.get().title == "Rescue Acme"
