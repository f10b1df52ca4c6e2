"""Dates in the reader's language, times in the reader's zone, due dates left as they are."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.utils import timezone, translation

from accounts.activity import record
from accounts.models import Account, Invitation, User
from onboarding.models import Task
from portal import formatting
from portal.i18n import override_for
from portal.mail import send_mail_from_templates
from reports import services as report_services
from reports import tasks as report_tasks
from reports.forms import ReviewAskForm
from reports.rendering import Rendered
from surveys.figures import period_label
from tests.conftest import World, client_for
from tests.factories import CSMFactory, CSMTaskFactory
from tests.onboarding_helpers import start
from tests.test_reports import YEAR, year_of_data  # noqa: F401 (a fixture)

ROOT = Path(settings.BASE_DIR)
LATE_EVENING = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # already 11 March in Tokyo


def set_locale(obj: User | Account, language: str = "", time_zone: str = "") -> None:
    obj.language, obj.time_zone = language, time_zone
    obj.save(update_fields=["language", "time_zone"])


# The helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "month", "long_month", "day", "long"),
    [
        ("en", "Mar 2026", "March 2026", "10 Mar 2026", "10 March 2026"),
        ("de", "März 2026", "März 2026", "10. März 2026", "10. März 2026"),
        ("fr", "mars 2026", "mars 2026", "10 mars 2026", "10 mars 2026"),
        ("es", "mar 2026", "marzo de 2026", "10 mar 2026", "10 de marzo de 2026"),
    ],
)
def test_a_date_reads_in_the_readers_language(
    language: str, month: str, long_month: str, day: str, long: str
) -> None:
    with translation.override(language):
        written = (
            formatting.month_label(date(2026, 3, 10)),
            formatting.long_month(date(2026, 3, 10)),
            formatting.short_date(date(2026, 3, 10)),
            formatting.long_date(date(2026, 3, 10)),
        )
    assert written == (month, long_month, day, long)


def test_english_keeps_the_portals_day_first_dates() -> None:
    with translation.override("en"):
        assert formatting.day_month(date(2026, 9, 7)) == "7 Sep"
        assert formatting.month_label(date(2026, 9, 7)) == "Sep 2026"  # not CLDR's "Sept"
        assert formatting.month_name(date(2026, 6, 1)) == "June"
        assert formatting.long_date(None) == ""


def test_a_moment_reads_as_its_day_in_the_readers_zone() -> None:
    with translation.override("en"), timezone.override("Asia/Tokyo"):
        assert formatting.long_date(LATE_EVENING) == "11 March 2026"
    with translation.override("en"), timezone.override("Pacific/Honolulu"):
        assert formatting.long_date(LATE_EVENING) == "10 March 2026"
    with translation.override("en"), timezone.override("Pacific/Honolulu"):
        assert formatting.long_date(date(2026, 3, 10)) == "10 March 2026"  # a date stays


# Months on charts and in choices -----------------------------------------------------------------


def test_the_survey_charts_months_read_in_german() -> None:
    with translation.override("de"):
        assert period_label(date(2026, 3, 1), "month") == "März 2026"
        assert period_label(date(2026, 4, 1), "quarter") == "Q2 2026"
    with translation.override("en"):
        assert period_label(date(2026, 3, 1), "month") == "Mar 2026"


def test_the_review_asks_months_are_offered_in_the_readers_language() -> None:
    with translation.override("de"):
        german = dict(ReviewAskForm(today=date(2026, 12, 7)).fields["preferred_month"].choices)  # type: ignore[attr-defined]
    with translation.override("en"):
        english = dict(ReviewAskForm(today=date(2026, 12, 7)).fields["preferred_month"].choices)  # type: ignore[attr-defined]
    assert (german["2026-12"], german["2027-01"]) == ("Dezember 2026", "Januar 2027")
    assert (english["2026-12"], english["2027-01"]) == ("December 2026", "January 2027")


def test_the_review_ask_page_offers_german_months_to_a_german_reader(world: World) -> None:
    set_locale(world.champion, "de")
    with time_machine.travel(datetime(2026, 12, 7, 12, tzinfo=UTC)):
        page = client_for(world.champion).get("/a/acme/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Januar 2027" in html and "January 2027" not in html


def test_a_wrapped_made_for_a_german_account_names_its_busiest_month_in_german(
    year_of_data: World,  # noqa: F811
) -> None:
    set_locale(year_of_data.account, "de", "Europe/Berlin")
    with override_for(account=year_of_data.account):  # as publishing and the batch make it
        report, _ = report_services.request_wrapped(
            year_of_data.account, YEAR, acting_user=year_of_data.csm
        )
    assert report.inputs["usage"]["busiest_month"] == "Juni"


# E-mails say their language -----------------------------------------------------------------------

EMAIL_PAGES = [
    *sorted((ROOT / "templates" / "emails").glob("*.html")),
    ROOT / "templates" / "account" / "email" / "_layout.html",
]


@pytest.mark.parametrize("path", EMAIL_PAGES, ids=lambda path: path.name)
def test_no_email_says_it_is_english_whatever_its_language(path: Path) -> None:
    source = path.read_text()
    assert 'lang="en"' not in source
    assert '<html lang="{{ LANGUAGE_CODE }}"' in source
    assert "{% get_current_language as LANGUAGE_CODE %}" in source


def html_of(message: EmailMessage) -> str:
    assert isinstance(message, EmailMultiAlternatives)
    return str(message.alternatives[0][0])


def task_assigned_to(*people: User, task: Any) -> None:
    send_mail_from_templates(
        "task_assigned",
        to=[person.email for person in people],
        recipients=list(people),
        context={
            "task": task,
            "by": None,
            "today_url": "https://portal.example/today/",
            "notifications_url": "https://portal.example/settings/notifications/",
        },
    )


def test_an_emails_html_says_the_language_of_its_recipient(world: World) -> None:
    french = CSMFactory.create()
    set_locale(french, "fr", "Europe/Paris")
    set_locale(world.csm, "en", "UTC")
    task = CSMTaskFactory(account=world.account, assignee=world.csm, due_on=date(2026, 3, 10))
    task_assigned_to(world.csm, french, task=task)
    html = {message.to[0]: html_of(message) for message in mail.outbox}
    assert '<html lang="fr">' in html[french.email] and "mars 2026" in html[french.email]
    assert '<html lang="en">' in html[world.csm.email]


def test_an_invitations_expiry_is_its_day_in_the_accounts_zone(world: World) -> None:
    set_locale(world.account, "en", "Asia/Tokyo")
    invitation = Invitation.objects.create(
        account=world.account,
        email="new.person@acme.example",
        role="member",
        invited_by=world.champion,
        expires_at=LATE_EVENING,
    )
    send_mail_from_templates(
        "invitation",
        to=[invitation.email],
        context={
            "invitation": invitation,
            "account": world.account,
            "inviter": world.champion,
            "accept_url": "https://portal.example/join/x/",
        },
    )
    [message] = mail.outbox
    html = html_of(message)
    assert "until 11 March 2026" in html


def test_an_email_time_reads_in_jst_for_a_person_in_tokyo(world: World, settings: Any) -> None:
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "emails/when_subject.txt": "When",
                            "emails/when.txt": "{{ when|time:'H:i T' }}",
                            "emails/when.html": "{% load i18n %}{% get_current_language as "
                            'LANGUAGE_CODE %}<html lang="{{ LANGUAGE_CODE }}">'
                            "{{ when|date:'j F Y, H:i' }}</html>",
                        },
                    )
                ],
            },
        }
    ]
    set_locale(world.champion, "en", "Asia/Tokyo")
    send_mail_from_templates("when", to=[world.champion.email], context={"when": LATE_EVENING})
    [message] = mail.outbox
    assert message.body == "08:30 JST"
    assert html_of(message) == '<html lang="en">11 March 2026, 08:30</html>'


# Times in the reader's zone, due dates as they are ------------------------------------------------


def test_a_timeline_time_reads_in_jst_for_a_person_in_tokyo(world: World) -> None:
    entry = record("updated the account", actor=world.csm, account=world.account)
    type(entry).objects.filter(pk=entry.pk).update(created_at=LATE_EVENING)
    set_locale(world.csm, "en", "Asia/Tokyo")
    html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    assert "11 Mar 2026, 08:30" in html and "10 Mar 2026, 23:30" not in html
    set_locale(world.csm, "en", "Pacific/Honolulu")
    html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    assert "10 Mar 2026, 13:30" in html


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "Asia/Tokyo"])
def test_a_due_date_is_the_same_date_in_every_zone(world: World, zone: str) -> None:
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC)):
        checklist = start(world, kickoff=date(2026, 3, 1))
        task = checklist.tasks.first()
        assert task is not None
        Task.objects.filter(pk=task.pk).update(due_date=date(2026, 3, 10))
        set_locale(world.champion, "en", zone)
        page = client_for(world.champion).get(f"/a/acme/onboarding/tasks/{task.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "10 Mar 2026" in html
    assert "9 Mar 2026" not in html and "11 Mar 2026" not in html


@pytest.mark.parametrize("zone", ["Pacific/Honolulu", "Asia/Tokyo"])
def test_a_due_date_in_an_email_is_the_same_date_in_every_zone(world: World, zone: str) -> None:
    set_locale(world.csm, "en", zone)
    task = CSMTaskFactory(account=world.account, assignee=world.csm, due_on=date(2026, 3, 10))
    task_assigned_to(world.csm, task=task)
    [message] = mail.outbox
    assert "Due Tuesday 10 March 2026" in message.body


# PDFs ---------------------------------------------------------------------------------------------


def test_a_reports_pdf_is_made_in_the_accounts_language_and_on_its_day(
    year_of_data: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_locale(year_of_data.account, "de", "Asia/Tokyo")
    with override_for(account=year_of_data.account):  # as publishing and the batch make it
        report, _ = report_services.request_wrapped(
            year_of_data.account, YEAR, acting_user=year_of_data.csm
        )
    pages: list[str] = []

    def kept(html: str) -> Rendered:
        pages.append(html)
        return Rendered(b"%PDF-1.7", 1, 0.1, [])

    monkeypatch.setattr(report_tasks, "render_pdf", kept)
    with time_machine.travel(datetime(2026, 11, 16, 20, tzinfo=UTC)):  # 17 Nov in Tokyo
        report_tasks.render_report.run(report_id=report.pk)
    [html] = pages
    assert '<html lang="de"' in html
    assert "17. November 2026" in html and "16. November 2026" not in html
    assert translation.get_language() == "en"  # the task leaves the site's language


def test_the_templates_date_filters_write_the_readers_language() -> None:
    from django.template import Context, Template

    page = Template(
        "{% load figures %}{{ day|month_label }} · {{ day|long_month }} · {{ day|day_month }} · "
        "{{ day|short_date }} · {{ day|long_date }} · {{ none|long_date|default:'—' }}"
        "{{ text|long_date }}"
    )
    context = Context({"day": date(2026, 3, 10), "none": None, "text": "2026-03-10"})
    with translation.override("de"):
        german = page.render(context)
    with translation.override("en"):
        english = page.render(context)
    assert german == "März 2026 · März 2026 · 10. März · 10. März 2026 · 10. März 2026 · —"
    assert english == "Mar 2026 · March 2026 · 10 Mar · 10 Mar 2026 · 10 March 2026 · —"


# Moments and weekdays: the reader's language, on the reader's clock -----------------------------

# 23:30:05 UTC on 10 March is 08:30:05 on Wednesday 11 March in Tokyo.
MOMENT_FORMATS = [
    "short_datetime",
    "day_month_time",
    "day_month_seconds",
    "weekday_day",
    "long_weekday",
    "long_weekday_date",
    "long_day_month",
    "long_datetime_zone",
]
# What Django's ``|date`` wrote before, for each helper in English.
FORMER_DJANGO_FORMATS = [
    "j M Y, H:i",
    "j M, H:i",
    "j M, H:i:s",
    "D j M",
    "l j F",
    "l j F Y",
    "j F",
    "j F Y, H:i e",
]
LATE_EVENING_SECONDS = LATE_EVENING.replace(second=5)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        (
            "en",
            [
                "11 Mar 2026, 08:30",
                "11 Mar, 08:30",
                "11 Mar, 08:30:05",
                "Wed 11 Mar",
                "Wednesday 11 March",
                "Wednesday 11 March 2026",
                "11 March",
                "11 March 2026, 08:30 JST",
            ],
        ),
        (
            "de",
            [
                "11. März 2026, 08:30",
                "11. März, 08:30",
                "11. März, 08:30:05",
                "Mi., 11. März",
                "Mittwoch, 11. März",
                "Mittwoch, 11. März 2026",
                "11. März",
                "11. März 2026, 08:30 JST",
            ],
        ),
        (
            "fr",
            [
                "11 mars 2026, 08:30",
                "11 mars, 08:30",
                "11 mars, 08:30:05",
                "mer. 11 mars",
                "mercredi 11 mars",
                "mercredi 11 mars 2026",
                "11 mars",
                "11 mars 2026, 08:30 JST",
            ],
        ),
        (
            "es",
            [
                "11 mar 2026, 8:30",
                "11 mar, 8:30",
                "11 mar, 8:30:05",
                "mié, 11 mar",
                "miércoles, 11 de marzo",
                "miércoles, 11 de marzo de 2026",
                "11 de marzo",
                "11 de marzo de 2026, 8:30 JST",
            ],
        ),
    ],
)
def test_a_moment_reads_in_the_readers_language_on_their_clock(
    language: str, written: list[str]
) -> None:
    with translation.override(language), timezone.override("Asia/Tokyo"):
        texts = [getattr(formatting, kind)(LATE_EVENING_SECONDS) for kind in MOMENT_FORMATS]
    assert texts == written


def test_english_moments_read_as_djangos_date_filter_wrote_them() -> None:
    from django.utils.formats import date_format

    for zone in ("Asia/Tokyo", "Pacific/Honolulu", "UTC"):
        with translation.override("en"), timezone.override(zone):
            local = timezone.localtime(LATE_EVENING_SECONDS)
            for kind, former in zip(MOMENT_FORMATS, FORMER_DJANGO_FORMATS, strict=True):
                assert getattr(formatting, kind)(LATE_EVENING_SECONDS) == date_format(
                    local, former
                ), (zone, kind)


def test_a_day_with_its_weekday_stays_that_day_in_every_zone() -> None:
    with translation.override("en"), timezone.override("Pacific/Honolulu"):
        assert formatting.weekday_day(date(2026, 3, 10)) == "Tue 10 Mar"
        assert formatting.long_weekday_date(date(2026, 3, 10)) == "Tuesday 10 March 2026"
        assert formatting.short_datetime(None) == ""


def test_the_templates_moment_filters_write_the_readers_language() -> None:
    from django.template import Context, Template

    page = Template(
        "{% load figures %}{{ when|short_datetime }} · {{ when|day_month_time }} · "
        "{{ when|day_month_seconds }} · {{ when|long_datetime_zone }} · {{ day|weekday_day }} · "
        "{{ day|long_weekday }} · {{ day|long_weekday_date }} · {{ day|long_day_month }} · "
        "{{ day|short_datetime }}{{ none|short_datetime|default:'—' }}{{ text|weekday_day }}"
    )
    context = Context(
        {"when": LATE_EVENING_SECONDS, "day": date(2026, 3, 10), "none": None, "text": "x"}
    )
    with timezone.override("Asia/Tokyo"):
        with translation.override("de"):
            german = page.render(context)
        with translation.override("en"):
            english = page.render(context)
    assert german == (
        "11. März 2026, 08:30 · 11. März, 08:30 · 11. März, 08:30:05 · "
        "11. März 2026, 08:30 JST · Di., 10. März · Dienstag, 10. März · "
        "Dienstag, 10. März 2026 · 10. März · —"
    )
    assert english == (
        "11 Mar 2026, 08:30 · 11 Mar, 08:30 · 11 Mar, 08:30:05 · 11 March 2026, 08:30 JST · "
        "Tue 10 Mar · Tuesday 10 March · Tuesday 10 March 2026 · 10 March · —"
    )


def test_a_timeline_time_reads_in_german_for_a_german_reader(world: World) -> None:
    entry = record("updated the account", actor=world.csm, account=world.account)
    type(entry).objects.filter(pk=entry.pk).update(created_at=LATE_EVENING)
    set_locale(world.csm, "de", "Asia/Tokyo")
    html = client_for(world.csm).get("/a/acme/activity/").content.decode()
    assert "11. März 2026, 08:30" in html
    assert "11 Mar 2026" not in html


def test_a_task_emails_due_day_has_its_weekday_in_german(world: World) -> None:
    set_locale(world.csm, "de", "Europe/Berlin")
    task = CSMTaskFactory(account=world.account, assignee=world.csm, due_on=date(2026, 3, 10))
    task_assigned_to(world.csm, task=task)
    [message] = mail.outbox
    assert "Dienstag, 10. März 2026" in message.body and "Tuesday" not in message.body


def test_a_one_off_surveys_schedule_names_its_moment_in_the_readers_language() -> None:
    from surveys.models import Campaign, Schedule

    campaign = Campaign(schedule=Schedule.AT, starts_at=LATE_EVENING)
    with timezone.override("Asia/Tokyo"):
        with translation.override("de"):
            german = campaign.schedule_label
        with translation.override("en"):
            english = campaign.schedule_label
    assert "11. März 2026, 08:30" in german
    assert english == "Once, at 11 Mar 2026, 08:30"
