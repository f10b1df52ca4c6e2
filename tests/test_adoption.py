"""Feature adoption: the figures against the segment, recommendations, campaign targeting, the
e-mail told once, the result, and the pages' cost. The URL x role matrix is in
tests/test_access_matrix.py (tests/adoption_factories.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import (
    Delivery,
    Notification,
    NotificationKind,
    NotificationSetting,
    Segment,
    Stage,
)
from adoption.figures import (
    account_adoption,
    campaign_audience,
    campaign_result,
    median_share,
    recommendations_for,
)
from adoption.models import CampaignTarget, LicensedFeature, Recommendation
from adoption.services import (
    add_recommendation,
    create_campaign,
    dismiss_card,
    launch_campaign,
    set_licensed_features,
    tell_campaign_targets,
)
from tests.adoption_factories import (
    CampaignFactory,
    CampaignTargetFactory,
    LicensedFeatureFactory,
    ProductUserFactory,
    RecommendationFactory,
    launched,
    product_user_for,
    roll_up,
    use,
)
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.queries import page_queries
from tests.snapshot import unchanged

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def licensed(account: Any, *features: str) -> None:
    for feature in features:
        LicensedFeatureFactory.create(account=account, feature=feature)


# The figures --------------------------------------------------------------------------------


def test_each_licensed_feature_is_measured_against_the_segment_median(world: World) -> None:
    acme, bluth = world.account, world.other_account  # both mid-market
    third = AccountFactory.create(segment=Segment.MID_MARKET)
    elsewhere = AccountFactory.create(segment=Segment.ENTERPRISE)
    for account in (acme, bluth, third, elsewhere):
        licensed(account, "reports", "alerts")
    roll_up(acme, TODAY, 10, {"reports": 5})  # alerts: nobody
    roll_up(bluth, TODAY - timedelta(days=1), 20, {"reports": 2, "alerts": 10})  # a day late
    roll_up(third, TODAY, 4, {"reports": 4, "alerts": 1})
    roll_up(elsewhere, TODAY, 10, {"reports": 10, "alerts": 10})  # another segment

    adoption = account_adoption(acme, TODAY)

    assert adoption.day == TODAY and adoption.mau == 10
    rows = {row.feature: row for row in adoption.features}
    assert set(rows) == {"reports", "alerts"}
    assert rows["reports"].users == 5 and rows["reports"].share == Decimal("0.5")
    # Shares of reports: acme 0.5, bluth 0.1, third 1.0 -> median 0.5.
    assert rows["reports"].segment_median == Decimal("0.5")
    assert rows["reports"].segment_accounts == 3
    # Alerts: acme 0, bluth 0.5, third 0.25 -> 0.25; unused at acme, and listed first.
    assert rows["alerts"].segment_median == Decimal("0.25")
    assert not rows["alerts"].used and rows["alerts"].below_median
    assert [r.feature for r in adoption.unused] == ["alerts"]
    assert adoption.features[0].feature == "alerts"


def test_a_feature_the_account_does_not_license_is_not_shown(world: World) -> None:
    licensed(world.account, "reports")
    roll_up(world.account, TODAY, 3, {"reports": 1, "api": 3})
    assert [r.feature for r in account_adoption(world.account, TODAY).features] == ["reports"]


def test_without_usage_every_licensed_feature_is_unused(world: World) -> None:
    licensed(world.account, "reports")
    adoption = account_adoption(world.account, TODAY)
    assert adoption.day is None and [r.used for r in adoption.features] == [False]
    assert adoption.features[0].share is None  # no data, never a division by zero


def test_churned_peers_leave_the_median(world: World) -> None:
    gone = AccountFactory.create(segment=Segment.MID_MARKET, stage=Stage.CHURNED)
    licensed(world.account, "reports")
    licensed(gone, "reports")
    roll_up(world.account, TODAY, 10, {"reports": 2})
    roll_up(gone, TODAY, 10, {"reports": 10})
    assert account_adoption(world.account, TODAY).features[0].segment_median == Decimal("0.2")


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert median_share([Decimal("0.1"), Decimal("0.4"), Decimal("0.2"), Decimal("1")]) == Decimal(
        "0.3"
    )
    assert median_share([]) is None


# Licences and recommendations --------------------------------------------------------------


def test_setting_the_licence_replaces_it(world: World) -> None:
    licensed(world.account, "reports", "api")
    set_licensed_features(world.account, ["reports", "alerts", " "], acting_user=world.csm)
    assert set(
        LicensedFeature.objects.filter(account=world.account).values_list("feature", flat=True)
    ) == {"reports", "alerts"}


def test_an_accounts_own_recommendation_overrides_or_is_pinned(world: World) -> None:
    general = RecommendationFactory.create(feature="alerts")
    other_feature = RecommendationFactory.create(feature="api")
    RecommendationFactory.create(feature="alerts", account=world.other_account)
    assert recommendations_for(world.account, ["alerts"]) == {"alerts": [general]}
    pinned = RecommendationFactory.create(feature="alerts", account=world.account, pinned=True)
    assert recommendations_for(world.account, ["alerts"]) == {"alerts": [pinned, general]}
    override = RecommendationFactory.create(feature="alerts", account=world.account)
    assert recommendations_for(world.account, ["alerts"]) == {"alerts": [pinned, override]}
    assert other_feature not in recommendations_for(world.account, ["alerts"])["alerts"]


def test_a_bad_link_is_refused_with_a_message(world: World) -> None:
    client = client_for(world.csm)
    url = reverse("adoption_recommend", args=["acme"])
    with unchanged():
        response = client.post(
            url, {"feature": "alerts", "kind": "link", "title": "Docs", "url": "javascript:x"}
        )
    assert response.status_code == 422
    assert "full web address" in response.content.decode()
    with pytest.raises(ValidationError):
        add_recommendation(
            feature="alerts", kind="howto", title="Empty", body=" ", acting_user=world.csm
        )
    with pytest.raises(ValidationError):
        add_recommendation(
            feature="alerts", kind="course", title="No course", acting_user=world.csm
        )


def test_customers_may_not_curate(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        add_recommendation(
            feature="alerts", kind="howto", title="Mine", body="x", acting_user=world.champion
        )
    assert not Recommendation.objects.exists()


def test_the_champion_sees_unused_features_with_their_recommendations(world: World) -> None:
    licensed(world.account, "reports", "alerts")
    roll_up(world.account, TODAY, 4, {"reports": 4})
    RecommendationFactory.create(
        feature="alerts", kind="howto", url="", title="Set one up", body="1. Open **Alerts**"
    )
    html = client_for(world.champion).get(reverse("adoption_page", args=["acme"])).content.decode()
    assert "Set one up" in html and "<strong>Alerts</strong>" in html
    assert "Save the features" not in html  # the licence form is the vendor's
    panel = client_for(world.champion).get(reverse("account_panel", args=["acme", "adoption"]))
    assert "Set one up" in panel.content.decode()
    assert (
        "Save the features"
        in client_for(world.csm).get(reverse("adoption_page", args=["acme"])).content.decode()
    )


# Campaigns: who is in, who is out ----------------------------------------------------------


def test_the_audience_is_the_people_who_have_not_used_the_feature_lately(world: World) -> None:
    acme = world.account
    idle, recent, old = world.champion, world.executive, world.member
    product_user_for(idle, acme)
    use(acme, product_user_for(recent, acme).external_id, "alerts", TODAY - timedelta(days=3))
    use(acme, product_user_for(old, acme).email, "alerts", TODAY - timedelta(days=40))
    # A product user nobody in the portal matches, and a portal person of another account.
    ProductUserFactory.create(account=acme, email="stranger@customer.example")
    product_user_for(world.other_champion, world.other_account)
    # Using another feature does not count.
    use(acme, f"ext-{idle.pk}", "reports", TODAY)
    campaign = CampaignFactory.create(account=acme, feature="alerts", idle_days=30)

    people = {c.user_id for c in campaign_audience(campaign, TODAY)}

    assert people == {idle.pk, old.pk}


def test_a_segment_campaign_reaches_the_segments_live_accounts(world: World) -> None:
    gone = AccountFactory.create(segment=Segment.MID_MARKET, stage=Stage.CHURNED)
    big = AccountFactory.create(segment=Segment.ENTERPRISE)
    reached = []
    for account in (world.account, world.other_account, gone, big):
        person = MembershipFactory.create(account=account).user
        product_user_for(person, account)
        reached.append(person.pk)
    campaign = CampaignFactory.create(segment=Segment.MID_MARKET)
    assert {c.user_id for c in campaign_audience(campaign, TODAY)} == set(reached[:2])


def test_a_campaign_for_another_csms_account_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        create_campaign(
            name="Not mine",
            feature="alerts",
            idle_days=30,
            headline="Try",
            message="It",
            account=world.account,
            acting_user=world.other_csm,
        )


# Launch, the e-mail, the card, the result ---------------------------------------------------


def test_launching_tells_each_person_once_by_email_as_they_chose(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    acme = world.account
    for person in (world.champion, world.executive, world.member):
        product_user_for(person, acme)
    NotificationSetting.objects.create(
        user=world.executive, kind=NotificationKind.ADOPTION, delivery=Delivery.OFF
    )
    campaign = CampaignFactory.create(account=acme, headline="Try alerts today")
    with django_capture_on_commit_callbacks(execute=True):
        assert launch_campaign(campaign, acting_user=world.csm) == 3
    sent = [m for m in mail.outbox if m.subject == "Try alerts today"]
    assert sorted(m.to[0] for m in sent) == sorted([world.champion.email, world.member.email])
    assert all("List-Unsubscribe" in m.extra_headers for m in sent)
    assert Notification.objects.filter(kind="adoption").count() == 3  # the inbox, for all
    assert tell_campaign_targets(campaign.pk) == 0  # a second run tells nobody again
    assert len([m for m in mail.outbox if m.subject == "Try alerts today"]) == 2
    with pytest.raises(ValidationError):
        launch_campaign(campaign, acting_user=world.csm)  # launched already
    assert CampaignTarget.objects.filter(campaign=campaign).count() == 3


def test_a_launch_that_reaches_nobody_is_refused_with_a_message(world: World) -> None:
    campaign = CampaignFactory.create(account=world.account)  # nobody matched by e-mail
    response = client_for(world.csm).post(reverse("adoption_launch", args=[campaign.pk]))
    assert response.status_code == 422 and "Nobody matches" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.launched_at is None


def test_the_result_is_the_share_who_used_it_within_30_days(world: World) -> None:
    acme = world.account
    campaign = launched(CampaignFactory.create(account=acme, feature="alerts"), TODAY)
    people = [world.champion, world.executive, world.member, MembershipFactory(account=acme).user]
    targets = [
        CampaignTargetFactory.create(campaign=campaign, account=acme, user=p, external_id=f"x{i}")
        for i, p in enumerate(people)
    ]
    use(acme, "x0", "alerts", TODAY + timedelta(days=2))  # by external id
    use(acme, targets[1].email, "alerts", TODAY + timedelta(days=30))  # by e-mail, last day
    use(acme, "x2", "alerts", TODAY + timedelta(days=31))  # too late
    use(acme, "x3", "reports", TODAY + timedelta(days=1))  # another feature
    use(acme, "x3", "alerts", TODAY - timedelta(days=1))  # before the launch
    result = campaign_result(campaign)
    assert (result.targets, result.used, result.share) == (4, 2, Decimal("0.5"))
    html = client_for(world.csm).get(reverse("adoption_campaign", args=[campaign.pk])).content
    assert "50%" in html.decode()


def test_the_card_shows_to_its_person_until_dismissed(world: World) -> None:
    campaign = launched(CampaignFactory.create(account=world.account, headline="Hello"), TODAY)
    card = CampaignTargetFactory.create(campaign=campaign, account=world.account, user=world.member)
    panel = reverse("account_panel", args=["acme", "adoption-card"])
    assert "Hello" in client_for(world.member).get(panel).content.decode()
    assert "Hello" not in client_for(world.champion).get(panel).content.decode()
    with pytest.raises(Exception):  # noqa: B017 - someone else's card
        dismiss_card(card, acting_user=world.champion)
    client_for(world.member).post(reverse("adoption_card_dismiss", args=["acme", card.pk]))
    assert "Hello" not in client_for(world.member).get(panel).content.decode()
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        card.dismissed_at = None
        card.save()
        assert "Hello" not in client_for(world.member).get(panel).content.decode()  # over


# Cost --------------------------------------------------------------------------------------


def test_the_adoption_page_costs_the_same_for_1_and_many_features_and_people(
    world: World,
) -> None:
    acme = world.account
    licensed(acme, "reports")
    roll_up(acme, TODAY, 5, {"reports": 1})
    RecommendationFactory.create(feature="unused-0")
    licensed(acme, "unused-0")
    paths = [
        reverse("adoption_page", args=["acme"]),
        reverse("account_panel", args=["acme", "adoption"]),
    ]
    champion, csm = client_for(world.champion), client_for(world.csm)
    few = [page_queries(c, p) for c in (champion, csm) for p in paths]
    for n in range(1, 30):
        licensed(acme, f"unused-{n}")
        RecommendationFactory.create(feature=f"unused-{n}")
        RecommendationFactory.create(feature=f"unused-{n}", account=acme, pinned=True)
    for _ in range(10):
        peer = AccountFactory.create(segment=acme.segment)
        licensed(peer, "reports", "unused-1")
        roll_up(peer, TODAY, 7, {"reports": 3, "unused-1": 1})
        MembershipFactory.create(account=acme)
    many = [page_queries(c, p) for c in (champion, csm) for p in paths]
    assert many == few
    assert few[0] <= 8, few  # the champion's page
    assert few[2] <= 9, few  # the CS team's: the licence and recommendation forms too


def test_the_campaigns_page_costs_the_same_for_1_and_many_campaigns(world: World) -> None:
    acme = world.account
    launched(CampaignFactory.create(account=acme, feature="alerts"), TODAY)
    csm = client_for(world.csm)
    path = reverse("adoption_campaigns")
    few = page_queries(csm, path)
    for n in range(30):
        campaign = CampaignFactory.create(account=acme, feature=f"f-{n}")
        launched(campaign, TODAY)
        CampaignTargetFactory.create(campaign=campaign, account=acme, user=world.member)
        licensed(AccountFactory.create(segment=acme.segment), f"f-{n}")
    assert page_queries(csm, path) == few
    assert few <= 9, few  # the features known come from the figure cache


def test_the_known_features_are_kept_and_never_stale_after_a_write(world: World) -> None:
    """One query over every roll-up, then none until usage or a licence list adds or
    removes a feature."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from adoption.figures import known_features
    from insights.models import UsageEvent
    from insights.services.usage import roll_up_day

    set_licensed_features(world.account, ["reports"], acting_user=world.csm)
    assert known_features() == ["reports"]
    with CaptureQueriesContext(connection) as queries:
        assert known_features() == ["reports"]
    assert len(queries) == 0
    set_licensed_features(world.account, ["reports", "alerts"], acting_user=world.csm)
    assert known_features() == ["alerts", "reports"]
    UsageEvent.objects.create(
        account=world.other_account, user_key="u1", day=TODAY, feature="exports", count=3
    )
    roll_up_day([world.other_account.pk], TODAY)
    assert known_features() == ["alerts", "exports", "reports"]
    UsageEvent.objects.filter(feature="exports").delete()
    roll_up_day([world.other_account.pk], TODAY)  # its roll-up row is gone too
    assert known_features() == ["alerts", "reports"]
    set_licensed_features(world.account, [], acting_user=world.csm)
    assert known_features() == []
