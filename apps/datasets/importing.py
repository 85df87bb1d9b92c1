"""The import engine: stream a manifest, validate every line, insert all or nothing.

Every valid line becomes a row in PostgreSQL's COPY text format, numbered after the
dataset's last line; invalid ones are recorded (the first 100, with line numbers).

- PostgreSQL: one pass. The rows feed a `COPY ... FROM STDIN` inside one transaction while
  the source is still being read, so the database ingests on one core while Python parses
  on the other. Progress is written through a second, autocommit connection (this
  transaction's writes stay invisible until it commits). In atomic mode the first invalid
  line stops the copying and the transaction is rolled back at the end.
- Other databases: pass 1 writes the rows to a temporary file, committing progress as it
  goes; pass 2 bulk-inserts the file in one transaction.

Either way the Items and the import's final status commit together, and memory stays
constant: one line, one 1 MB buffer.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.core.errors import DomainError
from apps.datasets.manifest import (
    LineInvalid,
    LineValidator,
    RefRules,
    matches_filter,
    read_lines,
    ref_hash,
)
from apps.datasets.models import Dataset, Item, JobStatus, ManifestImport, Storage
from apps.datasets.storages import backend_for

logger = logging.getLogger(__name__)

PROGRESS_EVERY_LINES = 20_000
PROGRESS_EVERY_SECONDS = 1.0
STALE_AFTER = timedelta(minutes=30)
BULK_BATCH = 2_000
COPY_CHUNK = 1 << 20
COPY_COLUMNS = "organization_id, dataset_id, line_number, data, source_ref, created_at, updated_at"


def upload_root() -> Path:
    return Path(settings.DATASETS_WORK_ROOT) / "uploads"


def _copy_escape(value: str) -> str:
    # COPY text format: backslash, tab, newline and carriage return must be escaped.
    value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def _copy_unescape(value: str) -> str:
    return _UNESCAPE.sub(lambda match: _UNESCAPES.get(match[1], match[1]), value)


def _source_lines(manifest_import: ManifestImport) -> Iterator[tuple[int, bytes | None]]:
    source = manifest_import.source
    if source == ManifestImport.Source.UPLOAD:
        with open(upload_root() / manifest_import.upload_name, "rb") as stream:
            yield from read_lines(stream)
    elif source == ManifestImport.Source.STORAGE:
        with (
            backend_for(manifest_import.storage) as backend,
            backend.open(manifest_import.key) as stream,
        ):
            yield from read_lines(stream)
    elif source == ManifestImport.Source.AUTO:
        yield from _auto_lines(manifest_import)


def _auto_lines(manifest_import: ManifestImport) -> Iterator[tuple[int, bytes | None]]:
    """Ground Truth's automated data setup: one `{"source-ref": ...}` per matching object."""
    storage = manifest_import.storage
    with backend_for(storage) as backend:
        yield from _listed_lines(manifest_import, backend)


def _listed_lines(manifest_import: ManifestImport, backend) -> Iterator[tuple[int, bytes | None]]:
    storage = manifest_import.storage
    extensions = tuple(f".{ext.lower().lstrip('.')}" for ext in manifest_import.extensions)
    same_storage = manifest_import.dataset.storage_id == storage.pk
    number = 0
    for key in backend.iter_keys(manifest_import.key):
        if extensions and not key.lower().endswith(extensions):
            continue
        number += 1
        # A relative ref inside the dataset's own storage; an s3:// URI otherwise.
        ref = key if same_storage else backend.ref_for(key)
        yield number, json.dumps({"source-ref": ref}).encode()


