"""One formatting helper per kind of value (portal.formatting) and its template filters."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from accounts.templatetags.portal import noun
from portal import formatting


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(1234.5, 0, "1,235"), (D("0.5"), 0, "1"), (D("2.5"), 0, "3"), (D("1234.56"), 1, "1,234.6")],
)
def test_numbers_round_half_up_with_thousands(value: D, places: int, text: str) -> None:
    assert formatting.number(value, places) == text


def test_trimmed_numbers_drop_trailing_zeros() -> None:
    assert formatting.number(D("12.50"), 2, trim=True) == "12.5"
    assert formatting.number(D("12.00"), 2, trim=True) == "12"
    assert formatting.number(D("1234.125"), 2, trim=True) == "1,234.13"


def test_percent_and_rate_print_the_same_share() -> None:
    assert formatting.percent(D("98.5"), 1) == formatting.rate(D("0.985"), 1) == "98.5%"
    assert formatting.percent(D("42.5")) == "43%"


def test_signed_figures_always_carry_their_sign() -> None:
    assert formatting.signed(D("33.33")) == "+33"
    assert formatting.signed(D("-12.5")) == "\u221213"
    assert formatting.signed(0) == "0"
    assert formatting.signed(D("0.4")) == "0"


def test_money_carries_the_currency(settings: object) -> None:
    assert formatting.money(D("198000")) == "€198,000"
    assert formatting.money(D("166.666"), 2) == "€166.67"
    assert formatting.money(D("10"), currency="USD") == "$10"


def test_no_data_stays_none_everywhere() -> None:
    for helper in (
        formatting.number,
        formatting.percent,
        formatting.rate,
        formatting.signed,
        formatting.money,
    ):
        assert helper(None) is None


def test_the_filters_print_what_the_helpers_print() -> None:
    template = Template(
        "{% load figures %}{{ n|number }}|{{ k|decimal }}|{{ p|percent }}|{{ r|rate:1 }}|"
        "{{ s|signed }}|{{ m|money }}|{{ none|signed|default:'no data' }}"
    )
    text = template.render(
        Context(
            {
                "n": 2600,
                "k": D("12.50"),
                "p": 50,
                "r": D("0.985"),
                "s": D("33.3"),
                "m": D("1500"),
                "none": None,
            }
        )
    )
    assert text == "2,600|12.5|50%|98.5%|+33|€1,500|no data"


@pytest.mark.parametrize(
    ("language", "label", "in_a_sentence"),
    [
        ("en", "Success plan", "success plan"),
        ("fr", "Plan de succès", "plan de succès"),
        ("es", "Plan de éxito", "plan de éxito"),
        ("de", "Erfolgsplan", "Erfolgsplan"),  # a German noun keeps its capital
        ("de-at", "Schulung", "Schulung"),
    ],
)
def test_a_noun_label_inside_a_sentence_is_lowered_except_in_german(
    language: str, label: str, in_a_sentence: str
) -> None:
    with translation.override(language):
        assert noun(label) == in_a_sentence
