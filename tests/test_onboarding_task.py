"""The task screen: assigning, the discussion on both sides, @mentions (bug 12), unique ids
(bug 23).

Bug 12: "@Priya" in a task comment notified nobody, and customers could not comment on the
vendor's tasks. Now champions, members and vendor staff comment on every shared task,
internal tasks stay the vendor's, and a mention e-mails the person after commit, by a task
that checks again that they may see the account and want such e-mails.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from accounts.mentions import mentionable_people, mentioned_people
from accounts.models import Activity, Delivery, Membership, NotificationSetting, User
from onboarding.models import Task, TaskComment
from portal.models import Job
from tests.conftest import World, client_for
from tests.factories import AdminFactory, MembershipFactory
from tests.onboarding_helpers import NOW, onboarding_state, start


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def named(world: World) -> World:
    """The world's people with the names the demo gives them."""
    for user, name in [
        (world.csm, "Priya Natarajan"),
        (world.champion, "Dana Whitfield"),
        (world.member, "Sam Ortiz"),
        (world.executive, "Evelyn Park"),
        (world.other_champion, "Quinn Outsider"),
        (world.admin, "Ada Admin"),
    ]:
        User.objects.filter(pk=user.pk).update(name=name)
        user.refresh_from_db()
    start(world)
    return world


def task(title: str) -> Task:
    return Task.objects.get(title=title)


def url(name: str, *args: Any) -> str:
    return reverse(name, args=["acme", *args])


def comment(
    world: World, persona: str, title: str, body: str, capture: Any, *, htmx: bool = False
) -> Any:
    """Post a comment as ``persona`` and run what waits for the commit (the mention jobs)."""
    headers = {"HX-Request": "true"} if htmx else {}
    with capture(execute=True):
        return client_for(world.persona(persona)).post(
            url("onboarding_task_comment", task(title).pk), {"body": body}, headers=headers
        )


def mailed() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


