"""Consolidated labels as output-manifest entries (spec section 7.2)."""

from collections.abc import Iterator
from datetime import UTC
from itertools import islice
from types import SimpleNamespace

from apps.accounts.models import User
from apps.datasets.models import Item
from apps.projects.models import Project, TaskType
from apps.tasks.models import Assignment, GoldItem, Task
from apps.tasks.output_labels import MASK_TYPES, mask_label
from apps.tasks.quality.consolidate import (
    BOXES,
    CUSTOM,
    MULTI_LABEL,
    SHAPES,
    SINGLE_LABEL,
    SPANS,
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
    from apps.tasks.output_labels import adjustment_status

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
    image = label.get("inputImageProperties") or {}
    if project.task_type in BOXES:
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
            adjustment_status=adjustment_status(label),
            **common,
        )
    if project.task_type in SHAPES:
        kind = SHAPES[project.task_type]
        return manifest.shapes_label(
            kind=kind,
            image_width=image.get("width", 0),
            image_height=image.get("height", 0),
            shapes=[
                manifest.Shape(
                    class_id=names.index(s["label"]) if s["label"] in names else -1,
                    # a key point ({label, x, y}) is its own single vertex
                    vertices=[(round(v["x"]), round(v["y"])) for v in s.get("vertices", [s])],
                    confidence=s["confidence"],
                )
                for s in label[kind]
            ],
            class_names=dict(enumerate(names)),
            **common,
        )
    if project.task_type == TaskType.LABEL_VERIFICATION:
        return manifest.label_verification_label(
            class_index=names.index(label["label"]),
            class_name=label["label"],
            confidence=round(confidence, 4),
            comments=label.get("comments", []),
            **common,
        )
    if project.task_type in CUSTOM:
        return manifest.custom_label(value=label, **common)
    if project.task_type in MASK_TYPES:
        return mask_label(
            project=project,
            value=label,
            mask_uri=label["labeledImage"]["ref"],
            confidence=round(confidence, 4),
            **common,
        )
    return None


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


OUTPUT_CHUNK = 2_000  # items per batch of labels looked up while streaming an output


def project_output_lines(*, project: Project) -> Iterator[str]:
    """The project's output manifest, line by line in dataset order, in constant memory:
    every item of its dataset (gold items left out: they are test questions), with
    `<label attribute>` and `-metadata` for those that have a consolidated label.

    Items stream through a server-side cursor; each chunk's labels are one query."""
    from apps.datasets.manifest import manifest_lines

    items = (
        Item.objects.filter(organization_id=project.organization_id, dataset_id=project.dataset_id)
        .exclude(id__in=GoldItem.objects.filter(project=project).values("item_id"))
        .order_by("line_number")
        .values_list("id", "data")
        .iterator(chunk_size=OUTPUT_CHUNK)
    )
    while chunk := list(islice(items, OUTPUT_CHUNK)):
        rows = Task.objects.filter(
            organization_id=project.organization_id,
            project=project,
            item_id__in=[item_id for item_id, _ in chunk],
            consolidated_label__isnull=False,
        ).values_list(
            "item_id", "consolidated_label", "confidence", "consolidated_at", "label_model_version"
        )
        labels = {}
        for item_id, label, confidence, created, model_version in rows:
            entry = output_label(project, label, confidence, created, model_version)
            if entry is not None:
                labels[item_id] = entry
        yield from manifest_lines(
            (SimpleNamespace(id=item_id, data=data) for item_id, data in chunk),
            project.label_attribute_name,
            labels,
        )


def project_gold_item_ids(*, project: Project) -> set[int]:
    return set(GoldItem.objects.filter(project=project).values_list("item_id", flat=True))


def _aws_time(value) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ`, as in Ground Truth's worker metadata."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def project_worker_responses(*, project: Project, organization) -> Iterator[dict]:
    """Each non-gold item's individual answers, as Ground Truth's worker-response files
    hold them (spec 7.3): workerId (the organization's anonymized id), answerContent,
    acceptanceTime, submissionTime, timeSpentInSeconds. Streamed in item order."""
    from apps.workforces.selectors import anonymized_worker_id

    rows = (
        Assignment.objects.filter(
            organization_id=project.organization_id,
            project=project,
            status=Assignment.Status.SUBMITTED,
            task__is_gold=False,
        )
        .order_by("task__item_id", "submitted_at", "pk")
        .values_list("task__item_id", "worker_id", "answer", "created_at", "submitted_at")
        .iterator(chunk_size=5_000)
    )
    current, answers = None, []
    pseudonyms: dict[int, str] = {}
    for item_id, worker_id, answer, accepted, submitted in rows:
        if item_id != current and answers:
            yield {"datasetObjectId": str(current), "answers": answers}
            answers = []
        current = item_id
        if worker_id not in pseudonyms:
            pseudonyms[worker_id] = anonymized_worker_id(
                user=User(pk=worker_id), organization=organization
            )
        answers.append(
            {
                "workerId": pseudonyms[worker_id],
                "answerContent": answer,
                "acceptanceTime": _aws_time(accepted),
                "submissionTime": _aws_time(submitted),
                "timeSpentInSeconds": round((submitted - accepted).total_seconds(), 3),
            }
        )
    if answers:
        yield {"datasetObjectId": str(current), "answers": answers}
