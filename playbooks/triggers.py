"""What each signal is as a playbook's trigger: its settings, and whether it is raised as it
happens (a save elsewhere, :mod:`playbooks.signals`) or found by the daily scan
(:mod:`playbooks.detectors`).

An event of a scanned kind carries the settings it was found with (``data["params"]``), so a
renewal found 30 days out fires the 30-day playbook and not the 90-day one. A raised event
carries what changed, and a trigger may narrow it ("stage changed to Renewal").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Segment, Stage, TouchModel
from renewals.models import RenewalStage
from successplans.models import PlanHealth

from .models import EventKind
from .params import ParamField

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
HEALTH_BANDS = [("healthy", _("Healthy")), ("at_risk", _("At risk")), ("critical", _("Critical"))]
HEALTH_PARTS = [
    ("usage", _("Usage")),
    ("sentiment", _("Sentiment")),
    ("onboarding", _("Onboarding")),
    ("plan", _("Success plan")),
    ("renewal", _("Renewal")),
    ("pulse", _("CSM pulse")),
    ("comments", _("Comment sentiment")),
    ("training", _("Training")),
]


def _days(label: _StrOrPromise, default: int) -> ParamField:
    return ParamField("days", label, kind="int", minimum=1, maximum=365, default=default)


def _to(label: _StrOrPromise, choices: Callable[[], Any]) -> ParamField:
    return ParamField(
        "to", label, kind="choices", required=False, choices=choices, help=_("Empty means any.")
    )


@dataclass(frozen=True)
class Trigger:
    kind: str
    fields: list[ParamField] = field(default_factory=list)
    # Found by the daily scan rather than raised as it happens.
    scanned: bool = False

    @property
    def label(self) -> str:
        return str(EventKind(self.kind).label)

    def accepts(self, params: dict[str, Any], data: dict[str, Any]) -> bool:
        """Whether an event with ``data`` fires a playbook whose trigger settings are
        ``params``."""
        if self.scanned:
            return bool(data.get("params", {}) == _comparable(self.fields, params))
        wanted = params.get("to") or []
        return not wanted or str(data.get("to", "")) in wanted


def _comparable(fields: list[ParamField], params: dict[str, Any]) -> dict[str, Any]:
    return {f.name: params.get(f.name, f.default) for f in fields}


def scan_params(trigger: Trigger, params: dict[str, Any]) -> dict[str, Any]:
    """The settings a scanned event records, so :meth:`Trigger.accepts` can match them."""
    return _comparable(trigger.fields, params)


TRIGGERS: dict[str, Trigger] = {
    t.kind: t
    for t in [
        Trigger(EventKind.ACCOUNT_CREATED),
        Trigger(EventKind.STAGE_CHANGED, [_to(_("To stage"), lambda: Stage.choices)]),
        Trigger(EventKind.SEGMENT_CHANGED, [_to(_("To segment"), lambda: Segment.choices)]),
        Trigger(EventKind.TOUCH_MODEL_CHANGED, [_to(_("To touch model"), lambda: TouchModel.choices)]),
        Trigger(EventKind.OWNER_CHANGED),
        Trigger(EventKind.CONTRACT_STARTED),
        Trigger(EventKind.CONTRACT_EXPANDED),
        Trigger(EventKind.CONTRACT_CONTRACTED),
        Trigger(EventKind.CONTRACT_RENEWED),
        Trigger(EventKind.CONTRACT_CHURNED),
        Trigger(EventKind.RENEWAL_DUE, [_days(_("Days before the renewal"), 90)], scanned=True),
        Trigger(EventKind.RENEWAL_IN_90_DAYS),
        Trigger(EventKind.RENEWAL_IN_30_DAYS),
        Trigger(EventKind.RENEWAL_STAGE_CHANGED, [_to(_("To renewal stage"), lambda: RenewalStage.choices)]),
        Trigger(EventKind.RENEWAL_CHURNED),
        Trigger(EventKind.OFFBOARDING_STARTED),
        Trigger(EventKind.OFFBOARDING_COMPLETED),
        Trigger(EventKind.ONBOARDING_STARTED),
        Trigger(EventKind.ONBOARDING_COMPLETED),
        Trigger(
            EventKind.ONBOARDING_STALLED,
            [_days(_("Days with no customer activity"), 14)],
            scanned=True,
        ),
        Trigger(
            EventKind.ONBOARDING_TASK_OVERDUE, [_days(_("Days overdue"), 7)], scanned=True
        ),
        Trigger(EventKind.ONBOARDING_TASK_COMPLETED),
        Trigger(EventKind.MILESTONE_DONE),
        Trigger(EventKind.MILESTONE_MISSED, scanned=True),
        Trigger(EventKind.SIGNOFF_REJECTED),
        Trigger(EventKind.PLAN_HEALTH_CHANGED, [_to(_("To plan health"), lambda: PlanHealth.choices)]),
        Trigger(EventKind.NPS_DETRACTOR),
        Trigger(EventKind.NPS_PASSIVE),
        Trigger(EventKind.NPS_PROMOTER),
        Trigger(EventKind.CSAT_LOW),
        Trigger(EventKind.CES_HIGH_EFFORT),
        Trigger(EventKind.SURVEY_ANSWERED),
        Trigger(EventKind.FOLLOW_UP_RESOLVED),
        Trigger(EventKind.COURSE_PASSED),
        Trigger(EventKind.REVIEW_PUBLISHED),
        Trigger(EventKind.REVIEW_ASKED),
        Trigger(
            EventKind.FOLLOW_UP_UNRESOLVED, [_days(_("Days unresolved"), 7)], scanned=True
        ),
        Trigger(EventKind.HEALTH_BAND_CHANGED, [_to(_("To band"), lambda: HEALTH_BANDS)]),
        Trigger(
            EventKind.HEALTH_DROPPED,
            [ParamField("points", _("Points fallen in 7 days"), kind="int", minimum=1, maximum=100, default=15)],
            scanned=True,
        ),
        Trigger(
            EventKind.HEALTH_PART_LOW,
            [
                ParamField("part", _("Health part"), kind="choice", choices=lambda: HEALTH_PARTS, default="usage"),
                ParamField("below", _("Below"), kind="int", minimum=1, maximum=100, default=40),
            ],
            scanned=True,
        ),
        Trigger(
            EventKind.USAGE_DROPPED,
            [ParamField("percent", _("Down by at least (%)"), kind="int", minimum=1, maximum=100, default=25)],
            scanned=True,
        ),
        Trigger(
            EventKind.FEATURE_UNUSED,
            [
                ParamField("feature", _("Feature"), required=False, max_length=100, help=_("Empty means any licensed feature.")),
                _days(_("Days unused"), 30),
            ],
            scanned=True,
        ),
        Trigger(
            EventKind.SEATS_NEARLY_FULL,
            [ParamField("percent", _("Seats used at least (%)"), kind="int", minimum=1, maximum=200, default=90)],
            scanned=True,
        ),
        Trigger(EventKind.PERSON_JOINED),
        Trigger(EventKind.PERSON_LEFT),
        Trigger(EventKind.COMMENT_ADDED),
        Trigger(EventKind.CHAMPION_LEFT),
        Trigger(EventKind.EXECUTIVE_LEFT),
        Trigger(EventKind.NO_LOGIN, [_days(_("Days with no customer log-in"), 30)], scanned=True),
        Trigger(EventKind.FIRST_LOGIN),
        Trigger(EventKind.SENTIMENT_NEGATIVE),
        Trigger(
            EventKind.SCHEDULE,
            [ParamField("weekday", _("Every"), kind="choice", choices=lambda: WEEKDAYS, default="0")],
            scanned=True,
        ),
    ]
}  # fmt: skip
