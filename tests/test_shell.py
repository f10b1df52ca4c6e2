"""The shell: routing, the portfolio, the account console, settings, health, deployment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Account, Activity, Invitation, Membership, NotificationSetting, User
from accounts.services import delivery_for
from accounts.templatetags.portal import isotime, with_article
from tests.celery_helpers import CLOSED_PORT_URL
from tests.conftest import World, client_for
from tests.factories import PASSWORD, AccountFactory
from tests.html_helpers import nav_links
from tests.panels import account_page
from tests.queries import assert_same_queries, page_queries


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    """Every test here runs on the same day (the clock still ticks, for timeouts)."""
    time_machine.move_to(datetime(2026, 6, 15, 12, tzinfo=UTC))


ROOT = Path(django_settings.BASE_DIR)


class TestHome:
    def test_customers_go_to_their_account(self, world: World) -> None:
        response = client_for(world.executive).get("/")
        assert response["Location"] == reverse("account_home", args=[world.account.slug])

    def test_someone_in_two_accounts_returns_to_the_last_one_and_can_switch(
        self, world: World
    ) -> None:
        Membership.objects.create(user=world.champion, account=world.other_account, role="member")
        client = client_for(world.champion)
        page = account_page(client, world.other_account.slug)
        assert b"(switch account)</span></summary>" in page.content
        assert client.get("/")["Location"] == reverse(
            "account_home", args=[world.other_account.slug]
        )

    def test_vendor_staff_go_to_today(self, world: World) -> None:
        assert client_for(world.csm).get("/")["Location"] == reverse("today")
        assert client_for(world.admin).get("/")["Location"] == reverse("today")

    def test_anonymous_people_go_to_log_in(self, db: None) -> None:
        response = client_for(None).get("/")
        assert response["Location"].startswith(reverse("account_login"))


class TestPortfolio:
    def test_a_csm_sees_only_their_accounts(self, world: World) -> None:
        page = client_for(world.csm).get(reverse("portfolio")).content
        assert b"Acme" in page and b"Bluth" not in page

    def test_a_cs_admin_sees_every_account_and_filters_by_owner(self, world: World) -> None:
        client = client_for(world.admin)
        page = client.get(reverse("portfolio")).content
        assert b"Acme" in page and b"Bluth" in page
        page = client.get(reverse("portfolio"), {"owner": world.other_csm.pk}).content
        assert b"Bluth" in page and b">Acme<" not in page

    def test_search_filter_and_sort(self, world: World) -> None:
        AccountFactory.create(
            name="Zenith Corp",
            slug="zenith",
            owner=world.csm,
            segment="enterprise",
            stage="renewal",
        )
        AccountFactory.create(name="Beta Ltd", slug="beta", owner=world.csm, segment="smb")
        client = client_for(world.csm)

        def names(response: Any) -> list[str]:
            return [
                n for n in ("Acme", "Beta Ltd", "Zenith Corp") if n.encode() in response.content
            ]

        assert names(client.get(reverse("portfolio"), {"q": "zen"})) == ["Zenith Corp"]
        assert names(client.get(reverse("portfolio"), {"segment": "smb"})) == ["Beta Ltd"]
        assert names(client.get(reverse("portfolio"), {"stage": "renewal"})) == ["Zenith Corp"]
        page = client.get(reverse("portfolio"), {"sort": "-name"}).content.decode()
        assert page.index("Zenith Corp") < page.index("Beta Ltd") < page.index("Acme")

    def test_the_header_counts_renewals_due_within_90_days(self, world: World) -> None:
        from datetime import timedelta

        from django.utils import timezone

        today = timezone.localdate()
        AccountFactory.create(owner=world.csm, renewal_date=today + timedelta(days=30))
        AccountFactory.create(owner=world.csm, renewal_date=today + timedelta(days=200))
        AccountFactory.create(owner=world.csm, renewal_date=today - timedelta(days=3))
        AccountFactory.create(owner=world.other_csm, renewal_date=today + timedelta(days=10))
        response = client_for(world.csm).get(reverse("portfolio"))
        assert response.context["totals"]["renewing_soon"] == 1
        assert response.context["totals"]["accounts"] == 4

    def test_htmx_gets_only_the_table(self, world: World) -> None:
        response = client_for(world.csm).get(
            reverse("portfolio"), {"q": "ac"}, HTTP_HX_REQUEST="true"
        )
        assert response.content.lstrip().startswith(b'<div id="account-table">')
        assert b"<html" not in response.content

    def test_nonsense_parameters_are_ignored_not_errors(self, world: World) -> None:
        client = client_for(world.csm)
        for params in [
            {"sort": "password"},
            {"segment": "<script>"},
            {"owner": "x"},
            {"page": "999"},
            {"q": "x" * 500},
        ]:
            assert client.get(reverse("portfolio"), params).status_code == 200

    def test_the_query_count_does_not_grow_with_the_portfolio(self, world: World) -> None:
        client = client_for(world.csm)
        few = page_queries(client, reverse("portfolio"))
        for _ in range(30):
            account = AccountFactory.create(owner=world.csm)
            Membership.objects.create(user=world.champion, account=account, role="member")
        assert_same_queries(few, page_queries(client, reverse("portfolio")), "portfolio")


class TestAccountConsole:
    def form(self, world: World, **overrides: Any) -> dict[str, Any]:
        data = {
            "name": "Newco",
            "segment": "smb",
            "touch_model": "tech",
            "stage": "onboarding",
            "owner": world.csm.pk,
        }
        data.update(overrides)
        return data

    def test_a_csm_creates_an_account_in_their_own_portfolio(self, world: World) -> None:
        response = client_for(world.csm).post(
            reverse("account_create"), self.form(world, owner=world.other_csm.pk)
        )
        assert response.status_code == 302
        account = Account.objects.get(name="Newco")
        assert account.slug == "newco" and account.owner == world.csm
        assert Activity.objects.filter(account=account, verb="created the account").exists()

    @pytest.mark.parametrize(
        "overrides,message",
        [
            ({"name": ""}, b"This field is required"),
            ({"brand_color": "red"}, b"six hex digits"),
            ({"brand_color": "#ffe066"}, b"too light"),
            ({"slug": "acme"}, b"already uses this address"),
            ({"segment": "galactic"}, b"Select a valid choice"),
            ({"renewal_date": "2026-02-30"}, b"Enter a valid date"),
            ({"email_domains": "not a domain"}, b"is not a domain name"),
        ],
    )
    def test_bad_input_is_a_422_with_the_reason(
        self, world: World, overrides: dict[str, Any], message: bytes
    ) -> None:
        before = Account.objects.count()
        response = client_for(world.csm).post(
            reverse("account_create"), self.form(world, **overrides)
        )
        assert response.status_code == 422
        assert message in response.content
        assert Account.objects.count() == before

    def test_a_logo_that_is_not_an_image_is_refused(self, world: World) -> None:
        fake = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
        data = self.form(world, slug="acme", name="Acme")
        data["logo"] = fake
        response = client_for(world.csm).post(reverse("account_edit", args=["acme"]), data)
        assert response.status_code == 422
        world.account.refresh_from_db()
        assert not world.account.logo

    def test_editing_keeps_before_and_after_in_the_timeline(self, world: World) -> None:
        client = client_for(world.csm)
        data = self.form(world, name="Acme Group", slug="acme", stage="adoption")
        assert client.post(reverse("account_edit", args=["acme"]), data).status_code == 302
        entry = Activity.objects.get(verb="edited the account")
        assert entry.before is not None and entry.after is not None
        assert entry.before["name"] == "Acme" and entry.after["name"] == "Acme Group"
        timeline = client.get(reverse("account_activity", args=["acme"])).content.decode()
        assert "Acme Group" in timeline and "edited the account" in timeline

    def test_a_failed_edit_loses_nothing_already_saved(self, world: World) -> None:
        world.account.brand_color = "#112233"
        world.account.save()
        data = self.form(world, name="", slug="acme", brand_color="#445566")
        assert (
            client_for(world.csm).post(reverse("account_edit", args=["acme"]), data).status_code
            == 422
        )
        world.account.refresh_from_db()
        assert (world.account.name, world.account.brand_color) == ("Acme", "#112233")


class TestNotifications:
    def test_people_choose_how_each_kind_of_email_comes(self, world: World) -> None:
        assert delivery_for(world.champion, "tasks") == "immediately"
        data = {
            "tasks": "digest",
            "plans": "off",
            "surveys": "immediately",
            "reports": "immediately",
            "account": "digest",
            "updates": "digest",
            "adoption": "off",
        }
        assert client_for(world.champion).post(reverse("notifications"), data).status_code == 302
        assert delivery_for(world.champion, "tasks") == "digest"
        assert delivery_for(world.champion, "plans") == "off"
        assert delivery_for(world.champion, "updates") == "digest"
        assert delivery_for(world.champion, "adoption") == "off"
        assert NotificationSetting.objects.filter(user=world.champion).count() == 7

    def test_a_deactivated_person_gets_no_email(self, world: World) -> None:
        User.objects.filter(pk=world.member.pk).update(is_active=False)
        world.member.refresh_from_db()
        assert delivery_for(world.member, "tasks") == "off"

    def test_a_bad_choice_is_a_422(self, world: World) -> None:
        response = client_for(world.champion).post(reverse("notifications"), {"tasks": "hourly"})
        assert response.status_code == 422
        assert not NotificationSetting.objects.exists()


class TestHealth:
    def test_healthz_answers_when_the_database_does(self, db: None) -> None:
        response = client_for(None).get("/healthz")
        assert response.status_code == 200
        assert response.json()["database"] == "ok"

    def test_healthz_fails_when_the_broker_is_down(self, db: None, settings: Any) -> None:
        from tests.celery_helpers import broker

        settings.CELERY_BROKER_URL = CLOSED_PORT_URL
        with broker(CLOSED_PORT_URL):
            response = client_for(None).get("/healthz")
        assert response.status_code == 503
        assert response.json()["broker"] == "unreachable"


class TestSecurityHeaders:
    def test_pages_carry_a_strict_content_security_policy(self, world: World) -> None:
        response = account_page(client_for(world.champion), "acme")
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert response["X-Frame-Options"] == "DENY"

    def test_htmx_requests_carry_the_csrf_token(self, world: World) -> None:
        page = account_page(client_for(world.champion), "acme").content.decode()
        assert 'hx-headers=\'{"X-CSRFToken": "' in page


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-for-the-deploy-check-only" + "y" * 10,
        "ALLOWED_HOSTS": "portal.example.com",
        "SITE_URL": "https://portal.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "",
        "ALLOWED_HOSTS": "x.example",
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_demo_data_loads_twice_without_change(db: None, capsys: Any) -> None:
    from forecast.demo import HISTORY_ACCOUNTS

    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (
        User.objects.count(),
        Account.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
    )
    # Three customers with people, a past customer offboarded (offboarding/demo.py), a new
    # customer (handover/demo.py) and the churn forecast's past customers (no people).
    assert counts[:3] == (14, 5 + HISTORY_ACCOUNTS, 11)
    call_command("load_demo")
    second = capsys.readouterr().out
    assert (
        User.objects.count(),
        Account.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
    ) == counts
    assert "already in place" in second
    for email in ["morgan@northwind.example", "priya@northwind.example", "dana@acme.example"]:
        assert email in first and email in second
    assert {a.segment for a in Account.objects.filter(memberships__isnull=False)} == {
        "enterprise",
        "mid_market",
        "smb",
    }
    from onboarding.models import Checklist

    onboardings = {c.account.slug: c for c in Checklist.objects.select_related("account")}
    assert set(onboardings) == {"acme", "globex", "initech"}
    assert onboardings["acme"].completed_at is None
    assert (onboardings["globex"].time_to_value, onboardings["initech"].time_to_value) == (21, 34)
    from successplans.models import SuccessPlan

    plans = sorted(SuccessPlan.objects.values_list("account__slug", flat=True))
    assert plans == ["acme", "globex", "hooli"]  # Hooli's empty, for its handover's objectives
    assert len({a.stage for a in Account.objects.filter(memberships__isnull=False)}) == 4
    from offboarding.models import Offboarding
    from surveys.models import Response

    offboardings = {o.account.slug: o for o in Offboarding.objects.select_related("account")}
    assert set(offboardings) == {"initech", "vandelay"}
    initech, vandelay = offboardings["initech"], offboardings["vandelay"]
    assert initech.completed_at is None and initech.renewal is not None
    assert initech.renewal.churn_reason is not None  # started by its churned renewal
    assert vandelay.account.offboarded_at is not None and vandelay.account.stage == "churned"
    assert vandelay.renewal is not None and vandelay.renewal.churn_reason is not None
    assert not vandelay.steps.filter(done_at__isnull=True).exists()
    assert Response.objects.filter(account=vandelay.account, kind="exit").exists()


def main_nav(response: Any) -> list[tuple[str, str]]:
    return nav_links(response.content.decode())


class TestSettingsPage:
    """Every console setting, linked from one page that CS admins reach from the navigation."""

    SETTINGS = [
        "health_settings",
        "api_keys",
        "staff",
        "wrapped_batches",
        "template_list",
        "plan_templates",
        "playbooks",
    ]

    def test_a_cs_admin_finds_every_console_setting_on_one_page(self, world: World) -> None:
        response = client_for(world.admin).get(reverse("console_settings"))
        assert response.status_code == 200
        links = nav_links(response.content.decode(), "settings-groups")
        hrefs = [href for _, href in links]
        for name in self.SETTINGS:
            assert reverse(name) in hrefs, name
        assert "Health score parts" in [label for label, _ in links]
        # One line on what each does.
        assert response.content.decode().count('<p class="muted">') >= len(self.SETTINGS)

    @pytest.mark.parametrize("persona", ["csm", "champion", "executive", "member"])
    def test_it_is_for_cs_admins_only(self, world: World, persona: str) -> None:
        response = client_for(world.persona(persona)).get(reverse("console_settings"))
        assert response.status_code == 403

    def test_cs_admins_get_settings_in_the_navigation_instead_of_each_console_page(
        self, world: World
    ) -> None:
        labels = [label for label, _ in main_nav(client_for(world.admin).get(reverse("book")))]
        assert labels == [
            "Today",
            "All accounts",
            "Book",
            "Renewals",
            "Onboardings",
            "Plans",
            "Surveys",
            "Updates",
            "Adoption",
            "Academy",
            "Advocacy",
            "Settings",
        ]

    def test_csms_keep_their_templates_in_the_navigation(self, world: World) -> None:
        links = main_nav(client_for(world.csm).get(reverse("book")))
        assert [label for label, _ in links] == [
            "Today",
            "My portfolio",
            "Book",
            "Renewals",
            "Onboardings",
            "Plans",
            "Surveys",
            "Updates",
            "Adoption",
            "Academy",
            "Advocacy",
            "Templates",
        ]
        assert ("Templates", reverse("template_list")) in links

    @pytest.mark.parametrize("name", ["console_settings", "staff", "health_settings"])
    def test_settings_stays_marked_on_the_pages_it_leads_to(self, world: World, name: str) -> None:
        page = client_for(world.admin).get(reverse(name)).content.decode()
        assert f'<a href="{reverse("console_settings")}" aria-current="page">Settings</a>' in page


class TestOneNavigation:
    """The same navigation on every page for the same person (the account's items with it)."""

    def pages(self, world: World) -> list[str]:
        return [
            reverse("account_home", args=[world.account.slug]),
            reverse("profile"),
            reverse("mfa_index"),
            reverse("usersessions_list"),
            reverse("notifications"),
            "/no-such-page/",  # the 404 page
            reverse("account_edit", args=[world.account.slug]),  # a 403 for customers
        ]

    def navs(self, world: World, persona: str) -> dict[str, list[tuple[str, str]]]:
        client = client_for(world.persona(persona))
        navs = {}
        for path in self.pages(world):
            response = client.get(path)
            assert response.status_code in (200, 403, 404), (path, response.status_code)
            navs[path] = main_nav(response)
        return navs

    def test_a_champion_sees_the_accounts_items_on_every_page(self, world: World) -> None:
        navs = self.navs(world, "champion")
        slug = world.account.slug
        expected = [
            ("Overview", reverse("account_home", args=[slug])),
            ("Onboarding", reverse("onboarding", args=[slug])),
            ("Success plan", reverse("plans", args=[slug])),
            ("Renewal", reverse("renewal_page", args=[slug])),
            ("Value", reverse("value", args=[slug])),
            ("Adoption", reverse("adoption_page", args=[slug])),
            ("Reviews", reverse("reports", args=[slug])),
            ("Updates", reverse("updates", args=[slug])),
            ("Academy", reverse("academy", args=[slug])),
            ("Documents", reverse("documents", args=[slug])),
            ("People", reverse("people", args=[slug])),
        ]
        for path, nav in navs.items():
            assert nav == expected, path

    def test_a_member_never_sees_reviews_or_the_renewal(self, world: World) -> None:
        for path, nav in self.navs(world, "member").items():
            labels = [label for label, _ in nav]
            assert labels == [
                "Overview",
                "Onboarding",
                "Success plan",
                "Updates",
                "Academy",
                "Documents",
                "People",
            ], path

    def test_someone_in_two_accounts_sees_the_last_ones_items_and_the_switcher(
        self, world: World
    ) -> None:
        Membership.objects.create(user=world.champion, account=world.other_account, role="member")
        client = client_for(world.champion)
        account_page(client, world.other_account.slug)
        profile = client.get(reverse("profile")).content.decode()
        links = nav_links(profile)
        assert links[0] == ("Overview", reverse("account_home", args=[world.other_account.slug]))
        assert "Reviews" not in [label for label, _ in links]  # a member there
        assert "Renewal" not in [label for label, _ in links]
        switcher = nav_links(profile, "account-switcher")
        assert [label for label, _ in switcher] == ["Acme", "Bluth"]
        assert 'style="--brand:' not in profile or world.other_account.brand_color in profile

    def test_the_page_takes_the_accounts_colour_everywhere(self, world: World) -> None:
        Account.objects.filter(pk=world.account.pk).update(brand_color="#123456")
        client = client_for(world.champion)
        for path in self.pages(world):
            assert b'style="--brand: #123456"' in client.get(path).content, path

    def test_vendor_staff_get_the_accounts_tabs_only_on_its_pages(self, world: World) -> None:
        client = client_for(world.csm)
        tabs = nav_links(
            account_page(client, world.account.slug).content.decode(),
            "subnav",
        )
        assert ("360°", reverse("account_360", args=[world.account.slug])) in tabs
        assert not nav_links(client.get(reverse("profile")).content.decode(), "subnav")


class TestLogo:
    def edit(self, world: World, **data: Any) -> Any:
        form = {
            "name": "Acme",
            "slug": "acme",
            "segment": "smb",
            "touch_model": "tech",
            "stage": "onboarding",
            "owner": world.csm.pk,
            **data,
        }
        return client_for(world.csm).post(reverse("account_edit", args=["acme"]), form)

    def test_the_file_picker_offers_only_the_types_the_form_accepts(self, world: World) -> None:
        page = client_for(world.csm).get(reverse("account_edit", args=["acme"])).content.decode()
        tag = re.search(r'<input type="file"[^>]*name="logo"[^>]*>', page)
        assert tag is not None
        accept = re.search(r'accept="([^"]*)"', tag.group(0))
        assert accept is not None
        assert set(accept.group(1).split(",")) == {"image/png", "image/jpeg", "image/webp"}
        assert "PNG, JPEG or WebP" in page  # said beside the field too

    def test_an_svg_logo_is_refused_naming_the_types_accepted(self, world: World) -> None:
        svg = SimpleUploadedFile(
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"></svg>',
            content_type="image/svg+xml",
        )
        response = self.edit(world, logo=svg)
        assert response.status_code == 422
        assert "upload a PNG, JPEG or WebP file (SVG is not accepted)" in response.content.decode()
        world.account.refresh_from_db()
        assert not world.account.logo

    def test_an_image_of_another_type_is_refused_too(self, world: World) -> None:
        gif = SimpleUploadedFile("logo.gif", image_bytes("GIF"), content_type="image/gif")
        response = self.edit(world, logo=gif)
        assert response.status_code == 422
        assert "A GIF image is not accepted: upload a PNG, JPEG or WebP file." in (
            response.content.decode()
        )
        world.account.refresh_from_db()
        assert not world.account.logo

    @pytest.mark.parametrize("kind", ["PNG", "JPEG", "WEBP"])
    def test_a_png_jpeg_or_webp_logo_is_saved_and_shown_on_the_form(
        self, world: World, settings: Any, tmp_path: Path, kind: str
    ) -> None:
        settings.MEDIA_ROOT = tmp_path
        upload = SimpleUploadedFile(f"logo.{kind.lower()}", image_bytes(kind))
        assert self.edit(world, logo=upload).status_code == 302
        world.account.refresh_from_db()
        assert world.account.logo
        page = client_for(world.csm).get(reverse("account_edit", args=["acme"])).content.decode()
        assert f'<img src="{reverse("account_logo", args=["acme"])}"' in page
        assert "Remove the logo" in page


def image_bytes(kind: str) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "#c2410c").save(buffer, format=kind)
    return buffer.getvalue()


