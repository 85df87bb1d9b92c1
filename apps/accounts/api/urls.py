from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("orgs/", views.OrganizationCreateApi.as_view(), name="organization-create"),
    path(
        "orgs/<slug:org_slug>/", views.OrganizationDetailApi.as_view(), name="organization-detail"
    ),
    path(
        "orgs/<slug:org_slug>/members/", views.MembershipListApi.as_view(), name="membership-list"
    ),
    path(
        "orgs/<slug:org_slug>/members/<int:membership_id>/",
        views.MembershipDetailApi.as_view(),
        name="membership-detail",
    ),
    path(
        "orgs/<slug:org_slug>/invitations/",
        views.InvitationListApi.as_view(),
        name="invitation-list",
    ),
    path(
        "orgs/<slug:org_slug>/invitations/<int:invitation_id>/",
        views.InvitationDetailApi.as_view(),
        name="invitation-detail",
    ),
    path(
        "orgs/<slug:org_slug>/credentials/",
        views.ApiCredentialListApi.as_view(),
        name="credential-list",
    ),
    path(
        "orgs/<slug:org_slug>/credentials/<int:credential_id>/",
        views.ApiCredentialDetailApi.as_view(),
        name="credential-detail",
    ),
]
