"""Rows of data in, as the API and the CSV import take them, and the checks on them.

Both doors share these: a row is first checked on its own (types, ranges, lengths), then
against the database and the calendar (:func:`resolve_rows`: the account exists and the
sender may write to it, usage is not dated in the future, a contract ends after it starts).
Only when every row passes is anything written, through
:func:`insights.services.ingest.write_rows`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema
from typing_extensions import TypedDict

from accounts.models import Account

MAX_COUNT = 2**31 - 1  # a PositiveIntegerField on every database
MAX_ERRORS = 200  # an error report names at most this many problems


def _printable(value: str) -> str:
    """Text a database can store: no NUL, no lone surrogates from a ``\\ud800`` in JSON."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("must be an e-mail address") from None
    return value


Slug = Annotated[
    str,
    Field(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$", examples=["acme"]),
]


Text100 = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_printable)]
Text200 = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
OptionalText200 = Annotated[str, Field(max_length=200), AfterValidator(_printable)]
Email = Annotated[str, Field(max_length=254), AfterValidator(_printable), AfterValidator(_email)]


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """A day is written 2026-01-31. Lax parsing alone would read 0 as 1970-01-01 and take
    timestamps, so anything but such a string (or a date, from Python) is refused first."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise ValueError("must be a date like 2026-01-31")
    return value


# Dates and money come as JSON strings ("2026-01-31", "1000.00"; money may also be a number);
# whole numbers must be numbers. Everything else is strict: "5" is not a count and true is not
# a number.
Day = Annotated[date, BeforeValidator(_iso_day), Field(strict=False)]
Money = Annotated[
    Decimal,
    Field(strict=False, ge=0, max_digits=14, decimal_places=2, examples=["1000.00"]),
]


# The usage rows come by the 50,000: their checks are all done inside pydantic-core (patterns,
# lengths, a chain from string to date), with no Python function called per row, and they are
# validated into plain dicts, not models. The rules are the same as the other rows'.
NO_NUL = r"^[^\x00]*$"
ISO_DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


class _IsoDay:
    """A day written 2026-01-31 and nothing else (not 0, not a timestamp), as :data:`Day`."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.custom_error_schema(
            core_schema.chain_schema(
                [
                    core_schema.str_schema(pattern=ISO_DAY_PATTERN, strict=True),
                    core_schema.date_schema(strict=False),
                ]
            ),
            custom_error_type="date_type",  # pydantic's own "not a date": one message
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date"}


class UsageRow(TypedDict):
    """How often one user used one feature on one day. Sending the same account, user, day
    and feature again replaces the count."""

    __pydantic_config__ = ConfigDict(  # type: ignore[misc]
        strict=True, extra="forbid", str_strip_whitespace=True
    )

    account: Annotated[Slug, Field(description="The account's slug.")]
    user: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            pattern=NO_NUL,
            description="The product user's external id or e-mail.",
        ),
    ]
    day: Annotated[date, _IsoDay, Field(description="The day of use; not in the future.")]
    feature: Annotated[
        str,
        Field(
            min_length=1, max_length=100, pattern=NO_NUL, description="The feature or event name."
        ),
    ]
    count: Annotated[int, Field(ge=0, le=MAX_COUNT, description="How many times, 0 or more.")]


USAGE_ROW = TypeAdapter(UsageRow)


class Row(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)


class ContractRow(Row):
    """A contract line, upserted by account and external id."""

    account: Slug = Field(description="The account's slug.")
    external_id: Text100 = Field(description="Your id for the contract line.")
    product: OptionalText200 = Field(default="", description="Product or plan.")
    kind: Literal["new", "renewal", "expansion", "contraction"] = "new"
    starts_on: Day = Field(description="First day of the term.")
    ends_on: Day = Field(description="The day after the term (exclusive); after starts_on.")
    recurring_value: Money = Field(description="Recurring value, for the term or per month.")
    value_period: Literal["total", "month"] = Field(
        default="total", description="Whether recurring_value is for the whole term or a month."
    )
    term_months: int | None = Field(
        default=None,
        ge=1,
        le=240,
        description="Months in the term; by default the months from starts_on to ends_on "
        "(a part month counts as one).",
    )
    one_off_fees: Money = Field(default=Decimal(0), description="Never counted as recurring.")
    currency: str = Field(
        default_factory=lambda: settings.CURRENCY,
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code; by default the portal's currency.",
    )


class UserRow(Row):
    """A person who uses the product, upserted by account and external id."""

    account: Slug = Field(description="The account's slug.")
    external_id: Text200 = Field(description="Your id for the user.")
    email: Email = ""
    name: OptionalText200 = ""


