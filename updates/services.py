"""Every change to product updates. Views call these; nothing else writes the tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.access import can
from accounts.activity import record, snapshot
from accounts.models import Account, CustomerRole, NotificationKind, Segment, Stage, User
from accounts.services import Mail, delivery_for, tell
from insights.figures.usage import feature_last_used
from portal.jobs import enqueue

from .models import (
    FEATURE_USE_DAYS,
    Audience,
    Status,
    Update,
    UpdateAccount,
    UpdateQuerySet,
    UpdateReaction,
    UpdateRead,
)

FIELDS = ["title", "category", "audience", "segments", "stages", "feature", "roles", "status"]


def may_publish(user: User) -> bool:
    """Writing, scheduling and publishing updates: the vendor's CSMs and CS admins."""
    return bool(user.vendor_role) and can(user.vendor_role, "updates.publish")


def _require_publisher(user: User) -> None:
    from django.core.exceptions import PermissionDenied

    if not may_publish(user):
        raise PermissionDenied(_("Only the customer success team writes product updates."))


def check_target(update: Update) -> None:
    """Refuse an update aimed at nobody, naming the field to fix."""
    errors: dict[str, str] = {}
    if update.audience == Audience.SEGMENTS and not [
        s for s in update.segment_list if s in Segment.values
    ]:
        errors["segments"] = _("Choose at least one segment, or another audience.")
    if update.audience == Audience.STAGES and not [
        s for s in update.stage_list if s in Stage.values
    ]:
        errors["stages"] = _("Choose at least one stage, or another audience.")
    if update.audience in (Audience.FEATURE_USED, Audience.FEATURE_NOT_USED) and not (
        update.feature.strip()
    ):
        errors["feature"] = _("Name the feature this audience is about.")
    if not [r for r in update.role_list if r in CustomerRole.values]:
        errors["roles"] = _("Choose at least one role: this update would reach nobody.")
    if errors:
        raise ValidationError(errors)


def audience_accounts(update: Update, *, today: Any = None) -> list[int]:
    """The ids of the accounts ``update`` reaches now (churned accounts are left out)."""
    accounts = Account.objects.exclude(stage=Stage.CHURNED)
    if update.audience == Audience.SEGMENTS:
        accounts = accounts.filter(segment__in=update.segment_list)
    elif update.audience == Audience.STAGES:
        accounts = Account.objects.filter(stage__in=update.stage_list)
    ids = list(accounts.order_by("pk").values_list("pk", flat=True))
    if update.audience in (Audience.FEATURE_USED, Audience.FEATURE_NOT_USED):
        since = (today or timezone.localdate()) - timedelta(days=FEATURE_USE_DAYS)
        last_used = feature_last_used(Account.objects.filter(pk__in=ids))
        using = {
            account_id
            for (account_id, feature), last in last_used.items()
            if feature == update.feature and last > since
        }
        wanted = update.audience == Audience.FEATURE_USED
        ids = [pk for pk in ids if (pk in using) == wanted]
    return ids


@transaction.atomic
def save_update(update: Update, *, acting_user: User) -> Update:
    """Create or edit a draft (a scheduled or unpublished update goes back to draft only when
    asked to; a published one is unpublished first, so what people read does not change)."""
    _require_publisher(acting_user)
    if update.pk and Update.objects.filter(pk=update.pk, status=Status.PUBLISHED).exists():
        raise ValidationError(_("Unpublish this update before you change it."))
    check_target(update)
    creating = update.pk is None
    if creating:
        update.created_by = acting_user
    update.save()
    record(
        gettext_noop("wrote the update") if creating else gettext_noop("edited the update"),
        actor=acting_user,
        target=update,
        after=snapshot(update, FIELDS),
        internal=True,
    )
    return update


