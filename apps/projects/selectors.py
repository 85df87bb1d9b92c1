from django.db.models import QuerySet

from apps.accounts.models import Organization
from apps.core.errors import NotFound
from apps.projects.models import Project


def project_list(*, organization: Organization) -> QuerySet[Project]:
    """Labeling projects; those backing human review flows are listed with their flows."""
    return Project.objects.filter(organization=organization, is_flow_backed=False).select_related(
        "dataset", "workteam"
    )


def project_get(*, organization: Organization, project_id: int) -> Project:
    project = project_list(organization=organization).filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    return project
