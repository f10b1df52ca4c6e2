"""The champion's pages, a survey e-mail and the review PDF read in the person's language: the
pseudo-translation leaves no English, and in German, French and Spanish the page says its
language, its headings are translated and its dates are in the person's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from accounts.models import User
from onboarding.models import Checklist, TaskComment
from portal.i18n import Locale, override_for
from reports import services as reports
from reports.figures import review_inputs
from reports.models import Review
from reports.rendering import render_html
from successplans.models import KPI, ActionItem, Milestone, Objective, SuccessPlan
from surveys.models import Delivery, Survey
from surveys.services import tell_of_survey
from tests.conftest import World, client_for
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.pseudo import english_left, english_left_on, pseudo_translation
from tests.survey_helpers import deliver, make_campaign, make_survey

# The day the pages are read on: 9:00 UTC on 11 November 2026 (18:00 in Tokyo).
NOW = datetime(2026, 11, 11, 9, tzinfo=UTC)

# The account page's panels of apps whose strings are being marked elsewhere.
OTHER_BRANCHES = [
    # marked on another branch
    "Offboarding",  # offboarding
    "Features to try",  # adoption
    "A feature to try",  # adoption
    "Product usage",  # insights: usage
    "Health",  # insights: health
    "Advocacy",  # advocacy
    "Share your success",  # advocacy
    "Refer a company",  # advocacy
    "Know a company that would benefit from what your team does here? Tell us; we take it "
    "from there and keep you posted.",  # advocacy
]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def set_locale(user: User, language: str = "", time_zone: str = "") -> None:
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])


@pytest.fixture
def acme(world: World, django_capture_on_commit_callbacks: Any) -> World:
    """Acme with an onboarding under way, a success plan, a survey asked and a review
    published."""
    start(world, kickoff=date(2026, 11, 2))
    make_plan(world)
    make_plan(world, started_days_ago=200, length_days=100)  # and one before: a list of two
    survey = make_survey(world.csm)
    deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
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
    return world


def names(world: World) -> list[str]:
    """Data, not words of the interface: people's, accounts', plans' and tasks' names."""
    plan = SuccessPlan.objects.order_by("-starts_on").first()
    assert plan is not None
    checklist = Checklist.objects.get()
    return [
        "Acme",
        *(u.display_name for u in (world.champion, world.executive, world.member, world.csm)),
        *(u.name for u in (world.champion, world.executive, world.member, world.csm)),
        plan.name,
        *Objective.objects.filter(plan=plan).values_list("title", flat=True),
        *Objective.objects.filter(plan=plan).values_list("why", flat=True),
        *Milestone.objects.filter(plan=plan).values_list("title", flat=True),
        *ActionItem.objects.filter(plan=plan).values_list("title", flat=True),
        *KPI.objects.filter(objective__plan=plan).values_list("name", flat=True),
        checklist.template_name,
        *checklist.tasks.values_list("title", flat=True),
        *checklist.tasks.values_list("phase__name", flat=True),
        "Q3 2026 business review",
        "Strong quarter.",
        "Quarterly NPS",
        *Survey.objects.values_list("question", flat=True),
        "hours",  # a KPI's unit, as the CSM typed it
        *(initials(u.name) for u in User.objects.all()),
    ]


def initials(name: str) -> str:
    """What an avatar shows: "Dana Diaz" → "DD"."""
    return "".join(word[:1] for word in name.split()[:2]).upper()


def plan_path() -> str:
    plan = SuccessPlan.objects.order_by("-starts_on").first()
    assert plan is not None
    return plan.get_absolute_url()


PAGES = ["/a/acme/", "/a/acme/onboarding/", "/a/acme/plans/", "plan"]
LOADED_PART = re.compile(r"<[^>]*\bhx-get=\"([^\"]+)\"[^>]*>")


def parts_of(client: Any, path: str) -> list[str]:
    """The page and the parts htmx loads into it when it opens (panels, a plan's lists)."""
    html = client.get(path).content.decode()
    loaded = [
        match.group(1).replace("&amp;", "&")
        for match in LOADED_PART.finditer(html)
        if 'hx-trigger="load' in match.group(0)
    ]
    return [path, *dict.fromkeys(loaded)]


@pytest.mark.parametrize("path", PAGES)
def test_the_champions_pages_have_no_english_left(acme: World, path: str) -> None:
    client = client_for(acme.champion)
    path = plan_path() if path == "plan" else path
    left = {
        part: english_left_on(
            client,
            part,
            within=None if part != path else "main",
            allowed=[*names(acme), *OTHER_BRANCHES],
        )
        for part in parts_of(client, path)
    }
    assert {part: texts for part, texts in left.items() if texts} == {}


ADDRESS = re.compile(r"https?://[^\s⟦⟧]+")


def test_the_survey_email_has_no_english_left(acme: World) -> None:
    set_locale(acme.champion, "de")
    delivery = Delivery.objects.get(user=acme.champion)
    with pseudo_translation():
        assert tell_of_survey(delivery, reminder=False)
    message = mail.outbox[-1]
    assert isinstance(message, EmailMultiAlternatives)
    html = message.alternatives[0][0]
    # A link sits inside its sentence, so the sentence's marks hold the link's text too.
    html = re.sub(r"</?a\b[^>]*>", "", str(html))
    lines = [str(message.subject), *str(message.body).splitlines()]
    # Addresses out first: a name left out of a signed token would leave its letters.
    text = "".join(f"<p>{ADDRESS.sub(' ', line)}</p>" for line in lines)
    allowed = [*names(acme), delivery.campaign.survey.question, settings.SITE_NAME]
    left = [*english_left(html, allowed=allowed), *english_left(text, allowed=allowed)]
    assert left == []


def test_the_review_pdf_has_no_english_left(acme: World) -> None:
    review = Review.objects.get()
    with pseudo_translation() as language, override_for(locale=Locale(language, "UTC")):
        html = render_html(review_inputs(review))
    assert english_left(html, allowed=[*names(acme), "Northwind Software"]) == []


# In German, French and Spanish ----------------------------------------------------------------

HEADING = re.compile(r"<h([12])\b[^>]*>(.*?)</h\1>", re.DOTALL)


def headings(html: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", " ", text).split()) for _, text in HEADING.findall(html)]


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_pages_read_in_the_persons_language_and_zone(acme: World, language: str) -> None:
    client = client_for(acme.champion)
    data = set(names(acme))
    paths = [*PAGES[:-1], plan_path()]
    english = {path: client.get(path).content.decode() for path in paths}
    set_locale(acme.champion, language, "Asia/Tokyo")
    for path in paths:
        html = client.get(path).content.decode()
        assert f'<html lang="{language}"' in html, path
        pairs = [
            (before, after)
            for before, after in zip(headings(english[path]), headings(html), strict=True)
            if before not in data
        ]
        translated = [after for before, after in pairs if after != before]
        assert pairs and len(translated) * 2 >= len(pairs), (path, pairs)
    # A comment written at 23:30 UTC on 10 November reads 08:30 on 11 November in Tokyo.
    task = Checklist.objects.get().tasks.first()
    assert task is not None
    comment = TaskComment.objects.create(task=task, author=acme.csm, body="Kickoff notes")
    TaskComment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 11, 10, 23, 30, tzinfo=UTC)
    )
    html = client.get(f"/a/acme/onboarding/tasks/{task.pk}/").content.decode()
    assert "08:30" in html and "23:30" not in html
    assert re.search(r"\b11\b[^<]*08:30", html)


@pytest.mark.parametrize("language", ["de", "fr", "es"])
def test_the_review_pdf_speaks_the_language(acme: World, language: str) -> None:
    review = Review.objects.get()
    with override_for(locale=Locale("en", "UTC")):
        english = render_html(review_inputs(review))
    with override_for(locale=Locale(language, "Asia/Tokyo")):
        html = render_html(review_inputs(review))
    assert f'<html lang="{language}"' in html
    assert headings(html) != headings(english)
    translated = [a for a, b in zip(headings(html), headings(english), strict=True) if a != b]
    assert len(translated) * 2 >= len(headings(html))
