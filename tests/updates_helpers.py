"""Product updates' rows of the access matrix (tests/test_access_matrix.py), and factories."""

from __future__ import annotations

import io
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Account
from tests.conftest import World
from tests.factories import CSMFactory
from updates.models import (
    Audience,
    Category,
    Status,
    Update,
    UpdateAccount,
    UpdateReaction,
    UpdateRead,
)

L = "login"
# Order: anonymous, champion, executive, member, other_champion, csm, other_csm, admin.
ACCOUNT_READ = [L, 200, 200, 200, 404, 200, 404, 200]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
CONSOLE_WRITE = [L, 403, 403, 403, 403, 302, 302, 302]
# Marking read and "useful": the account's customers; its vendor staff read only.
CUSTOMER_WRITE = [L, 302, 302, 302, 404, 403, 404, 403]
NOWHERE = [L, 404, 404, 404, 404, 404, 404, 404]
POST_ONLY = [405] * 8

UPDATES_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "updates_console": (CONSOLE_READ, None),
    "update_create": (CONSOLE_READ, CONSOLE_WRITE),
    "update_reach": (CONSOLE_READ, None),
    "update_edit": (CONSOLE_READ, CONSOLE_WRITE),
    "update_publish": (POST_ONLY, CONSOLE_WRITE),
    "update_unpublish": (POST_ONLY, CONSOLE_WRITE),
    "console_update_image": (CONSOLE_READ, None),
    "updates": (ACCOUNT_READ, None),
    "updates_read_all": (POST_ONLY, CUSTOMER_WRITE),
    "update": (ACCOUNT_READ, None),
    "update_useful": (POST_ONLY, CUSTOMER_WRITE),
    "update_image": (ACCOUNT_READ, None),
    # A draft, and an update published to another account only: nobody finds them on A.
    "update#draft": (NOWHERE, None),
    "update#other_account": (NOWHERE, None),
    "update_image#draft": (NOWHERE, None),
    "update_useful#draft": (POST_ONLY, [L, 404, 404, 404, 404, 403, 404, 403]),
}


def png_file(name: str = "shot.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), "#2457d6").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class UpdateFactory(factory.django.DjangoModelFactory[Update]):
    class Meta:
        model = Update

    title = factory.Sequence(lambda n: f"Something new ({n})")
    body = "We made **something** better."
    category = Category.FEATURE
    audience = Audience.ALL
    created_by = factory.SubFactory(CSMFactory)


class UpdateReadFactory(factory.django.DjangoModelFactory[UpdateRead]):
    class Meta:
        model = UpdateRead


class UpdateReactionFactory(factory.django.DjangoModelFactory[UpdateReaction]):
    class Meta:
        model = UpdateReaction


def published(*accounts: Account, **fields: Any) -> Update:
    """An update published to ``accounts`` (as publishing would leave it, its people told)."""
    update = UpdateFactory.create(status=Status.PUBLISHED, published_at=timezone.now(), **fields)
    UpdateAccount.objects.bulk_create(
        [UpdateAccount(update=update, account=a, told_at=timezone.now()) for a in accounts]
    )
    return update


def make_updates_world(world: World) -> dict[str, Any]:
    return {
        "published": published(
            world.account, world.other_account, created_by=world.csm, image=png_file()
        ),
        "to_unpublish": published(world.account, created_by=world.csm),
        "draft": UpdateFactory.create(created_by=world.csm, image=png_file("draft.png")),
        "other_account": published(world.other_account, created_by=world.other_csm),
    }


def updates_url_args(p: dict[str, Any], slug: str) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    form = {
        "title": "Faster exports",
        "category": "improvement",
        "body": "Exports run *twice* as fast.",
        "audience": "all",
        "role_choices": ["champion", "executive", "member"],
        "action": "draft",
    }
    published, draft = p["published"].pk, p["draft"].pk
    return {
        "update_create": ([], form),
        "update_reach": ([published], {}),
        "update_edit": ([draft], form),
        "update_publish": ([draft], {}),
        "update_unpublish": ([p["to_unpublish"].pk], {}),
        "console_update_image": ([draft], {}),
        "update": ([slug, published], {}),
        "update_useful": ([slug, published], {}),
        "update_image": ([slug, published], {}),
        "update#draft": ([slug, draft], {}),
        "update#other_account": ([slug, p["other_account"].pk], {}),
        "update_image#draft": ([slug, draft], {}),
        "update_useful#draft": ([slug, draft], {}),
    }
