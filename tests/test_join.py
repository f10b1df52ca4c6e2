"""Self-join: asking to join at /join/, the e-mailed link, the champion's answer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.join import PUBLIC_ANSWER
from accounts.models import (
    Account,
    Activity,
    Invitation,
    JoinRequest,
    Membership,
    Notification,
    SelfJoin,
    User,
)
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory, UserFactory
from tests.join_factories import JoinRequestFactory
from tests.join_helpers import link_in
from tests.snapshot import unchanged

START = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(START)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def joinco(world: World) -> Account:
    """World's account A, taking requests from joinco.example with a champion's approval."""
    Account.objects.filter(pk=world.account.pk).update(
        email_domains="joinco.example", self_join=SelfJoin.APPROVAL
    )
    world.account.refresh_from_db()
    return world.account


def ask(client: Client, email: str, name: str = "Nora Newcomer", message: str = "") -> Any:
    return client.post(reverse("join"), {"email": email, "name": name, "message": message})


def ask_and_open_link(
    client: Client, email: str, capture: Any, message: str = "Analytics team"
) -> str:
    """Ask to join; the path of the link e-mailed back."""
    with capture(execute=True):
        response = ask(client, email, message=message)
    assert response.status_code == 303
    assert response["Location"] == reverse("join_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    return link_in(str(mail.outbox[0].body))


def accept(client: Client, invitation: Invitation) -> Any:
    return client.post(
        reverse("accept_invitation", args=[invitation.token]),
        {"name": "Nora Newcomer", "password1": "a-long-new-pass", "password2": "a-long-new-pass"},
    )


class TestApprovalMode:
    def test_a_request_goes_through_the_champion_and_ends_in_a_membership(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        stranger = Client()
        link = ask_and_open_link(
            stranger, "nora@joinco.example", django_capture_on_commit_callbacks
        )
        assert stranger.get(reverse("join_sent")).content.decode().count(escape(PUBLIC_ANSWER)) == 1
        # Opening the link changes nothing (mail scanners open links); the button does.
        with unchanged():
            page = stranger.get(link)
        assert page.status_code == 200
        assert b"Send my request" in page.content
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = stranger.post(link)
        assert response.status_code == 302
        join_request = JoinRequest.objects.get(account=joinco, email="nora@joinco.example")
        assert join_request.status == JoinRequest.Status.PENDING
        assert join_request.name == "Nora Newcomer"
        assert join_request.message == "Analytics team"
        assert b"Your request is with Acme" in stranger.get(response["Location"]).content
        # The champion is told: an e-mail and an inbox item pointing at the People page.
        assert [m.to for m in mail.outbox] == [[world.champion.email]]
        assert "nora@joinco.example" in mail.outbox[0].body
        item = Notification.objects.get(user=world.champion)
        assert item.url == reverse("people", args=["acme"]) + "#join-requests"
        assert not Notification.objects.exclude(user=world.champion).exists()

        champion = client_for(world.champion)
        people = champion.get(reverse("people", args=["acme"]))
        assert b"Asking to join" in people.content and b"nora@joinco.example" in people.content
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = champion.post(
                reverse("join_request_approve", args=["acme", join_request.pk]), {"role": "member"}
            )
        assert response.status_code == 302
        join_request.refresh_from_db()
        assert join_request.status == JoinRequest.Status.APPROVED
        assert join_request.decided_by == world.champion
        invitation = join_request.invitation
        assert invitation is not None and invitation.invited_by == world.champion
        assert [m.to for m in mail.outbox] == [["nora@joinco.example"]]
        assert "approved your request" in mail.outbox[0].body
        assert invitation.get_accept_url() in mail.outbox[0].body

        response = accept(stranger, invitation)
        assert response.status_code == 302
        nora = User.objects.get(email="nora@joinco.example")
        assert Membership.objects.get(user=nora, account=joinco).role == "member"
        verbs = set(Activity.objects.filter(account=joinco).values_list("verb", flat=True))
        assert {
            "received a request to join from",
            "approved a request to join",
            "invited",
            "joined",
        } <= verbs

    def test_a_csm_may_let_someone_in_as_champion_but_a_champion_may_not(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        join_request = JoinRequestFactory.create(account=joinco, email="vip@joinco.example")
        url = reverse("join_request_approve", args=["acme", join_request.pk])
        champion = client_for(world.champion)
        with unchanged():
            response = champion.post(url, {"role": "champion"})
        assert response.status_code == 422
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.csm).post(url, {"role": "champion"})
        assert response.status_code == 302
        assert Invitation.objects.get(email="vip@joinco.example").role == "champion"

    def test_a_declined_request_is_told_politely_and_lets_nobody_in(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        join_request = JoinRequestFactory.create(account=joinco, email="ned@joinco.example")
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.champion).post(
                reverse("join_request_decline", args=["acme", join_request.pk]),
                {"reason": "We keep the portal to the project team for now."},
            )
        assert response.status_code == 302
        join_request.refresh_from_db()
        assert join_request.status == JoinRequest.Status.DECLINED
        assert join_request.decided_by == world.champion
        assert join_request.reason == "We keep the portal to the project team for now."
        assert not Invitation.objects.filter(email="ned@joinco.example").exists()
        assert [m.to for m in mail.outbox] == [["ned@joinco.example"]]
        assert "Thank you for asking" in mail.outbox[0].body
        assert "project team for now" in mail.outbox[0].body
        # Answered once: a second answer changes nothing and says why.
        champion = client_for(world.champion)
        with unchanged():
            again = champion.post(
                reverse("join_request_approve", args=["acme", join_request.pk]), {"role": "member"}
            )
        assert again.status_code == 409
        assert b"already answered" in again.content

    def test_a_link_is_spent_once_its_request_was_answered(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        stranger = Client()
        link = ask_and_open_link(stranger, "ned@joinco.example", django_capture_on_commit_callbacks)
        stranger.post(link)
        stranger.post(link)  # a double click: still the one request
        join_request = JoinRequest.objects.get(email="ned@joinco.example")
        client_for(world.champion).post(
            reverse("join_request_decline", args=["acme", join_request.pk]), {"reason": ""}
        )
        with unchanged():
            response = stranger.post(link)
        assert response.status_code == 409
        assert b"already used" in response.content
        assert b"already used" in stranger.get(link).content


class TestWithdrawing:
    def test_the_person_takes_back_a_waiting_request_by_their_link(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        stranger = Client()
        link = ask_and_open_link(
            stranger, "nora@joinco.example", django_capture_on_commit_callbacks
        )
        stranger.post(link)
        assert b"Withdraw my request" in stranger.get(link).content
        withdraw = link.replace("/join/confirm/", "/join/withdraw/")
        assert stranger.get(withdraw).status_code == 405
        response = stranger.post(withdraw)
        assert response.status_code == 302
        join_request = JoinRequest.objects.get(email="nora@joinco.example")
        assert join_request.status == JoinRequest.Status.WITHDRAWN
        assert b"Your request was withdrawn" in stranger.get(response["Location"]).content
        champion = client_for(world.champion)
        assert b"nora@joinco.example" not in champion.get(reverse("people", args=["acme"])).content
        with unchanged():
            again = stranger.post(withdraw)
            confirm = stranger.post(link)
        assert (again.status_code, confirm.status_code) == (409, 409)
        with unchanged():
            approve = champion.post(
                reverse("join_request_approve", args=["acme", join_request.pk]), {"role": "member"}
            )
        assert approve.status_code == 409


class TestAutomaticMode:
    def test_a_confirmed_address_sets_a_password_and_joins_as_member(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        Account.objects.filter(pk=joinco.pk).update(self_join=SelfJoin.AUTOMATIC)
        stranger = Client()
        link = ask_and_open_link(stranger, "ava@joinco.example", django_capture_on_commit_callbacks)
        assert b"Confirm and set my password" in stranger.get(link).content
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = stranger.post(link)
        invitation = Invitation.objects.get(email="ava@joinco.example")
        assert response.status_code == 302
        assert response["Location"] == reverse("accept_invitation", args=[invitation.token])
        assert invitation.invited_by is None and invitation.role == "member"
        assert mail.outbox == []  # they are on the page already
        assert b"is confirmed" in stranger.get(response["Location"]).content
        assert accept(stranger, invitation).status_code == 302
        ava = User.objects.get(email="ava@joinco.example")
        assert Membership.objects.get(user=ava, account=joinco).role == "member"
        join_request = JoinRequest.objects.get(email="ava@joinco.example")
        assert join_request.status == JoinRequest.Status.APPROVED
        assert join_request.decided_by is None
        assert not Notification.objects.exists()  # nobody had to answer


class TestTheSameAnswerForEveryone:
    @pytest.mark.parametrize(
        "case",
        [
            "not an allowed domain",
            "self-join off",
            "vendor domain",
            "already a member",
            "two accounts",
        ],
    )
    def test_nothing_is_sent_or_stored_and_the_answer_is_the_same(
        self, case: str, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        email = "nora@joinco.example"
        if case == "not an allowed domain":
            email = "nora@elsewhere.example"
        elif case == "self-join off":
            Account.objects.filter(pk=joinco.pk).update(self_join=SelfJoin.OFF)
        elif case == "vendor domain":
            email = "someone@vendor.example"  # the CSMs' domain
            Account.objects.filter(pk=joinco.pk).update(email_domains="vendor.example")
        elif case == "already a member":
            MembershipFactory.create(account=joinco, user=UserFactory.create(email=email))
        else:
            AccountFactory.create(email_domains="joinco.example", self_join=SelfJoin.APPROVAL)
        client = Client()
        with unchanged(), django_capture_on_commit_callbacks(execute=True):
            response = ask(client, email)
        assert response.status_code == 303
        assert response["Location"] == reverse("join_sent")
        assert mail.outbox == []

    def test_a_match_and_a_miss_read_the_same(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        pages = []
        for email in ("nora@joinco.example", "nora@elsewhere.example"):
            client = Client()
            with django_capture_on_commit_callbacks(execute=True):
                response = ask(client, email)
            page = client.get(reverse("join_sent")).content
            page = re.sub(rb'"X-CSRFToken": "[^"]*"', b"", page)
            pages.append((response.status_code, response["Location"], page))
        assert pages[0] == pages[1]
        assert len(mail.outbox) == 1


class TestWhoMayAnswer:
    @pytest.mark.parametrize("persona", ["member", "executive"])
    def test_a_member_or_executive_may_not_answer(
        self, persona: str, world: World, joinco: Account
    ) -> None:
        join_request = JoinRequestFactory.create(account=joinco)
        client = client_for(world.persona(persona))
        assert b"Asking to join" not in client.get(reverse("people", args=["acme"])).content
        for name, data in (
            ("join_request_approve", {"role": "member"}),
            ("join_request_decline", {}),
        ):
            with unchanged():
                response = client.post(reverse(name, args=["acme", join_request.pk]), data)
            assert response.status_code == 403

    def test_another_accounts_champion_sees_and_answers_nothing(
        self, world: World, joinco: Account
    ) -> None:
        join_request = JoinRequestFactory.create(account=joinco)
        client = client_for(world.other_champion)
        assert client.get(reverse("people", args=["acme"])).status_code == 404
        for slug in ("acme", world.other_account.slug):  # theirs, or A's request under theirs
            with unchanged():
                response = client.post(
                    reverse("join_request_approve", args=[slug, join_request.pk]),
                    {"role": "member"},
                )
            assert response.status_code == 404

    def test_the_setting_is_the_vendors(self, world: World, joinco: Account) -> None:
        url = reverse("people_self_join", args=["acme"])
        champion = client_for(world.champion)
        with unchanged():
            assert champion.post(url, {"self_join": "automatic"}).status_code == 403
        response = client_for(world.csm).post(url, {"self_join": "automatic"})
        assert response.status_code == 302
        joinco.refresh_from_db()
        assert joinco.self_join == SelfJoin.AUTOMATIC
        entry = Activity.objects.get(verb="changed self-join")
        assert entry.internal and entry.after == {"self_join": "automatic"}
        page = client_for(world.csm).get(reverse("people", args=["acme"])).content
        assert re.search(rb'value="automatic"[^>]*checked', page)


class TestBadInput:
    def test_self_join_needs_allowed_domains(self, world: World) -> None:
        admin = client_for(world.admin)
        with unchanged():
            response = admin.post(
                reverse("people_self_join", args=["acme"]), {"self_join": "approval"}
            )
        assert response.status_code == 422
        assert b"allowed e-mail domains first" in response.content

    def test_a_vendor_domain_is_refused_for_self_join(self, world: World) -> None:
        Account.objects.filter(pk=world.account.pk).update(email_domains="vendor.example")
        admin = client_for(world.admin)
        with unchanged():
            response = admin.post(
                reverse("people_self_join", args=["acme"]), {"self_join": "approval"}
            )
        assert response.status_code == 422
        assert b"vendor" in response.content

    @pytest.mark.parametrize(
        "data",
        [
            {"email": "not-an-address", "name": "X"},
            {"email": "", "name": ""},
            {"email": "a@b.example", "name": "X", "message": "x" * 1001},
            {"email": "a@b.example" * 30, "name": "X"},
        ],
    )
    def test_junk_on_the_join_form_is_a_422(self, data: dict[str, str], db: None) -> None:
        with unchanged():
            response = Client().post(reverse("join"), data)
        assert response.status_code == 422

    def test_junk_answers_are_4xx(self, world: World, joinco: Account) -> None:
        join_request = JoinRequestFactory.create(account=joinco)
        client = client_for(world.champion)
        with unchanged():
            bogus = client.post(
                reverse("join_request_approve", args=["acme", join_request.pk]), {"role": "owner"}
            )
            long = client.post(
                reverse("join_request_decline", args=["acme", join_request.pk]),
                {"reason": "x" * 1001},
            )
            missing = client.post(reverse("join_request_approve", args=["acme", 999999]))
        assert (bogus.status_code, long.status_code, missing.status_code) == (422, 422, 404)

    def test_a_changed_link_is_a_clear_404(self, db: None) -> None:
        for token in ("nonsense", "eyJhIjoxfQ:1tXyZ:abc"):
            with unchanged():
                response = Client().get(reverse("join_confirm", args=[token]))
            assert response.status_code == 404
            assert b"This link does not work" in response.content

    def test_confirming_after_self_join_was_turned_off_is_refused(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        stranger = Client()
        link = ask_and_open_link(
            stranger, "nora@joinco.example", django_capture_on_commit_callbacks
        )
        Account.objects.filter(pk=joinco.pk).update(self_join=SelfJoin.OFF)
        assert b"does not take requests now" in stranger.get(link).content
        with unchanged():
            response = stranger.post(link)
        assert response.status_code == 409
        assert b"does not accept requests" in response.content


class TestLinkExpiry:
    def test_a_link_works_for_a_day(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        stranger = Client()
        link = ask_and_open_link(
            stranger, "nora@joinco.example", django_capture_on_commit_callbacks
        )
        with time_machine.travel(START + timedelta(hours=23, minutes=50)):
            assert stranger.get(link).status_code == 200
        with time_machine.travel(START + timedelta(hours=24, minutes=5)), unchanged():
            page = stranger.get(link)
            response = stranger.post(link)
        assert (page.status_code, response.status_code) == (410, 410)
        assert b"This link has expired" in response.content
        assert b"Ask to join again" in response.content


class TestRateLimits:
    def test_an_address_gets_three_links_an_hour(
        self, world: World, joinco: Account, django_capture_on_commit_callbacks: Any
    ) -> None:
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            codes = [ask(client, "nora@joinco.example").status_code for _ in range(4)]
        assert codes == [303, 303, 303, 429]
        assert len(mail.outbox) == 3
        with unchanged():
            refused = ask(client, "NORA@joinco.example")  # the same address, however written
        assert refused.status_code == 429
        assert b"Too many requests" in refused.content
        with time_machine.travel(START + timedelta(minutes=61)):
            assert ask(client, "nora@joinco.example").status_code == 303

    def test_one_ip_address_gets_twenty_requests_an_hour(self, db: None) -> None:
        client = Client()
        codes = {ask(client, f"person{n}@elsewhere.example").status_code for n in range(20)}
        assert codes == {303}
        assert ask(client, "one.more@elsewhere.example").status_code == 429
        other_ip = Client(REMOTE_ADDR="192.0.2.7")
        assert ask(other_ip, "one.more@elsewhere.example").status_code == 303


def test_the_demo_champion_has_a_request_to_answer(db: None) -> None:
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    dana = User.objects.get(email="dana@acme.example")
    page = client_for(dana).get(reverse("people", args=["acme"]))
    assert b"Asking to join" in page.content and b"sam@acme.example" in page.content
    assert Notification.objects.filter(user=dana, url__endswith="#join-requests").exists()
