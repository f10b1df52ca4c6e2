"""What a CS admin keeps for the CSQL rules (:mod:`.csql_rules`): the seat-use threshold and
the quiet days, the cross-sell offers by segment, the feature limits. Each write has its
activity record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_noop

from accounts.activity import record
from accounts.models import Account, User

from ..models import CrossSellOffer, ExpansionConfig, FeatureLimit


@transaction.atomic
def change_expansion_settings(
    *, seat_use_percent: int, quiet_days: int, acting_user: User
) -> ExpansionConfig:
    config = ExpansionConfig.current()
    before = {"seat_use_percent": config.seat_use_percent, "quiet_days": config.quiet_days}
    config.seat_use_percent, config.quiet_days = seat_use_percent, quiet_days
    config.updated_by = acting_user
    config.save()
    record(
        gettext_noop("changed the expansion rules"),
        actor=acting_user,
        target=config,
        before=before,
        after={"seat_use_percent": seat_use_percent, "quiet_days": quiet_days},
        internal=True,
    )
    return config


@transaction.atomic
def add_cross_sell_offer(
    *, name: str, segment: str, product: str, amount_guess: Decimal | None, acting_user: User
) -> CrossSellOffer:
    try:
        with transaction.atomic():
            offer = CrossSellOffer.objects.create(
                name=name.strip(),
                segment=segment,
                product=product.strip(),
                amount_guess=amount_guess,
            )
    except IntegrityError as error:
        raise ValidationError(gettext("This segment is offered this product already.")) from error
    record(
        gettext_noop("added a cross-sell offer"),
        actor=acting_user,
        target=offer,
        after={"name": offer.name, "segment": offer.segment, "product": offer.product},
        internal=True,
    )
    return offer


@transaction.atomic
def remove_cross_sell_offer(offer: CrossSellOffer, *, acting_user: User) -> None:
    """Leads it raised keep their reason; the offer is no longer made."""
    record(
        gettext_noop("removed a cross-sell offer"),
        actor=acting_user,
        before={"name": offer.name, "segment": offer.segment, "product": offer.product},
        internal=True,
    )
    offer.delete()


@transaction.atomic
def add_feature_limit(
    *,
    feature: str,
    account: Account | None,
    product: str,
    users: int,
    amount_guess: Decimal | None,
    acting_user: User,
) -> FeatureLimit:
    try:
        with transaction.atomic():
            limit = FeatureLimit.objects.create(
                feature=feature.strip(),
                account=account,
                product="" if account else product.strip(),
                users=users,
                amount_guess=amount_guess,
            )
    except IntegrityError as error:
        raise ValidationError(gettext("This feature has a limit there already.")) from error
    after: dict[str, Any] = {"feature": limit.feature, "users": users, "product": limit.product}
    record(
        gettext_noop("added a feature limit"),
        actor=acting_user,
        account=account,
        target=limit,
        after=after,
        internal=True,
    )
    return limit


@transaction.atomic
def remove_feature_limit(limit: FeatureLimit, *, acting_user: User) -> None:
    record(
        gettext_noop("removed a feature limit"),
        actor=acting_user,
        account=limit.account,
        before={"feature": limit.feature, "users": limit.users, "product": limit.product},
        internal=True,
    )
    limit.delete()
