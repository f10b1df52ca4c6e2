"""Every URL, as every persona: the tenancy rule, proven.

The URL patterns come from the resolver, so a URL added later is covered without editing
this file — and a pattern with no entry in the tables below fails the test, so every new URL
gets a decision. Every refusal (a redirect to log in, 403, 404, 405) is shown to change no row of
any table (tests/snapshot.py), and every allowed POST to change something besides the activity
log and the job queue: a view that only logs that it did something has done nothing.
"""

from __future__ import annotations

import copy
import io
import shutil
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from accounts.models import Activity, Invitation, Membership, PortalVisit, User
from portal.models import Job
from successplans.models import KPI, PlanTemplate, PlanTemplateItem, SuccessPlan
from tests.academy_helpers import ACADEMY_EXPECTED, academy_url_args, make_academy_world
from tests.adoption_factories import (
    ADOPTION_EXPECTED,
    ADOPTION_PANELS,
    adoption_url_args,
    make_adoption_world,
)
from tests.advocacy_factories import (
    ADVOCACY_EXPECTED,
    ADVOCACY_PANEL,
    advocacy_url_args,
    make_advocacy_world,
)
from tests.chat_helpers import CHAT_EXPECTED, chat_url_args, make_chat_world
from tests.conftest import PERSONAS, World, client_for, make_world
from tests.documents_helpers import (
    DOCUMENTS_EXPECTED,
    DOCUMENTS_GETS_THAT_WRITE,
    documents_url_args,
    make_documents_world,
)
from tests.embed_helpers import EMBED_EXPECTED, embed_url_args, make_embed_world
from tests.factories import CSMFactory, MembershipFactory
from tests.forms_factories import FORMS_EXPECTED, forms_url_args, make_forms_world
from tests.handover_factories import (
    HANDOVER_EXPECTED,
    HANDOVER_PANEL_EXPECTED,
    handover_url_args,
    make_handover_world,
)
from tests.inbox_helpers import INBOX_EXPECTED, inbox_url_args, make_inbox_world
from tests.insights_helpers import INSIGHTS_EXPECTED, insights_url_args, make_insights_world
from tests.join_helpers import JOIN_EXPECTED, JOIN_SETUP, join_url_args, make_join_world
from tests.offboarding_factories import (
    OFFBOARDING_EXPECTED,
    OFFBOARDING_PANEL_EXPECTED,
    OFFBOARDING_SETUP,
    make_offboarding_world,
    offboarding_url_args,
)
from tests.onboarding_helpers import start as start_checklist
from tests.plan_helpers import make_plan
from tests.playbooks_helpers import PLAYBOOKS_EXPECTED, make_playbooks_world, playbooks_url_args
from tests.renewals_factories import (
    RENEWALS_EXPECTED,
    make_renewals_world,
    renewals_url_args,
)
from tests.reports_helpers import (
    REPORTS_EXPECTED,
    fail_for_matrix,
    make_reports_world,
    reports_url_args,
)
from tests.signoffs_factories import (
    SIGNOFFS_EXPECTED,
    SIGNOFFS_PANELS,
    make_signoffs_world,
    signoffs_url_args,
)
from tests.snapshot import changed_tables, database_state, unchanged
from tests.sso_helpers import (
    SSO_AUTH_PAGES,
    SSO_EXPECTED,
    SSO_UNNAMED_AUTH_ROUTES,
    make_sso_world,
    sso_setup,
    sso_url_args,
)
from tests.survey_helpers import (
    SURVEY_EXPECTED,
    make_survey_world,
    pause_for_matrix,
    survey_url_args,
)
from tests.updates_helpers import UPDATES_EXPECTED, make_updates_world, updates_url_args
from tests.value_factories import VALUE_EXPECTED, VALUE_PANELS, make_value_world, value_url_args
from tests.webhooks_helpers import WEBHOOKS_EXPECTED, make_webhooks_world, webhooks_url_args

L = "login"  # a redirect to the log-in page

# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
VENDOR_READ = [L, 403, 403, 403, 404, 200, 404, 200]
CUSTOMER_READ = [L, 200, 200, 200, 404, 403, 404, 403]
PANEL_EXPECTED = {
    "usage": ACCOUNT_READ,
    "health": ACCOUNT_READ,
    "survey-prompt": CUSTOMER_READ,
    "tasks": VENDOR_READ,
    "runs": VENDOR_READ,
    "onboarding": ACCOUNT_READ,
    "plan": ACCOUNT_READ,
    "you-said-we-did": CUSTOMER_READ,
    "survey-results": VENDOR_READ,
    "latest-updates": ACCOUNT_READ,
    "academy": ACCOUNT_READ,
    **HANDOVER_PANEL_EXPECTED,
    "advocacy": ADVOCACY_PANEL,
    **ADOPTION_PANELS,
    "documents": ACCOUNT_READ,
    "reports": [L, 200, 200, 403, 404, 200, 404, 200],
    "churn-forecast": VENDOR_READ,  # never a customer's
    "csqls": VENDOR_READ,  # upsell leads: never a customer's
    "nonexistent": [L, 404, 404, 404, 404, 404, 404, 404],
    **VALUE_PANELS,
    **SIGNOFFS_PANELS,
    **OFFBOARDING_PANEL_EXPECTED,
}
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
INVITE_WRITE = [L, 302, 403, 403, 404, 302, 404, 302]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
SIGNED_IN_READ = [L, 200, 200, 200, 200, 200, 200, 200]
SIGNED_IN_WRITE = [L, 302, 302, 302, 302, 302, 302, 302]
POST_ONLY = [405] * 8

