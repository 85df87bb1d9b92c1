"""Verification and adjustment projects over another project's output (Ground Truth's
chained jobs).

The chained project labels a new dataset made of the source project's answered items, each
line carrying the source's label under its label attribute (with `-metadata`), exactly as
the source's output manifest has it; the chained project writes its own, different label
attribute, so its output keeps the original label and adds the verified or adjusted one.

- verification: workers judge each prior label with the project's verdict labels (e.g.
  correct / incorrect) and may leave a comment; image shapes and masks are drawn over the
  image;
- adjustment: workers redo the label with the prior one shown (classification) or
  pre-filled (entities; boxes, polygons, polylines, key points, a semantic mask on the
  image), in the source's task type, whose validation and output format the answers then
  follow.

The source's labels are the majority of its answers that were not rejected (ties: the
first submitted), with the share of agreeing answers as confidence; for multi-label
classification, each class chosen by more than half of the answers.
"""

import json

from django.db import transaction
from django.db.models import F

from apps.accounts.models import Organization, User
from apps.core.errors import DomainError
from apps.datasets import services as dataset_services
from apps.datasets.manifest import (
    OutputLabel,
)
from apps.datasets.models import Dataset, Item
from apps.projects import services as project_services
from apps.projects.models import Project, TaskType
from apps.tasks.quality import project_output_labels
from apps.tasks.taskui import OVERLAY_SHAPES
from apps.workforces.models import Workteam

VERIFICATION, ADJUSTMENT = "verification", "adjustment"
CLASSIFICATION_MEDIA = {
    TaskType.TEXT_CLASSIFICATION: "text",
    TaskType.IMAGE_CLASSIFICATION: "image",
}
MULTILABEL_MEDIA = {
    TaskType.TEXT_CLASSIFICATION_MULTILABEL: "text",
    TaskType.IMAGE_CLASSIFICATION_MULTILABEL: "image",
}
TEXT_TYPES = {
    TaskType.TEXT_CLASSIFICATION,
    TaskType.TEXT_CLASSIFICATION_MULTILABEL,
    TaskType.NAMED_ENTITY_RECOGNITION,
}


# drawing task type -> the metadata type of its output (apps.tasks.taskui knows that label's
# overlay key, value list and geometry fields), and the element that edits it, by answer name
IMAGE_SHAPES = {
    TaskType.BOUNDING_BOX: ("groundtruth/object-detection", "crowd-bounding-box", "boundingBox"),
    TaskType.POLYGON: ("groundtruth/polygon", "crowd-polygon", "crowd-polygon"),
    TaskType.POLYLINE: ("groundtruth/polyline", "crowd-polyline", "crowd-polyline"),
    TaskType.KEYPOINT: ("groundtruth/keypoint", "crowd-keypoint", "crowd-keypoint"),
}
# the image task types whose prior label is drawn over the image: shapes, or a mask (its
# consolidated PNG; instance segmentation is not chainable yet: crowd-instance-segmentation
# takes no prior objects)
IMAGE_PRIORS = {*IMAGE_SHAPES, TaskType.SEMANTIC_SEGMENTATION}
CHAINABLE = {
    kind: {
        *CLASSIFICATION_MEDIA,
        *MULTILABEL_MEDIA,
        TaskType.NAMED_ENTITY_RECOGNITION,
        *IMAGE_PRIORS,
    }
    for kind in (VERIFICATION, ADJUSTMENT)
}
DEFAULT_VERDICTS = [
    {"label": "correct", "description": "The label is right"},
    {"label": "incorrect", "description": "The label is wrong"},
]
ITEM_BATCH = 1000


def _quoted(attribute: str) -> str:
    return json.dumps(attribute)  # a Liquid string literal (attribute names are [A-Za-z0-9-])


def _target(media_text: bool) -> str:
    if media_text:
        return '<p class="crowd-text">{{ task.input.source }}</p>'
    return '<img src="{{ task.input[\'source-ref\'] | grant_read_access }}" style="max-width:100%">'


def _attribute_json(values: object) -> str:
    """`values` as JSON inside a single-quoted HTML attribute."""
    return json.dumps(values).replace("'", "&#39;")


