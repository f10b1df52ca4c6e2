"""How much each role's pages cost: SQL queries per page, rate and CPU per request, against a
baseline page written the ordinary way.

Run ``python bench/pages.py`` (with the project's venv). It never touches ``var/``: it makes a
temporary ``PORTAL_VAR_DIR``, migrates it, loads the demo data, and then

1. counts the SQL queries of every page in :data:`PAGES`, in-process with Django's test client
   (the second request of a logged-in person; the first one fills per-process caches);
2. serves the portal with gunicorn (production settings: ``DEBUG=false``, 2 sync workers) and
   measures, for every page, requests per second and the gunicorn workers' CPU time per request
   (``utime + stime`` from ``/proc/<pid>/stat`` before and after each run), against two pages
   served by the same gunicorn in the same run:

   * ``/bench/baseline/`` (``bench/urls.py``): a page written the ordinary way, ``login_required``
     under the portal's base layout, listing 50 rows with 5 queries. ``vs_baseline`` is a page's
     rate over the baseline's (above 1: faster than the baseline), ``cpu_vs_baseline`` the
     baseline's CPU per request over the page's (above 1: cheaper);
   * ``/bench/bare/`` (an ``HttpResponse("ok")`` with no database): ``ratio_to_bare``, the figure
     the bench reported before the baseline page existed.

   Each person's session is made here with ``force_login`` and its cookie sent with every
   request. The pages take turns over a few rounds and each keeps its best round (the highest
   rate, the least CPU per request), so that a burst of other work on the machine does not decide
   the figures;
3. adds more data (accounts in the CSM's portfolio, people on the measured account, a 500-task
   onboarding checklist on it and 300 onboardings in the CSM's portfolio, its success plan grown
   from the demo's handful of items to over 300, and 200 more plans in the CSM's portfolio;
   for insights, 300 more accounts in the CSM's portfolio with contracts, product users, 60 days
   of usage through the API's bulk path (``insights.ingest``, as ``bench/dataset.py`` writes its
   data set), rolled up and scored, and on the measured account more contracts, users, usage
   and health history) and counts the queries again: query counts must not grow with the data.

It runs once on the embedded default (SQLite) and, when ``DATABASE_URL`` points at PostgreSQL,
once more on a scratch database on that server (``<name>_bench_pages``, created and dropped),
each run in a process of its own. The aims (:data:`AIM_ALL`, :data:`AIM_FAST`,
:data:`MAX_QUERIES`) are checked per engine and summed up at the end.

The demo data (load_demo) starts every account's onboarding and gives acme a success plan; a
page's path may name that plan as ``{acme_plan}``, filled in once the demo data is loaded.

Human-readable lines come first; the last line of stdout is one JSON object with every figure
(``engines``: one object per engine). The exit status is 1 when a page did not answer 200 or the
bench itself failed, else 0; missing an aim is reported, not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.loadgen import LoadResult, get, run_load  # noqa: E402

if TYPE_CHECKING:
    from django.test import Client

HOME = "/"  # a page whose path is "/" is measured where the home page sends that person


class Page(NamedTuple):
    name: str
    login: str  # the e-mail of the person viewing it (see accounts' load_demo)
    path: str


# The pages measured. Adding a page is one line: its name, who views it, its path.
PAGES: list[Page] = [
    Page("champion_home", "dana@acme.example", HOME),
    Page("executive_home", "eli@acme.example", HOME),
    Page("member_home", "mia@acme.example", HOME),
    Page("csm_home", "priya@northwind.example", HOME),
    Page("cs_admin_home", "morgan@northwind.example", HOME),
    Page("csm_account", "priya@northwind.example", "/a/acme/"),
    Page("champion_onboarding", "dana@acme.example", "/a/acme/onboarding/"),
    Page("csm_onboarding", "priya@northwind.example", "/a/acme/onboarding/"),
    Page("csm_onboardings", "priya@northwind.example", "/onboarding/"),
    Page("cs_admin_onboardings", "morgan@northwind.example", "/onboarding/"),
    Page("champion_plan", "dana@acme.example", "/a/acme/plans/{acme_plan}/"),
    Page("csm_plan", "priya@northwind.example", "/a/acme/plans/{acme_plan}/"),
    Page("csm_plans", "priya@northwind.example", "/plans/"),
    # Insights: the account dashboard is the account page above (*_home for its customers,
    # csm_account for the CSM); the CSM's 360° page and the book of business.
    Page("csm_360", "priya@northwind.example", "/a/acme/360/"),
    Page("csm_book", "priya@northwind.example", "/book/"),
    # Reviews and Wrapped: the archive executives download from, and the CSM's view of it.
    Page("executive_reports", "eli@acme.example", "/a/acme/reports/"),
    Page("csm_reports", "priya@northwind.example", "/a/acme/reports/"),
    Page("cs_admin_book", "morgan@northwind.example", "/book/"),
    Page("champion_updates", "dana@acme.example", "/a/acme/updates/"),
    Page("csm_updates", "priya@northwind.example", "/updates/"),
    # The vendor's portfolio (the CSM's accounts; every account for a CS admin). Today is where
    # the home page sends vendor staff: csm_home and cs_admin_home above.
    Page("csm_portfolio", "priya@northwind.example", "/portfolio/"),
    Page("cs_admin_portfolio", "morgan@northwind.example", "/portfolio/"),
    # The academy: the demo's one course (the first row, so id 1), as a member taking it.
    Page("member_course", "mia@acme.example", "/a/acme/academy/1/"),
    # Renewals: the pipeline (the CSM's, the whole team's with the owner column) grown from the
    # demo's handful to MORE_RENEWALS, and the customer's renewal page.
    Page("csm_renewals", "priya@northwind.example", "/renewals/"),
    Page("cs_admin_renewals", "morgan@northwind.example", "/renewals/"),
    Page("champion_renewal", "dana@acme.example", "/a/acme/renewal/"),
    # The sales handover (the demo's, sent by its CRM), and its card on the 360° page.
    Page("csm_handover", "priya@northwind.example", "/a/acme/handover/"),
    Page("csm_handover_card", "priya@northwind.example", "/a/acme/panels/handover/"),
    # The churn forecast's list: the accounts of the viewer's book likeliest to churn, paged
    # (tests/test_forecast.py proves its query count constant in the number of forecasts).
    Page("csm_forecast", "priya@northwind.example", "/forecast/"),
    Page("cs_admin_forecast", "morgan@northwind.example", "/forecast/"),
    # Value realized: the shared KPIs as the executive reads them, with the CSM's drafts.
    Page("executive_value", "eli@acme.example", "/a/acme/value/"),
    Page("csm_value", "priya@northwind.example", "/a/acme/value/"),
    # Documents: the account's documents area, as the champion and as the CSM (who also sees
    # the internal files); more data adds 1,000 documents.
    Page("champion_documents", "dana@acme.example", "/a/acme/documents/"),
    Page("csm_documents", "priya@northwind.example", "/a/acme/documents/"),
    # The executive's home (executive_home above: its shell) and its panels, each loaded on its
    # own: what needs their attention (sign-offs to decide, overdue tasks, the renewal), the
    # objectives against their targets, the shared health and the latest business review.
    # Feature adoption: the account's licensed features against its segment with the
    # recommendations for the unused ones (the champion's and the CSM's, who also gets the
    # licence and recommendation forms), and the CS team's campaigns with their results; more
    # data adds licensed features, recommendations, segment peers and campaigns.
    Page("champion_adoption", "dana@acme.example", "/a/acme/adoption/"),
    Page("csm_adoption", "priya@northwind.example", "/a/acme/adoption/"),
    Page("csm_adoption_campaigns", "priya@northwind.example", "/adoption/campaigns/"),
    Page("executive_attention", "eli@acme.example", "/a/acme/panels/attention/"),
    Page("executive_objectives", "eli@acme.example", "/a/acme/panels/objectives/"),
    Page("executive_health", "eli@acme.example", "/a/acme/panels/health-trend/"),
    Page("executive_review", "eli@acme.example", "/a/acme/panels/review-preview/"),
]

# The account dashboard (the account page, for its customers and the CSM), the 360° page and
# the book of business: their query counts on the demo data and with more data must be equal.
INSIGHTS_PAGES = (
    "champion_home",
    "executive_home",
    "csm_account",
    "csm_360",
    "csm_book",
    "cs_admin_book",
)

# The aims (issue 16): every page at least as fast as the baseline page, the pages people land
# on every day at least twice as fast; no page over MAX_QUERIES queries, and the same count with
# the demo data and with more data.
AIM_ALL = 1.0
AIM_FAST = 2.0
FAST_PAGES = frozenset(
    {
        # The account page: where champions, executives and members land, and the CSM's /a/<slug>/.
        "champion_home",
        "executive_home",
        "member_home",
        "csm_account",
        # Today (where vendor staff land), the portfolio and the book of business.
        "csm_home",
        "cs_admin_home",
        "csm_portfolio",
        "cs_admin_portfolio",
        "csm_book",
        "cs_admin_book",
        # The checklist and the plan page.
        "champion_onboarding",
        "csm_onboarding",
        "champion_plan",
        "csm_plan",
    }
)
MAX_QUERIES = 12
# The figure the bench reported before the baseline page: a page's rate over the bare view's.
AIM_BARE = 0.02
BARE_PATH = "/bench/bare/"
BASELINE_PATH = "/bench/baseline/"
BASELINE_LOGIN = "priya@northwind.example"
WORKERS = 2  # gunicorn sync workers: this machine has 2 cores

# The extra data for the second query count: more accounts in the CSM's portfolio (each with
# a champion, an executive and a member), more people on the measured account, and the
# measured account's customers in a few more accounts (so their account switcher grows).
MORE_DATA_CSM = "priya@northwind.example"
MORE_DATA_ACCOUNT = "acme"
MORE_ACCOUNTS = 50
MORE_MEMBERS = 30
MORE_INVITATIONS = 5
MORE_ACCOUNTS_PER_CUSTOMER = 5
# Onboarding: the measured account's checklist grows to this many tasks (a few more phases with
# them), and the CSM's onboarding portfolio to this many started checklists.
MORE_TASKS_TOTAL = 500
MORE_PHASES = 4
MORE_ONBOARDINGS_TOTAL = 300
# Success plans: the measured account's plan gains an objective with this many KPIs, and this
# many milestones and action items (the issue: "the same SQL query count for a plan with 3 and
# with 300 items"), plus some KPI history and discussion; the CSM's portfolio gains this many
# accounts, each with a small plan of its own.
MORE_PLAN_ITEMS_EACH = 100
# Sign-offs: the measured account's plan gains this many milestones, each with a sign-off (a
# third waiting, a third approved, a third rejected), and as many overdue customer action items.
MORE_SIGNOFFS = 1000
MORE_PLAN_COMMENTS = 40
MORE_PLANS = 200
# Insights, shaped like bench/dataset.py's data set and written through the same bulk path
# (insights.ingest): this many accounts in the CSM's portfolio with contracts, product users,
# MORE_USAGE_DAYS days of usage (rolled up) and today's health score, renewals spread over the
# next MORE_RENEWAL_DAYS days; on the measured account, more contracts, users and usage, and
# MORE_HEALTH_DAYS days of health history (the demo keeps a month).
MORE_INSIGHT_ACCOUNTS = 300
MORE_INSIGHT_USERS_EACH = 6
MORE_USAGE_DAYS = 60
MORE_USAGE_PER_USER_DAY = 1.5  # usage rows (features) per user and day, on average
MORE_RENEWAL_DAYS = 120
MORE_ACCOUNT_CONTRACTS = 40
MORE_ACCOUNT_USERS = 200
MORE_HEALTH_DAYS = 120
# Renewals in the pipeline with more data, all within its twelve months (the demo has about ten).
MORE_RENEWALS = 2_000

# The checklist the bench starts where the demo data has none: (phase, [(title, side, default
# assignee, due days after kickoff, options)]), ten tasks.
BENCH_TEMPLATE = "Bench onboarding"

# Every setting the portal reads from the environment. The bench clears them (and their
# ``*_FILE`` forms) so that it always runs on the embedded default, whatever the shell has.
PORTAL_SETTINGS = (
    "ALLOWED_HOSTS",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CONN_MAX_AGE",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DEBUG",
    "DEFAULT_FROM_EMAIL",
    "EMAIL_URL",
    "INVITATION_DAYS_VALID",
    "JOB_RELAY_AFTER_SECONDS",
    "LOG_LEVEL",
    "MEDIA_ROOT",
    "PORTAL_STAFF_MFA_REQUIRED",
    "PORTAL_VAR_DIR",
    "SECRET_KEY",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_SSL_REDIRECT",
    "SITE_NAME",
    "SITE_URL",
    "TIME_ZONE",
    "VENDOR_NAME",
)


class BenchError(Exception):
    """The bench could not do its work (as opposed to a page failing)."""


@dataclass
class PageResult:
    page: Page
    path: str = ""
    queries: int | None = None
    queries_more_data: int | None = None
    sql: list[str] = field(default_factory=list)
    sql_more_data: list[str] = field(default_factory=list)
    loads: list[LoadResult] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)  # the workers' CPU, per round
    failures: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float | None:
        """The best round's rate; None unless every response of every round was a 200."""
        if not self.loads or any(load.errors or not load.ok for load in self.loads):
            return None
        return max(load.rps for load in self.loads)

    @property
    def cpu_per_request(self) -> float | None:
        """The best round's CPU seconds per request in the gunicorn workers."""
        if self.rps is None or len(self.cpu_seconds) != len(self.loads):
            return None
        return min(cpu / load.ok for cpu, load in zip(self.cpu_seconds, self.loads, strict=True))

    @property
    def queries_constant(self) -> bool | None:
        if self.queries is None or self.queries_more_data is None:
            return None
        return self.queries == self.queries_more_data


