"""API keys: issued and revoked by a CS admin, checked on every API request.

A key reads ``cp_<prefix>_<secret>``. The prefix finds the row; the whole key's hash is
compared in constant time. Each key has its own rate limit (``API_RATE_LIMIT`` requests a
minute, counted in the cache) and remembers when it was last used, written at most once a
minute so that a busy integration does not write on every request.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.activity import record
from accounts.models import User

from ..models import ApiKey

DEFAULT_RATE_LIMIT = 600  # requests per key per minute
LAST_USED_EVERY = timedelta(minutes=1)


class KeyRefused(Exception):
    """A request's key cannot be used: the answer's status and a message for the caller."""

    def __init__(self, status: int, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


# Issuing and revoking ------------------------------------------------------------------------


def issue_key(*, name: str, scopes: list[str], acting_user: User) -> tuple[ApiKey, str]:
    """Make a key; the secret is returned once, to be shown once."""
    with transaction.atomic():
        key, secret = ApiKey.issue(name=name, scopes=scopes, created_by=acting_user)
        record(
            gettext_noop("created an API key"),
            actor=acting_user,
            target=key,
            after={"name": key.name, "scopes": key.scopes},
            internal=True,
        )
    return key, secret


def revoke_key(key: ApiKey, *, acting_user: User) -> bool:
    """Revoke ``key`` from now on; False when it already was."""
    with transaction.atomic():
        changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            key.refresh_from_db(fields=["revoked_at"])
            record(gettext_noop("revoked an API key"), actor=acting_user, target=key, internal=True)
    return bool(changed)


# Checking a request's key ------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """The integration behind a request."""

    key: ApiKey

    def has(self, scope: str) -> bool:
        return scope in self.key.scopes


def key_for_secret(secret: str) -> ApiKey:
    """The live key whose secret this is; :class:`KeyRefused` (401) otherwise."""
    parts = secret.split("_", 2)
    prefix = parts[1] if len(parts) == 3 and parts[0] == "cp" else ""
    key = ApiKey.objects.filter(prefix=prefix).first() if prefix else None
    # Hash even when no row matched, so that the time taken does not tell prefixes apart.
    given = ApiKey.hash(secret)
    if key is None or not hmac.compare_digest(key.key_hash, given):
        raise KeyRefused(401, "The API key is not valid.")
    if key.revoked_at is not None:
        raise KeyRefused(401, "The API key was revoked.")
    return key


def check_rate(key: ApiKey) -> None:
    """Count this request against the key's limit for the current minute."""
    limit = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    now = time.time()
    window = int(now // 60)
    counter = f"insights:api-rate:{key.pk}:{window}"
    cache.add(counter, 0, timeout=120)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=120)
        used = 1
    if used > limit:
        raise KeyRefused(
            429,
            f"Too many requests: this key may make {limit} a minute.",
            retry_after=max(1, 60 - int(now % 60)),
        )


def note_use(key: ApiKey) -> None:
    """Set ``last_used_at``, at most once a minute."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_EVERY:
        return
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_EVERY)
    ).update(last_used_at=now)


def authenticate(secret: str, scope: str) -> Caller:
    """The caller with ``secret``, allowed ``scope``: 401, 403 or 429 otherwise."""
    key = key_for_secret(secret)
    check_rate(key)
    note_use(key)
    caller = Caller(key)
    if not caller.has(scope):
        raise KeyRefused(403, f"This API key does not have the {scope} scope.")
    return caller
