"""Feature adoption's figures: each one defined once, for the pages, the panels and the tests.

- Per account and licensed feature: the people who used it in the 30 days to the account's
  latest usage roll-up, their share of the month's active people (insights'
  :class:`~insights.figures.usage.FeatureAdoption`, the same share the account page charts),
  and the median of that share over the segment's accounts that license the feature and were
  rolled up that day. A licensed feature nobody used in the 30 days is unused.
- A campaign's audience: the account's (or segment's) people, as product users matched to
  portal users by e-mail, who have not used the feature in its ``idle_days``.
- A campaign's result: the share of its targets who used the feature from its launch day to
  RESULT_DAYS after it, read from usage as it arrives.

Shares are Decimal fractions shown with ``|rate``; no one to divide by is None ("no data").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import Account, Membership, Stage
from insights.figures.revenue import ratio
from insights.figures.usage import FeatureAdoption
from insights.models import FeatureUsageDay, ProductUser, UsageDay, UsageEvent
from portal import compiled
from portal.figure_cache import cached_figure
from portal.formatting import rounded

from .models import AdoptionCampaign, CampaignTarget, LicensedFeature, Recommendation

# How far back the page looks for the account's latest roll-up (tonight's may not have run).
ROLL_UP_WITHIN = 2
PANEL_FEATURES = 3


# Per account ------------------------------------------------------------------------------------


def _percent(share: Decimal | None) -> int:
    return 0 if share is None else max(0, min(100, int(rounded(share * 100))))


@dataclass(frozen=True)
class FeatureRow:
    feature: str
    users: int  # people who used it in the 30 days to the roll-up day
    mau: int  # the account's active people in those 30 days
    segment_median: Decimal | None  # median share over the segment's accounts licensing it
    segment_accounts: int  # how many accounts that median is over
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def share(self) -> Decimal | None:
        """Share of the month's active people who used the feature."""
        return FeatureAdoption(self.feature, self.users, self.mau).adoption

    @property
    def used(self) -> bool:
        return self.users > 0

    @property
    def share_percent(self) -> int:
        """The share as a whole percent 0-100, for a bar's width."""
        return _percent(self.share)

    @property
    def median_percent(self) -> int:
        return _percent(self.segment_median)

    @property
    def below_median(self) -> bool:
        share, median = self.share, self.segment_median
        return share is not None and median is not None and share < median


@dataclass(frozen=True)
class AccountAdoption:
    day: date | None  # the roll-up the figures are from; None before any usage arrived
    mau: int
    features: list[FeatureRow]

    @property
    def unused(self) -> list[FeatureRow]:
        return [row for row in self.features if not row.used]

    @property
    def used(self) -> list[FeatureRow]:
        return [row for row in self.features if row.used]


def median_share(shares: list[Decimal]) -> Decimal | None:
    """The median of ``shares`` (the mean of the middle two for an even count); None for none."""
    return statistics.median(shares) if shares else None


def _segment_licences(account_id: int, segment: str, on: date) -> QuerySet[Any]:
    """The licences of ``segment``'s accounts for the features ``account_id`` licenses, each
    with that account's latest roll-up to ``on``: its feature users and active people. The
    account's own rows (its roll-up day and MAU too) and its peers' in one query."""
    own = LicensedFeature.objects.filter(account=account_id).values("feature")
    return (
        LicensedFeature.objects.filter(account__segment=segment, feature__in=own)
        .exclude(Q(account__stage=Stage.CHURNED) & ~Q(account=account_id))
        .annotate(
            # Each account's own latest roll-up in the same few days (the nightly run may
            # not have reached them all on the same day).
            peer_day=Subquery(
                UsageDay.objects.filter(
                    account=OuterRef("account"),
                    day__lte=on,
                    day__gt=on - timedelta(days=ROLL_UP_WITHIN),
                )
                .order_by("-day")
                .values("day")[:1]
            ),
        )
        .annotate(
            users=Subquery(
                FeatureUsageDay.objects.filter(
                    account=OuterRef("account"),
                    day=OuterRef("peer_day"),
                    feature=OuterRef("feature"),
                ).values("monthly_users")[:1]
            ),
            mau=Subquery(
                UsageDay.objects.filter(
                    account=OuterRef("account"), day=OuterRef("peer_day")
                ).values("monthly_active_users")[:1]
            ),
        )
        .order_by()
        .values_list("account_id", "feature", "users", "mau", "peer_day")
    )


