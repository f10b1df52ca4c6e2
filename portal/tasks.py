# Importing the module registers the relay task with the Celery app.
from .jobs import relay_unsent_jobs_task

__all__ = ["relay_unsent_jobs_task"]