class TestBrandColour:
    def edit(self, world: World, **data: Any) -> Any:
        return TestLogo().edit(world, **data)

    def test_the_text_box_has_a_colour_picker_beside_it(self, world: World) -> None:
        page = client_for(world.csm).get(reverse("account_edit", args=["acme"])).content.decode()
        assert 'id="id_brand_color"' in page
        assert re.search(
            r'<input type="color" name="brand_color_picker" value="#[0-9a-f]{6}" '
            r'aria-label="Pick the colour" data-color-for="id_brand_color">',
            page,
        )

    def test_without_javascript_a_colour_picked_is_saved(self, world: World) -> None:
        assert self.edit(world, brand_color="", brand_color_picker="#7a1f5c").status_code == 302
        world.account.refresh_from_db()
        assert world.account.brand_color == "#7a1f5c"

    def test_the_text_box_wins_when_it_was_changed(self, world: World) -> None:
        response = self.edit(world, brand_color="#112233", brand_color_picker="#7a1f5c")
        assert response.status_code == 302
        world.account.refresh_from_db()
        assert world.account.brand_color == "#112233"

    def test_an_untouched_picker_leaves_the_account_without_a_colour(
        self, world: World, settings: Any
    ) -> None:
        response = self.edit(world, brand_color="", brand_color_picker=settings.VENDOR_COLOR)
        assert response.status_code == 302
        world.account.refresh_from_db()
        assert world.account.brand_color == ""

    def test_a_picked_colour_too_light_for_white_text_is_refused(self, world: World) -> None:
        response = self.edit(world, brand_color="", brand_color_picker="#ffe066")
        assert response.status_code == 422 and b"too light" in response.content
        world.account.refresh_from_db()
        assert world.account.brand_color == ""


