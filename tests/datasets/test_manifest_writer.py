"""The output (augmented) manifest per task type, against shared/specs/aws-compat.md §7.2."""

import json
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from apps.datasets.manifest import (
    Box,
    Entity,
    StoredItem,
    bounding_box_label,
    classification_label,
    custom_label,
    encode_json,
    encode_lines,
    label_verification_label,
    manifest_lines,
    multilabel_label,
    named_entity_label,
    semantic_segmentation_label,
    sequence_label,
)

WHEN = datetime(2024, 5, 1, 14, 0, 0, tzinfo=timezone(timedelta(hours=2)))  # 12:00 UTC
COMMON = {
    "job-name": "labeling-job/animals",
    "human-annotated": "yes",
    "creation-date": "2024-05-01T12:00:00.000000",
}


def one_line(label, attribute="animal", data=None):
    item = SimpleNamespace(id=7, data=data or {"source-ref": "s3://bucket/images/0001.jpg"})
    (line,) = manifest_lines([item], attribute, {7: label})
    assert line.endswith("\n") and "\n" not in line[:-1]
    return json.loads(line)


def test_single_label_image_classification_matches_the_spec_example_exactly():
    label = classification_label(
        media="image",
        class_index=1,
        class_name="dog",
        confidence=0.87,
        job_name="animals",
        creation_date=WHEN,
    )
    expected = (
        '{"source-ref": "s3://bucket/images/0001.jpg", "animal": 1, "animal-metadata": '
        '{"class-name": "dog", "confidence": 0.87, "type": "groundtruth/image-classification", '
        '"job-name": "labeling-job/animals", "human-annotated": "yes", '
        '"creation-date": "2024-05-01T12:00:00.000000"}}\n'
    )
    item = SimpleNamespace(id=1, data={"source-ref": "s3://bucket/images/0001.jpg"})

    assert list(manifest_lines([item], "animal", {1: label})) == [expected]


def test_text_classification_keeps_the_inline_source_and_other_keys():
    label = classification_label(
        media="text",
        class_index=0,
        class_name="positive",
        confidence=0.0,
        job_name="animals",
        creation_date=WHEN,
        human_annotated=True,
    )

    line = one_line(label, "sentiment", {"source": "The food was delicious", "customer-id": "c-17"})

    assert line == {
        "source": "The food was delicious",
        "customer-id": "c-17",
        "sentiment": 0,
        "sentiment-metadata": {
            "class-name": "positive",
            "confidence": 0.0,
            "type": "groundtruth/text-classification",
            **COMMON,
        },
    }


@pytest.mark.parametrize("media", ["image", "text"])
def test_multilabel_classification_has_class_and_confidence_maps(media):
    label = multilabel_label(
        media=media,
        class_indices=[1, 0, 8],
        class_names={0: "cat", 1: "dog", 8: "bird"},
        confidences={0: 0.5, 1: 0.9, 8: 0.25},
        job_name="animals",
        creation_date=WHEN,
    )

    line = one_line(label)

    assert line["animal"] == [1, 0, 8]
    assert line["animal-metadata"] == {
        "class-map": {"1": "dog", "0": "cat", "8": "bird"},
        "confidence-map": {"1": 0.9, "0": 0.5, "8": 0.25},
        "type": f"groundtruth/{media}-classification-multilabel",
        **COMMON,
    }


def test_bounding_box_value_and_metadata_match_the_spec_shape():
    label = bounding_box_label(
        image_width=500,
        image_height=400,
        boxes=[Box(0, 111, 134, 61, 128, 0.8)],
        class_names={0: "dog"},
        job_name="animals",
        creation_date=WHEN,
    )

    line = one_line(label, "bounding-box")

    assert line["bounding-box"] == {
        "image_size": [{"width": 500, "height": 400, "depth": 3}],
        "annotations": [{"class_id": 0, "left": 111, "top": 134, "width": 61, "height": 128}],
    }
    assert line["bounding-box-metadata"] == {
        "objects": [{"confidence": 0.8}],
        "class-map": {"0": "dog"},
        "type": "groundtruth/object-detection",
        **COMMON,
    }


