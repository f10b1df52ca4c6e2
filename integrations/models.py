"""The portal where people already work: the hub embedded in the vendor's product, outbound
webhooks, chat notifications and calendar feeds.

Other apps never import this one: it listens to :data:`playbooks.events.events_recorded` (every
event the portal records, after commit) and reads the features through their figures.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from typing import ClassVar

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account

# ---------------------------------------------------------------------------------------------
# The embedded hub: the vendor's product frames the portal with a signed token.
# ---------------------------------------------------------------------------------------------


def _fernet_for(key: str) -> Fernet:
    digest = hashlib.sha256(f"integrations.embed-secret:{key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _fernet() -> MultiFernet:
    """Encrypts the embed secrets at rest under a key derived from ``SECRET_KEY`` (the
    fallbacks still decrypt, so rotating ``SECRET_KEY`` the documented way keeps embedding up)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The secret, or None if it cannot be read (none stored, or ``SECRET_KEY`` changed)."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


class EmbedSettings(models.Model):
    """How the vendor's product may frame the hub: one row (pk 1).

    The server needs the secret itself to check an HS256 signature, so it is kept encrypted,
    and shown to the CS admin once, when made. A rotated-out secret stays valid until
    ``previous_valid_until``, so the vendor's backend can switch without downtime.
    """

    SINGLETON_PK: ClassVar[int] = 1

    secret_sealed = models.TextField(blank=True)
    secret_hint = models.CharField(
        max_length=12, blank=True, help_text="The secret's first few characters."
    )
    secret_created_at = models.DateTimeField(null=True, blank=True)
    previous_secret_sealed = models.TextField(blank=True)
    previous_secret_hint = models.CharField(max_length=12, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    allowed_origins = models.JSONField(
        default=list, blank=True, help_text="Origins (scheme://host[:port]) that may frame the hub."
    )
    trust_role_claim = models.BooleanField(
        default=False,
        help_text="On a person's first visit, give them the role the token names (champion, "
        "executive or member). Off: everyone new joins as a member.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "embed settings"
        verbose_name_plural = "embed settings"

    def __str__(self) -> str:
        return "Embed settings"

    @property
    def activity_label(self) -> str:
        return "the embedded hub"

    @classmethod
    def load(cls) -> EmbedSettings:
        found = cls.objects.filter(pk=cls.SINGLETON_PK).first()
        return found if found is not None else cls(pk=cls.SINGLETON_PK)

    @staticmethod
    def new_secret() -> str:
        return f"emb_{secrets.token_urlsafe(40)}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_sealed)

    @property
    def is_ready(self) -> bool:
        return self.has_secret and bool(self.allowed_origins)

    def previous_is_valid(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return (
            bool(self.previous_secret_sealed)
            and self.previous_valid_until is not None
            and self.previous_valid_until > moment  # type: ignore[operator]
        )

    def verification_secrets(self) -> list[str]:
        """The secrets a token may be signed with now: the current, then the one rotated out
        while its grace period lasts."""
        found = [unseal(self.secret_sealed)]
        if self.previous_is_valid():
            found.append(unseal(self.previous_secret_sealed))
        return [s for s in found if s]

    @staticmethod
    def grace() -> timedelta:
        return timedelta(hours=settings.EMBED_SECRET_GRACE_HOURS)


class EmbedAccountId(models.Model):
    """The vendor product's own id for an account, so its backend can name the account in a
    token without knowing the portal's slug."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="embed_id")
    external_id = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account__name"]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.account}"

    @property
    def activity_label(self) -> str:
        return f"product id “{self.external_id}”"


class UsedEmbedToken(models.Model):
    """A token's ``jti`` once it has been used: a token opens one session, once. Kept until the
    token would have expired anyway, then pruned."""

    jti = models.CharField(max_length=200, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return self.jti
