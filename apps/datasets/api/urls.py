from django.urls import path

from apps.datasets.api import views

ORG = "orgs/<slug:org_slug>"
DATASET = f"{ORG}/datasets/<int:dataset_id>"

urlpatterns = [
    path(f"{ORG}/storages/", views.StorageListApi.as_view(), name="storage-list"),
    path(
        f"{ORG}/storages/<int:storage_id>/",
        views.StorageDetailApi.as_view(),
        name="storage-detail",
    ),
    path(
        f"{ORG}/storages/<int:storage_id>/test/",
        views.StorageTestApi.as_view(),
        name="storage-test",
    ),
    path(f"{ORG}/datasets/", views.DatasetListApi.as_view(), name="dataset-list"),
    path(f"{DATASET}/", views.DatasetDetailApi.as_view(), name="dataset-detail"),
    path(f"{DATASET}/imports/", views.ManifestImportListApi.as_view(), name="import-list"),
    path(
        f"{DATASET}/imports/<int:import_id>/",
        views.ManifestImportDetailApi.as_view(),
        name="import-detail",
    ),
    path(f"{DATASET}/items/", views.ItemListApi.as_view(), name="item-list"),
    path(f"{DATASET}/items/<int:item_id>/", views.ItemDetailApi.as_view(), name="item-detail"),
    path(f"{DATASET}/manifest/", views.ManifestDownloadApi.as_view(), name="dataset-manifest"),
    path(f"{DATASET}/exports/", views.ManifestExportListApi.as_view(), name="export-list"),
    path(
        f"{DATASET}/exports/<int:export_id>/",
        views.ManifestExportDetailApi.as_view(),
        name="export-detail",
    ),
]
