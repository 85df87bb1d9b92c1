"""One answer -> the output manifest's label, per built-in task type.

The consolidation step decides *which* answer (or merged answer) becomes an Item's label
and with what confidence; this module only turns an answer-shaped value (what the crowd
element submitted, validated) into `<attribute>` + `<attribute>-metadata` in the formats of
`apps.datasets.manifest`. With one answer per item it is the whole pipeline.
"""

import json
from datetime import datetime

from apps.core.errors import DomainError
from apps.datasets import manifest
from apps.datasets.models import Storage
from apps.datasets.storages import backend_for
from apps.projects.models import Project, TaskType
from apps.tasks.masks import BACKGROUND_COLOR
from apps.tasks.validation import mask_image


class UnsupportedTaskType(ValueError):
    pass


def _single(answer: dict) -> object:
    return next(iter(answer.values()))


def image_size(value: dict, item) -> tuple[int, int]:
    """(width, height) of an answer's image: as probed at import, else as the browser saw."""
    properties = value.get("inputImageProperties") or {}
    return item.width or properties.get("width"), item.height or properties.get("height")


def output_label_from_answer(
    *,
    project: Project,
    item,
    answer: dict,
    confidence: float,
    creation_date: datetime,
    mask_uri: str | None = None,
    seq_label_uri: str | None = None,
) -> manifest.OutputLabel:
    """The label an Item's output line gets from `answer` (validated for `project`).
    Class ids are the label's index in the project's labels. A segmentation
    label is the stored mask PNG's URI, a video frame label the stored SeqLabel.json's
    (`seq_label_from_answer`): the caller stores them and passes the URI."""
    value = _single(answer)
    names = project.label_names
    class_ids = {name: index for index, name in enumerate(names)}
    common = {"job_name": project.name, "creation_date": creation_date}
    task_type = project.task_type
    if task_type in (TaskType.IMAGE_CLASSIFICATION, TaskType.VIDEO_CLASSIFICATION):
        media = "image" if task_type == TaskType.IMAGE_CLASSIFICATION else "video"
        return manifest.classification_label(
            media=media,
            class_index=class_ids[value["label"]],
            class_name=value["label"],
            confidence=confidence,
            **common,
        )
    if task_type == TaskType.IMAGE_CLASSIFICATION_MULTILABEL:
        indices = [class_ids[label] for label in value["labels"]]
        return manifest.multilabel_label(
            media="image",
            class_indices=indices,
            class_names=dict(enumerate(names)),
            confidences=dict.fromkeys(indices, confidence),
            **common,
        )
    if task_type == TaskType.LABEL_VERIFICATION:
        comment = value.get("workerComment")
        return manifest.label_verification_label(
            class_index=class_ids[value["label"]],
            class_name=value["label"],
            confidence=confidence,
            comments=[comment] if comment else [],
            **common,
        )
    if task_type == TaskType.BOUNDING_BOX:
        width, height = image_size(value, item)
        boxes = [
            manifest.Box(
                class_id=class_ids[box["label"]],
                left=round(box["left"]),
                top=round(box["top"]),
                width=round(box["width"]),
                height=round(box["height"]),
                confidence=confidence,
            )
            for box in value["boundingBoxes"]
        ]
        return manifest.bounding_box_label(
            image_width=width,
            image_height=height,
            boxes=boxes,
            class_names={class_ids[label]: label for label in names},
            adjustment_status=adjustment_status(value),
            **common,
        )
    if task_type in (TaskType.POLYGON, TaskType.POLYLINE, TaskType.KEYPOINT):
        width, height = image_size(value, item)
        if task_type == TaskType.KEYPOINT:
            kind, entries = "keypoints", [(p["label"], [p]) for p in value["keypoints"]]
        else:
            kind = "polygons" if task_type == TaskType.POLYGON else "polylines"
            source = value.get(kind, value.get("lines", []))
            entries = [(shape["label"], shape["vertices"]) for shape in source]
        shapes = [
            manifest.Shape(
                class_id=class_ids[label],
                vertices=[(round(v["x"]), round(v["y"])) for v in vertices],
                confidence=confidence,
            )
            for label, vertices in entries
        ]
        return manifest.shapes_label(
            kind=kind,
            image_width=width,
            image_height=height,
            shapes=shapes,
            class_names=dict(enumerate(names)),
            **common,
        )
    if task_type in MASK_TYPES:
        if mask_uri is None:
            raise ValueError("A segmentation label needs the stored mask's URI.")
        return mask_label(
            project=project, value=value, mask_uri=mask_uri, confidence=confidence, **common
        )
    if task_type in (TaskType.VIDEO_OBJECT_DETECTION, TaskType.VIDEO_OBJECT_TRACKING):
        if seq_label_uri is None:
            raise ValueError("A video frame label needs the stored SeqLabel.json's URI.")
        kind = (
            "video-tracking" if task_type == TaskType.VIDEO_OBJECT_TRACKING else "video-detection"
        )
        return manifest.sequence_label(
            kind=kind, value=seq_label_uri, class_names=dict(enumerate(names)), **common
        )
    raise UnsupportedTaskType(f"No output format from answers for {task_type!r}.")