# Who comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["champion", "member", "csm", "admin"])
@pytest.mark.parametrize("title", ["Kickoff call", "Share your goals", "Connect your data"])
def test_champions_members_and_vendor_staff_comment_on_every_shared_task(
    named: World, persona: str, title: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = comment(named, persona, title, "On it.", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == f"{url('onboarding_task', task(title).pk)}#comments"
    [saved] = TaskComment.objects.all()
    assert (saved.task.title, saved.author, saved.body) == (title, named.persona(persona), "On it.")
    assert Activity.objects.filter(verb="commented on a task", actor=saved.author).exists()
    page = client_for(named.persona(persona)).get(url("onboarding_task", task(title).pk))
    assert b'action="' + url("onboarding_task_comment", task(title).pk).encode() in page.content


def test_executives_read_the_discussion_but_do_not_comment(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    before = onboarding_state()
    response = comment(
        named, "executive", "Share your goals", "Me too", django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert onboarding_state() == before
    page = client_for(named.executive).get(url("onboarding_task", task("Share your goals").pk))
    assert page.status_code == 200
    assert url("onboarding_task_comment", task("Share your goals").pk).encode() not in page.content


def test_internal_tasks_stay_the_vendors(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    internal = task("Internal handover")
    before = onboarding_state()
    for persona in ["champion", "member"]:
        response = comment(
            named, persona, "Internal handover", "Peek", django_capture_on_commit_callbacks
        )
        assert response.status_code == 404
    assert onboarding_state() == before
    response = comment(
        named, "csm", "Internal handover", "Done the handover", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert TaskComment.objects.get().task == internal
    assert Activity.objects.get(verb="commented on a task").internal is True


def test_an_htmx_comment_comes_back_in_the_discussion(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    response = comment(
        named,
        "member",
        "Connect your data",
        "Which warehouse do you support?",
        django_capture_on_commit_callbacks,
        htmx=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section class="card" id="comments"')
    assert "Which warehouse do you support?" in body
    assert 'id="comment-body"' in body and "Which warehouse" not in body.split("<form")[1]


def test_an_empty_comment_is_a_422_in_the_discussion(named: World) -> None:
    before = onboarding_state()
    response = client_for(named.champion).post(
        url("onboarding_task_comment", task("Share your goals").pk),
        {"body": "   "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<section class="card" id="comments"')
    assert "Write something first." in response.content.decode()
    assert onboarding_state() == before


def test_comments_are_escaped(named: World, django_capture_on_commit_callbacks: Any) -> None:
    comment(
        named,
        "champion",
        "Share your goals",
        "<script>alert(1)</script>",
        django_capture_on_commit_callbacks,
    )
    page = client_for(named.csm).get(url("onboarding_task", task("Share your goals").pk)).content
    assert b"<script>alert(1)</script>" not in page and b"&lt;script&gt;" in page


# Mentions -------------------------------------------------------------------------------------


def test_a_first_name_mention_emails_the_csm_after_commit(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Bug 12 as reported: "@Priya" on a task notified nobody."""
    goals = task("Share your goals")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(named.champion).post(
            url("onboarding_task_comment", goals.pk), {"body": "@Priya can you check these?"}
        )
    assert mail.outbox == []  # nothing before the commit
    [job] = Job.objects.filter(task="onboarding.send_task_mention")
    assert job.kwargs == {"comment_id": TaskComment.objects.get().pk, "user_id": named.csm.pk}
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [named.csm.email]
    assert message.subject == "Dana Whitfield mentioned you on “Share your goals”"
    assert "@Priya can you check these?" in message.body
    assert f"{url('onboarding_task', goals.pk)}#comments" in message.body
    assert isinstance(message, EmailMultiAlternatives)
    html, _ = message.alternatives[0]
    assert isinstance(html, str) and "Reply on the task" in html
    Job.objects.get(pk=job.pk, status=Job.Status.DONE)


def test_the_csm_mentions_the_champion_on_a_vendor_task(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    comment(
        named,
        "csm",
        "Kickoff call",
        "Booked for Tuesday, @dana.",
        django_capture_on_commit_callbacks,
    )
    assert mailed() == [named.champion.email]


def test_full_names_and_addresses_work_and_each_person_hears_once(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    body = (
        f"@Sam Ortiz and @{named.executive.email}, see above. @sam again, and @Ada too; "
        "write to someone@example.com for access."
    )
    comment(named, "champion", "Share your goals", body, django_capture_on_commit_callbacks)
    assert mailed() == sorted([named.member.email, named.executive.email, named.admin.email])


def test_nobody_outside_the_account_and_not_the_author_is_mentioned(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    # Quinn is the champion of another account, Olive its CSM; Dana writes the comment.
    comment(
        named,
        "champion",
        "Share your goals",
        "@Quinn, @Olive Other, @Dana: anyone?",
        django_capture_on_commit_callbacks,
    )
    assert mailed() == []
    assert not Job.objects.filter(task="onboarding.send_task_mention").exists()


def test_on_an_internal_task_customers_are_never_told(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    comment(
        named,
        "csm",
        "Internal handover",
        "@Dana @Sam the contract says SSO; @Ada FYI",
        django_capture_on_commit_callbacks,
    )
    assert mailed() == [named.admin.email]


def test_people_who_turned_task_emails_off_are_not_emailed(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationSetting.objects.create(user=named.csm, kind="tasks", delivery=Delivery.OFF)
    comment(
        named, "champion", "Share your goals", "@Priya please", django_capture_on_commit_callbacks
    )
    assert mailed() == []


def test_someone_who_left_the_account_before_the_email_went_hears_nothing(
    named: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(named.champion).post(
            url("onboarding_task_comment", task("Share your goals").pk), {"body": "@Sam see this"}
        )
    Membership.objects.filter(user=named.member).delete()
    for callback in callbacks:
        callback()
    assert mailed() == []
    assert Job.objects.get(task="onboarding.send_task_mention").status == Job.Status.DONE


# The parser, in accounts/mentions.py ------------------------------------------------------------


def test_the_parser_prefers_the_longest_name_and_ignores_addresses_in_text(db: None) -> None:
    priya = AdminFactory.create(name="Priya Natarajan", email="priya@northwind.example")
    other = AdminFactory.create(name="Priya Natarajan-Smith", email="pns@northwind.example")
    sam_a, sam_b = AdminFactory.create(name="Sam Ortiz"), AdminFactory.create(name="Sam Lee")
    people = [priya, other, sam_a, sam_b]

    def named(body: str) -> list[User]:
        return mentioned_people(body, people)

    assert named("@Priya Natarajan-Smith hi") == [other]
    assert named("@priya natarajan, hi") == [priya]
    assert named("@PRIYA@NORTHWIND.EXAMPLE.") == [priya]
    assert named("@pns: hi") == [other]
    assert set(named("@Sam")) == {sam_a, sam_b}  # a shared first name names both
    assert named("mail priya@northwind.example") == []  # an address in text is no mention
    assert named("@Priyanka") == []  # a name is a whole word
    assert named("no mention here") == named("") == named("@") == []
    assert named("@Sam\nLee, and @Priya\n  Natarajan") == [sam_b, priya]


def test_mentionable_people_are_those_who_may_see_the_account(world: World) -> None:
    leaver = MembershipFactory.create(account=world.account).user
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    everyone = set(mentionable_people(world.account))
    assert everyone == {world.champion, world.executive, world.member, world.csm, world.admin}
    assert set(mentionable_people(world.account, vendor_only=True)) == {world.csm, world.admin}


# Assigning ------------------------------------------------------------------------------------


def test_a_champion_assigns_a_customer_task_to_a_colleague(named: World) -> None:
    goals = task("Share your goals")
    response = client_for(named.champion).post(
        url("onboarding_task_assign", goals.pk), {"assignee": named.executive.pk}
    )
    assert response.status_code == 302
    goals.refresh_from_db()
    assert goals.assignee == named.executive
    entry = Activity.objects.get(verb="assigned a task")
    assert entry.after is not None
    assert entry.after["assignee"] == str(named.executive)


def test_a_champion_does_not_assign_the_vendors_tasks(named: World) -> None:
    kickoff = task("Kickoff call")
    before = onboarding_state()
    response = client_for(named.champion).post(
        url("onboarding_task_assign", kickoff.pk), {"assignee": named.champion.pk}
    )
    assert response.status_code == 403
    assert b"assigned by the vendor" in response.content
    assert onboarding_state() == before
    page = client_for(named.champion).get(url("onboarding_task", kickoff.pk)).content
    assert url("onboarding_task_assign", kickoff.pk).encode() not in page


def test_nobody_outside_the_account_can_be_assigned(named: World) -> None:
    goals = task("Share your goals")
    before = onboarding_state()
    for outsider in [named.other_champion, named.other_csm]:
        response = client_for(named.csm).post(
            url("onboarding_task_assign", goals.pk), {"assignee": outsider.pk}
        )
        assert response.status_code == 422
        assert b"Choose someone who works on this account" in response.content
    assert onboarding_state() == before


# Bug 23: every id on the page once ------------------------------------------------------------


class IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def duplicate_ids(html: str) -> dict[str, int]:
    parser = IdCollector()
    parser.feed(html)
    return {i: n for i, n in parser.ids.items() if n > 1}


@pytest.mark.parametrize("persona", ["champion", "executive", "member", "csm", "admin"])
def test_no_id_appears_twice_on_the_task_and_checklist_pages(named: World, persona: str) -> None:
    client = client_for(named.persona(persona))
    pages = {
        "checklist": url("onboarding"),
        "task": url("onboarding_task", task("Connect your data").pk),
        "vendor task": url("onboarding_task", task("Kickoff call").pk),
        "account": reverse("account_home", args=["acme"]),
    }
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert duplicate_ids(html) == {}, (persona, name)
        if persona in ("csm", "admin") and name == "task":
            # The edit form and the assign form both choose an assignee.
            assert 'id="edit-assignee"' in html and 'id="assign-assignee"' in html


def test_a_stale_edit_page_has_unique_ids_too(named: World) -> None:
    goals = task("Share your goals")
    Task.objects.filter(pk=goals.pk).update(version=goals.version + 1)
    response = client_for(named.csm).post(
        url("onboarding_task_edit", goals.pk),
        {
            "phase": goals.phase_id, "title": "Edited", "owner_side": "customer",
            "required": "on", "version": goals.version,
        },
    )  # fmt: skip
    assert response.status_code == 409
    assert duplicate_ids(response.content.decode()) == {}
