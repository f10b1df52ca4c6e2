"""Product updates: who they reach, when, what customers see and do, and what the vendor
learns of it. The URL x role matrix is in tests/test_access_matrix.py (tests/updates_helpers.py)."""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accounts.inbox import collect_inbox_digests
from accounts.models import (
    CustomerRole,
    Delivery,
    Notification,
    NotificationKind,
    NotificationSetting,
    Segment,
    Stage,
)
from insights.models import FeatureUsageDay
from tests.conftest import World, client_for
from tests.factories import AccountFactory, MembershipFactory
from tests.queries import assert_same_queries, page_queries
from tests.snapshot import unchanged
from tests.updates_helpers import UpdateFactory
from updates.figures import reach
from updates.models import Audience, Status, Update, UpdateAccount, UpdateReaction, UpdateRead
from updates.services import (
    audience_accounts,
    publish_due_updates,
    publish_update,
    schedule_update,
    tell_readers,
    unpublish_update,
)

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)
ALL_ROLES = ["champion", "executive", "member"]


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


def feed_titles(user: Any, slug: str = "acme") -> list[str]:
    html = client_for(user).get(reverse("updates", args=[slug])).content.decode()
    return re.findall(
        r'class="update-item-title"><a [^>]*>(?:<span[^>]*>Unread: </span>)?([^<]+)<', html
    )


def publish(world: World, **fields: Any) -> Update:
    update = UpdateFactory.create(created_by=world.csm, **fields)
    return publish_update(update, acting_user=world.csm)


# Targeting -----------------------------------------------------------------------------------


def test_all_accounts_reach_every_account_but_the_churned(world: World) -> None:
    gone = AccountFactory.create(stage=Stage.CHURNED)
    update = publish(world, title="For everyone")
    reached = set(UpdateAccount.objects.filter(update=update).values_list("account", flat=True))
    assert reached == {world.account.pk, world.other_account.pk}
    assert gone.pk not in reached
    assert feed_titles(world.champion) == ["For everyone"]
    assert feed_titles(world.other_champion, "bluth") == ["For everyone"]


def test_a_segment_reaches_only_its_accounts(world: World) -> None:
    world.account.segment, world.other_account.segment = Segment.ENTERPRISE, Segment.SMB
    world.account.save()
    world.other_account.save()
    publish(world, title="Enterprise news", audience=Audience.SEGMENTS, segments="enterprise")
    assert feed_titles(world.champion) == ["Enterprise news"]
    assert feed_titles(world.other_champion, "bluth") == []


def test_a_stage_reaches_only_its_accounts(world: World) -> None:
    world.account.stage, world.other_account.stage = Stage.ONBOARDING, Stage.RENEWAL
    world.account.save()
    world.other_account.save()
    publish(world, title="Renewal news", audience=Audience.STAGES, stages="renewal,growth")
    assert feed_titles(world.champion) == []
    assert feed_titles(world.other_champion, "bluth") == ["Renewal news"]


def test_roles_choose_who_in_the_account_sees_it(world: World) -> None:
    update = publish(world, title="For sponsors", roles="executive,champion")
    assert feed_titles(world.executive) == ["For sponsors"]
    assert feed_titles(world.champion) == ["For sponsors"]
    assert feed_titles(world.member) == []
    member = client_for(world.member)
    assert member.get(reverse("update", args=["acme", update.pk])).status_code == 404
    # The CSM sees every update the account got.
    assert feed_titles(world.csm) == ["For sponsors"]


def use_feature(account: Any, feature: str, day: date, events: int = 5) -> None:
    FeatureUsageDay.objects.create(
        account=account, day=day, feature=feature, monthly_users=2, events=events
    )


