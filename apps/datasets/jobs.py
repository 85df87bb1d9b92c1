"""Background jobs: imports, exports, media probing. Thin: load, guard, call a service."""

from celery import shared_task

from apps.core.jobs import OrganizationJob


@shared_task(base=OrganizationJob, name="datasets.manifest_import_run")
def manifest_import_run(*, organization_id: int, manifest_import_id: int) -> None:
    from apps.datasets import services

    services.manifest_import_run(manifest_import_id=manifest_import_id)


@shared_task(base=OrganizationJob, name="datasets.manifest_export_run")
def manifest_export_run(*, organization_id: int, export_id: int) -> None:
    from apps.datasets import services

    services.manifest_export_run(export_id=export_id)


@shared_task(base=OrganizationJob, name="datasets.probe_media")
def probe_media(*, organization_id: int, dataset_id: int, after_line: int) -> None:
    """One batch of images per run, then the next batch as a new job: bounded work per job,
    and a rerun only redoes Items without a thumbnail."""
    from apps.datasets import services

    last = services.dataset_media_probe_batch(dataset_id=dataset_id, after_line=after_line)
    if last is not None:
        probe_media.apply_async(
            kwargs={
                "organization_id": organization_id,
                "dataset_id": dataset_id,
                "after_line": last,
            }
        )
