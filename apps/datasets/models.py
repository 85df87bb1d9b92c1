"""Storages, Datasets and their Items (one manifest line each), imports and exports."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import TenantModel

# S3 keys are at most 1,024 bytes; a ref is the key plus `s3://bucket/`. PostgreSQL's
# btree rows hold ~2,700 bytes, so the unique index on refs stays well inside that.
SOURCE_REF_MAX_LENGTH = 1100


class Storage(TenantModel):
    """Where an organization's objects live: a folder under the operator's root, or S3."""

    class Kind(models.TextChoices):
        LOCAL = "local", "Local folder"
        S3 = "s3", "Amazon S3 or S3-compatible"

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # local: relative to settings.DATASETS_LOCAL_ROOT, checked to stay inside it
    path = models.CharField(max_length=500, blank=True)
    # s3
    bucket = models.CharField(max_length=63, blank=True)
    prefix = models.CharField(max_length=900, blank=True)
    region = models.CharField(max_length=32, blank=True)
    endpoint_url = models.CharField(max_length=500, blank=True)
    # Both encrypted (apps.core.crypto); empty: the server's own AWS credential chain.
    access_key_id_encrypted = models.TextField(blank=True)
    secret_access_key_encrypted = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="storage_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=["local", "s3"]), name="storage_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def has_credentials(self) -> bool:
        return bool(self.access_key_id_encrypted)


class Dataset(TenantModel):
    """A set of Items; relative `source-ref`s of its Items resolve inside `storage`."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    storage = models.ForeignKey(
        Storage, null=True, blank=True, on_delete=models.PROTECT, related_name="datasets"
    )
    item_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Written by the app that owns it (a flow's human-loop inputs), never listed to people.
    is_internal = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="dataset_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Item(TenantModel):
    """One manifest line. `data` is the line's object as read (source or source-ref and
    every other key, prior labels included); `line_number` is its 1-based position in the
    dataset. The media fields are filled by the `datasets.probe_media` job."""

    # Items are written a million at a time (COPY), so every index and trigger per row
    # counts: the (dataset, line_number) unique index serves dataset and tenant filters, so
    # the FK indexes and the created_at index of the base classes are dropped here; the
    # organization is always the dataset's, set by the import service.
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # No FK trigger either: PostgreSQL checks deferred FKs row by row at commit (1M rows,
    # ~10 s). Integrity holds in the services: an import locks its dataset to commit, and
    # dataset_delete locks it and deletes the Items first.
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="items",
        db_index=False,
        db_constraint=False,
    )
    line_number = models.PositiveIntegerField()
    data = models.JSONField()
    # NULL for inline `source` lines: NULLs never clash in the unique constraint below.
    source_ref = models.CharField(  # noqa: DJ001
        max_length=SOURCE_REF_MAX_LENGTH, null=True, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    media_format = models.CharField(max_length=16, blank=True, db_default="")
    thumbnail_path = models.CharField(max_length=300, blank=True, db_default="")
    media_error = models.CharField(max_length=200, blank=True, db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dataset", "line_number"], name="item_unique_line"),
            # Also the index duplicate detection uses; NULL refs (inline `source`) never clash.
            models.UniqueConstraint(
                fields=["dataset", "source_ref"],
                condition=Q(source_ref__isnull=False),
                name="item_unique_ref",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.line_number}"


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class ManifestImport(TenantModel):
    """One import into a dataset; progress and per-line errors are readable while it runs."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded manifest"
        STORAGE = "storage", "Manifest in a storage"
        AUTO = "auto", "Automatic data setup (list a prefix)"
        DATASET = "dataset", "Another dataset's items"

    MAX_ERRORS = 100

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(max_length=10, choices=Source.choices)
    storage = models.ForeignKey(
        Storage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=1024, blank=True)  # manifest key/path, or AUTO's prefix
    upload_name = models.CharField(max_length=200, blank=True)  # staged file, in the upload root
    source_dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    extensions = models.JSONField(default=list, blank=True)
    skip_invalid = models.BooleanField(default=False)
    filter_attribute = models.CharField(max_length=200, blank=True)
    filter_value = models.JSONField(null=True, blank=True)

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    lines_read = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # first MAX_ERRORS: {"line", "message"}
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # One import at a time per dataset: line numbers and duplicate checks rely on it.
            models.UniqueConstraint(
                fields=["dataset"],
                condition=Q(status__in=["pending", "running"]),
                name="manifest_import_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} into {self.dataset_id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ManifestExport(TenantModel):
    """The dataset's manifest written to a storage key by a background job."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="exports")
    storage = models.ForeignKey(Storage, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=1024)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    lines_written = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"export {self.pk} of {self.dataset_id} ({self.status})"
