"""Reads of the reporting app: dashboards from the pre-aggregated rows, and the activity
log straight from the assignments (every event is a timestamp an assignment already has)."""

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from apps.payouts.selectors import project_escrow_balance
from apps.projects.models import Project
from apps.reporting.models import ProjectHourlyAnswers, ProjectStats, WorkerProjectStats
from apps.tasks.models import Assignment, ProjectQuality, WorkerQuality
from apps.workforces.selectors import anonymized_worker_id_of

RECENT_HOURS = 48  # the hourly chart's window; the daily one covers the whole project


@dataclass(frozen=True)
class Dashboard:
    stats: ProjectStats
    agreement: dict  # the consolidation's figures: see `project_agreement`
    escrow: Decimal  # what the project's escrow still holds, now
    hourly: list[tuple[datetime, int]]  # the last RECENT_HOURS hours, zeros included
    daily: list[tuple[date, int]]  # every day from the first answer to the last
    answers_last_24_hours: int
    eta: timedelta | None  # at the last 24 hours' rate; None without answers or work left

    @property
    def label_counters(self) -> dict[str, int]:
        """Ground Truth's DescribeLabelingJob LabelCounters."""
        stats = self.stats
        return {
            "TotalLabeled": stats.tasks_labeled + stats.tasks_auto_labeled,
            "HumanLabeled": stats.tasks_labeled,
            "MachineLabeled": stats.tasks_auto_labeled,
            "FailedNonRetryableError": stats.tasks_failed,
            "Unlabeled": stats.tasks_waiting + stats.tasks_in_progress,
        }


def project_dashboard(
    *, project: Project, stats: ProjectStats, now: datetime | None = None
) -> Dashboard:
    now = now or timezone.now()
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    first_hour = this_hour - timedelta(hours=RECENT_HOURS - 1)
    hours = ProjectHourlyAnswers.objects.filter(
        organization_id=stats.organization_id, project_id=stats.project_id
    )
    recent = dict(hours.filter(hour__gte=first_hour).values_list("hour", "answers"))
    hourly = [
        (hour, recent.get(hour, 0))
        for hour in (first_hour + timedelta(hours=n) for n in range(RECENT_HOURS))
    ]
    by_day = (
        hours.annotate(day=TruncDate("hour"))
        .values_list("day")
        .annotate(answers=Sum("answers"))
        .order_by("day")
    )
    daily = _days_filled(list(by_day))
    last_24 = sum(answers for hour, answers in hourly if hour > this_hour - timedelta(hours=24))
    eta = None
    if last_24 and stats.answers_remaining:
        eta = timedelta(hours=stats.answers_remaining * 24 / last_24)
    return Dashboard(
        stats=stats,
        agreement=project_agreement(project=project),
        escrow=project_escrow_balance(project=project),
        hourly=hourly,
        daily=daily,
        answers_last_24_hours=last_24,
        eta=eta,
    )


