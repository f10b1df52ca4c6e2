"""CSV import of contracts and usage in the CSM console: upload, preview, confirm.

The file is checked whole on upload (columns, encoding, every row, and that each account is in
the importer's portfolio); a file with one bad row imports nothing and answers with a report,
line by line. A good file is kept in the importer's session under a random id until they
confirm; confirming checks it again (the portfolio may have changed) and writes every row in one
transaction through :func:`insights.services.ingest.write_rows`, the same path as the API.

The session, not the file storage, because sessions are rows in the database: on several web
machines the confirmation finds the file whichever machine it reaches, and the file goes with
the session (confirmed, replaced by the next upload, or left to expire with it) without a sweep
of its own. It is bounded by ``IMPORT_MAX_BYTES`` and ``KEEP_SECONDS``.

What was imported is remembered in the session under the same id, so that a confirmation sent
again (Back, then Confirm) is told the file is already in and shown the result, instead of a
"not found".
"""

from __future__ import annotations

import csv
import io
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from pydantic import ValidationError

from accounts.activity import record
from accounts.models import Account, User

from ..api_schemas import MAX_ERRORS, message, resolve_rows, validate_row
from .ingest import write_rows

PREVIEW_ROWS = 10
SESSION_KEY = "insights_import"
DONE_SESSION_KEY = "insights_imported"
KEEP_SECONDS = 60 * 60  # an upload not confirmed within the hour must be uploaded again
KEEP_DONE = 5  # how many finished imports a session remembers

COLUMNS: dict[str, tuple[list[str], list[str]]] = {
    # kind: (required columns, optional columns)
    "usage": (["account", "user", "day", "feature", "count"], []),
    "contracts": (
        ["account", "external_id", "starts_on", "ends_on", "recurring_value"],
        ["product", "kind", "value_period", "term_months", "one_off_fees", "currency"],
    ),
}
KIND_LABELS = {"usage": gettext_lazy("Usage"), "contracts": gettext_lazy("Contracts")}
# The activity verbs, one a kind: a verb holds no data.
IMPORTED_VERBS = {
    "usage": gettext_noop("imported usage from a CSV file"),
    "contracts": gettext_noop("imported contracts from a CSV file"),
}


@dataclass(frozen=True)
class LineError:
    """One problem in the file: its line (1 is the header; 0 the whole file)."""

    line: int
    column: str
    message: str


@dataclass
class Checked:
    """A file, read and checked."""

    kind: str
    header: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # as write_rows takes them
    sample: list[list[str]] = field(default_factory=list)  # the first rows, as written
    errors: list[LineError] = field(default_factory=list)
    accounts: dict[int, int] = field(default_factory=dict)  # account id -> rows

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def row_count(self) -> int:
        return len(self.rows)


