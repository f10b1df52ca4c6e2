"""Data in (contracts, product users, usage) and what the portal derives from it (roll-ups,
health scores). Figures are computed in insights.figures, rows written in insights.services."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import Account, Segment
from portal.choices import TextChoices, gettext_lazy


def portal_currency() -> str:
    """The currency every amount is shown in (settings.CURRENCY, ISO 4217)."""
    return str(settings.CURRENCY)


class ContractKind(TextChoices):
    NEW = "new", gettext_lazy("New business")
    RENEWAL = "renewal", gettext_lazy("Renewal")
    EXPANSION = "expansion", gettext_lazy("Expansion")
    CONTRACTION = "contraction", gettext_lazy("Contraction")


class Contract(models.Model):
    """A contract line. Its MRR is the recurring value spread over its months; one-off fees
    are kept apart and never count as recurring."""

    class ValuePeriod(TextChoices):
        TOTAL = "total", gettext_lazy("For the whole term")
        MONTH = "month", gettext_lazy("Per month")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contracts")
    external_id = models.CharField(max_length=100)
    product = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=ContractKind.choices, default=ContractKind.NEW)
    starts_on = models.DateField()
    ends_on = models.DateField()
    recurring_value = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    value_period = models.CharField(
        max_length=5, choices=ValuePeriod.choices, default=ValuePeriod.TOTAL
    )
    term_months = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    one_off_fees = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    currency = models.CharField(
        max_length=3,
        default=portal_currency,
        help_text=gettext_lazy(
            "ISO 4217. Figures add contracts up as they are: none is converted."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="one_contract_per_external_id"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="contract_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="contract_period")]

    def __str__(self) -> str:
        return f"{self.account} {self.product or self.external_id}"

    @property
    def foreign_currency(self) -> bool:
        """Booked in another currency than the portal's: its amounts are not converted."""
        return self.currency != portal_currency()

    @property
    def mrr(self) -> Decimal:
        """Unrounded: rounding happens once, where a figure is shown."""
        if self.value_period == self.ValuePeriod.MONTH:
            return self.recurring_value
        return self.recurring_value / self.term_months


class ProductUser(models.Model):
    """A person who uses the vendor's product, as the integration knows them."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="product_users")
    external_id = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="one_product_user_per_external_id"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


class UsageEvent(models.Model):
    """How often one user used one feature on one day. Pushing the same row again replaces its
    count (idempotent upserts).

    On PostgreSQL the table is partitioned by month of ``day`` (migration 0005,
    :mod:`insights.services.partitions`). A partitioned table's keys must hold the partition
    key, so its primary key there is ``one_usage_row`` (account, day, user_key, feature);
    ``id`` is filled from one sequence but has no index: look events up by their key, never
    by id. Every query on it should filter on a ``day`` range, so that PostgreSQL reads only
    the months it needs. The key also serves the look-ups by account, so ``account`` has no
    index of its own.

    ``account`` has no foreign-key constraint in the database: checking it row by row cost
    bulk ingestion about a third of its time. The one writer,
    :func:`insights.services.ingest.upsert_usage`, locks the accounts it writes for (``FOR KEY
    SHARE``, what the constraint's check would take) and refuses a missing one; deleting an
    account deletes its events through Django's cascade, as before."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    user_key = models.CharField(
        max_length=200, help_text=gettext_lazy("The product user's external id or e-mail.")
    )
    day = models.DateField()
    feature = models.CharField(max_length=100)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "user_key", "feature"], name="one_usage_row"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.user_key} {self.feature}×{self.count}"