def test_feature_used_and_not_used_split_the_accounts(world: World) -> None:
    today = NOW.date()
    use_feature(world.account, "exports", today - timedelta(days=2))
    use_feature(world.other_account, "exports", today - timedelta(days=45))  # too long ago
    use_feature(world.other_account, "alerts", today - timedelta(days=1))
    used = publish(world, title="Exports fix", audience=Audience.FEATURE_USED, feature="exports")
    unused = publish(
        world, title="Try exports", audience=Audience.FEATURE_NOT_USED, feature="exports"
    )
    assert audience_accounts(used) == [world.account.pk]
    assert audience_accounts(unused) == [world.other_account.pk]
    assert feed_titles(world.champion) == ["Exports fix"]
    assert feed_titles(world.other_champion, "bluth") == ["Try exports"]


# Publishing, scheduling, unpublishing --------------------------------------------------------


def test_a_scheduled_update_goes_out_at_its_time_and_tells_its_readers(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    update = UpdateFactory.create(created_by=world.csm, title="Coming soon")
    schedule_update(update, publish_at=NOW + timedelta(hours=2), acting_user=world.csm)
    assert publish_due_updates() == 0
    assert feed_titles(world.champion) == []
    with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert publish_due_updates() == 1
        assert publish_due_updates() == 0  # claimed once
        update.refresh_from_db()
        assert update.status == Status.PUBLISHED
        assert feed_titles(world.champion) == ["Coming soon"]
    told = Notification.objects.filter(kind=NotificationKind.UPDATES, account=world.account)
    assert {n.user for n in told} == {world.champion, world.executive, world.member}


def test_telling_twice_tells_once(world: World) -> None:
    update = publish(world, title="Once")
    first = tell_readers(update.pk)
    assert first == 4  # acme's three people and bluth's champion
    assert tell_readers(update.pk) == 0
    assert Notification.objects.filter(kind="updates").count() == 4


def test_unpublishing_takes_it_out_of_every_feed(world: World) -> None:
    update = publish(world, title="Oops")
    champion = client_for(world.champion)
    assert champion.get(reverse("update", args=["acme", update.pk])).status_code == 200
    unpublish_update(update, acting_user=world.csm)
    assert feed_titles(world.champion) == []
    assert champion.get(reverse("update", args=["acme", update.pk])).status_code == 404
    assert champion.get(reverse("update_image", args=["acme", update.pk])).status_code == 404


def test_drafts_and_scheduled_updates_never_reach_customers(world: World) -> None:
    draft = UpdateFactory.create(title="Draft", created_by=world.csm)
    soon = UpdateFactory.create(title="Soon", created_by=world.csm)
    schedule_update(soon, publish_at=NOW + timedelta(days=1), acting_user=world.csm)
    # Even with an audience row left behind, a draft is not shown.
    UpdateAccount.objects.create(update=draft, account=world.account)
    for user in (world.champion, world.executive, world.member):
        assert feed_titles(user) == []
        for update in (draft, soon):
            response = client_for(user).get(reverse("update", args=["acme", update.pk]))
            assert response.status_code == 404


def test_the_editor_publishes_and_the_vendor_sees_it_in_the_list(world: World) -> None:
    csm = client_for(world.csm)
    response = csm.post(
        reverse("update_create"),
        {
            "title": "Bulk edit",
            "category": "feature",
            "body": "Edit many rows at once.",
            "audience": "all",
            "role_choices": ALL_ROLES,
            "action": "publish",
        },
    )
    update = Update.objects.get(title="Bulk edit")
    assert response.status_code == 302 and response["Location"] == f"/updates/{update.pk}/"
    assert update.status == Status.PUBLISHED and update.created_by == world.csm
    assert "Bulk edit" in csm.get(reverse("updates_console")).content.decode()


def test_markdown_is_sanitised(world: World) -> None:
    update = publish(world, body="**Bold** <script>alert(1)</script> [x](javascript:alert(1))")
    html = client_for(world.champion).get(reverse("update", args=["acme", update.pk]))
    body = html.content.decode()
    assert "<strong>Bold</strong>" in body
    assert "<script>alert" not in body
    assert 'href="javascript' not in body and "[x](javascript:alert(1))" in body  # as text


# Reading, the badge, reactions ---------------------------------------------------------------


def badge(user: Any) -> str | None:
    html = client_for(user).get(reverse("account_home", args=["acme"])).content.decode()
    found = re.search(r'aria-label="Updates (\d+) unread"', html)
    return found.group(1) if found else None


def test_the_badge_counts_unread_updates_and_opening_one_clears_it(world: World) -> None:
    first = publish(world, title="First")
    publish(world, title="Second")
    assert badge(world.champion) == "2"
    assert badge(world.csm) is None  # vendor staff get no badge
    client_for(world.champion).get(reverse("update", args=["acme", first.pk]))
    assert badge(world.champion) == "1"
    assert badge(world.member) == "2"  # each person's own
    response = client_for(world.champion).post(reverse("updates_read_all", args=["acme"]))
    assert response.status_code == 302
    assert badge(world.champion) is None
    assert UpdateRead.objects.filter(user=world.champion).count() == 2


def test_the_vendor_opening_an_update_does_not_count_as_read(world: World) -> None:
    update = publish(world)
    assert client_for(world.csm).get(reverse("update", args=["acme", update.pk])).status_code == 200
    assert not UpdateRead.objects.exists()


def test_useful_toggles_on_and_off(world: World) -> None:
    update = publish(world, title="Handy")
    champion = client_for(world.champion)
    url = reverse("update_useful", args=["acme", update.pk])
    champion.post(url)
    assert UpdateReaction.objects.filter(update=update, user=world.champion).exists()
    response = champion.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'aria-pressed="false"' in response.content.decode()
    assert not UpdateReaction.objects.exists()
    response = champion.post(url, headers={"HX-Request": "true"})
    assert 'aria-pressed="true"' in response.content.decode()
    assert "1 person finds this useful" in response.content.decode()


# Reach ---------------------------------------------------------------------------------------


def test_reach_counts_accounts_and_people_who_read_it(world: World) -> None:
    third = AccountFactory.create(name="Cyberdyne")
    MembershipFactory.create(account=third, role=CustomerRole.CHAMPION)
    update = publish(world, title="Reach me")
    for user in (world.champion, world.member):
        client_for(user).get(reverse("update", args=["acme", update.pk]))
    client_for(world.champion).post(reverse("update_useful", args=["acme", update.pk]))
    figures = reach(update)
    assert (figures.accounts, figures.accounts_read) == (3, 1)
    assert (figures.people, figures.people_read, figures.useful) == (5, 2, 1)
    acme = next(row for row in figures.by_account if row.account == world.account)
    assert (acme.audience, acme.read, acme.useful) == (3, 2, 1)
    assert {r.email for r in figures.readers} == {world.champion.email, world.member.email}
    page = client_for(world.csm).get(reverse("update_reach", args=[update.pk])).content.decode()
    assert world.member.display_name in page and "Cyberdyne" in page


# The inbox and its digest --------------------------------------------------------------------


def test_each_reader_hears_as_they_chose(world: World) -> None:
    NotificationSetting.objects.create(
        user=world.champion, kind=NotificationKind.UPDATES, delivery=Delivery.DIGEST
    )
    NotificationSetting.objects.create(
        user=world.member, kind=NotificationKind.UPDATES, delivery=Delivery.OFF
    )
    update = publish(world, title="Digest me", roles="champion,executive,member")
    UpdateAccount.objects.filter(update=update).exclude(account=world.account).delete()
    mail.outbox.clear()
    tell_readers(update.pk)
    # The executive (no choice made: at once) gets an e-mail now; nobody else does.
    assert [m.to for m in mail.outbox] == [[world.executive.email]]
    assert "Digest me" in mail.outbox[0].subject
    items = Notification.objects.filter(kind="updates")
    assert {i.user for i in items} == {world.champion, world.executive, world.member}
    digests = collect_inbox_digests(NOW.date())
    assert list(digests) == [world.champion.pk]
    assert [i.title for i in digests[world.champion.pk].items] == ["New feature: Digest me"]


# Bad input -----------------------------------------------------------------------------------


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Refused",
        "category": "fix",
        "body": "Text",
        "audience": "all",
        "role_choices": ALL_ROLES,
        "action": "publish",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"audience": "segments"}, "Choose at least one segment"),
        ({"audience": "stages"}, "Choose at least one stage"),
        ({"audience": "feature_used", "feature": " "}, "Name the feature"),
        ({"role_choices": None}, "this update would reach nobody"),
        ({"audience": "everyone"}, "Select a valid choice"),
        ({"category": "rumour"}, "Select a valid choice"),
        ({"title": ""}, "This field is required"),
        ({"action": "schedule"}, "Choose when to publish it"),
        ({"action": "schedule", "publish_at": "2026-11-01T09:00"}, "a time in the future"),
        ({"action": "launch"}, "Select a valid choice"),
    ],
)
def test_an_update_aimed_at_nothing_or_malformed_is_refused_and_nothing_changes(
    world: World, changes: dict[str, Any], message: str
) -> None:
    csm = client_for(world.csm)
    with unchanged():
        response = csm.post(reverse("update_create"), form(**changes))
    assert response.status_code == 422
    assert message in response.content.decode()


