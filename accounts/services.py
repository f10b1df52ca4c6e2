"""Changes to accounts and people. Views call these; other apps call these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.i18n import languages_of, stored_text
from portal.jobs import enqueue

from .access import INVITABLE_ROLES, VENDOR, AccountAccess, Role, role_on_account
from .activity import record, snapshot
from .models import (
    Account,
    AccountSSO,
    Delivery,
    Invitation,
    Membership,
    Notification,
    NotificationKind,
    NotificationSetting,
    PortalVisit,
    Segment,
    SSOProtocol,
    Stage,
    Tag,
    TouchModel,
    User,
    VendorRole,
    new_nonce,
)

ACCOUNT_FIELDS = [
    "name",
    "segment",
    "touch_model",
    "stage",
    "owner",
    "renewal_date",
    "brand_color",
    "email_domains",
    "language",
    "time_zone",
]


@transaction.atomic
def save_account(
    account: Account,
    *,
    acting_user: User,
    before: dict[str, Any] | None,
    tags: list[str] | None = None,
) -> Account:
    """Create or update an account from a validated form's instance, logging the change.
    ``tags`` (names; None leaves them as they are) become its tags, new names new tags."""
    creating = account.pk is None
    account.save()
    after = snapshot(account, ACCOUNT_FIELDS)
    if tags is not None:
        if before is not None and not creating:
            before = {**before, "tags": sorted(account.tags.values_list("name", flat=True))}
        chosen = [_tag_named(name) for name in tags]
        account.tags.set(chosen)
        after["tags"] = sorted(tag.name for tag in chosen)
    record(
        gettext_noop("created the account") if creating else gettext_noop("edited the account"),
        actor=acting_user,
        account=account,
        target=account,
        before=None if creating else before,
        after=after,
        internal=True,
    )
    return account


def _tag_named(name: str) -> Tag:
    """The tag called ``name`` (whatever its case), made when there is none."""
    existing = Tag.objects.filter(name__iexact=name).first()
    return existing or Tag.objects.create(name=name)


# The fields a playbook (or anyone without the whole form) may set one at a time.
SETTABLE_FIELDS: dict[str, type[models.TextChoices]] = {
    "segment": Segment,
    "touch_model": TouchModel,
    "stage": Stage,
}


class AccountFieldRefused(ValidationError):
    """A value :func:`set_account_fields` will not set. Its message is read in the active
    language when shown; ``text`` is the same refusal as a stored text (the English message
    and its values: the field's name, translated when read, and the value as given), for
    wherever it is kept and read later (a playbook step's outcome)."""

    def __init__(self, name: str, value: str) -> None:
        self.field, self.value = name, value
        if name in SETTABLE_FIELDS:
            field_name = getattr(Account._meta.get_field(name), "verbose_name", name)
            self.text = stored_text(
                gettext_noop("An account's %(field)s cannot be “%(value)s”."),
                field=field_name,
                value=value,
            )
        else:
            self.text = stored_text(
                gettext_noop("An account's “%(field)s” cannot be set this way."), field=name
            )
        super().__init__(lazy(self.text.translated, str)(), code="invalid")


@transaction.atomic
def set_account_fields(
    account: Account, *, changes: dict[str, str], acting_user: User | None, why: str = ""
) -> list[str]:
    """Set the segment, touch model or stage of ``account``; the names of the fields that
    changed (none when each already had its value: nothing is saved or logged then).

    Saved with ``update_fields`` so the account's own change signals see what changed.
    """
    for name, value in changes.items():
        if name not in SETTABLE_FIELDS or value not in SETTABLE_FIELDS[name].values:
            raise AccountFieldRefused(name, value)
    changed = [name for name, value in changes.items() if getattr(account, name) != value]
    if not changed:
        return []
    before = snapshot(account, changed)
    for name in changed:
        setattr(account, name, changes[name])
    account.save(update_fields=changed)
    after = snapshot(account, changed)
    if why:
        after["why"] = why
    record(
        gettext_noop("edited the account"),
        actor=acting_user,
        account=account,
        target=account,
        before=before,
        after=after,
        internal=True,
    )
    return changed


@transaction.atomic
def set_offboarded(account: Account, *, offboarded: bool, acting_user: User | None) -> Account:
    """Mark ``account`` offboarded (its stage churned: it leaves the book, the detectors and
    every campaign) or, for an account that came back, not any more. Its people then receive
    no e-mail (:func:`mail_is_off`); their log-ins and its history stay."""
    if (account.offboarded_at is not None) == offboarded:
        return account
    account.offboarded_at = timezone.now() if offboarded else None
    account.save(update_fields=["offboarded_at"])
    record(
        gettext_noop("marked the account offboarded")
        if offboarded
        else gettext_noop("brought the account back"),
        actor=acting_user,
        account=account,
        target=account,
        after={"offboarded": offboarded},
        internal=True,
    )
    if offboarded:
        set_account_fields(
            account, changes={"stage": Stage.CHURNED}, acting_user=acting_user, why="offboarded"
        )
    return account


# The activity that says who was given an account last (round-robin reads it).
ASSIGNED_OWNER = gettext_noop("assigned the owner CSM")


@transaction.atomic
def assign_owner(
    account: Account, *, owner: User, acting_user: User | None, why: str = ""
) -> Account:
    """Make ``owner`` (an active CSM) the owner of ``account``, logged with who it was before."""
    if owner.vendor_role != VendorRole.CSM or not owner.is_active:
        raise ValidationError(_("%(name)s is not an active CSM.") % {"name": owner.display_name})
    if account.owner_id == owner.pk:
        return account
    before = {"owner": str(account.owner) if account.owner else None}
    account.owner = owner
    account.save(update_fields=["owner"])
    after: dict[str, Any] = {"owner": str(owner), "owner_id": owner.pk}
    if why:
        after["why"] = why
    record(
        ASSIGNED_OWNER,
        actor=acting_user,
        account=account,
        target=account,
        before=before,
        after=after,
        internal=True,
    )
    return account


def may_invite(acting_role: str, role: str) -> bool:
    """Whether someone with ``acting_role`` on an account may invite (and resend or revoke an
    invitation of) a person with ``role``: champions invite colleagues, never a champion."""
    return role in INVITABLE_ROLES.get(acting_role, ())


@transaction.atomic
def invite(
    account: Account, *, email: str, role: str, acting_user: User, acting_role: str
) -> Invitation:
    """Invite ``email`` to ``account`` with ``role`` and e-mail them the link (by a task).

    An address that already has a user gets a membership when they accept, never a second user.
    """
    email = email.strip().lower()
    if not may_invite(acting_role, role):
        raise PermissionDenied(_("Your role may not invite people with that role."))
    if not account.accepts_email(email):
        raise ValidationError(
            {
                "email": _("%(account)s only accepts addresses at %(domains)s.")
                % {"account": account.name, "domains": ", ".join(account.allowed_domains)}
            }
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and existing.is_vendor:
        raise ValidationError({"email": _("That address belongs to vendor staff.")})
    if existing is not None and account.memberships.filter(user=existing).exists():
        raise ValidationError(
            {
                "email": _("%(email)s is already a member of %(account)s.")
                % {"email": email, "account": account.name}
            }
        )
    # A new invitation to the same address replaces any still pending.
    account.invitations.pending().filter(email=email).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        account=account, email=email, role=role, invited_by=acting_user
    )
    record(
        gettext_noop("invited"),
        actor=acting_user,
        account=account,
        target=invitation,
        after={"email": email, "role": role},
    )
    enqueue("accounts.send_invitation", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def resend_invitation(invitation: Invitation, *, acting_user: User, acting_role: str) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry clock."""
    if not may_invite(acting_role, invitation.role):
        raise PermissionDenied(_("Your role may not invite people with that role."))
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(
            _("Only an invitation that has not been used or revoked can be resent.")
        )
    invitation.nonce = new_nonce()
    invitation.expires_at = Invitation._meta.get_field("expires_at").get_default()
    invitation.save(update_fields=["nonce", "expires_at"])
    record(
        gettext_noop("resent an invitation"),
        actor=acting_user,
        account=invitation.account,
        target=invitation,
    )
    enqueue("accounts.send_invitation", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, acting_user: User, acting_role: str) -> Invitation:
    if not may_invite(acting_role, invitation.role):
        raise PermissionDenied(_("Your role may not manage invitations with that role."))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was already accepted."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            gettext_noop("revoked an invitation"),
            actor=acting_user,
            account=invitation.account,
            target=invitation,
        )
    return invitation


@transaction.atomic
def accept_invitation(
    token: str, *, name: str = "", password: str | None = None, existing_user: User | None = None
) -> User:
    """Use an invitation: make (or reuse) the user and add the membership. Single use.

    The row is locked and re-checked, so two clicks at once accept it once.
    """
    found = Invitation.from_token(token)
    invitation = (
        Invitation.objects.select_for_update().filter(pk=found.pk).first() if found else None
    )
    if (
        found is None
        or invitation is None
        or invitation.nonce != found.nonce
        or not invitation.is_pending
    ):
        raise ValidationError(_("This invitation link is no longer valid."))
    user = existing_user or User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User.objects.create_user(invitation.email, password=password, name=name)
    elif not user.is_active:
        raise ValidationError(_("This user has been deactivated. Ask your CSM to restore access."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another address."))
    # Arriving through the link proves the address.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    membership, _created = Membership.objects.get_or_create(
        user=user, account=invitation.account, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        gettext_noop("joined"),
        actor=user,
        account=invitation.account,
        target=invitation.account,
        after={"role": membership.role},
    )
    return user


@transaction.atomic
def change_role(membership: Membership, *, role: str, acting_user: User) -> Membership:
    before = snapshot(membership, ["role"])
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            gettext_noop("changed a role"),
            actor=acting_user,
            account=membership.account,
            target=membership,
            before=before,
            after=snapshot(membership, ["role"]),
        )
    return membership


@transaction.atomic
def remove_membership(membership: Membership, *, acting_user: User) -> None:
    account, user = membership.account, membership.user
    record(
        gettext_noop("removed from the account"),
        actor=acting_user,
        account=account,
        target=user,
        before={"role": membership.role},
    )
    membership.delete()


def deactivatable(acting_user: User, users: Iterable[User]) -> set[int]:
    """The ids of ``users`` that ``acting_user`` may deactivate and reactivate, in at most one
    query whatever their number (the People page asks for every row at once).

    CS admins may deactivate anyone but themselves; a CSM, customer users whose every account
    is in the CSM's portfolio.
    """
    candidates = {user.pk: user for user in users if user.pk != acting_user.pk}
    if acting_user.vendor_role == VendorRole.ADMIN:
        return set(candidates)
    if acting_user.vendor_role != VendorRole.CSM:
        return set()
    customers = [pk for pk, user in candidates.items() if not user.is_vendor]
    if not customers:
        return set()
    # Per customer: do they belong to any account, and to any outside this CSM's portfolio?
    rows = (
        Membership.objects.filter(user_id__in=customers)
        .values("user_id")
        .annotate(
            accounts=Count("pk"),
            elsewhere=Count("pk", filter=~Q(account__owner=acting_user)),
        )
    )
    return {row["user_id"] for row in rows if row["accounts"] and not row["elsewhere"]}


def may_deactivate(acting_user: User, user: User) -> bool:
    """Whether ``acting_user`` may deactivate (or reactivate) ``user``: see :func:`deactivatable`."""
    return user.pk in deactivatable(acting_user, [user])


def track_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Keep who each session belongs to (allauth's ``UserSession``) for every log-in.

    allauth records the sessions of its own log-in flows; this adds those that start elsewhere
    (``django.contrib.auth.login`` after accepting an invitation, ``force_login`` in tests), so
    that :func:`end_sessions` finds a user's sessions by the user, never by decoding them all.
    Connected to Django's ``user_logged_in`` in ``AccountsConfig.ready``.
    """
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if not session_key:
        return
    UserSession.objects.get_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "ip": request.META.get("REMOTE_ADDR") or "0.0.0.0",  # noqa: S104 - not a bind address
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[
                : UserSession._meta.get_field("user_agent").max_length
            ],
        },
    )


def end_sessions(user: User) -> None:
    """Log ``user`` out everywhere, at once: the same few queries however many sessions other
    people have."""
    tracked = UserSession.objects.filter(user=user)
    keys = list(tracked.values_list("session_key", flat=True))
    if not keys:
        return
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        Session.objects.filter(session_key__in=keys).delete()
    else:  # a cache or file store: one key at a time, and only this user's
        for key in keys:
            engine.SessionStore().delete(key)
    tracked.delete()


@transaction.atomic
def deactivate_user(user: User, *, acting_user: User, account: Account | None = None) -> User:
    """Stop ``user`` logging in and end their sessions; everything they did stays theirs."""
    if not may_deactivate(acting_user, user):
        raise PermissionDenied(_("You may not deactivate this person."))
    if user.is_active:
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        record(gettext_noop("deactivated a user"), actor=acting_user, account=account, target=user)
        transaction.on_commit(lambda: end_sessions(user))
    return user


@transaction.atomic
def reactivate_user(user: User, *, acting_user: User, account: Account | None = None) -> User:
    if not may_deactivate(acting_user, user):
        raise PermissionDenied(_("You may not reactivate this person."))
    if not user.is_active:
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        record(gettext_noop("reactivated a user"), actor=acting_user, account=account, target=user)
    return user


def start_preview(request: Any, account: Account, role: str) -> None:
    """Let a CSM see ``account``'s portal as a customer with ``role`` would, read-only."""
    from .access import VIEW_AS_SESSION_KEY

    if role_on_account(request.user, account) not in VENDOR:
        raise PermissionDenied(_("Only vendor staff can preview an account as a customer."))
    if role not in (Role.CHAMPION, Role.EXECUTIVE, Role.MEMBER):
        raise ValidationError(_("Choose champion, executive or member."))
    request.session[VIEW_AS_SESSION_KEY] = {"account": account.pk, "role": role}
    record(
        gettext_noop("viewed the portal as a customer"),
        actor=request.user,
        account=account,
        target=account,
        after={"role": role},
        internal=True,
    )


def end_preview(request: Any) -> None:
    from .access import VIEW_AS_SESSION_KEY

    request.session.pop(VIEW_AS_SESSION_KEY, None)


def mail_is_off(user: User) -> bool:
    """Whether ``user`` may receive no e-mail at all from the portal: a deactivated person, or
    a customer all of whose accounts are offboarded (they keep their log-in and their history,
    but the relationship is over). The one gate every notification e-mail passes: asked by
    :func:`delivery_for` and again by :func:`send_notification_mail`. The mails of logging in
    (password reset, log-in codes) do not pass here: a leaving customer may still log in."""
    if not user.is_active:
        return True
    if user.vendor_role:
        return False
    accounts = Membership.objects.filter(user=user).values_list("account__offboarded_at", flat=True)
    states = [offboarded_at is not None for offboarded_at in accounts]
    return bool(states) and all(states)


def delivery_for(user: User, kind: str) -> str:
    """How ``user`` wants e-mails of ``kind``: immediately, as a daily digest, or not at all.

    Every feature that sends mail asks this first (and :func:`send_notification_mail` checks
    :func:`mail_is_off` again for those that chose in bulk).
    """
    if mail_is_off(user):
        return Delivery.OFF
    setting = NotificationSetting.objects.filter(user=user, kind=kind).values_list(
        "delivery", flat=True
    )
    return setting.first() or Delivery.IMMEDIATELY


def portal_path(url: str) -> str:
    """``url`` as a path of the portal itself. A link made while a request is served under a
    mount (the hub embedded at ``/embed/``) carries that mount; an inbox item is read in the
    portal, by someone else, so it must not."""
    prefix = get_script_prefix()
    if prefix != "/" and url.startswith(prefix):
        return "/" + url[len(prefix) :]
    return url


Text = str | Promise  # a title or body: lazy, so each reader gets it in their language


def in_language(text: Text, language: str) -> str:
    """``text`` (a lazy string, or already a plain one) made in ``language``."""
    with translation.override(language):
        return str(text)


def notify(
    users: Iterable[User],
    *,
    kind: str,
    title: Text,
    url: str = "",
    body: Text = "",
    account: Account | None = None,
    emailed: bool = False,
) -> list[Notification]:
    """Put an item in each person's inbox (one insert for all of them), with no e-mail now:
    for events told in the portal only, or by a digest e-mail of their own. One event with an
    e-mail goes through :func:`tell`. ``emailed``: a digest e-mail of the sender's own
    carried it already (the inbox digest leaves it out).

    ``title`` and ``body`` are lazy strings (``gettext_lazy``, ``format_lazy``): each person's
    item is made in their language (:func:`portal.i18n.languages_of`), once per language."""
    now = timezone.now()
    people = [user for user in users if user.is_active]
    languages = languages_of(people, account=account)
    texts = {
        language: (in_language(title, language)[:300], in_language(body, language))
        for language in set(languages.values())
    }
    path = portal_path(url)[:500]
    return Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=kind,
                title=texts[languages[user.pk]][0],
                url=path,
                body=texts[languages[user.pk]][1],
                account=account,
                created_at=now,
                emailed_at=now if emailed else None,
            )
            for user in people
        ]
    )


