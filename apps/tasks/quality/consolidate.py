"""Consolidating one task's answers: the consolidators per task type, and the submit path."""

import json
import logging

from django.utils import timezone

from apps.projects.models import Project, TaskType
from apps.tasks.consolidation import spatial
from apps.tasks.consolidation.categorical import weighted_vote
from apps.tasks.consolidation.multilabel import consolidate_multilabel
from apps.tasks.consolidation.spans import consolidate_spans
from apps.tasks.models import Assignment, Task, WorkerQuality

SINGLE_LABEL = {
    TaskType.TEXT_CLASSIFICATION,
    TaskType.IMAGE_CLASSIFICATION,
    TaskType.VIDEO_CLASSIFICATION,
    TaskType.LABEL_VERIFICATION,  # answers {"label": <verdict>} among the project's labels
}
CUSTOM = {TaskType.CUSTOM}  # built-in "majority of JSON answers" (no hook configured)
MULTI_LABEL = {TaskType.TEXT_CLASSIFICATION_MULTILABEL, TaskType.IMAGE_CLASSIFICATION_MULTILABEL}
SPANS = {TaskType.NAMED_ENTITY_RECOGNITION}
BOXES = {TaskType.BOUNDING_BOX}
# task type -> the answer's list of shapes (crowd-polygon / crowd-polyline / crowd-keypoint)
SHAPES = {
    TaskType.POLYGON: "polygons",
    TaskType.POLYLINE: "polylines",
    TaskType.KEYPOINT: "keypoints",
}
CONSOLIDATED_TYPES = SINGLE_LABEL | MULTI_LABEL | SPANS | BOXES | set(SHAPES) | CUSTOM
DEFAULT_ACCURACY = 0.7  # a worker the project has not estimated yet

logger = logging.getLogger(__name__)


def answer_value(answer: object, project: Project | None = None) -> object:
    """The single labeled element's value of a built-in template's answer; a custom task's
    whole answer."""
    if project is not None and project.task_type in CUSTOM:
        return answer
    if isinstance(answer, dict) and "verdict" in answer:  # a chained verification's verdict
        return answer["verdict"]
    if isinstance(answer, dict) and len(answer) == 1:
        return next(iter(answer.values()))
    return None


def consolidate_one(
    project: Project, values: list[object], accuracies: list[float]
) -> tuple[dict, float] | None:
    """The consolidated value (shaped like one answer's value) from the answers' values,
    and its confidence; None for task types without a consolidator."""
    categories = project.label_names
    if project.task_type in SINGLE_LABEL:
        index = {label: n for n, label in enumerate(categories)}
        labels = [index[v["label"]] for v in values]
        chosen, confidence = weighted_vote(labels, accuracies, len(categories))
        return {"label": categories[chosen]}, confidence
    if project.task_type in MULTI_LABEL:
        chosen, confidences, overall = consolidate_multilabel(
            [v["labels"] for v in values], categories, accuracies=accuracies
        )
        return {"labels": chosen, "confidences": confidences}, overall
    if project.task_type in SPANS:
        spans = consolidate_spans([v["entities"] for v in values], categories=categories)
        entities = [
            {
                "label": s.label,
                "startOffset": s.start,
                "endOffset": s.end,
                "confidence": s.confidence,
            }
            for s in spans
        ]
        return {"entities": entities}, min((s.confidence for s in spans), default=1.0)
    if project.task_type in BOXES:
        boxes = spatial.consolidate_boxes(values, accuracies=accuracies)
        found = [
            {
                "label": b.label,
                "left": b.left,
                "top": b.top,
                "width": b.width,
                "height": b.height,
                "confidence": round(b.confidence, 4),
            }
            for b in boxes
        ]
        return {"boundingBoxes": found, "inputImageProperties": _image(values)}, _overall(boxes)
    if project.task_type == TaskType.KEYPOINT:
        points = spatial.consolidate_keypoints(values, accuracies=accuracies)
        found = [
            {"label": p.label, "x": p.x, "y": p.y, "confidence": round(p.confidence, 4)}
            for p in points
        ]
        return {"keypoints": found, "inputImageProperties": _image(values)}, _overall(points)
    if project.task_type in SHAPES:
        kind = SHAPES[project.task_type]
        shapes = spatial.consolidate_shapes(values, kind=kind, accuracies=accuracies)
        found = [
            {"label": s.label, "vertices": s.vertices, "confidence": round(s.confidence, 4)}
            for s in shapes
        ]
        return {kind: found, "inputImageProperties": _image(values)}, _overall(shapes)
    if project.task_type in CUSTOM:
        return _json_majority(answers=values, accuracies=accuracies)
    return None


