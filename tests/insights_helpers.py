"""Data for the API and import tests, and their rows of the URL x role access matrix.

tests/test_access_matrix.py can take everything from here::

    from tests.insights_helpers import (
        INSIGHTS_EXPECTED, insights_db_state, insights_url_args, make_insights_world,
    )
    EXPECTED.update(INSIGHTS_EXPECTED)
    # in matrix_world:   ctx["insights"] = make_insights_world(world)
    # in url_and_data:   **insights_url_args(ctx["insights"], slug),
    # in db_state():     *insights_db_state(),

The API authenticates by key, never by session: every persona gets a 401 from its endpoints.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypedDict

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Activity, User
from insights.models import ApiKey, Contract, ProductUser, UpsellLead, UsageEvent
from portal.models import Job
from tests.conftest import World
from tests.csql_factories import CrossSellOfferFactory, FeatureLimitFactory
from tests.factories import NightlyChunkFactory, NightlyRunFactory

L = "login"
ADMIN_READ = [L, 403, 403, 403, 403, 403, 403, 200]
ADMIN_WRITE = [L, 403, 403, 403, 403, 403, 403, 302]
CONSOLE_READ = [L, 403, 403, 403, 403, 200, 200, 200]
VENDOR_WRITE = [L, 403, 403, 403, 404, 302, 404, 302]
POST_ONLY = [405] * 8
PUBLIC_READ = [200] * 8
KEY_ONLY = [401] * 8  # no persona sends a key

# name -> (expected GET, expected POST or None); order of PERSONAS in tests/conftest.py.
INSIGHTS_EXPECTED: dict[str, tuple[list[Any], list[Any] | None]] = {
    "api_keys": (ADMIN_READ, None),
    # Last night's roll-up and health scores (a run with a failed chunk, see make_insights_world).
    "nightly_runs": (ADMIN_READ, None),
    # GET goes back to the list; a POST creates a key and shows it once (api_key_created).
    "api_key_create": (ADMIN_WRITE, ADMIN_WRITE),
    # Without a key waiting in the session the page goes back to the list: shown once.
    "api_key_created": ([L, 403, 403, 403, 403, 403, 403, 302], None),
    "api_key_revoke": (POST_ONLY, ADMIN_WRITE),
    # POST checks the file and shows the preview, writing nothing; the other CSM's portfolio
    # does not hold Acme, so their upload is an error report (422).
    "import_upload": (CONSOLE_READ, [L, 403, 403, 403, 403, 200, 422, 200]),
    # A fresh session has no upload waiting to be confirmed.
    "import_confirm": (POST_ONLY, [L, 403, 403, 403, 403, 404, 404, 404]),
    # Nor an import to show the result of.
    "import_result": ([L, 403, 403, 403, 403, 404, 404, 404], None),
    "api_v1:openapi-json": (PUBLIC_READ, None),
    "api_v1:openapi-view": (PUBLIC_READ, None),
    "api_v1:api-root": ([404] * 8, None),
    "api_v1:usage": (POST_ONLY, KEY_ONLY),
    "api_v1:contracts": (POST_ONLY, KEY_ONLY),
    "api_v1:users": (POST_ONLY, KEY_ONLY),
    "api_v1:account_figures": (KEY_ONLY, None),
    # An open upsell lead on Acme, won by its CSM or a CS admin; another raised by hand.
    "upsell_lead_close": (POST_ONLY, VENDOR_WRITE),
    "upsell_lead_raise": (POST_ONLY, VENDOR_WRITE),
    # The CSQL rules' settings, offers and feature limits: CS admins only.
    "expansion_settings": (ADMIN_READ, ADMIN_WRITE),
    "cross_sell_offer_add": (POST_ONLY, ADMIN_WRITE),
    "cross_sell_offer_remove": (POST_ONLY, ADMIN_WRITE),
    "feature_limit_add": (POST_ONLY, ADMIN_WRITE),
    "feature_limit_remove": (POST_ONLY, ADMIN_WRITE),
}


def make_key(admin: User, scopes: list[str] | None = None, name: str = "Warehouse sync") -> str:
    """A live key with ``scopes`` (all by default); returns its secret."""
    _, secret = ApiKey.issue(
        name=name, scopes=scopes or [s.value for s in ApiKey.Scope], created_by=admin
    )
    return secret


class Bearer(TypedDict):
    """The key as the test client's ``**extra`` (a WSGI environ entry), not as a parameter."""

    HTTP_AUTHORIZATION: str


