"""Self-join: a person at an account's allowed e-mail domain asks to join its portal.

The flow, and where each step lives:

1. ``/join/`` (public): they type their work address. :func:`request_to_join` e-mails a signed,
   expiring link when the address's domain belongs to exactly one account with self-join on,
   and does nothing otherwise. The page says the same either way, so it never tells anyone
   which companies have a portal.
2. The link (:func:`make_join_token` / :func:`read_join_token`) proves the address. Confirming
   it (:func:`confirm_join_request`) makes a :class:`JoinRequest` for the champions to answer, or,
   where the account lets people in by themselves, an invitation they use at once.
3. :func:`approve_join_request` invites them (``services.invite``: user creation stays in the
   invitation's accept flow); :func:`decline_join_request` tells them no, politely.

These are services like those in ``services.py`` (every write, keyword-only ``acting_user``,
the activity record inside), kept in a module of their own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.jobs import enqueue

from .access import Role
from .activity import record
from .models import (
    Account,
    CustomerRole,
    Invitation,
    JoinRequest,
    Membership,
    NotificationKind,
    SelfJoin,
    User,
)
from .services import invite, may_invite, notify

# How long the link in the confirmation e-mail works.
JOIN_LINK_VALID = timedelta(hours=24)
JOIN_TOKEN_SALT = "accounts.join"  # noqa: S105 - a signing salt, not a secret
# What /join/ always answers, whoever asks (translated where it is shown).
PUBLIC_ANSWER = gettext_noop(
    "If your company's portal accepts requests, we have e-mailed you a link."
)


def _domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def is_vendor_domain(domain: str) -> bool:
    """Whether any of the vendor's staff log in with an address at ``domain``."""
    return User.objects.exclude(vendor_role="").filter(email__iendswith=f"@{domain}").exists()


def account_for_join(email: str) -> Account | None:
    """The one account ``email`` may ask to join, or None: its domain must be an allowed
    domain of exactly one account with self-join on, never the vendor's own, and the address
    must not already belong to that account (nor to vendor staff)."""
    email = email.strip().lower()
    domain = _domain(email)
    if not domain or is_vendor_domain(domain):
        return None
    candidates = [
        account
        # An offboarded account takes no one new (and mails nobody).
        for account in Account.objects.exclude(self_join=SelfJoin.OFF).filter(
            email_domains__icontains=domain, offboarded_at__isnull=True
        )
        if domain in account.allowed_domains
    ]
    if len(candidates) != 1:
        return None
    account = candidates[0]
    person = User.objects.filter(email__iexact=email).first()
    if person is not None and (
        person.is_vendor
        or not person.is_active
        or Membership.objects.filter(user=person, account=account).exists()
    ):
        return None
    return account


def request_to_join(*, email: str, name: str, message: str = "", acting_user: Any = None) -> bool:
    """Someone (anonymous, as a rule) asks to join their company's portal with ``email``.

    E-mails them a confirmation link (by a job, whose worker makes the link: no usable link is
    stored) when :func:`account_for_join` finds their account. Returns whether it did, for
    tests and logs; the caller must never show it.
    """
    email = email.strip().lower()
    account = account_for_join(email)
    if account is None:
        return False
    enqueue(
        "accounts.send_join_link",
        account_id=account.pk,
        email=email,
        name=name.strip(),
        message=message.strip(),
    )
    return True


@dataclass(frozen=True)
class JoinLink:
    """What a confirmation link says: who asked to join which account, and when it was made."""

    account: Account
    email: str
    name: str
    message: str
    issued_at: float  # a POSIX timestamp


class JoinLinkError(Exception):
    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


def make_join_token(account: Account, *, email: str, name: str, message: str) -> str:
    payload = {"a": account.pk, "e": email, "n": name, "m": message, "t": int(time.time())}
    return signing.dumps(payload, salt=JOIN_TOKEN_SALT, compress=True)


def join_link_url(token: str) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse("join_confirm", args=[token])


