"""The background project re-estimation: labels, worker quality and agreement."""

import json
import logging
from collections import defaultdict

import numpy as np
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from apps.core.jobs import enqueue_on_commit
from apps.projects.models import Project
from apps.tasks.consolidation import metrics as agreement
from apps.tasks.consolidation import spatial
from apps.tasks.consolidation.categorical import dawid_skene, encode
from apps.tasks.models import Assignment, GoldItem, ProjectQuality, Task, WorkerQuality
from apps.tasks.quality.consolidate import (
    BOXES,
    CONSOLIDATED_TYPES,
    DEFAULT_ACCURACY,
    MULTI_LABEL,
    SINGLE_LABEL,
    SPANS,
    _accuracies,
    _agrees,
    _consolidate_or_log,
    answer_value,
)

REESTIMATE_DEBOUNCE_SECONDS = 30
REESTIMATE_MARGIN_SECONDS = 2  # the job reads after the window's last submits commit
UPDATE_BATCH = 5000

logger = logging.getLogger(__name__)


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
    of tasks whose label was written. Writes in short batches: never holds the project.
    A project with a post-annotation hook is left to the hook."""
    if project.task_type not in CONSOLIDATED_TYPES or project.post_annotation_hook:
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
    calibration: dict = {}
    if project.task_type in SINGLE_LABEL:
        labels, quality, calibration = _single_label_estimate(project, rows, answered)
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
    _write_labels(project, labels)
    _write_quality(project, by_task, labels, quality)
    _write_metrics(project, by_task, labels, len(rows), calibration)
    return len(labels)


def _gold_answers(project: Project) -> tuple[list[tuple[int, int, dict]], dict[int, str]]:
    """Single-label gold: (task, worker, value) of the answers, and task -> known label."""
    categories = set(project.label_names)
    truth = {}
    gold = dict(GoldItem.objects.filter(project=project).values_list("item_id", "answer"))
    for task_id, item_id in Task.objects.filter(project=project, is_gold=True).values_list(
        "pk", "item_id"
    ):
        label = (gold.get(item_id) or {}).get("label")
        if label in categories:
            truth[task_id] = label
    rows = []
    answers = Assignment.objects.filter(
        project=project, status=Assignment.Status.SUBMITTED, task_id__in=list(truth)
    ).values_list("task_id", "worker_id", "answer")
    for task_id, worker_id, answer in answers:
        value = answer_value(answer, project)
        if isinstance(value, dict) and value.get("label") in categories:
            rows.append((task_id, worker_id, {"label": value["label"]}))
    return rows, truth


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
    """Dawid-Skene over the answers plus the gold tasks' answers, whose true labels are
    known (they teach the worker estimates; gold tasks get no label of their own)."""
    categories = project.label_names
    gold_rows, truth = _gold_answers(project)
    rows = rows + gold_rows
    data = encode(
        [task for task, _, _ in rows],
        [worker for _, worker, _ in rows],
        [value["label"] for _, _, value in rows],
        classes=categories,
    )
    number_of = {task_id: number for number, task_id in enumerate(data.item_ids)}
    known = {
        number_of[task_id]: categories.index(label)
        for task_id, label in truth.items()
        if task_id in number_of
    }
    result = dawid_skene(data.items, data.workers, data.labels, *data.shape, known=known)
    # Confidences are rescaled to fit the answered gold items (`dawid_skene`); shown so a
    # requester sees whether, and on how many, they were.
    calibration = {
        "calibrated_on_gold": len(known),
        "calibration_scale": round(result.calibration_scale, 4),
    }
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
    return labels, quality, calibration


def _write_labels(project: Project, labels: dict[int, tuple[dict, float]]) -> None:
    """Write labels in batches, each its own short transaction. On PostgreSQL one
    UPDATE ... FROM unnest(arrays) per batch; elsewhere one parameterised UPDATE per task.
    (Django's bulk_update builds a CASE per field over the batch: 55 s for 40,000 tasks.)"""
    table = connection.ops.quote_name(Task._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    task_ids = sorted(labels)
    for start in range(0, len(task_ids), UPDATE_BATCH):
        batch = task_ids[start : start + UPDATE_BATCH]
        texts = [json.dumps(labels[t][0]) for t in batch]
        confidences = [float(labels[t][1]) for t in batch]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} AS t SET consolidated_label = v.label::jsonb, "
                    "confidence = v.confidence, consolidated_at = %s, updated_at = %s "
                    "FROM unnest(%s::bigint[], %s::text[], %s::float8[]) "
                    "AS v(id, label, confidence) WHERE t.id = v.id AND t.project_id = %s",
                    [now, now, batch, texts, confidences, project.pk],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET consolidated_label = %s, confidence = %s, "
                    "consolidated_at = %s, updated_at = %s WHERE id = %s AND project_id = %s",
                    [
                        (text, confidence, now, now, t, project.pk)
                        for text, confidence, t in zip(texts, confidences, batch, strict=True)
                    ],
                )


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


def _write_metrics(project: Project, by_task, labels, answers: int, calibration: dict) -> None:
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
    figures.update(calibration)
    ProjectQuality.objects.update_or_create(
        project=project,
        defaults={"organization_id": project.organization_id, "metrics": figures},
    )
