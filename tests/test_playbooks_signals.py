"""Raised events: an account created or changed, contracts booked (one by one and in bulk),
onboarding started, a success plan's health changing band, a customer's first log-in, and the
survey comment signal. Each is recorded once, with its account, time and what changed, fires
the playbooks on it, and costs the request at most its one job row (measured against the same
call with the playbooks receivers disconnected)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db.models.signals import post_delete, post_save
from django.test import Client
from django.urls import reverse

from accounts.models import Account, Segment, Stage, TouchModel, User
from accounts.services import save_account
from insights.models import Contract, ContractKind
from insights.services.ingest import upsert_contracts, write_rows
from insights.signals import contracts_written
from playbooks.models import CSMTask, Event, EventKind, Playbook, PlaybookRun
from portal.models import Job
from successplans.models import KPI, Milestone, MilestoneStatus, Objective, PlanHealth, PlanTemplate
from successplans.models import PlanTemplateItem as TemplateItem
from successplans.services import create_plan, delete_item, set_kpi_value, update_item
from surveys.models import Kind
from surveys.services import add_comment, record_response
from surveys.signals import response_commented
from tests.conftest import World, client_for
from tests.factories import PASSWORD, MembershipFactory, PlaybookStepFactory
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.queries import count_queries
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def play(trigger: str, **trigger_params: Any) -> Playbook:
    """An enabled playbook on ``trigger`` whose one step creates a task for the owner."""
    step = PlaybookStepFactory.create(
        playbook__trigger=trigger,
        playbook__trigger_params=trigger_params,
        params={"title": "Look at {account}", "due_in_days": 1},
    )
    return step.playbook


def fired(playbook: Playbook, event: Event) -> bool:
    """The playbook ran on the event and its task is there for the account's owner."""
    run = PlaybookRun.objects.filter(playbook=playbook, event=event).first()
    return run is not None and CSMTask.objects.filter(run=run, account=event.account).exists()


PLAYBOOKS_SIGNALS = [post_save, post_delete, contracts_written]


@contextmanager
def playbooks_deaf() -> Iterator[None]:
    """Every playbooks receiver disconnected: the baseline a receiver's cost is measured on."""
    saved = {signal: signal.receivers[:] for signal in PLAYBOOKS_SIGNALS}
    for signal in PLAYBOOKS_SIGNALS:
        signal.receivers = [
            r for r in signal.receivers if not str(r[0][0]).startswith("playbooks.")
        ]
        signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        for signal, receivers in saved.items():
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()


def cost(action: Callable[[], Any], undo: Callable[[], Any] | None = None) -> tuple[int, int]:
    """Queries of ``action`` without the playbooks receivers, then with them (``undo`` puts
    the data back in between, so both runs do the same work)."""
    with playbooks_deaf():
        baseline = count_queries(action)
    if undo is not None:
        undo()
    return baseline, count_queries(action)


def jobs(task: str) -> int:
    return Job.objects.filter(task=task).count()


# The account --------------------------------------------------------------------------------


def account_form(account: Account, **changes: Any) -> dict[str, Any]:
    return {
        "name": account.name,
        "slug": account.slug,
        "segment": account.segment,
        "touch_model": account.touch_model,
        "stage": account.stage,
        "owner": account.owner_id or "",
        "renewal_date": "",
        "brand_color": "",
        "email_domains": "",
        **changes,
    }


def test_an_account_created_raises_its_event_and_fires_its_playbook(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = play(EventKind.ACCOUNT_CREATED)
    data = {"name": "Initech", "slug": "initech", "segment": Segment.SMB,
            "touch_model": TouchModel.TECH, "stage": Stage.ONBOARDING, "owner": world.csm.pk}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("account_create"), account_form(world.account, **data)
        )
    assert response.status_code == 302
    account = Account.objects.get(slug="initech")
    event = Event.objects.get(kind=EventKind.ACCOUNT_CREATED, account=account)
    assert event.source == f"account:{account.pk}" and event.occurred_at == NOW
    assert event.data == {"stage": "onboarding", "segment": "smb", "touch_model": "tech",
                          "owner_id": world.csm.pk}  # fmt: skip
    assert fired(playbook, event)
    assert CSMTask.objects.get(run__playbook=playbook).assignee == world.csm


