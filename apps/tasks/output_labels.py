"""One answer -> the output manifest's label, per built-in task type.

The consolidation step decides *which* answer (or merged answer) becomes an Item's label
and with what confidence; this module only turns an answer-shaped value (what the crowd
element submitted, validated) into `<attribute>` + `<attribute>-metadata` in the formats of
`apps.datasets.manifest`. With one answer per item it is the whole pipeline.
"""

from datetime import datetime

from apps.datasets import manifest
from apps.projects.models import Project, TaskType


class UnsupportedTaskType(ValueError):
    pass


def _single(answer: dict) -> object:
    return next(iter(answer.values()))


def _size(value: dict, item) -> tuple[int, int]:
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
) -> manifest.OutputLabel:
    """The label an Item's output line gets from `answer` (validated for `project`).
    Class ids are the label's index in the project's labels. A semantic segmentation
    label is the stored mask PNG's URI: the caller stores it and passes `mask_uri`."""
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
        width, height = _size(value, item)
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
            adjustment_status=_adjustment(value),
            **common,
        )
    if task_type in (TaskType.POLYGON, TaskType.POLYLINE, TaskType.KEYPOINT):
        width, height = _size(value, item)
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
    if task_type == TaskType.SEMANTIC_SEGMENTATION:
        if mask_uri is None:
            raise ValueError("A semantic segmentation label needs the stored mask's URI.")
        colors = {0: ("BACKGROUND", confidence, "#ffffff")}
        for label, mapping in value["labelMappings"].items():
            colors[class_ids[label] + 1] = (label, confidence, mapping["color"])
        return manifest.semantic_segmentation_label(label_uri=mask_uri, colors=colors, **common)
    raise UnsupportedTaskType(f"No output format from answers for {task_type!r}.")


def _adjustment(value: dict) -> str | None:
    if "initialValueModified" not in value:
        return None
    return "adjusted" if value["initialValueModified"] else "unadjusted"