def tell_owner_of_customer(
    account: Account, *, acting_user: User, kind: str, title: Text, url: str, body: Text = ""
) -> None:
    """What a customer did, in the owner CSM's inbox (and their digest, if they chose one):
    not what the vendor's own people do, who see it where they did it."""
    owner = account.owner
    if acting_user.is_vendor or owner is None or owner.pk == acting_user.pk:
        return
    notify([owner], kind=kind, title=title, url=url, body=body, account=account)


def notify_each(items: Iterable[Notification]) -> list[Notification]:
    """Put many different items in many inboxes in one insert (a batch sender's form of
    :func:`notify`); items of deactivated people are left out. An item's title and body may
    be lazy strings: each is made in its person's language."""
    now = timezone.now()
    chosen = [item for item in items if item.user.is_active]
    by_account: dict[int | None, dict[int, User]] = {}
    for item in chosen:
        by_account.setdefault(item.account_id, {})[item.user.pk] = item.user
    accounts = {
        item.account_id: item.account
        for item in chosen
        if item.account_id and Notification.account.is_cached(item)
    }
    if missing := {key for key in by_account if key and key not in accounts}:
        accounts.update(Account.objects.in_bulk(missing))
    languages = {
        key: languages_of(people.values(), account=accounts.get(key) if key else None)
        for key, people in by_account.items()
    }
    for item in chosen:
        language = languages[item.account_id][item.user.pk]
        item.title = in_language(item.title, language)[:300]
        item.body = in_language(item.body, language)
        item.url = portal_path(item.url)[:500]
        item.created_at = now
    return Notification.objects.bulk_create(chosen)


