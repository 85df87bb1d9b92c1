from django.urls import path

from apps.autolabel import views

PROJECT = "orgs/<slug:org_slug>/projects/<int:project_id>/autolabel/"

urlpatterns = [
    path(PROJECT, views.autolabel_page, name="autolabel_page"),
    path(f"{PROJECT}spot-check/", views.spot_check_submit, name="autolabel_spot_check"),
]