def say(line: str = "") -> None:
    print(line, flush=True)


# --- Environment and data ------------------------------------------------------------------


def bench_environment(var_dir: Path) -> dict[str, str]:
    """The environment for the bench and its gunicorn: production mode on a throwaway var/."""
    cleared = {*PORTAL_SETTINGS, *(f"{name}_FILE" for name in PORTAL_SETTINGS)}
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
            "PORTAL_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "PORTAL_STAFF_MFA_REQUIRED": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare_database() -> None:
    """Set Django up in this process; migrate, load the demo data, collect the static files."""
    import django
    from django.core.management import call_command

    django.setup()
    out = StringIO()
    call_command("migrate", interactive=False, verbosity=0, stdout=out)
    call_command("load_demo", stdout=out)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=out)


def add_more_data() -> str:
    """Grow the data the measured pages show; a summary of what was added."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import (
        Account,
        Activity,
        CustomerRole,
        Invitation,
        Membership,
        Segment,
        Stage,
        User,
    )

    roles = list(CustomerRole)
    today = timezone.localdate()

    def new_users(prefix: str, count: int) -> list[User]:
        users = [
            User(email=f"{prefix}-{i:03d}@bench.example", name=f"Bench {prefix} {i:03d}")
            for i in range(count)
        ]
        for user in users:
            user.set_unusable_password()  # hashing real passwords would take minutes
        return User.objects.bulk_create(users)

    with transaction.atomic():
        csm = User.objects.get(email=MORE_DATA_CSM)
        measured = Account.objects.get(slug=MORE_DATA_ACCOUNT)
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Bench Account {i:02d}",
                slug=f"bench-{i:02d}",
                owner=csm,
                segment=list(Segment)[i % len(Segment)],
                stage=list(Stage)[i % len(Stage)],
                renewal_date=today + timedelta(days=7 * i),
                brand_color=f"#{i * 5 % 256:02x}60a0",
            )
            for i in range(MORE_ACCOUNTS)
        )
        people = new_users("person", MORE_ACCOUNTS * len(roles))
        memberships = [
            Membership(user=people[i * len(roles) + j], account=account, role=role)
            for i, account in enumerate(accounts)
            for j, role in enumerate(roles)
        ]
        colleagues = new_users("colleague", MORE_MEMBERS)
        joined = Membership.objects.bulk_create(
            Membership(user=user, account=measured, role=roles[i % len(roles)])
            for i, user in enumerate(colleagues)
        )
        customers = Membership.objects.filter(account=measured).exclude(user__in=colleagues)
        memberships += [
            Membership(user_id=m.user_id, account=account, role=m.role)
            for m in customers
            for account in accounts[:MORE_ACCOUNTS_PER_CUSTOMER]
        ]
        Membership.objects.bulk_create(memberships)
        membership_type = ContentType.objects.get_for_model(Membership)
        Activity.objects.bulk_create(
            Activity(
                account=measured,
                actor=m.user,
                verb="joined the account",
                target_type=membership_type,
                target_id=str(m.pk),
                target_label=str(m)[:300],
                after={"role": m.role},
            )
            for m in joined
        )
        Invitation.objects.bulk_create(
            Invitation(
                account=measured,
                email=f"invitee-{i}@acme.example",
                role=CustomerRole.MEMBER,
                invited_by=csm,
            )
            for i in range(MORE_INVITATIONS)
        )
    return (
        f"{MORE_ACCOUNTS} accounts for {MORE_DATA_CSM} with {len(roles)} people each, "
        f"{MORE_MEMBERS} people, {MORE_MEMBERS} activities and {MORE_INVITATIONS} invitations on "
        f"{MORE_DATA_ACCOUNT}, its customers in {MORE_ACCOUNTS_PER_CUSTOMER} more accounts"
    )


def demo_onboardings() -> str:
    """The demo data starts every account's onboarding (load_demo); say how many tasks acme has."""
    from onboarding.models import Checklist

    checklist = Checklist.objects.filter(account__slug="acme").first()
    if checklist is None:
        raise RuntimeError("load_demo left acme without an onboarding checklist")
    return f"{Checklist.objects.count()} started; acme has {checklist.tasks.count()} tasks"


