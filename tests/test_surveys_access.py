"""The survey URLs as every persona, from the table in tests/survey_helpers.py (the same table
the access matrix takes): a forbidden request changes nothing, an allowed write does."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS, World, client_for
from tests.survey_helpers import (
    SURVEY_EXPECTED,
    SURVEY_NOW,
    L,
    make_survey_world,
    pause_for_matrix,
    survey_db_state,
    survey_url_args,
)


@pytest.fixture
def surveys(world: World, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(SURVEY_NOW, tick=False)
    return make_survey_world(world)


def url_and_data(name: str, s: dict[str, Any], slug: str) -> tuple[str, dict[str, Any]]:
    args, data = survey_url_args(s, slug).get(name, ([], {}))
    return reverse(name, args=args), data


def check(response: Any, expected: Any, url: str) -> None:
    if response.streaming:
        b"".join(response.streaming_content)
    if expected == L:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (url, response.status_code, expected)


@pytest.mark.parametrize("persona_index,persona", list(enumerate(PERSONAS)))
@pytest.mark.parametrize("name", sorted(SURVEY_EXPECTED))
def test_get(
    name: str, persona_index: int, persona: str, world: World, surveys: dict[str, Any]
) -> None:
    url, _ = url_and_data(name, surveys, world.account.slug)
    before = survey_db_state()
    response = client_for(world.persona(persona)).get(url)
    check(response, SURVEY_EXPECTED[name][0][persona_index], url)
    assert survey_db_state() == before, f"GET {url} changed data"


POST_NAMES = sorted(n for n, (_, post) in SURVEY_EXPECTED.items() if post is not None)


@pytest.mark.parametrize("persona_index,persona", list(enumerate(PERSONAS)))
@pytest.mark.parametrize("name", POST_NAMES)
def test_post(
    name: str, persona_index: int, persona: str, world: World, surveys: dict[str, Any]
) -> None:
    if name == "survey_resume":
        pause_for_matrix(surveys)
    url, data = url_and_data(name, surveys, world.account.slug)
    post_expected = SURVEY_EXPECTED[name][1]
    assert post_expected is not None  # POST_NAMES are the names with a POST row
    expected = post_expected[persona_index]
    before = survey_db_state()
    response = client_for(world.persona(persona)).post(url, data)
    check(response, expected, url)
    if expected != 302:
        assert survey_db_state() == before, f"a forbidden POST to {url} as {persona} changed data"
    else:
        assert survey_db_state() != before, f"an allowed POST to {url} as {persona} changed nothing"


def test_every_survey_url_is_in_the_table() -> None:
    from tests.test_access_matrix import ALL_PATTERNS

    survey_names = {
        name for route, name, _ in ALL_PATTERNS if "surveys/" in route or name == "surveys"
    }
    # The exit survey's answer page is decided with offboarding's pages (its delivery is an
    # offboarding's): tests/offboarding_factories.py.
    from tests.offboarding_factories import OFFBOARDING_EXPECTED

    assert survey_names - set(OFFBOARDING_EXPECTED) == set(SURVEY_EXPECTED)
    assert "survey_exit_answer" in OFFBOARDING_EXPECTED
