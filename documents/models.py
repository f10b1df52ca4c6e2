"""Documents: an account's files, in folders, shared with the customer or internal to the
vendor, and the files attached to the work both sides share (an onboarding task, a plan item,
a comment on either).

The links to tasks, plan items and comments live here, so onboarding and success plans know
nothing of documents: they offer a slot (``portal.attachments``) that this app fills.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account


class Visibility(models.TextChoices):
    SHARED = "shared", _("Shared with the customer")
    INTERNAL = "internal", _("Internal to the vendor")


class DocumentQuerySet(models.QuerySet["Document"]):
    def shared(self) -> DocumentQuerySet:
        return self.filter(visibility=Visibility.SHARED)


class Folder(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="folders")
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "parent", "name"],
                name="one_folder_name_per_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("documents_folder", args=[self.account.slug, self.pk])

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("folder “%(name)s”"), name=self.name)


def document_path(instance: Document, filename: str) -> str:
    # A random directory per file: two files of the same name never meet, and the stored
    # name says nothing guessable.
    return f"documents/{instance.account_id}/{uuid.uuid4().hex}/{filename}"


# What a document may be attached to: at most one of these.
ATTACHMENT_FIELDS = (
    "task",
    "task_comment",
    "objective",
    "milestone",
    "action_item",
    "plan_comment",
)


class Document(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(
        Folder, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    visibility = models.CharField(
        max_length=8, choices=Visibility.choices, default=Visibility.SHARED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    task = models.ForeignKey(
        "onboarding.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    task_comment = models.ForeignKey(
        "onboarding.TaskComment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    objective = models.ForeignKey(
        "successplans.Objective",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    milestone = models.ForeignKey(
        "successplans.Milestone",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    action_item = models.ForeignKey(
        "successplans.ActionItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    plan_comment = models.ForeignKey(
        "successplans.PlanComment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(
                    sum(
                        (
                            models.Case(
                                models.When(**{f"{name}__isnull": False}, then=1), default=0
                            )
                            for name in ATTACHMENT_FIELDS
                        ),
                        models.Value(0),
                    ),
                    1,
                ),
                name="document_attached_to_one_thing_at_most",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "folder", "-uploaded_at"], name="document_in_folder"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("documents_download", args=[self.account.slug, self.pk])

    @property
    def activity_label(self) -> str:
        return f"“{self.name}”"

    @property
    def extension(self) -> str:
        return self.name.rpartition(".")[2].lower() if "." in self.name else ""

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL

    @property
    def attached_to(self) -> models.Model | None:
        for name in ATTACHMENT_FIELDS:
            if getattr(self, f"{name}_id"):
                target: models.Model = getattr(self, name)
                return target
        return None