def onboarding_figures() -> dict[str, int]:
    """How big the measured onboarding pages are."""
    from onboarding.models import Checklist, Task

    return {
        "checklist_tasks": Task.objects.filter(checklist__account__slug=MORE_DATA_ACCOUNT).count(),
        "csm_onboardings": Checklist.objects.filter(account__owner__email=MORE_DATA_CSM).count(),
        "all_onboardings": Checklist.objects.count(),
    }


def describe_figures(figures: dict[str, int]) -> str:
    return (
        f"{MORE_DATA_ACCOUNT}'s checklist has {figures['checklist_tasks']} tasks, "
        f"{MORE_DATA_CSM} has {figures['csm_onboardings']} onboardings, "
        f"all CSMs {figures['all_onboardings']}"
    )


def add_more_onboarding() -> str:
    """Grow the measured checklist to MORE_TASKS_TOTAL tasks and the CSM's onboarding
    portfolio to MORE_ONBOARDINGS_TOTAL checklists, in bulk; a summary of what was added."""
    import uuid
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Segment, Stage, User
    from onboarding.models import (
        Checklist,
        ChecklistPhase,
        Side,
        Task,
        TaskComment,
        position_after,
    )

    today, now = timezone.localdate(), timezone.now()
    with transaction.atomic():
        csm = User.objects.get(email=MORE_DATA_CSM)
        checklist = Checklist.objects.get(account__slug=MORE_DATA_ACCOUNT)
        people = list(User.objects.filter(memberships__account=checklist.account).order_by("pk"))
        phases = list(checklist.phases.all())
        phases += ChecklistPhase.objects.bulk_create(
            ChecklistPhase(
                checklist=checklist,
                name=f"Bench phase {i + 1}",
                position=position_after(checklist.phases.all()) + i,
            )
            for i in range(MORE_PHASES)
        )
        first = position_after(checklist.tasks.all())
        new_tasks = max(0, MORE_TASKS_TOTAL - checklist.tasks.count())

        def task(i: int) -> Task:
            customer = i % 3 != 0
            done = i % 4 == 0
            assignee = people[i % len(people)] if customer else csm
            return Task(
                checklist=checklist,
                phase=phases[i % len(phases)],
                title=f"Bench task {i + 1:03d}",
                description="Check the **numbers** against last quarter's.",
                resource_links="Guide https://docs.example.com/bench",
                owner_side=Side.CUSTOMER if customer else Side.VENDOR,
                internal=not customer and i % 2 == 0,
                required=i % 5 != 0,
                assignee=assignee,
                due_date=today + timedelta(days=i % 60 - 20),
                completed_at=now if done else None,
                completed_by=assignee if done else None,
                position=first + i,
                client_token=uuid.uuid4(),
            )

        tasks = Task.objects.bulk_create(task(i) for i in range(new_tasks))
        TaskComment.objects.bulk_create(
            TaskComment(task=t, author=t.assignee or csm, body="Any news on this one?")
            for t in tasks[::7]
        )

        # More onboardings in the CSM's portfolio: accounts of their own, each with a
        # checklist of two phases and five tasks, in every state.
        new_onboardings = max(
            0, MORE_ONBOARDINGS_TOTAL - Checklist.objects.filter(account__owner=csm).count()
        )
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Onboarding Account {i + 1:03d}",
                slug=f"bench-onboarding-{i + 1:03d}",
                owner=csm,
                segment=list(Segment)[i % len(Segment)],
                stage=Stage.ONBOARDING,
                renewal_date=today + timedelta(days=300 + i),
                brand_color=f"#{i * 7 % 256:02x}8040",
            )
            for i in range(new_onboardings)
        )
        checklists = Checklist.objects.bulk_create(
            Checklist(
                account=account,
                template_name=BENCH_TEMPLATE,
                kickoff_date=today + timedelta(days=i % 50 - 40),
                started_by=csm,
                value_reached_at=now if i % 5 == 0 else None,
                completed_at=now if i % 10 == 0 else None,
            )
            for i, account in enumerate(accounts)
        )
        account_phases = ChecklistPhase.objects.bulk_create(
            ChecklistPhase(checklist=c, name=name, position=position)
            for c in checklists
            for position, name in enumerate(["Kickoff", "Go-live"])
        )
        Task.objects.bulk_create(
            Task(
                checklist_id=phase.checklist_id,
                phase=phase,
                title=f"Step {j + 1}",
                owner_side=Side.CUSTOMER if j % 2 else Side.VENDOR,
                is_value_milestone=milestone,
                due_date=phase.checklist.kickoff_date + timedelta(days=7 * j),
                completed_at=now
                if phase.checklist.completed_at
                or (milestone and phase.checklist.value_reached_at)
                or (i + j) % 3 == 0
                else None,
                position=j,
                client_token=uuid.uuid4(),
            )
            for i, phase in enumerate(account_phases)
            for j in range(5)
            for milestone in [phase.position == 1 and j == 4]
        )
    return (
        f"{new_tasks} tasks ({len(tasks[::7])} with a comment) and {MORE_PHASES} phases on "
        f"{MORE_DATA_ACCOUNT}'s checklist, {new_onboardings} accounts with a started checklist "
        f"for {MORE_DATA_CSM}"
    )


def demo_plan_paths() -> dict[str, str]:
    """What a page's path may name, from the demo data: ``{acme_plan}``, acme's plan's id."""
    from successplans.models import SuccessPlan

    plan = SuccessPlan.objects.filter(account__slug=MORE_DATA_ACCOUNT).order_by("pk").first()
    if plan is None:
        raise BenchError(f"load_demo left {MORE_DATA_ACCOUNT} without a success plan")
    return {"acme_plan": str(plan.pk)}


def plan_figures() -> dict[str, int]:
    """How big the measured plan pages are: the items of acme's plan, the CSM's plans."""
    from successplans.models import KPI, ActionItem, Milestone, Objective, SuccessPlan

    plan = SuccessPlan.objects.filter(account__slug=MORE_DATA_ACCOUNT).order_by("pk").first()
    items = {
        "objectives": Objective.objects.filter(plan=plan).count(),
        "kpis": KPI.objects.filter(objective__plan=plan).count(),
        "milestones": Milestone.objects.filter(plan=plan).count(),
        "actions": ActionItem.objects.filter(plan=plan).count(),
    }
    return {
        "plan_items": sum(items.values()),
        **{f"plan_{kind}": count for kind, count in items.items()},
        "csm_plans": SuccessPlan.objects.filter(account__owner__email=MORE_DATA_CSM).count(),
    }


def describe_plan_figures(figures: dict[str, int]) -> str:
    return (
        f"{MORE_DATA_ACCOUNT}'s plan has {figures['plan_items']} items "
        f"({figures['plan_objectives']} objectives, {figures['plan_kpis']} KPIs, "
        f"{figures['plan_milestones']} milestones, {figures['plan_actions']} action items), "
        f"{MORE_DATA_CSM} has {figures['csm_plans']} plans"
    )


