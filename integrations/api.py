"""``/api/v1/webhooks``: webhook endpoints managed over the REST API (scope
``manage_webhooks``), and every event type's payload schema in the API document's
``webhooks`` section (OpenAPI 3.1).

The API belongs to insights, which knows nothing of this app: :func:`register` adds this
router to it when the app is ready, before the URLs are made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import AfterValidator, Field

from insights.api import ERRORS, ErrorsOut, KeyAuth, api, documented, errors_response
from insights.api_schemas import FieldError
from insights.models import ApiKey

from .models import WebhookEndpoint
from .services.webhooks import (
    WebhookRefused,
    create_endpoint,
    delete_endpoint,
    update_endpoint,
)
from .webhook_events import openapi_webhooks

router = Router(auth=KeyAuth(ApiKey.Scope.MANAGE_WEBHOOKS), tags=["webhooks"])

TYPES_HELP = (
    "Dotted event types, e.g. task.completed; each one's payload is in this document's "
    "`webhooks` section."
)


def _storable(value: str) -> str:
    """Text the database can store: no NUL, no lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


Url = Annotated[
    str,
    Field(min_length=1, max_length=500, description="Where events are POSTed: an https URL."),
    AfterValidator(_storable),
]
TypeName = Annotated[str, Field(max_length=60)]
TypeNames = Annotated[
    list[TypeName],
    Field(min_length=1, max_length=100, description=TYPES_HELP, examples=[["task.completed"]]),
]
Description = Annotated[str, Field(max_length=200), AfterValidator(_storable)]


class EndpointIn(Schema):
    url: Url
    event_types: TypeNames
    active: bool = True
    description: Description = ""


class EndpointPatch(Schema):
    url: Url | None = None
    event_types: TypeNames | None = None
    active: bool | None = None
    description: Description | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    active: bool
    created_at: datetime
    disabled_at: datetime | None = Field(
        description="Set when the portal turned it off after a day of failed deliveries."
    )
    disabled_reason: str
    last_attempt_at: datetime | None
    last_status_code: int | None


class EndpointSecretOut(EndpointOut):
    secret: str = Field(
        description="The whsec_ signing secret, for the receiver's Standard Webhooks library."
    )


REFUSED_422 = (
    "`url` must be an https URL (in production, to a public address); each of "
    "`event_types` one of the types in the `webhooks` section; text without NUL characters."
)
ID_422 = "`endpoint_id` is not a whole number."
ID_EXAMPLE = {"field": "endpoint_id", "message": "Input should be a valid integer"}


def _refused(request: HttpRequest, error: WebhookRefused) -> HttpResponse:
    return errors_response(request, [FieldError(error.field, error.message)], 422)


def _not_found(request: HttpRequest) -> HttpResponse:
    return errors_response(
        request, [FieldError("endpoint_id", "No webhook endpoint has this id.")], 404
    )


def _acting_user(request: HttpRequest) -> Any:
    return request.auth.key.created_by  # type: ignore[attr-defined]


@router.get(
    "",
    response={200: list[EndpointOut], **ERRORS},
    url_name="webhooks",
    summary="List webhook endpoints",
    openapi_extra=documented(
        "Not given by this operation (there is nothing to get wrong).",
        {"field": "", "message": "—"},
    ),
)
def list_endpoints(request: HttpRequest) -> Any:
    """Every webhook endpoint, newest first (scope manage_webhooks)."""
    return list(WebhookEndpoint.objects.all())


@router.post(
    "",
    response={201: EndpointSecretOut, **ERRORS},
    url_name="webhooks",
    summary="Add a webhook endpoint",
    openapi_extra=documented(
        REFUSED_422, {"field": "event_types[0]", "message": "“task.done” is not an event type."}
    ),
)
def add_endpoint(request: HttpRequest, payload: EndpointIn) -> Any:
    """Add an endpoint; the answer carries its signing secret (scope manage_webhooks)."""
    try:
        endpoint = create_endpoint(
            url=payload.url,
            event_types=payload.event_types,
            active=payload.active,
            description=payload.description,
            acting_user=_acting_user(request),
        )
    except WebhookRefused as error:
        return _refused(request, error)
    return Status(201, endpoint)


@router.get(
    "/{endpoint_id}",
    response={200: EndpointSecretOut, 404: ErrorsOut, **ERRORS},
    url_name="webhook",
    summary="Read a webhook endpoint",
    openapi_extra=documented(ID_422, ID_EXAMPLE, not_found="No endpoint has this id."),
)
def read_endpoint(request: HttpRequest, endpoint_id: int) -> Any:
    """One endpoint, with its signing secret (scope manage_webhooks)."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    return _not_found(request) if endpoint is None else endpoint


@router.patch(
    "/{endpoint_id}",
    response={200: EndpointOut, 404: ErrorsOut, **ERRORS},
    url_name="webhook",
    summary="Change a webhook endpoint",
    openapi_extra=documented(
        REFUSED_422,
        {"field": "event_types[0]", "message": "“task.done” is not an event type."},
        not_found="No endpoint has this id.",
    ),
)
def change_endpoint(request: HttpRequest, endpoint_id: int, payload: EndpointPatch) -> Any:
    """Change the fields sent; the others stay (scope manage_webhooks). Turning an endpoint
    the portal disabled on again sends what waited for it."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return _not_found(request)
    try:
        return update_endpoint(
            endpoint,
            url=payload.url if payload.url is not None else endpoint.url,
            event_types=(
                payload.event_types if payload.event_types is not None else endpoint.event_types
            ),
            active=payload.active if payload.active is not None else endpoint.active,
            description=(
                payload.description if payload.description is not None else endpoint.description
            ),
            acting_user=_acting_user(request),
        )
    except WebhookRefused as error:
        return _refused(request, error)


@router.delete(
    "/{endpoint_id}",
    response={204: None, 404: ErrorsOut, **ERRORS},
    url_name="webhook",
    summary="Remove a webhook endpoint",
    openapi_extra=documented(ID_422, ID_EXAMPLE, not_found="No endpoint has this id."),
)
def remove_endpoint(request: HttpRequest, endpoint_id: int) -> Any:
    """Remove an endpoint and its delivery history (scope manage_webhooks)."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return _not_found(request)
    delete_endpoint(endpoint, acting_user=_acting_user(request))
    return Status(204, None)


def register() -> None:
    """Add the router and the event schemas to the API (once, at app ready)."""
    if getattr(api, "_webhooks_registered", False):
        return
    api.add_router("/webhooks", router)
    api.openapi_extra.setdefault("webhooks", {}).update(openapi_webhooks())
    api._webhooks_registered = True  # type: ignore[attr-defined]