def bearer(secret: str) -> Bearer:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_json(client: Client, url: str, body: Any, secret: str | None) -> Any:
    if secret:
        return client.post(url, body, content_type="application/json", **bearer(secret))
    return client.post(url, body, content_type="application/json")


def usage_csv(slug: str, rows: int = 3, *, day: date | None = None) -> bytes:
    day = day or timezone.localdate() - timedelta(days=1)
    lines = ["account,user,day,feature,count"]
    lines += [
        f"{slug},user-{n}@acme.example,{day.isoformat()},reports,{n + 1}" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def make_insights_world(world: World) -> dict[str, Any]:
    """A live key to revoke, and an open upsell lead on Acme to close."""
    key, _ = ApiKey.issue(name="Old CRM sync", scopes=["write_contracts"], created_by=world.admin)
    lead = UpsellLead.objects.create(
        account=world.account, reason="Asked about the add-on", amount_guess=Decimal("6000")
    )
    offer = CrossSellOfferFactory.create()
    limit = FeatureLimitFactory.create(account=world.account)
    run = NightlyRunFactory.create(chunk_count=2, account_count=2, finished_at=timezone.now())
    NightlyChunkFactory.create(run=run, index=0, account=world.account)
    NightlyChunkFactory.create(
        run=run, index=1, account=world.other_account, status="failed", error="RuntimeError: x"
    )
    return {"world": world, "key": key, "lead": lead, "offer": offer, "limit": limit}


def insights_url_args(
    ctx: dict[str, Any], slug: str
) -> dict[str, tuple[list[Any], dict[str, Any]]]:
    return {
        "api_key_create": ([], {"name": "Product analytics", "scopes": ["write_usage"]}),
        "api_key_created": ([ctx["key"].pk], {}),
        "api_key_revoke": ([ctx["key"].pk], {}),
        "import_upload": (
            [],
            {"kind": "usage", "file": SimpleUploadedFile("usage.csv", usage_csv(slug))},
        ),
        "import_confirm": (["no-such-upload"], {}),
        "import_result": (["no-such-upload"], {}),
        "api_v1:account_figures": ([slug], {}),
        "upsell_lead_close": ([slug, ctx["lead"].pk], {"status": "won", "back": "book"}),
        "upsell_lead_raise": ([slug], {"reason": "Wants SSO for finance", "amount_guess": "4800"}),
        "expansion_settings": ([], {"seat_use_percent": "85", "quiet_days": "60"}),
        "cross_sell_offer_add": (
            [],
            {"name": "Data warehouse sync", "segment": "smb", "product": "Warehouse Sync"},
        ),
        "cross_sell_offer_remove": ([ctx["offer"].pk], {}),
        "feature_limit_add": ([], {"feature": "exports", "product": "Starter", "users": "5"}),
        "feature_limit_remove": ([ctx["limit"].pk], {}),
    }


def insights_db_state() -> tuple[Any, ...]:
    """Everything the API and the import could change (not ``last_used_at``)."""
    return (
        list(ApiKey.objects.order_by("pk").values("pk", "name", "scopes", "revoked_at")),
        list(Contract.objects.order_by("pk").values()),
        list(ProductUser.objects.order_by("pk").values()),
        list(UsageEvent.objects.order_by("pk").values()),
        Activity.objects.count(),
        Job.objects.count(),
    )


def get_360(client: Any, url: str, *, panels: tuple[str, ...] = ()) -> Any:
    """The 360° page as a browser shows it once htmx has loaded its cards: the page's
    response, with every card's content added to it (when the page answers 200), and the
    other apps' ``panels`` named."""
    from django.urls import resolve, reverse

    from insights.views.account_360 import PARTS

    response = client.get(url)
    if response.status_code == 200:
        slug = resolve(url).kwargs["slug"]
        cards = [client.get(f"{url}{part}/", HTTP_HX_REQUEST="true") for part in PARTS]
        cards += [
            client.get(reverse("account_panel", args=[slug, name]), HTTP_HX_REQUEST="true")
            for name in panels
        ]
        assert all(card.status_code == 200 for card in cards), [c.status_code for c in cards]
        response.content = response.content + b"".join(card.content for card in cards)
    return response
