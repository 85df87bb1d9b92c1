from django.urls import path

from apps.taskui.api import views

urlpatterns = [
    path(
        "orgs/<slug:org_slug>/task-ui/render/",
        views.TaskUiRenderApi.as_view(),
        name="taskui-render",
    ),
]
