"""How an activity's changes read on the timeline: each changed value's name and its before
and after in the reader's language.

An activity stores what changed as JSON (``Activity.before`` / ``after``: field names and
JSON-safe values, see :func:`accounts.activity.snapshot`). The timeline words them when it is
read: the name is the target field's own translated ``verbose_name`` where the model gives one,
else this module's name for the key; a choice reads as its label, a yes/no as "yes"/"no", a
day and a moment as the reader's dates, a number as their number; people's own words as
written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from portal import formatting
from portal.i18n import StoredText

# Names of the keys activities record, where no field of the target gives a translated one.
CHANGE_NAMES: dict[str, Any] = {
    "accounts": gettext_lazy("accounts"),
    "active": gettext_lazy("active"),
    "amount_at_stake": gettext_lazy("amount at stake"),
    "amount_committed": gettext_lazy("amount committed"),
    "answer_note": gettext_lazy("answer note"),
    "asked": gettext_lazy("asked"),
    "assignee": gettext_lazy("assignee"),
    "audience": gettext_lazy("audience"),
    "baseline": gettext_lazy("baseline"),
    "body": gettext_lazy("text"),
    "category": gettext_lazy("category"),
    "challenges": gettext_lazy("challenges"),
    "channel": gettext_lazy("channel"),
    "churn_note": gettext_lazy("churn note"),
    "churn_reason": gettext_lazy("churn reason"),
    "comment": gettext_lazy("comment"),
    "company": gettext_lazy("company"),
    "contact_email": gettext_lazy("contact e-mail"),
    "contact_name": gettext_lazy("contact name"),
    "current": gettext_lazy("current value"),
    "date": gettext_lazy("date"),
    "deal_amount": gettext_lazy("deal amount"),
    "deal_closed_on": gettext_lazy("deal closed on"),
    "description": gettext_lazy("description"),
    "done": gettext_lazy("done"),
    "driver": gettext_lazy("driver"),
    "due_date": gettext_lazy("due date"),
    "email": gettext_lazy("e-mail"),
    "email_domains": gettext_lazy("e-mail domains"),
    "expectations": gettext_lazy("expectations"),
    "external_id": gettext_lazy("product id"),
    "feature": gettext_lazy("feature"),
    "features": gettext_lazy("features"),
    "file": gettext_lazy("file"),
    "forecast": gettext_lazy("forecast"),
    "forecast_reason": gettext_lazy("forecast reason"),
    "from": pgettext_lazy("recorded change", "from"),
    "is_value_milestone": gettext_lazy("value milestone"),
    "item": gettext_lazy("item"),
    "items": gettext_lazy("items"),
    "kickoff": gettext_lazy("kick-off"),
    "kind": gettext_lazy("kind"),
    "label": gettext_lazy("label"),
    "lost": gettext_lazy("lost"),
    "lower_is_better": gettext_lazy("lower is better"),
    "name": gettext_lazy("name"),
    "note": gettext_lazy("note"),
    "objectives": gettext_lazy("objectives"),
    "offboarded": gettext_lazy("offboarded"),
    "on": pgettext_lazy("recorded change", "on"),
    "outcome": gettext_lazy("outcome"),
    "outcomes": gettext_lazy("outcomes"),
    "owner_side": gettext_lazy("side"),
    "pass_mark": gettext_lazy("pass mark"),
    "person": gettext_lazy("person"),
    "phase": gettext_lazy("phase"),
    "plan": gettext_lazy("plan"),
    "position": gettext_lazy("position"),
    "previous_valid_until": gettext_lazy("previously valid until"),
    "product": gettext_lazy("product"),
    "prospect": gettext_lazy("prospect"),
    "publish_at": gettext_lazy("publish at"),
    "quantity": gettext_lazy("quantity"),
    "questions": gettext_lazy("questions"),
    "quiet_days": gettext_lazy("quiet days"),
    "reason": gettext_lazy("reason"),
    "rejection_reason": gettext_lazy("reason for rejection"),
    "renewal": gettext_lazy("renewal"),
    "renews_on": gettext_lazy("renews on"),
    "required": gettext_lazy("required"),
    "resource_links": gettext_lazy("resource links"),
    "role": gettext_lazy("role"),
    "roles": gettext_lazy("roles"),
    "rows": gettext_lazy("rows"),
    "rule": gettext_lazy("rule"),
    "sales_owner": gettext_lazy("sales owner"),
    "scopes": gettext_lazy("scopes"),
    "score": gettext_lazy("score"),
    "seat_use_percent": gettext_lazy("seats used (%)"),
    "segment": gettext_lazy("segment"),
    "segments": gettext_lazy("segments"),
    "self_join": gettext_lazy("self-join"),
    "side": gettext_lazy("side"),
    "snoozed_until": gettext_lazy("snoozed until"),
    "source": gettext_lazy("source"),
    "source_id": gettext_lazy("source id"),
    "stage": gettext_lazy("stage"),
    "stages": gettext_lazy("stages"),
    "status": gettext_lazy("status"),
    "steps": gettext_lazy("steps"),
    "survey": gettext_lazy("survey"),
    "targets": gettext_lazy("targets"),
    "template": gettext_lazy("template"),
    "text": gettext_lazy("text"),
    "through": gettext_lazy("through"),
    "title": gettext_lazy("title"),
    "to": pgettext_lazy("recorded change", "to"),
    "unit": gettext_lazy("unit"),
    "unit_value": gettext_lazy("value per unit"),
    "until": gettext_lazy("until"),
    "why": gettext_lazy("why"),
    "year": gettext_lazy("year"),
}


# Values recorded as texts to word when read: a JSON object with one key that names how,
# e.g. ``{"said": …}`` (playbooks.words). Each app that records such values registers its
# wording here when it is ready; a value of no registered kind reads as stored.
STORED_VALUES: dict[str, Callable[[Any], str]] = {}


def word_values(key: str, wording: Callable[[Any], str]) -> None:
    """Word recorded values ``{key: …}`` with ``wording`` (in the active language)."""
    STORED_VALUES[key] = wording


def _stored_value(value: dict[str, Any]) -> str | None:
    """A recorded stored text in the active language; None for any other object."""
    if len(value) == 1:
        key, said = next(iter(value.items()))
        wording = STORED_VALUES.get(key)
        if wording is not None:
            return wording(said)
    if isinstance(value.get("message"), str):
        try:
            return StoredText.from_json(value).translated()
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
    return None


def change_name(key: str, field: models.Field[Any, Any] | None) -> Any:
    """The name a reader sees for ``key``: the field's own translated verbose name, else this
    module's, else the key as recorded."""
    given = getattr(field, "_verbose_name", None)
    if isinstance(given, Promise):
        return given
    return CHANGE_NAMES.get(key) or (given or key.replace("_", " "))


def change_value(value: Any, field: models.Field[Any, Any] | None) -> Any:
    """A recorded value as the reader reads it (``None`` stays ``None``: "nothing before")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(change_value(item, field)) for item in value)
    if isinstance(value, dict):
        worded = _stored_value(value)
        if worded is not None:
            return worded
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        return labels.get(str(value), value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return formatting.short_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formatting.short_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, int | float) or (
        isinstance(field, models.DecimalField | models.IntegerField | models.FloatField)
        and isinstance(value, str)
    ):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return value
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        return formatting.number(number, places) or value
    return value
