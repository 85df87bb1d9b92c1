from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.errors import NotFound
from apps.projects.models import Project
from apps.tasks.models import Assignment, GoldItem, ProjectQuality, Task, WorkerQuality
from apps.workforces.errors import WorkerAddressRefused
from apps.workforces.models import VendorSubscription, Workforce, Workteam
from apps.workforces.selectors import workforce_ip_allowed, workteams_for_worker


def project_progress(*, project: Project) -> dict:
    """Tasks by state in one aggregate query."""
    counts = Task.objects.filter(
        organization_id=project.organization_id, project=project
    ).aggregate(
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


def assignment_list_for_project(
    *, organization: Organization, project_id: int
) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        organization=organization, project_id=project_id
    ).select_related("task", "worker")


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


def work_team_check(*, teams: list[Workteam], workteam_id: int, address: str | None) -> None:
    """May this request work on `workteam_id`'s tasks? NotFound if the worker is no longer
    on the team (blocked, removed, unqualified); WorkerAddressRefused from outside its
    workforce's IP ranges."""
    team = next((team for team in teams if team.pk == workteam_id), None)
    if team is None:
        raise NotFound()
    if not workforce_ip_allowed(workforce=team.workforce, address=address):
        raise WorkerAddressRefused.for_address(address)


def workteam_ids_open_to(
    *, teams: list[Workteam], address: str | None, project_id: int | None = None
) -> list[int]:
    """The teams whose queue this request may draw from.

    A project the worker cannot reach is NotFound; teams whose workforce refuses the
    request's address are left out, and if that leaves none the request is refused
    (WorkerAddressRefused, a 403 naming the address) rather than told "no work".
    """
    if project_id is not None:
        team_ids = [team.pk for team in teams]
        project = Project.objects.filter(pk=project_id, workteam_id__in=team_ids).first()
        if project is None:
            raise NotFound()
        teams = [team for team in teams if team.pk == project.workteam_id]
    allowed = [
        team.pk for team in teams if workforce_ip_allowed(workforce=team.workforce, address=address)
    ]
    if teams and not allowed:
        raise WorkerAddressRefused.for_address(address)
    return allowed


def _waiting_tasks() -> Count:
    """Per project: open tasks with room for another answer."""
    has_room = Q(
        tasks__answers_received__lt=F("tasks__answers_needed") - F("tasks__live_assignments")
    )
    return Count("tasks", filter=Q(tasks__status=Task.Status.OPEN) & has_room)


def projects_open_to_worker(*, worker: User, workteam_ids: list[int]) -> QuerySet[Project]:
    """In-progress projects of these teams, with `waiting` = tasks needing an answer now."""
    now = timezone.now()
    return (
        Project.objects.filter(
            status=Project.Status.IN_PROGRESS, workteam_id__in=workteam_ids, available_until__gt=now
        )
        .annotate(waiting=_waiting_tasks())
        .order_by("-priority", "pk")
    )


MARKETPLACE_SORTS = {
    "newest": ("-started_at", "-pk"),
    "best_paid": ("-price_per_task", "-started_at"),
}


def marketplace_projects(
    *,
    worker: User,
    query: str = "",
    task_type: str = "",
    min_price=None,
    qualified_only: bool = False,
    sort: str = "newest",
) -> QuerySet[Project]:
    """Public-crowd projects open now, across organizations, with `waiting` tasks and
    the team's required qualifications; `qualified_only` keeps those the worker may take."""
    now = timezone.now()
    projects = Project.global_objects.filter(
        status=Project.Status.IN_PROGRESS,
        available_until__gt=now,
        workteam__workforce__kind=Workforce.Kind.PUBLIC,
    )
    if query:
        projects = projects.filter(
            Q(name__icontains=query) | Q(short_instructions__icontains=query)
        )
    if task_type:
        projects = projects.filter(task_type=task_type)
    if min_price is not None:
        projects = projects.filter(price_per_task__gte=min_price)
    if qualified_only:
        projects = projects.filter(workteam__in=workteams_for_worker(user=worker))
    return (
        projects.annotate(waiting=_waiting_tasks())
        .select_related("organization")
        .prefetch_related("workteam__required_qualifications")
        .order_by(*MARKETPLACE_SORTS.get(sort, MARKETPLACE_SORTS["newest"]))
    )


def vendor_routed_projects(*, vendor: Organization) -> QuerySet[Project]:
    """Requesters' projects that run on `vendor`'s workforce through an active subscription
    (read across organizations, for the vendor's managers), with `waiting` tasks."""
    return (
        Project.global_objects.filter(
            workteam__subscription__vendor=vendor,
            workteam__subscription__status=VendorSubscription.Status.ACTIVE,
        )
        .exclude(status=Project.Status.DRAFT)
        .annotate(waiting=_waiting_tasks())
        .select_related("organization", "workteam__subscription")
        .order_by("-started_at", "-pk")
    )


def worker_quality_for_project(
    *, organization: Organization, project_id: int
) -> QuerySet[WorkerQuality]:
    return (
        WorkerQuality.objects.filter(organization=organization, project_id=project_id)
        .select_related("worker")
        .order_by("-answers", "pk")
    )


def worker_quality_for_organization(*, organization: Organization) -> QuerySet:
    """Per worker over all the organization's projects: answers, and agreement and accuracy
    averaged over projects weighted by the answers they rest on."""
    weighted = {
        "agree_sum": Sum(F("agreement") * Cast("consolidated_answers", FloatField())),
        "accuracy_sum": Sum(F("accuracy") * Cast("answers", FloatField())),
        "accuracy_weight": Sum("answers", filter=Q(accuracy__isnull=False)),
    }
    return (
        WorkerQuality.objects.filter(organization=organization)
        .values("worker")
        .annotate(
            total_answers=Sum("answers"),
            total_consolidated=Sum("consolidated_answers"),
            projects=Count("project"),
            **weighted,
        )
        .order_by("-total_answers", "worker")
    )


def worker_quality_for_worker(*, worker: User) -> QuerySet[WorkerQuality]:
    """A worker's own quality, per project, in the organizations they work for."""
    return WorkerQuality.objects.filter(worker=worker).select_related("project").order_by("-pk")


def project_quality(*, project: Project) -> dict:
    """The project's agreement figures from the last re-estimation, and when they were
    computed ({} before the first)."""
    row = (
        ProjectQuality.objects.filter(organization_id=project.organization_id, project=project)
        .values("metrics", "updated_at")
        .first()
    )
    return {**row["metrics"], "updated_at": row["updated_at"]} if row else {}


def gold_items_for_project(*, organization: Organization, project_id: int) -> QuerySet[GoldItem]:
    return GoldItem.objects.filter(organization=organization, project_id=project_id).order_by(
        "item_id"
    )
