"""What a worker sees for an assignment: the project's UI rendered with the item.

Registered with the task frame as the `assignment` kind: the signed frame token names the
assignment and its organization; the frame renders only while that assignment is live, and
only for an address its workforce's IP ranges allow.
"""

from django.utils import timezone
from django_scopes import scope

from apps.core.errors import DomainError, NotFound
from apps.datasets.models import Item
from apps.datasets.objects import OBJECT_ROUTE_PREFIX, object_read_url
from apps.projects.models import Project, TaskType
from apps.projects.services import labels_normalized
from apps.tasks.models import Assignment
from apps.tasks.video import sequence_read
from apps.taskui.builtin import builtin_template
from apps.taskui.frames import frame_url, register_frame_kind, register_media_path
from apps.taskui.services import Preview, preview_create
from apps.taskui.templating import render_task_template
from apps.workforces.errors import WorkerAddressRefused
from apps.workforces.selectors import workforce_ip_allowed

# Our task types -> the built-in UIs' names (Ground Truth's PRE-<Type> names).
BUILTIN_UI = {
    TaskType.TEXT_CLASSIFICATION: "TextMultiClass",
    TaskType.TEXT_CLASSIFICATION_MULTILABEL: "TextMultiClassMultiLabel",
    TaskType.NAMED_ENTITY_RECOGNITION: "NamedEntityRecognition",
    TaskType.IMAGE_CLASSIFICATION: "ImageMultiClass",
    TaskType.IMAGE_CLASSIFICATION_MULTILABEL: "ImageMultiClassMultiLabel",
    TaskType.BOUNDING_BOX: "BoundingBox",
    TaskType.SEMANTIC_SEGMENTATION: "SemanticSegmentation",
    TaskType.INSTANCE_SEGMENTATION: "InstanceSegmentation",
    TaskType.LABEL_VERIFICATION: "LabelVerification",
    TaskType.KEYPOINT: "Keypoint",
    TaskType.POLYGON: "Polygon",
    TaskType.POLYLINE: "Polyline",
    TaskType.VIDEO_CLASSIFICATION: "VideoClassification",
    TaskType.VIDEO_OBJECT_DETECTION: "VideoObjectDetection",
    TaskType.VIDEO_OBJECT_TRACKING: "VideoObjectTracking",
}
VIDEO_FRAME_MODES = {
    TaskType.VIDEO_OBJECT_DETECTION: "detection",
    TaskType.VIDEO_OBJECT_TRACKING: "tracking",
}
FRAME_KIND = "assignment"


def task_template(project: Project) -> str:
    """The project's custom UI, or the built-in one of its task type."""
    return project.ui_template or builtin_template(
        BUILTIN_UI.get(project.task_type, project.task_type)
    )


def task_input(project: Project, item_data: dict, item: Item | None = None) -> dict:
    """`task.input`: the item as is for a custom UI; for a built-in UI the item plus the
    project's labels and instructions, as Ground Truth's built-in pre-annotation step adds
    (and, for video frame tasks, the frame refs of the `item`'s sequence file)."""
    if project.ui_template:
        return item_data
    labels = [label["label"] for label in project.labels]
    if project.task_type == TaskType.NAMED_ENTITY_RECOGNITION:
        labels = [{"label": label, "fullDisplayName": label} for label in labels]
    built = {
        **item_data,
        "labels": labels,
        "shortInstructions": project.short_instructions,
        "fullInstructions": project.full_instructions,
    }
    if "source-ref" in item_data:  # the media of image and video tasks
        built.setdefault("taskObject", item_data["source-ref"])
    if project.task_type in VIDEO_FRAME_MODES and item is not None:
        built["frames"] = sequence_read(item=item).frame_refs
        built["mode"] = VIDEO_FRAME_MODES[project.task_type]
    if project.task_type == TaskType.LABEL_VERIFICATION and "overlay" not in built:
        overlay = verification_overlay(item_data)
        if overlay and "semanticSegmentation" in overlay:
            # A mask is a storage URI: the template signs it with grant_read_access.
            built["overlayMask"] = overlay["semanticSegmentation"]["src"]
        else:
            built["overlay"] = overlay
    return built


# a prior label's `-metadata` type -> the overlay key that draws it, the list its value
# holds, and one entry's geometry fields (as the drawing elements take them: chained
# adjustment projects pre-fill them, apps.reviews.services.chaining)
OVERLAY_SHAPES = {
    "groundtruth/object-detection": (
        "boundingBox",
        "annotations",
        ("left", "top", "width", "height"),
    ),
    "groundtruth/polygon": ("polygon", "polygons", ("vertices",)),
    "groundtruth/polyline": ("polyline", "polylines", ("vertices",)),
    "groundtruth/keypoint": ("keypoint", "keypoints", ("x", "y")),
}


