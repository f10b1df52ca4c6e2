"""What an activity was done to, in the reader's language.

A target's ``activity_label`` is either people's own words (a title, a name: stored and shown
as they are) or a stored text: an English message marked with ``gettext_noop`` and its values,
kept in ``Activity.target_words`` and translated when the timeline is read; ``target_label``
keeps the English. Entries from before stored texts show their label as stored.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from academy.models import Assignment, Course
from accounts.activity import record
from accounts.models import Activity, CustomerRole, Invitation
from advocacy.models import AdvocacyAsk, AskKind
from insights.models import Contract
from offboarding.models import Offboarding
from portal.i18n import stored_text
from renewals.models import Renewal
from reports.models import ReviewRequest
from surveys.models import Campaign, Kind, Response
from tests.conftest import World, client_for
from tests.pseudo import english_left_on, pseudo_translation
from value.models import ValueKPI


def _targets() -> list[models.Model]:
    """Targets of several features, not saved: an entry keeps only their id and label."""
    spring = Campaign(pk=1, name="Spring pulse")
    return [
        ValueKPI(pk=1, name="Seats in use"),
        Renewal(pk=1, contract=Contract(pk=1, product="Platform", external_id="C-1")),
        Offboarding(pk=1),
        AdvocacyAsk(pk=1, kind=AskKind.REVIEW),
        Response(pk=1, campaign=spring, kind=Kind.NPS, score=9),
        Response(pk=2, campaign=spring, kind=Kind.EXIT),
        Assignment(pk=1, course=Course(pk=1, title="Admin basics"), role=CustomerRole.MEMBER),
        Invitation(pk=1, email="sam@acme.example", role=CustomerRole.CHAMPION),
        ReviewRequest(pk=1),
    ]


# A message the German catalogue translates (locale/de).
TASKS = "Tasks assigned to me, due and overdue"
USER_WORDS = ["Seats in use", "Platform", "Spring pulse", "Admin basics"]


def _history(world: World) -> list[Activity]:
    return [
        record(
            gettext_noop("edited the account"),
            actor=world.csm,
            account=world.account,
            target=target,
        )
        for target in _targets()
    ]


def test_the_timeline_reads_every_target_in_german(world: World) -> None:
    _history(world)
    people = [world.csm.display_name, world.csm.initials, "Acme", *USER_WORDS]
    left = english_left_on(
        client_for(world.csm), "/a/acme/activity/", within="timeline", allowed=people
    )
    assert left == []


def test_the_english_is_kept_in_the_label_and_the_message_beside_it(world: World) -> None:
    entries = {entry.target_label: entry for entry in _history(world)}
    survey = entries["NPS survey “Spring pulse” with 9"]
    assert survey.target_words == {
        "message": "%(kind)s survey “%(name)s” with %(score)s",
        "params": {
            "kind": {"message": "NPS", "context": "survey kind"},
            "name": "Spring pulse",
            "score": "9",
        },
    }
    assert set(entries) >= {
        "value KPI “Seats in use”",
        "the renewal of Platform",
        "the offboarding",
        "advocacy ask “Write a review”",
        "exit survey “Spring pulse”",
        "“Admin basics” for every member",
        "sam@acme.example (Champion)",
        "a business review",
    }
    saved = Activity.objects.get(pk=survey.pk)
    with translation.override("en"):
        assert saved.target_text == "NPS survey “Spring pulse” with 9"


def test_a_german_reader_reads_the_messages_and_the_choices_translated(world: World) -> None:
    _history(world)
    world.csm.language = "de"
    world.csm.save(update_fields=["language"])
    with pseudo_translation():
        html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    assert "⟦⟦NPS⟧ survey “Spring pulse” with 9⟧" in html
    assert "⟦“Admin basics” for ⟦every member⟧⟧" in html
    assert "⟦the offboarding⟧" in html


def test_peoples_words_in_a_label_are_not_translated(world: World) -> None:
    # A KPI named like a message the catalogue knows keeps its name in every language.
    (entry,) = [
        record(
            gettext_noop("edited the account"),
            actor=world.csm,
            account=world.account,
            target=ValueKPI(pk=7, name="Champion"),
        )
    ]
    with pseudo_translation(), translation.override("de"):
        assert translation.gettext("Champion") == "⟦Champion⟧"
        assert Activity.objects.get(pk=entry.pk).target_text == "⟦value KPI “Champion”⟧"


def test_an_entry_from_before_shows_its_label_as_stored(world: World) -> None:
    Activity.objects.create(
        account=world.account,
        actor=world.csm,
        verb="edited",
        target_label="value KPI “Seats in use”",
        target_words=None,
    )
    with pseudo_translation():
        html = client_for(world.csm).get("/a/acme/activity/", HTTP_ACCEPT_LANGUAGE="de")
    assert "value KPI “Seats in use”</span>" in html.content.decode()


def test_a_label_of_peoples_words_only_is_stored_as_it_is(world: World) -> None:
    entry = record(
        "edited", actor=world.csm, account=world.account, target=Campaign(pk=3, name="Pulse")
    )
    assert (entry.target_label, entry.target_words) == ("Pulse", None)
    assert entry.target_text == "Pulse"


def test_a_stored_text_that_cannot_be_read_shows_the_label_as_stored() -> None:
    assert str(stored_text(gettext_noop("value KPI “%(name)s”"), name="Seats")) == (
        "value KPI “Seats”"
    )
    for words in (
        {"message": 3},
        {"message": "%(title)s", "params": {"name": "Seats"}},
        {"message": "x", "params": "y"},
    ):
        entry = Activity(target_label="value KPI “Seats”", target_words=words)
        assert entry.target_text == "value KPI “Seats”"


def test_a_lazy_value_keeps_its_message_and_any_other_is_stored_in_english() -> None:
    with translation.override("de"):
        text = stored_text(
            gettext_noop("%(email)s (%(role)s)"),
            email=format_lazy("{}", gettext_lazy(TASKS)),
            role=pgettext_lazy("survey kind", "Exit"),
        )
    assert text.as_json() == {
        "message": "%(email)s (%(role)s)",
        "params": {"email": TASKS, "role": {"message": "Exit", "context": "survey kind"}},
    }
    assert str(text) == f"{TASKS} (Exit)"


# What changed, worded for the reader ------------------------------------------------------------


def _renewal_change(world: World) -> Activity:
    renewal = Renewal(pk=1, contract=Contract(pk=1, product="Platform", external_id="C-1"))
    return record(
        gettext_noop("updated a renewal"),
        actor=world.csm,
        account=world.account,
        target=renewal,
        before={"stage": "not_started", "amount_committed": "1500.50", "renews_on": None},
        after={
            "stage": "committed",
            "amount_committed": "18000.50",
            "renews_on": "2027-11-17",
            "forecast_reason": "Budget confirmed",
            "why": "NPS detractor",
            "done": True,
            "steps": ["Call Mia"],  # named like the renewal's reverse relation
        },
    )


def test_a_change_reads_with_labels_dates_and_numbers_of_the_readers_language(
    world: World,
) -> None:
    entry = _renewal_change(world)
    with translation.override("en"):
        assert [(str(name), old, new) for name, old, new in entry.changes] == [
            ("stage", "Not started", "Committed"),
            ("amount committed", "1,500.50", "18,000.50"),
            ("renews on", None, "17 Nov 2027"),
            ("forecast reason", None, "Budget confirmed"),
            ("why", None, "NPS detractor"),
            ("done", None, "yes"),
            ("steps", None, "Call Mia"),
        ]
    with translation.override("de"):
        (_stage, amount, renews, *_rest) = entry.changes
        assert amount[2] == "18.000,50" and renews[2] == "17. Nov. 2027"


def test_the_changes_on_the_timeline_leave_no_english_in_german(world: World) -> None:
    _renewal_change(world)
    people = [world.csm.display_name, world.csm.initials, "Acme", "Platform"]
    left = english_left_on(
        client_for(world.csm),
        "/a/acme/activity/",
        within="timeline",
        allowed=[*people, "Budget confirmed", "NPS detractor", "Call Mia"],
    )
    assert left == []
