"""The worker's pages: their tasks, and the labeling page of one assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.client_ip import client_ip
from apps.core.errors import DomainError, NotFound
from apps.core.pages import report_error
from apps.projects.selectors import project_get
from apps.tasks import selectors, services
from apps.tasks.forms import MarketplaceFilterForm
from apps.tasks.models import Assignment
from apps.tasks.taskui import assignment_frame_url, project_preview
from apps.workforces.selectors import anonymized_worker_id, worker_profile_find

RECENT = 20
WORKER_QUALITY_ROWS = 50  # the project page shows the most active workers; the API lists all


@login_required
def work_tasks(request: HttpRequest) -> HttpResponse:
    workteam_ids = selectors.workteam_ids_open_to(
        teams=request.work_teams, address=client_ip(request)
    )
    assignments = selectors.assignment_list_for_worker(worker=request.user)
    context = {
        "projects": selectors.projects_open_to_worker(
            worker=request.user, workteam_ids=workteam_ids
        ),
        "held": assignments.filter(status=Assignment.Status.ACTIVE),
        "recent": assignments.exclude(status=Assignment.Status.ACTIVE)[:RECENT],
    }
    return render(request, "tasks/work_tasks.html", context)


@login_required
@require_POST
def work_start(request: HttpRequest) -> HttpResponse:
    """Claim the next task (of one project, if chosen) and open it."""
    project_id = request.POST.get("project_id") or None
    try:
        project_id = int(project_id) if project_id else None
        workteam_ids = selectors.workteam_ids_open_to(
            teams=request.work_teams, address=client_ip(request), project_id=project_id
        )
    except (NotFound, ValueError):
        raise Http404 from None
    assignment = services.assignment_next(
        worker=request.user, workteam_ids=workteam_ids, project_id=project_id
    )
    if assignment is None:
        messages.info(request, "No tasks are waiting for you right now. Check back later.")
        return redirect("work_tasks")
    return redirect("work_assignment", assignment_id=assignment.id)


@login_required
def work_assignment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        assignment = selectors.assignment_get_for_worker(
            worker=request.user, assignment_id=assignment_id
        )
    except NotFound:
        raise Http404 from None
    selectors.work_team_check(
        teams=request.work_teams,
        workteam_id=assignment.project.workteam_id,
        address=client_ip(request),
    )
    if assignment.status != Assignment.Status.ACTIVE or assignment.is_overdue:
        messages.info(request, "That task is no longer yours to work on.")
        return redirect("work_tasks")
    context = {
        "assignment": assignment,
        "project": assignment.project,
        "frame_url": assignment_frame_url(assignment),
    }
    return render(request, "tasks/work_assignment.html", context)


@organization_page({"GET": permissions.PROJECTS_MANAGE})
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """A project as its requester sees it: progress, the worker UI preview, start/stop."""
    project = project_get(organization=request.organization, project_id=project_id)
    preview, preview_error = None, ""
    try:
        preview = project_preview(project=project)
    except DomainError as error:
        preview_error = error.message
    context = {
        "project": project,
        "progress": selectors.project_progress(project=project),
        "preview": preview,
        "preview_error": preview_error,
        "quality": selectors.project_quality(project=project),
        "worker_quality": [
            (anonymized_worker_id(user=row.worker, organization=request.organization), row)
            for row in selectors.worker_quality_for_project(
                organization=request.organization, project_id=project.id
            )[:WORKER_QUALITY_ROWS]
        ],
    }
    return render(request, "tasks/project_page.html", context)


@require_POST
@organization_page({"POST": permissions.PROJECTS_MANAGE})
def project_lifecycle(request: HttpRequest, project_id: int, action: str) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    change = {"start": services.project_start, "stop": services.project_stop}[action]
    try:
        change(project=project, actor=request.user)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(
            request, "Starting: tasks are being created." if action == "start" else "Stopping."
        )
    return redirect("project_page", org_slug=request.organization.slug, project_id=project.id)


@login_required
def marketplace(request: HttpRequest) -> HttpResponse:
    """Public projects a crowd worker may take: newest or best-paid first, with filters."""
    form = MarketplaceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    projects = selectors.marketplace_projects(
        worker=request.user,
        query=filters.get("q", ""),
        task_type=filters.get("task_type", ""),
        min_price=filters.get("min_price"),
        qualified_only=filters.get("qualified_only", False),
        sort=filters.get("sort") or "newest",
    )
    profile = worker_profile_find(user=request.user)
    context = {
        "form": form,
        "projects": projects,
        "is_public_crowd": bool(profile and profile.is_public_crowd),
    }
    status = 400 if form.errors else 200
    return render(request, "tasks/marketplace.html", context, status=status)


@organization_page({"GET": permissions.VENDOR_MANAGE})
def vendor_projects(request: HttpRequest) -> HttpResponse:
    """A vendor's managers see the requester projects routed to them; which of their teams
    work on a subscriber's projects is set per subscription on the vendor console."""
    projects = selectors.vendor_routed_projects(vendor=request.organization)
    return render(request, "tasks/vendor_projects.html", {"projects": projects})
