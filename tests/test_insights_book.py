"""The book of business at any size: a pinned number of queries for the CSM and the CS admin
(with and without the figure cache), figures kept until an input changes and then computed
again on the next request, the "as of" time, and lists capped with their counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Activity, User
from accounts.services import set_account_fields, update_profile
from insights.models import Contract, HealthScore, NightlyChunk, UsageDay
from insights.services import nightly
from insights.services.ingest import upsert_contracts, upsert_usage
from insights.services.usage import days_back
from portal import figure_cache
from portal.figure_cache import current_version
from tests.conftest import World, client_for
from tests.factories import AccountFactory, UpsellLeadFactory
from tests.queries import count_queries

DAY = date(2026, 5, 13)
NOON = datetime(2026, 5, 13, 12, tzinfo=UTC)
BOOK = "/book/"

# Queries of one request for the book once the session is warm, with its figures in the cache
# (the session, the viewer, the unread count, the CSMs to pick from, the upsell leads) and
# computed (six more: the accounts in one pass, the rows shown, four for the revenue).
CACHED_QUERIES = 5
COMPUTED_QUERIES = 11


@pytest.fixture(autouse=True)
def _one_process_keeps_its_figures_all_day(settings: Any) -> None:
    """These tests follow one process with the suite's process-local cache, as a shared cache
    behaves: its figures are kept until the day ends or an input changes."""
    settings.FIGURE_CACHE_LOCAL_SECONDS = figure_cache.TIMEOUT_SECONDS


@pytest.fixture(autouse=True)
def _at_noon(time_machine: Any) -> None:
    time_machine.move_to(NOON, tick=False)
    cache.clear()


def contract(account: Any, value: str, *, external_id: str = "", days_ago: int = 60) -> Contract:
    start = DAY - timedelta(days=days_ago)
    return Contract.objects.create(
        account=account,
        external_id=external_id or f"c-{account.pk}-{value}-{days_ago}",
        starts_on=start,
        ends_on=start + timedelta(days=400),
        recurring_value=Decimal(value),
        term_months=12,
    )


def book_of(client: Client, **params: Any) -> Any:
    response = client.get(BOOK, params)
    assert response.status_code == 200
    return response.context["book"]


def grow(world: World, count: int) -> None:
    """``count`` more accounts for each CSM with all the book reads: contracts, health
    history, customers' activity and product usage, upsell leads."""
    for owner in (world.csm, world.other_csm):
        for i in range(count):
            account = AccountFactory.create(owner=owner, renewal_date=DAY + timedelta(days=i * 7))
            contract(account, "1200")
            contract(account, "600", days_ago=400)
            for days in (0, 1):
                HealthScore.objects.create(
                    account=account,
                    day=DAY - timedelta(days=days),
                    score=20 + i * 5 % 80,
                    band=("critical", "at_risk", "healthy")[i % 3],
                    parts={},
                )
            if i % 2:
                Activity.objects.create(account=account, actor=world.champion, verb="ticked a task")
            else:
                UsageDay.objects.create(
                    account=account,
                    day=DAY - timedelta(days=1),
                    active_users=2,
                    weekly_active_users=2,
                    monthly_active_users=2,
                    events=5,
                )
            UpsellLeadFactory.create(account=account)


def queries(client: Client, *, cached: bool) -> int:
    client.get(BOOK)  # the session and the cache warm
    if not cached:
        cache.clear()
    return count_queries(lambda: client.get(BOOK))


class TestQueries:
    @pytest.mark.parametrize("persona", ["csm", "admin"])
    def test_the_book_costs_the_same_queries_whatever_its_size(
        self, world: World, persona: str
    ) -> None:
        client = client_for(world.persona(persona))
        small = (queries(client, cached=True), queries(client, cached=False))
        grow(world, 15)
        large = (queries(client, cached=True), queries(client, cached=False))
        assert small == large == (CACHED_QUERIES, COMPUTED_QUERIES)

    def test_the_admin_narrowed_to_one_csm_costs_one_more_to_check_the_choice(
        self, world: World
    ) -> None:
        client = client_for(world.admin)
        path = f"{BOOK}?owner={world.other_csm.pk}"
        client.get(path)
        assert count_queries(lambda: client.get(path)) == CACHED_QUERIES + 1


