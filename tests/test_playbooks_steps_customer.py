"""The steps that reach the customer: an e-mail, an onboarding checklist, a survey and a
success plan action item. Each is run as the engine runs it (a StepContext built from a run
and its event) and its real effect is asserted; a skipped step changes nothing.

E-mail: the tests use Django's locmem backend (``mail.outbox``), as every mail test in this
suite does; no SMTP test server is in the lock. A real connection failure (a closed port) is
used to prove a refused send is a retryable failure.
"""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Activity, CustomerRole, NotificationKind
from accounts.services import account_mail_off_url, delivery_for, set_notification_preferences
from onboarding.models import Checklist
from playbooks.models import EmailTemplate, EventKind, RunStep, StepKind
from playbooks.services.emails import (
    MERGE_FIELDS,
    SAMPLE,
    ensure_built_in_email_templates,
    preview,
    template_errors,
)
from playbooks.services.runs import merge_fields, run_playbook
from playbooks.steps import Outcome, StepContext, StepFailed, load
from successplans.models import ActionItem
from surveys.models import Campaign, Delivery, SurveyOptOut
from surveys.services import pause_surveys
from tests.conftest import World, client_for
from tests.factories import (
    EmailTemplateFactory,
    EventFactory,
    MembershipFactory,
    PlaybookFactory,
    PlaybookRunFactory,
    PlaybookStepFactory,
)
from tests.onboarding_helpers import make_template
from tests.plan_helpers import make_plan
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://portal.example.com"


def context_for(world: World, kind: str, params: dict[str, Any], **data: Any) -> StepContext:
    event = EventFactory.create(account=world.account, kind=EventKind.NPS_PROMOTER, data=data)
    run = PlaybookRunFactory.create(event=event, account=world.account)
    return StepContext(
        run=run,
        account=world.account,
        event=event,
        position=0,
        params=params,
        merge=merge_fields(event, world.account, run),
    )


def run_step(world: World, kind: str, params: dict[str, Any], **data: Any) -> Outcome:
    context = context_for(world, kind, params, **data)
    return load()[kind].run(context)


def spec(kind: str) -> Any:
    return load()[kind]


# Send an e-mail -------------------------------------------------------------------------------


@pytest.fixture
def welcome(db: None) -> EmailTemplate:
    return EmailTemplateFactory.create(
        key="welcome",
        name="Welcome",
        subject="Welcome to {account}, {first_name}",
        body="Hello {first_name},\n\nI am **{csm_name}**. [Open the portal]({portal_link}).\n\n"
        "You said {score}: {comment}",
    )


def test_send_email_writes_to_the_champion_with_their_merge_fields(
    world: World, welcome: EmailTemplate
) -> None:
    world.champion.name = "Dana Lee"
    world.champion.save()
    outcome = run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "champion"})

    assert outcome == Outcome.done("sent “Welcome” to 1 person")
    [message] = mail.outbox
    assert message.to == [world.champion.email]
    assert message.subject == "Welcome to Acme, Dana"
    assert "Hello Dana," in message.body
    assert "https://portal.example.com/a/acme/" in message.body
    assert "https://portal.example.com/settings/notifications/" in message.body
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert "<strong>Casey CSM</strong>" in str(html)
    assert 'href="https://portal.example.com/a/acme/"' in str(html)


def test_send_email_to_everyone_sends_one_each_and_skips_who_turned_account_mail_off(
    world: World, welcome: EmailTemplate
) -> None:
    set_notification_preferences(world.member, {NotificationKind.ACCOUNT: "off"})
    outcome = run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "everyone"})

    assert outcome == Outcome.done("sent “Welcome” to 2 people (1 unsubscribed)")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.champion.email, world.executive.email]
    )
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_send_email_never_writes_to_deactivated_people_or_other_accounts(
    world: World, welcome: EmailTemplate
) -> None:
    gone = MembershipFactory.create(account=world.account, role=CustomerRole.CHAMPION).user
    gone.is_active = False
    gone.save()
    run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "champion"})

    assert [m.to for m in mail.outbox] == [[world.champion.email]]