def decode(raw: bytes) -> tuple[str | None, LineError | None]:
    """The file's text, or where it stops being UTF-8."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, LineError(
            line, "", gettext("is not UTF-8 text: save the file as “CSV UTF-8” and upload it again")
        )


def _check_header(kind: str, header: list[str]) -> list[LineError]:
    required, optional = COLUMNS[kind]
    errors = []
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in required + optional]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        errors.append(
            LineError(
                1, "", gettext("missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
            )
        )
    if unknown:
        expected = ", ".join(required + optional)
        errors.append(
            LineError(
                1,
                "",
                gettext("unknown column(s): %(columns)s (expected: %(expected)s)")
                % {"columns": ", ".join(unknown), "expected": expected},
            )
        )
    if repeated:
        errors.append(
            LineError(
                1, "", gettext("repeated column(s): %(columns)s") % {"columns": ", ".join(repeated)}
            )
        )
    return errors


def check(kind: str, text: str, accounts: QuerySet[Account]) -> Checked:
    """Read ``text`` as a CSV of ``kind`` and check every row; ``accounts`` are those the
    importer may write to."""
    result = Checked(kind=kind)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as error:
        result.errors.append(
            LineError(1, "", gettext("is not valid CSV (%(error)s)") % {"error": error})
        )
        return result
    if not any(header):
        result.errors.append(LineError(0, "", gettext("The file is empty: it needs a header row.")))
        return result
    result.header = header
    result.errors.extend(_check_header(kind, header))
    if result.errors:
        return result
    _, optional = COLUMNS[kind]
    valid: list[Any] = []
    lines: list[int] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue  # blank lines are not rows
            line = reader.line_num
            if len(result.sample) < PREVIEW_ROWS:
                result.sample.append(values)
            if len(values) != len(header):
                result.errors.append(
                    LineError(
                        line,
                        "",
                        gettext("has %(values)s values; the header has %(columns)s")
                        % {"values": len(values), "columns": len(header)},
                    )
                )
                continue
            data = {
                name: value.strip()
                for name, value in zip(header, values, strict=True)
                if not (name in optional and not value.strip())
            }
            try:
                valid.append(validate_row(kind, data, strict=False))
                lines.append(line)
            except ValidationError as error:
                for e in error.errors():
                    column = str(e["loc"][0]) if e["loc"] else ""
                    result.errors.append(LineError(line, column, message(e)))
            if len(result.errors) >= MAX_ERRORS:
                return result
    except csv.Error as error:
        result.errors.append(
            LineError(
                reader.line_num, "", gettext("is not valid CSV (%(error)s)") % {"error": error}
            )
        )
        return result
    if not valid and not result.errors:
        result.errors.append(LineError(0, "", gettext("The file has a header but no rows.")))
        return result
    rows, problems = resolve_rows(kind, valid, accounts)
    result.errors.extend(LineError(lines[p.index], p.field, p.message) for p in problems)
    result.errors.sort(key=lambda e: e.line)
    result.rows = rows
    for row in rows:
        result.accounts[row["account_id"]] = result.accounts.get(row["account_id"], 0) + 1
    return result


# Between preview and confirm ---------------------------------------------------------------


def stash(session: SessionBase, *, kind: str, name: str, text: str) -> str:
    """Keep a checked file for its confirmation; returns the id the confirm form names."""
    token = secrets.token_urlsafe(16)
    session[SESSION_KEY] = {
        "token": token,
        "kind": kind,
        "name": name,
        "text": text,
        "at": time.time(),
    }
    return token


def unstash(session: SessionBase, token: str) -> dict[str, Any] | None:
    """The file kept under ``token`` in this session, if it is there and not too old."""
    kept = session.get(SESSION_KEY)
    if (
        not kept
        or not secrets.compare_digest(str(kept.get("token", "")), token)
        or time.time() - kept.get("at", 0) > KEEP_SECONDS
    ):
        return None
    return kept


def forget(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def import_rows(checked: Checked, *, acting_user: User, file_name: str) -> int:
    """Write every row of a checked file, all or nothing, and log it on each account."""
    assert checked.ok  # callers import only what passed the check
    with transaction.atomic():
        written = write_rows(checked.kind, checked.rows)
        accounts = Account.objects.in_bulk(list(checked.accounts))
        for account_id, count in checked.accounts.items():
            record(
                IMPORTED_VERBS[checked.kind],
                actor=acting_user,
                account=accounts[account_id],
                after={"file": file_name[:200], "rows": count},
                internal=True,
            )
    return written


# After the confirmation ----------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """A file that went in: what the result page and a repeated confirmation show."""

    token: str
    kind: str
    name: str
    rows: int
    accounts: list[tuple[int, int]]  # (account id, rows), in the file's order
    at: float

    @property
    def imported_at(self) -> datetime:
        return datetime.fromtimestamp(self.at, tz=UTC)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


def remember(session: SessionBase, imported: Imported) -> None:
    """Keep ``imported`` in the session (the last few imports), under its upload's id."""
    done = [d for d in session.get(DONE_SESSION_KEY, []) if d.get("token") != imported.token]
    entry = {
        "token": imported.token,
        "kind": imported.kind,
        "name": imported.name,
        "rows": imported.rows,
        "accounts": [list(pair) for pair in imported.accounts],
        "at": imported.at,
    }
    session[DONE_SESSION_KEY] = [entry, *done][:KEEP_DONE]


def imported(session: SessionBase, token: str) -> Imported | None:
    """The import this session confirmed under ``token``, if it remembers it."""
    for entry in session.get(DONE_SESSION_KEY, []):
        if secrets.compare_digest(str(entry.get("token", "")), token):
            return Imported(
                token=entry["token"],
                kind=entry["kind"],
                name=entry["name"],
                rows=entry["rows"],
                accounts=[(int(a), int(n)) for a, n in entry["accounts"]],
                at=entry["at"],
            )
    return None


@dataclass(frozen=True)
class Confirmation:
    """What confirming an upload came to: imported now, imported before (``already``), or
    refused on the second check (``refused``, with the file's ``name``)."""

    imported: Imported | None = None
    already: bool = False
    refused: Checked | None = None
    name: str = ""


def confirm_import(
    session: SessionBase, token: str, accounts: QuerySet[Account], *, acting_user: User
) -> Confirmation | None:
    """Import the upload waiting under ``token``, checked again against ``accounts`` (those
    the importer may write to now). None when nothing waits under it (never uploaded in this
    session, or too old); a file already imported is not imported twice."""
    done = imported(session, token)
    if done is not None:
        return Confirmation(imported=done, already=True)
    kept = unstash(session, token)
    if kept is None:
        return None
    checked = check(kept["kind"], kept["text"], accounts)
    forget(session)
    if not checked.ok:  # the portfolio changed since the preview
        return Confirmation(refused=checked, name=kept["name"])
    written = import_rows(checked, acting_user=acting_user, file_name=kept["name"])
    done = Imported(
        token=token,
        kind=checked.kind,
        name=kept["name"],
        rows=written,
        accounts=list(checked.accounts.items()),
        at=time.time(),
    )
    remember(session, done)
    return Confirmation(imported=done)
