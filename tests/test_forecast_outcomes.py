"""The churn forecast learns from the renewals the CSMs closed (renewed or expanded: renewed;
churned or contracted: lost) where one is recorded, and from the contract history otherwise:
one outcome per account and contract end, never two."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from accounts.models import Account
from forecast import figures, outcomes
from insights.models import ContractKind
from renewals.figures import recorded_outcomes
from renewals.models import Renewal, RenewalStage
from tests.factories import AccountFactory
from tests.forecast_factories import ContractFactory
from tests.renewals_factories import ChurnReasonFactory, make_renewal

TODAY = date(2026, 11, 16)
CLOSED_AT = datetime(2026, 8, 10, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(datetime(2026, 11, 16, 9, tzinfo=UTC))


def _renewed_by_contract(ended: date) -> tuple[Account, Renewal]:
    """An account whose contract ended on ``ended`` and was followed by a renewal contract (the
    history says: renewed), with that contract's renewal as the CSM left it."""
    account = AccountFactory.create()
    renewal = make_renewal(account, ends_on=ended)
    ContractFactory.create(
        account=account,
        external_id=f"NEXT-{account.pk}",
        kind=ContractKind.RENEWAL,
        starts_on=ended,
        ends_on=ended + timedelta(days=365),
    )
    return account, renewal


def _close(renewal: Renewal, stage: str) -> None:
    Renewal.objects.filter(pk=renewal.pk).update(
        stage=stage,
        closed_at=CLOSED_AT,
        churn_reason=ChurnReasonFactory.create(name="Budget cut") if stage == "churned" else None,
    )


def _label_of(account_pk: int) -> list[int]:
    found = figures.renewal_outcomes(TODAY)
    rows, labels = figures.training_rows(found)
    return [label for row, label in zip(rows, labels, strict=True) if row.account_id == account_pk]


def test_a_recorded_churn_changes_the_training_label(db: None) -> None:
    ended = TODAY - timedelta(days=100)
    account, renewal = _renewed_by_contract(ended)
    assert _label_of(account.pk) == [0]  # the contracts say it renewed
    _close(renewal, RenewalStage.CHURNED)
    assert _label_of(account.pk) == [1]  # the CSM recorded a churn: that is what is learned
    (outcome,) = [o for o in figures.renewal_outcomes(TODAY) if o.account_id == account.pk]
    assert outcome.result == outcomes.CHURNED and outcome.ended_on == ended


@pytest.mark.parametrize(
    ("stage", "result"),
    [
        (RenewalStage.RENEWED, outcomes.RENEWED),
        (RenewalStage.EXPANDED, outcomes.RENEWED),
        (RenewalStage.CONTRACTED, outcomes.CONTRACTED),
        (RenewalStage.CHURNED, outcomes.CHURNED),
    ],
)
def test_each_closing_stage_is_an_outcome(db: None, stage: str, result: str) -> None:
    # Closed early: the contract ends in a month, so the history has no outcome for it yet.
    account = AccountFactory.create()
    renewal = make_renewal(account, ends_on=TODAY + timedelta(days=30))
    _close(renewal, stage)
    found = [o for o in figures.renewal_outcomes(TODAY) if o.account_id == account.pk]
    assert found == [outcomes.Outcome(account.pk, renewal.renews_on, result)]
    assert found[0].lost == (result != outcomes.RENEWED)


def test_a_contract_with_both_has_one_outcome_the_recorded_one(db: None) -> None:
    ended = TODAY - timedelta(days=100)
    account, renewal = _renewed_by_contract(ended)
    _close(renewal, RenewalStage.CONTRACTED)
    found = [o for o in figures.renewal_outcomes(TODAY) if o.account_id == account.pk]
    assert [(o.ended_on, o.result) for o in found] == [(ended, outcomes.CONTRACTED)]
    assert figures.history(TODAY).outcomes == 1


def test_without_a_closed_renewal_the_contract_history_decides(db: None) -> None:
    ended = TODAY - timedelta(days=100)
    renewed, _ = _renewed_by_contract(ended)  # its renewal still not started
    churned = AccountFactory.create()
    ContractFactory.create(
        account=churned, external_id="GONE", starts_on=ended - timedelta(days=365), ends_on=ended
    )
    found = {o.account_id: o.result for o in figures.renewal_outcomes(TODAY)}
    assert found == {renewed.pk: outcomes.RENEWED, churned.pk: outcomes.CHURNED}


def test_an_open_or_future_closing_is_not_an_outcome(db: None) -> None:
    account = AccountFactory.create()
    open_one = make_renewal(account, ends_on=TODAY + timedelta(days=30))
    open_one.stage = RenewalStage.COMMITTED
    open_one.save()
    assert recorded_outcomes(TODAY) == []
    _close(open_one, RenewalStage.RENEWED)
    assert recorded_outcomes(CLOSED_AT.date() - timedelta(days=1)) == []
    assert len(recorded_outcomes(TODAY)) == 1


def test_lines_renewing_on_one_day_are_one_outcome(db: None) -> None:
    account = AccountFactory.create()
    day = TODAY + timedelta(days=20)
    main, add_on = (make_renewal(account, ends_on=day) for _ in range(2))
    _close(main, RenewalStage.RENEWED)
    _close(add_on, RenewalStage.CHURNED)
    assert recorded_outcomes(TODAY) == [outcomes.Outcome(account.pk, day, outcomes.CONTRACTED)]
    _close(main, RenewalStage.CHURNED)
    assert recorded_outcomes(TODAY) == [outcomes.Outcome(account.pk, day, outcomes.CHURNED)]


def test_renewals_registers_its_source_once() -> None:
    assert outcomes.sources().count(recorded_outcomes) == 1
    outcomes.register_source(recorded_outcomes)
    assert outcomes.sources().count(recorded_outcomes) == 1


def test_a_source_registered_first_wins_and_the_history_fills_the_rest() -> None:
    day = date(2026, 1, 1)
    first = [outcomes.Outcome(1, day, outcomes.CHURNED)]
    second = [outcomes.Outcome(1, day, outcomes.RENEWED), outcomes.Outcome(2, day, "renewed")]
    history = [outcomes.Outcome(2, day, outcomes.CHURNED), outcomes.Outcome(3, day, "renewed")]
    merged = outcomes.merged([first, second], history)
    assert [(o.account_id, o.result) for o in merged] == [
        (1, outcomes.CHURNED),
        (2, outcomes.RENEWED),
        (3, outcomes.RENEWED),
    ]


def test_forecast_never_imports_renewals() -> None:
    """forecast is listed before renewals: renewals plugs in, forecast does not reach out."""
    for path in Path("forecast").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            assert not any(n.split(".")[0] == "renewals" for n in names), path
