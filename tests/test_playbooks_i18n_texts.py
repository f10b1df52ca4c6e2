"""Playbook texts in the reader's language: a built-in playbook's name, description and task
texts read in each reader's language while a CS admin has not changed them (an edited one as
written), a built-in task is written in its CSM's language with its merge fields filled in, and
a run's activity keeps why it fired and what each step did as messages with their values,
worded when the timeline is read (entries from before read as stored).

Each test reads the shipped German catalogue (``german`` checks it translates the messages read
here) and compares with ``gettext`` of the message and values computed here: a text not passed
through the catalogue fails."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from accounts.change_words import change_value
from accounts.models import Activity
from playbooks.builtins import BUILT_IN
from playbooks.models import CSMTask, Playbook, PlaybookRun, StepKind
from playbooks.services.playbooks import found_why
from playbooks.words import choice, say, words
from portal.i18n import stored_text
from surveys.models import Kind
from surveys.services import record_response
from tests.conftest import World, client_for
from tests.survey_helpers import deliver, make_campaign, make_survey

NOW = datetime(2026, 11, 16, 9, tzinfo=UTC)

NAME = "Detractor follow-up"
DESCRIPTION = "An NPS detractor (0–6) gets a call from their CSM within two days."
TITLE = "Call {person} about their NPS {score}"
REASON = "{person} answered NPS {score}."
DONE = "task “%(title)s” for %(owner)s"
MESSAGES = (NAME, DESCRIPTION, TITLE, REASON, DONE, "Step %(number)s (%(kind)s)")
GERMAN: dict[str, str] = {}  # each message as the German catalogue has it (``german``)


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: time_machine.TimeMachineFixture) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def german() -> None:
    """The German catalogue's wording of the messages these tests read: each one translated."""
    with translation.override("de"):
        GERMAN.update({message: gettext(message) for message in MESSAGES})
    untranslated = [message for message, text in GERMAN.items() if text == message]
    assert not untranslated, untranslated


def answer_detractor(world: World, capture: Any) -> None:
    survey = make_survey(world.csm, Kind.NPS)
    delivery = deliver(make_campaign(survey, world.csm), world.champion, account=world.account)
    with capture(execute=True):
        record_response(delivery, 3, channel="portal")


def test_the_built_in_texts_are_the_catalogues_messages() -> None:
    spec = next(s for s in BUILT_IN if s["key"] == "detractor-follow-up")
    assert (spec["name"], spec["description"]) == (NAME, DESCRIPTION)
    assert spec["steps"][0]["params"]["title"] == TITLE


def test_an_unchanged_built_in_playbook_reads_in_german(
    world: World, detractor_play: Playbook, german: None
) -> None:
    assert (detractor_play.name, detractor_play.description) == (NAME, DESCRIPTION)  # stored
    with translation.override("de"):
        assert detractor_play.name_text == gettext(NAME) == GERMAN[NAME]
        assert detractor_play.description_text == gettext(DESCRIPTION)
        assert detractor_play.steps.get().title_text == gettext(TITLE)
    with translation.override("en"):
        assert detractor_play.name_text == NAME
    world.admin.language = "de"
    world.admin.save(update_fields=["language"])
    html = client_for(world.admin).get(reverse("playbooks")).content.decode()
    assert GERMAN[NAME] in html and GERMAN[DESCRIPTION] in html
    assert GERMAN[TITLE] in html


def test_an_edited_built_in_name_stays_as_written(
    world: World, detractor_play: Playbook, german: None
) -> None:
    Playbook.objects.filter(pk=detractor_play.pk).update(
        name="Call the unhappy ones", description=DESCRIPTION + " Our way."
    )
    detractor_play.refresh_from_db()
    with translation.override("de"):
        assert detractor_play.name_text == "Call the unhappy ones"
        assert detractor_play.description_text == DESCRIPTION + " Our way."


def test_a_playbook_of_the_admins_own_named_like_a_built_in_one_stays_as_written(
    db: None, german: None
) -> None:
    own = Playbook.objects.create(name=NAME, trigger="nps_detractor")
    with translation.override("de"):
        assert own.name_text == NAME


def test_a_built_in_task_is_written_in_its_csms_language_with_its_merge_fields(
    world: World, detractor_play: Playbook, german: None, django_capture_on_commit_callbacks: Any
) -> None:
    world.csm.language = "de"
    world.csm.save(update_fields=["language"])
    answer_detractor(world, django_capture_on_commit_callbacks)
    task = CSMTask.objects.get()
    person = world.champion.display_name
    with translation.override("de"):
        assert task.title == gettext(TITLE).format(person=person, score=3)
        assert task.reason == gettext(REASON).format(person=person, score=3)
    assert (
        task.title
        == GERMAN[TITLE].format(person=person, score=3)
        != TITLE.format(person=person, score=3)
    )


