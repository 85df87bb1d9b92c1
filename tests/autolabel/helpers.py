"""Setup for automated-labeling tests, through the real services and the real queue."""

import io
import json

import numpy as np
from django.test import TestCase
from PIL import Image

from apps.autolabel import services
from apps.datasets import services as dataset_services
from apps.datasets.storages import local_root_for
from apps.projects import services as project_services
from apps.tasks import quality
from apps.tasks import services as task_services
from apps.tasks.models import Task
from tests.work import dataset_of_texts, text_project
from tests.workforces.helpers import private_team, worker_of

WORDS = {"positive": "good", "negative": "bad"}


def texts(count: int, single_class: bool = False) -> list[str]:
    """Texts whose sentiment word gives the label away: a model learns them at once."""
    return [
        f"a {'good' if single_class or n % 2 == 0 else 'bad'} film, number {n}"
        for n in range(count)
    ]


def truth_of_text(text: str) -> str:
    return "positive" if " good " in f" {text} " else "negative"


def autolabel_project(owner, *, items: int = 200, single_class: bool = False, **fields):
    """A started text project answered by 3 workers per item; returns (project, workers)."""
    dataset = dataset_of_texts(owner, texts(items, single_class))
    return text_project(owner, dataset=dataset, workers=3, answers_per_item=3, **fields)


def enable(project, owner, **changes):
    changes = {
        "initial_batch_size": 100,
        "validation_share": 0.4,
        "target_accuracy": 0.85,
    } | changes
    return services.autolabel_configure(project=project, actor=owner.user, enabled=True, **changes)


def label_by_people(project, workers, truth, tasks: int) -> list[int]:
    """The workers answer (rightly) through the queue until `tasks` more tasks are labeled;
    then the background re-estimation runs. Returns the task ids they answered, in order."""
    answered: list[int] = []
    done = 0
    while done < tasks:
        progressed = False
        for worker in workers:
            assignment = task_services.assignment_next(
                worker=worker, workteam_ids=[project.workteam_id]
            )
            if assignment is None:
                continue
            label = truth(assignment.task.item)
            task_services.assignment_submit(
                assignment=assignment,
                worker=worker,
                answer={"crowd-classifier": {"label": label}},
            )
            progressed = True
            if assignment.task_id not in answered:
                answered.append(assignment.task_id)
            if Task.objects.get(pk=assignment.task_id).status == Task.Status.ANSWERED:
                done += 1
                if done >= tasks:
                    break
        if not progressed:
            break
    project.refresh_from_db()
    quality.project_reestimate(project=project)
    return answered


def text_truth(item) -> str:
    return truth_of_text(item.data["source"])


def digits_project(owner, *, count: int = 300):
    """An image-classification project over `count` digits (0 and 1 only) as PNG items in
    a local storage. Returns (project, workers, truth by item source-ref)."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    keep = np.flatnonzero(digits.target < 2)[:count]
    folder = local_root_for(owner.organization.slug) / "digits"
    folder.mkdir(parents=True)
    lines, truth = [], {}
    for n in keep:
        pixels = (digits.images[n] * 255 / 16).astype(np.uint8)
        Image.fromarray(pixels, mode="L").save(folder / f"{n}.png")
        lines.append(json.dumps({"source-ref": f"{n}.png"}))
        truth[f"{n}.png"] = "one" if digits.target[n] == 1 else "zero"
    storage = dataset_services.storage_create(
        organization=owner.organization,
        actor=owner.user,
        name="digits",
        kind="local",
        path="digits",
    )
    dataset = dataset_services.dataset_create(
        organization=owner.organization, actor=owner.user, name="digits", storage=storage
    )
    manifest_import = dataset_services.manifest_import_start(
        dataset=dataset,
        actor=owner.user,
        source="upload",
        upload=io.BytesIO(("\n".join(lines) + "\n").encode()),
        enqueue=False,
    )
    dataset_services.manifest_import_run(manifest_import_id=manifest_import.id)
    people = [worker_of(owner.organization) for _ in range(3)]
    project = project_services.project_create(
        organization=owner.organization,
        actor=owner.user,
        name="digits",
        dataset=dataset,
        task_type="image_classification",
        label_attribute_name="digit",
        labels=[{"label": "zero"}, {"label": "one"}],
        workteam=private_team(owner, name="eyes", members=people),
        answers_per_item=3,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        task_services.project_start(project=project, actor=owner.user)
    project.refresh_from_db()
    return project, people, truth
