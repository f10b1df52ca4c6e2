"""The console's settings page: one place that links every setting a CS admin looks after."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from ..access import vendor_view


@dataclass(frozen=True)
class Setting:
    title: str | Promise
    url_name: str
    what: str | Promise  # one line on what it does


# Grouped as the page shows them. A feature that is not installed has no URL: its line is left out.
SETTINGS: list[tuple[str | Promise, list[Setting]]] = [
    (
        gettext_lazy("People"),
        [
            Setting(
                gettext_lazy("Team"),
                "staff",
                gettext_lazy(
                    "Add CSMs and CS admins, change their roles, and see who has set up "
                    "two-factor authentication."
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Customer health"),
        [
            Setting(
                gettext_lazy("Health score parts"),
                "health_settings",
                gettext_lazy(
                    "How much usage, survey sentiment, onboarding, plans, renewal and the CSM's "
                    "pulse weigh in every account's health score, and where its bands start."
                ),
            ),
            Setting(
                gettext_lazy("Expansion rules"),
                "expansion_settings",
                gettext_lazy(
                    "When the nightly rules raise an upsell lead (CSQL): the share of seats in use, "
                    "feature limits, and the cross-sell offered to each segment's promoters."
                ),
            ),
            Setting(
                gettext_lazy("Nightly work"),
                "nightly_runs",
                gettext_lazy(
                    "Last night's usage roll-up and health scores: when they ran, how many "
                    "accounts they covered, and which chunks failed and why."
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Templates"),
        [
            Setting(
                gettext_lazy("Checklist templates"),
                "template_list",
                gettext_lazy("The phases and tasks a CSM starts an account's onboarding from."),
            ),
            Setting(
                gettext_lazy("Plan templates"),
                "plan_templates",
                gettext_lazy(
                    "Objectives, milestones and actions a new success plan can start with."
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Playbooks"),
        [
            Setting(
                gettext_lazy("Playbooks"),
                "playbooks",
                gettext_lazy(
                    "What the portal does when something happens to an account: the tasks it gives "
                    "the CSM when a customer is unhappy, for example. Enable or pause each."
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Reviews"),
        [
            Setting(
                gettext_lazy("Wrapped batches"),
                "wrapped_batches",
                gettext_lazy(
                    "Make every account's year-end Wrapped in one run and e-mail it to their "
                    "executives."
                ),
            ),
        ],
    ),
    (
        gettext_lazy("Data and integrations"),
        [
            Setting(
                gettext_lazy("API keys"),
                "api_keys",
                gettext_lazy(
                    "Keys for the systems that push contracts, usage and users to the portal; "
                    "shown once, revocable."
                ),
            ),
            Setting(
                gettext_lazy("Import"),
                "import_upload",
                gettext_lazy(
                    "Load contracts and usage from a CSV file, with a preview before anything "
                    "is saved."
                ),
            ),
            Setting(
                gettext_lazy("Embedding"),
                "embed_console",
                gettext_lazy(
                    "Show the hub inside your product: the signing secret, the pages allowed to "
                    "frame it, and your product's ids for accounts."
                ),
            ),
            Setting(
                gettext_lazy("Team chat channels"),
                "chat_team_channels",
                gettext_lazy(
                    "Slack or Microsoft Teams channels told of detractors, overdue tasks, health "
                    "drops, review requests and comments on a CS team's accounts."
                ),
            ),
            Setting(
                gettext_lazy("Webhooks"),
                "webhooks",
                gettext_lazy(
                    "Send the portal's events (tasks completed, health bands changed, reviews "
                    "published, ...) to your own systems, signed as Standard Webhooks."
                ),
            ),
        ],
    ),
]


def available_settings() -> list[tuple[str | Promise, list[tuple[Setting, str]]]]:
    """Each group with its settings and their addresses, leaving out features not installed."""
    groups = []
    for group, settings in SETTINGS:
        links = []
        for setting in settings:
            try:
                links.append((setting, reverse(setting.url_name)))
            except NoReverseMatch:
                continue
        if links:
            groups.append((group, links))
    return groups


@vendor_view(admin_only=True)
def console_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/settings.html", {"groups": available_settings()})