def test_a_stage_changed_to_renewal_fires_the_renewal_playbook_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    to_renewal, to_growth = (
        play(EventKind.STAGE_CHANGED, to=["renewal"]),
        play(EventKind.STAGE_CHANGED, to=["growth"]),
    )
    any_stage = play(EventKind.STAGE_CHANGED)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.csm).post(
            reverse("account_edit", args=["acme"]), account_form(world.account, stage="renewal")
        )
    assert response.status_code == 302
    event = Event.objects.get(kind=EventKind.STAGE_CHANGED)
    assert (event.account, event.occurred_at) == (world.account, NOW)
    assert event.data == {"from": "onboarding", "to": "renewal"}
    assert fired(to_renewal, event) and fired(any_stage, event)
    assert not PlaybookRun.objects.filter(playbook=to_growth).exists()


@pytest.mark.parametrize(
    "field,value,kind",
    [
        ("segment", Segment.ENTERPRISE, EventKind.SEGMENT_CHANGED),
        ("touch_model", TouchModel.HIGH, EventKind.TOUCH_MODEL_CHANGED),
    ],
)
def test_a_segment_or_touch_model_changed_raises_its_event(
    world: World, django_capture_on_commit_callbacks: Any, field: str, value: str, kind: str
) -> None:
    playbook = play(kind, to=[value])
    account = Account.objects.get(pk=world.account.pk)
    before = getattr(account, field)
    setattr(account, field, value)
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.csm, before=None)
    event = Event.objects.get(kind=kind)
    assert (event.account, event.occurred_at) == (world.account, NOW)
    assert event.data == {"from": before, "to": value}
    assert fired(playbook, event)


def test_an_owner_changed_raises_its_event_with_the_ids(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = play(EventKind.OWNER_CHANGED)
    account = Account.objects.get(pk=world.account.pk)
    account.owner = world.other_csm
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.admin, before=None)
    event = Event.objects.get(kind=EventKind.OWNER_CHANGED)
    assert event.data == {"from": world.csm.pk, "to": world.other_csm.pk}
    assert fired(playbook, event)
    assert CSMTask.objects.get(run__playbook=playbook).assignee == world.other_csm


def test_a_resave_raises_nothing_and_a_second_real_change_raises_again(
    world: World, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    account = Account.objects.get(pk=world.account.pk)
    account.stage = Stage.ADOPTION
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.csm, before=None)
        save_account(account, acting_user=world.csm, before=None)  # saved again, unchanged
        Account.objects.get(pk=account.pk).save()  # loaded and saved: unchanged
    assert Event.objects.filter(kind=EventKind.STAGE_CHANGED).count() == 1
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    account = Account.objects.get(pk=account.pk)
    account.stage = Stage.ONBOARDING
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.csm, before=None)
    account.stage = Stage.ADOPTION
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.csm, before=None)
    changes = [e.data for e in Event.objects.filter(kind=EventKind.STAGE_CHANGED).order_by("pk")]
    assert changes == [
        {"from": "onboarding", "to": "adoption"},
        {"from": "adoption", "to": "onboarding"},
        {"from": "onboarding", "to": "adoption"},
    ]


def test_a_save_of_other_fields_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    account = Account.objects.get(pk=world.account.pk)
    account.name, account.stage = "Acme Inc", Stage.GROWTH
    before = Job.objects.count()
    account.save(update_fields=["name"])  # the stage is not saved: not changed either
    assert Job.objects.count() == before


def test_the_stage_set_to_churned_is_a_churned_contract_too(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    churned = play(EventKind.CONTRACT_CHURNED)
    account = Account.objects.get(pk=world.account.pk)
    account.stage = Stage.CHURNED
    before = Job.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        save_account(account, acting_user=world.csm, before=None)
    assert Job.objects.filter(task="playbooks.record_events").count() == 1
    # Both events in one job row (the task the playbook made queues its own assignment e-mail).
    assert Job.objects.exclude(task="playbooks.send_task_assigned").count() == before + 1
    event = Event.objects.get(kind=EventKind.CONTRACT_CHURNED)
    assert (event.account, event.occurred_at) == (world.account, NOW)
    assert event.data == {"from": "onboarding", "to": "churned", "how": "stage"}
    assert Event.objects.filter(kind=EventKind.STAGE_CHANGED, data__to="churned").exists()
    assert fired(churned, event)


def test_editing_an_account_costs_the_request_one_query_whatever_changed(
    world: World,
) -> None:
    client = client_for(world.csm)
    url = reverse("account_edit", args=["acme"])
    client.get(url)
    changed = account_form(world.account, stage="renewal", segment="smb", owner=world.csm.pk)

    def undo() -> None:
        Account.objects.filter(pk=world.account.pk).update(stage="onboarding", segment="mid_market")

    def edit() -> None:
        assert client.post(url, changed).status_code == 302

    baseline, with_events = cost(edit, undo)
    assert with_events == baseline + 1  # the job row for both changes
    assert Event.objects.count() == 0  # recorded by the job, after commit


# Contracts ----------------------------------------------------------------------------------


def contract(account: Account, kind: str = ContractKind.NEW, **fields: Any) -> Contract:
    values: dict[str, Any] = {
        "external_id": f"c-{kind}",
        "product": "Platform",
        "kind": kind,
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=365),
        "recurring_value": Decimal(12000),
        "term_months": 12,
        **fields,
    }
    return Contract.objects.create(account=account, **values)


