from celery import shared_task
from django.db.models import Count, Exists, OuterRef, Q
from django_scopes import scope

from apps.accounts.models import Organization
from apps.core.jobs import OrganizationJob, enqueue_on_commit
from apps.projects.models import Project
from apps.tasks.models import Task


@shared_task(base=OrganizationJob, name="autolabel.round")
def autolabel_round(*, organization_id: int, project_id: int) -> None:
    from apps.autolabel import services

    services.autolabel_round_run(project_id=project_id)


@shared_task(name="autolabel.rounds_due")
def autolabel_rounds_due() -> int:
    """Periodic: run a round for every running loop whose people labeled a batch since its
    last round, or that has no ranked task left open. Platform-wide, so it scopes itself."""
    from apps.autolabel.models import AutolabelSettings

    with scope(organization=list(Organization.objects.values_list("id", flat=True))):
        ranked = Task.objects.filter(
            project_id=OuterRef("project_id"), status=Task.Status.OPEN, queue_rank__isnull=False
        )
        rows = (
            AutolabelSettings.objects.filter(
                state=AutolabelSettings.State.RUNNING,
                project__status=Project.Status.IN_PROGRESS,
            )
            .annotate(has_ranked=Exists(ranked))
            .values_list(
                "organization_id",
                "project_id",
                "has_ranked",
                "human_labeled_at_last_round",
                "batch_size",
            )
        )
        due = []
        for organization_id, project_id, has_ranked, last, batch in rows:
            human = Task.objects.filter(
                project_id=project_id, status=Task.Status.ANSWERED, label_model_version=""
            ).aggregate(n=Count("pk", filter=Q(is_gold=False)))["n"]
            if human - last >= batch or (not has_ranked and human > last):
                due.append((organization_id, project_id))
        for organization_id, project_id in due:
            enqueue_on_commit(
                autolabel_round, organization_id=organization_id, project_id=project_id
            )
    return len(due)