def account_adoption(
    account: Account, today: date, *, recommendations: bool = True
) -> AccountAdoption:
    """Every feature ``account`` licenses, used or not, against its segment (two queries:
    the segment's licences with their usage, compiled once a day per segment and process
    (portal.compiled), and the recommendations)."""
    rows = compiled.run(
        ("adoption.account_adoption", today, account.segment),
        lambda account_id: _segment_licences(account_id, account.segment, today),
        day=today,
        account_id=account.pk,
    )
    mine: dict[str, int] = {}
    shares: dict[str, list[Decimal]] = defaultdict(list)
    day: date | None = None
    mau = 0
    for account_id, feature, users, peer_mau, peer_day in rows:
        if account_id == account.pk:
            mine[feature] = users or 0
            # A bare cursor gives SQLite's dates as text.
            day = date.fromisoformat(peer_day) if isinstance(peer_day, str) else peer_day
            mau = peer_mau or 0
        share = ratio(users or 0, peer_mau or 0)
        if share is not None:
            shares[feature].append(share)
    unused = [f for f, users in mine.items() if not users]
    recs = recommendations_for(account, unused) if recommendations and unused else {}
    features = [
        FeatureRow(
            feature=feature,
            users=users,
            mau=mau,
            segment_median=median_share(shares[feature]),
            segment_accounts=len(shares[feature]),
            recommendations=recs.get(feature, []),
        )
        for feature, users in mine.items()
    ]
    # Unused first, then the least adopted: what the champion should look at.
    features.sort(key=lambda r: (r.used, r.share or Decimal(0), r.feature))
    return AccountAdoption(day=day, mau=mau, features=features)


def recommendations_for(account: Account, features: list[str]) -> dict[str, list[Recommendation]]:
    """The recommendations ``account`` sees for each of ``features`` (one query): the ones
    made for it pinned first, then the general ones, unless one made for it overrides them."""
    found = (
        Recommendation.objects.filter(feature__in=features)
        .filter(Q(account=None) | Q(account=account))
        .select_related("course")
    )
    own: dict[str, list[Recommendation]] = defaultdict(list)
    general: dict[str, list[Recommendation]] = defaultdict(list)
    for rec in found:
        (own if rec.account_id else general)[rec.feature].append(rec)
    shown: dict[str, list[Recommendation]] = {}
    for feature in features:
        mine = sorted(own[feature], key=lambda r: (not r.pinned, r.created_at, r.pk))
        overrides = any(not r.pinned for r in mine)
        shown[feature] = mine if overrides else mine + general[feature]
    return shown


def top_unused(account: Account, today: date) -> list[FeatureRow]:
    """The account page's panel: its unused licensed features with recommendations first."""
    unused = account_adoption(account, today).unused
    unused.sort(key=lambda r: (not r.recommendations, r.feature))
    return unused[:PANEL_FEATURES]


def known_features() -> list[str]:
    """Features usage has reported and features some account licenses: one query over every
    roll-up, kept in the figure cache until a roll-up or a licence list is written
    (insights.services.usage.roll_up_day, adoption.services.set_licensed_features) or an
    account is deleted (portal.figure_cache.inputs_changed)."""
    return cached_figure("adoption.known_features", (), _known_features).value


def _known_features() -> list[str]:
    reported = FeatureUsageDay.objects.order_by().values_list("feature", flat=True).distinct()
    licensed = LicensedFeature.objects.order_by().values_list("feature", flat=True).distinct()
    return sorted(reported.union(licensed)[:1000])


# Campaigns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A person of the audience: their membership and the product user matched to them."""

    account_id: int
    user_id: int
    external_id: str
    email: str


def audience_accounts(campaign: AdoptionCampaign) -> QuerySet[Account]:
    if campaign.account_id:
        return Account.objects.filter(pk=campaign.account_id)
    return Account.objects.filter(segment=campaign.segment).exclude(stage=Stage.CHURNED)


