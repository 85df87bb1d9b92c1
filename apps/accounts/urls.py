from django.urls import include, path

from apps.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.SignupView.as_view(), name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("orgs/<slug:org_slug>/", views.organization, name="organization"),
    path("orgs/<slug:org_slug>/members/", views.members, name="members"),
    path(
        "orgs/<slug:org_slug>/members/<int:membership_id>/role/",
        views.member_role,
        name="member_role",
    ),
    path(
        "orgs/<slug:org_slug>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "orgs/<slug:org_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "orgs/<slug:org_slug>/invitations/<str:token>/",
        views.invitation_accept,
        name="invitation_accept",
    ),
    path("orgs/<slug:org_slug>/credentials/", views.credentials, name="credentials"),
    path(
        "orgs/<slug:org_slug>/credentials/<int:credential_id>/revoke/",
        views.credential_revoke,
        name="credential_revoke",
    ),
]
