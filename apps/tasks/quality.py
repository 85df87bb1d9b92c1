"""Consolidation and worker quality: task labels + confidences, the project re-estimation.

Two paths, on purpose:
- `task_consolidate` runs inside `assignment_submit` when a task gets its last answer: a
  weighted vote over that task's few answers (worker accuracies from the last
  re-estimation), so the submit stays cheap;
- `project_reestimate` runs in the background (`project_reestimate_schedule`, debounced,
  at most one queued per project): Dawid-Skene over all the project's answers for
  single-label projects, then every answered task's label and every worker's quality.
"""

import json
import logging
import random
from collections import defaultdict

import numpy as np
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.errors import DomainError
from apps.core.jobs import enqueue_on_commit
from apps.core.services import audit_record
from apps.projects.models import Project, TaskType
from apps.tasks.consolidation import metrics as agreement
from apps.tasks.consolidation import spatial
from apps.tasks.consolidation.categorical import dawid_skene, encode, weighted_vote
from apps.tasks.consolidation.multilabel import consolidate_multilabel
from apps.tasks.consolidation.spans import consolidate_spans
from apps.tasks.models import Assignment, GoldItem, ProjectQuality, Task, WorkerQuality
from apps.tasks.validation import validate_answer

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
REESTIMATE_DEBOUNCE_SECONDS = 30
REESTIMATE_MARGIN_SECONDS = 2  # the job reads after the window's last submits commit
UPDATE_BATCH = 1000

logger = logging.getLogger(__name__)


def answer_value(answer: object, project: Project | None = None) -> object:
    """The single labeled element's value of a built-in template's answer; a custom task's
    whole answer."""
    if project is not None and project.task_type in CUSTOM:
        return answer
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
        image = next(
            (v.get("inputImageProperties") for v in values if v.get("inputImageProperties")), {}
        )
        return {"boundingBoxes": found, "inputImageProperties": image}, _overall(boxes)
    if project.task_type == TaskType.KEYPOINT:
        points = spatial.consolidate_keypoints(values, accuracies=accuracies)
        found = [
            {"label": p.label, "x": p.x, "y": p.y, "confidence": round(p.confidence, 4)}
            for p in points
        ]
        return {"keypoints": found}, _overall(points)
    if project.task_type in SHAPES:
        kind = SHAPES[project.task_type]
        shapes = spatial.consolidate_shapes(values, kind=kind, accuracies=accuracies)
        found = [
            {"label": s.label, "vertices": s.vertices, "confidence": round(s.confidence, 4)}
            for s in shapes
        ]
        return {kind: found}, _overall(shapes)
    if project.task_type in CUSTOM:
        return _json_majority(answers_full=values, accuracies=accuracies)
    return None


def _json_majority(*, answers_full: list[object], accuracies: list[float]) -> tuple[object, float]:
    """Custom tasks: the most frequent whole answer (compared as canonical JSON), each vote
    weighted by its worker's accuracy; ties to the canonical JSON that sorts first. The
    confidence is the one-coin posterior among the distinct answers given."""
    texts = [json.dumps(a, sort_keys=True, separators=(",", ":")) for a in answers_full]
    distinct = sorted(set(texts))
    index = {text: n for n, text in enumerate(distinct)}
    chosen, confidence = weighted_vote([index[t] for t in texts], accuracies, max(len(distinct), 2))
    return json.loads(distinct[chosen]), confidence


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


def projects_for_worker(projects: QuerySet[Project], *, worker) -> QuerySet[Project]:
    """The queue's projects without those the worker is paused from, annotated with the
    quality settings the claim needs (`gold_rate`, `overlap_on`): no query of its own."""
    paused = WorkerQuality.objects.filter(project_id=OuterRef("pk"), worker=worker, paused=True)
    settings = ProjectQuality.objects.filter(project_id=OuterRef("pk"))
    return projects.exclude(Exists(paused)).annotate(
        gold_rate=Coalesce(Subquery(settings.values("gold_rate")[:1]), Value(0.0)),
        overlap_on=Exists(
            settings.filter(
                overlap_confidence_below__isnull=False, overlap_max_answers__isnull=False
            )
        ),
        # Automated labeling ranked some open tasks: serve those first (apps.autolabel).
        ranked_on=Exists(
            Task.objects.filter(
                project_id=OuterRef("pk"), status=Task.Status.OPEN, queue_rank__isnull=False
            )
        ),
    )


