"""Offboarding and its exit survey in the reader's language: the offboarding page (the
champion's and the CSM's), the checklist console, the exit survey, and a survey asking its
default question show no English left in the pseudo-translation (tests/pseudo.py). The default
checklist's steps are stored rows, written in the site's language from the catalogue."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from offboarding import services
from offboarding.models import Offboarding, Side, StepTemplate
from surveys.models import DEFAULT_QUESTIONS, EXIT_QUESTION, Kind
from surveys.services import answer_url
from tests.conftest import World, client_for
from tests.offboarding_factories import exit_delivery
from tests.pseudo import english_left_on, pseudo_translation
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
DEFAULTS = importlib.import_module("offboarding.migrations.0002_default_checklist")
REASONS = ["Price", "Product gaps"]  # the exit survey's choices: churn reasons (data)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def install_defaults(language: str) -> None:
    """The default checklist as a fresh install in ``language`` writes it."""
    StepTemplate.objects.all().delete()
    with override_settings(LANGUAGE_CODE=language):
        DEFAULTS.add_defaults(apps, None)


def started(world: World) -> Offboarding:
    """Acme's offboarding, started by its CSM on a pseudo-translated site: its steps (copies
    of the default checklist) read in the site's language, like the interface."""
    with pseudo_translation() as language:
        install_defaults(language)
    return services.start_offboarding(world.account, acting_user=world.csm)


def names(world: World) -> list[str]:
    return ["Acme", world.champion.display_name, world.csm.display_name, *REASONS]


def test_a_fresh_install_writes_the_default_steps_in_the_sites_language(world: World) -> None:
    install_defaults("en")
    english = list(StepTemplate.objects.values_list("title", flat=True))
    assert english[0] == "Data export prepared and shared in the documents area"
    assert len(english) == 5
    with pseudo_translation() as language:
        install_defaults(language)
    assert list(StepTemplate.objects.values_list("title", flat=True)) == [
        f"⟦{title}⟧" for title in english
    ]


def test_the_offboarding_page_has_no_english_left_for_the_champion_and_the_csm(
    world: World,
) -> None:
    started(world)
    url = reverse("offboarding", args=["acme"])
    assert english_left_on(client_for(world.champion), url, allowed=names(world)) == []
    assert english_left_on(client_for(world.csm), url, allowed=names(world)) == []


def test_the_offboarding_page_before_it_starts_has_no_english_left(world: World) -> None:
    url = reverse("offboarding", args=["acme"])
    assert english_left_on(client_for(world.csm), url, allowed=names(world)) == []


def test_the_checklist_console_has_no_english_left(world: World) -> None:
    with pseudo_translation() as language:
        install_defaults(language)
    url = reverse("offboarding_checklist")
    # The sides' names are renewals' choices (renewals.models.Side), marked with that app's
    # strings: left out here until they are.
    sides = [str(label) for _value, label in Side.choices]
    allowed = [world.admin.display_name, *sides]
    assert english_left_on(client_for(world.admin), url, allowed=allowed) == []


def test_the_exit_survey_has_no_english_left(world: World) -> None:
    delivery = exit_delivery(world.account, world.champion)
    assert delivery.campaign.survey.question == EXIT_QUESTION  # stored in English
    url = reverse("survey_exit_answer", args=["acme", delivery.pk])
    assert english_left_on(client_for(world.champion), url, allowed=names(world)) == []


def test_a_survey_asking_its_default_question_asks_it_in_the_readers_language(
    world: World, settings: Any
) -> None:
    question = DEFAULT_QUESTIONS[Kind.NPS].format(vendor=settings.VENDOR_NAME)
    survey = make_survey(world.csm, question=question)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    url = answer_url(delivery, 9).removeprefix(settings.SITE_URL)
    assert english_left_on(Client(), url, allowed=["Acme"]) == []
    with pseudo_translation() as language, translation.override(language):
        assert survey.text.question.startswith("⟦How likely")
        assert survey.anchors == ("⟦Not at all likely⟧", "⟦Extremely likely⟧")
    # A question of the team's own stays as they wrote it.
    survey.question = "How is the new reporting working for you?"
    with pseudo_translation() as language, translation.override(language):
        assert survey.text.question == "How is the new reporting working for you?"
