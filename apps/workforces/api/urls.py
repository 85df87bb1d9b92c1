from django.urls import path

from apps.workforces.api import views

ORG = "orgs/<slug:org_slug>/"
TEAM = ORG + "workteams/<int:workteam_id>/"
QUALIFICATION = ORG + "qualifications/<int:qualification_id>/"
SUBSCRIBER = ORG + "vendor/subscribers/<int:subscription_id>/"

urlpatterns = [
    path(ORG + "workforce/", views.WorkforceApi.as_view(), name="workforce"),
    path(ORG + "workforce/oidc/", views.OidcConfigApi.as_view(), name="workforce-oidc"),
    path(ORG + "workteams/", views.WorkteamListApi.as_view(), name="workteam-list"),
    path(TEAM, views.WorkteamDetailApi.as_view(), name="workteam-detail"),
    path(TEAM + "members/", views.WorkteamMemberListApi.as_view(), name="workteam-member-list"),
    path(
        TEAM + "members/<int:member_id>/",
        views.WorkteamMemberDetailApi.as_view(),
        name="workteam-member-detail",
    ),
    path(ORG + "qualifications/", views.QualificationListApi.as_view(), name="qualification-list"),
    path(QUALIFICATION, views.QualificationDetailApi.as_view(), name="qualification-detail"),
    path(
        QUALIFICATION + "test-items/",
        views.QualificationTestItemListApi.as_view(),
        name="qualification-test-item-list",
    ),
    path(
        QUALIFICATION + "grants/",
        views.QualificationGrantListApi.as_view(),
        name="qualification-grant-list",
    ),
    path(
        QUALIFICATION + "grants/<int:grant_id>/",
        views.QualificationGrantDetailApi.as_view(),
        name="qualification-grant-detail",
    ),
    path(ORG + "worker-blocks/", views.WorkerBlockListApi.as_view(), name="worker-block-list"),
    path(
        ORG + "worker-blocks/<int:block_id>/",
        views.WorkerBlockDetailApi.as_view(),
        name="worker-block-detail",
    ),
    path(ORG + "vendors/", views.VendorOfferingListApi.as_view(), name="vendor-offering-list"),
    path(
        ORG + "vendor-subscriptions/",
        views.VendorSubscriptionListApi.as_view(),
        name="vendor-subscription-list",
    ),
    path(
        ORG + "vendor-subscriptions/<int:subscription_id>/",
        views.VendorSubscriptionDetailApi.as_view(),
        name="vendor-subscription-detail",
    ),
    path(ORG + "vendor/offering/", views.VendorOfferingApi.as_view(), name="vendor-offering"),
    path(
        ORG + "vendor/subscribers/",
        views.VendorSubscriberListApi.as_view(),
        name="vendor-subscriber-list",
    ),
    path(SUBSCRIBER, views.VendorSubscriberDetailApi.as_view(), name="vendor-subscriber-detail"),
    path(
        SUBSCRIBER + "accept/",
        views.VendorSubscriberDecisionApi.as_view(accept=True),
        name="vendor-subscriber-accept",
    ),
    path(
        SUBSCRIBER + "decline/",
        views.VendorSubscriberDecisionApi.as_view(accept=False),
        name="vendor-subscriber-decline",
    ),
    path(
        SUBSCRIBER + "routes/",
        views.VendorSubscriberRoutesApi.as_view(),
        name="vendor-subscriber-routes",
    ),
    path("work/profile/", views.WorkerProfileApi.as_view(), name="work-profile"),
    path("work/teams/", views.WorkerTeamListApi.as_view(), name="work-team-list"),
    path(
        "work/teams/<int:workteam_id>/",
        views.WorkerTeamDetailApi.as_view(),
        name="work-team-detail",
    ),
    path(
        "work/qualifications/<slug:org_slug>/<int:qualification_id>/test/",
        views.WorkerQualificationTestApi.as_view(),
        name="work-qualification-test",
    ),
]
