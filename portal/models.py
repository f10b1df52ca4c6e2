import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .choices import TextChoices


class Job(models.Model):
    """A piece of background work, written in the request's transaction before it is published.

    The row is the source of truth: a broker that is down loses nothing, because the relay
    publishes every job still unsent once the broker is back. Workers claim a job with a
    conditional update, so a job delivered twice runs once.
    """

    class Status(TextChoices):
        UNSENT = "unsent", pgettext_lazy("job status", "Waiting for the broker")
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNSENT)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"{self.task} ({self.status})"
