"""Create the demo data: vendor staff, three customer accounts, their people and onboardings.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from academy.demo import ensure_demo_academy
from accounts.activity import record
from accounts.demo import ensure_demo_join_requests, ensure_demo_visits
from accounts.models import (
    Account,
    CustomerRole,
    Membership,
    Segment,
    Stage,
    TouchModel,
    User,
    VendorRole,
)
from adoption.demo import ensure_demo_adoption
from advocacy.demo import ensure_demo_advocacy
from documents.demo import ensure_demo_documents
from forecast.demo import ensure_demo_forecast
from handover.demo import ensure_demo_handovers
from insights.demo import ensure_demo_csqls, ensure_demo_insights
from integrations.demo import ensure_demo_chat
from offboarding.demo import ensure_demo_offboarding
from onboarding.demo import ensure_demo_onboardings, ensure_demo_template
from playbooks.demo import ensure_demo_playbooks
from renewals.demo import ensure_demo_renewals
from reports.demo import ensure_demo_reviews
from sentiment.demo import ensure_demo_sentiment
from successplans.demo import ensure_demo_plans, ensure_demo_signoffs
from surveys.demo import ensure_demo_surveys
from updates.demo import ensure_demo_updates
from value.demo import ensure_demo_value

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - printed for the first look, by design

STAFF = [
    ("morgan@northwind.example", "Morgan Reyes", VendorRole.ADMIN),
    ("priya@northwind.example", "Priya Natarajan", VendorRole.CSM),
    ("tom@northwind.example", "Tom Becker", VendorRole.CSM),
]

ACCOUNTS: list[dict[str, Any]] = [
    {
        "name": "Acme Logistics",
        "slug": "acme",
        "segment": Segment.ENTERPRISE,
        "touch_model": TouchModel.HIGH,
        "stage": Stage.ONBOARDING,
        "owner": "priya@northwind.example",
        "renewal_in_days": 320,
        "brand_color": "#c2410c",
        "email_domains": "acme.example",
        "people": [
            ("dana@acme.example", "Dana Whitfield", CustomerRole.CHAMPION),
            ("eli@acme.example", "Elijah Brooks", CustomerRole.EXECUTIVE),
            ("mia@acme.example", "Mia Chen", CustomerRole.MEMBER),
        ],
    },
    {
        "name": "Globex Retail",
        "slug": "globex",
        "segment": Segment.MID_MARKET,
        "touch_model": TouchModel.LOW,
        "stage": Stage.ADOPTION,
        "owner": "priya@northwind.example",
        "renewal_in_days": 140,
        "brand_color": "#0f766e",
        "email_domains": "",
        "people": [
            ("sam@globex.example", "Samira Haddad", CustomerRole.CHAMPION),
            ("victor@globex.example", "Victor Lindqvist", CustomerRole.EXECUTIVE),
            ("jo@globex.example", "Jo Okafor", CustomerRole.MEMBER),
        ],
    },
    {
        "name": "Initech Health",
        "slug": "initech",
        "segment": Segment.SMB,
        "touch_model": TouchModel.TECH,
        "stage": Stage.RENEWAL,
        "owner": "tom@northwind.example",
        "renewal_in_days": 45,
        "brand_color": "#7c3aed",
        "email_domains": "initech.example",
        "people": [
            ("lena@initech.example", "Lena Fischer", CustomerRole.CHAMPION),
            ("raj@initech.example", "Raj Malhotra", CustomerRole.EXECUTIVE),
            ("ola@initech.example", "Ola Nordmann", CustomerRole.MEMBER),
        ],
    },
    # A past customer: its renewal churned to a competitor, its offboarding done (offboarding.demo).
    {
        "name": "Vandelay Imports",
        "slug": "vandelay",
        "segment": Segment.SMB,
        "touch_model": TouchModel.TECH,
        "stage": Stage.RENEWAL,
        "owner": "tom@northwind.example",
        "renewal_in_days": 20,
        "brand_color": "#b45309",
        "email_domains": "vandelay.example",
        "people": [
            ("nora@vandelay.example", "Nora Vance", CustomerRole.CHAMPION),
            ("art@vandelay.example", "Art Pennington", CustomerRole.EXECUTIVE),
        ],
    },
]


def ensure_user(email: str, name: str, vendor_role: str = "") -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(
            email, password=DEMO_PASSWORD, name=name, vendor_role=vendor_role
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


class Command(BaseCommand):
    help = "Create demo staff, accounts and people (idempotent) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        # The jobs the demo data queued (and the playbooks they fire) run when it commits:
        # before the logins are printed, so the logins come last.
        created, logins = self.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({created} new rows)."
                if created
                else "Demo data already in place."
            )
        )
        self.stdout.write(f"\nEvery demo login uses the password: {DEMO_PASSWORD}\n")
        width = max(len(e) for e, _, _ in logins)
        for email, label, where in logins:
            self.stdout.write(f"  {email.ljust(width)}  {label:<26} {where}")
        self.stdout.write("")

    @transaction.atomic
    def load(self) -> tuple[int, list[tuple[str, str, str]]]:
        created = 0
        staff = {}
        for email, name, role in STAFF:
            staff[email], new = ensure_user(email, name, role)
            created += new
        logins: list[tuple[str, str, str]] = [
            (
                email,
                VendorRole(role).label,
                "all accounts" if role == VendorRole.ADMIN else "portfolio",
            )
            for email, _, role in STAFF
        ]
        today = timezone.localdate()
        for spec in ACCOUNTS:
            account = Account.objects.filter(slug=spec["slug"]).first()
            if account is None:
                owner = staff[spec["owner"]]
                account = Account.objects.create(
                    name=spec["name"],
                    slug=spec["slug"],
                    segment=spec["segment"],
                    touch_model=spec["touch_model"],
                    stage=spec["stage"],
                    owner=owner,
                    renewal_date=today + timedelta(days=spec["renewal_in_days"]),
                    brand_color=spec["brand_color"],
                    email_domains=spec["email_domains"],
                )
                record(
                    gettext_noop("created the account"),
                    actor=owner,
                    account=account,
                    target=account,
                    internal=True,
                )
                created += 1
            for email, name, role in spec["people"]:
                user, new = ensure_user(email, name)
                created += new
                _, new = Membership.objects.get_or_create(
                    user=user, account=account, defaults={"role": role}
                )
                if new:
                    record(
                        gettext_noop("joined"),
                        actor=user,
                        account=account,
                        target=account,
                        after={"role": role},
                    )
                    created += 1
                logins.append((email, CustomerRole(role).label, account.name))

        template = ensure_demo_template(staff["priya@northwind.example"])
        created += ensure_demo_onboardings(template)
        created += ensure_demo_plans()
        created += ensure_demo_handovers()  # after the plans: Acme's objectives go into its plan
        created += ensure_demo_signoffs()  # the plans' milestones, signed off or waiting
        created += ensure_demo_surveys()
        created += ensure_demo_sentiment()  # scores the comments above
        created += ensure_demo_academy()  # before insights: training is a health part
        created += ensure_demo_documents()  # after the onboardings: adds an upload task
        created += ensure_demo_insights()  # the health scores read everything above
        created += ensure_demo_csqls()  # the rules read the usage above and the surveys' promoters
        created += ensure_demo_updates()  # after insights: one targets the feature users
        created += ensure_demo_value()  # after insights (the contracts ROI compares with)
        created += ensure_demo_advocacy()  # reads the surveys' promoters and their comments
        created += ensure_demo_visits()  # before the playbooks: "stopped using" reads them
        # Past customers' renewals, for the churn forecast to learn from and score the accounts
        # above (it reads their usage, health, surveys and visits).
        created += ensure_demo_forecast()
        # After insights (usage), the academy (a course) and the forecast's past customers
        # (segment peers that license the core features).
        created += ensure_demo_adoption()
        # After insights and the forecast's past customers: renewals of every running contract.
        created += ensure_demo_renewals()
        created += ensure_demo_offboarding()  # Initech's churned renewal, and Vandelay's
        created += ensure_demo_reviews()  # the reviews print everything above
        created += ensure_demo_playbooks()  # the surveys' detractors fire the detractor play
        created += ensure_demo_join_requests()
        created += ensure_demo_chat()
        return created, logins


__all__ = ["DEMO_PASSWORD", "Command"]
