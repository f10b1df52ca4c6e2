"""Renewals: opening them, moving them on, the reminders, the forecast NRR, the pipeline, the
customer's page and the CS admins' lists."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.access import AccountAccess
from accounts.models import Activity
from insights.models import AccountFacts, HealthScore, ProductUser, UsageDay
from playbooks.models import Event, EventKind
from portal.models import Job
from renewals import figures, services
from renewals.models import ChurnReason, Forecast, Renewal, RenewalStage, Side, StepTemplate
from renewals.signals import renewal_approaching
from surveys.models import Kind, Response
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.forecast_factories import ChurnForecastFactory
from tests.queries import count_queries, page_queries
from tests.renewals_factories import (
    ChurnReasonFactory,
    ContractFactory,
    RenewalStepFactory,
    make_renewal,
)
from tests.survey_helpers import deliver, make_campaign, make_survey
from tests.value_factories import kpi_with_readings

NOW = datetime(2027, 2, 10, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def access(world: World, who: str) -> AccountAccess:
    roles = {"csm": "csm", "admin": "cs_admin", "champion": "champion", "executive": "executive"}
    return AccountAccess(account=world.account, role=roles[who])


# Opening renewals -----------------------------------------------------------------------------


def test_a_renewal_opens_once_for_each_contract_ending_within_the_horizon(world: World) -> None:
    soon = ContractFactory.create(
        account=world.account,
        starts_on=date(2026, 3, 1),
        ends_on=date(2027, 3, 1),
        recurring_value=Decimal("24000"),
        term_months=12,
    )
    far = ContractFactory.create(
        account=world.account,
        starts_on=date(2026, 1, 1),
        ends_on=TODAY + timedelta(days=services.HORIZON_DAYS + 1),
    )
    ended = ContractFactory.create(
        account=world.account, starts_on=date(2025, 1, 1), ends_on=TODAY - timedelta(days=1)
    )
    opened = services.open_renewals(acting_user=None)
    assert [r.contract_id for r in opened] == [soon.pk]
    renewal = Renewal.objects.get(contract=soon)
    assert renewal.account == world.account
    assert renewal.amount_at_stake == Decimal("24000.00")  # the contract's ARR
    assert renewal.renews_on == date(2027, 3, 1)
    assert renewal.stage == RenewalStage.NOT_STARTED
    # The default checklist, copied.
    titles = list(renewal.steps.values_list("title", flat=True))
    assert titles == list(StepTemplate.objects.values_list("title", flat=True))
    assert "Order form signed" in titles
    assert Activity.objects.filter(verb="opened a renewal", account=world.account).count() == 1
    # A second run opens nothing.
    assert services.open_renewals(acting_user=None) == []
    assert Renewal.objects.count() == 1
    assert not Renewal.objects.filter(contract__in=[far, ended]).exists()


def test_contracts_written_in_bulk_open_their_renewals_in_a_job(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from insights.models import Contract
    from insights.signals import contracts_written

    contract = ContractFactory.create(account=world.account, ends_on=date(2027, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        contracts_written.send(sender=Contract, contract_ids=[contract.pk], written_at=NOW)
    job = Job.objects.get(task="renewals.open_renewals")
    assert job.kwargs == {"contract_ids": [contract.pk]}
    assert Renewal.objects.filter(contract=contract).exists()


def test_a_monthly_contract_puts_twelve_months_at_stake(world: World) -> None:
    contract = ContractFactory.create(
        account=world.account,
        ends_on=date(2027, 5, 1),
        recurring_value=Decimal("1000"),
        value_period="month",
    )
    assert services.annual_value(contract) == Decimal("12000.00")


# Moving a renewal on ------------------------------------------------------------------------------


def test_committed_needs_the_amount_and_a_refusal_changes_nothing(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 20))
    with pytest.raises(ValidationError, match="amount committed"):
        services.update_renewal(
            renewal, stage="committed", forecast="likely", acting_user=world.csm
        )
    renewal.refresh_from_db()
    assert renewal.stage == RenewalStage.NOT_STARTED
    assert not Activity.objects.filter(verb="updated a renewal").exists()


def test_churned_and_contracted_need_a_reason_from_the_list(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 20))
    for stage in ("churned", "contracted"):
        with pytest.raises(ValidationError, match="reason"):
            services.update_renewal(
                renewal,
                stage=stage,
                forecast="will_churn",
                amount_committed=Decimal(5000),
                acting_user=world.csm,
            )
    retired = ChurnReasonFactory.create(name="Retired one", active=False)
    with pytest.raises(ValidationError, match="no longer offered"):
        services.update_renewal(
            renewal,
            stage="churned",
            forecast="will_churn",
            churn_reason=retired,
            acting_user=world.csm,
        )
    with pytest.raises(ValidationError, match="below"):
        services.update_renewal(
            renewal,
            stage="contracted",
            forecast="at_risk",
            amount_committed=Decimal(12000),
            churn_reason=ChurnReason.objects.first(),
            acting_user=world.csm,
        )
    renewal.refresh_from_db()
    assert renewal.stage == RenewalStage.NOT_STARTED and renewal.churn_reason is None


def test_a_churn_is_closed_with_its_reason_and_tells_playbooks(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 20))
    reason = ChurnReason.objects.get(name="Budget cut")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_renewal(
            renewal,
            stage="churned",
            forecast="will_churn",
            churn_reason=reason,
            churn_note="Frozen spend",
            amount_committed=Decimal(1),
            acting_user=world.csm,
        )
    renewal.refresh_from_db()
    assert renewal.closed_at == NOW
    assert renewal.churn_reason == reason and renewal.churn_note == "Frozen spend"
    assert renewal.amount_committed is None  # nothing is committed on a churn
    kinds = set(Event.objects.filter(account=world.account).values_list("kind", flat=True))
    assert {EventKind.RENEWAL_STAGE_CHANGED, EventKind.RENEWAL_CHURNED} <= kinds
    churned = Event.objects.get(kind=EventKind.RENEWAL_CHURNED)
    assert churned.data["reason"] == "Budget cut" and churned.data["renewal_id"] == renewal.pk
    entry = Activity.objects.get(verb="updated a renewal")
    assert entry.before is not None and entry.after is not None
    assert entry.before["stage"] == "not_started" and entry.after["stage"] == "churned"
    assert entry.internal  # forecasts and reasons never reach the customer's activity


def test_reopening_a_closed_renewal_clears_its_close(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 20))
    services.update_renewal(
        renewal,
        stage="renewed",
        forecast="likely",
        amount_committed=Decimal(12000),
        acting_user=world.csm,
    )
    renewal.refresh_from_db()
    assert renewal.closed_at == NOW
    services.update_renewal(renewal, stage="in_progress", forecast="likely", acting_user=world.csm)
    renewal.refresh_from_db()
    assert renewal.closed_at is None and renewal.churn_reason is None


def test_a_forecast_change_alone_tells_playbooks_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 20))
    with django_capture_on_commit_callbacks(execute=True):
        services.update_renewal(
            renewal,
            stage="not_started",
            forecast="at_risk",
            forecast_reason="Champion left",
            acting_user=world.csm,
        )
    assert not Event.objects.exists()
    renewal.refresh_from_db()
    assert renewal.forecast == Forecast.AT_RISK and renewal.forecast_reason == "Champion left"


# Reminders ---------------------------------------------------------------------------------------


def test_reminders_are_sent_once_each_and_only_the_nearest(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    in_80 = make_renewal(world.account, ends_on=TODAY + timedelta(days=80))
    in_20 = make_renewal(world.account, ends_on=TODAY + timedelta(days=20))
    in_120 = make_renewal(world.account, ends_on=TODAY + timedelta(days=120))
    heard: list[tuple[int, int]] = []

    def listen(sender: Any, renewal: Renewal, days: int, **kwargs: Any) -> None:
        heard.append((renewal.pk, days))

    renewal_approaching.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders(today=TODAY) == 2
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders(today=TODAY) == 0
        # 60 days on, the first is 20 days out (its 30-day reminder), the third 60 (its 90-day).
        with django_capture_on_commit_callbacks(execute=True):
            assert services.send_reminders(today=TODAY + timedelta(days=60)) == 2
    finally:
        renewal_approaching.disconnect(listen)
    assert sorted(heard) == sorted(
        [(in_80.pk, 90), (in_20.pk, 30), (in_80.pk, 30), (in_120.pk, 90)]
    )
    kinds = list(Event.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(EventKind.RENEWAL_IN_90_DAYS) == 2
    assert kinds.count(EventKind.RENEWAL_IN_30_DAYS) == 2


def test_the_nightly_task_opens_and_reminds(world: World) -> None:
    from renewals.tasks import nightly

    ContractFactory.create(account=world.account, ends_on=TODAY + timedelta(days=25))
    result = nightly.apply().get()
    assert result == {"opened": 1, "reminded": 1}
    assert nightly.apply().get() == {"opened": 0, "reminded": 0}


# The forecast NRR -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "stage,forecast,committed,expected",
    [
        ("in_progress", "likely", None, Decimal("1")),  # at stake: all retained
        ("in_progress", "at_risk", None, Decimal("0.875")),  # half of 3,000 of 12,000 ARR lost
        ("in_progress", "will_churn", None, Decimal("0.75")),
        ("committed", "likely", Decimal("4500"), Decimal("1.125")),  # 1,500 more: expansion
        ("contracted", "likely", Decimal("2000"), Decimal("0.9166666666666666666666666667")),
        ("churned", "likely", None, Decimal("0.75")),
    ],
)
def test_the_forecast_nrr_puts_forecast_amounts_in_place_of_actuals(
    world: World, stage: str, forecast: str, committed: Decimal | None, expected: Decimal
) -> None:
    # 12,000 ARR running all quarter, and a 3,000 ARR contract renewing within it.
    ContractFactory.create(
        account=world.account,
        starts_on=date(2026, 6, 1),
        ends_on=date(2027, 6, 1),
        recurring_value=Decimal("9000"),
    )
    renewal = make_renewal(
        world.account, starts_on=date(2026, 3, 1), ends_on=date(2027, 3, 1), value=Decimal("3000")
    )
    Renewal.objects.filter(pk=renewal.pk).update(
        stage=stage, forecast=forecast, amount_committed=committed,
        churn_reason=ChurnReason.objects.first() if stage in ("churned", "contracted") else None,
    )  # fmt: skip
    result = figures.forecast_nrr(world.account.__class__.objects.all(), TODAY)
    assert (result.start, result.end) == (date(2027, 1, 1), date(2027, 3, 31))
    assert result.renewals == 1
    assert result.nrr is not None
    assert abs(result.nrr - expected) < Decimal("0.0000001")


def test_no_revenue_at_the_quarters_start_is_no_data(world: World) -> None:
    assert figures.forecast_nrr(world.account.__class__.objects.all(), TODAY).nrr is None


def test_quarters() -> None:
    assert figures.quarter_of(date(2027, 2, 10)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert figures.quarter_of(date(2027, 11, 30)) == (date(2027, 10, 1), date(2027, 12, 31))


# The pipeline ---------------------------------------------------------------------------------------


def answer(world: World, score: int) -> Response:
    survey = make_survey(world.csm, kind=Kind.NPS)
    campaign = make_campaign(survey, world.csm)
    delivery = deliver(campaign, world.champion, account=world.account)
    return Response.objects.create(
        delivery=delivery,
        campaign=campaign,
        account=world.account,
        user=world.champion,
        kind=Kind.NPS,
        score=score,
    )


def test_the_pipelines_nps_window_starts_at_each_readers_midnight(world: World) -> None:
    """The window starts at midnight, RESULTS_DAYS ago, in the reader's time zone: an answer
    of that morning in UTC is inside Auckland's window and outside Los Angeles' (both on
    10 February), whoever asks first."""
    make_renewal(world.account, ends_on=date(2027, 3, 5))
    response = answer(world, 10)
    start = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)  # 18:00 in Auckland; 21:00 the day before in LA
    Response.objects.filter(pk=response.pk).update(answered_at=start)
    world.admin.time_zone = "Pacific/Auckland"
    world.admin.save()
    world.csm.time_zone = "America/Los_Angeles"
    world.csm.save()
    for _ in range(2):
        auckland = client_for(world.admin).get(reverse("renewals_pipeline"))
        los_angeles = client_for(world.csm).get(reverse("renewals_pipeline"))
        assert auckland.context["today"] == los_angeles.context["today"] == TODAY
        assert auckland.context["beside"][world.account.pk].nps.score == 100
        assert los_angeles.context["beside"][world.account.pk].nps is None


def test_compiled_pipeline_queries_of_past_days_are_dropped(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figures, "_scoped", {})
    make_renewal(world.account, ends_on=date(2027, 3, 5))
    accounts = world.account.__class__.objects.all()
    for day in (TODAY, TODAY + timedelta(days=1), TODAY + timedelta(days=2)):
        figures.summary(accounts, day)
    shapes: list[Any] = [shape for _using, shape in figures._scoped]
    assert len([s for s in shapes if s[0] == "summary"]) == 1  # one month: the same shape
    for later in range(3, 40):
        figures.summary(accounts, TODAY + timedelta(days=later))
        figures.beside([world.account.pk], TODAY + timedelta(days=later))
    shapes = [shape for _using, shape in figures._scoped]
    days = {s[1] for s in shapes if s[0] == "beside.before"}
    last = TODAY + timedelta(days=39 - figures.TREND_DAYS)
    assert days == {last - timedelta(days=2), last - timedelta(days=1), last}


def test_the_pipeline_groups_by_month_at_risk_first_with_health_nps_and_usage(world: World) -> None:
    likely = make_renewal(world.account, ends_on=date(2027, 3, 5))
    at_risk = make_renewal(world.account, ends_on=date(2027, 3, 25), forecast=Forecast.AT_RISK)
    april = make_renewal(world.account, ends_on=date(2027, 4, 2))
    make_renewal(world.other_account, ends_on=date(2027, 3, 6))  # another CSM's
    make_renewal(world.account, ends_on=date(2028, 3, 6))  # beyond twelve months
    HealthScore.objects.create(account=world.account, day=TODAY, score=64, band="at_risk")
    answer(world, 10)
    for day, wau in ((TODAY - timedelta(days=28), 40), (TODAY, 30)):
        UsageDay.objects.create(
            account=world.account,
            day=day,
            active_users=5,
            weekly_active_users=wau,
            monthly_active_users=50,
            events=9,
        )
    response = client_for(world.csm).get(reverse("renewals_pipeline"))
    assert response.status_code == 200
    rows = response.context["renewals"]
    assert [r.pk for r in rows] == [at_risk.pk, likely.pk, april.pk]
    assert rows[0].health_score == 64
    beside = response.context["beside"][world.account.pk]
    assert beside.nps.score == 100
    assert beside.usage_change == Decimal("-0.25")
    html = response.content.decode()
    assert html.index("March 2027") < html.index("April 2027")
    assert "↓ 25%" in html
    totals = response.context["totals"]
    assert totals.count == 3 and totals.at_stake == Decimal("36000")
    assert totals.forecast["at_risk"] == Decimal("12000")
    assert "Bluth" not in html


def test_the_pipeline_filters_by_forecast_stage_and_owner(world: World) -> None:
    make_renewal(world.account, ends_on=date(2027, 3, 5))
    risky = make_renewal(world.account, ends_on=date(2027, 3, 25), forecast=Forecast.AT_RISK)
    theirs = make_renewal(world.other_account, ends_on=date(2027, 3, 6))
    csm = client_for(world.csm)

    def shown(client: Any, **query: Any) -> list[int]:
        response = client.get(reverse("renewals_pipeline"), query)
        return [r.pk for r in response.context["renewals"]]

    assert shown(csm, forecast="at_risk") == [risky.pk]
    assert shown(csm, stage="committed") == []
    admin = client_for(world.admin)
    assert len(shown(admin)) == 3
    assert shown(admin, owner=world.other_csm.pk) == [theirs.pk]
    # A CSM naming another CSM sees no one else's renewals.
    assert shown(csm, owner=world.other_csm.pk) == []


def test_the_pipeline_costs_the_same_queries_for_one_renewal_and_many(world: World) -> None:
    client = client_for(world.admin)
    make_renewal(world.account, ends_on=date(2027, 3, 5))
    url = reverse("renewals_pipeline")
    client.get(url)
    one = count_queries(lambda: client.get(url))
    for i in range(12):
        account = AccountFactory.create(owner=world.other_csm)
        make_renewal(
            account,
            ends_on=date(2027, 3, 1) + timedelta(days=20 * i),
            forecast=Forecast.AT_RISK if i % 2 else Forecast.LIKELY,
        )
        HealthScore.objects.create(account=account, day=TODAY, score=50 + i, band="at_risk")
    assert count_queries(lambda: client.get(url)) == one


def _grow_pipeline(world: World, count: int) -> None:
    """``count`` renewals over the pipeline's months, half in the CSM's book, each account with
    a health score, usage and a stored churn forecast (its model trained)."""
    for i in range(count):
        account = AccountFactory.create(owner=world.csm if i % 2 else world.other_csm)
        make_renewal(
            account,
            ends_on=TODAY + timedelta(days=5 + (i * 7) % 330),
            forecast=list(Forecast.values)[i % 3],
            stage=list(RenewalStage.values)[i % 7],
        )
        HealthScore.objects.create(account=account, day=TODAY, score=40 + i % 60, band="at_risk")
        UsageDay.objects.create(
            account=account, day=TODAY, active_users=3, weekly_active_users=9,
            monthly_active_users=12, events=4,
        )  # fmt: skip
        ChurnForecastFactory.create(account=account, probability=(i % 10) / 10)


@pytest.mark.parametrize("viewer", ["csm", "admin"])
def test_the_pipeline_costs_at_most_twelve_queries_at_ten_renewals_and_at_many(
    world: World, viewer: str
) -> None:
    client = client_for(getattr(world, viewer))
    url = reverse("renewals_pipeline")
    _grow_pipeline(world, 10)
    ten = page_queries(client, url)
    _grow_pipeline(world, 110)  # more than two pages of the CSM's, four of the team's
    assert Renewal.objects.count() == 120
    many = page_queries(client, url)
    assert ten == many and many <= 12, (ten, many)
    assert "churn-risk" in client.get(url).content.decode()


def test_the_customers_renewal_page_costs_at_most_ten_queries(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=TODAY + timedelta(days=60))
    kpi_with_readings(world.account, [(TODAY - timedelta(days=9), "40"), (TODAY, "90")])
    for n in range(3):
        RenewalStepFactory.create(renewal=renewal, title=f"Step {n}", side=Side.CUSTOMER)
    AccountFacts.objects.create(account=world.account, licensed_seats=40)
    UsageDay.objects.create(
        account=world.account, day=TODAY, active_users=5, weekly_active_users=20,
        monthly_active_users=30, events=9,
    )  # fmt: skip
    url = reverse("renewal_page", args=[world.account.slug])
    few = page_queries(client_for(world.champion), url)
    for n in range(30):
        RenewalStepFactory.create(renewal=renewal, title=f"More {n}", side=Side.VENDOR)
        ProductUser.objects.create(account=world.account, external_id=f"p{n}")
        kpi_with_readings(world.account, [(TODAY - timedelta(days=n), "4")], name=f"KPI {n}")
    assert page_queries(client_for(world.champion), url) == few <= 10


def test_moving_a_renewal_to_committed_changes_the_forecast_nrr_on_the_page(world: World) -> None:
    renewal = make_renewal(
        world.account,
        starts_on=date(2026, 3, 1),
        ends_on=date(2027, 3, 1),
        forecast=Forecast.AT_RISK,
    )
    client = client_for(world.csm)
    before = client.get(reverse("renewals_pipeline")).context["nrr"].nrr
    assert before == Decimal("0.5")
    response = client.post(
        reverse("renewal_edit", args=[world.account.slug, renewal.pk]),
        {"stage": "committed", "forecast": "likely", "amount_committed": "12000"},
    )
    assert response.status_code == 302
    page = client.get(reverse("renewals_pipeline"))
    assert page.context["nrr"].nrr == Decimal("1")
    assert "100.0%" in page.content.decode()


def test_a_bad_stage_change_is_a_422_with_its_message_and_changes_nothing(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 3, 1))
    response = client_for(world.csm).post(
        reverse("renewal_edit", args=[world.account.slug, renewal.pk]),
        {"stage": "churned", "forecast": "will_churn"},
    )
    assert response.status_code == 422
    assert "choose a reason from the list" in response.content.decode()
    renewal.refresh_from_db()
    assert renewal.stage == RenewalStage.NOT_STARTED
    junk = client_for(world.csm).post(
        reverse("renewal_edit", args=[world.account.slug, renewal.pk]),
        {"stage": "nope", "forecast": "x", "amount_committed": "lots"},
    )
    assert junk.status_code == 422


def test_another_accounts_renewal_is_404(world: World) -> None:
    theirs = make_renewal(world.other_account, ends_on=date(2027, 3, 1))
    response = client_for(world.csm).get(
        reverse("renewal_edit", args=[world.account.slug, theirs.pk])
    )
    assert response.status_code == 404


def test_the_csv_export_is_safe_from_formulas(world: World) -> None:
    world.account.name = '=HYPERLINK("http://evil")'
    world.account.save()
    make_renewal(world.account, ends_on=date(2027, 3, 1), forecast_reason="+cmd|' /C calc'!A0")
    response = client_for(world.csm).get(reverse("renewals_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Account"
    assert rows[1][0].startswith("'=") and rows[1][6].startswith("'+")
    assert rows[1][7] == "12000.00"


# The customer's renewal page ---------------------------------------------------------------------


def test_the_champion_sees_the_contract_usage_and_checklist_never_the_forecast(
    world: World,
) -> None:
    renewal = make_renewal(
        world.account,
        ends_on=date(2027, 5, 1),
        forecast=Forecast.WILL_CHURN,
        forecast_reason="Secret doubts",
    )
    RenewalStepFactory.create(renewal=renewal, title="Budget approved", side=Side.CUSTOMER)
    AccountFacts.objects.create(account=world.account, licensed_seats=40)
    UsageDay.objects.create(
        account=world.account,
        day=TODAY,
        active_users=5,
        weekly_active_users=20,
        monthly_active_users=30,
        events=9,
    )
    ProductUser.objects.create(account=world.account, external_id="u1")
    html = (
        client_for(world.champion)
        .get(reverse("renewal_page", args=[world.account.slug]))
        .content.decode()
    )
    assert "30 of 40 seats used" in html and "75%" in html
    assert "Analytics Pro" in html and "12 months" in html and "1 May 2027" in html
    assert "Budget approved" in html
    for secret in ("Will churn", "Secret doubts", "12,000", "at stake", "Forecast"):
        assert secret not in html


def test_a_customer_with_several_contracts_reads_that_others_renew_later(world: World) -> None:
    """The page shows the soonest open renewal, and says which contract renews after it (the
    date the account's header gives), in the reader's language; closed renewals do not count."""
    make_renewal(world.account, ends_on=date(2027, 3, 1))
    make_renewal(world.account, ends_on=date(2027, 4, 1), stage=RenewalStage.RENEWED)
    url = reverse("renewal_page", args=[world.account.slug])
    alone = client_for(world.champion).get(url).content.decode()
    assert "renews later" not in alone
    later = make_renewal(world.account, ends_on=date(2027, 10, 23))
    later.contract.product = "Connectors"
    later.contract.save()
    html = client_for(world.champion).get(url).content.decode()
    assert "<strong>1 March 2027</strong>" in html
    assert "Your other contract renews later: Connectors, on 23 October 2027." in html
    make_renewal(world.account, ends_on=date(2027, 12, 1))
    html = client_for(world.executive).get(url).content.decode()
    assert "2 other contracts renew later, the first: Connectors, on 23 October 2027." in html
    german = client_for(world.champion).get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Ihr Vertrag verlängert sich am" in german
    assert "2 weitere Verträge verlängern sich später, der erste: Connectors" in german


def test_a_page_with_no_renewal_says_so(world: World) -> None:
    html = (
        client_for(world.executive)
        .get(reverse("renewal_page", args=[world.account.slug]))
        .content.decode()
    )
    assert "No renewal is coming up" in html


def test_the_champion_ticks_a_customer_step_with_htmx(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 5, 1))
    step = RenewalStepFactory.create(renewal=renewal, title="Security review", side=Side.CUSTOMER)
    response = client_for(world.champion).post(
        reverse("renewal_step_tick", args=[world.account.slug, step.pk]),
        {"done": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="renewal-checklist"' in response.content.decode()
    assert "<html" not in response.content.decode()
    step.refresh_from_db()
    assert step.done_by == world.champion and step.done_at == NOW
    client_for(world.champion).post(
        reverse("renewal_step_tick", args=[world.account.slug, step.pk]), {}, HTTP_HX_REQUEST="true"
    )
    step.refresh_from_db()
    assert step.done_at is None and step.done_by is None


def test_a_champion_may_not_tick_the_vendors_step(world: World) -> None:
    renewal = make_renewal(world.account, ends_on=date(2027, 5, 1))
    step = RenewalStepFactory.create(renewal=renewal, side=Side.VENDOR)
    response = client_for(world.champion).post(
        reverse("renewal_step_tick", args=[world.account.slug, step.pk]),
        {"done": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.done_at is None
    assert services.may_tick(access(world, "csm"), step)
    assert not services.may_tick(access(world, "executive"), step)


# What CS admins keep ----------------------------------------------------------------------------------


def test_the_admin_adds_and_retires_reasons(world: World) -> None:
    client = client_for(world.admin)
    assert client.post(reverse("churn_reasons"), {"name": "  Moved  in-house "}).status_code == 302
    reason = ChurnReason.objects.get(name="Moved in-house")
    again = client.post(reverse("churn_reasons"), {"name": "moved in-house"})
    assert (
        again.status_code == 422
        and ChurnReason.objects.filter(name__iexact="moved in-house").count() == 1
    )
    client.post(reverse("churn_reason_active", args=[reason.pk]), {})
    reason.refresh_from_db()
    assert not reason.active
    form = (
        client_for(world.csm)
        .get(
            reverse(
                "renewal_edit",
                args=[world.account.slug, make_renewal(world.account, ends_on=date(2027, 3, 1)).pk],
            )
        )
        .context["form"]
    )
    assert reason not in form.fields["churn_reason"].queryset


def test_the_admin_edits_the_default_checklist_and_new_renewals_follow_it(world: World) -> None:
    client = client_for(world.admin)
    client.post(reverse("renewal_checklist"), {"title": "Legal review", "side": "customer"})
    first = StepTemplate.objects.order_by("position").first()
    assert first is not None
    client.post(reverse("renewal_checklist_remove", args=[first.pk]))
    ContractFactory.create(account=world.account, ends_on=date(2027, 4, 1))
    renewal = services.open_renewals(acting_user=None)[0]
    titles = list(renewal.steps.values_list("title", flat=True))
    assert titles[-1] == "Legal review" and first.title not in titles


def test_reasons_are_reported_by_segment_and_quarter(world: World) -> None:
    budget = ChurnReason.objects.get(name="Budget cut")
    price = ChurnReason.objects.get(name="Price")
    world.account.segment = "enterprise"
    world.account.save()
    for day, account, stage, reason, committed in (
        (datetime(2026, 11, 3, tzinfo=UTC), world.account, "churned", budget, None),
        (datetime(2027, 1, 9, tzinfo=UTC), world.account, "churned", budget, None),
        (datetime(2027, 2, 1, tzinfo=UTC), world.account, "contracted", price, Decimal(9000)),
        (datetime(2027, 2, 2, tzinfo=UTC), world.other_account, "churned", budget, None),
    ):
        r = make_renewal(account, ends_on=day.date() + timedelta(days=10))
        Renewal.objects.filter(pk=r.pk).update(
            stage=stage, churn_reason=reason, closed_at=day, amount_committed=committed
        )
    rows = figures.reasons_by_segment_and_quarter(Renewal.objects.all())
    got = [(r.quarter_label, r.segment, r.reason, r.renewals, r.lost_arr) for r in rows]
    assert got == [
        ("Q1 2027", "enterprise", "Budget cut", 1, Decimal("12000")),
        ("Q1 2027", "enterprise", "Price", 1, Decimal("3000")),
        ("Q1 2027", world.other_account.segment, "Budget cut", 1, Decimal("12000")),
        ("Q4 2026", "enterprise", "Budget cut", 1, Decimal("12000")),
    ]
    html = client_for(world.admin).get(reverse("churn_reasons_report")).content.decode()
    assert "Q4 2026" in html and "Price" in html


def test_without_a_trained_model_the_pipeline_says_so_once(world: World) -> None:
    for day in (5, 35, 65):
        make_renewal(world.account, ends_on=TODAY + timedelta(days=day))
    html = client_for(world.csm).get(reverse("renewals_pipeline")).content.decode()
    assert html.count('data-testid="churn-untrained"') == 1
    assert "Churn risk</th>" not in html and "churn-risk" not in html
    ChurnForecastFactory.create(account=world.account, probability=0.42)  # its model trained
    html = client_for(world.csm).get(reverse("renewals_pipeline")).content.decode()
    assert "churn-untrained" not in html
    assert html.count("Churn risk</th>") == 3 and html.count(">42%<") == 3