def test_send_email_to_the_person_who_answered_fills_in_their_score_and_comment(
    world: World, welcome: EmailTemplate
) -> None:
    outcome = run_step(
        world,
        StepKind.SEND_EMAIL,
        {"template": "welcome", "to": "person"},
        user_id=world.executive.pk,
        score=9,
    )

    assert outcome.status == "done"
    [message] = mail.outbox
    assert message.to == [world.executive.email]
    assert "You said 9:" in message.body


def test_send_email_to_someone_outside_the_account_sends_nothing(
    world: World, welcome: EmailTemplate
) -> None:
    context = context_for(
        world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "person"},
        user_id=world.other_champion.pk,
    )  # fmt: skip
    with unchanged():
        outcome = spec(StepKind.SEND_EMAIL).run(context)
    assert outcome.status == "skipped"
    assert mail.outbox == []


def test_send_email_when_everyone_unsubscribed_is_skipped(
    world: World, welcome: EmailTemplate
) -> None:
    set_notification_preferences(world.champion, {NotificationKind.ACCOUNT: "off"})
    outcome = run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "champion"})
    assert outcome == Outcome.skipped("sent “Welcome” to 0 people (1 unsubscribed)")
    assert mail.outbox == []


def test_send_email_with_a_deleted_template_is_skipped(world: World) -> None:
    context = context_for(world, StepKind.SEND_EMAIL, {"template": "gone", "to": "champion"})
    with unchanged():
        outcome = spec(StepKind.SEND_EMAIL).run(context)
    assert outcome.status == "skipped" and "gone" in outcome.detail
    assert mail.outbox == []


def test_a_mail_server_that_refuses_is_a_failure_worth_retrying(
    world: World, welcome: EmailTemplate, settings: Any
) -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with pytest.raises(StepFailed, match="mail server"):
        run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "champion"})


def test_send_email_describes_whom_it_will_write_to(world: World, welcome: EmailTemplate) -> None:
    world.champion.name = "Dana Lee"
    world.champion.email = "dana@acme.example"
    world.champion.save()
    said = spec(StepKind.SEND_EMAIL).describe(
        {"template": "welcome", "to": "champion"}, world.account
    )
    assert said == "e-mail “Welcome” to the champion (Dana Lee <dana@…>)"
    assert mail.outbox == []


def test_send_email_validation_names_a_missing_template(world: World) -> None:
    assert spec(StepKind.SEND_EMAIL).validate({"template": "nope"}) == [
        "The e-mail “nope” does not exist."
    ]


def test_send_email_choices_are_the_templates_in_the_database(
    world: World, welcome: EmailTemplate
) -> None:
    template_field = spec(StepKind.SEND_EMAIL).fields[0]
    assert ("welcome", "Welcome") in list(template_field.choices())


def test_a_playbook_with_an_email_step_records_what_it_sent(
    world: World, welcome: EmailTemplate
) -> None:
    playbook = PlaybookFactory.create()
    PlaybookStepFactory.create(
        playbook=playbook,
        kind=StepKind.SEND_EMAIL,
        params={"template": "welcome", "to": "champion"},
    )
    event = EventFactory.create(account=world.account)
    run = run_playbook(playbook, world.account, event, why="")
    assert run is not None
    step = RunStep.objects.get(run=run)
    assert (step.status, step.detail) == ("done", "sent “Welcome” to 1 person")
    assert [m.to for m in mail.outbox] == [[world.champion.email]]


# Start onboarding -----------------------------------------------------------------------------


def test_start_onboarding_copies_the_template_in_the_owner_csms_name(world: World) -> None:
    template = make_template(world.csm)
    outcome = run_step(world, StepKind.START_ONBOARDING, {"template": str(template.pk)})

    checklist = Checklist.objects.get(account=world.account)
    assert (checklist.template, checklist.started_by, checklist.kickoff_date) == (
        template,
        world.csm,
        TODAY,
    )
    assert checklist.tasks.count() == 6
    assert outcome == Outcome.done("started onboarding “Standard onboarding” (6 tasks)")
    assert Activity.objects.filter(verb="started onboarding", account=world.account).exists()


def test_start_onboarding_is_skipped_when_the_account_has_a_checklist(world: World) -> None:
    template = make_template(world.csm)
    run_step(world, StepKind.START_ONBOARDING, {"template": str(template.pk)})
    context = context_for(world, StepKind.START_ONBOARDING, {"template": str(template.pk)})
    with unchanged():
        outcome = spec(StepKind.START_ONBOARDING).run(context)
    assert outcome == Outcome.skipped("onboarding “Standard onboarding” is under way already")


