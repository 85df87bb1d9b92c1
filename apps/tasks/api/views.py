from django.http import StreamingHttpResponse
from django_scopes import scope
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.core.api.views import BaseAPIView
from apps.core.client_ip import client_ip
from apps.datasets.api.serializers import ManifestImportOutput
from apps.datasets.manifest import encode_lines
from apps.projects.api.serializers import ProgressOutput, ProjectOutput
from apps.projects.selectors import project_get
from apps.tasks import quality, selectors, services
from apps.tasks.api.serializers import (
    AssignmentOutput,
    GoldItemOutput,
    GoldItemsInput,
    OrganizationWorkerQualityOutput,
    ProjectQualityOutput,
    QualitySettingsIO,
    WorkAssignmentOutput,
    WorkerQualityOutput,
    WorkQualityOutput,
)
from apps.tasks.models import Assignment
from apps.tasks.taskui import project_draft_preview
from apps.taskui.api.views import RenderOutput
from apps.taskui.templating import TEMPLATE_MAX_CHARS
from apps.workforces.selectors import worker_resolve


class ProjectStartApi(OrganizationAPIView):
    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    @extend_schema(request=None, responses=ProjectOutput)
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        project = services.project_start(project=project, actor=request.user)
        return Response(ProjectOutput(project).data)


class ProjectStopApi(OrganizationAPIView):
    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    @extend_schema(request=None, responses=ProjectOutput)
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        project = services.project_stop(project=project, actor=request.user)
        return Response(ProjectOutput(project).data)


class ProjectProgressApi(OrganizationAPIView):
    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=ProgressOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return Response(ProgressOutput(selectors.project_progress(project=project)).data)


class ProjectDraftPreviewApi(OrganizationAPIView):
    """The worker UI of a project being written, with its dataset's first item."""

    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    class InputSerializer(serializers.Serializer):
        dataset = serializers.IntegerField()
        task_type = serializers.CharField()
        labels = serializers.ListField(child=serializers.JSONField(), max_length=100)
        short_instructions = serializers.CharField(required=False, allow_blank=True)
        full_instructions = serializers.CharField(required=False, allow_blank=True)
        ui_template = serializers.CharField(
            required=False, allow_blank=True, max_length=TEMPLATE_MAX_CHARS, trim_whitespace=False
        )

    @extend_schema(request=InputSerializer, responses=RenderOutput)
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        preview = project_draft_preview(
            organization_id=self.organization.id, dataset_id=fields.pop("dataset"), **fields
        )
        return Response(RenderOutput(preview).data)


class ProjectOutputApi(OrganizationAPIView):
    """The project's output manifest (its dataset's lines with the consolidated labels),
    as JSON Lines streamed in constant memory."""

    required_permission = {"GET": permissions.DATA_VIEW}

    @extend_schema(responses={(200, "application/x-ndjson"): OpenApiTypes.STR})
    def get(self, request: Request, org_slug: str, project_id: int) -> StreamingHttpResponse:
        project = project_get(organization=self.organization, project_id=project_id)
        response = StreamingHttpResponse(
            _in_scope(self.organization.id, quality.project_output_lines(project=project)),
            content_type="application/x-ndjson",
        )
        response["Content-Disposition"] = f'attachment; filename="{project.name}.manifest"'
        return response


def _in_scope(organization_id: int, lines):
    """Stream `lines` (whose queries run as they are read, after the view returned) inside
    the organization's scope, as UTF-8 chunks."""
    with scope(organization=organization_id):
        yield from encode_lines(lines, chunk_bytes=256 << 10)