class TestGreeting:
    def log_in(self, client: Client, user: User) -> str:
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
        )
        assert response.status_code == 200
        return str(response.content.decode())

    def test_a_first_log_in_says_welcome_and_the_next_one_welcome_back(
        self, world: World, time_machine: Any
    ) -> None:
        from datetime import timedelta

        from django.utils import timezone

        User.objects.filter(pk=world.champion.pk).update(last_login=None)  # never logged in
        time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
        client = Client()
        page = self.log_in(client, world.champion)
        name = escape(world.champion.display_name)
        assert f"Welcome, {name}" in page and "Welcome back" not in page
        client.post(reverse("account_logout"))
        time_machine.move_to(timezone.now() + timedelta(days=1), tick=False)
        page = self.log_in(client, world.champion)
        assert f"Welcome back, {name}" in page

    def test_the_log_in_page_does_not_assume_a_return(self, db: None) -> None:
        page = Client().get(reverse("account_login")).content.decode()
        assert "Welcome back" not in page and "Log in to " in page

    def test_someone_who_just_accepted_their_invitation_is_welcomed(self, world: World) -> None:
        invitation = Invitation.objects.create(
            account=world.account,
            email="nina@customer.example",
            role="member",
            invited_by=world.csm,
        )
        response = Client().post(
            reverse("accept_invitation", args=[invitation.token]),
            {"name": "Nina New", "password1": PASSWORD, "password2": PASSWORD},
            follow=True,
        )
        page = response.content.decode()
        assert "Welcome, Nina New" in page and "Welcome back" not in page

    def test_the_password_rules_are_stated_on_the_invitation_page(self, world: World) -> None:
        from django.contrib.auth.password_validation import password_validators_help_texts

        invitation = Invitation.objects.create(
            account=world.account,
            email="nina@customer.example",
            role="member",
            invited_by=world.csm,
        )
        page = Client().get(reverse("accept_invitation", args=[invitation.token])).content.decode()
        rules = password_validators_help_texts()
        assert len(rules) == 4
        for rule in rules:
            assert escape(rule) in page
        assert 'aria-describedby="id_password1_helptext"' in page


