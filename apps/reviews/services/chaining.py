"""Verification and adjustment projects over another project's output (Ground Truth's
chained jobs).

The chained project labels a new dataset made of the source project's answered items, each
line carrying the source's label under its label attribute (with `-metadata`), exactly as
the source's output manifest has it; the chained project writes its own, different label
attribute, so its output keeps the original label and adds the verified or adjusted one.

- verification: workers judge each prior label with the project's verdict labels (e.g.
  correct / incorrect) and may leave a comment;
- adjustment: workers redo the label with the prior one shown (classification) or
  pre-filled (entities), in the source's task type.

The source's labels are the majority of its answers that were not rejected (ties: the
first submitted), with the share of agreeing answers as confidence.
"""

import json
from collections import Counter

from django.db import transaction
from django.db.models import F

from apps.accounts.models import Organization, User
from apps.core.errors import DomainError
from apps.datasets import services as dataset_services
from apps.datasets.manifest import Entity, OutputLabel, classification_label, named_entity_label
from apps.datasets.models import Dataset, Item
from apps.projects import services as project_services
from apps.projects.models import Project, TaskType
from apps.tasks.models import Assignment, ReviewStatus, Task
from apps.workforces.models import Workteam

VERIFICATION, ADJUSTMENT = "verification", "adjustment"
CLASSIFICATION_MEDIA = {
    TaskType.TEXT_CLASSIFICATION: "text",
    TaskType.IMAGE_CLASSIFICATION: "image",
}
CHAINABLE = {
    VERIFICATION: {*CLASSIFICATION_MEDIA, TaskType.NAMED_ENTITY_RECOGNITION},
    ADJUSTMENT: {*CLASSIFICATION_MEDIA, TaskType.NAMED_ENTITY_RECOGNITION},
}
DEFAULT_VERDICTS = [
    {"label": "correct", "description": "The label is right"},
    {"label": "incorrect", "description": "The label is wrong"},
]
ITEM_BATCH = 1000


def _answer_value(answer: object) -> object:
    if isinstance(answer, dict) and len(answer) == 1:
        return next(iter(answer.values()))
    return answer


def _source_labels(source: Project) -> dict[int, OutputLabel]:
    """Item id -> the source's label for each answered task (see the module docstring)."""
    answers: dict[int, list[object]] = {}
    rows = (
        Assignment.objects.filter(
            organization_id=source.organization_id,
            project=source,
            status=Assignment.Status.SUBMITTED,
            task__status=Task.Status.ANSWERED,
        )
        .exclude(review_status=ReviewStatus.REJECTED)
        .order_by("submitted_at", "pk")
        .values_list("task__item_id", "answer")
    )
    for item_id, answer in rows:
        answers.setdefault(item_id, []).append(_answer_value(answer))
    labels = {}
    job_name = source.name  # the builders add "labeling-job/"
    created = source.ended_at or source.started_at or source.created_at
    for item_id, values in answers.items():
        keys = [json.dumps(value, sort_keys=True) for value in values]
        winner, votes = Counter(keys).most_common(1)[0]
        value = json.loads(winner)
        confidence = round(votes / len(values), 2) if len(values) > 1 else 0.0
        if source.task_type in CLASSIFICATION_MEDIA:
            name = value.get("label") if isinstance(value, dict) else None
            if name not in source.label_names:
                continue
            labels[item_id] = classification_label(
                media=CLASSIFICATION_MEDIA[source.task_type],
                class_index=source.label_names.index(name),
                class_name=name,
                confidence=confidence,
                job_name=job_name,
                creation_date=created,
            )
        else:
            entities = [
                Entity(e["label"], e["startOffset"], e["endOffset"], confidence)
                for e in (value.get("entities") or [])
                if isinstance(e, dict)
            ]
            labels[item_id] = named_entity_label(
                labels=[(name, name[:3]) for name in source.label_names],
                entities=entities,
                job_name=job_name,
                creation_date=created,
            )
    return labels


def _quoted(attribute: str) -> str:
    return json.dumps(attribute)  # a Liquid string literal (attribute names are [A-Za-z0-9-])


def _target(media_text: bool) -> str:
    if media_text:
        return '<p class="crowd-text">{{ task.input.source }}</p>'
    return '<img src="{{ task.input[\'source-ref\'] | grant_read_access }}" style="max-width:100%">'


def verification_template(*, source: Project, verdicts: list[str]) -> str:
    """Shows the item and its prior label; submits {"verdict": {"label"}, "comment": ...}."""
    attribute = _quoted(source.label_attribute_name)
    metadata = _quoted(f"{source.label_attribute_name}-metadata")
    if source.task_type == TaskType.NAMED_ENTITY_RECOGNITION:
        prior = (
            '<crowd-entity-annotation name="prior" text="{{ task.input.source }}" '
            "labels='" + json.dumps([{"label": n} for n in source.label_names]) + "' "
            'initial-value="{{ task.input[' + attribute + '].annotations.entities | to_json }}"'
            ' header="The entities to check"></crowd-entity-annotation>'
        )
        target = ""
    else:
        prior = "<p>Label: <strong>{{ task.input[" + metadata + "]['class-name'] }}</strong></p>"
        target = _target(source.task_type == TaskType.TEXT_CLASSIFICATION)
    categories = json.dumps(verdicts).replace("'", "&#39;")
    return (
        "<crowd-form>\n"
        f"  {prior}\n"
        f"  <crowd-classifier name=\"verdict\" categories='{categories}' "
        'header="Is this label right?">\n'
        f"    <classification-target>{target}</classification-target>\n"
        "  </crowd-classifier>\n"
        '  <crowd-text-area name="comment" placeholder="Comment (optional)"></crowd-text-area>\n'
        "</crowd-form>\n"
    )


