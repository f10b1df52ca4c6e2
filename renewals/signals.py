"""Signals renewals sends, for the apps that read it (playbooks, and offboarding later).

Each is sent once the commit that made the change is done:

    renewal_stage_changed.send(sender=Renewal, renewal=r, before="in_progress", after="committed",
                               changed_at=datetime)
    renewal_churned.send(sender=Renewal, renewal=r, changed_at=datetime)
    renewal_approaching.send(sender=Renewal, renewal=r, days=90)

``renewal_churned`` is the hook for what follows a lost customer (an offboarding checklist):
it is sent when a renewal is moved to churned, after ``renewal_stage_changed``.
``renewal_approaching`` is sent by the nightly task once per renewal date and reminder
(:data:`renewals.services.REMINDER_DAYS`).
"""

from __future__ import annotations

from django.dispatch import Signal

renewal_stage_changed = Signal()
renewal_churned = Signal()
renewal_approaching = Signal()