MORE_DOCUMENTS = 1000


def add_more_documents() -> str:
    """1,000 more documents in the measured account (every fifth internal; half in a folder),
    sharing one stored file: the documents area must run the same queries."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account
    from documents.models import Document, Folder, Visibility

    with transaction.atomic():
        account = Account.objects.get(slug=MORE_DATA_ACCOUNT)
        stored = Document.objects.filter(account=account).order_by("pk").first()
        if stored is None:
            return "no documents to copy"
        folder = Folder.objects.filter(account=account).order_by("pk").first()
        now = timezone.now()
        Document.objects.bulk_create(
            Document(
                account=account,
                folder=folder if i % 2 else None,
                file=stored.file.name,
                name=f"bench-report-{i:04d}.pdf",
                size=stored.size,
                content_type=stored.content_type,
                visibility=Visibility.INTERNAL if i % 5 == 0 else Visibility.SHARED,
                uploaded_by_id=stored.uploaded_by_id,
                uploaded_at=now,
            )
            for i in range(MORE_DOCUMENTS)
        )
    return f"{MORE_DOCUMENTS} documents"


def add_more_signoffs() -> str:
    """MORE_SIGNOFFS milestones on acme's plan, each with a sign-off in every state, and as
    many overdue customer action items, in bulk; a summary of what was added."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from onboarding.models import Side
    from successplans.models import (
        ActionItem,
        Milestone,
        MilestoneStatus,
        SignOff,
        SignOffStatus,
        SuccessPlan,
    )

    n = MORE_SIGNOFFS
    today, now = timezone.localdate(), timezone.now()
    states = list(SignOffStatus)
    with transaction.atomic():
        csm = User.objects.get(email=MORE_DATA_CSM)
        plan = SuccessPlan.objects.filter(account__slug=MORE_DATA_ACCOUNT).order_by("pk").first()
        if plan is None:
            raise BenchError(f"{MORE_DATA_ACCOUNT} has no success plan for sign-offs")
        deciders = list(
            User.objects.filter(
                memberships__account=plan.account, memberships__role__in=("champion", "executive")
            ).order_by("pk")
        )
        milestones = Milestone.objects.bulk_create(
            Milestone(
                plan=plan,
                title=f"Bench deliverable {i + 1:04d}",
                target_date=today + timedelta(days=i % 60 - 20),
                owner_side=Side.VENDOR,
                status=MilestoneStatus.DONE
                if states[i % 3] == SignOffStatus.APPROVED
                else MilestoneStatus.IN_PROGRESS,
                done_at=now if states[i % 3] == SignOffStatus.APPROVED else None,
                position=1000 + i,
            )
            for i in range(n)
        )
        SignOff.objects.bulk_create(
            SignOff(
                account=plan.account,
                milestone=milestone,
                requested_by=csm,
                requested_at=now - timedelta(days=i % 30),
                status=states[i % 3],
                decided_by=None
                if states[i % 3] == SignOffStatus.PENDING
                else deciders[i % len(deciders)],
                decided_at=None if states[i % 3] == SignOffStatus.PENDING else now,
                reason="Not yet" if states[i % 3] == SignOffStatus.REJECTED else "",
            )
            for i, milestone in enumerate(milestones)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                plan=plan,
                title=f"Bench overdue action {i + 1:04d}",
                side=Side.CUSTOMER,
                due_date=today - timedelta(days=1 + i % 30),
                position=1000 + i,
            )
            for i in range(n)
        )
    return f"{n} sign-offs and {n} overdue customer actions on {MORE_DATA_ACCOUNT}'s plan"


def add_more_plans() -> str:
    """Grow acme's plan past 300 items and the CSM's plans portfolio by MORE_PLANS, in bulk; a
    summary of what was added. Every kind of item in every state, on both sides, some internal,
    so that nothing the pages show is left out of the count."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Segment, Stage, User
    from onboarding.models import Side, position_after
    from successplans.models import (
        KPI,
        ActionItem,
        ActionStatus,
        KPIValue,
        Milestone,
        MilestoneStatus,
        Objective,
        PlanComment,
        PlanHealth,
        SuccessPlan,
    )

    n = MORE_PLAN_ITEMS_EACH
    today, now = timezone.localdate(), timezone.now()
    milestone_states = list(MilestoneStatus)
    action_states = list(ActionStatus)
    with transaction.atomic():
        csm = User.objects.get(email=MORE_DATA_CSM)
        plan = SuccessPlan.objects.filter(account__slug=MORE_DATA_ACCOUNT).order_by("pk").first()
        if plan is None:
            raise BenchError(f"{MORE_DATA_ACCOUNT} has no success plan to grow")
        people = list(User.objects.filter(memberships__account=plan.account).order_by("pk"))
        objective = Objective.objects.create(
            plan=plan,
            title="Bench objective",
            why="Many KPIs under one outcome.",
            owner=people[0],
            target_date=plan.ends_on,
            position=position_after(plan.objectives.all()),
        )
        kpis = KPI.objects.bulk_create(
            KPI(
                objective=objective,
                name=f"Bench KPI {i + 1:03d}",
                unit="%" if i % 2 else "hours",
                baseline=Decimal(0 if i % 2 else 100),
                target=Decimal(100 if i % 2 else 10),
                current=None if i % 10 == 0 else Decimal(i % 90 + 5),
                target_date=plan.ends_on - timedelta(days=i % 30),
                position=i,
            )
            for i in range(n)
        )
        KPIValue.objects.bulk_create(
            KPIValue(
                kpi=kpi,
                value=kpi.current + j,
                recorded_at=now - timedelta(days=7 * (3 - j)),
                recorded_by=people[0],
            )
            for kpi in kpis
            if kpi.current is not None
            for j in range(3)
        )
        Milestone.objects.bulk_create(
            Milestone(
                plan=plan,
                title=f"Bench milestone {i + 1:03d}",
                target_date=plan.starts_on + timedelta(days=5 + i * 3),
                owner_side=Side.CUSTOMER if i % 2 else Side.VENDOR,
                status=milestone_states[i % len(milestone_states)],
                done_at=now if milestone_states[i % len(milestone_states)] == "done" else None,
                internal=i % 2 == 0 and i % 3 == 0,
                position=i,
            )
            for i in range(n)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                plan=plan,
                title=f"Bench action {i + 1:03d}",
                side=Side.CUSTOMER if i % 2 else Side.VENDOR,
                assignee=people[i % len(people)] if i % 2 else csm,
                due_date=today + timedelta(days=i % 40 - 15),
                status=action_states[i % len(action_states)],
                completed_at=now if action_states[i % len(action_states)] == "done" else None,
                internal=i % 2 == 0 and i % 4 == 0,
                position=i,
            )
            for i in range(n)
        )
        PlanComment.objects.bulk_create(
            PlanComment(
                plan=plan,
                item_kind="kpi" if i % 2 else "",
                item_id=kpis[i].pk if i % 2 else None,
                item_label=kpis[i].name if i % 2 else "",
                author=people[i % len(people)] if i % 3 else csm,
                body=f"Bench comment {i + 1}: where are we on this?",
                internal=i % 3 == 0 and i % 2 == 0,
            )
            for i in range(MORE_PLAN_COMMENTS)
        )

        # More plans in the CSM's portfolio: accounts of their own, each with a small plan (an
        # objective with a KPI, two milestones, two action items) in every state of health.
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Plan Account {i + 1:03d}",
                slug=f"bench-plan-{i + 1:03d}",
                owner=csm,
                segment=list(Segment)[i % len(Segment)],
                stage=Stage.ADOPTION,
                renewal_date=today + timedelta(days=200 + i),
                brand_color=f"#{i * 11 % 256:02x}4080",
            )
            for i in range(MORE_PLANS)
        )
        plans = SuccessPlan.objects.bulk_create(
            SuccessPlan(
                account=account,
                name=f"Bench plan {i + 1:03d}",
                starts_on=today - timedelta(days=i % 200),
                ends_on=today - timedelta(days=i % 200) + timedelta(days=365),
                created_by=csm,
                health_override=PlanHealth.AT_RISK if i % 25 == 0 else "",
                override_reason="Sponsor left" if i % 25 == 0 else "",
                override_by=csm if i % 25 == 0 else None,
                override_at=now if i % 25 == 0 else None,
            )
            for i, account in enumerate(accounts)
        )
        objectives = Objective.objects.bulk_create(
            Objective(plan=p, title="Adoption across the team", target_date=p.ends_on)
            for p in plans
        )
        KPI.objects.bulk_create(
            KPI(
                objective=o,
                name="Weekly active users",
                unit="%",
                baseline=Decimal(20),
                target=Decimal(80),
                current=Decimal(20 + i % 60),
            )
            for i, o in enumerate(objectives)
        )
        Milestone.objects.bulk_create(
            Milestone(
                plan=p,
                title=f"Milestone {j + 1}",
                target_date=p.starts_on + timedelta(days=60 + 120 * j),
                owner_side=Side.CUSTOMER if j else Side.VENDOR,
                status=MilestoneStatus.DONE if (i + j) % 4 == 0 else MilestoneStatus.PLANNED,
            )
            for i, p in enumerate(plans)
            for j in range(2)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                plan=p,
                title=f"Action {j + 1}",
                side=Side.CUSTOMER if j else Side.VENDOR,
                assignee=csm if not j else None,
                due_date=today + timedelta(days=(i + 7 * j) % 30 - 10),
                status=ActionStatus.DONE if (i + j) % 3 == 0 else ActionStatus.OPEN,
            )
            for i, p in enumerate(plans)
            for j in range(2)
        )
    return (
        f"{3 * n + 1} items ({n} KPIs with history, {n} milestones, {n} action items and an "
        f"objective) and {MORE_PLAN_COMMENTS} comments on {MORE_DATA_ACCOUNT}'s plan, "
        f"{MORE_PLANS} accounts with a small plan for {MORE_DATA_CSM}"
    )


def renewal_figures() -> dict[str, int]:
    from renewals.models import Renewal

    return {"renewals": Renewal.objects.count()}


def add_more_renewals() -> str:
    """Renewals up to MORE_RENEWALS, spread over the months of the pipeline, the CSM's
    accounts, every stage and forecast, each with its contract and a checklist (bulk inserts,
    not the services: the pages are measured, not the writes)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account
    from insights.models import Contract
    from renewals.models import Forecast, Renewal, RenewalStage, RenewalStep, Side

    today = timezone.localdate()
    missing = MORE_RENEWALS - Renewal.objects.count()
    if missing <= 0:
        return f"{Renewal.objects.count()} renewals"
    accounts = list(Account.objects.filter(owner__email=MORE_DATA_CSM).order_by("pk")[:500])
    stages, forecasts = list(RenewalStage.values), list(Forecast.values)
    with transaction.atomic():
        contracts = Contract.objects.bulk_create(
            Contract(
                account=accounts[i % len(accounts)],
                external_id=f"BENCH-RENEWAL-{i}",
                product="Northwind Analytics",
                starts_on=today + timedelta(days=i % 360) - timedelta(days=365),
                ends_on=today + timedelta(days=i % 360),
                recurring_value=Decimal(12_000 + 500 * (i % 40)),
                term_months=12,
            )
            for i in range(missing)
        )
        renewals = Renewal.objects.bulk_create(
            Renewal(
                contract=c,
                account_id=c.account_id,
                stage=stages[i % len(stages)],
                forecast=forecasts[i % len(forecasts)],
                amount_at_stake=c.recurring_value,
                amount_committed=c.recurring_value if i % 3 == 0 else None,
                renews_on=c.ends_on,
            )
            for i, c in enumerate(contracts)
        )
        RenewalStep.objects.bulk_create(
            RenewalStep(
                renewal=r,
                title=f"Step {n}",
                side=Side.CUSTOMER if n % 2 else Side.VENDOR,
                position=n,
            )
            for r in renewals
            for n in range(3)
        )
    return f"{Renewal.objects.count()} renewals"


