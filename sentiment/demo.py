"""Demo sentiment: a few comments from Acme's people on their plan and onboarding tasks
(one negative, one in German that stays unknown), then every demo comment scored, so the
360° page shows a trend.

Idempotent: each comment is added once (looked up by its text) and scoring twice stores
nothing new.
"""

from __future__ import annotations

from accounts.models import Account, User
from onboarding.models import Task, TaskComment
from onboarding.services import comment_on_task
from successplans.models import PlanComment
from successplans.services import comment_on_plan

from .models import CommentSentiment
from .services import score_all_comments

PLAN_COMMENTS = [
    ("dana@acme.example", "The weekly review with Priya keeps us on track. Really helpful."),
]
TASK_COMMENTS = [
    ("mia@acme.example", "The SSO setup is frustrating: the docs are wrong and we are stuck."),
    ("eli@acme.example", "Der Import hat bei uns leider nicht funktioniert, bitte prüfen."),
]


def ensure_demo_sentiment() -> int:
    """Returns how many rows were created (comments added plus comments scored)."""
    created = 0
    account = Account.objects.filter(slug="acme").first()
    if account is not None:
        people = {u.email: u for u in User.objects.filter(memberships__account=account)}
        plan = account.plans.order_by("pk").first()
        for email, body in PLAN_COMMENTS:
            author = people.get(email)
            if plan is None or author is None or PlanComment.objects.filter(body=body).exists():
                continue
            comment_on_plan(plan, body=body, acting_user=author)
            created += 1
        tasks = Task.objects.filter(checklist__account=account, internal=False).order_by("pk")
        for (email, body), task in zip(TASK_COMMENTS, tasks, strict=False):
            author = people.get(email)
            if author is None or TaskComment.objects.filter(body=body).exists():
                continue
            comment_on_task(task, body, acting_user=author)
            created += 1
    before = CommentSentiment.objects.count()
    score_all_comments()
    return created + CommentSentiment.objects.count() - before
