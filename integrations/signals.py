"""What the integrations app listens to: the events the portal records
(:data:`playbooks.events.events_recorded`, sent after the commit that recorded them)."""

from __future__ import annotations