MORE_ADOPTION_FEATURES = 40
MORE_ADOPTION_CAMPAIGNS = 60


def add_more_adoption() -> str:
    """More licensed features on the measured account (each unused, with a general and a
    pinned recommendation), the same features licensed by every account of its segment, and
    campaigns with targets (bulk inserts: the pages are measured, not the writes)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Membership, User
    from adoption.models import (
        AdoptionCampaign,
        CampaignTarget,
        LicensedFeature,
        Recommendation,
        RecommendationKind,
    )

    account = Account.objects.get(slug=MORE_DATA_ACCOUNT)
    staff = User.objects.get(email=MORE_DATA_CSM)
    today = timezone.localdate()
    features = [f"bench-feature-{n}" for n in range(MORE_ADOPTION_FEATURES)]
    peers = list(Account.objects.filter(segment=account.segment).values_list("pk", flat=True))
    people = list(Membership.objects.filter(account=account).values_list("user_id", flat=True))
    with transaction.atomic():
        LicensedFeature.objects.bulk_create(
            [LicensedFeature(account_id=pk, feature=f) for pk in peers for f in features],
            ignore_conflicts=True,
        )
        Recommendation.objects.bulk_create(
            Recommendation(
                feature=f,
                kind=RecommendationKind.HOW_TO,
                title=f"Start with {f}",
                body="1. Open it.\n2. Try **one** thing.",
                account=account if pinned else None,
                pinned=pinned,
                created_by=staff,
            )
            for f in features
            for pinned in (False, True)
        )
        campaigns = AdoptionCampaign.objects.bulk_create(
            AdoptionCampaign(
                name=f"Bench campaign {n}",
                feature=features[n % len(features)],
                account=account,
                headline="Try it",
                message="It helps.",
                created_by=staff,
                launched_at=timezone.now(),
                launched_on=today,
                results_until=AdoptionCampaign.result_window(today),
            )
            for n in range(MORE_ADOPTION_CAMPAIGNS)
        )
        CampaignTarget.objects.bulk_create(
            CampaignTarget(
                campaign=c, account=account, user_id=u, external_id=f"x{u}", email=f"x{u}@x.example"
            )
            for c in campaigns
            for u in people
        )
    return (
        f"{LicensedFeature.objects.filter(account=account).count()} licensed features on "
        f"{MORE_DATA_ACCOUNT} and its {len(peers) - 1} segment peers, "
        f"{AdoptionCampaign.objects.count()} adoption campaigns"
    )


def insights_figures() -> dict[str, int]:
    """How big the measured insights pages are: the CSM's book, the measured account's data."""
    from accounts.models import Account
    from insights.models import Contract, FeatureUsageDay, HealthScore, UsageDay, UsageEvent

    portfolio = Account.objects.filter(owner__email=MORE_DATA_CSM)
    return {
        "book_accounts": portfolio.count(),
        "book_scored_accounts": portfolio.filter(health_scores__isnull=False).distinct().count(),
        "book_contracts": Contract.objects.filter(account__in=portfolio).count(),
        "usage_rows": UsageEvent.objects.count(),
        "usage_day_rows": UsageDay.objects.count(),
        "account_contracts": Contract.objects.filter(account__slug=MORE_DATA_ACCOUNT).count(),
        "account_usage_rows": UsageEvent.objects.filter(account__slug=MORE_DATA_ACCOUNT).count(),
        "account_features": FeatureUsageDay.objects.filter(account__slug=MORE_DATA_ACCOUNT)
        .values("feature")
        .distinct()
        .count(),
        "account_health_days": HealthScore.objects.filter(account__slug=MORE_DATA_ACCOUNT).count(),
    }


def describe_insights_figures(figures: dict[str, int]) -> str:
    return (
        f"{MORE_DATA_CSM}'s book has {figures['book_accounts']} accounts "
        f"({figures['book_scored_accounts']} scored, {figures['book_contracts']} contracts), "
        f"{figures['usage_rows']} usage rows in all; {MORE_DATA_ACCOUNT} has "
        f"{figures['account_contracts']} contracts, {figures['account_usage_rows']} usage rows "
        f"over {figures['account_features']} features, {figures['account_health_days']} days "
        f"of health"
    )


def add_more_insights() -> str:
    """Grow the book of business and the measured account's insights through the API's bulk
    path (insights.ingest), with bench/dataset.py's generators; then roll the usage up and
    score the health, as the nightly tasks do. A summary of what was added."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Account, Segment, Stage, User
    from bench.dataset import FEATURES, contract_rows, usage_rows, user_rows
    from insights.models import AccountFacts, Contract, ContractKind
    from insights.services.health import compute_health_scores
    from insights.services.ingest import upsert_contracts, upsert_usage, upsert_users
    from insights.services.usage import days_back, roll_up

    today = timezone.localdate()
    users = MORE_INSIGHT_ACCOUNTS * MORE_INSIGHT_USERS_EACH
    rows = round(users * MORE_USAGE_DAYS * MORE_USAGE_PER_USER_DAY)
    account_rows = round(MORE_ACCOUNT_USERS * MORE_USAGE_DAYS * MORE_USAGE_PER_USER_DAY)
    started = time.monotonic()
    with transaction.atomic():
        csm = User.objects.get(email=MORE_DATA_CSM)
        measured = Account.objects.get(slug=MORE_DATA_ACCOUNT)
        accounts = Account.objects.bulk_create(
            Account(
                name=f"Insights Account {i + 1:03d}",
                slug=f"bench-insights-{i + 1:03d}",
                owner=csm,
                segment=list(Segment)[i % len(Segment)],
                stage=list(Stage)[i % len(Stage)],
                renewal_date=today + timedelta(days=i % MORE_RENEWAL_DAYS),
                brand_color=f"#{i * 13 % 256:02x}a040",
            )
            for i in range(MORE_INSIGHT_ACCOUNTS)
        )
        ids = [a.pk for a in accounts]
        # Seats from one to three times the users: MAU/seats, so health, in every band.
        AccountFacts.objects.bulk_create(
            AccountFacts(
                account_id=pk,
                licensed_seats=MORE_INSIGHT_USERS_EACH * (1 + i % 3),
                pulse=list(AccountFacts.Pulse)[i % 3] if i % 2 else "",
                pulse_note="Bench pulse" if i % 2 else "",
            )
            for i, pk in enumerate(ids)
        )
        upsert_contracts(contract_rows(ids, today))
        upsert_users(user_rows(ids, users))
        upsert_usage(usage_rows(ids, users, rows, MORE_USAGE_DAYS, today))

        # The measured account: more contracts, users (on more features) and usage.
        upsert_contracts(
            {
                "account_id": measured.pk,
                "external_id": f"ACME-BENCH-{i + 1:02d}",
                "product": f"Bench add-on {i + 1}",
                "kind": list(ContractKind)[i % len(ContractKind)],
                "starts_on": today - timedelta(days=10 * i),
                "ends_on": today - timedelta(days=10 * i) + timedelta(days=365),
                "recurring_value": 1_000 + 100 * i,
                "value_period": list(Contract.ValuePeriod)[i % 2],
                "term_months": 12,
            }
            for i in range(MORE_ACCOUNT_CONTRACTS)
        )
        upsert_users(user_rows([measured.pk], MORE_ACCOUNT_USERS))
        upsert_usage(
            row | {"feature": f"{row['feature']}-{row['count'] % 3}"}
            for row in usage_rows(
                [measured.pk], MORE_ACCOUNT_USERS, account_rows, MORE_USAGE_DAYS, today
            )
        )
    written = time.monotonic() - started
    started = time.monotonic()
    roll_up([*ids, measured.pk], days_back(today, MORE_USAGE_DAYS))
    rolled = time.monotonic() - started
    started = time.monotonic()
    compute_health_scores(ids, today)
    for day in days_back(today, MORE_HEALTH_DAYS):
        compute_health_scores([measured.pk], day)
    scored = time.monotonic() - started
    return (
        f"{MORE_INSIGHT_ACCOUNTS} accounts for {MORE_DATA_CSM} with contracts, {users} product "
        f"users and {rows} usage rows over {MORE_USAGE_DAYS} days, {MORE_ACCOUNT_CONTRACTS} "
        f"contracts, {MORE_ACCOUNT_USERS} users and {account_rows} usage rows on "
        f"{MORE_DATA_ACCOUNT} ({len(FEATURES) * 3} features), {MORE_HEALTH_DAYS} days of its "
        f"health (written in {written:.1f} s, rolled up in {rolled:.1f} s, scored in "
        f"{scored:.1f} s)"
    )