class UsageDay(models.Model):
    """Roll-up per account and day, made by a task: the dashboards read these, not raw events."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="usage_days")
    day = models.DateField()
    active_users = models.PositiveIntegerField(
        help_text=gettext_lazy("Distinct users active that day (DAU).")
    )
    weekly_active_users = models.PositiveIntegerField(
        help_text=gettext_lazy("Distinct users in the 7 days to this day (WAU).")
    )
    monthly_active_users = models.PositiveIntegerField(
        help_text=gettext_lazy("Distinct users in the 30 days to this day (MAU).")
    )
    events = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="one_usage_day")]
        ordering = ["account", "day"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.active_users} active"


class FeatureUsageDay(models.Model):
    """Roll-up per account, feature and day: users of the feature in the 30 days to this day."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    feature = models.CharField(max_length=100)
    monthly_users = models.PositiveIntegerField()
    events = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "feature"], name="one_feature_usage_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.feature}"


class AccountFacts(models.Model):
    """What the CSM knows that no integration sends: seats bought, the pulse."""

    class Pulse(TextChoices):
        GOOD = "good", gettext_lazy("Good")
        NEUTRAL = "neutral", gettext_lazy("Neutral")
        CONCERNED = "concerned", gettext_lazy("Concerned")

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="facts")
    licensed_seats = models.PositiveIntegerField(null=True, blank=True)
    pulse = models.CharField(max_length=10, choices=Pulse.choices, blank=True)
    pulse_note = models.CharField(max_length=500, blank=True)
    pulse_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pulse_at = models.DateTimeField(null=True, blank=True)
    customers_see_health = models.BooleanField(
        default=False, help_text=gettext_lazy("Show the health band on the customer's dashboard.")
    )

    def __str__(self) -> str:
        return f"Facts about {self.account}"

    @classmethod
    def of(cls, account: Account) -> AccountFacts:
        """The account's facts; unsaved and empty when nobody has set any yet."""
        return cls.objects.filter(account=account).first() or cls(account=account)


