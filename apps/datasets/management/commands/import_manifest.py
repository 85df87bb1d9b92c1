"""Import a manifest from a shell: a local file (any path the operator can read) or an
s3:// URI inside one of the organization's storages."""

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.accounts.models import Organization
from apps.core.errors import DomainError
from apps.datasets import services
from apps.datasets.models import Dataset, ManifestImport, Storage


class Command(BaseCommand):
    help = "Import a JSON Lines manifest into a dataset (created if needed)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--dataset", required=True, help="dataset name")
        parser.add_argument("source", help="a local file, or s3://bucket/key in a storage")
        parser.add_argument("--skip-invalid", action="store_true")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization {options['org']!r}.")
        with scope(organization=organization.id):
            self._import(organization, options)

    def _import(self, organization: Organization, options: dict) -> None:
        source = options["source"]
        dataset = Dataset.objects.filter(organization=organization, name=options["dataset"]).first()
        try:
            if dataset is None:
                dataset = services.dataset_create(
                    organization=organization, actor=None, name=options["dataset"]
                )
                self.stdout.write(f"Created dataset {dataset.name!r} ({dataset.id}).")
            kwargs = {
                "dataset": dataset,
                "actor": None,
                "enqueue": False,
                "skip_invalid": options["skip_invalid"],
            }
            if source.startswith("s3://"):
                storage, key = self._storage_location(organization, source)
                manifest_import = services.manifest_import_start(
                    source=ManifestImport.Source.STORAGE, storage=storage, key=key, **kwargs
                )
            else:
                try:
                    with open(source, "rb") as upload:
                        manifest_import = services.manifest_import_start(
                            source=ManifestImport.Source.UPLOAD, upload=upload, **kwargs
                        )
                except OSError as error:
                    raise CommandError(f"Cannot read {source}: {error.strerror}.") from None
        except DomainError as error:
            raise CommandError(error.message) from None

        def progress(counts: dict) -> None:
            self.stdout.write(
                f"  {counts['lines_read']:,} lines read, {counts['error_count']:,} invalid"
            )

        services.manifest_import_run(manifest_import_id=manifest_import.id, on_progress=progress)
        manifest_import.refresh_from_db()
        for error in manifest_import.errors:
            self.stderr.write(f"line {error['line']}: {error['message']}")
        if manifest_import.status != "succeeded":
            raise CommandError(manifest_import.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"{manifest_import.message} {manifest_import.lines_read:,} lines read, "
                f"{manifest_import.error_count:,} skipped."
            )
        )

    def _storage_location(self, organization: Organization, uri: str) -> tuple[Storage, str]:
        bucket, _, key = uri[5:].partition("/")
        storages = Storage.objects.filter(
            organization=organization, kind=Storage.Kind.S3, bucket=bucket
        ).order_by("-prefix")
        for storage in storages:
            if key.startswith(storage.prefix):
                return storage, key[len(storage.prefix) :]
        raise CommandError(f"{uri} is not inside a storage of {organization.slug}.")