def task_pick(claimable: QuerySet[Task], projects: list[Project]) -> Task | None:
    """The next task among `claimable` (one priority level): a gold task at the projects'
    gold rate (drawn per claim, so gold is indistinguishable from other work), else a task
    that dynamic overlap reopened, else the oldest normal task. Projects without gold or
    overlap cost the one query they always did."""
    gold_projects = [p.pk for p in projects if p.gold_rate and _draw() < p.gold_rate]
    if gold_projects:
        task = claimable.filter(project_id__in=gold_projects, is_gold=True).first()
        if task is not None:
            return task
    if any(p.overlap_on for p in projects):
        task = claimable.filter(needs_more=True, is_gold=False).first()
        if task is not None:
            return task
    ranked = [p.pk for p in projects if getattr(p, "ranked_on", False)]
    if ranked:  # the automated-labeling loop's most uncertain tasks first
        task = (
            claimable.filter(project_id__in=ranked, is_gold=False, queue_rank__isnull=False)
            .order_by("queue_rank", "pk")
            .first()
        )
        if task is not None:
            return task
    return claimable.filter(is_gold=False).first()


def _draw() -> float:
    return random.random()  # noqa: S311 - sampling, not security


def project_settings(*, project: Project) -> ProjectQuality:
    """The project's quality settings (defaults when never set: no gold, no extra answers)."""
    row = ProjectQuality.objects.filter(project=project).first()
    return row or ProjectQuality(organization_id=project.organization_id, project=project)


def task_answers_extend(*, task_id: int, project: Project, confidence: float | None) -> bool:
    """Dynamic overlap, in the submit's transaction: ask one more answer of a task whose
    confidence is below the project's threshold, up to its maximum. True if reopened."""
    if confidence is None:
        return False
    settings = project_settings(project=project)
    if settings.overlap_confidence_below is None or settings.overlap_max_answers is None:
        return False
    if confidence >= settings.overlap_confidence_below:
        return False
    return bool(
        Task.objects.filter(pk=task_id, answers_needed__lt=settings.overlap_max_answers).update(
            answers_needed=F("answers_needed") + 1,
            status=Task.Status.OPEN,
            needs_more=True,
            updated_at=timezone.now(),
        )
    )


def assignment_score_gold(*, assignment: Assignment, answer: object) -> bool:
    """Score a gold task's answer against the known one (submit's transaction); pause the
    worker from the project when their gold accuracy falls below the threshold after the
    minimum number of gold answers. Returns whether the answer was right."""
    project = assignment.project
    gold = GoldItem.objects.filter(project=project, item_id=assignment.task.item_id).first()
    if gold is None:
        return False
    try:
        correct = _agrees(project, answer_value(answer, project), gold.answer)
    except (ValueError, TypeError, KeyError, AttributeError):
        correct = False
    WorkerQuality.objects.get_or_create(
        project=project,
        worker_id=assignment.worker_id,
        defaults={"organization_id": project.organization_id},
    )
    row = WorkerQuality.objects.select_for_update().filter(
        project=project, worker_id=assignment.worker_id
    )
    row.update(gold_answers=F("gold_answers") + 1, gold_correct=F("gold_correct") + int(correct))
    counts = row.values("gold_answers", "gold_correct", "paused").get()
    settings = project_settings(project=project)
    if (
        settings.gold_pause_below is not None
        and not counts["paused"]
        and counts["gold_answers"] >= settings.gold_min_answers
        and counts["gold_correct"] / counts["gold_answers"] < settings.gold_pause_below
    ):
        row.update(paused=True, paused_at=timezone.now())
        audit_record(
            organization_id=project.organization_id,
            actor=None,
            action="worker.paused_by_gold",
            target=project,
            worker_id=assignment.worker_id,
            gold_answers=counts["gold_answers"],
            gold_correct=counts["gold_correct"],
        )
    return correct


class GoldItemInvalid(DomainError):
    code = "gold_item_invalid"
    message = "A gold item is not valid for this project."


def gold_items_set(*, project: Project, actor, items: list[dict]) -> int:
    """Mark items of the project's dataset as gold with their known answers (one
    transaction: all or nothing). `items`: [{"item_id": int, "answer": <answer value>}]."""
    from apps.datasets.models import Item  # the datasets app does not import tasks

    wanted = [entry["item_id"] for entry in items]
    found = {
        item.pk: item
        for item in Item.objects.filter(
            organization_id=project.organization_id, dataset_id=project.dataset_id, pk__in=wanted
        )
    }
    for number, entry in enumerate(items):
        item = found.get(entry["item_id"])
        if item is None:
            raise GoldItemInvalid.on_field(
                f"items[{number}].item_id", f"No item {entry['item_id']} in the project's dataset."
            )
        try:
            validate_answer(project=project, item=item, answer={"gold": entry["answer"]})
        except DomainError as error:
            details = error.details.get("answer", [error.message])
            raise GoldItemInvalid.on_field(f"items[{number}].answer", details[0]) from None
    with transaction.atomic():
        for entry in items:
            GoldItem.objects.update_or_create(
                project=project,
                item_id=entry["item_id"],
                defaults={"organization_id": project.organization_id, "answer": entry["answer"]},
            )
        gold_tasks_mark(project=project)
        audit_record(
            organization_id=project.organization_id,
            actor=actor,
            action="project.gold_items_set",
            target=project,
        )
    return len(items)


