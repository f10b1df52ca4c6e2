"""Errors the portal keeps and shows later are read in each reader's language: a webhook
delivery's error and the reason an endpoint was turned off (made in a job, shown on the
console, in the e-mail and to the API), and an account field a service refuses (shown at
once, or kept on a playbook step's outcome).

Each is kept as its English message id and values (a stored text) beside the English; these
tests check the stored form, and read it through a small German catalogue written for the
test (the portal's own German catalogue is made after the messages are extracted)."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Account, Activity, Stage
from accounts.services import AccountFieldRefused, set_account_fields
from integrations import outbound
from integrations.models import ChatMessage, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import chat
from integrations.services.webhooks import deliver_batch, queue_deliveries
from playbooks.models import Event, EventKind, StepKind
from playbooks.words import words
from tests.chat_factories import ChatChannelFactory
from tests.conftest import World, client_for
from tests.factories import EventFactory
from tests.snapshot import unchanged
from tests.test_playbooks_steps_account import fire
from tests.webhooks_helpers import make_endpoint, receiver

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)

REFUSED = "Could not connect: the receiver refused the connection."
TURNED_OFF = "Every delivery failed for 24 hours; the last: %(reason)s"
ANSWERED = "The receiver answered %(status)s."
FIELD_REFUSED = "An account's %(field)s cannot be “%(value)s”."

GERMAN = {
    REFUSED: "Keine Verbindung: der Empfänger hat sie abgelehnt.",
    TURNED_OFF: "Seit 24 Stunden schlägt jede Zustellung fehl; zuletzt: %(reason)s",
    ANSWERED: "Der Empfänger antwortete %(status)s.",
    FIELD_REFUSED: "„%(value)s“ ist keine %(field)s eines Kontos.",
    "stage": "Phase",
}


@contextmanager
def german(messages: dict[str, str]) -> Iterator[None]:
    """Inside, German is a catalogue holding ``messages`` (and nothing else of the portal's)."""
    catalog = Catalog(locale="de", fuzzy=False)
    for msgid, text in messages.items():
        catalog.add(msgid, text)
    folder = Path(tempfile.mkdtemp(prefix="german-"))
    target = folder / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "django.mo").open("wb") as mo:
        write_mo(mo, catalog)
    with override_settings(LOCALE_PATHS=[folder]):
        yield


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture
def refusing_url() -> Iterator[str]:
    """A loopback address nothing listens on: connecting there is refused (the port stays
    bound for the test, so nothing else takes it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    finally:
        sock.close()


def one_event(world: World) -> Event:
    return Event.objects.create(
        account=world.account,
        kind=EventKind.PERSON_JOINED,
        source="membership:999",
        data={"user_id": world.member.pk, "role": "member"},
        occurred_at=NOW,
    )


# Webhooks ---------------------------------------------------------------------------------------


def test_a_refused_connection_is_told_by_its_failure_not_its_wording(
    loopback: None, refusing_url: str
) -> None:
    outcome = outbound.post(refusing_url, b"{}", {})
    assert outcome.status is None and outcome.failure == outbound.Failure.REFUSED
    assert outcome.could_not_connect and not outcome.ok
    assert outcome.error == REFUSED  # the English, as before
    assert outcome.error_text is not None and outcome.error_text.as_json() == {"message": REFUSED}
    # Whatever language is active when the job runs, the failure and the English are the same.
    with translation.override("de"):
        again = outbound.post(refusing_url, b"{}", {})
    assert (again.failure, again.error) == (outbound.Failure.REFUSED, REFUSED)


def test_an_unsafe_address_keeps_its_reason_as_a_stored_text(settings: Any) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = False
    outcome = outbound.post("https://10.1.2.3/hook", b"{}", {})
    assert outcome.failure == outbound.Failure.UNSAFE and not outcome.could_not_connect
    assert outcome.error_text is not None
    stored = outcome.error_text.as_json()
    assert stored["params"] == {"host": "10.1.2.3", "address": "10.1.2.3"}
    assert "private or reserved network" in stored["message"]
    assert "%(host)s" in stored["message"]


def test_a_refused_delivery_is_tried_once_more_then_retried_and_keeps_its_error(
    world: World,
    loopback: None,
    refusing_url: str,
    monkeypatch: pytest.MonkeyPatch,
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    """A refused connection is tried again at once on a fresh one (a kept-alive connection the
    receiver closed fails so), then the delivery waits for its retry; the error is kept in
    English and as its message id."""
    time_machine.move_to(NOW, tick=False)
    posts: list[outbound.Outcome] = []
    real_post = outbound.post

    def counted(*args: Any, **kwargs: Any) -> outbound.Outcome:
        posts.append(real_post(*args, **kwargs))
        return posts[-1]

    monkeypatch.setattr(outbound, "post", counted)
    endpoint = make_endpoint(world.admin, refusing_url, ["person.joined"])
    queue_deliveries([one_event(world)])
    assert deliver_batch(endpoint.pk) == 0
    assert [p.failure for p in posts] == [outbound.Failure.REFUSED] * 2
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=5)
    assert delivery.last_error == REFUSED
    assert delivery.last_error_words == {"message": REFUSED}
    attempt = WebhookAttempt.objects.get()
    assert (attempt.error, attempt.error_words) == (REFUSED, {"message": REFUSED})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.failing_since == NOW


def test_an_endpoint_refused_for_a_day_is_turned_off_with_its_reason_kept(
    world: World,
    loopback: None,
    refusing_url: str,
    time_machine: time_machine.TimeMachineFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    time_machine.move_to(NOW, tick=False)
    endpoint = make_endpoint(world.admin, refusing_url, ["person.joined"])
    queue_deliveries([one_event(world)])
    deliver_batch(endpoint.pk)
    time_machine.move_to(NOW + timedelta(hours=24, minutes=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_batch(endpoint.pk)
    endpoint.refresh_from_db()
    assert not endpoint.active and endpoint.disabled_at == NOW + timedelta(hours=24, minutes=1)
    assert endpoint.disabled_reason == TURNED_OFF % {"reason": REFUSED}
    assert endpoint.disabled_reason_words == {
        "message": TURNED_OFF,
        "params": {"reason": {"message": REFUSED}},
    }
    assert len(mail.outbox) == 1
    logged = Activity.objects.get(verb="disabled a failing webhook endpoint")
    assert logged.after == {"active": False, "reason": endpoint.disabled_reason_words}
    with translation.override("de"):
        worded = {str(name): after for name, _, after in logged.changes}
        assert worded[gettext("reason")] == gettext(TURNED_OFF) % {"reason": gettext(REFUSED)}
        assert gettext(REFUSED) != REFUSED  # the catalogue's German, not the English


def test_the_errors_read_in_the_readers_language(world: World) -> None:
    endpoint = make_endpoint(
        world.admin,
        active=False,
        disabled_at=NOW,
        disabled_reason=TURNED_OFF % {"reason": ANSWERED % {"status": 503}},
        disabled_reason_words={
            "message": TURNED_OFF,
            "params": {"reason": {"message": ANSWERED, "params": {"status": "503"}}},
        },
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="webhook.test",
        msg_id="msg_1",
        payload="{}",
        attempts=1,
        last_error=REFUSED,
        last_error_words={"message": REFUSED},
    )
    with translation.override("en"):
        assert endpoint.disabled_reason_text == endpoint.disabled_reason  # as before
        assert delivery.last_error_text == REFUSED
    with german(GERMAN), translation.override("de"):
        reason = gettext(TURNED_OFF) % {"reason": gettext(ANSWERED) % {"status": "503"}}
        assert reason == "Seit 24 Stunden schlägt jede Zustellung fehl; zuletzt: " + (
            "Der Empfänger antwortete 503."
        )
        assert endpoint.disabled_reason_text == reason
        assert delivery.last_error_text == gettext(REFUSED) == GERMAN[REFUSED]


def test_a_row_from_before_reads_as_it_was_stored(world: World) -> None:
    endpoint = make_endpoint(world.admin, disabled_reason="Every delivery failed (old).")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type="webhook.test", msg_id="msg_2", payload="{}", last_error="x"
    )
    with german(GERMAN), translation.override("de"):
        assert endpoint.disabled_reason_text == "Every delivery failed (old)."
        assert delivery.last_error_text == "x"


def test_a_german_admin_reads_the_errors_in_german_on_the_page_and_in_the_email(
    world: World,
    loopback: None,
    time_machine: time_machine.TimeMachineFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    world.admin.language = "de"
    world.admin.save(update_fields=["language"])
    time_machine.move_to(NOW, tick=False)
    with receiver(lambda request: 503) as hook:
        endpoint = make_endpoint(world.admin, hook.url, ["person.joined"])
        queue_deliveries([one_event(world)])
        deliver_batch(endpoint.pk)
        time_machine.move_to(NOW + timedelta(hours=24, minutes=1), tick=False)
        with german(GERMAN), django_capture_on_commit_callbacks(execute=True):
            deliver_batch(endpoint.pk)  # the job runs in English; the e-mail in German
    said = GERMAN[TURNED_OFF] % {"reason": GERMAN[ANSWERED] % {"status": 503}}
    (message,) = mail.outbox
    assert said in message.body
    assert WebhookEndpoint.objects.get().disabled_reason == TURNED_OFF % {
        "reason": ANSWERED % {"status": 503}
    }
    with german(GERMAN):
        html = client_for(world.admin).get(reverse("webhook_detail", args=[endpoint.pk]))
    page = html.content.decode()
    assert said in page and GERMAN[ANSWERED] % {"status": 503} in page
    assert "Every delivery failed" not in page and "The receiver answered" not in page
    # The API keeps the English: a machine-readable field does not change with the reader.
    assert "Every delivery failed for 24 hours" in WebhookEndpoint.objects.get().disabled_reason


def test_a_chat_channel_keeps_its_last_error_for_each_reader(
    world: World, loopback: None, refusing_url: str
) -> None:
    channel = ChatChannelFactory.create(owner=world.csm, webhook_url=refusing_url)
    chat.fan_out([EventFactory.create(account=world.account, source="x", data={"score": 2})])
    with pytest.raises(chat.ChatNotDelivered):
        chat.deliver(ChatMessage.objects.get().pk)
    channel.refresh_from_db()
    assert (channel.last_error, channel.last_error_words) == (REFUSED, {"message": REFUSED})
    with german(GERMAN), translation.override("de"):
        assert channel.last_error_text == GERMAN[REFUSED]


# A refused account field ------------------------------------------------------------------------


def test_a_refused_field_is_named_in_the_readers_language(world: World) -> None:
    with unchanged(), pytest.raises(AccountFieldRefused) as refused:
        set_account_fields(world.account, changes={"stage": "smb"}, acting_user=None)
    assert isinstance(refused.value, ValidationError)
    assert refused.value.text.as_json() == {
        "message": FIELD_REFUSED,
        "params": {"field": {"message": "stage"}, "value": "smb"},
    }
    with translation.override("en"):
        assert refused.value.messages == ["An account's stage cannot be “smb”."]
    with german(GERMAN), translation.override("de"):
        expected = gettext(FIELD_REFUSED) % {"field": gettext("stage"), "value": "smb"}
        assert expected == "„smb“ ist keine Phase eines Kontos."
        assert refused.value.messages == [expected]
    world.account.refresh_from_db()
    assert world.account.stage == Stage.ONBOARDING


def test_an_unknown_field_is_refused_without_a_change(world: World) -> None:
    with unchanged(), pytest.raises(AccountFieldRefused) as refused:
        set_account_fields(world.account, changes={"name": "Evil"}, acting_user=None)
    assert refused.value.text.params == {"field": "name"}
    assert Account.objects.get(pk=world.account.pk).name == world.account.name


def test_a_playbook_step_refused_a_value_fails_and_keeps_the_refusal_for_each_reader(
    world: World,
) -> None:
    """A playbook saved with a value the field does not have (one removed since): the step
    fails for good (trying again would not help) and says why in each reader's language."""
    step = fire(world.account, StepKind.SET_ACCOUNT_FIELD, {"field": "stage", "value": "smb"})
    assert step.status == "failed"
    assert step.said == {
        "text": FIELD_REFUSED,
        "with": {"field": {"text": "stage"}, "value": "smb"},
    }
    with translation.override("en"):
        assert step.outcome == "An account's stage cannot be “smb”."
    with german(GERMAN), translation.override("de"):
        assert words(step.said) == "„smb“ ist keine Phase eines Kontos."
    world.account.refresh_from_db()
    assert world.account.stage == Stage.ONBOARDING