def test_start_onboarding_refuses_an_archived_template(world: World) -> None:
    template = make_template(world.csm)
    template.archived_at = NOW
    template.save()
    params = {"template": str(template.pk)}
    context = context_for(world, StepKind.START_ONBOARDING, params)
    with unchanged():
        outcome = spec(StepKind.START_ONBOARDING).run(context)
    assert outcome.status == "skipped"
    assert spec(StepKind.START_ONBOARDING).validate(params) == [
        "The checklist template “Standard onboarding” is archived."
    ]
    assert spec(StepKind.START_ONBOARDING).validate({"template": "999999"}) == [
        "The checklist template does not exist."
    ]
    assert (str(template.pk), template.name) not in spec(StepKind.START_ONBOARDING).fields[
        0
    ].choices()


def test_start_onboarding_without_an_owner_is_skipped(world: World) -> None:
    template = make_template(world.csm)
    world.account.owner = None
    world.account.save()
    context = context_for(world, StepKind.START_ONBOARDING, {"template": str(template.pk)})
    with unchanged():
        outcome = spec(StepKind.START_ONBOARDING).run(context)
    assert outcome.status == "skipped"


def test_start_onboarding_says_it_can_raise_onboarding_started(world: World) -> None:
    assert EventKind.ONBOARDING_STARTED in spec(StepKind.START_ONBOARDING).raises
    template = make_template(world.csm)
    said = spec(StepKind.START_ONBOARDING).describe({"template": str(template.pk)}, world.account)
    assert said == "start onboarding “Standard onboarding”, kicking off today, for Casey CSM"


# Send a survey --------------------------------------------------------------------------------


