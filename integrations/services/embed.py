"""The hub embedded in the vendor's product.

The vendor's backend signs a short-lived JWT (HS256) naming a person (``sub``, their e-mail)
and an account (``account``, its slug or the product's own id for it); the product's page
loads ``/embed/?token=…`` in an iframe. :func:`open_embedded_session` checks the token and
starts a session in the embed's own cookie jar (:mod:`integrations.middleware`) for a member of
that account, or makes one for an address on the account's allowed domains. Anything else is an
:class:`EmbedRefused` naming why, which the entry page shows and logs.

The CS admin's settings (the secret, shown once and rotatable; the origins that may frame the
hub; the product's ids for accounts) are written here too.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jwt
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.activity import record
from accounts.models import Account, CustomerRole, Membership, User

from ..models import EmbedAccountId, EmbedSettings, UsedEmbedToken, seal, unseal

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

logger = logging.getLogger("integrations.embed")

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "sub", "jti", "aud", "account"]
# Clocks of the vendor's servers and ours may differ by a few seconds.
LEEWAY_SECONDS = 10
# The embedded session's account: the hub shows that account only (integrations.middleware).
EMBED_ACCOUNT_SESSION_KEY = "embed_account"
EMBED_SESSION_SECONDS = 12 * 60 * 60
ROLES_A_TOKEN_MAY_GIVE = (CustomerRole.CHAMPION, CustomerRole.EXECUTIVE, CustomerRole.MEMBER)
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@dataclass(frozen=True)
class Reason:
    code: str
    title: _StrOrPromise  # lazy: the reasons are read at import, shown in the reader's language
    explanation: _StrOrPromise


REASONS: dict[str, Reason] = {
    r.code: r
    for r in [
        Reason(
            "not_set_up",
            _("Embedding is not set up"),
            _(
                "The portal has no embed secret or no allowed origin yet. A CS admin sets them "
                "under Settings → Embedding."
            ),
        ),
        Reason("missing", _("No token"), _("The address carries no token (/embed/?token=…).")),
        Reason(
            "tampered",
            _("The token's signature is wrong"),
            _(
                "The token was not signed with the current embed secret (or was changed after "
                "signing)."
            ),
        ),
        Reason(
            "malformed",
            _("The token is incomplete"),
            _(
                "The token lacks a claim the portal needs (exp, sub, jti, aud and account), or "
                "one of them is not what it should be."
            ),
        ),
        Reason("expired", _("The token has expired"), _("Tokens are good for a few minutes only.")),
        Reason(
            "too_long",
            _("The token is valid for too long"),
            format_lazy(
                _("A token must expire at most {minutes} minutes after it is made."),
                minutes=settings.EMBED_TOKEN_MAX_SECONDS // 60,
            ),
        ),
        Reason(
            "wrong_audience",
            _("The token is for another audience"),
            _("The token's aud claim does not name this portal."),
        ),
        Reason(
            "replayed",
            _("The token was already used"),
            _("Each token opens the hub once. Reload the page in the product to get a new one."),
        ),
        Reason(
            "unknown_account",
            _("No such account"),
            _("The token's account is not one the portal has."),
        ),
        Reason(
            "wrong_account",
            _("This person is not in that account"),
            _(
                "The address is not a member of the token's account, and not at one of the "
                "account's allowed e-mail domains."
            ),
        ),
        Reason(
            "vendor_staff",
            _("Vendor staff cannot enter this way"),
            _("The address belongs to the vendor's own team, who log in to the portal itself."),
        ),
        Reason(
            "deactivated",
            _("This person's access was removed"),
            _("Their user is deactivated in the portal. Their CSM can restore it."),
        ),
        Reason(
            "outside",
            _("This page opens in the portal itself"),
            _(
                "Your e-mail address, password, two-factor authentication and sessions are "
                "managed in the portal, outside the product."
            ),
        ),
        Reason(
            "ended",
            _("The session here has ended"),
            _("Open the hub again from the product to continue."),
        ),
    ]
}


class EmbedRefused(Exception):
    """A token the portal will not open a session for, and why (a code of :data:`REASONS`)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.reason = REASONS[code]
        self.detail = detail


