"""A playbook's conditions on the account: each alone, all together, in words, and the batch
form's query count that does not grow with the accounts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from accounts.models import Account, Segment, Stage, TouchModel
from insights.models import Contract, HealthBand, HealthScore
from playbooks.conditions import check_conditions, explain, matches, matching_accounts
from tests.conftest import World
from tests.factories import AccountFactory, PlaybookFactory, TagFactory
from tests.queries import assert_same_queries, count_queries

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = NOW.date()
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def contract(account: Account, monthly: str, *, starts: date | None = None) -> Contract:
    return Contract.objects.create(
        account=account,
        external_id=f"c-{next(_ids)}",
        recurring_value=Decimal(monthly) * 12,
        value_period="total",
        term_months=12,
        starts_on=starts or TODAY - timedelta(days=30),
        ends_on=(starts or TODAY - timedelta(days=30)) + timedelta(days=365),
    )


def score(account: Account, value: int, band: str, days_ago: int = 0) -> HealthScore:
    return HealthScore.objects.create(
        account=account, day=TODAY - timedelta(days=days_ago), score=value, band=band, parts={}
    )


def ids(conditions: dict[str, Any]) -> set[int]:
    return set(matching_accounts(conditions).values_list("pk", flat=True))


def test_no_conditions_match_every_account_with_no_reason(world: World) -> None:
    assert ids({}) == {world.account.pk, world.other_account.pk}
    assert explain({}, world.account) == ""


@pytest.mark.parametrize(
    "field,value,other_value,words",
    [
        ("segment", Segment.ENTERPRISE, Segment.SMB, "segment is Enterprise"),
        ("touch_model", TouchModel.HIGH, TouchModel.TECH, "touch model is High touch"),
        ("stage", Stage.RENEWAL, Stage.ADOPTION, "stage is Renewal"),
    ],
)
def test_list_conditions_on_the_account(
    world: World, field: str, value: str, other_value: str, words: str
) -> None:
    Account.objects.filter(pk=world.account.pk).update(**{field: value})
    Account.objects.filter(pk=world.other_account.pk).update(**{field: other_value})
    world.account.refresh_from_db()
    assert ids({field: [value]}) == {world.account.pk}
    assert explain({field: [value]}, world.account) == words
    assert explain({field: [other_value]}, world.account) is None
    assert ids({field: [value, other_value]}) == {world.account.pk, world.other_account.pk}


def test_owner_condition_names_the_csm(world: World) -> None:
    assert ids({"owner": [str(world.csm.pk)]}) == {world.account.pk}
    assert explain({"owner": [str(world.csm.pk)]}, world.account) == "owned by Casey CSM"
    assert explain({"owner": [str(world.other_csm.pk)]}, world.account) is None


def test_health_band_is_the_latest_score(world: World) -> None:
    score(world.account, 35, HealthBand.CRITICAL, days_ago=0)
    score(world.account, 85, HealthBand.HEALTHY, days_ago=3)  # older: not the current band
    score(world.other_account, 80, HealthBand.HEALTHY)
    assert ids({"health_band": [HealthBand.CRITICAL]}) == {world.account.pk}
    assert explain({"health_band": ["critical"]}, world.account) == "health is Critical (35)"
    assert explain({"health_band": ["healthy"]}, world.account) is None


def test_an_unscored_account_meets_no_health_band(world: World) -> None:
    assert ids({"health_band": list(HealthBand.values)}) == set()


def test_mrr_range_uses_the_contracts_running_today(world: World) -> None:
    contract(world.account, "1500")
    contract(world.account, "500")
    contract(world.other_account, "200")
    contract(world.other_account, "9000", starts=TODAY + timedelta(days=10))  # not yet running
    assert ids({"mrr_min": 1000}) == {world.account.pk}
    assert ids({"mrr_max": 1000}) == {world.other_account.pk}
    assert ids({"mrr_min": 100, "mrr_max": 2000}) == {world.account.pk, world.other_account.pk}
    assert ids({"mrr_min": 2001}) == set()
    assert explain({"mrr_min": 1000}, world.account) == "MRR is €2,000"


def test_an_account_with_no_contract_has_an_mrr_of_nothing(world: World) -> None:
    assert ids({"mrr_max": 100}) == {world.account.pk, world.other_account.pk}
    assert ids({"mrr_min": 1}) == set()


def test_renewal_window_counts_days_from_today(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY + timedelta(days=45))
    Account.objects.filter(pk=world.other_account.pk).update(
        renewal_date=TODAY + timedelta(days=120)
    )
    world.account.refresh_from_db()
    assert ids({"renewal_within_days": 90}) == {world.account.pk}
    assert explain({"renewal_within_days": 90}, world.account) == "renews in 45 days (within 90)"
    assert explain({"renewal_within_days": 30}, world.account) is None
    Account.objects.filter(pk=world.account.pk).update(renewal_date=TODAY - timedelta(days=1))
    assert ids({"renewal_within_days": 90}) == set()  # a renewal date passed is not coming up


def test_tags_match_any_of_the_listed(world: World) -> None:
    world.account.tags.add(TagFactory.create(name="strategic"), TagFactory.create(name="beta"))
    world.other_account.tags.add(TagFactory.create(name="emea"))
    assert ids({"tags": ["strategic", "emea"]}) == {world.account.pk, world.other_account.pk}
    assert ids({"tags": ["beta"]}) == {world.account.pk}
    assert explain({"tags": ["beta", "strategic"]}, world.account) == "tagged beta, strategic"
    assert explain({"tags": ["emea"]}, world.account) is None


def test_conditions_are_anded(world: World) -> None:
    Account.objects.filter(pk=world.account.pk).update(
        segment=Segment.ENTERPRISE, renewal_date=TODAY + timedelta(days=20)
    )
    world.account.refresh_from_db()
    score(world.account, 55, HealthBand.AT_RISK)
    contract(world.account, "3000")
    world.account.tags.add(TagFactory.create(name="strategic"))
    playbook = PlaybookFactory.create(
        conditions={
            "segment": ["enterprise"],
            "health_band": ["at_risk"],
            "mrr_min": 2000,
            "renewal_within_days": 30,
            "tags": ["strategic"],
            "owner": [str(world.csm.pk)],
        }
    )
    assert matches(playbook, world.account) == (
        "segment is Enterprise, owned by Casey CSM, health is At risk (55), "
        "tagged strategic, MRR is €3,000, renews in 20 days (within 30)"
    )
    # One condition failing is enough to refuse.
    changes: list[dict[str, Any]] = [
        {"segment": ["smb"]},
        {"health_band": ["healthy"]},
        {"mrr_min": 3001},
        {"renewal_within_days": 10},
        {"tags": ["beta"]},
        {"owner": [str(world.other_csm.pk)]},
    ]
    for change in changes:
        assert explain({**playbook.conditions, **change}, world.account) is None, change


def test_the_batch_costs_the_same_for_2_accounts_and_40(world: World) -> None:
    conditions = {"segment": ["mid_market"], "mrr_min": 10, "tags": ["strategic"]}
    tag = TagFactory.create(name="strategic")

    def every_reason() -> list[str]:
        from playbooks.conditions import reason

        return [reason(conditions, a) for a in matching_accounts(conditions)]

    for account in (world.account, world.other_account):
        account.tags.add(tag)
        contract(account, "100")
        score(account, 70, HealthBand.AT_RISK)
    before = count_queries(every_reason)
    for _ in range(38):
        account = AccountFactory.create()
        account.tags.add(tag)
        contract(account, "100")
        score(account, 70, HealthBand.AT_RISK)
    assert len(every_reason()) == 40
    assert_same_queries(before, count_queries(every_reason), "matching accounts")
    assert before <= 2


def test_conditions_are_checked_in_words(db: None) -> None:
    cleaned, errors = check_conditions(
        {"segment": ["enterprise"], "mrr_min": "500", "mrr_max": "", "tags": []}
    )
    assert cleaned == {"segment": ["enterprise"], "mrr_min": 500} and errors == []
    _, errors = check_conditions({"segment": ["galactic"], "mrr_min": "9", "mrr_max": "3"})
    assert errors == [
        "Segment: “galactic” does not exist.",
        "MRR at least must not be more than MRR at most.",
    ]
    _, errors = check_conditions({"renewal_within_days": "soon"})
    assert errors == ["Renews within (days) must be a whole number."]