def test_send_survey_asks_everyone_through_a_campaign_and_e_mails_them(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run_step(
            world, StepKind.SEND_SURVEY, {"survey": str(survey.pk), "to": "everyone"}
        )

    assert outcome == Outcome.done(f"asked 3 people “{survey.name}”")
    campaign = Campaign.objects.get(survey=survey)
    assert (campaign.portfolio_owner, campaign.waves) == (world.csm, 1)
    assert set(Delivery.objects.filter(campaign=campaign).values_list("user", flat=True)) == {
        world.champion.pk,
        world.executive.pk,
        world.member.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (world.champion, world.executive, world.member)
    )


def test_send_survey_holds_back_who_the_fatigue_limits_protect(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm)
    other = make_campaign(make_survey(world.csm, name="Onboarding CSAT"), world.csm)
    deliver(other, world.champion, account=world.account, at=NOW - timedelta(days=3))
    SurveyOptOut.objects.create(user=world.member)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run_step(
            world, StepKind.SEND_SURVEY, {"survey": str(survey.pk), "to": "everyone"}
        )

    assert outcome == Outcome.done(f"asked 1 person “{survey.name}” (2 held back by survey limits)")
    assert list(
        Delivery.objects.filter(campaign__survey=survey).values_list("user", flat=True)
    ) == [world.executive.pk]


def test_send_survey_twice_asks_nobody_the_second_time(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    survey = make_survey(world.csm)
    params = {"survey": str(survey.pk), "to": "champion"}
    with django_capture_on_commit_callbacks(execute=True):
        run_step(world, StepKind.SEND_SURVEY, params)
        outcome = run_step(world, StepKind.SEND_SURVEY, params)
    assert outcome == Outcome.skipped(
        f"asked 0 people “{survey.name}” (1 held back by survey limits)"
    )
    assert Delivery.objects.filter(campaign__survey=survey).count() == 1
    assert len(mail.outbox) == 1


def test_send_survey_on_a_paused_account_asks_nobody(world: World) -> None:
    survey = make_survey(world.csm)
    pause_surveys(world.account, reason="Escalation", until=None, acting_user=world.csm)
    context = context_for(world, StepKind.SEND_SURVEY, {"survey": str(survey.pk), "to": "everyone"})
    with unchanged():
        outcome = spec(StepKind.SEND_SURVEY).run(context)
    assert outcome == Outcome.skipped("surveys are paused on this account: 3 people held back")


def test_send_survey_validation_and_choices_leave_out_archived_surveys(world: World) -> None:
    survey = make_survey(world.csm, archived_at=NOW)
    send_survey = spec(StepKind.SEND_SURVEY)
    assert send_survey.validate({"survey": str(survey.pk)}) == [
        f"The survey “{survey.name}” is archived."
    ]
    assert send_survey.validate({"survey": "0"}) == ["The survey does not exist."]
    assert (str(survey.pk), survey.name) not in list(send_survey.fields[0].choices())
    context = context_for(world, StepKind.SEND_SURVEY, {"survey": str(survey.pk), "to": "everyone"})
    with unchanged():
        assert send_survey.run(context).status == "skipped"


# Add a plan item ------------------------------------------------------------------------------


def test_add_plan_item_adds_an_action_to_the_running_plan(world: World) -> None:
    plan = make_plan(world)
    outcome = run_step(
        world,
        StepKind.ADD_PLAN_ITEM,
        {"title": "Review NPS {score} with the team", "due_in_days": 10, "side": "vendor"},
        score=4,
    )

    item = ActionItem.objects.get(plan=plan, title="Review NPS 4 with the team")
    assert (item.side, item.assignee, item.due_date) == (
        "vendor",
        world.csm,
        TODAY + timedelta(days=10),
    )
    assert outcome == Outcome.done(
        "action item “Review NPS 4 with the team” on the plan “FY27 success plan”, for Casey CSM"
    )
    assert Activity.objects.filter(verb="added an action item", account=world.account).exists()


def test_add_plan_item_for_the_customer_goes_to_the_champion(world: World) -> None:
    plan = make_plan(world)
    run_step(world, StepKind.ADD_PLAN_ITEM, {"title": "Invite your team", "side": "customer"})
    assert ActionItem.objects.get(plan=plan, title="Invite your team").assignee == world.champion


def test_add_plan_item_without_a_running_plan_is_skipped(world: World) -> None:
    make_plan(world, started_days_ago=300, length_days=100)  # ended
    context = context_for(world, StepKind.ADD_PLAN_ITEM, {"title": "Invite your team"})
    with unchanged():
        outcome = spec(StepKind.ADD_PLAN_ITEM).run(context)
    assert outcome == Outcome.skipped("the account has no success plan running today")


def test_add_plan_item_describes_the_plan(world: World) -> None:
    make_plan(world)
    said = spec(StepKind.ADD_PLAN_ITEM).describe(
        {"title": "Invite your team", "due_in_days": 3, "side": "customer"}, world.account
    )
    assert (
        said
        == "a customer action item “Invite your team”, due in 3 days, on the plan “FY27 success plan”"
    )


def test_every_customer_step_is_registered() -> None:
    kinds = load()
    for kind in (
        StepKind.SEND_EMAIL,
        StepKind.START_ONBOARDING,
        StepKind.SEND_SURVEY,
        StepKind.ADD_PLAN_ITEM,
    ):
        assert kinds[kind].kind == kind


# E-mail templates (the CS admin's) ----------------------------------------------------------


def test_the_email_list_shows_each_template_and_the_merge_fields(
    world: World, welcome: EmailTemplate
) -> None:
    response = client_for(world.admin).get(reverse("email_templates"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome" in html and reverse("email_template_edit", args=[welcome.pk]) in html
    for name in MERGE_FIELDS:
        assert "{" + name + "}" in html


def test_a_cs_admin_creates_an_email_and_it_is_recorded(world: World) -> None:
    response = client_for(world.admin).post(
        reverse("email_template_create"),
        {"name": "Renewal is near", "subject": "{account} renews soon", "body": "Hi {first_name}"},
    )
    template = EmailTemplate.objects.get(name="Renewal is near")
    assert response.status_code == 302
    assert response["Location"] == reverse("email_template_edit", args=[template.pk])
    assert (template.key, template.subject) == ("renewal-is-near", "{account} renews soon")
    activity = Activity.objects.get(verb="created an e-mail template")
    assert (activity.actor, activity.internal) == (world.admin, True)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "Oops", "subject": "Hi {frist_name}", "body": "Hello"}, "Unknown merge field “{frist_name}”"),
        ({"name": "Oops", "subject": "Hi", "body": "Hello {account.name}"}, "Unknown merge field “{account.name}”"),
        ({"name": "Oops", "subject": "Hi", "body": "Hello {first_name"}, "A brace is not closed"),
        ({"name": "Oops", "subject": "", "body": "Hello"}, "This field is required."),
        ({"name": "Oops", "subject": "Hi", "body": "  "}, "This field is required."),
    ],
)  # fmt: skip
def test_a_bad_email_is_refused_with_a_422_and_nothing_saved(
    world: World, data: dict[str, str], message: str
) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(reverse("email_template_create"), data)
    assert response.status_code == 422
    assert message in response.content.decode()


