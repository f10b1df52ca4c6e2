"""Customer accounts, the people in them, invitations, and the activity log."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from portal.choices import TextChoices, gettext_lazy
from portal.i18n import StoredText, language_choices, time_zone_choices

if TYPE_CHECKING:
    from django.db.models import QuerySet


class VendorRole(TextChoices):
    CSM = "csm", gettext_lazy("Customer Success Manager")
    ADMIN = "admin", gettext_lazy("CS admin")


class CustomerRole(TextChoices):
    CHAMPION = "champion", gettext_lazy("Champion")
    EXECUTIVE = "executive", gettext_lazy("Executive")
    MEMBER = "member", gettext_lazy("Member")


NOT_LOADED: Any = object()


class TracksLoadedValues(models.Model):
    """Remembers its ``tracked_fields`` as last loaded from or saved to the database, so a
    ``post_save`` receiver can tell what a save changed without a query (the ``Model.from_db``
    pattern of Django's docs). A field never seen (deferred, or an instance built by hand with
    its pk) reads as :data:`NOT_LOADED` and counts as unchanged."""

    tracked_fields: ClassVar[tuple[str, ...]] = ()  # attnames, e.g. "owner_id"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # After the post_save receivers: the next save compares with what is now stored.
        self._remember(kwargs.get("update_fields"))

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance.__dict__["_loaded_values"] = {
            name: value
            for name, value in zip(field_names, values, strict=True)
            if name in cls.tracked_fields
        }
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember(kwargs.get("fields"))

    def _remember(self, fields: Any) -> None:
        loaded: dict[str, Any] = self.__dict__.setdefault("_loaded_values", {})
        for attname in self.tracked_fields:
            name = attname.removesuffix("_id")
            if fields is not None and not {attname, name} & set(fields):
                continue
            if attname in self.__dict__:  # not deferred
                loaded[attname] = self.__dict__[attname]

    def loaded_value(self, attname: str) -> Any:
        """The value of ``attname`` as last loaded or saved, or :data:`NOT_LOADED`."""
        return self.__dict__.get("_loaded_values", {}).get(attname, NOT_LOADED)

    def changes(self, update_fields: Any = None) -> dict[str, tuple[Any, Any]]:
        """The tracked fields a save (of ``update_fields``, None for all) changed:
        ``{attname: (before, after)}``. For ``post_save`` receivers, which run before the
        values are remembered anew."""
        changed = {}
        for attname in self.tracked_fields:
            name = attname.removesuffix("_id")
            if update_fields is not None and not {attname, name} & set(update_fields):
                continue
            before = self.loaded_value(attname)
            after = self.__dict__.get(attname, NOT_LOADED)
            if before is not NOT_LOADED and after is not NOT_LOADED and before != after:
                changed[attname] = (before, after)
        return changed


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_superuser", True)
        fields.setdefault("vendor_role", VendorRole.ADMIN)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(TracksLoadedValues, AbstractBaseUser, PermissionsMixin):
    """A person who logs in: customer users and vendor staff alike. The e-mail is the login."""

    # A first log-in is a save of last_login over None (playbooks.signals).
    tracked_fields = ("last_login",)

    email = models.EmailField(gettext_lazy("e-mail address"), unique=True)
    name = models.CharField(max_length=150, blank=True)
    vendor_role = models.CharField(
        max_length=10,
        choices=VendorRole.choices,
        blank=True,
        help_text=gettext_lazy(
            "Set for the vendor's staff only; customer users have memberships instead."
        ),
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    team = models.CharField(
        max_length=60,
        blank=True,
        # In the database too, so rows written by older migrations' models get it.
        db_default="",
        help_text=gettext_lazy(
            "Vendor staff: the CS team they belong to (accounts are shared out within it)."
        ),
    )
    # Empty: automatic (the account's, then the browser's or the site's: portal.i18n).
    language = models.CharField(
        gettext_lazy("language"), max_length=10, blank=True, db_default="", choices=language_choices
    )
    time_zone = models.CharField(
        gettext_lazy("time zone"),
        max_length=64,
        blank=True,
        db_default="",
        choices=time_zone_choices,
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = self.display_name.replace(".", " ").split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    @property
    def is_staff(self) -> bool:
        # Django's admin is a back door for superusers only, never the CSMs' workplace.
        return self.is_superuser

    @property
    def is_vendor(self) -> bool:
        return bool(self.vendor_role)

    @property
    def is_csm(self) -> bool:
        return self.vendor_role == VendorRole.CSM

    @property
    def is_cs_admin(self) -> bool:
        return self.vendor_role == VendorRole.ADMIN

    def get_short_name(self) -> str:
        return self.display_name

    def get_full_name(self) -> str:
        return self.display_name


class Segment(TextChoices):
    ENTERPRISE = "enterprise", gettext_lazy("Enterprise")
    MID_MARKET = "mid_market", gettext_lazy("Mid-market")
    SMB = "smb", gettext_lazy("SMB")


class TouchModel(TextChoices):
    HIGH = "high", gettext_lazy("High touch")
    LOW = "low", gettext_lazy("Low touch")
    TECH = "tech", gettext_lazy("Tech touch")


class SelfJoin(TextChoices):
    """Whether people at an account's allowed e-mail domains may ask to join it (/join/)."""

    OFF = "off", gettext_lazy("Off: people join by invitation only")
    APPROVAL = "approval", gettext_lazy("Requests need a champion's approval")
    AUTOMATIC = "automatic", gettext_lazy("Automatic: a confirmed address joins as a member")


