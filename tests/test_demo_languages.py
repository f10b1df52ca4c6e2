"""The demo reads in each reader's language: its reviews keep their default title (read in the
reader's language, Review.title_text), its surveys ask their questions in German, French and
Spanish (the built-in questions, or versions written for the survey)."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from reports.models import DEFAULT_TITLE, Review
from surveys.demo import DEMO_SURVEY
from surveys.models import DEFAULT_FOLLOW_UP, DEFAULT_QUESTIONS, Kind, Survey

LANGUAGES = ("de", "fr", "es")


def test_the_demo_reads_in_each_readers_language(db: None) -> None:
    call_command("load_demo", stdout=io.StringIO())

    reviews = list(Review.objects.filter(account__slug="acme"))
    assert len(reviews) == 2
    for review in reviews:
        start = review.period_start
        values = {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
        assert review.title == DEFAULT_TITLE % values
        for language in LANGUAGES:
            with translation.override(language):
                translated = translation.gettext(DEFAULT_TITLE) % values
                assert translated != review.title  # the catalogue has it
                assert review.title_text == translated

    surveys = list(Survey.objects.filter(created_by__email="morgan@northwind.example"))
    assert {survey.name for survey in surveys} == {DEMO_SURVEY, "Onboarding CSAT"}
    for survey in surveys:
        english = survey.text_for("en")
        for language in LANGUAGES:
            text = survey.text_for(language)
            assert text.question != english.question, (survey.name, language)
            assert text.follow_up_question != english.follow_up_question, (survey.name, language)
    nps = next(survey for survey in surveys if survey.kind == Kind.NPS)
    with translation.override("fr"):
        assert nps.text_for("fr").question == translation.gettext(
            DEFAULT_QUESTIONS[Kind.NPS]
        ).format(vendor=settings.VENDOR_NAME)
        assert nps.text_for("fr").follow_up_question == translation.gettext(DEFAULT_FOLLOW_UP)
    csat = next(survey for survey in surveys if survey.kind == Kind.CSAT)
    assert set(csat.translations) == set(LANGUAGES)
    assert csat.text_for("de").question == "Wie zufrieden sind Sie mit Ihrem Onboarding?"
