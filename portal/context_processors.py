from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.access import AccountAccess
from accounts.models import Account

from . import layout

# The main navigation's sections and the pages (URL names) that belong to each, so that the
# section stays marked on its inner pages too.
NAV_SECTIONS: dict[str, frozenset[str]] = {
    "portfolio": frozenset({"portfolio", "account_create"}),
    "book": frozenset({"book", "forecast"}),
    "onboardings": frozenset({"onboarding_portfolio"}),
    "plans": frozenset({"plan_portfolio"}),
    "surveys": frozenset(
        {
            "surveys",
            "survey_create",
            "survey_edit",
            "survey_results",
            "survey_campaign",
            "survey_campaign_create",
            "survey_follow_ups",
            "survey_follow_up",
        }
    ),
    "updates": frozenset({"updates_console", "update_create", "update_edit", "update_reach"}),
    # A CSM's "Templates"; for a CS admin they sit on the Settings page with the rest.
    "templates": frozenset(
        {
            "template_list",
            "template_edit",
            "template_task_add",
            "template_task_edit",
            "plan_templates",
            "plan_template",
        }
    ),
    "academy": frozenset(
        {
            "academy_courses",
            "academy_portfolio",
            "academy_course_edit",
            "academy_quiz_edit",
            "academy_lesson_add",
            "academy_lesson_edit",
        }
    ),
    "renewals": frozenset(
        {
            "renewals_pipeline",
            "renewal_edit",
            "churn_reasons",
            "churn_reasons_report",
            "renewal_checklist",
        }
    ),
    "adoption": frozenset({"adoption_campaigns", "adoption_campaign", "adoption_recommendations"}),
    "settings": frozenset(
        {
            "console_settings",
            "health_settings",
            "expansion_settings",
            "nightly_runs",
            "api_keys",
            "api_key_create",
            "api_key_created",
            "staff",
            "wrapped_batches",
            "wrapped_batch",
            "import_upload",
            "import_confirm",
            "embed_console",
        }
    ),
}


def nav_section(url_name: str | None, *, admin: bool) -> str:
    for section, names in NAV_SECTIONS.items():
        if url_name in names:
            return "settings" if admin and section == "templates" else section
    return ""


def nav_access(request: HttpRequest, my_accounts: Any) -> AccountAccess | None:
    """The account whose pages the navigation lists (see :func:`portal.layout.nav_access`)."""
    return layout.nav_access(request, my_accounts)


def portal(request: HttpRequest) -> dict[str, Any]:
    """The shell's own figures: product names, the navigation and the account switcher."""
    context: dict[str, Any] = {"SITE_NAME": settings.SITE_NAME, "VENDOR_NAME": settings.VENDOR_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    match = getattr(request, "resolver_match", None)
    context["nav_section"] = nav_section(match.url_name if match else None, admin=user.is_cs_admin)
    my_accounts = None
    if not user.is_vendor:
        # Lazy: evaluated only where the navigation shows the switcher.
        my_accounts = Account.objects.visible_to(user).only("name", "slug", "brand_color")
        context["my_accounts"] = my_accounts
    context["nav_access"] = SimpleLazyObject(lambda: layout.nav_access(request, my_accounts))
    # The bell's count comes with the navigation's other badges: one query, where shown.
    context["inbox_unread"] = SimpleLazyObject(lambda: layout.badges(request).inbox)
    return context
