"""Every change to feature adoption. Views, tasks and the demo call these; nothing else writes
the tables. Each write takes a keyword-only ``acting_user`` and records itself in the activity
log; telling a campaign's people is a job enqueued after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.access import can
from accounts.activity import record, snapshot
from accounts.models import Account, NotificationKind, User
from accounts.services import Mail, delivery_for, tell
from portal.figure_cache import inputs_changed
from portal.i18n import language_or_default, person_locale
from portal.jobs import enqueue

from .figures import campaign_audience
from .models import (
    AdoptionCampaign,
    CampaignTarget,
    LicensedFeature,
    Recommendation,
    RecommendationKind,
)


def may_curate(user: User) -> bool:
    """Recommendations for every account, and campaigns: the CS team's."""
    return bool(user.vendor_role) and can(user.vendor_role, "adoption.curate")


def _require_curator(user: User) -> None:
    if not may_curate(user):
        raise PermissionDenied(gettext("Only the customer success team curates feature adoption."))


def _clean_feature(feature: str) -> str:
    feature = feature.strip()
    if not feature:
        raise ValidationError({"feature": gettext("Name the feature, as usage reports it.")})
    return feature[:100]


# Licences --------------------------------------------------------------------------------------


@transaction.atomic
def set_licensed_features(account: Account, features: list[str], *, acting_user: User) -> int:
    """The features ``account``'s contract includes, replacing the list; how many there are."""
    wanted = sorted({f.strip()[:100] for f in features if f.strip()})
    before = sorted(
        LicensedFeature.objects.filter(account=account).values_list("feature", flat=True)
    )
    if wanted == before:
        return len(wanted)
    LicensedFeature.objects.filter(account=account).exclude(feature__in=wanted).delete()
    LicensedFeature.objects.bulk_create(
        [LicensedFeature(account=account, feature=f) for f in wanted if f not in before],
        ignore_conflicts=True,
    )
    inputs_changed()  # the features known (adoption.figures.known_features)
    record(
        gettext_noop("changed the licensed features"),
        actor=acting_user,
        account=account,
        before={"features": before},
        after={"features": wanted},
        internal=True,
    )
    return len(wanted)


# Recommendations -------------------------------------------------------------------------------


def check_recommendation(rec: Recommendation) -> None:
    """Refuse a recommendation that would show nothing, naming the field to fix."""
    errors: dict[str, str] = {}
    if not rec.title.strip():
        errors["title"] = gettext("Give it a title.")
    if rec.kind == RecommendationKind.LINK:
        try:
            URLValidator(schemes=["http", "https"])(rec.url)
        except ValidationError:
            errors["url"] = gettext("Enter a full web address, starting with https://.")
    elif rec.kind == RecommendationKind.COURSE:
        if rec.course_id is None:
            errors["course"] = gettext("Choose the academy course.")
    elif rec.kind == RecommendationKind.HOW_TO:
        if not rec.body.strip():
            errors["body"] = gettext("Write the how-to: a few steps are enough.")
    else:
        errors["kind"] = gettext("Choose a kind.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_recommendation(
    *,
    feature: str,
    kind: str,
    title: str,
    url: str = "",
    course: Any = None,
    body: str = "",
    account: Account | None = None,
    pinned: bool = False,
    acting_user: User,
) -> Recommendation:
    """A recommendation for ``feature``: for every account, or for ``account`` only (pinned
    above the general ones, or replacing them)."""
    _require_curator(acting_user)
    rec = Recommendation(
        feature=_clean_feature(feature),
        kind=kind,
        title=title.strip(),
        url=url.strip() if kind == RecommendationKind.LINK else "",
        course=course if kind == RecommendationKind.COURSE else None,
        body=body.strip() if kind == RecommendationKind.HOW_TO else "",
        account=account,
        pinned=bool(account and pinned),
        created_by=acting_user,
    )
    check_recommendation(rec)
    rec.save()
    record(
        gettext_noop("added"),
        actor=acting_user,
        account=account,
        target=rec,
        after=snapshot(rec, ["feature", "kind", "title", "pinned"]),
        internal=True,
    )
    return rec


@transaction.atomic
def remove_recommendation(rec: Recommendation, *, acting_user: User) -> None:
    _require_curator(acting_user)
    record(
        gettext_noop("removed"),
        actor=acting_user,
        account=rec.account,
        target=rec,
        before=snapshot(rec, ["feature", "kind", "title"]),
        internal=True,
    )
    rec.delete()


# Campaigns -------------------------------------------------------------------------------------


def check_campaign(campaign: AdoptionCampaign) -> None:
    errors: dict[str, str] = {}
    if bool(campaign.account_id) == bool(campaign.segment):
        errors["account"] = gettext("Choose one account or one segment.")
    if campaign.link:
        try:
            URLValidator(schemes=["http", "https"])(campaign.link)
        except ValidationError:
            errors["link"] = gettext("Enter a full web address, starting with https://.")
    if errors:
        raise ValidationError(errors)


