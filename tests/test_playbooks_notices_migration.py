"""The migration that folds the playbooks' old notices into the inbox: every unread notice
becomes an inbox item of kind "account" (linking to its run, or the account's page), read ones
are left behind, and then the notices go."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Notification, NotificationKind
from tests.factories import AccountFactory, CSMFactory, PlaybookRunFactory

BEFORE = [("playbooks", "0008_more_event_kinds")]
AFTER = [("playbooks", "0010_delete_notice")]
THEN = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def back_to_the_latest_schema() -> Iterator[None]:
    """The test leaves the playbooks at an old migration: every table is as the latest
    migrations make it again before the next test (and the flush after this one)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest_schema")
def test_unread_notices_become_inbox_items_and_the_notices_go() -> None:
    csm = CSMFactory.create()
    account = AccountFactory.create(slug="acme", owner=csm)
    run = PlaybookRunFactory.create(event__account=account)

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Notice = old.get_model("playbooks", "Notice")
    Notice.objects.create(
        user_id=csm.pk, account_id=account.pk, text="Acme renews in 30 days.", run_id=run.pk,
        created_at=THEN,
    )  # fmt: skip
    Notice.objects.create(user_id=csm.pk, account_id=account.pk, text="Acme needs an owner")
    Notice.objects.create(user_id=csm.pk, account_id=account.pk, text="Old", read_at=THEN)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    items = {item.title: item for item in Notification.objects.filter(user=csm)}
    assert set(items) == {"Acme renews in 30 days.", "Acme needs an owner"}  # not the read one
    renews = items["Acme renews in 30 days."]
    assert renews.kind == NotificationKind.ACCOUNT and renews.account_id == account.pk
    assert renews.url == f"/a/acme/playbooks/runs/{run.pk}/" and renews.created_at == THEN
    assert renews.read_at is None and renews.emailed_at is None
    assert items["Acme needs an owner"].url == "/a/acme/"
    assert "playbooks_notice" not in connection.introspection.table_names()