def test_adjusted_bounding_boxes_carry_the_adjustment_status():
    label = bounding_box_label(
        image_width=10,
        image_height=10,
        boxes=[],
        class_names={},
        job_name="animals",
        creation_date=WHEN,
        adjustment_status="adjusted",
    )

    assert one_line(label)["animal-metadata"]["adjustment-status"] == "adjusted"


def test_semantic_segmentation_label_is_a_uri_with_an_internal_color_map():
    label = semantic_segmentation_label(
        label_uri="s3://bucket/out/annotations/0001.png",
        colors={0: ("BACKGROUND", 0.9, "#ffffff"), 1: ("dog", 0.9, "#2ca02c")},
        job_name="animals",
        creation_date=WHEN,
    )

    line = one_line(label, "category-ref")

    assert line["category-ref"] == "s3://bucket/out/annotations/0001.png"
    assert line["category-ref-metadata"] == {
        "internal-color-map": {
            "0": {"class-name": "BACKGROUND", "confidence": 0.9, "hex-color": "#ffffff"},
            "1": {"class-name": "dog", "confidence": 0.9, "hex-color": "#2ca02c"},
        },
        "type": "groundtruth/semantic-segmentation",
        **COMMON,
    }


def test_label_verification_writes_the_verdict_index_as_a_string_with_feedback():
    label = label_verification_label(
        class_index=1,
        class_name="bad",
        confidence=0.93,
        comments=["box too loose"],
        job_name="animals",
        creation_date=WHEN,
    )

    line = one_line(label, "verified")

    assert line["verified"] == "1"
    assert line["verified-metadata"] == {
        "class-name": "bad",
        "confidence": 0.93,
        "worker-feedback": [{"comment": "box too loose"}],
        "type": "groundtruth/label-verification",
        **COMMON,
    }


def test_named_entity_recognition_uses_text_span_with_per_entity_confidence():
    label = named_entity_label(
        labels=[("Date", "dt")],
        entities=[Entity("Date", 75, 88, 0.0)],
        job_name="animals",
        creation_date=WHEN,
    )

    line = one_line(label, "entities", {"source": "Text"})

    assert line["entities"] == {
        "annotations": {
            "labels": [{"label": "Date", "shortDisplayName": "dt"}],
            "entities": [{"label": "Date", "startOffset": 75, "endOffset": 88}],
        }
    }
    assert line["entities-metadata"] == {
        "entities": [{"confidence": 0.0}],
        "type": "groundtruth/text-span",
        **COMMON,
    }


@pytest.mark.parametrize(
    ("kind", "type_"),
    [
        ("video-detection", "groundtruth/video-object-detection"),
        ("video-tracking", "groundtruth/video-object-tracking"),
        ("point-cloud-detection", "groundtruth/point_cloud_object_detection"),
        ("point-cloud-tracking", "groundtruth/point_cloud_object_tracking"),
        ("point-cloud-segmentation", "groundtruth/point_cloud_single_frame_semantic_segmentation"),
    ],
)
def test_sequence_jobs_point_at_their_seq_label_with_a_class_map(kind, type_):
    uri = "s3://bucket/out/annotations/consolidated-annotation/output/0/SeqLabel.json"
    label = sequence_label(
        kind=kind, value=uri, class_names={0: "car"}, job_name="animals", creation_date=WHEN
    )

    line = one_line(label, "tracks-ref")

    assert line["tracks-ref"] == uri
    assert line["tracks-ref-metadata"] == {"class-map": {"0": "car"}, "type": type_, **COMMON}


def test_custom_tasks_write_what_consolidation_returned():
    label = custom_label(
        value={"label": "dog", "votes": 3},
        job_name="animals",
        creation_date=WHEN,
        human_annotated=False,
    )

    line = one_line(label)

    assert line["animal"] == {"label": "dog", "votes": 3}
    assert line["animal-metadata"] == {
        **COMMON,
        "type": "groundTruth/custom",
        "human-annotated": "no",
    }


