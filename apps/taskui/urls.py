from django.urls import path

from apps.taskui import views

urlpatterns = [
    path("task-frame/<str:token>/", views.task_frame, name="task-frame"),
    path("orgs/<slug:org_slug>/task-ui/preview/", views.preview, name="taskui-preview"),
]
