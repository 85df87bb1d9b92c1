from django.urls import path

from apps.projects.api import views

urlpatterns = [
    path("orgs/<slug:org_slug>/projects/", views.ProjectListApi.as_view(), name="project-list"),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/",
        views.ProjectDetailApi.as_view(),
        name="project-detail",
    ),
]
