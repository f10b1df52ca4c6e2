"""Factories for advocacy's models, an NPS answer to make someone a promoter, and advocacy's
rows of the URL x role access matrix (tests/test_access_matrix.py)::

    EXPECTED.update(ADVOCACY_EXPECTED)
    # in matrix_world:   ctx["advocacy"] = make_advocacy_world(world)
    # in url_and_data:   **advocacy_url_args(ctx["advocacy"], slug),
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import factory
from django.utils import timezone

from accounts.models import Account, User
from advocacy.models import (
    AdvocacyAsk,
    AskKind,
    AskStatus,
    CaseStudy,
    CaseStudyQuote,
    CaseStudyStatus,
    ReferenceCall,
    Referral,
)
from surveys.models import Campaign, Delivery, Kind, Response, Survey
from tests.conftest import World
from tests.factories import AccountFactory, CSMFactory, UserFactory

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
CUSTOMER_READ = [L, 200, 200, 200, 404, 403, 404, 403]
CUSTOMER_WRITE = [L, 302, 302, 302, 404, 403, 404, 403]
# The champion's own ask: theirs alone; anyone else's is a 404, the vendor's role a 403.
OWN_ASK_READ = [L, 200, 404, 404, 404, 403, 404, 403]
OWN_ASK_WRITE = [L, 302, 404, 404, 404, 403, 404, 403]
CHAMPION_READ = [L, 200, 403, 403, 404, 403, 404, 403]
CHAMPION_WRITE = [L, 302, 403, 403, 404, 403, 404, 403]
PDF_READ = [L, 200, 200, 403, 404, 200, 404, 200]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
POST_ONLY = [405] * 8

ADVOCACY_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "advocacy_account": (VENDOR_READ, None),
    "advocacy_ask": (POST_ONLY, VENDOR_WRITE),
    "advocacy_my_ask": (OWN_ASK_READ, OWN_ASK_WRITE),
    "advocacy_ask_done": (POST_ONLY, VENDOR_WRITE),
    "advocacy_call_book": (POST_ONLY, VENDOR_WRITE),
    "advocacy_call_done": (POST_ONLY, VENDOR_WRITE),
    "advocacy_referral": (POST_ONLY, VENDOR_WRITE),
    "advocacy_refer": (CUSTOMER_READ, CUSTOMER_WRITE),
    "advocacy_case_study_new": (VENDOR_READ, VENDOR_WRITE),
    "advocacy_case_study": (VENDOR_READ, VENDOR_WRITE),
    "advocacy_case_study_send": (POST_ONLY, VENDOR_WRITE),
    "advocacy_case_study_review": (CHAMPION_READ, CHAMPION_WRITE),
    "advocacy_case_study_pdf": (PDF_READ, None),
    "advocacy_board": (CONSOLE_READ, None),
}
ADVOCACY_PANEL = [L, 200, 200, 200, 404, 200, 404, 200]


def nps_answer(
    account: Account,
    user: User,
    score: int,
    comment: str = "",
    *,
    at: datetime | None = None,
    kind: str = Kind.NPS,
) -> Response:
    """``user``'s answer to an NPS survey on ``account`` (9 or 10 makes a promoter)."""
    owner = account.owner or CSMFactory.create()
    survey = Survey.objects.create(
        kind=kind,
        name=f"NPS {Survey.objects.count() + 1}",
        question="Recommend us?",
        created_by=owner,
    )
    campaign = Campaign.objects.create(
        survey=survey, name=survey.name, created_by=owner, roles=["champion", "executive", "member"]
    )
    delivery = Delivery.objects.create(campaign=campaign, account=account, user=user)
    when = at or timezone.now()
    return Response.objects.create(
        delivery=delivery,
        campaign=campaign,
        account=account,
        user=user,
        kind=kind,
        score=score,
        comment=comment,
        answered_at=when,
        updated_at=when,
    )


class AdvocacyAskFactory(factory.django.DjangoModelFactory[AdvocacyAsk]):
    class Meta:
        model = AdvocacyAsk

    account = factory.SubFactory(AccountFactory)
    person = factory.SubFactory(UserFactory)
    kind = AskKind.REFERENCE
    note = "Would you take a short call?"
    asked_by = factory.LazyAttribute(lambda o: o.account.owner)