# name -> (expected GET, expected POST or None when POST is not part of the matrix)
EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "home": ([L, 302, 302, 302, 302, 302, 302, 302], None),
    "healthz": ([200] * 8, None),
    # Django's set_language: a GET changes nothing and goes back; the POST sets a cookie only.
    "set_language": ([302] * 8, None),
    "metrics": ([404] * 8, None),  # off unless METRICS_ENABLED (tests/test_metrics.py)
    "portfolio": (CONSOLE_READ, None),
    "forecast": (CONSOLE_READ, None),  # the churn forecast: vendor staff only
    "account_create": (CONSOLE_READ, CONSOLE_WRITE),
    "console_settings": (ADMIN_READ, None),
    "staff": (ADMIN_READ, None),
    "staff_add": (POST_ONLY, ADMIN_WRITE),
    "staff_role": (POST_ONLY, ADMIN_WRITE),
    "staff_team": (POST_ONLY, ADMIN_WRITE),
    "staff_deactivate": (POST_ONLY, ADMIN_WRITE),
    "staff_reactivate": (POST_ONLY, ADMIN_WRITE),
    "onboarding_portfolio": (CONSOLE_READ, None),
    "onboarding": (ACCOUNT_READ, None),
    "onboarding_start": (POST_ONLY, VENDOR_WRITE),
    "onboarding_ladder": (POST_ONLY, VENDOR_WRITE),
    "onboarding_task_add": (POST_ONLY, VENDOR_WRITE),
    "onboarding_task": (ACCOUNT_READ, None),
    "onboarding_phase": (ACCOUNT_READ, None),
    "onboarding_forms": (VENDOR_READ, None),
    "onboarding_task_done": (POST_ONLY, [L, 302, 403, 302, 404, 302, 404, 302]),
    "onboarding_task_assign": (POST_ONLY, INVITE_WRITE),
    "onboarding_task_comment": (POST_ONLY, [L, 302, 403, 302, 404, 302, 404, 302]),
    "onboarding_task_edit": ([L, 403, 403, 403, 404, 302, 404, 302], VENDOR_WRITE),
    "onboarding_task_delete": (POST_ONLY, VENDOR_WRITE),
    "onboarding_task_move": (POST_ONLY, VENDOR_WRITE),
    "template_list": (CONSOLE_READ, None),
    "template_create": (POST_ONLY, CONSOLE_WRITE),
    "template_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "template_copy": (POST_ONLY, CONSOLE_WRITE),
    "template_archive": (POST_ONLY, CONSOLE_WRITE),
    "template_restore": (POST_ONLY, CONSOLE_WRITE),
    "phase_add": (POST_ONLY, CONSOLE_WRITE),
    "phase_edit": (POST_ONLY, CONSOLE_WRITE),
    "phase_move": (POST_ONLY, CONSOLE_WRITE),
    "phase_delete": (POST_ONLY, CONSOLE_WRITE),
    "template_task_add": (CONSOLE_READ, CONSOLE_WRITE),
    "template_task_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "template_task_move": (POST_ONLY, CONSOLE_WRITE),
    "template_task_delete": (POST_ONLY, CONSOLE_WRITE),
    "plan_portfolio": (CONSOLE_READ, None),
    "plan_templates": (CONSOLE_READ, CONSOLE_WRITE),
    "plan_template": (CONSOLE_READ, CONSOLE_WRITE),
    "plan_template_archive": (POST_ONLY, CONSOLE_WRITE),
    "plan_template_item_delete": (POST_ONLY, CONSOLE_WRITE),
    "plans": (
        [L, 302, 302, 302, 404, 200, 404, 200],
        None,
    ),  # one plan: customers go straight to it
    "plan_create": (POST_ONLY, VENDOR_WRITE),
    "plan": (ACCOUNT_READ, None),
    "plan_print": (ACCOUNT_READ, None),
    "plan_objectives": (ACCOUNT_READ, None),
    "plan_actions": (ACCOUNT_READ, None),
    "plan_milestones": (ACCOUNT_READ, None),
    "plan_discussion": (ACCOUNT_READ, None),
    "plan_manage": (VENDOR_READ, None),
    "plan_comment": (POST_ONLY, [L, 302, 403, 403, 404, 302, 404, 302]),
    "plan_health": (POST_ONLY, VENDOR_WRITE),
    "plan_save_as_template": (VENDOR_READ, VENDOR_WRITE),
    "plan_settings": (POST_ONLY, VENDOR_WRITE),
    "plan_item_add": ([L, 200, 403, 403, 404, 200, 404, 200], INVITE_WRITE),
    "plan_item_edit": ([L, 200, 403, 403, 404, 200, 404, 200], INVITE_WRITE),
    # "name#variant": the same URL on another object or setting. A KPI's definition is the
    # vendor's, and the champion's too where the CSM allows it on the plan.
    "plan_item_edit#kpi": (VENDOR_READ, VENDOR_WRITE),
    "plan_item_edit#kpi_when_allowed": ([L, 200, 403, 403, 404, 200, 404, 200], INVITE_WRITE),
    "plan_item_status": (POST_ONLY, [L, 302, 403, 302, 404, 302, 404, 302]),
    "plan_item_delete": (POST_ONLY, VENDOR_WRITE),
    "plan_kpi_value": (POST_ONLY, INVITE_WRITE),
    "book": (CONSOLE_READ, None),
    "health_settings": (ADMIN_READ, ADMIN_WRITE),
    "account_360": (VENDOR_READ, None),
    **{
        f"account_360_{part}": (VENDOR_READ, None)
        for part in ("revenue", "usage", "health", "sentiment", "activity", "pulse")
    },
    "account_pulse": (POST_ONLY, VENDOR_WRITE),
    "accept_invitation": ([200] * 8, None),  # public; accepting is tested in test_invitations
    "profile": (SIGNED_IN_READ, SIGNED_IN_WRITE),
    "notifications": (SIGNED_IN_READ, SIGNED_IN_WRITE),
    "account_home": (ACCOUNT_READ, None),
    "account_logo": (ACCOUNT_READ, None),
    "account_edit": (VENDOR_READ, VENDOR_WRITE),
    "account_activity": (VENDOR_READ, None),
    # The account page's panels, each loaded on its own (accounts.panels): "account_panel" is
    # the usage panel, "account_panel#<name>" every other one (each registered panel has one,
    # see test_every_panel_has_a_decision), "#nonexistent" a name no panel has.
    "account_panel": (ACCOUNT_READ, None),
    **{f"account_panel#{name}": (row, None) for name, row in PANEL_EXPECTED.items()},
    "view_as_start": (POST_ONLY, VENDOR_WRITE),
    "view_as_end": (POST_ONLY, [L, 302, 302, 302, 404, 302, 404, 302]),
    "people": (ACCOUNT_READ, None),
    "people_invite": (POST_ONLY, INVITE_WRITE),
    "invitation_resend": (POST_ONLY, INVITE_WRITE),
    "invitation_revoke": (POST_ONLY, INVITE_WRITE),
    "membership_role": (POST_ONLY, VENDOR_WRITE),
    "membership_remove": (POST_ONLY, VENDOR_WRITE),
    "user_deactivate": (POST_ONLY, VENDOR_WRITE),
    "user_reactivate": (POST_ONLY, VENDOR_WRITE),
}

