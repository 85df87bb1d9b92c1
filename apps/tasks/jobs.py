from celery import shared_task
from django_scopes import scope

from apps.accounts.models import Organization
from apps.core.jobs import OrganizationJob
from apps.projects.models import Project
from apps.tasks import quality, services  # the modules: they import this one too


@shared_task(base=OrganizationJob, name="tasks.project_tasks_create")
def project_tasks_create(*, organization_id: int, project_id: int) -> None:
    project = Project.objects.filter(id=project_id).first()
    if project is not None and project.status == Project.Status.STARTING:
        services.project_tasks_create(project=project)


@shared_task(name="tasks.assignments_expire")
def assignments_expire() -> None:
    """Backstop for idle queues: the queue itself expires overdue work before each claim,
    but a stopping project nobody asks work from still needs its last holds to end.

    A platform-wide sweep, so it scopes itself to every organization explicitly.
    """
    with scope(organization=list(Organization.objects.values_list("id", flat=True))):
        while services.assignments_expire_overdue():
            pass


@shared_task(base=OrganizationJob, name="tasks.project_reestimate")
def project_reestimate(*, organization_id: int, project_id: int) -> None:
    project = Project.objects.filter(id=project_id).first()
    if project is not None:
        quality.project_reestimate(project=project)