def _image_src() -> str:
    return "{{ task.input['source-ref'] | grant_read_access }}"


def _prior_shapes(source: Project) -> str:
    """Liquid printing the item's prior label (the source's output value: shapes with class
    ids) as the drawing elements take it: a JSON list of {label, <geometry>}, the label
    looked up in the `-metadata` class map, as Ground Truth's adjustment templates do. For
    a single-quoted attribute (`to_json` output is HTML-escaped there)."""
    _overlay_key, entries, fields = OVERLAY_SHAPES[IMAGE_SHAPES[source.task_type][0]]
    value = "task.input[" + _quoted(source.label_attribute_name) + "]"
    class_map = "task.input[" + _quoted(f"{source.label_attribute_name}-metadata") + "]"
    geometry = "".join(f', "{field}": {{{{ shape.{field} | to_json }}}}' for field in fields)
    return (
        "[{% for shape in " + value + "['" + entries + "'] %}"
        "{% capture class_id %}{{ shape.class_id }}{% endcapture %}"
        '{"label": {{ ' + class_map + "['class-map'][class_id] | to_json }}" + geometry + "}"
        "{% unless forloop.last %}, {% endunless %}{% endfor %}]"
    )


def _prior_mask_src(source: Project) -> str:
    """Liquid printing a URL the sandboxed frame can read the item's prior mask from: its
    stored PNG's URI (the source's label value) signed like the image."""
    return "{{ task.input[" + _quoted(source.label_attribute_name) + "] | grant_read_access }}"


def _prior_mask(source: Project) -> str:
    """Liquid printing the item's prior mask as crowd-semantic-segmentation's
    `initial-value` takes it: {"labelMappings": {label: {"color"}}, "src"}, the colours
    read from the `-metadata` internal-color-map (its BACKGROUND entry names no label of
    the project, so the element ignores it). For a single-quoted attribute."""
    color_map = (
        "task.input[" + _quoted(f"{source.label_attribute_name}-metadata") + "]"
        "['internal-color-map']"
    )
    return (
        # "{ {%": "{{%" would open a Liquid output
        '{"labelMappings": { {% for pair in ' + color_map + " %}"
        "{{ pair[1]['class-name'] | to_json }}: "
        "{\"color\": {{ pair[1]['hex-color'] | to_json }}}"
        "{% unless forloop.last %}, {% endunless %}{% endfor %} }, "
        '"src": "' + _prior_mask_src(source) + '"}'
    )


def _overlay(source: Project) -> str:
    """The verification overlay of the item's prior label (image-classifier.js draws it):
    the mask's signed URL, or the shapes with the project's labels."""
    if source.task_type == TaskType.SEMANTIC_SEGMENTATION:
        return '{"semanticSegmentation": {"src": "' + _prior_mask_src(source) + '"}}'
    return (
        '{"'
        + OVERLAY_SHAPES[IMAGE_SHAPES[source.task_type][0]][0]
        + '": {"labels": '
        + _attribute_json(source.label_names)
        + ', "value": '
        + _prior_shapes(source)
        + "}}"
    )


def _image_verification(source: Project, categories: str) -> str:
    """The image with the prior shapes or mask drawn over it (read-only) and the verdicts."""
    return (
        f'<crowd-image-classifier name="verdict" src="{_image_src()}" '
        f"categories='{categories}' overlay='{_overlay(source)}' "
        'header="Are the annotations on the image right?"></crowd-image-classifier>'
    )


