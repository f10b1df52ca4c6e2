"""The activity log: every feature records what it changed through :func:`record`."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.i18n import StoredText

from .models import Account, Activity


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as JSON-safe values, for an activity's before and after."""
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model) or (
            value is not None and not isinstance(value, bool | int | float | str)
        ):
            value = str(value)
        out[name] = value
    return out


def record(
    verb: str,
    *,
    actor: Any,
    account: Account | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    internal: bool = False,
) -> Activity:
    """Write one entry: ``record("invited", actor=user, account=acme, target=invitation)``.

    The target is shown by its ``activity_label`` where it has one, else by ``str()``. A label
    that has words of the portal in it is a stored text (``portal.i18n.stored_text``): kept in
    English in ``target_label`` and as its message and values in ``target_words``, for each
    reader to read it in their language (``Activity.target_text``).
    """
    entry = entry_for(
        verb,
        actor=actor,
        account=account,
        target=target,
        before=before,
        after=after,
        internal=internal,
    )
    entry.save(force_insert=True)
    return entry


def record_many(entries: list[Activity]) -> list[Activity]:
    """Write many entries (made by :func:`entry_for`) in one insert, in their order: a batch
    of work records what :func:`record` would, one entry each, at the cost of one query."""
    return Activity.objects.bulk_create(entries)


def entry_for(
    verb: str,
    *,
    actor: Any,
    account: Account | None = None,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    internal: bool = False,
) -> Activity:
    """The entry :func:`record` writes, not saved yet (for :func:`record_many`)."""
    label = getattr(target, "activity_label", target) if target is not None else ""
    return Activity(
        account=account,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(label)[:300],
        target_words=label.as_json() if isinstance(label, StoredText) else None,
        before=before,
        after=after,
        internal=internal,
    )