def test_publishing_to_an_audience_nobody_matches_keeps_the_saved_draft(world: World) -> None:
    draft = UpdateFactory.create(title="Kept", body="As it was", created_by=world.csm)
    csm = client_for(world.csm)
    data = form(title="Changed", audience="feature_used", feature="teleport")
    with unchanged():
        response = csm.post(reverse("update_edit", args=[draft.pk]), data)
    assert response.status_code == 422
    assert "No account matches this audience" in response.content.decode()
    # The typed text comes back to be fixed; the saved draft is as it was.
    assert 'value="Changed"' in response.content.decode()
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Kept", Status.DRAFT)
    response = csm.post(reverse("update_publish", args=[draft.pk]))
    assert response.status_code == 302  # the draft's own audience: all accounts
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED


def test_a_published_update_is_unpublished_before_it_changes(world: World) -> None:
    update = publish(world, title="Live")
    csm = client_for(world.csm)
    with unchanged():
        response = csm.post(reverse("update_edit", args=[update.pk]), form(action="draft"))
    assert response.status_code == 302
    assert response["Location"] == reverse("update_reach", args=[update.pk])
    with unchanged():
        response = csm.post(reverse("update_publish", args=[update.pk]))
    assert response.status_code == 422
    assert "published already" in response.content.decode()


