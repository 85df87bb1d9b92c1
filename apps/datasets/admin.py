from django.contrib import admin

from apps.datasets.models import Dataset, ManifestExport, ManifestImport, Storage


@admin.register(Storage)
class StorageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "bucket", "path", "created_at"]
    list_filter = ["kind"]
    exclude = ["access_key_id_encrypted", "secret_access_key_encrypted"]
    raw_id_fields = ["organization", "created_by"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "item_count", "created_at"]
    search_fields = ["name"]
    raw_id_fields = ["organization", "storage", "created_by"]


@admin.register(ManifestImport)
class ManifestImportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "dataset",
        "source",
        "status",
        "lines_read",
        "items_created",
        "error_count",
        "created_at",
    ]
    list_filter = ["status", "source"]
    raw_id_fields = ["organization", "dataset", "storage", "source_dataset", "created_by"]


@admin.register(ManifestExport)
class ManifestExportAdmin(admin.ModelAdmin):
    list_display = ["id", "dataset", "storage", "key", "status", "lines_written", "created_at"]
    raw_id_fields = ["organization", "dataset", "storage", "created_by"]
