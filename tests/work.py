"""Test setup for labeling work, built through the real services."""

import io
import json

from django.test import TestCase

from apps.accounts.models import Role
from apps.datasets import services as dataset_services
from apps.projects import services as project_services
from apps.tasks import services as task_services
from tests.factories import MembershipFactory
from tests.workforces.helpers import private_team, worker_of

LABELS = [{"label": "positive", "description": "Praise"}, {"label": "negative", "description": ""}]


def dataset_of_texts(owner, texts: list[str], name: str = "reviews"):
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name=name
    )
    manifest = "".join(json.dumps({"source": text}) + "\n" for text in texts).encode()
    manifest_import = dataset_services.manifest_import_start(
        dataset=dataset,
        actor=owner.user,
        source="upload",
        upload=io.BytesIO(manifest),
        enqueue=False,
    )
    dataset_services.manifest_import_run(manifest_import_id=manifest_import.id)
    dataset.refresh_from_db()
    return dataset


def text_project(owner, *, items: int = 3, workers: int = 2, start: bool = True, **fields):
    """A text-classification project over `items` texts for a private team of `workers`
    new workers (or the given `dataset` / `workteam`), started unless `start=False`.
    Returns (project, [the new workers])."""
    people = [worker_of(owner.organization) for _ in range(workers)]
    if "workteam" not in fields:
        fields["workteam"] = private_team(
            owner, name=fields.pop("team_name", "annotators"), members=people
        )
    if "dataset" not in fields:
        texts = [f"text number {n}" for n in range(items)]
        fields["dataset"] = dataset_of_texts(
            owner, texts, name=fields.pop("dataset_name", "reviews")
        )
    defaults = {
        "name": "sentiment",
        "task_type": "text_classification",
        "label_attribute_name": "sentiment",
        "labels": LABELS,
        "answers_per_item": 1,
    }
    project = project_services.project_create(
        organization=owner.organization, actor=owner.user, **{**defaults, **fields}
    )
    if start:
        from tests.payouts.helpers import fund_to_start  # paid work reserves escrow to start

        fund_to_start(project)
        with TestCase.captureOnCommitCallbacks(execute=True):  # the task-creation job runs
            task_services.project_start(project=project, actor=owner.user)
        project.refresh_from_db()
    return project, people


def requester_of(organization):
    return MembershipFactory(organization=organization, role=Role.REQUESTER)


def answer(label: str = "positive") -> dict:
    return {"crowd-classifier": {"label": label}}
