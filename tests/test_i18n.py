"""Languages and time zones (issue 17): settings, who reads what, e-mails, 07:00 e-mails, the
catalogues and their checks."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.machinery import SourceFileLoader
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from accounts.forms import AccountForm, ProfileForm
from accounts.models import Account, CustomerRole, User
from onboarding.models import TaskComment
from playbooks.models import TaskDigestSent
from playbooks.tasks import send_task_digests as send_task_digests_task
from portal import formatting
from portal.daily_mail import people_due
from portal.i18n import languages_of, person_locale
from portal.mail import send_mail_from_templates
from tests.conftest import World, client_for
from tests.factories import AccountFactory, CSMFactory, CSMTaskFactory, MembershipFactory
from tests.onboarding_helpers import start
from tests.pseudo import english_left, english_left_on
from tests.queries import page_queries

ROOT = Path(settings.BASE_DIR)


def set_locale(obj: User | Account, language: str = "", time_zone: str = "") -> None:
    obj.language, obj.time_zone = language, time_zone
    obj.save(update_fields=["language", "time_zone"])


# Settings and formats -------------------------------------------------------------------------


def test_the_portal_speaks_four_languages_each_named_in_itself() -> None:
    assert settings.LANGUAGE_CODE == "en"
    assert dict(settings.LANGUAGES) == {
        "en": "English",
        "de": "Deutsch",
        "fr": "Français",
        "es": "Español",
    }
    assert Path(settings.LOCALE_PATHS[0]) == ROOT / "locale"
    assert settings.USE_TZ


@pytest.mark.parametrize(
    "language,money,number",
    [
        ("en", "€1,234.50", "1,234.5"),
        ("de", "1.234,50\xa0€", "1.234,5"),
        ("fr", "1\u202f234,50\xa0€", "1\u202f234,5"),
        ("es", "1.234,50\xa0€", "1.234,5"),
    ],
)
def test_money_and_numbers_follow_the_language(language: str, money: str, number: str) -> None:
    with translation.override(language):
        assert formatting.money(Decimal("1234.5"), 2, currency="EUR") == money
        assert formatting.number(Decimal("1234.5"), 1) == number


def test_whole_amounts_and_changes_keep_the_languages_pattern() -> None:
    with translation.override("de"):
        assert formatting.money(Decimal("198000")) == "198.000\xa0€"
        assert formatting.measure_change(Decimal("-12000"), "EUR") == "\u221212.000\xa0€"
    with translation.override("en"):
        assert formatting.money(Decimal("198000")) == "€198,000"
        assert formatting.measure_change(Decimal("12000"), "EUR") == "+€12,000"


# Who reads in what ----------------------------------------------------------------------------


def language_of(client: Client, path: str = "/settings/profile/", **headers: Any) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, response.status_code
    return str(response["Content-Language"])


def test_a_persons_own_choice_comes_first(world: World) -> None:
    set_locale(world.account, "de")
    set_locale(world.champion, "fr")
    assert language_of(client_for(world.champion), HTTP_ACCEPT_LANGUAGE="es") == "fr"


def test_then_their_accounts(world: World) -> None:
    set_locale(world.account, "de")
    assert language_of(client_for(world.champion), HTTP_ACCEPT_LANGUAGE="es") == "de"


def test_the_account_in_the_address_beats_their_first_one(world: World) -> None:
    set_locale(world.account, "de")
    second = AccountFactory.create(name="Zenith", slug="zenith", owner=world.csm, language="fr")
    MembershipFactory.create(account=second, user=world.champion, role=CustomerRole.CHAMPION)
    client = client_for(world.champion)
    assert language_of(client, "/a/zenith/") == "fr"
    assert language_of(client, "/a/acme/") == "de"
    assert language_of(client) == "de"  # no account in the address: the first membership


def test_the_accounts_settings_cost_no_query_and_a_change_shows_at_once(world: World) -> None:
    client = client_for(world.champion)
    before = page_queries(client, "/settings/profile/")
    set_locale(world.account, "de")
    assert language_of(client) == "de"
    set_locale(world.champion, "fr", "Europe/Paris")  # complete: no account looked up
    assert page_queries(client, "/settings/profile/") == before
    set_locale(world.champion)
    set_locale(world.account, "es")
    assert language_of(client) == "es"
    world.champion.memberships.all().delete()
    assert language_of(client, HTTP_ACCEPT_LANGUAGE="fr") == "fr"


def test_then_the_browsers_then_the_sites(world: World) -> None:
    response = client_for(world.champion).get("/settings/profile/", HTTP_ACCEPT_LANGUAGE="es")
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    assert language_of(client_for(world.champion), HTTP_ACCEPT_LANGUAGE="ja") == "en"
    assert language_of(Client(), "/auth/login/", HTTP_ACCEPT_LANGUAGE="fr") == "fr"


def test_an_inbox_item_reads_in_the_persons_then_the_accounts_then_the_sites(
    world: World,
) -> None:
    set_locale(world.account, "de")
    second = AccountFactory.create(name="Zenith", slug="zenith", owner=world.csm, language="fr")
    MembershipFactory.create(account=second, user=world.champion, role=CustomerRole.CHAMPION)
    MembershipFactory.create(account=second, user=world.member, role=CustomerRole.MEMBER)
    set_locale(world.member, "es")
    people = [world.champion, world.member, world.csm]
    # Nothing about one account: the first membership's, as on a page with none in its address.
    assert languages_of(people) == {
        world.champion.pk: "de",
        world.member.pk: "es",
        world.csm.pk: "en",
    }
    # About Zenith: Zenith's for the one who chose none, as its e-mail reads.
    about_zenith = languages_of(people, account=second)
    assert about_zenith == {world.champion.pk: "fr", world.member.pk: "es", world.csm.pk: "en"}
    assert about_zenith[world.champion.pk] == person_locale(world.champion, account=second).language
    set_locale(second, "")  # Zenith names none: the site's
    assert languages_of(people, account=second)[world.champion.pk] == "en"


def test_inbox_items_about_an_account_read_in_that_accounts_language(world: World) -> None:
    """notify, notify_each and tell word an item about Zenith in Zenith's language for a
    person who chose none, though their first account (Acme) speaks German."""
    from accounts.models import Notification
    from accounts.services import notify, notify_each, tell

    set_locale(world.account, "de")
    second = AccountFactory.create(name="Zenith", slug="zenith", owner=world.csm, language="fr")
    MembershipFactory.create(account=second, user=world.champion, role=CustomerRole.CHAMPION)
    title: Any = gettext_lazy("Account updates and digests")
    notify([world.champion], kind="account", title=title, account=second)
    notify([world.champion], kind="account", title=title, account=world.account)
    notify_each(
        [
            Notification(user=world.champion, kind="account", title=title, account=second),
            Notification(user=world.champion, kind="account", title=title),
        ]
    )
    tell(world.champion, kind="account", title=title, account=second)
    with translation.override("fr"):
        french = str(title)
    with translation.override("de"):
        german = str(title)
    assert french != german
    titles = list(
        Notification.objects.filter(user=world.champion)
        .order_by("pk")
        .values_list("title", flat=True)
    )
    assert titles == [french, german, french, german, french]


def test_vendor_staff_do_not_take_the_accounts_language(world: World) -> None:
    set_locale(world.account, "de", "Asia/Tokyo")
    assert language_of(client_for(world.csm), "/a/acme/") == "en"
    assert person_locale(world.csm, account=world.account).time_zone == ""


def test_a_visitor_picks_a_language_on_the_log_in_page() -> None:
    client = Client()
    page = client.get("/auth/login/")
    assert b'action="/i18n/setlang/"' in page.content
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/auth/login/"})
    assert response.status_code == 302 and response["Location"] == "/auth/login/"
    page = client.get("/auth/login/")
    assert page["Content-Language"] == "de"
    assert "Melden Sie sich mit Ihrer geschäftlichen E-Mail-Adresse" in page.content.decode()


def test_allauth_pages_follow_the_language() -> None:
    page = Client().get("/auth/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page["Content-Language"] == "fr"
    # The log-in form's fields are allauth's, with allauth's French words.
    assert 'placeholder="Mot de passe"' in page.content.decode()


def test_the_time_zone_follows_the_same_order(world: World) -> None:
    set_locale(world.account, "", "Europe/Berlin")
    assert person_locale(world.champion).time_zone == "Europe/Berlin"
    set_locale(world.champion, "", "Asia/Tokyo")
    assert person_locale(world.champion).time_zone == "Asia/Tokyo"
    assert person_locale(world.member).time_zone == "Europe/Berlin"
    assert person_locale(world.csm).time_zone == ""  # the site's


# The profile and the account's settings ---------------------------------------------------------


def test_a_person_sets_their_language_and_time_zone(world: World) -> None:
    client = client_for(world.member)
    data = {"name": "Mia M", "language": "es", "time_zone": "America/Mexico_City"}
    assert client.post("/settings/profile/", data).status_code == 302
    world.member.refresh_from_db()
    assert (world.member.language, world.member.time_zone) == ("es", "America/Mexico_City")
    assert language_of(client) == "es"
    data = {"name": "Mia M", "language": "", "time_zone": ""}
    assert client.post("/settings/profile/", data).status_code == 302
    world.member.refresh_from_db()
    assert (world.member.language, world.member.time_zone) == ("", "")


@pytest.mark.parametrize("field,value", [("language", "xx"), ("time_zone", "Mars/Olympus")])
def test_an_unknown_language_or_zone_is_refused(world: World, field: str, value: str) -> None:
    data = {"name": "Mia M", "language": "de", "time_zone": "Europe/Berlin", field: value}
    response = client_for(world.member).post("/settings/profile/", data)
    assert response.status_code == 422
    world.member.refresh_from_db()
    assert (world.member.name, world.member.language, world.member.time_zone) != (
        "Mia M",
        data["language"],
        data["time_zone"],
    )
    assert (world.member.language, world.member.time_zone) == ("", "")


def test_the_profile_form_offers_automatic_first() -> None:
    form = ProfileForm()
    assert form.fields["language"].choices[0][0] == ""  # type: ignore[attr-defined]
    assert ("Asia/Tokyo", "Asia/Tokyo") in form.fields["time_zone"].choices  # type: ignore[attr-defined]


def test_the_csm_sets_the_accounts_language_and_time_zone(world: World) -> None:
    form = AccountForm(instance=world.account, acting_user=world.csm)
    data = {
        **{name: form.initial.get(name) or "" for name in form.fields},
        "owner": world.csm.pk,
        "language": "fr",
        "time_zone": "Europe/Paris",
    }
    response = client_for(world.csm).post("/a/acme/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    world.account.refresh_from_db()
    assert (world.account.language, world.account.time_zone) == ("fr", "Europe/Paris")
    assert language_of(client_for(world.champion)) == "fr"


# E-mails ----------------------------------------------------------------------------------------

PROBE_TEMPLATES = {
    "emails/probe_subject.txt": "{% load i18n %}{% get_current_language as lang %}{{ lang }}",
    "emails/probe.txt": "{{ when|date:'Y-m-d H:i e' }}",
    "emails/probe.html": "{% load i18n %}<p>{% translate 'Save' %}</p>",
}


@pytest.fixture
def probe_templates(settings: Any) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", PROBE_TEMPLATES)],
            },
        }
    ]


def probe(to: list[str], **kwargs: Any) -> None:
    when = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    send_mail_from_templates("probe", to=to, context={"when": when}, **kwargs)


def test_each_recipient_reads_the_email_in_their_language_and_zone(
    world: World, probe_templates: None
) -> None:
    set_locale(world.champion, "de", "Asia/Tokyo")
    set_locale(world.account, "fr", "Europe/Paris")  # the executive follows the account
    probe([world.champion.email, world.executive.email, world.csm.email])
    by_subject = {message.subject: message for message in mail.outbox}
    assert set(by_subject) == {"de", "fr", "en"}
    assert by_subject["de"].to == [world.champion.email]
    assert by_subject["de"].body == "2026-12-07 10:00 JST"
    assert "Speichern" in by_subject["de"].alternatives[0][0]  # type: ignore[attr-defined]
    assert by_subject["fr"].body == "2026-12-07 02:00 CET"
    assert by_subject["en"].to == [world.csm.email]
    assert by_subject["en"].body == "2026-12-07 01:00 UTC"


def test_an_address_nobody_logs_in_with_gets_the_accounts(
    world: World, probe_templates: None
) -> None:
    set_locale(world.account, "es", "Europe/Madrid")
    probe(["new.person@acme.example"], account=world.account)
    [message] = mail.outbox
    assert (message.subject, message.body) == ("es", "2026-12-07 02:00 CET")
    probe(["someone@else.example"])
    assert mail.outbox[1].subject == "en"


def test_people_in_one_language_share_one_message(world: World, probe_templates: None) -> None:
    set_locale(world.account, "de", "Europe/Berlin")
    probe([world.champion.email, world.member.email])
    [message] = mail.outbox
    assert sorted(message.to) == sorted([world.champion.email, world.member.email])


def test_sending_leaves_the_callers_language_alone(world: World, probe_templates: None) -> None:
    set_locale(world.champion, "de", "Asia/Tokyo")
    probe([world.champion.email])
    assert translation.get_language() == "en"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_allauths_emails_follow_the_recipient_not_the_browser(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_locale(world.member, "fr", "Europe/Paris")
    EmailAddress.objects.update_or_create(
        user=world.member, email=world.member.email, defaults={"verified": True}
    )
    rendered_in: list[tuple[str, str]] = []

    def send_mail(self: Any, template_prefix: str, email: str, context: Any) -> None:
        rendered_in.append((translation.get_language(), timezone.get_current_timezone_name()))

    monkeypatch.setattr(DefaultAccountAdapter, "send_mail", send_mail)
    response = Client().post(
        "/auth/password/reset/", {"email": world.member.email}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 302
    assert rendered_in == [("fr", "Europe/Paris")]


# 07:00 in each person's zone ---------------------------------------------------------------------


def test_people_are_due_at_seven_in_their_own_zone(world: World) -> None:
    set_locale(world.champion, "", "Asia/Tokyo")
    set_locale(world.other_account, "", "Europe/Berlin")  # the other champion's, by account
    winter_22 = datetime(2026, 1, 14, 22, tzinfo=UTC)
    assert people_due(winter_22) == {winter_22.date() + timedelta(days=1): {world.champion.pk}}
    assert people_due(datetime(2026, 1, 14, 6, tzinfo=UTC)) == {
        date(2026, 1, 14): {world.other_champion.pk}
    }
    summer = people_due(datetime(2026, 7, 14, 5, tzinfo=UTC))  # Berlin is UTC+2 in summer
    assert summer == {date(2026, 7, 14): {world.other_champion.pk}}
    at_utc_seven = people_due(datetime(2026, 1, 14, 7, tzinfo=UTC))[date(2026, 1, 14)]
    assert world.champion.pk not in at_utc_seven and world.member.pk in at_utc_seven


def test_the_task_digest_goes_out_at_seven_in_tokyo_and_berlin_once(world: World) -> None:
    tokyo = CSMFactory.create(name="Tomoko Tokyo", time_zone="Asia/Tokyo")
    berlin = CSMFactory.create(name="Bernd Berlin", time_zone="Europe/Berlin")
    day = date(2026, 1, 15)
    for csm in (tokyo, berlin):
        CSMTaskFactory.create(account=world.account, assignee=csm, due_on=day - timedelta(1))

    def run_at(hour: int, on: int = 14) -> list[str]:
        mail.outbox.clear()
        with time_machine.travel(datetime(2026, 1, on, hour, tzinfo=UTC), tick=False):
            send_task_digests_task.apply().get()
        return [address for message in mail.outbox for address in message.to]

    assert run_at(7) == []  # 07:00 UTC: 16:00 in Tokyo, 08:00 in Berlin
    assert run_at(21) == []
    assert run_at(22) == [tokyo.email]  # 07:00 on the 15th in Tokyo
    assert TaskDigestSent.objects.get(user=tokyo).day == day
    assert run_at(22) == []  # the same run again: nobody twice
    assert run_at(6, on=15) == [berlin.email]  # 07:00 in Berlin in winter
    assert run_at(6, on=15) == []
    assert TaskDigestSent.objects.filter(user=tokyo).count() == 1
    assert run_at(22, on=15) == [tokyo.email]  # the next morning in Tokyo


def test_a_retry_reaches_the_people_of_its_first_try(world: World) -> None:
    tokyo = CSMFactory.create(time_zone="Asia/Tokyo")
    CSMTaskFactory.create(account=world.account, assignee=tokyo, due_on=date(2026, 1, 15))
    with time_machine.travel(datetime(2026, 1, 14, 23, 40, tzinfo=UTC), tick=False):
        assert send_task_digests_task.apply(kwargs={"at": "2026-01-14T22:00:00+00:00"}).get() == 1


# Dates and times shown in the person's zone ------------------------------------------------------


def test_a_task_comments_time_shows_in_the_readers_zone(world: World) -> None:
    checklist = start(world)
    task = checklist.tasks.first()
    assert task is not None
    comment = TaskComment.objects.create(task=task, author=world.csm, body="Kickoff notes")
    TaskComment.objects.filter(pk=comment.pk).update(
        created_at=datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    )
    set_locale(world.champion, "en", "Asia/Tokyo")
    page = client_for(world.champion).get(f"/a/acme/onboarding/tasks/{task.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "11 Mar, 08:30" in html and "10 Mar, 23:30" not in html
    page = client_for(world.csm).get(f"/a/acme/onboarding/tasks/{task.pk}/")
    assert "10 Mar, 23:30" in page.content.decode()  # the site's zone (UTC)


# Catalogues and the checks -------------------------------------------------------------------


def test_the_profile_page_reads_in_german(world: World) -> None:
    set_locale(world.member, "de")
    html = client_for(world.member).get("/settings/profile/").content.decode()
    assert "Zeitzone" in html and "Ihre Besuche im Portal" in html
    assert 'lang="de"' in html


def test_english_left_finds_unmarked_words_and_skips_names_and_markers() -> None:
    html = (
        "<main><h1>⟦Profile⟧</h1><p>⟦Hello⟧ Dana Diaz, 1.234,50 € dana@acme.example</p>"
        '<p title="Not marked">/a/acme/</p><select translate="no"><option>Europe/Berlin'
        "</option></select><script>var x = 'code';</script><p>Save me</p></main><nav>Home</nav>"
    )
    assert english_left(html, within="main", allowed=["Dana Diaz"]) == ["Not marked", "Save me"]
    assert english_left(html, allowed=["Dana Diaz"]) == ["Not marked", "Save me", "Home"]


@pytest.mark.parametrize(
    "html",
    [
        "<main><p>⟦Profile</p><p>Save me</p></main>",  # opened, never closed
        "<main><p>⟦Profile⟧⟧ Save me</p></main>",  # closed twice
        '<main><p title="⟦Profile⟧⟧">x</p></main>',
    ],
)
def test_english_left_refuses_markers_that_do_not_balance(html: str) -> None:
    with pytest.raises(AssertionError, match="marker"):
        english_left(html)


def test_a_marker_may_span_the_tags_of_a_translated_sentence() -> None:
    html = '<main><p>⟦Read <a href="/x" title="the guide">the guide</a> first⟧</p></main>'
    assert english_left(html) == []


def test_the_profile_page_has_no_english_left(world: World) -> None:
    user = world.member
    left = english_left_on(
        client_for(user), "/settings/profile/", within="settings-main", allowed=[user.name, "Acme"]
    )
    assert left == []


def test_the_account_form_has_no_english_left(world: World) -> None:
    # The form's own labels (accounts/forms.py) are marked with the other strings of the app.
    left = english_left_on(
        client_for(world.csm), "/a/acme/edit/", within="page-head", allowed=["Acme"]
    )
    assert left == []


def test_the_log_in_page_has_no_english_left() -> None:
    left = english_left_on(Client(), "/auth/login/", within="auth-card")
    assert left == []
    assert english_left_on(Client(), "/auth/login/", within="language-switcher") == []


def test_the_navigation_has_no_english_left(world: World) -> None:
    user = world.champion
    left = english_left_on(
        client_for(user), "/settings/profile/", within="nav", allowed=[user.name, "Acme"]
    )
    assert left == []


def load_check() -> Any:
    loader = SourceFileLoader("check_translations", str(ROOT / "bin" / "check-translations"))
    spec = importlib.util.spec_from_loader("check_translations", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


PO_HEAD = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def write_po(root: Path, language: str, body: str) -> None:
    folder = root / "locale" / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(PO_HEAD + body, encoding="utf-8")


def test_the_translation_check_passes_the_committed_catalogues() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "check-translations")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_the_translation_check_finds_missing_fuzzy_and_broken_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = load_check()
    monkeypatch.setattr(check, "ROOT", tmp_path)
    monkeypatch.setattr(check, "CHECKED_SOURCES", ("templates/accounts/profile.html",))
    write_po(
        tmp_path,
        "de",
        '#: templates/accounts/profile.html:4\nmsgid "Profile"\nmsgstr ""\n\n'
        '#: templates/accounts/profile.html:5\n#, fuzzy\nmsgid "Save"\nmsgstr "Sichern"\n\n'
        '#: templates/other.html:5\nmsgid "Elsewhere"\nmsgstr ""\n\n'
        "#: templates/other.html:6\n#, python-format\n"
        'msgid "Hello %(name)s"\nmsgstr "Hallo %(nom)s"\n',
    )
    found = check.problems("de")
    assert any("'Profile'" in line and "not translated" in line for line in found)
    assert any("'Save'" in line and "fuzzy" in line for line in found)
    assert any("Hello" in line for line in found)  # a broken placeholder, listed or not
    assert not any("Elsewhere" in line for line in found)  # not a checked source yet
    monkeypatch.setattr(check, "CHECKED_SOURCES", ("*",))
    assert any("Elsewhere" in line for line in check.problems("de"))
    assert check.problems("fr") == [
        "locale/fr/LC_MESSAGES/django.po: missing (run makemessages, locale/README.md)"
    ]


def test_only_po_files_are_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "*.mo" in ignored
    for language in ("de", "fr", "es", "en"):
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.parametrize(
    ("language", "role", "sentence"),
    [
        ("en", "executive", "Dana invited you to join Acme's customer portal as an executive."),
        ("en", "member", "Dana invited you to join Acme's customer portal as a member."),
        (
            "de",
            "champion",
            "Dana hat Sie eingeladen, dem Kundenportal von Acme als Champion beizutreten.",
        ),
        (
            "fr",
            "member",
            "Dana vous invite à rejoindre le portail client de Acme en tant que membre.",
        ),
        (
            "es",
            "executive",
            "Dana le ha invitado a unirse al portal de clientes de Acme como patrocinador ejecutivo.",
        ),
    ],
)
def test_a_role_after_as_reads_in_the_readers_language(
    language: str, role: str, sentence: str
) -> None:
    """English puts its article before the role; German, French and Spanish take the bare noun,
    translated (never "a Mitglied" or "as an executive" inside a German sentence)."""
    template = Template(
        "{% load i18n portal %}{% blocktranslate with inviter=inviter name=name "
        "role=role|as_role %}{{ inviter }} invited you to join {{ name }}'s customer portal as "
        "{{ role }}.{% endblocktranslate %}"
    )
    with translation.override(language):
        text = template.render(Context({"inviter": "Dana", "name": "Acme", "role": role}))
    assert " ".join(text.split()) == sentence
