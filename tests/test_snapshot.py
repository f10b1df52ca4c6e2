"""tests/snapshot.py: the helper every refusal test leans on must itself catch changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session

from accounts.models import Activity, Membership
from portal.models import Job
from tests.conftest import World, client_for
from tests.snapshot import changed_tables, database_state, unchanged


def test_nothing_done_is_nothing_changed(world: World) -> None:
    with unchanged():
        Membership.objects.filter(account=world.account).count()


def test_an_added_row_is_caught(world: World) -> None:
    with pytest.raises(AssertionError, match=r"accounts\.Activity"), unchanged():
        Activity.objects.create(account=world.account, actor=world.csm, verb="looked")


def test_a_changed_field_is_caught(world: World) -> None:
    with pytest.raises(AssertionError, match=r"accounts\.Membership"), unchanged():
        Membership.objects.filter(user=world.member).update(role="executive")


def test_a_deleted_row_is_caught(world: World) -> None:
    with pytest.raises(AssertionError, match=r"accounts\.Membership"), unchanged():
        Membership.objects.filter(user=world.member).delete()


def test_a_new_session_and_a_many_to_many_row_are_caught(world: World) -> None:
    with pytest.raises(AssertionError, match=r"sessions\.Session"), unchanged():
        client_for(world.member)
    group = Group.objects.create(name="Readers")
    with pytest.raises(AssertionError, match=r"accounts\.User_groups"), unchanged():
        world.member.groups.add(group)


def test_ignored_models_are_left_out(world: World) -> None:
    before = database_state(ignoring=(Activity, Job))
    Activity.objects.create(account=world.account, actor=world.csm, verb="looked")
    assert changed_tables(before, database_state(ignoring=(Activity, Job))) == []
    with unchanged(ignoring=[Activity]):
        Activity.objects.create(account=world.account, actor=world.csm, verb="looked again")
    assert Session.objects.count() == 0
