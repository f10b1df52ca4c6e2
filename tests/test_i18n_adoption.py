"""Feature adoption in another language: the champion's and the CS team's adoption page, the
campaigns and a campaign's page, and the recommendations have no English left (tests/pseudo.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from adoption.models import AdoptionCampaign, RecommendationKind
from tests.adoption_factories import (
    CampaignFactory,
    CampaignTargetFactory,
    LicensedFeatureFactory,
    RecommendationFactory,
    launched,
    roll_up,
)
from tests.conftest import World, client_for
from tests.factories import AccountFactory
from tests.pseudo import english_left, english_left_on

# Data, not words of the portal: names, features, recommendations' and campaigns' texts.
DATA = [
    "Acme",
    "reports",
    "alerts",
    "Alerts in five minutes",
    "The alerts guide",
    "Turn alerts on",
    "Alerts for Acme",
    "Try alerts",
    # The campaign's message, as its Markdown renders it (**number** in bold).
    "Alerts tell you when a",
    "number",
    "moves.",
]


@pytest.fixture
def adoption(world: World) -> Account:
    acme = world.account
    today = timezone.localdate()
    for feature in ("reports", "alerts"):
        LicensedFeatureFactory.create(account=acme, feature=feature)
    roll_up(acme, today, 10, {"reports": 4})
    peer = AccountFactory.create(segment=acme.segment)
    for feature in ("reports", "alerts"):
        LicensedFeatureFactory.create(account=peer, feature=feature)
    roll_up(peer, today, 10, {"reports": 2, "alerts": 3})
    RecommendationFactory.create(
        feature="alerts", kind=RecommendationKind.LINK, title="The alerts guide",
        url="https://example.com/alerts",
    )  # fmt: skip
    RecommendationFactory.create(
        feature="alerts", kind=RecommendationKind.HOW_TO, title="Alerts in five minutes",
        body="Turn alerts on", account=acme, pinned=True,
    )  # fmt: skip
    running = launched(
        CampaignFactory.create(
            account=acme, name="Alerts for Acme", feature="alerts", headline="Try alerts",
            message="Turn alerts on",
        ),
        today - timedelta(days=3),
    )  # fmt: skip
    CampaignTargetFactory.create(campaign=running, account=acme, user=world.member)
    CampaignFactory.create(segment=acme.segment, name="Alerts for Acme", feature="alerts")
    return acme


def test_the_champions_adoption_page_has_no_english_left(world: World, adoption: Account) -> None:
    path = reverse("adoption_page", args=[adoption.slug])
    assert english_left_on(client_for(world.champion), path, allowed=DATA) == []


def test_the_csms_adoption_page_has_no_english_left(world: World, adoption: Account) -> None:
    path = reverse("adoption_page", args=[adoption.slug])
    assert english_left_on(client_for(world.csm), path, allowed=DATA) == []


def test_the_campaign_pages_have_no_english_left(world: World, adoption: Account) -> None:
    csm = client_for(world.csm)
    assert english_left_on(csm, reverse("adoption_campaigns"), allowed=DATA) == []
    for campaign in AdoptionCampaign.objects.all():  # a running one, a draft
        path = reverse("adoption_campaign", args=[campaign.pk])
        assert english_left_on(csm, path, allowed=DATA) == []


def test_the_recommendations_page_has_no_english_left(world: World, adoption: Account) -> None:
    path = reverse("adoption_recommendations")
    assert english_left_on(client_for(world.csm), path, allowed=DATA) == []


def test_a_sentence_marked_whole_reads_as_one_around_its_link() -> None:
    marked = '<main><p>⟦Read <a href="/x">the guide</a> first.⟧</p></main>'
    assert english_left(marked) == []
    split = '<main><p>⟦Read⟧ <a href="/x">the guide</a> ⟦first.⟧</p><p>Save</p></main>'
    assert english_left(split) == ["the guide", "Save"]
