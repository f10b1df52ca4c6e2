"""Personas, one per role, plus an outsider account (see tests/factories.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core import serializers
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import post_migrate
from django.test import Client

from accounts.models import Account, CustomerRole, User
from playbooks.models import Playbook
from tests.factories import AccountFactory, AdminFactory, CSMFactory, MembershipFactory


@dataclass
class World:
    account: Account  # "A": the account under test
    other_account: Account  # "B": another customer of the same vendor
    champion: User
    executive: User
    member: User
    other_champion: User  # champion of B
    csm: User  # owns A
    other_csm: User  # owns B, not A
    admin: User

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


PERSONAS = [
    "anonymous",
    "champion",
    "executive",
    "member",
    "other_champion",
    "csm",
    "other_csm",
    "admin",
]


# Left to Django, which makes them again after every flush (its own post_migrate handlers).
REMADE_BY_DJANGO = frozenset({"contenttypes.contenttype", "auth.permission"})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The test database, and the rows its data migrations made (the built-in playbooks, the
    default checklists, the churn reasons) made again after each transactional test empties it.

    A transactional test ends with a flush, whose post_migrate signal brings back Django's own
    rows but not these. In one process pytest-django runs those tests last; on a pytest-xdist
    worker they run among the others, which read the built-in playbooks and checklists.
    """
    with django_db_blocker.unblock():
        made = [
            model
            for model in apps.get_models()
            if model._meta.label_lower not in REMADE_BY_DJANGO
            and model._meta.managed
            and not model._meta.proxy
            and model._base_manager.exists()
        ]
        rows = serializers.serialize(
            "json",
            [obj for model in made for obj in model._base_manager.order_by("pk")],
            use_natural_foreign_keys=True,
        )
    last_app = list(apps.get_app_configs())[-1]

    def make_again(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
        # post_migrate is sent once per app: wait for the last one. A migration (a test that
        # migrates to an older state and back) sends its plan; a flush sends none.
        if sender is not last_app or "plan" in kwargs:
            return
        for obj in serializers.deserialize("json", rows, using=using):
            obj.save(using=using)
        connection = connections[using]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), made):
                cursor.execute(sql)

    post_migrate.connect(make_again, dispatch_uid="tests.make_migration_rows_again")
    yield
    post_migrate.disconnect(dispatch_uid="tests.make_migration_rows_again")


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Real hashing is slow on purpose; the tests make hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_media(settings: Any) -> None:
    # Two pytest-xdist workers make the same primary keys in their own databases: their files
    # (reports/<pk>.pdf...) go to a media directory each, never one over the other's.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        settings.MEDIA_ROOT = Path(django_settings.VAR_DIR) / f"test-media-{worker}"


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def make_world() -> World:
    """The personas and their two accounts (a fixture's body, and a module's shared world)."""
    csm, other_csm = CSMFactory.create(name="Casey CSM"), CSMFactory.create(name="Olive Other")
    account = AccountFactory.create(name="Acme", slug="acme", owner=csm, email_domains="")
    other = AccountFactory.create(name="Bluth", slug="bluth", owner=other_csm)
    return World(
        account=account,
        other_account=other,
        champion=MembershipFactory.create(account=account, role=CustomerRole.CHAMPION).user,
        executive=MembershipFactory.create(account=account, role=CustomerRole.EXECUTIVE).user,
        member=MembershipFactory.create(account=account, role=CustomerRole.MEMBER).user,
        other_champion=MembershipFactory.create(account=other, role=CustomerRole.CHAMPION).user,
        csm=csm,
        other_csm=other_csm,
        admin=AdminFactory.create(name="Ada Admin"),
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def detractor_play(db: None) -> Playbook:
    """The built-in "Detractor follow-up" playbook (made by a data migration), enabled."""
    playbook = Playbook.objects.get(key="detractor-follow-up")
    Playbook.objects.filter(pk=playbook.pk).update(enabled=True)
    playbook.refresh_from_db()
    return playbook
