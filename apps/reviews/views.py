"""Requester pages: flows and their loops (status, answers), task UIs with a sandboxed
preview, and the review queue of a labeling project (approve, reject, bulk approve)."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.core.errors import DomainError
from apps.core.pages import report_error
from apps.projects.selectors import project_get
from apps.reviews import arns, selectors, services
from apps.tasks.models import ReviewStatus
from apps.workforces.selectors import anonymized_worker_id

MANAGE = {"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE}
REVIEW = {"GET": permissions.REVIEWS_REVIEW, "POST": permissions.REVIEWS_REVIEW}
PAGE_ROWS = 200


@organization_page(MANAGE)
def flow_list(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    context = {
        "flows": selectors.flow_definition_list(organization=organization).order_by("-pk"),
        "task_uis": selectors.human_task_ui_list(organization=organization).order_by("name"),
    }
    return render(request, "reviews/flow_list.html", context)


@organization_page(MANAGE)
def flow_page(request: HttpRequest, name: str) -> HttpResponse:
    flow = selectors.flow_definition_get(organization=request.organization, name=name)
    loops = selectors.human_loop_list(organization=request.organization, flow=flow)
    context = {
        "flow": flow,
        "flow_arn": arns.flow_definition_arn(flow),
        "loops": loops.order_by("-pk")[:PAGE_ROWS],
    }
    return render(request, "reviews/flow_page.html", context)


@organization_page(MANAGE)
def loop_page(request: HttpRequest, name: str) -> HttpResponse:
    loop = selectors.human_loop_get(organization=request.organization, name=name)
    answers = services.human_loop_output(loop)["humanAnswers"] if loop.task_id else []
    context = {
        "loop": loop,
        "loop_arn": arns.human_loop_arn(loop),
        "input": json.dumps(json.loads(loop.input_content), indent=2, ensure_ascii=False),
        "answers": [
            {**answer, "content": json.dumps(answer["answerContent"], indent=2)}
            for answer in answers
        ],
    }
    return render(request, "reviews/loop_page.html", context)


@require_POST
@organization_page(MANAGE)
def loop_stop(request: HttpRequest, name: str) -> HttpResponse:
    loop = selectors.human_loop_get(organization=request.organization, name=name)
    try:
        services.human_loop_stop(loop=loop, actor=request.user)
    except DomainError as error:
        report_error(request, error)
    else:
        messages.success(request, f"Stopped {loop.name}.")
    return redirect("reviews:loop", org_slug=request.organization.slug, name=loop.name)


@organization_page(MANAGE)
def task_ui_page(request: HttpRequest, name: str) -> HttpResponse:
    ui = selectors.human_task_ui_get(organization=request.organization, name=name)
    sample = request.GET.get("input", '{"text": "A sample input"}')
    try:
        task_input = json.loads(sample)
        if not isinstance(task_input, dict):
            raise ValueError
    except ValueError:
        task_input = None
        messages.error(request, "The sample input must be a JSON object.")
    result = services.human_task_ui_render(source=ui.content, task_input=task_input or {})
    context = {"ui": ui, "ui_arn": arns.human_task_ui_arn(ui), "sample": sample, "result": result}
    return render(request, "reviews/task_ui_page.html", context)


@organization_page(REVIEW)
def review_queue_page(request: HttpRequest, project_id: int) -> HttpResponse:
    organization = request.organization
    project = project_get(organization=organization, project_id=project_id)
    filters = {
        "review_status": request.GET.get("review_status") or ReviewStatus.PENDING,
        "worker_id": request.GET.get("worker_id", "").strip(),
        "label": request.GET.get("label", "").strip(),
        "disagreement": request.GET.get("disagreement") == "1",
    }
    try:
        queue = list(
            selectors.review_queue(organization=organization, project=project, **filters)[
                :PAGE_ROWS
            ]
        )
    except DomainError as error:
        report_error(request, error)
        queue = []
    rows = [
        {
            "assignment": assignment,
            "worker_id": anonymized_worker_id(user=assignment.worker, organization=organization),
            "label": selectors.answer_label(assignment),
            "answer": json.dumps(assignment.answer, ensure_ascii=False),
        }
        for assignment in queue
    ]
    context = {
        "project": project,
        "rows": rows,
        "filters": filters,
        "statuses": ReviewStatus.choices,
        "counts": selectors.review_counts(organization=organization, project=project),
    }
    return render(request, "reviews/review_queue.html", context)


@require_POST
@organization_page(REVIEW)
def review_act(request: HttpRequest, project_id: int) -> HttpResponse:
    """One form for the queue's buttons: approve or reject one answer, or approve the
    checked ones."""
    organization = request.organization
    project = project_get(organization=organization, project_id=project_id)
    action = request.POST.get("action", "")
    try:
        if action == "bulk_approve":
            ids = [
                int(value) for value in request.POST.getlist("assignment_ids") if value.isdigit()
            ]
            approved = services.assignments_approve(
                organization=organization, project=project, assignment_ids=ids, actor=request.user
            )
            messages.success(request, f"Approved {approved} answer{'s' if approved != 1 else ''}.")
        elif action in ("approve", "reject"):
            assignment = selectors.assignment_get_for_review(
                organization=organization, assignment_id=int(request.POST.get("assignment_id", 0))
            )
            if assignment.project_id != project.pk:
                raise DomainError("That answer is not from this project.")
            reason = request.POST.get("reason", "")
            if action == "approve":
                services.assignment_approve(
                    assignment=assignment, actor=request.user, reason=reason
                )
                messages.success(request, f"Approved answer #{assignment.pk}.")
            else:
                services.assignment_reject(assignment=assignment, actor=request.user, reason=reason)
                messages.success(
                    request, f"Rejected answer #{assignment.pk}; it is back in the queue."
                )
        else:
            raise DomainError("Unknown action.")
    except DomainError as error:
        report_error(request, error)
    return redirect("reviews:queue", org_slug=organization.slug, project_id=project.pk)