def validate_row(kind: str, data: dict[str, Any], *, strict: bool) -> Any:
    """One row checked on its own (``kind`` is usage, contracts or users): a dict for usage,
    a model for the others. Raises pydantic's ValidationError."""
    if kind == "usage":
        return USAGE_ROW.validate_python(data, strict=strict)
    return ROW_MODELS[kind].model_validate(data, strict=strict)


ROW_MODELS: dict[str, type[Row]] = {"contracts": ContractRow, "users": UserRow}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def field_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``("rows", 3, "count")`` -> ``rows[3].count``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "body"


def message(error: Any) -> str:
    """A short message for one pydantic error, in the words of the error report (and in the
    reader's language: the import page's; the API's, English unless the request asks)."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return gettext("is required")
    if kind == "extra_forbidden":
        return gettext("is not a known field")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤"}
        bound = next(iter(ctx.values()), "")
        return gettext("must be %(sign)s %(bound)s") % {"sign": sign.get(kind, "<"), "bound": bound}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        return gettext("must not contain NUL characters")
    if kind == "string_unicode":
        return gettext("must be valid Unicode text")
    if kind.startswith("int_"):
        return gettext("must be a whole number")
    if kind.startswith("date_"):
        return gettext("must be a date like 2026-01-31")
    if kind.startswith("decimal_max_places"):
        return gettext("must have at most 2 decimal places")
    if kind.startswith("decimal_") or kind.startswith("float_"):
        return gettext("must be a number like 1000.00")
    if kind == "string_too_short":
        return gettext("must not be empty")
    if kind == "string_too_long":
        return gettext("must be at most %(count)s characters") % {"count": ctx.get("max_length")}
    if kind == "literal_error":
        return gettext("must be one of %(values)s") % {"values": ctx.get("expected", "")}
    if kind == "string_pattern_mismatch":
        return gettext("has characters that are not allowed here")
    if kind.startswith("string_"):
        return gettext("must be text")
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "is not valid")))
    return str(error.get("msg", "is not valid"))


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``; a part month counts as one."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months + 1 if end.day > start.day else max(months, 1)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one field of the row at ``index``."""

    index: int
    field: str
    message: str


def resolve_rows(
    kind: str, rows: list[Any], accounts: QuerySet[Account]
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Check ``rows`` against the database and the calendar; return them as
    :mod:`insights.services.ingest` takes them, or the problems. ``accounts`` are those the sender may
    write to: an account outside them is reported as unknown, as one that does not exist."""
    if kind == "usage":
        return _resolve_usage(rows, accounts)
    slugs = {row.account for row in rows}
    ids = dict(accounts.filter(slug__in=slugs).values_list("slug", "pk"))
    today = timezone.localdate()
    out: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    for i, row in enumerate(rows):
        data = row.model_dump()
        account_id = ids.get(data.pop("account"))
        if account_id is None:
            problems.append(RowProblem(i, "account", "is not an account you may write to"))
        if kind == "usage":
            if data["day"] > today:
                problems.append(RowProblem(i, "day", "must not be in the future"))
            data["user_key"] = data.pop("user")
        elif kind == "contracts":
            if data["ends_on"] <= data["starts_on"]:
                problems.append(RowProblem(i, "ends_on", "must be after starts_on"))
            elif data["term_months"] is None:
                term = months_between(data["starts_on"], data["ends_on"])
                data["term_months"] = term
                if term > 240:
                    problems.append(RowProblem(i, "ends_on", "the term must be at most 240 months"))
        data["account_id"] = account_id
        out.append(data)
        if len(problems) >= MAX_ERRORS:
            break
    return out, problems


def _resolve_usage(
    rows: list[UsageRow], accounts: QuerySet[Account]
) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """:func:`resolve_rows` for usage rows (dicts from :data:`USAGE_ROW`), in one pass that
    does no more than it must per row: a push may hold 50,000."""
    ids = dict(accounts.filter(slug__in={row["account"] for row in rows}).values_list("slug", "pk"))
    today = timezone.localdate()
    out: list[dict[str, Any]] = []
    problems: list[RowProblem] = []
    append = out.append
    for row in rows:
        account_id = ids.get(row["account"])
        day = row["day"]
        if account_id is None or day > today:
            break
        append(
            {
                "account_id": account_id,
                "user_key": row["user"],
                "day": day,
                "feature": row["feature"],
                "count": row["count"],
            }
        )
    else:
        return out, problems
    for i in range(len(out), len(rows)):  # the slow way from the first bad row on
        row = rows[i]
        account_id = ids.get(row["account"])
        if account_id is None:
            problems.append(RowProblem(i, "account", "is not an account you may write to"))
        if row["day"] > today:
            problems.append(RowProblem(i, "day", "must not be in the future"))
        if len(problems) >= MAX_ERRORS:
            break
    return [], problems
