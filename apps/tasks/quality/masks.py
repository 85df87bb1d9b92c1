"""Consolidating a segmentation task: its workers' mask PNGs -> one stored mask.

Runs in a background job (`jobs.task_masks_consolidate`, queued by `task_consolidate` when
the task gets its last answer), not in the submit: decoding a few multi-megabyte PNGs and
writing the result to S3 does not belong in the submit's transaction. So dynamic overlap
does not apply to mask tasks (the confidence is known only after the task settled), and
the project re-estimation leaves them alone (it would decode every mask of the project).

- semantic: each answer's colours are mapped to class indexes through its own
  `labelMappings` (label n of the project = class n + 1), then a per-pixel vote weighted by
  worker accuracy (`spatial.consolidate_masks`); the result is painted in the elements'
  palette (`masks.palette_color`), so a built-in UI's worker colours are kept;
- instance: Ground Truth documents no instance consolidation, and object numbers of two
  workers do not correspond, so no per-pixel vote over objects is possible. The answers'
  objects are turned into class masks (object -> its label), those are voted per pixel as
  above, and the answer agreeing most with the vote (ties: higher accuracy, then lower
  worker id) is taken whole, its objects and colours unchanged. Its confidence is that
  agreement.

The consolidated label is answer-shaped, `labeledImage.ref` (the stored PNG's URI) in place
of the PNG data; confidence goes to Task.confidence. The first consolidation of a task also
records each worker's agreement with it (WorkerQuality: the weights of later votes).
"""

import logging
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import F, FloatField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from apps.projects.models import Project, TaskType
from apps.tasks.consolidation.spatial import consolidate_masks
from apps.tasks.masks import mask_png, mask_read, palette_color
from apps.tasks.models import Assignment, Task, WorkerQuality
from apps.tasks.output_labels import MASK_NAME, image_size, label_object_store
from apps.tasks.quality.consolidate import DEFAULT_ACCURACY, _accuracies, answer_value
from apps.tasks.validation import InvalidAnswer, mask_image

logger = logging.getLogger(__name__)


def _answers(task: Task):
    """(worker, answer value) of the task's submitted answers in worker order, fetched one
    at a time: a value holds a PNG as base64 (up to 2 MB), dropped once decoded."""
    rows = Assignment.objects.filter(task_id=task.pk, status=Assignment.Status.SUBMITTED)
    for pk, worker_id in rows.order_by("worker_id").values_list("pk", "worker_id"):
        answer = Assignment.objects.values_list("answer", flat=True).get(pk=pk)
        yield worker_id, answer_value(answer, task.project)


def _decoded(
    project: Project, value: dict, size: tuple[int, int] | None
) -> tuple[np.ndarray, np.ndarray | None, list[dict]]:
    """(class mask, object mask or None, objects) of one answer value; `size`: the image's,
    or None to take the PNG's."""
    labels = project.label_names
    png = mask_image(value)
    if project.task_type == TaskType.SEMANTIC_SEGMENTATION:
        mappings = value["labelMappings"]
        colors = [(mappings.get(label) or {}).get("color") for label in labels]
        return mask_read(png, size=size, colors=colors), None, []
    objects = [{"color": i["color"], "label": i["label"]} for i in value["instances"]]
    instance = mask_read(png, size=size, colors=[i["color"] for i in objects], noun="object")
    to_class = np.array([0] + [labels.index(i["label"]) + 1 for i in objects], dtype=np.uint8)
    return to_class[instance], instance, objects


GOLD_MASK_AGREEMENT = 0.5  # the bar boxes' IoU sets for gold and agreement


def masks_agree(project: Project, value: dict, known: dict) -> bool:
    """Does a mask answer match a known (gold) one? Their class masks must agree on at
    least GOLD_MASK_AGREEMENT of the pixels either labels (for labels of one class, their
    IoU); objects are compared by class, as objects of two answers do not correspond."""
    given, _, _ = _decoded(project, value, None)
    truth, _, _ = _decoded(project, known, None)
    if given.shape != truth.shape:
        return False
    labelled = (given != 0) | (truth != 0)
    total = np.count_nonzero(labelled)
    return bool(
        not total or np.count_nonzero((given == truth) & labelled) / total >= GOLD_MASK_AGREEMENT
    )