# --- Query counts --------------------------------------------------------------------------


def log_in(logins: list[str]) -> dict[str, Client]:
    """A logged-in test client for each person (its session lives in the bench's database)."""
    from django.test import Client

    from accounts.models import User

    clients = {}
    for email in logins:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        clients[email] = client
    return clients


def landing_path(client: Client, path: str) -> str:
    """``path`` itself, or for :data:`HOME` the page the home page redirects to."""
    if path != HOME:
        return path
    response = client.get(HOME)
    if response.status_code != 302:
        raise BenchError(f"the home page answered {response.status_code}, not a redirect")
    return str(response["Location"])


def count_queries(client: Client, path: str) -> list[str]:
    """The SQL of one request for ``path``, after a first one has warmed the caches."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise BenchError(f"answered {response.status_code}")
    return [query["sql"] for query in queries.captured_queries]


def shape(sql: str) -> str:
    """A query with its literal values blanked, to tell which queries repeat. A list of values
    counts as one (a prefetch's ``IN (...)`` is the same query for 3 ids and for 300)."""
    blanked = re.sub(r"'(?:[^']|'')*'|\b\d+\b", "?", sql)
    return re.sub(r"\(\?(?:, \?)*\)", "(...)", blanked)


def add_more_handover() -> str:
    """Acme's handover grown from the demo's few rows to hundreds in each list."""
    from handover.models import Handover, HandoverObjective, Promise, Stakeholder

    handover = Handover.objects.get(account__slug=MORE_DATA_ACCOUNT)
    HandoverObjective.objects.bulk_create(
        HandoverObjective(handover=handover, title=f"Objective {n}", position=100 + n)
        for n in range(200)
    )
    Stakeholder.objects.bulk_create(
        Stakeholder(handover=handover, name=f"Person {n}", position=100 + n) for n in range(200)
    )
    Promise.objects.bulk_create(
        Promise(handover=handover, promise=f"Promise {n}", position=100 + n) for n in range(200)
    )
    return f"{MORE_DATA_ACCOUNT}'s handover has 200 more objectives, stakeholders and promises"


def grown_queries(before: list[str], after: list[str]) -> list[str]:
    """The queries that run more often with more data, with how often."""
    counts_before, counts_after = Counter(map(shape, before)), Counter(map(shape, after))
    return [
        f"{counts_before[sql]} -> {n}: {sql[:160]}"
        for sql, n in counts_after.items()
        if n > counts_before[sql]
    ]


# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_times(pids: list[int]) -> dict[int, float]:
    """Each process's CPU seconds so far (user + system), from ``/proc/<pid>/stat``."""
    times = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        times[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return times


@dataclass
class Server:
    port: int
    pid: int  # gunicorn's master

    def worker_cpu(self) -> dict[int, float]:
        return cpu_times(children(self.pid))


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the workers spent between two readings (a worker that was replaced in
    between counts from its start)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


@contextmanager
def gunicorn(env: dict[str, str], log_path: Path) -> Iterator[int]:
    """Serve the portal with gunicorn on a free local port; its port. Stopped on the way out."""
    with gunicorn_server(env, log_path) as server:
        yield server.port


@contextmanager
def gunicorn_server(env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """Serve the portal with gunicorn on a free local port; stop it on the way out."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=sync",
        "--graceful-timeout=5",
        "--log-level=warning",
        "--no-control-socket",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{tail(log_path)}")
            try:
                if get(port, "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"gunicorn did not answer within 30 s:\n{tail(log_path)}")
            time.sleep(0.1)
        yield Server(port, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: gunicorn and its workers
            process.wait()


# --- The run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadSettings:
    rounds: int
    duration: float
    warmup: float
    concurrency: int
    max_requests: int


def measure(
    server: Server, path: str, headers: dict[str, str], load: LoadSettings
) -> tuple[LoadResult, float]:
    """Warm up, then one bounded run; what it got and the workers' CPU seconds it took."""
    run_load(
        server.port,
        path,
        headers=headers,
        duration=load.warmup,
        max_requests=load.max_requests,
        concurrency=load.concurrency,
    )
    before = server.worker_cpu()
    result = run_load(
        server.port,
        path,
        headers=headers,
        duration=load.duration,
        max_requests=load.max_requests,
        concurrency=load.concurrency,
    )
    return result, cpu_spent(before, server.worker_cpu())


def describe(load: LoadResult, cpu: float) -> str:
    per_request = f"{1000 * cpu / load.ok:6.2f} ms CPU/req" if load.ok else "-"
    text = f"{load.rps:8.1f} req/s, {per_request} ({load.ok} in {load.seconds:.1f} s)"
    if load.errors:
        text += f", {load.errors} failed: {load.outcomes}"
    return text


ENGINES = ("sqlite", "postgresql")
# The PostgreSQL server to run on, handed from the parent to the PostgreSQL run (the bench clears
# DATABASE_URL like every other portal setting).
SERVER_URL_VARIABLE = "BENCH_PAGES_SERVER_URL"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def scratch_name(url: str) -> str:
    """The scratch database's name: the one DATABASE_URL names, with a suffix, so that two
    people benching on one server with their own databases do not meet."""
    name = urlsplit(url).path.lstrip("/") or "portal"
    return f"{name}_bench_pages"


def run(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    """One engine's run: SQLite in ``var_dir``, or a scratch database on PostgreSQL."""
    server_url = os.environ.get(SERVER_URL_VARIABLE, "")
    env = bench_environment(var_dir)
    os.environ.clear()
    os.environ.update(env)
    if args.engine == "postgresql":
        from bench.dataset import scratch_postgres

        name = scratch_name(server_url)
        with scratch_postgres(server_url, name) as scratch_url:
            env["DATABASE_URL"] = os.environ["DATABASE_URL"] = scratch_url
            say(f"PostgreSQL: scratch database {name} (created now, dropped at the end)")
            return run_on(args, var_dir, env) | {"scratch_database": name}
    return run_on(args, var_dir, env)


def run_on(args: argparse.Namespace, var_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    load = LoadSettings(
        args.rounds, args.duration, args.warmup, args.concurrency, args.max_requests
    )

    say(f"Temporary var dir {var_dir}: migrating, loading the demo data, collecting static files")
    prepare_database()
    say(f"Onboarding: {demo_onboardings()}")
    data = {"demo": onboarding_figures() | plan_figures() | insights_figures()}
    placeholders = demo_plan_paths()

    from django.conf import settings
    from django.db import connection, connections

    engine = connection.vendor
    chosen = [page for page in PAGES if not args.only or page.name in args.only]
    unknown = set(args.only or ()) - {page.name for page in PAGES}
    if unknown:
        raise BenchError(f"no such page: {', '.join(sorted(unknown))}")
    results = [PageResult(page) for page in chosen]
    clients = log_in(list(dict.fromkeys([BASELINE_LOGIN, *(page.login for page in chosen)])))
    baseline = PageResult(Page("baseline", BASELINE_LOGIN, BASELINE_PATH), path=BASELINE_PATH)

    say(
        f"\nSQL queries per page on {engine} (demo data; {describe_figures(data['demo'])}; "
        f"{describe_plan_figures(data['demo'])}; {describe_insights_figures(data['demo'])}):"
    )
    for result in [baseline, *results]:
        client = clients[result.page.login]
        try:
            result.path = landing_path(client, result.page.path.format_map(placeholders))
            result.sql = count_queries(client, result.path)
            result.queries = len(result.sql)
            say(f"  {result.page.name:<20} {result.path:<20} {result.queries:3d} queries")
        except Exception as error:
            result.failures.append(f"query count: {error}")
            say(f"  {result.page.name:<20} FAILED: {error}")
        if args.show_sql:
            for sql in result.sql:
                say(f"      {sql[:200]}")
    connections.close_all()
    if baseline.failures:
        raise BenchError(f"the baseline page failed: {baseline.failures}")

    # What the load runs: (name, path, request headers, the result its runs go to).
    cookie_name = settings.SESSION_COOKIE_NAME
    bare = PageResult(Page("bare", "", BARE_PATH), path=BARE_PATH)
    targets: list[tuple[str, str, dict[str, str], PageResult]] = [("bare", BARE_PATH, {}, bare)]
    for result in [baseline, *results]:
        if result.path:
            cookie = clients[result.page.login].cookies[cookie_name].value
            headers = {"Cookie": f"{cookie_name}={cookie}"}
            targets.append((result.page.name, result.path, headers, result))
    say(
        f"\ngunicorn, {WORKERS} sync workers, DEBUG=false, {engine}; load: {load.concurrency} "
        f"threads, {load.rounds} rounds of {load.warmup:g} s warm-up + {load.duration:g} s per "
        f"page (at most {load.max_requests} requests); CPU: the workers' utime + stime"
    )
    with gunicorn_server(env, var_dir / "gunicorn.log") as server:
        for round_number in range(1, load.rounds + 1):
            say(f"  round {round_number}/{load.rounds}")
            for name, path, headers, target in targets:
                outcome, cpu = measure(server, path, headers, load)
                target.loads.append(outcome)
                target.cpu_seconds.append(cpu)
                say(f"    {name:<20} {path:<20} {describe(outcome, cpu)}")
        gunicorn_log = tail(var_dir / "gunicorn.log")
    for result in results:
        if result.loads and result.rps is None:
            errors = sum(run.errors for run in result.loads)
            result.failures.append(f"load: {errors} responses not 200")
    for reference in (bare, baseline):
        if reference.rps is None:
            outcomes = [run.outcomes for run in reference.loads]
            raise BenchError(f"the {reference.page.name} page failed: {outcomes}")

    say(
        f"\nAdding data: {add_more_data()}; {add_more_onboarding()}; {add_more_plans()}; "
        f"{add_more_signoffs()}; {add_more_insights()}; {add_more_renewals()}; "
        f"{add_more_handover()}; {add_more_documents()}; {add_more_adoption()}"
    )
    data["more_data"] = (
        onboarding_figures() | plan_figures() | insights_figures() | renewal_figures()
    )
    say(
        f"SQL queries per page (more data; {describe_figures(data['more_data'])}; "
        f"{describe_plan_figures(data['more_data'])}; "
        f"{describe_insights_figures(data['more_data'])}):"
    )
    for result in results:
        if not result.path:
            continue
        try:
            result.sql_more_data = count_queries(clients[result.page.login], result.path)
            result.queries_more_data = len(result.sql_more_data)
        except Exception as error:
            result.failures.append(f"query count with more data: {error}")
            say(f"  {result.page.name:<20} FAILED: {error}")
            continue
        note = "" if result.queries_constant else f"  GROWS from {result.queries}"
        say(
            f"  {result.page.name:<20} {result.path:<20} {result.queries_more_data:3d} queries{note}"
        )
        for line in grown_queries(result.sql, result.sql_more_data):
            say(f"      {line}")
    connections.close_all()

    return report(engine, results, bare, baseline, load, gunicorn_log) | {"data": data}


def aim_of(name: str) -> float:
    return AIM_FAST if name in FAST_PAGES else AIM_ALL


def misses(page: dict[str, Any]) -> list[str]:
    """Why a page misses its aims (nothing when it meets them all)."""
    out = []
    if page["failures"]:
        out.append("failed")
    if page["queries"] is not None and page["queries"] > MAX_QUERIES:
        out.append(f"{page['queries']} queries")
    if page["queries_more_data"] is not None and page["queries_more_data"] > MAX_QUERIES:
        out.append(f"{page['queries_more_data']} queries with more data")
    if page["queries_constant"] is False:
        out.append("queries grow")
    if page["vs_baseline"] is None or page["vs_baseline"] < page["aim"]:
        out.append(f"rate {page['vs_baseline']}x < {page['aim']:g}x")
    if page["cpu_vs_baseline"] is None or page["cpu_vs_baseline"] < page["aim"]:
        out.append(f"CPU {page['cpu_vs_baseline']}x < {page['aim']:g}x")
    return out


def verdict(missed: list[str]) -> str:
    return "MISSED: " + ", ".join(missed) if missed else "ok"


def ms(seconds: float | None) -> str:
    return f"{1000 * seconds:.2f}" if seconds is not None else "-"


def report(
    engine: str,
    results: list[PageResult],
    bare: PageResult,
    baseline: PageResult,
    load: LoadSettings,
    gunicorn_log: str,
) -> dict[str, Any]:
    bare_rps, baseline_rps = bare.rps or 0.0, baseline.rps or 0.0
    baseline_cpu = baseline.cpu_per_request
    pages: dict[str, Any] = {}
    say(
        f"\nOn {engine}: the baseline page ({BASELINE_PATH}, {baseline.queries} queries) "
        f"{baseline_rps:.1f} req/s, {ms(baseline_cpu)} ms CPU/req; the bare view "
        f"{bare_rps:.1f} req/s, {ms(bare.cpu_per_request)} ms CPU/req."
    )
    say(
        f"Aims: every page {AIM_ALL:g}x the baseline page, the account page, the checklist, the "
        f"plan page, Today, the portfolio and the book {AIM_FAST:g}x; at most {MAX_QUERIES} "
        f"queries, the same with more data. vs_baseline: rate / baseline's; cpu: baseline's CPU "
        f"per request / the page's."
    )
    say(
        f"{'page':<20} {'path':<20} {'queries':>7} {'more':>5} {'req/s':>8} {'ms CPU':>7} "
        f"{'vs_base':>7} {'cpu':>6} {'aim':>4}  result"
    )
    for result in results:
        rps, cpu = result.rps, result.cpu_per_request
        vs_baseline = round(rps / baseline_rps, 3) if rps and baseline_rps else None
        cpu_vs_baseline = round(baseline_cpu / cpu, 3) if cpu and baseline_cpu else None
        ratio = rps / bare_rps if rps is not None and bare_rps else None
        page: dict[str, Any] = {
            "path": result.path or result.page.path,
            "login": result.page.login,
            "queries": result.queries,
            "queries_more_data": result.queries_more_data,
            "queries_constant": result.queries_constant,
            "rps": round(rps, 1) if rps is not None else None,
            "cpu_ms_per_request": round(1000 * cpu, 2) if cpu is not None else None,
            "vs_baseline": vs_baseline,
            "cpu_vs_baseline": cpu_vs_baseline,
            "aim": aim_of(result.page.name),
            "ratio_to_bare": round(ratio, 4) if ratio is not None else None,
            "meets_bare_aim": ratio is not None and ratio >= AIM_BARE,
            "rps_runs": [round(run.rps, 1) for run in result.loads],
            "cpu_ms_runs": [
                round(1000 * c / run.ok, 2) if run.ok else None
                for c, run in zip(result.cpu_seconds, result.loads, strict=False)
            ],
            "requests": sum(run.ok for run in result.loads),
            "errors": sum(run.errors for run in result.loads) if result.loads else None,
            "failures": result.failures,
        }
        page["misses"] = misses(page)
        page["meets_aim"] = not page["misses"]
        pages[result.page.name] = page
        say(
            f"{result.page.name:<20} {result.path or '?':<20} {result.queries!s:>7} "
            f"{result.queries_more_data!s:>5} {f'{rps:.1f}' if rps else '-':>8} "
            f"{ms(cpu):>7} {vs_baseline!s:>7} {cpu_vs_baseline!s:>6} "
            f"{page['aim']:>3g}x  {verdict(page['misses'])}"
        )
    failed = [name for name, page in pages.items() if page["failures"]]
    if failed:
        say(f"FAILED pages: {', '.join(failed)}")
        if gunicorn_log:
            say(f"gunicorn's last log lines:\n{gunicorn_log}")
    return {
        "engine": engine,
        "ok": not failed,
        "bare_rps": round(bare_rps, 1),
        "bare_rps_runs": [round(run.rps, 1) for run in bare.loads],
        "bare_cpu_ms_per_request": round(1000 * (bare.cpu_per_request or 0), 2),
        "baseline": {
            "path": BASELINE_PATH,
            "login": BASELINE_LOGIN,
            "queries": baseline.queries,
            "rps": round(baseline_rps, 1),
            "rps_runs": [round(run.rps, 1) for run in baseline.loads],
            "cpu_ms_per_request": round(1000 * (baseline_cpu or 0), 2),
            "ratio_to_bare": round(baseline_rps / bare_rps, 4) if bare_rps else None,
        },
        "aims": {"all": AIM_ALL, "fast": AIM_FAST, "max_queries": MAX_QUERIES, "bare": AIM_BARE},
        "pages": pages,
        "query_counts_constant": all(page["queries_constant"] for page in pages.values()),
        "insights_query_counts_constant": all(
            pages[name]["queries_constant"] for name in INSIGHTS_PAGES if name in pages
        ),
        "all_meet_aim": all(page["meets_aim"] for page in pages.values()),
        "missed": {name: page["misses"] for name, page in pages.items() if page["misses"]},
        "failed_pages": failed,
        "setup": {
            "server": f"gunicorn, {WORKERS} sync workers, DEBUG=false, {engine}",
            "rounds": load.rounds,
            "concurrency": load.concurrency,
            "duration_s": load.duration,
            "warmup_s": load.warmup,
            "max_requests": load.max_requests,
        },
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3, help="turns each page takes")
    parser.add_argument("--duration", type=float, default=1.5, help="seconds of load per turn")
    parser.add_argument("--warmup", type=float, default=0.3, help="seconds of warm-up per turn")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--max-requests", type=int, default=10_000, help="cap per turn")
    parser.add_argument("--show-sql", action="store_true", help="print every page's queries")
    parser.add_argument(
        "--only", nargs="+", metavar="PAGE", help="measure these pages only (by name)"
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help="run on this engine only (PostgreSQL: the server DATABASE_URL points at)",
    )
    args = parser.parse_args(argv)
    if min(args.rounds, args.concurrency, args.max_requests) < 1 or args.duration <= 0:
        parser.error("rounds, concurrency, max-requests and duration must be positive")
    return args


def run_engine(args: argparse.Namespace) -> dict[str, Any]:
    """One engine's run, in this process."""
    var_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    try:
        return run(args, var_dir)
    except Exception as error:
        traceback.print_exc()
        return {"ok": False, "engine": args.engine, "error": f"{type(error).__name__}: {error}"}
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)


def run_child(engine: str, argv: list[str], server_url: str) -> dict[str, Any]:
    """One engine's run in a process of its own (Django is set up once per process): its lines
    pass through, its last line is its JSON."""
    env = dict(os.environ)
    if server_url:
        env[SERVER_URL_VARIABLE] = server_url
    command = [sys.executable, str(Path(__file__).resolve()), *argv, "--engine", engine]
    last = ""
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if last:
                say(last.rstrip("\n"))
            last = line
    try:
        result = json.loads(last)
    except ValueError:
        say(last.rstrip("\n"))
        return {"ok": False, "engine": engine, "error": f"exited with {child.returncode}"}
    return dict(result)


def summary(engines: dict[str, dict[str, Any]]) -> None:
    """Which pages reach the aims, per engine."""
    say("\nSummary: which pages reach the aims")
    for engine, result in engines.items():
        if "pages" not in result:
            say(f"  {engine}: FAILED ({result.get('error')})")
            continue
        pages = result["pages"]
        met = [name for name, page in pages.items() if page["meets_aim"]]
        say(
            f"  {engine}: {len(met)} of {len(pages)} pages meet their aims (baseline "
            f"{result['baseline']['rps']} req/s, {result['baseline']['cpu_ms_per_request']} ms "
            f"CPU/req)"
        )
        for name, page in pages.items():
            say(
                f"    {name:<20} {page['aim']:g}x: rate {page['vs_baseline']}x, CPU "
                f"{page['cpu_vs_baseline']}x, {page['queries']} queries -> "
                f"{verdict(page['misses'])}"
            )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started = time.monotonic()

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the clean-up below still runs

    signal.signal(signal.SIGTERM, stop)
    if args.engine:  # one engine, in this process
        result = run_engine(args)
        result["seconds"] = round(time.monotonic() - started, 1)
        say(json.dumps(result))
        return 0 if result["ok"] else 1

    database_url = os.environ.get("DATABASE_URL", "")
    engines = {"sqlite": run_child("sqlite", argv, "")}
    if is_postgres(database_url):
        engines["postgresql"] = run_child("postgresql", argv, database_url)
    else:
        say("\nDATABASE_URL does not point at PostgreSQL: the embedded default only.")
    summary(engines)
    combined = {
        "ok": all(result.get("ok") for result in engines.values()),
        "all_meet_aim": all(result.get("all_meet_aim") for result in engines.values()),
        "engines": engines,
        "seconds": round(time.monotonic() - started, 1),
    }
    say(json.dumps(combined))
    return 0 if combined["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
