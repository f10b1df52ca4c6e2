"""The REST API under ``/api/v1/``: integrations push contracts, usage and users, and read an
account's figures. The schema is served at ``/api/v1/openapi.json`` and described, for people,
at ``/api/v1/docs``.

Every request names its key in ``Authorization: Bearer <key>``. A push is checked whole before
anything is written, and then written in one transaction: a request with one bad row writes
nothing. Errors are JSON naming the field: ``{"errors": [{"field": "rows[3].count",
"message": "must be ≥ 0"}]}``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import HttpBearer
from pydantic import Field

from accounts.models import Account
from surveys.figures import SurveyFiguresOut, api_figures

from . import revenue, usage
from .api_keys import KeyRefused, authenticate
from .api_schemas import (
    MAX_ERRORS,
    ContractRow,
    FieldError,
    UsageRow,
    UserRow,
    field_path,
    message,
    resolve_rows,
    write_rows,
)
from .models import ApiKey

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
    mrr: str = Field(description="Monthly recurring revenue on as_of, rounded to cents.")
    arr: str
    paying: bool


class PeriodOut(Schema):
    start: date
    end: date
    starting_mrr: str
    ending_mrr: str
    expansion: str
    contraction: str
    churned_mrr: str
    nrr_percent: str | None = Field(description="Net revenue retention; null: no data.")
    grr_percent: str | None = Field(description="Gross revenue retention; null: no data.")


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
    revenue: RevenueOut
    period: PeriodOut
    usage: UsageOut | None = Field(description="From the newest daily roll-up; null: none yet.")
    features: list[FeatureOut]
    surveys: SurveyFiguresOut = Field(description="NPS, CSAT and CES answered in the period.")


class FiguresQuery(Schema):
    as_of: date | None = Field(default=None, description="Default: today.")
    start: date | None = Field(
        default=None, description="Start of the period for NRR and GRR; default: a year before."
    )


class ApiDocs(DocsBase):
    """Our own docs page, rendered on the server from the schema: no third-party script, and
    it passes the portal's Content-Security-Policy as every other page does."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(request, "insights/api_docs.html", docs_context(schema))


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
)
def push_users(request: HttpRequest, payload: UsersIn) -> Any:
    """Insert or update product users, keyed by account and external id (scope
    write_usage)."""
    return _push(request, "users", payload.rows)


def _money(value: Any) -> str:
    return str(revenue.money(value))


def _percent(rate: Any) -> str | None:
    shown = revenue.percent(rate)
    return None if shown is None else str(shown)


@api.get(
    "/accounts/{slug}/figures",
    auth=KeyAuth(ApiKey.Scope.READ_FIGURES),
    response={200: FiguresOut, 404: ErrorsOut, **ERRORS},
    url_name="account_figures",
    summary="Read an account's figures",
    tags=["figures"],
)
def account_figures(request: HttpRequest, slug: str, filters: Query[FiguresQuery]) -> Any:
    """Revenue (MRR, ARR; NRR and GRR over a period) and usage (DAU, WAU, MAU, stickiness,
    seats, feature adoption) of one account (scope read_figures)."""
    account = Account.objects.filter(slug=slug).first()
    if account is None:
        return errors_response(request, [FieldError("slug", "No such account.")], 404)
    as_of = filters.as_of or timezone.localdate()
    start = filters.start or as_of - timedelta(days=365)
    if start > as_of:
        return errors_response(request, [FieldError("start", "must be before as_of")], 422)
    now = revenue.snapshot(account, as_of)
    period = revenue.period(account, start, as_of)
    activity = usage.latest_activity(account, as_of)
    features = usage.feature_adoption(account, activity.day) if activity else []
    return {
        "account": account.slug,
        "name": account.name,
        "as_of": as_of,
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
    }


# The docs page -------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return schema["components"]["schemas"][name] | {"title": name}
    return node


def _type_label(schema: dict[str, Any], node: dict[str, Any]) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in node:
        return " or ".join(_type_label(schema, n) for n in node["anyOf"])
    if "enum" in node:
        return " | ".join(f'"{v}"' for v in node["enum"])
    if "const" in node:
        return f'"{node["const"]}"'
    if node.get("type") == "array":
        return f"list of {_type_label(schema, node.get('items', {}))}"
    label = node.get("format") or node.get("type") or "any"
    return "null" if label == "null" else label


def _fields(schema: dict[str, Any], model: dict[str, Any]) -> list[dict[str, Any]]:
    model = _resolve(schema, model)
    required = set(model.get("required", []))
    return [
        {
            "name": name,
            "type": _type_label(schema, prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "default": prop.get("default"),
        }
        for name, prop in model.get("properties", {}).items()
    ]


def docs_context(schema: dict[str, Any]) -> dict[str, Any]:
    """Endpoints and the fields of their bodies, from the OpenAPI schema, for the docs page."""
    endpoints = []
    models: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "type": _type_label(schema, p.get("schema", {})),
                    "required": p.get("required", False),
                    "description": p.get("description", "")
                    or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": _type_label(schema, body["schema"]) if body else "",
                    "responses": sorted(op.get("responses", {})),
                    "slug": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                }
            )
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        models[name] = _fields(schema, model)
    return {"endpoints": endpoints, "models": sorted(models.items())}
