"""The REST API under ``/api/v1/``: integrations push contracts, usage and users, and read an
account's figures. The schema is served at ``/api/v1/openapi.json`` and described, for people,
at ``/api/v1/docs``.

Every request names its key in ``Authorization: Bearer <key>``. A push is checked whole before
anything is written, and then written in one transaction: a request with one bad row writes
nothing. Errors are JSON naming the field: ``{"errors": [{"field": "rows[3].count",
"message": "must be ≥ 0"}]}``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import Field

from accounts.models import Account
from onboarding.figures import summary as onboarding_summary
from onboarding.models import Checklist
from portal.formatting import rounded
from successplans.figures import current_plan, kpi_met, kpi_progress, plan_health_on
from successplans.models import KPI
from surveys.figures import SurveyFiguresOut, api_figures

from .api_schemas import (
    MAX_COUNT,
    MAX_ERRORS,
    ContractRow,
    Day,
    FieldError,
    UsageRow,
    UserRow,
    field_path,
    message,
    resolve_rows,
)
from .figures import health, revenue, usage
from .models import ApiKey
from .services.api_keys import KeyRefused, authenticate
from .services.ingest import write_rows
from .views.api_docs import ApiDocs

MAX_ROWS = 50_000


class KeyAuth(HttpBearer):
    """``Authorization: Bearer <key>`` with ``scope``."""

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return authenticate(token, self.scope)


class ErrorItem(Schema):
    field: str = Field(examples=["rows[3].count"])
    message: str = Field(examples=["must be ≥ 0"])


class ErrorsOut(Schema):
    errors: list[ErrorItem]


class PushOut(Schema):
    rows: int = Field(description="Rows written (a key sent twice in one request counts once).")


class UsageIn(Schema):
    rows: list[UsageRow] = Field(min_length=1, max_length=MAX_ROWS)


class ContractsIn(Schema):
    rows: list[ContractRow] = Field(min_length=1, max_length=MAX_ROWS)


class UsersIn(Schema):
    rows: list[UserRow] = Field(min_length=1, max_length=MAX_ROWS)


class RevenueOut(Schema):
    mrr: str = Field(
        description="Monthly recurring revenue on as_of, in currency, rounded to cents.",
        examples=["166.67"],
    )
    arr: str = Field(description="MRR x 12, rounded to cents.", examples=["2000.00"])
    paying: bool


class PeriodOut(Schema):
    start: date
    end: date
    starting_mrr: str
    ending_mrr: str
    expansion: str
    contraction: str
    churned_mrr: str
    nrr_percent: str | None = Field(
        description="Net revenue retention, a percentage to one place; null: no data.",
        examples=["104.5"],
    )
    grr_percent: str | None = Field(
        description="Gross revenue retention, a percentage to one place; null: no data.",
        examples=["97.0"],
    )


class UsageOut(Schema):
    day: date
    dau: int
    wau: int
    mau: int
    stickiness_percent: str | None = Field(description="WAU / MAU; null: no data.")
    daily_stickiness_percent: str | None = Field(description="DAU / MAU; null: no data.")
    licensed_seats: int | None
    seat_use_percent: str | None = Field(description="MAU / licensed seats; null: unknown.")


class FeatureOut(Schema):
    feature: str
    users: int
    adoption_percent: str | None


class FiguresOut(Schema):
    account: str
    name: str
    as_of: date
    currency: str = Field(
        description="ISO 4217 code of every amount in this answer.", examples=["EUR"]
    )
    revenue: RevenueOut
    period: PeriodOut
    usage: UsageOut | None = Field(description="From the newest daily roll-up; null: none yet.")
    features: list[FeatureOut]
    surveys: SurveyFiguresOut = Field(description="NPS, CSAT and CES answered in the period.")
    onboarding: OnboardingOut | None = Field(description="null: no onboarding checklist.")
    plan: PlanOut | None = Field(description="The success plan running on as_of, if any.")
    health: HealthOut | None = Field(description="The newest health score on or before as_of.")


class OnboardingOut(Schema):
    status: str = Field(description="not_started, on_track, at_risk or completed.")
    required_tasks: int = Field(description="Required tasks shared with the customer.")
    required_done: int
    progress_percent: int | None = Field(
        description="Share of required shared tasks done, whole percent; null: none required."
    )
    projected_go_live: date | None
    time_to_value_days: int | None


class KpiOut(Schema):
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    value: Decimal | None
    progress_percent: int | None = Field(
        description="From baseline to target, rounded down: 100 only when the target is met."
    )
    met: bool


class PlanOut(Schema):
    name: str
    starts_on: date
    ends_on: date
    health: str = Field(description="on_track, at_risk or off_track (the CSM's, if set).")
    kpis: list[KpiOut] = Field(description="KPIs of the objectives shared with the customer.")


# The score and band only: a part's why is words for people, worded in each reader's language on
# the pages and in the PDFs (a stored text, insights.figures.health). Where a machine gets one
# (a "health part low" signal's webhook details), it is one stable English text ("why") beside
# the stored text itself ("why_text").
class HealthOut(Schema):
    day: date
    score: int
    band: str


class FiguresQuery(Schema):
    as_of: Day | None = Field(default=None, description="A date like 2026-01-31; default: today.")
    start: Day | None = Field(
        default=None,
        description="Start of the period for NRR and GRR, on or before as_of; default: the "
        "same day a year before.",
    )


api = NinjaAPI(
    title="Customer Portal API",
    version="1",
    description="Push contracts, usage and users; read an account's figures.",
    urls_namespace="api_v1",
    docs=ApiDocs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ERRORS = {400: ErrorsOut, 401: ErrorsOut, 403: ErrorsOut, 422: ErrorsOut, 429: ErrorsOut}

# What each answer but 200 means, in the served schema, as the API really gives them.
REFUSALS = {
    400: "The body is not JSON.",
    401: "No key, or a key that is not valid or was revoked (see WWW-Authenticate).",
    403: "The key does not have this operation's scope.",
    429: "Too many requests with this key this minute (see Retry-After).",
}
COMMON_422 = (
    "A field is wrong; each error names it (`rows[3].count`), and nothing is written. "
    "Rows: at least 1 and at most 50,000; every field of its type (whole numbers as JSON "
    "numbers, dates as strings like 2026-01-31, never numbers); no unknown field; text "
    "not empty where required, within its length, without NUL characters; `account` the "
    "slug of an account the key may write to."
)


def documented(
    refusals_422: str, example: dict[str, str], *, not_found: str = ""
) -> dict[str, Any]:
    """``openapi_extra`` for an operation: what its refusals mean, with an example of its 422
    (ninja has already declared each status's schema, :class:`ErrorsOut`)."""
    responses: dict[int, Any] = {status: {"description": text} for status, text in REFUSALS.items()}
    responses[422] = {
        "description": refusals_422,
        "content": {"application/json": {"example": {"errors": [example]}}},
    }
    if not_found:
        responses[404] = {"description": not_found}
    return {"responses": responses}


def errors_response(request: HttpRequest, errors: list[FieldError], status: int) -> HttpResponse:
    return api.create_response(
        request, {"errors": [e.as_dict() for e in errors[:MAX_ERRORS]]}, status=status
    )


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        # ninja puts ("body", "payload") or ("query", ...) before the field's own path.
        while loc and loc[0] in ("body", "query", "path", "payload", "filters"):
            loc.pop(0)
        errors.append(FieldError(field_path(loc), message(error)))
    return errors_response(request, errors, 422)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    field = "body" if exc.status_code == 400 else ""
    return errors_response(request, [FieldError(field, str(exc))], exc.status_code)


@api.exception_handler(AuthenticationError)
def on_no_key(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = errors_response(
        request,
        [FieldError("Authorization", "Send the key as Authorization: Bearer <key>.")],
        401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(KeyRefused)
def on_key_refused(request: HttpRequest, exc: KeyRefused) -> HttpResponse:
    response = errors_response(request, [FieldError("Authorization", exc.message)], exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = "Bearer"
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _push(request: HttpRequest, kind: str, rows: list[Any]) -> HttpResponse | dict[str, int]:
    data, problems = resolve_rows(kind, rows, Account.objects.all())
    if problems:
        errors = [FieldError(f"rows[{p.index}].{p.field}", p.message) for p in problems]
        return errors_response(request, errors, 422)
    return {"rows": write_rows(kind, data)}


@api.post(
    "/usage",
    auth=KeyAuth(ApiKey.Scope.WRITE_USAGE),
    response={200: PushOut, **ERRORS},
    url_name="usage",
    summary="Push usage",
    tags=["data in"],
    openapi_extra=documented(
        f"{COMMON_422} Usage: `count` a whole number from 0 to {MAX_COUNT}; `day` not in "
        "the future.",
        {"field": "rows[0].day", "message": "must not be in the future"},
    ),
)
def push_usage(request: HttpRequest, payload: UsageIn) -> Any:
    """Insert or replace usage rows, keyed by account, day, user and feature (scope
    write_usage). The count replaces the one sent before. Up to 50,000 rows a request."""
    return _push(request, "usage", payload.rows)


@api.post(
    "/contracts",
    auth=KeyAuth(ApiKey.Scope.WRITE_CONTRACTS),
    response={200: PushOut, **ERRORS},
    url_name="contracts",
    summary="Push contracts",
    tags=["data in"],
    openapi_extra=documented(
        f"{COMMON_422} Contracts: `ends_on` after `starts_on` (the end before the start is "
        "refused), a term of at most 240 months; amounts 0 or more with at most 2 decimal "
        "places; `kind` and `value_period` one of their values; `currency` three capital "
        "letters.",
        {"field": "rows[0].ends_on", "message": "must be after starts_on"},
    ),
)
def push_contracts(request: HttpRequest, payload: ContractsIn) -> Any:
    """Insert or update contract lines, keyed by account and external id (scope
    write_contracts)."""
    return _push(request, "contracts", payload.rows)


@api.post(
    "/users",
    auth=KeyAuth(ApiKey.Scope.WRITE_USAGE),
    response={200: PushOut, **ERRORS},
    url_name="users",
    summary="Push product users",
    tags=["data in"],
    openapi_extra=documented(
        f"{COMMON_422} Users: `email`, when sent, an e-mail address.",
        {"field": "rows[0].email", "message": "must be an e-mail address"},
    ),
)
def push_users(request: HttpRequest, payload: UsersIn) -> Any:
    """Insert or update product users, keyed by account and external id (scope
    write_usage)."""
    return _push(request, "users", payload.rows)


# The API prints figures as plain decimal strings, rounded by portal.formatting as every page
# rounds them: amounts to the cent ("2000.00"), rates as percentages to one place ("98.5"),
# as the pages print them (``|rate:1``).
MONEY_PLACES = 2
PERCENT_PLACES = 1


def _money(amount: Decimal) -> str:
    return str(rounded(amount, MONEY_PLACES))


def _percent(rate: Decimal | None) -> str | None:
    return None if rate is None else str(rounded(rate * 100, PERCENT_PLACES))


@api.get(
    "/accounts/{slug}/figures",
    auth=KeyAuth(ApiKey.Scope.READ_FIGURES),
    response={200: FiguresOut, 404: ErrorsOut, **ERRORS},
    url_name="account_figures",
    summary="Read an account's figures",
    tags=["figures"],
    openapi_extra=documented(
        "`as_of` or `start` is not a date like 2026-01-31, or `start` is after `as_of`.",
        {"field": "start", "message": "must be on or before as_of"},
        not_found="No account has this slug.",
    ),
)
def account_figures(request: HttpRequest, slug: str, filters: Query[FiguresQuery]) -> Any:
    """Revenue (MRR, ARR; NRR and GRR over a period) and usage (DAU, WAU, MAU, stickiness,
    seats, feature adoption) of one account (scope read_figures)."""
    account = Account.objects.filter(slug=slug).first()
    if account is None:
        return errors_response(request, [FieldError("slug", "No such account.")], 404)
    as_of = filters.as_of or timezone.localdate()
    start = filters.start or revenue.year_before(as_of)
    if start > as_of:
        return errors_response(request, [FieldError("start", "must be on or before as_of")], 422)
    now = revenue.snapshot(account, as_of)
    period = revenue.period(account, start, as_of)
    activity = usage.latest_activity(account, as_of)
    features = usage.feature_adoption(account, activity.day) if activity else []
    return {
        "account": account.slug,
        "name": account.name,
        "as_of": as_of,
        "currency": settings.CURRENCY,
        "revenue": {"mrr": _money(now.mrr), "arr": _money(now.arr), "paying": now.mrr > 0},
        "period": {
            "start": start,
            "end": as_of,
            "starting_mrr": _money(period.starting_mrr),
            "ending_mrr": _money(period.ending_mrr),
            "expansion": _money(period.expansion),
            "contraction": _money(period.contraction),
            "churned_mrr": _money(period.churned_mrr),
            "nrr_percent": _percent(period.nrr),
            "grr_percent": _percent(period.grr),
        },
        "usage": None
        if activity is None
        else {
            "day": activity.day,
            "dau": activity.dau,
            "wau": activity.wau,
            "mau": activity.mau,
            "stickiness_percent": _percent(activity.stickiness),
            "daily_stickiness_percent": _percent(activity.daily_stickiness),
            "licensed_seats": activity.licensed_seats,
            "seat_use_percent": _percent(activity.seat_use),
        },
        "features": [
            {"feature": f.feature, "users": f.users, "adoption_percent": _percent(f.adoption)}
            for f in features
        ],
        "surveys": api_figures(account, start, as_of),
        "onboarding": _onboarding(account, as_of),
        "plan": _plan(account, as_of),
        "health": _health(account, as_of),
    }


def _health(account: Account, as_of: date) -> dict[str, Any] | None:
    score = health.latest_score(account, as_of)
    return None if score is None else {"day": score.day, "score": score.score, "band": score.band}


def _onboarding(account: Account, as_of: date) -> dict[str, Any] | None:
    checklist = Checklist.objects.filter(account=account).first()
    if checklist is None:
        return None
    figures = onboarding_summary(checklist, as_of)
    return {
        "status": figures.status,
        "required_tasks": figures.progress.total,
        "required_done": figures.progress.done,
        "progress_percent": figures.progress.percent,
        "projected_go_live": figures.projected_go_live,
        "time_to_value_days": figures.time_to_value,
    }


def _plan(account: Account, as_of: date) -> dict[str, Any] | None:
    plan = current_plan(account, as_of)
    if plan is None:
        return None
    kpis = KPI.objects.filter(objective__plan=plan, objective__internal=False).order_by(
        "objective__position", "objective__pk", "position", "pk"
    )
    return {
        "name": plan.name,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "health": plan_health_on(plan, as_of),
        "kpis": [
            {
                "name": k.name,
                "unit": k.unit,
                "baseline": k.baseline,
                "target": k.target,
                "value": k.current,
                "progress_percent": kpi_progress(k.baseline, k.target, k.current),
                "met": kpi_met(k.baseline, k.target, k.current),
            }
            for k in kpis
        ],
    }
