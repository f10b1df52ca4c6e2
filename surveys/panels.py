"""The survey panels on the account page: the customer's pending question and their "You said,
we did" notes; for vendor staff, the account's scores, open follow-ups and the pause switch."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _

from accounts.access import AccountAccess
from accounts.http import AuthenticatedHttpRequest
from accounts.panels import Panel, register_panel

from .figures import RESULTS_DAYS, account_summary, window_start
from .forms import PauseForm
from .models import Delivery, FollowUp, SurveyPause


@register_panel(
    order=5, title=cast(str, _("A question for you")), capability="surveys.answer", height="3rem"
)
def survey_prompt_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if access.preview or not access.can("surveys.answer"):
        return None
    delivery = Delivery.objects.pending_for(access.account, request.user).first()
    if delivery is None:
        return None
    return Panel(
        "surveys/panel_prompt.html", {"delivery": delivery, "survey": delivery.campaign.survey}
    )


@register_panel(
    order=50, title=cast(str, _("You said, we did")), capability="surveys.answer", height="3rem"
)
def you_said_we_did_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    """Only the respondent sees what came of their own answers."""
    if access.preview or not access.is_customer:
        return None
    notes = list(
        FollowUp.objects.filter(
            account=access.account,
            response__user=request.user,
            status=FollowUp.Status.RESOLVED,
        )
        .exclude(customer_note="")
        .select_related("response__campaign", "resolved_by")
        .order_by("-resolved_at")[:3]
    )
    if not notes:
        return None
    return Panel("surveys/panel_you_said.html", {"notes": notes})


@register_panel(
    order=60, title=cast(str, _("Surveys")), capability="surveys.view_results", height="10rem"
)
def survey_results_panel(request: AuthenticatedHttpRequest, access: AccountAccess) -> Panel | None:
    if not access.can("surveys.view_results"):
        return None
    account = access.account
    summary = account_summary(account, RESULTS_DAYS)
    pause = SurveyPause.objects.filter(account=account).select_related("paused_by").first()
    return Panel(
        "surveys/panel_results.html",
        {
            "summary": summary,
            "open_follow_ups": FollowUp.objects.filter(account=account)
            .exclude(status=FollowUp.Status.RESOLVED)
            .count(),
            "pause": pause if pause and pause.is_active() else None,
            "pause_form": PauseForm() if access.can("surveys.pause") else None,
            "days": RESULTS_DAYS,
            "since": window_start(RESULTS_DAYS),
        },
    )
