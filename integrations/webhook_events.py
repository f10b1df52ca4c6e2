"""What a webhook carries: one table from the portal's event kinds to stable, dotted webhook
event types, each with a JSON schema of its ``data``.

Every message is a Standard Webhooks envelope::

    {"type": "task.completed", "timestamp": "2026-12-06T15:30:00+00:00",
     "data": {"account": {"id": 7, "slug": "acme", "name": "Acme"}, "task_id": 12, ...}}

A type's name never changes once published; a new field may be added to ``data`` (receivers
ignore what they do not know), none is removed. The playbooks' other signals are sent as
``signal.<kind>`` with the signal's own details.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from playbooks.models import Event, EventKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

INT: dict[str, Any] = {"type": "integer"}
STR: dict[str, Any] = {"type": "string"}
BOOL: dict[str, Any] = {"type": "boolean"}
DATE: dict[str, Any] = {"type": "string", "format": "date"}
NULLABLE_INT: dict[str, Any] = {"type": ["integer", "null"]}

ACCOUNT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The customer account the event happened to.",
    "required": ["id", "slug", "name"],
    "properties": {
        "id": INT,
        "slug": {**STR, "description": "As in the portal's addresses: /a/<slug>/."},
        "name": STR,
    },
}

TEST_TYPE = "webhook.test"


@dataclass(frozen=True)
class EventType:
    """One webhook event type: its name, the event kind it comes from, and its ``data``. The
    group and the description are lazy: shown in the reader's language."""

    name: str
    kind: str
    group: StrOrPromise
    description: StrOrPromise
    # The JSON schema of each field of ``data`` besides ``account``.
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(EventKind(self.kind).label) if self.kind else gettext("Test event")

    @property
    def signal(self) -> bool:
        return self.name.startswith("signal.")

    def data(self, event: Event) -> dict[str, Any]:
        """``data`` without ``account``: the event's details the schema names."""
        if self.signal:
            return {"signal": event.kind, "details": event.data}
        return {name: event.data.get(name) for name in self.fields}

    def schema(self) -> dict[str, Any]:
        """The JSON schema (2020-12) of the whole message of this type."""
        properties = {"account": ACCOUNT_SCHEMA, **self.fields}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": self.name,
            "description": str(self.description),
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "properties": {
                "type": {"const": self.name},
                "timestamp": {
                    "type": "string",
                    "format": "date-time",
                    "description": "When it happened (ISO 8601, UTC).",
                },
                "data": {
                    "type": "object",
                    "required": list(properties),
                    "properties": properties,
                },
            },
        }


ONBOARDING = _("Onboarding and success plans")
SURVEYS = _("Surveys")
HEALTH = _("Health and reviews")
PEOPLE = _("People")
SIGNALS = _("Other playbook signals")
TEST_GROUP = _("Test")

TASK = {
    "task_id": INT,
    "title": STR,
    "checklist_id": INT,
    "required": BOOL,
    "completed_by_id": {**NULLABLE_INT, "description": "The person who ticked it."},
}
OVERDUE = {
    "overdue_tasks": {**INT, "description": "Required shared tasks that late."},
    "days_overdue": {**INT, "description": "Days the longest overdue task is late."},
    "tasks": {
        "type": "array",
        "description": "The first few of them.",
        "items": {
            "type": "object",
            "properties": {"id": INT, "title": STR, "due_date": DATE},
        },
    },
}
PLAN_HEALTH = {"type": "string", "enum": ["on_track", "at_risk", "off_track"]}
HEALTH_BAND = {"type": "string", "enum": ["healthy", "at_risk", "critical"]}

SPECIFIC: list[EventType] = [
    EventType(
        "task.completed",
        EventKind.ONBOARDING_TASK_COMPLETED,
        ONBOARDING,
        _("An onboarding task was ticked done (again after being reopened: a new event)."),
        TASK,
    ),
    EventType(
        "task.overdue",
        EventKind.ONBOARDING_TASK_OVERDUE,
        ONBOARDING,
        _(
            "Found by the daily scan: required onboarding tasks 7 days or more past their due "
            "date. One event per account when a task newly crosses the line."
        ),
        OVERDUE,
    ),
    EventType(
        "milestone.done",
        EventKind.MILESTONE_DONE,
        ONBOARDING,
        _("A success plan milestone was marked done."),
        {
            "milestone_id": INT,
            "milestone": STR,
            "plan_id": INT,
            "plan": STR,
            "target_date": DATE,
            "internal": {**BOOL, "description": "Shown to the vendor's team only."},
        },
    ),
    EventType(
        "milestone.missed",
        EventKind.MILESTONE_MISSED,
        ONBOARDING,
        _("Found by the daily scan: a shared milestone marked missed or past its target date."),
        {"milestone_id": INT, "milestone": STR, "plan": STR, "target_date": DATE, "days_late": INT},
    ),
    EventType(
        "plan.health_changed",
        EventKind.PLAN_HEALTH_CHANGED,
        ONBOARDING,
        _("A success plan's health moved to another band."),
        {"plan_id": INT, "plan": STR, "from": PLAN_HEALTH, "to": PLAN_HEALTH},
    ),
    EventType(
        "survey.answered",
        EventKind.SURVEY_ANSWERED,
        SURVEYS,
        _("A customer answered an NPS, CSAT or CES survey (any score)."),
        {
            "response_id": INT,
            "survey_kind": {"type": "string", "enum": ["nps", "csat", "ces"]},
            "score": INT,
            "band": {"type": "string", "enum": ["negative", "neutral", "positive"]},
            "user_id": NULLABLE_INT,
        },
    ),
    EventType(
        "followup.resolved",
        EventKind.FOLLOW_UP_RESOLVED,
        SURVEYS,
        _("The CSM resolved the follow-up of a low score."),
        {
            "follow_up_id": INT,
            "response_id": INT,
            "resolved_by_id": NULLABLE_INT,
            "customer_note": {**STR, "description": "“You said, we did”: may be empty."},
        },
    ),
    EventType(
        "health.band_changed",
        EventKind.HEALTH_BAND_CHANGED,
        HEALTH,
        _("The account's daily health score moved to another band."),
        {
            "from_band": HEALTH_BAND,
            "to_band": HEALTH_BAND,
            "from_score": INT,
            "to_score": INT,
            "day": DATE,
        },
    ),
    EventType(
        "review.published",
        EventKind.REVIEW_PUBLISHED,
        HEALTH,
        _("A business review was shared with the account."),
        {
            "review_id": INT,
            "title": STR,
            "kind": {"type": "string", "enum": ["qbr", "ebr"]},
            "period_start": DATE,
            "period_end": DATE,
        },
    ),
    EventType(
        "person.joined",
        EventKind.PERSON_JOINED,
        PEOPLE,
        _("Someone joined the account in the portal."),
        {"user_id": INT, "role": {"type": "string", "enum": ["champion", "executive", "member"]}},
    ),
    EventType(
        "person.left",
        EventKind.PERSON_LEFT,
        PEOPLE,
        _("Someone left the account: removed from it, or deactivated."),
        {
            "user_id": INT,
            "role": {"type": "string", "enum": ["champion", "executive", "member"]},
            "how": {"type": "string", "enum": ["removed", "deactivated"]},
        },
    ),
]

