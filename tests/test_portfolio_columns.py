"""The portfolio's columns a CSM sorts by: health, ARR, renewal, last customer activity and
open tasks, filled in by the apps that own those figures through accounts' column registry."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.models import Account
from accounts.portfolio_columns import portfolio_columns
from insights.figures import revenue
from insights.figures.health import latest_score
from insights.models import Contract, HealthBand, HealthScore
from portal.formatting import money
from tests.conftest import World, client_for
from tests.factories import AccountFactory, CSMTaskFactory, PortalVisitFactory
from tests.queries import assert_same_queries, counting, page_queries

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
DAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def contract(account: Account, value: str, months: int = 12, **fields: Any) -> Contract:
    return Contract.objects.create(
        account=account,
        external_id=f"c-{account.pk}-{value}-{months}",
        starts_on=fields.pop("starts_on", DAY - timedelta(days=30)),
        ends_on=fields.pop("ends_on", DAY + timedelta(days=300)),
        recurring_value=Decimal(value),
        term_months=months,
        **fields,
    )


def score(account: Account, value: int, band: str, days_ago: int = 0) -> HealthScore:
    return HealthScore.objects.create(
        account=account, day=DAY - timedelta(days=days_ago), score=value, band=band
    )


def cells(html: str, key: str) -> list[str]:
    """The text of column ``key``'s cells, top to bottom."""
    found = re.findall(rf'<td class="col-{key}[^"]*">(.*?)</td>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def names(html: str) -> list[str]:
    return cells(html, "name")


def portfolio(client: Any, **params: str) -> str:
    response = client.get(reverse("portfolio"), params)
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_columns_come_in_the_order_a_csm_reads_them(world: World) -> None:
    html = portfolio(client_for(world.csm))
    headers = re.findall(r'<th scope="col" class="col-([a-z_]+)', html)
    assert headers == [
        "name", "segment", "stage", "health", "arr", "renewal", "last_seen", "open_tasks",
        "csqls", "owner", "people",
    ]  # fmt: skip
    assert [c.key for c in portfolio_columns()] == headers


def test_each_column_shows_its_apps_one_figure(world: World) -> None:
    acme = world.account
    score(acme, 40, HealthBand.CRITICAL, days_ago=3)
    score(acme, 72, HealthBand.AT_RISK, days_ago=1)
    contract(acme, "12000", 12)  # 1,000 a month
    contract(acme, "3000", 6)  # 500 a month
    PortalVisitFactory.create(
        account=acme, user=world.champion, last_seen_at=datetime(2026, 11, 12, 15, tzinfo=UTC)
    )
    PortalVisitFactory.create(
        account=acme,
        user=world.member,
        day=DAY - timedelta(days=9),
        last_seen_at=datetime(2026, 11, 7, 8, tzinfo=UTC),
    )
    CSMTaskFactory.create(account=acme, due_on=DAY - timedelta(days=2))
    CSMTaskFactory.create(account=acme, due_on=DAY + timedelta(days=2))
    CSMTaskFactory.create(account=acme, due_on=DAY, done_at=NOW)
    html = portfolio(client_for(world.csm))

    latest = latest_score(acme)
    assert latest is not None
    assert cells(html, "health") == [f"At risk {latest.score}"] == ["At risk 72"]
    arr = revenue.snapshot(acme, DAY).arr
    assert arr == Decimal(18000)
    assert cells(html, "arr") == [money(arr)]
    assert cells(html, "last_seen") == ["12 Nov 2026"]
    assert cells(html, "open_tasks") == ["2 1 overdue"]


def test_an_account_without_figures_says_so(world: World) -> None:
    html = portfolio(client_for(world.csm))
    assert cells(html, "health") == ["Not scored"]
    assert cells(html, "arr") == ["—"]
    assert cells(html, "last_seen") == ["Never"]
    assert cells(html, "open_tasks") == ["0"]


def test_the_arr_subquery_agrees_with_the_revenue_figures(world: World) -> None:
    contract(world.account, "12000", 12)
    contract(world.account, "500", 1, value_period=Contract.ValuePeriod.MONTH)
    contract(world.account, "9999", 12, ends_on=DAY)  # ended today: not running
    contract(world.other_account, "1000", 6)
    rows = revenue.with_arr(Account.objects.all(), DAY)
    by_account = {a.pk: a.arr for a in rows}  # type: ignore[attr-defined]
    expected = revenue.mrr_by_account(Account.objects.all(), DAY)
    for pk, mrr in expected.items():
        assert by_account[pk] == pytest.approx(mrr * 12)


@pytest.fixture
def book(world: World) -> dict[str, Account]:
    """Four accounts of the CSM's: ARR 9,000 and 120,000 (so a sort by text would put 9,000
    last), health 30 and 85, and one with neither."""
    small = AccountFactory.create(name="Small", owner=world.csm)
    big = AccountFactory.create(name="Big", owner=world.csm)
    none = AccountFactory.create(name="Nothing yet", owner=world.csm)
    contract(small, "9000", 12)
    contract(big, "120000", 12)
    contract(world.account, "30000", 12)
    score(small, 85, HealthBand.HEALTHY)
    score(big, 30, HealthBand.CRITICAL)
    score(world.account, 60, HealthBand.AT_RISK)
    return {"small": small, "big": big, "none": none}


def test_arr_sorts_by_the_number_both_ways_with_no_arr_last(
    world: World, book: dict[str, Account]
) -> None:
    client = client_for(world.csm)
    assert names(portfolio(client, sort="arr")) == ["Small", "Acme", "Big", "Nothing yet"]
    assert names(portfolio(client, sort="-arr")) == ["Big", "Acme", "Small", "Nothing yet"]


def test_health_sorts_by_score_both_ways_with_unscored_last(
    world: World, book: dict[str, Account]
) -> None:
    client = client_for(world.csm)
    assert names(portfolio(client, sort="health")) == ["Big", "Acme", "Small", "Nothing yet"]
    assert names(portfolio(client, sort="-health")) == ["Small", "Acme", "Big", "Nothing yet"]


def test_open_tasks_and_last_activity_sort_with_empties_last(
    world: World, book: dict[str, Account]
) -> None:
    CSMTaskFactory.create_batch(3, account=book["big"])
    CSMTaskFactory.create(account=book["small"])
    PortalVisitFactory.create(account=book["small"], last_seen_at=NOW - timedelta(days=2))
    PortalVisitFactory.create(account=book["big"], last_seen_at=NOW - timedelta(days=20))
    client = client_for(world.csm)
    assert names(portfolio(client, sort="-open_tasks"))[:2] == ["Big", "Small"]
    assert names(portfolio(client, sort="last_seen"))[:2] == ["Big", "Small"]
    assert names(portfolio(client, sort="-last_seen"))[:2] == ["Small", "Big"]
    assert set(names(portfolio(client, sort="-last_seen"))[2:]) == {"Acme", "Nothing yet"}


def test_the_header_links_toggle_the_sort_and_a_figure_starts_largest_first(
    world: World,
) -> None:
    client = client_for(world.csm)
    html = portfolio(client)
    assert re.search(r'class="col-arr num [^"]*"><a href="\?[^"]*sort=-arr"', html)
    assert re.search(
        r'class="col-name[^"]*" aria-sort="ascending"><a href="\?[^"]*sort=-name"', html
    )
    html = portfolio(client, sort="-arr")
    assert "Accounts, sorted by ARR, largest first" in html
    assert re.search(r'class="col-arr[^"]*" aria-sort="descending"><a href="\?[^"]*sort=arr"', html)


def test_the_query_count_stays_the_same_for_3_and_30_accounts_with_figures(
    world: World,
) -> None:
    def accounts(n: int) -> None:
        for i in range(n):
            account = AccountFactory.create(owner=world.csm)
            contract(account, str(1000 * (i + 1)))
            score(account, 50 + i % 40, HealthBand.AT_RISK)
            CSMTaskFactory.create(account=account)
            PortalVisitFactory.create(account=account)

    client = client_for(world.csm)
    accounts(2)
    few = page_queries(client, reverse("portfolio") + "?sort=-arr")
    accounts(28)
    many = page_queries(client, reverse("portfolio") + "?sort=-arr")
    assert_same_queries(few, many, "portfolio with columns")


def test_the_unfiltered_portfolio_counts_its_accounts_once_and_a_filtered_one_pages_right(
    world: World,
) -> None:
    for i in range(55):
        AccountFactory.create(owner=world.csm, name=f"Zeta {i:02}")
    client = client_for(world.csm)
    client.get(reverse("portfolio"))
    with counting() as queries:
        response = client.get(reverse("portfolio"))
    assert response.status_code == 200
    assert len(queries) <= 12
    bare_counts = [
        sql
        for sql in queries.sql
        if sql.startswith('SELECT COUNT(*) AS "__count" FROM "accounts_account"')
    ]
    assert bare_counts == []  # the totals' count pages the table too
    html = response.content.decode()
    assert len(names(html)) == 50
    total = Account.objects.filter(owner=world.csm).count()
    assert f"1–50 of {total}</span>" in html
    second = portfolio(client, q="Zeta", page="2")
    assert names(second) == [f"Zeta {i:02}" for i in range(50, 55)]


def test_accounts_imports_neither_insights_nor_playbooks() -> None:
    root = Path(settings.BASE_DIR) / "accounts"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            offenders += [
                f"{path.name}: {m}" for m in modules if m.split(".")[0] in {"insights", "playbooks"}
            ]
    assert offenders == []
