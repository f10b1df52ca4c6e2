"""A line of the timeline is one sentence of the reader's language (accounts.timeline), the
actor's and the target's names escaped; English reads word for word as the verb between them
did; a verb with no sentence (an old entry's) reads as before."""

from __future__ import annotations

import itertools
import re
from typing import Any

from django.template import Context, Template
from django.utils import translation
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.translation import gettext, gettext_noop

from accounts.activity import entry_for, record
from accounts.models import Activity
from accounts.timeline import WITH_TARGET, WITHOUT_TARGET
from insights.models import Contract
from portal.i18n import StoredText
from renewals.models import Renewal
from tests.conftest import World, client_for
from value.models import ValueKPI

# The line as the timeline wrote it before: the verb between the actor and the target.
VERB_BETWEEN = Template(
    "{% load i18n portal %}<strong>{% if entry.actor %}{{ entry.actor.display_name }}"
    '{% else %}{% translate "The portal" %}{% endif %}</strong> {{ entry.verb|translate_stored }}'
    "{% with target=entry.target_text %}{% if target %} "
    '<span class="target">{{ target }}</span>{% endif %}{% endwith %}'
)


def _verb_between(entry: Activity) -> str:
    return VERB_BETWEEN.render(Context({"entry": entry}))


def _renewal() -> Renewal:
    return Renewal(pk=1, contract=Contract(pk=1, product="Platform", external_id="C-1"))


def test_a_german_reader_reads_one_sentence_in_the_order_of_german(world: World) -> None:
    entry = record(
        gettext_noop("updated a renewal"), actor=world.csm, account=world.account, target=_renewal()
    )
    world.csm.language = "de"
    world.csm.save(update_fields=["language"])
    html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    with translation.override("de"):
        # The verb alone is German: the verb between the names would read otherwise.
        assert gettext("updated a renewal") != "updated a renewal"
        expected = conditional_escape(gettext("%(actor)s updated %(target)s")) % {
            "actor": "<strong>Casey CSM</strong>",
            "target": f'<span class="target">{escape(entry.target_text)}</span>',
        }
        assert entry.line == expected
        assert entry.line != _verb_between(entry)
    assert f"<p>{expected}</p>" in html


def test_the_names_in_a_line_are_escaped(world: World) -> None:
    world.csm.name = "<b>Eve</b> & Co"
    world.csm.save(update_fields=["name"])
    entry = record(
        gettext_noop("changed a value KPI"),
        actor=world.csm,
        account=world.account,
        target=ValueKPI(pk=3, name="<script>alert(1)</script>"),
        internal=True,
    )
    for language in ("en", "de", "fr", "es"):
        with translation.override(language):
            line = Activity.objects.select_related("actor").get(pk=entry.pk).line
        assert "<script>" not in line and "<b>" not in line
        assert "<strong>&lt;b&gt;Eve&lt;/b&gt; &amp; Co</strong>" in line
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in line
    html = client_for(world.csm).get("/a/acme/activity/", HTTP_ACCEPT_LANGUAGE="en").content
    assert (
        "<p><strong>&lt;b&gt;Eve&lt;/b&gt; &amp; Co</strong> changed the "
        '<span class="target">value KPI “&lt;script&gt;alert(1)&lt;/script&gt;”</span> '
        '<span class="badge badge-muted">internal</span></p>'
    ) in html.decode()


def test_english_reads_word_for_word_as_before(world: World) -> None:
    """Except where the target's label names what it is ("lesson “…”"): there the sentence
    does not name it again (test_no_line_names_its_target_twice)."""
    with translation.override("en"):
        for actor in (world.csm, None):
            for verb in WITH_TARGET:
                if WITH_TARGET[verb] != f"%(actor)s {verb} %(target)s":
                    continue
                entry = Activity(actor=actor, verb=verb, target_label="Plan “Q3” & <more>")
                assert entry.line == _verb_between(entry), verb
            for verb in WITHOUT_TARGET:
                entry = Activity(actor=actor, verb=verb)
                assert entry.line == _verb_between(entry), verb
    assert str(Activity(verb="updated a referral", target_label="X").line) == (
        '<strong>The portal</strong> updated the <span class="target">X</span>'
    )
    assert str(Activity(verb="edited the account", target_label="X").line) == (
        '<strong>The portal</strong> edited the account <span class="target">X</span>'
    )


