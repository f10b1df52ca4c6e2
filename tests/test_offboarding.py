"""Offboarding: started once when a renewal churns (or by the CSM), each side ticks its own
steps, the exit survey ticks its step and never counts in NPS, CSAT or CES, and the account
is offboarded once every step is done."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.access import AccountAccess, Role
from accounts.models import Activity, Stage
from offboarding import services
from offboarding.models import Offboarding, OffboardingStep, Side, StepKind, StepTemplate
from playbooks.models import Event, EventKind
from renewals.models import ChurnReason
from renewals.services import update_renewal
from surveys.figures import account_summary
from surveys.forms import SurveyForm
from surveys.models import Delivery, Kind, Response
from surveys.services import record_exit_response, record_response
from tests.conftest import World, client_for
from tests.offboarding_factories import exit_delivery, make_offboarding
from tests.renewals_factories import make_renewal
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def churn(world: World, capture: Any) -> Any:
    renewal = make_renewal(world.account, ends_on=date(2027, 1, 20))
    with capture(execute=True):
        update_renewal(
            renewal,
            stage="churned",
            forecast="will_churn",
            churn_reason=ChurnReason.objects.get(name="Price"),
            acting_user=world.csm,
        )
    return renewal


# Starting -------------------------------------------------------------------------------------


def test_a_churned_renewal_starts_the_offboarding_once_with_the_default_steps(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    renewal = churn(world, django_capture_on_commit_callbacks)
    offboarding = Offboarding.objects.get(account=world.account)
    assert offboarding.renewal == renewal and offboarding.started_by is None
    titles = list(offboarding.steps.values_list("title", "side", "kind"))
    assert titles == list(StepTemplate.objects.values_list("title", "side", "kind"))
    assert [t for t, _, k in titles if k == StepKind.EXIT_SURVEY] == ["Exit survey answered"]
    # Churned again (reopened, churned), or started by hand: still the one offboarding.
    with django_capture_on_commit_callbacks(execute=True):
        update_renewal(renewal, stage="in_progress", forecast="at_risk", acting_user=world.csm)
        update_renewal(
            renewal,
            stage="churned",
            forecast="will_churn",
            churn_reason=ChurnReason.objects.get(name="Price"),
            acting_user=world.csm,
        )
    assert services.start_offboarding(world.account, acting_user=world.csm) == offboarding
    assert Offboarding.objects.count() == 1
    assert OffboardingStep.objects.count() == StepTemplate.objects.count()
    assert Activity.objects.filter(verb="started the offboarding").count() == 1
    assert Event.objects.filter(kind=EventKind.OFFBOARDING_STARTED).count() == 1


def test_starting_asks_the_champions_the_exit_survey_with_the_churn_reasons(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ChurnReason.objects.filter(name="Price").update(active=True)
    ChurnReason.objects.filter(name="Champion left").update(active=False)
    churn(world, django_capture_on_commit_callbacks)
    [delivery] = Delivery.objects.filter(account=world.account)
    survey = delivery.campaign.survey
    assert delivery.user == world.champion and survey.kind == Kind.EXIT
    assert "Price" in survey.choices and "Champion left" not in survey.choices
    assert Offboarding.objects.get().exit_survey_sent_at == NOW


def test_the_csm_starts_it_by_hand_from_the_360_page(world: World) -> None:
    panel = client_for(world.csm).get(reverse("account_panel", args=["acme", "offboarding"]))
    assert "Start the offboarding" in panel.content.decode()
    response = client_for(world.csm).post(reverse("offboarding_start", args=["acme"]))
    assert response.status_code == 302
    assert Offboarding.objects.get(account=world.account).started_by == world.csm


def test_a_champion_may_not_start_it(world: World) -> None:
    champion = client_for(world.champion)
    with unchanged():
        response = champion.post(reverse("offboarding_start", args=["acme"]))
    assert response.status_code == 403


# Ticking --------------------------------------------------------------------------------------


def test_the_champion_ticks_the_customer_steps_and_sees_only_those(world: World) -> None:
    steps = make_offboarding(world.account)
    page = client_for(world.champion).get(reverse("offboarding", args=["acme"])).content.decode()
    assert steps["customer_step"].title in page and steps["vendor_step"].title not in page
    url = reverse("offboarding_step_tick", args=["acme", steps["customer_step"].pk])
    assert client_for(world.champion).post(url, {"done": "on"}).status_code == 302
    steps["customer_step"].refresh_from_db()
    assert steps["customer_step"].done_by == world.champion and steps["customer_step"].done


def test_the_customer_cannot_tick_the_vendors_steps_nor_the_exit_survey(world: World) -> None:
    steps = make_offboarding(world.account)
    champion, executive = client_for(world.champion), client_for(world.executive)
    for step, code in ((steps["vendor_step"], 404), (steps["exit_step"], 403)):
        url = reverse("offboarding_step_tick", args=["acme", step.pk])
        with unchanged():
            assert champion.post(url, {"done": "on"}).status_code == code
    url = reverse("offboarding_step_tick", args=["acme", steps["customer_step"].pk])
    with unchanged():  # an executive follows it, the champion ticks
        assert executive.post(url, {"done": "on"}).status_code == 403


def test_the_vendor_ticks_any_step_and_sees_them_all(world: World) -> None:
    steps = make_offboarding(world.account)
    page = client_for(world.csm).get(reverse("offboarding", args=["acme"])).content.decode()
    assert steps["vendor_step"].title in page and steps["customer_step"].title in page
    url = reverse("offboarding_step_tick", args=["acme", steps["vendor_step"].pk])
    assert client_for(world.csm).post(url, {"done": "on"}).status_code == 302
    assert OffboardingStep.objects.get(pk=steps["vendor_step"].pk).done_by == world.csm


def test_another_accounts_offboarding_is_404(world: World) -> None:
    theirs = make_offboarding(world.other_account)
    url = reverse("offboarding_step_tick", args=["acme", theirs["customer_step"].pk])
    champion = client_for(world.champion)
    with unchanged():
        assert champion.post(url, {"done": "on"}).status_code == 404
    assert champion.get(reverse("offboarding", args=["bluth"])).status_code == 404


# The exit survey ------------------------------------------------------------------------------


def test_an_exit_answer_ticks_the_exit_step_and_shows_the_vendor_the_reason(world: World) -> None:
    steps = make_offboarding(world.account)
    delivery = exit_delivery(world.account, world.champion)
    url = reverse("survey_exit_answer", args=["acme", delivery.pk])
    form = client_for(world.champion).get(url).content.decode()
    assert "What is the main reason you are leaving?" in form and "Price" in form
    response = client_for(world.champion).post(
        url, {"reason": "Another reason", "other": "Moved in-house", "comment": "Thanks all"}
    )
    assert response.status_code == 302
    answer = Response.objects.get(delivery=delivery)
    assert (answer.kind, answer.reason, answer.comment) == (
        Kind.EXIT,
        "Moved in-house",
        "Thanks all",
    )
    step = OffboardingStep.objects.get(pk=steps["exit_step"].pk)
    assert step.done and step.done_by == world.champion
    page = client_for(world.csm).get(reverse("offboarding", args=["acme"])).content.decode()
    assert "Moved in-house" in page and "Thanks all" in page


def test_another_reason_needs_words(world: World) -> None:
    delivery = exit_delivery(world.account, world.champion)
    url = reverse("survey_exit_answer", args=["acme", delivery.pk])
    champion = client_for(world.champion)
    with unchanged():
        response = champion.post(url, {"reason": "Another reason"})
    assert response.status_code == 422


def test_exit_answers_never_count_in_nps_csat_or_ces(world: World) -> None:
    campaign = make_campaign(make_survey(world.csm, kind=Kind.NPS), world.admin)
    record_response(deliver(campaign, world.executive, account=world.account), 10, channel="portal")
    before = account_summary(world.account, 90)
    record_exit_response(exit_delivery(world.account, world.champion), reason="Price", comment="")
    after = account_summary(world.account, 90)
    assert Response.objects.filter(kind=Kind.EXIT).count() == 1
    assert after == before
    assert (after.nps.responses, after.nps.promoters) == (1, 1)


def test_the_survey_builder_offers_no_exit_kind() -> None:
    kinds = [value for value, _ in SurveyForm().fields["kind"].choices]  # type: ignore[attr-defined]
    assert kinds == ["nps", "csat", "ces"]


# Completing -----------------------------------------------------------------------------------


def test_the_account_is_offboarded_only_once_every_step_is_done(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    steps = make_offboarding(world.account)
    url = reverse("offboarding_complete", args=["acme"])
    csm = client_for(world.csm)
    with unchanged():
        assert csm.post(url).status_code == 422
    OffboardingStep.objects.update(done_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        assert csm.post(url).status_code == 302
    world.account.refresh_from_db()
    assert world.account.offboarded_at == NOW and world.account.stage == Stage.CHURNED
    assert Offboarding.objects.get(pk=steps["offboarding"].pk).completed_by == world.csm
    assert Event.objects.filter(kind=EventKind.OFFBOARDING_COMPLETED).count() == 1
    # Its history stays readable, for the vendor and the customer.
    assert client_for(world.champion).get(reverse("offboarding", args=["acme"])).status_code == 200
    assert client_for(world.champion).get(reverse("documents", args=["acme"])).status_code == 200
    # Nothing ticks any more.
    vendor = AccountAccess(account=world.account, role=Role.CSM)
    step = OffboardingStep.objects.get(pk=steps["vendor_step"].pk)
    with pytest.raises(ValidationError):
        services.tick_step(step, done=False, access=vendor, acting_user=world.csm)


def test_a_cs_admin_edits_the_template_and_a_started_offboarding_keeps_its_copy(
    world: World,
) -> None:
    steps = make_offboarding(world.account)
    admin = client_for(world.admin)
    admin.post(reverse("offboarding_checklist"), {"title": "Licences returned", "side": "customer"})
    added = StepTemplate.objects.get(title="Licences returned")
    assert added.side == Side.CUSTOMER and added == StepTemplate.objects.last()
    admin.post(reverse("offboarding_checklist_move", args=[added.pk]), {"direction": "up"})
    assert list(StepTemplate.objects.all())[-2] == added
    first = StepTemplate.objects.first()
    assert first is not None
    admin.post(reverse("offboarding_checklist_remove", args=[first.pk]))
    assert not StepTemplate.objects.filter(pk=first.pk).exists()
    assert steps["offboarding"].steps.count() == 3  # unchanged


def test_the_survey_results_offer_no_exit_campaign_and_never_fail_on_one(world: World) -> None:
    delivery = exit_delivery(world.account, world.champion)
    record_exit_response(delivery, reason="Price", comment="")
    admin = client_for(world.admin)
    page = admin.get(reverse("survey_results")).content.decode()
    assert "Exit survey (sent by offboarding)" not in page
    asked = admin.get(reverse("survey_results"), {"campaign": delivery.campaign_id})
    assert asked.status_code == 422  # not one of the choices: said so, NPS shown instead