EXPECTED.update(SURVEY_EXPECTED)
EXPECTED.update(INSIGHTS_EXPECTED)
EXPECTED.update(REPORTS_EXPECTED)
EXPECTED.update(PLAYBOOKS_EXPECTED)
EXPECTED.update(JOIN_EXPECTED)
EXPECTED.update(EMBED_EXPECTED)
EXPECTED.update(CHAT_EXPECTED)
EXPECTED.update(SSO_EXPECTED)
EXPECTED.update(INBOX_EXPECTED)
EXPECTED.update(WEBHOOKS_EXPECTED)
EXPECTED.update(UPDATES_EXPECTED)
EXPECTED.update(SIGNOFFS_EXPECTED)
EXPECTED.update(ACADEMY_EXPECTED)
EXPECTED.update(FORMS_EXPECTED)
EXPECTED.update(RENEWALS_EXPECTED)
EXPECTED.update(HANDOVER_EXPECTED)
EXPECTED.update(VALUE_EXPECTED)
EXPECTED.update(ADVOCACY_EXPECTED)
EXPECTED.update(DOCUMENTS_EXPECTED)
EXPECTED.update(OFFBOARDING_EXPECTED)
EXPECTED.update(ADOPTION_EXPECTED)

# Patterns from django-allauth and Django's admin: not about any one account. Each is listed
# here on purpose; a new one must be added after thought.
AUTH_PAGES = {
    "account_login", "account_logout", "account_inactive", "account_signup",
    "account_reauthenticate", "account_email", "account_email_verification_sent",
    "account_change_password", "account_set_password", "account_reset_password",
    "account_confirm_login_code", "account_confirm_email", "account_reset_password_from_key_done",
    "account_reset_password_from_key", "account_reset_password_done",
    "account_request_login_code", "mfa_index", "mfa_authenticate", "mfa_reauthenticate",
    "mfa_activate_totp", "mfa_deactivate_totp", "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes", "mfa_download_recovery_codes", "usersessions_list",
}  # fmt: skip
AUTH_PAGES |= SSO_AUTH_PAGES


