"""The worker's pages: their tasks, and the labeling page of one assignment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.client_ip import client_ip
from apps.core.crypto import decrypt
from apps.core.errors import DomainError, NotFound
from apps.core.pages import report_error
from apps.datasets.selectors import item_at_line
from apps.projects.selectors import project_get
from apps.tasks import quality, selectors, services
from apps.tasks.forms import GoldItemForm, MarketplaceFilterForm, QualitySettingsForm
from apps.tasks.models import Assignment
from apps.tasks.quality import SETTING_LIMITS
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
        "quality": selectors.worker_quality_for_worker(worker=request.user)[:RECENT],
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
        "failed_tasks": list(selectors.tasks_failed(project=project)),
        # Receivers of URL hooks verify X-Groundwork-Signature with it.
        "hook_secret": decrypt(project.hook_secret_encrypted)
        if project.hook_secret_encrypted
        else "",
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


QUALITY = {"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE}
GOLD_ROWS = 200  # the page lists the first gold items; the API pages through all


def _quality_page(request, project, *, settings_form=None, gold_form=None, status=200):
    settings = quality.project_settings(project=project)
    gold = selectors.gold_items_for_project(
        organization=request.organization, project_id=project.id
    )
    context = {
        "project": project,
        "settings_form": settings_form
        or QualitySettingsForm(initial={name: getattr(settings, name) for name in SETTING_LIMITS}),
        "gold_form": gold_form or GoldItemForm(project=project),
        "gold_items": gold.select_related("item")[:GOLD_ROWS],
        "gold_count": gold.count(),
    }
    return render(request, "tasks/project_quality.html", context, status=status)


def _back_to_quality(request, project) -> HttpResponse:
    return redirect(
        "project_quality_page", org_slug=request.organization.slug, project_id=project.id
    )


@organization_page(QUALITY)
def project_quality_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """Gold items and quality settings (gold rate, auto-pause, dynamic overlap); POST saves
    the settings."""
    project = project_get(organization=request.organization, project_id=project_id)
    if request.method != "POST":
        return _quality_page(request, project)
    form = QualitySettingsForm(request.POST)
    if not form.is_valid():
        return _quality_page(request, project, settings_form=form, status=400)
    quality.project_settings_update(project=project, actor=request.user, **form.cleaned_data)
    messages.success(request, "Quality settings saved.")
    return _back_to_quality(request, project)


@require_POST
@organization_page(QUALITY)
def project_gold_add(request: HttpRequest, project_id: int) -> HttpResponse:
    """Mark one dataset line as gold with its known answer (or change its answer)."""
    project = project_get(organization=request.organization, project_id=project_id)
    form = GoldItemForm(request.POST, project=project)
    if form.is_valid():
        try:
            item = item_at_line(
                organization=request.organization,
                dataset_id=project.dataset_id,
                line_number=form.cleaned_data["line"],
            )
            quality.gold_items_set(
                project=project,
                actor=request.user,
                items=[{"item_id": item.pk, "answer": form.answer_value()}],
            )
        except NotFound:
            form.add_error("line", f"The dataset has no line {form.cleaned_data['line']}.")
        except quality.GoldItemInvalid as error:  # details name items[0].<field>
            form.add_error("answer", error.message)
        else:
            messages.success(request, f"Line {item.line_number} is a gold item.")
            return _back_to_quality(request, project)
    return _quality_page(request, project, gold_form=form, status=400)


@require_POST
@organization_page({"POST": permissions.PROJECTS_MANAGE})
def project_gold_remove(request: HttpRequest, project_id: int, item_id: int) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    quality.gold_item_unset(project=project, actor=request.user, item_id=item_id)
    messages.success(request, "No longer a gold item: its task is an ordinary one again.")
    return _back_to_quality(request, project)


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


@organization_page({"GET": permissions.VENDOR_MANAGE, "POST": permissions.VENDOR_MANAGE})
def vendor_projects(request: HttpRequest) -> HttpResponse:
    """A vendor's managers see the requester projects routed to them and may name which of
    the teams routed to the subscription work on each (POST: one project's teams)."""
    if request.method == "POST":
        try:
            services.project_routes_set(
                vendor=request.organization,
                project_id=int(request.POST.get("project_id", "")),
                team_ids=[int(value) for value in request.POST.getlist("team_ids")],
                actor=request.user,
            )
        except (ValueError, NotFound):
            raise Http404 from None
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, "Saved which of your teams work on the project.")
        return redirect("vendor_projects", org_slug=request.organization.slug)
    projects = list(selectors.vendor_routed_projects(vendor=request.organization))
    teams = selectors.vendor_project_teams(vendor=request.organization, projects=projects)
    for project in projects:
        project.teams = teams[project.pk]
    return render(request, "tasks/vendor_projects.html", {"projects": projects})
