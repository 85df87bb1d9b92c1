"""Human loops end to end through the services: start, answer in the queue, output.json.

Usage (creates its own organization, team and flow; leaves them for inspection):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \
        .venv/bin/python bench/human_loops.py [--loops 500]

Jobs run inline (no broker), so "complete" includes writing output.json to a local storage
under a temporary folder. Prints loops started per second, the p50/p95/p99 latency of a
start, of a repeated (idempotent) start, and of the worker's next-task + submit that
completes a loop, and checks that every loop completed once with its output file.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(16))
os.environ["CELERY_BROKER_URL"] = ""  # jobs inline: completion includes the output write
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("EMAIL_URL", "dummymail://")  # the team's new-work digests
WORK_ROOT = Path(tempfile.mkdtemp(prefix="gw-bench-loops-"))
os.environ["DATASETS_LOCAL_ROOT"] = str(WORK_ROOT)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.datasets import services as dataset_services  # noqa: E402
from apps.reviews import services  # noqa: E402
from apps.reviews.models import HumanLoop  # noqa: E402
from apps.tasks import services as task_services  # noqa: E402
from bench.builders import organization_with_owner, team_of_workers  # noqa: E402

TEMPLATE = (
    '<crowd-form><crowd-classifier name="sentiment" categories=\'["positive", "negative"]\''
    ' header="Sentiment?"><classification-target>{{ task.input.text }}'
    "</classification-target></crowd-classifier></crowd-form>"
)


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return ", ".join(f"p{n} {cuts[n - 1] * 1000:.1f} ms" for n in (50, 95, 99))


def setup():
    organization, owner, tag = organization_with_owner()
    team, (worker,) = team_of_workers(organization, owner, tag, 1)
    (WORK_ROOT / organization.slug / "out").mkdir(parents=True)
    storage = dataset_services.storage_create(
        organization=organization, actor=owner, name="out", kind="local", path="out"
    )
    ui = services.human_task_ui_create(
        organization=organization, actor=owner, name="bench-ui", content=TEMPLATE
    )
    flow = services.flow_definition_create(
        organization=organization,
        actor=owner,
        name="fd-bench",
        human_task_ui=ui,
        workteam=team,
        output_storage=storage,
        task_title="Bench",
        task_description="Bench loops",
    )
    flow.refresh_from_db()
    return organization, owner, worker, team, flow


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loops", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with scopes_disabled():
        organization, owner, worker, team, flow = setup()
        starts, repeats, completes = [], [], []
        began = time.perf_counter()
        for number in range(args.loops):
            content = json.dumps({"text": f"review {number}", "confidence": 0.5})
            started = time.perf_counter()
            services.human_loop_start(
                organization=organization,
                actor=owner,
                flow=flow,
                name=f"loop-{number}",
                input_content=content,
            )
            starts.append(time.perf_counter() - started)
        start_seconds = time.perf_counter() - began
        for number in range(min(args.loops, 100)):
            content = json.dumps({"text": f"review {number}", "confidence": 0.5})
            started = time.perf_counter()
            services.human_loop_start(
                organization=organization,
                actor=owner,
                flow=flow,
                name=f"loop-{number}",
                input_content=content,
            )
            repeats.append(time.perf_counter() - started)
        for _ in range(args.loops):
            started = time.perf_counter()
            assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
            task_services.assignment_submit(
                assignment=assignment, worker=worker, answer={"sentiment": {"label": "positive"}}
            )
            completes.append(time.perf_counter() - started)
        loops = HumanLoop.objects.filter(flow_definition=flow)
        completed = loops.filter(status="Completed").count()
        files = sum(1 for _ in (WORK_ROOT / organization.slug / "out").rglob("output.json"))
    print(f"database: {connection.vendor}; {args.loops} loops")
    print(f"start: {args.loops / start_seconds:.0f} loops/s; {percentiles(starts)}")
    print(f"repeated start (idempotent): {percentiles(repeats)}")
    print(f"next + submit + output.json: {percentiles(completes)}")
    print(f"completed: {completed}/{args.loops}; output files: {files}")


if __name__ == "__main__":
    main()
