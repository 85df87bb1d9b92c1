"""Answers of the image task types become output manifest lines in the spec's formats."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from apps.datasets.manifest import manifest_lines
from apps.tasks.output_labels import output_label_from_answer
from apps.tasks.taskui import task_input, verification_overlay

WHEN = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
COMMON = {
    "job-name": "labeling-job/animals",
    "human-annotated": "yes",
    "creation-date": "2026-11-28T12:00:00.000000",
}


def project_of(task_type: str, labels=("cat", "dog")):
    return SimpleNamespace(
        task_type=task_type,
        label_names=list(labels),
        labels=[{"label": label} for label in labels],
        name="animals",
        ui_template="",
        short_instructions="",
        full_instructions="",
    )


ITEM = SimpleNamespace(id=7, width=800, height=600, data={"source-ref": "s3://b/1.png"})
SIZE = {"inputImageProperties": {"width": 800, "height": 600}}


def line(task_type: str, answer: dict, **options) -> dict:
    label = output_label_from_answer(
        project=project_of(task_type),
        item=ITEM,
        answer=answer,
        confidence=0.9,
        creation_date=WHEN,
        **options,
    )
    return json.loads(next(manifest_lines([ITEM], "animal", {ITEM.id: label})))


def test_bounding_boxes_become_object_detection_with_class_ids():
    answer = {
        "boundingBox": {
            **SIZE,
            "boundingBoxes": [
                {"label": "dog", "left": 10, "top": 20, "width": 30, "height": 40},
                {"label": "cat", "left": 1, "top": 2, "width": 3, "height": 4},
            ],
        }
    }
    assert line("bounding_box", answer) == {
        "source-ref": "s3://b/1.png",
        "animal": {
            "image_size": [{"width": 800, "height": 600, "depth": 3}],
            "annotations": [
                {"class_id": 1, "left": 10, "top": 20, "width": 30, "height": 40},
                {"class_id": 0, "left": 1, "top": 2, "width": 3, "height": 4},
            ],
        },
        "animal-metadata": {
            "objects": [{"confidence": 0.9}, {"confidence": 0.9}],
            "class-map": {"0": "cat", "1": "dog"},
            "type": "groundtruth/object-detection",
            **COMMON,
        },
    }


def test_an_adjusted_initial_value_is_marked_in_the_metadata():
    answer = {"boundingBox": {**SIZE, "boundingBoxes": [], "initialValueModified": True}}
    assert line("bounding_box", answer)["animal-metadata"]["adjustment-status"] == "adjusted"


@pytest.mark.parametrize(
    ("task_type", "key", "kind"),
    [
        ("polygon", "polygons", "groundtruth/polygon"),
        ("polyline", "polylines", "groundtruth/polyline"),
    ],
)
def test_polygons_and_polylines_keep_their_vertices(task_type, key, kind):
    vertices = [{"x": 1, "y": 2}, {"x": 30, "y": 2}, {"x": 30, "y": 40}]
    answer = {"x": {**SIZE, key: [{"label": "dog", "vertices": vertices}]}}
    result = line(task_type, answer)
    assert result["animal"] == {
        "image_size": [{"width": 800, "height": 600, "depth": 3}],
        key: [{"class_id": 1, "vertices": vertices}],
    }
    assert result["animal-metadata"]["type"] == kind
    assert result["animal-metadata"]["objects"] == [{"confidence": 0.9}]


def test_keypoints_are_class_id_x_y():
    answer = {"k": {**SIZE, "keypoints": [{"label": "cat", "x": 5, "y": 6}]}}
    result = line("keypoint", answer)
    assert result["animal"]["keypoints"] == [{"class_id": 0, "x": 5, "y": 6}]
    assert result["animal-metadata"]["class-map"] == {"0": "cat", "1": "dog"}


def test_semantic_segmentation_is_the_mask_uri_with_its_colour_map():
    answer = {
        "crowd-semantic-segmentation": {
            **SIZE,
            "labelMappings": {"cat": {"color": "#1f77b4"}, "dog": {"color": "#ff7f0e"}},
            "labeledImage": {"pngImageData": "..."},
        }
    }
    result = line("semantic_segmentation", answer, mask_uri="s3://b/out/1.png")
    assert result["animal"] == "s3://b/out/1.png"
    assert result["animal-metadata"]["internal-color-map"] == {
        "0": {"class-name": "BACKGROUND", "confidence": 0.9, "hex-color": "#ffffff"},
        "1": {"class-name": "cat", "confidence": 0.9, "hex-color": "#1f77b4"},
        "2": {"class-name": "dog", "confidence": 0.9, "hex-color": "#ff7f0e"},
    }


def test_image_classifications_and_verification():
    single = line("image_classification", {"c": {"label": "dog"}})
    assert (single["animal"], single["animal-metadata"]["class-name"]) == (1, "dog")
    assert single["animal-metadata"]["type"] == "groundtruth/image-classification"
    multi = line("image_classification_multilabel", {"c": {"labels": ["dog", "cat"]}})
    assert multi["animal"] == [1, 0]
    assert multi["animal-metadata"]["class-map"] == {"1": "dog", "0": "cat"}
    verdict = line("label_verification", {"c": {"label": "dog", "workerComment": "box too big"}})
    assert verdict["animal"] == "1"
    assert verdict["animal-metadata"]["worker-feedback"] == [{"comment": "box too big"}]


def test_verification_input_shows_the_prior_boxes_by_their_class_names():
    data = {
        "source-ref": "s3://b/1.png",
        "prior": {"annotations": [{"class_id": 0, "left": 1, "top": 2, "width": 3, "height": 4}]},
        "prior-metadata": {"type": "groundtruth/object-detection", "class-map": {"0": "car"}},
    }
    assert verification_overlay(data) == {
        "boundingBox": {
            "labels": ["car"],
            "value": [{"label": "car", "left": 1, "top": 2, "width": 3, "height": 4}],
        }
    }
    built = task_input(project_of("label_verification", ["Correct", "Incorrect"]), data)
    assert built["taskObject"] == "s3://b/1.png"
    assert built["labels"] == ["Correct", "Incorrect"]
    masks = {
        "m-ref": "s3://b/m.png",
        "m-ref-metadata": {"type": "groundtruth/semantic-segmentation"},
    }
    built = task_input(project_of("label_verification"), {"source-ref": "s3://b/1.png", **masks})
    assert built["overlayMask"] == "s3://b/m.png" and "overlay" not in built


def test_verification_input_shows_prior_polygons_polylines_and_key_points():
    square = [{"x": 1, "y": 1}, {"x": 9, "y": 1}, {"x": 9, "y": 9}]
    priors = {
        "groundtruth/polygon": ("polygons", {"vertices": square}, "polygon"),
        "groundtruth/polyline": ("polylines", {"vertices": square[:2]}, "polyline"),
        "groundtruth/keypoint": ("keypoints", {"x": 5, "y": 6}, "keypoint"),
    }
    for kind, (entries, geometry, key) in priors.items():
        data = {
            "source-ref": "s3://b/1.png",
            "prior": {entries: [{"class_id": 1, **geometry}]},
            "prior-metadata": {"type": kind, "class-map": {"0": "car", "1": "dog"}},
        }

        assert verification_overlay(data) == {
            key: {"labels": ["dog"], "value": [{"label": "dog", **geometry}]}
        }