def test_editing_an_email_records_what_changed(world: World, welcome: EmailTemplate) -> None:
    response = client_for(world.admin).post(
        reverse("email_template_edit", args=[welcome.pk]),
        {"name": "Welcome", "subject": "Hello from {csm_name}", "body": welcome.body},
    )
    assert response.status_code == 302
    welcome.refresh_from_db()
    assert (welcome.key, welcome.subject) == ("welcome", "Hello from {csm_name}")
    activity = Activity.objects.get(verb="edited an e-mail template")
    assert activity.before == {"subject": "Welcome to {account}, {first_name}"}
    assert activity.after == {"subject": "Hello from {csm_name}"}


def test_a_bad_edit_changes_nothing(world: World, welcome: EmailTemplate) -> None:
    client = client_for(world.admin)
    with unchanged():
        response = client.post(
            reverse("email_template_edit", args=[welcome.pk]),
            {"name": "Welcome", "subject": "Hi {nickname}", "body": welcome.body},
        )
    assert response.status_code == 422
    assert "Unknown merge field “{nickname}”" in response.content.decode()


def test_the_preview_fills_in_sample_data(world: World, welcome: EmailTemplate) -> None:
    response = client_for(world.admin).get(reverse("email_template_preview", args=[welcome.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Welcome to {SAMPLE['account']}, {SAMPLE['first_name']}" in html
    assert f"<strong>{SAMPLE['csm_name']}</strong>" in html
    assert mail.outbox == []


def test_the_built_in_e_mails_are_seeded_once_and_every_field_in_them_is_known(db: None) -> None:
    from playbooks.builtins import EMAILS

    EmailTemplate.objects.all().delete()  # the migrations made them: make them again here
    assert ensure_built_in_email_templates() == 3 + len(EMAILS)
    assert ensure_built_in_email_templates() == 0
    series = EmailTemplate.objects.all()
    assert {"welcome-1", "welcome-2", "welcome-3"} <= {t.key for t in series}
    for template in series:
        assert template_errors(template) == {}
        rendered = preview(template)
        assert "{" not in rendered.subject + rendered.text
        assert SAMPLE["portal_link"] in rendered.text


# The one-click "stop these e-mails" link --------------------------------------------------------


def test_the_emails_link_turns_account_mail_off_in_one_click(
    world: World, welcome: EmailTemplate
) -> None:
    run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "member"})
    [link] = [w for w in mail.outbox[0].body.split() if "/settings/notifications/off/" in w]
    path = link.removeprefix("https://portal.example.com")
    anonymous = Client()
    with unchanged():
        page = anonymous.get(path)  # a mail scanner's fetch changes nothing
    assert page.status_code == 200 and "Stop account e-mails?" in page.content.decode()

    response = anonymous.post(path)
    assert response.status_code == 302
    assert delivery_for(world.member, NotificationKind.ACCOUNT) == "off"
    assert Activity.objects.filter(verb="turned account e-mails off", actor=world.member).exists()
    assert "Account e-mails are off" in anonymous.get(path).content.decode()
    mail.outbox.clear()
    outcome = run_step(world, StepKind.SEND_EMAIL, {"template": "welcome", "to": "member"})
    assert outcome.detail == "sent “Welcome” to 0 people (1 unsubscribed)"
    assert mail.outbox == []


def test_a_changed_link_or_a_staff_members_link_is_not_found(world: World) -> None:
    staff_path = account_mail_off_url(world.csm).removeprefix("https://portal.example.com")
    member_path = account_mail_off_url(world.member).removeprefix("https://portal.example.com")
    anonymous = Client()
    with unchanged():
        assert anonymous.post(staff_path).status_code == 404
        assert anonymous.post(member_path.replace("/off/", "/off/x")).status_code == 404