def test_a_verb_with_no_sentence_reads_as_before(world: World) -> None:
    old = Activity(actor=world.csm, verb="edited the account", target_label="")  # no target
    unknown = Activity(actor=world.csm, verb="did something long ago", target_label="Acme")
    assert "edited the account" not in WITHOUT_TARGET
    for language in ("en", "de"):
        with translation.override(language):
            assert old.line == _verb_between(old)
            assert unknown.line == _verb_between(unknown)
    assert (
        unknown.line
        == '<strong>Casey CSM</strong> did something long ago <span class="target">Acme</span>'
    )


# Targets whose label names what they are, each with the verbs recorded with it: the line
# names it once ("added the lesson “…”", not "added a lesson lesson “…”").
def first(model: Any, field: str) -> Any:
    """The first value of the model's choices in ``field``."""
    return model._meta.get_field(field).choices[0][0]


def _targets_naming_themselves() -> dict[str, list[Any]]:
    from academy.models import Course, Lesson
    from accounts.models import Account, AccountSSO
    from advocacy.models import AdvocacyAsk, CaseStudy, ReferenceCall, Referral
    from documents.models import Folder
    from forecast.models import ForecastModel
    from handover.models import Handover
    from insights.models import UpsellLead
    from integrations.models import CalendarFeed, ChatChannel, EmbedAccountId, EmbedSettings
    from offboarding.models import Offboarding
    from reports.models import WrappedBatch
    from surveys.models import FollowUp, Response
    from updates.models import Update

    course = Course(pk=1, title="Reports 101")
    lesson = Lesson(pk=1, title="Your first dashboard")
    ask = AdvocacyAsk(pk=1, kind=first(AdvocacyAsk, "kind"))
    case = CaseStudy(pk=1, title="A day a week back")
    update = Update(pk=1, title="Spring release")
    channel = ChatChannel(pk=1, kind=first(ChatChannel, "kind"), name="#acme")
    follow_up = FollowUp(pk=1, response=Response(pk=1, kind=first(Response, "kind"), score=6))
    sso = AccountSSO(pk=1, protocol=first(AccountSSO, "protocol"))
    lead = UpsellLead(pk=1, reason="More seats")
    folder = Folder(pk=1, name="Contracts")
    hub = EmbedSettings(pk=1)
    handover = Handover(pk=1, account=Account(pk=1, name="Acme"))
    return {
        "accepted an advocacy ask": [ask],
        "declined an advocacy ask": [ask],
        "marked an advocacy ask done": [ask],
        "asked for advocacy": [ask],
        "booked a reference call": [ReferenceCall(pk=1, prospect="Umbrella")],
        "marked a reference call done": [ReferenceCall(pk=1, prospect="Umbrella")],
        "referred a company": [Referral(pk=1, company="Initrode")],
        "updated a referral": [Referral(pk=1, company="Initrode")],
        "approved a case study": [case],
        "edited a case study": [case],
        "rejected a case study": [case],
        "started a case study": [case],
        "sent a case study for approval": [case],
        "changed a value KPI": [ValueKPI(pk=1, name="Hours saved")],
        "confirmed a value KPI": [ValueKPI(pk=1, name="Hours saved")],
        "defined a value KPI": [ValueKPI(pk=1, name="Hours saved")],
        "recorded a value reading": [ValueKPI(pk=1, name="Hours saved")],
        "opened a renewal": [_renewal()],
        "updated a renewal": [_renewal()],
        "completed the offboarding": [Offboarding(pk=1)],
        "started the offboarding": [Offboarding(pk=1)],
        "edited the update": [update],
        "published the update": [update],
        "scheduled the update": [update],
        "unpublished the update": [update],
        "wrote the update": [update],
        "changed the embed settings": [hub],
        "made the embed secret": [hub],
        "rotated the embed secret": [hub],
        "ended the previous embed secret": [hub],
        "set the product id": [EmbedAccountId(pk=1, external_id="acme-42")],
        "removed the product id": [EmbedAccountId(pk=1, external_id="acme-42")],
        "added a chat channel": [channel],
        "edited the chat channel": [channel],
        "removed the chat channel": [channel],
        "sent a test message to": [channel],
        "made a calendar address": [CalendarFeed(pk=1)],
        "replaced their calendar address": [CalendarFeed(pk=1)],
        "turned off their calendar address": [CalendarFeed(pk=1)],
        "marked a survey follow-up contacted": [follow_up],
        "marked a survey follow-up open": [follow_up],
        "marked a survey follow-up resolved": [follow_up],
        "created a course": [course],
        "edited a course": [course],
        "published a course": [course],
        "unpublished a course": [course],
        "changed a quiz": [course],
        "passed a quiz": [course],
        "took a quiz": [course],
        "added a lesson": [lesson],
        "edited a lesson": [lesson],
        "finished a lesson": [lesson],
        "attached a file": [lesson],
        "changed single sign-on": [sso],
        "set up single sign-on": [sso],
        "switched off single sign-on": [sso],
        "closed an upsell lead": [lead],
        "flagged an upsell lead": [lead],
        "raised an upsell lead": [lead],
        "passed an upsell lead to sales": [lead],
        "created a folder": [folder],
        "deleted a folder": [folder],
        "renamed a folder": [folder],
        "edited the handover": [handover],
        "filled in the handover": [handover],
        "received the handover": [handover],
        "reviewed the handover": [handover],
        "trained the churn forecast": [ForecastModel(pk=1)],
        "started the Wrapped batch": [
            WrappedBatch(pk=1, year=2026, segment=""),
            WrappedBatch(pk=2, year=2026, segment=first(WrappedBatch, "segment")),
        ],
    }


