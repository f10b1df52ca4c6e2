"""What the integrations pages show, read in a few queries."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def endpoints_with_counts() -> list[WebhookEndpoint]:
    """Every endpoint with its last day's deliveries by status (``delivered_today``,
    ``failing_today``: pending with a failed attempt or failed), in one query."""
    since = timezone.now() - timedelta(days=1)
    recent = Q(deliveries__created_at__gte=since)
    return list(
        WebhookEndpoint.objects.select_related("created_by").annotate(
            delivered_today=Count(
                "deliveries", filter=recent & Q(deliveries__status=DeliveryStatus.DELIVERED)
            ),
            failing_today=Count(
                "deliveries",
                filter=recent
                & (
                    Q(deliveries__status=DeliveryStatus.FAILED)
                    | Q(deliveries__status=DeliveryStatus.PENDING, deliveries__attempts__gt=0)
                ),
            ),
            waiting=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        )
    )


def recent_deliveries(endpoint: WebhookEndpoint, limit: int = 30) -> list[WebhookDelivery]:
    """The newest deliveries of the endpoint, without their bodies."""
    return list(endpoint.deliveries.order_by("-created_at", "-pk").defer("payload")[:limit])
