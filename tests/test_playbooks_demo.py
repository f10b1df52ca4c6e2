"""The demo's playbooks leave each owner CSM a line in their inbox for the plays that started
on their accounts, so Today's account updates are not empty on the demo; once only."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command

from accounts.models import Notification, NotificationKind
from playbooks.demo import _tell_the_owners


def test_the_demo_csms_have_account_updates_from_the_plays(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=None)
    # The three demo customers with people (the churn forecast's past customers, renewing
    # soon, start renewal plays of their own); Hooli is the new customer of the handover.
    updates = Notification.objects.filter(
        kind=NotificationKind.ACCOUNT,
        read_at__isnull=True,
        account__slug__in=["acme", "globex", "initech", "hooli"],
    )
    # Besides the plays, Priya hears of the handovers the demo's CRM sent (handover/demo.py).
    handovers = updates.filter(title__startswith="Handover received for")
    assert {n.account.slug for n in handovers if n.account} == {"acme", "hooli"}
    # And of her advocates' answers and referrals (advocacy/demo.py).
    advocacy = updates.filter(url__contains="/advocacy")
    priya = (
        updates.filter(user__email="priya@northwind.example")
        .exclude(pk__in=handovers)
        .exclude(pk__in=advocacy)
        .select_related("account")
    )
    assert {item.account.slug for item in priya if item.account} == {"acme", "globex"}
    assert all(item.title.startswith("“Detractor follow-up” started on") for item in priya)
    assert all("/playbooks/runs/" in item.url for item in priya)
    assert updates.filter(user__email="tom@northwind.example").exclude(pk__in=advocacy).count() == 2
    assert _tell_the_owners() == 0  # a second load tells nobody again
