"""`make load LOAD_ARGS=--profile`: where the web tier's time goes, per endpoint, inside gunicorn's workers.

benchmarks/load_settings.py puts ProfilingMiddleware first when LOAD_PROFILE names a directory. For every request
it records wall time, the worker's CPU time, the number and time of SQL queries and of new database connections,
and (cProfile) the functions, keyed by the URL pattern's name (never the path: it holds tokens). Each worker writes
`<pid>.json` and `<pid>.prof` there every 50 requests and at exit; benchmarks/load.py prints the summary
(`summarise`). Wall minus CPU minus SQL is time spent waiting: for a core, a lock, Redis. Load test only.
"""

from __future__ import annotations

import atexit
import cProfile
import io
import json
import os
import pstats
import time
from collections import defaultdict
from pathlib import Path

from django.db import connection
from django.db.backends.signals import connection_created
from django.urls import Resolver404, resolve

DIRECTORY = Path(os.environ.get("LOAD_PROFILE", "/tmp"))  # noqa: S108 (only set by benchmarks/load.py)
FIELDS = ("requests", "wall", "cpu", "queries", "sql", "connects")


class ProfilingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0.0))
        self.profiler = cProfile.Profile()
        self.count = 0
        self.connects = 0
        connection_created.connect(self._connected, weak=False)
        atexit.register(self.dump)

    def _connected(self, **kwargs) -> None:
        self.connects += 1

    def _name(self, request) -> str:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return "404"
        return f"{request.method} {match.view_name or match.route}"

    def __call__(self, request):
        name = self._name(request)
        sql = [0, 0.0]

        def timed(execute, query, params, many, context):
            start = time.perf_counter()
            try:
                return execute(query, params, many, context)
            finally:
                sql[0] += 1
                sql[1] += time.perf_counter() - start

        connects = self.connects
        wall, cpu = time.perf_counter(), time.thread_time()
        self.profiler.enable()
        try:
            with connection.execute_wrapper(timed):
                response = self.get_response(request)
        finally:
            self.profiler.disable()
        row = self.totals[name]
        row["requests"] += 1
        row["wall"] += time.perf_counter() - wall
        row["cpu"] += time.thread_time() - cpu
        row["queries"] += sql[0]
        row["sql"] += sql[1]
        row["connects"] += self.connects - connects
        self.count += 1
        if self.count % 50 == 0:
            self.dump()
        return response

    def dump(self) -> None:
        DIRECTORY.mkdir(parents=True, exist_ok=True)
        (DIRECTORY / f"{os.getpid()}.json").write_text(json.dumps(self.totals))
        self.profiler.dump_stats(DIRECTORY / f"{os.getpid()}.prof")


def summarise(directory: Path, *, top: int = 25) -> str:
    """Per endpoint: mean wall, CPU, SQL ms, queries and connections per request; then the heaviest functions."""
    totals: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0.0))
    for path in directory.glob("*.json"):
        for name, row in json.loads(path.read_text()).items():
            for field in FIELDS:
                totals[name][field] += row[field]
    header = f"{'reqs':>5} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>7} {'conns':>5}"
    lines = [f"  {'endpoint (URL name)':<44} {header}"]
    for name, row in sorted(totals.items(), key=lambda item: -item[1]["wall"]):
        n = row["requests"] or 1
        lines.append(
            f"  {name:<44} {row['requests']:>5.0f} {row['wall'] / n * 1000:>8.1f} {row['cpu'] / n * 1000:>7.1f} "
            f"{row['sql'] / n * 1000:>7.1f} {row['queries'] / n:>7.1f} {row['connects'] / n:>5.2f}"
        )
    profiles = [str(path) for path in directory.glob("*.prof")]
    if profiles:
        out = io.StringIO()
        pstats.Stats(*profiles, stream=out).sort_stats("tottime").print_stats(top)
        lines.append(out.getvalue())
    return "\n".join(lines)
