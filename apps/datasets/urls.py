from django.urls import path

from apps.datasets import views
from apps.datasets.objects import OBJECT_ROUTE_PREFIX

app_name = "datasets"

urlpatterns = [
    path(f"{OBJECT_ROUTE_PREFIX.strip('/')}/<str:token>", views.object_read, name="object"),
    path("orgs/<slug:org_slug>/datasets/", views.dataset_list, name="list"),
    path("orgs/<slug:org_slug>/datasets/<int:dataset_id>/", views.dataset_detail, name="detail"),
    path(
        "orgs/<slug:org_slug>/datasets/<int:dataset_id>/import/",
        views.dataset_import,
        name="import",
    ),
    path(
        "orgs/<slug:org_slug>/datasets/<int:dataset_id>/auto-setup/",
        views.dataset_auto_setup,
        name="auto_setup",
    ),
    path(
        "orgs/<slug:org_slug>/datasets/<int:dataset_id>/items/<int:item_id>/thumbnail",
        views.item_thumbnail,
        name="thumbnail",
    ),
    path("orgs/<slug:org_slug>/storages/", views.storage_list, name="storages"),
    path(
        "orgs/<slug:org_slug>/storages/<int:storage_id>/test/",
        views.storage_test,
        name="storage_test",
    ),
]
