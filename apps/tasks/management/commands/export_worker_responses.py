"""A project's individual answers, one JSON line per item (worker-level output on request).

    python manage.py export_worker_responses --org demo --project 7 --out responses.jsonl

Each line: {"datasetObjectId": "<item id>", "answers": [{"workerId", "answerContent",
"acceptanceTime", "submissionTime", "timeSpentInSeconds"}, ...]}: the worker metadata of
Ground Truth's worker-response files, workers named by the organization's anonymized ids.
Gold items are left out.
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from apps.accounts.models import Organization
from apps.projects.models import Project
from apps.tasks.quality import project_worker_responses


class Command(BaseCommand):
    help = "Export a project's individual worker answers as JSON Lines."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--project", required=True, type=int, help="project id")
        parser.add_argument("--out", required=True, help="a file path")

    def handle(self, *args, **options) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization {options['org']!r}.")
        with scope(organization=organization.id):
            project = Project.objects.filter(
                organization=organization, pk=options["project"]
            ).first()
            if project is None:
                raise CommandError(f"No project {options['project']} in {organization.slug}.")
            partial = f"{options['out']}.partial"
            items = 0
            try:
                with open(partial, "w", encoding="utf-8") as out:
                    for line in project_worker_responses(
                        project=project, organization=organization
                    ):
                        out.write(json.dumps(line, ensure_ascii=False) + "\n")
                        items += 1
                os.replace(partial, options["out"])
            except OSError as error:
                raise CommandError(f"Cannot write {options['out']}: {error.strerror}.") from None
            finally:
                if os.path.exists(partial):
                    os.unlink(partial)
        self.stderr.write(f"Wrote the answers of {items:,} item(s) to {options['out']}.")
