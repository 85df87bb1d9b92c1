from django.urls import path

from apps.autolabel.api import views

PROJECT = "orgs/<slug:org_slug>/projects/<int:project_id>/autolabel/"

urlpatterns = [
    path(PROJECT, views.AutolabelApi.as_view(), name="project-autolabel"),
    path(f"{PROJECT}rounds/", views.AutolabelRoundsApi.as_view(), name="project-autolabel-rounds"),
    path(
        f"{PROJECT}spot-checks/",
        views.SpotChecksApi.as_view(),
        name="project-autolabel-spot-checks",
    ),
]