@contextmanager
def _dataset_source(manifest_import: ManifestImport) -> Iterator[Iterator]:
    """Another dataset's items, first copied to a local file: the import's COPY holds the
    database connection while it reads its source, so the source cannot be a query."""
    from apps.datasets.manifest import encode_lines, manifest_lines
    from apps.datasets.selectors import item_iter_for_export

    source = manifest_import.source_dataset
    work = Path(settings.DATASETS_WORK_ROOT) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=work) as dump:
        if source is not None:
            items = item_iter_for_export(
                organization_id=source.organization_id, dataset_id=source.id
            )
            for chunk in encode_lines(manifest_lines(items)):
                dump.write(chunk)
        dump.seek(0)
        yield read_lines(dump)


@contextmanager
def _source(manifest_import: ManifestImport) -> Iterator[Iterator]:
    """The source's lines, ready before any COPY starts."""
    if manifest_import.source == ManifestImport.Source.DATASET:
        with _dataset_source(manifest_import) as lines:
            yield lines
    else:
        yield _source_lines(manifest_import)


def _rules(dataset: Dataset) -> RefRules:
    s3 = Storage.objects.filter(organization_id=dataset.organization_id, kind=Storage.Kind.S3)
    return RefRules(
        s3_locations=[(bucket, prefix) for bucket, prefix in s3.values_list("bucket", "prefix")],
        has_dataset_storage=dataset.storage_id is not None,
    )


def _existing_refs(dataset: Dataset) -> set[int]:
    refs = (
        Item.objects.filter(dataset=dataset, source_ref__isnull=False)
        .values_list("source_ref", flat=True)
        .iterator(chunk_size=10_000)
    )
    return {ref_hash(ref) for ref in refs}


def stale_before():
    """A running import whose progress has not moved since then lost its worker."""
    return timezone.now() - STALE_AFTER


def _claim(manifest_import_id: int) -> bool:
    """pending -> running, once: a second run of the job finds nothing to do, unless the
    first one died (a redelivered job after a worker crash takes over a stale import; its
    transaction was rolled back, so it starts from scratch)."""
    now = timezone.now()
    claimable = Q(status=JobStatus.PENDING) | Q(
        status=JobStatus.RUNNING, updated_at__lt=stale_before()
    )
    return bool(
        ManifestImport.objects.filter(claimable, id=manifest_import_id).update(
            status=JobStatus.RUNNING, started_at=now, updated_at=now
        )
    )


def _finish_failed(manifest_import: ManifestImport, message: str, **counts) -> None:
    ManifestImport.objects.filter(id=manifest_import.id).update(
        status=JobStatus.FAILED,
        message=message[:500],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        **counts,
    )


def run_import(manifest_import_id: int, *, on_progress=None) -> None:
    """Run one import to its end; a no-op unless it is pending."""
    if not _claim(manifest_import_id):
        return
    manifest_import = ManifestImport.objects.select_related(
        "dataset", "dataset__storage", "storage", "storage__organization", "source_dataset"
    ).get(id=manifest_import_id)
    try:
        if connection.vendor == "postgresql":
            _run_streaming_copy(manifest_import, on_progress)
        else:
            _run_staged(manifest_import, on_progress)
    except IntegrityError:  # a duplicate ref or line number raced in: all rolled back
        _finish_failed(
            manifest_import,
            "The dataset changed while importing (duplicate source-ref or line); "
            "nothing was imported.",
        )
    except DomainError as error:  # the storage failed: our message, never the provider's
        _finish_failed(manifest_import, error.message)
    except Exception:
        logger.exception("Import %s failed", manifest_import_id)
        _finish_failed(manifest_import, "The import failed unexpectedly; nothing was imported.")
    finally:
        if manifest_import.upload_name:
            (upload_root() / manifest_import.upload_name).unlink(missing_ok=True)


class _Stop(Exception):
    """Raised inside the import transaction to roll it back."""