def verification_overlay(item_data: dict) -> dict | None:
    """What a verification task shows over the image: the item's prior label, found by its
    `-metadata` type (shapes drawn from the value, a mask from its `-ref` URI)."""
    for key, metadata in item_data.items():
        if not key.endswith("-metadata") or not isinstance(metadata, dict):
            continue
        attribute = key[: -len("-metadata")]
        value = item_data.get(attribute)
        kind = metadata.get("type")
        if kind in OVERLAY_SHAPES and isinstance(value, dict):
            overlay_key, entries, fields = OVERLAY_SHAPES[kind]
            class_map = metadata.get("class-map") or {}
            shapes = [
                {
                    "label": class_map.get(str(entry.get("class_id")), str(entry.get("class_id"))),
                    **{field: entry.get(field) for field in fields},
                }
                for entry in value.get(entries, [])
                if isinstance(entry, dict)
            ]
            labels = sorted({shape["label"] for shape in shapes})
            return {overlay_key: {"labels": labels, "value": shapes}}
        if kind == "groundtruth/semantic-segmentation" and isinstance(value, str):
            return {"semanticSegmentation": {"src": value}}
    return None


def project_preview(*, project: Project) -> Preview:
    """The worker UI of `project` with its first item, for its requester to check."""
    item = (
        Item.objects.filter(organization_id=project.organization_id, dataset_id=project.dataset_id)
        .order_by("line_number")
        .first()
    )
    if item is None:
        raise NotFound("The dataset has no items to preview with.")
    return preview_create(
        source=task_template(project),
        task_input=task_input(project, item.data, item),
        grant_read_access=lambda ref: object_read_url(item=item, ref=ref),
    )


def project_draft_preview(
    *,
    organization_id: int,
    dataset_id: int,
    task_type: str,
    labels: list,
    short_instructions: str = "",
    full_instructions: str = "",
    ui_template: str = "",
) -> Preview:
    """The worker UI a project with these settings would show, with the dataset's first
    item: the live preview of the new-project form. Nothing is saved."""
    if task_type not in TaskType.values:
        raise DomainError.on_field("task_type", f"Unknown task type {task_type!r}.")
    draft = Project(
        organization_id=organization_id,
        dataset_id=dataset_id,
        task_type=task_type,
        labels=labels_normalized(labels, task_type),
        short_instructions=short_instructions,
        full_instructions=full_instructions,
        ui_template=ui_template,
    )
    return project_preview(project=draft)


def _render_assignment(payload: dict, address: str | None) -> str:
    organization_id, assignment_id = payload.get("organization_id"), payload.get("assignment_id")
    if not isinstance(organization_id, int) or not isinstance(assignment_id, int):
        raise NotFound()
    with scope(organization=organization_id):
        assignment = (
            Assignment.objects.filter(
                pk=assignment_id,
                status=Assignment.Status.ACTIVE,
                deadline__gt=timezone.now(),
            )
            .select_related("project__workteam__workforce", "task__item")
            .first()
        )
        if assignment is None:
            raise NotFound()
        workforce = assignment.project.workteam.workforce
        if not workforce_ip_allowed(workforce=workforce, address=address):
            raise WorkerAddressRefused.for_address(address)
        item = assignment.task.item
        # Object URLs of a private workforce's work open only from its IP ranges too.
        networks = tuple(workforce.source_cidrs)
        task = assignment.task
        return render_task_template(
            source=task_template(assignment.project),
            # A custom task's pre-annotation hook gave its input; otherwise the item's.
            task_input=task.task_input
            if task.task_input is not None
            else task_input(assignment.project, item.data, item),
            grant_read_access=lambda ref: object_read_url(
                item=item, ref=ref, source_networks=networks
            ),
        )


def assignment_frame_url(assignment: Assignment) -> str:
    """Only ever handed to the worker holding `assignment`."""
    return frame_url(
        FRAME_KIND, organization_id=assignment.organization_id, assignment_id=assignment.id
    )


register_media_path(OBJECT_ROUTE_PREFIX)  # images of items in local storages
# A frame token outlives no assignment: the longest time limit a project can set.
register_frame_kind(FRAME_KIND, resolve=_render_assignment, max_age=8 * 3600)
