"""Invitations, roles, deactivation and the customer preview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity, Invitation, Membership, User
from accounts.services import deactivatable, end_sessions, invite, may_deactivate
from tests.conftest import World, client_for
from tests.factories import PASSWORD, AccountFactory, MembershipFactory, UserFactory
from tests.panels import account_page
from tests.queries import assert_same_queries, counting, page_queries
from tests.snapshot import unchanged


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    """Every test here runs on the same day (the clock still ticks, for timeouts)."""
    time_machine.move_to(datetime(2026, 6, 15, 12, tzinfo=UTC))


def send_invitation(
    world: World, email: str, role: str = "member", by: User | None = None
) -> Invitation:
    actor = by or world.csm
    acting_role = "champion" if actor == world.champion else "csm"
    return invite(world.account, email=email, role=role, acting_user=actor, acting_role=acting_role)


def accept(client: Any, invitation: Invitation, **data: str) -> Any:
    payload = {
        "name": "Nina New",
        "password1": "a-long-new-passphrase",
        "password2": "a-long-new-passphrase",
    }
    payload.update(data)
    return client.post(reverse("accept_invitation", args=[invitation.token]), payload)


class TestInvitations:
    def test_the_invited_person_sets_a_password_and_lands_on_the_account(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            invitation = send_invitation(world, "nina@customer.example", "executive")
        assert len(mail.outbox) == 1
        assert invitation.get_accept_url() in mail.outbox[0].body
        client = client_for(None)
        assert client.get(reverse("accept_invitation", args=[invitation.token])).status_code == 200
        response = accept(client, invitation)
        assert response.status_code == 302
        assert response["Location"] == reverse("account_home", args=[world.account.slug])
        user = User.objects.get(email="nina@customer.example")
        assert user.name == "Nina New"
        assert user.check_password("a-long-new-passphrase")
        assert Membership.objects.get(user=user, account=world.account).role == "executive"
        assert account_page(client, world.account.slug).status_code == 200
        invitation.refresh_from_db()
        assert invitation.accepted_by == user
        assert Activity.objects.filter(verb="joined", actor=user).exists()

    def test_a_link_works_once(self, world: World) -> None:
        invitation = send_invitation(world, "once@customer.example")
        accept(client_for(None), invitation)
        with unchanged():
            response = accept(
                client_for(None),
                invitation,
                password1="another-pass-123",
                password2="another-pass-123",
            )
        assert response.status_code == 410
        assert User.objects.filter(email="once@customer.example").count() == 1
        assert User.objects.get(email="once@customer.example").check_password(
            "a-long-new-passphrase"
        )

    def test_an_expired_link_is_refused(self, world: World) -> None:
        invitation = send_invitation(world, "late@customer.example")
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        with unchanged():
            response = accept(client_for(None), invitation)
        assert response.status_code == 410
        assert b"expired" in response.content
        assert not User.objects.filter(email="late@customer.example").exists()

    def test_links_expire_after_seven_days_by_default(self, world: World) -> None:
        invitation = send_invitation(world, "week@customer.example")
        assert invitation.expires_at - invitation.created_at == pytest.approx(
            timedelta(days=7), abs=timedelta(seconds=5)
        )

    def test_a_revoked_link_is_refused(self, world: World) -> None:
        invitation = send_invitation(world, "revoked@customer.example")
        client_for(world.csm).post(
            reverse("invitation_revoke", args=[world.account.slug, invitation.pk])
        )
        with unchanged():
            assert accept(client_for(None), invitation).status_code == 410
        assert not User.objects.filter(email="revoked@customer.example").exists()

    def test_a_tampered_link_is_not_found(self, world: World) -> None:
        invitation = send_invitation(world, "tamper@customer.example")
        token = invitation.token[:-2] + ("00" if not invitation.token.endswith("00") else "11")
        with unchanged():
            assert (
                accept(client_for(None), Invitation(pk=invitation.pk, nonce="forged")).status_code
                == 404
            )
            assert (
                client_for(None).get(reverse("accept_invitation", args=[token])).status_code == 404
            )
            assert (
                client_for(None).get(reverse("accept_invitation", args=["not-a-token"])).status_code
                == 404
            )

    def test_resending_sends_a_new_link_and_retires_the_old_one(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            invitation = send_invitation(world, "resend@customer.example")
        old_token = invitation.token
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.csm).post(
                reverse("invitation_resend", args=[world.account.slug, invitation.pk])
            )
        assert response.status_code == 302
        invitation.refresh_from_db()
        assert invitation.token != old_token
        assert len(mail.outbox) == 2
        assert invitation.token in mail.outbox[1].body
        assert (
            client_for(None).get(reverse("accept_invitation", args=[old_token])).status_code == 404
        )
        assert accept(client_for(None), invitation).status_code == 302

    def test_an_existing_user_gets_a_membership_not_a_second_user(self, world: World) -> None:
        # The other account's champion is invited to this account too.
        invitation = send_invitation(world, world.other_champion.email, "member")
        anonymous = client_for(None).get(reverse("accept_invitation", args=[invitation.token]))
        assert b"Log in to join" in anonymous.content
        someone_else = client_for(world.member)
        with unchanged():
            assert accept(someone_else, invitation).status_code == 403
        response = client_for(world.other_champion).post(
            reverse("accept_invitation", args=[invitation.token])
        )
        assert response.status_code == 302
        assert User.objects.filter(email=world.other_champion.email).count() == 1
        roles = dict(
            Membership.objects.filter(user=world.other_champion).values_list(
                "account__slug", "role"
            )
        )
        assert roles == {"bluth": "champion", "acme": "member"}

    def test_a_champion_invites_colleagues_but_never_a_champion(self, world: World) -> None:
        client = client_for(world.champion)
        url = reverse("people_invite", args=[world.account.slug])
        assert (
            client.post(url, {"email": "exec@customer.example", "role": "executive"}).status_code
            == 302
        )
        with unchanged():
            response = client.post(url, {"email": "boss@customer.example", "role": "champion"})
        assert response.status_code == 422
        assert b"Select a valid choice" in response.content

    def test_an_account_may_restrict_invitations_to_its_domains(self, world: World) -> None:
        world.account.email_domains = "acme.example"
        world.account.save()
        client = client_for(world.csm)
        url = reverse("people_invite", args=[world.account.slug])
        with unchanged():
            response = client.post(url, {"email": "someone@gmail.example", "role": "member"})
        assert response.status_code == 422
        assert b"only accepts addresses at acme.example" in response.content
        assert (
            client.post(url, {"email": "someone@acme.example", "role": "member"}).status_code == 302
        )

    @pytest.mark.parametrize(
        "data,message",
        [
            ({"email": "not-an-address", "role": "member"}, b"Enter a valid email address"),
            ({"email": "", "role": "member"}, b"This field is required"),
            ({"email": "x@customer.example", "role": "overlord"}, b"Select a valid choice"),
        ],
    )
    def test_bad_invitation_input_is_a_form_error(
        self, world: World, data: dict[str, str], message: bytes
    ) -> None:
        client = client_for(world.csm)
        with unchanged():
            response = client.post(reverse("people_invite", args=[world.account.slug]), data)
        assert response.status_code == 422
        assert message in response.content

    def test_inviting_someone_already_in_the_account_is_refused(self, world: World) -> None:
        client = client_for(world.csm)
        with unchanged():
            response = client.post(
                reverse("people_invite", args=[world.account.slug]),
                {"email": world.member.email, "role": "member"},
            )
        assert response.status_code == 422
        assert b"already a member" in response.content

    def test_vendor_staff_cannot_be_invited_as_customers(self, world: World) -> None:
        client = client_for(world.csm)
        with unchanged():
            response = client.post(
                reverse("people_invite", args=[world.account.slug]),
                {"email": world.other_csm.email, "role": "member"},
            )
        assert response.status_code == 422

    def test_mismatched_passwords_create_nothing(self, world: World) -> None:
        invitation = send_invitation(world, "typo@customer.example")
        with unchanged():
            response = accept(client_for(None), invitation, password2="something-else-entirely")
        assert response.status_code == 422
        assert b"The two passwords differ" in response.content

    def test_the_csm_sees_who_joined_and_who_never_did(self, world: World) -> None:
        joined = send_invitation(world, "joined@customer.example")
        accept(client_for(None), joined)
        send_invitation(world, "waiting@customer.example")
        stale = send_invitation(world, "stale@customer.example")
        Invitation.objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(days=1))
        page = (
            client_for(world.csm).get(reverse("people", args=[world.account.slug])).content.decode()
        )
        page = page[page.index('id="invitations-title"') :]
        for email, status in [
            ("joined@", "Joined"),
            ("waiting@", "Pending"),
            ("stale@", "Expired"),
        ]:
            row = page[page.index(email) :].split("</tr>")[0]
            assert status in row, (email, status)


class TestRolesAndDeactivation:
    def test_a_csm_changes_a_role_and_the_log_keeps_before_and_after(self, world: World) -> None:
        membership = Membership.objects.get(user=world.member, account=world.account)
        response = client_for(world.csm).post(
            reverse("membership_role", args=[world.account.slug, membership.pk]),
            {"role": "executive"},
        )
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.role == "executive"
        entry = Activity.objects.get(verb="changed a role")
        assert (entry.before, entry.after, entry.actor) == (
            {"role": "member"},
            {"role": "executive"},
            world.csm,
        )

    def test_a_bad_role_is_a_422_and_changes_nothing(self, world: World) -> None:
        membership = Membership.objects.get(user=world.member, account=world.account)
        client = client_for(world.csm)
        with unchanged():
            response = client.post(
                reverse("membership_role", args=[world.account.slug, membership.pk]),
                {"role": "admin"},
            )
        assert response.status_code == 422

    def test_deactivation_ends_sessions_at_once_and_keeps_their_work(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        member_client = client_for(world.member)
        member_session = member_client.session.session_key
        client_for(world.csm).post(reverse("people", args=[world.account.slug]))  # noise: 405
        assert account_page(member_client, world.account.slug).status_code == 200
        Activity.objects.create(account=world.account, actor=world.member, verb="ticked a task")
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.csm).post(
                reverse("user_deactivate", args=[world.account.slug, world.member.pk])
            )
        assert response.status_code == 302
        world.member.refresh_from_db()
        assert not world.member.is_active
        assert not Session.objects.filter(session_key=member_session).exists()
        response = account_page(member_client, world.account.slug)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("account_login")
        )
        assert Activity.objects.filter(actor=world.member, verb="ticked a task").exists()
        assert Membership.objects.filter(user=world.member, account=world.account).exists()
        login = client_for(None).post(
            reverse("account_login"), {"login": world.member.email, "password": PASSWORD}
        )
        assert not login.wsgi_request.user.is_authenticated

    def test_a_csm_cannot_deactivate_someone_who_is_also_in_another_portfolio(
        self, world: World
    ) -> None:
        Membership.objects.create(user=world.member, account=world.other_account, role="member")
        client = client_for(world.csm)
        with unchanged():
            response = client.post(
                reverse("user_deactivate", args=[world.account.slug, world.member.pk])
            )
        assert response.status_code == 403
        # A CS admin can.
        response = client_for(world.admin).post(
            reverse("user_deactivate", args=[world.account.slug, world.member.pk])
        )
        assert response.status_code == 302


class TestPreview:
    def test_a_csm_views_the_portal_as_a_customer_read_only(self, world: World) -> None:
        client = client_for(world.csm)
        home = reverse("account_home", args=[world.account.slug])
        client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "member"})
        page = client.get(home)
        assert b"as <strong>a member</strong> would see it" in page.content
        assert b"Edit account" not in page.content
        assert Activity.objects.filter(
            verb="viewed the portal as a customer", actor=world.csm
        ).exists()
        with unchanged():
            response = client.post(
                reverse("people_invite", args=[world.account.slug]),
                {"email": "x@customer.example", "role": "member"},
            )
            assert response.status_code == 403
            assert client.get(reverse("account_edit", args=[world.account.slug])).status_code == 403
        client.post(reverse("view_as_end", args=[world.account.slug]))
        assert b"Edit account" in client.get(home).content

    def test_a_bad_preview_role_changes_nothing(self, world: World) -> None:
        client = client_for(world.csm)
        with unchanged():
            client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "admin"})
        assert b"Leave preview" not in account_page(client, world.account.slug).content


def test_a_user_without_any_account_is_told_how_to_get_in(db: None) -> None:
    response = client_for(UserFactory.create()).get("/")
    assert response.status_code == 200
    assert b"not part of any account yet" in response.content


class TestPeoplePage:
    @pytest.mark.parametrize("persona", ["champion", "member", "csm", "admin"])
    def test_the_page_runs_the_same_queries_for_3_and_33_people(
        self, world: World, persona: str
    ) -> None:
        client = client_for(getattr(world, persona))
        url = reverse("people", args=[world.account.slug])
        three = page_queries(client, url)
        for _ in range(30):
            MembershipFactory.create(account=world.account)
        assert world.account.memberships.count() == 33
        thirty_three = page_queries(client, url)
        assert_same_queries(three, thirty_three, f"the People page as {persona}")

    def test_a_csm_may_deactivate_only_people_wholly_in_their_portfolio(self, world: World) -> None:
        also_elsewhere = MembershipFactory.create(account=world.account).user
        Membership.objects.create(user=also_elsewhere, account=world.other_account)
        also_ownerless = MembershipFactory.create(account=world.account).user
        Membership.objects.create(user=also_ownerless, account=AccountFactory.create(owner=None))
        second_account = AccountFactory.create(owner=world.csm)
        in_two_of_mine = MembershipFactory.create(account=world.account).user
        Membership.objects.create(user=in_two_of_mine, account=second_account)
        people = [
            world.champion,
            world.member,
            also_elsewhere,
            also_ownerless,
            in_two_of_mine,
            world.csm,
            world.other_csm,
            world.admin,
            UserFactory.create(),  # in no account
        ]
        mine = {world.champion.pk, world.member.pk, in_two_of_mine.pk}
        assert deactivatable(world.csm, people) == mine
        assert {p.pk for p in people if may_deactivate(world.csm, p)} == mine
        # A CS admin: everyone but themselves; a customer: nobody.
        assert deactivatable(world.admin, people) == {p.pk for p in people} - {world.admin.pk}
        assert deactivatable(world.champion, people) == set()

    def test_the_page_offers_deactivation_where_it_is_allowed(self, world: World) -> None:
        also_elsewhere = MembershipFactory.create(account=world.account).user
        Membership.objects.create(user=also_elsewhere, account=world.other_account)
        page = client_for(world.csm).get(reverse("people", args=[world.account.slug]))
        html = page.content.decode()
        slug = world.account.slug
        assert reverse("user_deactivate", args=[slug, world.member.pk]) in html
        assert reverse("user_deactivate", args=[slug, also_elsewhere.pk]) not in html
        champion_page = client_for(world.champion).get(reverse("people", args=[slug]))
        assert b"Deactivate" not in champion_page.content

    def test_a_champion_may_not_resend_or_revoke_a_champion_s_invitation(
        self, world: World
    ) -> None:
        invitation = send_invitation(world, "boss@customer.example", "champion")
        client = client_for(world.champion)
        for name in ("invitation_resend", "invitation_revoke"):
            with unchanged():
                response = client.post(reverse(name, args=[world.account.slug, invitation.pk]))
            assert response.status_code == 403, name

    def test_an_invalid_form_keeps_the_deactivate_buttons(self, world: World) -> None:
        response = client_for(world.csm).post(
            reverse("people_invite", args=[world.account.slug]), {"email": "nope", "role": "member"}
        )
        assert response.status_code == 422
        slug = world.account.slug
        assert reverse("user_deactivate", args=[slug, world.member.pk]).encode() in response.content


class TestSessions:
    def test_every_log_in_is_tracked_by_user(self, world: World) -> None:
        client_for(world.member)  # django.contrib.auth.login, as after accepting an invitation
        invitation = send_invitation(world, "nina@customer.example")
        newcomer = client_for(None)
        accept(newcomer, invitation)
        nina = User.objects.get(email="nina@customer.example")
        assert UserSession.objects.filter(user=world.member).count() == 1
        assert list(
            UserSession.objects.filter(user=nina).values_list("session_key", flat=True)
        ) == [newcomer.session.session_key]

    def test_ending_one_person_s_sessions_costs_the_same_for_5_or_500_others(
        self, world: World
    ) -> None:
        laptop, phone = client_for(world.member), client_for(world.member)
        keys = [laptop.session.session_key, phone.session.session_key]

        def others(count: int) -> None:
            people = [
                UserFactory.build(email=f"other{i}.{count}@customer.example") for i in range(count)
            ]
            User.objects.bulk_create(people)
            people = list(User.objects.filter(email__endswith=f".{count}@customer.example"))
            store_class = Session.get_session_store_class()
            assert store_class is not None
            store = store_class()
            expires = timezone.now() + timedelta(days=1)
            Session.objects.bulk_create(
                Session(
                    session_key=f"other-{count}-{person.pk}",
                    session_data=store.encode({"_auth_user_id": str(person.pk)}),
                    expire_date=expires,
                )
                for person in people
            )
            UserSession.objects.bulk_create(
                UserSession(user=person, session_key=f"other-{count}-{person.pk}", ip="10.0.0.1")
                for person in people
            )

        others(5)
        with counting() as five:
            end_sessions(world.member)
        assert not Session.objects.filter(session_key__in=keys).exists()
        assert not UserSession.objects.filter(user=world.member).exists()
        laptop, phone = client_for(world.member), client_for(world.member)
        others(495)
        assert Session.objects.count() == 502
        with counting() as five_hundred:
            end_sessions(world.member)
        assert_same_queries(len(five), len(five_hundred), "ending one person's sessions")
        assert Session.objects.count() == 500
        assert account_page(laptop, world.account.slug).status_code == 302
