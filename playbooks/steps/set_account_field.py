"""Set the account's segment, touch model or lifecycle stage; or its segment from its MRR,
by ranges the playbook gives ("enterprise >= 10000, mid_market >= 2000, smb"), as in the
glossary's new customer whose segment follows from their MRR.

The MRR is insights' one definition (:func:`insights.figures.revenue.mrr`), on the day the
step runs. The change goes through :func:`accounts.services.set_account_fields`: logged, and
the account's own change signals fire (so a playbook on "segment changed" may follow; one on
the changes this step makes may not contain it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Segment, Stage, TouchModel
from accounts.services import AccountFieldRefused, set_account_fields
from insights.figures.revenue import mrr

from ..models import EventKind, StepKind
from ..params import ParamField
from ..words import Said, amount, choice, from_stored, say, words
from . import Outcome, StepContext, StepKindSpec, register

FROM_MRR = "from_mrr"

FIELD_CHOICES: dict[str, tuple[Any, Any]] = {
    "segment": (_("Segment"), Segment),
    "touch_model": (_("Touch model"), TouchModel),
    "stage": (_("Lifecycle stage"), Stage),
}
# How a run and the preview name each field inside a sentence (stored English).
FIELD_SAID = {
    "segment": gettext_noop("segment"),
    "touch_model": gettext_noop("touch model"),
    "stage": gettext_noop("lifecycle stage"),
}


def _field_choices() -> list[tuple[str, str]]:
    return [(name, label) for name, (label, _code) in FIELD_CHOICES.items()]


def _value_choices() -> list[tuple[str, str]]:
    """Every field's values in one list (they differ across fields), and the segment by MRR."""
    values = [
        (value, gettext("%(field)s: %(value)s") % {"field": label, "value": text})
        for label, choices in FIELD_CHOICES.values()
        for value, text in choices.choices
    ]
    return [*values, (FROM_MRR, gettext("Segment: from MRR, by the ranges below"))]


FIELDS = [
    ParamField("field", _("Field"), kind="choice", choices=_field_choices),
    ParamField("value", _("Value"), kind="choice", choices=_value_choices),
    ParamField(
        "mrr_ranges", _("MRR ranges"), required=False, max_length=300,
        help=_("For the segment from MRR: highest first, the last without a floor, e.g. "
        "“enterprise >= 10000, mid_market >= 2000, smb”."),
    ),
]  # fmt: skip

_RANGE = re.compile(r"^(?P<segment>[a-z][a-z_ -]*?)\s*(?:>=\s*(?P<floor>\d+(?:\.\d+)?))?$")


@dataclass(frozen=True)
class Range:
    segment: str
    floor: Decimal | None  # None: every MRR below the ranges before it


def parse_ranges(text: str) -> tuple[list[Range], list[str]]:
    """``"enterprise >= 10000, mid_market >= 2000, smb"`` as ranges, and the problems in
    words: segments must exist, floors must fall from one range to the next, only the last may
    have no floor."""
    ranges: list[Range] = []
    errors: list[str] = []
    segments = {value: value for value in Segment.values} | {
        label.lower(): value for value, label in Segment.choices
    }
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return [], [gettext("MRR ranges: give at least one, e.g. “enterprise >= 10000, smb”.")]
    for position, part in enumerate(parts):
        found = _RANGE.match(part.lower().replace("≥", ">="))
        if found is None:
            errors.append(
                gettext("MRR ranges: “%(range)s” is not “segment >= amount” or a segment.")
                % {"range": part}
            )
            continue
        segment = segments.get(found["segment"])
        if segment is None:
            errors.append(
                gettext("MRR ranges: there is no segment “%(segment)s”.")
                % {"segment": found["segment"]}
            )
            continue
        try:
            floor = Decimal(found["floor"]) if found["floor"] is not None else None
        except InvalidOperation:  # pragma: no cover - the pattern allows digits only
            floor = None
        if floor is None and position != len(parts) - 1:
            errors.append(
                gettext("MRR ranges: only the last range may have no floor (“%(range)s”).")
                % {"range": part}
            )
            continue
        if (
            floor is not None
            and ranges
            and ranges[-1].floor is not None
            and floor >= ranges[-1].floor
        ):
            errors.append(
                gettext("MRR ranges: list the highest floor first (“%(range)s”).") % {"range": part}
            )
            continue
        ranges.append(Range(segment, floor))
    return ranges, errors


