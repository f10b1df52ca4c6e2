"""Signals reports sends where a write bypasses the model signals.

``review_published`` is sent by :func:`reports.services.publish_review` (an ``update()``, so no
``post_save``) inside its transaction, once per publication:

    review_published.send(sender=Review, review=review, published_at=datetime)

Receivers run no query of their own: playbooks raises one event (one job row).
"""

from __future__ import annotations

from django.dispatch import Signal

review_published = Signal()
