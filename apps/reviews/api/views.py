"""The reviews API under /api/v1/orgs/<org_slug>/: task UIs, flow definitions, human loops,
and the review of labeling work. Thin: parse, call one service or selector, render."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.core.api.pagination import CursorPagination
from apps.core.errors import DomainError, NotFound
from apps.datasets.selectors import storage_get
from apps.projects.api.serializers import ProjectOutput
from apps.projects.selectors import project_get
from apps.reviews import arns, selectors, services
from apps.reviews.api import serializers as s
from apps.workforces.selectors import workteam_get

MANAGE = permissions.PROJECTS_MANAGE
REVIEW = permissions.REVIEWS_REVIEW


class AscendingCursorPagination(CursorPagination):
    ordering = "id"


def _flow_for_body(organization, reference: str):
    """A flow named (or ARN'd) in a request body: unknown, deleted or another
    organization's is a 400 on the field; nothing is written."""
    name = reference
    if reference.startswith("arn:"):
        name = arns.name_from_arn(reference, "flow-definition")
        account = reference.split(":")[4] if reference.count(":") >= 5 else ""
        if name is None or account != organization.account_id:
            name = None
    try:
        if name is None:
            raise NotFound()
        return selectors.flow_definition_get(organization=organization, name=name)
    except NotFound:
        raise DomainError.on_field("flow_definition", "No such flow definition.") from None


def _reference(organization, field: str, selector, **lookup):
    try:
        return selector(organization=organization, **lookup)
    except NotFound:
        raise DomainError.on_field(field, f"No such {field.removesuffix('_id')}.") from None


# Human task UIs


class HumanTaskUiListApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(responses=s.HumanTaskUiOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.human_task_ui_list(organization=self.organization), s.HumanTaskUiOutput
        )

    @extend_schema(request=s.HumanTaskUiInput, responses={201: s.HumanTaskUiDetailOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = s.HumanTaskUiInput(data=request.data)
        payload.is_valid(raise_exception=True)
        ui = services.human_task_ui_create(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(s.HumanTaskUiDetailOutput(ui).data, status=201)


class HumanTaskUiDetailApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "DELETE": MANAGE}

    @extend_schema(responses=s.HumanTaskUiDetailOutput)
    def get(self, request: Request, org_slug: str, name: str) -> Response:
        ui = selectors.human_task_ui_get(organization=self.organization, name=name)
        return Response(s.HumanTaskUiDetailOutput(ui).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, name: str) -> Response:
        ui = selectors.human_task_ui_get(organization=self.organization, name=name)
        services.human_task_ui_delete(ui=ui, actor=request.user)
        return Response(status=204)


class HumanTaskUiRenderApi(OrganizationAPIView):
    """Render a template (or a saved UI) with `input` as task.input: the problems with
    their lines, and the sandboxed-frame preview URL (A2I's RenderUiTemplate)."""

    required_permission = {"POST": MANAGE}

    @extend_schema(request=s.RenderInput, responses=s.TaskUiRenderOutput)
    def post(self, request: Request, org_slug: str) -> Response:
        payload = s.RenderInput(data=request.data)
        payload.is_valid(raise_exception=True)
        source = payload.validated_data.get("template")
        if source is None:
            source = _reference(
                self.organization,
                "human_task_ui",
                selectors.human_task_ui_get,
                name=payload.validated_data["human_task_ui"],
            ).content
        result = services.human_task_ui_render(
            source=source, task_input=payload.validated_data["input"]
        )
        return Response(s.TaskUiRenderOutput(result).data)


# Flow definitions


class FlowDefinitionListApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(responses=s.FlowDefinitionOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(
            selectors.flow_definition_list(organization=self.organization), s.FlowDefinitionOutput
        )

    @extend_schema(request=s.FlowDefinitionInput, responses={201: s.FlowDefinitionOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = s.FlowDefinitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        organization = self.organization
        data["human_task_ui"] = _reference(
            organization, "human_task_ui", selectors.human_task_ui_get, name=data["human_task_ui"]
        )
        data["workteam"] = _reference(
            organization, "workteam_id", workteam_get, workteam_id=data.pop("workteam_id")
        )
        data["output_storage"] = _reference(
            organization, "output_storage_id", storage_get, storage_id=data.pop("output_storage_id")
        )
        flow = services.flow_definition_create(
            organization=organization, actor=request.user, **data
        )
        flow.refresh_from_db()  # Active (or Failed) once the activation job ran
        return Response(s.FlowDefinitionOutput(flow).data, status=201)


class FlowDefinitionDetailApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "DELETE": MANAGE}

    @extend_schema(responses=s.FlowDefinitionOutput)
    def get(self, request: Request, org_slug: str, name: str) -> Response:
        flow = selectors.flow_definition_get(organization=self.organization, name=name)
        return Response(s.FlowDefinitionOutput(flow).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, name: str) -> Response:
        flow = selectors.flow_definition_get(organization=self.organization, name=name)
        services.flow_definition_delete(flow=flow, actor=request.user)
        return Response(status=204)


# Human loops


class HumanLoopListApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "POST": MANAGE}

    @extend_schema(parameters=[s.HumanLoopListInput], responses=s.HumanLoopOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        query = s.HumanLoopListInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        flow = _flow_for_body(self.organization, params["flow_definition"])
        loops = selectors.human_loop_list(
            organization=self.organization,
            flow=flow,
            created_after=params.get("created_after"),
            created_before=params.get("created_before"),
        )
        if params["sort_order"] == "Ascending":
            self.pagination_class = AscendingCursorPagination
        return self.paginated(loops, s.HumanLoopOutput)

    @extend_schema(request=s.HumanLoopStartInput, responses={201: s.HumanLoopStartOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = s.HumanLoopStartInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.human_loop_start(
            organization=self.organization,
            actor=request.user,
            flow=_flow_for_body(self.organization, data["flow_definition"]),
            name=data["name"],
            input_content=data["input_content"],
            content_classifiers=data["content_classifiers"],
        )
        body = {
            "activated": result.activated,
            "human_loop": result.loop,
            "activation_results": result.activation_results,
        }
        return Response(s.HumanLoopStartOutput(body).data, status=201 if result.created else 200)


class HumanLoopDetailApi(OrganizationAPIView):
    required_permission = {"GET": MANAGE, "DELETE": MANAGE}

    @extend_schema(responses=s.HumanLoopDetailOutput)
    def get(self, request: Request, org_slug: str, name: str) -> Response:
        loop = selectors.human_loop_get(organization=self.organization, name=name)
        return Response(s.HumanLoopDetailOutput(loop).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, name: str) -> Response:
        loop = selectors.human_loop_get(organization=self.organization, name=name)
        services.human_loop_delete(loop=loop, actor=request.user)
        return Response(status=204)


class HumanLoopStopApi(OrganizationAPIView):
    required_permission = {"POST": MANAGE}

    @extend_schema(request=None, responses=s.HumanLoopOutput)
    def post(self, request: Request, org_slug: str, name: str) -> Response:
        loop = selectors.human_loop_get(organization=self.organization, name=name)
        loop = services.human_loop_stop(loop=loop, actor=request.user)
        return Response(s.HumanLoopOutput(loop).data)


# Review of labeling work


class ReviewQueueApi(OrganizationAPIView):
    """Oldest submitted first: the order reviewers work through."""

    required_permission = {"GET": REVIEW}
    pagination_class = AscendingCursorPagination

    @extend_schema(parameters=[s.ReviewQueueInput], responses=s.ReviewAssignmentOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        query = s.ReviewQueueInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        queue = selectors.review_queue(
            organization=self.organization, project=project, **query.validated_data
        )
        return self.paginated(
            queue, s.ReviewAssignmentOutput, context={"organization": self.organization}
        )


class BulkApproveApi(OrganizationAPIView):
    required_permission = {"POST": REVIEW}

    @extend_schema(request=s.BulkApproveInput, responses={200: dict})
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = s.BulkApproveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        approved = services.assignments_approve(
            organization=self.organization,
            project=project,
            actor=request.user,
            **payload.validated_data,
        )
        return Response({"approved": approved})


class AssignmentReviewApi(OrganizationAPIView):
    """Approve or reject one submitted answer (`action` comes from the URL)."""

    required_permission = {"POST": REVIEW}
    actions = {"approve": services.assignment_approve, "reject": services.assignment_reject}

    @extend_schema(request=s.ReasonInput, responses=s.ReviewAssignmentOutput)
    def post(self, request: Request, org_slug: str, assignment_id: int, action: str) -> Response:
        assignment = selectors.assignment_get_for_review(
            organization=self.organization, assignment_id=assignment_id
        )
        payload = s.ReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = self.actions[action](
            assignment=assignment, actor=request.user, **payload.validated_data
        )
        context = {"organization": self.organization}
        return Response(s.ReviewAssignmentOutput(assignment, context=context).data)


class ProjectChainApi(OrganizationAPIView):
    """Create a draft verification or adjustment project over this project's labels."""

    required_permission = {"POST": MANAGE}

    @extend_schema(request=s.ProjectChainInput, responses={201: ProjectOutput})
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        source = project_get(organization=self.organization, project_id=project_id)
        payload = s.ProjectChainInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["workteam"] = _reference(
            self.organization, "workteam_id", workteam_get, workteam_id=data.pop("workteam_id")
        )
        if "verdict_labels" in data:
            data["verdict_labels"] = [{"label": label} for label in data["verdict_labels"]]
        project = services.project_chain_create(
            organization=self.organization, actor=request.user, source_project=source, **data
        )
        return Response(ProjectOutput(project).data, status=201)
