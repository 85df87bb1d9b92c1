"""Benchmark: a project's dashboard at 1,000,000 items and 3,000,000 answers (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \\
        .venv/bin/python bench/reporting_dashboard.py [--items 1000000] [--answers-per-item 3]

Builds the rows in bulk with SQL (items, tasks, and every item's answers from a pool of
300 workers spread over 30 days; one item in ten asks for one more answer; the setup is not
what is measured), then times the figures'
background refresh once and, five times each, the dashboard page, the report API, the
first page of the activity log and the worker figures API, with their query counts.
Creates its own organization and deletes its bulk rows (items, tasks, answers) at the end.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + secrets.token_hex(16))
os.environ.setdefault("ENV_FILE", "/dev/null")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Pages render without `collectstatic`: plain static URLs (what DEBUG would use).
settings.STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from apps.accounts.models import Membership, Organization, Role, User  # noqa: E402
from apps.datasets import services as dataset_services  # noqa: E402
from apps.projects import services as project_services  # noqa: E402
from apps.reporting import services as reporting_services  # noqa: E402
from apps.workforces import services as workforce_services  # noqa: E402

WORKERS = 300


def emit(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def build(items: int, answers_per_item: int):
    tag = secrets.token_hex(3)
    organization = Organization.objects.create(name=f"Bench {tag}", slug=f"bench-{tag}")
    owner = User.objects.create_user(email=f"owner-{tag}@bench.test", password=None)
    Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
    team = workforce_services.workteam_create(
        organization=organization, name="bench", kind="private", actor=owner
    )
    workers = User.objects.bulk_create(User(email=f"w{n}-{tag}@bench.test") for n in range(WORKERS))
    dataset = dataset_services.dataset_create(organization=organization, actor=owner, name="texts")
    project = project_services.project_create(
        organization=organization,
        actor=owner,
        name="bench",
        dataset=dataset,
        workteam=team,
        task_type="text_classification",
        label_attribute_name="sentiment",
        labels=[{"label": "positive"}, {"label": "negative"}],
        answers_per_item=answers_per_item,
    )
    first_worker = workers[0].pk
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO datasets_item (organization_id, created_at, updated_at, dataset_id,
                   line_number, data)
               SELECT %s, now(), now(), %s, n, jsonb_build_object('source', 'text ' || n)
               FROM generate_series(1, %s) n""",
            [organization.id, dataset.id, items],
        )
        # Every item has its answers; one in ten asked for one more (still open).
        cursor.execute(
            """INSERT INTO tasks_task (organization_id, created_at, updated_at, project_id,
                   item_id, status, answers_needed, answers_received, live_assignments,
                   is_gold, needs_more, failure_reason, label_model_version,
                   consolidated_label, confidence, consolidated_at)
               SELECT %s, now(), now(), %s, i.id,
                   CASE WHEN i.line_number %% 10 = 0 THEN 'open' ELSE 'answered' END,
                   %s + CASE WHEN i.line_number %% 10 = 0 THEN 1 ELSE 0 END, %s, 0,
                   false, false, '', '',
                   CASE WHEN i.line_number %% 10 = 0 THEN NULL
                        WHEN i.line_number %% 3 = 0 THEN '{"label": "negative"}'::jsonb
                        ELSE '{"label": "positive"}'::jsonb END,
                   CASE WHEN i.line_number %% 10 = 0 THEN NULL
                        ELSE 0.5 + (i.line_number %% 50) / 100.0 END,
                   CASE WHEN i.line_number %% 10 = 0 THEN NULL ELSE now() END
               FROM datasets_item i WHERE i.dataset_id = %s""",
            [organization.id, project.id, answers_per_item, answers_per_item, dataset.id],
        )
        # Answers over 30 days, 5 to 125 s each, by workers of a 300-strong pool.
        cursor.execute(
            """INSERT INTO tasks_assignment (organization_id, created_at, updated_at, task_id,
                   project_id, worker_id, status, deadline, answer, submitted_at, ended_at,
                   review_status, review_reason)
               SELECT %s, at, at, t.id, %s, %s + (t.id * 7 + k * 13) %% %s, 'submitted',
                   at + interval '1 hour', '{"crowd-classifier": {"label": "positive"}}',
                   at + make_interval(secs => 5 + (t.id + k) %% 120),
                   at + make_interval(secs => 5 + (t.id + k) %% 120), 'pending', ''
               FROM tasks_task t CROSS JOIN generate_series(1, %s) k,
                   LATERAL (SELECT now() - interval '30 days'
                            + make_interval(secs => (t.id * 3 + k) %% 2592000)) AS s(at)
               WHERE t.project_id = %s""",
            [
                organization.id,
                project.id,
                first_worker,
                WORKERS,
                answers_per_item,
                project.id,
            ],
        )
        cursor.execute(
            "UPDATE projects_project SET status = 'in_progress' WHERE id = %s", [project.id]
        )
        cursor.execute("ANALYZE tasks_task; ANALYZE tasks_assignment;")
    project.refresh_from_db()
    return organization, owner, project


def timed(label: str, call, runs: int = 5) -> None:
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (label, response.status_code)
        queries = len(captured)
    emit(
        f"{label:<28} median {statistics.median(times) * 1000:7.1f} ms   "
        f"max {max(times) * 1000:7.1f} ms   {queries} queries"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--answers-per-item", type=int, default=3)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at PostgreSQL: this measures the PostgreSQL case.")
    with scopes_disabled():
        started = time.perf_counter()
        organization, owner, project = build(options.items, options.answers_per_item)
        emit(f"setup: {options.items:,} items in {time.perf_counter() - started:.1f} s")
        try:
            started = time.perf_counter()
            stats = reporting_services.project_stats_refresh(project=project)
            emit(
                f"background refresh: {time.perf_counter() - started:.1f} s for "
                f"{stats.tasks_total:,} tasks and {stats.answers_submitted:,} answers"
            )
            client = Client()
            client.force_login(owner)
            base = f"/orgs/{organization.slug}/projects/{project.id}"
            api = f"/api/v1/orgs/{organization.slug}/projects/{project.id}"
            timed("dashboard page", lambda: client.get(f"{base}/report/"))
            timed("report API", lambda: client.get(f"{api}/report/"))
            timed("activity API, first page", lambda: client.get(f"{api}/activity/"))
            timed("worker figures API", lambda: client.get(f"{api}/report/workers/"))
            timed("workers CSV (300 rows)", lambda: client.get(f"{base}/report/workers.csv"))
        finally:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM tasks_assignment WHERE project_id = %s", [project.id])
                cursor.execute("DELETE FROM tasks_task WHERE project_id = %s", [project.id])
                cursor.execute(
                    "DELETE FROM datasets_item WHERE dataset_id = %s", [project.dataset_id]
                )
            emit(f"cleanup: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