class ProjectOutputDatasetApi(OrganizationAPIView):
    """Chaining: a new dataset from the project's output, optionally filtered by a label
    (`filter_attribute` == `filter_value`, e.g. the project's label attribute == 0)."""

    required_permission = {"POST": permissions.DATA_MANAGE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        filter_attribute = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        filter_value = serializers.JSONField(required=False, default=None)

    @extend_schema(request=InputSerializer, responses={201: ManifestImportOutput})
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        _, manifest_import = services.dataset_create_from_project(
            organization=self.organization,
            actor=request.user,
            project=project,
            **payload.validated_data,
        )
        return Response(ManifestImportOutput(manifest_import).data, status=201)


class ProjectAssignmentListApi(OrganizationAPIView):
    required_permission = {"GET": permissions.REVIEWS_REVIEW}

    @extend_schema(responses=AssignmentOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        queryset = selectors.assignment_list_for_project(
            organization=self.organization, project_id=project.id
        )
        return self.paginated(
            queryset, AssignmentOutput, context={"organization": self.organization}
        )


class VendorProjectTeamsApi(OrganizationAPIView):
    """A vendor names which of its teams work on one subscriber project (`[]`: all the
    teams routed to the subscription)."""

    required_permission = {"PUT": permissions.VENDOR_MANAGE}

    class InputSerializer(serializers.Serializer):
        team_ids = serializers.ListField(child=serializers.IntegerField(), max_length=100)

    class OutputSerializer(serializers.Serializer):
        project_id = serializers.IntegerField()
        team_ids = serializers.ListField(child=serializers.IntegerField())

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def put(self, request: Request, org_slug: str, project_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        routes = services.project_routes_set(
            vendor=self.organization,
            project_id=project_id,
            team_ids=payload.validated_data["team_ids"],
            actor=request.user,
        )
        data = {"project_id": project_id, "team_ids": [route.team_id for route in routes]}
        return Response(self.OutputSerializer(data).data)


class WorkAPIView(BaseAPIView):
    """A person working, in the browser: session only (API credentials act for an
    organization, not a worker). `WorkerScopeMiddleware` has entered the scope of the
    organizations they work for and left their teams on `request.work_teams`."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def assignment(self, request: Request, assignment_id: int) -> Assignment:
        """The worker's own assignment, from an address its workforce allows (else 403)."""
        assignment = selectors.assignment_get_for_worker(
            worker=request.user, assignment_id=assignment_id
        )
        selectors.work_team_check(
            teams=request.work_teams,
            workteam_id=assignment.project.workteam_id,
            address=client_ip(request),
        )
        return assignment


class WorkNextApi(WorkAPIView):
    class InputSerializer(serializers.Serializer):
        project_id = serializers.IntegerField(required=False)

    @extend_schema(request=InputSerializer, responses={201: WorkAssignmentOutput, 204: None})
    def post(self, request: Request) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workteam_ids = selectors.workteam_ids_open_to(
            teams=request.work_teams, address=client_ip(request), **payload.validated_data
        )
        assignment = services.assignment_next(
            worker=request.user, workteam_ids=workteam_ids, **payload.validated_data
        )
        if assignment is None:
            return Response(status=204)
        return Response(WorkAssignmentOutput(assignment).data, status=201)


class WorkAssignmentListApi(WorkAPIView):
    @extend_schema(responses=WorkAssignmentOutput(many=True))
    def get(self, request: Request) -> Response:
        queryset = selectors.assignment_list_for_worker(worker=request.user).select_related(
            "task__item"
        )
        return self.paginated(queryset, WorkAssignmentOutput)


class WorkAssignmentDetailApi(WorkAPIView):
    @extend_schema(responses=WorkAssignmentOutput)
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment = self.assignment(request, assignment_id)
        return Response(WorkAssignmentOutput(assignment).data)


class WorkSubmitApi(WorkAPIView):
    class InputSerializer(serializers.Serializer):
        answer = serializers.JSONField()

    @extend_schema(request=InputSerializer, responses=WorkAssignmentOutput)
    def post(self, request: Request, assignment_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = self.assignment(request, assignment_id)
        assignment = services.assignment_submit(
            assignment=assignment, worker=request.user, answer=payload.validated_data["answer"]
        )
        return Response(WorkAssignmentOutput(assignment).data)


class WorkDeclineApi(WorkAPIView):
    @extend_schema(request=None, responses=WorkAssignmentOutput)
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = self.assignment(request, assignment_id)
        assignment = services.assignment_decline(assignment=assignment, worker=request.user)
        return Response(WorkAssignmentOutput(assignment).data)


class WorkReleaseApi(WorkAPIView):
    @extend_schema(request=None, responses=WorkAssignmentOutput)
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment = self.assignment(request, assignment_id)
        assignment = services.assignment_release(assignment=assignment, worker=request.user)
        return Response(WorkAssignmentOutput(assignment).data)


class ProjectWorkerQualityApi(OrganizationAPIView):
    """Each worker's estimated quality in the project (anonymized ids)."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=WorkerQualityOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        queryset = selectors.worker_quality_for_project(
            organization=self.organization, project_id=project.id
        )
        return self.paginated(
            queryset, WorkerQualityOutput, context={"organization": self.organization}
        )


class OrganizationWorkerQualityApi(OrganizationAPIView):
    """Each worker's quality over all the organization's projects."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=OrganizationWorkerQualityOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        queryset = selectors.worker_quality_for_organization(organization=self.organization)
        return self.paginated(
            queryset, OrganizationWorkerQualityOutput, context={"organization": self.organization}
        )


class WorkQualityApi(WorkAPIView):
    """The worker's own quality, per project."""

    @extend_schema(responses=WorkQualityOutput(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(
            selectors.worker_quality_for_worker(worker=request.user), WorkQualityOutput
        )


class ProjectQualityApi(OrganizationAPIView):
    """Agreement metrics of the project (from the last background re-estimation)."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=ProjectQualityOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        figures = selectors.project_quality(project=project)
        return Response(ProjectQualityOutput(figures).data)


class ProjectQualitySettingsApi(OrganizationAPIView):
    """Gold rate and auto-pause, dynamic overlap."""

    required_permission = {"GET": permissions.PROJECTS_MANAGE, "PATCH": permissions.PROJECTS_MANAGE}

    @extend_schema(responses=QualitySettingsIO)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return Response(QualitySettingsIO(quality.project_settings(project=project)).data)

    @extend_schema(request=QualitySettingsIO, responses=QualitySettingsIO)
    def patch(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = QualitySettingsIO(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        settings = quality.project_settings_update(project=project, actor=request.user, **data)
        return Response(QualitySettingsIO(settings).data)


class ProjectGoldItemsApi(OrganizationAPIView):
    """Items with known answers, mixed into workers' streams and scored."""

    required_permission = {"GET": permissions.PROJECTS_MANAGE, "POST": permissions.PROJECTS_MANAGE}

    @extend_schema(responses=GoldItemOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return self.paginated(
            selectors.gold_items_for_project(organization=self.organization, project_id=project.id),
            GoldItemOutput,
        )

    @extend_schema(request=GoldItemsInput, responses={201: None})
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = GoldItemsInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        count = quality.gold_items_set(project=project, actor=request.user, items=data["items"])
        return Response({"gold_items": count}, status=201)


class ProjectGoldItemApi(OrganizationAPIView):
    """One gold item: DELETE unmarks it (its task becomes an ordinary one)."""

    required_permission = {"DELETE": permissions.PROJECTS_MANAGE}

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, project_id: int, item_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        quality.gold_item_unset(project=project, actor=request.user, item_id=item_id)
        return Response(status=204)


class ProjectWorkerResumeApi(OrganizationAPIView):
    """Let a worker paused by gold scoring back into the project (by anonymized id)."""

    required_permission = {"POST": permissions.PROJECTS_MANAGE}

    @extend_schema(request=None, responses=WorkerQualityOutput)
    def post(self, request: Request, org_slug: str, project_id: int, worker_id: str) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        worker = worker_resolve(organization=self.organization, worker_id=worker_id)
        row = quality.worker_resume(project=project, worker=worker, actor=request.user)
        return Response(WorkerQualityOutput(row, context={"organization": self.organization}).data)
