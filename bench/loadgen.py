"""A small HTTP load generator: threads and ``http.client``, to 127.0.0.1 only.

Each thread keeps one connection open for as long as the server allows (gunicorn's sync
workers close it after every response; ``http.client`` then reconnects by itself). A run is
bounded both in time and in the number of requests.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class LoadResult:
    """What one run got back: responses by status (or by exception name) and the wall time."""

    outcomes: dict[str, int]
    seconds: float

    @property
    def ok(self) -> int:
        return self.outcomes.get("200", 0)

    @property
    def errors(self) -> int:
        return sum(self.outcomes.values()) - self.ok

    @property
    def rps(self) -> float:
        """Requests answered 200 per second."""
        return self.ok / self.seconds if self.seconds > 0 else 0.0


def get(port: int, path: str, headers: Mapping[str, str] | None = None) -> int:
    """One GET on a fresh connection; the status code."""
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", path, headers=dict(headers or {}))
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def run_load(
    port: int,
    path: str,
    *,
    headers: Mapping[str, str],
    duration: float,
    max_requests: int,
    concurrency: int,
    timeout: float = 10.0,
) -> LoadResult:
    """GET ``path`` from ``concurrency`` threads until ``duration`` or ``max_requests`` runs out."""
    deadline = time.perf_counter() + duration
    per_thread = max(1, max_requests // concurrency)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def worker() -> None:
        mine: Counter[str] = Counter()
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        try:
            for _ in range(per_thread):
                if time.perf_counter() >= deadline:
                    break
                try:
                    conn.request("GET", path, headers=dict(headers))
                    response = conn.getresponse()
                    response.read()
                    mine[str(response.status)] += 1
                except (OSError, http.client.HTTPException) as error:
                    mine[type(error).__name__] += 1
                    conn.close()
        finally:
            conn.close()
            with lock:
                outcomes.update(mine)

    threads = [
        threading.Thread(target=worker, name=f"load-{i}", daemon=True) for i in range(concurrency)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(outcomes=dict(outcomes), seconds=time.perf_counter() - start)


def run_in_var_dir(
    run: Callable[[Any, Path], dict[str, Any]], args: Any, prefix: str
) -> dict[str, Any]:
    """``run(args, var_dir)`` in a temporary var dir removed afterwards; a failure becomes
    ``{"ok": False, "error": ...}`` (its traceback printed), and ``seconds`` is added."""
    import shutil
    import sys
    import tempfile
    import traceback

    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        result = run(args, var_dir)
    except Exception as error:
        traceback.print_exc()
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    finally:
        if "django.db" in sys.modules:
            sys.modules["django.db"].connections.close_all()
        shutil.rmtree(var_dir, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - started, 1)
    return result
