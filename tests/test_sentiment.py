"""Sentiment of customers' comments: scored by VADER in a job (English only, other languages
unknown and never guessed), kept per account as a trend on the 360° page, a part of the health
score when a CS admin weighs it, and the trigger of the negative-comment playbooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from insights.figures.health import Part, combine, comments_part, parts_of
from insights.models import HealthConfig
from insights.services.health import compute_health
from onboarding.models import Task, TaskComment
from onboarding.services import comment_on_task
from playbooks.models import CSMTask, Event, EventKind, PlaybookRun
from portal.models import Job
from sentiment import figures, scoring, signals
from sentiment.models import CommentSentiment, Label, SourceKind
from sentiment.services import score_all_comments, score_comment
from successplans.services import comment_on_plan
from surveys.models import Response
from surveys.services import add_comment, record_response
from tests.conftest import World, client_for
from tests.factories import CommentSentimentFactory, PlaybookFactory, PlaybookStepFactory
from tests.insights_helpers import get_360
from tests.onboarding_helpers import start
from tests.plan_helpers import make_plan
from tests.queries import assert_same_queries, count_queries, counting
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
NEGATIVE = "The SSO setup is frustrating: the docs are wrong and we are stuck."
POSITIVE = "The weekly review with our CSM is really helpful, thank you!"
FRENCH = "Le support est vraiment nul, personne ne répond à nos tickets."
GERMAN = "Der Support ist schrecklich, niemand antwortet auf unsere Tickets."


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def shared_task(world: World) -> Task:
    checklist = start(world)
    return Task.objects.filter(checklist=checklist, internal=False).order_by("pk")[0]


def comment(world: World, body: str, capture: Any, author: Any = None) -> TaskComment:
    task = shared_task(world)
    with capture(execute=True):
        return comment_on_task(task, body, acting_user=author or world.champion)


# Scoring --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,label",
    [
        (NEGATIVE, Label.NEGATIVE),
        (POSITIVE, Label.POSITIVE),
        ("The export runs every Monday at nine.", Label.NEUTRAL),
        (FRENCH, Label.UNKNOWN),
        (GERMAN, Label.UNKNOWN),
        ("Muy malo el servicio, nadie contesta.", Label.UNKNOWN),
        ("Great!", Label.UNKNOWN),  # too short to tell the language: never guessed
    ],
)
def test_english_is_scored_and_anything_else_is_unknown(text: str, label: str) -> None:
    scored = scoring.score_text(text)
    assert scored.label == label
    if label == Label.UNKNOWN:
        assert (scored.language, scored.compound) == ("unknown", None)
    else:
        assert scored.language == "en" and scored.compound is not None
        assert -1 <= scored.compound <= 1


@pytest.mark.parametrize(
    "compound,label",
    [(0.05, "positive"), (0.0499, "neutral"), (-0.0499, "neutral"), (-0.05, "negative")],
)
def test_vaders_standard_thresholds(compound: float, label: str) -> None:
    assert scoring.label_of(compound) == label


# Scoring in a job -------------------------------------------------------------------------------


def test_a_customers_task_comment_is_scored_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    task_comment = comment(world, NEGATIVE, django_capture_on_commit_callbacks)
    row = CommentSentiment.objects.get()
    assert (row.source_kind, row.source_id, row.parent_id) == (
        SourceKind.TASK_COMMENT,
        task_comment.pk,
        task_comment.task_id,
    )
    assert (row.account, row.author, row.language, row.label) == (
        world.account,
        world.champion,
        "en",
        Label.NEGATIVE,
    )
    assert row.compound is not None and row.compound <= -0.05
    assert row.written_at == task_comment.created_at and row.excerpt == NEGATIVE
    assert Job.objects.get(task="sentiment.score_comment").status == Job.Status.DONE


def test_a_comment_in_french_is_kept_as_unknown_without_a_score(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    comment(world, FRENCH, django_capture_on_commit_callbacks)
    row = CommentSentiment.objects.get()
    assert (row.language, row.compound, row.label) == ("unknown", None, Label.UNKNOWN)


def test_a_csms_own_comment_is_not_the_customers_sentiment(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    comment(world, NEGATIVE, django_capture_on_commit_callbacks, author=world.csm)
    assert not CommentSentiment.objects.exists()


def test_a_plan_comment_is_scored(world: World, django_capture_on_commit_callbacks: Any) -> None:
    plan = make_plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        plan_comment = comment_on_plan(plan, body=POSITIVE, acting_user=world.executive)
    row = CommentSentiment.objects.get()
    assert (row.source_kind, row.source_id, row.parent_id, row.label) == (
        SourceKind.PLAN_COMMENT,
        plan_comment.pk,
        plan.pk,
        Label.POSITIVE,
    )


def test_a_survey_comment_added_later_is_scored_and_emptied_removed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = make_campaign(make_survey(world.csm), world.csm)
    delivery = deliver(campaign, world.champion, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        response = record_response(delivery, 4, channel="portal").response
    assert not CommentSentiment.objects.exists()  # no comment yet: nothing to score
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(response, NEGATIVE)
    row = CommentSentiment.objects.get()
    assert (row.source_kind, row.source_id, row.parent_id, row.label) == (
        SourceKind.SURVEY_RESPONSE,
        response.pk,
        campaign.pk,
        Label.NEGATIVE,
    )
    with django_capture_on_commit_callbacks(execute=True):
        add_comment(Response.objects.get(pk=response.pk), "")
    assert not CommentSentiment.objects.exists()


def test_the_request_pays_one_query_the_job_row(world: World) -> None:
    task_comment = TaskComment(pk=999, task=shared_task(world), author=world.champion, body="x")
    with counting() as queries:
        signals.task_comment_saved(sender=TaskComment, instance=task_comment, created=True)
    assert len(queries) == 1, queries.sql
    assert Job.objects.filter(task="sentiment.score_comment").count() == 1
    assert not CommentSentiment.objects.exists()  # scored after commit, in the job


def test_scoring_twice_changes_nothing(
    world: World, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    task_comment = comment(world, NEGATIVE, django_capture_on_commit_callbacks)
    first = CommentSentiment.objects.get()
    time_machine.move_to(NOW + timedelta(hours=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = score_comment(SourceKind.TASK_COMMENT, task_comment.pk)
    assert again is not None and again.scored_at == first.scored_at
    assert not callbacks  # no save, so no second playbooks event either
    assert score_all_comments() == 1 and CommentSentiment.objects.count() == 1


def test_an_unknown_kind_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="Unknown comment kind"):
        score_comment("tweet", 1)


# Figures ----------------------------------------------------------------------------------------


def test_the_trend_averages_english_comments_by_month_and_counts_every_label(
    world: World,
) -> None:
    at = lambda days: NOW - timedelta(days=days)  # noqa: E731
    make = CommentSentimentFactory.create
    make(account=world.account, compound=0.8, written_at=at(1))
    make(account=world.account, compound=-0.4, written_at=at(2))
    make(account=world.account, compound=0.0, written_at=at(40))
    make(account=world.account, compound=None, language="unknown", written_at=at(3))
    make(account=world.account, compound=-0.9, written_at=at(200))  # before the window
    make(account=world.other_account, compound=-0.9, written_at=at(1))  # another account
    trend = figures.trend(world.account, NOW.date())
    assert trend.counts == {"positive": 1, "neutral": 1, "negative": 1, "unknown": 1}
    assert trend.total == 4
    assert trend.average.scored == 3
    assert trend.average.value == pytest.approx((0.8 - 0.4 + 0.0) / 3)
    by_month = {m.month.isoformat(): (m.average, m.scored) for m in trend.months}
    assert by_month["2026-11-01"] == (pytest.approx(0.2), 2)
    assert by_month["2026-10-01"] == (pytest.approx(0.0), 1)
    assert by_month["2026-09-01"] == (None, 0)  # a gap, never a zero
    assert trend.months[0].month.isoformat() == "2026-05-01"
    assert len(trend.months) == 7
    assert [row.compound for row, _ in trend.latest_negative] == [-0.4]
    assert trend.chart is not None and "Nov 2026" in trend.chart.svg


def test_an_account_without_comments_has_no_average_and_no_chart(world: World) -> None:
    CommentSentimentFactory(account=world.account, compound=None, language="unknown")
    trend = figures.trend(world.account, NOW.date())
    assert trend.average.value is None and trend.chart is None and trend.total == 1


def test_the_trend_costs_as_many_queries_for_30_comments_as_for_1(world: World) -> None:
    CommentSentimentFactory(account=world.account)
    one = count_queries(lambda: figures.trend(world.account, NOW.date()))
    CommentSentimentFactory.create_batch(29, account=world.account)
    assert_same_queries(one, count_queries(lambda: figures.trend(world.account, NOW.date())))


# The health score -------------------------------------------------------------------------------


def test_the_comments_part_maps_the_average_to_0_100(world: World) -> None:
    assert comments_part(world.account, NOW.date()) is None  # no comment: no part
    CommentSentimentFactory(account=world.account, compound=0.6)
    CommentSentimentFactory(account=world.account, compound=-0.2)
    CommentSentimentFactory(account=world.account, compound=None, language="unknown")
    part = comments_part(world.account, NOW.date())
    assert part is not None and part.score == 60  # average +0.2 -> (0.2 + 1) x 50
    assert part.why == "Average sentiment +0.20 from 2 comments in 180 days"


def test_the_comments_part_counts_only_when_weighed(world: World) -> None:
    CommentSentimentFactory(account=world.account, compound=-1.0)
    parts = parts_of(world.account, NOW.date())
    assert parts["comments"].score == 0
    # By default (weight 0) the part is left out, and no score moves.
    HealthConfig.objects.create(pulse_weight=10)
    assert compute_health(world.account) is None
    weighed = HealthConfig.objects.get()
    weighed.comments_weight = 20
    weighed.save()
    score = compute_health(world.account)
    assert score is not None and score.score == 0 and set(score.parts) == {"comments"}
    assert score.parts["comments"]["weight"] == 20


def test_weighing_comments_changes_a_health_score(world: World) -> None:
    CommentSentimentFactory(account=world.account, compound=-1.0)
    parts = {
        "pulse": Part(100, "good"),
        "comments": parts_of(world.account, NOW.date())["comments"],
    }
    without = combine(parts, HealthConfig(comments_weight=0))
    with_comments = combine(parts, HealthConfig(comments_weight=10))
    assert without is not None and with_comments is not None
    assert (without.score, with_comments.score) == (100, 50)  # pulse 10 x 100, comments 10 x 0


def test_a_cs_admin_weighs_comments_on_the_health_settings_page(world: World) -> None:
    data = {
        "usage_weight": 30,
        "sentiment_weight": 20,
        "onboarding_weight": 15,
        "plan_weight": 15,
        "renewal_weight": 10,
        "pulse_weight": 10,
        "healthy_from": 70,
        "at_risk_from": 40,
    }
    client = client_for(world.admin)
    assert b"Comments weight" in client.get(reverse("health_settings")).content
    assert (
        client.post(reverse("health_settings"), data | {"comments_weight": 25}).status_code == 302
    )
    assert HealthConfig.current().comments_weight == 25
    # A form sent without it (left empty) turns the part off.
    assert client.post(reverse("health_settings"), data).status_code == 302
    assert HealthConfig.current().comments_weight == 0
    response = client.post(reverse("health_settings"), data | {"comments_weight": -1})
    assert response.status_code == 422 and HealthConfig.current().comments_weight == 0


# Playbooks --------------------------------------------------------------------------------------


@pytest.fixture
def negative_play(db: None) -> Any:
    playbook = PlaybookFactory(trigger=EventKind.SENTIMENT_NEGATIVE, name="Negative comment")
    PlaybookStepFactory(
        playbook=playbook,
        params={"title": "Talk to {person} about their comment", "due_in_days": 1},
    )
    return playbook


def test_a_negative_english_comment_fires_the_playbook(
    world: World, negative_play: Any, django_capture_on_commit_callbacks: Any
) -> None:
    task_comment = comment(world, NEGATIVE, django_capture_on_commit_callbacks)
    row = CommentSentiment.objects.get()
    event = Event.objects.get(kind=EventKind.SENTIMENT_NEGATIVE)
    assert (event.account, event.source) == (world.account, f"sentiment:{row.pk}")
    assert event.data == {
        "source_kind": "task_comment",
        "source_id": task_comment.pk,
        "score": row.compound,
        "user_id": world.champion.pk,
        "excerpt": NEGATIVE,
    }
    assert PlaybookRun.objects.get().playbook == negative_play
    task = CSMTask.objects.get()
    assert task.title == f"Talk to {world.champion.display_name} about their comment"
    assert (task.account, task.assignee) == (world.account, world.csm)


@pytest.mark.parametrize("body", [FRENCH, GERMAN, POSITIVE])
def test_a_foreign_or_positive_comment_fires_nothing(
    world: World, negative_play: Any, django_capture_on_commit_callbacks: Any, body: str
) -> None:
    comment(world, body, django_capture_on_commit_callbacks)
    assert CommentSentiment.objects.get().label != Label.NEGATIVE
    assert not Event.objects.filter(kind=EventKind.SENTIMENT_NEGATIVE).exists()
    assert not CSMTask.objects.exists()


# The 360° page ----------------------------------------------------------------------------------


def test_the_360_page_shows_the_trend_counts_and_latest_negative_comments(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    task_comment = comment(world, NEGATIVE, django_capture_on_commit_callbacks)
    CommentSentimentFactory(account=world.account, compound=0.7, source_kind="plan_comment")
    CommentSentimentFactory(account=world.other_account, excerpt="Bluth is unhappy")
    page = get_360(client_for(world.csm), reverse("account_360", args=[world.account.slug]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Comment sentiment" in html and "Latest negative comments" in html
    assert NEGATIVE in html
    assert reverse("onboarding_task", args=[world.account.slug, task_comment.task_id]) in html
    assert "Bluth is unhappy" not in html
    assert "Average sentiment of comments, month by month" in html


def test_the_360_page_says_how_sentiment_starts_when_there_is_none(world: World) -> None:
    page = get_360(client_for(world.csm), reverse("account_360", args=[world.account.slug]))
    assert "No comment from" in page.content.decode()


@pytest.mark.parametrize("who", ["champion", "executive", "member", "other_csm"])
def test_customers_and_other_csms_do_not_see_it(world: World, who: str) -> None:
    CommentSentimentFactory(account=world.account, excerpt="Secret grumble")
    page = get_360(
        client_for(getattr(world, who)), reverse("account_360", args=[world.account.slug])
    )
    assert page.status_code in (403, 404)
    assert b"Secret grumble" not in page.content
