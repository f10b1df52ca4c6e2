"""Junk in every query and form parameter the survey views read: never a 5xx. An id or a number
that is junk ("abc", "-1", "1e9") is a 404 or a 422, and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.survey_helpers import SURVEY_NOW, make_survey_world, survey_db_state

JUNK = ["abc", "-1", "1e9", ""]


@dataclass(frozen=True)
class Param:
    """One parameter a survey view reads, sent by ``persona`` to the URL named ``view``."""

    view: str
    method: str
    name: str
    persona: str = "csm"
    number: bool = False  # an id or a number: junk in it is a 404 or a 422
    # The other fields of a request that would otherwise succeed.
    base: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.view} {self.name}"


CAMPAIGN = {"name": "Junk", "audience": "all", "roles": ["champion"], "schedule": "now"}
FOLLOW_UP = {"status": "contacted", "notes": "", "customer_note": ""}
FILTERS = ["campaign", "account", "segment", "kind", "period", "interval", "band"]
NUMBERS = {"campaign", "account", "period"}

PARAMS = [
    *(Param("survey_results", "get", name, number=name in NUMBERS) for name in FILTERS),
    Param("survey_results", "get", "page", number=True),
    *(Param("survey_results_export", "get", name, number=name in NUMBERS) for name in FILTERS),
    Param("survey_follow_ups", "get", "show"),
    Param("survey_follow_ups", "get", "page", number=True),
    Param("survey_campaign_create", "get", "survey", number=True),
    Param("survey_email_comment", "get", "saved", persona="anonymous"),
    *(
        Param("survey_create", "post", name, base={"name": "N", "kind": "nps", "question": "Q?"})
        for name in ("name", "kind", "question", "follow_up_question")
    ),
    Param("survey_edit", "post", "kind", base={"name": "N", "question": "Q?"}),
    Param("survey_campaign_create", "post", "survey", number=True, base=CAMPAIGN),
    *(
        Param("survey_campaign_create", "post", name, base={**CAMPAIGN, "survey": "@survey"})
        for name in ("name", "audience", "roles", "schedule", "ends_at")
    ),
    Param(
        "survey_campaign_create",
        "post",
        "accounts",
        number=True,
        base={**CAMPAIGN, "survey": "@survey", "audience": "accounts"},
    ),
    *(
        Param("survey_campaign_create", "post", name, base={**CAMPAIGN, "survey": "@survey", **b})
        for name, b in [
            ("segment", {"audience": "segment"}),
            ("stage", {"audience": "stage"}),
            ("starts_at", {"schedule": "at"}),
            ("trigger", {"schedule": "trigger"}),
        ]
    ),
    Param(
        "survey_campaign_create",
        "post",
        "repeat_days",
        number=True,
        base={**CAMPAIGN, "survey": "@survey", "schedule": "every"},
    ),
    *(Param("survey_follow_up", "post", name, base=FOLLOW_UP) for name in FOLLOW_UP),
    Param("survey_pause", "post", "reason"),
    Param("survey_pause", "post", "until", number=True),
    Param("survey_answer", "post", "score", persona="member", number=True),  # not answered yet
    Param("survey_comment", "post", "comment", persona="executive"),
    Param("survey_email_answer", "post", "score", persona="anonymous", number=True),
    Param("survey_email_comment", "post", "comment", persona="anonymous"),
]


def url_for(param: Param, s: dict[str, Any], world: World) -> str:
    args: dict[str, list[Any]] = {
        "survey_edit": [s["survey"].pk],
        "survey_follow_up": [s["follow_up"].pk],
        "survey_pause": [world.account.slug],
        "survey_answer": [world.account.slug, s["member_delivery"].pk],
        "survey_comment": [world.account.slug, s["executive_delivery"].pk],
        "survey_email_answer": [s["answer_token"]],
        "survey_email_comment": [s["comment_token"]],
    }
    return reverse(param.view, args=args.get(param.view, []))


@pytest.fixture
def surveys(world: World, time_machine: Any) -> dict[str, Any]:
    time_machine.move_to(SURVEY_NOW, tick=False)
    return make_survey_world(world)


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("param", PARAMS, ids=str)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_junk_is_never_a_5xx(
    param: Param, junk: str, htmx: bool, world: World, surveys: dict[str, Any]
) -> None:
    client = client_for(world.persona(param.persona))
    data = {k: surveys["survey"].pk if v == "@survey" else v for k, v in param.base.items()}
    data[param.name] = junk
    before = survey_db_state()
    headers = {"HX-Request": "true"} if htmx else {}
    response = getattr(client, param.method)(url_for(param, surveys, world), data, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (param, junk, response.status_code)
    if param.number and junk:
        assert response.status_code in (404, 422), (param, junk, response.status_code)
        assert survey_db_state() == before, (param, junk)


@pytest.mark.parametrize("junk", ["abc", "-1", "1e9", "0", "99999999999"])
@pytest.mark.parametrize(
    "path",
    [
        "/surveys/{}/edit/",
        "/surveys/{}/archive/",
        "/surveys/campaigns/{}/",
        "/surveys/campaigns/{}/send/",
        "/surveys/campaigns/{}/end/",
        "/surveys/follow-ups/{}/",
        "/a/acme/surveys/{}/answer/",
        "/a/acme/surveys/{}/comment/",
        "/a/acme/surveys/{}/dismiss/",
        "/a/acme/surveys/{}/snooze/",
    ],
)
def test_a_junk_id_in_the_path_is_a_404(
    path: str, junk: str, world: World, surveys: dict[str, Any]
) -> None:
    user = world.champion if path.startswith("/a/") else world.csm
    before = survey_db_state()
    for method in ("get", "post"):
        response = getattr(client_for(user), method)(path.format(junk))
        assert response.status_code in (404, 405), (method, path, junk, response.status_code)
    assert survey_db_state() == before


@pytest.mark.parametrize("junk", ["abc", "-1", "1e9", "", "x" * 300])
@pytest.mark.parametrize(
    "path", ["/surveys/answer/{}/", "/surveys/answer/{}/comment/", "/surveys/unsubscribe/{}/"]
)
def test_a_junk_token_is_a_4xx(path: str, junk: str, client: Any, surveys: dict[str, Any]) -> None:
    before = survey_db_state()
    for method in ("get", "post"):
        response = getattr(client, method)(path.format(junk), {"score": "9"})
        assert 400 <= response.status_code < 500, (method, path, junk, response.status_code)
    assert survey_db_state() == before