# Not sent: a schedule is not something that happened to an account.
NOT_SENT = {EventKind.SCHEDULE}
_specific_kinds = {t.kind for t in SPECIFIC}
SIGNAL_TYPES: list[EventType] = [
    EventType(
        f"signal.{kind.value}",
        kind.value,
        SIGNALS,
        format_lazy(
            _("The playbook signal “{signal}”; ``details`` as the signal records them."),
            signal=kind.label,
        ),
        {
            "signal": {"const": kind.value},
            "details": {"type": "object", "description": "The signal's own details."},
        },
    )
    for kind in EventKind
    if kind.value not in _specific_kinds and kind not in NOT_SENT
]

TEST = EventType(
    TEST_TYPE,
    "",
    TEST_GROUP,
    _(
        "Sent from the endpoint's page (“Send a test event”), to nobody else. ``account`` is "
        "the first account by name, as a sample."
    ),
    {"message": STR},
)

EVENT_TYPES: list[EventType] = [*SPECIFIC, *SIGNAL_TYPES]
BY_NAME: dict[str, EventType] = {t.name: t for t in EVENT_TYPES}
BY_KIND: dict[str, EventType] = {t.kind: t for t in EVENT_TYPES}
GROUPS = [ONBOARDING, SURVEYS, HEALTH, PEOPLE, SIGNALS]


def grouped() -> list[tuple[StrOrPromise, list[EventType]]]:
    return [(group, [t for t in EVENT_TYPES if t.group == group]) for group in GROUPS]


def account_of(account: Any) -> dict[str, Any]:
    return {"id": account.pk, "slug": account.slug, "name": account.name}


def envelope(type_name: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The body as sent and signed: compact JSON, keys in a stable order."""
    return json.dumps(
        {"type": type_name, "timestamp": timestamp.isoformat(), "data": data},
        separators=(",", ":"),
        default=str,
    )


def payload_for(event: Event, account: Any) -> tuple[str, str] | None:
    """(type, body) of the message for ``event``, or None if its kind is not sent."""
    event_type = BY_KIND.get(event.kind)
    if event_type is None:
        return None
    data = {"account": account_of(account), **event_type.data(event)}
    return event_type.name, envelope(event_type.name, event.occurred_at, data)


def scanned_kinds_for(type_names: list[str]) -> set[str]:
    return {BY_NAME[name].kind for name in type_names if name in BY_NAME}


def openapi_webhooks() -> dict[str, Any]:
    """The ``webhooks`` section of the OpenAPI 3.1 document: one POST per event type, its body
    the type's schema, with the Standard Webhooks headers."""
    headers = [
        {
            "name": "webhook-id",
            "in": "header",
            "required": True,
            "description": "The message's id: the same on every retry of it.",
            "schema": STR,
        },
        {
            "name": "webhook-timestamp",
            "in": "header",
            "required": True,
            "description": "Seconds since the epoch, when this attempt was sent.",
            "schema": STR,
        },
        {
            "name": "webhook-signature",
            "in": "header",
            "required": True,
            "description": "v1,<base64 HMAC-SHA256 of id.timestamp.body with the endpoint's "
            "whsec_ secret>; verify it with a Standard Webhooks library.",
            "schema": STR,
        },
    ]
    webhooks: dict[str, Any] = {}
    for event_type in [*EVENT_TYPES, TEST]:
        schema = event_type.schema()
        schema.pop("$schema")
        webhooks[event_type.name] = {
            "post": {
                "summary": event_type.title,
                "description": str(event_type.description),
                "tags": ["webhooks"],
                "parameters": headers,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": schema}},
                },
                "responses": {
                    "200": {
                        "description": "Any 2xx: delivered. Anything else, or no answer in "
                        "10 seconds: retried (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)."
                    }
                },
            }
        }
    return webhooks
