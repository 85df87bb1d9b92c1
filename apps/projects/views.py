"""Requester pages that define a project: the list, the new-project form, editing a draft.
The project page itself (progress, preview, start/stop) shows the work: apps/tasks/views.py."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.errors import DomainError
from apps.core.pages import report_error
from apps.datasets.selectors import dataset_get, dataset_list
from apps.projects import selectors, services
from apps.projects.forms import ProjectForm
from apps.workforces.selectors import workteam_get, workteam_list

MANAGE = {"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE}


@organization_page({"GET": permissions.PROJECTS_MANAGE})
def project_list(request: HttpRequest) -> HttpResponse:
    projects = selectors.project_list(organization=request.organization).order_by("-pk")
    return render(request, "projects/project_list.html", {"projects": projects})


def _form(request: HttpRequest, **kwargs) -> ProjectForm:
    return ProjectForm(
        request.POST or None,
        datasets=dataset_list(organization=request.organization),
        workteams=workteam_list(organization=request.organization),
        **kwargs,
    )


def _fields(request: HttpRequest, form: ProjectForm) -> dict:
    fields = dict(form.cleaned_data)
    fields["dataset"] = dataset_get(organization=request.organization, dataset_id=fields["dataset"])
    fields["workteam"] = workteam_get(
        organization=request.organization, workteam_id=fields["workteam"]
    )
    return fields


@organization_page(MANAGE)
def project_new(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                organization=request.organization, actor=request.user, **_fields(request, form)
            )
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, f"Created {project.name}. Check the preview, then start it.")
            return redirect(
                "project_page", org_slug=request.organization.slug, project_id=project.id
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/project_form.html", {"form": form, "project": None}, status=status
    )


@organization_page(MANAGE)
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = selectors.project_get(organization=request.organization, project_id=project_id)
    form = _form(request, initial=ProjectForm.initial_from(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=project, actor=request.user, **_fields(request, form))
        except DomainError as error:
            report_error(request, error, form)
        else:
            messages.success(request, "Saved.")
            return redirect(
                "project_page", org_slug=request.organization.slug, project_id=project.id
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/project_form.html", {"form": form, "project": project}, status=status
    )
