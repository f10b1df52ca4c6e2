"""The nightly CSQL rules: each raises an upsell lead on the accounts it finds, with a reason
that says what triggered it and the figures, and an amount guess (ARR it could add).

- seat use: monthly active users at or above :attr:`ExpansionConfig.seat_use_percent` of the
  seats bought (:func:`insights.figures.usage.seat_use_percent`, the figure pages print);
- feature limit: a feature used by as many people as its :class:`FeatureLimit` allows;
- cross-sell: an account with a promoter (an NPS answer of 9 or 10 in the last 12 months, as
  :mod:`surveys.figures` counts them) in a segment with a :class:`CrossSellOffer` it does not
  have yet (no running contract for the offer's product).

A reason is written once, in the account's language (``Account.language``, else the site's):
the CSM reads it as it was raised, with its figures of that night, and a rule that changed since
does not rewrite it.

Safe to run twice: a rule never raises a second active lead on an account (open or passed to
sales), nor another within :attr:`ExpansionConfig.quiet_days` of closing one. Churned accounts
are left alone. Each rule costs a fixed number of queries plus one write per lead raised.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Account, Segment, Stage
from portal import formatting
from portal.formatting import money, number, rounded
from portal.i18n import language_or_default
from surveys.figures import NPS, RESULTS_DAYS, grouped, window_start
from surveys.models import Kind, Response

from ..figures.revenue import MONTHS_PER_YEAR, active_on, mrr_by_account
from ..figures.usage import feature_users_by_account, latest_activity_by_account, seat_use_percent
from ..models import (
    ACTIVE_LEAD_STATUSES,
    Contract,
    CrossSellOffer,
    ExpansionConfig,
    FeatureLimit,
    UpsellLead,
)
from .upsell import flag_unless_taken

Rule = UpsellLead.Rule
# A seat-use lead guesses the account buys a tenth more seats, or the seats it is over by.
EXTRA_SEATS_SHARE = Decimal("0.1")


def _open_accounts() -> QuerySet[Account]:
    return Account.objects.exclude(stage=Stage.CHURNED)


def _taken(rule: str, account_ids: list[int], config: ExpansionConfig) -> set[int]:
    """Accounts with an active lead of ``rule``, or one closed within the quiet days."""
    quiet_since = timezone.now() - timedelta(days=config.quiet_days)
    return set(
        UpsellLead.objects.filter(rule=rule, account_id__in=account_ids)
        .filter(Q(status__in=ACTIVE_LEAD_STATUSES) | Q(closed_at__gte=quiet_since))
        .values_list("account_id", flat=True)
    )


def _day(day: date) -> str:
    return formatting.short_date(day)


def raise_seat_use_leads(today: date, config: ExpansionConfig) -> int:
    bar = config.seat_use_percent
    activity = latest_activity_by_account(_open_accounts(), today)
    full = {
        pk: (act, used)
        for pk, act in activity.items()
        if (used := seat_use_percent(act)) is not None and used >= bar
    }
    todo = sorted(set(full) - _taken(Rule.SEAT_USE, list(full), config))
    if not todo:
        return 0
    monthly = mrr_by_account(Account.objects.filter(pk__in=todo), today)
    raised = 0
    for account in Account.objects.filter(pk__in=todo).order_by("pk"):
        act, used = full[account.pk]
        seats = act.licensed_seats or 0
        extra = max(act.mau - seats, math.ceil(seats * EXTRA_SEATS_SHARE), 1)
        arr = monthly.get(account.pk, Decimal(0)) * MONTHS_PER_YEAR
        guess = rounded(arr / seats * extra, 2) if arr and seats else None
        with translation.override(language_or_default(account.language)):
            reason = gettext(
                "Seats: %(mau)s people used the product in the 30 days to %(day)s, %(used)s%% of "
                "the %(seats)s seats bought (the rule raises at %(bar)s%%)."
            ) % {
                "mau": number(act.mau),
                "day": _day(act.day),
                "used": used,
                "seats": number(seats),
                "bar": bar,
            }
            if guess:
                reason += " " + gettext(
                    "%(extra)s more seats at today's price: about %(amount)s a year."
                ) % {"extra": number(extra), "amount": money(guess)}
        raised += flag_unless_taken(account, reason=reason, rule=Rule.SEAT_USE, amount_guess=guess)
    return raised


def _limits(today: date) -> dict[tuple[int, str], FeatureLimit]:
    """The limit on each (account, feature): the account's own, else its plan's (the lowest,
    when it runs contracts for several products with a limit on the feature)."""
    limits = list(FeatureLimit.objects.all())
    by_plan: dict[str, list[FeatureLimit]] = defaultdict(list)
    found: dict[tuple[int, str], FeatureLimit] = {}
    for limit in limits:
        if limit.account_id is None:
            by_plan[limit.product].append(limit)
    if by_plan:
        running = (
            Contract.objects.filter(
                active_on(today),
                product__in=list(by_plan),
                account__in=_open_accounts().order_by().values("pk"),
            )
            .order_by()
            .values_list("account_id", "product")
            .distinct()
        )
        for account_id, product in running:
            for limit in by_plan[product]:
                key = (account_id, limit.feature)
                if key not in found or limit.users < found[key].users:
                    found[key] = limit
    for limit in limits:
        if limit.account_id is not None:
            found[(limit.account_id, limit.feature)] = limit
    return found


def _feature_limit_reason(hits: list[tuple[FeatureLimit, date, int]]) -> str:
    parts = []
    for limit, day, users in hits:
        params = {
            "feature": limit.feature,
            "users": number(users),
            "day": _day(day),
            "plan": limit.product,
            "allowed": number(limit.users),
        }
        if limit.account_id is None:
            text = gettext(
                "Feature “%(feature)s”: %(users)s people used it in the 30 days to %(day)s, "
                "the %(plan)s plan allows %(allowed)s"
            )
        else:
            text = gettext(
                "Feature “%(feature)s”: %(users)s people used it in the 30 days to %(day)s, "
                "the limit agreed with the account is %(allowed)s"
            )
        parts.append(text % params)
    return "; ".join(parts) + "."


def raise_feature_limit_leads(today: date, config: ExpansionConfig) -> int:
    limits = _limits(today)
    if not limits:
        return 0
    account_ids = sorted({account_id for account_id, _ in limits})
    features = sorted({feature for _, feature in limits})
    usage = feature_users_by_account(account_ids, features, today)
    reached: dict[int, list[tuple[FeatureLimit, date, int]]] = defaultdict(list)
    for (account_id, feature), limit in sorted(limits.items()):
        day, users = usage.get((account_id, feature), (today, 0))
        if users >= limit.users:
            reached[account_id].append((limit, day, users))
    todo = sorted(set(reached) - _taken(Rule.FEATURE_LIMIT, list(reached), config))
    raised = 0
    for account in _open_accounts().filter(pk__in=todo).order_by("pk"):
        hits = reached[account.pk]
        with translation.override(language_or_default(account.language)):
            reason = _feature_limit_reason(hits)
        guesses = [limit.amount_guess for limit, _, _ in hits if limit.amount_guess is not None]
        raised += flag_unless_taken(
            account,
            reason=reason,
            rule=Rule.FEATURE_LIMIT,
            amount_guess=sum(guesses, Decimal(0)) if guesses else None,
        )
    return raised


def raise_cross_sell_leads(today: date, config: ExpansionConfig) -> int:
    offers: dict[str, list[CrossSellOffer]] = defaultdict(list)
    for each in CrossSellOffer.objects.filter(active=True).order_by("segment", "name", "pk"):
        offers[each.segment].append(each)
    if not offers:
        return 0
    accounts = _open_accounts().filter(segment__in=list(offers))
    responses = Response.objects.filter(
        kind=Kind.NPS,
        answered_at__gte=window_start(RESULTS_DAYS, today),
        account__in=accounts.order_by().values("pk"),
    )
    promoters = {
        row["account"]: row for row in grouped(responses, "account") if row["nps_promoters"]
    }
    todo = sorted(set(promoters) - _taken(Rule.CROSS_SELL, list(promoters), config))
    if not todo:
        return 0
    products: dict[int, set[str]] = defaultdict(set)
    for account_id, product in (
        Contract.objects.filter(active_on(today), account_id__in=todo)
        .order_by()
        .values_list("account_id", "product")
    ):
        products[account_id].add(product.casefold())
    raised = 0
    for account in Account.objects.filter(pk__in=todo).order_by("pk"):
        offer = next(
            (
                o
                for o in offers[account.segment]
                if o.product.casefold() not in products[account.pk]
            ),
            None,
        )
        if offer is None:
            continue
        row = promoters[account.pk]
        score = NPS.from_row(row).score or 0
        with translation.override(language_or_default(account.language)):
            reason = gettext(
                "Promoters: %(promoters)s of %(answers)s NPS answers in the last 12 months were "
                "9 or 10 (NPS %(nps)s). %(segment)s accounts are offered “%(offer)s”, which "
                "%(account)s does not have yet."
            ) % {
                "promoters": number(row["nps_promoters"]),
                "answers": number(row["nps_n"]),
                "nps": f"{score:+.0f}",
                "segment": Segment(account.segment).label,
                "offer": offer.name,
                "account": account.name,
            }
        raised += flag_unless_taken(
            account,
            reason=reason,
            rule=Rule.CROSS_SELL,
            amount_guess=offer.amount_guess,
            offer=offer,
        )
    return raised


def run_csql_rules(today: date | None = None) -> dict[str, int]:
    """Every rule, once; the leads each raised."""
    today = today or timezone.localdate()
    config = ExpansionConfig.current()
    return {
        Rule.SEAT_USE: raise_seat_use_leads(today, config),
        Rule.FEATURE_LIMIT: raise_feature_limit_leads(today, config),
        Rule.CROSS_SELL: raise_cross_sell_leads(today, config),
    }
