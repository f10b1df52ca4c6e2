"""Survey data for the tests, and the surveys' rows of the URL x role access matrix.

The lead's tests/test_access_matrix.py can take everything from here::

    from tests.survey_helpers import SURVEY_EXPECTED, make_survey_world, survey_url_args
    EXPECTED.update(SURVEY_EXPECTED)
    # in matrix_world:   ctx["surveys"] = make_survey_world(world)
    # in url_and_data:   **survey_url_args(ctx["surveys"], slug),
    # in SETUP:          "survey_resume": lambda ctx: pause_for_matrix(ctx["surveys"]),
    # in db_state():     *survey_db_state(),
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Account, Activity, User
from portal.models import Job
from surveys.models import (
    Campaign,
    Delivery,
    FollowUp,
    Kind,
    Response,
    Schedule,
    Survey,
    SurveyOptOut,
    SurveyPause,
)
from surveys.services import answer_token, record_response, unsubscribe_url
from tests.conftest import World

# The moment the survey tests run at (``time_machine.move_to(SURVEY_NOW, tick=False)``): a
# Monday in March, so months and quarters fall the same way every time the tests run.
SURVEY_NOW = datetime(2026, 3, 16, 10, 30, tzinfo=UTC)

L = "login"
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
# A campaign (or follow-up) of the CSM's portfolio: the other CSM does not see it.
PORTFOLIO_READ = [L, 403, 403, 403, 403, 200, 404, 200]
PORTFOLIO_WRITE = [L, 403, 403, 403, 403, 302, 404, 302]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
# The champion's own delivery: colleagues get a 404 (not theirs), vendor staff a 403.
OWN_DELIVERY_WRITE = [L, 302, 404, 404, 404, 403, 404, 403]
POST_ONLY = [405] * 8
PUBLIC_READ = [200] * 8
PUBLIC_WRITE = [302] * 8

# name -> (expected GET, expected POST or None); order of PERSONAS in tests/conftest.py.
SURVEY_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "surveys": (CONSOLE_READ, None),
    "survey_create": (CONSOLE_READ, CONSOLE_WRITE),
    "survey_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "survey_archive": (POST_ONLY, CONSOLE_WRITE),
    "survey_campaign_create": (CONSOLE_READ, CONSOLE_WRITE),
    "survey_campaign": (PORTFOLIO_READ, None),
    "survey_campaign_send": (POST_ONLY, PORTFOLIO_WRITE),
    "survey_campaign_end": (POST_ONLY, PORTFOLIO_WRITE),
    "survey_results": (CONSOLE_READ, None),
    "survey_results_export": (CONSOLE_READ, None),
    "survey_follow_ups": (CONSOLE_READ, None),
    "survey_follow_up": (PORTFOLIO_READ, PORTFOLIO_WRITE),
    "survey_email_answer": (PUBLIC_READ, PUBLIC_WRITE),
    "survey_email_comment": (PUBLIC_READ, PUBLIC_WRITE),
    "survey_unsubscribe": (PUBLIC_READ, PUBLIC_WRITE),
    "survey_pause": (POST_ONLY, VENDOR_WRITE),
    "survey_resume": (POST_ONLY, VENDOR_WRITE),
    "survey_answer": (POST_ONLY, OWN_DELIVERY_WRITE),
    "survey_comment": (POST_ONLY, OWN_DELIVERY_WRITE),
    "survey_dismiss": (POST_ONLY, OWN_DELIVERY_WRITE),
    "survey_snooze": (POST_ONLY, OWN_DELIVERY_WRITE),
}


def make_survey(owner: User, kind: str = Kind.NPS, **fields: Any) -> Survey:
    defaults = {
        "name": f"Quarterly {kind.upper()}",
        "question": "How likely are you to recommend Northwind to a friend or colleague?",
        "follow_up_question": "What is the main reason for your score?",
    }
    return Survey.objects.create(kind=kind, created_by=owner, **{**defaults, **fields})


def make_campaign(
    survey: Survey, owner: User, *, portfolio_owner: User | None = None, **fields: Any
) -> Campaign:
    defaults: dict[str, Any] = {
        "name": f"{survey.name} campaign",
        "roles": ["champion", "executive", "member"],
        "schedule": Schedule.NOW,
    }
    return Campaign.objects.create(
        survey=survey,
        created_by=owner,
        portfolio_owner=portfolio_owner,
        **{**defaults, **fields},
    )


def deliver(
    campaign: Campaign, user: User, *, account: Account, wave: int = 1, at: datetime | None = None
) -> Delivery:
    return Delivery.objects.create(
        campaign=campaign, wave=wave, account=account, user=user, created_at=at or timezone.now()
    )


def make_survey_world(world: World) -> dict[str, Any]:
    """The CSM's NPS campaign on account A, asked every 90 days (so "Send now" may send a
    wave): the champion asked (answered 8, within the grace period), the executive answered 3
    (a detractor: an open follow-up), the member asked and not yet answered (their e-mailed
    link)."""
    survey = make_survey(world.csm)
    campaign = make_campaign(
        survey,
        world.csm,
        portfolio_owner=world.csm,
        schedule=Schedule.EVERY,
        repeat_days=90,
        waves=1,
        next_run_at=timezone.now() + timedelta(days=90),
    )
    champion = deliver(campaign, world.champion, account=world.account)
    executive = deliver(campaign, world.executive, account=world.account)
    member = deliver(campaign, world.member, account=world.account)
    record_response(champion, 8, channel="portal")
    executive_response = record_response(executive, 3, channel="email").response
    return {
        "survey": survey,
        "campaign": campaign,
        "champion_delivery": champion,
        "executive_delivery": executive,
        "member_delivery": member,
        "follow_up": FollowUp.objects.get(response=executive_response),
        "answer_token": answer_token(member, 9),
        "comment_token": answer_token(executive, 3),
        "unsubscribe_token": unsubscribe_url(world.member).rstrip("/").rsplit("/", 1)[-1],
    }


def survey_url_args(s: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """For each survey URL: its positional arguments and a valid POST."""
    survey, campaign, delivery = s["survey"], s["campaign"], s["champion_delivery"]
    return {
        "survey_create": ([], {"name": "Pulse", "kind": "csat", "question": "How satisfied are you?", "follow_up_question": ""}),
        "survey_edit": ([survey.pk], {"name": "Renamed NPS", "kind": "nps", "question": survey.question, "follow_up_question": ""}),
        "survey_archive": ([survey.pk], {}),
        "survey_campaign_create": ([], {"name": "Champions' NPS", "survey": survey.pk, "audience": "all", "roles": ["champion"], "schedule": "now"}),
        "survey_campaign": ([campaign.pk], {}),
        "survey_campaign_send": ([campaign.pk], {}),
        "survey_campaign_end": ([campaign.pk], {}),
        "survey_follow_up": ([s["follow_up"].pk], {"status": "resolved", "notes": "Called Eli.", "customer_note": "We fixed the export."}),
        "survey_email_answer": ([s["answer_token"]], {"score": "9"}),
        "survey_email_comment": ([s["comment_token"]], {"comment": "Exports keep failing."}),
        "survey_unsubscribe": ([s["unsubscribe_token"]], {}),
        "survey_pause": ([slug], {"reason": "Renewal negotiation"}),
        "survey_resume": ([slug], {}),
        "survey_answer": ([slug, delivery.pk], {"score": "10"}),
        "survey_comment": ([slug, delivery.pk], {"comment": "Great onboarding."}),
        "survey_dismiss": ([slug, delivery.pk], {}),
        "survey_snooze": ([slug, delivery.pk], {}),
    }  # fmt: skip


def pause_for_matrix(s: dict[str, Any]) -> None:
    """survey_resume needs a paused account to resume."""
    campaign = s["campaign"]
    SurveyPause.objects.create(
        account=s["champion_delivery"].account, reason="Escalation", paused_by=campaign.created_by
    )


def survey_db_state() -> tuple[Any, ...]:
    """Everything a write in the survey views could change."""
    return (
        list(Survey.objects.order_by("pk").values()),
        list(Campaign.objects.order_by("pk").values()),
        list(Delivery.objects.order_by("pk").values()),
        list(Response.objects.order_by("pk").values()),
        list(FollowUp.objects.order_by("pk").values()),
        list(SurveyPause.objects.order_by("pk").values()),
        list(SurveyOptOut.objects.order_by("pk").values()),
        Activity.objects.count(),
        Job.objects.count(),
    )


def page_text(html: str) -> str:
    """What a person reads: the tags dropped, the spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def stat(page: str, label: str) -> str:
    """The figure a page prints in its stat labelled ``label`` (``<li class="stat">``)."""
    for item in re.findall(r'<li class="stat">(.*?)</li>', page, re.S):
        found = re.search(r'<span class="stat-label">(.*?)</span>', item, re.S)
        if found and page_text(found.group(1)) == label:
            value = re.search(
                r'<span class="stat-value">(.*)</span><span class="stat-label">', item, re.S
            )
            assert value, label
            return page_text(value.group(1))
    raise AssertionError(f"no stat labelled {label!r}")