def _json_majority(*, answers: list[object], accuracies: list[float]) -> tuple[object, float]:
    """Custom tasks: the most frequent whole answer (compared as canonical JSON), each vote
    weighted by its worker's accuracy; ties to the canonical JSON that sorts first. The
    confidence is the one-coin posterior among the distinct answers given."""
    texts = [json.dumps(a, sort_keys=True, separators=(",", ":")) for a in answers]
    distinct = sorted(set(texts))
    index = {text: n for n, text in enumerate(distinct)}
    chosen, confidence = weighted_vote([index[t] for t in texts], accuracies, max(len(distinct), 2))
    return json.loads(distinct[chosen]), confidence


def _image(values: list[dict]) -> dict:
    """The image size the answers report (the output's `image_size`); {} when none does."""
    return next(
        (v.get("inputImageProperties") for v in values if v.get("inputImageProperties")), {}
    )


def _overall(found) -> float:
    """An answer's confidence: the least confident object; 1 when all agree on none."""
    return min((f.confidence for f in found), default=1.0)


def _consolidate_or_log(project: Project, task_id: int, values, accuracies):
    """Consolidate, or leave the task unlabeled with a logged reason when its answers do not
    have the shape the consolidator needs (types whose answers are not validated yet)."""
    try:
        return consolidate_one(project, values, accuracies)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        logger.warning("task %s of project %s not consolidated: %s", task_id, project.pk, error)
        return None


def _accuracies(project_id: int, worker_ids: list[int]) -> dict[int, float]:
    known = dict(
        WorkerQuality.objects.filter(
            project_id=project_id, worker_id__in=worker_ids, accuracy__isnull=False
        ).values_list("worker_id", "accuracy")
    )
    return {worker: known.get(worker, DEFAULT_ACCURACY) for worker in worker_ids}


def task_consolidate(*, task_id: int, project: Project) -> float | None:
    """Write the task's label and confidence from its submitted answers (caller's
    transaction: the submit that gave the task its last answer); returns the confidence."""
    if project.task_type not in CONSOLIDATED_TYPES:
        return None
    rows = list(
        Assignment.objects.filter(task_id=task_id, status=Assignment.Status.SUBMITTED)
        .order_by("worker_id")
        .values_list("worker_id", "answer")
    )
    if not rows:
        return None
    accuracy = _accuracies(project.pk, [worker for worker, _ in rows])
    result = _consolidate_or_log(
        project,
        task_id,
        [answer_value(a, project) for _, a in rows],
        [accuracy[w] for w, _ in rows],
    )
    if result is not None:
        label, confidence = result
        Task.objects.filter(pk=task_id).update(
            consolidated_label=label,
            confidence=confidence,
            consolidated_at=timezone.now(),
            needs_more=False,
        )
        return confidence
    return None


def _agrees(project: Project, value: dict, label: dict) -> bool:
    """Does one answer's value match a consolidated (or gold) value?"""
    if project.task_type in CUSTOM:
        return json.dumps(value, sort_keys=True) == json.dumps(label, sort_keys=True)
    if project.task_type in SINGLE_LABEL:
        return value.get("label") == label.get("label")
    if project.task_type in MULTI_LABEL:
        return sorted(value.get("labels", [])) == sorted(label.get("labels", []))
    if project.task_type in BOXES:
        iou = spatial.mean_pairwise_box_iou([[value, label]])
        return iou is None or iou >= 0.5
    if project.task_type in SHAPES:
        kind = SHAPES[project.task_type]
        return sorted(s.get("label") for s in value.get(kind) or []) == sorted(
            s["label"] for s in label.get(kind) or []
        )
    chosen = {(e["label"], e["startOffset"], e["endOffset"]) for e in label.get("entities", [])}
    given = {(e["label"], e["startOffset"], e["endOffset"]) for e in value.get("entities", [])}
    return chosen == given