def notification_preferences(user: User) -> dict[str, str]:
    chosen = dict(NotificationSetting.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.IMMEDIATELY) for kind in NotificationKind.values}


ACCOUNT_MAIL_OFF_SALT = "accounts.account_mail_off"


def account_mail_off_url(user: User) -> str:
    """A signed link that turns ``user``'s account e-mails off in one click, without logging
    in: the footer of the e-mails playbooks send to customers."""
    from django.core import signing
    from django.urls import reverse

    token = signing.dumps({"u": user.pk}, salt=ACCOUNT_MAIL_OFF_SALT, compress=False)
    return settings.SITE_URL + reverse("account_mail_off", args=[token])


def read_account_mail_off_token(token: str) -> User | None:
    """The customer a link names; None for a changed link or anyone but a customer."""
    from django.core import signing

    try:
        payload = signing.loads(token, salt=ACCOUNT_MAIL_OFF_SALT)
    except signing.BadSignature:
        return None
    user_pk = payload.get("u") if isinstance(payload, dict) else None
    if not isinstance(user_pk, int):
        return None
    return User.objects.filter(pk=user_pk, vendor_role="").first()


@transaction.atomic
def turn_off_account_mail(user: User) -> bool:
    """The person asked (by their e-mail's link) for no more account e-mails. Returns whether
    this changed anything."""
    if delivery_for(user, NotificationKind.ACCOUNT) == Delivery.OFF:
        return False
    before = notification_preferences(user)[NotificationKind.ACCOUNT]
    NotificationSetting.objects.update_or_create(
        user=user, kind=NotificationKind.ACCOUNT, defaults={"delivery": Delivery.OFF}
    )
    record(
        gettext_noop("turned account e-mails off"),
        actor=user,
        target=user,
        before={"account": before},
        after={"account": Delivery.OFF},
        internal=True,
    )
    return True