def _clean_translations(translations: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The versions of the portal's languages with something written, stripped."""
    cleaned: dict[str, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        version = translations.get(code) or {}
        parts = {
            part: (version.get(part) or "").strip()
            for part in ("headline", "message")
            if (version.get(part) or "").strip()
        }
        if parts:
            cleaned[code] = parts
    return cleaned


@transaction.atomic
def create_campaign(
    *,
    name: str,
    feature: str,
    idle_days: int,
    headline: str,
    message: str,
    link: str = "",
    account: Account | None = None,
    segment: str = "",
    translations: dict[str, dict[str, str]] | None = None,
    acting_user: User,
) -> AdoptionCampaign:
    """A draft campaign; nobody is reached until it is launched. ``translations``: the
    headline and message written in other languages ({"de": {"headline", "message"}}); a
    language or a part left empty reads the default text."""
    _require_curator(acting_user)
    if (
        account is not None
        and not Account.objects.visible_to(acting_user).filter(pk=account.pk).exists()
    ):
        raise ValidationError({"account": gettext("Choose one of your accounts.")})
    campaign = AdoptionCampaign(
        name=name.strip(),
        feature=_clean_feature(feature),
        idle_days=idle_days,
        headline=headline.strip(),
        message=message.strip(),
        link=link.strip(),
        account=account,
        segment="" if account else segment,
        translations=_clean_translations(translations or {}),
        created_by=acting_user,
    )
    check_campaign(campaign)
    campaign.save()
    record(
        gettext_noop("created"), actor=acting_user, account=account, target=campaign, internal=True
    )
    return campaign


@transaction.atomic
def launch_campaign(
    campaign: AdoptionCampaign, *, acting_user: User, at: datetime | None = None
) -> int:
    """Resolve the audience now (its targets stay who they were when launched), and tell
    them after commit: a card in the portal and an e-mail as each chose. How many it reaches;
    refused when it reaches nobody or was launched already. ``at`` is the launch's moment
    (now; the demo's campaigns were launched weeks ago)."""
    _require_curator(acting_user)
    locked = AdoptionCampaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.launched_at is not None:
        raise ValidationError(gettext("This campaign was launched already."))
    at = at or timezone.now()
    today = timezone.localdate(at)
    audience = campaign_audience(locked, today)
    if not audience:
        raise ValidationError(
            gettext(
                "Nobody matches: everyone in this audience used the feature recently, or their "
                "product users are not matched to portal people by e-mail."
            )
        )
    locked.launched_at, locked.launched_by = at, acting_user
    locked.launched_on, locked.results_until = today, AdoptionCampaign.result_window(today)
    locked.save(update_fields=["launched_at", "launched_by", "launched_on", "results_until"])
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(
                campaign=locked,
                account_id=c.account_id,
                user_id=c.user_id,
                external_id=c.external_id,
                email=c.email,
            )
            for c in audience
        ],
        ignore_conflicts=True,
    )
    record(
        gettext_noop("launched"),
        actor=acting_user,
        account=locked.account,
        target=locked,
        after={"targets": len(audience)},
        internal=True,
    )
    enqueue("adoption.tell_campaign_targets", campaign_id=locked.pk)
    campaign.refresh_from_db()
    return len(audience)


def tell_campaign_targets(campaign_id: int) -> int:
    """Tell each target of a launched campaign not told yet: an inbox item of kind
    "adoption", and the e-mail now or in the digest as they chose. Each target is claimed
    before it is told, so a second run tells nobody twice. Returns how many were told."""
    campaign = AdoptionCampaign.objects.filter(pk=campaign_id, launched_at__isnull=False).first()
    if campaign is None:
        return 0
    told = 0
    pending = CampaignTarget.objects.filter(campaign=campaign, told_at__isnull=True).select_related(
        "user", "account"
    )
    for target in pending:
        if not CampaignTarget.objects.filter(pk=target.pk, told_at__isnull=True).update(
            told_at=timezone.now()
        ):
            continue
        try:
            _tell(campaign, target)
        except Exception:
            CampaignTarget.objects.filter(pk=target.pk).update(told_at=None)
            raise
        told += 1
    return told


def _tell(campaign: AdoptionCampaign, target: CampaignTarget) -> None:
    url = reverse("account_home", args=[target.account.slug])
    # The inbox item in the person's own language's version (the e-mail picks it as it is
    # rendered in their language: ``campaign.text``).
    language = language_or_default(person_locale(target.user, account=target.account).language)
    text = campaign.text_in(language)
    tell(
        target.user,
        kind=NotificationKind.ADOPTION,
        title=text.headline,
        url=url,
        account=target.account,
        body=text.message[:300],
        mail=Mail(
            "adoption_campaign",
            {
                "campaign": campaign,
                "text": campaign.text,
                "account": target.account,
                "url": settings.SITE_URL + url,
            },
        ),
        delivery=delivery_for(target.user, NotificationKind.ADOPTION),
    )


def dismiss_card(target: CampaignTarget, *, acting_user: User) -> bool:
    """The person put the campaign's card away (their own state: not in the activity log);
    whether it was showing."""
    if target.user_id != acting_user.pk:
        raise PermissionDenied(gettext("This card is someone else's."))
    return bool(
        CampaignTarget.objects.filter(pk=target.pk, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now()
        )
    )
