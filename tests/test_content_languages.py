"""Texts written per language: a survey's question and follow-up question, a playbook e-mail's
subject and body, an advocacy ask's note. Each person reads their language's version, else the
default one; the forms save the versions and refuse a language the portal does not speak."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from advocacy.models import AdvocacyAsk
from playbooks.models import EmailTemplate, EventKind, StepKind
from playbooks.params import in_language
from playbooks.services.runs import merge_fields
from playbooks.steps import StepContext, load
from surveys import services
from surveys.models import DEFAULT_FOLLOW_UP, DEFAULT_QUESTIONS, Delivery, Kind, Survey
from surveys.services import answer_token, save_survey
from tests.advocacy_factories import nps_answer
from tests.conftest import World, client_for
from tests.factories import EmailTemplateFactory, EventFactory, PlaybookRunFactory
from tests.panels import account_page
from tests.snapshot import unchanged
from tests.survey_helpers import SURVEY_NOW, deliver, make_campaign, make_survey

GERMAN = {
    "de": {
        "question": "Wie wahrscheinlich ist es, dass Sie Northwind weiterempfehlen?",
        "follow_up_question": "Was ist der wichtigste Grund für Ihre Bewertung?",
    }
}


@pytest.fixture(autouse=True)
def _now(time_machine: Any, settings: Any) -> None:
    time_machine.move_to(SURVEY_NOW, tick=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def speaking(user: User, language: str) -> User:
    user.language = language
    user.save()
    return user


def asked(world: World, user: User, **survey_fields: Any) -> Delivery:
    survey = make_survey(world.csm, translations=GERMAN, **survey_fields)
    campaign = make_campaign(survey, world.csm, portfolio_owner=world.csm)
    return deliver(campaign, user, account=world.account)


# Reading ----------------------------------------------------------------------------------


def test_a_german_champion_reads_the_german_question_on_the_account_page(world: World) -> None:
    asked(world, speaking(world.champion, "de"))
    page = account_page(client_for(world.champion), "acme").content.decode()
    assert GERMAN["de"]["question"] in page
    assert "How likely are you to recommend Northwind" not in page


def test_a_spanish_champion_with_no_spanish_version_reads_the_default(world: World) -> None:
    asked(world, speaking(world.champion, "es"))
    page = account_page(client_for(world.champion), "acme").content.decode()
    assert "How likely are you to recommend Northwind to a friend or colleague?" in page
    assert GERMAN["de"]["question"] not in page


def test_the_emailed_link_opens_in_the_persons_language_whatever_the_browser(
    world: World,
) -> None:
    delivery = asked(world, speaking(world.member, "de"))
    response = client_for(None).get(
        reverse("survey_email_answer", args=[answer_token(delivery, 9)]),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert GERMAN["de"]["question"] in response.content.decode()


def test_the_follow_up_question_is_asked_in_the_persons_language(world: World) -> None:
    delivery = asked(world, speaking(world.champion, "de"))
    services.record_response(delivery, 6, channel="email")
    response = client_for(None).get(
        reverse("survey_email_comment", args=[answer_token(delivery, 6)])
    )
    assert GERMAN["de"]["follow_up_question"] in response.content.decode()


def test_a_german_champion_gets_the_german_question_and_subject_by_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    german = speaking(world.champion, "de")
    spanish = speaking(world.executive, "es")
    campaign = asked(world, german).campaign
    deliver(campaign, spanish, account=world.account)
    services.send_wave_emails(campaign.pk, 1)

    [to_german] = [m for m in mail.outbox if m.to == [german.email]]
    assert GERMAN["de"]["question"] in to_german.body
    assert "How likely" not in to_german.body
    assert "eine Frage von" in to_german.subject  # the catalogue's German subject
    [to_spanish] = [m for m in mail.outbox if m.to == [spanish.email]]
    assert "How likely are you to recommend Northwind" in to_spanish.body
    # The inbox item carries the question the e-mail asked.
    assert german.inbox.get().body == GERMAN["de"]["question"]
    assert spanish.inbox.get().body.startswith("How likely")


def test_the_built_in_question_is_read_in_the_persons_language(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A survey that kept the built-in question has no version written: each reader gets it
    from the catalogue, in their language."""
    caught: list[tuple[str, str]] = []

    def catalogue(text: str) -> str:
        caught.append((translation.get_language(), text))
        return f"«{text}»"

    monkeypatch.setattr("surveys.models.gettext", catalogue)
    survey = make_survey(
        world.csm,
        question=DEFAULT_QUESTIONS[Kind.NPS].format(vendor="Northwind Software"),
        follow_up_question=DEFAULT_FOLLOW_UP,
    )
    text = survey.text_for("fr")
    assert (
        text.question
        == "«How likely are you to recommend {vendor} to a friend or colleague?»".format(
            vendor="Northwind Software"
        )
    )
    assert text.follow_up_question == f"«{DEFAULT_FOLLOW_UP}»"
    assert {language for language, _text in caught} == {"fr"}
    # A version written in the language wins; a question of the CSM's own is read as written.
    survey.translations = {"fr": {"question": "Nous recommanderiez-vous ?"}}
    assert survey.text_for("fr").question == "Nous recommanderiez-vous ?"
    assert make_survey(world.csm, question="Our own?").text_for("fr").question == "Our own?"


