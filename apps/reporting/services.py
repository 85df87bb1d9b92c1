"""Writes of the reporting app: recomputing a project's pre-aggregated figures."""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncHour, TruncMonth
from django.utils import timezone

from apps.payouts.selectors import project_spend
from apps.projects.models import Project
from apps.reporting.models import ProjectHourlyAnswers, ProjectStats, WorkerProjectStats
from apps.tasks.models import Assignment, ReviewStatus, Task
from apps.tasks.quality.consolidate import SINGLE_LABEL

APPROVED, REJECTED = f"review:{ReviewStatus.APPROVED}", f"review:{ReviewStatus.REJECTED}"
# Time a submitted answer took: from taking the task to submitting it.
WORK_TIME = ExpressionWrapper(F("submitted_at") - F("created_at"), output_field=DurationField())


def _submitted(project: Project) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        organization_id=project.organization_id,
        project_id=project.id,
        status=Assignment.Status.SUBMITTED,
    )


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _percentile_ranks(count: int) -> tuple[int, int]:
    """0-based ranks of the median and the 90th percentile among `count` sorted values
    (nearest rank, the lower middle for even counts)."""
    return (count - 1) // 2, max(0, -(-count * 9 // 10) - 1)


def _overall_percentiles(project: Project, count: int) -> tuple[float | None, float | None]:
    if not count:
        return None, None
    ordered = _submitted(project).annotate(took=WORK_TIME).order_by("took")
    median, p90 = _percentile_ranks(count)
    return (
        _seconds(ordered.values_list("took", flat=True)[median]),
        _seconds(ordered.values_list("took", flat=True)[p90]),
    )


def _worker_percentiles(
    rows: Iterable[tuple[int, timedelta]], counts: dict[int, int]
) -> dict[int, tuple[float, float]]:
    """Per worker (median, p90) seconds from rows sorted by worker then time, in one pass
    that keeps no more than the current worker's position."""
    result: dict[int, tuple[float, float]] = {}
    current, position, median = None, 0, None
    for worker_id, took in rows:
        if worker_id != current:
            current, position = worker_id, 0
        ranks = _percentile_ranks(counts[worker_id])
        if position == ranks[0]:
            median = took.total_seconds()
        if position == ranks[1]:
            result[worker_id] = (median, took.total_seconds())
        position += 1
    return result


@transaction.atomic
def project_stats_refresh(*, project: Project) -> ProjectStats:
    """Recompute every figure of `project` from its tasks and assignments.

    A handful of aggregate queries (one scan of the tasks, a few of the assignments):
    seconds for a million tasks on PostgreSQL, so it runs as a background job, never
    in a page view of a big project. Safe to run twice or concurrently (last one wins).
    """
    now = timezone.now()
    scope = {"organization_id": project.organization_id, "project_id": project.id}
    is_open = Q(status=Task.Status.OPEN)
    answered = Q(status=Task.Status.ANSWERED)
    by_model = ~Q(label_model_version="")
    tasks = Task.objects.filter(**scope, is_gold=False).aggregate(
        total=Count("id"),
        waiting=Count("id", filter=is_open & Q(live_assignments=0)),
        in_progress=Count("id", filter=is_open & Q(live_assignments__gt=0)),
        labeled=Count("id", filter=answered & ~by_model),
        auto_labeled=Count("id", filter=answered & by_model),
        failed=Count("id", filter=Q(status=Task.Status.FAILED)),
        withdrawn=Count("id", filter=Q(status=Task.Status.WITHDRAWN)),
        remaining=Sum(F("answers_needed") - F("answers_received"), filter=is_open),
    )
    assignments = Assignment.objects.filter(**scope)
    # Per worker: assignments by how they ended, and answers by their review.
    per_worker: dict[int, Counter] = {}
    rows = (
        assignments.values_list("worker_id", "status", "review_status")
        .annotate(count=Count("id"))
        .order_by()
    )
    for worker_id, status, review_status, count in rows:
        mine = per_worker.setdefault(worker_id, Counter())
        mine[status] += count
        if status == Assignment.Status.SUBMITTED:
            mine[f"review:{review_status}"] += count
    totals = sum(per_worker.values(), Counter())
    submitted = totals.get(Assignment.Status.SUBMITTED, 0)
    median, p90 = _overall_percentiles(project, submitted)
    spend = project_spend(project=project)
    stats, _ = ProjectStats.objects.update_or_create(
        project=project,
        defaults={
            "organization_id": project.organization_id,
            "tasks_total": tasks["total"],
            "tasks_waiting": tasks["waiting"],
            "tasks_in_progress": tasks["in_progress"],
            "tasks_labeled": tasks["labeled"],
            "tasks_auto_labeled": tasks["auto_labeled"],
            "tasks_failed": tasks["failed"],
            "tasks_withdrawn": tasks["withdrawn"],
            "answers_remaining": tasks["remaining"] or 0,
            "assignments_accepted": sum(totals[status] for status in Assignment.Status.values),
            "answers_submitted": submitted,
            "assignments_declined": totals.get(Assignment.Status.DECLINED, 0),
            "assignments_released": totals.get(Assignment.Status.RELEASED, 0),
            "assignments_expired": totals.get(Assignment.Status.EXPIRED, 0),
            "answers_approved": totals.get(APPROVED, 0),
            "answers_rejected": totals.get(REJECTED, 0),
            "median_seconds": median,
            "p90_seconds": p90,
            "label_counts": _label_counts(project),
            "confidence_histogram": _confidence_histogram(project),
            "labeled_by_month": _labeled_by_month(project),
            "cost_work": spend["work"],
            "cost_fees": spend["fees"],
            "refreshed_at": now,
        },
    )
    _hourly_answers_replace(project)
    _worker_stats_replace(project, per_worker, spend["by_worker"])
    return stats


