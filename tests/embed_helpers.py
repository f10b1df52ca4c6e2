"""The embedded hub in tests: a configured secret and origins, signed tokens, factories, and
its rows of the URL x role access matrix.

tests/test_access_matrix.py takes everything from here::

    EXPECTED.update(EMBED_EXPECTED)
    # in matrix_world:   ctx["embed"] = make_embed_world(world)
    # in url_and_data:   **embed_url_args(ctx["embed"], slug),
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import factory
import jwt
from django.conf import settings
from django.utils import timezone

from accounts.models import Account, User
from integrations.models import EmbedAccountId, EmbedSettings, seal
from tests.conftest import World

PARENT_ORIGIN = "http://127.0.0.1:8765"
SECRET = "emb_test-secret-for-the-embedded-hub-0123456789abcdef"

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
POST_ONLY = [405] * 8

EMBED_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    # The entry takes a token, not a log-in: without one it is refused the same for everyone.
    "embed_entry": ([403] * 8, None),
    "embed_console": (ADMIN_READ, None),
    "embed_secret_rotate": (POST_ONLY, ADMIN_WRITE),
    "embed_secret_end_previous": (POST_ONLY, ADMIN_WRITE),
    "embed_options": (POST_ONLY, ADMIN_WRITE),
    "embed_account_id_add": (POST_ONLY, ADMIN_WRITE),
    "embed_account_id_remove": (POST_ONLY, ADMIN_WRITE),
}


class EmbedSettingsFactory(factory.django.DjangoModelFactory[EmbedSettings]):
    """The one settings row, with :data:`SECRET` and :data:`PARENT_ORIGIN` allowed."""

    class Meta:
        model = EmbedSettings
        django_get_or_create = ("id",)

    id = EmbedSettings.SINGLETON_PK
    secret_sealed = factory.LazyFunction(lambda: seal(SECRET))
    secret_hint = SECRET[:8]
    secret_created_at = factory.LazyFunction(timezone.now)
    allowed_origins = factory.LazyFunction(lambda: [PARENT_ORIGIN])


class EmbedAccountIdFactory(factory.django.DjangoModelFactory[EmbedAccountId]):
    class Meta:
        model = EmbedAccountId

    external_id = factory.Sequence(lambda n: f"org_{n:04d}")


def sign(
    *, sub: str, account: str, secret: str = SECRET, lifetime: int = 120, **claims: Any
) -> str:
    """A token as the vendor's backend makes it."""
    payload: dict[str, Any] = {
        "sub": sub,
        "account": account,
        "aud": settings.EMBED_AUDIENCE,
        "exp": int((timezone.now() + timedelta(seconds=lifetime)).timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, "HS256")


def token_for(user: User, account: Account, **claims: Any) -> str:
    return sign(sub=user.email, account=account.slug, **claims)


def make_embed_world(world: World) -> dict[str, Any]:
    """Embedding set up (with a rotated-out secret still valid), and account A's product id."""
    EmbedSettingsFactory.create(
        previous_secret_sealed=seal("emb_previous-secret-0123456789abcdefghijkl"),
        previous_secret_hint="emb_prev",
        previous_valid_until=timezone.now() + timedelta(hours=3),
    )
    link = EmbedAccountIdFactory.create(account=world.account, external_id="org_acme")
    return {"link": link}


def embed_url_args(ctx: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    return {
        "embed_entry": ([], {}),
        "embed_console": ([], {}),
        "embed_secret_rotate": ([], {}),
        "embed_secret_end_previous": ([], {}),
        "embed_options": (
            [],
            {"allowed_origins": "https://app.vendor.example\nhttp://127.0.0.1:9000"},
        ),
        "embed_account_id_add": ([], {"account": ctx["link"].account_id, "external_id": "org_9"}),
        "embed_account_id_remove": ([ctx["link"].pk], {}),
    }