@transaction.atomic
def update_profile(
    user: User,
    *,
    name: str,
    language: str | None = None,
    time_zone: str | None = None,
    acting_user: User,
) -> User:
    """Change a person's own profile: their name, and (when given) their language and time
    zone, "" for automatic (portal.i18n)."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("People edit their own profile only."))
    user.name = name
    fields = ["name"]
    if language is not None:
        user.language = language
        fields.append("language")
    if time_zone is not None:
        user.time_zone = time_zone
        fields.append("time_zone")
    user.save(update_fields=fields)
    return user


@transaction.atomic
def set_notification_preferences(user: User, preferences: dict[str, str]) -> None:
    for kind, delivery in preferences.items():
        NotificationSetting.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": delivery}
        )


@transaction.atomic
def add_staff(*, email: str, name: str, vendor_role: str, acting_user: User) -> User:
    """Add a CSM or CS admin; they get an e-mail with a link to set their password."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Someone already logs in with this address.")})
    user = User.objects.create_user(email, password=None, name=name, vendor_role=vendor_role)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    record(
        gettext_noop("added a member of staff"),
        actor=acting_user,
        target=user,
        after={"role": vendor_role},
    )
    enqueue("accounts.send_staff_welcome", user_id=user.pk, inviter_id=acting_user.pk)
    return user