def walk(
    patterns: Sequence[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


ALL_PATTERNS = list(walk(get_resolver().url_patterns))
PROJECT_NAMES = sorted(
    {
        name
        for _, name, _ in ALL_PATTERNS
        if name in EXPECTED or not (name in AUTH_PAGES or name.startswith("admin:"))
    }
)


def test_every_url_pattern_has_a_decision() -> None:
    undecided = [
        (route, name)
        for route, name, _ in ALL_PATTERNS
        if name not in EXPECTED
        and name not in AUTH_PAGES
        and not name.startswith("admin:")
        and not (name == "None" and route in SSO_UNNAMED_AUTH_ROUTES)
    ]
    assert not undecided, f"URL patterns with no entry in the access matrix: {undecided}"


def test_every_panel_has_a_decision() -> None:
    """A panel added to the account page is walked as every persona too."""
    from accounts.panels import _PANELS

    assert set(_PANELS) <= set(PANEL_EXPECTED), set(_PANELS) - set(PANEL_EXPECTED)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#c2410c").save(buffer, format="PNG")
    return buffer.getvalue()


THE_DAY = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    """The world is built and walked on the same day in every run."""
    time_machine.move_to(THE_DAY)


@pytest.fixture(scope="module")
def _matrix_world_once(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, Any], Path]]:
    """The world every URL is walked in, built once for the module inside a transaction.

    Each test runs in a savepoint of that transaction (pytest-django's ``db``), so it starts
    from the rows built here, whatever the test before it wrote; the transaction is rolled back
    at the end of the module. Building it for each of the ~4,800 tests was most of their time.
    """
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        time_machine.travel(THE_DAY),
        override_settings(
            MEDIA_ROOT=media,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_matrix_world(make_world()), media
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def matrix_world(
    _matrix_world_once: tuple[dict[str, Any], Path], db: None, settings: Any, tmp_path: Path
) -> dict[str, Any]:
    """The shared world, as it was built: its rows (in a savepoint), files and cache.

    The objects are copies, so a step that changes one (a delete clears its key) leaves the
    next test's as built; the media are a copy, as a view may delete a file.
    """
    built, media = _matrix_world_once
    settings.MEDIA_ROOT = shutil.copytree(media, tmp_path / "media")
    cache.clear()
    return copy.deepcopy(built)


@pytest.fixture
def world(matrix_world: dict[str, Any]) -> World:
    """This module's tests share the matrix's world (conftest's would make a second Acme)."""
    world: World = matrix_world["world"]
    return world


def build_matrix_world(world: World) -> dict[str, Any]:
    world.account.logo.save("acme.png", SimpleUploadedFile("acme.png", png_bytes()), save=True)
    invitation = Invitation.objects.create(
        account=world.account,
        email="newcomer@customer.example",
        role="member",
        invited_by=world.csm,
    )
    member_membership = Membership.objects.get(user=world.member, account=world.account)
    leaver = MembershipFactory.create(account=world.account, role="member").user
    spare_csm = CSMFactory.create(name="Spare CSM")
    checklist = start_checklist(world)
    plan_template = PlanTemplate.objects.create(name="Plan skeleton", created_by=world.csm)
    PlanTemplateItem.objects.create(template=plan_template, kind="objective", title="Adoption")
    members_task = checklist.tasks.get(title="Connect your data")  # assigned to the member
    return {
        "world": world,
        "invitation": invitation,
        "member_membership": member_membership,
        "leaver": leaver,
        "spare_csm": spare_csm,
        "checklist": checklist,
        "plan": (plan := make_plan(world)),
        "signoffs": make_signoffs_world(world, plan),
        "plan_template": plan_template,
        "surveys": make_survey_world(world),
        "insights": make_insights_world(world),
        "reports": make_reports_world(world),
        "playbooks": make_playbooks_world(world),
        "join": make_join_world(world),
        "embed": make_embed_world(world),
        "chat": make_chat_world(world),
        "sso": make_sso_world(world),
        "inbox": make_inbox_world(world),
        "webhooks": make_webhooks_world(world),
        "updates": make_updates_world(world),
        "academy": make_academy_world(world),
        "forms": make_forms_world(world, checklist),
        "renewals": make_renewals_world(world),
        "handover": make_handover_world(world),
        "value": make_value_world(world),
        "advocacy": make_advocacy_world(world),
        "documents": make_documents_world(world),
        "offboarding": make_offboarding_world(world),
        "adoption": make_adoption_world(world),
        "task": members_task,
    }


def url_and_data(name: str, ctx: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    world: World = ctx["world"]
    slug = world.account.slug
    leaver_id = ctx["leaver"].pk
    args: dict[str, tuple[list[Any], dict[str, Any]]] = {
        "accept_invitation": ([ctx["invitation"].token], {}),
        "account_create": ([], {"name": "Newco", "segment": "smb", "touch_model": "tech", "stage": "onboarding", "owner": world.csm.pk}),
        "profile": ([], {"name": "Renamed Person"}),
        "staff_add": ([], {"name": "New CSM", "email": "new.csm@vendor.example", "vendor_role": "csm"}),
        "staff_role": ([ctx["spare_csm"].pk], {"vendor_role": "admin"}),
        "staff_team": ([ctx["spare_csm"].pk], {"team": "Scale"}),
        "staff_deactivate": ([ctx["spare_csm"].pk], {}),
        "staff_reactivate": ([ctx["spare_csm"].pk], {}),
        "notifications": ([], {"tasks": "digest", "plans": "off", "surveys": "immediately", "reports": "immediately", "account": "digest", "updates": "digest", "adoption": "off"}),
        "account_edit": ([slug], {"name": "Acme Renamed", "slug": slug, "segment": "enterprise", "touch_model": "high", "stage": "adoption", "owner": world.csm.pk}),
        "view_as_start": ([slug], {"role": "champion"}),
        "people_invite": ([slug], {"email": "colleague@customer.example", "role": "member"}),
        "invitation_resend": ([slug, ctx["invitation"].pk], {}),
        "invitation_revoke": ([slug, ctx["invitation"].pk], {}),
        "membership_role": ([slug, ctx["member_membership"].pk], {"role": "executive"}),
        "membership_remove": ([slug, ctx["member_membership"].pk], {}),
        **template_urls(ctx),
        **plan_urls(ctx),
        "health_settings": ([], {"usage_weight": 40, "sentiment_weight": 20, "onboarding_weight": 10, "plan_weight": 10, "renewal_weight": 10, "pulse_weight": 10, "healthy_from": 70, "at_risk_from": 40}),
        "account_pulse": ([slug], {"pulse": "good", "pulse_note": "Great QBR", "licensed_seats": "30"}),
        **survey_url_args(ctx["surveys"], slug),
        **insights_url_args(ctx["insights"], slug),
        **reports_url_args(ctx["reports"], slug),
        **playbooks_url_args(ctx["playbooks"], slug),
        **join_url_args(ctx["join"], slug),
        **embed_url_args(ctx["embed"], slug),
        **chat_url_args(ctx["chat"], slug),
        **sso_url_args(ctx["sso"]),
        **inbox_url_args(ctx["inbox"]),
        **webhooks_url_args(ctx["webhooks"]),
        **updates_url_args(ctx["updates"], slug),
        **value_url_args(ctx["value"], slug),
        **signoffs_url_args(ctx["signoffs"], slug),
        **academy_url_args(ctx["academy"], slug, ctx["task"].phase_id),
        **forms_url_args(ctx["forms"], slug),
        **renewals_url_args(ctx["renewals"], slug),
        **handover_url_args(ctx["handover"], slug),
        **advocacy_url_args(ctx["advocacy"], slug, world),
        **documents_url_args(ctx["documents"], slug, ctx["task"]),
        **offboarding_url_args(ctx["offboarding"], slug),
        **adoption_url_args(ctx["adoption"], slug),
        "onboarding_start": ([slug], {"template": ctx["checklist"].template_id, "kickoff_date": "2026-12-01"}),
        "onboarding_ladder": ([slug], {"remind_assignee_after": 2, "remind_champion_after": 3, "remind_csm_after": 5}),
        "onboarding_task_add": ([slug], {"phase": ctx["task"].phase_id, "title": "New task", "owner_side": "customer", "required": "on", "client_token": "6f1c1a52-3f43-4a4e-9a53-1d1b6b3c1a01"}),
        "onboarding_task": ([slug, ctx["task"].pk], {}),
        "onboarding_phase": ([slug, ctx["task"].phase_id], {}),
        "onboarding_forms": ([slug], {}),
        "onboarding_task_done": ([slug, ctx["task"].pk], {"done": "1"}),
        "onboarding_task_assign": ([slug, ctx["task"].pk], {"assignee": world.executive.pk}),
        "onboarding_task_comment": ([slug, ctx["task"].pk], {"body": "On it."}),
        "onboarding_task_edit": ([slug, ctx["task"].pk], {"phase": ctx["task"].phase_id, "title": "Connect your warehouse", "owner_side": "customer", "version": ctx["task"].version}),
        "onboarding_task_delete": ([slug, ctx["task"].pk], {}),
        "onboarding_task_move": ([slug, ctx["task"].pk], {"direction": "down"}),
        "user_deactivate": ([slug, leaver_id], {}),
        "user_reactivate": ([slug, leaver_id], {}),
        "account_panel": ([slug, "usage"], {}),
        **{f"account_panel#{panel}": ([slug, panel], {}) for panel in PANEL_EXPECTED},
    }  # fmt: skip
    pattern = name.partition("#")[0]
    route = next(route for route, pattern_name, _ in ALL_PATTERNS if pattern_name == pattern)
    positional, data = args.get(name, ([slug] if "<slug:slug>" in route else [], {}))
    return reverse(pattern, args=positional), data


def template_urls(ctx: dict[str, Any]) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    template = ctx["checklist"].template
    phase = template.phases.order_by("position").first()  # the first of three, with two tasks
    task = phase.tasks.order_by("position").first()
    new_task = {
        "title": "Invite your team",
        "owner_side": "customer",
        "default_role": "champion",
        "due_offset_days": "7",
        "required": "on",
    }
    return {
        "template_create": ([], {"name": "New one"}),
        "template_edit": ([template.pk], {"name": "Renamed", "description": ""}),
        "template_copy": ([template.pk], {}),
        "template_archive": ([template.pk], {}),
        "template_restore": ([template.pk], {}),
        "phase_add": ([template.pk], {"name": "Hypercare"}),
        "phase_edit": ([template.pk, phase.pk], {"name": "Start"}),
        "phase_move": ([template.pk, phase.pk], {"direction": "down"}),
        "phase_delete": ([template.pk, phase.pk], {}),
        "template_task_add": ([template.pk, phase.pk], new_task),
        "template_task_edit": ([template.pk, task.pk], {**new_task, "phase": phase.pk}),
        "template_task_move": ([template.pk, task.pk], {"direction": "down"}),
        "template_task_delete": ([template.pk, task.pk], {}),
    }  # fmt: skip


def plan_urls(ctx: dict[str, Any]) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    plan, slug = ctx["plan"], ctx["world"].account.slug
    action = plan.actions.get(
        title="Share finance workflows"
    )  # the customer's, assigned to the member
    kpi = KPI.objects.get(objective__plan=plan)
    template = ctx["plan_template"]
    action_data = {"title": "Share the workflows", "side": "customer", "status": "open"}
    kpi_data = {
        "name": "Reporting time",
        "unit": "hours",
        "baseline": "48",
        "target": "2",
        "version": kpi.version,
    }
    return {
        "plan_templates": ([], {"name": "Standard plan"}),
        "plan_template": ([template.pk], {"kind": "milestone", "title": "Executive review", "owner_side": "vendor", "offset_days": "60"}),
        "plan_template_archive": ([template.pk], {}),
        "plan_template_item_delete": ([template.pk, template.items.first().pk], {}),
        "plan_create": ([slug], {"name": "Next year", "starts_on": "2027-01-01", "ends_on": "2027-12-31", "template": ""}),
        "plan": ([slug, plan.pk], {}),
        "plan_print": ([slug, plan.pk], {}),
        "plan_comment": ([slug, plan.pk], {"body": "Looks good."}),
        **{f"plan_{part}": ([slug, plan.pk], {}) for part in ("objectives", "actions", "milestones", "discussion", "manage")},
        "plan_health": ([slug, plan.pk], {"health": "at_risk", "reason": "Budget freeze"}),
        "plan_save_as_template": ([slug, plan.pk], {"name": "Finance reporting plan"}),
        "plan_settings": ([slug, plan.pk], {"champion_edits_kpis": "on"}),
        "plan_item_add": ([slug, plan.pk, "action"], action_data),
        "plan_item_edit": ([slug, plan.pk, "action", action.pk], {**action_data, "version": action.version}),
        "plan_item_status": ([slug, plan.pk, "action", action.pk], {"status": "done"}),
        "plan_item_delete": ([slug, plan.pk, "action", action.pk], {}),
        "plan_kpi_value": ([slug, plan.pk, kpi.pk], {"current": "30", "version": kpi.version}),
        "plan_item_edit#kpi": ([slug, plan.pk, "kpi", kpi.pk], kpi_data),
        "plan_item_edit#kpi_when_allowed": ([slug, plan.pk, "kpi", kpi.pk], kpi_data),
    }  # fmt: skip


# Each step's result (a row count, say) is not used.
SETUP: dict[str, Callable[[dict[str, Any]], object]] = {
    # Reactivation needs someone deactivated to act on.
    "user_reactivate": lambda ctx: User.objects.filter(pk=ctx["leaver"].pk).update(is_active=False),
    "onboarding_start": lambda ctx: ctx["checklist"].delete(),
    "survey_resume": lambda ctx: pause_for_matrix(ctx["surveys"]),
    "report_retry": lambda ctx: fail_for_matrix(ctx["reports"]),
    "staff_reactivate": lambda ctx: User.objects.filter(pk=ctx["spare_csm"].pk).update(
        is_active=False
    ),
    "plan_item_edit#kpi_when_allowed": lambda ctx: SuccessPlan.objects.filter(
        pk=ctx["plan"].pk
    ).update(champion_edits_kpis=True),
    "account_sso": sso_setup,
}
SETUP.update(JOIN_SETUP)
SETUP.update(OFFBOARDING_SETUP)


def check(response: Any, expected: Any, url: str) -> None:
    if response.streaming:  # a file: read it, which closes it (the test client's own way)
        b"".join(response.streaming_content)
    if expected == L:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("account_login")), response["Location"]
    else:
        assert response.status_code == expected, (url, response.status_code, expected)


# A GET is refused with these; a POST with anything but a 302 (or the 200 of a preview page).
REFUSALS = (L, 401, 403, 404, 405, 422)
ALLOWED_POSTS = (200, 302)
# Allowed GETs that write: the account page remembers the last account seen (in the session);
# a download is written to the activity log; opening an inbox item or an update marks it read.
GETS_THAT_WRITE = (
    "account_home",
    "report_download",
    "inbox_open",
    "update",
    *DOCUMENTS_GETS_THAT_WRITE,
)
# Allowed POSTs that change only the session: leaving a preview.
POSTS_THAT_CHANGE_ONLY_THE_SESSION = ("view_as_end",)
# What an allowed POST must change something besides. A view whose work is a job shows it once
# the job has run (after commit).
NOT_A_CHANGE = (Activity, Job)


@pytest.mark.parametrize("persona_index,persona", list(enumerate(PERSONAS)))
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get(name: str, persona_index: int, persona: str, matrix_world: dict[str, Any]) -> None:
    world: World = matrix_world["world"]
    if name in SETUP:
        SETUP[name](matrix_world)
    url, _ = url_and_data(name, matrix_world)
    expected = EXPECTED[name][0][persona_index]
    client = client_for(world.persona(persona))
    if expected in REFUSALS or name not in GETS_THAT_WRITE:
        # A customer's page counts as a visit (accounts.services.record_page_view); a refusal not.
        with unchanged(ignoring=() if expected in REFUSALS else (PortalVisit,)):
            response = client.get(url)
    else:
        response = client.get(url)
    check(response, expected, url)


POST_NAMES = sorted(name for name, (_, post) in EXPECTED.items() if post is not None)


@pytest.mark.parametrize("persona_index,persona", list(enumerate(PERSONAS)))
@pytest.mark.parametrize("name", POST_NAMES)
def test_post(
    name: str,
    persona_index: int,
    persona: str,
    matrix_world: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    world: World = matrix_world["world"]
    if name in SETUP:
        SETUP[name](matrix_world)
    url, data = url_and_data(name, matrix_world)
    post_row = EXPECTED[name][1]
    assert post_row is not None  # POST_NAMES are the names with a POST row
    expected = post_row[persona_index]
    client = client_for(world.persona(persona))
    if expected not in ALLOWED_POSTS:
        with unchanged():
            response = client.post(url, data)
        check(response, expected, url)
        return
    before = database_state(ignoring=NOT_A_CHANGE)
    with django_capture_on_commit_callbacks() as after_commit:
        response = client.post(url, data)
    check(response, expected, url)
    if name in POSTS_THAT_CHANGE_ONLY_THE_SESSION:
        return
    changed = changed_tables(before, database_state(ignoring=NOT_A_CHANGE))
    if not changed and after_commit:
        for callback in after_commit:
            callback()
        changed = changed_tables(before, database_state(ignoring=NOT_A_CHANGE))
    assert changed, f"an allowed POST to {url} as {persona} changed nothing but the log"


@pytest.mark.parametrize("persona", PERSONAS)
def test_auth_pages_never_fail(persona: str, world: World) -> None:
    """allauth's pages: public or behind log-in, never an error, never account data."""
    client = client_for(world.persona(persona))
    for route, name, _ in ALL_PATTERNS:
        if name not in AUTH_PAGES or "(?P<" in route or name == "None":
            continue
        response = client.get(reverse(name))
        assert response.status_code in (200, 302, 403, 404, 405), (name, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_is_for_superusers_only(persona: str, world: World) -> None:
    client = client_for(world.persona(persona))
    for url in [
        "/admin/",
        "/admin/accounts/account/",
        "/admin/accounts/user/",
        "/admin/portal/job/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), (persona, url, response.status_code)
        assert world.account.name.encode() not in response.content


def test_admin_answers_a_superuser(world: World) -> None:
    superuser = User.objects.create_superuser("root@vendor.example", "pw-not-used-here")
    response = client_for(superuser).get("/admin/accounts/account/")
    assert response.status_code == 200
    assert world.account.name.encode() in response.content


def test_ids_from_another_account_are_404(world: World) -> None:
    """Object look-ups inside an account filter by that account."""
    foreign = Membership.objects.get(user=world.other_champion)
    client = client_for(world.csm)
    for name in ["membership_role", "membership_remove"]:
        response = client.post(
            reverse(name, args=[world.account.slug, foreign.pk]), {"role": "member"}
        )
        assert response.status_code == 404
    response = client.post(
        reverse("user_deactivate", args=[world.account.slug, world.other_champion.pk])
    )
    assert response.status_code == 404
    assert User.objects.get(pk=world.other_champion.pk).is_active
    assert Membership.objects.filter(pk=foreign.pk, role="champion").exists()
