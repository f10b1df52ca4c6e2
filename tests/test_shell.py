"""The shell: routing, the portfolio, the account console, settings, health, deployment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Account, Activity, Membership, NotificationSetting, User
from accounts.services import delivery_for
from tests.celery_helpers import CLOSED_PORT_URL
from tests.conftest import World, client_for
from tests.factories import AccountFactory

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
        page = client.get(reverse("account_home", args=[world.other_account.slug]))
        assert b"Switch account" in page.content
        assert client.get("/")["Location"] == reverse(
            "account_home", args=[world.other_account.slug]
        )

    def test_vendor_staff_go_to_the_portfolio(self, world: World) -> None:
        assert client_for(world.csm).get("/")["Location"] == reverse("portfolio")
        assert client_for(world.admin).get("/")["Location"] == reverse("portfolio")

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
        AccountFactory(
            name="Zenith Corp",
            slug="zenith",
            owner=world.csm,
            segment="enterprise",
            stage="renewal",
        )
        AccountFactory(name="Beta Ltd", slug="beta", owner=world.csm, segment="smb")
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
        AccountFactory(owner=world.csm, renewal_date=today + timedelta(days=30))
        AccountFactory(owner=world.csm, renewal_date=today + timedelta(days=200))
        AccountFactory(owner=world.csm, renewal_date=today - timedelta(days=3))
        AccountFactory(owner=world.other_csm, renewal_date=today + timedelta(days=10))
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

    def test_the_query_count_does_not_grow_with_the_portfolio(
        self, world: World, django_assert_max_num_queries: Any
    ) -> None:
        client = client_for(world.csm)
        client.get(reverse("portfolio"))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            client.get(reverse("portfolio"))
        for _ in range(30):
            account = AccountFactory(owner=world.csm)
            Membership.objects.create(user=world.champion, account=account, role="member")
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("portfolio"))
        assert len(many) == len(few)


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
        }
        assert client_for(world.champion).post(reverse("notifications"), data).status_code == 302
        assert delivery_for(world.champion, "tasks") == "digest"
        assert delivery_for(world.champion, "plans") == "off"
        assert NotificationSetting.objects.filter(user=world.champion).count() == 5

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
        response = client_for(world.champion).get(reverse("account_home", args=["acme"]))
        policy = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        )
        assert response["X-Frame-Options"] == "DENY"

    def test_htmx_requests_carry_the_csrf_token(self, world: World) -> None:
        page = (
            client_for(world.champion).get(reverse("account_home", args=["acme"])).content.decode()
        )
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
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (
        User.objects.count(),
        Account.objects.count(),
        Membership.objects.count(),
        Activity.objects.count(),
    )
    assert counts[:3] == (12, 3, 9)
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
    assert {a.segment for a in Account.objects.all()} == {"enterprise", "mid_market", "smb"}
    from onboarding.models import Checklist

    onboardings = {c.account.slug: c for c in Checklist.objects.select_related("account")}
    assert set(onboardings) == {"acme", "globex", "initech"}
    assert onboardings["acme"].completed_at is None
    assert (onboardings["globex"].time_to_value, onboardings["initech"].time_to_value) == (21, 34)
    from successplans.models import SuccessPlan

    assert sorted(SuccessPlan.objects.values_list("account__slug", flat=True)) == ["acme", "globex"]
    assert len({a.stage for a in Account.objects.all()}) == 3