@dataclass(frozen=True)
class Claims:
    email: str
    account_ref: str
    jti: str
    expires_at: datetime
    name: str
    role: str


# --- The CS admin's settings --------------------------------------------------------------------


@transaction.atomic
def rotate_embed_secret(*, acting_user: User) -> str:
    """Make a new secret and return it (the only time it is seen). The one it replaces keeps
    working for ``EMBED_SECRET_GRACE_HOURS``, so the product's backend can switch over."""
    current = EmbedSettings.load()
    secret = EmbedSettings.new_secret()
    first = not current.has_secret
    if not first:
        current.previous_secret_sealed = current.secret_sealed
        current.previous_secret_hint = current.secret_hint
        current.previous_valid_until = timezone.now() + EmbedSettings.grace()
    current.secret_sealed = seal(secret)
    current.secret_hint = secret[:8]
    current.secret_created_at = timezone.now()
    current.save()
    record(
        gettext_noop("made the embed secret")
        if first
        else gettext_noop("rotated the embed secret"),
        actor=acting_user,
        target=current,
        after={"previous_valid_until": str(current.previous_valid_until)} if not first else None,
        internal=True,
    )
    return secret


@transaction.atomic
def end_previous_embed_secret(*, acting_user: User) -> bool:
    """Stop accepting the rotated-out secret now, before its grace period ends."""
    current = EmbedSettings.load()
    if not current.previous_is_valid():
        return False
    current.previous_valid_until = timezone.now()
    current.save(update_fields=["previous_valid_until", "updated_at"])
    record(
        gettext_noop("ended the previous embed secret"),
        actor=acting_user,
        target=current,
        internal=True,
    )
    return True


def normalise_origin(value: str) -> str:
    """``scheme://host[:port]`` in lower case, or :class:`ValidationError` saying what is wrong."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as error:
        raise ValidationError(
            gettext("“%(text)s” is not an origin: %(error)s.") % {"text": text, "error": error}
        ) from error
    if parts.scheme not in ("https", "http"):
        raise ValidationError(
            gettext("“%(text)s” must start with https:// (or http:// for testing).")
            % {"text": text}
        )
    if not parts.hostname:
        raise ValidationError(gettext("“%(text)s” needs a host name.") % {"text": text})
    if (
        parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or parts.path
        not in (
            "",
            "/",
        )
    ):
        raise ValidationError(
            gettext("“%(text)s” must be an origin only: scheme, host and port, with no path.")
            % {"text": text}
        )
    if "*" in text or any(c in parts.hostname for c in " ;,'\""):
        raise ValidationError(
            gettext("“%(text)s” must name one host, with no wildcard.") % {"text": text}
        )
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


@transaction.atomic
def set_embed_options(
    *, allowed_origins: list[str], trust_role_claim: bool, acting_user: User
) -> EmbedSettings:
    current = EmbedSettings.load()
    before = {
        "allowed_origins": current.allowed_origins,
        "trust_role_claim": current.trust_role_claim,
    }
    origins = list(dict.fromkeys(normalise_origin(o) for o in allowed_origins))
    current.allowed_origins = origins
    current.trust_role_claim = trust_role_claim
    current.save()
    after = {"allowed_origins": origins, "trust_role_claim": trust_role_claim}
    if after != before:
        record(
            gettext_noop("changed the embed settings"),
            actor=acting_user,
            target=current,
            before=before,
            after=after,
            internal=True,
        )
    return current


@transaction.atomic
def link_account_id(account: Account, *, external_id: str, acting_user: User) -> EmbedAccountId:
    """Name ``account`` by the product's own id in tokens (one id an account)."""
    external_id = external_id.strip()
    taken = EmbedAccountId.objects.filter(external_id=external_id).exclude(account=account).first()
    if taken is not None:
        raise ValidationError(
            gettext("“%(external_id)s” already names %(account)s.")
            % {"external_id": external_id, "account": taken.account.name}
        )
    link, _created = EmbedAccountId.objects.update_or_create(
        account=account, defaults={"external_id": external_id}
    )
    record(
        gettext_noop("set the product id"),
        actor=acting_user,
        account=account,
        target=link,
        after={"external_id": external_id},
        internal=True,
    )
    return link


