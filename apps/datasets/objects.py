"""Read access to one object of an Item, for workers who never see storage credentials."""

from __future__ import annotations

import posixpath

from django.conf import settings

from apps.datasets.errors import StoragePathRefused
from apps.datasets.models import Item, Storage
from apps.datasets.storages import backend_for, clean_relative_path

# Where our signed route for objects lives (apps/datasets/urls.py); task
# frames allow it as an image/media source beside https: and data:.
OBJECT_ROUTE_PREFIX = "/objects/"


def location_for_ref(*, item: Item, ref: str | None) -> tuple[Storage, str]:
    """The storage and key a ref of `item` names: a relative path inside the item's dataset's
    storage, or an s3:// URI inside one of the organization's S3 storages (the longest
    matching prefix wins). Anything else is refused: refs never reach arbitrary URLs."""
    if not ref:
        raise StoragePathRefused("This item has no object reference.")
    if ref.startswith("s3://"):
        bucket, _, object_key = ref[5:].partition("/")
        candidates = Storage.objects.filter(
            organization_id=item.organization_id, kind=Storage.Kind.S3, bucket=bucket
        ).order_by("-prefix", "pk")
        for storage in candidates:
            if object_key.startswith(storage.prefix) and len(object_key) > len(storage.prefix):
                return storage, object_key[len(storage.prefix) :]
        raise StoragePathRefused("This reference is not inside a registered storage.")
    if "://" in ref:
        raise StoragePathRefused("This reference is not inside a registered storage.")
    dataset = item.dataset
    if dataset.storage_id is None:
        raise StoragePathRefused("The dataset has no storage for relative references.")
    return dataset.storage, clean_relative_path(ref, field="ref", allow_empty=False)


def object_read_url(
    *,
    item: Item,
    ref: str | None = None,
    expires_in: int | None = None,
    source_networks: tuple[str, ...] = (),
) -> str:
    """A short-lived URL to read `ref` (default: the item's source-ref): S3 presigned, or
    our signed route for local folders (served with nosniff and a sandbox CSP).

    Authorization is the caller's job: call this only for someone allowed to see the Item
    (e.g. the worker holding an assignment for it). This function checks only that the
    ref lies inside a storage of the Item's organization. `source_networks` (CIDRs) limit
    where it may be read from: such S3 objects are then served through our route too,
    since a presigned URL cannot carry that condition.
    """
    ref = ref if ref is not None else item.source_ref
    expires_in = min(expires_in or settings.DATASETS_OBJECT_URL_MAX_AGE, 7 * 24 * 3600)
    storage, key = location_for_ref(item=item, ref=ref)
    with backend_for(storage) as backend:
        return backend.read_url(
            key,
            expires_in=expires_in,
            filename=posixpath.basename(key),
            source_networks=tuple(source_networks),
        )