class TestFiguresFollowTheirInputs:
    def test_a_contract_edited_shows_on_the_next_request(self, world: World) -> None:
        line = contract(world.account, "12000")
        csm, admin = client_for(world.csm), client_for(world.admin)
        assert book_of(csm).revenue_now.arr == book_of(admin).revenue_now.arr == Decimal(12000)
        line.recurring_value = Decimal(24000)
        line.save()
        assert book_of(csm).revenue_now.arr == book_of(admin).revenue_now.arr == Decimal(24000)

    def test_a_contract_deleted_shows_on_the_next_request(self, world: World) -> None:
        line = contract(world.account, "12000")
        client = client_for(world.csm)
        assert book_of(client).revenue_now.arr == Decimal(12000)
        line.delete()
        assert book_of(client).revenue_now.arr == 0

    def test_contracts_upserted_in_bulk_show_on_the_next_request(self, world: World) -> None:
        client = client_for(world.admin)
        assert book_of(client).revenue_now.arr == 0
        upsert_contracts(
            [
                {
                    "account_id": world.account.pk,
                    "external_id": "crm-1",
                    "starts_on": DAY - timedelta(days=10),
                    "ends_on": DAY + timedelta(days=355),
                    "recurring_value": Decimal(6000),
                    "term_months": 12,
                }
            ]
        )
        assert book_of(client).revenue_now.arr == Decimal(6000)

    def test_a_health_score_written_shows_on_the_next_request(self, world: World) -> None:
        client = client_for(world.csm)
        assert book_of(client).bands["critical"] == 0
        HealthScore.objects.create(account=world.account, score=12, band="critical", parts={})
        book = book_of(client)
        assert book.bands["critical"] == 1 and [a.name for a in book.at_risk.rows] == ["Acme"]

    def test_the_nightly_scores_show_on_the_next_request_with_one_bump_a_chunk(
        self, world: World
    ) -> None:
        upsert_usage(
            [
                {
                    "account_id": account.pk,
                    "user_key": "u1",
                    "day": day,
                    "feature": "reports",
                    "count": 2,
                }
                for account in (world.account, world.other_account)
                for day in days_back(DAY, 3)
            ]
        )
        client = client_for(world.admin)
        assert book_of(client).unscored == 2
        run = nightly.start_nightly_run(DAY, chunk_size=1)
        chunks = list(NightlyChunk.objects.filter(run=run).order_by("index"))
        for chunk in chunks:
            before = current_version()
            nightly.run_chunk(chunk.pk)
            assert current_version() - before <= 1  # one a chunk that wrote, not one an account
        assert book_of(client).unscored < 2

    def test_an_account_churned_leaves_the_lists_on_the_next_request(self, world: World) -> None:
        client = client_for(world.csm)
        assert book_of(client).total == 1
        set_account_fields(world.account, changes={"stage": "churned"}, acting_user=world.csm)
        assert book_of(client).total == 0

    def test_a_csm_renamed_shows_beside_their_accounts(self, world: World) -> None:
        world.account.renewal_date = DAY + timedelta(days=3)
        world.account.save()
        client = client_for(world.admin)
        assert "Casey CSM" in client.get(BOOK).content.decode()
        update_profile(world.csm, name="Casey Renamed", acting_user=world.csm)
        assert "Casey Renamed" in client.get(BOOK).content.decode()

    def test_a_log_in_changes_no_figure(self, world: World) -> None:
        before = current_version()
        client_for(world.csm)
        User.objects.get(pk=world.csm.pk).save(update_fields=["last_login"])
        assert current_version() == before

    def test_what_customers_do_shows_as_of_the_time_the_page_says(
        self, world: World, time_machine: Any
    ) -> None:
        """Customers' activity changes no cached figure: the quiet list stays as it was at the
        time the page prints, until an input changes or the day ends."""
        client = client_for(world.csm)
        assert book_of(client).quiet.total == 1
        time_machine.move_to(NOON + timedelta(hours=1), tick=False)
        Activity.objects.create(account=world.account, actor=world.champion, verb="ticked a task")
        page = client.get(BOOK).content.decode()
        assert ">12:00</time>" in page and book_of(client).quiet.total == 1
        contract(world.account, "1200")  # an input: everything is computed again
        assert book_of(client).quiet.total == 0


class TestAsOf:
    def test_the_page_says_when_its_figures_were_computed(
        self, world: World, time_machine: Any
    ) -> None:
        client = client_for(world.admin)
        page = client.get(BOOK).content.decode()
        assert 'Figures as of <time datetime="2026-05-13T12:00:00+00:00">12:00</time>' in page
        time_machine.move_to(NOON + timedelta(minutes=30), tick=False)
        assert ">12:00</time>" in client.get(BOOK).content.decode()
        contract(world.account, "1200")
        assert ">12:30</time>" in client.get(BOOK).content.decode()

    def test_a_new_day_computes_the_figures_again(self, world: World, time_machine: Any) -> None:
        client = client_for(world.csm)
        client.get(BOOK)
        time_machine.move_to(datetime(2026, 5, 14, 0, 5, tzinfo=UTC), tick=False)
        book = book_of(client)
        assert book.today == date(2026, 5, 14)
        assert book.as_of == datetime(2026, 5, 14, 0, 5, tzinfo=UTC)

    def test_another_period_keeps_the_accounts_part_and_says_the_older_time(
        self, world: World, time_machine: Any
    ) -> None:
        client = client_for(world.csm)
        client.get(BOOK)
        time_machine.move_to(NOON + timedelta(minutes=5), tick=False)
        assert book_of(client, period="year").as_of == NOON


class TestLists:
    def test_each_list_shows_ten_and_counts_the_rest(self, world: World) -> None:
        for i in range(12):
            account = AccountFactory.create(
                name=f"Renewing {i:02}", owner=world.csm, renewal_date=DAY + timedelta(days=i)
            )
            HealthScore.objects.create(account=account, score=10 + i, band="critical", parts={})
            UpsellLeadFactory.create(account=account)
        response = client_for(world.csm).get(BOOK)
        book = response.context["book"]
        assert (book.renewals[30].total, len(book.renewals[30].rows)) == (12, 10)
        assert [a.name for a in book.at_risk.rows] == [f"Renewing {i:02}" for i in range(10)]
        assert (book.at_risk.total, book.quiet.total, len(book.quiet.rows)) == (12, 13, 10)
        assert (response.context["open_leads"], len(response.context["upsell_leads"])) == (12, 10)
        page = response.content.decode()
        assert page.count("The first 10 of 12.") == 2 and "The first 10 of 13." in page
        assert "The 10 waiting longest of 12." in page