def test_a_built_in_task_for_a_csm_who_chose_no_language_is_in_the_accounts(
    world: World, detractor_play: Playbook, german: None, django_capture_on_commit_callbacks: Any
) -> None:
    world.csm.language = ""
    world.csm.save(update_fields=["language"])
    world.account.language = "en"
    world.account.save(update_fields=["language"])
    answer_detractor(world, django_capture_on_commit_callbacks)
    assert CSMTask.objects.get().title == f"Call {world.champion.display_name} about their NPS 3"


def test_a_runs_activity_keeps_its_why_and_steps_as_messages_worded_when_read(
    world: World, detractor_play: Playbook, german: None, django_capture_on_commit_callbacks: Any
) -> None:
    answer_detractor(world, django_capture_on_commit_callbacks)
    run = PlaybookRun.objects.get()
    step = run.run_steps.get()
    logged = Activity.objects.get(verb="ran")
    assert logged.after == {"why": {"said": run.said}, "steps": [{"said": step.said}]}
    task = CSMTask.objects.get()
    assert step.said == say(DONE, title=task.title, owner=str(world.csm))
    with translation.override("de"):
        assert change_value(logged.after["steps"], None) == gettext(DONE) % {
            "title": task.title,
            "owner": str(world.csm),
        }
        assert change_value(logged.after["why"], None) == words(run.said)
        worded = {str(name): after for name, _, after in logged.changes}
        assert worded[gettext("steps")].startswith("Aufgabe „")


def test_a_step_run_later_keeps_its_label_and_outcome_as_messages(
    world: World, german: None
) -> None:
    from playbooks.services.runs import _record_step
    from tests.factories import EventFactory, PlaybookRunFactory

    run = PlaybookRunFactory.create(event=EventFactory.create(account=world.account))
    step = run.run_steps.create(
        position=1,
        kind=StepKind.CREATE_TASK,
        due_at=NOW,
        status="done",
        said=say(DONE, title="Call", owner="Sam"),
        detail="task “Call” for Sam",
    )
    _record_step(step, run)
    after = Activity.objects.get(verb="ran a step of").after or {}
    with translation.override("de"):
        assert change_value(after["step"], None) == gettext("Step %(number)s (%(kind)s)") % {
            "number": 2,
            "kind": gettext("Create a task for the CSM"),
        }
        assert change_value(after["outcome"], None) == gettext("%(status)s: %(outcome)s") % {
            "status": gettext("Done"),
            "outcome": gettext(DONE) % {"title": "Call", "owner": "Sam"},
        }
    assert change_value(after["step"], None) == "Step 2 (Create a task for the CSM)"


def test_an_entry_from_before_reads_as_stored(world: World, german: None) -> None:
    old = Activity.objects.create(
        account=world.account, verb="ran", after={"why": "NPS 3", "steps": ["task “Call” for Sam"]}
    )
    with translation.override("de"):
        assert [(str(name), after) for name, _, after in old.changes] == [
            (gettext("why"), "NPS 3"),
            (gettext("steps"), "task “Call” for Sam"),
        ]


def test_a_detectors_why_reads_in_the_readers_language(german: None) -> None:
    stored = stored_text(DONE, title="Call", owner="Sam").as_json()
    with translation.override("de"):
        assert found_why(stored) == gettext(DONE) % {"title": "Call", "owner": "Sam"}
        assert found_why(say(DONE, title="Call", owner="Sam")) == GERMAN[DONE] % {
            "title": "Call",
            "owner": "Sam",
        }
        assert found_why("Nobody logged in") == "Nobody logged in"  # stored as written


def test_an_edits_activity_keeps_the_steps_as_messages_worded_when_read(
    world: World, german: None
) -> None:
    from playbooks.services.playbooks import save_playbook
    from tests.test_playbooks_editor import data, task_step

    save_playbook(
        None,
        data=data(steps=[task_step("Call"), task_step("Chase", delay=7)]),
        apply_to_runs=False,
        acting_user=world.admin,
    )
    entry = Activity.objects.get(verb="created a playbook")
    after = entry.after or {}
    assert after["trigger"] == "renewal_due"  # the choice, named when read
    label = say("Step %(number)s (%(kind)s)", number=1, kind=choice(StepKind, "create_task"))
    assert after["steps"][0] == {"said": label}
    with translation.override("de"):
        step = gettext("Step %(number)s (%(kind)s)")
        kind = gettext("Create a task for the CSM")
        assert change_value(after["steps"], None) == ", ".join(
            [
                step % {"number": 1, "kind": kind},
                ngettext("%(step)s after %(count)s day", "%(step)s after %(count)s days", 7)
                % {"step": step % {"number": 2, "kind": kind}, "count": 7},
            ]
        )
        assert change_value(after["steps"], None).startswith("Schritt 1 (")
