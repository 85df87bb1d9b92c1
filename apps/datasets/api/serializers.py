from rest_framework import serializers

from apps.datasets.models import Dataset, Item, ManifestExport, ManifestImport, Storage


class StorageOutput(serializers.ModelSerializer):
    has_credentials = serializers.BooleanField(read_only=True)

    class Meta:
        model = Storage
        fields = [
            "id",
            "name",
            "kind",
            "path",
            "bucket",
            "prefix",
            "region",
            "endpoint_url",
            "has_credentials",
            "created_at",
            "updated_at",
        ]


class DatasetOutput(serializers.ModelSerializer):
    storage_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "description",
            "storage_id",
            "item_count",
            "created_at",
            "updated_at",
        ]


class ItemOutput(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = [
            "id",
            "line_number",
            "data",
            "source_ref",
            "width",
            "height",
            "media_format",
            "media_error",
        ]


class ManifestImportOutput(serializers.ModelSerializer):
    dataset_id = serializers.IntegerField()
    storage_id = serializers.IntegerField(allow_null=True)
    source_dataset_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ManifestImport
        fields = [
            "id",
            "dataset_id",
            "source",
            "storage_id",
            "key",
            "source_dataset_id",
            "extensions",
            "skip_invalid",
            "filter_attribute",
            "filter_value",
            "status",
            "lines_read",
            "items_created",
            "error_count",
            "errors",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]


class ManifestExportOutput(serializers.ModelSerializer):
    dataset_id = serializers.IntegerField()
    storage_id = serializers.IntegerField()

    class Meta:
        model = ManifestExport
        fields = [
            "id",
            "dataset_id",
            "storage_id",
            "key",
            "status",
            "lines_written",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
