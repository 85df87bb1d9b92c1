"""Write a dataset's manifest (JSON Lines) to a file or standard output, streamed.

`--dataset` exports the dataset's lines as they are; `--project <id>` exports the project's
dataset with its consolidated labels (`<label attribute>` and `-metadata`, spec §7.2).
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.accounts.models import Organization
from apps.datasets.manifest import encode_lines, manifest_lines
from apps.datasets.models import Dataset
from apps.datasets.selectors import item_iter_for_export
from apps.projects.models import Project
from apps.tasks.quality import project_gold_item_ids, project_output_labels


class Command(BaseCommand):
    help = "Export a dataset's manifest to a file, or to standard output with --out -."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--dataset", help="dataset name")
        which.add_argument("--project", type=int, help="project id: its consolidated output")
        parser.add_argument("--out", required=True, help="a file path, or - for stdout")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization {options['org']!r}.")
        with scope(organization=organization.id):
            attribute, labels, gold = None, None, set()
            if options["project"] is not None:
                project = Project.objects.filter(
                    organization=organization, pk=options["project"]
                ).first()
                if project is None:
                    raise CommandError(f"No project {options['project']} in {organization.slug}.")
                dataset = project.dataset
                attribute = project.label_attribute_name
                labels = project_output_labels(project=project)
                gold = project_gold_item_ids(project=project)
            else:
                dataset = Dataset.objects.filter(
                    organization=organization, name=options["dataset"]
                ).first()
                if dataset is None:
                    raise CommandError(f"No dataset {options['dataset']!r} in {organization.slug}.")
            chunks = encode_lines(
                manifest_lines(
                    (  # gold items are the project's test questions, not its output
                        item
                        for item in item_iter_for_export(
                            organization_id=organization.id, dataset_id=dataset.id
                        )
                        if item.id not in gold
                    ),
                    attribute,
                    labels,
                )
            )
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