def test_existing_label_keys_are_replaced_and_prior_jobs_labels_kept():
    prior = {
        "source-ref": "s3://bucket/a.jpg",
        "animal": 1,
        "animal-metadata": {"class-name": "dog"},
        "breed": 9,
        "breed-metadata": {"class-name": "old"},
    }
    label = classification_label(
        media="image",
        class_index=2,
        class_name="beagle",
        confidence=0.7,
        job_name="breeds",
        creation_date=WHEN,
    )

    line = one_line(label, "breed", prior)

    assert line["animal"] == 1 and line["animal-metadata"] == {"class-name": "dog"}
    assert line["breed"] == 2 and line["breed-metadata"]["class-name"] == "beagle"


def test_unlabeled_items_are_copied_unchanged_and_input_is_not_mutated():
    data = {"source": "é ü", "x": [1, 2]}
    items = [SimpleNamespace(id=1, data=data), SimpleNamespace(id=2, data={"source": "b"})]
    label = custom_label(value=1, job_name="j", creation_date=WHEN)

    lines = list(manifest_lines(items, "l", {2: label}))

    assert lines[0] == '{"source": "é ü", "x": [1, 2]}\n'
    assert json.loads(lines[1])["l"] == 1
    assert data == {"source": "é ü", "x": [1, 2]}


def test_encode_lines_groups_lines_into_utf8_chunks():
    chunks = list(encode_lines(["é\n"] * 10, chunk_bytes=8))

    assert b"".join(chunks) == "é\n".encode() * 10
    assert len(chunks) == 3


def test_creation_dates_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        custom_label(value=1, job_name="j", creation_date=datetime(2024, 1, 1))  # noqa: DTZ001


def test_stored_json_text_is_written_as_is_and_labels_appended_as_text():
    label = classification_label(
        media="image",
        class_index=1,
        class_name="dog",
        confidence=0.87,
        job_name="animals",
        creation_date=WHEN,
    )
    stored = [
        StoredItem(1, '{"source-ref": "s3://bucket/images/0001.jpg", "n": "é"}'),
        StoredItem(2, '{"source": "b"}'),
    ]
    parsed = [SimpleNamespace(id=i.id, data=json.loads(i.json_text)) for i in stored]

    fast = list(manifest_lines(stored, "animal", {1: label}))

    assert fast == list(manifest_lines(parsed, "animal", {1: label}))
    assert fast[1] == '{"source": "b"}\n'


def test_stored_items_already_holding_the_label_key_are_parsed_and_replaced():
    label = custom_label(value=2, job_name="j", creation_date=WHEN)
    stored = [
        StoredItem(1, '{"source": "a", "animal": 1, "animal-metadata": {"x": 1}}'),
        StoredItem(2, "{}"),
    ]

    lines = [json.loads(line) for line in manifest_lines(stored, "animal", {1: label, 2: label})]

    assert lines[0]["animal"] == 2 and lines[0]["animal-metadata"]["type"] == "groundTruth/custom"
    assert list(lines[0]) == ["source", "animal", "animal-metadata"]
    assert lines[1]["animal"] == 2


@pytest.mark.parametrize(
    "value",
    [
        {"a": [1, 2.5, None, True], "é": {"x": '"quoted"\n'}},
        {1: "int key"},
        "text",
        0.1,
        [],
        {"big": 10**30, "neg": -1e-9},
    ],
)
def test_the_reusable_encoder_writes_what_json_dumps_writes(value):
    assert encode_json(value) == json.dumps(value, ensure_ascii=False)


def test_the_reusable_encoder_refuses_what_json_cannot_hold():
    with pytest.raises(TypeError):
        encode_json({"when": datetime(2024, 1, 1, tzinfo=UTC)})
