"""Benchmark: import and export of a large text manifest on the configured DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench \\
        .venv/bin/python bench/datasets_import_export.py --lines 1000000

Generates a JSON Lines manifest (~100 bytes a line, inline `source` text), imports it
through the real import job, then streams the output manifest (with a label on every line,
built by the per-task-type writer) to /dev/null. Each phase runs in its own process so each
reports its own peak RSS (resource.getrusage). Creates and then deletes its organization.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("ENV_FILE", "/dev/null")


def emit(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def setup_django() -> None:
    import django

    django.setup()


def generate(path: Path, lines: int) -> None:
    words = [  # ~100 bytes a line
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "a",
        "lazy",
        "dog",
        "while",
        "cats",
        "watch",
    ]
    with open(path, "w", encoding="utf-8") as out:
        for number in range(lines):
            text = " ".join(words[(number + k) % len(words)] for k in range(11))
            out.write(json.dumps({"source": f"{number:07d} {text}", "id": f"t-{number}"}) + "\n")


def phase_prepare(lines: int, manifest: Path) -> None:
    setup_django()
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from apps.accounts.models import Organization
    from apps.datasets.models import Dataset

    call_command("migrate", verbosity=0)
    generate(manifest, lines)
    with scopes_disabled():
        organization = Organization.objects.create(
            name="Benchmark", slug=f"bench-{os.getpid()}-{int(time.time())}"
        )
        dataset = Dataset.objects.create(organization=organization, name="bench")
    emit(json.dumps({"organization_id": organization.id, "dataset_id": dataset.id}))


def phase_import(dataset_id: int, manifest: Path) -> None:
    setup_django()
    from django.conf import settings
    from django_scopes import scopes_disabled

    from apps.datasets.importing import run_import, upload_root
    from apps.datasets.models import Dataset, ManifestImport

    upload_root().mkdir(parents=True, exist_ok=True)
    staged = upload_root() / f"bench-{os.getpid()}.jsonl"
    os.link(manifest, staged) if manifest.stat().st_dev == upload_root().stat().st_dev else (
        staged.write_bytes(manifest.read_bytes())
    )
    with scopes_disabled():
        dataset = Dataset.objects.get(id=dataset_id)
        manifest_import = ManifestImport.objects.create(
            organization_id=dataset.organization_id,
            dataset=dataset,
            source=ManifestImport.Source.UPLOAD,
            upload_name=staged.name,
        )
        started = time.perf_counter()
        run_import(manifest_import.id)
        elapsed = time.perf_counter() - started
        manifest_import.refresh_from_db()
    assert manifest_import.status == "succeeded", (manifest_import.message, manifest_import.errors)
    result = {
        "phase": "import",
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "lines": manifest_import.lines_read,
        "items_created": manifest_import.items_created,
        "seconds": round(elapsed, 2),
        "lines_per_second": round(manifest_import.lines_read / elapsed),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    emit(json.dumps(result))


class EveryItemLabeled:
    """Labels computed on demand: a Mapping-like `.get` that never holds them all."""

    def __init__(self) -> None:
        from apps.datasets.manifest import classification_label

        self.label = classification_label(
            media="text",
            class_index=1,
            class_name="positive",
            confidence=0.87,
            job_name="bench",
            creation_date=datetime.now(UTC),
        )

    def get(self, item_id):
        return self.label

    def __bool__(self) -> bool:
        return True


def phase_export(dataset_id: int, labeled: bool) -> None:
    setup_django()
    from django_scopes import scopes_disabled

    from apps.datasets.manifest import encode_lines, manifest_lines
    from apps.datasets.models import Dataset
    from apps.datasets.selectors import item_iter_for_export

    with scopes_disabled():
        dataset = Dataset.objects.get(id=dataset_id)
        started = time.perf_counter()
        lines = manifest_lines(
            item_iter_for_export(organization_id=dataset.organization_id, dataset_id=dataset.id),
            label_attribute="sentiment" if labeled else None,
            labels=EveryItemLabeled() if labeled else None,
        )
        written = size = 0
        with open(os.devnull, "wb") as sink:
            for chunk in encode_lines(lines):
                sink.write(chunk)
                size += len(chunk)
                written += chunk.count(b"\n")
        elapsed = time.perf_counter() - started
    emit(
        json.dumps(
            {
                "phase": "export (labeled)" if labeled else "export",
                "lines": written,
                "megabytes": round(size / 1e6, 1),
                "seconds": round(elapsed, 2),
                "lines_per_second": round(written / elapsed),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    )


def phase_cleanup(dataset_id: int) -> None:
    setup_django()
    from django_scopes import scopes_disabled

    from apps.accounts.models import Organization
    from apps.core.models import AuditEvent
    from apps.datasets.models import Dataset, Item, ManifestImport

    with scopes_disabled():
        dataset = Dataset.objects.get(id=dataset_id)
        organization_id = dataset.organization_id
        Item.objects.filter(dataset=dataset)._raw_delete(Item.objects.db)
        ManifestImport.objects.filter(dataset=dataset).delete()
        dataset.delete()
        AuditEvent.objects.filter(organization_id=organization_id).delete()
        Organization.objects.filter(id=organization_id).delete()


def run_phase(*args: str) -> str:
    command = [sys.executable, __file__, *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"phase {args[1]} failed")
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=["prepare", "import", "export", "cleanup"])
    parser.add_argument("--dataset", type=int)
    parser.add_argument("--manifest", type=Path)
    parser.add_argument("--labeled", action="store_true")
    args = parser.parse_args()
    if args.phase == "prepare":
        return phase_prepare(args.lines, args.manifest)
    if args.phase == "import":
        return phase_import(args.dataset, args.manifest)
    if args.phase == "export":
        return phase_export(args.dataset, args.labeled)
    if args.phase == "cleanup":
        return phase_cleanup(args.dataset)

    with tempfile.TemporaryDirectory(prefix="gw-bench-") as folder:
        manifest = Path(folder) / "manifest.jsonl"
        ids = json.loads(
            run_phase("--phase", "prepare", "--lines", str(args.lines), "--manifest", str(manifest))
        )
        dataset = str(ids["dataset_id"])
        emit(f"manifest: {args.lines:,} lines, {manifest.stat().st_size / 1e6:.1f} MB")
        try:
            emit(run_phase("--phase", "import", "--dataset", dataset, "--manifest", str(manifest)))
            emit(run_phase("--phase", "export", "--dataset", dataset))
            emit(run_phase("--phase", "export", "--dataset", dataset, "--labeled"))
        finally:
            run_phase("--phase", "cleanup", "--dataset", dataset)


if __name__ == "__main__":
    main()
