"""Demo data for product updates: four published updates (one for every account, one for the
enterprise and mid-market segments, a fix for the accounts that use exports, an announcement
for executives), one scheduled for next week and a draft. Acme's champion has read two and
found one useful; Acme's people have the rest in their inbox.

Idempotent: a second call finds the updates and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from accounts.models import Account, NotificationKind, Segment, User
from accounts.services import notify

from .models import Audience, Category, Status, Update, UpdateAccount, UpdateReaction, UpdateRead
from .services import audience_accounts, readers

AUTHOR = "priya@northwind.example"

UPDATES: list[dict[str, Any]] = [
    {
        "title": "Scheduled reports arrive in your inbox",
        "category": Category.FEATURE,
        "audience": Audience.ALL,
        "days_ago": 12,
        "body": (
            "You can now **schedule any report** to be e-mailed every morning, week or month.\n\n"
            "- Pick the people who should get it, inside or outside your company\n"
            "- Choose PDF or CSV\n- Pause a schedule at any time\n\n"
            "Open a report and choose *Schedule* to try it."
        ),
    },
    {
        "title": "Dashboards load twice as fast",
        "category": Category.IMPROVEMENT,
        "audience": Audience.SEGMENTS,
        "segments": f"{Segment.ENTERPRISE},{Segment.MID_MARKET}",
        "days_ago": 6,
        "body": (
            "We rebuilt how dashboards fetch their data: large dashboards now open in about "
            "half the time, and filters apply without reloading the page."
        ),
    },
    {
        "title": "CSV exports keep your date format",
        "category": Category.FIX,
        "audience": Audience.FEATURE_USED,
        "feature": "exports",
        "days_ago": 3,
        "body": (
            "Exports now write dates in the format your workspace uses, so spreadsheets no "
            "longer swap days and months. Nothing to do on your side."
        ),
    },
    {
        "title": "Our 2027 roadmap webinar",
        "category": Category.ANNOUNCEMENT,
        "audience": Audience.ALL,
        "roles": "executive,champion",
        "days_ago": 1,
        "body": (
            "Join our product team on 14 January for an hour on what is coming in 2027, with "
            "time for your questions. [Save your seat](https://example.com/webinar)."
        ),
    },
]

SCHEDULED = {
    "title": "Alerts in Microsoft Teams",
    "category": Category.FEATURE,
    "audience": Audience.FEATURE_USED,
    "feature": "alerts",
    "body": "Send any alert to a Teams channel as well as by e-mail and Slack.",
}
DRAFT = {
    "title": "Single sign-on for every plan",
    "category": Category.ANNOUNCEMENT,
    "audience": Audience.STAGES,
    "stages": "onboarding,adoption",
    "body": "From next month, SAML and OpenID Connect single sign-on are part of every plan.",
}


@transaction.atomic
def ensure_demo_updates() -> int:
    author = User.objects.filter(email=AUTHOR).first()
    if author is None or Update.objects.filter(title=UPDATES[0]["title"]).exists():
        return 0
    now = timezone.now()
    created = 0
    published = []
    for spec in UPDATES:
        spec = dict(spec)
        when = now - timedelta(days=spec.pop("days_ago"))
        update = Update.objects.create(
            **spec, status=Status.PUBLISHED, published_at=when, created_by=author, created_at=when
        )
        ids = audience_accounts(update)
        UpdateAccount.objects.bulk_create(
            [UpdateAccount(update=update, account_id=pk, told_at=when) for pk in ids]
        )
        published.append(update)
        created += 1 + len(ids)
    Update.objects.create(
        **SCHEDULED,
        status=Status.SCHEDULED,
        publish_at=now + timedelta(days=7),
        created_by=author,
    )
    Update.objects.create(**DRAFT, created_by=author)
    created += 2
    acme = Account.objects.filter(slug="acme").first()
    if acme is not None:
        created += _acme_reads(acme, published)
    return created


def _acme_reads(acme: Account, published: list[Update]) -> int:
    """Acme's champion read the first two and found the first useful; the others are in
    everyone's inbox, unread."""
    created = 0
    champion = User.objects.filter(email="dana@acme.example").first()
    for update in published:
        if not UpdateAccount.objects.filter(update=update, account=acme).exists():
            continue
        people = readers(acme.pk, update)
        url = reverse("update", args=[acme.slug, update.pk])
        title = format_lazy(
            gettext_lazy("{category}: {title}"),
            category=update.get_category_display(),
            title=update.title,
        )
        created += len(
            notify(people, kind=NotificationKind.UPDATES, title=title, url=url, account=acme)
        )
        if champion is not None and champion in people and update in published[:2]:
            UpdateRead.objects.create(update=update, user=champion, account=acme)
            created += 1
            if update == published[0]:
                UpdateReaction.objects.create(update=update, user=champion, account=acme)
                created += 1
    return created
