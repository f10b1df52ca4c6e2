"""Look-ups every screen of an account's reviews and PDFs shares: always through the account,
and only what this viewer may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import AccountAccess

from .. import services
from ..models import Report, Review


def visible_reports(access: AccountAccess) -> QuerySet[Report]:
    return services.visible_reports(access.account, customer=access.is_customer)


def get_review(access: AccountAccess, pk: int) -> Review:
    """The account's review ``pk`` if this viewer may see it (customers: published); 404."""
    reviews = services.visible_reviews(access.account, customer=access.is_customer)
    return get_object_or_404(reviews.select_related("account"), pk=pk)
