from django.urls import path

from apps.reviews import views

app_name = "reviews"

urlpatterns = [
    path("orgs/<slug:org_slug>/reviews/flows/", views.flow_list, name="flows"),
    path("orgs/<slug:org_slug>/reviews/flows/<str:name>/", views.flow_page, name="flow"),
    path("orgs/<slug:org_slug>/reviews/loops/<str:name>/", views.loop_page, name="loop"),
    path("orgs/<slug:org_slug>/reviews/loops/<str:name>/stop/", views.loop_stop, name="loop_stop"),
    path("orgs/<slug:org_slug>/reviews/task-uis/<str:name>/", views.task_ui_page, name="task_ui"),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/review/",
        views.review_queue_page,
        name="queue",
    ),
    path(
        "orgs/<slug:org_slug>/projects/<int:project_id>/review/act/",
        views.review_act,
        name="act",
    ),
]
