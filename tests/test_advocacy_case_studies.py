"""Case studies: a draft prefilled with the objectives met and the survey comments picked as
quotes; sent to the champion, who approves it (and each quote) or rejects it with a reason;
a PDF in the report style once approved, printing only the quotes the champion allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Notification
from advocacy import services
from advocacy.casestudies import case_study_html
from advocacy.models import CaseStudy, CaseStudyQuote, CaseStudyStatus
from successplans.models import KPI
from tests.advocacy_factories import CaseStudyFactory, CaseStudyQuoteFactory, nps_answer
from tests.conftest import World, client_for
from tests.plan_helpers import make_plan
from tests.snapshot import unchanged


@pytest.fixture
def results(world: World) -> World:
    plan = make_plan(world)
    KPI.objects.filter(objective__plan=plan).update(current=Decimal(3))  # 48 -> 3, target 4
    return world


def test_a_draft_is_prefilled_with_the_objectives_met_and_picked_comments(results: World) -> None:
    world = results
    liked = nps_answer(world.account, world.champion, 10, "It gave us our Mondays back.")
    nps_answer(world.account, world.member, 3, "Too slow.")  # a detractor: not offered
    url = reverse("advocacy_case_study_new", args=[world.account.slug])
    page = client_for(world.csm).get(url).content.decode()
    assert "Faster month-end reporting" in page  # met
    assert "Renewal pricing strategy" not in page  # internal
    assert "It gave us our Mondays back." in page and "Too slow." not in page
    response = client_for(world.csm).post(
        url, {"title": "Acme's story", "body": "It went **well**.", "quotes": [liked.pk]}
    )
    assert response.status_code == 302
    story = CaseStudy.objects.get()
    assert story.objectives == [
        {"title": "Faster month-end reporting", "results": ["Reporting time: 48 → 3 hours"]}
    ]
    (quote,) = story.quotes.all()
    assert (quote.text, quote.allowed) == ("It gave us our Mondays back.", None)


def test_an_objective_with_a_kpi_short_of_its_target_is_not_met(world: World) -> None:
    make_plan(world)  # the KPI has no value yet
    story = services.start_case_study(world.account, title="T", body="B", acting_user=world.csm)
    assert story.objectives == []


def test_a_comment_of_another_account_is_not_quoted(world: World) -> None:
    theirs = nps_answer(world.other_account, world.other_champion, 10, "Not yours to quote.")
    url = reverse("advocacy_case_study_new", args=[world.account.slug])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"title": "T", "body": "B", "quotes": [theirs.pk]})
    assert response.status_code == 422
    with unchanged(), pytest.raises(ValidationError):
        services.start_case_study(
            world.account, title="T", body="B", responses=[theirs], acting_user=world.csm
        )


def test_sending_asks_the_champion(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account)
    url = reverse("advocacy_case_study_send", args=[world.account.slug, story.pk])
    assert client_for(world.csm).post(url).status_code == 302
    story.refresh_from_db()
    assert story.status == CaseStudyStatus.SENT
    item = Notification.objects.get(user=world.champion)
    assert item.url == reverse("advocacy_case_study_review", args=[world.account.slug, story.pk])
    # Sent once: a second send is refused, and nothing changes.
    client = client_for(world.csm)
    with unchanged():
        assert client.post(url).status_code == 422


def test_a_sent_case_study_is_no_longer_edited(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account, status=CaseStudyStatus.SENT)
    url = reverse("advocacy_case_study", args=[world.account.slug, story.pk])
    client = client_for(world.csm)
    with unchanged():
        response = client.post(url, {"title": "Changed", "body": "Changed"})
    assert response.status_code == 422


def test_the_champion_approves_and_allows_some_quotes(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account, status=CaseStudyStatus.SENT)
    kept = CaseStudyQuoteFactory.create(case_study=story, text="Print me.")
    dropped = CaseStudyQuoteFactory.create(case_study=story, text="Keep me private.")
    url = reverse("advocacy_case_study_review", args=[world.account.slug, story.pk])
    response = client_for(world.champion).post(url, {"decision": "approve", "allowed": [kept.pk]})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.decided_by) == (CaseStudyStatus.APPROVED, world.champion)
    assert CaseStudyQuote.objects.get(pk=kept.pk).allowed is True
    assert CaseStudyQuote.objects.get(pk=dropped.pk).allowed is False
    html = case_study_html(story)
    assert "Print me." in html and "Keep me private." not in html
    assert Notification.objects.filter(user=world.csm, title__contains="approved").exists()


def test_a_rejection_needs_a_reason(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account, status=CaseStudyStatus.SENT)
    url = reverse("advocacy_case_study_review", args=[world.account.slug, story.pk])
    client = client_for(world.champion)
    with unchanged():
        response = client.post(url, {"decision": "reject", "reason": "  "})
    assert response.status_code == 422
    assert "Say why" in response.content.decode()
    response = client.post(url, {"decision": "reject", "reason": "Our numbers are private."})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.rejection_reason) == (
        CaseStudyStatus.REJECTED,
        "Our numbers are private.",
    )


def test_a_rejected_case_study_is_edited_back_to_a_draft(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account, status=CaseStudyStatus.REJECTED)
    url = reverse("advocacy_case_study", args=[world.account.slug, story.pk])
    response = client_for(world.csm).post(url, {"title": "Better", "body": "Reworked."})
    assert response.status_code == 302
    story.refresh_from_db()
    assert (story.status, story.title) == (CaseStudyStatus.DRAFT, "Better")


def test_a_draft_is_not_shown_to_the_champion(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account)
    url = reverse("advocacy_case_study_review", args=[world.account.slug, story.pk])
    assert client_for(world.champion).get(url).status_code == 404


def test_the_pdf_is_made_once_approved(world: World) -> None:
    story = CaseStudyFactory.create(account=world.account, status=CaseStudyStatus.SENT)
    url = reverse("advocacy_case_study_pdf", args=[world.account.slug, story.pk])
    assert client_for(world.champion).get(url).status_code == 404
    services.decide_case_study(story, approve=True, acting_user=world.champion)
    response = client_for(world.executive).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "case-study-acme" in response["Content-Disposition"]


def test_the_story_is_sanitised(world: World) -> None:
    story = CaseStudyFactory.create(
        account=world.account,
        status=CaseStudyStatus.APPROVED,
        body="**Bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    html = case_study_html(story)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html and 'href="javascript' not in html
