"""Several machines on one: two web processes and two Celery workers that share only
PostgreSQL, Redis (broker and cache) and S3-compatible object storage, and what must hold
across them.

Run ``python bench/cluster.py`` with ``DATABASE_URL`` pointing at a PostgreSQL server (the run
makes a throwaway database there and drops it at the end) and ``CELERY_BROKER_URL`` (or
``TEST_CELERY_BROKER_URL``) at Redis; ``CACHE_URL`` defaults to the broker's Redis. Object
storage is moto's S3 server, started here on loopback with a private bucket. Every process
runs with production settings (``DEBUG=false``, gunicorn, ``celery worker``), a
``MEDIA_ROOT`` of its own (which must stay empty: files go to the bucket) and nothing else in
common but those three servers. Then:

1. a session made by logging in on web 1 is valid on web 2;
2. a review PDF is asked for on web 1 (the CSM publishes the review), rendered by whichever
   worker takes the job, seen ready on web 2's archive page and downloaded there by the
   executive, streamed (web 2 runs ``STORAGE_DOWNLOADS=stream``); web 1 (``presigned``) answers
   the same download with a signed URL that fetches the same bytes; a person of another
   account gets a 404 from both;
3. the ``join_request`` rate limit (3 an hour for an address) counts the requests made on both
   web processes together, through the shared cache.

Human-readable lines first; the last line of stdout is one JSON object with what was checked
and the timings. Exit status 0 when every check held. ``tests/test_cluster.py`` runs the same
code (``run``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WEB_WORKERS = 1  # gunicorn sync workers per web process: four processes share 2 cores here
WORKERS = ("worker1", "worker2")
PASSWORD = "cluster-bench-password-7f3a"  # throwaway people in a throwaway database
BUCKET = "portal-cluster"
REGION = "eu-west-1"
S3_KEY, S3_SECRET = "cluster", "cluster-secret"
# What the environment of every process keeps from the caller's; the rest is set here.
KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE")
# The client address the load balancer would append to X-Forwarded-For: one per run, so that a
# run's per-address rate limits start afresh in a cache that earlier runs used.
CLIENT_ADDRESS = (
    f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
)

SEED = """
import json, django
django.setup()
from allauth.account.models import EmailAddress
from accounts.models import Account, Membership, User

def person(email, **fields):
    user = User.objects.create_user(email=email, password=PASSWORD, name=email.split("@")[0],
                                    **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user

csm = person("csm@vendor.example", vendor_role="csm")
acme = Account.objects.create(name="Acme", slug="acme", owner=csm)
bluth = Account.objects.create(name="Bluth", slug="bluth", owner=csm)
Membership.objects.create(user=person("exec@acme.example"), account=acme, role="executive")
Membership.objects.create(user=person("champ@bluth.example"), account=bluth, role="champion")
print(json.dumps({"accounts": Account.objects.count(), "people": User.objects.count()}))
"""


class ClusterError(Exception):
    """The bench could not set the cluster up (as opposed to a check failing)."""


def say(line: str = "") -> None:
    print(line, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_until(
    what: str, ready: Callable[[], bool], seconds: float, log: Path | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise ClusterError(
                f"{what} within {seconds:.0f} s" + (f":\n{tail(log)}" if log else "")
            )
        time.sleep(0.1)


# --- The shared servers -------------------------------------------------------------------


@contextmanager
def throwaway_database(server_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server ``server_url`` names; dropped after."""
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ClusterError("DATABASE_URL must point at PostgreSQL (postgres://...)")
    name = f"portal_cluster_{secrets.token_hex(4)}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class ObjectStorage:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        )

    @property
    def storage_url(self) -> str:
        return (
            f"s3://{S3_KEY}:{S3_SECRET}@{BUCKET}?endpoint_url={self.endpoint}"
            f"&region={REGION}&addressing_style=path"
        )

    def listed(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return bytes(self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read())


@contextmanager
def object_storage() -> Iterator[ObjectStorage]:
    """moto's S3 server on a free loopback port, with one private bucket."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    try:
        storage = ObjectStorage(endpoint=f"http://{HOST}:{port}")
        storage.client().create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}, ACL="private"
        )
        yield storage
    finally:
        server.stop()


def purge_queue(broker_url: str) -> None:
    """Nothing left in the broker's default queue from another run."""
    from kombu import Connection

    with Connection(broker_url, connect_timeout=3) as conn:
        conn.default_channel.queue_purge("celery")


# --- The processes ------------------------------------------------------------------------


def base_environment(
    *, var_dir: Path, database_url: str, broker_url: str, cache_url: str, storage_url: str
) -> dict[str, str]:
    """Production settings, the same for every process but MEDIA_ROOT (set per process)."""
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.cluster_settings",
            "PYTHONPATH": str(ROOT),
            "PORTAL_VAR_DIR": str(var_dir),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}",
            "SECURE_SSL_REDIRECT": "false",
            "PORTAL_STAFF_MFA_REQUIRED": "false",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker_url,
            "CACHE_URL": cache_url,
            "STORAGE_URL": storage_url,
            # As behind a load balancer: the client's address is the one it appends.
            "TRUSTED_PROXY_COUNT": "1",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    run = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if run.returncode != 0:
        raise ClusterError(f"{' '.join(args)} failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}")
    return run.stdout


@dataclass
class Process:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int | None = None


def start_process(name: str, command: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Process(name=name, process=process, log=log)


def stop(processes: list[Process]) -> None:
    """All asked to stop at once (gunicorn and Celery finish their work first), then waited for;
    whatever is still running after 15 s is killed with its children."""
    for proc in processes:
        if proc.process.poll() is None:
            proc.process.terminate()
    deadline = time.monotonic() + 15
    for proc in processes:
        try:
            proc.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.process.pid, signal.SIGKILL)  # its own session: it and its children
            proc.process.wait()


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def gunicorn_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={WEB_WORKERS}",
        "--worker-class=sync",
        "--graceful-timeout=5",
        "--log-level=warning",
        "--no-control-socket",
    ]


