"""Write a dataset's manifest, or a project's output manifest, to a file or standard output,
streamed in constant memory.

`--dataset <name>` exports the dataset's lines as they are; `--project <name or id>` exports
the project's dataset with its consolidated labels (`<label attribute>` and `-metadata`,
spec §7.2), gold items left out. It lives in the tasks app, which knows both.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django_scopes import scope

from apps.accounts.models import Organization
from apps.datasets.manifest import encode_lines, manifest_lines
from apps.datasets.models import Dataset
from apps.datasets.selectors import item_iter_for_export
from apps.projects.models import Project
from apps.tasks.quality import project_output_lines


class Command(BaseCommand):
    help = "Export a dataset's manifest to a file, or to standard output with --out -."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--dataset", help="dataset name")
        which.add_argument("--project", help="project name (or id): its output manifest")
        parser.add_argument("--out", required=True, help="a file path, or - for stdout")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization {options['org']!r}.")
        with scope(organization=organization.id):
            if options["project"] is not None:
                wanted = str(options["project"])
                match = Q(name=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() else Q())
                project = Project.objects.filter(match, organization=organization).first()
                if project is None:
                    raise CommandError(f"No project {wanted!r} in {organization.slug}.")
                output = project_output_lines(project=project)
            else:
                dataset = Dataset.objects.filter(
                    organization=organization, name=options["dataset"]
                ).first()
                if dataset is None:
                    raise CommandError(f"No dataset {options['dataset']!r} in {organization.slug}.")
                output = manifest_lines(
                    item_iter_for_export(organization_id=organization.id, dataset_id=dataset.id)
                )
            chunks = encode_lines(output)
            lines = 0
            if options["out"] == "-":
                stream = self.stdout._out.buffer if hasattr(self.stdout._out, "buffer") else None
                for chunk in chunks:
                    lines += chunk.count(b"\n")
                    if stream is not None:
                        stream.write(chunk)
                    else:
                        self.stdout.write(chunk.decode("utf-8"), ending="")
                if stream is not None:
                    stream.flush()
                return
            partial = f"{options['out']}.partial"
            try:
                with open(partial, "wb") as out:
                    for chunk in chunks:
                        lines += chunk.count(b"\n")
                        out.write(chunk)
                os.replace(partial, options["out"])
            except OSError as error:
                raise CommandError(f"Cannot write {options['out']}: {error.strerror}.") from None
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
            self.stderr.write(f"Wrote {lines:,} line(s) to {options['out']}.")