class UpsellLead(models.Model):
    """A customer-success-qualified lead (CSQL): the CS team saw room to grow, and why.

    Raised by hand (the CSM, on the 360° page), by a playbook step, or by the nightly rules
    (:mod:`insights.services.csql_rules`). ``amount_guess`` and ``won_amount`` are annual
    recurring value (ARR added) in ``currency``, the account's contract currency; a won lead
    counts in NRR as expansion of ``won_amount`` / 12 a month (:mod:`insights.figures.revenue`).
    At most one lead per account and rule is active (open or passed to sales) at a time;
    leads raised by hand are not limited."""

    class Status(TextChoices):
        OPEN = "open", gettext_lazy("Open")
        PASSED = "passed", gettext_lazy("Passed to sales")
        WON = "won", gettext_lazy("Won")
        LOST = "lost", gettext_lazy("Lost")
        DISMISSED = "dismissed", gettext_lazy("Dismissed")

    class Rule(TextChoices):
        HAND = "hand", gettext_lazy("Raised by hand")
        SEAT_USE = "seat_use", gettext_lazy("Seats nearly all used")
        FEATURE_LIMIT = "feature_limit", gettext_lazy("Feature limit reached")
        CROSS_SELL = "cross_sell", gettext_lazy("Promoter with a cross-sell")
        PLAYBOOK = "playbook", gettext_lazy("Playbook")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="upsell_leads")
    reason = models.CharField(max_length=300)
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy("What raised it (a playbook run, a person)."),
    )
    rule = models.CharField(max_length=14, choices=Rule.choices, default=Rule.PLAYBOOK)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    amount_guess = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("ARR it could add, in the account's contract currency."),
    )
    currency = models.CharField(max_length=3, default=portal_currency)
    offer = models.ForeignKey(
        "CrossSellOffer", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    passed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    won_amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("ARR added, in the lead's currency."),
    )
    won_on = models.DateField(null=True, blank=True)
    lost_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["account"], name="upsell_lead_open", condition=models.Q(status="open")
            ),
            models.Index(
                fields=["account", "won_on"],
                name="upsell_lead_won",
                condition=models.Q(status="won"),
            ),
        ]
        constraints = [
            # The nightly rules' idempotency, kept by the database too: one active lead per
            # account and rule (by hand, as many as the CSM raises).
            models.UniqueConstraint(
                fields=["account", "rule"],
                condition=models.Q(status__in=["open", "passed"]) & ~models.Q(rule="hand"),
                name="one_active_lead_per_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"Upsell lead on {self.account}: {self.reason}"

    @property
    def activity_label(self) -> str:
        from django.utils.translation import gettext_noop

        from portal.i18n import stored_text

        return stored_text(gettext_noop("upsell lead “%(reason)s”"), reason=self.reason)

    @property
    def is_active(self) -> bool:
        """Open or passed to sales: still to be won or lost."""
        return self.status in ACTIVE_LEAD_STATUSES


ACTIVE_LEAD_STATUSES = (UpsellLead.Status.OPEN, UpsellLead.Status.PASSED)


class ExpansionConfig(models.Model):
    """The nightly CSQL rules' settings, kept by a CS admin (one row)."""

    seat_use_percent = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=gettext_lazy(
            "Raise a lead when monthly active users reach this share of the seats bought."
        ),
    )
    quiet_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MaxValueValidator(730)],
        help_text=gettext_lazy(
            "After a rule's lead is won, lost or dismissed, the rule waits this many days "
            "before raising another on the same account."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Expansion rules"

    @classmethod
    def current(cls) -> ExpansionConfig:
        return cls.objects.order_by("pk").first() or cls()


class FeatureLimit(models.Model):
    """How many people may use a feature in 30 days: on one account, or on every account with
    a running contract for a product (its plan). An account's own limit wins over its plan's.
    Usage is read from the roll-ups (:class:`FeatureUsageDay`)."""

    feature = models.CharField(max_length=100, help_text=gettext_lazy("As the product reports it."))
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="feature_limits"
    )
    product = models.CharField(
        max_length=200,
        blank=True,
        help_text=gettext_lazy("The contract's product (the plan) it applies to."),
    )
    users = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    amount_guess = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("ARR the next tier adds."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feature", "product", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(account__isnull=True) & ~models.Q(product=""))
                | (models.Q(account__isnull=False) & models.Q(product="")),
                name="feature_limit_on_account_or_plan",
            ),
            models.UniqueConstraint(
                fields=["feature", "account"],
                condition=models.Q(account__isnull=False),
                name="one_feature_limit_per_account",
            ),
            models.UniqueConstraint(
                fields=["feature", "product"],
                condition=models.Q(account__isnull=True),
                name="one_feature_limit_per_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature}: {self.users} users ({self.account or self.product})"


class CrossSellOffer(models.Model):
    """Something a segment's accounts could add, offered to their promoters' accounts that do
    not have it (no running contract for ``product``)."""

    name = models.CharField(max_length=120)
    segment = models.CharField(max_length=20, choices=Segment.choices)
    product = models.CharField(
        max_length=200,
        help_text=gettext_lazy("The contract product that means the account has it."),
    )
    amount_guess = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=gettext_lazy("ARR it adds."),
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["segment", "name"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "product"], name="one_offer_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_segment_display()})"


class HealthConfig(models.Model):
    """The weights of the health score's parts and the bands, set by a CS admin (one row)."""

    usage_weight = models.PositiveSmallIntegerField(default=30)
    sentiment_weight = models.PositiveSmallIntegerField(default=20)
    onboarding_weight = models.PositiveSmallIntegerField(default=15)
    plan_weight = models.PositiveSmallIntegerField(default=15)
    renewal_weight = models.PositiveSmallIntegerField(default=10)
    pulse_weight = models.PositiveSmallIntegerField(default=10)
    # Off by default: a CS admin opts in, and no existing score moves until they do.
    comments_weight = models.PositiveSmallIntegerField(
        default=0,
        help_text=gettext_lazy(
            "Sentiment of customers' comments on surveys, plans and tasks (English only). "
            "0 leaves it out."
        ),
    )
    # The weights of the parts other apps register (insights.figures.health.register_part),
    # by part name; a part missing here has the weight it was registered with.
    extra_weights = models.JSONField(default=dict, blank=True)
    healthy_from = models.PositiveSmallIntegerField(default=70, validators=[MaxValueValidator(100)])
    at_risk_from = models.PositiveSmallIntegerField(default=40, validators=[MaxValueValidator(100)])
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(at_risk_from__lt=models.F("healthy_from")),
                name="health_bands_in_order",
            )
        ]

    def __str__(self) -> str:
        return "Health score settings"

    @classmethod
    def current(cls) -> HealthConfig:
        return cls.objects.order_by("pk").first() or cls()