@transaction.atomic
def schedule_update(update: Update, *, publish_at: datetime, acting_user: User) -> Update:
    """Publish ``update`` at ``publish_at`` (beat's :func:`publish_due_updates` does it)."""
    _require_publisher(acting_user)
    check_target(update)
    if update.status == Status.PUBLISHED:
        raise ValidationError(_("This update is published already."))
    if publish_at <= timezone.now():
        raise ValidationError({"publish_at": _("Choose a time in the future, or publish it now.")})
    before = snapshot(update, ["status", "publish_at"])
    update.status, update.publish_at = Status.SCHEDULED, publish_at
    update.save(update_fields=["status", "publish_at", "updated_at"])
    record(
        gettext_noop("scheduled the update"),
        actor=acting_user,
        target=update,
        before=before,
        after=snapshot(update, ["status", "publish_at"]),
        internal=True,
    )
    return update


@transaction.atomic
def publish_update(update: Update, *, acting_user: User | None) -> Update:
    """Publish now: resolve the audience, and tell its people (after commit, in a job).

    Refused when no account matches (nothing would be published to anyone). Beat's run of a
    scheduled update (``acting_user=None``) publishes whatever the audience is by then."""
    if acting_user is not None:
        _require_publisher(acting_user)
    check_target(update)
    locked = Update.objects.select_for_update().get(pk=update.pk)
    if locked.status == Status.PUBLISHED:
        raise ValidationError(_("This update is published already."))
    account_ids = audience_accounts(update)
    if not account_ids and acting_user is not None:
        raise ValidationError(
            _(
                "No account matches this audience today: nothing would be published. "
                "Choose a wider audience, or schedule it for later."
            )
        )
    before = snapshot(locked, ["status"])
    update.status, update.published_at = Status.PUBLISHED, timezone.now()
    update.save(update_fields=["status", "published_at", "updated_at"])
    # Accounts reached before (an update published, unpublished and published again) keep
    # their row and stay told; the audience is what it is now.
    UpdateAccount.objects.filter(update=update).exclude(account_id__in=account_ids).delete()
    UpdateAccount.objects.bulk_create(
        [UpdateAccount(update=update, account_id=pk) for pk in account_ids],
        ignore_conflicts=True,
    )
    record(
        gettext_noop("published the update"),
        actor=acting_user,
        target=update,
        before=before,
        after={"status": Status.PUBLISHED, "accounts": len(account_ids)},
        internal=True,
    )
    enqueue("updates.tell_readers", update_id=update.pk)
    return update


@transaction.atomic
def unpublish_update(update: Update, *, acting_user: User) -> Update:
    """Take an update out of every feed (reads and reactions are kept for when it returns)."""
    _require_publisher(acting_user)
    if update.status not in (Status.PUBLISHED, Status.SCHEDULED):
        raise ValidationError(_("Only a published or scheduled update can be unpublished."))
    before = snapshot(update, ["status"])
    update.status = Status.UNPUBLISHED
    update.save(update_fields=["status", "updated_at"])
    record(
        gettext_noop("unpublished the update"),
        actor=acting_user,
        target=update,
        before=before,
        after={"status": Status.UNPUBLISHED},
        internal=True,
    )
    return update


