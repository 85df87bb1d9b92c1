from django.urls import path

from apps.tasks import views

urlpatterns = [
    path("work/tasks/", views.work_tasks, name="work_tasks"),
    path("work/start/", views.work_start, name="work_start"),
    path("work/marketplace/", views.marketplace, name="marketplace"),
    path("orgs/<slug:org_slug>/vendor/projects/", views.vendor_projects, name="vendor_projects"),
    path("work/assignments/<int:assignment_id>/", views.work_assignment, name="work_assignment"),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/", views.project_page, name="project_page"
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/quality/",
        views.project_quality_page,
        name="project_quality_page",
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/quality/gold/",
        views.project_gold_add,
        name="project_gold_add",
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/quality/gold/<int:item_id>/remove/",
        views.project_gold_remove,
        name="project_gold_remove",
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/start/",
        views.project_lifecycle,
        {"action": "start"},
        name="project_start_page",
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/stop/",
        views.project_lifecycle,
        {"action": "stop"},
        name="project_stop_page",
    ),
]
