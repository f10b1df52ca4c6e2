"""Sign-offs: the vendor asks, the customer's champion or executive approves or rejects with a
reason; the plan page, the timeline, the inbox and the business review PDF show it. The URL x
role matrix is in tests/test_access_matrix.py (tests/signoffs_factories.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.access import AccountAccess
from accounts.models import Activity, Notification
from successplans.figures import signoffs_in_period
from successplans.models import Milestone, MilestoneStatus, SignOff, SignOffStatus
from successplans.services import (
    approve_signoff,
    may_decide,
    reject_signoff,
    request_signoff,
)
from successplans.signals import signoff_rejected
from tests.conftest import World, client_for
from tests.queries import assert_same_queries, page_queries
from tests.signoffs_factories import MilestoneFactory, PlanFactory, SignOffFactory, ask_signoff
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def plan(world: World) -> Any:
    return PlanFactory.create(account=world.account, created_by=world.csm, name="FY27 plan")


def decide_url(signoff: SignOff, decision: str, slug: str = "acme") -> str:
    name = "signoff_approve" if decision == "approve" else "signoff_reject"
    return reverse(name, args=[slug, signoff.pk])


# Asking -------------------------------------------------------------------------------------


def test_the_csm_asks_and_every_champion_and_executive_hears_of_it(world: World, plan: Any) -> None:
    milestone = MilestoneFactory.create(plan=plan, title="Reports delivered")
    url = reverse("plan_signoff_request", args=["acme", plan.pk, milestone.pk])
    response = client_for(world.csm).post(url, {"approver": "", "note": "Check the totals"})
    assert response.status_code == 302
    signoff = SignOff.objects.get(milestone=milestone)
    assert (signoff.status, signoff.requested_by, signoff.approver) == ("pending", world.csm, None)
    assert signoff.note == "Check the totals"
    told = set(
        Notification.objects.filter(title__contains="Reports delivered").values_list(
            "user", flat=True
        )
    )
    assert told == {world.champion.pk, world.executive.pk}
    assert Activity.objects.filter(
        account=world.account, verb="asked for", target_id=str(signoff.pk)
    ).exists()


def test_a_named_approver_alone_hears_of_it_and_alone_decides(world: World, plan: Any) -> None:
    milestone = MilestoneFactory.create(plan=plan)
    signoff = request_signoff(milestone, approver=world.executive, acting_user=world.csm)
    assert list(Notification.objects.values_list("user", flat=True)) == [world.executive.pk]
    champion = AccountAccess(account=world.account, role="champion")
    executive = AccountAccess(account=world.account, role="executive")
    assert not may_decide(champion, signoff, world.champion)
    assert may_decide(executive, signoff, world.executive)
    client = client_for(world.champion)
    with unchanged():
        response = client.post(decide_url(signoff, "approve"))
    assert response.status_code == 403


def test_asking_twice_for_the_same_milestone_is_refused(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm)
    url = reverse("plan_signoff_request", args=["acme", plan.pk, signoff.milestone_id])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"approver": ""}, **HTMX)
    assert response.status_code == 422
    assert "already waiting" in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOffFactory.create(milestone=signoff.milestone)


def test_an_approver_from_another_account_is_refused(world: World, plan: Any) -> None:
    milestone = MilestoneFactory.create(plan=plan)
    url = reverse("plan_signoff_request", args=["acme", plan.pk, milestone.pk])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"approver": world.other_champion.pk})
    assert response.status_code == 422
    assert not SignOff.objects.exists()


def test_an_internal_milestone_is_not_sent_for_sign_off(world: World, plan: Any) -> None:
    milestone = MilestoneFactory.create(plan=plan, internal=True)
    with pytest.raises(ValidationError):
        request_signoff(milestone, approver=None, acting_user=world.csm)
    url = reverse("plan_signoff_request", args=["acme", plan.pk, milestone.pk])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"approver": ""})
    assert response.status_code == 403


# Deciding -----------------------------------------------------------------------------------


def test_approving_marks_the_milestone_done_and_records_who_and_when(
    world: World, plan: Any
) -> None:
    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    response = client_for(world.executive).post(decide_url(signoff, "approve"))
    assert response.status_code == 302
    signoff.refresh_from_db()
    assert (signoff.status, signoff.decided_by, signoff.decided_at) == (
        "approved",
        world.executive,
        NOW,
    )
    milestone = Milestone.objects.get(pk=signoff.milestone_id)
    assert (milestone.status, milestone.done_at) == (MilestoneStatus.DONE, NOW)
    assert Activity.objects.filter(
        verb="approved", target_id=str(signoff.pk), actor=world.executive
    ).exists()
    # The CSM who asked hears of it.
    assert Notification.objects.filter(user=world.csm, title__contains="approved").exists()


def test_rejecting_needs_a_reason_and_changes_nothing_without_one(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm)
    client = client_for(world.champion)
    with unchanged():
        response = client.post(decide_url(signoff, "reject"), {"reason": "  "}, **HTMX)
    assert response.status_code == 422
    assert "Say why" in response.content.decode()
    client = client_for(world.champion)
    with unchanged():
        response = client.post(decide_url(signoff, "reject"), {"reason": ""})
    assert response.status_code == 422


def test_rejecting_reopens_the_milestone_and_keeps_the_reason(
    world: World, plan: Any, django_capture_on_commit_callbacks: Any
) -> None:
    signoff = ask_signoff(plan, world.csm, status=MilestoneStatus.DONE)
    heard: list[SignOff] = []

    def listener(sender: Any, signoff: SignOff, **kwargs: Any) -> None:
        heard.append(signoff)

    signoff_rejected.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reject_signoff(signoff, reason="Two reports are missing", acting_user=world.champion)
    finally:
        signoff_rejected.disconnect(listener)
    signoff.refresh_from_db()
    assert (signoff.status, signoff.reason, signoff.decided_by) == (
        "rejected",
        "Two reports are missing",
        world.champion,
    )
    milestone = Milestone.objects.get(pk=signoff.milestone_id)
    assert (milestone.status, milestone.done_at) == (MilestoneStatus.IN_PROGRESS, None)
    assert [s.pk for s in heard] == [signoff.pk]


def test_a_decided_sign_off_is_not_decided_again(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm)
    approve_signoff(signoff, acting_user=world.executive)
    with pytest.raises(ValidationError):
        approve_signoff(signoff, acting_user=world.champion)
    client = client_for(world.champion)
    with unchanged():
        response = client.post(decide_url(signoff, "reject"), {"reason": "No"})
    assert response.status_code == 409
    signoff.refresh_from_db()
    assert signoff.decided_by == world.executive


def test_a_sign_off_of_another_account_is_not_found_and_nothing_changes(world: World) -> None:
    other_plan = PlanFactory.create(account=world.other_account, created_by=world.other_csm)
    foreign = ask_signoff(other_plan, world.other_csm)
    for decision, data in (("approve", {}), ("reject", {"reason": "No"})):
        client = client_for(world.champion)
        with unchanged():
            response = client.post(decide_url(foreign, decision), data)
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == SignOffStatus.PENDING


def test_a_sign_off_of_an_internal_milestone_is_not_found_by_the_customer(
    world: World, plan: Any
) -> None:
    signoff = ask_signoff(plan, world.csm, internal=True)
    client = client_for(world.executive)
    with unchanged():
        response = client.post(decide_url(signoff, "approve"))
    assert response.status_code == 404


def test_members_and_the_vendor_do_not_decide(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm)
    for user in (world.member, world.csm, world.admin):
        client = client_for(user)
        with unchanged():
            response = client.post(decide_url(signoff, "approve"))
        assert response.status_code == 403


def test_a_preview_of_the_executive_changes_nothing(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm)
    client = client_for(world.csm)
    client.post(reverse("view_as_start", args=["acme"]), {"role": "executive"})
    with unchanged(ignoring=(Activity,)):
        response = client.post(decide_url(signoff, "approve"))
    assert response.status_code == 403
    signoff.refresh_from_db()
    assert signoff.pending


# Where sign-offs show -----------------------------------------------------------------------


def test_the_plan_page_shows_pending_approved_and_rejected_sign_offs(
    world: World, plan: Any
) -> None:
    pending = ask_signoff(plan, world.csm, title="Dashboards live")
    approved = ask_signoff(plan, world.csm, title="Reports delivered")
    approve_signoff(approved, acting_user=world.executive)
    rejected = ask_signoff(plan, world.csm, title="Training done")
    reject_signoff(rejected, reason="Half the team missed it", acting_user=world.champion)
    url = reverse("plan_milestones", args=["acme", plan.pk])
    html = client_for(world.csm).get(url).content.decode()
    assert "Waiting for sign-off" in html
    assert f"by {world.executive.display_name}, 16 Nov 2026, 09:00" in html
    assert "Half the team missed it" in html
    # The CSM may ask again for the rejected one, not for the pending one.
    assert reverse("plan_signoff_request", args=["acme", plan.pk, rejected.milestone_id]) in html
    assert reverse("plan_signoff_request", args=["acme", plan.pk, pending.milestone_id]) not in html
    # The champion gets the approve and reject buttons of the pending one; the member not.
    assert decide_url(pending, "approve") in client_for(world.champion).get(url).content.decode()
    assert decide_url(pending, "approve") not in client_for(world.member).get(url).content.decode()


def test_deciding_from_the_plan_page_answers_the_milestone_row(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    response = client_for(world.champion).post(
        decide_url(signoff, "approve"), {"shown_on": "plan"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="milestone-{signoff.milestone_id}"' in html
    assert "Sign-off approved" in html


def test_the_timeline_shows_the_decision(world: World, plan: Any) -> None:
    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    reject_signoff(signoff, reason="Not yet", acting_user=world.champion)
    html = client_for(world.csm).get(reverse("account_activity", args=["acme"])).content.decode()
    assert "rejected" in html and "the sign-off of “Reports delivered”" in html


def test_the_plan_page_costs_the_same_queries_for_few_and_many_sign_offs(
    world: World, plan: Any
) -> None:
    for _ in range(3):
        approve_signoff(ask_signoff(plan, world.csm), acting_user=world.executive)
    url = reverse("plan_milestones", args=["acme", plan.pk])
    few = {u: page_queries(client_for(u), url) for u in (world.csm, world.champion)}
    for n in range(30):
        signoff = ask_signoff(plan, world.csm)
        if n % 2:
            reject_signoff(signoff, reason="No", acting_user=world.champion)
    for user, count in few.items():
        assert_same_queries(
            count, page_queries(client_for(user), url), f"plan milestones as {user}"
        )


def test_the_review_period_lists_decided_and_pending_sign_offs(
    world: World, plan: Any, time_machine: Any
) -> None:
    before = ask_signoff(plan, world.csm, title="Decided before")
    time_machine.move_to(NOW - timedelta(days=60), tick=False)
    approve_signoff(before, acting_user=world.executive)
    time_machine.move_to(NOW, tick=False)
    approved = ask_signoff(plan, world.csm, title="Approved in the period")
    approve_signoff(approved, acting_user=world.executive)
    waiting = ask_signoff(plan, world.csm, title="Still waiting")
    start, end = NOW.date() - timedelta(days=30), NOW.date()
    assert [s.pk for s in signoffs_in_period(world.account, start, end)] == [
        before.pk,
        approved.pk,
        waiting.pk,
    ][1:]


def test_the_business_review_pdf_has_a_sign_offs_section(world: World, plan: Any) -> None:
    from reports.figures import review_inputs
    from reports.models import Review

    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    reject_signoff(signoff, reason="Two reports are missing", acting_user=world.champion)
    review = Review.objects.create(
        account=world.account,
        title="Q4 review",
        period_start=NOW.date() - timedelta(days=90),
        period_end=NOW.date(),
        created_by=world.csm,
    )
    inputs = review_inputs(review)
    assert inputs["signoffs"] == [
        {
            "title": "Reports delivered",
            "status": "rejected",
            "status_label": "Rejected",
            "asked": inputs["signoffs"][0]["asked"],
            "by": world.champion.display_name,
            "decided": inputs["signoffs"][0]["decided"],
            "reason": "Two reports are missing",
        }
    ]
    from reports.rendering import render_html

    html = render_html(inputs)
    assert "<h2>Sign-offs</h2>" in html and "Two reports are missing" in html


def test_a_rejection_is_a_playbook_signal(
    world: World, plan: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from portal.models import Job

    signoff = ask_signoff(plan, world.csm, title="Reports delivered")
    with django_capture_on_commit_callbacks(execute=True):
        reject_signoff(signoff, reason="Two reports are missing", acting_user=world.champion)
    jobs = [
        j
        for j in Job.objects.filter(task="playbooks.record_event")
        if j.kwargs["kind"] == "signoff_rejected"
    ]
    assert len(jobs) == 1
    job = jobs[0]
    assert job.kwargs["source"] == f"signoff:{signoff.pk}"
    assert job.kwargs["data"]["reason"] == "Two reports are missing"