class _Pass:
    """Validation state of one read of the source."""

    def __init__(self, manifest_import: ManifestImport, *, lines, base: int, progress) -> None:
        dataset = manifest_import.dataset
        self.lines = lines
        self.manifest_import = manifest_import
        self.validator = LineValidator(_rules(dataset), _existing_refs(dataset))
        self.base = base
        self.report_progress = progress
        self.errors: list[dict] = []
        self.error_count = self.lines_read = self.valid = self.non_blank = 0
        self.atomic = not manifest_import.skip_invalid

    def counts(self) -> dict:
        return {
            "lines_read": self.lines_read,
            "error_count": self.error_count,
            "errors": self.errors,
        }

    def rows(self) -> Iterator[str]:
        """Valid lines as COPY text rows, numbered from base + 1; records every error."""
        dataset = self.manifest_import.dataset
        prefix = f"{dataset.organization_id}\t{dataset.id}\t"
        now = timezone.now().isoformat()
        suffix = f"\t{now}\t{now}\n"
        filter_attribute = self.manifest_import.filter_attribute
        filter_value = self.manifest_import.filter_value
        check, remember = self.validator.check, self.validator.remember
        last_progress = time.monotonic()
        for number, raw in self.lines:
            self.lines_read = number
            try:
                line = check(raw)
                if line is None:
                    continue
                self.non_blank += 1
                if filter_attribute and not matches_filter(
                    line.data, filter_attribute, filter_value
                ):
                    continue
                remember(line)
            except LineInvalid as invalid:
                self.non_blank += raw is None or bool(raw.strip())
                self.error_count += 1
                if len(self.errors) < ManifestImport.MAX_ERRORS:
                    self.errors.append({"line": number, "message": invalid.message})
                continue
            if not number % PROGRESS_EVERY_LINES and (
                time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS
            ):
                self.report_progress(self.counts())
                last_progress = time.monotonic()
            if self.atomic and self.error_count:
                continue  # keep validating to report errors; nothing will be written
            self.valid += 1
            ref = r"\N" if line.source_ref is None else _copy_escape(line.source_ref)
            yield f"{prefix}{self.base + self.valid}\t{_copy_escape(line.text)}\t{ref}{suffix}"

    def failure(self) -> str | None:
        if self.non_blank == 0:
            return "The manifest is empty."
        if self.atomic and self.error_count:
            return (
                f"{self.error_count:,} invalid line(s); nothing was imported. Fix them, or "
                "import with skip_invalid to import the valid lines only."
            )
        return None


def _top_line(dataset_id: int) -> int:
    return Item.objects.filter(dataset_id=dataset_id).aggregate(top=Max("line_number"))["top"] or 0


def _progress_writer(manifest_import_id: int, on_progress, *, side_connection=None):
    def write(counts: dict) -> None:
        if side_connection is None:
            ManifestImport.objects.filter(id=manifest_import_id).update(
                updated_at=timezone.now(), **counts
            )
        else:
            with side_connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE datasets_manifestimport SET lines_read = %s, error_count = %s, "
                    "errors = %s, updated_at = %s WHERE id = %s",
                    [
                        counts["lines_read"],
                        counts["error_count"],
                        json.dumps(counts["errors"]),
                        timezone.now(),
                        manifest_import_id,
                    ],
                )
        if on_progress is not None:
            on_progress(counts)

    return write


def _run_streaming_copy(manifest_import: ManifestImport, on_progress) -> None:
    """PostgreSQL: one pass, COPY fed while reading, in one transaction. The database
    ingests on one core while Python parses on the other. Progress goes through a second,
    autocommit connection, since this transaction's writes are invisible until the end."""
    base = _top_line(manifest_import.dataset_id)
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with _source(manifest_import) as lines:
            _stream_into_copy(
                manifest_import, lines=lines, base=base, side=side, on_progress=on_progress
            )
    finally:
        side.close()


