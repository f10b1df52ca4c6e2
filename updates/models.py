"""Product updates: what the vendor tells its customers about the product (a new feature, an
improvement, a fix, an announcement), to an audience of accounts and roles.

The audience is resolved when an update is published: one :class:`UpdateAccount` row per
account it reaches. The feed, the unread badge and the reach figures read those rows, so a
customer's feed is one indexed query whatever the targeting was (feature usage included), and
an account that starts or stops using a feature later does not make an update appear or vanish.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole


class Category(models.TextChoices):
    FEATURE = "feature", _("New feature")
    IMPROVEMENT = "improvement", _("Improvement")
    FIX = "fix", pgettext_lazy("update category", "Fix")
    ANNOUNCEMENT = "announcement", _("Announcement")


# The roles an update is for, as the audience's label names them.
ROLES_PLURAL = {
    "champion": _("champions"),
    "executive": _("executives"),
    "member": _("members"),
}


class Audience(models.TextChoices):
    """Which accounts an update reaches; who in them is chosen by its roles."""

    ALL = "all", _("All accounts")
    SEGMENTS = "segments", _("Accounts in segments")
    STAGES = "stages", _("Accounts at stages")
    FEATURE_USED = "feature_used", _("Accounts that use a feature")
    FEATURE_NOT_USED = "feature_not_used", _("Accounts that do not use a feature")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


# How far back "uses a feature" looks: the feature had events in the last 30 days.
FEATURE_USE_DAYS = 30


def split(value: str) -> list[str]:
    return [part for part in value.split(",") if part]


class UpdateQuerySet(models.QuerySet["Update"]):
    def published(self) -> UpdateQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def for_account(self, account: Account, role: str | None) -> UpdateQuerySet:
        """Published updates that reach ``account``; for a customer ``role``, only those
        meant for that role (vendor staff, ``role=None``, see every one the account got)."""
        reached = UpdateAccount.objects.filter(update=OuterRef("pk"), account=account)
        updates = self.published().filter(Exists(reached))
        if role is not None:
            # Roles are stored as "champion,executive,member": no role's name is part of
            # another's, so a substring test is exact and works on every database.
            updates = updates.filter(roles__contains=role)
        return updates

    def unread_by(self, user: Any) -> UpdateQuerySet:
        return self.exclude(Exists(UpdateRead.objects.filter(update=OuterRef("pk"), user=user)))


class Update(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown: **bold**, _italic_, lists, links."))
    image = models.ImageField(upload_to="updates/", blank=True)
    category = models.CharField(max_length=12, choices=Category.choices, default=Category.FEATURE)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL)
    # Comma-separated values of accounts.models.Segment, Stage and CustomerRole.
    segments = models.CharField(max_length=100, blank=True)
    stages = models.CharField(max_length=100, blank=True)
    feature = models.CharField(max_length=100, blank=True)
    roles = models.CharField(max_length=60, default=",".join(CustomerRole.values))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["publish_at"],
                condition=Q(status="scheduled"),
                name="update_due",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def segment_list(self) -> list[str]:
        return split(self.segments)

    @property
    def stage_list(self) -> list[str]:
        return split(self.stages)

    @property
    def role_list(self) -> list[str]:
        return split(self.roles)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Published updates are unpublished before they change: what people read stays."""
        return self.status != Status.PUBLISHED

    def audience_label(self) -> str:
        from accounts.models import Segment, Stage

        if self.audience == Audience.SEGMENTS:
            names = [str(Segment(s).label) for s in self.segment_list if s in Segment.values]
            what = gettext("Segments: %(names)s") % {"names": ", ".join(names) or gettext("none")}
        elif self.audience == Audience.STAGES:
            names = [str(Stage(s).label) for s in self.stage_list if s in Stage.values]
            what = gettext("Stages: %(names)s") % {"names": ", ".join(names) or gettext("none")}
        elif self.audience == Audience.FEATURE_USED:
            what = gettext("Accounts using “%(feature)s”") % {"feature": self.feature}
        elif self.audience == Audience.FEATURE_NOT_USED:
            what = gettext("Accounts not using “%(feature)s”") % {"feature": self.feature}
        else:
            what = gettext("All accounts")
        roles = [str(ROLES_PLURAL[r]) for r in self.role_list if r in CustomerRole.values]
        if len(roles) == len(CustomerRole.values):
            return what
        return gettext("%(audience)s; %(roles)s only") % {
            "audience": what,
            "roles": ", ".join(roles) or gettext("no role"),
        }

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("the update “%(title)s”"), title=self.title)


class UpdateAccount(models.Model):
    """An account a published update reaches (its audience, resolved at publication)."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="reached")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    # When its people were told (their inbox, and e-mail as each chose): claimed once.
    told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "update"], name="one_reach_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.update_id} → {self.account_id}"


class UpdateRead(models.Model):
    """A person opened an update (or marked it read), on an account's feed."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "update"], name="one_read_each")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.update_id}"


class UpdateReaction(models.Model):
    """A person found an update useful."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "update"], name="one_reaction_each")]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.update_id} useful"
