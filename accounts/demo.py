"""Demo portal visits: Acme's and Globex's people use the portal every week; nobody at
Initech has logged in for six weeks (the "stopped using" play's case)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from .models import Account, Membership, PortalVisit

# account slug -> days ago each person last visited (most recent first), or None: none
LAST_VISITS = {"acme": [0, 2, 6, 13], "globex": [1, 8, 20], "initech": [42, 55]}


def ensure_demo_visits() -> int:
    today = timezone.localdate()
    created = 0
    for slug, days_ago in LAST_VISITS.items():
        account = Account.objects.filter(slug=slug).first()
        if account is None or PortalVisit.objects.filter(account=account).exists():
            continue
        people = (
            Membership.objects.filter(account=account)
            .order_by("pk")
            .values_list("user_id", flat=True)
        )
        for user_id in people:
            for ago in days_ago:
                day = today - timedelta(days=ago + (user_id % 3))
                at = timezone.make_aware(datetime.combine(day, time(10, 15)))
                PortalVisit.objects.create(
                    user_id=user_id,
                    account=account,
                    day=day,
                    page_views=3 + ago % 5,
                    logins=1,
                    last_seen_at=at,
                )
                created += 1
    return created


def ensure_demo_join_requests() -> int:
    """Acme takes requests to join from acme.example, with its champion's approval, and one
    is waiting: Dana (the champion) sees it on the People page and in her inbox."""
    from django.urls import reverse

    from .models import CustomerRole, JoinRequest, NotificationKind, SelfJoin
    from .services import notify

    account = Account.objects.filter(slug="acme").first()
    if account is None or account.join_requests.exists():
        return 0
    if account.self_join == SelfJoin.OFF:
        account.self_join = SelfJoin.APPROVAL
        account.save(update_fields=["self_join"])
    join_request = JoinRequest.objects.create(
        account=account,
        email="sam@acme.example",
        name="Sam Ortiz",
        message="I run the Rotterdam warehouse team and would like to follow our onboarding.",
        created_at=timezone.now() - timedelta(hours=3),
    )
    champions = [
        m.user
        for m in account.memberships.select_related("user").filter(role=CustomerRole.CHAMPION)
    ]
    notify(
        champions,
        kind=NotificationKind.ACCOUNT,
        title=format_lazy(
            gettext_lazy("{person} asks to join {account}"),
            person=join_request.activity_label,
            account=account.name,
        ),
        body=join_request.message,
        url=reverse("people", args=[account.slug]) + "#join-requests",
        account=account,
    )
    return 1
