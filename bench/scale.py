"""The CSM's and the customer's pages at 10,000 accounts: queries, median and p95 latency.

Run ``DATABASE_URL=postgres://USER@HOST:5432/ANY python bench/scale.py`` (with the project's
venv; the database the URL names is not opened, only the server). It

1. builds the large data (``bench/largedata.py``) in the database :data:`LARGE_DB` on that
   server, or finds it built already (``--rebuild`` builds it again, ``--scale 0.01`` a
   hundredth of it), and migrates it first (so new indexes are made);
2. counts the SQL queries of every page in :data:`PAGES`, twice, each time in a child process
   with Django's test client (the second request of a logged-in person, as ``bench/pages.py``
   does): on a fresh database with the demo data only (:data:`DEMO_DB`, made anew each run)
   and on the large data. The counts must be equal. The large run also times each query: the
   slowest ones (with their page) are printed with PostgreSQL's
   ``EXPLAIN (ANALYZE, BUFFERS)``, the evidence to choose indexes from;
3. serves the portal with gunicorn under production settings (``DEBUG=false``, as
   ``bench/pages.py`` does) on the large data and asks for every page ``--requests`` times,
   one request at a time (after a few to warm up): the median and p95 of the response time are
   the figures. The aim: p95 under :data:`AIM_P95_MS` for every page.

Human-readable lines come first; the last line of stdout is one JSON object with the figures
per page and the data sizes (row counts, database size). The exit status is 1 when a page did
not answer 200 or the run failed (a missed aim is in the JSON, not in the status).
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.largedata import LARGE_DB, create_database, database_url  # noqa: E402
from bench.loadgen import run_in_var_dir  # noqa: E402
from bench.pages import (  # noqa: E402
    HOME,
    BenchError,
    bench_environment,
    gunicorn,
    landing_path,
    say,
    shape,
)

if TYPE_CHECKING:
    from django.test import Client

DEMO_DB = f"{LARGE_DB}_demo"
AIM_P95_MS = 250.0
SLOW_QUERY_MS = 20.0  # queries at least this slow are explained
EXPLAINED = 12  # at most this many distinct queries are explained
PAGE_BUDGET_S = 60.0  # a page slower than this gets fewer timed requests...
MIN_REQUESTS = 5  # ...but at least these


class Page(NamedTuple):
    name: str
    login: str  # the e-mail of the person viewing it (see load_demo)
    path: str


# The pages measured: the demo's people on the demo's account (acme), with everyone else's
# data around them.
PAGES: list[Page] = [
    Page("csm_book", "priya@northwind.example", "/book/"),
    Page("cs_admin_book", "morgan@northwind.example", "/book/"),
    Page("csm_portfolio", "priya@northwind.example", "/portfolio/"),
    Page("csm_onboardings", "priya@northwind.example", "/onboarding/"),
    Page("csm_plans", "priya@northwind.example", "/plans/"),
    Page("csm_account", "priya@northwind.example", "/a/acme/"),
    Page("champion_account", "dana@acme.example", HOME),
    Page("csm_360", "priya@northwind.example", "/a/acme/360/"),
]


# --- Query counts (in-process; the test suite calls these too) -----------------------------


def log_in(logins: list[str]) -> dict[str, Client]:
    """A logged-in test client for each person (its session in the current database)."""
    from django.test import Client

    from accounts.models import User

    clients = {}
    for email in dict.fromkeys(logins):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(email=email))
        clients[email] = client
    return clients


def timed_queries(client: Client, path: str) -> tuple[int, list[tuple[str, float]]]:
    """The status and the queries of one request for ``path`` (after a first one has warmed
    the caches), each with its time in milliseconds, measured around the driver's call."""
    from django.db import connection

    client.get(path)
    queries: list[tuple[str, float]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            cursor = context["cursor"]
            text = connection.ops.last_executed_query(cursor, sql, params) if not many else sql
            queries.append((text, elapsed))

    with connection.execute_wrapper(timer):
        response = client.get(path)
    return response.status_code, queries


def probe_pages(pages: list[Page]) -> dict[str, Any]:
    """For each page: its path, status, queries with their times; and each person's session
    cookie (for gunicorn: the sessions live in the database)."""
    from django.conf import settings

    clients = log_in([page.login for page in pages])
    results: dict[str, Any] = {}
    for page in pages:
        client = clients[page.login]
        try:
            path = landing_path(client, page.path)
            status, queries = timed_queries(client, path)
            results[page.name] = {"path": path, "status": status, "queries": queries}
        except Exception as error:  # a page that fails is reported, the others go on
            results[page.name] = {"path": page.path, "status": None, "error": repr(error)}
    cookie = settings.SESSION_COOKIE_NAME
    return {
        "pages": results,
        "cookies": {email: c.cookies[cookie].value for email, c in clients.items()},
        "cookie_name": cookie,
    }


def child_probe(url: str, out: Path, fresh_demo: bool) -> None:
    """The child process: Django on ``url`` (made anew with the demo data when
    ``fresh_demo``), probe every page, write the result as JSON to ``out``."""
    os.environ["DATABASE_URL"] = url
    import django
    from django.core.management import call_command

    django.setup()
    if fresh_demo:
        from io import StringIO

        call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
        call_command("load_demo", stdout=StringIO())
    out.write_text(json.dumps(probe_pages(PAGES)))


def run_probe(env: dict[str, str], url: str, var_dir: Path, *, fresh_demo: bool) -> dict[str, Any]:
    out = var_dir / f"probe-{urlsplit_name(url)}.json"
    command = [sys.executable, str(Path(__file__)), "--probe", url, "--probe-out", str(out)]
    if fresh_demo:
        command.append("--fresh-demo")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"the probe of {url} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return dict(json.loads(out.read_text()))


def urlsplit_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def recreate_database(url: str) -> None:
    """Drop the database ``url`` names (when it exists) and create it empty."""
    import psycopg

    name = urlsplit_name(url)
    maintenance = database_url(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    create_database(url)


# --- Latency -------------------------------------------------------------------------------


def latencies(
    port: int,
    path: str,
    headers: dict[str, str],
    requests: int,
    warmup: int,
    budget: float = PAGE_BUDGET_S,
) -> tuple[list[float], dict[str, int]]:
    """``requests`` GETs one after the other on a fresh connection each (gunicorn's sync
    workers close it anyway); each one's milliseconds, and the statuses. A page that takes
    more than ``budget`` seconds stops early, after at least MIN_REQUESTS timed ones."""
    times: list[float] = []
    statuses: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + budget
    for i in range(warmup + requests):
        if len(times) >= MIN_REQUESTS and time.monotonic() > deadline:
            break
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except OSError as error:
            status = type(error).__name__
        finally:
            conn.close()
        if i >= warmup:
            times.append((time.perf_counter() - started) * 1000)
            statuses[status] += 1
    return times, dict(statuses)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


# --- Slow queries --------------------------------------------------------------------------


def slow_queries(probe: dict[str, Any]) -> list[dict[str, Any]]:
    """The distinct queries (by shape) at least SLOW_QUERY_MS slow, slowest first."""
    found: dict[str, dict[str, Any]] = {}
    for name, page in probe["pages"].items():
        for sql, ms in page.get("queries", []):
            if ms < SLOW_QUERY_MS:
                continue
            key = shape(sql)
            if key not in found or found[key]["ms"] < ms:
                found[key] = {"page": name, "ms": round(ms, 1), "sql": sql}
    return sorted(found.values(), key=lambda q: -q["ms"])


def explain(sql: str) -> list[str]:
    """PostgreSQL's plan of ``sql`` as it runs (EXPLAIN ANALYZE runs it: reads only here)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


# --- The run -------------------------------------------------------------------------------


def run(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        raise BenchError("set DATABASE_URL to a PostgreSQL server: the large data needs one")
    large_url, demo_url = database_url(server, args.database), database_url(server, DEMO_DB)
    env = bench_environment(var_dir)
    env["DATABASE_URL"] = large_url
    os.environ.clear()
    os.environ.update(env)

    from bench import largedata

    started = time.monotonic()
    say(f"The large data in {args.database} (migrating it first)")
    largedata.open_database(large_url)
    from io import StringIO

    from django.core.management import call_command

    sizes = largedata.build(scale=args.scale, rebuild=args.rebuild)
    build_seconds = round(time.monotonic() - started, 1)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=StringIO())
    # In the builder's order (the marker stores them as jsonb, which orders keys its own way).
    rows = {label: sizes["rows"][label] for label in largedata.COUNTED if label in sizes["rows"]}
    say(
        "Sizes: "
        + ", ".join(f"{label.split('.')[1]} {count:,}" for label, count in rows.items())
        + f"; database {sizes.get('database_size')}"
    )

    say(f"\nCounting queries on a fresh demo database ({DEMO_DB}) and on the large data")
    recreate_database(demo_url)
    demo = run_probe(env | {"DATABASE_URL": demo_url}, demo_url, var_dir, fresh_demo=True)
    large = run_probe(env, large_url, var_dir, fresh_demo=False)

    pages: dict[str, Any] = {}
    for page in PAGES:
        d, g = demo["pages"][page.name], large["pages"][page.name]
        failures = [
            f"{where}: {r.get('error') or r['status']}"
            for where, r in (("demo", d), ("large", g))
            if r.get("status") != 200
        ]
        queries = g.get("queries", [])
        pages[page.name] = {
            "path": g["path"],
            "login": page.login,
            "queries_demo": len(d.get("queries", [])) if d.get("status") == 200 else None,
            "queries_large": len(queries) if g.get("status") == 200 else None,
            "sql_ms_large": round(sum(ms for _, ms in queries), 1),
            "slowest_query_ms": round(max((ms for _, ms in queries), default=0), 1),
            "slowest_queries": [
                {"ms": round(ms, 1), "sql": re.sub(r"\s+", " ", sql)[:200]}
                for sql, ms in sorted(queries, key=lambda q: -q[1])[:3]
            ],
            "failures": failures,
        }
        p = pages[page.name]
        p["queries_constant"] = (
            p["queries_large"] is not None and p["queries_demo"] == p["queries_large"]
        )
        say(
            f"  {page.name:<18} {g['path']:<16} demo {p['queries_demo']!s:>3}, large "
            f"{p['queries_large']!s:>3} queries ({p['sql_ms_large']:.0f} ms of SQL)"
            + ("" if p["queries_constant"] else "  CHANGED")
            + (f"  FAILED {failures}" if failures else "")
        )

    slow = slow_queries(large)
    say(f"\nQueries of {SLOW_QUERY_MS:g} ms or more on the large data: {len(slow)}")
    for query in slow[:EXPLAINED]:
        say(f"\n-- {query['page']}: {query['ms']} ms\n{query['sql'][:1500]}")
        if args.explain:
            try:
                for line in explain(query["sql"]):
                    say(f"   {line}")
            except Exception as error:
                say(f"   (no plan: {error})")

    from django.db import connections

    connections.close_all()
    cookie = large["cookie_name"]
    say(
        f"\ngunicorn, 2 sync workers, DEBUG=false: {args.warmup} + {args.requests} requests per "
        "page, one at a time, on the large data and then, under the same load on the machine, "
        "on the demo data"
    )
    with gunicorn(env, var_dir / "gunicorn.log") as port:
        for page in PAGES:
            p = pages[page.name]
            headers = {"Cookie": f"{cookie}={large['cookies'][page.login]}"}
            times, statuses = latencies(port, p["path"], headers, args.requests, args.warmup)
            p["statuses"] = statuses
            p["requests"] = len(times)
            if set(statuses) != {"200"}:
                p["failures"].append(f"load: {statuses}")
            p["median_ms"] = round(statistics.median(times), 1)
            p["p95_ms"] = round(percentile(times, 0.95), 1)
            p["max_ms"] = round(max(times), 1)
            p["meets_aim"] = p["p95_ms"] < AIM_P95_MS and p["queries_constant"]
            say(
                f"  {page.name:<18} median {p['median_ms']:7.1f} ms, p95 {p['p95_ms']:7.1f} ms"
                f"  {'ok' if p['meets_aim'] else 'MISSED'}"
            )
    demo_env = env | {"DATABASE_URL": demo_url}
    with gunicorn(demo_env, var_dir / "gunicorn-demo.log") as port:
        for page in PAGES:
            p = pages[page.name]
            headers = {"Cookie": f"{demo['cookie_name']}={demo['cookies'][page.login]}"}
            times, _ = latencies(port, p["path"], headers, args.requests, args.warmup)
            p["demo_median_ms"] = round(statistics.median(times), 1)
            p["demo_p95_ms"] = round(percentile(times, 0.95), 1)
            say(
                f"  {page.name:<18} demo data: median {p['demo_median_ms']:7.1f} ms, "
                f"p95 {p['demo_p95_ms']:7.1f} ms (large: {p['median_ms'] / p['demo_median_ms']:.1f}x)"
            )
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    failed = [name for name, p in pages.items() if p["failures"]]
    return {
        "ok": not failed,
        "failed_pages": failed,
        "aim_p95_ms": AIM_P95_MS,
        "all_meet_aim": all(p["meets_aim"] for p in pages.values()),
        "query_counts_constant": all(p["queries_constant"] for p in pages.values()),
        "pages": pages,
        "data": {
            "arguments": sizes.get("arguments"),
            "rows": rows,
            "database_bytes": sizes.get("database_bytes"),
            "database_size": sizes.get("database_size"),
            "built_in_s": sizes.get("seconds"),
            "cached": sizes.get("cached"),
        },
        "slow_queries": [
            {"page": q["page"], "ms": q["ms"], "sql": re.sub(r"\s+", " ", q["sql"])[:300]}
            for q in slow[:EXPLAINED]
        ],
        "setup": {
            "server": "gunicorn, 2 sync workers, DEBUG=false, PostgreSQL",
            "requests": args.requests,
            "warmup": args.warmup,
            "build_or_check_s": build_seconds,
            "load_average": load,
        },
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--scale", type=float, default=1.0, help="of the large data's counts")
    parser.add_argument("--rebuild", action="store_true", help="build the large data again")
    parser.add_argument("--database", default=LARGE_DB, help="where the large data lives")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page")
    parser.add_argument(
        "--no-explain", dest="explain", action="store_false", help="skip EXPLAIN ANALYZE"
    )
    parser.add_argument("--probe", help=argparse.SUPPRESS)  # the child process's database URL
    parser.add_argument("--probe-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fresh-demo", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.requests < 2 or args.warmup < 0:
        parser.error("at least 2 requests, and no negative warm-up")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.probe:
        child_probe(args.probe, args.probe_out, args.fresh_demo)
        return 0

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the clean-up below still runs

    signal.signal(signal.SIGTERM, stop)
    result = run_in_var_dir(run, args, "portal-scale-")
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