def _days_filled(days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    if not days:
        return []
    counts = dict(days)
    first, last = days[0][0], days[-1][0]
    return [
        (first + timedelta(days=n), counts.get(first + timedelta(days=n), 0))
        for n in range((last - first).days + 1)
    ]


def hourly_answers(*, project: Project) -> QuerySet:
    """(hour, answers) rows of the whole project, oldest first."""
    return (
        ProjectHourlyAnswers.objects.filter(
            organization_id=project.organization_id, project=project
        )
        .order_by("hour")
        .values_list("hour", "answers")
    )


@dataclass(frozen=True)
class OrganizationOverview:
    projects: list[ProjectStats]  # every started project's figures, newest project first
    teams: list[dict]  # per workteam: vendor, projects, tasks, labeled, answers, cost
    monthly: list[tuple[date, int]]  # answers per month, all projects
    labeled_monthly: list[tuple[str, int]]  # items labeled per month ("YYYY-MM"), all projects
    spend: Decimal  # work and fees over all projects
    leaderboards: dict[str, list[dict]]  # team name -> its workers by answers, top 10


def organization_overview(*, organization) -> OrganizationOverview:
    """Rollups over an organization's projects, from their pre-aggregated figures."""
    projects = list(
        ProjectStats.objects.filter(organization=organization)
        .select_related("project__workteam__subscription__vendor")
        .order_by("-project_id")
    )
    teams: dict[int, dict] = {}
    for stats in projects:
        team = stats.project.workteam
        subscription = team.subscription
        row = teams.setdefault(
            team.pk,
            {
                "team": team.name,
                "vendor": subscription.vendor.name if subscription else "",
                "projects": 0,
                "tasks": 0,
                "labeled": 0,
                "answers": 0,
                "approved": 0,
                "rejected": 0,
                "cost": Decimal(0),
            },
        )
        row["projects"] += 1
        row["tasks"] += stats.tasks_total
        row["labeled"] += stats.tasks_labeled + stats.tasks_auto_labeled
        row["answers"] += stats.answers_submitted
        row["cost"] += stats.cost_work + stats.cost_fees
        row["approved"] += stats.answers_approved
        row["rejected"] += stats.answers_rejected
    labeled_monthly: dict[str, int] = {}
    for stats in projects:
        for month, count in stats.labeled_by_month.items():
            labeled_monthly[month] = labeled_monthly.get(month, 0) + count
    monthly = (
        ProjectHourlyAnswers.objects.filter(organization=organization)
        .annotate(month=TruncMonth("hour"))
        .values_list("month")
        .annotate(answers=Sum("answers"))
        .order_by("month")
    )
    return OrganizationOverview(
        projects=projects,
        teams=sorted(teams.values(), key=lambda row: (-row["answers"], row["team"])),
        labeled_monthly=sorted(labeled_monthly.items()),
        spend=sum((row["cost"] for row in teams.values()), Decimal(0)),
        leaderboards=_team_leaderboards(organization),
        monthly=[(month.date(), answers) for month, answers in monthly],
    )


LEADERBOARD_SIZE = 10


def _team_leaderboards(organization) -> dict[str, list[dict]]:
    """Per workteam, its workers' answers, approvals and earnings over the team's projects,
    most answers first (anonymized ids: public and vendor workers are never named)."""
    rows = (
        WorkerProjectStats.objects.filter(organization=organization)
        .values("project__workteam__name", "worker_id")
        .annotate(
            answers=Sum("answers_submitted"),
            approved=Sum("answers_approved"),
            earnings=Sum("earnings"),
        )
        .order_by("project__workteam__name", "-answers", "worker_id")
    )
    boards: dict[str, list[dict]] = {}
    for row in rows:
        board = boards.setdefault(row["project__workteam__name"], [])
        if len(board) < LEADERBOARD_SIZE:
            board.append(
                {
                    "worker_id": anonymized_worker_id_of(
                        user_id=row["worker_id"], organization_id=organization.id
                    ),
                    "answers": row["answers"],
                    "approved": row["approved"],
                    "earnings": row["earnings"],
                }
            )
    return boards


def worker_stats_for_project(*, project: Project) -> QuerySet[WorkerProjectStats]:
    """Per worker figures, with the quality the consolidation estimated (`accuracy`,
    `agreement` with consolidated labels, `gold_answers`/`gold_correct`) alongside."""
    return _with_quality(
        WorkerProjectStats.objects.filter(organization_id=project.organization_id, project=project)
    ).order_by("-answers_submitted", "worker_id")


def _with_quality(rows: QuerySet[WorkerProjectStats]) -> QuerySet[WorkerProjectStats]:
    quality = WorkerQuality.objects.filter(
        project_id=OuterRef("project_id"), worker_id=OuterRef("worker_id")
    )
    return rows.annotate(
        **{
            field: Subquery(quality.values(field)[:1])
            for field in ("accuracy", "agreement", "gold_answers", "gold_correct")
        }
    )


def gold_accuracy(stats) -> float | None:
    """Share of a worker's gold answers that were right (None before any)."""
    if not getattr(stats, "gold_answers", None):
        return None
    return stats.gold_correct / stats.gold_answers


def project_agreement(*, project: Project) -> dict:
    """The consolidation's agreement figures (kappa, alpha, span F1, box IoU), or {}."""
    row = ProjectQuality.objects.filter(
        organization_id=project.organization_id, project=project
    ).first()
    return row.metrics if row is not None else {}


def worker_stats_for_worker(*, worker) -> QuerySet[WorkerProjectStats]:
    """A worker's own figures, in the organizations of the current (worker) scope."""
    return _with_quality(
        WorkerProjectStats.objects.filter(worker=worker).select_related("project")
    ).order_by("-project_id")


# The activity log


# Each kind of event: the assignment timestamp it is, and which assignments have it.
EVENTS = {
    "accepted": ("created_at", {}),
    **{
        status: ("ended_at", {"status": status})
        for status in ("submitted", "declined", "released", "expired", "withdrawn")
    },
    "approved": ("reviewed_at", {"review_status": "approved"}),
    "rejected": ("reviewed_at", {"review_status": "rejected"}),
}
EVENT_KINDS = tuple(EVENTS)


@dataclass(frozen=True, order=True)
class ActivityEvent:
    at: datetime
    assignment_id: int
    kind: str
    worker_id: int
    task_id: int


def activity_events(
    *,
    project: Project,
    kinds: list[str] | None = None,
    worker_id: int | None = None,
    since: datetime | None = None,
    before: tuple[datetime, int] | None = None,
    limit: int | None = None,
) -> Iterator[ActivityEvent]:
    """The project's worker task events, newest first: accepted (an assignment's
    creation), how it ended (submitted, declined, released, expired, withdrawn), and the
    review of an answer (approved, rejected).

    Each kind is one indexed scan of the assignments in time order; they are merged here,
    so a page of the newest events never sorts the whole project. `before` is the
    (time, assignment id) of the last event of the previous page.
    """
    assignments = Assignment.objects.filter(
        organization_id=project.organization_id, project_id=project.id
    )
    if worker_id is not None:
        assignments = assignments.filter(worker_id=worker_id)
    streams = []
    for kind in kinds or EVENT_KINDS:
        at, which = EVENTS[kind]
        rows = (
            assignments.filter(**which, **{f"{at}__isnull": False})
            .annotate(at=F(at), kind=Value(kind))
            .values_list("at", "id", "kind", "worker_id", "task_id")
        )
        if since is not None:
            rows = rows.filter(**{f"{at}__gte": since})
        if before is not None:
            rows = rows.filter(
                Q(**{f"{at}__lt": before[0]}) | Q(**{at: before[0], "id__lt": before[1]})
            )
        rows = rows.order_by(f"-{at}", "-id")
        if limit is not None:
            rows = rows[:limit]
        streams.append(ActivityEvent(*row) for row in rows.iterator(chunk_size=2000))
    events = heapq.merge(*streams, key=lambda event: (event.at, event.assignment_id), reverse=True)
    for count, event in enumerate(events):
        if limit is not None and count >= limit:
            return
        yield event
