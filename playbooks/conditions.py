"""Which accounts a playbook applies to, and why, in words.

A playbook's ``conditions`` name, by the :data:`FIELDS` below: lists of segments, touch models,
stages, owner CSMs (user ids), health bands and tags, an MRR range (``mrr_min``/``mrr_max``,
whole units of money) and a renewal window (``renewal_within_days``). An empty or missing value
means any; the conditions set are ANDed.

The account's figures come from insights, never computed here: its health band is the latest
daily score (:func:`insights.figures.book.with_health`, the book of business's annotation of
``latest_score``), its MRR the one definition of :mod:`insights.figures.revenue` (the contracts
running today, each at :func:`~insights.figures.revenue.mrr_expression`).

Two entry points: :func:`explain` for one account (why it matches, or None), and
:func:`matching_accounts` for many, a queryset filtered in the database and annotated with
what :func:`reason` needs, so a page of any number of accounts costs the same few queries.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum, TextChoices
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Segment, Stage, Tag, TouchModel, User, VendorRole
from insights.figures.book import with_health
from insights.figures.revenue import MONEY, active_on, mrr_expression
from insights.models import Contract, HealthBand
from portal.formatting import money

from .models import Playbook
from .params import ParamField, check
from .words import Said, amount, choice, listed, say, say_plural, words

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

# The account fields a list condition compares directly.
CONDITION_FIELDS = ("segment", "touch_model", "stage")


def _owners() -> list[tuple[str, str]]:
    staff = User.objects.filter(vendor_role__in=[VendorRole.CSM, VendorRole.ADMIN], is_active=True)
    return [(str(user.pk), user.display_name) for user in staff.order_by("name", "email")]


def _tags() -> list[tuple[str, str]]:
    return [(name, name) for name in Tag.objects.order_by("name").values_list("name", flat=True)]


def _any(name: str, label: _StrOrPromise, choices: Any) -> ParamField:
    return ParamField(name, label, kind="choices", required=False, choices=choices)


FIELDS: list[ParamField] = [
    _any("segment", _("Segment"), lambda: Segment.choices),
    _any("touch_model", _("Touch model"), lambda: TouchModel.choices),
    _any("stage", _("Lifecycle stage"), lambda: Stage.choices),
    _any("owner", _("Owner CSM"), _owners),
    _any("health_band", _("Health"), lambda: HealthBand.choices),
    ParamField(
        "tags",
        _("Tagged"),
        kind="choices",
        required=False,
        choices=_tags,
        help=_("Tags are set on each account's Edit page."),
    ),
    ParamField("mrr_min", _("MRR at least"), kind="int", required=False, minimum=0, maximum=10**9),
    ParamField("mrr_max", _("MRR at most"), kind="int", required=False, minimum=0, maximum=10**9),
    ParamField(
        "renewal_within_days",
        _("Renews within (days)"),
        kind="int",
        required=False,
        minimum=1,
        maximum=730,
    ),
]


def check_conditions(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``values`` cleaned by :data:`FIELDS` (empty ones dropped), and the problems in words."""
    cleaned, errors = check(FIELDS, values)
    cleaned = {name: value for name, value in cleaned.items() if value not in (None, "", [])}
    low, high = cleaned.get("mrr_min"), cleaned.get("mrr_max")
    if low is not None and high is not None and low > high:
        errors.append(gettext("MRR at least must not be more than MRR at most."))
    return cleaned, errors


def _conditions(playbook_or_conditions: Playbook | dict[str, Any]) -> dict[str, Any]:
    if isinstance(playbook_or_conditions, Playbook):
        return playbook_or_conditions.conditions or {}
    return playbook_or_conditions or {}