def worker_command(name: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        f"--hostname={name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _alive(proc: Process) -> bool:
    if proc.process.poll() is not None:
        raise ClusterError(f"{proc.name} exited with {proc.process.returncode}:\n{tail(proc.log)}")
    return True


def wait_ready(processes: list[Process]) -> None:
    """Every web process answers /healthz, every worker has said it is ready."""
    for proc in processes:
        if proc.port is not None:
            port = proc.port
            ready = lambda: _alive(proc) and healthy(port)  # noqa: E731, B023 (waited for here)
        else:
            ready = lambda: _alive(proc) and " ready." in tail(proc.log, 200)  # noqa: E731, B023
        wait_until(f"{proc.name} was not ready", ready, 90, proc.log)


# --- A browser, enough of one ---------------------------------------------------------------


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Browser:
    """Keeps its cookies itself: production cookies are ``Secure``, and this is plain HTTP on
    loopback (a proxy would terminate TLS in front of gunicorn, and add X-Forwarded-For)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, port: int, path: str, data: dict[str, str] | None = None
    ) -> requests.Response:
        headers = {"X-Forwarded-For": CLIENT_ADDRESS}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(
            method,
            f"http://{HOST}:{port}{path}",
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response

    def get(self, port: int, path: str) -> requests.Response:
        return self.request("GET", port, path)

    def post(self, port: int, path: str, data: dict[str, str], form_page: str) -> requests.Response:
        """POST the way a browser sends a form: the token from the page that shows it."""
        page = self.get(port, form_page)
        token = CSRF_FIELD.search(page.text)
        if token is None:
            raise ClusterError(f"no CSRF token on {form_page} ({page.status_code})")
        return self.request("POST", port, path, {**data, "csrfmiddlewaretoken": token.group(1)})

    def log_in(self, port: int, email: str) -> requests.Response:
        return self.post(
            port, "/auth/login/", {"login": email, "password": PASSWORD}, form_page="/auth/login/"
        )


# --- The run --------------------------------------------------------------------------------


@dataclass
class Outcome:
    checks: dict[str, bool] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def check(self, name: str, held: bool, detail: Any = None) -> None:
        self.checks[name] = bool(held)
        if detail is not None:
            self.details[name] = detail
        say(
            f"  {'ok  ' if held else 'FAIL'} {name}" + (f": {detail}" if detail is not None else "")
        )

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(self.checks.values())


def run(
    *, database_url: str, broker_url: str, cache_url: str, migrated: bool = False
) -> dict[str, Any]:
    """Start the cluster, check what must hold across it, stop it; the figures as a dict.

    ``database_url`` names a PostgreSQL server, on which a throwaway database is made and
    migrated; with ``migrated``, it names a database that is migrated and empty already (the
    test suite's) and is used as it is."""
    outcome = Outcome()
    started_at = time.perf_counter()
    with ExitStack() as stack:
        var_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cluster-")))
        if not migrated:
            database_url = stack.enter_context(throwaway_database(database_url))
        storage = stack.enter_context(object_storage())
        purge_queue(broker_url)
        env = base_environment(
            var_dir=var_dir,
            database_url=database_url,
            broker_url=broker_url,
            cache_url=cache_url,
            storage_url=storage.storage_url,
        )
        say(
            f"Database {urllib.parse.urlsplit(database_url).path[1:]}, moto S3 at {storage.endpoint}"
        )
        if not migrated:
            clock = time.perf_counter()
            manage(env, "manage.py", "migrate", "--noinput", "-v", "0")
            outcome.timings["migrate_s"] = time.perf_counter() - clock
        clock = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:  # two processes of their own, side by side
            static = pool.submit(manage, env, "manage.py", "collectstatic", "--noinput", "-v", "0")
            seed = pool.submit(manage, env, "-c", SEED.replace("PASSWORD", repr(PASSWORD)))
            static.result()
            outcome.details["seeded"] = json.loads(seed.result().splitlines()[-1])
        outcome.timings["collectstatic_and_seed_s"] = time.perf_counter() - clock

        processes: list[Process] = []
        stack.callback(lambda: timed("stop_s", lambda: stop(processes)))

        def timed(name: str, step: Callable[[], None]) -> None:
            clock = time.perf_counter()
            step()
            outcome.timings[name] = time.perf_counter() - clock

        def start(name: str, command: list[str], **own: str) -> Process:
            # A MEDIA_ROOT of its own, as on a machine of its own: it must stay empty.
            own_env = env | {"MEDIA_ROOT": str(var_dir / f"media-{name}"), **own}
            processes.append(start_process(name, command, own_env, var_dir / f"{name}.log"))
            return processes[-1]

        clock = time.perf_counter()
        port1, port2 = free_port(), free_port()
        web1 = start("web1", gunicorn_command(port1), STORAGE_DOWNLOADS="presigned")
        web2 = start("web2", gunicorn_command(port2), STORAGE_DOWNLOADS="stream")
        web1.port, web2.port = port1, port2
        workers = [start(name, worker_command(name), LOG_LEVEL="INFO") for name in WORKERS]
        wait_ready([web1, web2, *workers])  # started together, as machines would be
        outcome.timings["start_s"] = time.perf_counter() - clock
        say(
            f"web1 on :{port1} (presigned downloads), web2 on :{port2} (streamed), {len(workers)} workers"
        )
        timed("check_sessions_s", lambda: check_sessions(outcome, port1, port2))
        timed("check_pdf_s", lambda: check_pdf(outcome, storage, port1, port2, workers))
        timed("check_rate_limit_s", lambda: check_rate_limit(outcome, port1, port2))
        on_disk = [str(p) for p in var_dir.glob("media-*/**/*") if p.is_file()]
        outcome.check("no file on any process's local disk", not on_disk, on_disk or None)
        outcome.details["bucket"] = storage.listed()
    outcome.timings["total_s"] = time.perf_counter() - started_at
    return {
        "bench": "cluster",
        "ok": outcome.ok,
        "processes": {"web": 2, "gunicorn_workers_each": WEB_WORKERS, "celery_workers": 2},
        "shared": ["postgresql", "redis broker", "redis cache", "s3 (moto server)"],
        "checks": outcome.checks,
        "details": outcome.details,
        "timings": {k: round(v, 3) for k, v in outcome.timings.items()},
    }


def check_sessions(outcome: Outcome, port1: int, port2: int) -> None:
    say("Sessions")
    browser = Browser()
    logged_in = browser.log_in(port1, "exec@acme.example")
    outcome.check("log-in on web1", logged_in.status_code == 302 and "sessionid" in browser.cookies)
    page = browser.get(port2, "/a/acme/")
    outcome.check(
        "web1's session is valid on web2",
        page.status_code == 200 and "Acme" in page.text,
        page.status_code,
    )
    stranger = Browser().get(port2, "/a/acme/")
    outcome.check(
        "without it web2 asks to log in",
        stranger.status_code == 302 and "/auth/login/" in stranger.headers.get("Location", ""),
    )


REPORT_LINK = re.compile(r"/a/acme/reports/(\d+)/download/")


def check_pdf(
    outcome: Outcome, storage: ObjectStorage, port1: int, port2: int, workers: list[Process]
) -> None:
    say("A review PDF")
    csm = Browser()
    csm.log_in(port1, "csm@vendor.example")
    created = csm.post(
        port1,
        "/a/acme/reviews/new/",
        {
            "title": "Q3 business review",
            "kind": "qbr",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "summary": "Strong quarter.",
        },
        form_page="/a/acme/reviews/new/",
    )
    review_path = created.headers.get("Location", "")
    outcome.check("review written on web1", created.status_code == 302, review_path)
    asked = time.perf_counter()
    published = csm.post(port1, f"{review_path}publish/", {"publish": "1"}, form_page=review_path)
    outcome.check("PDF asked for on web1", published.status_code == 302)

    executive = Browser()
    executive.log_in(port1, "exec@acme.example")
    found: list[str] = []

    def ready_on_web2() -> bool:
        found[:] = REPORT_LINK.findall(executive.get(port2, "/a/acme/reports/").text)
        return bool(found)

    wait_until("the PDF was not ready on web2", ready_on_web2, 60)
    outcome.timings["pdf_asked_to_ready_s"] = time.perf_counter() - asked
    report_id = found[0]
    rendered_by = [w.name for w in workers if "reports.render_report[" in w.log.read_text()]
    outcome.check("rendered by one of the workers", len(rendered_by) == 1, rendered_by)
    keys = [k for k in storage.listed() if k.startswith("reports/")]
    outcome.check("the PDF is in the bucket", len(keys) == 1, keys)
    in_bucket = storage.read(keys[0]) if keys else b""

    clock = time.perf_counter()
    streamed = executive.get(port2, f"/a/acme/reports/{report_id}/download/")
    outcome.timings["download_streamed_web2_ms"] = (time.perf_counter() - clock) * 1000
    outcome.check(
        "downloaded from web2, streamed, the bucket's bytes",
        streamed.status_code == 200
        and streamed.content.startswith(b"%PDF")
        and streamed.content == in_bucket,
        {"status": streamed.status_code, "bytes": len(streamed.content)},
    )
    clock = time.perf_counter()
    redirect = executive.get(port1, f"/a/acme/reports/{report_id}/download/")
    location = redirect.headers.get("Location", "")
    signed = requests.get(location, timeout=30) if location.startswith("http") else None
    outcome.timings["download_presigned_web1_ms"] = (time.perf_counter() - clock) * 1000
    expires = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("X-Amz-Expires")
    outcome.check(
        "web1 answers with a signed URL of 60 s that fetches the same bytes",
        redirect.status_code == 302
        and expires == ["60"]
        and signed is not None
        and signed.content == in_bucket,
    )
    outsider = Browser()
    outsider.log_in(port2, "champ@bluth.example")
    refused = [
        outsider.get(port, f"/a/acme/reports/{report_id}/download/") for port in (port1, port2)
    ]
    outcome.check(
        "another account's person gets a 404 and no URL on both",
        all(r.status_code == 404 and "Location" not in r.headers for r in refused),
        [r.status_code for r in refused],
    )


def check_rate_limit(outcome: Outcome, port1: int, port2: int) -> None:
    """``join_request``: 3 an hour for one address; two on web1, then web2 allows one more."""
    say("A rate limit across both")
    email = f"asker-{secrets.token_hex(3)}@newco.example"
    browser = Browser()
    statuses = []
    for port in (port1, port1, port2, port2, port1):
        answer = browser.post(
            port, "/join/", {"email": email, "name": "Asker", "message": ""}, form_page="/join/"
        )
        statuses.append(answer.status_code)
    outcome.check(
        "join_request: 3 an hour for an address, counted across web1 and web2",
        statuses == [303, 303, 303, 429, 429],
        statuses,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("CELERY_BROKER_URL") or os.environ.get("TEST_CELERY_BROKER_URL", ""),
    )
    parser.add_argument("--cache-url", default=os.environ.get("CACHE_URL", ""))
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("DATABASE_URL (or --database-url) must point at PostgreSQL")
    if not args.broker_url.startswith("redis://"):
        parser.error("CELERY_BROKER_URL (or --broker-url) must point at Redis")
    try:
        result = run(
            database_url=args.database_url,
            broker_url=args.broker_url,
            cache_url=args.cache_url or args.broker_url,
        )
    except ClusterError as error:
        say(f"The cluster could not be set up: {error}")
        result = {"bench": "cluster", "ok": False, "error": str(error)}
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
