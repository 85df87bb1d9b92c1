from django.urls import path

from apps.projects import views

PROJECTS = "orgs/<slug:org_slug>/projects/"

urlpatterns = [
    path(PROJECTS, views.project_list, name="project_list"),
    path(f"{PROJECTS}new/", views.project_new, name="project_new"),
    path(f"{PROJECTS}<int:project_id>/edit/", views.project_edit, name="project_edit"),
]