class TestArticles:
    @pytest.mark.parametrize(
        "word,expected",
        [
            ("executive", "an executive"),
            ("Executive", "an Executive"),
            ("member", "a member"),
            ("champion", "a champion"),
            ("CS admin", "a CS admin"),
            ("Customer Success Manager", "a Customer Success Manager"),
            ("NPS survey", "an NPS survey"),
            ("hour", "an hour"),
            ("user", "a user"),
        ],
    )
    def test_a_word_gets_the_article_of_its_first_sound(self, word: str, expected: str) -> None:
        assert with_article(word) == expected

    def test_the_preview_banner_says_an_executive(self, world: World) -> None:
        client = client_for(world.csm)
        client.post(reverse("view_as_start", args=[world.account.slug]), {"role": "executive"})
        page = account_page(client, world.account.slug).content.decode()
        assert "as <strong>an executive</strong> would see it" in page
        assert "as a executive" not in page

    def test_the_invitation_says_an_executive(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        from accounts.services import invite

        with django_capture_on_commit_callbacks(execute=True):
            invitation = invite(
                world.account,
                email="eve@customer.example",
                role="executive",
                acting_user=world.csm,
                acting_role="csm",
            )
        body = mail.outbox[-1].body
        assert "as an executive." in body
        page = Client().get(reverse("accept_invitation", args=[invitation.token])).content.decode()
        assert "customer portal as an executive." in page


def html_part(message: EmailMessage) -> str:
    """The HTML our e-mails carry beside their text."""
    assert isinstance(message, EmailMultiAlternatives)
    html, _ = message.alternatives[0]
    assert isinstance(html, str)
    return html


class TestAllauthEmails:
    """allauth's e-mails speak in the portal's voice and wear its layout."""

    def test_the_log_in_code_email_is_ours(self, world: World, settings: Any) -> None:
        response = Client().post(
            reverse("account_request_login_code"), {"email": world.champion.email}
        )
        assert response.status_code == 302
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [world.champion.email]
        assert message.subject == f"[{settings.SITE_NAME}] Your log-in code"
        code = re.search(r"^    (\S+)$", str(message.body), re.MULTILINE)
        assert code is not None
        assert message.body.startswith("Hello,\n\nHere is your code to log in to ")
        assert "Type it on the log-in page you have open." in message.body
        assert "Hello from" not in message.body and "sign-in code" not in message.body
        html = html_part(message)
        assert "max-width: 560px" in html and "<h1" in html and code.group(1) in html
        assert settings.SITE_NAME in html

    def test_the_password_reset_email_is_ours(self, world: World) -> None:
        Client().post(reverse("account_reset_password"), {"email": world.champion.email})
        message = mail.outbox[-1]
        assert message.subject.endswith("Set a new password")
        assert "Someone, we hope you, asked to set a new password" in message.body
        assert "/auth/password/reset/key/" in message.body
        assert "Choose a new password" in html_part(message)

    def test_an_unknown_address_is_told_how_to_get_a_login(self, db: None) -> None:
        Client().post(reverse("account_reset_password"), {"email": "nobody@customer.example"})
        message = mail.outbox[-1]
        assert message.subject.endswith("No login uses this address")
        assert "People join" in message.body and "by invitation" in message.body
        assert "sign up" not in message.body.lower()

    def test_the_address_confirmation_email_is_ours(self, world: World) -> None:
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.create(
            user=world.champion, email="dana@new.example", verified=False, primary=False
        )
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.user = world.champion
        from allauth.core import context

        with context.request_context(request):
            address.send_confirmation(request)
        message = mail.outbox[-1]
        assert message.subject.endswith("Confirm your e-mail address")
        assert "asked to use dana@new.example to log in to" in message.body
        assert "Confirm this address" in html_part(message)


class TestIsotime:
    def test_it_keeps_seconds_and_the_zone_and_drops_microseconds(self) -> None:
        from datetime import UTC, date, datetime

        assert isotime(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == (
            "2026-01-02T03:04:05+00:00"
        )
        assert isotime(date(2026, 1, 2)) == "2026-01-02"
        assert isotime(None) == ""
