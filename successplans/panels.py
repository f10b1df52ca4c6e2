"""The success plan panel on the account page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import AccountAccess
from accounts.attention import DECISION, OVERDUE, SHOWN, AttentionItem, register_attention
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel


@register_panel(
    order=20,
    title=gettext_lazy("Success plan"),
    capability="plans.view",
    height="14rem",
)
def plan_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The newest success plan's health and what comes next."""
    from .figures import plan_view
    from .models import SuccessPlan

    if not access.can("plans.view"):
        return None
    plan = SuccessPlan.objects.filter(account=access.account).order_by("-starts_on").first()
    if plan is None:
        return Panel("successplans/panel_plan.html", {"plan": None}) if access.is_vendor else None
    plan.account = access.account
    return Panel(
        "successplans/panel_plan.html",
        {"plan": plan, "view": plan_view(plan, customer=access.is_customer, comments=0)},
    )


@register_panel(
    order=10,
    name="objectives",
    title=gettext_lazy("Objectives against their targets"),
    capability="plans.view",
    height="12rem",
    pages=("executive-home",),
)
def objectives_panel(request: HttpRequest, access: AccountAccess) -> Panel | None:
    """The running plan's shared objectives, each KPI's current value against its target."""
    from django.utils import timezone

    from .figures import objectives_against_targets

    plan, objectives = objectives_against_targets(access.account, timezone.localdate())
    if plan is not None:
        plan.account = access.account
    return Panel("successplans/panel_objectives.html", {"plan": plan, "objectives": objectives})


@register_attention
def signoffs_to_decide(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> list[AttentionItem]:
    """The sign-offs this person may decide, each with its approve and reject (one query)."""
    from .figures import signoffs_awaiting

    if not access.can("plans.sign_off") and not access.preview:
        return []
    awaiting = list(signoffs_awaiting(access.account, request.user.pk)[:SHOWN])
    for signoff in awaiting:
        signoff.milestone.plan.account = access.account  # its address names the account
    return [
        AttentionItem(
            rank=DECISION,
            title=_("Sign off “%(title)s”") % {"title": signoff.milestone.title},
            due=signoff.milestone.target_date,
            template="successplans/attention_signoff.html",
            context={"signoff": signoff, "decidable": access.can("plans.sign_off")},
        )
        for signoff in awaiting
    ]


@register_attention
def overdue_plan_actions(
    request: AuthenticatedHttpRequest, access: AccountAccess
) -> list[AttentionItem]:
    """The customer's shared plan action items past their due date, as one item (one query)."""
    from django.db.models import Count, Min
    from django.urls import reverse
    from django.utils import timezone

    from onboarding.models import Side

    from .models import ActionItem, ActionStatus

    late = (
        ActionItem.objects.filter(plan__account=access.account, internal=False, side=Side.CUSTOMER)
        .exclude(status=ActionStatus.DONE)
        .filter(due_date__lt=timezone.localdate())
        .aggregate(count=Count("pk"), since=Min("due_date"))
    )
    if not late["count"]:
        return []
    count = late["count"]
    return [
        AttentionItem(
            rank=OVERDUE,
            title=ngettext(
                "%(count)s success plan action overdue",
                "%(count)s success plan actions overdue",
                count,
            )
            % {"count": count},
            detail=_("Late since %(date)s: your team's actions on the plan.")
            % {"date": dateformat.format(late["since"], "j F")},
            url=reverse("plans", args=[access.account.slug]),
            due=late["since"],
        )
    ]
