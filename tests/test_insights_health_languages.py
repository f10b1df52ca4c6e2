"""A health score's parts say why in the reader's language, whatever the account's: each part's
why is stored as an English message id and its values (numbers kept as numbers), and worded when
read: on the 360° page, in the playbook preview, in the PDFs. Scores stored before (whys stored
as words, in their account's language) read as they were stored.

Each test compares with ``gettext`` of the message and values computed here under
``translation.override("de")`` (the shipped German catalogue): a text not passed through the
catalogue fails."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext, ngettext_lazy

from accounts.models import Account
from insights.figures.health import explain, health_summary, part_why, renewal_part
from insights.models import AccountFacts, HealthScore
from insights.services.health import compute_health
from insights.services.ingest import upsert_usage
from insights.services.usage import roll_up
from playbooks.detectors.health import health_part_low
from playbooks.services.playbooks import found_why
from portal.formatting import number, percent
from portal.i18n import StoredText, read_stored, stored_number, stored_text
from reports.figures import health as report_health
from reports.words import worded
from tests.conftest import World, client_for
from tests.insights_helpers import get_360

DAY = date(2026, 5, 13)
NOW = datetime(2026, 5, 13, 12, tzinfo=UTC)
USAGE = "MAU is %(share)s of seats (%(mau)s of %(seats)s)"


@pytest.fixture(autouse=True)
def _on_a_fixed_day(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def troubled(world: World) -> Account:
    """An English account: usage 40 (4 of 10 seats), renewal in 30 days with low usage (20),
    pulse concerned (0)."""
    upsert_usage(
        {
            "account_id": world.account.pk,
            "user_key": f"u{n}",
            "day": DAY,
            "feature": "reports",
            "count": 1,
        }
        for n in range(4)
    )
    roll_up([world.account.pk], [DAY])
    AccountFacts.objects.create(
        account=world.account, licensed_seats=10, pulse="concerned", customers_see_health=True
    )
    world.account.language = "en"
    world.account.renewal_date = DAY + timedelta(days=30)
    world.account.save()
    return world.account


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def whys(language: str) -> dict[str, str]:
    """What each part of ``troubled`` says in ``language``, made here from the catalogue."""
    with translation.override(language):
        when = ngettext("Renewal in %(days)s day", "Renewal in %(days)s days", 30) % {
            "days": number(30)
        }
        return {
            "usage": gettext(USAGE) % {"share": percent(40), "mau": number(4), "seats": number(10)},
            "renewal": gettext("%(when)s with low usage") % {"when": when},
            "pulse": gettext("The CSM's pulse: %(pulse)s")
            % {"pulse": lower_first(gettext("Concerned"))},
        }


def read(score: HealthScore) -> dict[str, str]:
    return {name: part_why(part["why"]) for name, part in score.parts.items()}


def test_a_score_computed_for_an_english_account_reads_in_german_for_a_german_reader(
    troubled: Account,
) -> None:
    with translation.override("en"):
        compute_health(troubled, DAY)
    score = HealthScore.objects.get(account=troubled, day=DAY)
    german, english = whys("de"), whys("en")
    assert all(german[name] != english[name] for name in german), german  # translated
    with translation.override("de"):
        assert read(score) == german
        assert {d.part: d.why for d in explain(score)} == german
    with translation.override("en"):
        assert (
            read(score)
            == english
            == {
                "usage": "MAU is 40% of seats (4 of 10)",
                "renewal": "Renewal in 30 days with low usage",
                "pulse": "The CSM's pulse: concerned",
            }
        )


def test_a_german_account_scored_in_german_reads_in_english_for_an_english_reader(
    troubled: Account,
) -> None:
    troubled.language = "de"
    troubled.save(update_fields=["language"])
    with translation.override("de"):
        compute_health(troubled, DAY)
    with translation.override("en"):
        assert read(HealthScore.objects.get(account=troubled, day=DAY)) == whys("en")


def test_the_stored_parts_keep_message_ids_and_numbers_never_words(troubled: Account) -> None:
    with translation.override("de"):
        compute_health(troubled, DAY)
    parts = HealthScore.objects.get(account=troubled, day=DAY).parts
    stored = json.dumps(parts, ensure_ascii=False)
    for words in [*whys("en").values(), *whys("de").values(), "40%", "concerned", "Besorgt"]:
        assert words not in stored
    assert parts["usage"]["why"] == {
        "message": USAGE,
        "params": {
            "share": {"number": 40.0, "format": "percent"},
            "mau": {"number": 4, "format": "number"},
            "seats": {"number": 10, "format": "number"},
        },
    }
    assert parts["renewal"]["why"] == {
        "message": "%(when)s with low usage",
        "params": {
            "when": {
                "message": "Renewal in %(days)s day",
                "plural": "Renewal in %(days)s days",
                "count": "days",
                "params": {"days": {"number": 30, "format": "number"}},
            }
        },
    }
    assert parts["pulse"]["why"] == {
        "message": "The CSM's pulse: %(pulse)s",
        "params": {"pulse": {"message": "Concerned", "lower": True}},
    }


def test_numbers_are_written_as_the_reader_writes_them(world: World) -> None:
    world.account.renewal_date = DAY + timedelta(days=1200)
    part = renewal_part(world.account, DAY, None)
    assert part is not None and part.why == "Renewal in 1,200 days"  # as a string: the English
    stored = json.loads(json.dumps(part.why.as_json() if isinstance(part.why, StoredText) else ""))
    with translation.override("de"):
        expected = ngettext("Renewal in %(days)s day", "Renewal in %(days)s days", 1200) % {
            "days": number(1200)
        }
        assert "1.200" in expected
        assert read_stored(stored) == expected
        one = stored_text(
            gettext_noop("%(count)s overdue"), count=stored_number(1234.5, "number", 1)
        ).as_json()
        assert read_stored(one) == gettext("%(count)s overdue") % {"count": "1.234,5"}


def test_a_pulse_note_is_kept_as_the_csm_wrote_it(troubled: Account) -> None:
    AccountFacts.objects.filter(account=troubled).update(pulse_note="Budget gekürzt")
    score = compute_health(troubled, DAY)
    assert score is not None
    with translation.override("de"):
        assert part_why(score.parts["pulse"]["why"]) == f"{whys('de')['pulse']} (Budget gekürzt)"


OLD_PARTS = {
    "usage": {"score": 40, "weight": 30, "why": "MAU liegt bei 40 % der Lizenzen"},
    "pulse": {"score": 0, "weight": 10, "why": "Einschätzung des CSM: besorgt"},
}


def test_scores_stored_before_read_as_they_were_stored(troubled: Account) -> None:
    HealthScore.objects.create(
        account=troubled, day=DAY, score=30, band="critical", parts=OLD_PARTS
    )
    score = HealthScore.objects.get(account=troubled, day=DAY)
    stored = {name: part["why"] for name, part in OLD_PARTS.items()}
    with translation.override("en"):
        assert read(score) == stored
        assert {d.part: d.why for d in explain(score)} == stored
        summary = health_summary([score])
        assert {row[1]["why"] for row in summary["health_parts"]} == set(stored.values())
        assert found_why(OLD_PARTS["usage"]["why"]) == OLD_PARTS["usage"]["why"]
        data = report_health(troubled, DAY - timedelta(days=30), DAY)
        assert data is not None
        assert [p["why"] for p in worded(data)["parts"]] == [stored["usage"]]  # no pulse: CSM's


def test_the_360_page_shows_each_part_in_the_csms_language(world: World, troubled: Account) -> None:
    compute_health(troubled, DAY)
    world.csm.language = "de"
    world.csm.save(update_fields=["language"])
    page = get_360(client_for(world.csm), reverse("account_360", args=["acme"])).content.decode()
    for why in whys("de").values():
        assert why in page
    assert whys("en")["usage"] not in page


def test_the_playbook_preview_words_a_low_part_in_the_readers_language(troubled: Account) -> None:
    compute_health(troubled, DAY)
    [candidate] = health_part_low({"part": "usage", "below": 50}, NOW)
    # The webhooks' details keep one stable English text; the portal words the stored text.
    assert candidate.data["why"] == whys("en")["usage"]
    with translation.override("de"):
        assert found_why(candidate.data["why_text"]) == whys("de")["usage"]


def test_the_pdf_figures_keep_the_stored_text_and_word_it_in_each_copys_language(
    troubled: Account,
) -> None:
    compute_health(troubled, DAY)
    data = report_health(troubled, DAY - timedelta(days=30), DAY)
    assert data is not None
    assert whys("en")["usage"] not in json.dumps(data)
    for language in ("de", "en"):
        with translation.override(language):
            text = worded(data)
        assert {p["why"] for p in text["parts"]} == {
            whys(language)["usage"],
            whys(language)["renewal"],
        }
        assert {d["why"] for d in text["drags"]} == {
            whys(language)["usage"],
            whys(language)["renewal"],
        }


# The stored texts underneath (portal.i18n) ---------------------------------------------------


def test_a_counted_message_picks_its_form_in_the_readers_language() -> None:
    text = stored_text(
        ngettext_lazy("Renewal in %(days)s day", "Renewal in %(days)s days", "days"),
        days=stored_number(1),
    )
    counted = StoredText.from_json(text.as_json())
    assert (counted, counted.plural, counted.number) == (
        "Renewal in 1 day",
        "Renewal in %(days)s days",
        "days",
    )
    given = stored_text(ngettext_lazy("%(n)s day", "%(n)s days", 3), n="3")  # a count given
    assert given == "3 days" and StoredText.from_json(given.as_json()).number == 3
    with translation.override("de"):
        assert counted.translated() == ngettext(
            "Renewal in %(days)s day", "Renewal in %(days)s days", 1
        ) % {"days": "1"}


def test_a_stored_text_that_cannot_be_read_is_left_out_never_a_failed_page() -> None:
    broken = {"message": USAGE, "params": {"share": {"number": "lots", "format": "percent"}}}
    assert read_stored(broken) == ""
    unknown = {"message": USAGE, "params": {"share": {"number": 4, "format": "roman"}}}
    assert read_stored(unknown) == ""
    assert read_stored(None) == "" and read_stored("as it was stored") == "as it was stored"


def test_a_run_keeps_a_counted_stored_text_whole_and_words_it_when_read() -> None:
    from playbooks.words import from_stored, words

    text = stored_text(gettext_noop("%(when)s with low usage"), when=renewal_text(30))
    said = from_stored(text)
    assert json.loads(json.dumps(said)) == said
    with translation.override("de"):
        assert words(said) == whys("de")["renewal"]
    assert words(from_stored(stored_text(gettext_noop("none overdue")))) == "none overdue"


def renewal_text(days: int) -> StoredText:
    return stored_text(
        ngettext_lazy("Renewal in %(days)s day", "Renewal in %(days)s days", "days"),
        days=stored_number(days),
    )
