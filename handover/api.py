"""``/api/v1/accounts/{slug}/handover``: the sales system pushes an account's handover when the
deal closes (PUT, scope ``write_handover``), and reads it back (GET, the same scope).

The API belongs to insights, which knows nothing of this app: :func:`register` adds this router
to it when the app is ready, before the URLs are made. A PUT is checked whole before anything is
written: one wrong field writes nothing, and the answer names it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from accounts.models import Account
from insights.api import ERRORS, ErrorsOut, KeyAuth, api, documented, errors_response
from insights.api_schemas import (
    Day,
    Email,
    FieldError,
    Money,
    OptionalText200,
    Row,
    Text200,
)
from insights.models import ApiKey

from . import services
from .figures import handover_of
from .models import Handover

router = Router(auth=KeyAuth(ApiKey.Scope.WRITE_HANDOVER), tags=["handover"])


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


LongText = Annotated[str, Field(max_length=5000), AfterValidator(_storable)]
Text2000 = Annotated[str, Field(max_length=2000), AfterValidator(_storable)]
Text300 = Annotated[str, Field(min_length=1, max_length=300), AfterValidator(_storable)]
OptionalText100 = Annotated[str, Field(max_length=100), AfterValidator(_storable)]
InfluenceName = Literal["decision_maker", "high", "medium", "low"]


class ObjectiveBody(Row):
    title: Text200 = Field(description="What the customer wants to achieve.")
    why: Text2000 = Field(default="", description="Why it matters to them.")
    measure: OptionalText200 = Field(default="", description="How success is measured.")


class StakeholderBody(Row):
    name: Text200
    title: OptionalText200 = Field(default="", description="Job title.")
    deal_role: OptionalText200 = Field(
        default="", description="Their role in the deal: champion, buyer, signer…"
    )
    email: Email = Field(default="", description="Optional; an e-mail address when sent.")
    influence: InfluenceName = "medium"


class PromiseBody(Row):
    promise: Text300 = Field(description="What was promised to the customer.")
    by: OptionalText200 = Field(default="", description="Who promised it.")
    due: Day | None = Field(default=None, description="When it is due, like 2026-01-31.")


class DealBody(Row):
    closed_on: Day | None = Field(default=None, description="The close date.")
    amount: Money | None = Field(default=None, description="The deal's amount, like 24000.00.")
    sales_owner: OptionalText200 = Field(default="", description="The account executive.")
    source_id: OptionalText100 = Field(default="", description="The deal's id in your CRM.")


class HandoverBody(Row):
    expectations: LongText = ""
    challenges: LongText = ""
    objectives: list[ObjectiveBody] = Field(min_length=1, max_length=50)
    stakeholders: list[StakeholderBody] = Field(default_factory=list, max_length=100)
    promises: list[PromiseBody] = Field(default_factory=list, max_length=100)
    deal: DealBody = Field(default_factory=DealBody)


class ObjectiveOut(Schema):
    title: str
    why: str
    measure: str
    taken_into_plan: bool = Field(description="Already added to the account's success plan.")


class StakeholderOut(Schema):
    name: str
    title: str
    deal_role: str
    email: str
    influence: str


class PromiseOut(Schema):
    promise: str
    by: str
    due: date | None


class DealOut(Schema):
    closed_on: date | None
    amount: Decimal | None
    sales_owner: str
    source_id: str


class HandoverOut(Schema):
    account: str
    status: str = Field(description="draft, received or reviewed.")
    expectations: str
    challenges: str
    objectives: list[ObjectiveOut]
    stakeholders: list[StakeholderOut]
    promises: list[PromiseOut]
    deal: DealOut
    received_at: datetime | None
    reviewed_at: datetime | None
    updated_at: datetime


def _out(handover: Handover) -> dict[str, Any]:
    return {
        "account": handover.account.slug,
        "status": handover.status,
        "expectations": handover.expectations,
        "challenges": handover.challenges,
        "objectives": [
            {
                "title": o.title,
                "why": o.why,
                "measure": o.measure,
                "taken_into_plan": bool(o.taken_at),
            }
            for o in handover.objectives.all()
        ],
        "stakeholders": [
            {
                "name": s.name,
                "title": s.title,
                "deal_role": s.deal_role,
                "email": s.email,
                "influence": s.influence,
            }
            for s in handover.stakeholders.all()
        ],
        "promises": [
            {"promise": p.promise, "by": p.promised_by, "due": p.due_on}
            for p in handover.promises.all()
        ],
        "deal": {
            "closed_on": handover.deal_closed_on,
            "amount": handover.deal_amount,
            "sales_owner": handover.sales_owner,
            "source_id": handover.source_id,
        },
        "received_at": handover.received_at,
        "reviewed_at": handover.reviewed_at,
        "updated_at": handover.updated_at,
    }


def _data(body: HandoverBody) -> services.HandoverIn:
    return services.HandoverIn(
        expectations=body.expectations,
        challenges=body.challenges,
        deal_closed_on=body.deal.closed_on,
        deal_amount=body.deal.amount,
        sales_owner=body.deal.sales_owner,
        source_id=body.deal.source_id,
        objectives=[
            services.ObjectiveIn(title=o.title, why=o.why, measure=o.measure)
            for o in body.objectives
        ],
        stakeholders=[
            services.StakeholderIn(
                name=s.name,
                title=s.title,
                deal_role=s.deal_role,
                email=s.email,
                influence=s.influence,
            )
            for s in body.stakeholders
        ],
        promises=[
            services.PromiseIn(promise=p.promise, promised_by=p.by, due_on=p.due)
            for p in body.promises
        ],
    )


def _account(slug: str) -> Account | None:
    return Account.objects.filter(slug=slug).select_related("owner").first()


NOT_FOUND = "No account has this slug."
HANDOVER_422 = (
    "A field is wrong; each error names it (`objectives[0].title`), and nothing is written. "
    "At least one objective, each with a title, no title twice; a stakeholder's `email`, "
    "when sent, an e-mail address and `influence` one of decision_maker, high, medium, "
    "low; dates as strings like 2026-01-31; `deal.amount` 0 or more with at most 2 decimal "
    "places; no unknown field."
)


@router.put(
    "/{slug}/handover",
    response={200: HandoverOut, 201: HandoverOut, 404: ErrorsOut, **ERRORS},
    url_name="account_handover",
    summary="Send an account's handover",
    openapi_extra=documented(
        HANDOVER_422,
        {"field": "stakeholders[0].email", "message": "must be an e-mail address"},
        not_found=NOT_FOUND,
    ),
)
def put_handover(request: HttpRequest, slug: str, payload: HandoverBody) -> Any:
    """Replace the account's sales handover: expectations, challenges, objectives,
    stakeholders, what was promised and the deal (scope write_handover). The owner CSM is told
    and reviews it; objectives already taken into the success plan stay taken when sent again
    with the same title. 201 when the account had no handover yet."""
    account = _account(slug)
    if account is None:
        return errors_response(request, [FieldError("slug", "No such account.")], 404)
    key = request.auth.key  # type: ignore[attr-defined]
    try:
        _, created = services.receive_handover(
            account, _data(payload), source=key.name, acting_user=key.created_by
        )
    except services.HandoverInvalid as error:
        return errors_response(request, [FieldError(f, m) for f, m in error.errors], 422)
    fresh = handover_of(account)
    assert fresh is not None
    return Status(201 if created else 200, _out(fresh))


@router.get(
    "/{slug}/handover",
    response={200: HandoverOut, 404: ErrorsOut, **ERRORS},
    url_name="account_handover_read",
    summary="Read an account's handover",
    openapi_extra=documented(
        "The slug is not one of an account.",
        {"field": "slug", "message": "No such account."},
        not_found=f"{NOT_FOUND} Or the account has no handover yet.",
    ),
)
def get_handover(request: HttpRequest, slug: str) -> Any:
    """The account's sales handover as kept, with the CSM's review (scope write_handover)."""
    account = _account(slug)
    if account is None:
        return errors_response(request, [FieldError("slug", "No such account.")], 404)
    handover = handover_of(account)
    if handover is None:
        return errors_response(request, [FieldError("slug", "This account has no handover.")], 404)
    return _out(handover)


def register() -> None:
    """Add the router to the API (once, at app ready)."""
    if getattr(api, "_handover_registered", False):
        return
    api.add_router("/accounts", router)
    api._handover_registered = True  # type: ignore[attr-defined]
