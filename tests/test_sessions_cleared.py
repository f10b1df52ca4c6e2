"""Sessions are database rows shared by every web machine: the expired ones go each night."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from portal.tasks import clear_expired_sessions_task

pytestmark = pytest.mark.django_db


def session(expires_in: timedelta) -> str:
    store = SessionStore()
    store["insights_import"] = {"text": "account,user\n" * 1000}  # what an import stash weighs
    store.set_expiry(timezone.now() + expires_in)
    store.save()
    assert store.session_key is not None
    return store.session_key


def test_the_nightly_task_deletes_expired_sessions_and_keeps_live_ones() -> None:
    gone, kept = session(timedelta(seconds=-1)), session(timedelta(days=1))

    clear_expired_sessions_task.delay()

    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]
    assert gone != kept


def test_it_is_on_the_beat_schedule_once_a_night() -> None:
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "portal.clear_expired_sessions"
    ]
    assert len(entries) == 1 and entries[0]["schedule"] == crontab(hour=4, minute=0)
