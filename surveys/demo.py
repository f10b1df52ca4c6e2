"""Demo data for surveys: a quarterly relationship NPS with three waves of answers across the
demo accounts, detractors followed up (one resolved with a "You said, we did" note), a pending
question for Acme's champion, and an onboarding CSAT waiting for its trigger.

Idempotent: a second call finds the survey and changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.activity import record
from accounts.models import Account, Activity, User

from .models import (
    DEFAULT_FOLLOW_UP,
    DEFAULT_QUESTIONS,
    Campaign,
    Channel,
    Delivery,
    FollowUp,
    Kind,
    Response,
    Schedule,
    Survey,
    Trigger,
)

DEMO_SURVEY = "Relationship NPS"
ADMIN = "morgan@northwind.example"

# Per wave (days ago), per person: (score, comment) or None for "asked, no answer".
WAVES: list[tuple[int, dict[str, tuple[int, str] | None]]] = [
    (
        170,
        {
            "dana@acme.example": (8, "Good product, the onboarding took longer than planned."),
            "eli@acme.example": (7, ""),
            "sam@globex.example": (9, "Reporting saves my team a day a week."),
            "victor@globex.example": (6, "Price went up and we did not see new value."),
            "jo@globex.example": None,
            "lena@initech.example": (10, "Priya-level support, every time."),
            "raj@initech.example": (9, ""),
        },
    ),
    (
        80,
        {
            "dana@acme.example": (9, "The new dashboards made our weekly review easy."),
            "mia@acme.example": (4, "CSV exports time out on our larger warehouses."),
            "sam@globex.example": (10, ""),
            "victor@globex.example": (8, "Better since the pricing call, thank you."),
            "lena@initech.example": (9, "Renewal conversation was clear and fair."),
            "ola@initech.example": (5, "Hard to find where the audit log lives."),
        },
    ),
    (
        6,
        {
            "dana@acme.example": None,  # the prompt waiting on the champion's account page
            "eli@acme.example": (9, "Exports are fast now. Noticeably better."),
            "mia@acme.example": (10, "You fixed the exports, thank you!"),
            "sam@globex.example": (9, ""),
            "jo@globex.example": (3, "The mobile app logs me out every day."),
            "raj@initech.example": (10, ""),
        },
    ),
]

CONTACTED_NOTES = {
    "victor@globex.example": "Pricing call with Victor and Samira; offered a usage review.",
    "ola@initech.example": "Walked Ola through the audit log; asked product for a menu shortcut.",
}
RESOLVED_NOTE = (
    "You told us CSV exports timed out on large warehouses. We moved exports to background "
    "jobs and raised the limit tenfold: a 2 GB export now arrives in about four minutes."
)

# The onboarding CSAT's own texts in the portal's other languages (the relationship NPS asks
# the built-in questions, which each respondent reads in their language already).
ONBOARDING_CSAT_TRANSLATIONS: dict[str, dict[str, str]] = {
    "de": {
        "question": "Wie zufrieden sind Sie mit Ihrem Onboarding?",
        "follow_up_question": "Was hätten wir besser machen können?",
    },
    "fr": {
        "question": "Dans quelle mesure êtes-vous satisfait de votre onboarding\u202f?",
        "follow_up_question": "Qu’aurions-nous pu mieux faire\u202f?",
    },
    "es": {
        "question": "¿Qué grado de satisfacción tiene con su onboarding?",
        "follow_up_question": "¿Qué podríamos haber hecho mejor?",
    },
}


@transaction.atomic
def ensure_demo_surveys() -> int:
    """Create the demo surveys once; returns how many rows were created (0 the second time)."""
    if Survey.objects.filter(name=DEMO_SURVEY).exists():
        return 0
    admin = User.objects.get(email=ADMIN)
    now = timezone.now()
    people = {u.email: u for u in User.objects.filter(memberships__isnull=False).distinct()}
    account_of = {
        email: Account.objects.filter(memberships__user=user).select_related("owner").first()
        for email, user in people.items()
    }
    survey = Survey.objects.create(
        name=DEMO_SURVEY,
        kind=Kind.NPS,
        # The built-in question, so each respondent reads it in their language.
        question=DEFAULT_QUESTIONS[Kind.NPS].format(vendor=settings.VENDOR_NAME),
        follow_up_question=DEFAULT_FOLLOW_UP,
        created_by=admin,
    )
    campaign = Campaign.objects.create(
        survey=survey,
        name="Quarterly relationship NPS",
        roles=["champion", "executive", "member"],
        schedule=Schedule.EVERY,
        repeat_days=90,
        starts_at=now - timedelta(days=170),
        next_run_at=now + timedelta(days=84),
        waves=len(WAVES),
        created_by=admin,
    )
    Campaign.objects.filter(pk=campaign.pk).update(created_at=now - timedelta(days=171))
    created = 2
    for wave, (days_ago, answers) in enumerate(WAVES, start=1):
        sent = now - timedelta(days=days_ago)
        for email, answer in answers.items():
            user, account = people.get(email), account_of.get(email)
            if user is None or account is None:
                continue
            delivery = Delivery.objects.create(
                campaign=campaign,
                wave=wave,
                account=account,
                user=user,
                channel=Channel.EMAIL,
                created_at=sent,
                sent_at=sent,
            )
            created += 1
            if answer is None:
                continue
            score, comment = answer
            answered = sent + timedelta(hours=5 + score)
            response = Response.objects.create(
                delivery=delivery,
                campaign=campaign,
                account=account,
                user=user,
                kind=Kind.NPS,
                score=score,
                comment=comment,
                channel=Channel.EMAIL,
                answered_at=answered,
                updated_at=answered,
            )
            entry = record(
                gettext_noop("answered"),
                actor=user,
                account=account,
                target=response,
                after={"score": score, "kind": "nps", "channel": "email"},
                internal=True,
            )
            Activity.objects.filter(pk=entry.pk).update(created_at=answered)
            created += 2
            if score <= 6:
                created += _follow_up(response, account, days_ago, answered)
    Campaign.objects.create(
        survey=Survey.objects.create(
            name="Onboarding CSAT",
            kind=Kind.CSAT,
            question="How satisfied are you with your onboarding?",
            follow_up_question="What could we have done better?",
            translations=ONBOARDING_CSAT_TRANSLATIONS,
            created_by=admin,
        ),
        name="CSAT when onboarding completes",
        roles=["champion"],
        schedule=Schedule.TRIGGER,
        trigger=Trigger.ONBOARDING_COMPLETED,
        created_by=admin,
    )
    return created + 2


def _follow_up(response: Response, account: Account, days_ago: int, answered: datetime) -> int:
    follow_up = FollowUp.objects.create(
        response=response, account=account, csm=account.owner, created_at=answered
    )
    if days_ago > 60 and response.user.email == "mia@acme.example":
        follow_up.status = FollowUp.Status.RESOLVED
        follow_up.notes = "Call with Mia: exports of 2 GB time out. Escalated to engineering."
        follow_up.customer_note = RESOLVED_NOTE
        follow_up.resolved_at = response.answered_at + timedelta(days=12)
        follow_up.resolved_by = account.owner
    elif days_ago > 60:
        follow_up.status = FollowUp.Status.CONTACTED
        follow_up.notes = CONTACTED_NOTES.get(response.user.email, "")
    follow_up.save()
    return 1