def test_a_draft_cannot_be_unpublished(world: World) -> None:
    draft = UpdateFactory.create(created_by=world.csm)
    csm = client_for(world.csm)
    with unchanged():
        response = csm.post(reverse("update_unpublish", args=[draft.pk]))
    assert response.status_code == 422


def test_a_file_that_is_not_an_image_is_refused(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    junk = SimpleUploadedFile("shot.png", b"not a picture", content_type="image/png")
    csm = client_for(world.csm)
    with unchanged():
        response = csm.post(reverse("update_create"), {**form(action="draft"), "image": junk})
    assert response.status_code == 422
    assert "Upload a valid image" in response.content.decode()


# Cost ----------------------------------------------------------------------------------------


def many(world: World, n: int) -> None:
    updates = Update.objects.bulk_create(
        [
            Update(title=f"Update {i}", body="x", status=Status.PUBLISHED, published_at=NOW)
            for i in range(n)
        ]
    )
    UpdateAccount.objects.bulk_create(
        [UpdateAccount(update=u, account=world.account) for u in updates]
    )
    UpdateRead.objects.bulk_create(
        [UpdateRead(update=u, user=world.member, account=world.account) for u in updates[::2]]
    )


@pytest.mark.parametrize(
    "persona,path",
    [
        ("champion", "/a/acme/updates/"),
        ("champion", "/a/acme/"),
        ("csm", "/updates/"),
        ("csm", "/a/acme/updates/"),
    ],
)
def test_pages_cost_the_same_with_10_and_1000_updates(
    world: World, persona: str, path: str
) -> None:
    client = client_for(world.persona(persona))
    many(world, 10)
    few = page_queries(client, path)
    many(world, 990)
    assert_same_queries(few, page_queries(client, path), path)


def test_the_reach_page_costs_the_same_with_more_readers(world: World) -> None:
    update = publish(world)
    client = client_for(world.csm)
    path = reverse("update_reach", args=[update.pk])
    UpdateRead.objects.create(update=update, user=world.champion, account=world.account)
    few = page_queries(client, path)
    for _ in range(30):
        person = MembershipFactory.create(account=world.account, role="member").user
        UpdateRead.objects.create(update=update, user=person, account=world.account)
    assert_same_queries(few, page_queries(client, path), path)


def test_an_image_over_the_size_limit_is_refused(world: World, monkeypatch: Any) -> None:
    from tests.updates_helpers import png_file

    monkeypatch.setattr("updates.forms.MAX_IMAGE_BYTES", 10)
    csm = client_for(world.csm)
    with unchanged():
        response = csm.post(reverse("update_create"), {**form(action="draft"), "image": png_file()})
    assert response.status_code == 422
    assert "larger than 5 MB" in response.content.decode()


def test_an_image_is_served_to_its_readers_only(world: World, settings: Any, tmp_path: Any) -> None:
    from tests.updates_helpers import png_file

    settings.MEDIA_ROOT = tmp_path
    update = publish(world, image=png_file())
    url = reverse("update_image", args=["acme", update.pk])
    response = client_for(world.champion).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    UpdateAccount.objects.filter(update=update, account=world.other_account).delete()
    other = client_for(world.other_champion).get(reverse("update_image", args=["bluth", update.pk]))
    assert other.status_code == 404


# The feed's champion page: the session, the person, the account, the layout's badges (the
# unread updates among them, which the page's own heading reuses), the account switcher, the
# page of updates with the feed's length, the visit. No count of its own, none per update.
FEED_QUERIES = 7


def test_the_feed_runs_the_same_few_queries_with_10_and_1000_updates(world: World) -> None:
    client = client_for(world.champion)
    many(world, 10)
    assert page_queries(client, "/a/acme/updates/") == FEED_QUERIES
    many(world, 990)
    assert page_queries(client, "/a/acme/updates/") == FEED_QUERIES


@pytest.mark.parametrize("persona", ["champion", "csm"])
def test_each_feed_page_is_the_paginators_page(world: World, persona: str) -> None:
    from django.core.paginator import Paginator

    from accounts.access import AccountAccess, role_on_account
    from updates.figures import FEED_PAGE, feed, feed_page

    many(world, 2 * FEED_PAGE + 5)
    user = world.persona(persona)
    role = role_on_account(user, world.account)
    assert role is not None
    access = AccountAccess(account=world.account, role=role)
    for number in [None, "1", "2", "3", "4", "0", "-1", "two", "2.0"]:
        page = feed_page(access, user, number)
        expected = Paginator(feed(access, user), FEED_PAGE).get_page(number)
        assert page.number == expected.number, number
        assert page.paginator.count == expected.paginator.count == 2 * FEED_PAGE + 5
        assert [u.pk for u in page] == [u.pk for u in expected], number
        flags = [(getattr(u, "is_read"), getattr(u, "useful_count")) for u in page]  # noqa: B009
        assert flags == [(getattr(u, "is_read"), getattr(u, "useful_count")) for u in expected]  # noqa: B009


def test_the_feed_shows_each_updates_text_cut_short_without_its_markup(world: World) -> None:
    body = (
        "**Faster** exports & <script>x()</script> [reports](https://example.com). " + "Long " * 60
    )
    publish(world, title="Exports", body=body)
    html = client_for(world.champion).get(reverse("updates", args=["acme"])).content.decode()
    (shown,) = re.findall(r'<p class="update-item-excerpt">(.*?)</p>', html)
    # Typed HTML is text, never markup; the rest is the Markdown's words.
    assert shown.startswith("Faster exports &amp; &lt;script&gt;x()&lt;/script&gt; reports. Long")
    assert "<" not in shown
    assert len(html_module.unescape(shown)) <= 220 and shown.endswith("Long L…")
