"""The account a page is of (accounts.access.get_account_for_user): one query whose SQL is
compiled once per process (portal.compiled.objects), giving each person the account, its owner
and their role exactly as the ORM would, and nothing to those who may not see it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accounts.access import get_account_for_user
from accounts.models import Account, User
from portal import compiled
from tests.conftest import PERSONAS, World
from tests.factories import AccountFactory, MembershipFactory


def request_of(user: Any) -> Any:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def orm_account(user: User, slug: str) -> Account | None:
    """What the plain ORM gives for the same question (the lookup before it was compiled)."""
    accounts = Account.objects.visible_to(user).filter(slug=slug).select_related("owner")
    if not user.vendor_role:
        accounts = accounts.annotate(member_role=F("memberships__role"))
    return accounts.first()


# Who sees acme, and as what (anonymous, other champion and other CSM: nobody).
SEES_ACME = {
    "champion": "champion",
    "executive": "executive",
    "member": "member",
    "csm": "csm",
    "admin": "admin",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_account_the_orm_gives_or_a_404(world: World, persona: str) -> None:
    user = world.persona(persona)
    request = request_of(user or AnonymousUser())
    if persona not in SEES_ACME:
        with pytest.raises(Http404):
            get_account_for_user(request, "acme")
        return
    assert user is not None
    access = get_account_for_user(request, "acme")
    expected = orm_account(user, "acme")
    assert expected is not None
    assert access.role == SEES_ACME[persona]
    assert access.account.pk == world.account.pk
    fields = [f.attname for f in Account._meta.concrete_fields]
    assert [getattr(access.account, f) for f in fields] == [getattr(expected, f) for f in fields]
    assert access.account._state.adding is False and access.account._state.db == "default"
    with CaptureQueriesContext(connection) as queries:
        owner = access.account.owner  # came with the account
    assert owner == world.csm and owner.name == "Casey CSM"
    assert len(queries) == 0


def test_one_compiled_query_answers_every_slug_with_its_own_account(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    third = AccountFactory.create(name="Initech", slug="initech", owner=world.csm)
    MembershipFactory.create(account=third, user=world.champion, role="executive")
    monkeypatch.setattr(compiled, "_compiled", {})
    monkeypatch.setattr(compiled, "_makers", {})
    compiles: list[object] = []
    compile_once = compiled._compile

    def counted(key: Any, *args: Any, **kwargs: Any) -> Any:
        compiles.append(key)
        return compile_once(key, *args, **kwargs)

    monkeypatch.setattr(compiled, "_compile", counted)
    request = request_of(world.champion)
    with CaptureQueriesContext(connection) as queries:
        first = get_account_for_user(request, "acme")
        second = get_account_for_user(request, "initech")
    assert (first.account.name, first.role) == ("Acme", "champion")
    assert (second.account.name, second.role) == ("Initech", "executive")
    assert len(queries) == 2
    assert compiles == [("default", ("accounts.account_seen_by", ""))]
    # The other customer's champion, asking for the same slugs through the same SQL, sees none.
    with pytest.raises(Http404):
        get_account_for_user(request_of(world.other_champion), "acme")


def test_a_slug_that_looks_like_sql_or_the_standin_finds_nothing(world: World) -> None:
    request = request_of(world.admin)
    for slug in ["acme' OR '1'='1", compiled._TEXT_STANDIN.format("slug"), ""]:
        with pytest.raises(Http404):
            get_account_for_user(request, slug)


def test_a_deactivated_person_sees_no_account(world: World) -> None:
    User.objects.filter(pk=world.champion.pk).update(is_active=False)
    world.champion.refresh_from_db()
    with pytest.raises(Http404):
        get_account_for_user(request_of(world.champion), "acme")
