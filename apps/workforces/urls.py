from django.urls import path

from apps.workforces import views

ORG = "orgs/<slug:org_slug>/"
CONSOLE = ORG + "workforce/"
VENDOR = ORG + "vendor/"

urlpatterns = [
    path(CONSOLE, views.console, name="workforce_console"),
    path(CONSOLE + "ip-ranges/", views.source_cidrs, name="workforce_source_cidrs"),
    path(CONSOLE + "oidc/", views.oidc_config, name="workforce_oidc"),
    path(CONSOLE + "teams/", views.workteam_create, name="workteam_create"),
    path(CONSOLE + "teams/<int:workteam_id>/", views.workteam_page, name="workteam_page"),
    path(
        CONSOLE + "teams/<int:workteam_id>/members/",
        views.workteam_member_add,
        name="workteam_member_add",
    ),
    path(
        CONSOLE + "teams/<int:workteam_id>/members/<int:member_id>/remove/",
        views.workteam_member_remove,
        name="workteam_member_remove",
    ),
    path(
        CONSOLE + "teams/<int:workteam_id>/delete/", views.workteam_delete, name="workteam_delete"
    ),
    path(CONSOLE + "qualifications/", views.qualification_create, name="qualification_create"),
    path(CONSOLE + "blocks/", views.block_create, name="block_create"),
    path(CONSOLE + "blocks/<int:block_id>/lift/", views.block_lift, name="block_lift"),
    path(CONSOLE + "vendors/", views.subscribe, name="vendor_subscribe"),
    path(
        CONSOLE + "vendors/<int:subscription_id>/cancel/",
        views.subscription_cancel,
        name="vendor_subscription_cancel",
    ),
    path(VENDOR, views.vendor_console, name="vendor_console"),
    path(VENDOR + "offering/", views.vendor_offering, name="vendor_offering"),
    path(VENDOR + "teams/", views.vendor_team_create, name="vendor_team_create"),
    path(
        VENDOR + "subscribers/<int:subscription_id>/decide/",
        views.vendor_subscriber_decide,
        name="vendor_subscriber_decide",
    ),
    path(
        VENDOR + "subscribers/<int:subscription_id>/routes/",
        views.vendor_subscriber_routes,
        name="vendor_subscriber_routes",
    ),
    path("work/", views.worker_console, name="worker_console"),
    path("work/teams/<int:workteam_id>/", views.worker_team, name="worker_team"),
]
