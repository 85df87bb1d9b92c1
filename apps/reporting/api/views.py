from datetime import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.core.jobs import enqueue_on_commit
from apps.projects.selectors import project_get
from apps.reporting import jobs, selectors, services
from apps.reporting.api.serializers import (
    ActivityEventOutput,
    ActivityPageOutput,
    DashboardOutput,
    MyStatsOutput,
    OverviewOutput,
    WorkerStatsOutput,
)
from apps.tasks.api.views import WorkAPIView
from apps.workforces.selectors import worker_resolve

ACTIVITY_PAGE = 100


class ProjectReportApi(OrganizationAPIView):
    """A project's dashboard figures, as of `stats.refreshed_at`."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=DashboardOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        stats = services.project_stats_current(project=project)
        return Response(
            DashboardOutput(selectors.project_dashboard(project=project, stats=stats)).data
        )


class ProjectReportRefreshApi(OrganizationAPIView):
    """Recompute the figures in the background (they refresh every minute anyway)."""

    required_permission = {"POST": permissions.REPORTS_VIEW}

    @extend_schema(request=None, responses={202: None})
    def post(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        enqueue_on_commit(
            jobs.project_stats_refresh,
            organization_id=project.organization_id,
            project_id=project.id,
        )
        return Response(status=202)


class ProjectWorkerReportApi(OrganizationAPIView):
    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=WorkerStatsOutput(many=True))
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        queryset = selectors.worker_stats_for_project(project=project)
        return self.paginated(
            queryset, WorkerStatsOutput, context={"organization": self.organization}
        )


class ActivityFilters(serializers.Serializer):
    kind = serializers.MultipleChoiceField(choices=selectors.EVENT_KINDS, required=False)
    worker_id = serializers.CharField(required=False, help_text="An anonymized worker id.")
    since = serializers.DateTimeField(required=False)
    before = serializers.CharField(
        required=False, help_text="The `next_before` of the previous page."
    )

    def validate_before(self, value: str) -> tuple[datetime, int]:
        at, _, assignment_id = value.rpartition("|")
        try:
            return datetime.fromisoformat(at), int(assignment_id)
        except ValueError:
            raise serializers.ValidationError("Use the next_before of a previous page.") from None


def activity_query(filters: ActivityFilters, organization) -> dict:
    """Filter values as `selectors.activity_events` takes them."""
    values = dict(filters.validated_data)
    if "kind" in values:
        values["kinds"] = sorted(values.pop("kind"))
    if "worker_id" in values:
        values["worker_id"] = worker_resolve(
            organization=organization, worker_id=values["worker_id"]
        ).pk
    return values


class ProjectActivityApi(OrganizationAPIView):
    """Worker task events, newest first, `ACTIVITY_PAGE` per page."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(parameters=[ActivityFilters], responses=ActivityPageOutput)
    def get(self, request: Request, org_slug: str, project_id: int) -> Response:
        project = project_get(organization=self.organization, project_id=project_id)
        filters = ActivityFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = list(
            selectors.activity_events(
                project=project,
                limit=ACTIVITY_PAGE,
                **activity_query(filters, self.organization),
            )
        )
        next_before = None
        if len(events) == ACTIVITY_PAGE:
            next_before = f"{events[-1].at.isoformat()}|{events[-1].assignment_id}"
        data = ActivityEventOutput(
            events, many=True, context={"organization": self.organization}
        ).data
        return Response({"results": data, "next_before": next_before})


class OrganizationOverviewApi(OrganizationAPIView):
    """Rollups over the organization's projects: per project, per team, per month."""

    required_permission = {"GET": permissions.REPORTS_VIEW}

    @extend_schema(responses=OverviewOutput)
    def get(self, request: Request, org_slug: str) -> Response:
        overview = selectors.organization_overview(organization=self.organization)
        return Response(OverviewOutput(overview).data)


class WorkReportApi(WorkAPIView):
    """The signed-in worker's own figures in every project they worked on."""

    @extend_schema(responses=MyStatsOutput(many=True))
    def get(self, request: Request) -> Response:
        return self.paginated(selectors.worker_stats_for_worker(worker=request.user), MyStatsOutput)
