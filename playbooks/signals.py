"""The events playbooks listen to, taken from the other apps' model signals.

No other app imports playbooks: each receiver here turns a save or a delete elsewhere into
:func:`~playbooks.events.raise_event` (one job row) and runs no query of its own. Work that
needs the database (which accounts a deactivated person championed, the previous day's
health band) is done in the job.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import CustomerRole, Membership, User
from insights.models import HealthScore
from onboarding.models import Checklist
from portal.jobs import enqueue
from sentiment.models import CommentSentiment
from sentiment.models import Label as SentimentLabel
from surveys.models import Band, Kind, Response

from .events import raise_event
from .models import EventKind

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
    kind = RESPONSE_EVENTS.get((instance.kind, instance.band))
    if kind is None:
        return
    raise_event(
        kind,
        account_id=instance.account_id,
        source=f"response:{instance.pk}",
        occurred_at=instance.updated_at,
        data={
            "response_id": instance.pk,
            "survey_kind": instance.kind,
            "score": instance.score,
            "user_id": instance.user_id,
        },
    )


@receiver(post_save, sender=Checklist, dispatch_uid="playbooks.checklist_saved")
def checklist_saved(
    sender: type[Checklist], instance: Checklist, update_fields: Any = None, **kwargs: Any
) -> None:
    if instance.completed_at is None or not _touches(update_fields, "completed_at"):
        return
    raise_event(
        EventKind.ONBOARDING_COMPLETED,
        account_id=instance.account_id,
        # Completed, reopened, completed again: two events; saved twice completed: one.
        source=f"checklist:{instance.pk}:{instance.completed_at.isoformat()}",
        occurred_at=instance.completed_at,
        data={"checklist_id": instance.pk, "template": instance.template_name},
    )


@receiver(post_delete, sender=Membership, dispatch_uid="playbooks.membership_deleted")
def membership_deleted(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    kind = LEAVING_ROLES.get(instance.role)
    if kind is None:
        return
    raise_event(
        kind,
        account_id=instance.account_id,
        source=f"membership:{instance.pk}",
        data={"user_id": instance.user_id, "role": instance.role, "how": "removed"},
    )


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