@dataclass
class _Answers:
    size: tuple[int, int] | None = None
    workers: list[int] = field(default_factory=list)
    classes: list[np.ndarray] = field(default_factory=list)  # class mask per answer
    instances: list[np.ndarray | None] = field(default_factory=list)  # object mask (instance)
    objects: list[list[dict]] = field(default_factory=list)


def _decoded_answers(task: Task) -> _Answers:
    """The task's answers decoded, one at a time (only the arrays outlive this call)."""
    found = _Answers()
    for worker_id, value in _answers(task):
        size = image_size(value, task.item)
        if found.size not in (None, size):  # an unprobed image, seen at two sizes
            raise ValueError(f"answers for images of {found.size} and {size} pixels")
        class_mask, instance_mask, objects = _decoded(task.project, value, size)
        found.size = size
        found.workers.append(worker_id)
        found.classes.append(class_mask)
        found.instances.append(instance_mask)
        found.objects.append(objects)
    return found


def task_masks_consolidate(*, task: Task) -> float | None:
    """Vote the answered `task`'s masks, store the result in the dataset's storage (where
    the output writer puts masks) and write the task's label and confidence; returns the
    confidence. Running it twice writes the same object and label (the quality record
    only once). Answers that cannot be decoded leave the task unlabeled, logged."""
    project, item = task.project, task.item
    try:
        answers = _decoded_answers(task)
    except (InvalidAnswer, ValueError, TypeError, KeyError) as error:  # ValueError: unreadable
        logger.warning("task %s of project %s not consolidated: %s", task.pk, project.pk, error)
        return None
    workers, instances, objects = answers.workers, answers.instances, answers.objects
    if not workers:
        return None
    accuracy = _accuracies(project.pk, workers)
    weights = [accuracy[w] for w in workers]
    vote = consolidate_masks(answers.classes, accuracies=weights)
    width, height = answers.size
    label = {"inputImageProperties": {"width": width, "height": height}}
    if project.task_type == TaskType.SEMANTIC_SEGMENTATION:
        colors = [palette_color(n) for n in range(len(project.label_names))]
        png = mask_png(vote.mask, colors)
        label["labelMappings"] = {
            name: {"color": color} for name, color in zip(project.label_names, colors, strict=True)
        }
        confidence = vote.confidence
    else:
        best = max(range(len(workers)), key=lambda n: (vote.agreement[n], weights[n], -n))
        png = mask_png(instances[best], [i["color"] for i in objects[best]])
        label["instances"] = objects[best]
        confidence = vote.agreement[best]
    del answers, instances  # the masks: only the result's PNG is needed from here
    uri = label_object_store(project=project, item=item, name=MASK_NAME, body=png)
    label["labeledImage"] = {"ref": uri}
    _label_write(task, label, confidence, dict(zip(workers, vote.agreement, strict=True)))
    return confidence


@transaction.atomic
def _label_write(task: Task, label: dict, confidence: float, agreement: dict[int, float]) -> None:
    now = timezone.now()
    fields = {
        "consolidated_label": label,
        "confidence": confidence,
        "consolidated_at": now,
        "needs_more": False,
        "updated_at": now,
    }
    answered = Task.objects.filter(pk=task.pk, status=Task.Status.ANSWERED)
    # The conditional UPDATE (not a Python check) makes the quality record once per task
    # even when two runs of the job race: the second finds the label set.
    if answered.filter(consolidated_label__isnull=True).update(**fields):
        _quality_record(task, agreement)
    else:
        answered.update(**fields)


def _quality_record(task: Task, agreement: dict[int, float]) -> None:
    """Add one consolidated answer per worker: `agreement` is the running mean of their
    pixel agreement with the consolidated masks, `accuracy` the same shrunk towards the
    default accuracy by two pseudo-answers (as the re-estimation does for other types)."""
    WorkerQuality.objects.bulk_create(
        [
            WorkerQuality(
                organization_id=task.organization_id, project_id=task.project_id, worker_id=w
            )
            for w in agreement
        ],
        ignore_conflicts=True,
    )
    count = Cast(F("consolidated_answers"), FloatField())
    total = Coalesce(F("agreement"), 0.0) * count
    for worker_id, share in agreement.items():
        WorkerQuality.objects.filter(project_id=task.project_id, worker_id=worker_id).update(
            answers=F("answers") + 1,
            consolidated_answers=F("consolidated_answers") + 1,
            agreement=(total + share) / (count + 1.0),
            accuracy=(total + share + 2 * DEFAULT_ACCURACY) / (count + 3.0),
        )
