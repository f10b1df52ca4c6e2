"""Chat notifications: a detractor, an overdue task, a health drop, a review asked for or a
customer's comment reaches the Slack or Teams channels that chose it, for the accounts they
cover, as Block Kit or an Adaptive Card, through a real HTTP receiver on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from integrations.forms import ChatChannelForm
from integrations.models import ChatChannel, ChatKind, ChatMessage, ChatStatus
from integrations.services import chat
from playbooks.models import Event, EventKind
from portal.models import Job
from surveys.models import Kind
from surveys.services import record_response
from tests.celery_helpers import REDIS_URL, real_worker
from tests.chat_factories import ChatChannelFactory
from tests.conftest import World, client_for
from tests.factories import AccountFactory, CSMFactory, EventFactory
from tests.queries import count_queries
from tests.snapshot import unchanged
from tests.survey_helpers import deliver, make_campaign, make_survey
from tests.test_jobs import wait_for

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture, settings: Any) -> None:
    time_machine.move_to(NOW, tick=False)
    settings.OUTBOUND_ALLOW_PRIVATE = True  # the receiver is on 127.0.0.1
    settings.SITE_URL = "https://portal.example"


class Receiver:
    """An HTTP server on loopback that records each POSTed JSON body and answers with the
    next status of ``statuses`` (200 once they run out)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def detractor(world: World, account: Any = None, score: int = 3) -> None:
    """A customer of ``account`` answers NPS ``score`` (the detractor event is raised by the
    playbooks receiver and recorded by its job)."""
    account = account or world.account
    person = world.champion if account == world.account else world.other_champion
    survey = make_survey(world.csm, Kind.NPS)
    record_response(
        deliver(make_campaign(survey, world.csm), person, account=account), score, channel="portal"
    )


