"""Feature adoption's factories, and its rows of the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Account, User
from adoption.models import (
    AdoptionCampaign,
    CampaignTarget,
    LicensedFeature,
    Recommendation,
    RecommendationKind,
)
from insights.models import FeatureUsageDay, ProductUser, UsageDay, UsageEvent
from portal.figure_cache import inputs_changed
from tests.conftest import World

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
# The adoption page: the account's champions and executives, and its vendor staff.
ADOPTION_READ = [L, 200, 200, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
POST_ONLY = [405] * 8

ADOPTION_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "adoption_page": (ADOPTION_READ, None),
    # The licence and an account's own recommendations: its vendor staff.
    "adoption_licence": (POST_ONLY, VENDOR_WRITE),
    "adoption_recommend": (POST_ONLY, VENDOR_WRITE),
    "adoption_account_recommendation_remove": (POST_ONLY, VENDOR_WRITE),
    # A campaign's card: the person it is for, and nobody else (not even the vendor).
    "adoption_card_dismiss": (POST_ONLY, [L, 302, 404, 404, 404, 404, 404, 404]),
    # The CS team's console: recommendations for every account, and campaigns.
    "adoption_recommendations": (CONSOLE_READ, CONSOLE_WRITE),
    "adoption_recommendation_remove": (POST_ONLY, CONSOLE_WRITE),
    "adoption_campaigns": (CONSOLE_READ, CONSOLE_WRITE),
    "adoption_campaign": (CONSOLE_READ, None),
    "adoption_launch": (POST_ONLY, CONSOLE_WRITE),
}
ADOPTION_PANELS = {"adoption": ADOPTION_READ, "adoption-card": ACCOUNT_READ}


class LicensedFeatureFactory(factory.django.DjangoModelFactory[LicensedFeature]):
    class Meta:
        model = LicensedFeature

    feature = factory.Sequence(lambda n: f"feature-{n}")

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> Any:
        made = super()._create(model_class, *args, **kwargs)
        inputs_changed()  # as adoption's set_licensed_features: the features known changed
        return made


class RecommendationFactory(factory.django.DjangoModelFactory[Recommendation]):
    class Meta:
        model = Recommendation

    feature = "alerts"
    kind = RecommendationKind.LINK
    title = factory.Sequence(lambda n: f"Read about it {n}")
    url = "https://docs.example.com/alerts"


class CampaignFactory(factory.django.DjangoModelFactory[AdoptionCampaign]):
    class Meta:
        model = AdoptionCampaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    feature = "alerts"
    idle_days = 30
    headline = "Try alerts"
    message = "Alerts tell you when a **number** moves."


class CampaignTargetFactory(factory.django.DjangoModelFactory[CampaignTarget]):
    class Meta:
        model = CampaignTarget

    campaign = factory.SubFactory(CampaignFactory)
    external_id = factory.Sequence(lambda n: f"pu-{n}")
    email = factory.LazyAttribute(lambda o: o.user.email)


class ProductUserFactory(factory.django.DjangoModelFactory[ProductUser]):
    class Meta:
        model = ProductUser

    external_id = factory.Sequence(lambda n: f"pu-{n}")
    email = factory.Sequence(lambda n: f"person{n}@customer.example")


def product_user_for(user: User, account: Account) -> ProductUser:
    """The product user the portal person is matched to (the same e-mail)."""
    return ProductUserFactory.create(
        account=account, external_id=f"ext-{user.pk}", email=user.email.upper()
    )


def use(account: Account, key: str, feature: str, day: date, count: int = 1) -> UsageEvent:
    return UsageEvent.objects.create(
        account=account, user_key=key, day=day, feature=feature, count=count
    )


def roll_up(account: Account, day: date, mau: int, features: dict[str, int]) -> None:
    """An account's roll-up on ``day``: its active people and each feature's users."""
    UsageDay.objects.create(
        account=account,
        day=day,
        active_users=mau,
        weekly_active_users=mau,
        monthly_active_users=mau,
        events=mau,
    )
    FeatureUsageDay.objects.bulk_create(
        FeatureUsageDay(account=account, day=day, feature=f, monthly_users=n, events=n)
        for f, n in features.items()
    )
    inputs_changed()  # as insights' roll_up_day: the features known may have changed


def launched(campaign: AdoptionCampaign, on: date) -> AdoptionCampaign:
    campaign.launched_at = timezone.now()
    campaign.launched_on, campaign.results_until = on, AdoptionCampaign.result_window(on)
    campaign.save()
    return campaign


def make_adoption_world(world: World) -> dict[str, Any]:
    today = timezone.localdate()
    account = world.account
    LicensedFeatureFactory.create(account=account, feature="reports")
    roll_up(account, today, 4, {"reports": 2})
    product_user_for(world.champion, account)
    running = launched(CampaignFactory.create(account=account), today - timedelta(days=3))
    return {
        "general": RecommendationFactory.create(feature="alerts"),
        "own": RecommendationFactory.create(feature="alerts", account=account),
        "draft": CampaignFactory.create(account=account, name="Draft"),
        "card": CampaignTargetFactory.create(
            campaign=running, account=account, user=world.champion
        ),
    }


def adoption_url_args(
    ctx: dict[str, Any], slug: str
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    campaign = {"name": "Alerts", "feature": "alerts", "segment": "enterprise", "idle_days": "30", "headline": "Try alerts", "message": "They help."}  # fmt: skip
    return {
        "adoption_licence": ([slug], {"features": ["reports", "alerts"]}),
        "adoption_recommend": ([slug], {"feature": "alerts", "kind": "howto", "title": "How", "body": "Do it."}),
        "adoption_account_recommendation_remove": ([slug, ctx["own"].pk], {}),
        "adoption_card_dismiss": ([slug, ctx["card"].pk], {}),
        "adoption_recommendations": ([], {"feature": "api", "kind": "link", "title": "Docs", "url": "https://docs.example.com/api"}),
        "adoption_recommendation_remove": ([ctx["general"].pk], {}),
        "adoption_campaigns": ([], campaign),
        "adoption_campaign": ([ctx["draft"].pk], {}),
        "adoption_launch": ([ctx["draft"].pk], {}),
    }  # fmt: skip
