"""A line of the timeline is one sentence of the reader's language (accounts.timeline), the
actor's and the target's names escaped; English reads word for word as the verb between them
did; a verb with no sentence (an old entry's) reads as before."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.translation import gettext, gettext_noop

from accounts.activity import record
from accounts.models import Activity
from accounts.timeline import WITH_TARGET, WITHOUT_TARGET
from insights.models import Contract
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
        expected = conditional_escape(gettext("%(actor)s updated a renewal %(target)s")) % {
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
        "<p><strong>&lt;b&gt;Eve&lt;/b&gt; &amp; Co</strong> changed a value KPI "
        '<span class="target">value KPI “&lt;script&gt;alert(1)&lt;/script&gt;”</span> '
        '<span class="badge badge-muted">internal</span></p>'
    ) in html.decode()


def test_english_reads_word_for_word_as_before(world: World) -> None:
    with translation.override("en"):
        for actor in (world.csm, None):
            for verb in WITH_TARGET:
                entry = Activity(actor=actor, verb=verb, target_label="Plan “Q3” & <more>")
                assert entry.line == _verb_between(entry), verb
            for verb in WITHOUT_TARGET:
                entry = Activity(actor=actor, verb=verb)
                assert entry.line == _verb_between(entry), verb
    assert str(Activity(verb="updated a renewal", target_label="X").line) == (
        '<strong>The portal</strong> updated a renewal <span class="target">X</span>'
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