GOLD_ANSWERS_NEEDED = 32000  # a gold task is never "answered": every worker may take it


def gold_tasks_mark(*, project: Project) -> int:
    """Turn the tasks of gold items into gold tasks (run when gold is set, and after the
    project's tasks are created): open, no consolidated label, never complete."""
    gold = GoldItem.objects.filter(project=project).values("item_id")
    return Task.objects.filter(project=project, item_id__in=gold, is_gold=False).update(
        is_gold=True,
        status=Task.Status.OPEN,
        answers_needed=GOLD_ANSWERS_NEEDED,
        consolidated_label=None,
        confidence=None,
        consolidated_at=None,
        updated_at=timezone.now(),
    )


def project_settings_update(*, project: Project, actor, **changes) -> ProjectQuality:
    """Change the project's quality-control settings (validated by the caller's serializer)."""
    with transaction.atomic():
        settings, _ = ProjectQuality.objects.select_for_update().get_or_create(
            project=project, defaults={"organization_id": project.organization_id}
        )
        for field, value in changes.items():
            setattr(settings, field, value)
        settings.save()
        audit_record(
            organization_id=project.organization_id,
            actor=actor,
            action="project.quality_settings_changed",
            target=project,
        )
    return settings


def _schedule_key(project_id: int) -> str:
    return f"tasks:reestimate:{project_id}"


def project_reestimate_schedule(*, project: Project) -> None:
    """Debounce: the first submit of a window queues one re-estimation to run when the
    window closes (its cache key expires then), so every answer of the window is in it and
    a stream of submits costs one cache write each and one job per window. An answer
    committed after that job read the answers opens the next window."""
    if project.task_type not in CONSOLIDATED_TYPES:
        return
    if cache.add(_schedule_key(project.pk), 1, timeout=REESTIMATE_DEBOUNCE_SECONDS):
        from apps.tasks import jobs  # jobs imports this module

        enqueue_on_commit(
            jobs.project_reestimate,
            countdown=REESTIMATE_DEBOUNCE_SECONDS + REESTIMATE_MARGIN_SECONDS,
            organization_id=project.organization_id,
            project_id=project.pk,
        )


def project_reestimate(*, project: Project) -> int:
    """Re-estimate labels and worker quality from all submitted answers; returns the number
    of tasks whose label was written. Writes in short batches: never holds the project."""
    if project.task_type not in CONSOLIDATED_TYPES:
        return 0
    rows = _answer_values(project)
    answered = set(
        Task.objects.filter(project=project, status=Task.Status.ANSWERED).values_list(
            "pk", flat=True
        )
    )
    if not rows:
        return 0
    by_task: dict[int, list[tuple[int, object]]] = defaultdict(list)
    for task_id, worker_id, value in rows:
        by_task[task_id].append((worker_id, value))
    quality: dict[int, dict] = {}
    if project.task_type in SINGLE_LABEL:
        labels, quality = _single_label_estimate(project, rows, answered)
    else:
        accuracy = _accuracies(project.pk, sorted({w for _, w, _ in rows}))
        labels = {}
        for task_id in answered & by_task.keys():
            answers = by_task[task_id]
            result = _consolidate_or_log(
                project, task_id, [a for _, a in answers], [accuracy[w] for w, _ in answers]
            )
            if result is not None:
                labels[task_id] = result
    _write_labels(labels)
    _write_quality(project, by_task, labels, quality)
    _write_metrics(project, by_task, labels, len(rows))
    return len(labels)


def _answer_values(project: Project) -> list[tuple[int, int, object]]:
    """(task, worker, answer value) of every submitted non-gold answer, streamed from the
    database; single-label values are shared per label, so a million answers stay small."""
    shared: dict[object, dict] = {}
    single = project.task_type in SINGLE_LABEL
    rows = []
    answers = (
        Assignment.objects.filter(
            project=project, status=Assignment.Status.SUBMITTED, task__is_gold=False
        )
        .order_by("pk")
        .values_list("task_id", "worker_id", "answer")
        .iterator(chunk_size=5_000)
    )
    categories = set(project.label_names)
    for task_id, worker_id, answer in answers:
        value = answer_value(answer, project)
        if single:
            label = value.get("label") if isinstance(value, dict) else None
            if label not in categories:  # a type whose answers are not validated yet
                logger.warning("answer to task %s ignored: no known label", task_id)
                continue
            value = shared.setdefault(label, {"label": label})
        rows.append((task_id, worker_id, value))
    return rows


