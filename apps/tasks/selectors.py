from django.db.models import Count, Q, QuerySet

from apps.accounts.models import Organization, User
from apps.core.errors import NotFound
from apps.projects.models import Project
from apps.tasks.models import Assignment, Task


def project_progress(*, project: Project) -> dict:
    """Tasks by state in one aggregate query."""
    counts = Task.objects.filter(organization_id=project.organization_id, project=project).aggregate(
        total=Count("id"),
        waiting=Count("id", filter=Q(status=Task.Status.OPEN, live_assignments=0)),
        in_progress=Count("id", filter=Q(status=Task.Status.OPEN, live_assignments__gt=0)),
        answered=Count("id", filter=Q(status=Task.Status.ANSWERED)),
        withdrawn=Count("id", filter=Q(status=Task.Status.WITHDRAWN)),
    )
    answers = Assignment.objects.filter(
        organization_id=project.organization_id, project=project, status=Assignment.Status.SUBMITTED
    ).count()
    return {"status": project.status, "tasks": counts, "answers": answers}


def assignment_list_for_project(*, organization: Organization, project_id: int) -> QuerySet[Assignment]:
    return Assignment.objects.filter(organization=organization, project_id=project_id).select_related(
        "task", "worker"
    )


def assignment_get_for_worker(*, worker: User, assignment_id: int) -> Assignment:
    """The worker's own assignment; anyone else's looks missing."""
    assignment = (
        Assignment.objects.filter(pk=assignment_id, worker=worker)
        .select_related("task__item", "project")
        .first()
    )
    if assignment is None:
        raise NotFound()
    return assignment


def assignment_list_for_worker(*, worker: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(worker=worker).select_related("project").order_by("-pk")