def test_a_detractor_on_the_csms_account_reaches_their_slack_channel_as_block_kit(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    channel = ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        detractor(world)
    [body] = receiver.bodies
    assert "Acme" in body["text"] and "NPS 3" in body["text"]
    section, context, actions = body["blocks"]
    assert section["type"] == "section" and section["text"]["type"] == "mrkdwn"
    assert section["text"]["text"].startswith("*Acme*: Detractor: ")
    assert "NPS 3" in section["text"]["text"]
    assert context["type"] == "context" and "Owner: Casey CSM" in context["elements"][0]["text"]
    [button] = actions["elements"]
    assert actions["type"] == "actions" and button["type"] == "button"
    assert button["url"] == "https://portal.example" + reverse("account_360", args=["acme"])
    message = ChatMessage.objects.get(channel=channel)
    assert message.status == ChatMessage.Status.SENT and message.response_status == 200
    channel.refresh_from_db()
    assert channel.last_status == ChatStatus.OK and channel.last_delivery_at == NOW


def test_a_detractor_on_another_csms_account_does_not_reach_the_channel(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        detractor(world, world.other_account)
    assert Event.objects.filter(kind=EventKind.NPS_DETRACTOR).count() == 1
    assert receiver.bodies == [] and not ChatMessage.objects.exists()


def test_a_team_channel_hears_of_the_accounts_of_every_csm_in_the_team(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk__in=[world.csm.pk, world.other_csm.pk]).update(team="Enterprise")
    outsider = AccountFactory.create(name="Initech", owner=CSMFactory.create(team="Scale"))
    ChatChannelFactory.create(owner=None, team="Enterprise", webhook_url=receiver.url())
    events = [
        EventFactory.create(account=account, kind=EventKind.NPS_DETRACTOR, source=f"r:{account.pk}", data={"score": 2})
        for account in (world.account, world.other_account, outsider)
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.fan_out(events) == 2
    names = sorted(body["blocks"][0]["text"]["text"].split("*")[1] for body in receiver.bodies)
    assert names == ["Acme", "Bluth"]


def test_teams_gets_an_adaptive_card_in_a_message_envelope(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    ChatChannelFactory.create(owner=world.csm, kind=ChatKind.TEAMS, webhook_url=receiver.url())
    event = EventFactory.create(
        account=world.account,
        kind=EventKind.HEALTH_DROPPED,
        source="drop:1",
        data={"fallen": 22, "score_before": 80, "score": 58},
    )
    with django_capture_on_commit_callbacks(execute=True):
        chat.fan_out([event])
    [body] = receiver.bodies
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block.get("text") for block in card["body"] if block["type"] == "TextBlock"]
    assert texts[0] == "Acme" and "fell 22 points" in texts[1] and "80 → 58" in texts[1]
    assert any(block["type"] == "FactSet" for block in card["body"])
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl"
    assert action["url"] == "https://portal.example" + reverse("account_360", args=["acme"])


def test_a_channel_hears_only_the_topics_it_chose_and_a_band_change_only_for_the_worse(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    ChatChannelFactory.create(
        owner=world.csm,
        webhook_url=receiver.url(),
        on_detractors=False,
        on_health_drops=True,
        on_comments=False,
    )
    better = {"from_band": "critical", "to_band": "healthy"}
    worse = {"from_band": "healthy", "to_band": "at_risk"}
    events = [
        EventFactory.create(account=world.account, kind=EventKind.NPS_DETRACTOR, source="a", data={"score": 1}),
        EventFactory.create(account=world.account, kind=EventKind.COMMENT_ADDED, source="b", data={"excerpt": "Hi"}),
        EventFactory.create(account=world.account, kind=EventKind.HEALTH_BAND_CHANGED, source="c", data=better),
        EventFactory.create(account=world.account, kind=EventKind.HEALTH_BAND_CHANGED, source="d", data=worse),
        EventFactory.create(account=world.account, kind=EventKind.STAGE_CHANGED, source="e", data={}),
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.fan_out(events) == 1
    [body] = receiver.bodies
    assert "Healthy to At risk" in body["text"]


def test_an_inactive_channel_gets_nothing(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url(), active=False)
    with django_capture_on_commit_callbacks(execute=True):
        detractor(world)
    assert receiver.bodies == [] and not ChatMessage.objects.exists()


def test_a_channel_turned_off_after_the_message_was_queued_gets_nothing(
    world: World, receiver: Receiver
) -> None:
    channel = ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    event = EventFactory.create(account=world.account, source="x", data={"score": 2})
    chat.fan_out([event])
    ChatChannel.objects.filter(pk=channel.pk).update(active=False)
    message = ChatMessage.objects.get()
    assert chat.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.SKIPPED and receiver.bodies == []


def test_a_server_error_is_retried_and_the_message_then_sent_once(
    world: World, receiver: Receiver
) -> None:
    channel = ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    event = EventFactory.create(account=world.account, source="x", data={"score": 2})
    chat.fan_out([event])
    message = ChatMessage.objects.get()
    receiver.statuses = [500]
    with pytest.raises(chat.ChatNotDelivered, match="HTTP 500"):
        chat.deliver(message.pk)
    message.refresh_from_db()
    channel.refresh_from_db()
    assert message.status == ChatMessage.Status.QUEUED and message.attempts == 1
    assert channel.last_status == ChatStatus.FAILED and "HTTP 500" in channel.last_error
    assert chat.deliver(message.pk) is True  # the job's retry
    assert chat.deliver(message.pk) is False  # a second delivery of the job: nothing twice
    message.refresh_from_db()
    channel.refresh_from_db()
    assert message.status == ChatMessage.Status.SENT and message.attempts == 2
    assert channel.last_status == ChatStatus.OK and channel.last_error == ""
    assert len(receiver.bodies) == 2


@pytest.mark.worker
@pytest.mark.skipif(not REDIS_URL, reason="needs Redis (TEST_CELERY_BROKER_URL)")
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_a_server_error_is_retried_with_backoff(
    world: World, receiver: Receiver, settings: Any
) -> None:
    settings.JOB_RETRY_BACKOFF = 0.2
    ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    receiver.statuses = [500]
    with real_worker():
        with transaction.atomic():
            chat.fan_out(
                [EventFactory.create(account=world.account, source="x", data={"score": 2})]
            )
        message = ChatMessage.objects.get()
        wait_for(lambda: ChatMessage.objects.get(pk=message.pk).status == ChatMessage.Status.SENT)
    job = Job.objects.get(task=chat.DELIVER_TASK)
    assert job.status == Job.Status.DONE and job.attempts == 1
    assert ChatMessage.objects.get(pk=message.pk).attempts == 2
    assert len(receiver.bodies) == 2


def test_a_refusal_by_the_receiver_is_not_retried(world: World, receiver: Receiver) -> None:
    ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    chat.fan_out([EventFactory.create(account=world.account, source="x", data={"score": 2})])
    message = ChatMessage.objects.get()
    receiver.statuses = [404]
    assert chat.deliver(message.pk) is False
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.FAILED and message.response_status == 404


def test_the_same_event_twice_queues_one_message_per_channel(world: World) -> None:
    ChatChannelFactory.create(owner=world.csm)
    event = EventFactory.create(account=world.account, source="x", data={"score": 2})
    assert chat.fan_out([event]) == 1
    assert chat.fan_out([event]) == 0
    assert ChatMessage.objects.count() == 1
    assert Job.objects.filter(task=chat.DELIVER_TASK).count() == 1


def test_fan_out_costs_the_same_queries_for_one_event_as_for_thirty(world: World) -> None:
    for n in range(3):
        ChatChannelFactory.create(owner=world.csm, name=f"#c{n}")
    ChatChannelFactory.create(owner=None, team="Enterprise")
    User.objects.filter(pk=world.csm.pk).update(team="Enterprise")
    one = [EventFactory.create(account=world.account, source="one", data={"score": 2})]
    many = [
        EventFactory.create(account=world.account, source=f"many:{n}", data={"score": 2})
        for n in range(30)
    ]
    assert count_queries(lambda: chat.fan_out(one)) == count_queries(lambda: chat.fan_out(many))
    assert ChatMessage.objects.count() == 31 * 4
    nothing = [EventFactory.create(account=world.account, kind=EventKind.STAGE_CHANGED, source="s")]
    assert count_queries(lambda: chat.fan_out(nothing)) == 0


def test_review_asked_and_a_comment_say_who_and_link_to_the_thing(world: World) -> None:
    asked = EventFactory.create(
        account=world.account,
        kind=EventKind.REVIEW_ASKED,
        source="ask",
        data={"user_id": world.champion.pk, "note": "Adoption <EMEA> & more", "preferred_month": "2027-01-01"},
    )  # fmt: skip
    payload = chat.slack_payload(chat.notice_for(asked))
    text = payload["blocks"][0]["text"]["text"]
    assert f"{world.champion.display_name} asks for a business review" in text
    assert "Adoption &lt;EMEA&gt; &amp; more" in text  # Slack's escapes
    assert "Preferred month: January 2027" in payload["blocks"][1]["elements"][0]["text"]
    assert payload["blocks"][2]["elements"][0]["url"].endswith(reverse("reports", args=["acme"]))
    comment = EventFactory.create(
        account=world.account,
        kind=EventKind.COMMENT_ADDED,
        source="c",
        data={"author_id": world.member.pk, "where": "plan", "plan_id": 7, "title": "Go live", "excerpt": "Done?"},
    )  # fmt: skip
    notice = chat.notice_for(comment)
    assert notice.headline == f"{world.member.display_name} commented on “Go live”"
    assert notice.url == "https://portal.example" + reverse("plan", args=["acme", 7])


def test_a_test_message_reaches_the_channel(
    world: World, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    channel = ChatChannelFactory.create(owner=world.csm, webhook_url=receiver.url())
    client = client_for(world.csm)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("chat_channel_test", args=[channel.pk]))
    assert response.status_code == 302
    [body] = receiver.bodies
    assert "this channel is connected" in body["text"]
    assert ChatMessage.objects.get(channel=channel, event=None).status == ChatMessage.Status.SENT


# The pages ----------------------------------------------------------------------------------------


def test_a_csm_adds_a_channel_of_their_own(world: World) -> None:
    response = client_for(world.csm).post(
        reverse("chat_channels"),
        {
            "kind": "slack",
            "name": "#acme-alerts",
            "webhook_url": "https://hooks.slack.com/services/T1/B2/s3cr3tt0k3nXYZW",
            "topics": ["detractors", "review_asked"],
            "active": "on",
        },
    )
    assert response.status_code == 302
    channel = ChatChannel.objects.get()
    assert channel.owner == world.csm and channel.team == ""
    assert channel.topics == ["detractors", "review_asked"]
    page = client_for(world.csm).get(reverse("chat_channels")).content.decode()
    assert "#acme-alerts" in page and "s3cr3tt0k3n" not in page  # the secret is not shown


@pytest.mark.parametrize(
    "url,error",
    [
        ("http://10.0.0.1/hook", "https://"),
        ("https://example.com/services/x", "not a Slack incoming-webhook address"),
        ("not a url", "https://"),
    ],
)
def test_a_url_that_is_not_a_slack_webhook_is_refused(
    world: World, settings: Any, url: str, error: str
) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    data = {"kind": "slack", "name": "#x", "webhook_url": url, "topics": ["detractors"]}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("chat_channels"), data)
    assert response.status_code == 422
    assert error in response.content.decode()


def test_teams_workflow_addresses_are_accepted(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    url = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"
    form = ChatChannelForm(
        {"kind": "teams", "name": "CS", "webhook_url": url, "topics": ["detractors"]},
        instance=ChatChannel(owner=User(pk=1)),
    )
    assert form.is_valid(), form.errors


def test_a_channel_with_no_topic_is_refused(world: World) -> None:
    data = {"kind": "slack", "name": "#x", "webhook_url": "https://hooks.slack.com/services/1"}
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("chat_channels"), data)
    assert response.status_code == 422
    assert "Choose at least one kind of event" in response.content.decode()


def test_editing_with_the_url_left_blank_keeps_it(world: World) -> None:
    channel = ChatChannelFactory.create(
        owner=world.csm, webhook_url="https://hooks.slack.com/services/keep"
    )
    response = client_for(world.csm).post(
        reverse("chat_channel_edit", args=[channel.pk]),
        {"kind": "slack", "name": "#renamed", "webhook_url": "", "topics": ["comments"]},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "#renamed" and channel.webhook_url.endswith("/keep")
    assert channel.topics == ["comments"] and not channel.active


def test_another_csms_channel_is_a_404_and_a_team_channel_is_the_admins(world: World) -> None:
    mine = ChatChannelFactory.create(owner=world.csm)
    team = ChatChannelFactory.create(owner=None, team="Enterprise")
    other_csm, csm, admin = (client_for(p) for p in (world.other_csm, world.csm, world.admin))
    with unchanged():
        response = other_csm.post(reverse("chat_channel_delete", args=[mine.pk]))
        assert response.status_code == 404
        response = csm.post(reverse("chat_channel_delete", args=[team.pk]))
        assert response.status_code == 404
    response = admin.post(reverse("chat_channel_delete", args=[team.pk]))
    assert response.status_code == 302
    assert not ChatChannel.objects.filter(pk=team.pk).exists()


def test_the_kinds_wanted_are_those_of_active_channels(world: World) -> None:
    assert chat.wanted_kinds() == set()
    ChatChannelFactory.create(
        owner=world.csm, on_detractors=False, on_overdue_tasks=True, on_health_drops=False,
        on_review_asked=False, on_comments=False,
    )  # fmt: skip
    ChatChannelFactory.create(owner=world.csm, on_health_drops=True, active=False)
    assert chat.wanted_kinds() == {EventKind.ONBOARDING_TASK_OVERDUE}


def test_changing_the_kind_checks_the_kept_url_again(world: World, settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    channel = ChatChannelFactory.create(owner=world.csm)  # a Slack address
    client = client_for(world.csm)
    data = {"kind": "teams", "name": "#x", "webhook_url": "", "topics": ["detractors"]}
    response = client.post(reverse("chat_channel_edit", args=[channel.pk]), data)
    assert response.status_code == 422
    assert "not a Microsoft Teams incoming-webhook address" in response.content.decode()
    channel.refresh_from_db()
    assert channel.kind == "slack"


def test_the_scan_looks_for_overdue_tasks_and_health_drops_a_channel_wants(world: World) -> None:
    """No playbook starts from "task overdue" or "health fell": an active channel that wants
    them is enough for the daily scan to look (with the triggers' default settings)."""
    from playbooks.models import EventKind
    from playbooks.services.scan import scanned_settings

    def scanned() -> dict[str, Any]:
        return dict(scanned_settings())

    assert EventKind.ONBOARDING_TASK_OVERDUE not in scanned()
    ChatChannelFactory.create(owner=world.csm, active=False)
    assert EventKind.ONBOARDING_TASK_OVERDUE not in scanned()
    ChatChannelFactory.create(owner=world.csm, on_overdue_tasks=False, on_health_drops=False)
    assert EventKind.HEALTH_DROPPED not in scanned()
    ChatChannelFactory.create(owner=world.csm)
    found = scanned()
    assert found[EventKind.ONBOARDING_TASK_OVERDUE] == {"days": 7}
    assert EventKind.HEALTH_DROPPED in found
