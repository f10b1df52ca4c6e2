"""Signals insights sends where a write bypasses the model signals.

``contracts_written`` is sent by :func:`insights.services.ingest.upsert_contracts` once per
batch, inside its transaction, because ``bulk_create`` sends no ``post_save``:

    contracts_written.send(sender=Contract, contract_ids=[...], written_at=datetime)

``contract_ids`` are every contract the batch inserted or updated; those whose ``created_at``
is at or after ``written_at`` are the ones it inserted (an update keeps ``created_at``).
Receivers must run no query of their own (the API and the import call this per batch):
playbooks enqueues one job.
"""

from __future__ import annotations

from django.dispatch import Signal

contracts_written = Signal()
