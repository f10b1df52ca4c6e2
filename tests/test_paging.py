"""Long lists a page at a time: the people page, an account's activity, a task's discussion and
the survey campaigns. Each lists one page, keeps its query count as the list grows threefold,
moves on with ?page=, and answers a junk page number with a 404 and one past the end with the
last page (never a 500)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Activity, Membership, User
from onboarding.models import Task, TaskComment
from tests.conftest import World, client_for
from tests.factories import UserFactory
from tests.onboarding_helpers import start
from tests.queries import assert_same_queries, page_queries
from tests.survey_helpers import make_campaign, make_survey

JUNK = ["0", "-1", "abc", "1e3", ""]


def add_members(world: World, n: int) -> None:
    users = UserFactory.create_batch(n)
    Membership.objects.bulk_create(
        Membership(user=u, account=world.account, role="member") for u in users
    )


def add_activity(world: World, n: int, first: int = 0) -> None:
    Activity.objects.bulk_create(
        Activity(account=world.account, actor=world.champion, verb=f"did thing {i}")
        for i in range(first, first + n)
    )


def add_comments(task: Task, author: User, n: int) -> None:
    TaskComment.objects.bulk_create(
        TaskComment(task=task, author=author, body=f"Comment number {i}") for i in range(n)
    )


def assert_junk_is_404(client: Any, path: str) -> None:
    for junk in JUNK:
        assert client.get(path, {"page": junk}).status_code == 404, junk
    assert client.get(path, {"page": "9999"}).status_code == 200


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_the_people_page_lists_50_members_a_page(world: World, persona: str) -> None:
    client = client_for(world.persona(persona))
    path = reverse("people", args=["acme"])
    add_members(world, 60)
    before = page_queries(client, path)
    assert before <= 12
    add_members(world, 120)
    assert_same_queries(before, page_queries(client, path), "the people page")
    total = world.account.memberships.count()
    first = client.get(path).text
    assert f'<span class="count">{total}</span>' in first and f"1–50 of {total}" in first
    second = client.get(path, {"page": "2"}).text
    assert f"51–100 of {total}" in second
    names = [
        m.user.display_name
        for m in world.account.memberships.select_related("user").order_by(
            "role", "user__name", "pk"
        )
    ]
    assert names[50] in second and names[50] not in first
    assert_junk_is_404(client, path)


def test_the_activity_page_lists_50_entries_a_page(world: World) -> None:
    client = client_for(world.csm)
    path = reverse("account_activity", args=["acme"])
    add_activity(world, 60)
    before = page_queries(client, path)
    add_activity(world, 120, first=60)
    assert_same_queries(before, page_queries(client, path), "the activity page")
    pages = [client.get(path, {"page": str(n)}).text for n in range(1, 5)]
    assert Activity.objects.filter(account=world.account).count() == 180
    shown = [set(re.findall(r"did thing (\d+)<", page)) for page in pages]
    assert [len(s) for s in shown] == [50, 50, 50, 30]
    assert sorted(int(n) for s in shown for n in s) == list(range(180))
    assert client.get(path).text.count('<li class="timeline-item">') == 50
    assert_junk_is_404(client, path)


def test_a_tasks_discussion_opens_on_its_newest_page_of_comments(world: World) -> None:
    start(world)
    task = Task.objects.get(title="Share your goals")
    client = client_for(world.champion)
    path = reverse("onboarding_task", args=["acme", task.pk])
    add_comments(task, world.champion, 60)
    before = page_queries(client, path)
    add_comments(task, world.csm, 120)
    assert_same_queries(before, page_queries(client, path), "a task's page")
    page = client.get(path).text  # the last page: comments 151 to 180, the newest
    assert page.count('<li class="timeline-item">') == 30
    assert '<span class="count">180</span>' in page and "151–180 of 180" in page
    assert "Comment number 119<" in page and "Comment number 89<" not in page
    first = client.get(path, {"page": "1"}).text
    assert first.count('<li class="timeline-item">') == 50
    assert "Comment number 0<" in first and "Comment number 119<" not in first
    assert_junk_is_404(client, path)


def test_the_survey_campaigns_are_listed_50_a_page(world: World) -> None:
    survey = make_survey(world.csm)
    client = client_for(world.csm)
    path = reverse("surveys")
    for i in range(20):
        make_campaign(survey, world.csm, name=f"Campaign {i:03d}")
    before = page_queries(client, path)
    for i in range(20, 60):
        make_campaign(survey, world.csm, name=f"Campaign {i:03d}")
    assert_same_queries(before, page_queries(client, path), "the surveys page")
    first = client.get(path).text
    assert "Campaign 059" in first and "Campaign 009<" not in first and "1–50 of 60" in first
    second = client.get(path, {"page": "2"}).text
    assert "Campaign 009" in second and "Campaign 059" not in second
    assert_junk_is_404(client, path)