def test_an_empty_follow_up_question_stays_unasked_in_every_language(world: World) -> None:
    survey = make_survey(world.csm, follow_up_question="", translations=GERMAN)
    assert survey.text_for("de").follow_up_question == ""
    assert survey.text_for("de").question == GERMAN["de"]["question"]


def test_reading_a_version_costs_no_query(world: World, django_assert_num_queries: Any) -> None:
    survey = Survey.objects.get(pk=make_survey(world.csm, translations=GERMAN).pk)
    with django_assert_num_queries(0):
        assert survey.text_for("de-at").question == GERMAN["de"]["question"]
        assert survey.text_for("es").question == survey.question


# Writing ----------------------------------------------------------------------------------


def survey_post(**extra: str) -> dict[str, str]:
    return {
        "name": "Pulse",
        "kind": "nps",
        "question": "How likely are you to recommend us?",
        "follow_up_question": "Why?",
        **extra,
    }


def test_the_survey_form_saves_the_versions_and_shows_them_again(world: World) -> None:
    client = client_for(world.csm)
    response = client.post(
        reverse("survey_create"),
        survey_post(
            **{"text-de-question": "  Würden Sie uns   empfehlen? ", "text-fr-question": ""}
        ),
    )
    assert response.status_code == 302
    survey = Survey.objects.get(name="Pulse")
    assert survey.translations == {"de": {"question": "Würden Sie uns empfehlen?"}}

    page = client.get(reverse("survey_edit", args=[survey.pk])).content.decode()
    assert 'name="text-de-question"' in page and "Würden Sie uns empfehlen?" in page
    assert 'name="text-fr-follow_up_question"' in page
    assert 'name="text-en-question"' not in page  # the default language is the text above
    # One section per other language, collapsed but for the one written in.
    assert page.count('<details class="disclosure language-version"') == 3
    assert page.count('<details class="disclosure language-version" open>') == 1


def test_clearing_a_version_removes_it(world: World) -> None:
    survey = make_survey(world.csm, translations=GERMAN)
    response = client_for(world.csm).post(
        reverse("survey_edit", args=[survey.pk]),
        survey_post(**{"text-de-question": "", "text-de-follow_up_question": "Warum?"}),
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.translations == {"de": {"follow_up_question": "Warum?"}}


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"text-xx-question": "?"}, "“xx” is not a language the portal speaks besides the default."),
        ({"text-en-question": "Hi?"}, "“en” is not a language the portal speaks besides the default."),
        ({"text-de-title": "Titel"}, "“title” is not a text that can be written per language."),
        ({"text-de-question": "x" * 301}, "Check the versions in other languages below."),
    ],
)  # fmt: skip
def test_a_bad_version_is_refused_with_a_422_and_changes_nothing(
    world: World, extra: dict[str, str], message: str
) -> None:
    survey = make_survey(world.csm, translations=GERMAN)
    client = client_for(world.csm)
    with unchanged():
        response = client.post(reverse("survey_edit", args=[survey.pk]), survey_post(**extra))
    assert response.status_code == 422
    assert message in response.content.decode()


def test_the_service_refuses_a_language_the_portal_does_not_speak(world: World) -> None:
    survey = Survey(
        name="Pulse",
        kind=Kind.NPS,
        question="How likely?",
        translations={"pt": {"question": "Qual a probabilidade?"}},
    )
    with unchanged(), pytest.raises(ValidationError) as refusal:
        save_survey(survey, acting_user=world.csm)
    assert "“pt” is not a language" in str(refusal.value)


# Playbook e-mails ---------------------------------------------------------------------------


