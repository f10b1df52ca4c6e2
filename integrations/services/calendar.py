"""Calendar feeds: each person's private iCalendar address, which Google Calendar, Outlook
and Apple Calendar subscribe to.

What a feed holds is what the person may see, through the tenancy rule
(:meth:`Account.objects.visible_to`), for the accounts that are theirs (a customer's
accounts; vendor staff: the accounts they own):

* onboarding tasks assigned to them and not done (customers: never an internal one);
* their open CSM tasks (vendor staff);
* the milestones of those accounts' success plans (customers: never an internal one);
* those accounts' renewal dates (vendor staff only);
* business reviews of those accounts (customers: published ones), on the day published or,
  for a draft, the last day of its period.

Each item is an all-day event with a stable UID, so a calendar that fetches the feed again
updates the event instead of adding a second one. Items dated more than
:data:`PAST_DAYS` days ago are left out. Five queries, however many items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.access import CUSTOMER, can
from accounts.activity import record
from accounts.models import Account, Membership, User
from onboarding.models import Task
from playbooks.models import CSMTask
from portal import formatting
from reports.models import Review
from successplans.models import Milestone, MilestoneStatus

from ..models import CalendarFeed

PAST_DAYS = 90
REFRESH = timedelta(hours=1)


# Writes -----------------------------------------------------------------------------------------


def create_feed(user: User, *, acting_user: User) -> str:
    """Give ``user`` a calendar address, replacing the one they had (which stops working).
    Returns the token, which is shown once: only its hash is kept."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        replacing = feed is not None and feed.is_active
        feed = feed or CalendarFeed(user=user)
        token = feed.new_token()
        feed.save()
        record(
            gettext_noop("replaced their calendar address")
            if replacing
            else gettext_noop("made a calendar address"),
            actor=acting_user,
            target=feed,
            internal=True,
        )
    return token


def revoke_feed(user: User, *, acting_user: User) -> bool:
    """Stop ``user``'s calendar address; False when there was none working."""
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(
                gettext_noop("turned off their calendar address"),
                actor=acting_user,
                target=CalendarFeed.objects.get(user=user),
                internal=True,
            )
    return bool(revoked)


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse("calendar_ics", args=[token])


def mark_fetched(feed: CalendarFeed) -> None:
    """When the feed was last read (calendars poll hourly: written at most once an hour)."""
    now = timezone.now()
    if feed.last_fetched_at is None or now - feed.last_fetched_at > REFRESH:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)


# What the feed holds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    uid: str  # before the @host
    day: date
    summary: str
    description: str
    url: str


def their_accounts(user: User) -> QuerySet[Account]:
    """The accounts whose dates are this person's: those the tenancy rule lets them see and,
    for vendor staff, that they own (a CS admin's feed is their own portfolio, not every
    account)."""
    accounts = Account.objects.visible_to(user)
    if user.is_vendor:
        accounts = accounts.filter(owner=user)
    return accounts


def _link(path: str) -> str:
    return settings.SITE_URL + path


