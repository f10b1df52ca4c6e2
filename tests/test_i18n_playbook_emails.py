"""Playbook e-mails in the reader's language: a built-in e-mail that no CS admin has changed
reaches each person in their language (the catalogue's translation of its English text), an
edited one is sent as edited, and the CS admin's e-mail pages (the merge fields, the form, its
errors, the preview) show no English left in the pseudo-translation (tests/pseudo.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from playbooks.builtins import EMAILS, WELCOME_SERIES, built_in_text
from playbooks.models import EmailTemplate, EventKind, StepKind
from playbooks.services.emails import SAMPLE, ensure_built_in_email_templates
from playbooks.services.runs import merge_fields
from playbooks.steps import Outcome, StepContext, load
from tests.conftest import World, client_for
from tests.factories import EventFactory, PlaybookRunFactory
from tests.pseudo import english_left, english_left_on, pseudo_translation

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def _locmem_mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://portal.example.com"


@pytest.fixture
def built_in(db: None) -> None:
    """The shipped e-mails as a fresh install has them, unchanged."""
    EmailTemplate.objects.all().delete()
    ensure_built_in_email_templates()


def send(world: World, key: str, to: str = "champion") -> Outcome:
    event = EventFactory.create(
        account=world.account, kind=EventKind.NPS_PROMOTER, data={"score": 9}
    )
    run = PlaybookRunFactory.create(event=event, account=world.account)
    context = StepContext(
        run=run,
        account=world.account,
        event=event,
        position=0,
        params={"template": key, "to": to},
        merge=merge_fields(event, world.account, run),
    )
    return load()[StepKind.SEND_EMAIL].run(context)


def german(world: World) -> World:
    world.champion.name = "Dana Lee"
    world.champion.language = "de"
    world.champion.save()
    return world


def data(world: World) -> list[str]:
    """What the merge fields bring: names, not words of the e-mail."""
    return ["Dana", "Dana Lee", "Acme", world.csm.display_name, settings.VENDOR_NAME]


@pytest.mark.parametrize("spec", [*WELCOME_SERIES, *EMAILS], ids=lambda spec: spec["key"])
def test_a_built_in_email_reaches_a_german_champion_in_german(
    world: World, built_in: None, spec: dict[str, str]
) -> None:
    german(world)
    with pseudo_translation():
        assert send(world, spec["key"]).status == "done"
    [message] = mail.outbox
    subject, body = str(message.subject), str(message.body)
    html, _mimetype = message.alternatives[0]  # type: ignore[union-attr]
    assert subject.startswith("⟦")
    assert english_left(subject, allowed=data(world)) == []
    assert english_left(body, allowed=data(world)) == []
    assert english_left(str(html), allowed=data(world)) == []
    assert "Dana" in subject + body  # the merge fields are filled in
    assert "https://portal.example.com/a/acme/" in body


def test_a_built_in_email_reads_as_the_catalogue_has_it_in_german(
    world: World, built_in: None
) -> None:
    german(world)
    send(world, "we-miss-you")
    [message] = mail.outbox
    with translation.override("de"):
        subject = translation.gettext(built_in_text("we-miss-you", "subject") or "")
    assert message.subject == subject.format(first_name="Dana", account="Acme")


def test_a_built_in_email_reaches_an_english_champion_in_english(
    world: World, built_in: None
) -> None:
    world.champion.name = "Dana Lee"
    world.champion.language = "en"
    world.champion.save()
    with pseudo_translation():
        send(world, "we-miss-you")
    [message] = mail.outbox
    assert message.subject == "Dana, is everything all right at Acme?"
    assert "Nobody from Acme has been in the portal for a month" in message.body


def test_an_edited_built_in_email_is_sent_as_edited(world: World, built_in: None) -> None:
    german(world)
    EmailTemplate.objects.filter(key="we-miss-you").update(
        subject="{first_name}, a word from {account}",
        body="Hello {first_name}, our own words.",
    )
    with pseudo_translation():
        send(world, "we-miss-you")
    [message] = mail.outbox
    assert message.subject == "Dana, a word from Acme"
    assert "Hello Dana, our own words." in message.body


def test_an_edited_built_in_emails_own_german_version_is_sent(world: World, built_in: None) -> None:
    german(world)
    template = EmailTemplate.objects.get(key="we-miss-you")
    template.translations = {"de": {"subject": "Hallo {first_name}"}}
    template.save()
    with pseudo_translation():
        send(world, "we-miss-you")
    [message] = mail.outbox
    assert message.subject == "Hallo Dana"
    assert "⟦Hello Dana," in message.body  # no German body written: the catalogue's


def test_a_built_in_email_saved_unchanged_in_the_form_still_reads_in_german(
    world: World, built_in: None
) -> None:
    german(world)
    template = EmailTemplate.objects.get(key="we-miss-you")
    response = client_for(world.admin).post(
        reverse("email_template_edit", args=[template.pk]),
        {
            "name": template.name,
            "subject": template.subject,
            "body": template.body.replace("\n", "\r\n").strip(),
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body != built_in_text("we-miss-you", "body")  # as a browser posts it
    with pseudo_translation():
        send(world, "we-miss-you")
    [message] = mail.outbox
    assert str(message.subject).startswith("⟦")
    assert english_left(str(message.body), allowed=data(world)) == []


# The CS admin's pages ---------------------------------------------------------------------------


def samples() -> list[str]:
    return [str(value) for key, value in SAMPLE.items() if key != "comment"]


def language_names() -> list[str]:
    return [str(name) for _code, name in settings.LANGUAGES]


def test_the_merge_fields_have_no_english_left_in_german(world: World, built_in: None) -> None:
    url = reverse("email_templates")
    assert (
        english_left_on(client_for(world.admin), url, within="merge-fields", allowed=samples())
        == []
    )


def test_the_new_email_form_has_no_english_left_in_german(world: World) -> None:
    url = reverse("email_template_create")
    allowed = [*samples(), *language_names()]
    assert english_left_on(client_for(world.admin), url, allowed=allowed) == []


def test_the_email_forms_refusal_has_no_english_left_in_german(world: World) -> None:
    posted = {"name": "Hi", "subject": "Hi {nickname}", "body": "Hi {first_name"}
    with pseudo_translation() as language:
        response = client_for(world.admin).post(
            reverse("email_template_create"), posted, HTTP_ACCEPT_LANGUAGE=language
        )
    assert response.status_code == 422
    assert not EmailTemplate.objects.filter(name="Hi").exists()
    allowed = [*samples(), *language_names(), *posted.values()]
    assert english_left(response.content.decode(), within="main", allowed=allowed) == []


def test_a_built_in_emails_preview_has_no_english_left_in_german(
    world: World, built_in: None
) -> None:
    template = EmailTemplate.objects.get(key="welcome-1")
    url = reverse("email_template_preview", args=[template.pk])
    allowed = [*samples(), template.name]
    assert english_left_on(client_for(world.admin), url, allowed=allowed) == []
