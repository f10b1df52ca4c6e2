"""E-mail as mail clients expect it, proven through a real SMTP server started here (aiosmtpd
on a free loopback port): every notification e-mail has one-click ``List-Unsubscribe``
(RFC 8058), a plain-text and an HTML part and the sender's name; posting the one-click link,
as a mail client does (no log-in, no CSRF token), turns that kind's e-mail off and nothing
else. Transactional e-mails (an invitation) have no unsubscribe."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from accounts.inbox import send_inbox_digests
from accounts.models import Activity, Delivery, NotificationKind, NotificationSetting
from accounts.services import delivery_for, invite, notification_preferences, tell
from playbooks.services.task_digest import send_task_assigned
from surveys.services import run_campaign, send_wave_emails
from tests.conftest import World
from tests.factories import CSMTaskFactory
from tests.snapshot import unchanged
from tests.survey_helpers import make_campaign, make_survey


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        self.raw.append(content)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        parsed = [message_from_bytes(raw, policy=policy.default) for raw in self.raw]
        return [m for m in parsed if isinstance(m, EmailMessage)]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if parseaddr(str(m["To"]))[1] == address]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield received
    finally:
        controller.stop()


def parts(message: EmailMessage) -> dict[str, str]:
    found = {}
    for part in message.walk():
        if part.get_content_maintype() == "text":
            assert isinstance(part, EmailMessage)
            found[part.get_content_type()] = str(part.get_content())
    return found


def one_click_path(message: EmailMessage) -> str:
    """The https link of List-Unsubscribe (RFC 2369: <...> entries, comma separated), as a
    path for the test client."""
    header = str(message["List-Unsubscribe"])
    links = [entry.strip().strip("<>") for entry in header.split(",")]
    web = [link for link in links if link.startswith(("http://", "https://"))]
    assert len(web) == 1, header
    assert web[0].startswith(django_settings.SITE_URL)
    return urlsplit(web[0]).path


def assert_mail_clients_expect(message: EmailMessage) -> None:
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/unsubscribe/" in str(message["List-Unsubscribe"])
    name, address = parseaddr(str(message["From"]))
    assert name == django_settings.SITE_NAME and address
    found = parts(message)
    assert set(found) == {"text/plain", "text/html"}
    assert found["text/plain"].strip() and "<html" not in found["text/plain"]
    assert "<html" in found["text/html"]


def mail_client_unsubscribes(path: str) -> Any:
    """What Gmail or Apple Mail does: a bare POST with the one-click body, no cookie."""
    client = Client(enforce_csrf_checks=True)
    return client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_a_task_assigned_email_arrives_with_one_click_unsubscribe_that_turns_tasks_off(
    world: World, smtp: Inbox
) -> None:
    task = CSMTaskFactory.create(account=world.account, title="Call Acme about renewal")
    assert send_task_assigned(task.pk, world.csm.pk, world.admin.pk)
    [message] = smtp.to(world.csm.email)
    assert "Call Acme about renewal" in str(message["Subject"]) + parts(message)["text/plain"]
    assert_mail_clients_expect(message)

    path = one_click_path(message)
    others = {k: v for k, v in notification_preferences(world.csm).items() if k != "tasks"}
    with unchanged(ignoring=(NotificationSetting, Activity)):
        response = mail_client_unsubscribes(path)
    assert response.status_code == 200
    assert delivery_for(world.csm, NotificationKind.TASKS) == Delivery.OFF
    after = notification_preferences(world.csm)
    assert {k: v for k, v in after.items() if k != "tasks"} == others
    assert NotificationSetting.objects.filter(user=world.csm).count() == 1
    # A second click (mail clients retry) is answered the same and changes nothing.
    with unchanged():
        assert mail_client_unsubscribes(path).status_code == 200
    # The next task comes to the inbox only.
    second = CSMTaskFactory.create(account=world.account)
    assert not send_task_assigned(second.pk, world.csm.pk, world.admin.pk)
    assert len(smtp.messages) == 1
    assert world.csm.inbox.filter(title__contains=second.title).exists()


def test_a_survey_invitation_arrives_with_its_parts_and_one_click_unsubscribe(
    world: World, smtp: Inbox
) -> None:
    campaign = make_campaign(make_survey(world.csm), world.admin, roles=["champion"])
    run_campaign(campaign.pk)
    send_wave_emails(campaign.pk, 1)
    [message] = smtp.to(world.champion.email)
    assert_mail_clients_expect(message)
    assert campaign.survey.question in parts(message)["text/plain"]
    assert world.champion.inbox.filter(kind="surveys").count() == 1

    before = notification_preferences(world.champion)
    with unchanged(ignoring=(NotificationSetting, Activity)):
        assert mail_client_unsubscribes(one_click_path(message)).status_code == 200
    assert notification_preferences(world.champion) == {**before, "surveys": Delivery.OFF}


def test_the_daily_digest_arrives_once_with_one_click_unsubscribe_from_what_it_carries(
    world: World, smtp: Inbox
) -> None:
    for kind in ("plans", "reports"):
        NotificationSetting.objects.create(user=world.champion, kind=kind, delivery="digest")
    tell(world.champion, kind="plans", title="Priya mentioned you on the plan", url="/a/acme/")
    tell(world.champion, kind="reports", title="The Q3 review is ready", url="/a/acme/")
    tell(world.champion, kind="surveys", title="One question (sent at once)", url="/a/acme/")
    assert smtp.to(world.champion.email) == []  # digests wait; the survey item had no e-mail
    today = timezone.localdate()
    assert send_inbox_digests(today) == 1
    assert send_inbox_digests(today) == 0  # recorded: once a day
    [message] = smtp.to(world.champion.email)
    assert_mail_clients_expect(message)
    text = parts(message)["text/plain"]
    assert "Priya mentioned you on the plan" in text and "The Q3 review is ready" in text
    assert "One question" not in text  # surveys come at once, not in the digest
    with unchanged(ignoring=(NotificationSetting, Activity)):
        assert mail_client_unsubscribes(one_click_path(message)).status_code == 200
    after = notification_preferences(world.champion)
    assert (after["plans"], after["reports"]) == (Delivery.OFF, Delivery.OFF)
    assert after["tasks"] == after["surveys"] == after["account"] == Delivery.IMMEDIATELY


def test_an_invitation_is_transactional_and_has_no_unsubscribe(
    world: World, smtp: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(
            world.account,
            email="newcomer@customer.example",
            role="member",
            acting_user=world.champion,
            acting_role="champion",
        )
    [message] = smtp.to("newcomer@customer.example")
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert set(parts(message)) == {"text/plain", "text/html"}


def test_a_changed_one_click_link_is_a_404_and_changes_nothing(world: World) -> None:
    from accounts.services import unsubscribe_url

    path = urlsplit(unsubscribe_url(world.csm, "tasks")).path
    forged = path.replace(path.rstrip("/").rsplit(":", 1)[-1], "forged")
    with unchanged():
        assert mail_client_unsubscribes(forged).status_code == 404
        # A GET (a mail scanner following the link) shows a button and changes nothing.
        page = Client().get(path)
    assert page.status_code == 200 and b"Turn these e-mails off" in page.content


def test_the_digest_leaves_out_what_is_read_or_older_than_a_day(world: World) -> None:
    NotificationSetting.objects.create(user=world.csm, kind="tasks", delivery="digest")
    tell(world.csm, kind="tasks", title="Read already", url="/today/")
    world.csm.inbox.update(read_at=timezone.now())
    tell(world.csm, kind="tasks", title="From the day before yesterday", url="/today/")
    world.csm.inbox.filter(title__startswith="From the day").update(
        created_at=timezone.now() - timedelta(days=2)
    )
    from accounts.inbox import collect_inbox_digests

    assert collect_inbox_digests(timezone.localdate()) == {}