def items_for(user: User, today: date | None = None) -> list[Item]:
    """Everything in ``user``'s feed, by day. Five queries."""
    today = today or timezone.localdate()
    since = today - timedelta(days=PAST_DAYS)
    accounts = their_accounts(user).order_by().values("pk")
    customer = not user.is_vendor
    items: list[Item] = []

    tasks = Task.objects.open().filter(
        assignee=user, due_date__gte=since, checklist__account__in=accounts
    )
    if customer:
        tasks = tasks.shared()
    for task in tasks.select_related("checklist__account"):
        assert task.due_date is not None  # filtered on it
        account = task.checklist.account
        items.append(
            Item(
                f"task-{task.pk}",
                task.due_date,
                f"{task.title} ({account.name})",
                gettext("Onboarding task for %(account)s, due %(day)s.")
                % {"account": account.name, "day": formatting.long_date(task.due_date)},
                _link(reverse("onboarding_task", args=[account.slug, task.pk])),
            )
        )

    if not customer:
        csm_tasks = (
            CSMTask.objects.open()
            .filter(assignee=user, due_on__gte=since, account__in=Account.objects.visible_to(user))
            .select_related("account")
        )
        for csm_task in csm_tasks:
            items.append(
                Item(
                    f"csmtask-{csm_task.pk}",
                    csm_task.snoozed_until or csm_task.due_on,
                    f"{csm_task.title} ({csm_task.account.name})",
                    csm_task.reason
                    or gettext("A task on %(account)s.") % {"account": csm_task.account.name},
                    _link(reverse("today")),
                )
            )

    milestones = Milestone.objects.filter(
        plan__account__in=accounts, target_date__gte=since
    ).select_related("plan__account")
    if customer:
        milestones = milestones.filter(internal=False)
    for milestone in milestones:
        account = milestone.plan.account
        done = milestone.status == MilestoneStatus.DONE
        items.append(
            Item(
                f"milestone-{milestone.pk}",
                milestone.target_date,
                ("✓ " if done else "")
                + gettext("Milestone: %(title)s (%(account)s)")
                % {"title": milestone.title, "account": account.name},
                gettext("%(status)s. Success plan “%(plan)s” of %(account)s.")
                % {
                    "status": milestone.get_status_display(),
                    "plan": milestone.plan.name,
                    "account": account.name,
                },
                _link(reverse("plan", args=[account.slug, milestone.plan_id])),
            )
        )

    if not customer:
        renewing = (
            their_accounts(user)
            .filter(renewal_date__gte=since)
            .only("pk", "name", "slug", "renewal_date")
        )
        for account in renewing:
            assert account.renewal_date is not None  # filtered on it
            items.append(
                Item(
                    f"renewal-{account.pk}-{account.renewal_date:%Y%m%d}",
                    account.renewal_date,
                    gettext("Renewal: %(account)s") % {"account": account.name},
                    gettext("%(account)s's contract renews on %(day)s.")
                    % {"account": account.name, "day": formatting.long_date(account.renewal_date)},
                    _link(reverse("account_360", args=[account.slug])),
                )
            )

    reviews = Review.objects.filter(account__in=accounts).select_related("account")
    if customer:
        # Published ones, on accounts where their role reads reviews (members do not).
        readers = [role for role in sorted(CUSTOMER) if can(role, "reports.view")]
        reviews = reviews.filter(
            published_at__isnull=False,
            account__in=Membership.objects.filter(user=user, role__in=readers).values("account_id"),
        )
    for review in reviews:
        day = timezone.localdate(review.published_at) if review.published_at else review.period_end
        if day < since:
            continue
        state = gettext("published") if review.published_at else gettext("draft, period ends")
        items.append(
            Item(
                f"review-{review.pk}",
                day,
                gettext("Business review: %(title)s (%(account)s)")
                % {"title": review.title, "account": review.account.name},
                gettext("%(kind)s of %(account)s (%(state)s), %(start)s – %(end)s.")
                % {
                    "kind": review.get_kind_display(),
                    "account": review.account.name,
                    "state": state,
                    "start": formatting.short_date(review.period_start),
                    "end": formatting.short_date(review.period_end),
                },
                _link(reverse("review", args=[review.account.slug, review.pk])),
            )
        )
    return sorted(items, key=lambda item: (item.day, item.uid))


def render_feed(user: User, now: datetime | None = None) -> bytes:
    """The iCalendar text of ``user``'s feed."""
    now = now or timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.VENDOR_NAME}//{settings.SITE_NAME}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME} – {user.display_name}")
    calendar.add("x-wr-caldesc", gettext("Due tasks, milestones, renewals and business reviews."))
    # Outlook reads X-PUBLISHED-TTL; RFC 7986 clients REFRESH-INTERVAL.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for item in items_for(user, timezone.localdate(now)):
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", f"{item.description}\n\n{item.url}")
        event.add("url", item.url)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
