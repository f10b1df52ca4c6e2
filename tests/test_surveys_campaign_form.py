"""The new-campaign form: each field that only one audience or schedule needs sits in its own
fieldset marked ``data-show-when`` (static/js/conditional.js shows it with that choice only),
and the server uses only the fields the chosen audience and schedule need."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Segment, Stage
from surveys.models import Campaign, Schedule
from tests.conftest import World, client_for
from tests.survey_helpers import SURVEY_NOW, make_survey, survey_db_state

NEW = reverse("survey_campaign_create")


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)


def post(world: World, **fields: Any) -> Any:
    data = {
        "name": "Spring NPS",
        "survey": fields.pop("survey", None) or make_survey(world.csm).pk,
        "audience": "all",
        "roles": ["champion"],
        "schedule": "now",
        **fields,
    }
    return client_for(world.csm).post(NEW, data)


def test_each_conditional_field_shows_with_its_choice_only(world: World) -> None:
    page = client_for(world.csm).get(NEW).content.decode()
    rules = dict(
        re.findall(
            r'<fieldset class="conditional" data-show-when="([^"]+)">.*?name="(\w+)"', page, re.S
        )
    )
    assert {field: rule for rule, field in rules.items()} == {
        "segment": "audience:segment",
        "stage": "audience:stage",
        "accounts": "audience:accounts",
        "starts_at": "schedule:at every",
        "repeat_days": "schedule:every",
        "trigger": "schedule:trigger",
    }
    # Without JavaScript they all show; the script that hides them is a file, not inline (CSP).
    assert 'src="/static/js/conditional.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    for always in ("name", "survey", "audience", "roles", "schedule", "ends_at"):
        assert f'name="{always}"' in page


def test_the_script_is_loaded_by_the_campaign_form_only(world: World) -> None:
    assert b"conditional.js" not in client_for(world.csm).get(reverse("surveys")).content


def test_fields_the_choices_do_not_need_are_ignored(world: World) -> None:
    later = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = post(
        world,
        audience="all",
        schedule="now",
        segment=Segment.ENTERPRISE,
        stage=Stage.RENEWAL,
        accounts=[world.account.pk],
        starts_at=later,
        repeat_days="7",
        trigger="onboarding_completed",
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.segment, campaign.stage, campaign.trigger) == ("", "", "")
    assert campaign.starts_at is None and campaign.repeat_days is None
    assert not campaign.accounts.exists()


def test_junk_in_a_field_the_choices_do_not_need_is_ignored(world: World) -> None:
    response = post(world, accounts=["abc"], repeat_days="1e9", starts_at="soon", stage="x")
    assert response.status_code == 302
    assert Campaign.objects.get().repeat_days is None


def test_the_fields_the_choices_need_are_kept(world: World) -> None:
    later = timezone.now() + timedelta(days=3)
    response = post(
        world,
        audience="segment",
        segment=Segment.ENTERPRISE,
        stage=Stage.RENEWAL,  # not needed: ignored
        schedule="every",
        repeat_days="30",
        starts_at=later.strftime("%Y-%m-%dT%H:%M"),
        trigger="onboarding_completed",  # not needed: ignored
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.audience, campaign.segment, campaign.stage) == ("segment", "enterprise", "")
    assert (campaign.schedule, campaign.repeat_days, campaign.trigger) == (Schedule.EVERY, 30, "")
    assert campaign.next_run_at == later.replace(second=0, microsecond=0)


def test_chosen_accounts_are_kept_with_their_audience(world: World) -> None:
    response = post(world, audience="accounts", accounts=[world.account.pk], segment="smb")
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert list(campaign.accounts.all()) == [world.account] and campaign.segment == ""


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": "stage", "stage": ""},
        {"audience": "accounts", "accounts": ["abc"]},
        {"schedule": "every", "repeat_days": "abc"},
        {"schedule": "every", "repeat_days": "1e9"},
        {"schedule": "every", "repeat_days": "-1"},
        {"schedule": "at", "starts_at": ""},
        {"schedule": "every", "repeat_days": "7", "starts_at": "2001-01-01T10:00"},
        {"schedule": "trigger", "trigger": "nonsense"},
    ],
)
def test_a_field_the_choices_need_is_checked(world: World, fields: dict[str, Any]) -> None:
    survey = make_survey(world.csm)
    before = survey_db_state()
    response = post(world, survey=survey.pk, **fields)
    assert response.status_code == 422
    assert 'class="error"' in response.content.decode()
    assert survey_db_state() == before
