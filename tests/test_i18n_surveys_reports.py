"""Surveys and business reviews in the reader's language: the survey and campaign forms (sent
back with errors too), the campaign page, the e-mailed answer page with its thank-you and its
refusal once answered, the exit survey's thank-you, and the reviews' archive and form show no
English left in the pseudo-translation (tests/pseudo.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Activity, User
from portal.i18n import Locale, StoredText, override_for
from reports import services as reports
from reports.figures import review_inputs
from reports.forms import ReviewForm
from reports.models import Review
from surveys.models import Campaign, Schedule
from surveys.services import ALREADY_ANSWERED, AlreadyAnswered, answer_token, record_response
from tests.conftest import World, client_for
from tests.offboarding_factories import exit_delivery
from tests.pseudo import english_left, pseudo_translation
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
QUESTION = "How likely are you to recommend Northwind to a friend or colleague?"
FOLLOW_UP = "What is the main reason for your score?"


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def names(world: World) -> list[str]:
    """Data, not words of the interface."""
    people = (world.champion, world.executive, world.member, world.csm, world.admin)
    return [
        "Acme",
        world.other_account.name,
        *(u.display_name for u in people),
        *(u.name for u in people),
        "Quarterly NPS",
        "Quarterly NPS campaign",
        QUESTION,
        FOLLOW_UP,
        "Q3 2026 business review",
        "Strong quarter.",
        *("".join(w[:1] for w in u.name.split()[:2]).upper() for u in people),  # avatars
    ]


def left_on(
    client: Client,
    path: str,
    *,
    data: dict[str, Any] | None = None,
    status: int = 200,
    allowed: list[str],
    within: str | None = "main",
) -> list[str]:
    """The English left on ``path`` (sent ``data`` by POST when given) in the
    pseudo-translation, the page answering ``status``."""
    with pseudo_translation() as language:
        if data is None:
            response = client.get(path, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        else:
            response = client.post(path, data, HTTP_ACCEPT_LANGUAGE=language, follow=True)
        assert response.status_code == status, (path, response.status_code)
        html = response.content.decode()
    names = [settings.SITE_NAME, settings.VENDOR_NAME, *allowed]
    return english_left(html, within=within, allowed=names)


# Surveys ---------------------------------------------------------------------------------------


def test_the_survey_form_has_no_english_left_new_edited_or_with_errors(world: World) -> None:
    client = client_for(world.admin)
    survey = make_survey(world.admin)
    allowed = names(world)
    assert left_on(client, reverse("survey_create"), allowed=allowed) == []
    assert left_on(client, reverse("survey_edit", args=[survey.pk]), allowed=allowed) == []
    sent = {"name": "", "kind": "nps", "question": "", "follow_up_question": ""}
    assert left_on(client, reverse("survey_create"), data=sent, status=422, allowed=allowed) == []


def test_the_campaign_form_with_errors_and_its_page_have_no_english_left(world: World) -> None:
    client = client_for(world.admin)
    survey = make_survey(world.admin)
    allowed = names(world)
    assert left_on(client, reverse("survey_campaign_create"), allowed=allowed) == []
    sent = {
        "name": "",
        "survey": survey.pk,
        "audience": "segment",
        "roles": ["champion"],
        "schedule": "at",
    }
    left = left_on(
        client, reverse("survey_campaign_create"), data=sent, status=422, allowed=allowed
    )
    assert left == []
    campaign = make_campaign(
        survey, world.admin, schedule=Schedule.AT, starts_at=NOW + timedelta(days=2)
    )
    assert left_on(client, campaign.get_absolute_url(), allowed=allowed) == []
    assert left_on(client, reverse("surveys"), allowed=allowed) == []


def campaign_at(world: World, **fields: Any) -> Campaign:
    return make_campaign(make_survey(world.csm), world.csm, **fields)


def test_a_campaigns_roles_and_time_read_in_the_readers_language(world: World) -> None:
    campaign = campaign_at(
        world,
        roles=["executive", "champion"],
        schedule=Schedule.AT,
        starts_at=datetime(2026, 11, 20, 13, 30, tzinfo=UTC),
    )
    with override_for(locale=Locale("en", "UTC")):
        assert campaign.roles_label == "Champions and executives"
        assert campaign.schedule_label == "Once, at 20 Nov 2026, 13:30"
    with override_for(locale=Locale("de", "Europe/Berlin")):
        # The date and time as Germans write them, in Berlin's time.
        assert "20. Nov. 2026" in campaign.schedule_label
        assert "14:30" in campaign.schedule_label and "13:30" not in campaign.schedule_label
    campaign.roles = ["member"]
    with translation.override("en"):
        assert campaign.roles_label == "Members"
    campaign.roles = ["champion", "executive", "member"]
    with translation.override("en"):
        assert campaign.roles_label == "Champions, executives and members"
    campaign.roles = []
    with translation.override("en"):
        assert campaign.roles_label == "Nobody"


def test_the_answer_page_its_thank_you_and_its_refusal_have_no_english_left(
    world: World, time_machine: Any
) -> None:
    delivery = deliver(campaign_at(world), world.member, account=world.account)
    token = answer_token(delivery, 9)
    client = Client()
    allowed = [*names(world), "Northwind"]
    page = reverse("survey_email_answer", args=[token])
    assert left_on(client, page, allowed=allowed, within=None) == []
    # Confirming leads to the thank-you page, with its comment box.
    assert left_on(client, page, data={"score": 9}, allowed=allowed, within=None) == []
    comment = reverse("survey_email_comment", args=[token])
    left = left_on(client, comment, data={"comment": "Fast"}, allowed=[*allowed, "Fast"])
    assert left == []
    # Past the grace period the answer stands: the link says so.
    time_machine.move_to(NOW + timedelta(days=2), tick=False)
    assert left_on(client, page, status=409, allowed=allowed, within=None) == []
    assert left_on(client, page, data={"score": 3}, status=409, allowed=allowed, within=None) == []


def test_the_already_answered_refusal_is_in_the_persons_language(world: World) -> None:
    delivery = deliver(campaign_at(world), world.member, account=world.account)
    record_response(delivery, 9, channel="email")
    with (
        pseudo_translation() as language,
        translation.override(language),
        pytest.raises(AlreadyAnswered) as refused,
    ):
        record_response(delivery, 3, channel="email", now=NOW + timedelta(days=2))
    assert refused.value.message == f"⟦{ALREADY_ANSWERED}⟧"


def test_the_exit_surveys_thank_you_has_no_english_left(world: World) -> None:
    delivery = exit_delivery(world.account, world.champion)
    client = client_for(world.champion)
    url = reverse("survey_exit_answer", args=["acme", delivery.pk])
    allowed = [*names(world), "Price", "Product gaps"]
    assert left_on(client, url, allowed=allowed) == []
    sent = {"reason": "Price", "comment": "Too dear"}
    assert left_on(client, url, data=sent, allowed=[*allowed, "Too dear"], within=None) == []


# Business reviews ------------------------------------------------------------------------------


@pytest.fixture
def published(world: World, django_capture_on_commit_callbacks: Any) -> Review:
    review = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        summary="Strong quarter.",
        created_by=world.csm,
    )
    with django_capture_on_commit_callbacks(execute=True):
        reports.publish_review(review, acting_user=world.csm)
        reports.request_wrapped(world.account, 2025, acting_user=world.csm)
    return review


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_the_reviews_archive_has_no_english_left(
    world: World, published: Review, persona: str
) -> None:
    user: User = getattr(world, persona)
    allowed = [*names(world), "Wrapped"]  # the product's name for the year's PDF
    assert left_on(client_for(user), reverse("reports", args=["acme"]), allowed=allowed) == []


def test_the_review_form_has_no_english_left_new_or_with_errors(world: World) -> None:
    client = client_for(world.csm)
    url = reverse("review_create", args=["acme"])
    allowed = names(world)
    assert left_on(client, url, allowed=allowed) == []
    sent = {"title": "", "kind": "qbr", "period_start": "2026-10-01", "period_end": "2026-09-01"}
    assert left_on(client, url, data=sent, status=422, allowed=allowed) == []


def test_the_default_review_title_is_written_in_the_authors_language(world: World) -> None:
    with pseudo_translation() as language, translation.override(language):
        title = ReviewForm.for_last_quarter(date(2026, 11, 16)).initial["title"]
    assert title == "⟦Q3 2026 business review⟧"
    with translation.override("en"):
        title = ReviewForm.for_last_quarter(date(2026, 11, 16)).initial["title"]
    assert title == "Q3 2026 business review"


def test_a_default_title_reads_in_each_readers_language_a_written_one_as_written(
    world: World, published: Review
) -> None:
    """The review keeps the title it was given; while that is the default title (in any of
    the portal's languages), pages, e-mails and each language's PDF read it in theirs."""
    with translation.override("de"):
        german = str(ReviewForm.for_last_quarter(date(2026, 11, 16)).initial["title"])
    assert german != "Q3 2026 business review"
    for written in ("Q3 2026 business review", german):
        published.title = written
        with translation.override("de"):
            assert published.title_text == german
            assert review_inputs(published)["review"]["title"] == german
        with translation.override("en"):
            assert published.title_text == "Q3 2026 business review"
    published.title = "Our third quarter together"
    with translation.override("de"):
        assert published.title_text == "Our third quarter together"


def test_the_timeline_names_a_review_by_its_title_in_each_readers_language(
    world: World, published: Review
) -> None:
    """A review (and a PDF of it) recorded on the timeline keeps its default title's message,
    so a German reader reads the German title there too; a title the CSM wrote, as written."""
    with translation.override("de"):
        german = str(ReviewForm.for_last_quarter(date(2026, 11, 16)).initial["title"])
    published.title = "Q3 2026 business review"
    label = published.activity_label
    assert isinstance(label, StoredText)
    logged = Activity(verb="published the review", target_words=label.as_json())
    with translation.override("de"):
        assert logged.target_text == german
    with translation.override("en"):
        assert logged.target_text == "Q3 2026 business review"
    published.title = "Our third quarter together"
    assert published.activity_label == "Our third quarter together"  # as written, in any language