def project_stats_current(*, project: Project) -> ProjectStats:
    """The project's figures as last refreshed, computed now if they never were (a page
    opened before the first periodic refresh)."""
    stats = ProjectStats.objects.filter(
        organization_id=project.organization_id, project=project
    ).first()
    return stats or project_stats_refresh(project=project)


def _label_counts(project: Project) -> dict[str, int]:
    """Tasks per consolidated label, for single-label types (`{"label": ...}` values)."""
    if project.task_type not in SINGLE_LABEL:
        return {}
    rows = (
        Task.objects.filter(
            organization_id=project.organization_id,
            project_id=project.id,
            consolidated_label__isnull=False,
        )
        .values_list("consolidated_label__label")
        .annotate(count=Count("id"))
        .order_by()
    )
    return {str(label): count for label, count in rows if label is not None}


def _labeled_by_month(project: Project) -> dict[str, int]:
    rows = (
        Task.objects.filter(
            organization_id=project.organization_id,
            project_id=project.id,
            status=Task.Status.ANSWERED,
            is_gold=False,
            consolidated_at__isnull=False,
        )
        .annotate(month=TruncMonth("consolidated_at"))
        .values_list("month")
        .annotate(count=Count("id"))
        .order_by("month")
    )
    return {f"{month:%Y-%m}": count for month, count in rows}


def _confidence_histogram(project: Project) -> list[int]:
    tasks = Task.objects.filter(organization_id=project.organization_id, project_id=project.id)
    bins = {
        f"bin{tenth}": Count(
            "id",
            filter=Q(confidence__gte=tenth / 10)
            & (Q(confidence__lt=(tenth + 1) / 10) if tenth < 9 else Q(confidence__lte=1)),
        )
        for tenth in range(10)
    }
    counts = tasks.filter(confidence__isnull=False).aggregate(**bins)
    return [counts[f"bin{tenth}"] for tenth in range(10)]


def _hourly_answers_replace(project: Project) -> None:
    hours = (
        _submitted(project)
        .annotate(hour=TruncHour("submitted_at"))
        .values_list("hour")
        .annotate(answers=Count("id"))
        .order_by("hour")
    )
    ProjectHourlyAnswers.objects.filter(project=project).delete()
    ProjectHourlyAnswers.objects.bulk_create(
        ProjectHourlyAnswers(
            organization_id=project.organization_id, project=project, hour=hour, answers=answers
        )
        for hour, answers in hours
    )


def _worker_stats_replace(
    project: Project, per_worker: dict[int, Counter], earnings: dict[int, Decimal]
) -> None:
    counts = {
        worker_id: statuses.get(Assignment.Status.SUBMITTED, 0)
        for worker_id, statuses in per_worker.items()
    }
    rows = (
        _submitted(project)
        .annotate(took=WORK_TIME)
        .order_by("worker_id", "took")
        .values_list("worker_id", "took")
        .iterator(chunk_size=20_000)
    )
    percentiles = _worker_percentiles(rows, counts)
    WorkerProjectStats.objects.filter(project=project).delete()
    WorkerProjectStats.objects.bulk_create(
        WorkerProjectStats(
            organization_id=project.organization_id,
            project=project,
            worker_id=worker_id,
            answers_submitted=counts[worker_id],
            assignments_declined=statuses.get(Assignment.Status.DECLINED, 0),
            assignments_released=statuses.get(Assignment.Status.RELEASED, 0),
            assignments_expired=statuses.get(Assignment.Status.EXPIRED, 0),
            answers_approved=statuses.get(APPROVED, 0),
            answers_rejected=statuses.get(REJECTED, 0),
            earnings=earnings.get(worker_id, 0),
            median_seconds=percentiles.get(worker_id, (None, None))[0],
            p90_seconds=percentiles.get(worker_id, (None, None))[1],
        )
        for worker_id, statuses in per_worker.items()
    )
