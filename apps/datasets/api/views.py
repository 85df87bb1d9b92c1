import json

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts import permissions
from apps.accounts.api.base import OrganizationAPIView
from apps.core.api.pagination import CursorPagination
from apps.datasets import selectors, services
from apps.datasets.api.serializers import (
    DatasetOutput,
    ItemOutput,
    ManifestExportOutput,
    ManifestImportOutput,
    StorageOutput,
)
from apps.datasets.manifest import encode_lines, manifest_lines
from apps.datasets.models import ManifestImport, Storage

READ = permissions.DATA_VIEW
WRITE = permissions.DATA_MANAGE


class LinePagination(CursorPagination):
    ordering = "line_number"


# Storages


class StorageListApi(OrganizationAPIView):
    required_permission = {"GET": READ, "POST": WRITE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100)
        kind = serializers.ChoiceField(choices=Storage.Kind.choices)
        path = serializers.CharField(max_length=500, required=False, allow_blank=True)
        bucket = serializers.CharField(max_length=63, required=False, allow_blank=True)
        prefix = serializers.CharField(max_length=900, required=False, allow_blank=True)
        region = serializers.CharField(max_length=32, required=False, allow_blank=True)
        endpoint_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
        access_key_id = serializers.CharField(max_length=128, required=False, allow_blank=True)
        secret_access_key = serializers.CharField(
            max_length=256, required=False, allow_blank=True, write_only=True
        )

    @extend_schema(responses=StorageOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(selectors.storage_list(organization=self.organization), StorageOutput)

    @extend_schema(request=InputSerializer, responses={201: StorageOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        storage = services.storage_create(
            organization=self.organization, actor=request.user, **payload.validated_data
        )
        return Response(StorageOutput(storage).data, status=201)


class StorageDetailApi(OrganizationAPIView):
    required_permission = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=100, required=False)
        prefix = serializers.CharField(max_length=900, required=False, allow_blank=True)
        region = serializers.CharField(max_length=32, required=False, allow_blank=True)
        endpoint_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
        access_key_id = serializers.CharField(max_length=128, required=False, allow_blank=True)
        secret_access_key = serializers.CharField(max_length=256, required=False, allow_blank=True)

    @extend_schema(responses=StorageOutput)
    def get(self, request: Request, org_slug: str, storage_id: int) -> Response:
        storage = selectors.storage_get(organization=self.organization, storage_id=storage_id)
        return Response(StorageOutput(storage).data)

    @extend_schema(request=InputSerializer, responses=StorageOutput)
    def patch(self, request: Request, org_slug: str, storage_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        storage = selectors.storage_get(organization=self.organization, storage_id=storage_id)
        storage = services.storage_update(
            storage=storage, actor=request.user, **payload.validated_data
        )
        return Response(StorageOutput(storage).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, storage_id: int) -> Response:
        storage = selectors.storage_get(organization=self.organization, storage_id=storage_id)
        services.storage_delete(storage=storage, actor=request.user)
        return Response(status=204)


class StorageTestApi(OrganizationAPIView):
    """List one object to prove the storage works; errors say what is wrong, in our words."""

    required_permission = {"POST": WRITE}

    class TestOutput(serializers.Serializer):
        ok = serializers.BooleanField()

    @extend_schema(request=None, responses=TestOutput)
    def post(self, request: Request, org_slug: str, storage_id: int) -> Response:
        storage = selectors.storage_get(organization=self.organization, storage_id=storage_id)
        services.storage_test(storage=storage)
        return Response({"ok": True})


# Datasets


class DatasetListApi(OrganizationAPIView):
    required_permission = {"GET": READ, "POST": WRITE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        storage_id = serializers.IntegerField(required=False, allow_null=True)
        source_dataset_id = serializers.IntegerField(
            required=False, help_text="Chaining: start with this dataset's items."
        )
        filter_attribute = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        filter_value = serializers.JSONField(required=False, default=None)

    @extend_schema(responses=DatasetOutput(many=True))
    def get(self, request: Request, org_slug: str) -> Response:
        return self.paginated(selectors.dataset_list(organization=self.organization), DatasetOutput)

    @extend_schema(request=InputSerializer, responses={201: DatasetOutput})
    def post(self, request: Request, org_slug: str) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "source_dataset_id" in data:
            source = selectors.dataset_get(
                organization=self.organization, dataset_id=data["source_dataset_id"]
            )
            dataset, _ = services.dataset_create_from_dataset(
                organization=self.organization,
                actor=request.user,
                name=data["name"],
                source_dataset=source,
                filter_attribute=data["filter_attribute"],
                filter_value=data["filter_value"],
            )
        else:
            storage = None
            if data.get("storage_id") is not None:
                storage = selectors.storage_get(
                    organization=self.organization, storage_id=data["storage_id"]
                )
            dataset = services.dataset_create(
                organization=self.organization,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                storage=storage,
            )
        return Response(DatasetOutput(dataset).data, status=201)


class DatasetDetailApi(OrganizationAPIView):
    required_permission = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(required=False, allow_blank=True)

    @extend_schema(responses=DatasetOutput)
    def get(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        return Response(DatasetOutput(dataset).data)

    @extend_schema(request=InputSerializer, responses=DatasetOutput)
    def patch(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        dataset = services.dataset_update(
            dataset=dataset, actor=request.user, **payload.validated_data
        )
        return Response(DatasetOutput(dataset).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        services.dataset_delete(dataset=dataset, actor=request.user)
        return Response(status=204)


# Imports


class ManifestImportListApi(OrganizationAPIView):
    """Start an import: a multipart `file`, or JSON naming a storage `key`, an automatic
    setup `prefix` with `extensions`, or a `source_dataset_id`."""

    required_permission = {"GET": READ, "POST": WRITE}
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        source = serializers.ChoiceField(choices=ManifestImport.Source.choices)
        file = serializers.FileField(required=False)
        storage_id = serializers.IntegerField(required=False)
        key = serializers.CharField(max_length=1024, required=False, allow_blank=True, default="")
        extensions = serializers.ListField(
            child=serializers.CharField(max_length=10), required=False, default=list
        )
        source_dataset_id = serializers.IntegerField(required=False)
        skip_invalid = serializers.BooleanField(required=False, default=False)
        filter_attribute = serializers.CharField(
            max_length=200, required=False, allow_blank=True, default=""
        )
        filter_value = serializers.JSONField(required=False, default=None)

    @extend_schema(responses=ManifestImportOutput(many=True))
    def get(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        return self.paginated(
            selectors.manifest_import_list(organization=self.organization, dataset_id=dataset_id),
            ManifestImportOutput,
        )

    @extend_schema(request=InputSerializer, responses={201: ManifestImportOutput})
    def post(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        storage = source_dataset = None
        if data.get("storage_id") is not None:
            storage = selectors.storage_get(
                organization=self.organization, storage_id=data["storage_id"]
            )
        if data.get("source_dataset_id") is not None:
            source_dataset = selectors.dataset_get(
                organization=self.organization, dataset_id=data["source_dataset_id"]
            )
        manifest_import = services.manifest_import_start(
            dataset=dataset,
            actor=request.user,
            source=data["source"],
            upload=data.get("file"),
            storage=storage,
            key=data["key"],
            extensions=data["extensions"],
            source_dataset=source_dataset,
            skip_invalid=data["skip_invalid"],
            filter_attribute=data["filter_attribute"],
            filter_value=data["filter_value"],
        )
        return Response(ManifestImportOutput(manifest_import).data, status=201)


class ManifestImportDetailApi(OrganizationAPIView):
    """Status, progress and the first 100 line-numbered errors of one import."""

    required_permission = {"GET": READ}

    @extend_schema(responses=ManifestImportOutput)
    def get(self, request: Request, org_slug: str, dataset_id: int, import_id: int) -> Response:
        manifest_import = selectors.manifest_import_get(
            organization=self.organization, dataset_id=dataset_id, import_id=import_id
        )
        return Response(ManifestImportOutput(manifest_import).data)


# Items


def _filter_value(raw: str | None):
    """`?value=` as JSON when it parses (1, true, "x"), else the plain string."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class ItemListApi(OrganizationAPIView):
    required_permission = {"GET": READ}
    pagination_class = LinePagination

    @extend_schema(
        parameters=[
            OpenApiParameter("attribute", OpenApiTypes.STR, description="Items having this key"),
            OpenApiParameter(
                "value", OpenApiTypes.STR, description="...whose value equals this (JSON or text)"
            ),
        ],
        responses=ItemOutput(many=True),
    )
    def get(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        items = selectors.item_list(
            organization=self.organization,
            dataset_id=dataset_id,
            attribute=request.query_params.get("attribute") or None,
            value=_filter_value(request.query_params.get("value")),
        )
        return self.paginated(items, ItemOutput)


class ItemDetailApi(OrganizationAPIView):
    required_permission = {"GET": READ}

    @extend_schema(responses=ItemOutput)
    def get(self, request: Request, org_slug: str, dataset_id: int, item_id: int) -> Response:
        item = selectors.item_get(
            organization=self.organization, dataset_id=dataset_id, item_id=item_id
        )
        return Response(ItemOutput(item).data)


# Exports


class ManifestDownloadApi(OrganizationAPIView):
    """The dataset's manifest as JSON Lines, streamed in constant memory."""

    required_permission = {"GET": READ}

    @extend_schema(responses={(200, "application/x-ndjson"): OpenApiTypes.STR})
    def get(self, request: Request, org_slug: str, dataset_id: int) -> StreamingHttpResponse:
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        items = selectors.item_iter_for_export(
            organization_id=self.organization.id, dataset_id=dataset.id
        )
        response = StreamingHttpResponse(
            encode_lines(manifest_lines(items), chunk_bytes=256 << 10),
            content_type="application/x-ndjson",
        )
        response["Content-Disposition"] = f'attachment; filename="dataset-{dataset.id}.manifest"'
        return response


class ManifestExportListApi(OrganizationAPIView):
    required_permission = {"GET": READ, "POST": WRITE}

    class InputSerializer(serializers.Serializer):
        storage_id = serializers.IntegerField()
        key = serializers.CharField(max_length=1024)

    @extend_schema(responses=ManifestExportOutput(many=True))
    def get(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        return self.paginated(
            selectors.manifest_export_list(organization=self.organization, dataset_id=dataset_id),
            ManifestExportOutput,
        )

    @extend_schema(request=InputSerializer, responses={201: ManifestExportOutput})
    def post(self, request: Request, org_slug: str, dataset_id: int) -> Response:
        dataset = selectors.dataset_get(organization=self.organization, dataset_id=dataset_id)
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        storage = selectors.storage_get(
            organization=self.organization, storage_id=payload.validated_data["storage_id"]
        )
        export = services.manifest_export_start(
            dataset=dataset,
            actor=request.user,
            storage=storage,
            key=payload.validated_data["key"],
        )
        return Response(ManifestExportOutput(export).data, status=201)


class ManifestExportDetailApi(OrganizationAPIView):
    required_permission = {"GET": READ}

    @extend_schema(responses=ManifestExportOutput)
    def get(self, request: Request, org_slug: str, dataset_id: int, export_id: int) -> Response:
        export = selectors.manifest_export_get(
            organization=self.organization, dataset_id=dataset_id, export_id=export_id
        )
        return Response(ManifestExportOutput(export).data)