class HealthBand(TextChoices):
    HEALTHY = "healthy", gettext_lazy("Healthy")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    CRITICAL = "critical", gettext_lazy("Critical")


class HealthScore(models.Model):
    """An account's health on one day, with its parts, kept as daily history."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="health_scores")
    day = models.DateField(default=timezone.localdate)
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    band = models.CharField(max_length=10, choices=HealthBand.choices)
    parts = models.JSONField(
        default=dict, help_text=gettext_lazy("Each part: its score 0-100, weight and a reason.")
    )
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="one_health_score_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.day}: {self.score}"


class ApiKey(models.Model):
    """A key for one integration: shown once, stored hashed, scoped, revocable."""

    class Scope(TextChoices):
        WRITE_USAGE = "write_usage", gettext_lazy("Write usage and users")
        WRITE_CONTRACTS = "write_contracts", gettext_lazy("Write contracts")
        READ_FIGURES = "read_figures", gettext_lazy("Read account figures")
        # /api/v1/webhooks, added by the integrations app when it is installed.
        MANAGE_WEBHOOKS = "manage_webhooks", gettext_lazy("Manage webhook endpoints")
        # /api/v1/accounts/{slug}/handover, added by the handover app when it is installed.
        WRITE_HANDOVER = "write_handover", gettext_lazy("Send and read sales handovers")

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, *, name: str, scopes: list[str], created_by: object) -> tuple[ApiKey, str]:
        """Make a key; the full secret is returned once and never stored."""
        prefix = secrets.token_hex(4)
        secret = f"cp_{prefix}_{secrets.token_urlsafe(32)}"
        key = cls.objects.create(
            name=name,
            prefix=prefix,
            key_hash=cls.hash(secret),
            scopes=scopes,
            created_by=created_by,
        )
        return key, secret


class NightlyRun(models.Model):
    """One night's usage roll-up and health scores, fanned out over chunks of accounts
    (:mod:`insights.services.nightly`). Finished when every chunk is done or failed for good."""

    day = models.DateField(
        help_text=gettext_lazy("The day scored; the roll-up takes in the days before too.")
    )
    roll_up_days = models.JSONField(default=list, help_text=gettext_lazy("ISO dates rolled up."))
    chunk_size = models.PositiveIntegerField()
    chunk_count = models.PositiveIntegerField(default=0)
    account_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["-started_at"], name="nightly_run_started")]

    def __str__(self) -> str:
        return f"Nightly run {self.day} ({'finished' if self.finished_at else 'running'})"


class NightlyChunk(models.Model):
    """One chunk of a :class:`NightlyRun`: its accounts rolled up, then scored, in one job."""

    class Status(TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        RUNNING = "running", gettext_lazy("Running")
        RETRYING = "retrying", gettext_lazy("Failed, to be retried")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    account_ids = models.JSONField(default=list)
    account_count = models.PositiveIntegerField(default=0)
    first_account_id = models.PositiveIntegerField()
    last_account_id = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    rolled_up = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Account roll-ups written.")
    )
    scored = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Accounts scored."))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="one_nightly_chunk_per_index")
        ]
        indexes = [models.Index(fields=["run", "status"], name="nightly_chunk_run_status")]

    def __str__(self) -> str:
        return f"{self.run} chunk {self.index} ({self.status})"

    @property
    def is_settled(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