def _single_label_estimate(project: Project, rows, answered: set[int]):
    categories = project.label_names
    data = encode(
        [task for task, _, _ in rows],
        [worker for _, worker, _ in rows],
        [value["label"] for _, _, value in rows],
        classes=categories,
    )
    result = dawid_skene(data.items, data.workers, data.labels, *data.shape)
    labels = {}
    for number, task_id in enumerate(data.item_ids):
        if task_id in answered:
            labels[task_id] = (
                {"label": categories[int(result.labels[number])]},
                float(result.confidences[number]),
            )
    quality = {}
    for number, worker_id in enumerate(data.worker_ids):
        confusion = result.worker_confusion[number] if result.worker_confusion is not None else None
        quality[worker_id] = {
            "accuracy": float(result.worker_accuracy[number])
            if result.worker_accuracy is not None
            else None,
            "confusion": {
                truth: {
                    given: round(float(confusion[t, g]), 6) for g, given in enumerate(categories)
                }
                for t, truth in enumerate(categories)
            }
            if confusion is not None
            else None,
        }
    return labels, quality


def _write_labels(labels: dict[int, tuple[dict, float]]) -> None:
    now = timezone.now()
    task_ids = sorted(labels)
    for start in range(0, len(task_ids), UPDATE_BATCH):
        batch = [
            Task(
                pk=task_id,
                consolidated_label=labels[task_id][0],
                confidence=labels[task_id][1],
                consolidated_at=now,
            )
            for task_id in task_ids[start : start + UPDATE_BATCH]
        ]
        with transaction.atomic():
            Task.objects.bulk_update(batch, ["consolidated_label", "confidence", "consolidated_at"])


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


def _write_quality(project: Project, by_task, labels, estimated: dict[int, dict]) -> None:
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # answers, on labeled, agree
    for task_id, answers in by_task.items():
        for worker_id, value in answers:
            counts[worker_id][0] += 1
            if task_id in labels and labels[task_id] is not None:
                counts[worker_id][1] += 1
                counts[worker_id][2] += _agrees(project, value, labels[task_id][0])
    rows = []
    for worker_id, (answers, consolidated, agree) in counts.items():
        agreement = agree / consolidated if consolidated else None
        estimate = estimated.get(worker_id, {})
        accuracy = estimate.get("accuracy")
        if accuracy is None and agreement is not None:
            # Agreement shrunk towards the default, as a stand-in accuracy for weighting.
            accuracy = (agree + 2 * DEFAULT_ACCURACY) / (consolidated + 2)
        rows.append(
            WorkerQuality(
                organization_id=project.organization_id,
                project=project,
                worker_id=worker_id,
                answers=answers,
                consolidated_answers=consolidated,
                agreement=agreement,
                accuracy=accuracy,
                confusion=estimate.get("confusion"),
            )
        )
    with transaction.atomic():
        WorkerQuality.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["project", "worker"],
            update_fields=["answers", "consolidated_answers", "agreement", "accuracy", "confusion"],
        )


def project_agreement(project: Project, by_task: dict[int, list[tuple[int, object]]]) -> dict:
    """Agreement among workers, from each task's answers (task id -> [(worker, answer)])."""
    values = [[value for _, value in answers] for answers in by_task.values()]
    figures: dict = {}
    categories = project.label_names
    if project.task_type in SINGLE_LABEL:
        index = {label: n for n, label in enumerate(categories)}
        counts = np.zeros((len(values), max(len(categories), 1)))
        for row, answers in enumerate(values):
            for value in answers:
                counts[row, index[value["label"]]] += 1
        figures["fleiss_kappa"] = agreement.fleiss_kappa(counts)
        figures["krippendorff_alpha"] = agreement.krippendorff_alpha_nominal(counts)
    elif project.task_type in MULTI_LABEL:
        # every (item, category) is a yes/no unit
        counts = np.array(
            [
                [sum(c in v["labels"] for v in answers), sum(c not in v["labels"] for v in answers)]
                for answers in values
                for c in categories
            ]
        ).reshape(-1, 2)
        figures["fleiss_kappa"] = agreement.fleiss_kappa(counts)
        figures["krippendorff_alpha"] = agreement.krippendorff_alpha_nominal(counts)
    elif project.task_type in SPANS:
        figures["span_f1"] = agreement.span_f1([[v["entities"] for v in a] for a in values])
    elif project.task_type in BOXES:
        figures["mean_box_iou"] = spatial.mean_pairwise_box_iou(values)
    return {k: (round(v, 4) if v is not None else None) for k, v in figures.items()}


