"""Signals offboarding sends (playbooks listens), each once the commit that made the change
is done:

    offboarding_started.send(sender=Offboarding, offboarding=o)
    offboarding_completed.send(sender=Offboarding, offboarding=o)
"""

from __future__ import annotations

from django.dispatch import Signal

offboarding_started = Signal()
offboarding_completed = Signal()