def with_mrr(accounts: QuerySet[Account], day: date) -> QuerySet[Account]:
    """Accounts annotated with ``current_mrr``: the sum of their running contracts' MRR on
    ``day``, by revenue's own expression (None when nothing runs)."""
    running = (
        Contract.objects.filter(active_on(day), account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(monthly=Sum(mrr_expression()))
        .values("monthly")
    )
    return accounts.annotate(current_mrr=Subquery(running[:1], output_field=MONEY))


def matching_accounts(
    playbook_or_conditions: Playbook | dict[str, Any],
    accounts: QuerySet[Account] | None = None,
    *,
    today: date | None = None,
) -> QuerySet[Account]:
    """The accounts of ``accounts`` (all by default) that meet the conditions, annotated with
    ``health_band``, ``health_score`` and ``current_mrr``, owners and tags fetched: one query,
    plus one for the tags, however many accounts."""
    conditions = _conditions(playbook_or_conditions)
    today = today or timezone.localdate()
    qs = with_mrr(with_health(accounts if accounts is not None else Account.objects.all()), today)
    for field in CONDITION_FIELDS:
        if conditions.get(field):
            qs = qs.filter(**{f"{field}__in": conditions[field]})
    if conditions.get("owner"):
        qs = qs.filter(owner_id__in=[int(pk) for pk in conditions["owner"]])
    if conditions.get("health_band"):
        qs = qs.filter(Q(health_band__in=conditions["health_band"]))
    if conditions.get("tags"):
        tagged = Account.tags.through.objects.filter(
            account_id=OuterRef("pk"), tag__name__in=conditions["tags"]
        )
        qs = qs.filter(Exists(tagged))
    if conditions.get("mrr_min") is not None:
        qs = qs.filter(Q(current_mrr__gte=Decimal(conditions["mrr_min"])))
    if conditions.get("mrr_max") is not None:
        # No running contract is an MRR of 0, which is within any "at most".
        qs = qs.filter(
            Q(current_mrr__lte=Decimal(conditions["mrr_max"])) | Q(current_mrr__isnull=True)
        )
    if conditions.get("renewal_within_days"):
        qs = qs.filter(
            renewal_date__gte=today,
            renewal_date__lte=today + timedelta(days=int(conditions["renewal_within_days"])),
        )
    return qs.select_related("owner").prefetch_related("tags")


def _labels(choices: Any, picked: list[str]) -> str:
    names = dict(choices)
    return pgettext("one value or another", " or ").join(str(names.get(p, p)) for p in picked)


# How a reason names each field a list condition compares: "%(value)s" is the account's.
FIELD_IS: dict[str, tuple[str, type[TextChoices]]] = {
    "segment": (gettext_noop("segment is %(value)s"), Segment),
    "touch_model": (gettext_noop("touch model is %(value)s"), TouchModel),
    "stage": (gettext_noop("stage is %(value)s"), Stage),
}


def reason_said(conditions: dict[str, Any], account: Any, *, today: date | None = None) -> Said:
    """Why ``account`` (annotated by :func:`matching_accounts`) meets ``conditions``, as a
    run keeps it (:mod:`playbooks.words`); an empty list when there are no conditions."""
    today = today or timezone.localdate()
    parts: list[Said] = []
    for field in CONDITION_FIELDS:
        if conditions.get(field):
            message, choices = FIELD_IS[field]
            parts.append(say(message, value=choice(choices, getattr(account, field))))
    if conditions.get("owner"):
        if account.owner:
            parts.append(say(gettext_noop("owned by %(owner)s"), owner=account.owner.display_name))
        else:
            parts.append(say(gettext_noop("owned by nobody")))
    if conditions.get("health_band"):
        if account.health_band:
            parts.append(
                say(
                    gettext_noop("health is %(band)s (%(score)s)"),
                    band=choice(HealthBand, account.health_band),
                    score=account.health_score,
                )
            )
        else:
            parts.append(
                say(gettext_noop("health is unscored (%(score)s)"), score=str(account.health_score))
            )
    if conditions.get("tags"):
        wanted = set(conditions["tags"])
        mine = sorted(tag.name for tag in account.tags.all() if tag.name in wanted)
        parts.append(say(gettext_noop("tagged %(tags)s"), tags=", ".join(mine)))
    if conditions.get("mrr_min") is not None or conditions.get("mrr_max") is not None:
        parts.append(
            say(gettext_noop("MRR is %(mrr)s"), mrr=amount(account.current_mrr or Decimal(0)))
        )
    if conditions.get("renewal_within_days"):
        days = (account.renewal_date - today).days
        parts.append(
            say_plural("renews_within", days, within=int(conditions["renewal_within_days"]))
        )
    return listed(parts)


def reason(conditions: dict[str, Any], account: Any, *, today: date | None = None) -> str:
    """:func:`reason_said` in the active language; empty when there are no conditions."""
    return words(reason_said(conditions, account, today=today))


def explain_said(
    playbook_or_conditions: Playbook | dict[str, Any],
    account: Account,
    *,
    today: date | None = None,
) -> Said | None:
    """Why the conditions hold for ``account``, as a run keeps it (an empty list when there
    are none), or None when one fails."""
    conditions = _conditions(playbook_or_conditions)
    if not conditions:
        return listed([])
    found = matching_accounts(
        conditions, Account.objects.filter(pk=account.pk), today=today
    ).first()
    if found is None:
        return None
    return reason_said(conditions, found, today=today)


def explain(
    playbook_or_conditions: Playbook | dict[str, Any],
    account: Account,
    *,
    today: date | None = None,
) -> str | None:
    """Why the conditions hold for ``account`` in words ("" when there are none), or None
    when one fails."""
    said = explain_said(playbook_or_conditions, account, today=today)
    return None if said is None else words(said)


def matches_said(playbook: Playbook, account: Account) -> Said | None:
    """Why ``playbook`` applies to ``account`` (as a run keeps it), or None when a condition
    fails."""
    return explain_said(playbook, account)


def matches(playbook: Playbook, account: Account) -> str | None:
    """Why ``playbook`` applies to ``account`` (in words), or None when a condition fails."""
    said = matches_said(playbook, account)
    return None if said is None else words(said)


def describe(conditions: dict[str, Any]) -> str:
    """The conditions themselves in words ("segment Enterprise, MRR at least 1,000"), for the
    list and the preview; "every account" when there are none."""
    parts: list[str] = []
    for spec in FIELDS:
        value: Any = conditions.get(spec.name)
        if value in (None, "", []):
            continue
        label = str(spec.label).lower()
        if spec.kind == "choices":
            shown = _labels(spec.choices() if spec.choices else [], value)
        elif spec.name.startswith("mrr_"):
            shown = money(Decimal(value)) or ""
        else:
            shown = str(value)
        parts.append(gettext("%(condition)s %(value)s") % {"condition": label, "value": shown})
    return ", ".join(parts) or gettext("every account")
