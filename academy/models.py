"""The academy: courses the vendor writes (lessons, attached files, a short quiz) and each
person's progress through them, per account they belong to.

A course belongs to the vendor and, once published, is open to every account. Assignments
name a role or a person of one account. Progress (lessons done, quiz attempts, the pass) is kept
per person and account, so a person in two accounts has two records and a certificate from
each.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, CustomerRole

MAX_FILE_BYTES = 25 * 1024 * 1024


class CourseQuerySet(models.QuerySet["Course"]):
    def published(self) -> CourseQuerySet:
        return self.filter(published_at__isnull=False)


class Course(models.Model):
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=2000, help_text=_("Markdown."))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of quiz questions answered right that passes the course."),
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("academy_course_edit", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("course “%(title)s”"), title=self.title)


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    body = models.TextField(
        blank=True,
        max_length=50_000,
        help_text=_("Markdown. Show an attached image with ![what it shows](attachment:name.png)."),
    )
    video_url = models.URLField(
        _("video link"), blank=True, help_text=_("A video to watch with the lesson (https).")
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("lesson “%(title)s”"), title=self.title)


def lesson_file_path(instance: LessonFile, filename: str) -> str:
    return f"academy/{instance.lesson.course_id}/{instance.lesson_id}/{filename}"


class LessonFile(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=lesson_file_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "name"], name="one_file_name_per_lesson")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Question(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(max_length=500)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    correct = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


# An assignment to a role, as the pages name it.
EVERY_ROLE = {
    "champion": _("every champion"),
    "executive": _("every executive"),
    "member": _("every member"),
}


class Assignment(models.Model):
    """A course an account's people should take: everyone with a role, or one person."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="assignments")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="course_assignments"
    )
    role = models.CharField(max_length=10, choices=CustomerRole.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="course_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="") & models.Q(user__isnull=False))
                | (~models.Q(role="") & models.Q(user__isnull=True)),
                name="assigned_to_a_role_or_a_person",
            ),
            models.UniqueConstraint(
                fields=["course", "account", "role"],
                condition=models.Q(user__isnull=True),
                name="one_assignment_per_role",
            ),
            models.UniqueConstraint(
                fields=["course", "account", "user"],
                condition=models.Q(user__isnull=False),
                name="one_assignment_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} for {self.assignee_label} at {self.account}"

    @property
    def assignee_label(self) -> str:
        if self.user_id:
            return str(self.user)
        return str(EVERY_ROLE.get(self.role, self.role))

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        # A person by their name; a role as the pages name it ("every champion"), translated
        # when read.
        who = str(self.user) if self.user_id else EVERY_ROLE.get(self.role, self.role)
        return stored_text(
            gettext_noop("“%(course)s” for %(who)s"), course=self.course.title, who=who
        )


class LessonDone(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="done")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "account", "user"], name="lesson_done_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} did {self.lesson}"


class QuizAttempt(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attempts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    passed = models.BooleanField()
    right = models.PositiveSmallIntegerField()
    questions = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)  # {question id: [choice ids]}
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} scored {self.score}% on {self.course}"


class CoursePass(models.Model):
    """A person passed a course for an account: every lesson done and the quiz passed. The
    certificate is made from it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="passes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="course_passes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    passed_at = models.DateTimeField()

    class Meta:
        ordering = ["-passed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "account", "user"], name="course_passed_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} passed {self.course}"

    def get_absolute_url(self) -> str:
        return reverse("academy_certificate", args=[self.account.slug, self.pk])

    @property
    def activity_label(self) -> str:
        return f"“{self.course.title}”"


class CourseTask(models.Model):
    """An onboarding task that completes when its course is passed. The link lives here, so
    onboarding knows nothing of courses: only that the task is of the "course" kind."""

    task = models.OneToOneField(
        "onboarding.Task", on_delete=models.CASCADE, related_name="course_link"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="tasks")

    def __str__(self) -> str:
        return f"{self.task} ({self.course})"


def position_after(queryset: models.QuerySet[Any]) -> int:
    last = queryset.aggregate(models.Max("position"))["position__max"]
    return 0 if last is None else last + 1