class ReferenceCallFactory(factory.django.DjangoModelFactory[ReferenceCall]):
    class Meta:
        model = ReferenceCall

    account = factory.SubFactory(AccountFactory)
    advocate = factory.SubFactory(UserFactory)
    prospect = factory.Sequence(lambda n: f"Prospect {n}")
    date = factory.LazyFunction(timezone.localdate)


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    class Meta:
        model = Referral

    account = factory.SubFactory(AccountFactory)
    referred_by = factory.SubFactory(UserFactory)
    company = factory.Sequence(lambda n: f"Referred Co {n}")
    contact_name = "Grace Lin"
    contact_email = factory.Sequence(lambda n: f"contact{n}@referred.example")


class CaseStudyFactory(factory.django.DjangoModelFactory[CaseStudy]):
    class Meta:
        model = CaseStudy

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Success story {n}")
    body = "## The challenge\n\nMonth-end took **two days**.\n\n## The result\n\nNow it takes two hours."
    created_by = factory.LazyAttribute(lambda o: o.account.owner or CSMFactory.create())


class CaseStudyQuoteFactory(factory.django.DjangoModelFactory[CaseStudyQuote]):
    class Meta:
        model = CaseStudyQuote

    case_study = factory.SubFactory(CaseStudyFactory)
    text = "It gave us our Mondays back."
    said_by = "Dana, Acme"


def make_advocacy_world(world: World) -> dict[str, Any]:
    """On account A: the champion, the executive and the member are promoters; the champion
    has an open ask (a reference), the executive said yes to being a reference and has one
    call booked, the member has never been asked; the champion referred a company; a draft
    case study, one sent to the champion and one approved (with an allowed quote)."""
    account = world.account
    nps_answer(account, world.champion, 9, "The reports save us a day a week.")
    nps_answer(account, world.executive, 10)
    nps_answer(account, world.member, 10)
    open_ask = AdvocacyAskFactory.create(account=account, person=world.champion)
    accepted = AdvocacyAskFactory.create(
        account=account,
        person=world.executive,
        status=AskStatus.ACCEPTED,
        answered_at=timezone.now(),
    )
    call = ReferenceCallFactory.create(account=account, advocate=world.executive)
    referral = ReferralFactory.create(account=account, referred_by=world.champion)
    draft = CaseStudyFactory.create(account=account)
    sent = CaseStudyFactory.create(
        account=account, status=CaseStudyStatus.SENT, sent_at=timezone.now()
    )
    CaseStudyQuoteFactory.create(case_study=sent)
    approved = CaseStudyFactory.create(
        account=account,
        status=CaseStudyStatus.APPROVED,
        decided_by=world.champion,
        decided_at=timezone.now(),
    )
    CaseStudyQuoteFactory.create(case_study=approved, allowed=True)
    return {
        "open_ask": open_ask,
        "accepted": accepted,
        "call": call,
        "referral": referral,
        "draft": draft,
        "sent": sent,
        "approved": approved,
    }


def advocacy_url_args(a: dict[str, Any], slug: str, world: World) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    story = {"title": "Acme's story", "body": "It went **well**."}
    return {
        "advocacy_ask": ([slug], {"person": world.member.pk, "kind": "review", "channel": "portal"}),
        "advocacy_my_ask": ([slug, a["open_ask"].pk], {"answer": "yes", "note": "Happy to."}),
        "advocacy_ask_done": ([slug, a["accepted"].pk], {}),
        "advocacy_call_book": ([slug], {"advocate": world.executive.pk, "prospect": "Initrode", "date": today}),
        "advocacy_call_done": ([slug, a["call"].pk], {}),
        "advocacy_referral": ([slug, a["referral"].pk], {"status": "contacted", "outcome": "Intro call booked."}),
        "advocacy_refer": ([slug], {"company": "Initrode", "contact_name": "Grace Lin", "contact_email": "grace@initrode.example"}),
        "advocacy_case_study_new": ([slug], story),
        "advocacy_case_study": ([slug, a["draft"].pk], story),
        "advocacy_case_study_send": ([slug, a["draft"].pk], {}),
        "advocacy_case_study_review": ([slug, a["sent"].pk], {"decision": "approve"}),
        "advocacy_case_study_pdf": ([slug, a["approved"].pk], {}),
    }  # fmt: skip