def read_join_token(token: str) -> JoinLink:
    """The link's contents; :class:`JoinLinkError` for a link that expired or was changed."""
    try:
        payload = signing.loads(token, salt=JOIN_TOKEN_SALT, max_age=JOIN_LINK_VALID)
    except signing.SignatureExpired as error:
        raise JoinLinkError(_("This link has expired."), expired=True) from error
    except signing.BadSignature as error:
        raise JoinLinkError(_("This link is not valid.")) from error
    fields = ("a", "e", "n", "m", "t")
    if not isinstance(payload, dict) or any(key not in payload for key in fields):
        raise JoinLinkError(_("This link is not valid."))
    account = Account.objects.filter(pk=payload["a"]).first()
    if account is None:
        raise JoinLinkError(_("This link is not valid."))
    return JoinLink(
        account=account,
        email=str(payload["e"]),
        name=str(payload["n"]),
        message=str(payload["m"]),
        issued_at=float(payload["t"]),
    )


def join_link_state(link: JoinLink) -> str:
    """What confirming ``link`` would do now, for its page: "new" (it would make a request, or
    let them in), "waiting" (a request is with the champions), "used" (answered since the link
    was made), "withdrawn" (taken back by them) or "closed" (the account no longer takes requests from this address)."""
    requests = link.account.join_requests.filter(email=link.email.strip().lower())
    if requests.filter(status=JoinRequest.Status.PENDING).exists():
        return "waiting"
    since = requests.filter(created_at__gte=datetime.fromtimestamp(link.issued_at, tz=UTC))
    latest = since.values_list("status", flat=True).first()
    if latest is not None:
        return "withdrawn" if latest == JoinRequest.Status.WITHDRAWN else "used"
    if account_for_join(link.email) != link.account:
        return "closed"
    return "new"


def champions_to_tell(account: Account) -> list[User]:
    """Who answers the account's requests to join: its champions, else its owner CSM."""
    champions = list(
        User.objects.filter(
            is_active=True,
            memberships__account=account,
            memberships__role=CustomerRole.CHAMPION,
        )
    )
    if champions:
        return champions
    return [account.owner] if account.owner and account.owner.is_active else []


@transaction.atomic
def confirm_join_request(link: JoinLink, *, acting_user: Any = None) -> JoinRequest:
    """The person opened their link and confirmed: their address is theirs.

    Approval mode: a pending :class:`JoinRequest`, and the champions are told. Automatic
    mode: the request is approved at once with an invitation as member, which they use straight
    away to set their password (``services.accept_invitation`` makes the user). A second
    confirmation with the same link returns what the first made while it is still of use;
    after an answer, a link is spent.
    """
    account = Account.objects.select_for_update().get(pk=link.account.pk)
    email = link.email.strip().lower()
    pending = account.join_requests.filter(email=email, status=JoinRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    issued = datetime.fromtimestamp(link.issued_at, tz=UTC)
    used = (
        account.join_requests.filter(email=email, created_at__gte=issued)
        .select_related("invitation")
        .first()
    )
    if used is not None:
        if used.invitation is not None and used.invitation.is_pending:
            return used  # still on its way to the password page
        raise ValidationError(_("This link was already used. Ask again to get a new one."))
    if account_for_join(email) != account:
        raise ValidationError(
            _(
                "%(account)s's portal does not accept requests from this address now. "
                "Ask your company's champion for an invitation."
            )
            % {"account": account.name}
        )
    join_request = JoinRequest(
        account=account, email=email, name=link.name[:150], message=link.message
    )
    if account.self_join == SelfJoin.AUTOMATIC:
        account.invitations.pending().filter(email=email).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            account=account, email=email, role=CustomerRole.MEMBER, invited_by=None
        )
        join_request.status = JoinRequest.Status.APPROVED
        join_request.decided_at = timezone.now()
        join_request.invitation = invitation
        join_request.save()
        record(
            gettext_noop("sent a self-join invitation to"),
            actor=acting_user,
            account=account,
            target=join_request,
            after={"role": CustomerRole.MEMBER},
        )
        return join_request
    join_request.save()
    record(
        gettext_noop("received a request to join from"),
        actor=acting_user,
        account=account,
        target=join_request,
    )
    people = champions_to_tell(account)
    url = reverse("people", args=[account.slug]) + "#join-requests"
    notify(
        people,
        kind=NotificationKind.ACCOUNT,
        title=format_lazy(
            gettext_lazy("{person} asks to join {account}"),
            person=join_request.activity_label,
            account=account.name,
        ),
        body=join_request.message,
        url=url,
        account=account,
    )
    enqueue("accounts.send_join_request_notice", join_request_id=join_request.pk)
    return join_request


