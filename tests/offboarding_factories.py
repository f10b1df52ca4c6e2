"""Offboarding's factories, and its rows of the access matrix (tests/test_access_matrix.py)."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import Account
from offboarding.models import Offboarding, OffboardingStep, Side, StepKind, StepTemplate
from surveys.models import Delivery
from surveys.services import ask_exit
from tests.conftest import World

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
POST_ONLY = [405] * 8

OFFBOARDING_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "offboarding_checklist": (ADMIN_READ, ADMIN_WRITE),
    "offboarding_checklist_move": (POST_ONLY, ADMIN_WRITE),
    "offboarding_checklist_remove": (POST_ONLY, ADMIN_WRITE),
    # The page: champions and executives (their side's steps) and the account's vendor staff.
    "offboarding": ([L, 200, 200, 403, 404, 200, 404, 200], None),
    "offboarding_start": (POST_ONLY, VENDOR_WRITE),
    "offboarding_exit_survey": (POST_ONLY, VENDOR_WRITE),
    # The matrix's offboarding has a step left: completing it is refused (422) even to the
    # vendor, and forbidden to everyone else.
    "offboarding_complete": (POST_ONLY, [L, 403, 403, 403, 404, 422, 404, 422]),
    "offboarding_step_tick": (POST_ONLY, [L, 302, 403, 403, 404, 302, 404, 302]),
    # A vendor's step: the customer's people may not tick it (nor see it: 404).
    "offboarding_step_tick#vendor_step": (POST_ONLY, [L, 404, 403, 403, 404, 302, 404, 302]),
    # The exit survey's answer page: the champion's own delivery (colleagues 404, the vendor's
    # staff answer no surveys: 403).
    "survey_exit_answer": (
        [L, 200, 404, 404, 404, 403, 404, 403],
        [L, 302, 404, 404, 404, 403, 404, 403],
    ),
}
OFFBOARDING_PANEL_EXPECTED = {
    "offboarding": [L, 403, 403, 403, 404, 200, 404, 200],
    "offboarding-customer": [L, 200, 200, 403, 404, 200, 404, 200],
}


class StepTemplateFactory(factory.django.DjangoModelFactory[StepTemplate]):
    class Meta:
        model = StepTemplate

    title = factory.Sequence(lambda n: f"Offboarding step {n}")
    side = Side.VENDOR
    position = factory.Sequence(lambda n: 100 + n)


class OffboardingFactory(factory.django.DjangoModelFactory[Offboarding]):
    class Meta:
        model = Offboarding

    account = factory.SubFactory("tests.factories.AccountFactory")


class OffboardingStepFactory(factory.django.DjangoModelFactory[OffboardingStep]):
    class Meta:
        model = OffboardingStep

    offboarding = factory.SubFactory(OffboardingFactory)
    title = factory.Sequence(lambda n: f"Step {n}")
    side = Side.CUSTOMER
    kind = StepKind.TASK
    position = factory.Sequence(lambda n: n)


def make_offboarding(account: Account) -> dict[str, Any]:
    offboarding = OffboardingFactory.create(account=account)
    return {
        "offboarding": offboarding,
        "customer_step": OffboardingStepFactory.create(offboarding=offboarding, side=Side.CUSTOMER),
        "vendor_step": OffboardingStepFactory.create(offboarding=offboarding, side=Side.VENDOR),
        "exit_step": OffboardingStepFactory.create(
            offboarding=offboarding, side=Side.CUSTOMER, kind=StepKind.EXIT_SURVEY
        ),
    }


def exit_delivery(account: Account, user: Any) -> Delivery:
    """``user`` asked the exit survey on ``account``, as an offboarding asks it."""
    ask_exit(account, choices=["Price", "Product gaps"], roles=["champion"], acting_user=None)
    return Delivery.objects.get(account=account, user=user, campaign__survey__kind="exit")


def make_offboarding_world(world: World) -> dict[str, Any]:
    return {
        **make_offboarding(world.account),
        "template_step": StepTemplateFactory.create(),
        "exit_delivery": exit_delivery(world.account, world.champion),
    }


def offboarding_url_args(
    ctx: dict[str, Any], slug: str
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    return {
        "offboarding_checklist": ([], {"title": "Licences returned", "side": "customer"}),
        "offboarding_checklist_move": ([ctx["template_step"].pk], {"direction": "up"}),
        "offboarding_checklist_remove": ([ctx["template_step"].pk], {}),
        "offboarding_step_tick": ([slug, ctx["customer_step"].pk], {"done": "on"}),
        "offboarding_step_tick#vendor_step": ([slug, ctx["vendor_step"].pk], {"done": "on"}),
        "survey_exit_answer": ([slug, ctx["exit_delivery"].pk], {"reason": "Price", "comment": "Too dear"}),
    }  # fmt: skip


def _new_champion(ctx: dict[str, Any]) -> object:
    from tests.factories import MembershipFactory

    return MembershipFactory.create(account=ctx["world"].account, role="champion")


# Set-up before a POST of the matrix: starting needs no offboarding yet; asking the exit
# survey again needs a champion not asked yet.
OFFBOARDING_SETUP: dict[str, Any] = {
    "offboarding_start": lambda ctx: ctx["offboarding"]["offboarding"].delete(),
    "offboarding_exit_survey": lambda ctx: _new_champion(ctx),
}
