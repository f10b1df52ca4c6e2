"""Insights in the browser: an executive opens their account's dashboard and reads the usage
charts (and their figures as a table); a CSM opens their book of business and sees the ARR and
the renewals with their health."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from accounts.models import Account, CustomerRole, User
from insights.figures.revenue import snapshot
from insights.models import AccountFacts, Contract, HealthBand, HealthScore, UsageDay
from insights.services.health import compute_health_scores
from insights.services.ingest import upsert_usage, upsert_users
from insights.services.usage import days_back, roll_up
from tests.e2e.conftest import RESULTS_DIR
from tests.e2e.helpers import assert_accessible, login
from tests.factories import PASSWORD, AccountFactory, CSMFactory, MembershipFactory

USAGE_DAYS = 21
USERS = 6  # product users; the first five come back, the sixth tried it once
SEATS = 10
FEATURES = ("reports", "exports", "alerts")
TABLE_DISCLOSURE = "Show the figures as a table"


@dataclass
class Insights:
    today: date
    acme: Account
    zenith: Account
    csm: User
    executive: User


def _usage(account: Account, today: date) -> list[dict[str, Any]]:
    """Users 0-4 active on most days, on one to three features; user 5 once, 20 days ago."""
    rows: list[dict[str, Any]] = []
    for day in days_back(today, USAGE_DAYS):
        offset = (today - day).days
        for n in range(USERS - 1):
            if (n + offset) % 4 == 3:
                continue  # not every user every day
            rows.extend(
                {
                    "account_id": account.pk,
                    "user_key": f"acme-user-{n}",
                    "day": day,
                    "feature": feature,
                    "count": 1 + (n + offset) % 5,
                }
                for feature in FEATURES[: 1 + n % len(FEATURES)]
            )
    rows.append(
        {
            "account_id": account.pk,
            "user_key": f"acme-user-{USERS - 1}",
            "day": today - timedelta(days=USAGE_DAYS - 1),
            "feature": "exports",
            "count": 1,
        }
    )
    return rows


def _contract(account: Account, external_id: str, starts_on: date, value: str) -> Contract:
    return Contract.objects.create(
        account=account,
        external_id=external_id,
        product="Northwind Analytics",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=365),
        recurring_value=Decimal(value),
        term_months=12,
    )


@pytest.fixture
def insights(settings: Any, transactional_db: None) -> Insights:
    """Acme (renews in 20 days) and Zenith (in 75) owned by a CSM, each with a yearly contract;
    Acme with product users, three weeks of usage rolled up, and health scores that its
    customers may see. Bluth, another CSM's account, must stay out of the CSM's book."""
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    today = timezone.localdate()
    csm = CSMFactory.create(name="Casey CSM")
    acme = AccountFactory.create(
        name="Acme",
        slug="acme",
        owner=csm,
        email_domains="",
        renewal_date=today + timedelta(days=20),
    )
    zenith = AccountFactory.create(
        name="Zenith", slug="zenith", owner=csm, renewal_date=today + timedelta(days=75)
    )
    bluth = AccountFactory.create(
        name="Bluth",
        slug="bluth",
        owner=CSMFactory.create(name="Olive Other"),
        renewal_date=today + timedelta(days=10),
    )
    executive = MembershipFactory.create(
        account=acme, role=CustomerRole.EXECUTIVE, user__name="Eli Executive"
    ).user

    # 96,000 and 24,000 a year for the CSM's two accounts; Bluth's 50,000 is not theirs.
    _contract(acme, "ACME-1", today - timedelta(days=40), "96000")
    _contract(zenith, "ZENITH-1", today - timedelta(days=290), "24000")
    _contract(bluth, "BLUTH-1", today - timedelta(days=100), "50000")

    upsert_users(
        {
            "account_id": acme.pk,
            "external_id": f"acme-user-{n}",
            "email": f"user{n}@acme.example",
            "name": f"Acme user {n}",
        }
        for n in range(USERS)
    )
    written = upsert_usage(_usage(acme, today))
    roll_up(written.account_ids, written.days_to_roll_up(today))
    AccountFacts.objects.create(
        account=acme,
        licensed_seats=SEATS,
        pulse=AccountFacts.Pulse.GOOD,
        pulse_note="Weekly reports to finance.",
        customers_see_health=True,
    )
    compute_health_scores([acme.pk, zenith.pk, bluth.pk], today)
    return Insights(today=today, acme=acme, zenith=zenith, csm=csm, executive=executive)


def screenshot(page: Page, name: str) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays at the top of the shot
    page.screenshot(path=RESULTS_DIR / f"{name}.png", full_page=True)


def figures_table(chart_figure: Locator) -> Locator:
    """Open a chart's "Show the figures as a table" disclosure; the table it reveals."""
    disclosure = chart_figure.locator("details")
    table = disclosure.get_by_role("table")
    expect(table).to_be_hidden()
    disclosure.get_by_text(TABLE_DISCLOSURE, exact=True).click()
    expect(disclosure).to_have_attribute("open", "")
    expect(table).to_be_visible()
    return table