@transaction.atomic
def change_staff_role(user: User, *, vendor_role: str, acting_user: User) -> User:
    if user.pk == acting_user.pk:
        raise PermissionDenied(_("You cannot change your own role."))
    before = snapshot(user, ["vendor_role"])
    if user.vendor_role != vendor_role:
        user.vendor_role = vendor_role
        user.save(update_fields=["vendor_role"])
        record(
            gettext_noop("changed a staff role"),
            actor=acting_user,
            target=user,
            before=before,
            after=snapshot(user, ["vendor_role"]),
        )
    return user


@transaction.atomic
def set_staff_team(user: User, *, team: str, acting_user: User) -> User:
    """Put a member of staff in a CS team (blank: none). Accounts are shared out within a
    team by the assign-owner playbook step."""
    if not user.is_vendor:
        raise ValidationError(_("Only the vendor's staff belong to a CS team."))
    team = " ".join(team.split())
    before = snapshot(user, ["team"])
    if user.team != team:
        user.team = team
        user.save(update_fields=["team"])
        record(
            gettext_noop("changed a staff team"),
            actor=acting_user,
            target=user,
            before=before,
            after=snapshot(user, ["team"]),
        )
    return user


def staff_teams() -> list[str]:
    """The CS teams staff belong to now, by name."""
    return list(
        User.objects.exclude(vendor_role="")
        .exclude(team="")
        .order_by("team")
        .values_list("team", flat=True)
        .distinct()
    )