@pytest.mark.parametrize(
    "kind,event_kind",
    [
        (ContractKind.NEW, EventKind.CONTRACT_STARTED),
        (ContractKind.RENEWAL, EventKind.CONTRACT_RENEWED),
        (ContractKind.EXPANSION, EventKind.CONTRACT_EXPANDED),
        (ContractKind.CONTRACTION, EventKind.CONTRACT_CONTRACTED),
    ],
)
def test_a_contract_booked_raises_the_event_of_its_kind(
    world: World, django_capture_on_commit_callbacks: Any, kind: str, event_kind: str
) -> None:
    playbook = play(event_kind)
    with django_capture_on_commit_callbacks(execute=True):
        line = contract(world.account, kind)
    event = Event.objects.get()
    assert (event.kind, event.account, event.source) == (
        event_kind,
        world.account,
        f"contract:{line.pk}",
    )
    assert event.occurred_at == NOW
    assert event.data["mrr"] == "1000.00" and event.data["kind"] == kind
    assert event.data["starts_on"] == TODAY.isoformat()
    assert fired(playbook, event)


def test_a_contract_edited_or_already_ended_raises_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        line = contract(world.account)
        line.recurring_value = Decimal(24000)
        line.save()
        contract(
            world.account,
            ContractKind.RENEWAL,
            starts_on=TODAY - timedelta(days=730),
            ends_on=TODAY - timedelta(days=365),
        )  # last year's, loaded as history
    assert list(Event.objects.values_list("kind", flat=True)) == [EventKind.CONTRACT_STARTED]


def contract_row(
    account: Account, external_id: str, kind: str, value: int = 12000
) -> dict[str, Any]:
    return {
        "account_id": account.pk,
        "external_id": external_id,
        "product": "Platform",
        "kind": kind,
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=365),
        "recurring_value": Decimal(value),
        "term_months": 12,
    }


