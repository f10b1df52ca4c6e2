from importlib import import_module

from celery import shared_task
from django.conf import settings

# Importing the module registers the relay task with the Celery app.
from .jobs import relay_unsent_jobs_task

__all__ = ["clear_expired_sessions_task", "relay_unsent_jobs_task"]


@shared_task(name="portal.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions_task() -> None:
    """Sessions are rows in the database, shared by every web machine (and an import waiting
    for its confirmation rides in one): the expired ones go each night, as ``clearsessions``
    would."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