@transaction.atomic
def unlink_account_id(link: EmbedAccountId, *, acting_user: User) -> None:
    account = link.account
    record(
        gettext_noop("removed the product id"),
        actor=acting_user,
        account=account,
        target=link,
        before={"external_id": link.external_id},
        internal=True,
    )
    link.delete()


def sign_token(*, email: str, account: str, name: str = "", role: str = "") -> str:
    """A token as the vendor's backend signs it, with the current secret: for trying the hub
    by hand (``manage.py embed_url``); the product's backend makes its own."""
    secret = unseal(EmbedSettings.load().secret_sealed)
    if secret is None:
        raise ValueError("There is no embed secret.")
    claims: dict[str, Any] = {
        "sub": email,
        "account": account,
        "aud": settings.EMBED_AUDIENCE,
        "exp": int(timezone.now().timestamp()) + settings.EMBED_TOKEN_MAX_SECONDS,
        "jti": secrets.token_urlsafe(16),
    }
    claims.update({k: v for k, v in {"name": name, "role": role}.items() if v})
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# --- The entry: token in, session out -----------------------------------------------------------


def read_token(token: str, *, now: datetime | None = None) -> Claims:
    """The token's claims if its signature, audience and lifetime are right; else
    :class:`EmbedRefused`. Whether its ``jti`` was used is checked by the caller."""
    options = EmbedSettings.load()
    if not options.is_ready:
        raise EmbedRefused("not_set_up")
    if not token:
        raise EmbedRefused("missing")
    payload: dict[str, Any] | None = None
    for secret in options.verification_secrets():
        try:
            payload = jwt.decode(
                token,
                secret,
                algorithms=[ALGORITHM],
                audience=settings.EMBED_AUDIENCE,
                leeway=LEEWAY_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
            break
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError as error:
            raise EmbedRefused("expired") from error
        except jwt.InvalidAudienceError as error:
            raise EmbedRefused("wrong_audience", str(error)) from error
        except jwt.MissingRequiredClaimError as error:
            raise EmbedRefused("malformed", str(error)) from error
        except jwt.InvalidAlgorithmError as error:
            raise EmbedRefused("tampered", "Only HS256 is accepted.") from error
        except jwt.DecodeError as error:
            raise EmbedRefused("tampered", str(error)) from error
        except jwt.InvalidTokenError as error:  # not yet valid (nbf, iat), a bad claim type
            raise EmbedRefused("malformed", str(error)) from error
    if payload is None:
        raise EmbedRefused("tampered")
    moment = now or timezone.now()
    expires_at = datetime.fromtimestamp(int(payload["exp"]), tz=UTC)
    limit = settings.EMBED_TOKEN_MAX_SECONDS + LEEWAY_SECONDS
    if expires_at - moment > timedelta(seconds=limit):
        raise EmbedRefused("too_long")
    email, account_ref, jti = payload["sub"], payload["account"], payload["jti"]
    if isinstance(account_ref, int) and not isinstance(account_ref, bool):
        account_ref = str(account_ref)  # a product's numeric id
    name, role = payload.get("name", ""), payload.get("role", "")
    texts = (email, account_ref, jti, name, role)
    if not all(isinstance(t, str) for t in texts) or not (0 < len(jti) <= 200):
        raise EmbedRefused("malformed", "sub, account, jti, name and role are strings.")
    try:
        validate_email(email)
    except ValidationError as error:
        raise EmbedRefused("malformed", "sub must be an e-mail address.") from error
    if role and role not in ROLES_A_TOKEN_MAY_GIVE:
        raise EmbedRefused("malformed", "role is champion, executive or member.")
    return Claims(
        email=email.strip().lower(),
        account_ref=account_ref.strip(),
        jti=jti,
        expires_at=expires_at,
        name=name.strip()[:150],
        role=role,
    )


def account_named(ref: str) -> Account | None:
    """The account a token names: by the product's id for it first, else by its slug."""
    link = EmbedAccountId.objects.select_related("account").filter(external_id=ref).first()
    if link is not None:
        return link.account
    return Account.objects.filter(slug=ref).first()


def _person_for(
    claims: Claims, account: Account, options: EmbedSettings
) -> tuple[User | None, str]:
    """The user to log in (None: to be made) and the role they have or will get."""
    user = User.objects.filter(email__iexact=claims.email).first()
    if user is not None and (user.is_vendor or user.is_superuser):
        raise EmbedRefused("vendor_staff")
    if user is not None and not user.is_active:
        raise EmbedRefused("deactivated")
    if user is not None:
        held = (
            Membership.objects.filter(user=user, account=account)
            .values_list("role", flat=True)
            .first()
        )
        if held:
            return user, held
        if Membership.objects.filter(user=user).exists():
            raise EmbedRefused("wrong_account", gettext("The person belongs to another account."))
    domain = claims.email.rsplit("@", 1)[-1]
    if domain not in account.allowed_domains:
        detail = (
            gettext("The account has no allowed e-mail domains, so only its members can enter.")
            if not account.allowed_domains
            else gettext("%(domain)s is not one of the account's domains.") % {"domain": domain}
        )
        raise EmbedRefused("wrong_account", detail)
    role = claims.role if options.trust_role_claim and claims.role else CustomerRole.MEMBER
    return user, role


def check_token(token: str) -> tuple[Claims, Account, User | None, str]:
    """Everything :func:`open_embedded_session` checks, without writing anything."""
    claims = read_token(token)
    if UsedEmbedToken.objects.filter(jti=claims.jti).exists():
        raise EmbedRefused("replayed")
    account = account_named(claims.account_ref)
    if account is None:
        raise EmbedRefused(
            "unknown_account",
            gettext("No account is named “%(name)s”.") % {"name": claims.account_ref},
        )
    user, role = _person_for(claims, account, EmbedSettings.load())
    return claims, account, user, role


def open_embedded_session(request: HttpRequest, token: str) -> Account:
    """Check ``token`` and log its person in to the embed's session; the account to show.

    A refusal raises :class:`EmbedRefused` and writes nothing (it is logged).
    """
    try:
        with transaction.atomic():
            claims, account, user, role = check_token(token)
            try:
                with transaction.atomic():
                    UsedEmbedToken.objects.create(jti=claims.jti, expires_at=claims.expires_at)
            except IntegrityError as error:  # used a moment ago, by a request racing this one
                raise EmbedRefused("replayed") from error
            # Kept a minute past the leeway a late token is still accepted in.
            stale = timezone.now() - timedelta(seconds=LEEWAY_SECONDS + 60)
            UsedEmbedToken.objects.filter(expires_at__lt=stale).delete()
            if user is None:
                user = User.objects.create_user(claims.email, password=None, name=claims.name)
                EmailAddress.objects.create(user=user, email=user.email, primary=True)
            if not Membership.objects.filter(user=user, account=account).exists():
                Membership.objects.create(user=user, account=account, role=role)
                record(
                    gettext_noop("joined"),
                    actor=user,
                    account=account,
                    target=account,
                    after={"role": role, "through": "the product"},
                )
            login(request, user, backend=LOGIN_BACKEND)
    except EmbedRefused as refusal:
        log_refusal(request, token, refusal)
        raise
    request.session[EMBED_ACCOUNT_SESSION_KEY] = account.slug
    request.session.set_expiry(EMBED_SESSION_SECONDS)
    return account


def log_refusal(request: HttpRequest, token: str, refusal: EmbedRefused) -> None:
    """One WARNING line naming the reason and what the token claimed (unverified)."""
    try:
        claimed = jwt.decode(token, options={"verify_signature": False}) if token else {}
    except jwt.InvalidTokenError:
        claimed = {}
    if not isinstance(claimed, dict):  # pragma: no cover - PyJWT returns a dict
        claimed = {}
    logger.warning(
        "Embedded hub refused (%s%s): sub=%r account=%r jti=%r from %s",
        refusal.reason.code,
        f": {refusal.detail}" if refusal.detail else "",
        str(claimed.get("sub", ""))[:200],
        str(claimed.get("account", ""))[:200],
        str(claimed.get("jti", ""))[:200],
        request.META.get("HTTP_REFERER") or request.META.get("REMOTE_ADDR", "?"),
    )
