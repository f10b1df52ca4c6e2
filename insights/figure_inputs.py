"""What the cached figures read (the book of business): every write to it makes them stale.

Contracts, health scores, upsell leads (won ones are expansion) and accounts, saved or deleted one by one (``post_save``,
``post_delete``: services, forms, factories, the admin) or upserted in bulk
(:data:`insights.signals.contracts_written`), and the name of a CSM (an owner shown in the
lists) call :func:`portal.figure_cache.inputs_changed`. The nightly health scores run inside
:func:`portal.figure_cache.changes_batched`: one bump a chunk.

What customers do (their activities, product usage) is not followed: the quiet list is as of
the time the page shows.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account, User
from portal.figure_cache import inputs_changed

from .models import Contract, HealthScore, UpsellLead
from .signals import contracts_written

# The fields of a vendor user a cached list shows (``display_name``).
SHOWN_USER_FIELDS = frozenset({"name", "email"})


@receiver(post_save, sender=Contract, dispatch_uid="figures.contract_saved")
@receiver(post_delete, sender=Contract, dispatch_uid="figures.contract_deleted")
@receiver(post_save, sender=HealthScore, dispatch_uid="figures.health_score_saved")
@receiver(post_delete, sender=HealthScore, dispatch_uid="figures.health_score_deleted")
# A won upsell lead is expansion in NRR (insights.figures.revenue).
@receiver(post_save, sender=UpsellLead, dispatch_uid="figures.upsell_lead_saved")
@receiver(post_delete, sender=UpsellLead, dispatch_uid="figures.upsell_lead_deleted")
@receiver(post_save, sender=Account, dispatch_uid="figures.account_saved")
@receiver(post_delete, sender=Account, dispatch_uid="figures.account_deleted")
def input_written(sender: Any, using: str = "default", **kwargs: Any) -> None:
    inputs_changed(using)


@receiver(contracts_written, dispatch_uid="figures.contracts_written")
def contracts_written_in_bulk(sender: Any, **kwargs: Any) -> None:
    inputs_changed()


@receiver(post_save, sender=User, dispatch_uid="figures.owner_renamed")
def owner_renamed(
    sender: type[User],
    instance: User,
    update_fields: Any = None,
    using: str = "default",
    **kwargs: Any,
) -> None:
    """A CSM's name is shown beside their accounts; a log-in (``last_login``) changes nothing."""
    if instance.is_vendor and (update_fields is None or SHOWN_USER_FIELDS & set(update_fields)):
        inputs_changed(using)