@transaction.atomic
def withdraw_join_request(link: JoinLink, *, acting_user: Any = None) -> JoinRequest:
    """The person, by their link, takes back a request still waiting for an answer."""
    pending = (
        JoinRequest.objects.select_for_update()
        .filter(
            account=link.account,
            email=link.email.strip().lower(),
            status=JoinRequest.Status.PENDING,
        )
        .first()
    )
    if pending is None:
        raise ValidationError(
            _("There is no request waiting to withdraw: it was already answered.")
        )
    pending.status = JoinRequest.Status.WITHDRAWN
    pending.decided_at = timezone.now()
    pending.save(update_fields=["status", "decided_at"])
    record(
        gettext_noop("received the withdrawal of a request to join from"),
        actor=acting_user,
        account=link.account,
        target=pending,
    )
    return pending


def _lock_pending(join_request: JoinRequest) -> JoinRequest:
    locked = (
        JoinRequest.objects.select_for_update().select_related("account").get(pk=join_request.pk)
    )
    if locked.status != JoinRequest.Status.PENDING:
        raise ValidationError(
            _("This request was already answered (%(status)s).")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def approve_join_request(
    join_request: JoinRequest, *, role: str, acting_user: User, acting_role: str
) -> Invitation:
    """Let them in with ``role`` (within what the approver may invite): an invitation is
    e-mailed to them, which they accept like any other."""
    if not may_invite(acting_role, role):
        raise PermissionDenied(_("Your role may not let people in with that role."))
    locked = _lock_pending(join_request)
    invitation = invite(
        locked.account,
        email=locked.email,
        role=role,
        acting_user=acting_user,
        acting_role=acting_role,
    )
    locked.status = JoinRequest.Status.APPROVED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.invitation = invitation
    locked.save(update_fields=["status", "decided_by", "decided_at", "invitation"])
    record(
        gettext_noop("approved a request to join"),
        actor=acting_user,
        account=locked.account,
        target=locked,
        after={"role": role},
    )
    return invitation


@transaction.atomic
def decline_join_request(
    join_request: JoinRequest, *, reason: str = "", acting_user: User, acting_role: str
) -> JoinRequest:
    """Say no, with an optional reason that goes into a polite e-mail to them."""
    if not may_invite(acting_role, Role.MEMBER):
        raise PermissionDenied(_("Your role may not answer requests to join."))
    locked = _lock_pending(join_request)
    locked.status = JoinRequest.Status.DECLINED
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    locked.reason = reason.strip()
    locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    record(
        gettext_noop("declined a request to join"),
        actor=acting_user,
        account=locked.account,
        target=locked,
    )
    enqueue("accounts.send_join_declined", join_request_id=locked.pk)
    return locked


@transaction.atomic
def set_self_join(account: Account, *, mode: str, acting_user: User) -> Account:
    """Turn self-join off, on with a champion's approval, or on with automatic membership."""
    if mode not in SelfJoin.values:
        raise ValidationError({"self_join": _("Choose off, approval or automatic.")})
    if mode == account.self_join:
        return account
    if mode != SelfJoin.OFF:
        if not account.allowed_domains:
            raise ValidationError(
                {"self_join": _("Add the account's allowed e-mail domains first (Edit account).")}
            )
        vendor = [domain for domain in account.allowed_domains if is_vendor_domain(domain)]
        if vendor:
            raise ValidationError(
                {
                    "self_join": _("%(domains)s is the vendor's own domain: remove it first.")
                    % {"domains": ", ".join(vendor)}
                }
            )
    before = {"self_join": account.self_join}
    account.self_join = mode
    account.save(update_fields=["self_join"])
    record(
        gettext_noop("changed self-join"),
        actor=acting_user,
        account=account,
        target=account,
        before=before,
        after={"self_join": mode},
        internal=True,
    )
    return account
