"""The daily onboarding reminders: who hears of what, once a day, in one e-mail."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    CustomerRole,
    Delivery,
    NotificationKind,
    NotificationSetting,
    User,
)
from accounts.services import delivery_for
from onboarding import services
from onboarding.models import (
    AssigneeRole,
    Checklist,
    ChecklistPhase,
    ChecklistTemplate,
    ReminderSent,
    Side,
    Task,
    TemplatePhase,
    TemplateTask,
)
from onboarding.services import (
    DUE_SOON,
    OVERDUE,
    WAITING,
    RemindersNotSent,
    collect_reminders,
    send_reminders,
    start_onboarding,
)
from onboarding.tasks import send_onboarding_reminders
from portal.celery import app
from tests.conftest import World
from tests.factories import AccountFactory, MembershipFactory
from tests.onboarding_helpers import DAY, NOW
from tests.queries import counting


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    """The reminders run on DAY, at midday, with the clock stopped."""
    time_machine.move_to(NOW, tick=False)


def checklist_for(account: Account, *, started_by: User, **ladder: int) -> Checklist:
    checklist = Checklist.objects.create(
        account=account, kickoff_date=DAY - timedelta(days=20), started_by=started_by, **ladder
    )
    # Started today as far as the reminders know: not stalled until someone says otherwise.
    Checklist.objects.filter(pk=checklist.pk).update(started_at=midday(DAY))
    checklist.refresh_from_db()
    ChecklistPhase.objects.create(checklist=checklist, name="Set-up")
    return checklist


def add_task(
    checklist: Checklist,
    title: str,
    *,
    assignee: User | None,
    due: date,
    side: str = Side.CUSTOMER,
    internal: bool = False,
    done: bool = False,
) -> Task:
    return Task.objects.create(
        checklist=checklist,
        phase=checklist.phases.all()[0],
        title=title,
        assignee=assignee,
        due_date=due,
        owner_side=side,
        internal=internal,
        completed_at=NOW if done else None,
    )


def midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))


def overdue(days: int) -> date:
    return DAY - timedelta(days=days)


def customer_acted(account: Account, user: User, on: date) -> None:
    Activity.objects.create(
        account=account,
        actor=user,
        verb="completed a task",
        created_at=midday(on),
    )


def turn_off(user: User, kind: str) -> None:
    NotificationSetting.objects.create(user=user, kind=kind, delivery=Delivery.OFF)


def mail_to(user: User) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


def reasons(digests: dict[int, services.Digest], user: User) -> dict[str, str]:
    """Task title -> why ``user`` hears of it."""
    digest = digests.get(user.pk)
    if digest is None:
        return {}
    return {r.task.title: r.reason for s in digest.sections for r in [*s.mine, *s.waiting]}


@pytest.fixture
def checklist(world: World) -> Checklist:
    return checklist_for(world.account, started_by=world.csm)


class TestAssigneeDigest:
    def test_it_lists_the_assignees_overdue_and_due_soon_tasks_once(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Invite the team", assignee=world.champion, due=overdue(1))
        add_task(checklist, "Connect SSO", assignee=world.champion, due=DAY + timedelta(days=3))
        add_task(checklist, "Due today", assignee=world.champion, due=DAY)
        add_task(checklist, "Later", assignee=world.champion, due=DAY + timedelta(days=4))
        add_task(checklist, "Already done", assignee=world.champion, due=overdue(5), done=True)

        assert send_reminders(DAY) == 1

        [message] = mail.outbox
        assert message.to == [world.champion.email]
        assert message.subject == "Onboarding: 1 overdue task, 2 tasks due soon"
        assert "Invite the team (Acme): overdue by 1 day" in message.body
        assert "Connect SSO (Acme): due in 3 days" in message.body
        assert "Due today (Acme): due today" in message.body
        assert "Later" not in message.body
        assert "Already done" not in message.body
        assert "Hello " + world.champion.display_name in message.body

    def test_the_due_soon_window_is_a_setting(
        self, world: World, checklist: Checklist, settings: Any
    ) -> None:
        settings.ONBOARDING_DUE_SOON_DAYS = 5
        add_task(checklist, "Later", assignee=world.member, due=DAY + timedelta(days=5))
        assert reasons(collect_reminders(DAY), world.member) == {"Later": DUE_SOON}

    def test_it_waits_for_remind_assignee_after_before_calling_a_task_overdue(
        self, world: World, checklist: Checklist
    ) -> None:
        Checklist.objects.filter(pk=checklist.pk).update(remind_assignee_after=2)
        add_task(checklist, "One day late", assignee=world.member, due=overdue(1))
        add_task(checklist, "Two days late", assignee=world.member, due=overdue(2))
        assert reasons(collect_reminders(DAY), world.member) == {"Two days late": OVERDUE}

    def test_a_completed_checklist_reminds_nobody(self, world: World, checklist: Checklist) -> None:
        add_task(checklist, "Optional leftover", assignee=world.member, due=overdue(30))
        Checklist.objects.filter(pk=checklist.pk).update(completed_at=NOW)
        assert collect_reminders(DAY) == {}

    def test_vendor_staff_hear_of_their_vendor_side_and_internal_tasks(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(
            checklist, "Provision the tenant", assignee=world.csm, due=overdue(2), side=Side.VENDOR
        )
        add_task(
            checklist,
            "Check the contract",
            assignee=world.csm,
            due=DAY,
            side=Side.VENDOR,
            internal=True,
        )
        assert reasons(collect_reminders(DAY), world.csm) == {
            "Provision the tenant": OVERDUE,
            "Check the contract": DUE_SOON,
        }

    def test_a_customer_never_hears_of_an_internal_task(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Internal note", assignee=world.champion, due=overdue(1), internal=True)
        add_task(checklist, "Internal, late", assignee=world.member, due=overdue(30), internal=True)
        add_task(checklist, "Shared", assignee=world.member, due=overdue(1))

        send_reminders(DAY)

        assert mail_to(world.champion) == []
        [message] = mail_to(world.member)
        assert "Internal" not in message.body
        assert "Internal" not in message.alternatives[0][0]

    def test_a_customer_no_longer_on_the_account_hears_nothing_of_it(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Left behind", assignee=world.other_champion, due=overdue(1))
        assert world.other_champion.pk not in collect_reminders(DAY)

    def test_a_csm_hears_nothing_of_an_account_no_longer_in_their_portfolio(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Old CSM's task", assignee=world.other_csm, due=DAY, side=Side.VENDOR)
        assert world.other_csm.pk not in collect_reminders(DAY)


class TestLadder:
    @pytest.fixture
    def ladder(self, checklist: Checklist) -> Checklist:
        Checklist.objects.filter(pk=checklist.pk).update(
            remind_assignee_after=2, remind_champion_after=5, remind_csm_after=9
        )
        checklist.refresh_from_db()
        return checklist

    @pytest.mark.parametrize(
        ("days", "member", "champion", "csm"),
        [
            (1, None, None, None),
            (2, OVERDUE, None, None),
            (4, OVERDUE, None, None),
            (5, OVERDUE, WAITING, None),
            (8, OVERDUE, WAITING, None),
            (9, OVERDUE, WAITING, WAITING),
            (30, OVERDUE, WAITING, WAITING),
        ],
    )
    def test_an_overdue_customer_task_climbs_at_its_thresholds(
        self,
        world: World,
        ladder: Checklist,
        days: int,
        member: str | None,
        champion: str | None,
        csm: str | None,
    ) -> None:
        add_task(ladder, "Upload the logo", assignee=world.member, due=overdue(days))
        digests = collect_reminders(DAY)
        for user, expected in [
            (world.member, member),
            (world.champion, champion),
            (world.csm, csm),
        ]:
            assert reasons(digests, user).get("Upload the logo") == expected, user
        assert world.executive.pk not in digests

    def test_the_champion_is_told_who_it_waits_on(self, world: World, ladder: Checklist) -> None:
        add_task(ladder, "Upload the logo", assignee=world.member, due=overdue(5))
        send_reminders(DAY)
        [message] = mail_to(world.champion)
        assert (
            f"Upload the logo (Acme): waiting on {world.member.display_name}, overdue by 5 days"
            in message.body
        )
        assert message.subject == "Onboarding: 1 task waiting on others"

    def test_an_unassigned_overdue_task_climbs_too(self, world: World, ladder: Checklist) -> None:
        add_task(ladder, "Nobody's", assignee=None, due=overdue(9))
        digests = collect_reminders(DAY)
        assert reasons(digests, world.champion) == {"Nobody's": WAITING}
        assert reasons(digests, world.csm) == {"Nobody's": WAITING}
        send_reminders(DAY)
        [message] = mail_to(world.csm)
        assert "Nobody's (Acme): not assigned to anyone, overdue by 9 days" in message.body

    def test_the_champions_own_task_is_not_escalated_to_them(
        self, world: World, ladder: Checklist
    ) -> None:
        add_task(ladder, "Mine", assignee=world.champion, due=overdue(9))
        assert reasons(collect_reminders(DAY), world.champion) == {"Mine": OVERDUE}

    def test_vendor_side_and_internal_tasks_do_not_climb(
        self, world: World, ladder: Checklist
    ) -> None:
        add_task(ladder, "Vendor", assignee=world.admin, due=overdue(20), side=Side.VENDOR)
        add_task(ladder, "Internal", assignee=world.member, due=overdue(20), internal=True)
        digests = collect_reminders(DAY)
        assert world.champion.pk not in digests
        assert world.csm.pk not in digests
        assert reasons(digests, world.admin) == {"Vendor": OVERDUE}

    def test_due_soon_tasks_go_to_the_assignee_only(self, world: World, ladder: Checklist) -> None:
        add_task(ladder, "Soon", assignee=world.member, due=DAY + timedelta(days=1))
        assert set(collect_reminders(DAY)) == {world.member.pk}


class TestStalledOnboardings:
    def test_the_csm_hears_of_onboardings_with_no_customer_activity_for_n_days(
        self, world: World, checklist: Checklist
    ) -> None:
        other = checklist_for(world.other_account, started_by=world.other_csm)
        customer_acted(world.account, world.member, overdue(7))
        customer_acted(other.account, world.other_champion, overdue(6))

        send_reminders(DAY)

        [message] = mail_to(world.csm)
        assert message.subject == "Onboarding: 1 stalled onboarding"
        assert "no customer activity for 7 days (last on 3 March 2026)" in message.body
        assert mail_to(world.other_csm) == []

    def test_vendor_activity_does_not_count_as_the_customers(
        self, world: World, checklist: Checklist
    ) -> None:
        customer_acted(world.account, world.champion, overdue(10))
        customer_acted(world.account, world.csm, DAY)
        Activity.objects.create(account=world.account, actor=None, verb="system")
        stalled = collect_reminders(DAY)[world.csm.pk].sections[0].stalled
        assert stalled is not None
        assert stalled.idle_days == 10

    def test_with_no_customer_activity_it_counts_from_the_start(
        self, world: World, checklist: Checklist, settings: Any
    ) -> None:
        settings.ONBOARDING_STALLED_DAYS = 3
        Checklist.objects.filter(pk=checklist.pk).update(started_at=midday(overdue(3)))
        stalled = collect_reminders(DAY)[world.csm.pk].sections[0].stalled
        assert stalled is not None
        assert (stalled.idle_days, stalled.has_activity) == (3, False)
        assert collect_reminders(DAY - timedelta(days=1)) == {}

    def test_finished_and_not_yet_kicked_off_onboardings_do_not_stall(
        self, world: World, checklist: Checklist
    ) -> None:
        customer_acted(world.account, world.champion, overdue(30))
        Checklist.objects.filter(pk=checklist.pk).update(completed_at=NOW)
        other = checklist_for(world.other_account, started_by=world.other_csm)
        Checklist.objects.filter(pk=other.pk).update(kickoff_date=DAY + timedelta(days=1))
        assert collect_reminders(DAY) == {}

    def test_the_stalled_part_follows_the_account_setting_not_the_tasks_one(
        self, world: World, checklist: Checklist
    ) -> None:
        customer_acted(world.account, world.champion, overdue(30))
        add_task(checklist, "Vendor", assignee=world.csm, due=DAY, side=Side.VENDOR)

        turn_off(world.csm, NotificationKind.TASKS)
        digest = collect_reminders(DAY)[world.csm.pk]
        assert (digest.stalled_count, digest.due_soon_count) == (1, 0)

        NotificationSetting.objects.all().delete()
        turn_off(world.csm, NotificationKind.ACCOUNT)
        digest = collect_reminders(DAY)[world.csm.pk]
        assert (digest.stalled_count, digest.due_soon_count) == (0, 1)


class TestNotificationSettings:
    def test_tasks_off_means_no_task_reminders(self, world: World, checklist: Checklist) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(30))
        turn_off(world.member, NotificationKind.TASKS)
        turn_off(world.champion, NotificationKind.TASKS)
        assert set(collect_reminders(DAY)) == {world.csm.pk}

    @pytest.mark.parametrize("delivery", [Delivery.IMMEDIATELY, Delivery.DIGEST])
    def test_immediately_and_digest_both_get_the_daily_digest(
        self, world: World, checklist: Checklist, delivery: str
    ) -> None:
        NotificationSetting.objects.create(
            user=world.member, kind=NotificationKind.TASKS, delivery=delivery
        )
        add_task(checklist, "Late", assignee=world.member, due=overdue(1))
        assert send_reminders(DAY) == 1

    def test_inactive_people_get_nothing(self, world: World, checklist: Checklist) -> None:
        customer_acted(world.account, world.member, overdue(30))
        add_task(checklist, "Late", assignee=world.member, due=overdue(30))
        User.objects.filter(pk__in=[world.member.pk, world.champion.pk, world.csm.pk]).update(
            is_active=False
        )
        assert send_reminders(DAY) == 0
        assert mail.outbox == []

    def test_who_is_muted_agrees_with_delivery_for(
        self, world: World, checklist: Checklist
    ) -> None:
        turn_off(world.member, NotificationKind.TASKS)
        NotificationSetting.objects.create(
            user=world.champion, kind=NotificationKind.TASKS, delivery=Delivery.DIGEST
        )
        User.objects.filter(pk=world.executive.pk).update(is_active=False)
        recipients = services._Recipients()
        for user in User.objects.all():
            for kind in (NotificationKind.TASKS, NotificationKind.ACCOUNT):
                assert recipients.wants(user, kind) == (delivery_for(user, kind) != Delivery.OFF)


class TestOncePerDay:
    def test_a_second_run_on_the_same_day_sends_nothing(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(9))
        assert send_reminders(DAY) == 3
        assert send_reminders(DAY) == 0
        assert len(mail.outbox) == 3
        claim = ReminderSent.objects.get(user=world.member, day=DAY)
        assert claim.items == [
            {"task": Task.objects.get().pk, "reason": OVERDUE, "days_overdue": 9}
        ]
        # The next day they hear again.
        assert send_reminders(DAY + timedelta(days=1)) == 3

    def test_a_day_claimed_by_another_worker_is_not_sent_again(
        self, world: World, checklist: Checklist, monkeypatch: Any
    ) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(1))
        # Another worker claims the day after this one read what was already claimed.
        real_collect = services.collect_reminders

        def collect_then_race(today: date) -> dict[int, services.Digest]:
            digests = real_collect(today)
            ReminderSent.objects.create(user=world.member, day=today)
            return digests

        monkeypatch.setattr(services, "collect_reminders", collect_then_race)
        assert send_reminders(DAY) == 0
        assert mail.outbox == []

    def test_a_failed_send_releases_the_day_so_a_retry_sends_it(
        self, world: World, checklist: Checklist, monkeypatch: Any
    ) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(9))
        real_send = services.send_digest

        def fail_for_the_member(digest: services.Digest) -> None:
            if digest.user == world.member:
                raise ConnectionError("mail server down")
            real_send(digest)

        monkeypatch.setattr(services, "send_digest", fail_for_the_member)
        with pytest.raises(RemindersNotSent) as failure:
            send_reminders(DAY)
        assert (failure.value.sent, failure.value.failed) == (2, [world.member.pk])
        assert not ReminderSent.objects.filter(user=world.member).exists()

        monkeypatch.setattr(services, "send_digest", real_send)
        assert send_reminders(DAY) == 1
        assert [m.to for m in mail.outbox].count([world.member.email]) == 1
        assert len(mail.outbox) == 3

    def test_one_email_per_person_with_many_tasks_across_accounts(
        self, world: World, checklist: Checklist
    ) -> None:
        MembershipFactory.create(
            user=world.champion, account=world.other_account, role=CustomerRole.MEMBER
        )
        other = checklist_for(world.other_account, started_by=world.other_csm)
        for n in range(4):
            add_task(checklist, f"Acme task {n}", assignee=world.champion, due=overdue(n + 1))
            add_task(other, f"Bluth task {n}", assignee=world.champion, due=DAY)
        add_task(other, "Bluth, someone else's", assignee=world.other_champion, due=overdue(9))

        send_reminders(DAY)

        [message] = mail_to(world.champion)
        for n in range(4):
            assert f"Acme task {n} (Acme)" in message.body
            assert f"Bluth task {n} (Bluth)" in message.body
        assert message.body.index("ACME") < message.body.index("BLUTH")
        assert "Bluth, someone else's" not in message.body
        assert message.subject == "Onboarding: 4 overdue tasks, 4 tasks due soon"


class TestTheEmail:
    def test_it_has_a_text_and_an_html_part_with_links_straight_to_the_task(
        self, world: World, checklist: Checklist
    ) -> None:
        customer_acted(world.account, world.champion, overdue(8))
        task = add_task(checklist, "Book the training", assignee=world.csm, due=overdue(2))
        task_url = settings.SITE_URL + reverse("onboarding_task", args=["acme", task.pk])
        onboarding_url = settings.SITE_URL + reverse("onboarding", args=["acme"])

        send_reminders(DAY)

        [message] = mail_to(world.csm)
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        for part in (message.body, html):
            assert task_url in part
            assert onboarding_url in part
            assert "Book the training" in part
            assert "Acme" in part
            assert settings.SITE_URL + reverse("notifications") in part
        assert f'<a href="{task_url}"' in html
        assert "Overdue by 2 days" in html
        assert "8 March 2026" in html  # the due date

    def test_each_account_shows_its_onboarding_progress_as_the_pages_do(
        self, world: World, checklist: Checklist
    ) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(9))  # up the ladder
        add_task(checklist, "Done one", assignee=world.member, due=overdue(9), done=True)
        add_task(checklist, "Done two", assignee=world.member, due=overdue(8), done=True)
        # Neither counts: internal tasks are apart, optional ones are never counted.
        add_task(checklist, "Ours", assignee=world.csm, due=overdue(1), internal=True, done=True)
        Task.objects.create(
            checklist=checklist, phase=checklist.phases.all()[0], title="Nice to have",
            required=False, completed_at=NOW,
        )  # fmt: skip

        send_reminders(DAY)

        for person in [world.member, world.champion, world.csm]:
            [message] = mail_to(person)
            assert "Onboarding 67% done (2 of 3 required tasks)" in message.body
            html = message.alternatives[0][0]
            assert '<strong data-figure="onboarding-percent">67%</strong>' in html

    def test_names_are_escaped_in_html_and_plain_in_text(self, world: World) -> None:
        account = AccountFactory.create(name="Smith & <Sons>", slug="smith", owner=world.csm)
        person = MembershipFactory.create(account=account, role=CustomerRole.MEMBER).user
        checklist = checklist_for(account, started_by=world.csm)
        customer_acted(account, person, DAY)
        add_task(checklist, "Sign <the> form & send", assignee=person, due=DAY)

        send_reminders(DAY)

        [message] = mail_to(person)
        assert "Sign <the> form & send (Smith & <Sons>)" in message.body
        html = message.alternatives[0][0]
        assert "Sign &lt;the&gt; form &amp; send" in html
        assert "<Sons>" not in html


class TestQueries:
    def test_the_query_count_does_not_grow_with_the_number_of_tasks(
        self, world: World, checklist: Checklist
    ) -> None:
        other = checklist_for(world.other_account, started_by=world.other_csm)
        customer_acted(world.account, world.member, overdue(30))
        # Each round of five reaches the same five people, through every kind of item.
        rounds = [
            (checklist, world.champion, Side.CUSTOMER, overdue(9)),
            (checklist, world.member, Side.CUSTOMER, overdue(5)),
            (checklist, world.csm, Side.VENDOR, DAY + timedelta(days=2)),
            (other, world.other_champion, Side.CUSTOMER, overdue(1)),
            (other, world.other_csm, Side.VENDOR, overdue(2)),
        ]

        def add_tasks(count: int) -> None:
            for n in range(count):
                target, assignee, side, due = rounds[n % len(rounds)]
                add_task(target, f"Task {n}", assignee=assignee, due=due, side=side)

        def count_queries(day: date) -> tuple[int, int]:
            cache.clear()  # each run reads the people's languages and zones afresh (portal.i18n)
            with counting() as queries:
                sent = send_reminders(day)
            return len(queries), sent

        add_tasks(5)
        few, sent_few = count_queries(DAY)
        add_tasks(45)
        many, sent_many = count_queries(DAY + timedelta(days=1))
        assert Task.objects.count() == 50
        assert sent_few == sent_many == 5
        assert few == many
        with counting() as queries:
            collect_reminders(DAY)
        assert len(queries) <= 5


class TestTheTask:
    def test_the_beat_schedule_runs_it_hourly_for_each_persons_seven(self) -> None:
        [entry] = [
            e
            for e in settings.CELERY_BEAT_SCHEDULE.values()
            if e["task"] == "successplans.send_onboarding_reminders"
        ]
        assert entry["schedule"] == crontab(minute=0)
        assert "successplans.send_onboarding_reminders" in app.tasks

    def test_it_takes_the_day_as_an_iso_string(self, world: World, checklist: Checklist) -> None:
        add_task(checklist, "Late", assignee=world.member, due=overdue(1))
        result = send_onboarding_reminders.apply(kwargs={"today": DAY.isoformat()})
        assert result.get() == 1
        assert send_onboarding_reminders.apply(kwargs={"today": DAY.isoformat()}).get() == 0
        assert ReminderSent.objects.get().day == DAY

    def test_it_defaults_to_the_people_at_seven_on_their_date(
        self, world: World, checklist: Checklist, time_machine: Any
    ) -> None:
        Checklist.objects.filter(pk=checklist.pk).update(started_at=NOW)
        add_task(checklist, "Due", assignee=world.member, due=DAY)
        assert send_onboarding_reminders.apply().get() == 0  # noon in the site's zone (UTC)
        time_machine.move_to(NOW.replace(hour=7), tick=False)
        assert send_onboarding_reminders.apply().get() == 1
        assert ReminderSent.objects.get().day == DAY  # the day time-machine stopped on

    def test_a_checklist_started_from_a_template_reminds_its_default_assignees(
        self, world: World
    ) -> None:
        template = ChecklistTemplate.objects.create(name="Standard", created_by=world.csm)
        phase = TemplatePhase.objects.create(template=template, name="Kickoff")
        TemplateTask.objects.create(
            phase=phase, title="Name a project lead", default_role=AssigneeRole.CHAMPION
        )
        TemplateTask.objects.create(
            phase=phase,
            title="Prepare the kickoff deck",
            default_role=AssigneeRole.CSM,
            owner_side=Side.VENDOR,
            internal=True,
            due_offset_days=2,
        )
        start_onboarding(world.account, template=template, kickoff_date=DAY, acting_user=world.csm)
        digests = collect_reminders(DAY)
        assert reasons(digests, world.champion) == {"Name a project lead": DUE_SOON}
        assert reasons(digests, world.csm) == {"Prepare the kickoff deck": DUE_SOON}
        assert set(digests) == {world.champion.pk, world.csm.pk}
