"""Texts the portal stores for people to read later, in the reader's language.

Inbox items are made per reader: ``notify`` (and ``tell``, ``notify_each``) take lazy strings
and make each person's item in their language, once per language, in one insert. Activity
verbs are stored in English (marked with ``gettext_noop``) and translated when the timeline
is read; the fields a change names are shown by their verbose names.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop

from accounts.activity import record
from accounts.join import confirm_join_request, make_join_token, read_join_token
from accounts.models import Account, CustomerRole, Notification, NotificationKind, SelfJoin
from accounts.services import notify, notify_each, tell
from accounts.templatetags.portal import translate_stored
from portal.i18n import languages_of, person_locale
from tests.conftest import World, client_for
from tests.factories import AccountFactory, CSMFactory, MembershipFactory
from tests.pseudo import english_left_on, pseudo_translation
from tests.queries import count_queries

# A message the German catalogue translates (locale/de).
TASKS = gettext_lazy("Tasks assigned to me, due and overdue")
TASKS_DE = "Mir zugewiesene, fällige und überfällige Aufgaben"
TASKS_EN = "Tasks assigned to me, due and overdue"


def set_language(obj: Any, language: str) -> None:
    obj.language = language
    obj.save(update_fields=["language"])


# Inbox items ---------------------------------------------------------------------------------


def test_one_notify_gives_each_reader_their_own_language(world: World) -> None:
    set_language(world.account, "de")  # the champion chose none: the account's
    items = notify([world.champion, world.csm], kind=NotificationKind.ACCOUNT, title=TASKS)
    titles = {item.user_id: item.title for item in items}
    assert titles == {world.champion.pk: TASKS_DE, world.csm.pk: TASKS_EN}
    stored = dict(Notification.objects.values_list("user_id", "title"))
    assert stored == titles


def test_the_body_and_merged_values_follow_the_reader_too(world: World) -> None:
    set_language(world.champion, "de")
    title = format_lazy(gettext_lazy("{area}: {account}"), area=TASKS, account="Acme")
    notify([world.champion, world.csm], kind=NotificationKind.TASKS, title=title, body=TASKS)
    german = Notification.objects.get(user=world.champion)
    english = Notification.objects.get(user=world.csm)
    assert (german.title, german.body) == (f"{TASKS_DE}: Acme", TASKS_DE)
    assert (english.title, english.body) == (f"{TASKS_EN}: Acme", TASKS_EN)


def test_vendor_staff_never_take_the_accounts_language(world: World) -> None:
    set_language(world.account, "de")
    MembershipFactory.create(account=world.account, user=world.csm, role=CustomerRole.MEMBER)
    (item,) = notify([world.csm], kind=NotificationKind.ACCOUNT, title=TASKS)
    assert item.title == TASKS_EN


def test_a_plain_string_is_stored_as_given_and_the_writers_language_is_left_alone(
    world: World,
) -> None:
    set_language(world.champion, "de")
    with translation.override("fr"):
        (item,) = notify([world.champion], kind=NotificationKind.ACCOUNT, title="Acme 2026")
        assert translation.get_language() == "fr"
    assert item.title == "Acme 2026"


def test_the_languages_agree_with_a_persons_locale(world: World) -> None:
    set_language(world.account, "fr")
    set_language(world.member, "es")
    people = [world.champion, world.member, world.csm, world.admin, world.other_champion]
    expected = {person.pk: person_locale(person).language or "en" for person in people}
    assert languages_of(people) == expected
    assert expected[world.champion.pk] == "fr" and expected[world.member.pk] == "es"


@pytest.mark.django_db
def test_notify_costs_the_same_queries_for_five_readers_or_fifty() -> None:
    german = AccountFactory.create(language="de")
    english = AccountFactory.create(language="")

    def readers(n: int) -> list[Any]:
        people = [
            MembershipFactory.create(account=german if i % 2 else english).user for i in range(n)
        ]
        people += [CSMFactory.create(language="fr") for _ in range(n // 5)]
        return people

    def cost(people: list[Any]) -> int:
        return count_queries(lambda: notify(people, kind=NotificationKind.ACCOUNT, title=TASKS))

    few, many = readers(5), readers(50)
    assert cost(few) == cost(many) <= 2  # the undecided's memberships, the insert
    made = Notification.objects.filter(user__in=many)
    assert made.count() == len(many)
    assert set(made.values_list("title", flat=True)) == {
        TASKS_DE,
        TASKS_EN,
        _in("fr"),
    }


def _in(language: str) -> str:
    with translation.override(language):
        return str(TASKS)


def test_tell_and_notify_each_make_the_item_in_the_readers_language(world: World) -> None:
    set_language(world.champion, "de")
    tell(world.champion, kind=NotificationKind.ACCOUNT, title=TASKS, body=TASKS)
    notify_each(
        Notification(user=person, kind=NotificationKind.ACCOUNT, title=cast(str, TASKS))
        for person in (world.champion, world.csm)
    )
    titles = sorted(Notification.objects.values_list("user_id", "title"))
    assert titles == sorted(
        [(world.champion.pk, TASKS_DE), (world.champion.pk, TASKS_DE), (world.csm.pk, TASKS_EN)]
    )
    assert Notification.objects.filter(user=world.champion, body=TASKS_DE).count() == 1


def test_a_request_to_join_reaches_each_champion_in_their_language(world: World) -> None:
    """A caller's own message (made with format_lazy) goes through each reader's catalogue: in
    the pseudo-translation the German champion's is marked, the English one's is plain."""
    english_champion = MembershipFactory.create(
        account=world.account, role=CustomerRole.CHAMPION
    ).user
    set_language(english_champion, "en")
    set_language(world.champion, "de")
    Account.objects.filter(pk=world.account.pk).update(
        email_domains="acme.example", self_join=SelfJoin.APPROVAL
    )
    world.account.refresh_from_db()
    token = make_join_token(world.account, email="sam@acme.example", name="Sam Ortiz", message="")
    with pseudo_translation():
        confirm_join_request(read_join_token(token))
    german = Notification.objects.get(user=world.champion)
    english = Notification.objects.get(user=english_champion)
    assert english.title == "Sam Ortiz (sam@acme.example) asks to join Acme"
    assert german.title.startswith("⟦") and "asks to join" in german.title


# The activity timeline -----------------------------------------------------------------------


def _history(world: World) -> None:
    record(gettext_noop("edited the account"), actor=world.csm, account=world.account,
           target=world.account, before={"email_domains": "old.example"},
           after={"email_domains": "acme.example"})  # fmt: skip
    record(gettext_noop("invited"), actor=world.champion, account=world.account)
    record(gettext_noop("assigned a task"), actor=world.csm, account=world.account)


def test_the_timeline_has_no_english_verb_left(world: World) -> None:
    _history(world)
    people = [world.csm.display_name, world.champion.display_name, "Acme"]
    people += ["old.example", "acme.example"]
    people += [world.csm.initials, world.champion.initials]
    left = english_left_on(
        client_for(world.csm), "/a/acme/activity/", within="timeline", allowed=people
    )
    assert left == []


def test_a_german_csm_reads_the_verbs_through_the_catalogue(world: World) -> None:
    _history(world)
    set_language(world.csm, "de")
    with pseudo_translation():
        html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    assert "⟦invited⟧" in html and "⟦assigned a task⟧" in html
    html = client_for(world.admin).get("/a/acme/activity/").content.decode()
    assert "</strong> invited" in html and "⟦" not in html


def test_a_change_names_the_field_by_its_verbose_name(world: World) -> None:
    _history(world)
    (entry,) = [e for e in world.account.activities.all() if e.before]
    field = Account._meta.get_field("email_domains").verbose_name
    assert entry.changes == [(field, "old.example", "acme.example")]
    with translation.override("en"):
        assert str(entry.changes[0][0]) == "allowed e-mail domains"
    unknown = record(
        "noted", actor=world.csm, account=world.account, target=world.account,
        after={"colour": "blue"},
    )  # fmt: skip
    assert unknown.changes == [("colour", None, "blue")]


def test_a_verb_the_catalogue_does_not_know_is_shown_as_stored() -> None:
    with translation.override("de"):
        assert translate_stored("did something long ago") == "did something long ago"
        assert translate_stored("") == ""