def campaign_audience(campaign: AdoptionCampaign, today: date) -> list[Candidate]:
    """Who a campaign would reach on ``today`` (three queries): each portal user of the
    audience's accounts whose product user (the same e-mail, on the same account) has no usage
    of the feature in the ``idle_days`` to ``today``. People with no product user are left out
    (nothing tells whether they used it)."""
    accounts = audience_accounts(campaign).order_by().values("pk")
    people = {
        (account_id, email.lower()): user_id
        for account_id, user_id, email in Membership.objects.filter(
            account__in=accounts, user__is_active=True
        ).values_list("account_id", "user_id", "user__email")
    }
    recent = set(
        UsageEvent.objects.filter(
            account__in=accounts,
            feature=campaign.feature,
            day__gt=today - timedelta(days=campaign.idle_days),
            day__lte=today,
            count__gt=0,
        )
        .order_by()
        .values_list("account_id", "user_key")
        .distinct()
    )
    found: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for account_id, external_id, email in (
        ProductUser.objects.filter(account__in=accounts)
        .exclude(email="")
        .order_by("account_id", "pk")
        .values_list("account_id", "external_id", "email")
    ):
        user_id = people.get((account_id, email.lower()))
        if user_id is None or (account_id, user_id) in seen:
            continue
        if (account_id, external_id) in recent or (account_id, email) in recent:
            continue
        seen.add((account_id, user_id))
        found.append(Candidate(account_id, user_id, external_id, email))
    return found


def _used_since_launch() -> Exists:
    """Whether a target (the outer row) used the campaign's feature in its result window."""
    return Exists(
        UsageEvent.objects.filter(
            account=OuterRef("account"),
            feature=OuterRef("campaign__feature"),
            day__gte=OuterRef("campaign__launched_on"),
            day__lte=OuterRef("campaign__results_until"),
            count__gt=0,
        ).filter(Q(user_key=OuterRef("external_id")) | Q(user_key=OuterRef("email")))
    )


@dataclass(frozen=True)
class Result:
    targets: int
    used: int

    @property
    def share(self) -> Decimal | None:
        """Share of the targets who used the feature within RESULT_DAYS of the launch."""
        return ratio(self.used, self.targets)

    @property
    def percent(self) -> int:
        return _percent(self.share)


def results_by_campaign(campaigns: QuerySet[AdoptionCampaign]) -> dict[int, Result]:
    """Each launched campaign's :class:`Result` (one query)."""
    rows = (
        CampaignTarget.objects.filter(campaign__in=campaigns.order_by().values("pk"))
        .alias(did=_used_since_launch())
        .order_by()
        .values("campaign_id")
        .annotate(targets=Count("pk"), used=Count("pk", filter=Q(did=True)))
        .values_list("campaign_id", "targets", "used")
    )
    return {pk: Result(targets, used) for pk, targets, used in rows}


def campaign_result(campaign: AdoptionCampaign) -> Result:
    found = results_by_campaign(AdoptionCampaign.objects.filter(pk=campaign.pk))
    return found.get(campaign.pk, Result(0, 0))


@dataclass(frozen=True)
class AccountResult:
    account: str
    slug: str
    result: Result
    told: int
    dismissed: int


def results_by_account(campaign: AdoptionCampaign) -> list[AccountResult]:
    """The campaign's result per account it reached (one query)."""
    rows = (
        CampaignTarget.objects.filter(campaign=campaign)
        .alias(did=_used_since_launch())
        .order_by()
        .values("account__name", "account__slug")
        .annotate(
            targets=Count("pk"),
            used=Count("pk", filter=Q(did=True)),
            told=Count("pk", filter=Q(told_at__isnull=False)),
            dismissed=Count("pk", filter=Q(dismissed_at__isnull=False)),
        )
        .order_by("account__name")
    )
    return [
        AccountResult(
            r["account__name"],
            r["account__slug"],
            Result(r["targets"], r["used"]),
            r["told"],
            r["dismissed"],
        )
        for r in rows
    ]


def open_cards(account: Account, user_id: int, today: date) -> list[CampaignTarget]:
    """The campaign cards ``user_id`` has on ``account``: running campaigns, not dismissed
    (one query)."""
    return list(
        CampaignTarget.objects.filter(
            account=account,
            user_id=user_id,
            dismissed_at__isnull=True,
            campaign__results_until__gte=today,
        )
        .select_related("campaign")
        .order_by("-campaign__launched_at")[:2]
    )
