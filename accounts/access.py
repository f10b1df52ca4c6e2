"""The tenancy rule, in one place.

* :meth:`Account.objects.visible_to` decides which accounts a user may see.
* :data:`CAPABILITIES` is the one table of what each role may do on an account it can see.
* :func:`account_view` gives a view the account named in the URL (``/a/<slug>/…``) and the
  viewer's role: 404 for an account the user may not see (the same page as one that does not
  exist), 403 for an action their role may not take.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from portal import compiled

from .models import Account, CustomerRole, Membership, User, VendorRole


class Role:
    """Every role a viewer can have on an account."""

    CHAMPION = CustomerRole.CHAMPION.value
    EXECUTIVE = CustomerRole.EXECUTIVE.value
    MEMBER = CustomerRole.MEMBER.value
    CSM = VendorRole.CSM.value
    ADMIN = VendorRole.ADMIN.value


CUSTOMER = frozenset({Role.CHAMPION, Role.EXECUTIVE, Role.MEMBER})
VENDOR = frozenset({Role.CSM, Role.ADMIN})
EVERYONE = CUSTOMER | VENDOR

# What each role may do on an account it can see. Views name a capability; nothing else
# decides. Features add their capabilities here.
CAPABILITIES: dict[str, frozenset[str]] = {
    "account.view": EVERYONE,
    "account.edit": VENDOR,
    "account.view_activity": VENDOR,
    "account.view_as": VENDOR,
    # The executive's own home: objectives, value, health, reviews, what needs their attention.
    # The account page answers it instead of the champion's page (vendor staff preview it).
    "account.executive_home": frozenset({Role.EXECUTIVE}),
    "people.view": EVERYONE,
    "people.invite": VENDOR | {Role.CHAMPION},
    "people.manage": VENDOR,
    # Each person's last visit and visits to the portal: the CSM's, never other customers'.
    "people.view_engagement": VENDOR,
    # Onboarding. Who may tick which task is narrowed further by onboarding.services.may_work.
    "onboarding.view": EVERYONE,
    "onboarding.manage": VENDOR,
    "onboarding.work": VENDOR | {Role.CHAMPION, Role.MEMBER},
    "onboarding.assign": VENDOR | {Role.CHAMPION},
    "onboarding.internal": VENDOR,  # sees the vendor's internal tasks and their count
    # Form tasks: the customer answers them (onboarding.services.may_fill_form narrows it to
    # the champion and the task's assignee); the vendor exports the answers as CSV.
    "onboarding.fill_forms": CUSTOMER,
    "onboarding.export_forms": VENDOR,
    # The CSM's tasks (playbooks): the vendor's own work list, never shown to customers.
    "tasks.view": VENDOR,
    "tasks.manage": VENDOR,
    # The account's playbook runs, and pausing every playbook for it. A CSM has a role on the
    # accounts they own only, so this is the owner CSM and the CS admins.
    "playbooks.view_runs": VENDOR,
    "playbooks.pause": VENDOR,
    # Success plans. Which item a role may edit is narrowed by successplans.services.may_edit.
    "plans.view": EVERYONE,
    "plans.manage": VENDOR,
    "plans.edit": VENDOR | {Role.CHAMPION, Role.MEMBER},
    # Add items, edit their details, update KPI values (members only set their items' status).
    "plans.edit_details": VENDOR | {Role.CHAMPION},
    # A KPI's definition (baseline, target...): the vendor's; the champion's where the CSM
    # allows it on the plan (successplans.services.may_define_kpi).
    "plans.define_kpis": VENDOR,
    "plans.define_kpis_when_allowed": frozenset({Role.CHAMPION}),
    "plans.comment": VENDOR | {Role.CHAMPION},
    # Sign-offs: the vendor asks the customer to approve a delivered milestone; the account's
    # champions and executives decide (a named approver only, when the request names one:
    # successplans.services.may_decide). Members see the outcome.
    "plans.request_signoff": VENDOR,
    "plans.sign_off": frozenset({Role.CHAMPION, Role.EXECUTIVE}),
    # Insights: the 360° page and the CSM pulse are the vendor's; usage is everyone's.
    "insights.view_360": VENDOR,
    "insights.pulse": VENDOR,
    # Upsell leads (CSQLs): flagged by playbooks, closed by the CS team.
    "insights.upsell_leads": VENDOR,
    # Surveys. Customers answer their own; vendor staff read results and pause an account.
    "surveys.answer": CUSTOMER,
    "surveys.view_results": VENDOR,
    "surveys.manage": VENDOR,
    "surveys.pause": VENDOR,
    # Reviews and the Wrapped: the CSM writes and publishes; executives and champions read,
    # download and ask for a fresh PDF; members do not see them.
    "reports.view": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "reports.request": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "reports.write": VENDOR,
    # Asking the CSM for a business review: the customer's executives and champions.
    "reports.ask": frozenset({Role.CHAMPION, Role.EXECUTIVE}),
    # Product updates: every role reads the account's feed; customers mark read and react.
    # Writing and publishing them is the vendor console's (updates.services.may_publish).
    "updates.view": EVERYONE,
    "updates.react": CUSTOMER,
    "updates.publish": VENDOR,
    # The academy: courses are the vendor's (written in the console) and open to every
    # account; the customer's people take them; the champion and the vendor follow everyone's
    # progress and assign courses; the vendor adds them to the onboarding checklist.
    "academy.view": EVERYONE,
    "academy.take": CUSTOMER,
    "academy.view_progress": VENDOR | {Role.CHAMPION},
    "academy.assign": VENDOR | {Role.CHAMPION},
    "academy.checklist": VENDOR,
    # Renewals. The pipeline, forecasts, reasons and amounts are the vendor's; the customer's
    # champions and executives see their renewal page (the contract, usage against it, the
    # checklist) and tick their side's steps (renewals.services.may_tick). CS admins keep the
    # churn reasons and the default checklist.
    "renewals.view_pipeline": VENDOR,
    "renewals.edit": VENDOR,
    "renewals.view_own": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "renewals.tick_step": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "renewals.edit_reasons": frozenset({Role.ADMIN}),
    # The sales-to-CS handover: the vendor's own notes on the deal, never shown to customers.
    "handover.view": VENDOR,
    "handover.edit": VENDOR,
    # The churn forecast: the vendor's alone, never shown to a customer.
    "forecast.view": VENDOR,
    # Value realized: the vendor defines the KPIs with the customer and records readings; the
    # customer's champions and executives read the shared ones and confirm their figures.
    "value.view": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "value.edit": VENDOR,
    "value.confirm": frozenset({Role.CHAMPION, Role.EXECUTIVE}),
    # Advocacy: the CS team asks promoters, books their reference calls, tracks referrals and
    # writes case studies (the board is theirs alone); the person asked answers; any of the
    # customer's people refers a company; the champion approves a case study, and the
    # champion and the executive download it once approved.
    "advocacy.ask": VENDOR,
    "advocacy.board": VENDOR,
    "advocacy.case_studies": VENDOR,
    "advocacy.answer": CUSTOMER,
    "advocacy.refer": CUSTOMER,
    "advocacy.approve_case_study": frozenset({Role.CHAMPION}),
    "advocacy.view_case_study": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    # Documents: everyone reads what is shared with them; the champion and the vendor upload to
    # the documents area; the vendor organises it and keeps internal files. Files on work
    # (tasks, plan items, comments) are attached by those working it (documents.services.may_attach:
    # a member to the tasks and action items assigned to them).
    "documents.view": EVERYONE,
    "documents.upload": VENDOR | {Role.CHAMPION},
    "documents.attach": VENDOR | {Role.CHAMPION, Role.MEMBER},
    "documents.manage": VENDOR,
    "documents.view_internal": VENDOR,
    # Offboarding: the vendor starts it, ticks any step and marks the account offboarded; the
    # customer's champions and executives follow it (their side's steps only), the champions
    # tick their side's (offboarding.services.may_tick).
    "offboarding.view": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "offboarding.tick_step": VENDOR | {Role.CHAMPION},
    "offboarding.manage": VENDOR,
    # Feature adoption: the champion and the executive see which licensed features their people
    # use against their segment, with the CS team's recommendations for the unused ones; the
    # CS team curates them and runs campaigns (adoption.services.may_curate).
    "adoption.view": VENDOR | {Role.CHAMPION, Role.EXECUTIVE},
    "adoption.curate": VENDOR,
    # Single sign-on with the customer's identity provider: the CS admins' alone.
    "sso.configure": frozenset({Role.ADMIN}),
}

# Which roles each role may hand out in an invitation. Champions invite colleagues, never
# another champion or vendor staff.
INVITABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.CHAMPION: (Role.MEMBER, Role.EXECUTIVE),
    Role.CSM: (Role.CHAMPION, Role.EXECUTIVE, Role.MEMBER),
    Role.ADMIN: (Role.CHAMPION, Role.EXECUTIVE, Role.MEMBER),
}

VIEW_AS_SESSION_KEY = "view_as"


def can(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]


@dataclass(frozen=True)
class AccountAccess:
    """An account as one viewer sees it."""

    account: Account
    role: str
    # Set while a CSM previews the account as a customer would see it: nothing may be changed.
    preview: bool = False

    def can(self, capability: str) -> bool:
        if self.preview and capability not in READ_ONLY_CAPABILITIES:
            return False
        return can(self.role, capability)

    @property
    def is_vendor(self) -> bool:
        return self.role in VENDOR

    @property
    def is_customer(self) -> bool:
        return self.role in CUSTOMER


# Capabilities that only read. In a preview ("view as customer") nothing else is allowed.
READ_ONLY_CAPABILITIES = frozenset(
    {
        "account.view",
        "account.executive_home",
        "people.view",
        "onboarding.view",
        "plans.view",
        "reports.view",
        "updates.view",
        "academy.view",
        "renewals.view_own",
        "value.view",
        "documents.view",
        "offboarding.view",
        "adoption.view",
    }
)


def role_on_account(user: Any, account: Account) -> str | None:
    """The role ``user`` has on ``account``, or None if they may not see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.vendor_role == VendorRole.ADMIN:
        return Role.ADMIN
    if user.vendor_role == VendorRole.CSM:
        return Role.CSM if account.owner_id == user.pk else None
    return (
        Membership.objects.filter(user=user, account=account).values_list("role", flat=True).first()
    )


