from django.urls import path

from apps.tasks.api import views

PROJECT = "orgs/<slug:org_slug>/projects/<int:project_id>/"
ASSIGNMENT = "work/assignments/<int:assignment_id>/"

urlpatterns = [
    path(
        "orgs/<slug:org_slug>/projects/preview/",
        views.ProjectDraftPreviewApi.as_view(),
        name="project-draft-preview",
    ),
    path(f"{PROJECT}start/", views.ProjectStartApi.as_view(), name="project-start"),
    path(f"{PROJECT}stop/", views.ProjectStopApi.as_view(), name="project-stop"),
    path(f"{PROJECT}progress/", views.ProjectProgressApi.as_view(), name="project-progress"),
    path(f"{PROJECT}output/", views.ProjectOutputApi.as_view(), name="project-output"),
    path(
        f"{PROJECT}output/dataset/",
        views.ProjectOutputDatasetApi.as_view(),
        name="project-output-dataset",
    ),
    path(
        f"{PROJECT}assignments/",
        views.ProjectAssignmentListApi.as_view(),
        name="project-assignments",
    ),
    path(
        "orgs/<slug:org_slug>/vendor/projects/<int:project_id>/teams/",
        views.VendorProjectTeamsApi.as_view(),
        name="vendor-project-teams",
    ),
    path(f"{PROJECT}quality/", views.ProjectQualityApi.as_view(), name="project-quality"),
    path(
        f"{PROJECT}quality/settings/",
        views.ProjectQualitySettingsApi.as_view(),
        name="project-quality-settings",
    ),
    path(f"{PROJECT}gold/", views.ProjectGoldItemsApi.as_view(), name="project-gold"),
    path(
        f"{PROJECT}gold/<int:item_id>/",
        views.ProjectGoldItemApi.as_view(),
        name="project-gold-item",
    ),
    path(
        f"{PROJECT}worker-quality/<str:worker_id>/resume/",
        views.ProjectWorkerResumeApi.as_view(),
        name="project-worker-resume",
    ),
    path(
        f"{PROJECT}worker-quality/",
        views.ProjectWorkerQualityApi.as_view(),
        name="project-worker-quality",
    ),
    path(
        "orgs/<slug:org_slug>/worker-quality/",
        views.OrganizationWorkerQualityApi.as_view(),
        name="organization-worker-quality",
    ),
    path("work/quality/", views.WorkQualityApi.as_view(), name="work-quality"),
    path("work/next/", views.WorkNextApi.as_view(), name="work-next"),
    path("work/assignments/", views.WorkAssignmentListApi.as_view(), name="work-assignment-list"),
    path(ASSIGNMENT, views.WorkAssignmentDetailApi.as_view(), name="work-assignment-detail"),
    path(f"{ASSIGNMENT}submit/", views.WorkSubmitApi.as_view(), name="work-submit"),
    path(f"{ASSIGNMENT}decline/", views.WorkDeclineApi.as_view(), name="work-decline"),
    path(f"{ASSIGNMENT}release/", views.WorkReleaseApi.as_view(), name="work-release"),
]