def _repeats(line: str) -> list[str]:
    words = re.findall(r"[\w’']+", strip_tags(line).lower())
    return [a for a, b in itertools.pairwise(words) if a == b and not a.isdigit()]


def test_no_line_names_its_target_twice(world: World) -> None:
    targets = _targets_naming_themselves()
    assert set(targets) <= set(WITH_TARGET)
    for verb, objects in targets.items():
        for target in objects:
            entry = entry_for(verb, actor=world.csm, account=world.account, target=target)
            assert entry.target_words, verb  # a label of the portal's words, not str()
            for language in ("en", "de", "fr", "es"):
                with translation.override(language):
                    line = entry.line
                    sentence = WITH_TARGET[verb]
                    if language != "en":  # translated, not the English fallen back to
                        assert (
                            sentence.translated()
                            if isinstance(sentence, StoredText)
                            else gettext(sentence)
                        ) != str(sentence), (verb, language)
                assert _repeats(line) == [], (verb, language, line)


def test_the_lines_read_as_english_sentences(world: World) -> None:
    from handover.models import Handover
    from integrations.models import ChatChannel

    def line(verb: str, target: Any, language: str = "en") -> str:
        entry = entry_for(verb, actor=world.csm, account=world.account, target=target)
        with translation.override(language):
            return strip_tags(entry.line)

    handover = Handover(pk=1, account=world.account)
    assert line("received the handover", handover) == "Casey CSM received the handover of Acme"
    assert line("received the handover", handover, "de") == (
        "Casey CSM hat die Übergabe von Acme erhalten"
    )
    assert line("updated a renewal", _renewal()) == "Casey CSM updated the renewal of Platform"
    channel = ChatChannel(pk=1, kind=first(ChatChannel, "kind"), name="#cs")
    assert line("added a chat channel", channel, "de").startswith("Casey CSM hat den ")


def test_an_entry_stored_with_the_renewals_earlier_label_still_reads_translated(
    world: World,
) -> None:
    entry = Activity(
        actor=world.csm,
        verb="updated a renewal",
        target_label="Renewal of Platform",
        target_words={"message": "Renewal of %(product)s", "params": {"product": "Platform"}},
    )
    assert "Renewal of %(product)s" in Renewal.EARLIER_LABELS
    with translation.override("de"):
        assert strip_tags(entry.line) == "Casey CSM hat Verlängerung von Platform aktualisiert"
