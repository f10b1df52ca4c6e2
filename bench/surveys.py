"""How fast the e-mailed survey answer link records answers, under concurrent clicks.

Run ``python bench/surveys.py`` (with the project's venv). Like ``bench/pages.py`` it works on a
temporary ``PORTAL_VAR_DIR`` (migrated, demo data loaded) and serves the portal with gunicorn
(``DEBUG=false``, 2 sync workers). It then

1. makes an NPS campaign asking :data:`RECIPIENTS` people, and a signed answer link for each;
2. measures the bare view (``/bench/bare/``) and the answer endpoint (a POST of the "Confirm"
   button, as the confirm page sends it) in turns, each keeping its best round. Every client
   thread walks the same recipients in the same order, so the same person's link is clicked by
   several clients at once, again and again (within the grace period an answer is updated);
3. checks: no response other than the expected redirect, and exactly one stored response per
   recipient who was sent an answer.

The last line of stdout is one JSON object; the exit status is 1 when a check failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.loadgen import HOST, LoadResult, run_in_var_dir, run_load  # noqa: E402
from bench.pages import (  # noqa: E402
    BARE_PATH,
    WORKERS,
    bench_environment,
    gunicorn,
    prepare_database,
    say,
    tail,
)

AIM = 0.2  # the aim: answers per second at least this fraction of the bare view's
RECIPIENTS = 200
OK_STATUS = "302"  # the confirm POST redirects to the comment page


def make_campaign() -> list[tuple[int, str]]:
    """An NPS campaign asking RECIPIENTS people; (delivery id, answer path) for each."""

    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Account, Membership, User
    from surveys.models import Campaign, Delivery, Kind, Survey
    from surveys.services import answer_token

    with transaction.atomic():
        admin = User.objects.get(email="morgan@northwind.example")
        account = Account.objects.get(slug="globex")
        people = [
            User(email=f"respondent-{i:04d}@bench.example", name=f"Respondent {i:04d}")
            for i in range(RECIPIENTS)
        ]
        for person in people:
            person.set_unusable_password()
        people = User.objects.bulk_create(people)
        Membership.objects.bulk_create(
            Membership(user=person, account=account, role="member") for person in people
        )
        survey = Survey.objects.create(
            name="Bench NPS", kind=Kind.NPS, question="Would you recommend us?", created_by=admin
        )
        campaign = Campaign.objects.create(
            survey=survey, name="Bench NPS", roles=["member"], created_by=admin, waves=1
        )
        now = timezone.now()
        deliveries = Delivery.objects.bulk_create(
            Delivery(campaign=campaign, account=account, user=person, created_at=now, sent_at=now)
            for person in people
        )
    return [(d.pk, reverse("survey_email_answer", args=[answer_token(d, 9)])) for d in deliveries]


def post_load(
    port: int,
    paths: list[str],
    *,
    duration: float,
    concurrency: int,
    body: bytes,
    timeout: float = 10.0,
) -> tuple[LoadResult, set[str]]:
    """POST ``body`` to ``paths`` in turn from every thread until ``duration`` runs out."""
    deadline = time.perf_counter() + duration
    outcomes: Counter[str] = Counter()
    posted: set[str] = set()
    lock = threading.Lock()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def worker() -> None:
        mine: Counter[str] = Counter()
        sent: set[str] = set()
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        i = 0
        try:
            while time.perf_counter() < deadline:
                path = paths[i % len(paths)]
                i += 1
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    mine[str(response.status)] += 1
                    sent.add(path)
                except (OSError, http.client.HTTPException) as error:
                    mine[type(error).__name__] += 1
                    conn.close()
        finally:
            conn.close()
            with lock:
                outcomes.update(mine)
                posted.update(sent)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(outcomes=dict(outcomes), seconds=time.perf_counter() - start), posted


def run(args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    import os

    env = bench_environment(var_dir)
    os.environ.clear()
    os.environ.update(env)
    say(f"Temporary var dir {var_dir}: migrating, loading the demo data")
    prepare_database()
    links = make_campaign()
    paths = [path for _, path in links]
    from django.db import connections

    connections.close_all()
    say(
        f"\ngunicorn, {WORKERS} sync workers, DEBUG=false; {args.concurrency} client threads, "
        f"{args.rounds} rounds of {args.duration:g} s; {len(paths)} recipients"
    )
    bare_runs: list[LoadResult] = []
    answer_runs: list[LoadResult] = []
    answered: set[str] = set()
    with gunicorn(env, var_dir / "gunicorn.log") as port:
        for round_number in range(1, args.rounds + 1):
            bare = run_load(
                port,
                BARE_PATH,
                headers={},
                duration=args.duration,
                max_requests=1_000_000,
                concurrency=args.concurrency,
            )
            bare_runs.append(bare)
            load, posted = post_load(
                port,
                paths,
                duration=args.duration,
                concurrency=args.concurrency,
                body=b"score=9",
            )
            answer_runs.append(load)
            answered |= posted
            say(
                f"  round {round_number}: bare {bare.rps:8.1f} req/s; answers "
                f"{load.outcomes.get(OK_STATUS, 0) / load.seconds:8.1f} req/s {load.outcomes}"
            )
        gunicorn_log = tail(var_dir / "gunicorn.log")

    from surveys.models import Delivery, Response

    answered_ids = {pk for pk, path in links if path in answered}
    bench_deliveries = Delivery.objects.filter(campaign__name="Bench NPS")  # not the demo data's
    stored = Counter(
        Response.objects.filter(delivery__in=bench_deliveries).values_list("delivery_id", flat=True)
    )
    exactly_one = all(stored.get(pk) == 1 for pk in answered_ids) and set(stored) == answered_ids
    errors = sum(sum(n for s, n in r.outcomes.items() if s != OK_STATUS) for r in answer_runs)
    errors += sum(bare.errors for bare in bare_runs)
    bare_rps = max(bare.rps for bare in bare_runs)
    answer_rps = max(r.outcomes.get(OK_STATUS, 0) / r.seconds for r in answer_runs)
    ratio = answer_rps / bare_rps if bare_rps else 0.0
    ok = errors == 0 and exactly_one and ratio >= AIM
    say(
        f"\nbare {bare_rps:.1f} req/s, answers {answer_rps:.1f} req/s: ratio {ratio:.3f} "
        f"(aim {AIM:g}) {'ok' if ratio >= AIM else 'MISSED'}"
    )
    say(
        f"{len(answered_ids)} recipients answered, {sum(stored.values())} responses stored "
        f"({'exactly one each' if exactly_one else 'NOT one each'}); {errors} errors"
    )
    if not ok and gunicorn_log:
        say(f"gunicorn's last log lines:\n{gunicorn_log}")
    return {
        "ok": ok,
        "bare_rps": round(bare_rps, 1),
        "answer_rps": round(answer_rps, 1),
        "ratio_to_bare": round(ratio, 4),
        "aim_ratio": AIM,
        "meets_aim": ratio >= AIM,
        "errors": errors,
        "recipients": len(links),
        "recipients_answered": len(answered_ids),
        "responses_stored": sum(stored.values()),
        "deliveries": bench_deliveries.count(),
        "exactly_one_response_per_recipient": exactly_one,
        "answer_outcomes": [r.outcomes for r in answer_runs],
        "setup": {
            "server": f"gunicorn, {WORKERS} sync workers, DEBUG=false, SQLite",
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per turn")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    args = parser.parse_args(argv)
    result = run_in_var_dir(run, args, "portal-bench-surveys-")
    say(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