def verification_template(*, source: Project, verdicts: list[str]) -> str:
    """Shows the item and its prior label; submits {"verdict": {"label"}, "comment": ...}."""
    attribute = _quoted(source.label_attribute_name)
    metadata = _quoted(f"{source.label_attribute_name}-metadata")
    categories = _attribute_json(verdicts)
    comment = '<crowd-text-area name="comment" placeholder="Comment (optional)"></crowd-text-area>'
    if source.task_type in IMAGE_PRIORS:
        element = _image_verification(source, categories)
        return f"<crowd-form>\n  {element}\n  {comment}\n</crowd-form>\n"
    if source.task_type == TaskType.NAMED_ENTITY_RECOGNITION:
        prior = (
            '<crowd-entity-annotation name="prior" text="{{ task.input.source }}" '
            "labels='" + json.dumps([{"label": n} for n in source.label_names]) + "' "
            'initial-value="{{ task.input[' + attribute + '].annotations.entities | to_json }}"'
            ' header="The entities to check"></crowd-entity-annotation>'
        )
        target = ""
    elif source.task_type in MULTILABEL_MEDIA:
        prior = (
            "<p>Labels: {% for pair in task.input[" + metadata + "]['class-map'] %}"
            "<strong>{{ pair[1] }}</strong> {% endfor %}</p>"
        )
        target = _target(source.task_type in TEXT_TYPES)
    else:
        prior = "<p>Label: <strong>{{ task.input[" + metadata + "]['class-name'] }}</strong></p>"
        target = _target(source.task_type in TEXT_TYPES)
    return (
        "<crowd-form>\n"
        f"  {prior}\n"
        f"  <crowd-classifier name=\"verdict\" categories='{categories}' "
        'header="Is this label right?">\n'
        f"    <classification-target>{target}</classification-target>\n"
        "  </crowd-classifier>\n"
        f"  {comment}\n"
        "</crowd-form>\n"
    )


def adjustment_template(*, source: Project) -> str:
    """The source's task with the prior label pre-filled (entities, image shapes, a mask)
    or shown (classes)."""
    attribute = _quoted(source.label_attribute_name)
    metadata = _quoted(f"{source.label_attribute_name}-metadata")
    labels = _attribute_json(source.label_names)
    if source.task_type in IMAGE_SHAPES:
        _type, tag, name = IMAGE_SHAPES[source.task_type]
        element = (
            f'<{tag} name="{name}" src="{_image_src()}" '
            f"labels='{labels}' initial-value='{_prior_shapes(source)}' "
            f'header="Correct the annotations"></{tag}>'
        )
    elif source.task_type == TaskType.SEMANTIC_SEGMENTATION:
        element = (
            '<crowd-semantic-segmentation name="crowd-semantic-segmentation" '
            f"src=\"{_image_src()}\" labels='{labels}' initial-value='{_prior_mask(source)}' "
            'header="Correct the mask"></crowd-semantic-segmentation>'
        )
    elif source.task_type == TaskType.NAMED_ENTITY_RECOGNITION:
        entity_labels = json.dumps([{"label": name} for name in source.label_names])
        element = (
            '<crowd-entity-annotation name="crowd-entity-annotation" '
            'text="{{ task.input.source }}" labels=\'' + entity_labels + "' "
            'initial-value="{{ task.input[' + attribute + '].annotations.entities | to_json }}"'
            ' header="Correct the entities"></crowd-entity-annotation>'
        )
    elif source.task_type in MULTILABEL_MEDIA:
        target = _target(source.task_type in TEXT_TYPES)
        element = (
            '<crowd-classifier-multi-select name="crowd-classifier-multi-select" '
            f"categories='{labels}' "
            'header="Prior labels: {% for pair in task.input[' + metadata + "]['class-map'] %}"
            '{{ pair[1] }} {% endfor %}. Choose the right ones.">'
            f"<classification-target>{target}</classification-target>"
            "</crowd-classifier-multi-select>"
        )
    else:
        target = _target(source.task_type in TEXT_TYPES)
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
            "source_project_id",
            f"A project of type {source_project.task_type} cannot be chained for {kind} yet.",
        )
    if label_attribute_name == source_project.label_attribute_name:
        raise DomainError.on_field(
            "label_attribute_name", "Use a different label attribute than the source project."
        )
    labels = project_output_labels(project=source_project)
    if not labels:
        raise DomainError.on_field("source_project_id", "The source project has no labels yet.")
    dataset = dataset_services.dataset_create(
        organization=organization,
        actor=actor,
        name=f"{name} input (from {source_project.name})",
        storage=source_project.dataset.storage,  # where the items' relative refs point
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