@pytest.fixture
def check_in(db: None) -> EmailTemplate:
    return EmailTemplateFactory.create(
        key="check-in",
        name="Check-in",
        subject="How is it going, {first_name}?",
        body="Hello {first_name}, how is {account} doing?",
        translations={
            "de": {"subject": "Wie läuft es, {first_name}?", "body": "Hallo {first_name}!"}
        },
    )


def step_context(world: World, params: dict[str, Any], **data: Any) -> StepContext:
    event = EventFactory.create(account=world.account, kind=EventKind.NPS_PROMOTER, data=data)
    run = PlaybookRunFactory.create(event=event, account=world.account)
    return StepContext(
        run=run,
        account=world.account,
        event=event,
        position=0,
        params=params,
        merge=merge_fields(event, world.account, run),
    )


def test_a_playbook_email_goes_out_in_each_persons_language(
    world: World, check_in: EmailTemplate
) -> None:
    world.champion.name, world.executive.name = "Dana Lee", "Eli Ruiz"
    german, spanish = speaking(world.champion, "de"), speaking(world.executive, "es")
    load()[StepKind.SEND_EMAIL].run(step_context(world, {"template": "check-in", "to": "everyone"}))

    [to_german] = [m for m in mail.outbox if m.to == [german.email]]
    assert to_german.subject == "Wie läuft es, Dana?"
    assert "Hallo Dana!" in to_german.body
    [to_spanish] = [m for m in mail.outbox if m.to == [spanish.email]]
    assert to_spanish.subject == "How is it going, Eli?"
    assert "how is Acme doing?" in to_spanish.body
    assert german.inbox.get().title == "Wie läuft es, Dana?"


def test_the_email_form_saves_and_shows_the_versions(world: World, check_in: EmailTemplate) -> None:
    client = client_for(world.admin)
    response = client.post(
        reverse("email_template_edit", args=[check_in.pk]),
        {
            "name": "Check-in",
            "subject": check_in.subject,
            "body": check_in.body,
            "text-fr-subject": "Comment ça va, {first_name} ?",
            "text-fr-body": "Bonjour {first_name},\n\nTout va bien ?",
        },
    )
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.translations == {
        "fr": {"subject": "Comment ça va, {first_name} ?", "body": "Bonjour {first_name},\n\nTout va bien ?"}
    }  # fmt: skip
    page = client.get(reverse("email_template_edit", args=[check_in.pk])).content.decode()
    assert "Comment ça va, {first_name} ?" in page


@pytest.mark.parametrize(
    "extra,message",
    [
        ({"text-it-subject": "Ciao"}, "“it” is not a language the portal speaks besides the default."),
        ({"text-de-subject": "Hallo {vorname}"}, "Deutsch: Unknown merge field “{vorname}”"),
    ],
)  # fmt: skip
def test_a_bad_email_version_is_refused_with_a_422_and_changes_nothing(
    world: World, check_in: EmailTemplate, extra: dict[str, str], message: str
) -> None:
    client = client_for(world.admin)
    data = {"name": "Check-in", "subject": check_in.subject, "body": check_in.body, **extra}
    with unchanged():
        response = client.post(reverse("email_template_edit", args=[check_in.pk]), data)
    assert response.status_code == 422
    assert message in response.content.decode()


# Other steps that write to people -------------------------------------------------------------


def test_an_advocacy_ask_carries_the_note_in_the_persons_language(world: World) -> None:
    german = speaking(world.champion, "de")
    params = {
        "kind": "review",
        "note": "Would you review us, {person}?",
        "note_de": "Würden Sie uns bewerten?",
    }
    nps_answer(world.account, german, 10)
    load()[StepKind.ASK_FOR_ADVOCACY].run(step_context(world, params, user_id=german.pk))
    assert AdvocacyAsk.objects.get(person=german).note == "Würden Sie uns bewerten?"


def test_a_step_text_falls_back_to_the_default_one() -> None:
    params = {"note": "Default", "note_de": "Deutsch", "note_fr": ""}
    assert in_language(params, "note", "de") == "Deutsch"
    assert in_language(params, "note", "fr") == "Default"
    assert in_language(params, "note", "en") == "Default"


def test_the_advocacy_step_offers_the_note_in_each_other_language() -> None:
    names = [field.name for field in load()[StepKind.ASK_FOR_ADVOCACY].fields]
    assert names == ["kind", "note", "note_de", "note_fr", "note_es"]
