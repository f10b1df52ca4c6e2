"""Surveys: who is asked, delivery in the portal and by e-mail, answers, follow-ups."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail, signing
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity, CustomerRole, NotificationSetting, Segment, Stage
from surveys import services
from surveys.models import (
    Audience,
    Campaign,
    Delivery,
    FollowUp,
    Kind,
    Response,
    Schedule,
    SurveyOptOut,
    SurveyPause,
)
from surveys.services import (
    AlreadyAnswered,
    CampaignEnded,
    ScoreOutOfRange,
    answer_token,
    record_response,
    run_campaign,
    run_due_campaigns,
    send_reminders,
    update_follow_up,
)
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.onboarding_helpers import start
from tests.panels import account_page
from tests.survey_helpers import (
    SURVEY_NOW,
    deliver,
    make_campaign,
    make_survey,
    survey_db_state,
)

NOW = timezone.now  # frozen at SURVEY_NOW by the fixture below


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)


def turn_off(user: Any, kind: str) -> None:
    NotificationSetting.objects.create(user=user, kind=kind, delivery="off")


def asked(campaign: Campaign) -> set[int]:
    return set(Delivery.objects.filter(campaign=campaign).values_list("user_id", flat=True))


def nps_campaign(world: World, **fields: Any) -> Campaign:
    return make_campaign(make_survey(world.csm), world.admin, **fields)


def mail_to(user: Any) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email]]


# Who is asked ------------------------------------------------------------------------------


class TestWhoIsAsked:
    def test_a_campaign_asks_the_chosen_roles_of_every_account(self, world: World) -> None:
        campaign = nps_campaign(world, roles=["champion", "member"])
        assert run_campaign(campaign.pk) == 3
        assert asked(campaign) == {world.champion.pk, world.member.pk, world.other_champion.pk}
        campaign.refresh_from_db()
        assert campaign.waves == 1 and campaign.next_run_at is None

    @pytest.mark.parametrize(
        "audience,fields",
        [
            (Audience.SEGMENT, {"segment": Segment.ENTERPRISE}),
            (Audience.STAGE, {"stage": Stage.RENEWAL}),
            (Audience.ACCOUNTS, {}),
        ],
    )
    def test_audiences(self, world: World, audience: str, fields: dict[str, str]) -> None:
        world.other_account.segment, world.other_account.stage = Segment.ENTERPRISE, Stage.RENEWAL
        world.other_account.save()
        campaign = nps_campaign(world, audience=audience, roles=["champion"], **fields)
        campaign.accounts.set([world.other_account])
        run_campaign(campaign.pk)
        assert asked(campaign) == {world.other_champion.pk}

    def test_a_csms_campaign_reaches_their_portfolio_only(self, world: World) -> None:
        campaign = make_campaign(make_survey(world.csm), world.csm, portfolio_owner=world.csm)
        run_campaign(campaign.pk)
        assert asked(campaign) == {world.champion.pk, world.executive.pk, world.member.pk}

    def test_people_who_opted_out_are_never_asked(self, world: World) -> None:
        SurveyOptOut.objects.create(user=world.champion)
        campaign = nps_campaign(world)
        run_campaign(campaign.pk)
        assert world.champion.pk not in asked(campaign)
        assert world.executive.pk in asked(campaign)

    def test_a_paused_account_is_not_asked_until_the_pause_ends(self, world: World) -> None:
        services.pause_surveys(
            world.account, reason="Renewal talks", until=None, acting_user=world.csm
        )
        campaign = nps_campaign(world)
        run_campaign(campaign.pk)
        assert asked(campaign) == {world.other_champion.pk}
        assert Activity.objects.filter(verb="paused surveys", account=world.account).exists()

    def test_a_pause_that_ended_yesterday_no_longer_applies(self, world: World) -> None:
        SurveyPause.objects.create(
            account=world.account,
            until=timezone.localdate() - timedelta(days=1),
            paused_by=world.csm,
        )
        campaign = nps_campaign(world)
        run_campaign(campaign.pk)
        assert world.champion.pk in asked(campaign)

    def test_a_person_is_asked_once_per_cooldown_across_campaigns(
        self, world: World, settings: Any
    ) -> None:
        settings.SURVEY_PERSON_COOLDOWN_DAYS = 30
        first = nps_campaign(world)
        deliver(first, world.champion, account=world.account, at=NOW() - timedelta(days=29))
        deliver(first, world.member, account=world.account, at=NOW() - timedelta(days=31))
        second = make_campaign(make_survey(world.csm, Kind.CSAT), world.admin)
        run_campaign(second.pk)
        assert world.champion.pk not in asked(second)
        assert world.member.pk in asked(second)

    def test_an_account_is_asked_at_most_m_times_per_period(
        self, world: World, settings: Any
    ) -> None:
        settings.SURVEY_ACCOUNT_MAX_PER_PERIOD, settings.SURVEY_ACCOUNT_PERIOD_DAYS = 2, 90
        settings.SURVEY_PERSON_COOLDOWN_DAYS = 0
        long_ago = NOW() - timedelta(days=100)
        for days_ago, when in [(10, None), (20, None), (100, long_ago)]:
            earlier = nps_campaign(world)
            at = when or NOW() - timedelta(days=days_ago)
            deliver(earlier, world.executive, account=world.account, at=at)
        campaign = nps_campaign(world)
        run_campaign(campaign.pk)
        assert asked(campaign) == {world.other_champion.pk}  # A was asked twice in 90 days

    def test_a_person_in_two_accounts_is_asked_once(self, world: World) -> None:
        MembershipFactory.create(user=world.champion, account=world.other_account, role="champion")
        campaign = nps_campaign(world, roles=["champion"])
        run_campaign(campaign.pk)
        assert Delivery.objects.filter(campaign=campaign, user=world.champion).count() == 1

    def test_every_n_days_runs_again_when_due(self, world: World, settings: Any) -> None:
        settings.SURVEY_PERSON_COOLDOWN_DAYS = 5
        campaign = nps_campaign(world, schedule=Schedule.EVERY, repeat_days=7, next_run_at=NOW())
        assert run_due_campaigns()["asked"] == 4
        campaign.refresh_from_db()
        assert campaign.next_run_at is not None
        assert campaign.next_run_at > NOW() + timedelta(days=6)
        assert run_due_campaigns()["asked"] == 0  # not due yet
        later = NOW() + timedelta(days=8)
        assert run_due_campaigns(later)["asked"] == 4
        assert set(Delivery.objects.values_list("wave", flat=True)) == {1, 2}

    def test_a_campaign_at_a_date_waits_for_it(self, world: World) -> None:
        campaign = nps_campaign(world, schedule=Schedule.AT, next_run_at=NOW() + timedelta(days=2))
        assert run_due_campaigns()["asked"] == 0
        assert run_due_campaigns(NOW() + timedelta(days=3))["asked"] == 4
        campaign.refresh_from_db()
        assert campaign.next_run_at is None

    def test_a_campaign_past_its_end_is_ended_and_asks_nobody(self, world: World) -> None:
        campaign = nps_campaign(world, next_run_at=NOW(), ends_at=NOW() - timedelta(minutes=1))
        assert run_due_campaigns() == {"ended": 1, "asked": 0, "reminded": 0}
        campaign.refresh_from_db()
        assert campaign.status == Campaign.Status.ENDED


# E-mail -------------------------------------------------------------------------------------


class TestEmail:
    def test_each_person_gets_one_email_with_signed_score_links(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        campaign = nps_campaign(world, roles=["champion"])
        # Signed links carry the second they were made: the clock stands still (the fixture).
        with django_capture_on_commit_callbacks(execute=True):
            run_campaign(campaign.pk)
        with django_capture_on_commit_callbacks(execute=True):
            services.send_wave_emails(campaign.pk, 1)  # a second delivery of the job
        [message] = mail_to(world.champion)
        html = message.alternatives[0][0]
        delivery = Delivery.objects.get(user=world.champion)
        assert delivery.channel == "email" and delivery.sent_at is not None
        for score in range(11):
            token = answer_token(delivery, score)
            assert reverse("survey_email_answer", args=[token]) in html
        assert "/surveys/unsubscribe/" in message.body
        assert campaign.survey.question in html

    def test_no_email_when_survey_mail_is_off_but_the_prompt_still_shows(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        turn_off(world.champion, "surveys")
        campaign = nps_campaign(world, roles=["champion"])
        with django_capture_on_commit_callbacks(execute=True):
            run_campaign(campaign.pk)
        assert mail_to(world.champion) == []
        assert mail_to(world.other_champion)
        page = account_page(client_for(world.champion), "acme")
        assert campaign.survey.question in page.content.decode()

    def test_one_reminder_to_those_who_did_not_answer(self, world: World, settings: Any) -> None:
        settings.SURVEY_REMINDER_AFTER_DAYS = 3
        campaign = nps_campaign(world)
        sent = NOW() - timedelta(days=4)
        quiet = deliver(campaign, world.champion, account=world.account)
        answered = deliver(campaign, world.member, account=world.account)
        recent = deliver(campaign, world.executive, account=world.account)
        Delivery.objects.filter(pk__in=[quiet.pk, answered.pk]).update(sent_at=sent)
        Delivery.objects.filter(pk=recent.pk).update(sent_at=NOW())
        record_response(answered, 9, channel="email")
        assert send_reminders() == 1
        assert send_reminders() == 0  # once only
        [message] = mail.outbox
        assert message.to == [world.champion.email]
        assert message.subject.startswith("Reminder")


# Triggers ----------------------------------------------------------------------------------


def test_completing_onboarding_asks_the_csat_trigger_campaign_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from onboarding.services import set_task_done

    survey = make_survey(world.csm, Kind.CSAT, question="How satisfied are you with onboarding?")
    campaign = make_campaign(
        survey,
        world.admin,
        schedule=Schedule.TRIGGER,
        trigger="onboarding_completed",
        roles=["champion"],
    )
    checklist = start(world)
    required = list(checklist.tasks.filter(required=True, internal=False))  # counted tasks
    for task in required[:-1]:
        set_task_done(task, True, acting_user=world.csm)
    assert not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        set_task_done(required[-1], True, acting_user=world.csm)
    assert asked(campaign) == {world.champion.pk}
    assert mail_to(world.champion)
    # Reopened and completed again: nobody is asked twice.
    set_task_done(required[-1], False, acting_user=world.csm)
    set_task_done(required[-1], True, acting_user=world.csm)
    assert Delivery.objects.count() == 1
    assert run_due_campaigns()["asked"] == 0  # triggers never run on the schedule


# Answers -----------------------------------------------------------------------------------


@pytest.fixture
def pending(world: World) -> Delivery:
    return deliver(nps_campaign(world), world.champion, account=world.account)


class TestAnswers:
    def test_an_answer_is_stored_once_and_logged_on_the_account(
        self, world: World, pending: Delivery
    ) -> None:
        answer = record_response(pending, 9, channel="portal")
        assert answer.created
        response = Response.objects.get()
        assert (response.score, response.account, response.user) == (
            9,
            world.account,
            world.champion,
        )
        entry = Activity.objects.get(verb="answered")
        assert entry.account == world.account and entry.actor == world.champion

    def test_a_second_answer_within_the_grace_period_updates_the_first(
        self, pending: Delivery
    ) -> None:
        record_response(pending, 9, channel="portal")
        answer = record_response(pending, 7, channel="email")
        assert not answer.created
        assert list(Response.objects.values_list("score", flat=True)) == [7]
        assert Activity.objects.filter(verb="answered").count() == 1

    def test_after_the_grace_period_a_second_answer_is_refused(
        self, pending: Delivery, settings: Any
    ) -> None:
        settings.SURVEY_ANSWER_GRACE_MINUTES = 30
        record_response(pending, 9, channel="portal", now=NOW() - timedelta(minutes=31))
        with pytest.raises(AlreadyAnswered):
            record_response(pending, 2, channel="portal")
        assert list(Response.objects.values_list("score", flat=True)) == [9]

    @pytest.mark.parametrize("score", [-1, 11, 100])
    def test_a_score_out_of_range_is_refused(self, pending: Delivery, score: int) -> None:
        with pytest.raises(ScoreOutOfRange):
            record_response(pending, score, channel="portal")
        assert not Response.objects.exists()

    def test_an_ended_campaign_takes_no_answers(self, pending: Delivery) -> None:
        Campaign.objects.filter(pk=pending.campaign_id).update(status=Campaign.Status.ENDED)
        pending.refresh_from_db()
        with pytest.raises(CampaignEnded):
            record_response(pending, 9, channel="portal")
        assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks a table for a second writer at once; "
    "this race runs on PostgreSQL (CI)",
)
def test_two_clicks_at_once_store_one_response(world: World) -> None:
    delivery = deliver(nps_campaign(world), world.champion, account=world.account)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def click(score: int) -> None:
        try:
            barrier.wait()
            record_response(Delivery.objects.get(pk=delivery.pk), score, channel="email")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(s,)) for s in (9, 10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Response.objects.filter(delivery=delivery).count() == 1
    assert Activity.objects.filter(verb="answered").count() == 1


# The e-mailed links ------------------------------------------------------------------------


class TestEmailLinks:
    def test_opening_the_link_records_nothing_and_preselects_the_score(
        self, client: Any, pending: Delivery
    ) -> None:
        url = reverse("survey_email_answer", args=[answer_token(pending, 4)])
        response = client.get(url)
        assert response.status_code == 200
        assert 'value="4" checked' in response.content.decode()
        assert not Response.objects.exists()

    def test_confirming_records_the_score_without_a_login_then_asks_why(
        self, client: Any, pending: Delivery
    ) -> None:
        token = answer_token(pending, 4)
        response = client.post(reverse("survey_email_answer", args=[token]), {"score": "4"})
        assert response.status_code == 302
        assert response["Location"] == reverse("survey_email_comment", args=[token])
        assert Response.objects.get().score == 4
        page = client.get(response["Location"])
        assert "What is the main reason for your score?" in page.content.decode()
        saved = client.post(response["Location"], {"comment": "Slow support."})
        assert saved.status_code == 302
        assert Response.objects.get().comment == "Slow support."
        assert "Your comment was saved" in client.get(saved["Location"]).content.decode()

    def test_the_score_can_be_changed_on_the_confirm_page(
        self, client: Any, pending: Delivery
    ) -> None:
        client.post(reverse("survey_email_answer", args=[answer_token(pending, 4)]), {"score": "8"})
        assert Response.objects.get().score == 8

    def test_a_tampered_token_is_a_400(self, client: Any, pending: Delivery) -> None:
        token = answer_token(pending, 9)
        forged = signing.dumps({"d": pending.pk, "s": 9}, salt="another.salt", compress=False)
        for bad in [token[:-2] + "xx", token.replace(":", ":A", 1), forged, "nonsense"]:
            for method in ("get", "post"):
                response = getattr(client, method)(
                    reverse("survey_email_answer", args=[bad]), {"score": "9"}
                )
                assert response.status_code == 400, bad
                assert b"This link is not valid" in response.content
        assert not Response.objects.exists()

    def test_a_score_outside_the_scale_in_a_signed_token_is_a_400(
        self, client: Any, pending: Delivery
    ) -> None:
        token = signing.dumps({"d": pending.pk, "s": 11}, salt="surveys.answer", compress=False)
        assert client.get(reverse("survey_email_answer", args=[token])).status_code == 400

    def test_a_score_out_of_range_in_the_form_is_a_422(
        self, client: Any, pending: Delivery
    ) -> None:
        url = reverse("survey_email_answer", args=[answer_token(pending, 9)])
        for score in ["11", "-1", "nine", ""]:
            assert client.post(url, {"score": score}).status_code == 422
        assert not Response.objects.exists()

    def test_an_expired_token_is_a_410(
        self, client: Any, pending: Delivery, settings: Any, time_machine: Any
    ) -> None:
        settings.SURVEY_TOKEN_MAX_AGE_DAYS = 14
        time_machine.move_to(SURVEY_NOW - timedelta(days=15), tick=False)
        token = answer_token(pending, 9)
        time_machine.move_to(SURVEY_NOW, tick=False)
        response = client.post(reverse("survey_email_answer", args=[token]), {"score": "9"})
        assert response.status_code == 410
        assert b"expired" in response.content
        assert not Response.objects.exists()

    def test_a_reused_token_after_the_grace_period_is_a_409(
        self, client: Any, pending: Delivery
    ) -> None:
        record_response(pending, 9, channel="email", now=NOW() - timedelta(hours=2))
        url = reverse("survey_email_answer", args=[answer_token(pending, 3)])
        assert client.get(url).status_code == 409
        response = client.post(url, {"score": "3"})
        assert response.status_code == 409
        assert b"already answered" in response.content
        assert Response.objects.get().score == 9
        comment_url = reverse("survey_email_comment", args=[answer_token(pending, 3)])
        assert client.post(comment_url, {"comment": "late"}).status_code == 409

    def test_an_ended_campaign_is_a_410(self, client: Any, pending: Delivery) -> None:
        Campaign.objects.filter(pk=pending.campaign_id).update(ends_at=NOW())
        url = reverse("survey_email_answer", args=[answer_token(pending, 9)])
        assert client.get(url).status_code == 410
        assert client.post(url, {"score": "9"}).status_code == 410
        assert not Response.objects.exists()

    def test_an_unknown_survey_is_a_404(self, client: Any, pending: Delivery) -> None:
        token = answer_token(pending, 9)
        pending.delete()
        assert client.get(reverse("survey_email_answer", args=[token])).status_code == 404

    def test_the_unsubscribe_link_works_without_a_login(
        self, client: Any, world: World, pending: Delivery
    ) -> None:
        url = services.unsubscribe_url(world.champion).removeprefix("http://127.0.0.1:8000")
        assert client.get(url).status_code == 200
        assert not SurveyOptOut.objects.exists()  # a prefetch changes nothing
        assert client.post(url).status_code == 302
        assert SurveyOptOut.objects.filter(user=world.champion).exists()
        assert b"won't be asked again" in client.get(url).content
        assert client.get(url[:-3] + "xx/").status_code == 400


# The prompt in the portal ------------------------------------------------------------------


def home(user: Any) -> str:
    return account_page(client_for(user), "acme").content.decode()


class TestPrompt:
    def test_the_champion_sees_their_pending_question_on_the_account_page(
        self, world: World, pending: Delivery
    ) -> None:
        question = pending.campaign.survey.question
        assert question in home(world.champion)
        assert question not in home(world.member)  # not asked
        assert question not in home(world.csm)

    def test_answering_in_place_then_commenting(self, world: World, pending: Delivery) -> None:
        client = client_for(world.champion)
        url = reverse("survey_answer", args=["acme", pending.pk])
        response = client.post(url, {"score": "10"}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "What is the main reason for your score?" in response.content.decode()
        comment_url = reverse("survey_comment", args=["acme", pending.pk])
        done = client.post(comment_url, {"comment": "Great team"}, headers={"HX-Request": "true"})
        assert "Thank you for your feedback" in done.content.decode()
        assert Response.objects.get().comment == "Great team"
        assert pending.campaign.survey.question not in home(world.champion)

    def test_a_bad_score_is_a_422_with_the_prompt(self, world: World, pending: Delivery) -> None:
        client = client_for(world.champion)
        url = reverse("survey_answer", args=["acme", pending.pk])
        response = client.post(url, {"score": "12"}, headers={"HX-Request": "true"})
        assert response.status_code == 422
        assert not Response.objects.exists()

    def test_someone_elses_delivery_is_a_404(self, world: World, pending: Delivery) -> None:
        url = reverse("survey_answer", args=["acme", pending.pk])
        assert client_for(world.member).post(url, {"score": "9"}).status_code == 404
        other = reverse("survey_answer", args=["bluth", pending.pk])
        assert client_for(world.other_champion).post(other, {"score": "9"}).status_code == 404
        assert not Response.objects.exists()

    def test_dismissed_it_is_gone(self, world: World, pending: Delivery) -> None:
        client_for(world.champion).post(reverse("survey_dismiss", args=["acme", pending.pk]))
        assert pending.campaign.survey.question not in home(world.champion)

    def test_snoozed_it_comes_back_after_a_week(self, world: World, pending: Delivery) -> None:
        client_for(world.champion).post(reverse("survey_snooze", args=["acme", pending.pk]))
        assert pending.campaign.survey.question not in home(world.champion)
        pending.refresh_from_db()
        assert pending.snoozed_until is not None
        assert pending.snoozed_until > NOW() + timedelta(days=6)
        Delivery.objects.filter(pk=pending.pk).update(snoozed_until=NOW())
        assert pending.campaign.survey.question in home(world.champion)

    def test_a_csm_previewing_the_portal_sees_no_prompt(
        self, world: World, pending: Delivery
    ) -> None:
        client = client_for(world.csm)
        client.post(reverse("view_as_start", args=["acme"]), {"role": "champion"})
        page = account_page(client, "acme").content.decode()
        assert pending.campaign.survey.question not in page


# Closing the loop --------------------------------------------------------------------------


class TestFollowUps:
    @pytest.mark.parametrize(
        "kind,score,opens",
        [
            (Kind.NPS, 6, True),
            (Kind.NPS, 7, False),
            (Kind.CSAT, 2, True),
            (Kind.CSAT, 3, False),
            (Kind.CES, 3, True),
            (Kind.CES, 4, False),
        ],
    )
    def test_low_scores_open_a_follow_up_for_the_accounts_csm(
        self,
        world: World,
        kind: str,
        score: int,
        opens: bool,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        campaign = make_campaign(make_survey(world.csm, kind), world.admin)
        delivery = deliver(campaign, world.champion, account=world.account)
        with django_capture_on_commit_callbacks(execute=True):
            record_response(delivery, score, channel="portal")
        follow_up = FollowUp.objects.first()
        assert (follow_up is not None) == opens
        if follow_up is not None:
            assert follow_up.csm == world.csm and follow_up.status == "open"
            [message] = mail_to(world.csm)
            assert f"answered {score}" in message.subject
        else:
            assert mail_to(world.csm) == []

    def test_the_csm_is_not_mailed_when_their_account_mail_is_off(
        self, world: World, pending: Delivery, django_capture_on_commit_callbacks: Any
    ) -> None:
        turn_off(world.csm, "account")
        with django_capture_on_commit_callbacks(execute=True):
            record_response(pending, 2, channel="portal")
        assert FollowUp.objects.exists()
        assert mail_to(world.csm) == []

    def test_a_score_raised_within_the_grace_period_closes_an_untouched_follow_up(
        self, pending: Delivery
    ) -> None:
        record_response(pending, 2, channel="portal")
        record_response(pending, 9, channel="portal")
        assert not FollowUp.objects.exists()

    def test_the_csm_lists_open_follow_ups_oldest_first_and_only_their_own(
        self, world: World
    ) -> None:
        survey = make_survey(world.csm)
        campaign = make_campaign(survey, world.admin)
        old = record_response(
            deliver(campaign, world.member, account=world.account),
            1,
            channel="portal",
            now=NOW() - timedelta(days=3),
        ).response
        new = record_response(
            deliver(campaign, world.champion, account=world.account), 0, channel="portal"
        ).response
        theirs = record_response(
            deliver(campaign, world.other_champion, account=world.other_account),
            0,
            channel="portal",
        ).response
        FollowUp.objects.filter(response=old).update(created_at=NOW() - timedelta(days=3))
        page = client_for(world.csm).get(reverse("survey_follow_ups"))
        listed = [f.response for f in page.context["page"]]
        assert listed == [old, new]
        assert theirs not in listed
        foreign = FollowUp.objects.get(response=theirs)
        url = reverse("survey_follow_up", args=[foreign.pk])
        assert client_for(world.csm).get(url).status_code == 404
        assert client_for(world.other_csm).get(url).status_code == 200

    def test_you_said_we_did_reaches_the_respondent_only(
        self, world: World, pending: Delivery, django_capture_on_commit_callbacks: Any
    ) -> None:
        response = record_response(pending, 3, channel="portal").response
        Response.objects.filter(pk=response.pk).update(comment="Exports are slow")
        follow_up = FollowUp.objects.get()
        note = "We doubled the export workers: reports now arrive in minutes."
        with django_capture_on_commit_callbacks(execute=True):
            posted = client_for(world.csm).post(
                reverse("survey_follow_up", args=[follow_up.pk]),
                {"status": "resolved", "notes": "Called Dana", "customer_note": note},
            )
        assert posted.status_code == 302
        follow_up.refresh_from_db()
        assert follow_up.resolved_at is not None and follow_up.resolved_by == world.csm
        assert note in home(world.champion)
        assert "You said, we did" in home(world.champion)
        assert note not in home(world.member)
        assert note not in home(world.executive)
        other = account_page(client_for(world.other_champion), "bluth")
        assert note not in other.content.decode()
        [message] = mail_to(world.champion)
        assert note in message.body
        assert "Called Dana" not in message.body + home(world.champion)  # internal notes

    def test_no_customer_note_no_email(
        self, world: World, pending: Delivery, django_capture_on_commit_callbacks: Any
    ) -> None:
        record_response(pending, 3, channel="portal")
        with django_capture_on_commit_callbacks(execute=True):
            update_follow_up(
                FollowUp.objects.get(),
                status="resolved",
                notes="",
                customer_note="",
                acting_user=world.csm,
            )
        assert mail_to(world.champion) == []

    def test_a_bad_status_is_a_422(self, world: World, pending: Delivery) -> None:
        record_response(pending, 3, channel="portal")
        follow_up = FollowUp.objects.get()
        response = client_for(world.csm).post(
            reverse("survey_follow_up", args=[follow_up.pk]), {"status": "gone"}
        )
        assert response.status_code == 422


# The console -------------------------------------------------------------------------------


class TestConsole:
    def test_a_csm_creates_an_nps_survey_and_sends_a_campaign_now(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = client_for(world.csm)
        response = client.post(
            reverse("survey_create"),
            {"name": "Q3 NPS", "kind": "nps", "question": "Would you recommend us?"},
        )
        assert response.status_code == 302
        survey = make_survey(world.csm)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("survey_campaign_create"),
                {
                    "name": "Champions, Q3",
                    "survey": survey.pk,
                    "audience": "all",
                    "roles": ["champion"],
                    "schedule": "now",
                },
            )
        assert response.status_code == 302
        campaign = Campaign.objects.get(name="Champions, Q3")
        assert campaign.portfolio_owner == world.csm
        assert asked(campaign) == {world.champion.pk}  # the CSM's portfolio only
        page = client.get(campaign.get_absolute_url())
        assert page.status_code == 200
        assert SEND_BUTTON not in page.content  # it was sent when it was created

    @pytest.mark.parametrize(
        "data",
        [
            {"audience": "segment"},
            {"audience": "accounts"},
            {"schedule": "at"},
            {"schedule": "at", "starts_at": "2001-01-01T10:00"},
            {"schedule": "every"},
            {"schedule": "every", "repeat_days": "0"},
            {"schedule": "trigger"},
            {"roles": []},
            {"survey": "999999"},
            {"ends_at": "2001-01-01T10:00"},
        ],
    )
    def test_bad_campaign_input_is_a_422(self, world: World, data: dict[str, Any]) -> None:
        survey = make_survey(world.csm)
        payload = {
            "name": "x",
            "survey": survey.pk,
            "audience": "all",
            "roles": ["champion"],
            "schedule": "now",
            **data,
        }
        response = client_for(world.csm).post(reverse("survey_campaign_create"), payload)
        assert response.status_code == 422
        assert not Campaign.objects.exists()

    def test_end(self, world: World) -> None:
        campaign = make_campaign(make_survey(world.csm), world.csm, portfolio_owner=world.csm)
        client = client_for(world.csm)
        assert client.post(reverse("survey_campaign_end", args=[campaign.pk])).status_code == 302
        campaign.refresh_from_db()
        assert campaign.status == "ended"
        assert Activity.objects.filter(verb="ended a survey campaign").count() == 1

    def test_another_csm_cannot_send_an_admins_campaign(self, world: World) -> None:
        campaign = nps_campaign(world)  # vendor-wide, by the admin
        response = client_for(world.csm).post(reverse("survey_campaign_send", args=[campaign.pk]))
        assert response.status_code == 403

    def test_a_bad_pause_date_is_a_422(self, world: World) -> None:
        response = client_for(world.csm).post(
            reverse("survey_pause", args=["acme"]), {"until": "2001-01-01"}
        )
        assert response.status_code == 422
        assert not SurveyPause.objects.exists()

    def test_pause_and_resume_from_the_account_page(self, world: World) -> None:
        client = client_for(world.csm)
        assert b"Pause surveys for Acme" in account_page(client, "acme").content
        client.post(reverse("survey_pause", args=["acme"]), {"reason": "Escalation"})
        assert b"Escalation" in account_page(client, "acme").content
        client.post(reverse("survey_resume", args=["acme"]))
        assert not SurveyPause.objects.exists()


# Send now ----------------------------------------------------------------------------------

SEND_BUTTON = b"Send now</button>"


def campaign_page(user: Any, campaign: Campaign) -> bytes:
    response = client_for(user).get(campaign.get_absolute_url())
    assert response.status_code == 200
    return bytes(response.content)


def send(user: Any, campaign: Campaign, **headers: str) -> Any:
    return client_for(user).post(
        reverse("survey_campaign_send", args=[campaign.pk]), headers=headers
    )


class TestSendNow:
    def create_now(self, world: World, capture: Any) -> Campaign:
        with capture(execute=True):
            response = client_for(world.csm).post(
                reverse("survey_campaign_create"),
                {
                    "name": "Once, now",
                    "survey": make_survey(world.csm).pk,
                    "audience": "all",
                    "roles": ["champion"],
                    "schedule": "now",
                },
            )
        assert response.status_code == 302
        return Campaign.objects.get(name="Once, now")

    def test_a_send_now_campaign_is_sent_on_creation_and_never_again(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        campaign = self.create_now(world, django_capture_on_commit_callbacks)
        assert asked(campaign) == {world.champion.pk}
        campaign.refresh_from_db()
        assert (campaign.waves, campaign.next_run_at) == (1, None)
        assert SEND_BUTTON not in campaign_page(world.csm, campaign)
        before = survey_db_state()
        with django_capture_on_commit_callbacks(execute=True):
            refused = send(world.csm, campaign)
        assert refused.status_code == 422
        assert "This campaign asks once, and it has been sent." in refused.content.decode()
        assert SEND_BUTTON not in refused.content  # the campaign's page, with the message
        assert survey_db_state() == before  # no wave, no job, no activity
        assert Delivery.objects.filter(campaign=campaign, wave=2).count() == 0

    def test_htmx_hears_the_refusal_in_the_notice_region(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        campaign = self.create_now(world, django_capture_on_commit_callbacks)
        before = survey_db_state()
        refused = send(world.csm, campaign, HX_Request="true")
        assert refused.status_code == 422
        assert refused["HX-Retarget"] == "#notice"
        assert "asks once" in refused.content.decode() and "<html" not in refused.content.decode()
        assert survey_db_state() == before

    def test_not_offered_while_its_one_wave_is_on_its_way(self, world: World) -> None:
        campaign = make_campaign(make_survey(world.csm), world.csm, portfolio_owner=world.csm)
        services.create_campaign(campaign, accounts=[], acting_user=world.csm)  # job not run yet
        assert (campaign.waves, campaign.next_run_at) == (0, None)
        assert SEND_BUTTON not in campaign_page(world.csm, campaign)
        before = survey_db_state()
        assert send(world.csm, campaign).status_code == 422
        assert survey_db_state() == before

    def test_an_at_a_date_campaign_can_be_sent_early_once(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        later = NOW() + timedelta(days=5)
        campaign = make_campaign(
            make_survey(world.csm),
            world.csm,
            portfolio_owner=world.csm,
            schedule=Schedule.AT,
            starts_at=later,
            next_run_at=later,
        )
        assert SEND_BUTTON in campaign_page(world.csm, campaign)
        with django_capture_on_commit_callbacks(execute=True):
            assert send(world.csm, campaign).status_code == 302
        assert len(asked(campaign)) == 3
        assert Activity.objects.filter(verb="sent a survey campaign").count() == 1
        campaign.refresh_from_db()
        assert (campaign.waves, campaign.next_run_at) == (1, None)
        assert SEND_BUTTON not in campaign_page(world.csm, campaign)
        before = survey_db_state()
        assert send(world.csm, campaign).status_code == 422
        assert survey_db_state() == before
        assert run_due_campaigns(later + timedelta(minutes=1))["asked"] == 0  # its date: nothing
        campaign.refresh_from_db()
        assert campaign.waves == 1

    def test_a_second_run_of_a_one_off_campaign_sends_no_second_wave(self, world: World) -> None:
        campaign = nps_campaign(world)
        assert run_campaign(campaign.pk) == 4
        assert run_campaign(campaign.pk) == 0  # a retried or duplicated job
        campaign.refresh_from_db()
        assert campaign.waves == 1
        assert set(Delivery.objects.values_list("wave", flat=True)) == {1}

    def test_a_recurring_campaign_may_send_a_wave_now_again_and_again(
        self, world: World, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SURVEY_PERSON_COOLDOWN_DAYS = 0
        settings.SURVEY_ACCOUNT_MAX_PER_PERIOD = 10
        campaign = make_campaign(
            make_survey(world.csm),
            world.csm,
            portfolio_owner=world.csm,
            schedule=Schedule.EVERY,
            repeat_days=30,
            next_run_at=NOW() + timedelta(days=30),
        )
        for wave in (1, 2):
            assert SEND_BUTTON in campaign_page(world.csm, campaign)
            with django_capture_on_commit_callbacks(execute=True):
                assert send(world.csm, campaign).status_code == 302
            assert Delivery.objects.filter(campaign=campaign, wave=wave).count() == 3

    def test_an_ended_campaign_is_not_sent(self, world: World) -> None:
        campaign = make_campaign(
            make_survey(world.csm),
            world.csm,
            portfolio_owner=world.csm,
            schedule=Schedule.EVERY,
            repeat_days=30,
            status=Campaign.Status.ENDED,
        )
        assert SEND_BUTTON not in campaign_page(world.csm, campaign)
        before = survey_db_state()
        refused = send(world.csm, campaign)
        assert refused.status_code == 422 and b"has ended" in refused.content
        assert survey_db_state() == before


def test_a_customer_role_never_sees_the_results_panel(world: World, pending: Delivery) -> None:
    record_response(pending, 10, channel="portal")
    assert "Open follow-ups" not in home(world.champion)
    assert "Open follow-ups" in home(world.csm)


def test_other_accounts_memberships_do_not_count(world: World) -> None:
    # Someone in another account with the role asked: still a separate person.
    account = AccountFactory.create(owner=world.csm)
    person = MembershipFactory.create(account=account, role=CustomerRole.EXECUTIVE).user
    campaign = nps_campaign(world, roles=["executive"])
    run_campaign(campaign.pk)
    assert asked(campaign) == {world.executive.pk, person.pk}