def _account_seen_by(kind: str, slug: str, user: int | None = None) -> QuerySet[Account]:
    """The account with ``slug`` if a user of ``kind`` (a vendor role, or "" for a customer)
    may see it (Account.objects.visible_to), with its owner and a customer's role on it."""
    viewer = User(pk=user, vendor_role=kind, is_active=True)
    accounts = Account.objects.visible_to(viewer).filter(slug=slug).select_related("owner")
    if not kind:
        # A customer's role comes with the account, in the same query: from the membership
        # visible_to joined (the user's own, one an account).
        accounts = accounts.annotate(member_role=F("memberships__role"))
    return accounts.order_by()[:1]  # a slug is unique


def get_account_for_user(request: HttpRequest, slug: str) -> AccountAccess:
    """The account with ``slug`` as the request's user sees it; 404 if they may not see it.

    Every account page asks it first: its SQL is compiled once per process (portal.compiled),
    which was most of its cost."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such account.")
    kind = user.vendor_role if user.vendor_role in (VendorRole.ADMIN, VendorRole.CSM) else ""
    customer = not user.vendor_role
    ids: dict[str, int | str] = {"slug": slug}
    if kind != VendorRole.ADMIN:  # a CS admin sees every account: no id in the query
        ids["user"] = user.pk
    found = compiled.objects(
        ("accounts.account_seen_by", kind),
        lambda **standins: _account_seen_by(kind, **standins),
        ids,
    )
    if not found:
        raise Http404("No such account.")
    account = found[0]
    role = account.member_role if customer else role_on_account(user, account)  # type: ignore[attr-defined]
    if role is None:  # pragma: no cover - visible_to and role_on_account agree
        raise Http404("No such account.")
    preview = request.session.get(VIEW_AS_SESSION_KEY)
    if role in VENDOR and preview and preview.get("account") == account.pk:
        return AccountAccess(account=account, role=preview["role"], preview=True)
    return AccountAccess(account=account, role=role)


def account_view(
    capability: str = "account.view",
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a view under ``/a/<slug>/``: it is called as ``view(request, access, ...)``.

    Anonymous users go to the log-in page; users who may not see the account get a 404; users
    whose role lacks ``capability`` get a 403.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            access = get_account_for_user(request, slug)
            if access.preview and request.method not in ("GET", "HEAD"):
                raise PermissionDenied(_("This is a read-only preview of the customer's portal."))
            if not access.can(capability):
                raise PermissionDenied(_("Your role on this account does not allow this."))
            request.account_access = access  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        wrapper.capability = capability  # type: ignore[attr-defined]
        return wrapper

    return decorator


def vendor_view(
    admin_only: bool = False,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Decorate a vendor console view outside any one account: CSMs and CS admins only."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = user.is_cs_admin if admin_only else user.is_vendor
            if not allowed:
                raise PermissionDenied(_("This page is for the vendor's customer success team."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
