from django.urls import path

from apps.reporting.api import views

PROJECT = "orgs/<slug:org_slug>/projects/<int:project_id>/"

urlpatterns = [
    path(f"{PROJECT}report/", views.ProjectReportApi.as_view(), name="project-report"),
    path(
        f"{PROJECT}report/refresh/",
        views.ProjectReportRefreshApi.as_view(),
        name="project-report-refresh",
    ),
    path(
        f"{PROJECT}report/workers/",
        views.ProjectWorkerReportApi.as_view(),
        name="project-report-workers",
    ),
    path(f"{PROJECT}activity/", views.ProjectActivityApi.as_view(), name="project-activity"),
    path(
        "orgs/<slug:org_slug>/reports/overview/",
        views.OrganizationOverviewApi.as_view(),
        name="organization-overview",
    ),
    path("work/report/", views.WorkReportApi.as_view(), name="work-report"),
]
