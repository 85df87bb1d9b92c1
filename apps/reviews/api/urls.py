from django.urls import path

from apps.reviews.api import views

ORG = "orgs/<slug:org_slug>/"

urlpatterns = [
    path(f"{ORG}human-task-uis/", views.HumanTaskUiListApi.as_view(), name="human-task-ui-list"),
    path(
        f"{ORG}human-task-uis/<str:name>/",
        views.HumanTaskUiDetailApi.as_view(),
        name="human-task-ui-detail",
    ),
    path(
        f"{ORG}human-task-ui-render/",
        views.HumanTaskUiRenderApi.as_view(),
        name="human-task-ui-render",
    ),
    path(
        f"{ORG}flow-definitions/",
        views.FlowDefinitionListApi.as_view(),
        name="flow-definition-list",
    ),
    path(
        f"{ORG}flow-definitions/<str:name>/",
        views.FlowDefinitionDetailApi.as_view(),
        name="flow-definition-detail",
    ),
    path(f"{ORG}human-loops/", views.HumanLoopListApi.as_view(), name="human-loop-list"),
    path(
        f"{ORG}human-loops/<str:name>/",
        views.HumanLoopDetailApi.as_view(),
        name="human-loop-detail",
    ),
    path(
        f"{ORG}human-loops/<str:name>/stop/",
        views.HumanLoopStopApi.as_view(),
        name="human-loop-stop",
    ),
    path(
        f"{ORG}projects/<int:project_id>/review/",
        views.ReviewQueueApi.as_view(),
        name="review-queue",
    ),
    path(
        f"{ORG}projects/<int:project_id>/review/approve/",
        views.BulkApproveApi.as_view(),
        name="review-bulk-approve",
    ),
    path(
        f"{ORG}projects/<int:project_id>/chain/",
        views.ProjectChainApi.as_view(),
        name="project-chain",
    ),
    path(
        f"{ORG}assignments/<int:assignment_id>/approve/",
        views.AssignmentReviewApi.as_view(),
        {"action": "approve"},
        name="assignment-approve",
    ),
    path(
        f"{ORG}assignments/<int:assignment_id>/reject/",
        views.AssignmentReviewApi.as_view(),
        {"action": "reject"},
        name="assignment-reject",
    ),
]
