"""Signals onboarding sends where a write bypasses the model signals.

``task_done_changed`` is sent by :func:`onboarding.services.set_task_done` (an ``update()``,
so no ``post_save``) inside its transaction when a task was marked done or not done:

    task_done_changed.send(sender=Task, task=task, account_id=7, done=True)

``task`` holds the stored values (``completed_at``, ``completed_by_id``, ``title``). Receivers
run no query of their own: playbooks raises one event (one job row).
"""

from __future__ import annotations

from django.dispatch import Signal

task_done_changed = Signal()
