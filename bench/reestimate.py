"""The background project re-estimation on a database: time and memory.

Usage (PostgreSQL; creates its own organization and data, leaves them for inspection):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \\
        .venv/bin/python bench/reestimate.py [--items 40000] [--answers-per-item 5] [--workers 200]

Builds a started single-label project (the queue benchmark's setup), then writes the
answers of a simulated crowd straight into the database (workers right with probability
0.55-0.95, 10% spammers), and times `project_reestimate`: reading every answer, Dawid-Skene,
writing every task's label and confidence in batches, worker quality and agreement. Prints
the wall time, the peak memory the process grew by, and accuracy against the simulation.
"""

import argparse
import random
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import work_queue  # noqa: E402  (sets up Django; its `setup` builds the project)
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.projects.models import Project  # noqa: E402
from apps.tasks import quality  # noqa: E402
from apps.tasks.models import Assignment, ProjectQuality, Task, WorkerQuality  # noqa: E402
from apps.workforces.models import WorkteamMember  # noqa: E402

LABELS = ["positive", "negative"]


def fill(project: Project, per_item: int, seed: int) -> dict[int, str]:
    """Submitted answers for every task; returns the simulated truth per task."""
    rng = random.Random(seed)
    worker_ids = list(
        WorkteamMember.objects.filter(workteam=project.workteam).values_list("user_id", flat=True)
    )
    accuracy = {w: rng.uniform(0.55, 0.95) for w in worker_ids}
    for w in rng.sample(worker_ids, len(worker_ids) // 10):
        accuracy[w] = 0.5
    now = timezone.now()
    truth = {}
    tasks = list(Task.objects.filter(project=project).values_list("pk", "organization_id"))
    batch = []
    for task_id, organization_id in tasks:
        label = rng.choice(LABELS)
        truth[task_id] = label
        for worker in rng.sample(worker_ids, per_item):
            given = label if rng.random() < accuracy[worker] else LABELS[1 - LABELS.index(label)]
            batch.append(
                Assignment(
                    organization_id=organization_id,
                    task_id=task_id,
                    project=project,
                    worker_id=worker,
                    status=Assignment.Status.SUBMITTED,
                    deadline=now + timedelta(hours=1),
                    answer={"crowd-classifier": {"label": given}},
                    submitted_at=now,
                    ended_at=now,
                )
            )
        if len(batch) >= 20_000:
            Assignment.objects.bulk_create(batch)
            batch = []
    if batch:
        Assignment.objects.bulk_create(batch)
    with transaction.atomic():
        Task.objects.filter(project=project).update(
            answers_needed=per_item, answers_received=per_item, status=Task.Status.ANSWERED
        )
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40_000)
    parser.add_argument("--answers-per-item", type=int, default=5)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at PostgreSQL.")
    with scopes_disabled():
        started = time.perf_counter()
        project_id, _ = work_queue.setup(options.workers, options.items)
        project = Project.objects.get(pk=project_id)
        truth = fill(project, options.answers_per_item, options.seed)
        prepared = time.perf_counter() - started
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        labeled = quality.project_reestimate(project=project)
        seconds = time.perf_counter() - started
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        rows = Task.objects.filter(project=project).values_list("pk", "consolidated_label")
        right = sum(label["label"] == truth[pk] for pk, label in rows)
        metrics = ProjectQuality.objects.get(project=project).metrics
        workers = WorkerQuality.objects.filter(project=project).count()
    answers = options.items * options.answers_per_item
    print(f"setup: {options.items:,} tasks, {answers:,} answers in {prepared:.0f} s")
    print(
        f"project_reestimate: {seconds:.1f} s for {answers:,} answers ({labeled:,} labels, "
        f"{workers} worker rows); the process grew by {grown / 1024:.0f} MB at its peak; "
        f"accuracy {right / len(truth):.4f}; kappa {metrics.get('fleiss_kappa')}, "
        f"alpha {metrics.get('krippendorff_alpha')}"
    )


if __name__ == "__main__":
    main()
