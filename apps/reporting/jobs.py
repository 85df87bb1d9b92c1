from celery import shared_task
from django.db.models import Exists, F, OuterRef, Q
from django_scopes import scope

from apps.accounts.models import Organization
from apps.core.jobs import OrganizationJob, enqueue_on_commit
from apps.projects.models import Project
from apps.reporting import services
from apps.reporting.models import ProjectStats

ACTIVE = [Project.Status.STARTING, Project.Status.IN_PROGRESS, Project.Status.STOPPING]


@shared_task(base=OrganizationJob, name="reporting.project_stats_refresh")
def project_stats_refresh(*, organization_id: int, project_id: int) -> None:
    project = Project.objects.filter(id=project_id).first()
    if project is not None:  # deleted since enqueue: nothing to do
        services.project_stats_refresh(project=project)


@shared_task(name="reporting.project_stats_refresh_due")
def project_stats_refresh_due() -> int:
    """Periodic: refresh the figures of every project that may have changed since their
    last refresh (running ones, and ended ones not refreshed since they ended). A
    platform-wide sweep, so it scopes itself to every organization explicitly."""
    with scope(organization=list(Organization.objects.values_list("id", flat=True))):
        fresh = ProjectStats.objects.filter(project_id=OuterRef("pk")).filter(
            Q(refreshed_at__gte=F("project__ended_at")) | Q(project__ended_at__isnull=True)
        )
        due = list(
            Project.objects.exclude(status=Project.Status.DRAFT)
            .filter(Q(status__in=ACTIVE) | ~Exists(fresh))
            .values_list("organization_id", "id")
        )
        for organization_id, project_id in due:
            enqueue_on_commit(
                project_stats_refresh, organization_id=organization_id, project_id=project_id
            )
    return len(due)
