"""Demo advocacy: advocates at Acme, Globex and Initech (asks accepted, declined and one
waiting for Dana's answer), reference calls (Elijah at the quarter's cap), referrals at every
stage, a case study Globex's champion approved and one waiting for Dana's approval.
Idempotent: nothing is made twice."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, User
from surveys.models import Response

from . import services
from .models import AdvocacyAsk, AskKind, CaseStudy, Referral, ReferralStatus

ACME_STORY = """Acme Logistics moves freight for 400 shippers across Europe, and every Monday its
operations team rebuilt the same weekly review by hand from four exports.

## What they did

Acme connected its warehouse and invoicing data to Northwind in the first month, then built
one dashboard for the weekly review that everyone opens before the meeting.

## The result

The weekly review is ready before anyone arrives, exports that used to time out finish in
seconds, and the team spends Monday morning on decisions instead of spreadsheets."""

GLOBEX_STORY = """Globex Retail runs 120 stores, and its finance team spent the first week of
every month assembling reports for store managers.

## What they did

With their customer success manager, Globex set one goal: reports the store managers open
on their own. They scheduled the monthly exports, trained every regional lead in the academy
and retired the spreadsheet pack.

## The result

- **A day a week back** for the reporting team, in their own words.
- Store managers open their reports themselves: adoption rose from 55% to 83% of them.
- Month-end closes two days earlier than the year before."""


def _ask(
    account: Account,
    email: str,
    kind: str,
    *,
    days_ago: int,
    answer: bool | None,
    note: str = "",
    answer_note: str = "",
) -> AdvocacyAsk | None:
    person = User.objects.filter(email=email).first()
    if person is None or account.owner is None:
        return None
    ask = services.ask_for_advocacy(account, person, kind, note=note, acting_user=account.owner)
    if answer is not None:
        services.answer_ask(ask, accept=answer, note=answer_note, acting_user=person)
    # Told as it happened: asked weeks ago, answered a day later.
    asked_at = timezone.now() - timedelta(days=days_ago)
    AdvocacyAsk.objects.filter(pk=ask.pk).update(
        asked_at=asked_at,
        answered_at=asked_at + timedelta(days=1) if answer is not None else None,
    )
    ask.refresh_from_db()
    return ask


def _quotes(account: Account, *emails: str) -> list[Response]:
    return [
        r
        for r in services.figures.quotable_comments(account)
        if r.user.email in emails and r.comment
    ][: len(emails)]


@transaction.atomic
def ensure_demo_advocacy() -> int:
    accounts = {a.slug: a for a in Account.objects.filter(slug__in=["acme", "globex", "initech"])}
    if len(accounts) < 3 or AdvocacyAsk.objects.filter(account__in=accounts.values()).exists():
        return 0
    acme, globex, initech = accounts["acme"], accounts["globex"], accounts["initech"]
    made = 0
    today = timezone.localdate()
    # Acme: Elijah said yes to references and is at the quarter's cap; Mia said no to a
    # review; Dana is asked now (her answer waits in her inbox).
    eli = _ask(acme, "eli@acme.example", AskKind.REFERENCE, days_ago=40, answer=True,
               note="Would you take a short call with a logistics company evaluating us?",
               answer_note="Happy to, mornings work best.")  # fmt: skip
    _ask(acme, "mia@acme.example", AskKind.REVIEW, days_ago=30, answer=False,
         note="Would you write a short review on a software review site?",
         answer_note="Not this quarter, sorry: too busy with the warehouse migration.")  # fmt: skip
    _ask(acme, "dana@acme.example", AskKind.REFERENCE, days_ago=0, answer=None,
         note="A retailer evaluating us would love to hear how Acme set up its weekly "
         "review. Would you take a 20-minute call with them?")  # fmt: skip
    # Globex: Samira agreed to co-write the case study and to be a reference.
    sam = _ask(globex, "sam@globex.example", AskKind.REFERENCE, days_ago=120, answer=True,
               note="Would you be a reference for retailers evaluating us?")  # fmt: skip
    # Initech: Lena spoke at the user conference; Raj agreed to refer peers.
    lena = _ask(initech, "lena@initech.example", AskKind.SPEAK, days_ago=100, answer=True,
                note="Would you speak at our customer conference in the spring?",
                answer_note="Yes! Renewal season permitting.")  # fmt: skip
    _ask(initech, "raj@initech.example", AskKind.REFERRAL, days_ago=20, answer=True,
               note="Do you know another clinic group that would benefit?")  # fmt: skip
    made += 6
    if lena is not None and initech.owner is not None:
        services.complete_ask(lena, acting_user=initech.owner)
    start, _ = services.figures.quarter_of(today)
    if eli is not None and acme.owner is not None:
        for prospect, day, done in [
            ("Umbrella Freight", start, True),
            ("Soylent Foods", today + timedelta(days=3), False),
        ]:
            call = services.book_reference_call(
                acme, eli.person, prospect=prospect, day=day, acting_user=acme.owner
            )
            if done:
                services.mark_call_done(call, acting_user=acme.owner)
            made += 1
    if sam is not None and globex.owner is not None:
        call = services.book_reference_call(
            globex, sam.person, prospect="Vandelay Stores", day=start, acting_user=globex.owner
        )
        services.mark_call_done(call, acting_user=globex.owner)
        made += 1
    # Referrals, at every stage.
    referrals = [
        (acme, "dana@acme.example", "Initrode Freight", "Grace Lin", "grace.lin@initrode.example",
         "Their ops lead asked me how we run the weekly review.", ReferralStatus.WON,
         "Signed a 12-month contract; thanked Dana with a gift card."),
        (acme, "dana@acme.example", "Cyberdyne Cargo", "Miles Dyson", "miles@cyberdyne.example",
         "", ReferralStatus.CONTACTED, "Intro call on the calendar."),
        (acme, "eli@acme.example", "Stark Shipping", "Pepper Potts", "pepper@stark.example",
         "Met their COO at a conference; they struggle with month-end reporting.",
         ReferralStatus.NEW, ""),
        (initech, "raj@initech.example", "Hooli Clinics", "Gavin Belson", "gavin@hooli.example",
         "Twelve clinics, same audit needs as ours.", ReferralStatus.QUALIFIED,
         "Budget confirmed for Q2."),
        (initech, "raj@initech.example", "Vandelay Health", "Art Vandelay", "art@vandelay.example",
         "", ReferralStatus.LOST, "Chose to stay with their in-house tool."),
    ]  # fmt: skip
    for days_ago, (account, email, company, name, contact, note, status, outcome) in zip(
        (50, 21, 4, 35, 60), referrals, strict=True
    ):
        person = User.objects.get(email=email)
        referral = services.submit_referral(
            account,
            company=company,
            contact_name=name,
            contact_email=contact,
            note=note,
            acting_user=person,
        )
        # Told as it happened: referred weeks ago.
        Referral.objects.filter(pk=referral.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        if status != ReferralStatus.NEW and account.owner is not None:
            services.update_referral(
                referral, status=status, outcome=outcome, acting_user=account.owner
            )
        made += 1
    # Case studies: Globex's approved (with Samira's quote), Acme's waiting for Dana.
    if globex.owner is not None:
        story = services.start_case_study(
            globex,
            title="Globex Retail gives its finance team a day a week back",
            body=GLOBEX_STORY,
            responses=_quotes(globex, "sam@globex.example"),
            acting_user=globex.owner,
        )
        services.send_case_study(story, acting_user=globex.owner)
        champion = User.objects.get(email="sam@globex.example")
        services.decide_case_study(
            story,
            approve=True,
            allowed_quotes=list(story.quotes.values_list("pk", flat=True)),
            acting_user=champion,
        )
        made += 1
    if acme.owner is not None and not CaseStudy.objects.filter(account=acme).exists():
        story = services.start_case_study(
            acme,
            title="How Acme Logistics got its Monday mornings back",
            body=ACME_STORY,
            responses=_quotes(acme, "dana@acme.example", "eli@acme.example"),
            acting_user=acme.owner,
        )
        services.send_case_study(story, acting_user=acme.owner)
        made += 1
    return made
