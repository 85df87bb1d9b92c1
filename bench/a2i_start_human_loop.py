"""StartHumanLoop latency: 16 concurrent boto3 clients against gunicorn on PostgreSQL.

Usage (creates its own organization, credential, team, task UI and flow; leaves them):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \
        .venv/bin/python bench/a2i_start_human_loop.py [--clients 16] [--loops 100]

Serves the app as bench/work_queue.py does (gunicorn sync workers, one per core plus two),
gives every client thread its own real `sagemaker-a2i-runtime` client (SigV4-signed requests,
verified by the server; retries off so every call is timed once) and has each start
`--loops` human loops. Prints calls/s, p50/p95/p99 latency as the client sees it, errors,
and the loops and tasks counted in the database (each start makes one of each).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/10")

from bench.work_queue import (  # noqa: E402  (sets Django up)
    cpu_seconds,
    database_pids,
    free_port,
    percentile,
    run_clients,
    serve,
    server_pids,
)

# isort: split

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import TestCase  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts import services as account_services  # noqa: E402
from apps.accounts.models import Organization, Role  # noqa: E402
from apps.datasets import services as dataset_services  # noqa: E402
from apps.reviews import services as review_services  # noqa: E402
from apps.reviews.models import HumanLoop  # noqa: E402
from apps.workforces import services as workforce_services  # noqa: E402
from bench.builders import organization_with_owner  # noqa: E402

TEMPLATE = """<crowd-form>
  <p>{{ task.input.text }}</p>
  <crowd-classifier name="sentiment" categories="['positive', 'negative']" header="Sentiment?">
  </crowd-classifier>
</crowd-form>"""


def setup() -> tuple[Organization, dict]:
    """An organization with an API credential and an Active flow definition."""
    organization, owner, _ = organization_with_owner("bench-a2i")
    credential, secret = account_services.api_credential_create(
        organization=organization, name="bench", role=Role.ADMIN, actor=owner, actor_role=Role.OWNER
    )
    team = workforce_services.workteam_create(
        organization=organization, name="bench", kind="private", actor=owner
    )
    (Path(settings.DATASETS_LOCAL_ROOT) / organization.slug / "out").mkdir(parents=True)
    storage = dataset_services.storage_create(
        organization=organization, actor=owner, name="Output", kind="local", path="out"
    )
    ui = review_services.human_task_ui_create(
        organization=organization, actor=owner, name="bench-ui", content=TEMPLATE
    )
    with TestCase.captureOnCommitCallbacks(execute=True):  # the flow's activation job
        review_services.flow_definition_create(
            organization=organization,
            actor=owner,
            name="fd-bench",
            human_task_ui=ui,
            workteam=team,
            output_storage=storage,
            task_title="Check",
            task_description="Is the model right?",
        )
    keys = {"aws_access_key_id": credential.access_key_id, "aws_secret_access_key": secret}
    return organization, keys


def client(port, keys, flow_arn, client_number, loops):
    """One boto3 client, made now; the returned `run` starts `loops` loops, each timed."""
    a2i = boto3.session.Session().client(
        "sagemaker-a2i-runtime",
        endpoint_url=f"http://127.0.0.1:{port}/aws/a2i",
        region_name="us-east-1",
        config=Config(retries={"total_max_attempts": 1}, max_pool_connections=1),
        **keys,
    )

    def run() -> dict:
        timings: list[float] = []
        counts = {"started": 0, "errors": 0}
        for number in range(loops):
            content = json.dumps({"text": f"review {client_number}-{number}", "score": 0.42})
            started = time.perf_counter()
            try:
                a2i.start_human_loop(
                    HumanLoopName=f"bench-{client_number}-{number}",
                    FlowDefinitionArn=flow_arn,
                    HumanLoopInput={"InputContent": content},
                )
                counts["started"] += 1
            except Exception:  # counted, not raised: the figures say how many failed
                counts["errors"] += 1
            timings.append(time.perf_counter() - started)
        return {"timings": timings, "counts": counts}

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--loops", type=int, default=100, help="loops started per client")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at PostgreSQL: this measures the PostgreSQL path.")
    with scopes_disabled():
        organization, keys = setup()
    flow_arn = f"arn:aws:sagemaker:us-east-1:{organization.account_id}:flow-definition/fd-bench"
    connection.close()

    port = free_port()
    server = serve(port)
    try:
        client(port, keys, flow_arn, -1, 4)()  # one call per process path first: imports
        server_before = sum(map(cpu_seconds, server_pids(server)))
        arguments = [
            (port, keys, flow_arn, number, options.loops) for number in range(options.clients)
        ]
        results, elapsed, client_cpu = run_clients(client, arguments)
        cpu = {
            "server": sum(map(cpu_seconds, server_pids(server))) - server_before,
            "database": sum(map(cpu_seconds, database_pids())),  # includes the warm-up calls
            "client": client_cpu,
        }
    finally:
        server.terminate()
        server.wait(60)

    timings = [timing for result in results for timing in result["timings"]]
    counts = {name: sum(r["counts"][name] for r in results) for name in ("started", "errors")}
    with scopes_disabled():
        loops = HumanLoop.objects.filter(organization=organization).exclude(
            name__startswith="bench--1-"
        )
        created, with_task = loops.count(), loops.filter(task__isnull=False).count()
    print(
        f"database: postgresql, {options.clients} clients x {options.loops} StartHumanLoop, "
        f"{elapsed:.1f} s, {len(timings) / elapsed:.0f} calls/s"
    )
    print(
        f"latency: p50={percentile(timings, 0.50):.1f} ms  p95={percentile(timings, 0.95):.1f} ms  "
        f"p99={percentile(timings, 0.99):.1f} ms  max={max(timings) * 1000:.1f} ms  "
        f"mean={statistics.mean(timings) * 1000:.1f} ms"
    )
    calls = max(len(timings), 1)
    print(
        "CPU per call: "
        + "  ".join(f"{name} {seconds / calls * 1000:.1f} ms" for name, seconds in cpu.items())
    )
    print(
        f"started: {counts['started']}  errors: {counts['errors']}  loops in the database: "
        f"{created} (with their task: {with_task})"
    )


if __name__ == "__main__":
    main()