def _write_metrics(project: Project, by_task, labels, answers: int) -> None:
    try:
        figures = project_agreement(project, by_task)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        logger.warning("agreement of project %s not computed: %s", project.pk, error)
        figures = {}
    confidences = [confidence for _, confidence in labels.values()]
    figures["mean_confidence"] = (
        round(sum(confidences) / len(confidences), 4) if confidences else None
    )
    figures["consolidated"] = len(labels)
    figures["answers"] = answers
    ProjectQuality.objects.update_or_create(
        project=project,
        defaults={"organization_id": project.organization_id, "metrics": figures},
    )


MEDIA = {
    TaskType.TEXT_CLASSIFICATION: "text",
    TaskType.IMAGE_CLASSIFICATION: "image",
    TaskType.VIDEO_CLASSIFICATION: "video",
    TaskType.TEXT_CLASSIFICATION_MULTILABEL: "text",
    TaskType.IMAGE_CLASSIFICATION_MULTILABEL: "image",
}


def output_label(project: Project, label: dict, confidence: float, created, model_version=""):
    """A consolidated label as its output-manifest entry (spec §7.2), or None. A label from
    automated labeling (`model_version` set) says `human-annotated: no` and names its model."""
    from apps.datasets import manifest

    names = project.label_names
    common = {
        "job_name": project.name,
        "creation_date": created,
        "human_annotated": not model_version,
    }
    if project.task_type in SINGLE_LABEL - {TaskType.LABEL_VERIFICATION}:
        entry = manifest.classification_label(
            media=MEDIA[project.task_type],
            class_index=names.index(label["label"]),
            class_name=label["label"],
            confidence=round(confidence, 4),
            **common,
        )
        if model_version:
            entry.metadata["model-version"] = model_version
        return entry
    if project.task_type in MULTI_LABEL:
        indices = [names.index(name) for name in label["labels"]]
        return manifest.multilabel_label(
            media=MEDIA[project.task_type],
            class_indices=indices,
            class_names=dict(enumerate(names)),
            confidences={names.index(n): round(c, 4) for n, c in label["confidences"].items()},
            **common,
        )
    if project.task_type in SPANS:
        return manifest.named_entity_label(
            labels=[(name, name[:3]) for name in names],
            entities=[
                manifest.Entity(
                    label=e["label"],
                    start_offset=e["startOffset"],
                    end_offset=e["endOffset"],
                    confidence=round(e["confidence"], 4),
                )
                for e in label["entities"]
            ],
            **common,
        )
    if project.task_type in BOXES:
        image = label.get("inputImageProperties") or {}
        return manifest.bounding_box_label(
            image_width=image.get("width", 0),
            image_height=image.get("height", 0),
            boxes=[
                manifest.Box(
                    class_id=names.index(b["label"]) if b["label"] in names else -1,
                    left=round(b["left"]),
                    top=round(b["top"]),
                    width=round(b["width"]),
                    height=round(b["height"]),
                    confidence=b["confidence"],
                )
                for b in label["boundingBoxes"]
            ],
            class_names=dict(enumerate(names)),
            **common,
        )
    if project.task_type == TaskType.LABEL_VERIFICATION:
        return manifest.label_verification_label(
            class_index=names.index(label["label"]),
            class_name=label["label"],
            confidence=round(confidence, 4),
            comments=[],
            **common,
        )
    if project.task_type in CUSTOM:
        return manifest.custom_label(value=label, **common)
    return None  # polygons, polylines, key points: no image output format in the spec yet


def project_output_labels(*, project: Project) -> dict[int, object]:
    """Item id -> output-manifest label for every consolidated task of the project."""
    rows = (
        Task.objects.filter(
            organization_id=project.organization_id,
            project=project,
            consolidated_label__isnull=False,
            is_gold=False,
        )
        .values_list(
            "item_id", "consolidated_label", "confidence", "consolidated_at", "label_model_version"
        )
        .iterator(chunk_size=5_000)
    )
    labels = {}
    for item_id, label, confidence, created, model_version in rows:
        entry = output_label(project, label, confidence, created, model_version)
        if entry is not None:
            labels[item_id] = entry
    return labels


def project_gold_item_ids(*, project: Project) -> set[int]:
    return set(GoldItem.objects.filter(project=project).values_list("item_id", flat=True))
