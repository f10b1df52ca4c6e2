"""The events playbooks listen to, taken from the other apps' model signals.

No other app imports playbooks: each receiver here turns a save or a delete elsewhere into
:func:`~playbooks.events.raise_event` (one job row) and runs no query of its own. Work that
needs the database (which accounts a deactivated person championed, the previous day's
health band) is done in the job.

Where a write bypasses the model signals the app sends its own: insights'
``contracts_written`` (bulk upserts of contracts) and surveys' ``response_commented`` (a
comment added later, for the sentiment scoring). An account's or a person's previous values
come from :class:`accounts.models.TracksLoadedValues`, not from a query.

Each event's source makes it once: a save that changes nothing raises nothing, a second real
change (stage back and forth) raises again (its source carries the time of the change).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from academy.signals import course_passed
from accounts.models import Account, CustomerRole, Membership, Stage, User
from insights.models import Contract, HealthScore
from insights.signals import contracts_written
from offboarding.models import Offboarding
from offboarding.signals import offboarding_completed, offboarding_started
from onboarding.models import Checklist, Task, TaskComment
from onboarding.signals import task_done_changed
from portal.jobs import enqueue
from renewals.models import Renewal
from renewals.signals import renewal_approaching, renewal_churned, renewal_stage_changed
from reports.models import Review, ReviewRequest
from reports.signals import review_published
from sentiment.models import CommentSentiment
from sentiment.models import Label as SentimentLabel
from successplans.models import (
    KPI,
    KPIValue,
    Milestone,
    MilestoneStatus,
    Objective,
    PlanComment,
    SuccessPlan,
)
from successplans.signals import signoff_rejected
from surveys.models import Band, FollowUp, Kind, Response

from .events import pending_event, raise_event, raise_events
from .models import EventKind
from .services.events import contract_event

# (survey kind, band) -> event kind
RESPONSE_EVENTS: dict[tuple[str, str], str] = {
    (Kind.NPS, Band.NEGATIVE): EventKind.NPS_DETRACTOR,
    (Kind.NPS, Band.NEUTRAL): EventKind.NPS_PASSIVE,
    (Kind.NPS, Band.POSITIVE): EventKind.NPS_PROMOTER,
    (Kind.CSAT, Band.NEGATIVE): EventKind.CSAT_LOW,
    (Kind.CES, Band.NEGATIVE): EventKind.CES_HIGH_EFFORT,
}

LEAVING_ROLES: dict[str, str] = {
    CustomerRole.CHAMPION: EventKind.CHAMPION_LEFT,
    CustomerRole.EXECUTIVE: EventKind.EXECUTIVE_LEFT,
}


def _touches(update_fields: Any, field: str) -> bool:
    return update_fields is None or field in update_fields


@receiver(post_save, sender=Response, dispatch_uid="playbooks.response_saved")
def response_saved(
    sender: type[Response],
    instance: Response,
    created: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """An answer, or its score changed within the grace period. The source is the response:
    a score moved from 3 to 2 is the same detractor, from 3 to 9 a promoter as well."""
    if not created and not _touches(update_fields, "score"):
        return
    data = {
        "response_id": instance.pk,
        "survey_kind": instance.kind,
        "score": instance.score,
        "user_id": instance.user_id,
    }
    events = []
    kind = RESPONSE_EVENTS.get((instance.kind, instance.band))
    if kind is not None:
        events.append(
            pending_event(
                kind,
                account_id=instance.account_id,
                source=f"response:{instance.pk}",
                occurred_at=instance.updated_at,
                data=data,
            )
        )
    # Any answer, whatever its score, in the same job: a score changed within the grace
    # period is the same answer (same source), recorded once.
    events.append(
        pending_event(
            EventKind.SURVEY_ANSWERED,
            account_id=instance.account_id,
            source=f"response:{instance.pk}",
            occurred_at=instance.updated_at,
            data={**data, "band": instance.band},
        )
    )
    raise_events(events)


@receiver(post_save, sender=Checklist, dispatch_uid="playbooks.checklist_saved")
def checklist_saved(
    sender: type[Checklist],
    instance: Checklist,
    created: bool = False,
    update_fields: Any = None,
    **kwargs: Any,
) -> None:
    """A checklist started (created), or completed."""
    events = []
    details = {"checklist_id": instance.pk, "template": instance.template_name}
    if created:
        events.append(
            pending_event(
                EventKind.ONBOARDING_STARTED,
                account_id=instance.account_id,
                source=f"checklist:{instance.pk}",
                occurred_at=instance.started_at,
                data={**details, "kickoff_date": instance.kickoff_date.isoformat()},
            )
        )
    if instance.completed_at is not None and _touches(update_fields, "completed_at"):
        events.append(
            pending_event(
                EventKind.ONBOARDING_COMPLETED,
                account_id=instance.account_id,
                # Completed, reopened, completed again: two events; saved twice completed: one.
                source=f"checklist:{instance.pk}:{instance.completed_at.isoformat()}",
                occurred_at=instance.completed_at,
                data=details,
            )
        )
    raise_events(events)


@receiver(post_delete, sender=Membership, dispatch_uid="playbooks.membership_deleted")
def membership_deleted(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    """Someone removed from an account: a person left, and a champion or an executive left
    when that was their role (one job row for both). Deleted with its account: nobody left."""
    origin = kwargs.get("origin")
    if (origin.model if isinstance(origin, QuerySet) else type(origin)) is Account:
        return
    data = {"user_id": instance.user_id, "role": instance.role, "how": "removed"}
    events = []
    kind = LEAVING_ROLES.get(instance.role)
    if kind is not None:
        events.append(
            pending_event(
                kind, account_id=instance.account_id, source=f"membership:{instance.pk}", data=data
            )
        )
    events.append(
        pending_event(
            EventKind.PERSON_LEFT,
            account_id=instance.account_id,
            source=f"membership:{instance.pk}",
            data=data,
        )
    )
    raise_events(events)


@receiver(post_save, sender=User, dispatch_uid="playbooks.user_saved")
def user_saved(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    """A person deactivated: which accounts they championed is the job's question."""
    if instance.is_active or instance.is_vendor or not _touches(update_fields, "is_active"):
        return
    at = instance.deactivated_at
    enqueue(
        "playbooks.person_deactivated",
        user_id=instance.pk,
        deactivated_at=at.isoformat() if at is not None else "",
    )