# Portal engagement ------------------------------------------------------------------------------


def counts_as_engagement(user: Any, access: AccountAccess) -> bool:
    """Whether ``user`` looking at ``access``'s account is the customer using their portal.

    Vendor staff never count (engagement is the customer's), nor does a CSM's preview of the
    portal as a customer would see it.
    """
    return (
        access.is_customer
        and not access.preview
        and getattr(user, "is_authenticated", False)
        and not user.is_vendor
    )


def _add_visits(user: User, account_ids: Iterable[int], *, page_views: int, logins: int) -> None:
    """Add to today's row of ``user`` on each account, in one statement whatever the rows.

    ``INSERT … ON CONFLICT DO UPDATE`` adds to the counts in the database: the ORM's
    ``bulk_create(update_conflicts=True)`` can only overwrite them, and an ``update()`` followed by
    a ``create()`` costs a second query and a savepoint on a person's first page of the day, and
    loses a count when two requests race. PostgreSQL and SQLite (3.24+) both speak it.
    """
    ids = list(account_ids)
    if not ids:
        return
    table = connection.ops.quote_name(PortalVisit._meta.db_table)
    now = timezone.now()
    day = timezone.localdate(now)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(ids))
    params: list[Any] = []
    for account_id in ids:
        params += [user.pk, account_id, day, page_views, logins, now]
    sql = (
        f"INSERT INTO {table} (user_id, account_id, day, page_views, logins, last_seen_at) "  # noqa: S608 - names from the model, values bound
        f"VALUES {rows} ON CONFLICT (user_id, account_id, day) DO UPDATE SET "
        f"page_views = {table}.page_views + excluded.page_views, "
        f"logins = {table}.logins + excluded.logins, "
        f"last_seen_at = excluded.last_seen_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_page_view(user: User, access: AccountAccess) -> None:
    """Count one page of the account's portal opened by ``user`` today: one query, or none
    when it does not count (see :func:`counts_as_engagement`)."""
    if counts_as_engagement(user, access):
        _add_visits(user, [access.account.pk], page_views=1, logins=0)


def record_login(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Count a log-in on every account ``user`` belongs to (two queries, none for vendor staff).

    Connected to Django's ``user_logged_in`` in ``AccountsConfig.ready``: allauth's log-ins send
    it too, and so do those that start elsewhere (accepting an invitation).
    """
    if user.is_vendor or not user.is_active:
        return
    accounts = Membership.objects.filter(user=user).values_list("account_id", flat=True)
    _add_visits(user, accounts, page_views=0, logins=1)


# Single sign-on (accounts.sso): an account's identity provider, set up by a CS admin.

SSO_FIELDS = ["protocol", "enabled", "require_sso", "group_claim", "role_mapping"]


def _sso_snapshot(sso: AccountSSO) -> dict[str, Any]:
    """What the activity log shows of a single sign-on: never its client secret."""
    out = snapshot(sso, SSO_FIELDS)
    idp = sso.app.settings.get("idp") or {}
    out["identity_provider"] = sso.app.settings.get("server_url") or idp.get("entity_id", "")
    out["client_id"] = sso.app.client_id if sso.protocol == SSOProtocol.OIDC else ""
    return out


@transaction.atomic
def configure_sso(
    account: Account,
    *,
    acting_user: User,
    protocol: str,
    server_url: str = "",
    client_id: str = "",
    client_secret: str | None = None,
    saml_entity_id: str = "",
    saml_sso_url: str = "",
    saml_x509cert: str = "",
    saml_metadata_url: str = "",
    require_sso: bool = False,
    group_claim: str = "",
    role_mapping: dict[str, str] | None = None,
) -> AccountSSO:
    """Set up (or change, and switch on) ``account``'s single sign-on: its own allauth
    SocialApp, OpenID Connect (issuer URL, client ID and secret; a blank secret keeps the one
    stored) or SAML 2.0 (the identity provider's entity ID with its sign-in URL and
    certificate, or its metadata URL)."""
    from allauth.socialaccount.models import SocialApp

    from .sso import planned_provider_id

    if not account.allowed_domains:
        raise ValidationError(
            _("Set the account's allowed e-mail domains first: single sign-on admits only them.")
        )
    sso = AccountSSO.objects.select_for_update().filter(account=account).first()
    before = _sso_snapshot(sso) if sso is not None else None
    app = sso.app if sso is not None else SocialApp(provider_id=planned_provider_id(account))
    app.name = f"{account.name} SSO"[:40]
    if protocol == SSOProtocol.OIDC:
        if not client_secret and not (app.provider == "openid_connect" and app.secret):
            raise ValidationError({"client_secret": _("Enter the client secret.")})
        app.provider = "openid_connect"
        app.client_id = client_id
        if client_secret:
            app.secret = client_secret
        app.settings = {"server_url": server_url}
    else:
        app.provider = "saml"
        app.client_id = app.provider_id  # allauth's SAML URLs are named by it
        app.secret = ""
        idp: dict[str, str] = {"entity_id": saml_entity_id}
        if saml_metadata_url:
            idp["metadata_url"] = saml_metadata_url
        else:
            idp.update({"sso_url": saml_sso_url, "x509cert": saml_x509cert})
        # Single-label host names (a first look on "localhost") are the portal's own to judge:
        # python3-saml would refuse to build the service provider's URLs on them.
        app.settings = {"idp": idp, "advanced": {"allow_single_label_domains": True}}
    app.save()
    if sso is None:
        sso = AccountSSO(account=account, app=app)
    sso.protocol = protocol
    sso.enabled = True
    sso.require_sso = require_sso
    sso.group_claim = group_claim
    sso.role_mapping = role_mapping or {}
    sso.save()
    record(
        gettext_noop("set up single sign-on")
        if before is None
        else gettext_noop("changed single sign-on"),
        actor=acting_user,
        account=account,
        target=sso,
        before=before,
        after=_sso_snapshot(sso),
        internal=True,
    )
    return sso


@transaction.atomic
def disable_sso(sso: AccountSSO, *, acting_user: User) -> AccountSSO:
    """Switch an account's single sign-on off: its sign-in URLs answer 404 and its people log
    in with a password or a code again. The setup is kept for switching it back on."""
    if sso.enabled:
        before = _sso_snapshot(sso)
        sso.enabled = False
        sso.save(update_fields=["enabled", "updated_at"])
        record(
            gettext_noop("switched off single sign-on"),
            actor=acting_user,
            account=sso.account,
            target=sso,
            before=before,
            after=_sso_snapshot(sso),
            internal=True,
        )
    return sso


@transaction.atomic
def join_by_sso(user: User, *, sso: AccountSSO, groups: list[str]) -> Membership:
    """A person signed in through ``sso``: they are in that account (and no other because of
    it). A first-timer gets the role their groups map to, else member; a role set before stays."""
    membership, created = Membership.objects.get_or_create(
        user=user, account=sso.account, defaults={"role": sso.role_for_groups(groups)}
    )
    if created:
        record(
            gettext_noop("joined through single sign-on"),
            actor=user,
            account=sso.account,
            target=sso.account,
            after={"role": membership.role},
        )
    return membership


# The inbox and the e-mail that comes with it ------------------------------------------------
# Every event a person hears of goes to their inbox (the bell in the header), and by e-mail as
# they chose for its kind: at once, gathered into the daily digest, or not at all ("in the
# portal only"). Senders call ``tell`` and decide nothing of that themselves.


@dataclass(frozen=True)
class Mail:
    """The e-mail that tells of an event: ``templates/emails/<template>*`` with ``context``."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


UNSUBSCRIBE_SALT = "accounts.unsubscribe"


def unsubscribe_url(user: User, *kinds: str) -> str:
    """A signed link that turns ``user``'s e-mails of ``kinds`` off (to "in the portal only")
    without logging in: the ``List-Unsubscribe`` header of every notification e-mail."""
    from django.core import signing
    from django.urls import reverse

    payload = {"u": user.pk, "k": sorted(set(kinds))}
    token = signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=False)
    return settings.SITE_URL + reverse("unsubscribe", args=[token])


def read_unsubscribe_token(token: str) -> tuple[User, list[str]] | None:
    """The person and the kinds a link names; None for a changed link or a kind that is gone."""
    from django.core import signing

    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_pk, kinds = payload.get("u"), payload.get("k")
    if not isinstance(user_pk, int) or not isinstance(kinds, list) or not kinds:
        return None
    if any(kind not in NotificationKind.values for kind in kinds):
        return None
    user = User.objects.filter(pk=user_pk).first()
    return (user, kinds) if user is not None else None


@transaction.atomic
def unsubscribe(user: User, kinds: list[str]) -> bool:
    """The person asked (their mail client's button, or the link) for no more e-mails of
    ``kinds``: those events stay in their inbox. Returns whether this changed anything."""
    chosen = notification_preferences(user)
    before = {kind: chosen[kind] for kind in kinds if chosen[kind] != Delivery.OFF}
    if not before:
        return False
    for kind in before:
        NotificationSetting.objects.update_or_create(
            user=user, kind=kind, defaults={"delivery": Delivery.OFF}
        )
    record(
        gettext_noop("turned e-mails off"),
        actor=user,
        target=user,
        before=before,
        after=dict.fromkeys(before, Delivery.OFF),
        internal=True,
    )
    return True


def send_notification_mail(user: User, kinds: str | Sequence[str], mail: Mail) -> bool:
    """E-mail ``user`` of an event of ``kinds``, with one-click unsubscribe from them; whether
    it went out (never to someone whose e-mail is off altogether: :func:`mail_is_off`)."""
    from portal.mail import send_mail_from_templates

    if mail_is_off(user):
        return False

    context = {
        "user": user,
        "notifications_url": settings.SITE_URL + _reverse("notifications"),
        "inbox_url": settings.SITE_URL + _reverse("inbox"),
        **mail.context,
    }
    send_mail_from_templates(
        mail.template,
        to=[user.email],
        recipients=[user],
        context=context,
        unsubscribe_url=unsubscribe_url(user, *([kinds] if isinstance(kinds, str) else kinds)),
    )
    return True


def _reverse(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def tell(
    user: User,
    *,
    kind: str,
    title: Text,
    url: str = "",
    account: Account | None = None,
    body: Text = "",
    mail: Mail | None = None,
    delivery: str | None = None,
) -> bool:
    """Tell ``user`` of an event: one item in their inbox, and ``mail`` now when they want
    e-mails of ``kind`` at once (for "daily digest" the inbox digest carries the item later;
    "in the portal only" sends none). ``delivery`` is their choice when the caller loaded it
    in bulk. Returns whether an e-mail went out.

    The e-mail goes first: when it fails, no item is left behind, and a retry tells once.
    """
    if not user.is_active:
        return False
    delivery = delivery or delivery_for(user, kind)
    emailed = mail is not None and delivery == Delivery.IMMEDIATELY
    if emailed:
        assert mail is not None
        emailed = send_notification_mail(user, kind, mail)
    language = languages_of([user], account=account)[user.pk]
    Notification.objects.create(
        user=user,
        kind=kind,
        title=in_language(title, language)[:300],
        url=portal_path(url)[:500],
        body=in_language(body, language),
        account=account,
        emailed_at=timezone.now() if emailed else None,
    )
    return emailed


def tell_mentioned(
    user: User,
    *,
    comment: Any,
    kind: str,
    where: Text,
    url: str,
    account: Account,
    template: str,
    context: dict[str, Any],
) -> bool:
    """Tell ``user`` that ``comment`` (a task's or a plan's) @mentions them ``where`` ("the
    task “Kick-off”"): :func:`tell` with the comment's excerpt and author."""
    author = comment.author.display_name if comment.author else gettext_lazy("Someone")
    return tell(
        user,
        kind=kind,
        title=format_lazy(
            gettext_lazy("{author} mentioned you on {where}"), author=author, where=where
        ),
        url=url,
        account=account,
        body=comment.body[:500],
        mail=Mail(template, {"comment": comment, "account": account, **context}),
    )


def mark_read(item: Notification, *, acting_user: User) -> Notification:
    """Mark one inbox item read: only its person may (the views find it among theirs, so
    anyone else gets a 404 first). A person's own state: not in the activity log."""
    if item.user_id != acting_user.pk:
        raise PermissionDenied(_("This is someone else's."))
    if item.read_at is None:
        item.read_at = timezone.now()
        Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=item.read_at)
    return item


def mark_all_read(*, acting_user: User, kind: str = "") -> int:
    """Mark every unread item of ``acting_user`` (of ``kind``, when given) read; how many."""
    unread = Notification.objects.filter(user=acting_user, read_at__isnull=True)
    if kind:
        unread = unread.filter(kind=kind)
    return unread.update(read_at=timezone.now())
