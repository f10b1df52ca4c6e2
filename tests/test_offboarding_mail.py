"""An offboarded account's people receive no more e-mail, whatever the kind: one gate
(accounts.services.mail_is_off, asked by delivery_for and by send_notification_mail) that
every notification e-mail passes, with the real mail backend the tests use. Logging in
(password reset) still works, and people of a live account still get their mail."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.inbox import send_inbox_digests
from accounts.models import Account, Delivery, Invitation, NotificationSetting, User
from accounts.services import Mail, delivery_for, mail_is_off, tell
from accounts.tasks import send_invitation
from onboarding.models import Side
from onboarding.services import send_reminders
from reports.services import email_review_ready
from surveys.services import run_campaign, send_wave_emails
from tests.conftest import World, client_for
from tests.factories import MembershipFactory
from tests.onboarding_helpers import DAY, NOW
from tests.survey_helpers import make_campaign, make_survey
from tests.test_onboarding_reminders import add_task, checklist_for, overdue
from tests.test_playbooks_steps_customer import run_step
from tests.test_playbooks_steps_customer import welcome as welcome  # the fixture
from tests.updates_helpers import UpdateFactory
from updates.services import publish_update, tell_readers


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def offboard(account: Account) -> None:
    # The gate reads offboarded_at alone (the account's stage is left as it is, so the
    # campaigns and updates that skip churned accounts still reach it: only the gate stops it).
    Account.objects.filter(pk=account.pk).update(offboarded_at=timezone.now())


def mailed(user: User) -> list[Any]:
    return [m for m in mail.outbox if user.email in m.to]


def test_the_gate_is_off_for_a_person_all_of_whose_accounts_are_offboarded(world: World) -> None:
    offboard(world.account)
    assert mail_is_off(world.champion)
    assert delivery_for(world.champion, "account") == Delivery.OFF
    assert not mail_is_off(world.other_champion)  # another account's people
    assert not mail_is_off(world.csm)  # the vendor's staff
    # A person also in a live account still hears (of both).
    MembershipFactory.create(account=world.other_account, user=world.executive, role="member")
    assert not mail_is_off(world.executive)


def test_a_survey_wave_emails_nobody_on_an_offboarded_account(world: World) -> None:
    offboard(world.account)
    campaign = make_campaign(make_survey(world.csm), world.admin, roles=["champion"])
    run_campaign(campaign.pk)
    assert send_wave_emails(campaign.pk, 1) == 1
    assert mailed(world.champion) == [] and len(mailed(world.other_champion)) == 1
    assert world.champion.inbox.count() == 1  # still in the portal, for the history


def test_the_onboarding_reminders_email_nobody_on_an_offboarded_account(world: World) -> None:
    checklist = checklist_for(world.account, started_by=world.csm)
    add_task(checklist, "Invite the team", assignee=world.champion, due=overdue(2))
    add_task(checklist, "Kick-off deck", assignee=world.csm, due=overdue(2), side=Side.VENDOR)
    theirs = checklist_for(world.other_account, started_by=world.other_csm)
    add_task(theirs, "Connect SSO", assignee=world.other_champion, due=overdue(2))
    offboard(world.account)
    send_reminders(DAY)
    assert mailed(world.champion) == [] and len(mailed(world.other_champion)) == 1
    assert mailed(world.csm) == []  # nor its CSM: no reminder of an offboarded account's tasks


def test_the_inbox_digest_emails_nobody_on_an_offboarded_account(world: World) -> None:
    for user in (world.champion, world.other_champion):
        NotificationSetting.objects.create(user=user, kind="plans", delivery=Delivery.DIGEST)
        tell(user, kind="plans", title="Plan news", url="/")
    offboard(world.account)
    send_inbox_digests(timezone.localdate())
    assert mailed(world.champion) == [] and len(mailed(world.other_champion)) == 1


def test_an_event_told_at_once_emails_nobody_on_an_offboarded_account(world: World) -> None:
    offboard(world.account)
    assert not tell(world.champion, kind="tasks", title="x", mail=Mail("task_assigned"))
    assert mailed(world.champion) == []
    item = world.champion.inbox.get()
    assert item.emailed_at is None


def test_a_playbook_email_reaches_nobody_on_an_offboarded_account(
    world: World, welcome: Any
) -> None:
    from playbooks.models import StepKind

    offboard(world.account)
    run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "everyone"})
    assert mail.outbox == []


def test_a_product_update_emails_nobody_on_an_offboarded_account(world: World) -> None:
    update = publish_update(
        UpdateFactory.create(created_by=world.csm, title="New reports"), acting_user=world.csm
    )
    mail.outbox.clear()
    offboard(world.account)
    tell_readers(update.pk)
    assert mailed(world.champion) == [] and mailed(world.executive) == []
    assert len(mailed(world.other_champion)) == 1


def test_a_review_ready_emails_nobody_on_an_offboarded_account(world: World) -> None:
    from reports.models import Review

    review = Review.objects.create(
        account=world.account,
        title="Q3 2026 business review",
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
        created_by=world.csm,
        published_at=timezone.now(),
    )
    offboard(world.account)
    assert not email_review_ready(review.pk, world.executive.pk, timezone.now().isoformat())
    assert mail.outbox == []


def test_an_invitation_to_an_offboarded_account_is_not_sent(world: World) -> None:
    invitation = Invitation.objects.create(
        account=world.account,
        email="late@customer.example",
        role="member",
        invited_by=world.csm,
        expires_at=timezone.now() + timedelta(days=7),
    )
    offboard(world.account)
    send_invitation(invitation.pk)
    assert mail.outbox == []


def test_logging_in_still_works_a_password_reset_is_sent(world: World) -> None:
    offboard(world.account)
    response = client_for(None).post(
        reverse("account_reset_password"), {"email": world.champion.email}
    )
    assert response.status_code == 302
    assert len(mailed(world.champion)) == 1