@receiver(post_save, sender=HealthScore, dispatch_uid="playbooks.health_score_saved")
def health_score_saved(sender: type[HealthScore], instance: HealthScore, **kwargs: Any) -> None:
    """Whether the band differs from the day before is the job's question."""
    enqueue(
        "playbooks.health_score_saved",
        account_id=instance.account_id,
        day=instance.day.isoformat(),
        band=instance.band,
        score=instance.score,
    )


# The account ------------------------------------------------------------------------------------

ACCOUNT_CHANGES: dict[str, str] = {
    "stage": EventKind.STAGE_CHANGED,
    "segment": EventKind.SEGMENT_CHANGED,
    "touch_model": EventKind.TOUCH_MODEL_CHANGED,
    "owner_id": EventKind.OWNER_CHANGED,  # ids: names are the job's business
}


@receiver(post_save, sender=Account, dispatch_uid="playbooks.account_saved")
def account_saved(
    sender: type[Account],
    instance: Account,
    created: bool = False,
    update_fields: Any = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """An account created, or its stage, segment, touch model or owner changed (each
    ``{"from": ..., "to": ...}``; the stage set to churned is also a churned contract). One
    job row for all the changes of one save."""
    if raw:
        return
    pk = instance.pk
    if created:
        raise_event(
            EventKind.ACCOUNT_CREATED,
            account_id=pk,
            source=f"account:{pk}",
            occurred_at=instance.created_at,
            data={
                "stage": instance.stage,
                "segment": instance.segment,
                "touch_model": instance.touch_model,
                "owner_id": instance.owner_id,
            },
        )
        return
    now = timezone.now()
    events = []
    for attname, (before, after) in instance.changes(update_fields).items():
        change = f"{attname}:{before}>{after}:{now.isoformat()}"
        events.append(
            pending_event(
                ACCOUNT_CHANGES[attname],
                account_id=pk,
                source=f"account:{pk}:{change}",
                occurred_at=now,
                data={"from": before, "to": after},
            )
        )
        if attname == "stage" and after == Stage.CHURNED:
            events.append(
                pending_event(
                    EventKind.CONTRACT_CHURNED,
                    account_id=pk,
                    source=f"account:{pk}:churned:{now.isoformat()}",
                    occurred_at=now,
                    data={"from": before, "to": after, "how": "stage"},
                )
            )
    raise_events(events)


# Contracts --------------------------------------------------------------------------------------


@receiver(post_save, sender=Contract, dispatch_uid="playbooks.contract_saved")
def contract_saved(
    sender: type[Contract],
    instance: Contract,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """A contract line saved one by one (the bulk path sends ``contracts_written``): started,
    renewed, expanded or contracted by its kind. An edit of a line raises nothing."""
    if not created or raw:
        return
    pending = contract_event(instance, timezone.localdate())
    if pending is not None:
        raise_events([pending])


@receiver(contracts_written, dispatch_uid="playbooks.contracts_written")
def contracts_written_in_bulk(
    sender: Any, contract_ids: list[int], written_at: Any, **kwargs: Any
) -> None:
    """A batch of the API's or the import's upsert: which lines are new is the job's question."""
    if contract_ids:
        enqueue(
            "playbooks.contracts_written",
            contract_ids=contract_ids,
            written_at=written_at.isoformat(),
        )


# Success plans ----------------------------------------------------------------------------------
# The plan's health is computed, not stored: a change to the plan, a milestone, an objective or a
# KPI enqueues one job that computes the band and compares it with the last event's. A plan
# created from a template saves many items with the plan in hand: the job is enqueued once per
# plan object (marked until the transaction commits).

PLAN_QUEUED = "_playbooks_plan_queued"
PLAN_FIELDS = {"health_override", "starts_on", "ends_on"}


def _queue_plan_check(held: list[Model | None], **ids: int) -> None:
    objects = [o for o in held if o is not None]
    if any(o.__dict__.get(PLAN_QUEUED) for o in objects):
        return
    enqueue("playbooks.plan_changed", **ids)
    for o in objects:
        o.__dict__[PLAN_QUEUED] = True

    def forget() -> None:
        for o in objects:
            o.__dict__.pop(PLAN_QUEUED, None)

    transaction.on_commit(forget)


def _cached(instance: Model, name: str) -> Any:
    """A related object the instance already holds, or None (never a query)."""
    return instance._state.fields_cache.get(name)


@receiver(post_save, sender=SuccessPlan, dispatch_uid="playbooks.plan_saved")
def plan_saved(
    sender: type[SuccessPlan],
    instance: SuccessPlan,
    update_fields: Any = None,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    if raw or (update_fields is not None and not PLAN_FIELDS & set(update_fields)):
        return
    _queue_plan_check([instance], plan_id=instance.pk)


@receiver(post_save, sender=Milestone, dispatch_uid="playbooks.milestone_saved")
@receiver(post_save, sender=Objective, dispatch_uid="playbooks.objective_saved")
@receiver(post_delete, sender=Milestone, dispatch_uid="playbooks.milestone_deleted")
@receiver(post_delete, sender=Objective, dispatch_uid="playbooks.objective_deleted")
def plan_item_changed(
    sender: Any, instance: Milestone | Objective, raw: bool = False, **kwargs: Any
) -> None:
    if raw or _cascaded(kwargs.get("origin"), instance):
        return
    _queue_plan_check([instance, _cached(instance, "plan")], plan_id=instance.plan_id)


@receiver(post_save, sender=KPI, dispatch_uid="playbooks.kpi_saved")
@receiver(post_delete, sender=KPI, dispatch_uid="playbooks.kpi_deleted")
def kpi_changed(sender: type[KPI], instance: KPI, raw: bool = False, **kwargs: Any) -> None:
    if raw or _cascaded(kwargs.get("origin"), instance):
        return
    objective = _cached(instance, "objective")
    if objective is not None:
        _queue_plan_check(
            [instance, objective, _cached(objective, "plan")], plan_id=objective.plan_id
        )
    else:
        _queue_plan_check([instance], objective_id=instance.objective_id)


@receiver(post_save, sender=KPIValue, dispatch_uid="playbooks.kpi_value_saved")
def kpi_value_saved(
    sender: type[KPIValue],
    instance: KPIValue,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """A KPI's new value: the bound KPIs' refresh writes the KPI with ``update()`` and only
    this row with a save."""
    if raw or not created:
        return
    kpi = _cached(instance, "kpi")
    objective = _cached(kpi, "objective") if kpi is not None else None
    if objective is not None:
        _queue_plan_check([kpi, objective, _cached(objective, "plan")], plan_id=objective.plan_id)
    else:
        _queue_plan_check([kpi], kpi_id=instance.kpi_id)


def _cascaded(origin: Any, instance: Model) -> bool:
    """Deleted along with something else (its plan, objective or account): that one's own
    receiver asks, or no plan is left to ask about."""
    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is not type(instance)


# People -----------------------------------------------------------------------------------------


@receiver(post_save, sender=User, dispatch_uid="playbooks.first_login")
def user_logged_in_first(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    """A customer's first log-in: Django saves ``last_login`` on every log-in, and this one
    saves it over None. Which accounts they belong to is the job's question, so later log-ins
    cost nothing and the first one job row."""
    if instance.is_vendor or instance.last_login is None:
        return
    if "last_login" not in instance.changes(update_fields):
        return
    if instance.loaded_value("last_login") is not None:
        return
    enqueue(
        "playbooks.first_login",
        user_id=instance.pk,
        logged_in_at=instance.last_login.isoformat(),
    )


# Free text ------------------------------------------------------------------------------------


@receiver(post_save, sender=CommentSentiment, dispatch_uid="playbooks.comment_sentiment_saved")
def comment_sentiment_saved(
    sender: type[CommentSentiment], instance: CommentSentiment, **kwargs: Any
) -> None:
    """A customer's comment scored negative (English only: other languages are never scored).
    The source is the scored comment: scored again, still negative, it is the same event."""
    if instance.label != SentimentLabel.NEGATIVE:
        return
    data: dict[str, Any] = {
        "source_kind": instance.source_kind,
        "source_id": instance.source_id,
        "score": instance.compound,
        "excerpt": instance.excerpt,
    }
    if instance.author_id is not None:
        data["user_id"] = instance.author_id
    raise_event(
        EventKind.SENTIMENT_NEGATIVE,
        account_id=instance.account_id,
        source=f"sentiment:{instance.pk}",
        occurred_at=instance.written_at,
        data=data,
    )


# Completions and publications -----------------------------------------------------------------
# Raised for webhooks (integrations) and playbooks alike; each is one job row in the request.


@receiver(post_save, sender=Membership, dispatch_uid="playbooks.membership_created")
def membership_created(
    sender: type[Membership],
    instance: Membership,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """A person joined an account (an invitation accepted, a person added by their CSM)."""
    if raw or not created:
        return
    raise_event(
        EventKind.PERSON_JOINED,
        account_id=instance.account_id,
        source=f"membership:{instance.pk}",
        occurred_at=instance.created_at,
        data={"user_id": instance.user_id, "role": instance.role},
    )


@receiver(task_done_changed, dispatch_uid="playbooks.onboarding_task_done")
def onboarding_task_done(
    sender: Any, task: Task, account_id: int, done: bool, **kwargs: Any
) -> None:
    """An onboarding task ticked done. Done, reopened and done again: two events."""
    if not done or task.completed_at is None:
        return
    raise_event(
        EventKind.ONBOARDING_TASK_COMPLETED,
        account_id=account_id,
        source=f"task:{task.pk}:{task.completed_at.isoformat()}",
        occurred_at=task.completed_at,
        data={
            "task_id": task.pk,
            "title": task.title,
            "checklist_id": task.checklist_id,
            "required": task.required,
            "completed_by_id": task.completed_by_id,
        },
    )


@receiver(course_passed, dispatch_uid="playbooks.course_passed")
def course_was_passed(sender: Any, course_pass: Any, **kwargs: Any) -> None:
    """A person passed a course (every lesson done, the quiz passed): once per person, course
    and account."""
    raise_event(
        EventKind.COURSE_PASSED,
        account_id=course_pass.account_id,
        source=f"course_pass:{course_pass.pk}",
        occurred_at=course_pass.passed_at,
        data={
            "course_id": course_pass.course_id,
            "title": course_pass.course.title,
            "user_id": course_pass.user_id,
            "score": course_pass.score,
        },
    )


@receiver(signoff_rejected, dispatch_uid="playbooks.signoff_rejected")
def signoff_was_rejected(sender: Any, signoff: Any, **kwargs: Any) -> None:
    """The customer sent a milestone back, saying why: once per sign-off request."""
    raise_event(
        EventKind.SIGNOFF_REJECTED,
        account_id=signoff.account_id,
        source=f"signoff:{signoff.pk}",
        occurred_at=signoff.decided_at,
        data={
            "milestone_id": signoff.milestone_id,
            "title": signoff.milestone.title,
            "reason": signoff.reason,
            "decided_by_id": signoff.decided_by_id,
        },
    )


@receiver(post_save, sender=Milestone, dispatch_uid="playbooks.milestone_done")
def milestone_done(
    sender: type[Milestone], instance: Milestone, raw: bool = False, **kwargs: Any
) -> None:
    """A milestone saved done: its account is the job's question (the plan is rarely in
    hand). Saved done again, it keeps its ``done_at``: the same event."""
    if raw or instance.status != MilestoneStatus.DONE or instance.done_at is None:
        return
    enqueue(
        "playbooks.milestone_done",
        milestone_id=instance.pk,
        done_at=instance.done_at.isoformat(),
    )


@receiver(post_save, sender=FollowUp, dispatch_uid="playbooks.follow_up_saved")
def follow_up_saved(
    sender: type[FollowUp], instance: FollowUp, raw: bool = False, **kwargs: Any
) -> None:
    """A survey follow-up resolved. Saved again resolved (a note edited), it keeps its
    ``resolved_at``: the same event."""
    if raw or instance.status != FollowUp.Status.RESOLVED or instance.resolved_at is None:
        return
    raise_event(
        EventKind.FOLLOW_UP_RESOLVED,
        account_id=instance.account_id,
        source=f"follow_up:{instance.pk}:{instance.resolved_at.isoformat()}",
        occurred_at=instance.resolved_at,
        data={
            "follow_up_id": instance.pk,
            "response_id": instance.response_id,
            "resolved_by_id": instance.resolved_by_id,
            "customer_note": instance.customer_note,
        },
    )


@receiver(review_published, dispatch_uid="playbooks.review_published")
def review_was_published(sender: Any, review: Review, published_at: Any, **kwargs: Any) -> None:
    raise_event(
        EventKind.REVIEW_PUBLISHED,
        account_id=review.account_id,
        source=f"review:{review.pk}:{published_at.isoformat()}",
        occurred_at=published_at,
        data={
            "review_id": review.pk,
            "title": review.title,
            "kind": review.kind,
            "period_start": review.period_start.isoformat(),
            "period_end": review.period_end.isoformat(),
        },
    )


# Renewals -------------------------------------------------------------------------------------

RENEWAL_REMINDERS = {90: EventKind.RENEWAL_IN_90_DAYS, 30: EventKind.RENEWAL_IN_30_DAYS}


def _renewal_data(renewal: Renewal) -> dict[str, Any]:
    return {
        "renewal_id": renewal.pk,
        "contract_id": renewal.contract_id,
        "renews_on": renewal.renews_on.isoformat(),
        "stage": renewal.stage,
        "forecast": renewal.forecast,
    }


@receiver(renewal_approaching, dispatch_uid="playbooks.renewal_approaching")
def renewal_is_approaching(sender: Any, renewal: Renewal, days: int, **kwargs: Any) -> None:
    """Sent once per renewal date and reminder by the renewals' nightly task; the source
    names the date, so a renewal moved to a new date reminds again."""
    kind = RENEWAL_REMINDERS.get(days)
    if kind is None:
        return
    raise_event(
        kind,
        account_id=renewal.account_id,
        source=f"renewal:{renewal.pk}:{renewal.renews_on.isoformat()}",
        data={**_renewal_data(renewal), "days": days},
    )


@receiver(renewal_stage_changed, dispatch_uid="playbooks.renewal_stage_changed")
def renewal_stage_was_changed(
    sender: Any, renewal: Renewal, before: str, after: str, changed_at: Any, **kwargs: Any
) -> None:
    raise_event(
        EventKind.RENEWAL_STAGE_CHANGED,
        account_id=renewal.account_id,
        source=f"renewal:{renewal.pk}:{changed_at.isoformat()}",
        occurred_at=changed_at,
        data={**_renewal_data(renewal), "from": before, "to": after},
    )


@receiver(renewal_churned, dispatch_uid="playbooks.renewal_churned")
def renewal_was_churned(sender: Any, renewal: Renewal, changed_at: Any, **kwargs: Any) -> None:
    raise_event(
        EventKind.RENEWAL_CHURNED,
        account_id=renewal.account_id,
        source=f"renewal:{renewal.pk}:{changed_at.isoformat()}",
        occurred_at=changed_at,
        data={
            **_renewal_data(renewal),
            "reason": renewal.churn_reason.name if renewal.churn_reason else "",
        },
    )


# Offboarding -----------------------------------------------------------------------------------


def _offboarding_data(offboarding: Offboarding) -> dict[str, Any]:
    return {"offboarding_id": offboarding.pk, "renewal_id": offboarding.renewal_id}


@receiver(offboarding_started, dispatch_uid="playbooks.offboarding_started")
def offboarding_was_started(sender: Any, offboarding: Offboarding, **kwargs: Any) -> None:
    raise_event(
        EventKind.OFFBOARDING_STARTED,
        account_id=offboarding.account_id,
        source=f"offboarding:{offboarding.pk}",
        occurred_at=offboarding.started_at,
        data=_offboarding_data(offboarding),
    )


@receiver(offboarding_completed, dispatch_uid="playbooks.offboarding_completed")
def offboarding_was_completed(sender: Any, offboarding: Offboarding, **kwargs: Any) -> None:
    raise_event(
        EventKind.OFFBOARDING_COMPLETED,
        account_id=offboarding.account_id,
        source=f"offboarding:{offboarding.pk}",
        occurred_at=offboarding.completed_at,
        data=_offboarding_data(offboarding),
    )


# A customer asking for a review, a customer's comment ------------------------------------------

EXCERPT_LENGTH = 200


@receiver(post_save, sender=ReviewRequest, dispatch_uid="playbooks.review_requested")
def review_requested(
    sender: type[ReviewRequest],
    instance: ReviewRequest,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """An executive or champion asked for a business review (reports.services.ask_for_review)."""
    if raw or not created:
        return
    raise_event(
        EventKind.REVIEW_ASKED,
        account_id=instance.account_id,
        source=f"review_request:{instance.pk}",
        occurred_at=instance.created_at,
        data={
            "request_id": instance.pk,
            "user_id": instance.asked_by_id,
            "note": instance.note[:EXCERPT_LENGTH],
            "preferred_month": (
                instance.preferred_month.isoformat() if instance.preferred_month else ""
            ),
        },
    )


def _by_customer(comment: TaskComment | PlanComment) -> bool:
    """Whether a customer wrote it: the author the service saved it with, else one query."""
    author = _cached(comment, "author") or comment.author
    return not author.is_vendor


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


@receiver(post_save, sender=TaskComment, dispatch_uid="playbooks.task_comment_saved")
def task_comment_saved(
    sender: type[TaskComment],
    instance: TaskComment,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """A customer's new comment on an onboarding task (customers never see internal ones)."""
    if raw or not created or not _by_customer(instance):
        return
    task = _cached(instance, "task") or instance.task
    checklist = _cached(task, "checklist") or task.checklist
    raise_event(
        EventKind.COMMENT_ADDED,
        account_id=checklist.account_id,
        source=f"task_comment:{instance.pk}",
        occurred_at=instance.created_at,
        data={
            "comment_id": instance.pk,
            "author_id": instance.author_id,
            "where": "task",
            "task_id": task.pk,
            "title": task.title,
            "excerpt": _excerpt(instance.body),
        },
    )


@receiver(post_save, sender=PlanComment, dispatch_uid="playbooks.plan_comment_saved")
def plan_comment_saved(
    sender: type[PlanComment],
    instance: PlanComment,
    created: bool = False,
    raw: bool = False,
    **kwargs: Any,
) -> None:
    """A customer's new comment on a success plan or one of its items."""
    if raw or not created or instance.internal or not _by_customer(instance):
        return
    plan = _cached(instance, "plan") or instance.plan
    raise_event(
        EventKind.COMMENT_ADDED,
        account_id=plan.account_id,
        source=f"plan_comment:{instance.pk}",
        occurred_at=instance.created_at,
        data={
            "comment_id": instance.pk,
            "author_id": instance.author_id,
            "where": "plan",
            "plan_id": plan.pk,
            "title": instance.item_label or plan.name,
            "excerpt": _excerpt(instance.body),
        },
    )
