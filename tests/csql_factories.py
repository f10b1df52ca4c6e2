"""Factories of the CSQL rules' models (insights: cross-sell offers, feature limits) and a
usage helper the rules read. Upsell leads themselves: tests.factories.UpsellLeadFactory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from accounts.models import Account, Segment
from insights.models import CrossSellOffer, ExpansionConfig, FeatureLimit, FeatureUsageDay, UsageDay


class CrossSellOfferFactory(factory.django.DjangoModelFactory[CrossSellOffer]):
    class Meta:
        model = CrossSellOffer

    name = factory.Sequence(lambda n: f"Add-on {n}")
    segment = Segment.MID_MARKET
    product = factory.Sequence(lambda n: f"Add-on product {n}")
    amount_guess = Decimal("6000")


class FeatureLimitFactory(factory.django.DjangoModelFactory[FeatureLimit]):
    class Meta:
        model = FeatureLimit

    feature = factory.Sequence(lambda n: f"feature-{n}")
    account = None
    product = factory.LazyAttribute(lambda o: "" if o.account else "Growth")
    users = 10
    amount_guess = Decimal("3600")


class ExpansionConfigFactory(factory.django.DjangoModelFactory[ExpansionConfig]):
    class Meta:
        model = ExpansionConfig

    seat_use_percent = 90
    quiet_days = 90


def usage_on(
    account: Account, day: date, *, mau: int, features: dict[str, int] | None = None
) -> None:
    """A roll-up of ``account`` on ``day`` with ``mau`` monthly active users and each feature's
    monthly users, as the nightly roll-up writes them."""
    UsageDay.objects.update_or_create(
        account=account,
        day=day,
        defaults={
            "active_users": mau // 3,
            "weekly_active_users": mau // 2,
            "monthly_active_users": mau,
            "events": mau * 20,
        },
    )
    for feature, users in (features or {}).items():
        FeatureUsageDay.objects.update_or_create(
            account=account,
            day=day,
            feature=feature,
            defaults={"monthly_users": users, "events": users * 5},
        )