class Stage(TextChoices):
    ONBOARDING = "onboarding", gettext_lazy("Onboarding")
    ADOPTION = "adoption", gettext_lazy("Adoption")
    GROWTH = "growth", gettext_lazy("Growth")
    RENEWAL = "renewal", gettext_lazy("Renewal")
    CHURNED = "churned", gettext_lazy("Churned")


class AccountQuerySet(models.QuerySet["Account"]):
    def visible_to(self, user: Any) -> AccountQuerySet:
        """The one tenancy rule: which accounts a user may see.

        Customer users see the accounts they are members of, a CSM the accounts of their
        portfolio, a CS admin every account. Everyone else sees none.
        """
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.vendor_role == VendorRole.ADMIN:
            return self.all()
        if user.vendor_role == VendorRole.CSM:
            return self.filter(owner=user)
        return self.filter(memberships__user=user)


brand_color_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$",
    gettext_lazy("Enter a colour as # followed by six hex digits, like #2457d6."),
)


class Tag(models.Model):
    """A label the CS team puts on accounts ("strategic", "beta", "EMEA")."""

    name = models.CharField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Account(TracksLoadedValues):
    """A customer company."""

    # What playbooks.signals compares on save to raise "stage changed" and the like.
    tracked_fields = ("stage", "segment", "touch_model", "owner_id")

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    segment = models.CharField(
        gettext_lazy("segment"),
        max_length=12,
        choices=Segment.choices,
        default=Segment.MID_MARKET,
    )
    touch_model = models.CharField(
        gettext_lazy("touch model"),
        max_length=6,
        choices=TouchModel.choices,
        default=TouchModel.LOW,
    )
    stage = models.CharField(
        gettext_lazy("stage"), max_length=12, choices=Stage.choices, default=Stage.ONBOARDING
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="portfolio",
        limit_choices_to={"vendor_role": VendorRole.CSM},
        help_text=gettext_lazy("The CSM whose portfolio this account is in."),
    )
    renewal_date = models.DateField(null=True, blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True)
    brand_color = models.CharField(
        max_length=7, blank=True, validators=[brand_color_validator], default=""
    )
    email_domains = models.CharField(
        gettext_lazy("allowed e-mail domains"),
        max_length=300,
        blank=True,
        help_text=gettext_lazy(
            "Comma-separated. When set, only addresses at these domains can be invited."
        ),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="accounts")
    created_at = models.DateTimeField(auto_now_add=True)
    self_join = models.CharField(
        gettext_lazy("self-join"),
        max_length=10,
        choices=SelfJoin.choices,
        default=SelfJoin.OFF,
        db_default=SelfJoin.OFF,
        help_text=gettext_lazy("Whether people at the allowed e-mail domains may ask to join."),
    )
    # What the account's people read in and their clock, unless they chose their own; empty:
    # the browser's language and the site's zone (portal.i18n).
    language = models.CharField(
        gettext_lazy("language"),
        max_length=10,
        blank=True,
        db_default="",
        choices=language_choices,
        help_text=gettext_lazy(
            "What the account's people read the portal and its e-mails in, unless they choose their own."
        ),
    )
    time_zone = models.CharField(
        gettext_lazy("time zone"),
        max_length=64,
        blank=True,
        db_default="",
        choices=time_zone_choices,
        help_text=gettext_lazy(
            "Where dates, times and the morning e-mails follow, unless a person chooses their own."
        ),
    )
    # Set when the account's offboarding is done (offboarding.services.mark_offboarded): it
    # keeps its history, and its people receive no more e-mail (accounts.services.mail_is_off).
    offboarded_at = models.DateTimeField(null=True, blank=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("account_home", args=[self.slug])

    @property
    def is_offboarded(self) -> bool:
        return self.offboarded_at is not None

    @property
    def allowed_domains(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

    def accepts_email(self, email: str) -> bool:
        domains = self.allowed_domains
        return not domains or email.rsplit("@", 1)[-1].lower() in domains

    @property
    def days_to_renewal(self) -> int | None:
        if self.renewal_date is None:
            return None
        return (self.renewal_date - timezone.localdate()).days


class Membership(models.Model):
    """A customer user's place in an account, with their role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=CustomerRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_membership_per_account")
        ]
        ordering = ["account__name"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.account}"

    @property
    def activity_label(self) -> str:
        return self.user.display_name


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def default_invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.INVITATION_DAYS_VALID)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use link that lets a person join an account with a role.

    The link carries an HMAC of a random nonce under the secret key; the database holds only
    the nonce, so neither a leaked database nor a job's arguments reveal a usable link. A new
    nonce (on resend) retires the old link.
    """

    class Status(TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        ACCEPTED = "accepted", gettext_lazy("Joined")
        EXPIRED = "expired", gettext_lazy("Expired")
        REVOKED = "revoked", gettext_lazy("Revoked")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=CustomerRole.choices)
    nonce = models.CharField(max_length=64, default=new_nonce)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=gettext_lazy(
            "Empty when the person asked to join and the account lets them in by itself."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.account}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        return stored_text(
            gettext_noop("%(email)s (%(role)s)"), email=self.email, role=stored_choice(self, "role")
        )

    @property
    def token(self) -> str:
        digest = salted_hmac("invitation", f"{self.pk}:{self.nonce}", algorithm="sha256")
        return f"{self.pk}-{digest.hexdigest()}"

    @classmethod
    def from_token(cls, token: str) -> Invitation | None:
        pk, _, _digest = token.partition("-")
        if not pk.isdigit():
            return None
        invitation = cls.objects.select_related("account").filter(pk=int(pk)).first()
        if invitation is None or not constant_time_compare(invitation.token, token):
            return None
        return invitation

    def get_accept_url(self) -> str:
        return settings.SITE_URL + reverse("accept_invitation", args=[self.token])

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class NotificationKind(TextChoices):
    """The kinds of event a person hears of: always in their inbox, and by e-mail at once,
    in a daily digest, or not at all, as they choose (``Delivery``)."""

    TASKS = "tasks", gettext_lazy("Tasks assigned to me, due and overdue")
    PLANS = "plans", gettext_lazy("Success plan comments and mentions")
    SURVEYS = "surveys", gettext_lazy("Surveys")
    REPORTS = "reports", gettext_lazy("Business reviews and Wrapped ready to download")
    ACCOUNT = "account", gettext_lazy("Account updates and digests")
    UPDATES = "updates", gettext_lazy("Product updates and news")
    ADOPTION = "adoption", gettext_lazy("Tips on features you have not tried yet")


class Delivery(TextChoices):
    """How a person hears of a kind of event. Every event goes to their inbox whatever they
    choose; this says what e-mail comes with it. "off" is e-mail off, that is "in the portal
    only" (the stored value kept from before the inbox, so existing settings mean the same)."""

    IMMEDIATELY = "immediately", gettext_lazy("E-mail now")
    DIGEST = "digest", gettext_lazy("Daily digest e-mail")
    OFF = "off", gettext_lazy("In the portal only")


class NotificationSetting(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_setting_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class Notification(models.Model):
    """One item in a person's inbox (the bell in the header): the same events as their
    e-mails, kept whether or not an e-mail went out, read or not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    account = models.ForeignKey(
        "Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=500, blank=True, help_text=gettext_lazy("A path in the portal.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When an e-mail told the person of it (at once, or in a digest): the daily inbox digest
    # gathers only items no e-mail has carried yet.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="inbox_recent"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="inbox_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class InboxDigestSent(models.Model):
    """One row per person and day the inbox digest went out: never two in a day (the pattern
    of onboarding's ``ReminderSent``); ``item_ids`` are the inbox items it carried."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    item_ids = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_inbox_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"Inbox digest to {self.user_id} on {self.day}"


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_account(self, account: Account) -> QuerySet[Activity]:
        return self.filter(account=account).select_related("actor")


class Activity(models.Model):
    """Who did what to which object, when, and (where it applies) what it was before and after."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)  # in English
    # The target's label as a stored text (portal.i18n.StoredText.as_json), to read in each
    # reader's language; empty where the label is people's own words, or from before.
    target_words = models.JSONField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    internal = models.BooleanField(
        default=False, help_text=gettext_lazy("Shown to vendor staff only, never to the customer.")
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="activity_account_recent")]
        verbose_name_plural = gettext_lazy("activities")

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_label}"

    @property
    def target_text(self) -> str:
        """The target as the reader reads it: its stored text in the active language, else the
        label as stored (people's own words, an entry from before stored texts)."""
        if self.target_words:
            try:
                return StoredText.from_json(self.target_words).translated()[:300]
            except (ValueError, TypeError, KeyError, AttributeError):
                pass
        return self.target_label

    @property
    def line(self) -> SafeString:
        """The timeline's line, in the reader's language: who (in ``<strong>``) did what to
        which target (in ``<span class="target">``), as one sentence of the language
        (:mod:`accounts.timeline`), the names escaped. An entry whose verb has no sentence (one
        from before) reads as it did: the name, the verb, the target."""
        from .timeline import WITH_TARGET, WITHOUT_TARGET

        actor = self.actor.display_name if self.actor else gettext("The portal")
        target = self.target_text
        values = {"actor": format_html("<strong>{}</strong>", actor)}
        if target:
            values["target"] = format_html('<span class="target">{}</span>', target)
        sentence = (WITH_TARGET if target else WITHOUT_TARGET).get(self.verb)
        if sentence is not None:
            # A sentence with a context (accounts.timeline) is a stored text.
            translated = (
                sentence.translated() if isinstance(sentence, StoredText) else gettext(sentence)
            )
            for message in (translated, str(sentence)):  # English if the translation is amiss
                try:
                    return mark_safe(conditional_escape(message) % values)  # noqa: S308 - escaped
                except (KeyError, ValueError, TypeError):
                    continue
        verb = gettext(self.verb) if self.verb else ""
        if target:
            return format_html("{} {} {}", values["actor"], verb, values["target"])
        return format_html("{} {}", values["actor"], verb)

    @property
    def changes(self) -> list[tuple[Any, Any, Any]]:
        """(what, before, after) of each value that changed, worded for the reader
        (:mod:`accounts.change_words`): the name of the target's field or of the key, and the
        values as labels, dates and numbers of their language."""
        from .change_words import change_name, change_value

        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        changes = []
        for key in keys:
            if before.get(key) == after.get(key):
                continue
            field = self._field(key)
            changes.append(
                (
                    change_name(key, field),
                    change_value(before.get(key), field),
                    change_value(after.get(key), field),
                )
            )
        return changes

    def _field(self, key: str) -> Any:
        if self.target_type_id is None:
            return None
        model = ContentType.objects.get_for_id(self.target_type_id).model_class()
        try:
            field = model._meta.get_field(key) if model is not None else None
        except FieldDoesNotExist:
            return None
        # A key named like a reverse relation ("steps" of a playbook run) is not one of its fields.
        return field if isinstance(field, models.Field) else None


class PortalVisit(models.Model):
    """One customer's use of one account's portal on one day: pages opened and log-ins.

    Recorded for the customer's own people only (never vendor staff, never a CSM's "view as
    customer" preview), one row a person, account and day, so the figures read days with a visit
    straight from the rows. Customers see their own rows on their profile.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_visits"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="portal_visits")
    day = models.DateField()
    page_views = models.PositiveIntegerField(default=0)
    logins = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "account", "day"], name="portal_visit_one_per_person_and_day"
            )
        ]
        indexes = [models.Index(fields=["account", "-day"], name="portal_visit_account_recent")]

    def __str__(self) -> str:
        return f"{self.user} on {self.account} on {self.day}"


class JoinRequest(models.Model):
    """A person at an allowed domain asked to join an account (self-join) and proved their
    address by the link we e-mailed them. A champion (or the CSM) approves it, which sends an
    invitation, or declines it. In automatic mode it is approved at once, by nobody."""

    class Status(TextChoices):
        PENDING = "pending", gettext_lazy("Waiting for approval")
        APPROVED = "approved", gettext_lazy("Approved")
        DECLINED = "declined", gettext_lazy("Declined")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="join_requests")
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(
        blank=True, help_text=gettext_lazy("Why it was declined, as told to them.")
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_request",
        help_text=gettext_lazy("The invitation an approval sent."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=models.Q(status="pending"),
                name="one_pending_join_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} asks to join {self.account}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def activity_label(self) -> str:
        return f"{self.name} ({self.email})" if self.name else self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class SSOProtocol(TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"


class AccountSSO(models.Model):
    """An account's single sign-on with its company's identity provider.

    The protocol itself is django-allauth's: each account's identity provider is its own
    ``SocialApp`` (``provider_id`` like ``sso-acme``), so a sign-in through it is known to come
    from this account's configuration and no other. The portal adds who may come in (the
    account's e-mail domains, never vendor staff), the role a first sign-in gets (from a group
    claim, when mapped), and whether the account's people must sign in this way.
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="sso")
    protocol = models.CharField(max_length=4, choices=SSOProtocol.choices)
    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="account_sso"
    )
    enabled = models.BooleanField(default=True)
    require_sso = models.BooleanField(
        gettext_lazy("require single sign-on"),
        default=False,
        help_text=gettext_lazy(
            "Password and e-mailed code log-in are refused for the account's people."
        ),
    )
    group_claim = models.CharField(
        max_length=100,
        blank=True,
        help_text=gettext_lazy(
            "The claim (OpenID Connect) or attribute (SAML) that lists the person's groups."
        ),
    )
    # Group name -> customer role, for a first sign-in. Unmapped groups: member.
    role_mapping = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("account single sign-on")

    def __str__(self) -> str:
        return f"{self.account} single sign-on ({self.get_protocol_display()})"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_choice, stored_text

        return stored_text(
            gettext_noop("single sign-on (%(protocol)s)"),
            protocol=stored_choice(self, "protocol"),
        )

    @property
    def provider_id(self) -> str:
        return str(self.app.provider_id)

    @property
    def button_label(self) -> str:
        return gettext("Sign in with %(account)s SSO") % {"account": self.account.name}

    def role_for_groups(self, groups: list[str]) -> str:
        """The role a first sign-in gets from the person's groups: the highest mapped one
        (champion over executive over member); member when none is mapped."""
        mapped = {self.role_mapping.get(group) for group in groups}
        for role in (CustomerRole.CHAMPION, CustomerRole.EXECUTIVE):
            if role.value in mapped:
                return role.value
        return CustomerRole.MEMBER.value