def test_executive_opens_the_dashboard_and_reads_the_usage_charts(
    page: Page, live_server: LiveServer, insights: Insights
) -> None:
    acme, today = insights.acme, insights.today
    usage = UsageDay.objects.get(account=acme, day=today)
    assert usage.weekly_active_users == USERS - 1 and usage.monthly_active_users == USERS

    login(page, live_server, insights.executive.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/a/{acme.slug}/")
    panel = page.get_by_role("region", name="Product usage", exact=True)
    expect(panel).to_be_visible()
    # The customer sees the figures, not the vendor's 360° view.
    expect(panel.get_by_role("link", name="360° view")).to_have_count(0)
    expect(panel).to_contain_text(f"Monthly active users of {SEATS} seats")

    # The trend: an SVG chart with a text alternative, and its figures as a table.
    trend_name = re.compile(r"^Weekly active users at Acme, last 90 days")
    trend = panel.get_by_role("img", name=trend_name)
    expect(trend).to_have_count(1)
    expect(trend).to_be_visible()
    assert trend.evaluate("e => e.tagName.toLowerCase() + '.' + e.getAttribute('class')") == (
        "svg.chart"
    )
    expect(trend.locator("desc")).to_contain_text(f"to {USERS - 1}")
    assert_accessible(page)

    # (A locator given as ``has`` is looked for inside each figure.)
    trend_figure = panel.locator("figure").filter(has=page.get_by_role("img", name=trend_name))
    table = figures_table(trend_figure)
    today_row = table.get_by_role("row").filter(
        has=page.get_by_role("cell", name=f"{today:%-d %b}", exact=True)
    )
    expect(today_row).to_have_count(1)
    expect(today_row.get_by_role("cell").nth(1)).to_have_text(str(usage.weekly_active_users))
    # Days before the usage started are gaps, never zeros.
    before = today - timedelta(days=USAGE_DAYS + 5)
    gap_row = table.get_by_role("row").filter(
        has=page.get_by_role("cell", name=f"{before:%-d %b}", exact=True)
    )
    expect(gap_row.get_by_role("cell").nth(1)).to_have_text("no data")

    # Feature adoption: the share of the monthly active users who used each feature.
    adoption_name = re.compile(r"^Share of monthly active users who used each feature")
    adoption = panel.get_by_role("img", name=adoption_name)
    expect(adoption).to_be_visible()
    adoption_table = figures_table(
        panel.locator("figure").filter(has=page.get_by_role("img", name=adoption_name))
    )
    reports = adoption_table.get_by_role("row").filter(
        has=page.get_by_role("cell", name="reports", exact=True)
    )
    expect(reports.get_by_role("cell")).to_have_text(["reports", "5", "83.3%"])

    # The CSM lets the customers see the health band.
    health = HealthScore.objects.get(account=acme, day=today)
    band = page.get_by_role("region", name="Health", exact=True)
    expect(band).to_contain_text(HealthBand(health.band).label)
    expect(band).not_to_contain_text(f"{health.score} / 100")
    assert_accessible(page)
    screenshot(page, "insights_executive_dashboard")


def test_csm_opens_the_book_of_business(
    page: Page, live_server: LiveServer, insights: Insights
) -> None:
    today = insights.today
    mine = Account.objects.filter(owner=insights.csm)
    arr = snapshot(mine, today).arr
    assert arr == Decimal(120_000)

    login(page, live_server, insights.csm.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Book", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book of business")
    arr_stat = page.locator(".stat").filter(has_text="ARR today")
    expect(arr_stat.locator(".stat-value")).to_have_text("€120,000")

    renewals = page.get_by_role("region", name="Renewals in the next 90 days")
    expect(renewals.get_by_role("link", name="Bluth")).to_have_count(0)
    rows = renewals.get_by_role("row")
    for account, window in ((insights.acme, 30), (insights.zenith, 90)):
        score = HealthScore.objects.get(account=account, day=today)
        heading = renewals.get_by_role("heading", name=re.compile(rf"^Within {window} days"))
        expect(heading.locator(".count")).to_have_text("1")
        row = rows.filter(has=page.get_by_role("link", name=account.name, exact=True))
        expect(row).to_have_count(1)
        expect(row.get_by_role("cell")).to_have_text(
            [
                account.name,
                f"{account.renewal_date:%-d %b %Y}",
                str(score.score),
                insights.csm.name,
            ]
        )
    within_60 = renewals.get_by_role("heading", name=re.compile(r"^Within 60 days"))
    expect(within_60.locator(".count")).to_have_text("0")
    assert_accessible(page)
    screenshot(page, "insights_csm_book")

    renewals.get_by_role("link", name="Acme", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/a/{insights.acme.slug}/360/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme: 360°")
