"""The built-in playbooks: every one is valid as the editor checks it, made paused by the
migrations, and does what its name says once enabled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail

from accounts.models import CustomerRole, Notification, NotificationKind, Segment
from accounts.services import deactivate_user
from insights.models import Contract, ContractKind, UpsellLead
from onboarding.models import Checklist
from playbooks.builtins import BUILT_IN, EMAILS
from playbooks.models import (
    CSMTask,
    EmailTemplate,
    Event,
    EventKind,
    Playbook,
    PlaybookRun,
    Priority,
    RunStep,
    StepStatus,
)
from playbooks.services.events import record_event
from playbooks.services.playbooks import clean_playbook, ensure_built_in_playbooks
from playbooks.services.runs import evaluate_event
from surveys.models import SurveyPause
from tests.conftest import World
from tests.factories import AccountFactory, CSMFactory, MembershipFactory
from tests.onboarding_helpers import make_template

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def enable(key: str) -> Playbook:
    Playbook.objects.filter(key=key).update(enabled=True)
    return Playbook.objects.get(key=key)


def fire(kind: str, account_id: int, source: str, **data: Any) -> list[PlaybookRun]:
    event = record_event(
        kind, account_id=account_id, source=source, data=data, occurred_at=NOW.isoformat()
    )
    assert event is not None
    return evaluate_event(event)


def test_the_migrations_make_every_built_in_playbook_paused_with_its_e_mails(db: None) -> None:
    keys = {spec["key"] for spec in BUILT_IN}
    made = Playbook.objects.filter(key__in=keys)
    assert set(made.values_list("key", flat=True)) == keys
    assert not made.filter(enabled=True).exists()
    assert {e["key"] for e in EMAILS} <= set(EmailTemplate.objects.values_list("key", flat=True))
    assert ensure_built_in_playbooks() == 0  # nothing missing, nothing made twice


@pytest.mark.parametrize("spec", BUILT_IN, ids=[s["key"] for s in BUILT_IN])
def test_every_built_in_playbook_is_valid_as_the_editor_checks_it(
    db: None, spec: dict[str, Any]
) -> None:
    CSMFactory.create()
    make_template(CSMFactory.create())
    playbook = Playbook.objects.get(key=spec["key"])
    data = {
        "name": playbook.name,
        "description": playbook.description,
        "trigger": playbook.trigger,
        "trigger_params": playbook.trigger_params,
        "conditions": playbook.conditions,
        "steps": [
            {"kind": s.kind, "delay_days": s.delay_days, "stop_if": s.stop_if, "params": s.params}
            for s in playbook.steps.all()
        ],
    }
    clean = clean_playbook(data)  # raises PlaybookInvalid, naming the step, if not
    assert len(clean["steps"]) == len(spec["steps"])


def test_a_new_customer_gets_a_segment_an_owner_an_onboarding_and_the_first_welcome(
    world: World,
) -> None:
    enable("new-customer")
    template = make_template(world.csm)
    account = AccountFactory.create(name="Initech", slug="initech", owner=None)
    champion = MembershipFactory.create(account=account, role=CustomerRole.CHAMPION).user
    Contract.objects.create(
        account=account,
        external_id="initech-1",
        kind=ContractKind.NEW,
        recurring_value=Decimal("144000"),
        value_period="total",
        term_months=12,
        starts_on=date(2026, 11, 1),
        ends_on=date(2027, 11, 1),
    )
    mail.outbox.clear()
    [run] = fire(EventKind.CONTRACT_STARTED, account.pk, "contract:initech-1")
    account.refresh_from_db()
    assert account.segment == Segment.ENTERPRISE  # MRR 12,000 is over the 10,000 floor
    assert account.owner is not None and account.owner.is_csm
    checklist = Checklist.objects.get(account=account)
    assert checklist.template_id == template.pk  # the newest active template
    [welcome] = mail.outbox
    assert welcome.to == [champion.email] and "Welcome to the portal" in welcome.subject
    waiting = run.run_steps.filter(status=StepStatus.WAITING).order_by("position")
    assert [(s.params["template"], s.delay_days) for s in waiting] == [
        ("welcome-2", 3),
        ("welcome-3", 7),
    ]


def test_the_champion_left_play_asks_for_a_successor_pauses_surveys_and_tells_the_csm(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    enable("champion-left")
    with django_capture_on_commit_callbacks(execute=True):
        deactivate_user(world.champion, acting_user=world.admin, account=world.account)
    task = CSMTask.objects.get(account=world.account)
    assert task.title == "Find Acme's new champion" and task.priority == Priority.HIGH
    assert task.assignee == world.csm and world.champion.display_name in task.reason
    pause = SurveyPause.objects.get(account=world.account)
    assert pause.until == NOW.date() + timedelta(days=60)
    item = Notification.objects.get(
        user=world.csm, account=world.account, kind=NotificationKind.ACCOUNT
    )
    assert f"{world.champion.display_name} left Acme" in item.title


def test_renewal_at_90_days_asks_the_executive_and_gives_the_csm_the_check_in(
    world: World,
) -> None:
    enable("renewal-90")
    mail.outbox.clear()
    fire(
        EventKind.RENEWAL_DUE,
        world.account.pk,
        "renewal:90",
        params={"days": 90},
        days_left=90,
    )
    [message] = mail.outbox
    assert message.to == [world.executive.email]
    assert "before your renewal" in message.subject
    task = CSMTask.objects.get(account=world.account)
    assert task.title == "Hold the executive check-in with Acme"
    # The 120-, 60- and 30-day playbooks are for other settings: not fired by a 90-day event.
    for key in ("renewal-120", "renewal-60", "renewal-30"):
        enable(key)
    fire(EventKind.RENEWAL_DUE, world.account.pk, "renewal:90:again", params={"days": 90})
    assert PlaybookRun.objects.exclude(playbook__key="renewal-90").count() == 0


def test_seats_nearly_full_flags_an_upsell_lead_and_a_task(world: World) -> None:
    enable("upsell-seats")
    fire(EventKind.SEATS_NEARLY_FULL, world.account.pk, "seats:90", params={"percent": 90})
    lead = UpsellLead.objects.get(account=world.account)
    assert lead.reason == "Acme uses 90% or more of the seats it bought."
    assert CSMTask.objects.get(account=world.account).title == "Talk to Acme about more seats"


def test_a_promoter_is_thanked_and_asked_for_a_reference(world: World) -> None:
    enable("promoter-reference")
    mail.outbox.clear()
    [run] = fire(
        EventKind.NPS_PROMOTER,
        world.account.pk,
        "response:promoter",
        score=10,
        survey_kind="nps",
        user_id=world.member.pk,
    )
    [message] = mail.outbox
    assert message.to == [world.member.email] and "your score of 10" in message.body
    follow_up = RunStep.objects.get(run=run, position=1)
    assert follow_up.status == StepStatus.WAITING and follow_up.delay_days == 7


def test_nothing_fires_while_the_built_ins_are_paused(world: World) -> None:
    fire(EventKind.CHAMPION_LEFT, world.account.pk, "membership:x", user_id=world.champion.pk)
    assert not PlaybookRun.objects.exists() and not CSMTask.objects.exists()
    assert Event.objects.count() == 1
