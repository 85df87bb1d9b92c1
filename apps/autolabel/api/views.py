from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.autolabel import selectors, services
from apps.autolabel.api.serializers import (
    RoundOutput,
    SampleOutput,
    SettingsInput,
    SpotCheckInput,
    SpotCheckOutput,
    SummaryOutput,
)
from apps.projects.selectors import project_get


class AutolabelApi(OrganizationAPIView):
    """The project's automated labeling: settings and honest figures (GET), enable or
    disable (PUT; refused with the reason when the project does not qualify)."""

    required_permission = {"GET": permissions.REPORTS_VIEW, "PUT": permissions.PROJECTS_MANAGE}

    @extend_schema(responses=SummaryOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return Response(SummaryOutput(selectors.autolabel_summary(project=project)).data)

    @extend_schema(request=SettingsInput, responses=SummaryOutput)
    def put(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = SettingsInput(data=request.data)
        payload.is_valid(raise_exception=True)
        services.autolabel_configure(project=project, actor=request.user, **payload.validated_data)
        return Response(SummaryOutput(selectors.autolabel_summary(project=project)).data)


class AutolabelRoundsApi(OrganizationAPIView):
    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=RoundOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return self.paginated(selectors.autolabel_rounds(project=project), RoundOutput)


class SpotChecksApi(OrganizationAPIView):
    """A random sample of unchecked auto-labels (GET); a reviewer's verdict (POST)."""

    required_permission = {"GET": permissions.REVIEWS_REVIEW, "POST": permissions.REVIEWS_REVIEW}

    @extend_schema(responses=SampleOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        return Response(SampleOutput(selectors.spot_check_sample(project=project), many=True).data)

    @extend_schema(request=SpotCheckInput, responses=SpotCheckOutput)
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        payload = SpotCheckInput(data=request.data)
        payload.is_valid(raise_exception=True)
        check = services.spot_check_record(
            project=project, actor=request.user, **payload.validated_data
        )
        return Response(SpotCheckOutput(check).data, status=201)
