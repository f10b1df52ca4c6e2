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
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Segment, Stage, TouchModel
from accounts.services import set_account_fields
from insights.figures.revenue import mrr
from portal.formatting import money

from ..models import EventKind, StepKind
from ..params import ParamField
from . import Outcome, StepContext, StepKindSpec, register

FROM_MRR = "from_mrr"

FIELD_CHOICES: dict[str, tuple[str, Any]] = {
    "segment": ("Segment", Segment),
    "touch_model": ("Touch model", TouchModel),
    "stage": ("Lifecycle stage", Stage),
}


def _field_choices() -> list[tuple[str, str]]:
    return [(name, label) for name, (label, _code) in FIELD_CHOICES.items()]


def _value_choices() -> list[tuple[str, str]]:
    """Every field's values in one list (they differ across fields), and the segment by MRR."""
    values = [
        (value, f"{label}: {text}")
        for label, choices in FIELD_CHOICES.values()
        for value, text in choices.choices
    ]
    return [*values, (FROM_MRR, "Segment: from MRR, by the ranges below")]


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
        return [], ["MRR ranges: give at least one, e.g. “enterprise >= 10000, smb”."]
    for position, part in enumerate(parts):
        found = _RANGE.match(part.lower().replace("≥", ">="))
        if found is None:
            errors.append(f"MRR ranges: “{part}” is not “segment >= amount” or a segment.")
            continue
        segment = segments.get(found["segment"])
        if segment is None:
            errors.append(f"MRR ranges: there is no segment “{found['segment']}”.")
            continue
        try:
            floor = Decimal(found["floor"]) if found["floor"] is not None else None
        except InvalidOperation:  # pragma: no cover - the pattern allows digits only
            floor = None
        if floor is None and position != len(parts) - 1:
            errors.append(f"MRR ranges: only the last range may have no floor (“{part}”).")
            continue
        if (
            floor is not None
            and ranges
            and ranges[-1].floor is not None
            and floor >= ranges[-1].floor
        ):
            errors.append(f"MRR ranges: list the highest floor first (“{part}”).")
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
    label, choices = FIELD_CHOICES[name]
    if value == FROM_MRR:
        if name != "segment":
            return [f"Only the segment can be set from the MRR, not the {label.lower()}."]
        return parse_ranges(params.get("mrr_ranges") or "")[1]
    if value not in choices.values:
        return [f"“{value}” is not a {label.lower()}."]
    return []


def _target(params: dict[str, Any], account: Account) -> tuple[str | None, str]:
    """The value to set and, for the segment from MRR, why (the MRR); or None and why
    there is nothing to set."""
    value = str(params.get("value") or "")
    if value != FROM_MRR:
        return value, ""
    ranges, errors = parse_ranges(params.get("mrr_ranges") or "")
    if errors:
        return None, errors[0]
    monthly = mrr(account, timezone.localdate())
    segment = segment_for(ranges, monthly)
    if segment is None:
        return None, f"its MRR {money(monthly)} is in none of the ranges"
    return segment, f"MRR {money(monthly)}"


def _label(name: str, value: str) -> str:
    return str(FIELD_CHOICES[name][1](value).label)


def run(context: StepContext) -> Outcome:
    account, params = context.account, context.params
    name = str(params.get("field") or "")
    if name not in FIELD_CHOICES:
        return Outcome.skipped(f"no account field “{name}”")
    label = FIELD_CHOICES[name][0].lower()
    value, why = _target(params, account)
    if value is None:
        return Outcome.skipped(why)
    changed = set_account_fields(
        account, changes={name: value}, acting_user=None, why=why or context.run.reason
    )
    said = f"{label} {_label(name, value)}" + (f" ({why})" if why else "")
    if not changed:
        return Outcome.skipped(f"the {said} is already set")
    return Outcome.done(f"{said} set")


def describe(params: dict[str, Any], account: Account) -> str:
    name = str(params.get("field") or "")
    if name not in FIELD_CHOICES:
        return "nothing (no such field)"
    label = FIELD_CHOICES[name][0].lower()
    value, why = _target(params, account)
    if value is None:
        return f"nothing: {why}"
    now = getattr(account, name)
    already = " (already set: skipped)" if now == value else ""
    because = f" from its {why}" if why else ""
    return f"the {label} set to {_label(name, value)}{because}{already}"


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
