from celery import shared_task
from django_scopes import scope

from apps.accounts.models import Organization
from apps.core.jobs import OrganizationJob
from apps.datasets.errors import StorageUnavailable
from apps.projects.models import Project
from apps.tasks import hooks, quality, services  # the modules: they import this one too
from apps.tasks.models import Task


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


@shared_task(base=OrganizationJob, name="tasks.project_pre_annotate")
def project_pre_annotate(*, organization_id: int, project_id: int) -> None:
    """Pre-annotate a batch of the project's preparing tasks, then queue the next batch."""
    project = Project.objects.filter(id=project_id).first()
    if project is None or not project.pre_annotation_hook:
        return
    if hooks.project_pre_annotate_batch(project=project):
        project_pre_annotate.apply_async(
            kwargs={"organization_id": organization_id, "project_id": project_id}
        )


@shared_task(base=OrganizationJob, name="tasks.task_post_annotate")
def task_post_annotate(*, organization_id: int, task_id: int) -> None:
    task = (
        Task.objects.filter(
            id=task_id, status=Task.Status.ANSWERED, consolidated_label__isnull=True
        )
        .select_related("item__dataset__storage__organization", "project__organization")
        .first()
    )
    if task is not None and task.project.post_annotation_hook:  # else done, or gone
        hooks.task_post_annotate(task=task)


@shared_task(
    base=OrganizationJob,
    name="tasks.task_masks_consolidate",
    autoretry_for=(StorageUnavailable,),  # the mask is written to the dataset's storage
    retry_backoff=True,
    max_retries=5,
)
def task_masks_consolidate(*, organization_id: int, task_id: int) -> None:
    task = (
        Task.objects.filter(id=task_id, status=Task.Status.ANSWERED, is_gold=False)
        .select_related("item__dataset__storage", "project")
        .first()
    )
    if task is not None:  # else reopened or gone: its next last answer queues this again
        quality.task_masks_consolidate(task=task)
