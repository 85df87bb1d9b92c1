"""Every read of storages, datasets, items, imports and exports; always by organization."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform

from apps.accounts.models import Organization
from apps.core.errors import NotFound
from apps.datasets.manifest import StoredItem
from apps.datasets.models import Dataset, Item, ManifestExport, ManifestImport, Storage


def storage_list(*, organization: Organization) -> QuerySet[Storage]:
    return Storage.objects.filter(organization=organization)


def storage_get(*, organization: Organization, storage_id: int) -> Storage:
    storage = (
        storage_list(organization=organization)
        .select_related("organization")
        .filter(id=storage_id)
        .first()
    )
    if storage is None:
        raise NotFound()
    return storage


def dataset_list(*, organization: Organization) -> QuerySet[Dataset]:
    """The organization's datasets, without internal ones (a flow's loop inputs)."""
    return Dataset.objects.filter(organization=organization, is_internal=False).select_related(
        "storage"
    )


def dataset_get(*, organization: Organization, dataset_id: int) -> Dataset:
    dataset = dataset_list(organization=organization).filter(id=dataset_id).first()
    if dataset is None:
        raise NotFound()
    return dataset


def item_list(
    *,
    organization: Organization,
    dataset_id: int,
    attribute: str | None = None,
    value: Any = None,
) -> QuerySet[Item]:
    """A dataset's Items in line order; with `attribute`, only those having that key (and,
    with `value`, whose value there equals it). Unknown dataset ids raise NotFound."""
    dataset = dataset_get(organization=organization, dataset_id=dataset_id)
    items = Item.objects.filter(organization=organization, dataset=dataset)
    if attribute:
        if value is None:
            items = items.filter(data__has_key=attribute)
        else:
            items = items.annotate(attribute_value=KeyTransform(attribute, "data")).filter(
                attribute_value=value
            )
    return items.order_by("line_number")


def item_at_line(*, organization: Organization, dataset_id: int, line_number: int) -> Item:
    """The item of the dataset's manifest line `line_number` (1-based); NotFound if none."""
    item = item_list(organization=organization, dataset_id=dataset_id).filter(
        line_number=line_number
    )
    found = item.first()
    if found is None:
        raise NotFound()
    return found


def item_get(*, organization: Organization, dataset_id: int, item_id: int) -> Item:
    item = (
        item_list(organization=organization, dataset_id=dataset_id)
        .select_related("dataset", "dataset__storage")
        .filter(id=item_id)
        .first()
    )
    if item is None:
        raise NotFound()
    return item


def item_iter_for_export(*, organization_id: int, dataset_id: int) -> Iterator[Any]:
    """Items (`.id`, `.data`) in line order, streamed in constant memory.

    On PostgreSQL a COPY TO STDOUT streams the rows as text without a server-side cursor's
    round trips; elsewhere a chunked iterator. The query is built now, inside the caller's
    organization scope, even though a streaming response consumes it later.
    """
    if connection.vendor == "postgresql":
        return _copy_out(organization_id, dataset_id)
    rows = (
        Item.objects.filter(organization_id=organization_id, dataset_id=dataset_id)
        .order_by("line_number")
        .values_list("id", "data")
        .iterator(chunk_size=5_000)
    )
    return (SimpleNamespace(id=item_id, data=data) for item_id, data in rows)


def _copy_out(organization_id: int, dataset_id: int) -> Iterator[StoredItem]:
    query = (
        "COPY (SELECT id, data FROM datasets_item WHERE organization_id = %s AND dataset_id = %s"
        " ORDER BY line_number) TO STDOUT"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(query, (int(organization_id), int(dataset_id))) as copy,
    ):
        for item_id, text in copy.rows():
            yield StoredItem(int(item_id), text)


def manifest_import_list(*, organization: Organization, dataset_id: int) -> QuerySet:
    dataset = dataset_get(organization=organization, dataset_id=dataset_id)
    return ManifestImport.objects.filter(organization=organization, dataset=dataset)


def manifest_import_get(
    *, organization: Organization, dataset_id: int, import_id: int
) -> ManifestImport:
    manifest_import = (
        manifest_import_list(organization=organization, dataset_id=dataset_id)
        .filter(id=import_id)
        .first()
    )
    if manifest_import is None:
        raise NotFound()
    return manifest_import


def manifest_export_list(*, organization: Organization, dataset_id: int) -> QuerySet:
    dataset = dataset_get(organization=organization, dataset_id=dataset_id)
    return ManifestExport.objects.filter(organization=organization, dataset=dataset)


def manifest_export_get(
    *, organization: Organization, dataset_id: int, export_id: int
) -> ManifestExport:
    export = (
        manifest_export_list(organization=organization, dataset_id=dataset_id)
        .filter(id=export_id)
        .first()
    )
    if export is None:
        raise NotFound()
    return export
