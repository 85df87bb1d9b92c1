"""Every write to storages, datasets, items, imports and exports."""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Organization, User
from apps.core.crypto import encrypt
from apps.core.errors import DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.outbound import outbound_target
from apps.core.services import audit_record
from apps.datasets import jobs
from apps.datasets.errors import (
    ImportInProgress,
    NameTaken,
    StorageInUse,
    StoragePathRefused,
)
from apps.datasets.importing import stage_upload, stale_before
from apps.datasets.manifest import encode_lines, manifest_lines
from apps.datasets.models import (
    Dataset,
    Item,
    JobStatus,
    ManifestExport,
    ManifestImport,
    Storage,
)
from apps.datasets.storages import LocalBackend, backend_for, clean_relative_path

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+-\d$")
EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


def _name(name: str, *, max_length: int) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError.on_field("name", "A name is required.")
    if len(name) > max_length:
        raise DomainError.on_field("name", f"A name has at most {max_length} characters.")
    return name


def _save_unique(instance, *, field: str = "name") -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise NameTaken(**{field: [f"The name {getattr(instance, field)!r} is taken."]}) from None


# Storages


def _check_s3_fields(storage: Storage) -> None:
    if not BUCKET_NAME.match(storage.bucket) or ".." in storage.bucket:
        raise DomainError.on_field("bucket", "Enter a valid S3 bucket name.")
    if storage.region and not REGION_NAME.match(storage.region):
        raise DomainError.on_field("region", "Enter a region name such as eu-west-1.")
    prefix = clean_relative_path(storage.prefix, field="prefix")
    storage.prefix = f"{prefix}/" if prefix else ""
    if storage.endpoint_url:
        # Refuses loopback, link-local, private ranges and non-http(s) schemes; checked
        # again (and pinned) every time a client is built.
        storage.endpoint_url = outbound_target(storage.endpoint_url, field="endpoint_url").url


def _check_local_fields(storage: Storage) -> None:
    storage.path = clean_relative_path(storage.path, field="path")
    backend = LocalBackend(storage)  # refuses a symlink leading out of the root
    backend.root.mkdir(parents=True, exist_ok=True)
    if LocalBackend(storage).root != backend.root:
        raise StoragePathRefused(path=["This path is outside the storage."])


def _set_credentials(storage: Storage, access_key_id: str, secret_access_key: str) -> None:
    access_key_id, secret_access_key = access_key_id.strip(), secret_access_key.strip()
    if bool(access_key_id) != bool(secret_access_key):
        raise DomainError.on_field(
            "secret_access_key" if access_key_id else "access_key_id",
            "Give both the access key id and the secret access key, or neither.",
        )
    storage.access_key_id_encrypted = encrypt(access_key_id) if access_key_id else ""
    storage.secret_access_key_encrypted = encrypt(secret_access_key) if access_key_id else ""


