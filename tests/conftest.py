"""Personas, one per role, plus an outsider account (see tests/factories.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
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
