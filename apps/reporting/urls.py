from django.urls import path

from apps.reporting import views

PROJECT = "orgs/<slug:org_slug>/projects/<int:project_id>/report/"

urlpatterns = [
    path(PROJECT, views.project_report, name="project_report"),
    path(f"{PROJECT}refresh/", views.project_report_refresh, name="project_report_refresh"),
    path(f"{PROJECT}activity.csv", views.project_activity_csv, name="project_activity_csv"),
    path(f"{PROJECT}workers.csv", views.project_workers_csv, name="project_workers_csv"),
    path(f"{PROJECT}answers.csv", views.project_answers_csv, name="project_answers_csv"),
    path("orgs/<slug:org_slug>/reports/", views.organization_report, name="organization_report"),
    path(
        "orgs/<slug:org_slug>/reports/projects.csv",
        views.organization_projects_csv,
        name="organization_projects_csv",
    ),
    path(
        "orgs/<slug:org_slug>/reports/teams.csv",
        views.organization_teams_csv,
        name="organization_teams_csv",
    ),
    path("work/report/", views.work_report, name="work_report"),
]
