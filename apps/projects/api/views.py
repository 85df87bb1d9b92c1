from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.core.errors import DomainError, NotFound
from apps.datasets.selectors import dataset_get
from apps.projects import selectors, services
from apps.projects.api.serializers import ProjectInput, ProjectOutput
from apps.workforces.selectors import workteam_get


def _resolve_references(organization, data: dict) -> dict:
    """Turn `dataset_id`/`workteam_id` into this organization's objects; a foreign or
    missing id is a 400 on that field (the project itself exists)."""
    lookups = {"dataset_id": ("dataset", dataset_get), "workteam_id": ("workteam", workteam_get)}
    for key, (field, selector) in lookups.items():
        if key in data:
            try:
                data[field] = selector(organization=organization, **{key: data.pop(key)})
            except NotFound:
                raise DomainError(f"No such {field}.", **{key: [f"No such {field}."]}) from None
    return data


class ProjectListApi(OrganizationAPIView):
    required_permission = {"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE}

    @extend_schema(responses=ProjectOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(selectors.project_list(organization=self.organization), ProjectOutput)

    @extend_schema(request=ProjectInput, responses={201: ProjectOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = ProjectInput(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = _resolve_references(self.organization, dict(payload.validated_data))
        project = services.project_create(
            organization=self.organization, actor=request.user, **fields
        )
        return Response(ProjectOutput(project).data, status=201)


class ProjectDetailApi(OrganizationAPIView):
    required_permission = {"GET": permissions.PROJECTS_MANAGE, "PATCH": permissions.PROJECTS_MANAGE}

    @extend_schema(responses=ProjectOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = selectors.project_get(organization=self.organization, project_id=project_id)
        return Response(ProjectOutput(project).data)

    @extend_schema(request=ProjectInput, responses=ProjectOutput)
    def patch(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = selectors.project_get(organization=self.organization, project_id=project_id)
        payload = ProjectInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        fields = _resolve_references(self.organization, dict(payload.validated_data))
        project = services.project_update(project=project, actor=request.user, **fields)
        return Response(ProjectOutput(project).data)