@transaction.atomic
def storage_create(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    kind: str,
    path: str = "",
    bucket: str = "",
    prefix: str = "",
    region: str = "",
    endpoint_url: str = "",
    access_key_id: str = "",
    secret_access_key: str = "",
) -> Storage:
    """Register a local folder (under the operator root) or an S3 bucket."""
    if kind not in Storage.Kind.values:
        raise DomainError.on_field("kind", f"Unknown kind {kind!r}; one of: local, s3.")
    storage = Storage(
        organization=organization,
        name=_name(name, max_length=100),
        kind=kind,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if kind == Storage.Kind.LOCAL:
        storage.path = path
        _check_local_fields(storage)
    else:
        storage.bucket, storage.prefix, storage.region = bucket.strip(), prefix, region.strip()
        storage.endpoint_url = endpoint_url.strip()
        _check_s3_fields(storage)
        _set_credentials(storage, access_key_id, secret_access_key)
    _save_unique(storage)
    audit_record(
        organization_id=organization.id,
        actor=actor,
        action="storage.created",
        target=storage,
        kind=kind,
    )
    return storage


@transaction.atomic
def storage_update(
    *,
    storage: Storage,
    actor: User | None,
    name: str | None = None,
    prefix: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
) -> Storage:
    """Rename, or change an S3 storage's settings; a local folder's path never changes
    (Items refer to it)."""
    storage = Storage.objects.select_for_update().get(pk=storage.pk)
    if name is not None:
        storage.name = _name(name, max_length=100)
    if storage.kind == Storage.Kind.S3:
        if prefix is not None:
            storage.prefix = prefix
        if region is not None:
            storage.region = region.strip()
        if endpoint_url is not None:
            storage.endpoint_url = endpoint_url.strip()
        _check_s3_fields(storage)
        if access_key_id is not None or secret_access_key is not None:
            _set_credentials(storage, access_key_id or "", secret_access_key or "")
    _save_unique(storage)
    audit_record(
        organization_id=storage.organization_id,
        actor=actor,
        action="storage.updated",
        target=storage,
    )
    return storage


@transaction.atomic
def storage_delete(*, storage: Storage, actor: User | None) -> None:
    if Dataset.objects.filter(organization_id=storage.organization_id, storage=storage).exists():
        raise StorageInUse()
    if ManifestExport.objects.filter(
        organization_id=storage.organization_id, storage=storage
    ).exists():
        raise StorageInUse("Exports were written to this storage; it is kept for their record.")
    audit_record(
        organization_id=storage.organization_id,
        actor=actor,
        action="storage.deleted",
        target=storage,
        name=storage.name,
    )
    storage.delete()


def storage_test(*, storage: Storage) -> None:
    """List one object; raises StorageUnavailable with a clear, provider-free message."""
    with backend_for(storage) as backend:
        backend.check()


# Datasets


def _check_storage(organization: Organization, storage: Storage | None) -> None:
    if storage is not None and storage.organization_id != organization.id:
        raise DomainError.on_field("storage_id", "No such storage.")


@transaction.atomic
def dataset_create(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    description: str = "",
    storage: Storage | None = None,
    is_internal: bool = False,
) -> Dataset:
    _check_storage(organization, storage)
    dataset = Dataset(
        organization=organization,
        name=_name(name, max_length=200),
        description=description.strip(),
        storage=storage,
        is_internal=is_internal,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _save_unique(dataset)
    audit_record(
        organization_id=organization.id, actor=actor, action="dataset.created", target=dataset
    )
    return dataset


@transaction.atomic
def dataset_update(
    *,
    dataset: Dataset,
    actor: User | None,
    name: str | None = None,
    description: str | None = None,
) -> Dataset:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if name is not None:
        dataset.name = _name(name, max_length=200)
    if description is not None:
        dataset.description = description.strip()
    _save_unique(dataset)
    return dataset


@transaction.atomic
def dataset_delete(*, dataset: Dataset, actor: User | None) -> None:
    dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
    if ManifestImport.objects.filter(
        dataset=dataset, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).exists():
        raise ImportInProgress("An import into this dataset is running; delete it afterwards.")
    audit_record(
        organization_id=dataset.organization_id,
        actor=actor,
        action="dataset.deleted",
        target=dataset,
        name=dataset.name,
        item_count=dataset.item_count,
    )
    # One DELETE, not the ORM's cascade, which would load every Item into memory first.
    Item.objects.filter(dataset=dataset)._raw_delete(Item.objects.db)
    dataset.delete()


# Imports


def _clean_extensions(extensions: list[str]) -> list[str]:
    cleaned = []
    for extension in extensions:
        extension = str(extension).strip().lstrip(".").lower()
        if not EXTENSION.match(extension):
            raise DomainError.on_field("extensions", f"{extension!r} is not a file extension.")
        cleaned.append(extension)
    return sorted(set(cleaned))


@transaction.atomic
def manifest_import_start(
    *,
    dataset: Dataset,
    actor: User | None,
    source: str,
    upload: BinaryIO | None = None,
    storage: Storage | None = None,
    key: str = "",
    extensions: list[str] | None = None,
    source_dataset: Dataset | None = None,
    skip_invalid: bool = False,
    filter_attribute: str = "",
    filter_value: Any = None,
    enqueue: bool = True,
) -> ManifestImport:
    """Queue an import into `dataset` from an upload, a manifest in a storage, a storage
    prefix (automatic data setup) or another dataset's items (chaining), with an optional
    `label == value` filter. The job runs after commit; one import at a time per dataset.
    With `enqueue=False` the caller runs it (`manifest_import_run`), as the operator command
    does to print progress in-process."""
    organization_id = dataset.organization_id
    manifest_import = ManifestImport(
        organization_id=organization_id,
        dataset=dataset,
        source=source,
        skip_invalid=skip_invalid,
        filter_attribute=(filter_attribute or "").strip(),
        filter_value=filter_value,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if manifest_import.filter_attribute and filter_value is None:
        raise DomainError.on_field(
            "filter_value", "Give the value the filter attribute must equal."
        )
    if source == ManifestImport.Source.UPLOAD:
        if upload is None:
            raise DomainError.on_field("file", "Attach the manifest file (JSON Lines).")
    elif source in (ManifestImport.Source.STORAGE, ManifestImport.Source.AUTO):
        if storage is None or storage.organization_id != organization_id:
            raise DomainError.on_field("storage_id", "No such storage.")
        manifest_import.storage = storage
        if source == ManifestImport.Source.STORAGE:
            manifest_import.key = clean_relative_path(key, field="key", allow_empty=False)
        else:
            manifest_import.key = clean_relative_path(key, field="prefix")
            manifest_import.extensions = _clean_extensions(extensions or [])
            if dataset.storage_id is None:  # the dataset takes the listed storage
                Dataset.objects.filter(id=dataset.id).update(storage=storage)
                dataset.storage = storage
    elif source == ManifestImport.Source.DATASET:
        if source_dataset is None or source_dataset.organization_id != organization_id:
            raise DomainError.on_field("source_dataset_id", "No such dataset.")
        if source_dataset.pk == dataset.pk:
            raise DomainError.on_field(
                "source_dataset_id", "A dataset cannot import its own items."
            )
        manifest_import.source_dataset = source_dataset
    else:
        raise DomainError.on_field("source", f"Unknown source {source!r}.")
    # An import whose worker died (no progress for a long time) no longer blocks new ones.
    ManifestImport.objects.filter(
        dataset=dataset, status=JobStatus.RUNNING, updated_at__lt=stale_before()
    ).update(
        status=JobStatus.FAILED,
        message="The import stopped (its worker was lost); nothing was imported.",
        finished_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            manifest_import.save()
    except IntegrityError:
        raise ImportInProgress() from None
    if upload is not None:
        manifest_import.upload_name = stage_upload(upload)
        manifest_import.save(update_fields=["upload_name"])
    audit_record(
        organization_id=organization_id,
        actor=actor,
        action="manifest_import.started",
        target=manifest_import,
        source=source,
        dataset_id=dataset.id,
    )
    if enqueue:
        enqueue_on_commit(
            jobs.manifest_import_run,
            organization_id=organization_id,
            manifest_import_id=manifest_import.id,
        )
    return manifest_import


@transaction.atomic
def dataset_create_from_dataset(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    source_dataset: Dataset,
    filter_attribute: str = "",
    filter_value: Any = None,
) -> tuple[Dataset, ManifestImport]:
    """Chaining: a new dataset holding another's items (all keys, prior labels included),
    optionally only those whose `filter_attribute` label equals `filter_value`."""
    if source_dataset.organization_id != organization.id:
        raise DomainError.on_field("source_dataset_id", "No such dataset.")
    dataset = dataset_create(
        organization=organization,
        actor=actor,
        name=name,
        storage=source_dataset.storage,
        description=f"From {source_dataset.name}",
    )
    manifest_import = manifest_import_start(
        dataset=dataset,
        actor=actor,
        source=ManifestImport.Source.DATASET,
        source_dataset=source_dataset,
        filter_attribute=filter_attribute,
        filter_value=filter_value,
    )
    return dataset, manifest_import


def manifest_import_run(*, manifest_import_id: int, on_progress=None) -> None:
    """Called by the job; owns its transactions (see apps.datasets.importing).
    `on_progress(counts)` is called whenever progress is recorded."""
    from apps.datasets.importing import run_import

    run_import(manifest_import_id, on_progress=on_progress)


# Exports


@transaction.atomic
def manifest_export_start(
    *, dataset: Dataset, actor: User | None, storage: Storage, key: str
) -> ManifestExport:
    """Queue writing the dataset's manifest to `key` in `storage`."""
    if storage.organization_id != dataset.organization_id:
        raise DomainError.on_field("storage_id", "No such storage.")
    export = ManifestExport.objects.create(
        organization_id=dataset.organization_id,
        dataset=dataset,
        storage=storage,
        key=clean_relative_path(key, field="key", allow_empty=False),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        organization_id=dataset.organization_id,
        actor=actor,
        action="manifest_export.started",
        target=export,
        dataset_id=dataset.id,
    )
    enqueue_on_commit(
        jobs.manifest_export_run, organization_id=dataset.organization_id, export_id=export.id
    )
    return export


def manifest_export_run(*, export_id: int) -> None:
    """Stream the manifest into the storage; a no-op unless the export is pending."""
    import logging

    from apps.datasets.selectors import item_iter_for_export

    claimed = ManifestExport.objects.filter(id=export_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    export = ManifestExport.objects.select_related("storage", "storage__organization").get(
        id=export_id
    )
    written = 0

    def counted(lines):
        nonlocal written
        for line in lines:
            written += 1
            yield line

    items = item_iter_for_export(
        organization_id=export.organization_id, dataset_id=export.dataset_id
    )
    try:
        with backend_for(export.storage) as backend:
            backend.write(export.key, encode_lines(counted(manifest_lines(items))))
    except DomainError as error:
        ManifestExport.objects.filter(id=export_id).update(
            status=JobStatus.FAILED, message=error.message[:500], finished_at=timezone.now()
        )
        return
    except Exception:
        logging.getLogger(__name__).exception("Export %s failed", export_id)
        ManifestExport.objects.filter(id=export_id).update(
            status=JobStatus.FAILED,
            message="The export failed unexpectedly.",
            finished_at=timezone.now(),
        )
        return
    ManifestExport.objects.filter(id=export_id).update(
        status=JobStatus.SUCCEEDED,
        lines_written=written,
        finished_at=timezone.now(),
        message=f"Wrote {written:,} line(s).",
    )


# Media


THUMBNAIL_SIZE = (256, 256)
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff")
MEDIA_BATCH = 200
MAX_IMAGE_BYTES = 50 << 20


def item_media_probe(*, item: Item) -> Item:
    """Width, height and format of an image Item (Pillow), and a JPEG thumbnail kept under
    DATASETS_WORK_ROOT/thumbnails. Errors are recorded on the Item, never raised."""
    from pathlib import Path

    from PIL import Image, UnidentifiedImageError

    from apps.datasets.objects import location_for_ref

    try:
        storage, key = location_for_ref(item=item, ref=item.source_ref)
        with backend_for(storage) as backend, backend.open(key) as stream:
            data = stream.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise DomainError("The image is larger than 50 MB.")
        import io

        with Image.open(io.BytesIO(data)) as image:
            item.width, item.height = image.size
            item.media_format = (image.format or "").lower()[:16]
            image.thumbnail(THUMBNAIL_SIZE)
            relative = f"{item.organization_id}/{item.dataset_id}/{item.id}.jpg"
            target = Path(settings.DATASETS_WORK_ROOT) / "thumbnails" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            image.convert("RGB").save(target, "JPEG", quality=80)
            item.thumbnail_path = relative
            item.media_error = ""
    except DomainError as error:
        item.media_error = error.message[:200]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        item.media_error = "Not a readable image."
    Item.objects.filter(id=item.id).update(
        width=item.width,
        height=item.height,
        media_format=item.media_format,
        thumbnail_path=item.thumbnail_path,
        media_error=item.media_error,
    )
    return item


def dataset_media_probe_batch(*, dataset_id: int, after_line: int) -> int | None:
    """Probe the next batch of image Items after `after_line`; returns the last line done,
    or None when none are left."""
    items = list(
        Item.objects.filter(dataset_id=dataset_id, line_number__gt=after_line)
        .exclude(source_ref__isnull=True)
        .order_by("line_number")[:MEDIA_BATCH]
    )
    if not items:
        return None
    for item in items:
        if item.source_ref.lower().endswith(IMAGE_EXTENSIONS) and not item.thumbnail_path:
            item_media_probe(item=item)
    return items[-1].line_number