def publish_due_updates(now: datetime | None = None) -> int:
    """Publish every scheduled update whose time has come (beat, every minute). Each is
    claimed by a conditional update, so two runs at once publish it once."""
    now = now or timezone.now()
    published = 0
    due = Update.objects.filter(status=Status.SCHEDULED, publish_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            update = Update.objects.select_for_update(skip_locked=True).filter(
                pk=pk, status=Status.SCHEDULED, publish_at__lte=now
            )
            claimed = update.first()
            if claimed is None:
                continue
            publish_update(claimed, acting_user=None)
            published += 1
    return published


def readers(account_id: int, update: Update) -> list[User]:
    """The account's active people that ``update`` is meant for."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__account_id=account_id,
            memberships__role__in=update.role_list,
        )
        .distinct()
        .order_by("pk")
    )


def tell_readers(update_id: int) -> int:
    """Tell the people of every account the update reaches and not yet told: an inbox item
    of kind "updates" each, and an e-mail now or in the daily digest as each chose (through
    :func:`accounts.services.tell`). Safe to run twice: each account is claimed before its
    people are told. Returns how many people were told."""
    update = Update.objects.filter(pk=update_id, status=Status.PUBLISHED).first()
    if update is None:
        return 0
    told = 0
    pending = UpdateAccount.objects.filter(update=update, told_at__isnull=True).select_related(
        "account"
    )
    for reach in pending:
        if not UpdateAccount.objects.filter(pk=reach.pk, told_at__isnull=True).update(
            told_at=timezone.now()
        ):
            continue
        try:
            told += _tell_account(update, reach)
        except Exception:
            # Not all told: let the job's retry claim the account again.
            UpdateAccount.objects.filter(pk=reach.pk).update(told_at=None)
            raise
    return told


def _tell_account(update: Update, reach: UpdateAccount) -> int:
    url = reverse("update", args=[reach.account.slug, update.pk])
    people = readers(reach.account_id, update)
    for user in people:
        tell(
            user,
            kind=NotificationKind.UPDATES,
            title=format_lazy(
                gettext_lazy("{category}: {title}"),
                category=update.get_category_display(),
                title=update.title,
            ),
            url=url,
            account=reach.account,
            body=update.body[:300],
            mail=Mail(
                "update_published",
                {
                    "update": update,
                    "account": reach.account,
                    "url": settings.SITE_URL + url,
                },
            ),
            delivery=delivery_for(user, NotificationKind.UPDATES),
        )
    return len(people)


# A reader's own state: not in the activity log (as with the inbox's "mark read").


def mark_update_read(update: Update, *, account: Account, acting_user: User) -> bool:
    """``acting_user`` read ``update`` on ``account``'s feed; whether this is the first time."""
    try:
        with transaction.atomic():
            _, created = UpdateRead.objects.get_or_create(
                update=update, user=acting_user, defaults={"account": account}
            )
    except IntegrityError:  # a second tab, at the same moment
        return False
    return created


def mark_all_updates_read(updates: UpdateQuerySet, *, account: Account, acting_user: User) -> int:
    """Mark every one of ``updates`` (a feed's, so already limited to what the person may
    see) read; how many were unread."""
    unread = list(updates.unread_by(acting_user).values_list("pk", flat=True))
    UpdateRead.objects.bulk_create(
        [UpdateRead(update_id=pk, user=acting_user, account=account) for pk in unread],
        ignore_conflicts=True,
    )
    return len(unread)


@transaction.atomic
def toggle_useful(update: Update, *, account: Account, acting_user: User) -> bool:
    """Turn ``acting_user``'s "useful" on ``update`` on or off; whether it is on now."""
    removed, _kinds = UpdateReaction.objects.filter(update=update, user=acting_user).delete()
    if removed:
        return False
    UpdateReaction.objects.get_or_create(
        update=update, user=acting_user, defaults={"account": account}
    )
    return True


@transaction.atomic
def submit_update(
    update: Update, *, action: str, publish_at: datetime | None, acting_user: User
) -> Update:
    """The editor's one call: save the draft, then schedule or publish it when asked. All or
    nothing: a refused publication leaves the update as it was before this call."""
    if action not in ("draft", "schedule", "publish"):
        raise ValidationError(_("Choose to save a draft, schedule or publish."))
    if update.status == Status.SCHEDULED and action == "draft":
        update.status, update.publish_at = Status.DRAFT, None
    save_update(update, acting_user=acting_user)
    if action == "schedule":
        if publish_at is None:
            raise ValidationError({"publish_at": _("Choose when to publish it.")})
        return schedule_update(update, publish_at=publish_at, acting_user=acting_user)
    if action == "publish":
        return publish_update(update, acting_user=acting_user)
    return update