def test_contracts_written_in_bulk_raise_an_event_per_new_line_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    renewed = play(EventKind.CONTRACT_RENEWED)
    rows = [
        contract_row(world.account, "r-1", ContractKind.RENEWAL),
        contract_row(world.other_account, "e-1", ContractKind.EXPANSION),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        write_rows("contracts", rows)
    events = {e.kind: e for e in Event.objects.all()}
    assert set(events) == {EventKind.CONTRACT_RENEWED, EventKind.CONTRACT_EXPANDED}
    event = events[EventKind.CONTRACT_RENEWED]
    assert (event.account, event.occurred_at) == (world.account, NOW)
    assert event.data["external_id"] == "r-1" and event.data["mrr"] == "1000.00"
    assert events[EventKind.CONTRACT_EXPANDED].account == world.other_account
    assert fired(renewed, event)
    # Pushed again with a new value: an update, no second event.
    with django_capture_on_commit_callbacks(execute=True):
        write_rows("contracts", [{**rows[0], "recurring_value": Decimal(24000)}])
    assert Event.objects.count() == 2 and PlaybookRun.objects.count() == 1


def test_a_bulk_write_costs_one_job_row_per_batch(world: World) -> None:
    rows = [contract_row(world.account, f"n-{n}", ContractKind.NEW) for n in range(5)]

    def undo() -> None:
        Contract.objects.all().delete()

    baseline, with_events = cost(lambda: upsert_contracts(rows, batch_size=2), undo)
    assert with_events == baseline + 3  # three batches: 2, 2 and 1 rows
    batches = [
        len(j.kwargs["contract_ids"])
        for j in Job.objects.filter(task="playbooks.contracts_written")
    ]
    assert sorted(batches) == [1, 2, 2]


# Onboarding started -------------------------------------------------------------------------


def test_onboarding_started_raises_its_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = play(EventKind.ONBOARDING_STARTED)
    with django_capture_on_commit_callbacks(execute=True):
        checklist = start(world, kickoff=TODAY)
    event = Event.objects.get(kind=EventKind.ONBOARDING_STARTED)
    assert (event.account, event.source, event.occurred_at) == (
        world.account,
        f"checklist:{checklist.pk}",
        NOW,
    )
    assert event.data["checklist_id"] == checklist.pk
    assert event.data["kickoff_date"] == TODAY.isoformat()
    assert fired(playbook, event)


def test_starting_onboarding_costs_one_query(world: World) -> None:
    from onboarding.models import Checklist
    from onboarding.services import start_onboarding
    from tests.onboarding_helpers import make_template

    template = make_template(world.csm)

    def begin() -> None:
        start_onboarding(
            world.account, template=template, kickoff_date=TODAY, acting_user=world.csm
        )

    baseline, with_events = cost(begin, lambda: Checklist.objects.all().delete())
    assert with_events == baseline + 1


# Plan health --------------------------------------------------------------------------------


def overdue(milestone: Milestone, user: User) -> None:
    update_item(
        "milestone",
        milestone.pk,
        fields={"target_date": TODAY - timedelta(days=1)},
        version=Milestone.objects.get(pk=milestone.pk).version,
        acting_user=user,
    )


def test_a_plan_whose_health_moves_band_raises_its_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    at_risk, off_track = (
        play(EventKind.PLAN_HEALTH_CHANGED, to=["at_risk"]),
        play(EventKind.PLAN_HEALTH_CHANGED, to=["off_track"]),
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = make_plan(world)
    assert not Event.objects.exists()  # on track, as a plan begins
    first, second = plan.milestones.filter(internal=False).order_by("target_date")
    with django_capture_on_commit_callbacks(execute=True):
        overdue(first, world.csm)
    event = Event.objects.get()
    assert (event.kind, event.account, event.occurred_at) == (
        EventKind.PLAN_HEALTH_CHANGED,
        world.account,
        NOW,
    )
    assert event.data == {
        "plan_id": plan.pk,
        "plan": plan.name,
        "from": "on_track",
        "to": "at_risk",
    }
    assert fired(at_risk, event) and not PlaybookRun.objects.filter(playbook=off_track).exists()
    # A change that leaves the band where it is: nothing.
    with django_capture_on_commit_callbacks(execute=True):
        update_item(
            "milestone", first.pk, fields={"title": "Data wired"},
            version=Milestone.objects.get(pk=first.pk).version, acting_user=world.csm,
        )  # fmt: skip
    assert Event.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        overdue(second, world.csm)
    latest = Event.objects.filter(kind=EventKind.PLAN_HEALTH_CHANGED).order_by("-pk").first()
    assert latest is not None and latest.data["from"] == "at_risk"
    assert latest.data["to"] == PlanHealth.OFF_TRACK and fired(off_track, latest)
    # Both done: back on track.
    with django_capture_on_commit_callbacks(execute=True):
        for m in (first, second):
            update_item(
                "milestone", m.pk, fields={"status": MilestoneStatus.DONE},
                version=Milestone.objects.get(pk=m.pk).version, acting_user=world.csm,
            )  # fmt: skip
    health_events = Event.objects.filter(kind=EventKind.PLAN_HEALTH_CHANGED).order_by("pk")
    assert [e.data["to"] for e in health_events] == [
        "at_risk",
        "off_track",
        "on_track",
    ]


def test_changing_a_plan_item_costs_one_query(world: World) -> None:
    plan = make_plan(world)
    milestone = plan.milestones.filter(internal=False).first()
    assert milestone is not None

    def undo() -> None:
        Milestone.objects.filter(pk=milestone.pk).update(target_date=TODAY + timedelta(days=10))

    baseline, with_events = cost(lambda: overdue(milestone, world.csm), undo)
    assert with_events == baseline + 1


def test_a_plan_made_from_a_template_costs_one_job_row(world: World) -> None:
    template = PlanTemplate.objects.create(name="Standard", created_by=world.csm)
    for n, kind in enumerate([TemplateItem.Kind.OBJECTIVE, TemplateItem.Kind.MILESTONE] * 3):
        TemplateItem.objects.create(template=template, kind=kind, title=f"Item {n}", position=n)

    def make() -> None:
        create_plan(
            world.account, name="FY27", starts_on=TODAY, ends_on=TODAY + timedelta(days=90),
            template=template, acting_user=world.csm,
        )  # fmt: skip

    baseline, with_events = cost(make)
    assert with_events == baseline + 1
    assert jobs("playbooks.plan_changed") == 1


def test_a_kpi_value_or_an_objective_removed_with_its_kpis_is_one_job_row(world: World) -> None:
    plan = make_plan(world)
    kpi = KPI.objects.get(objective__plan=plan)
    before = jobs("playbooks.plan_changed")
    set_kpi_value(kpi, Decimal(30), version=kpi.version, acting_user=world.csm)  # KPI and history
    assert jobs("playbooks.plan_changed") == before + 1
    delete_item("objective", Objective.objects.get(pk=kpi.objective_id), acting_user=world.csm)
    assert jobs("playbooks.plan_changed") == before + 2  # its KPI goes with it, unasked


# First log-in -------------------------------------------------------------------------------


def never_logged_in(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(last_login=None)


def log_in(user: User) -> None:
    """The log-in form, as a person uses it."""
    response = Client().post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_customers_first_log_in_raises_an_event_on_each_of_their_accounts_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    playbook = play(EventKind.FIRST_LOGIN)
    MembershipFactory.create(user=world.champion, account=world.other_account, role="member")
    never_logged_in(world.champion)
    with django_capture_on_commit_callbacks(execute=True):
        log_in(world.champion)
    with django_capture_on_commit_callbacks(execute=True):
        log_in(world.champion)  # the second time: nothing
    events = Event.objects.filter(kind=EventKind.FIRST_LOGIN).order_by("account__slug")
    assert [(e.account, e.source) for e in events] == [
        (world.account, f"first-login:{world.champion.pk}:{world.account.pk}"),
        (world.other_account, f"first-login:{world.champion.pk}:{world.other_account.pk}"),
    ]
    assert all(e.occurred_at == NOW and e.data == {"user_id": world.champion.pk} for e in events)
    assert fired(playbook, events[0]) and fired(playbook, events[1])


def test_vendor_staff_logging_in_raise_nothing(world: World) -> None:
    never_logged_in(world.csm)
    log_in(world.csm)
    assert jobs("playbooks.first_login") == 0


def test_a_first_log_in_costs_one_query_and_a_later_one_none(world: World) -> None:
    # The champion and the executive belong to the one account and log in as often: their
    # log-ins do the same work (allauth purges their earlier sessions), the executive's unheard.
    never_logged_in(world.champion, world.executive)
    with playbooks_deaf():
        first_baseline = count_queries(lambda: log_in(world.executive))
    assert count_queries(lambda: log_in(world.champion)) == first_baseline + 1
    with playbooks_deaf():
        later_baseline = count_queries(lambda: log_in(world.executive))
    assert count_queries(lambda: log_in(world.champion)) == later_baseline
    assert jobs("playbooks.first_login") == 1


# A survey comment added later ---------------------------------------------------------------


def test_a_comment_added_later_sends_response_commented_and_raises_no_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        response = record_response(delivery, 3, channel="portal").response
    heard: list[dict[str, Any]] = []

    def listen(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    response_commented.connect(listen, dispatch_uid="test.listen")
    playbook_jobs = Job.objects.filter(task__startswith="playbooks.")
    try:
        before = playbook_jobs.count()
        with django_capture_on_commit_callbacks(execute=True):
            add_comment(response, "  Exports keep failing.  ")
            add_comment(response, "Exports keep failing.")  # the same: not sent again
    finally:
        response_commented.disconnect(dispatch_uid="test.listen")
    assert len(heard) == 1
    assert heard[0]["response"].pk == response.pk and heard[0]["comment"] == "Exports keep failing."
    assert heard[0]["at"] == NOW
    assert playbook_jobs.count() == before  # no event: the band did not move (sentiment scores it)
    assert Event.objects.filter(kind=EventKind.NPS_DETRACTOR).count() == 1