def _stream_into_copy(manifest_import, *, lines, base: int, side, on_progress) -> None:
    state = _Pass(
        manifest_import,
        lines=lines,
        base=base,
        progress=_progress_writer(manifest_import.id, on_progress, side_connection=side),
    )
    try:
        with transaction.atomic():
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY datasets_item ({COPY_COLUMNS}) FROM STDIN") as copy,
            ):
                buffer: list[str] = []
                size = 0
                for row in state.rows():
                    buffer.append(row)
                    size += len(row)
                    if size >= COPY_CHUNK:
                        copy.write("".join(buffer).encode("utf-8"))
                        buffer, size = [], 0
                if state.failure() is not None:
                    raise _Stop()  # rolls back whatever was copied
                if buffer:
                    copy.write("".join(buffer).encode("utf-8"))
            _commit_success(manifest_import, base=base, state=state)
    except _Stop:
        _finish_failed(manifest_import, state.failure(), **state.counts())


def _run_staged(manifest_import: ManifestImport, on_progress) -> None:
    """Other databases: pass 1 validates into a staged file (progress committed as it
    goes), pass 2 inserts it in one transaction."""
    work = Path(settings.DATASETS_WORK_ROOT) / "tmp"
    work.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f"import-{manifest_import.id}-", dir=work)
    os.close(handle)
    try:
        _run_staged_pass(manifest_import, Path(name), on_progress)
    finally:
        Path(name).unlink(missing_ok=True)


def _run_staged_pass(manifest_import: ManifestImport, staged: Path, on_progress) -> None:
    base = _top_line(manifest_import.dataset_id)
    with (
        _source(manifest_import) as lines,
        open(staged, "w", encoding="utf-8", newline="\n", buffering=COPY_CHUNK) as out,
    ):
        state = _Pass(
            manifest_import,
            lines=lines,
            base=base,
            progress=_progress_writer(manifest_import.id, on_progress),
        )
        for row in state.rows():
            out.write(row)
    if (failure := state.failure()) is not None:
        _finish_failed(manifest_import, failure, **state.counts())
        return
    state.report_progress(state.counts())
    with transaction.atomic():
        _bulk_create_items(staged)
        _commit_success(manifest_import, base=base, state=state)


def _commit_success(manifest_import: ManifestImport, *, base: int, state: _Pass) -> None:
    """Inside the import's transaction: check nothing moved, then record the result."""
    from apps.core.jobs import enqueue_on_commit
    from apps.datasets import jobs  # jobs -> services -> importing: import at call time

    dataset = Dataset.objects.select_for_update().get(id=manifest_import.dataset_id)
    if _top_line(dataset.id) != base + state.valid:
        raise IntegrityError("line numbers moved")
    Dataset.objects.filter(id=dataset.id).update(
        item_count=base + state.valid, updated_at=timezone.now()
    )
    ManifestImport.objects.filter(id=manifest_import.id).update(
        status=JobStatus.SUCCEEDED,
        items_created=state.valid,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        message=f"Imported {state.valid:,} item(s).",
        **state.counts(),
    )
    enqueue_on_commit(
        jobs.probe_media,
        organization_id=dataset.organization_id,
        dataset_id=dataset.id,
        after_line=base,
    )


def _bulk_create_items(staged: Path) -> None:
    batch: list[Item] = []
    with open(staged, encoding="utf-8") as source:
        for row in source:
            organization_id, dataset_id, line_number, text, ref, _, _ = row.rstrip("\n").split("\t")
            batch.append(
                Item(
                    organization_id=int(organization_id),
                    dataset_id=int(dataset_id),
                    line_number=int(line_number),
                    data=json.loads(_copy_unescape(text)),
                    source_ref=None if ref == r"\N" else _copy_unescape(ref),
                )
            )
            if len(batch) >= BULK_BATCH:
                Item.objects.bulk_create(batch)
                batch = []
    if batch:
        Item.objects.bulk_create(batch)


def stage_upload(stream: BinaryIO) -> str:
    """Copy an uploaded manifest into the upload root in 1 MB chunks; returns its name."""
    root = upload_root()
    root.mkdir(parents=True, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix="manifest-", suffix=".jsonl", dir=root)
    with os.fdopen(handle, "wb") as out:
        while chunk := stream.read(COPY_CHUNK):
            out.write(chunk)
    return Path(path).name