MASK_TYPES = {TaskType.SEMANTIC_SEGMENTATION, TaskType.INSTANCE_SEGMENTATION}
MASK_NAME = "mask.png"


def mask_label(
    *,
    project: Project,
    value: dict,
    mask_uri: str,
    confidence: float,
    job_name: str,
    creation_date: datetime,
    human_annotated: bool = True,
) -> manifest.OutputLabel:
    """A segmentation label from an answer-shaped value (a worker's, or the consolidated
    one): semantic masks index classes by the label's place in the project's labels + 1,
    instance masks by the object's place in `instances` + 1; 0 is the white background.
    Confidence is per image, as in Ground Truth's internal-color-map."""
    colors = {0: ("BACKGROUND", confidence, BACKGROUND_COLOR)}
    if project.task_type == TaskType.SEMANTIC_SEGMENTATION:
        class_ids = {name: index for index, name in enumerate(project.label_names)}
        for label, mapping in value["labelMappings"].items():
            colors[class_ids[label] + 1] = (label, confidence, mapping["color"])
        kind = "semantic"
    else:
        for number, instance in enumerate(value["instances"], start=1):
            colors[number] = (instance["label"], confidence, instance["color"])
        kind = "instance"
    return manifest.semantic_segmentation_label(
        label_uri=mask_uri,
        colors=colors,
        kind=kind,
        job_name=job_name,
        creation_date=creation_date,
        human_annotated=human_annotated,
    )


def seq_label_from_answer(*, project: Project, answer: dict, frame_names: list[str]) -> dict:
    """The SeqLabel.json content of a video frame answer; objects are named
    "<label>:<n>", numbered per label in order of first appearance."""
    value = _single(answer)
    class_ids = {name: index for index, name in enumerate(project.label_names)}
    tracking = project.task_type == TaskType.VIDEO_OBJECT_TRACKING
    names: dict[int, str] = {}
    per_label: dict[str, int] = {}
    frames = []
    for frame in sorted(value["frames"], key=lambda entry: entry["frameNo"]):
        boxes = []
        for box in frame["boxes"]:
            object_id = box["objectId"]
            if object_id not in names:
                per_label[box["label"]] = per_label.get(box["label"], 0) + 1
                names[object_id] = f"{box['label']}:{per_label[box['label']]}"
            boxes.append(
                manifest.FrameBox(
                    class_id=class_ids[box["label"]],
                    left=round(box["left"]),
                    top=round(box["top"]),
                    width=round(box["width"]),
                    height=round(box["height"]),
                    object_id=object_id,
                    object_name=names[object_id],
                )
            )
        frames.append((frame["frameNo"], frame_names[frame["frameNo"]], boxes))
    return manifest.seq_label_content(tracking=tracking, frames=frames)


def adjustment_status(value: dict) -> str | None:
    """An adjustment task's `adjustment-status` from its (answer or consolidated) value."""
    if "initialValueModified" not in value:
        return None
    return "adjusted" if value["initialValueModified"] else "unadjusted"


def label_object_store(*, project: Project, item, name: str, body: bytes) -> str:
    """Write an output object of `item` (a mask PNG, a SeqLabel.json) into its dataset's
    storage, where Ground Truth puts it (spec 7.3):
    <project>/annotations/consolidated-annotation/output/<line>/<name>. Returns the URI the
    output line names: s3://bucket/key, or the path inside a local storage (as its refs)."""
    storage = item.dataset.storage
    if storage is None:
        raise DomainError("The dataset has no storage to write label objects to.")
    key = f"{project.name}/annotations/consolidated-annotation/output/{item.line_number}/{name}"
    with backend_for(storage) as backend:
        backend.write(key, [body])
    if storage.kind == Storage.Kind.S3:
        return f"s3://{storage.bucket}/{storage.prefix}{key}"
    return key


def output_label_for_item(
    *, project: Project, item, answer: dict, confidence: float, creation_date: datetime
) -> manifest.OutputLabel:
    """`output_label_from_answer`, storing the mask or SeqLabel.json the label refers to
    first (a video frame answer's frame names come from the item's sequence file)."""
    value = _single(answer)
    options = {}
    if project.task_type in MASK_TYPES:
        options["mask_uri"] = label_object_store(
            project=project, item=item, name=MASK_NAME, body=mask_image(value)
        )
    elif project.task_type in (TaskType.VIDEO_OBJECT_DETECTION, TaskType.VIDEO_OBJECT_TRACKING):
        from apps.tasks.video import sequence_read

        content = seq_label_from_answer(
            project=project, answer=answer, frame_names=sequence_read(item=item).frames
        )
        options["seq_label_uri"] = label_object_store(
            project=project, item=item, name="SeqLabel.json", body=json.dumps(content).encode()
        )
    return output_label_from_answer(
        project=project,
        item=item,
        answer=answer,
        confidence=confidence,
        creation_date=creation_date,
        **options,
    )
