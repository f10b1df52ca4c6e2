"""An adoption campaign written per language: each recipient gets their own language's
version, else the default text; the CS team writes the versions in the campaign form."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from adoption.models import AdoptionCampaign
from adoption.services import create_campaign, launch_campaign
from tests.adoption_factories import CampaignFactory, product_user_for
from tests.conftest import World, client_for

GERMAN = {"headline": "Probieren Sie Warnungen", "message": "Warnungen sagen **Bescheid**."}


def test_each_recipient_gets_their_languages_version_else_the_default(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    acme = world.account
    world.champion.language = "de"
    world.champion.save(update_fields=["language"])
    world.member.language = "es"  # no Spanish version written
    world.member.save(update_fields=["language"])
    for person in (world.champion, world.member):
        product_user_for(person, acme)
    campaign = CampaignFactory.create(
        account=acme, headline="Try alerts", message="Alerts tell you.", translations={"de": GERMAN}
    )
    with django_capture_on_commit_callbacks(execute=True):
        launch_campaign(campaign, acting_user=world.csm)
    by_person = {m.to[0]: m for m in mail.outbox}
    german, spanish = by_person[world.champion.email], by_person[world.member.email]
    assert isinstance(german, EmailMultiAlternatives)
    assert isinstance(spanish, EmailMultiAlternatives)
    assert german.subject == "Probieren Sie Warnungen"
    assert "Warnungen sagen **Bescheid**." in german.body
    assert "<strong>Bescheid</strong>" in str(german.alternatives[0][0])
    assert '<html lang="de">' in str(german.alternatives[0][0])
    assert spanish.subject == "Try alerts"
    assert "Alerts tell you." in spanish.body
    assert '<html lang="es">' in str(spanish.alternatives[0][0])
    inbox = dict(Notification.objects.values_list("user_id", "title"))
    assert inbox[world.champion.pk] == "Probieren Sie Warnungen"
    assert inbox[world.member.pk] == "Try alerts"


def test_a_version_falls_back_part_by_part_and_follows_the_active_language() -> None:
    campaign = AdoptionCampaign(
        headline="Try alerts",
        message="Alerts tell you.",
        translations={"fr": {"headline": "Essayez"}},
    )
    assert campaign.text_in("fr").headline == "Essayez"
    assert campaign.text_in("fr").message == "Alerts tell you."
    assert campaign.text_in("de").headline == "Try alerts"
    with translation.override("fr"):
        assert campaign.text.headline == "Essayez"


def test_the_campaign_form_keeps_the_versions_written(world: World) -> None:
    response = client_for(world.csm).post(
        reverse("adoption_campaigns"),
        {
            "name": "Alerts",
            "feature": "alerts",
            "account": world.account.pk,
            "idle_days": 30,
            "headline": "Try alerts",
            "message": "Alerts tell you.",
            "text-de-headline": " Probieren Sie Warnungen ",
            "text-de-message": "",
            "text-es-headline": "",
            "text-es-message": "",
        },
    )
    assert response.status_code == 302
    campaign = AdoptionCampaign.objects.get()
    assert campaign.translations == {"de": {"headline": "Probieren Sie Warnungen"}}
    page = client_for(world.csm).get(reverse("adoption_campaigns")).content.decode()
    assert 'name="text-fr-headline"' in page
    assert 'name="text-en-headline"' not in page  # the default text is the one above


def test_the_campaign_form_refuses_a_language_the_portal_does_not_speak(world: World) -> None:
    response = client_for(world.csm).post(
        reverse("adoption_campaigns"),
        {
            "name": "Alerts",
            "feature": "alerts",
            "account": world.account.pk,
            "idle_days": 30,
            "headline": "Try alerts",
            "message": "Alerts tell you.",
            "text-xx-headline": "?",
        },
    )
    assert response.status_code == 422
    assert "is not a language the portal speaks" in response.content.decode()
    assert not AdoptionCampaign.objects.exists()


def test_the_service_keeps_only_the_portals_languages(world: World) -> None:
    campaign = create_campaign(
        name="Alerts",
        feature="alerts",
        idle_days=30,
        headline="Try alerts",
        message="Alerts tell you.",
        account=world.account,
        translations={"de": GERMAN, "xx": {"headline": "?"}, "fr": {"headline": "  "}},
        acting_user=world.csm,
    )
    assert campaign.translations == {"de": GERMAN}