def adjustment_template(*, source: Project) -> str:
    """The source's task with the prior label pre-filled (entities) or shown (classes)."""
    attribute = _quoted(source.label_attribute_name)
    metadata = _quoted(f"{source.label_attribute_name}-metadata")
    labels = json.dumps(source.label_names).replace("'", "&#39;")
    if source.task_type == TaskType.NAMED_ENTITY_RECOGNITION:
        entity_labels = json.dumps([{"label": name} for name in source.label_names])
        element = (
            '<crowd-entity-annotation name="crowd-entity-annotation" '
            'text="{{ task.input.source }}" labels=\'' + entity_labels + "' "
            'initial-value="{{ task.input[' + attribute + '].annotations.entities | to_json }}"'
            ' header="Correct the entities"></crowd-entity-annotation>'
        )
    else:
        target = _target(source.task_type == TaskType.TEXT_CLASSIFICATION)
        element = (
            f"<crowd-classifier name=\"crowd-classifier\" categories='{labels}' "
            'header="Prior label: {{ task.input[' + metadata + "]['class-name'] }}. "
            'Choose the right one.">'
            f"<classification-target>{target}</classification-target></crowd-classifier>"
        )
    return f"<crowd-form>\n  {element}\n</crowd-form>\n"


@transaction.atomic
def project_chain_create(
    *,
    organization: Organization,
    actor: User | None,
    source_project: Project,
    kind: str,
    name: str,
    label_attribute_name: str,
    workteam: Workteam,
    verdict_labels: list | None = None,
    **fields,
) -> Project:
    """A draft verification or adjustment project over `source_project`'s answered items
    (start it like any project). Refused: an unknown kind, a source of another
    organization or of a type that cannot be chained, the source's own label attribute,
    a source with no labels yet."""
    if kind not in CHAINABLE:
        raise DomainError.on_field("kind", "Use 'verification' or 'adjustment'.")
    if source_project.organization_id != organization.id:
        raise DomainError.on_field("source_project_id", "No such project.")
    if source_project.task_type not in CHAINABLE[kind]:
        raise DomainError.on_field(
            "source_project_id", f"A {kind} project cannot follow this task type yet."
        )
    if label_attribute_name == source_project.label_attribute_name:
        raise DomainError.on_field(
            "label_attribute_name", "Use a different label attribute than the source project."
        )
    labels = _source_labels(source_project)
    if not labels:
        raise DomainError.on_field("source_project_id", "The source project has no labels yet.")
    dataset = dataset_services.dataset_create(
        organization=organization, actor=actor, name=f"{name} input (from {source_project.name})"
    )
    _items_copy(source_project, dataset, labels)
    if kind == VERIFICATION:
        verdicts = verdict_labels or DEFAULT_VERDICTS
        names = [v["label"] if isinstance(v, dict) else str(v) for v in verdicts]
        task_type, project_labels = TaskType.LABEL_VERIFICATION, verdicts
        template = verification_template(source=source_project, verdicts=names)
    else:
        task_type, project_labels = source_project.task_type, source_project.labels
        template = adjustment_template(source=source_project)
    return project_services.project_create(
        organization=organization,
        actor=actor,
        name=name,
        dataset=dataset,
        task_type=task_type,
        label_attribute_name=label_attribute_name,
        labels=project_labels,
        ui_template=template,
        workteam=workteam,
        **fields,
    )


def _items_copy(source: Project, dataset: Dataset, labels: dict[int, OutputLabel]) -> None:
    attribute = source.label_attribute_name
    items = Item.objects.filter(
        organization_id=source.organization_id, pk__in=list(labels)
    ).order_by("dataset_id", "line_number")
    batch, line = [], 0
    for item in items.iterator(chunk_size=ITEM_BATCH):
        line += 1
        label = labels[item.pk]
        data = {**item.data, attribute: label.value, f"{attribute}-metadata": label.metadata}
        batch.append(
            Item(
                organization_id=dataset.organization_id,
                dataset=dataset,
                line_number=line,
                data=data,
                source_ref=item.source_ref,
                width=item.width,
                height=item.height,
                media_format=item.media_format,
            )
        )
        if len(batch) == ITEM_BATCH:
            Item.objects.bulk_create(batch)
            batch = []
    Item.objects.bulk_create(batch)
    Dataset.objects.filter(pk=dataset.pk).update(item_count=F("item_count") + line)
