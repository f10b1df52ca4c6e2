"""Playbook steps that act on the account itself: set a field (the segment from the MRR too),
assign the owner CSM, flag an upsell lead, notify the owner; and the screens they feed (the
account updates the inbox shows on Today, upsell leads in the book and on the 360° page, teams on the Staff page)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models.signals import post_save
from django.urls import reverse

from accounts.models import (
    Account,
    Activity,
    Notification,
    NotificationKind,
    Segment,
    Stage,
    User,
)
from accounts.services import set_account_fields
from insights.models import Contract, UpsellLead
from playbooks.models import EventKind, PlaybookRun, RunStep, StepKind, StepStatus
from playbooks.notices import unread_account_items
from playbooks.services.runs import run_due_step, run_playbook
from playbooks.steps import load
from playbooks.steps.set_account_field import parse_ranges
from tests.conftest import World, client_for
from tests.factories import (
    AccountFactory,
    AdminFactory,
    CSMFactory,
    EventFactory,
    PlaybookFactory,
    PlaybookStepFactory,
    RunStepFactory,
    UpsellLeadFactory,
)
from tests.inbox_helpers import NotificationFactory
from tests.insights_helpers import get_360
from tests.panels import account_page
from tests.queries import assert_same_queries, count_queries, page_queries
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def fire(
    account: Account, kind: str, params: dict[str, Any], name: str = "New customer"
) -> RunStep:
    """Run a one-step playbook of ``kind`` on ``account`` now; the step as it ended."""
    playbook = PlaybookFactory.create(name=name, trigger=EventKind.ACCOUNT_CREATED)
    PlaybookStepFactory.create(playbook=playbook, kind=kind, params=params)
    event = EventFactory.create(account=account, kind=EventKind.ACCOUNT_CREATED)
    account = Account.objects.select_related("owner").get(pk=account.pk)
    run = run_playbook(playbook, account, event, why="")
    assert run is not None
    return run.run_steps.get()


def monthly(account: Account, amount: int) -> Contract:
    """A running contract worth ``amount`` a month (a 12-month term at 12 times the amount)."""
    return Contract.objects.create(
        account=account,
        external_id=f"c-{account.pk}-{amount}",
        starts_on=date(2026, 1, 1),
        ends_on=date(2027, 1, 1),
        recurring_value=Decimal(amount * 12),
        term_months=12,
    )


def test_every_step_here_is_registered() -> None:
    kinds = load()
    for kind in (
        StepKind.SET_ACCOUNT_FIELD,
        StepKind.ASSIGN_OWNER,
        StepKind.FLAG_CSQL,
        StepKind.NOTIFY_OWNER,
    ):
        assert kinds[kind].kind == kind
    assert load()[StepKind.ASSIGN_OWNER].raises == {EventKind.OWNER_CHANGED}
    assert load()[StepKind.SET_ACCOUNT_FIELD].raises == {
        EventKind.SEGMENT_CHANGED,
        EventKind.TOUCH_MODEL_CHANGED,
        EventKind.STAGE_CHANGED,
    }


# Set an account field ---------------------------------------------------------------------------


def test_a_step_moves_the_account_to_adoption_and_logs_it(world: World) -> None:
    step = fire(world.account, StepKind.SET_ACCOUNT_FIELD, {"field": "stage", "value": "adoption"})
    assert step.status == "done", step.detail
    assert step.detail == "lifecycle stage Adoption set"
    world.account.refresh_from_db()
    assert world.account.stage == Stage.ADOPTION
    logged = Activity.objects.get(verb="edited the account")
    assert logged.before == {"stage": "onboarding"} and logged.after is not None
    assert logged.after["stage"] == "adoption" and logged.internal and logged.actor is None


def test_a_value_already_set_is_skipped_and_changes_nothing(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(touch_model="high")
    step = fire(
        world.account, StepKind.SET_ACCOUNT_FIELD, {"field": "touch_model", "value": "high"}
    )
    assert step.status == "skipped" and "already set" in step.detail
    assert not Activity.objects.filter(verb="edited the account").exists()


def test_the_account_change_signal_names_the_field_that_changed(world: World) -> None:
    seen: list[Any] = []

    def receiver(sender: Any, instance: Account, update_fields: Any = None, **kw: Any) -> None:
        seen.append((instance.pk, set(update_fields or ())))

    post_save.connect(receiver, sender=Account, dispatch_uid="test.account_saved")
    try:
        fire(world.account, StepKind.SET_ACCOUNT_FIELD, {"field": "segment", "value": "smb"})
    finally:
        post_save.disconnect(dispatch_uid="test.account_saved", sender=Account)
    assert (world.account.pk, {"segment"}) in seen


@pytest.mark.parametrize(
    "mrr,segment",
    [(12_000, Segment.ENTERPRISE), (10_000, Segment.ENTERPRISE), (2_500, Segment.MID_MARKET), (500, Segment.SMB), (0, Segment.SMB)],
)  # fmt: skip
def test_the_segment_follows_the_mrr_by_ranges(world: World, mrr: int, segment: str) -> None:
    Account.objects.filter(pk=world.account.pk).update(
        segment=Segment.MID_MARKET if segment != Segment.MID_MARKET else Segment.SMB
    )
    if mrr:
        monthly(world.account, mrr)
    params = {
        "field": "segment",
        "value": "from_mrr",
        "mrr_ranges": "enterprise >= 10000, mid_market >= 2000, smb",
    }
    step = fire(world.account, StepKind.SET_ACCOUNT_FIELD, params)
    assert step.status == "done", step.detail
    world.account.refresh_from_db()
    assert world.account.segment == segment
    assert "MRR" in step.detail  # says which MRR it read
    logged = Activity.objects.get(verb="edited the account")
    assert logged.after is not None and logged.after["why"].startswith("MRR")


def test_the_mrr_is_insights_own_figure_for_a_contract_priced_over_its_term(world: World) -> None:
    # 6 months for 60,000: 10,000 a month (DESIGN.md), exactly the enterprise floor.
    Contract.objects.create(
        account=world.account, external_id="half-year", starts_on=date(2026, 9, 1),
        ends_on=date(2027, 3, 1), recurring_value=Decimal(60_000), term_months=6,
    )  # fmt: skip
    params = {"field": "segment", "value": "from_mrr", "mrr_ranges": "enterprise >= 10000, smb"}
    fire(world.account, StepKind.SET_ACCOUNT_FIELD, params)
    world.account.refresh_from_db()
    assert world.account.segment == Segment.ENTERPRISE


def test_an_mrr_below_every_range_is_skipped(world: World) -> None:
    monthly(world.account, 100)
    params = {
        "field": "segment",
        "value": "from_mrr",
        "mrr_ranges": "enterprise >= 10000, mid_market >= 2000",
    }
    step = fire(world.account, StepKind.SET_ACCOUNT_FIELD, params)
    assert step.status == "skipped" and "none of the ranges" in step.detail
    assert Account.objects.get(pk=world.account.pk).segment == Segment.MID_MARKET


@pytest.mark.parametrize(
    "params,problem",
    [
        ({"field": "stage", "value": "smb"}, "“smb” is not a lifecycle stage."),
        ({"field": "stage", "value": "from_mrr", "mrr_ranges": "smb"}, "Only the segment can be set from the MRR"),
        ({"field": "segment", "value": "from_mrr", "mrr_ranges": ""}, "give at least one"),
        ({"field": "segment", "value": "from_mrr", "mrr_ranges": "smb, enterprise >= 10"}, "only the last range may have no floor"),
        ({"field": "segment", "value": "from_mrr", "mrr_ranges": "smb >= 10, enterprise >= 1000"}, "highest floor first"),
        ({"field": "segment", "value": "from_mrr", "mrr_ranges": "gold >= 10, smb"}, "no segment “gold”"),
        ({"field": "segment", "value": "from_mrr", "mrr_ranges": "enterprise > ten"}, "is not “segment >= amount”"),
    ],
)  # fmt: skip
def test_bad_settings_are_named_in_words(db: None, params: dict[str, Any], problem: str) -> None:
    problems = load()[StepKind.SET_ACCOUNT_FIELD].validate(params)
    assert any(problem in p for p in problems), problems


def test_ranges_read_labels_too() -> None:
    ranges, errors = parse_ranges("Enterprise >= 10000, Mid-market >= 2000.50, SMB")
    assert not errors
    assert [(r.segment, r.floor) for r in ranges] == [
        ("enterprise", Decimal(10000)), ("mid_market", Decimal("2000.50")), ("smb", None),
    ]  # fmt: skip


def test_the_service_refuses_a_value_the_field_does_not_have(world: World) -> None:
    with unchanged(), pytest.raises(ValidationError, match="cannot be"):
        set_account_fields(world.account, changes={"stage": "smb"}, acting_user=None)


# Assign the owner CSM ---------------------------------------------------------------------------


@pytest.fixture
def scale_team(world: World) -> list[User]:
    """Three CSMs in team Scale: Ann with 2 accounts, Ben and Cat with 1 each."""
    ann, ben, cat = (CSMFactory.create(name=n, team="Scale") for n in ("Ann", "Ben", "Cat"))
    for owner, count in ((ann, 2), (ben, 1), (cat, 1)):
        AccountFactory.create_batch(count, owner=owner)
    return [ann, ben, cat]


def unowned(segment: str = Segment.SMB) -> Account:
    return AccountFactory.create(owner=None, segment=segment)


def test_the_account_goes_to_the_team_csm_with_the_fewest_accounts(
    world: World, scale_team: list[User]
) -> None:
    ben = scale_team[1]
    account = unowned()
    step = fire(account, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    assert step.status == "done", step.detail
    account.refresh_from_db()
    assert account.owner == ben  # Ben and Cat have 1; neither was given one yet; B before C
    logged = Activity.objects.get(verb="assigned the owner CSM", account=account)
    assert logged.before == {"owner": None} and logged.after is not None
    assert logged.after["owner_id"] == ben.pk and logged.internal


def test_round_robin_goes_to_whoever_was_given_an_account_least_recently(
    world: World, scale_team: list[User], time_machine: time_machine.TimeMachineFixture
) -> None:
    ann, ben, cat = scale_team
    first = unowned()
    fire(first, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    second = unowned()
    fire(second, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    time_machine.move_to(NOW + timedelta(hours=2), tick=False)
    third = unowned()
    fire(third, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    owners = [Account.objects.get(pk=a.pk).owner for a in (first, second, third)]
    # Ben (1), then Cat (1), then all three on 2: Ann was never given one by a playbook.
    assert owners == [ben, cat, ann]
    fourth = unowned()
    time_machine.move_to(NOW + timedelta(hours=3), tick=False)
    fire(fourth, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    assert Account.objects.get(pk=fourth.pk).owner == ben  # all on 3; Ben's turn came first


def test_a_segment_goes_to_its_own_list_of_csms(world: World, scale_team: list[User]) -> None:
    account = unowned(Segment.ENTERPRISE)
    rules = f"enterprise: {world.other_csm.email}\nany: Scale"
    step = fire(account, StepKind.ASSIGN_OWNER, {"rules": rules})
    assert step.status == "done", step.detail
    assert Account.objects.get(pk=account.pk).owner == world.other_csm


def test_an_account_with_an_owner_keeps_it_unless_the_step_reassigns(
    world: World, scale_team: list[User]
) -> None:
    step = fire(world.account, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    assert step.status == "skipped" and "already has an owner" in step.detail
    assert Account.objects.get(pk=world.account.pk).owner == world.csm
    step = fire(
        world.account,
        StepKind.ASSIGN_OWNER,
        {"rules": "any: Scale", "reassign": True},
        name="Again",
    )
    assert step.status == "done"
    assert Account.objects.get(pk=world.account.pk).owner == scale_team[1]


def test_when_every_csm_is_at_the_cap_the_cs_admins_are_told(
    world: World, scale_team: list[User]
) -> None:
    second_admin = AdminFactory.create(name="Second Admin")
    account = unowned()
    step = fire(account, StepKind.ASSIGN_OWNER, {"rules": "any: Scale", "cap": 1})
    assert step.status == "skipped"
    assert step.detail.startswith("every CSM in team Scale is at the cap of 1 account")
    assert Account.objects.get(pk=account.pk).owner is None
    items = Notification.objects.filter(account=account)
    assert {n.user for n in items} == {world.admin, second_admin}
    assert all(n.kind == NotificationKind.ACCOUNT for n in items)
    assert all("every CSM in team Scale is at the cap of 1 account" in n.title for n in items)
    run = PlaybookRun.objects.get()
    assert {n.url for n in items} == {reverse("playbook_run", args=[account.slug, run.pk])}


def test_the_cap_leaves_out_only_those_at_it(world: World, scale_team: list[User]) -> None:
    account = unowned()
    fire(account, StepKind.ASSIGN_OWNER, {"rules": "any: Scale", "cap": 2})
    assert Account.objects.get(pk=account.pk).owner == scale_team[1]


def test_inactive_csms_and_other_teams_are_never_chosen(
    world: World, scale_team: list[User]
) -> None:
    ann, ben, cat = scale_team
    User.objects.filter(pk__in=[ben.pk, cat.pk]).update(is_active=False)
    CSMFactory.create(name="Zed", team="Strategic")
    account = unowned()
    fire(account, StepKind.ASSIGN_OWNER, {"rules": "any: Scale"})
    assert Account.objects.get(pk=account.pk).owner == ann


@pytest.mark.parametrize(
    "rules,problem",
    [
        ("any: Nobody", "no active CSM is in team “Nobody”"),
        ("smb: ghost@vendor.example", "ghost@vendor.example is not an active CSM"),
        ("gold: Scale", "there is no segment “gold”"),
        ("Scale", "is not “segment: team or e-mails”"),
        ("smb: Scale\nsmb: Scale", "given twice"),
    ],
)
def test_bad_rules_are_named_in_words(
    world: World, scale_team: list[User], rules: str, problem: str
) -> None:
    problems = load()[StepKind.ASSIGN_OWNER].validate({"rules": rules})
    assert any(problem in p for p in problems), problems
    assert not load()[StepKind.ASSIGN_OWNER].validate({"rules": "any: Scale"})


def test_a_cs_admin_puts_someone_in_a_team(world: World) -> None:
    client = client_for(world.admin)
    response = client.post(reverse("staff_team", args=[world.csm.pk]), {"team": "  Scale  "})
    assert response.status_code == 302
    world.csm.refresh_from_db()
    assert world.csm.team == "Scale"
    logged = Activity.objects.get(verb="changed a staff team")
    assert logged.before == {"team": ""} and logged.after == {"team": "Scale"}
    page = client.get(reverse("staff")).content.decode()
    assert 'value="Scale"' in page and '<option value="Scale">' in page


def test_a_team_name_too_long_is_refused_and_changes_nothing(world: World) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(reverse("staff_team", args=[world.csm.pk]), {"team": "x" * 61})
    assert response.status_code == 422
    assert b"at most 60 characters" in response.content


# Flag an upsell lead ----------------------------------------------------------------------------


def test_a_step_flags_one_upsell_lead_with_its_reason(world: World) -> None:
    params = {"reason": "{account} is near its seat limit"}
    step = fire(world.account, StepKind.FLAG_CSQL, params, name="Seats nearly full")
    assert step.status == "done", step.detail
    lead = UpsellLead.objects.get()
    assert lead.account == world.account and lead.status == UpsellLead.Status.OPEN
    assert lead.reason == "Acme is near its seat limit"
    assert "Seats nearly full" in lead.source and lead.flagged_by is None
    assert (
        Activity.objects.filter(verb="flagged an upsell lead", account=world.account).count() == 1
    )
    again = fire(world.account, StepKind.FLAG_CSQL, {"reason": "Another reason"}, name="Again")
    assert again.status == "skipped" and again.detail.startswith("already flagged")
    assert UpsellLead.objects.count() == 1


def test_a_closed_lead_lets_a_new_one_be_flagged(world: World) -> None:
    UpsellLeadFactory.create(account=world.account, status=UpsellLead.Status.LOST)
    step = fire(world.account, StepKind.FLAG_CSQL, {"reason": "Asked for SSO"})
    assert step.status == "done"
    assert UpsellLead.objects.filter(status=UpsellLead.Status.OPEN).count() == 1


def test_the_book_lists_open_leads_of_the_csms_accounts_only(world: World) -> None:
    UpsellLeadFactory.create(account=world.account, reason="Wants the analytics add-on")
    UpsellLeadFactory.create(account=world.other_account, reason="Bluth wants more seats")
    UpsellLeadFactory.create(
        account=world.account, reason="Old and won", status=UpsellLead.Status.WON
    )
    page = client_for(world.csm).get(reverse("book")).content.decode()
    assert "Upsell leads (CSQL)" in page
    assert "Wants the analytics add-on" in page
    assert "Bluth wants more seats" not in page and "Old and won" not in page
    everyone = client_for(world.admin).get(reverse("book")).content.decode()
    assert "Wants the analytics add-on" in everyone and "Bluth wants more seats" in everyone


def test_the_book_runs_as_many_queries_for_5_leads_as_for_1(world: World) -> None:
    client = client_for(world.admin)
    UpsellLeadFactory.create(account=world.account)
    few = page_queries(client, reverse("book"))
    for _ in range(4):
        UpsellLeadFactory.create(account=AccountFactory.create(), flagged_by=world.csm)
    assert_same_queries(few, page_queries(client, reverse("book")), "book")


def test_the_360_page_shows_the_open_lead(world: World) -> None:
    UpsellLeadFactory.create(account=world.account, reason="Wants the analytics add-on")
    page = get_360(
        client_for(world.csm), reverse("account_360", args=["acme"]), panels=("csqls",)
    ).content.decode()
    assert "Wants the analytics add-on" in page


@pytest.mark.parametrize(
    "status,extra,logged_extra",
    [
        ("won", {"won_amount": "7200"}, {"won_amount": "7200"}),
        ("lost", {"lost_reason": "No budget this year"}, {"lost_reason": "No budget this year"}),
        ("dismissed", {}, {}),
    ],
)
def test_the_csm_closes_a_lead(
    world: World, status: str, extra: dict[str, str], logged_extra: dict[str, str]
) -> None:
    lead = UpsellLeadFactory.create(account=world.account)
    url = reverse("upsell_lead_close", args=["acme", lead.pk])
    response = client_for(world.csm).post(url, {"status": status, "back": "book", **extra})
    assert response.status_code == 302 and response["Location"] == reverse("book")
    lead.refresh_from_db()
    assert lead.status == status and lead.closed_at == NOW
    logged = Activity.objects.get(verb="closed an upsell lead")
    assert logged.actor == world.csm and logged.after == {"status": status, **logged_extra}


@pytest.mark.parametrize("status", ["", "open", "maybe"])
def test_closing_with_a_junk_status_is_refused_and_changes_nothing(
    world: World, status: str
) -> None:
    lead = UpsellLeadFactory.create(account=world.account)
    url = reverse("upsell_lead_close", args=["acme", lead.pk])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"status": status})
    assert response.status_code == 422


def test_closing_a_closed_lead_is_refused(world: World) -> None:
    lead = UpsellLeadFactory.create(account=world.account, status=UpsellLead.Status.WON)
    url = reverse("upsell_lead_close", args=["acme", lead.pk])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"status": "lost"})
    assert response.status_code == 422 and b"closed already" in response.content


def test_a_lead_is_closed_only_through_its_own_account(world: World) -> None:
    lead = UpsellLeadFactory.create(account=world.other_account)
    url = reverse("upsell_lead_close", args=["acme", lead.pk])  # Acme's URL, Bluth's lead
    client = client_for(world.admin)
    with unchanged():
        response = client.post(url, {"status": "won"})
    assert response.status_code == 404


# Notify the owner -------------------------------------------------------------------------------


def account_item(user: User, account: Account, title: str = "", **kw: Any) -> Notification:
    """An inbox item of kind "account", as a playbook step leaves one."""
    extra = {"title": title} if title else {}
    return NotificationFactory.create(
        user=user,
        account=account,
        kind=NotificationKind.ACCOUNT,
        url=f"/a/{account.slug}/",
        **extra,
        **kw,
    )


def test_the_owner_gets_an_inbox_item_with_the_merge_fields_filled(world: World) -> None:
    step = fire(world.account, StepKind.NOTIFY_OWNER, {"text": "Say hello to {account}"})
    assert step.status == "done", step.detail
    assert step.detail == "notice for Casey CSM: “Say hello to Acme”"
    item = Notification.objects.get()
    assert item.user == world.csm and item.account == world.account
    assert item.kind == NotificationKind.ACCOUNT and item.title == "Say hello to Acme"
    run = PlaybookRun.objects.get()
    assert item.url == reverse("playbook_run", args=["acme", run.pk])  # the run that asked
    assert item.read_at is None and item.emailed_at is None  # in the portal only, as before


def test_without_an_owner_every_cs_admin_is_notified(world: World) -> None:
    second_admin = AdminFactory.create()
    account = unowned()
    fire(account, StepKind.NOTIFY_OWNER, {"text": "{account} has no owner yet"})
    assert {n.user for n in Notification.objects.all()} == {world.admin, second_admin}


def test_a_notify_step_delivered_twice_tells_once(world: World) -> None:
    step = RunStepFactory.create(
        run__event__account=world.account,
        kind=StepKind.NOTIFY_OWNER,
        params={"text": "Call {account}"},
        status=StepStatus.RUNNING,
    )
    assert run_due_step(step.pk) == "done"
    assert run_due_step(step.pk) == "nothing to do"  # the job came again: done already
    assert Notification.objects.filter(user=world.csm).count() == 1


def test_today_shows_unread_account_updates_and_the_bell_counts_them(world: World) -> None:
    account_item(world.csm, world.account, "Acme signed up")
    account_item(world.csm, world.account, "Old news", read_at=NOW)
    account_item(world.other_csm, world.other_account, "Bluth news")
    NotificationFactory.create(user=world.csm, kind=NotificationKind.PLANS, title="Dana commented")
    page = client_for(world.csm).get(reverse("today")).content.decode()
    assert "Acme signed up" in page
    assert "Old news" not in page and "Bluth news" not in page
    assert "Dana commented" not in page  # not an account update: in the inbox only
    assert 'aria-label="Inbox, 2 unread"' in page  # the bell counts every kind
    assert "nav-notice-count" not in page and "unread notice" not in page  # no second count
    portfolio = client_for(world.csm).get(reverse("portfolio")).content.decode()
    assert 'aria-label="Inbox, 2 unread"' in portfolio  # the count is on every page


def test_marking_one_read_from_today_goes_through_the_inbox(world: World) -> None:
    item = account_item(world.csm, world.account, "Acme signed up")
    account_item(world.csm, world.account, "Second one")
    client = client_for(world.csm)
    today = client.get(reverse("today")).content.decode()
    assert f'hx-post="{reverse("inbox_read", args=[item.pk])}"' in today
    response = client.post(reverse("inbox_read", args=[item.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.read_at == NOW
    html = response.content.decode()
    assert 'id="inbox-bell"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-label="Inbox, 1 unread"' in html
    assert response["HX-Trigger"] == "inbox-read"  # Today fetches its updates again
    again = client.get(reverse("today") + "?part=inbox", HTTP_HX_REQUEST="true")
    assert again.status_code == 200
    assert 'hx-trigger="inbox-read from:body"' in again.content.decode()
    assert "Acme signed up" not in again.content.decode()
    assert "Second one" in again.content.decode()


def test_marking_one_read_without_javascript_comes_back_to_today(world: World) -> None:
    item = account_item(world.csm, world.account)
    response = client_for(world.csm).post(
        reverse("inbox_read", args=[item.pk]), {"next": reverse("today")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("today")
    item.refresh_from_db()
    assert item.read_at == NOW


def test_a_next_elsewhere_goes_to_the_inbox(world: World) -> None:
    item = account_item(world.csm, world.account)
    response = client_for(world.csm).post(
        reverse("inbox_read", args=[item.pk]), {"next": "//evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("inbox")


def test_marking_all_read(world: World) -> None:
    for n in range(3):
        account_item(world.csm, world.account, f"News {n}")
    plans = NotificationFactory.create(user=world.csm, kind=NotificationKind.PLANS)
    mine_elsewhere = account_item(world.other_csm, world.other_account)
    response = client_for(world.csm).post(
        reverse("inbox_read_all"), {"kind": "account", "next": reverse("today")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("today")
    assert not Notification.objects.filter(
        user=world.csm, kind=NotificationKind.ACCOUNT, read_at__isnull=True
    ).exists()
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None  # someone else's stays unread
    plans.refresh_from_db()
    assert plans.read_at is None  # Today marks its account updates only


def test_someone_elses_item_does_not_exist_for_you(world: World) -> None:
    item = account_item(world.csm, world.account)
    client = client_for(world.admin)
    with unchanged():
        response = client.post(reverse("inbox_read", args=[item.pk]))
    assert response.status_code == 404


def test_today_runs_as_many_queries_for_12_updates_as_for_2(world: World) -> None:
    client = client_for(world.csm)
    for _ in range(2):
        account_item(world.csm, world.account)
    few = page_queries(client, reverse("today"))
    other = AccountFactory.create()
    for _ in range(10):
        account_item(world.csm, other)
    assert_same_queries(few, page_queries(client, reverse("today")), "today")


def test_customers_never_see_the_account_updates(world: World) -> None:
    account_item(world.csm, world.account, "Acme needs an owner CSM")
    page = account_page(client_for(world.champion), "acme").content
    assert b"Acme needs an owner CSM" not in page and b"nav-notice-count" not in page
    assert b'aria-label="Inbox, 0 unread"' in page  # their bell counts their own items
    response = client_for(world.champion).get(
        reverse("today") + "?part=inbox", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403


def test_todays_updates_cost_one_query_and_customers_none(world: World) -> None:
    for _ in range(3):
        account_item(world.csm, world.account)
    assert count_queries(lambda: unread_account_items(world.csm)) == 1
    assert unread_account_items(world.csm).count == 3
    assert count_queries(lambda: unread_account_items(world.champion)) == 0


# What the preview says ----------------------------------------------------------------------------


def test_the_preview_says_what_each_step_would_do(world: World, scale_team: list[User]) -> None:
    monthly(world.account, 12_000)
    describe = {kind: spec.describe for kind, spec in load().items()}
    ranges = {"field": "segment", "value": "from_mrr", "mrr_ranges": "enterprise >= 10000, smb"}
    assert describe[StepKind.SET_ACCOUNT_FIELD](ranges, world.account) == (
        "the segment set to Enterprise from its MRR €12,000"
    )
    stage = {"field": "stage", "value": "onboarding"}
    assert describe[StepKind.SET_ACCOUNT_FIELD](stage, world.account).endswith(
        "(already set: skipped)"
    )
    assert "owns it already" in describe[StepKind.ASSIGN_OWNER](
        {"rules": "any: Scale"}, world.account
    )
    assert "team Scale" in describe[StepKind.ASSIGN_OWNER]({"rules": "any: Scale"}, unowned())
    assert (
        describe[StepKind.NOTIFY_OWNER]({"text": "Hi"}, world.account)
        == "a notice for Casey CSM: “Hi”"
    )
    UpsellLeadFactory.create(account=world.account, rule=UpsellLead.Rule.PLAYBOOK)
    assert describe[StepKind.FLAG_CSQL]({"reason": "Seats"}, world.account).endswith(
        "(already flagged: skipped)"
    )
