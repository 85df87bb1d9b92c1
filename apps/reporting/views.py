"""Pages: a project's dashboard, its CSV downloads, and a worker's own figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.csv_stream import streamed_csv
from apps.core.jobs import enqueue_on_commit
from apps.projects.selectors import project_get
from apps.reporting import charts, jobs, selectors, services
from apps.reporting.api.views import ActivityFilters, activity_query
from apps.workforces.selectors import anonymized_worker_id_of

READ = {"GET": permissions.REPORTS_VIEW}
RECENT_EVENTS = 50


@organization_page(READ)
def project_report(request: HttpRequest, project_id: int) -> HttpResponse:
    organization = request.organization
    project = project_get(organization=organization, project_id=project_id)
    dashboard = selectors.project_dashboard(
        project=project, stats=services.project_stats_current(project=project)
    )
    stats = dashboard.stats
    states = [
        ("Waiting", stats.tasks_waiting),
        ("Being labeled", stats.tasks_in_progress),
        ("Labeled", stats.tasks_labeled),
        ("Auto-labeled", stats.tasks_auto_labeled),
        ("Failed", stats.tasks_failed),
        ("Withdrawn", stats.tasks_withdrawn),
    ]
    workers = list(selectors.worker_stats_for_project(project=project)[:50])
    for row in workers:
        row.anonymized_id = anonymized_worker_id_of(
            user_id=row.worker_id, organization_id=organization.id
        )
        row.gold_accuracy = selectors.gold_accuracy(row)
    confidence = [
        (f"{tenth / 10:.1f}", count) for tenth, count in enumerate(stats.confidence_histogram)
    ]
    events = [
        (event, anonymized_worker_id_of(user_id=event.worker_id, organization_id=organization.id))
        for event in selectors.activity_events(project=project, limit=RECENT_EVENTS)
    ]
    context = {
        "project": project,
        "dashboard": dashboard,
        "stats": stats,
        "states": states,
        "workers": workers,
        "events": events,
        "states_chart": charts.bar_chart(
            states, title="Items by state", x_label="state", y_label="items"
        ),
        "hourly_chart": charts.bar_chart(
            [(f"{hour:%H}h", answers) for hour, answers in dashboard.hourly],
            title="Answers per hour, last 48 hours (UTC)",
            x_label="hour",
            y_label="answers",
            label_every=6,
        ),
        "labels_chart": charts.bar_chart(
            sorted(stats.label_counts.items(), key=lambda pair: -pair[1]),
            title="Consolidated labels",
            x_label="label",
            y_label="items",
        ),
        "confidence": confidence,
        "confidence_chart": charts.bar_chart(
            confidence,
            title="Confidence of consolidated labels",
            x_label="confidence from",
            y_label="items",
        ),
        "daily_chart": charts.bar_chart(
            [(f"{day:%m-%d}", answers) for day, answers in dashboard.daily],
            title="Answers per day",
            x_label="day",
            y_label="answers",
            label_every=max(1, len(dashboard.daily) // 10),
        ),
    }
    return render(request, "reporting/project_report.html", context)


@require_POST
@organization_page({"POST": permissions.REPORTS_VIEW})
def project_report_refresh(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    enqueue_on_commit(
        jobs.project_stats_refresh, organization_id=project.organization_id, project_id=project.id
    )
    messages.success(request, "Refreshing: reload in a moment.")
    return redirect("project_report", org_slug=request.organization.slug, project_id=project.id)


@organization_page(READ)
def project_activity_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    organization = request.organization
    project = project_get(organization=organization, project_id=project_id)
    filters = ActivityFilters(data=request.GET)
    if not filters.is_valid():
        return HttpResponse(str(filters.errors), status=400, content_type="text/plain")
    query = activity_query(filters, organization)  # an unknown worker id is a 404
    rows = (
        (
            event.at.isoformat(),
            event.kind,
            anonymized_worker_id_of(user_id=event.worker_id, organization_id=organization.id),
            event.assignment_id,
            event.task_id,
        )
        for event in selectors.activity_events(project=project, **query)
    )
    return streamed_csv(
        f"{project.name}-activity.csv",
        ["at", "event", "worker_id", "assignment_id", "task_id"],
        rows,
    )


@organization_page(READ)
def project_workers_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    organization = request.organization
    project = project_get(organization=organization, project_id=project_id)
    rows = (
        (
            anonymized_worker_id_of(user_id=row.worker_id, organization_id=organization.id),
            row.answers_submitted,
            row.assignments_declined,
            row.assignments_released,
            row.assignments_expired,
            row.median_seconds,
            row.p90_seconds,
            row.answers_approved,
            row.answers_rejected,
            row.earnings,
            row.accuracy,
            row.agreement,
            selectors.gold_accuracy(row),
        )
        for row in selectors.worker_stats_for_project(project=project).iterator()
    )
    header = ["worker_id", "answers", "declined", "released", "expired", "median_seconds"]
    header += ["p90_seconds", "approved", "rejected", "earnings", "accuracy", "agreement"]
    header += ["gold_accuracy"]
    return streamed_csv(f"{project.name}-workers.csv", header, rows)


@organization_page(READ)
def project_answers_csv(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    rows = (
        (hour.isoformat(), answers)
        for hour, answers in selectors.hourly_answers(project=project).iterator()
    )
    return streamed_csv(f"{project.name}-answers-per-hour.csv", ["hour", "answers"], rows)


@organization_page(READ)
def organization_report(request: HttpRequest) -> HttpResponse:
    overview = selectors.organization_overview(organization=request.organization)
    context = {
        "overview": overview,
        "monthly_chart": charts.bar_chart(
            [(f"{month:%Y-%m}", answers) for month, answers in overview.monthly],
            title="Answers per month, all projects",
            x_label="month",
            y_label="answers",
        ),
    }
    return render(request, "reporting/organization_report.html", context)


@organization_page(READ)
def organization_projects_csv(request: HttpRequest) -> HttpResponse:
    overview = selectors.organization_overview(organization=request.organization)
    rows = (
        (
            stats.project.name,
            stats.project.status,
            stats.project.workteam.name,
            stats.tasks_total,
            stats.tasks_labeled,
            stats.answers_submitted,
            stats.median_seconds,
            stats.refreshed_at.isoformat(),
        )
        for stats in overview.projects
    )
    header = ["project", "status", "team", "items", "labeled", "answers", "median_seconds"]
    return streamed_csv(f"{request.organization.slug}-projects.csv", [*header, "as_of"], rows)


@organization_page(READ)
def organization_teams_csv(request: HttpRequest) -> HttpResponse:
    overview = selectors.organization_overview(organization=request.organization)
    columns = ["team", "vendor", "projects", "tasks", "labeled", "answers", "approved"]
    columns += ["rejected", "cost"]
    rows = ([row[column] for column in columns] for row in overview.teams)
    return streamed_csv(f"{request.organization.slug}-teams.csv", columns, rows)


@login_required
def work_report(request: HttpRequest) -> HttpResponse:
    """A worker's own figures (under /work/: the worker scope middleware applies)."""
    rows = selectors.worker_stats_for_worker(worker=request.user)
    return render(request, "reporting/work_report.html", {"rows": rows})
