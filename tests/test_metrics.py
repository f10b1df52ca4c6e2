"""/metrics (Prometheus) and the request log: off by default, behind a token, and what they say."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.test import Client
from prometheus_client import REGISTRY
from pythonjsonlogger.json import JsonFormatter

from portal.models import Job
from tests.celery_helpers import CLOSED_PORT_URL, REDIS_URL
from tests.conftest import World, client_for

TOKEN = "s3cret-scrape-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def enabled(settings: Any) -> Any:
    settings.METRICS_ENABLED = True
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    return settings


def requests_total(view: str, status: str, method: str = "GET") -> float:
    labels = {"view": view, "method": method, "status": status}
    return REGISTRY.get_sample_value("portal_http_requests_total", labels) or 0.0


def samples(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, for every sample line of an exposition."""
    lines = (line.rpartition(" ") for line in text.splitlines() if not line.startswith("#"))
    return {key: float(value) for key, _, value in lines if key}


def test_off_by_default_it_is_not_there_and_counts_nothing(db: None, settings: Any) -> None:
    assert settings.METRICS_ENABLED is False
    before = requests_total("healthz", "200")
    client = Client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics", headers=AUTH).status_code == 404
    assert requests_total("healthz", "200") == before  # the middleware is not even loaded


def test_a_token_is_needed_and_must_be_right(db: None, enabled: Any) -> None:
    client = Client()
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert b"portal_http_requests_total" not in missing.content


def test_only_from_an_allowed_network(db: None, enabled: Any) -> None:
    enabled.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    client = Client()
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", headers=AUTH).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers=AUTH).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="fd00::1", headers=AUTH).status_code == 200


def test_requests_are_counted_by_view_name_and_status(world: World, enabled: Any) -> None:
    before = requests_total("account_home", "200")
    client = client_for(world.champion)  # made after the setting: its middleware sees it on
    assert client.get(f"/a/{world.account.slug}/").status_code == 200
    assert client.get("/no/such/page/").status_code == 404
    assert requests_total("account_home", "200") == before + 1

    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    found = samples(response.content.decode())
    key = 'portal_http_requests_total{method="GET",status="200",view="account_home"}'
    assert found[key] == before + 1
    assert found['portal_http_requests_total{method="GET",status="404",view="unresolved"}'] >= 1
    assert 'portal_http_request_duration_seconds_count{view="account_home"}' in found
    assert not any("/a/acme" in k for k in found)  # never the path: bounded labels


def test_job_states_are_counted_at_scrape_time(db: None, enabled: Any) -> None:
    Job.objects.create(task="reports.render", status=Job.Status.QUEUED)
    Job.objects.create(task="reports.render", status=Job.Status.QUEUED)
    Job.objects.create(task="integrations.deliver", status=Job.Status.FAILED)
    found = samples(Client().get("/metrics", headers=AUTH).content.decode())
    assert found['portal_jobs{status="queued"}'] == 2
    assert found['portal_jobs{status="failed"}'] == 1
    assert found['portal_jobs{status="running"}'] == 0
    assert found['portal_pdf_renders{status="ready"}'] == 0
    assert found['portal_webhook_deliveries{status="pending"}'] == 0


@pytest.fixture
def redis_queue() -> Iterator[redis.Redis]:
    if not REDIS_URL:
        pytest.skip("TEST_CELERY_BROKER_URL is not set")
    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery")
    yield client
    client.delete("celery")
    client.close()


def test_the_queue_length_comes_from_redis(
    db: None, enabled: Any, redis_queue: redis.Redis
) -> None:
    enabled.CELERY_BROKER_URL = REDIS_URL
    redis_queue.rpush("celery", "one", "two", "three")
    found = samples(Client().get("/metrics", headers=AUTH).content.decode())
    assert found['portal_queue_length{queue="celery"}'] == 3

    enabled.CELERY_BROKER_URL = CLOSED_PORT_URL  # a broker that is down: left out, no error
    response = Client().get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert b"portal_queue_length" not in response.content
    assert b"portal_jobs" in response.content


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("portal.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_is_one_json_line_with_its_id(world: World, json_lines: io.StringIO) -> None:
    client = client_for(world.champion)
    rid = "edge-7f3a9c21-req"
    response = client.get(f"/a/{world.account.slug}/", HTTP_X_REQUEST_ID=rid)
    assert response.status_code == 200
    assert response["X-Request-ID"] == rid
    [line] = json_lines.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["name"] == "portal.request"
    assert entry["request_id"] == rid
    assert entry["method"] == "GET"
    assert entry["path"] == f"/a/{world.account.slug}/"
    assert entry["view"] == "account_home"
    assert entry["status"] == 200
    assert entry["user_id"] == world.champion.pk
    assert entry["account"] == world.account.slug
    assert isinstance(entry["duration_ms"], float)


def test_an_unsafe_request_id_is_replaced(db: None, json_lines: io.StringIO) -> None:
    response = Client().get("/healthz", HTTP_X_REQUEST_ID='bad"id\\with spaces and quotes')
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and rid.isalnum()
    entry = json.loads(json_lines.getvalue().splitlines()[-1])
    assert entry["request_id"] == rid
    assert entry["user_id"] is None and entry["account"] is None


def production_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "portal.example",
        **extra,
    }


def test_production_refuses_metrics_without_a_token() -> None:
    code = "import portal.settings as s; print(s.LOGGING['handlers']['console']['formatter'])"
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=production_env(METRICS_ENABLED="true"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "METRICS_TOKEN must be set" in run.stderr
    run = subprocess.run(
        [sys.executable, "-c", code],
        env=production_env(METRICS_ENABLED="true", METRICS_TOKEN=TOKEN),
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == "json"  # and production logs are JSON lines


def test_the_first_look_prints_readable_lines_without_static_files(
    db: None, settings: Any, caplog: Any
) -> None:
    settings.DEBUG = True
    caplog.set_level(logging.INFO, logger="portal.request")
    client = Client()  # made after the setting: its middleware reads it
    client.get("/static/portal.css")
    client.get("/healthz")
    [record] = [r for r in caplog.records if r.name == "portal.request"]
    assert record.getMessage().startswith("GET /healthz 200 ")
    assert "view=healthz user=- account=- id=" in record.getMessage()
