"""Work-queue throughput: 16 simulated workers doing next-task + submit over HTTP.

Usage (PostgreSQL; creates its own organization and data, leaves them for inspection):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \
        .venv/bin/python bench/work_queue.py [--workers 16] [--items 4000] [--seconds 30]

Serves the app with gunicorn on 127.0.0.1 (sync workers, one per core plus two; sessions
cached in the local Redis, as the README recommends for several processes), drives it
from a thread per worker with a keep-alive connection each, and prints answers/s, the
p50/p95/p99 latency of each call, the CPU each side spent per answer, and the duplicate
and lost answers counted in the database.
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(16))
SERVER_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "CELERY_BROKER_URL": "",
    # As recommended for several web processes: sessions and rate limits in a shared cache.
    "CACHE_URL": "redis://127.0.0.1:6379/14",
    "LOG_LEVEL": "WARNING",
    "EMAIL_URL": "dummymail://",  # the "new work" notices are not what is measured
}
os.environ.update({key: value for key, value in SERVER_ENV.items() if key not in os.environ})

import django  # noqa: E402

django.setup()

import urllib3  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import TestCase  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.projects import services as project_services  # noqa: E402
from apps.tasks import services as task_services  # noqa: E402
from apps.tasks.models import Assignment  # noqa: E402
from bench.builders import dataset_of_lines, organization_with_owner, team_of_workers  # noqa: E402

CSRF = secrets.token_hex(16)  # any 32 characters; sent as cookie and header alike


def setup(workers: int, items: int) -> tuple[int, list[str]]:
    """An organization, a team of `workers`, a started project over `items` texts."""
    organization, owner, tag = organization_with_owner()
    team, people = team_of_workers(organization, owner, tag, workers)
    lines = [{"source": f"review {n}: fine"} for n in range(items)]
    dataset = dataset_of_lines(organization, owner, lines, name="texts")
    project = project_services.project_create(
        organization=organization,
        actor=owner,
        name="bench",
        dataset=dataset,
        workteam=team,
        task_type="text_classification",
        label_attribute_name="sentiment",
        labels=[{"label": "positive"}, {"label": "negative"}],
        answers_per_item=1,
        task_time_limit_seconds=600,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner)
    return project.id, [session_for(user) for user in people]


def session_for(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(port: int) -> subprocess.Popen:
    processes = (os.cpu_count() or 2) + 2
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(processes),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ},
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib3.PoolManager().request("GET", f"http://127.0.0.1:{port}/healthz", retries=False)
            return server
        except urllib3.exceptions.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not come up")


def worker(port: int, session_key: str, seconds: float):
    """One simulated worker: its connection now; the returned `run` labels for `seconds`
    (or until the queue is empty) and returns its timings and counts."""
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, maxsize=1, retries=False, timeout=30)
    headers = {
        "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/json",
    }
    timings: dict[str, list[float]] = {"next": [], "submit": []}
    counts = {"answers": 0, "errors": 0}

    def call(name: str, path: str, body: dict):
        started = time.perf_counter()
        response = pool.request("POST", path, body=json.dumps(body), headers=headers)
        timings[name].append(time.perf_counter() - started)
        return response

    def run() -> dict:
        stop_at = time.monotonic() + seconds
        while time.monotonic() < stop_at:
            response = call("next", "/api/v1/work/next/", {})
            if response.status == 204:
                break
            if response.status != 201:
                counts["errors"] += 1
                break
            assignment = json.loads(response.data)
            answer = {"crowd-classifier": {"label": "positive"}}
            submitted = call(
                "submit",
                f"/api/v1/work/assignments/{assignment['id']}/submit/",
                {"answer": answer},
            )
            if submitted.status == 200:
                counts["answers"] += 1
            else:
                counts["errors"] += 1
        return {"timings": timings, "counts": counts}

    return run


def run_clients(prepare, argument_lists: list[tuple]) -> tuple[list[dict], float, float]:
    """Set every client up with `prepare(*arguments)` (untimed; it returns the client's
    timed work), then run them all at once, a thread each. Returns their results, the wall
    time and the CPU seconds the clients spent. (One process per client was tried: on two
    cores, sixteen more processes cost the server more than the shared interpreter lock
    costs the clients.)"""
    runs = [prepare(*arguments) for arguments in argument_lists]
    results: list[dict] = []
    threads = [threading.Thread(target=lambda run=run: results.append(run())) for run in runs]
    cpu, started = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started, time.process_time() - cpu


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [server.pid, *map(int, children)]


def database_pids() -> list[int]:
    """The PostgreSQL backends serving the benchmark's database (the server's connections)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--items", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=30.0)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at PostgreSQL: this measures the PostgreSQL queue.")
    with scopes_disabled():
        project_id, sessions = setup(options.workers, options.items)
    connection.close()

    port = free_port()
    server = serve(port)
    try:
        server_before = sum(map(cpu_seconds, server_pids(server)))
        results, elapsed, client_cpu = run_clients(
            worker, [(port, key, options.seconds) for key in sessions]
        )
        # Every CPU second each side spent: on 2 cores, throughput is capped by their sum.
        cpu = {
            "server": sum(map(cpu_seconds, server_pids(server))) - server_before,
            "database": sum(map(cpu_seconds, database_pids())),
            "client": client_cpu,
        }
    finally:
        server.terminate()
        server.wait(60)

    timings = {
        name: [t for r in results for t in r["timings"][name]] for name in ("next", "submit")
    }
    counts = {name: sum(r["counts"][name] for r in results) for name in ("answers", "errors")}
    with scopes_disabled():
        submitted = Assignment.objects.filter(project_id=project_id, status="submitted")
        total = submitted.count()
        distinct_tasks = submitted.values("task_id").distinct().count()
    print(
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
        f"{options.workers} workers, {options.items} items, {elapsed:.1f} s"
    )
    print(
        f"answers: {counts['answers']}  ({counts['answers'] / elapsed:.0f} answers/s)  "
        f"errors: {counts['errors']}"
    )
    for name, values in timings.items():
        print(
            f"{name:>6}: n={len(values)}  p50={percentile(values, 0.50):.1f} ms  "
            f"p95={percentile(values, 0.95):.1f} ms  p99={percentile(values, 0.99):.1f} ms  "
            f"mean={statistics.mean(values) * 1000:.1f} ms"
        )
    answers = max(counts["answers"], 1)
    print(
        "CPU per answer: "
        + "  ".join(f"{name} {seconds / answers * 1000:.1f} ms" for name, seconds in cpu.items())
    )
    print(f"duplicate answers: {total - distinct_tasks}  lost answers: {counts['answers'] - total}")


if __name__ == "__main__":
    main()