def segment_for(ranges: list[Range], monthly: Decimal) -> str | None:
    """The segment of the first range ``monthly`` reaches; None when it reaches none."""
    return next((r.segment for r in ranges if r.floor is None or monthly >= r.floor), None)


def validate(params: dict[str, Any]) -> list[str]:
    name, value = params.get("field"), params.get("value")
    if name not in FIELD_CHOICES:
        return []  # the field's own check says so
    choices = FIELD_CHOICES[name][1]
    field = gettext(FIELD_SAID[name])
    if value == FROM_MRR:
        if name != "segment":
            return [
                gettext("Only the segment can be set from the MRR, not the %(field)s.")
                % {"field": field}
            ]
        return parse_ranges(params.get("mrr_ranges") or "")[1]
    if value not in choices.values:
        return [gettext("“%(value)s” is not a %(field)s.") % {"value": value, "field": field}]
    return []


def _target(params: dict[str, Any], account: Account) -> tuple[str | None, Said | str]:
    """The value to set and, for the segment from MRR, why (the MRR, as a run keeps it); or
    None and why there is nothing to set."""
    value = str(params.get("value") or "")
    if value != FROM_MRR:
        return value, ""
    ranges, errors = parse_ranges(params.get("mrr_ranges") or "")
    if errors:
        return None, errors[0]
    monthly = mrr(account, timezone.localdate())
    segment = segment_for(ranges, monthly)
    if segment is None:
        return None, say(
            gettext_noop("its MRR %(mrr)s is in none of the ranges"), mrr=amount(monthly)
        )
    return segment, say(gettext_noop("MRR %(mrr)s"), mrr=amount(monthly))


def _label(name: str, value: str) -> str:
    return str(FIELD_CHOICES[name][1](value).label)


def run(context: StepContext) -> Outcome:
    account, params = context.account, context.params
    name = str(params.get("field") or "")
    if name not in FIELD_CHOICES:
        return Outcome.skipped(gettext_noop("no account field “%(field)s”"), field=name)
    value, why = _target(params, account)
    if value is None:
        return Outcome.skipped(why)
    try:
        changed = set_account_fields(
            account, changes={name: value}, acting_user=None, why=words(why) or context.run.reason
        )
    except AccountFieldRefused as refused:
        # A value the field no longer has (a playbook saved before it was removed): trying
        # again would not help. Kept as a stored text, each reader reads it in their language.
        return Outcome("failed", from_stored(refused.text))
    values = {"field": say(FIELD_SAID[name]), "value": choice(FIELD_CHOICES[name][1], value)}
    if why:
        values["why"] = why if isinstance(why, dict) else say(why)
        if not changed:
            return Outcome.skipped(
                gettext_noop("the %(field)s %(value)s (%(why)s) is already set"), **values
            )
        return Outcome.done(gettext_noop("%(field)s %(value)s (%(why)s) set"), **values)
    if not changed:
        return Outcome.skipped(gettext_noop("the %(field)s %(value)s is already set"), **values)
    return Outcome.done(gettext_noop("%(field)s %(value)s set"), **values)


def describe(params: dict[str, Any], account: Account) -> str:
    name = str(params.get("field") or "")
    if name not in FIELD_CHOICES:
        return gettext("nothing (no such field)")
    value, why = _target(params, account)
    if value is None:
        return gettext("nothing: %(why)s") % {"why": words(why)}
    values = {"field": gettext(FIELD_SAID[name]), "value": _label(name, value)}
    already = getattr(account, name) == value
    if why:
        values["why"] = words(why)
        if already:
            return (
                gettext("the %(field)s set to %(value)s from its %(why)s (already set: skipped)")
                % values
            )
        return gettext("the %(field)s set to %(value)s from its %(why)s") % values
    if already:
        return gettext("the %(field)s set to %(value)s (already set: skipped)") % values
    return gettext("the %(field)s set to %(value)s") % values


register(
    StepKindSpec(
        StepKind.SET_ACCOUNT_FIELD,
        FIELDS,
        run,
        describe,
        validate,
        raises=frozenset(
            {EventKind.SEGMENT_CHANGED, EventKind.TOUCH_MODEL_CHANGED, EventKind.STAGE_CHANGED}
        ),
    )
)
